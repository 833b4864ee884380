"""What IAM entities of a state document name must exist (a leaf check for state import).

IAM refuses to delete what is still named: DeleteUser "fails" while the user has access keys, a login profile, MFA
devices, SSH keys, signing certificates, service-specific credentials, attached policies or group memberships
(the API reference), DeletePolicy is ``DeleteConflict`` while attached or a permissions boundary, DeleteRole while
in an instance profile.  So no state AWS can reach holds a key of a user that does not exist, a group listing an
unknown member or an attachment of a policy that is gone.  The code finds these by name: such a state handed them
to whatever was created later under that name (a new ``alice`` signed in with the old ``alice``'s key, a new user
``mallory`` was already in ``admins``, a new policy ``p`` was attached to whoever had the old one), failing open.

The same holds for what names a user or role otherwise: a user's GetSessionToken or GetFederationToken session (IAM's
DeleteUser ends them), the record of an entity's use (it goes with the entity), and a role trust policy or ECR policy
naming a user or role of its own account by ARN (IAM refuses a principal that does not exist, and shows a deleted
one by its unique id: "if you delete the role or user, then the relationship is broken").  Another account's
principals are not checked: one the API took while that account was not held may name nothing there.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING

from mockrunner.iam_engine.principal import UNIQUE_ID
from mockrunner.model.iam_homes import stored_principal_policies
from mockrunner.model.managed_policies import aws_managed_policy
from mockrunner.model.principal_arns import unknown_principals

if TYPE_CHECKING:
    from mockrunner.model.iam import IamState
    from mockrunner.model.store import Account

USER_OWNED = ("access_keys", "login_profiles", "ssh_keys", "signing_certificates", "service_credentials",
              "mfa_devices")
"""``IamState`` collections whose items belong to the user their ``user_name`` names: an access key unless it is
the root's (``root``), anything else unless the name is empty (a signing certificate of the root) or None (an MFA
device assigned to nobody)."""


def _policy_exists(iam: "IamState", arn: str) -> bool:
    return arn in iam.policies or aws_managed_policy(arn) is not None


def _problems(iam: "IamState") -> Iterator[tuple[str, str]]:
    """``(path below the account's iam, why)`` of each dangling name."""
    for collection in USER_OWNED:
        for key, item in getattr(iam, collection).items():
            owner = item.user_name
            owned = not item.root if collection == "access_keys" else bool(owner)
            if owned and owner not in iam.users:
                yield f"{collection}[{str(key)[:200]!r}].user_name", f"no user {owner[:200]!r} in this account"
    for name, group in iam.groups.items():
        for member in group.users:
            if member not in iam.users:
                yield f"groups[{str(name)[:200]!r}].users", f"no user {str(member)[:200]!r} in this account"
    for name, profile in iam.instance_profiles.items():
        for role in profile.roles:
            if role not in iam.roles:
                yield f"instance_profiles[{str(name)[:200]!r}].roles", f"no role {str(role)[:200]!r} in this account"
    for collection in ("users", "groups", "roles"):
        for name, entity in getattr(iam, collection).items():
            for arn in entity.attached_policies:
                if not _policy_exists(iam, arn):
                    yield (f"{collection}[{str(name)[:200]!r}].attached_policies",
                           f"no policy {str(arn)[:200]!r} of this account or AWS")
            boundary = getattr(entity, "permissions_boundary", None)
            if boundary is not None and not _policy_exists(iam, boundary):
                yield (f"{collection}[{str(name)[:200]!r}].permissions_boundary",
                       f"no policy {boundary[:200]!r} of this account or AWS")


USER_SESSION_KINDS = ("User", "FederatedUser")
"""Session kinds made for a user (GetSessionToken's are the user itself: same unique id)."""


def _session_problems(iam: "IamState") -> Iterator[tuple[str, str]]:
    for key, session in iam.sessions.items():
        if session.kind not in USER_SESSION_KINDS or session.entity_name is None:
            continue
        user = iam.users.get(session.entity_name)
        if user is None or (session.kind == "User" and user.user_id != session.user_id):
            yield (f"sessions[{str(key)[:200]!r}].entity_name",
                   f"no user {session.entity_name[:200]!r} of this session in this account")


def _use_problems(iam: "IamState") -> Iterator[tuple[str, str]]:
    held = set(iam.access_keys) | {entity.arn for entity in (*iam.users.values(), *iam.roles.values())}
    for who in iam.last_used:
        if who not in held:
            yield f"last_used[{str(who)[:200]!r}]", "no access key, user or role of that name in this account"


def _principal_problems(account_id: str, account: "Account") -> Iterator[tuple[str, str]]:
    def own(account_id_named: str) -> "Account | None":
        return account if account_id_named == account_id else None

    own_arns = f":{account_id}:"
    for where, text in stored_principal_policies(account):
        if not text or own_arns not in text and "\\" not in text:
            continue  # names no principal of this account (not even through a JSON escape): not parsed
        document = json.loads(text)
        if not isinstance(document, dict):
            continue
        for name in unknown_principals(document, own):
            if not UNIQUE_ID.match(name):
                yield where, f"names {name[:200]!r}, a user or role this account does not have"


def dangling(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first name an IAM entity, session, use record or stored policy holds of a user,
    role, policy or access key that does not exist, or ``None``."""
    for account_id, account in accounts.items():
        base = f"$.state.accounts.{account_id}.iam"
        for where, why in chain(_problems(account.iam), _session_problems(account.iam), _use_problems(account.iam)):
            return f"{base}.{where}: {why}"
        for where, why in _principal_problems(account_id, account):
            return f"{where}: {why}"
    return None
