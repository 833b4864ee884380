"""Which resources keep a service-linked role in use: DeleteServiceLinkedRole of a role in use ends ``FAILED``
with them (``RoleUsageList``: per Region, the names of the resources).

* App Runner (Developer Guide, "Using service-linked roles"): ``AWSServiceRoleForAppRunner`` while a service is not
  deleted, ``AWSServiceRoleForAppRunnerNetworking`` while a VPC connector is active; the resources are their ARNs.
* Amazon ECR (User Guide, "Using service-linked roles for Amazon ECR": "You can delete the corresponding
  service-linked role only after disabling either replication or pull through cache on your registry"):
  ``AWSServiceRoleForECRReplication`` while the registry's replication configuration has rules (the resource is the
  registry, by its id), ``AWSServiceRoleForECRPullThroughCache`` while a pull through cache rule exists (each rule
  by its repository prefix).  ``AWSServiceRoleForECRTemplate`` while a repository creation template exists (each
  by its prefix) is *unverified*: the same rule applied to the feature that role serves.
The resources' names for ECR, which has no ARNs for registries, rules or templates, and the reason's wording are
*unverified*.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockrunner.model.store import Account, RegionState

INACTIVE_STATUSES = frozenset({"DELETED", "INACTIVE"})


@dataclass(frozen=True)
class RoleUsage:
    """What uses a service-linked role: ``owner`` names the service in the failure's reason; ``resources`` lists
    the names of what uses the role in one Region of one account (``account_id``, ``region`` name, its state)."""

    owner: str
    resources: Callable[[str, str, "RegionState"], list[str]]


def _active(collection: dict) -> list[str]:
    return [item.arn for item in collection.values() if item.status not in INACTIVE_STATUSES]


ROLE_USAGE = {
    "AWSServiceRoleForAppRunner": RoleUsage(
        "App Runner", lambda account_id, region, state: _active(state.apprunner.services)),
    "AWSServiceRoleForAppRunnerNetworking": RoleUsage(
        "App Runner", lambda account_id, region, state: _active(state.apprunner.vpc_connectors)),
    "AWSServiceRoleForECRReplication": RoleUsage(
        "Amazon ECR", lambda account_id, region, state: [account_id] if state.ecr.replication_rules else []),
    "AWSServiceRoleForECRPullThroughCache": RoleUsage(
        "Amazon ECR", lambda account_id, region, state: list(state.ecr.pull_through_rules)),
    "AWSServiceRoleForECRTemplate": RoleUsage(
        "Amazon ECR", lambda account_id, region, state: list(state.ecr.creation_templates)),
}
"""Service-linked role name -> what keeps it in use."""


def role_usage(account: "Account", role_name: str) -> tuple[str, list[dict]]:
    """The service using ``role_name`` in ``account`` and, per Region, the resources that do (none: not in use)."""
    usage = ROLE_USAGE.get(role_name)
    if usage is None:
        return "", []
    found = []
    for region, state in account.regions.items():
        resources = usage.resources(account.id, region, state)
        if resources:
            found.append({"Region": region, "Resources": resources})
    return usage.owner, found
