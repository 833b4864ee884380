"""Reading the use the authorizer records (``IamState.last_used``): last use of an access key, of a role."""
from __future__ import annotations

from datetime import datetime

from mockrunner.model.iam import IamState, Role


def latest_use(iam: IamState, who: str) -> tuple[str, datetime, str] | None:
    """``(service namespace, time, region)`` of the latest request of ``who`` (entity ARN or access key id)."""
    uses = iam.last_used.get(who)
    if not uses:
        return None
    service, (when, region) = max(uses.items(), key=lambda item: item[1][0])
    return service, when, region


def to_minute(when: datetime) -> datetime:
    """A last-use time as IAM reports an access key's and a service's: to the minute (the AWS CLI reference's
    examples, ``2015-06-16T22:45:00Z``, ``2019-09-30T23:02:00Z``, and Cloud Custodian's recordings of real IAM all
    have zero seconds)."""
    return when.replace(second=0, microsecond=0)


def access_key_last_used(iam: IamState, key_id: str) -> dict:
    """GetAccessKeyLastUsed's ``AccessKeyLastUsed``: ``N/A`` for a key never used."""
    use = latest_use(iam, key_id)
    if use is None:
        return {"ServiceName": "N/A", "Region": "N/A"}
    service, when, region = use
    return {"LastUsedDate": to_minute(when), "ServiceName": service, "Region": region}


def role_last_used(iam: IamState, role: Role) -> dict:
    """A role's ``RoleLastUsed``: empty until a session of it made a request; its time in whole seconds, as every
    published ``get-role`` output shows it (``2022-02-13T20:05:35+00:00``)."""
    use = latest_use(iam, role.arn)
    return {} if use is None else {"LastUsedDate": use[1].replace(microsecond=0), "Region": use[2]}
