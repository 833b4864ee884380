"""App Runner's role checks, called by the App Runner handlers at the points AWS makes them.

- ``extra_checks``: authorization checks beyond ``apprunner:<Op>`` (iam:PassRole for the roles a request
  names, iam:CreateServiceLinkedRole when the account lacks App Runner's service-linked role).
- ``verify_roles``: the synchronous trust checks (App Runner assuming the access / instance role).
- ``ensure_service_linked_role``: create the service-linked role on first use.
- ``deployment_failure``: when an operation runs, why the image cannot be pulled (``None``: it can).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext
    from mockrunner.model.store import Account, Store
    from mockrunner.services.registry import Check


def extra_checks(ctx: "RequestContext", operation: str) -> list["Check"]:
    return []


def verify_roles(ctx: "RequestContext", source_configuration: dict | None, instance_configuration: dict | None) -> None:
    return None


def ensure_service_linked_role(ctx: "RequestContext", aws_service_name: str) -> None:
    return None


def deployment_failure(store: "Store", account: "Account", region: str, service: Any) -> str | None:
    return None
