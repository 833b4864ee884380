"""Where a state document files IAM's entities: every ARN an entity carries is the one IAM gives it in the account
holding it (a leaf check for state import).

The code trusts an entity's ``arn`` once it has found the entity in an account: a user's ARN is its callers'
identity in every policy, resource policies of other accounts included, and a customer managed policy found under
an ARN is the policy attachments by that ARN get.  So a state holding a user of account A whose ``arn`` names
account B's ``admin`` would let A's key act as B's admin wherever B trusts that user, and a customer managed policy
filed under ``arn:aws:iam::aws:policy/AdministratorAccess`` would stand in for the AWS managed policy of that name
in its account (GetPolicy, attachments, evaluation), which the API never lets anyone change.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mockrunner.arns import split_arn

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
