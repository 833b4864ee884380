"""The operation registry: (service, operation) -> handler and its authorization checks.

Handlers are plain functions ``handler(ctx) -> dict`` returning the output shape's members; ``authz(ctx)``
returns the checks (action, resource, request context) the caller must pass before the handler runs.  Without
an ``authz`` function an operation is authorized as ``<prefix>:<Operation>`` on ``*``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext

ACTION_PREFIX = {"apprunner": "apprunner", "ecr": "ecr", "iam": "iam", "sts": "sts"}


@dataclass(slots=True)
class Check:
    """One authorization question: may the caller perform ``action`` on ``resource`` in this context?

    ``resource_policy`` is the target's resource-based (or trust) policy document, if it has one;
    ``resource_account`` the account owning the resource when the ARN does not say (e.g. ``*``).
    """

    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_policy: Any = None
    resource_policy_id: str | None = None
    resource_account: str | None = None


Handler = Callable[["RequestContext"], dict]
Authz = Callable[["RequestContext"], Iterable[Check]]


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    authz: Authz | None
    """``None``: the default check. Operations AWS never denies (sts:GetCallerIdentity) use ``no_checks``."""

    def checks(self, ctx: "RequestContext") -> Iterable[Check]:
        if self.authz is None:
            return (Check(f"{ACTION_PREFIX[self.service]}:{self.name}"),)
        return self.authz(ctx)


OPERATIONS: dict[tuple[str, str], Operation] = {}


def op(service: str, name: str, authz: Authz | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``service``/``name``; a duplicate registration is a programming error."""

    def register(handler: Handler) -> Handler:
        key = (service, name)
        if key in OPERATIONS:
            raise RuntimeError(f"operation {service}.{name} registered twice")
        OPERATIONS[key] = Operation(service, name, handler, authz)
        return handler

    return register


def no_checks(ctx: "RequestContext") -> Iterable[Check]:
    return ()


def lookup(service: str, name: str) -> Operation | None:
    return OPERATIONS.get((service, name))
