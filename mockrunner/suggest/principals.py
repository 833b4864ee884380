"""The policies that apply to a logged principal now: its identity policies, boundary and tags from the store; and
the ARN of the user or role they belong to."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.arns import split_arn
from mockrunner.auth import authorizer
from mockrunner.auth.caller import Caller
from mockrunner.iam_engine import PolicySet, principal_from_arn
from mockrunner.model.store import under_lock

if TYPE_CHECKING:
    from mockrunner.model.store import Store


@under_lock
def compiled(store: "Store", principal_arn: str) -> authorizer.CompiledPrincipal:
    """What the authorizer would apply to ``principal_arn`` (an IAM user or a role session) now; a principal the
    store no longer knows has no policies (its ARN still gives the engine its account and type)."""
    caller = _caller(store, principal_arn)
    if caller is None:
        return authorizer.CompiledPrincipal(principal_from_arn(principal_arn), PolicySet(()), None, None)
    return authorizer.compiled_principal(store, caller)


@under_lock
def entity_arn(store: "Store", principal_arn: str) -> str | None:
    """The ARN of the IAM user or role ``principal_arn`` acts as, as the store spells it now: a role session's
    ARN does not hold its role's path, which the role's ARN (the one a policy must name) does.  A role the store
    no longer knows is spelled without a path; None for a principal that is not a user, role or role session."""
    parsed = split_arn(principal_arn)
    if parsed is None or parsed.service != "sts" or parsed.resource_type != "assumed-role" \
            or parsed.resource_path.count("/") != 1:
        return principal_arn if parsed is not None and parsed.service == "iam" \
            and parsed.resource_type in ("user", "role") else None
    return role_arn(store, parsed.account, parsed.resource_path.split("/")[0])


@under_lock
def role_arn(store: "Store", account_id: str, name: str) -> str:
    """The ARN of role ``name`` of the account, path included (without a path when the store has no such role)."""
    account = store.account(account_id)
    role = account.iam.roles.get(name) if account is not None else None
    return role.arn if role is not None else f"arn:aws:iam::{account_id}:role/{name}"


def _caller(store: "Store", arn: str) -> Caller | None:
    parsed = split_arn(arn)
    if parsed is None:
        return None
    account_id, kind, rest = parsed.account, parsed.resource_type, parsed.resource_path
    if parsed.service == "sts" and kind == "assumed-role" and rest.count("/") == 1:
        role, session = rest.split("/")
        return authorizer.caller_for_role_session(store, account_id, role, session)
    account = store.account(account_id)
    if parsed.service != "iam" or kind != "user" or account is None:
        return None
    user = account.iam.users.get(parsed.name)
    if user is None or user.arn != arn:
        return None
    return Caller(account_id=account_id, arn=arn, user_id=user.user_id, kind="User", access_key_id="",
                  entity_name=user.name, tags=dict(user.tags))
