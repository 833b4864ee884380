"""``GetFederationToken``: credentials for a federated user, on behalf of the calling IAM user (or root).

STS API reference, GetFederationToken: the federated user is ``arn:aws:sts::<account>:federated-user/<Name>``
(user id ``<account>:<Name>``); its permissions are the intersection of the caller's identity policies and the
session policies passed (``Policy``, ``PolicyArns``) — none passed, no permissions.  Called by root, the session
policies alone bound it.  Duration: 900 s to 36 hours, 12 hours by default; for root at most an hour (a longer
request silently gets an hour).  Role sessions and other temporary credentials cannot call it (``AccessDenied``
"Cannot call GetFederationToken with session credentials").  Its credentials cannot call IAM, nor STS except
GetCallerIdentity, GetScopedCredentials and GetDelegatedAccessToken (``core.STS_CALLS_OF_LIMITED_SESSIONS``).
Authorized as ``sts:GetFederationToken`` on the federated user's ARN, with
``sts:TagSession`` when session tags are passed.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.model.iam import (
    SESSION_KEY_PREFIX,
    Session,
    new_secret,
    new_session_token,
    session_credentials,
)
from mockrunner.model.key_ids import new_key_id
from mockrunner.services.registry import op
from mockrunner.services.sts import token_size
from mockrunner.services.sts.core import (
    _packed_size,
    _session_policy_set,
    check_packed_size,
    refuse_duplicate_tag_keys,
    session_credentials_refused,
)

DEFAULT_DURATION = 12 * 3600
ROOT_MAX_DURATION = 3600


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def _authz(ctx: RequestContext) -> list[Check]:
    session_credentials_refused(ctx)
    tags = ctx.params.get("Tags") or []
    refuse_duplicate_tag_keys(tags)
    keys: dict[str, Any] = {f"aws:RequestTag/{tag['Key']}": tag["Value"] for tag in tags}
    if tags:
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    arn = federated_user_arn(ctx.caller.account_id, ctx.params["Name"])
    checks = [Check("sts:GetFederationToken", arn, keys)]
    if tags:
        checks.append(Check("sts:TagSession", arn, keys))
    return checks


@op("sts", "GetFederationToken", authz=_authz)
def get_federation_token(ctx: RequestContext) -> dict:
    params, caller, store = ctx.params, ctx.caller, ctx.store
    iam = store.accounts[caller.account_id].iam
    policies, policy_arns = _session_policy_set(params, iam)
    duration = params.get("DurationSeconds") or DEFAULT_DURATION
    if caller.is_root:
        duration = min(duration, ROOT_MAX_DURATION)
    tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []}
    check_packed_size(policies, policy_arns, tags)
    now = store.clock.now()
    name = params["Name"]
    session = Session(
        access_key_id=new_key_id(SESSION_KEY_PREFIX, caller.account_id, iam.sessions), secret_access_key=new_secret(),
        session_token=new_session_token(token_size.minimum_size(params)),
        expiration=now + timedelta(seconds=duration), kind="FederatedUser",
        arn=federated_user_arn(caller.account_id, name), user_id=f"{caller.account_id}:{name}",
        entity_name=None if caller.is_root else caller.entity_name, session_name=name, session_policies=policies,
        session_policy_arns=policy_arns, tags=tags, issued_at=now,
    )
    iam.add_session(session, now)
    # PackedPolicySize is always there, 0 without session policies or tags (recorded from AWS: LocalStack snapshot
    # tests/aws/services/sts/test_sts.snapshot.json, test_get_federation_token), unlike AssumeRole's answer.
    return {"Credentials": session_credentials(session),
            "FederatedUser": {"FederatedUserId": session.user_id, "Arn": session.arn},
            "PackedPolicySize": _packed_size(policies, policy_arns, tags),
            **token_size.requested_size_members(params, session.session_token)}
