"""The STS operations a standalone account can call but not use: ``AssumeRoot``, ``GetDelegatedAccessToken`` and
``DecodeAuthorizationMessage``.

mockrunner models no AWS Organizations, so no account is an organization's management or delegated administrator
account with centralized root access enabled: ``AssumeRoot`` is authorized (``sts:AssumeRoot`` on the target
account's root, with ``sts:TaskPolicyArn``), its task policy checked against the AWS managed root-task policies,
and then refused as AWS refuses a target it may not reach (see :func:`assume_root`).  No request here issues
trade-in tokens (IAM's delegation requests) nor encoded authorization messages (no service served here encodes its
denials), so every token or message presented is one STS cannot accept, answered with the error the STS model
declares for it.
"""
from __future__ import annotations

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.numerals import is_decimal
from mockrunner.services.registry import op
from mockrunner.services.sts.core import default_checks, refuse_limited_sessions

ROOT_TASK_POLICIES = frozenset(f"arn:aws:iam::aws:policy/root-task/{name}" for name in (
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"))
"""The task policies AssumeRoot accepts (IAM User Guide, "Perform a privileged task on an AWS Organizations member
account")."""


def _target_root(ctx: RequestContext) -> str:
    """The ARN of the root user ``TargetPrincipal`` names: an account id, or that root user's ARN (recorded from
    AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/root_access.json, "assume_root_management_id" and
    "assume_root_management_root_arn" were checked on ``arn:aws:iam::<account>:root``); anything else, a user's ARN
    too ("assume_root_owned_user_arn"), is IAM's ``ValidationError``.  Read before the caller's permission is
    (*unverified*: the recording's caller had it)."""
    target = ctx.params["TargetPrincipal"]
    account = target
    if target.startswith("arn:aws:iam::") and target.endswith(":root"):
        account = target[len("arn:aws:iam::"):-len(":root")]
    if not (is_decimal(account) and len(account) == 12):
        raise ServiceError("ValidationError", "Request must contain a valid target principal", 400)
    return f"arn:aws:iam::{account}:root"


def _assume_root_authz(ctx: RequestContext) -> list[Check]:
    refuse_limited_sessions(ctx)
    if ctx.caller.is_root:
        # "You cannot use root user credentials to make this call" (STS API reference, AssumeRoot).
        raise ServiceError("AccessDenied", "Root user credentials cannot call AssumeRoot.", 403)
    policy_arn = (ctx.params.get("TaskPolicyArn") or {}).get("arn", "")
    # The member account's root has no policy of its own: the caller's identity policy alone decides.
    return [Check("sts:AssumeRoot", _target_root(ctx), {"sts:TaskPolicyArn": policy_arn},
                  resource_account=ctx.caller.account_id)]


@op("sts", "AssumeRoot", authz=_assume_root_authz)
def assume_root(ctx: RequestContext) -> dict:
    """Refused once authorized, in the words of an authorization failure: AWS answered so a management account's
    administrator targeting its own account (root_access.json "assume_root_management_id", "_root_arn",
    "assume_root_duration_zero"); for an account outside any organization the same is assumed (*unverified*).
    A task policy that is not a root-task policy: "Request must contain valid AWS managed task policy ARN"
    ("assume_root_invalid_task_policy")."""
    policy_arn = (ctx.params.get("TaskPolicyArn") or {}).get("arn", "")
    if policy_arn not in ROOT_TASK_POLICIES:
        raise ServiceError("ValidationError", "Request must contain valid AWS managed task policy ARN", 400)
    raise ServiceError("AccessDenied", f"User: {ctx.caller.arn} is not authorized to perform: sts:AssumeRoot on "
                       f"resource: {_target_root(ctx)}", 403)


@op("sts", "GetDelegatedAccessToken", authz=default_checks)
def get_delegated_access_token(ctx: RequestContext) -> dict:
    raise ServiceError("ExpiredTradeInTokenException", "The trade-in token is not valid or has expired.", 400)


@op("sts", "DecodeAuthorizationMessage", authz=default_checks)
def decode_authorization_message(ctx: RequestContext) -> dict:
    raise ServiceError("InvalidAuthorizationMessageException", "The encoded authorization message is invalid or "
                       "has expired.", 400)
