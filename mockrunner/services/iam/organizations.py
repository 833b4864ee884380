"""IAM operations that need AWS Organizations or partner delegation, answered as for a standalone account, and the
account's STS token preference.

Every account mockrunner models stands outside any organization: the root-credentials and root-sessions features
and ``ListOrganizationsFeatures`` answer ``OrganizationNotFoundException`` (the model's error for "no organization
is associated with your account"), and so does ``GenerateOrganizationsAccessReport``; no organizations access
report job therefore exists (``GetOrganizationsAccessReport``: ``NoSuchEntity``).  Delegation requests are created
only by onboarded partners: ``CreateDelegationRequest`` is ``AccessDenied``, no request exists to get, accept,
associate, reject, update or send a token for (``NoSuchEntity``), ``ListDelegationRequests`` is empty (and, giving
no marker, refuses any as "Invalid Marker.", as every IAM listing refuses one it never gave), and
``GetHumanReadableSummary`` (delegation requests only) finds none.  ``SetSecurityTokenServicePreferences`` is
real: it records the global endpoint's token version for the account.
"""
from __future__ import annotations

from collections.abc import Iterable

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.iam.authz import anything, on_arn, request_keys
from mockrunner.services.iam.entities import iam_of
from mockrunner.services.registry import op

ORGANIZATION_OPERATIONS = (
    "EnableOrganizationsRootCredentialsManagement", "DisableOrganizationsRootCredentialsManagement",
    "EnableOrganizationsRootSessions", "DisableOrganizationsRootSessions", "ListOrganizationsFeatures",
    "GenerateOrganizationsAccessReport",
)
DELEGATION_OPERATIONS = ("GetDelegationRequest", "AcceptDelegationRequest", "AssociateDelegationRequest",
                         "RejectDelegationRequest", "UpdateDelegationRequest", "SendDelegationToken")


def _no_organization(ctx: RequestContext) -> dict:
    raise ServiceError("OrganizationNotFoundException",
                       "The request was rejected because no organization is associated with your account.", 400)


def _no_delegation_request(ctx: RequestContext) -> dict:
    request_id = ctx.params["DelegationRequestId"]
    raise ServiceError("NoSuchEntity", f"The delegation request with id {request_id} cannot be found.", 404)


def _on_delegation_request(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on ``arn:aws:iam::<account>:delegation-request/<id>``, the SAR's ``delegation-request``
    resource type (in the caller's account: the request is handled there)."""
    request_id = ctx.params["DelegationRequestId"]
    return (Check(f"iam:{ctx.operation_name}", f"arn:aws:iam::{ctx.account.id}:delegation-request/{request_id}"),)


def _on_access_report(ctx: RequestContext) -> Iterable[Check]:
    """``iam:GenerateOrganizationsAccessReport`` on ``arn:aws:iam::<account>:access-report/<EntityPath>``, the
    SAR's ``access-report`` resource type."""
    return (Check("iam:GenerateOrganizationsAccessReport",
                  f"arn:aws:iam::{ctx.account.id}:access-report/{ctx.params['EntityPath']}", request_keys(ctx)),)


for _name in ORGANIZATION_OPERATIONS:
    op("iam", _name, authz=_on_access_report if _name == "GenerateOrganizationsAccessReport" else anything)(
        _no_organization)
for _name in DELEGATION_OPERATIONS:
    op("iam", _name, authz=_on_delegation_request)(_no_delegation_request)


@op("iam", "GetOrganizationsAccessReport", authz=anything)
def get_organizations_access_report(ctx: RequestContext) -> dict:
    raise ServiceError("NoSuchEntity", f"No organizations access report job found for JobId {ctx.params['JobId']}.",
                       404)


@op("iam", "CreateDelegationRequest", authz=anything)
def create_delegation_request(ctx: RequestContext) -> dict:
    raise ServiceError("AccessDenied", "Delegation requests can only be created by accounts onboarded as "
                       "delegation partners.", 403)


@op("iam", "ListDelegationRequests", authz=anything)
def list_delegation_requests(ctx: RequestContext) -> dict:
    if ctx.params.get("Marker"):
        raise ServiceError("ValidationError", "Invalid Marker.", 400)
    return {"DelegationRequests": [], "isTruncated": False}


@op("iam", "GetHumanReadableSummary", authz=on_arn("EntityArn"))
def get_human_readable_summary(ctx: RequestContext) -> dict:
    arn = ctx.params["EntityArn"]
    if ":delegation-request/" not in arn:
        raise ServiceError("InvalidInput", "Human readable summaries are only supported for delegation requests.",
                           400)
    raise ServiceError("NoSuchEntity", f"The delegation request {arn} cannot be found.", 404)


@op("iam", "SetSecurityTokenServicePreferences", authz=anything)
def set_security_token_service_preferences(ctx: RequestContext) -> dict:
    iam_of(ctx).configure(sts_global_token_version=ctx.params["GlobalEndpointTokenVersion"])
    return {}
