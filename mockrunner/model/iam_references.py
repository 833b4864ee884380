"""What IAM entities of a state document name by name must exist (a leaf check for state import).

IAM refuses to delete what is still named: DeleteUser "fails" while the user has access keys, a login profile, MFA
devices, SSH keys, signing certificates, service-specific credentials, attached policies or group memberships
(the API reference), DeletePolicy is ``DeleteConflict`` while attached or a permissions boundary, DeleteRole while
in an instance profile.  So no state AWS can reach holds a key of a user that does not exist, a group listing an
unknown member or an attachment of a policy that is gone.  The code finds these by name: such a state handed them
to whatever was created later under that name (a new ``alice`` signed in with the old ``alice``'s key, a new user
``mallory`` was already in ``admins``, a new policy ``p`` was attached to whoever had the old one), failing open.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from mockrunner.model.managed_policies import aws_managed_policy

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


def dangling(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first name an IAM entity holds of a user, role or policy that does not exist, or
    ``None``."""
    for account_id, account in accounts.items():
        for where, why in _problems(account.iam):
            return f"$.state.accounts.{account_id}.iam.{where}: {why}"
    return None
