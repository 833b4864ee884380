"""The STS operations a standalone account can call but not use: ``AssumeRoot``, ``GetDelegatedAccessToken`` and
``DecodeAuthorizationMessage``.

mockrunner models no AWS Organizations, so no account is an organization's management or delegated administrator
account with centralized root access enabled: ``AssumeRoot`` is authorized (``sts:AssumeRoot`` on the target
account's root, with ``sts:TaskPolicyArn``), its task policy checked against the AWS managed root-task policies,
and then refused.  No request here issues trade-in tokens (IAM's delegation requests) nor encoded authorization
messages (no service served here encodes its denials), so every token or message presented is one STS cannot
accept, answered with the error the STS model declares for it.
"""
from __future__ import annotations

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.numerals import is_decimal
from mockrunner.services.registry import op
from mockrunner.services.sts.core import default_checks, refuse_federated_users

ROOT_TASK_POLICIES = frozenset(f"arn:aws:iam::aws:policy/root-task/{name}" for name in (
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"))
"""The task policies AssumeRoot accepts (IAM User Guide, "Perform a privileged task on an AWS Organizations member
account")."""


def _assume_root_authz(ctx: RequestContext) -> list[Check]:
    refuse_federated_users(ctx)
    if ctx.caller.is_root:
        # "You cannot use root user credentials to make this call" (STS API reference, AssumeRoot).
        raise ServiceError("AccessDenied", "Root user credentials cannot call AssumeRoot.", 403)
    target = ctx.params["TargetPrincipal"]
    policy_arn = (ctx.params.get("TaskPolicyArn") or {}).get("arn", "")
    # The member account's root has no policy of its own: the caller's identity policy alone decides.
    return [Check("sts:AssumeRoot", f"arn:aws:iam::{target}:root", {"sts:TaskPolicyArn": policy_arn},
                  resource_account=ctx.caller.account_id)]


@op("sts", "AssumeRoot", authz=_assume_root_authz)
def assume_root(ctx: RequestContext) -> dict:
    target = ctx.params["TargetPrincipal"]
    policy_arn = (ctx.params.get("TaskPolicyArn") or {}).get("arn", "")
    if not (is_decimal(target) and len(target) == 12):
        raise ServiceError("ValidationError", f"The target principal {target} is not an AWS account ID.", 400)
    if policy_arn not in ROOT_TASK_POLICIES:
        raise ServiceError("ValidationError", f"The task policy {policy_arn} is not an AWS managed root-task policy.",
                           400)
    raise ServiceError("AccessDenied", "AssumeRoot needs centralized root access: call it from an AWS Organizations "
                       "management or delegated administrator account whose organization enabled root sessions "
                       f"for member account {target}.", 403)


@op("sts", "GetDelegatedAccessToken", authz=default_checks)
def get_delegated_access_token(ctx: RequestContext) -> dict:
    raise ServiceError("ExpiredTradeInTokenException", "The trade-in token is not valid or has expired.", 400)


@op("sts", "DecodeAuthorizationMessage", authz=default_checks)
def decode_authorization_message(ctx: RequestContext) -> dict:
    raise ServiceError("InvalidAuthorizationMessageException", "The encoded authorization message is invalid or "
                       "has expired.", 400)
