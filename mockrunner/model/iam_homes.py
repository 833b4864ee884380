"""Where a state document files IAM's entities: every ARN an entity carries is the one IAM gives it in the account
holding it (a leaf check for state import).

The code trusts an entity's ``arn`` once it has found the entity in an account: a user's ARN is its callers'
identity in every policy, resource policies of other accounts included, and a customer managed policy found under
an ARN is the policy attachments by that ARN get.  So a state holding a user of account A whose ``arn`` names
account B's ``admin`` would let A's key act as B's admin wherever B trusts that user, and a customer managed policy
filed under ``arn:aws:iam::aws:policy/AdministratorAccess`` would stand in for the AWS managed policy of that name
in its account (GetPolicy, attachments, evaluation), which the API never lets anyone change.

Unique ids (:func:`shared_ids`) stand for their entity the same way: a user's ``user_id`` is its ``aws:userid`` in
every request, and a policy naming a deleted user or role keeps its unique id, which "names nobody else".  So a
state whose user carries another user's id would pass every ``aws:userid`` condition written for that user, and one
whose user carries the id a stored policy names a deleted principal by would be that principal.  Access key ids
(:func:`shared_key_ids`) name one secret each: a request signed with an id that two accounts' keys (or a root key of
the settings and an IAM key) carried was resolved to one of them, the other listed Active and never usable.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mockrunner.arns import split_arn
from mockrunner.model.iam import (
    GROUP_ID_PREFIX,
    INSTANCE_PROFILE_ID_PREFIX,
    POLICY_ID_PREFIX,
    ROLE_ID_PREFIX,
    USER_ID_PREFIX,
)
from mockrunner.model.principal_arns import named_unique_ids

if TYPE_CHECKING:
    from mockrunner.model.store import Account

NAMED = {"users": "user", "groups": "group", "roles": "role", "policies": "policy",
         "instance_profiles": "instance-profile", "server_certificates": "server-certificate",
         "mfa_devices": "mfa"}
"""``IamState`` collections whose entities' ARN is ``arn:aws:iam::<account>:<type><path><name>``."""
PROVIDERS = {"oidc_providers": "oidc-provider/", "saml_providers": "saml-provider/"}
"""Collections whose entities' ARN is ``arn:aws:iam::<account>:<type>/...``."""


def _arn(entity: Any) -> str:
    return entity.serial_number if hasattr(entity, "serial_number") else entity.arn


