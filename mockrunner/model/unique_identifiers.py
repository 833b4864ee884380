"""Identifiers AWS keeps unique that a state document could hold twice (a leaf check for state import).

A managed policy's version ids are unique within it (two ``v1``, both default, were listed, and DeletePolicyVersion
removed one of them); an App Runner service's name is unique "across all the running App Runner services in your
Amazon Web Services account in the Amazon Web Services Region" (CreateService), which the Region's
``service_names`` index holds: every service that is not deleted is the one its name names there, and the index names
nothing else.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockrunner.model.store import Account


def _policy_versions(account_id: str, account: "Account") -> str | None:
    for key, policy in account.iam.policies.items():
        seen: set[str] = set()
        for version in policy.versions:
            if version.version_id in seen:
                return (f"$.state.accounts.{account_id}.iam.policies[{str(key)[:200]!r}].versions: version "
                        f"{version.version_id[:40]!r} is there twice")
            seen.add(version.version_id)
    return None


def _service_names(account_id: str, account: "Account") -> str | None:
    for region_name, region in account.regions.items():
        state, where = region.apprunner, f"$.state.accounts.{account_id}.regions.{region_name}.apprunner"
        live = {arn: service for arn, service in state.services.items() if service.deleted_at is None}
        for arn, service in live.items():
            if state.service_names.get(service.name) != arn:
                return (f"{where}.services[{arn[:200]!r}]: its name {service.name[:100]!r} is not indexed to it in "
                        "service_names (another service holds it, or none)")
        for name, arn in state.service_names.items():
            if arn not in live or live[arn].name != name:
                return f"{where}.service_names[{str(name)[:100]!r}]: names no service of that name that is not deleted"
    return None


def twin_identifiers(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first identifier AWS keeps unique that the state holds twice, or ``None``."""
    for account_id, account in accounts.items():
        problem = _policy_versions(account_id, account) or _service_names(account_id, account)
        if problem is not None:
            return problem
    return None
