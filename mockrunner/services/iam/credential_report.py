"""The credential report: GenerateCredentialReport and GetCredentialReport.

``GenerateCredentialReport`` builds the report at once (the account's users and keys now, the uses the authorizer
recorded) and answers ``STARTED``; called again within four hours it answers ``COMPLETE`` and keeps the report,
after that it generates a new one, as IAM does.  ``GetCredentialReport`` returns the CSV (botocore decodes the
base64), ``ReportNotPresent`` (no message) before any report and ``ReportExpired`` once the last one is four hours old.
Columns and their order are AWS's.  Password columns come from the user's login profile (console sign-ins are not
modelled, so ``password_last_used`` reads ``no_information`` for a user with a password) and the password policy's
``MaxPasswordAge``; ``mfa_active`` says whether an MFA device is enabled for the user.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState
from mockrunner.services.iam.authz import anything
from mockrunner.services.iam.entities import iam_of
from mockrunner.services.iam.usage import latest_use, to_minute
from mockrunner.services.registry import op

COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)
LIFETIME = timedelta(hours=4)
NA = "N/A"


def _time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _key_columns(iam: IamState, keys: list) -> list[str]:
    columns: list[str] = []
    for index in range(2):
        key = keys[index] if index < len(keys) else None
        if key is None:
            columns += ["false", NA, NA, NA, NA]
            continue
        use = latest_use(iam, key.access_key_id)
        used = [_time(to_minute(use[1])), use[2], use[0]] if use else [NA, NA, NA]
        columns += [str(key.status == "Active").lower(), _time(key.create_date), *used]
    return columns


def _password_columns(iam: IamState, user_name: str) -> list[str]:
    """password_enabled, password_last_used, password_last_changed, password_next_rotation."""
    profile = iam.login_profiles.get(user_name)
    if profile is None:
        return ["false", NA, NA, NA]
    changed = profile.password_changed or profile.create_date
    max_age = iam.password_policy.max_age if iam.password_policy is not None else 0
    rotation = _time(changed + timedelta(days=max_age)) if max_age else NA
    return ["true", "no_information", _time(changed), rotation]


def _cert_columns(certificates: list) -> list[str]:
    columns: list[str] = []
    for index in range(2):
        cert = certificates[index] if index < len(certificates) else None
        columns += ["false", NA] if cert is None else [str(cert.status == "Active").lower(), _time(cert.upload_date)]
    return columns


def build(iam: IamState, account_id: str, root_created: datetime) -> str:
    """The report's CSV: the root (created ``root_created``, with its account) first, then every user by name."""
    # Each user's keys and certificates, gathered in one pass (looked up per user, the report was quadratic: 5,000
    # users with two keys each held the store lock 3.6 s).
    keys: dict[tuple[bool, str], list] = {}
    for key in iam.access_keys.values():
        keys.setdefault((key.root, "" if key.root else key.user_name), []).append(key)
    certificates: dict[str, list] = {}
    for cert in iam.signing_certificates.values():
        certificates.setdefault(cert.user_name, []).append(cert)

    def keys_of(name: str, root: bool = False) -> list:
        return sorted(keys.get((root, "" if root else name), ()), key=lambda key: key.create_date)

    def certs_of(name: str) -> list:
        return sorted(certificates.get(name, ()), key=lambda cert: cert.upload_date)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(["<root_account>", f"arn:aws:iam::{account_id}:root", _time(root_created), "not_supported",
                     "no_information", "not_supported", "not_supported", "false",
                     *_key_columns(iam, keys_of("", root=True)), *_cert_columns(certs_of(""))])
    with_mfa = {device.user_name for device in iam.mfa_devices.values() if device.user_name}
    for user in sorted(iam.users.values(), key=lambda user: user.name.lower()):
        writer.writerow([user.name, user.arn, _time(user.create_date), *_password_columns(iam, user.name),
                         str(user.name in with_mfa).lower(),
                         *_key_columns(iam, keys_of(user.name)), *_cert_columns(certs_of(user.name))])
    # No newline after the last row (recorded from AWS, 2026-09-11: radkawar/stackd,
    # testdata/aws/iam/credential_report.json, "completed_report": csv_ends_with_newline false).
    return out.getvalue().removesuffix("\n")


@op("iam", "GenerateCredentialReport", authz=anything)
def generate_credential_report(ctx: RequestContext) -> dict:
    iam, now = iam_of(ctx), ctx.store.clock.now()
    generated = iam.credential_report_time
    if generated is not None and now - generated < LIFETIME:
        return {"State": "COMPLETE"}
    iam.configure(credential_report=build(iam, ctx.account.id, ctx.account.created),
                  credential_report_time=now.replace(microsecond=0))
    return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}


@op("iam", "GetCredentialReport", authz=anything)
def get_credential_report(ctx: RequestContext) -> dict:
    iam, now = iam_of(ctx), ctx.store.clock.now()
    generated = iam.credential_report_time
    if generated is None:
        # AWS's error carries no Message (recorded from AWS: LocalStack snapshot test_iam_credential_report.py,
        # test_get_credential_report_before_generated).
        raise ServiceError("ReportNotPresent", "", 410)
    if now - generated >= LIFETIME:
        raise ServiceError("ReportExpired", "Credential report has expired. Use GenerateCredentialReport to "
                           "generate a new report.", 410)
    return {"Content": iam.credential_report.encode("utf-8"), "ReportFormat": "text/csv", "GeneratedTime": generated}