def misplaced(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first IAM entity or STS session whose ARN is not of the account holding it (or,
    for the named entities, not the ARN its path and name give), or ``None``."""
    for account_id, account in accounts.items():
        base, iam = f"$.state.accounts.{account_id}.iam", account.iam
        for collection, kind in NAMED.items():
            for key, entity in getattr(iam, collection).items():
                expected = f"arn:aws:iam::{account_id}:{kind}{entity.path}{entity.name}"
                if _arn(entity) != expected:
                    return (f"{base}.{collection}[{str(key)[:200]!r}]: ARN {_arn(entity)[:200]!r} is not the one IAM "
                            f"gives it in this account ({expected[:200]!r})")
        for collection, kind in PROVIDERS.items():
            for key, entity in getattr(iam, collection).items():
                if not entity.arn.startswith(f"arn:aws:iam::{account_id}:{kind}"):
                    return f"{base}.{collection}[{str(key)[:200]!r}]: not an ARN of this account's {kind[:-1]}s"
        for key, session in iam.sessions.items():
            parsed = split_arn(session.arn)
            if parsed is None or parsed.partition != "aws" or parsed.account != account_id:
                return f"{base}.sessions[{str(key)[:200]!r}]: ARN {session.arn[:200]!r} is not of this account"
    return None


IDS = {"users": ("user_id", USER_ID_PREFIX), "roles": ("role_id", ROLE_ID_PREFIX),
       "groups": ("group_id", GROUP_ID_PREFIX), "policies": ("policy_id", POLICY_ID_PREFIX),
       "instance_profiles": ("instance_profile_id", INSTANCE_PROFILE_ID_PREFIX)}
"""``IamState`` collections -> (the unique id's field, the prefix IAM gives such ids: IAM User Guide, "IAM
identifiers", "Unique identifiers")."""


def stored_principal_policies(account: "Account") -> Iterator[tuple[str, str | None]]:
    """``(path, text)`` of every stored policy whose principals IAM resolves (``principal_arns``): role trust
    policies, ECR repository and registry policies."""
    base = f"$.state.accounts.{account.id}"
    for name, role in account.iam.roles.items():
        yield f"{base}.iam.roles[{str(name)[:200]!r}].assume_role_policy", role.assume_role_policy
    for region_name, region in account.regions.items():
        for name, repository in region.ecr.repositories.items():
            yield (f"{base}.regions.{region_name}.ecr.repositories[{str(name)[:200]!r}].policy_text",
                   repository.policy_text)
        yield f"{base}.regions.{region_name}.ecr.registry_policy", region.ecr.registry_policy


CASE_INSENSITIVE = ("users", "groups", "roles", "policies", "instance_profiles")
"""``IamState`` collections whose names IAM does not distinguish by case ("Names are not distinguished by case. For
example, you cannot create resources named both "MyResource" and "myresource"": IAM API reference, CreateUser,
CreateRole, CreateGroup, CreatePolicy, CreateInstanceProfile)."""


def case_twins(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first entity of :data:`CASE_INSENSITIVE` whose name another of its account and
    kind has in another case, or the first managed policy without its default version; else ``None``."""
    for account_id, account in accounts.items():
        for collection in CASE_INSENSITIVE:
            seen: dict[str, str] = {}
            for key, entity in getattr(account.iam, collection).items():
                where = f"$.state.accounts.{account_id}.iam.{collection}[{str(key)[:200]!r}]"
                folded = entity.name.lower()
                if folded in seen:
                    return f"{where}: its name is {seen[folded][:200]!r}'s in another case (IAM names ignore case)"
                seen[folded] = entity.name
        for key, policy in account.iam.policies.items():
            if policy.version(policy.default_version_id) is None:
                return (f"$.state.accounts.{account_id}.iam.policies[{str(key)[:200]!r}]: its default version "
                        f"{policy.default_version_id[:40]!r} is not among its versions")
    return None


def shared_ids(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first user, role, group, managed policy or instance profile whose unique id is not
    of its kind's prefix or is another entity's too (in any account: IAM's unique ids are global), or the first
    stored policy naming a live user or role by its unique id (IAM writes a principal's id there only once it is
    deleted); else ``None``."""
    owners: dict[str, str] = {}
    for account_id, account in accounts.items():
        for collection, (field, prefix) in IDS.items():
            for key, entity in getattr(account.iam, collection).items():
                unique_id, where = getattr(entity, field), f"$.state.accounts.{account_id}.iam.{collection}"
                where = f"{where}[{str(key)[:200]!r}].{field}"
                if not unique_id.startswith(prefix):
                    return f"{where}: {unique_id[:40]!r} is not an id IAM gives such an entity ({prefix}...)"
                if unique_id in owners:
                    return f"{where}: {unique_id[:40]!r} is also the id of {owners[unique_id]}"
                owners[unique_id] = where
    principals = {unique_id for unique_id in owners if unique_id.startswith((USER_ID_PREFIX, ROLE_ID_PREFIX))}
    for account in accounts.values():
        for where, text in stored_principal_policies(account):
            named = named_unique_ids(text) & principals if text else set()
            if named:
                return (f"{where}: names {min(named)!r}, the unique id of a user or role that exists (IAM shows a "
                        "principal's id only once it is deleted)")
    return None


KEY_COLLECTIONS = ("access_keys", "sessions")
"""Where an account's IAM state keeps credentials by access key id (what a signature names)."""


def shared_key_ids(accounts: Mapping[str, "Account"], root_key_ids: Mapping[str, str]) -> str | None:
    """``"<path>: <why>"`` for the first access key or session whose access key id is another's too (any account's:
    AWS's key ids are global; or one of ``root_key_ids``, root key ids with what holds each), else ``None``."""
    owners = dict(root_key_ids)
    for account_id, account in accounts.items():
        for collection in KEY_COLLECTIONS:
            for key_id in getattr(account.iam, collection):
                where = f"$.state.accounts.{account_id}.iam.{collection}[{str(key_id)[:200]!r}]"
                if key_id in owners:
                    return f"{where}: {str(key_id)[:40]!r} is also the access key id of {owners[key_id]}"
                owners[key_id] = where
    return None
