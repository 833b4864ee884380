"""Identifiers AWS keeps unique that a state document could hold twice, and the indexes kept of them (a leaf check for
state import).

A managed policy's version ids are unique within it (two ``v1``, both default, were listed, and DeletePolicyVersion
removed one of them), and the next one it gives is past every one it holds (or CreatePolicyVersion made a twin).  An
ECR tag names one image of its repository.  An App Runner service's name is unique "across all the running App
Runner services in your Amazon Web Services account in the Amazon Web Services Region" (CreateService), which the
Region's ``service_names`` index holds: every service that is not deleted (``DELETED``, with when) is the one its
name names there, and the index names nothing else; so is the index of the services each auto scaling configuration
has (``HasAssociatedService``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockrunner.model.store import Account


_VERSION_ID = re.compile(r"v([1-9][0-9]*)\Z")


def _policy_versions(account_id: str, account: "Account") -> str | None:
    for key, policy in account.iam.policies.items():
        where = f"$.state.accounts.{account_id}.iam.policies[{str(key)[:200]!r}]"
        seen: set[str] = set()
        for version in policy.versions:
            if version.version_id in seen:
                return f"{where}.versions: version {version.version_id[:40]!r} is there twice"
            seen.add(version.version_id)
            numbered = _VERSION_ID.match(version.version_id)
            if numbered is not None and int(numbered.group(1)) >= policy.next_version:
                return (f"{where}.next_version: {policy.next_version} would give version {version.version_id[:40]!r} "
                        "again")
    return None


def _image_tags(account_id: str, account: "Account") -> str | None:
    for region_name, region in account.regions.items():
        for name, repository in region.ecr.repositories.items():
            held: dict[str, str] = {}
            for digest, image in repository.images.items():
                for tag in image.tags:
                    if tag in held:
                        return (f"$.state.accounts.{account_id}.regions.{region_name}.ecr.repositories"
                                f"[{str(name)[:200]!r}].images[{digest[:80]!r}]: tag {tag[:128]!r} names "
                                f"{held[tag][:80]!r} too")
                    held[tag] = digest
    return None


def _services(account_id: str, account: "Account") -> str | None:
    for region_name, region in account.regions.items():
        state, where = region.apprunner, f"$.state.accounts.{account_id}.regions.{region_name}.apprunner"
        for arn, service in state.services.items():
            if (service.status == "DELETED") != (service.deleted_at is not None):
                return f"{where}.services[{arn[:200]!r}]: status {service.status!r} and deleted_at disagree"
        live = {arn: service for arn, service in state.services.items() if service.deleted_at is None}
        for arn, service in live.items():
            if state.service_names.get(service.name) != arn:
                return (f"{where}.services[{arn[:200]!r}]: its name {service.name[:100]!r} is not indexed to it in "
                        "service_names (another service holds it, or none)")
        for name, arn in state.service_names.items():
            if arn not in live or live[arn].name != name:
                return f"{where}.service_names[{str(name)[:100]!r}]: names no service of that name that is not deleted"
        using: dict[str, list[str]] = {}
        for arn, service in live.items():
            using.setdefault(service.auto_scaling_configuration_arn, []).append(arn)
        if {key: sorted(arns) for key, arns in state.asc_services.items()} != \
                {key: sorted(arns) for key, arns in using.items()}:
            return f"{where}.asc_services: not the services each auto scaling configuration has"
    return None


def twin_identifiers(accounts: Mapping[str, "Account"]) -> str | None:
    """``"<path>: <why>"`` for the first identifier AWS keeps unique that the state holds twice (or an index of
    them that does not agree with what it indexes), or ``None``."""
    for account_id, account in accounts.items():
        problem = _policy_versions(account_id, account) or _image_tags(account_id, account) \
            or _services(account_id, account)
        if problem is not None:
            return problem
    return None
