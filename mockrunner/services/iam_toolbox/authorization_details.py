"""GetRequestAuthorizationDetails and GetRequestAuthorizationPolicy, answered from the troubleshooter's records.

Authorized as ``iam:GetRequestAuthorizationDetails`` / ``iam:GetRequestAuthorizationPolicy`` on ``*`` (the registry's
default check: the action's resource type is not public, unverified).  A record is found only in its Region
(us-east-1 for IAM's denials), while fresh, and by a principal of the denied principal's account; every other case
is the ``ResourceNotFoundException`` the model documents.  Evaluations are paged :data:`PAGE_SIZE` at a time.
"""
from __future__ import annotations

import base64
import binascii

from mockrunner.auth import troubleshooter  # registers the authorization id on IAM's denials
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.authorization_details import AuthorizationRecord
from mockrunner.numerals import is_decimal
from mockrunner.services.registry import op

PAGE_SIZE = 20
NOT_FOUND = ("The requested authorization details do not exist in this region or have expired. Verify that the "
             "authorization ID is correct and that the call is made in the region where the denial occurred.")
POLICY_NOT_FOUND = ("The requested policy does not exist for this authorization ID. Use a policy URI from the "
                    "policies list that GetRequestAuthorizationDetails returns for the same authorization ID.")


def _record(ctx: RequestContext) -> AuthorizationRecord:
    """The caller's record, or ResourceNotFoundException (unknown, expired, another Region, another account)."""
    record = ctx.store.authorization_details.get(ctx.params["authorizationId"], ctx.store.clock.now())
    if record is None or record.region != ctx.region or record.account_id != ctx.caller.account_id:
        raise ServiceError("ResourceNotFoundException", NOT_FOUND)
    return record


@op("iam-toolbox", "GetRequestAuthorizationDetails")
def get_request_authorization_details(ctx: RequestContext) -> dict:
    record = _record(ctx)
    start = _offset(ctx.params.get("nextToken"), record)
    page = record.evaluations[start:start + PAGE_SIZE]
    following = start + PAGE_SIZE
    result = {"requestContext": record.request_context, "evaluations": page, "policies": record.policies}
    if following < len(record.evaluations):
        result["nextToken"] = _token(record, following)
    return result


@op("iam-toolbox", "GetRequestAuthorizationPolicy")
def get_request_authorization_policy(ctx: RequestContext) -> dict:
    record = _record(ctx)
    uri = ctx.params["policyUri"]
    if uri not in record.documents or record.documents[uri] is None:
        raise ServiceError("ResourceNotFoundException", POLICY_NOT_FOUND)
    return {"policyDocument": troubleshooter.document_value(record.documents[uri])}


def _token(record: AuthorizationRecord, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{record.authorization_id}:{offset}".encode()).decode("ascii")


def _offset(token: str | None, record: AuthorizationRecord) -> int:
    """The first evaluation of the page ``token`` names (0 without one); a token not made for this record is a
    ValidationException (wording unverified)."""
    if token is None:
        return 0
    try:
        owner, _, offset = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii").partition(":")
    except (binascii.Error, ValueError, UnicodeError):
        owner, offset = "", ""
    # ASCII digits that int() reads: str.isdigit() also takes "²" and 5,000 digits, on which int() raised (a 500)
    if owner != record.authorization_id or not is_decimal(offset) or int(offset) >= len(record.evaluations):
        raise ServiceError("ValidationException", "The nextToken is not valid.")
    return int(offset)
