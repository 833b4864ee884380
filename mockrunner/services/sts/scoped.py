"""``GetScopedCredentials``: new temporary credentials for the calling session, with fewer permissions, a shorter
life, or both.

STS API reference (GetScopedCredentials) and IAM User Guide ("Permissions for GetScopedCredentials"):

* only temporary credentials of an IAM user, a role or a federated user may call it (a role session,
  GetSessionToken's or GetFederationToken's credentials); an IAM user's access key is refused, and so is the root
  user in every form, its access key or its own GetSessionToken session ("You cannot call it with IAM user
  credentials or root credentials").  The error is not documented: mockrunner answers the
  model's ``InvalidSubjectCredentials`` ("the session used to call GetScopedCredentials is not a valid session");
* the identity stays the same: session ARN, user id, role session name, session tags, transitive tag keys,
  source identity, MFA context, and the session's issue time (``aws:TokenIssueTime``: a policy revoking the
  sessions issued before a time reaches their scoped credentials too, which can never do more than the calling
  session; unverified); ``SessionInfo`` names the same ARN and id;
* the permissions are the intersection of the calling session's effective permissions, the ``Policy`` passed
  and every scope-down policy of earlier calls in the chain (each one a layer of its own); a call outside
  them is ``AccessDenied`` "... because no session policy allows the <action> action";
* ``Policy`` or ``DurationSeconds`` must be given; ``DurationSeconds`` (1 s to 36 h) may not reach past the
  calling session's expiration (``InsufficientSessionLifetime``), without it the credentials expire with the
  calling session;
* at most three scope-down policies per session (``ScopedPoliciesCount``): a fourth ``Policy`` is denied;
* the call is authorized as ``sts:GetScopedCredentials`` on ``*`` (like STS's other resource-less actions), so a
  scoped session calls it again only if its scope-down policies allow that too.
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import (
    MAX_SCOPE_DOWN_POLICIES,
    SESSION_KEY_PREFIX,
    new_secret,
    new_session_token,
    session_credentials,
)
from mockrunner.model.key_ids import new_key_id
from mockrunner.services.registry import op
from mockrunner.services.sts import token_size
from mockrunner.services.sts.core import TEMPORARY_CREDENTIALS, _session_policies

NOT_A_SESSION = ("GetScopedCredentials requires temporary security credentials: the calling credentials are not "
                 "those of an STS session.")


ROOT_SESSION = "GetScopedCredentials cannot be called with the root user's credentials, temporary or not."


def _authz(ctx: RequestContext) -> list[Check]:
    if ctx.caller.credential_source not in TEMPORARY_CREDENTIALS:
        raise ServiceError("InvalidSubjectCredentials", NOT_A_SESSION, 400)
    if ctx.caller.is_root:
        raise ServiceError("InvalidSubjectCredentials", ROOT_SESSION, 400)
    params = ctx.params
    if params.get("Policy") is None and params.get("DurationSeconds") is None:
        raise ServiceError("ValidationError", "A request must provide at least one of Policy or DurationSeconds.",
                           400)
    return [Check("sts:GetScopedCredentials")]


@op("sts", "GetScopedCredentials", authz=_authz)
def get_scoped_credentials(ctx: RequestContext) -> dict:
    params, caller, store = ctx.params, ctx.caller, ctx.store
    iam = store.accounts[caller.account_id].iam
    calling = iam.sessions.get(caller.access_key_id)
    if calling is None:
        raise ServiceError("InvalidSubjectCredentials", NOT_A_SESSION, 400)
    scope_downs = list(calling.scope_down_policies)
    if params.get("Policy") is not None:
        if len(scope_downs) >= MAX_SCOPE_DOWN_POLICIES:
            raise ServiceError("AccessDenied", f"User: {caller.arn} is not authorized to perform: "
                               f"sts:GetScopedCredentials: the session already has {MAX_SCOPE_DOWN_POLICIES} "
                               "scope down policies, the most a session may have.", 403)
        scope_downs += _session_policies(params)
    now = store.clock.now()
    expiration = calling.expiration
    duration = params.get("DurationSeconds")
    if duration is not None:
        expiration = now + timedelta(seconds=duration)
        if expiration > calling.expiration:
            raise ServiceError("InsufficientSessionLifetime", "The requested DurationSeconds exceeds the remaining "
                               "lifetime of the calling session.", 400)
    scoped = dataclasses.replace(
        calling, access_key_id=new_key_id(SESSION_KEY_PREFIX, caller.account_id, iam.sessions),
        secret_access_key=new_secret(),
        session_token=new_session_token(token_size.minimum_size(params)), expiration=expiration,
        session_policies=list(calling.session_policies), session_policy_arns=list(calling.session_policy_arns),
        tags=dict(calling.tags), transitive_tag_keys=list(calling.transitive_tag_keys),
        scope_down_policies=scope_downs,
    )
    iam.add_session(scoped, now)
    result: dict[str, Any] = {
        "Credentials": session_credentials(scoped),
        "SessionInfo": {"ScopedSessionId": scoped.user_id, "Arn": scoped.arn},
        **token_size.size_members(scoped.session_token),
        "ScopedPoliciesCount": len(scope_downs),
    }
    if scoped.source_identity:
        result["SourceIdentity"] = scoped.source_identity
    return result
