"""The policies that apply to a logged principal now: its identity policies, boundary and tags from the store."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.arns import split_arn
from mockrunner.auth import authorizer
from mockrunner.auth.caller import Caller
from mockrunner.iam_engine import PolicySet, principal_from_arn

if TYPE_CHECKING:
    from mockrunner.model.store import Store


def compiled(store: "Store", principal_arn: str) -> authorizer.CompiledPrincipal:
    """What the authorizer would apply to ``principal_arn`` (an IAM user or a role session) now; a principal the
    store no longer knows has no policies (its ARN still gives the engine its account and type)."""
    caller = _caller(store, principal_arn)
    if caller is None:
        return authorizer.CompiledPrincipal(principal_from_arn(principal_arn), PolicySet(()), None, None)
    return authorizer.compiled_principal(store, caller)


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
