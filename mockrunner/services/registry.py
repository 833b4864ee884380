"""The operation registry: (service, operation) -> handler and its authorization checks.

Handlers are plain functions ``handler(ctx) -> dict`` returning the output shape's members; ``authz(ctx)``
returns the checks (action, resource, request context) the caller must pass before the handler runs.  Without
an ``authz`` function an operation is authorized as ``<prefix>:<Operation>`` on ``*``.  An operation whose
parameters alone cost much to read (the policy simulator's policy documents) may name a ``prepare(params)``: the
gateway runs it on the valid parameters of an authenticated and authorized caller's request outside the store
lock and hands its result to the handler as ``ctx.prepared`` (``None`` when the operation is run without it, as
seeds run operations).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockrunner.auth.check import Check
from mockrunner.protocol.specs import SERVICES

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.store import Store

Handler = Callable[["RequestContext"], dict]
Authz = Callable[["RequestContext"], Iterable[Check]]
Prepare = Callable[[dict], Any]
"""Pure work on an operation's valid parameters (no state read, nothing raised for the request's content: a
refusal it finds is part of its result, for the handler to answer after authentication and authorization)."""


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    authz: Authz | None
    """``None``: the default check. Operations AWS never denies (sts:GetCallerIdentity) use ``no_checks``."""
    prepare: Prepare | None = None
    """Run by the gateway before the store lock is taken (see the module docstring)."""
    look_ahead: Authz | None = None
    """The checks the gateway's look-ahead before ``prepare`` evaluates when they are not :meth:`checks`: ECR's
    operations complete what the store clock made due before their checks, work the request's own hold does and
    the look-ahead (a guess, deciding only whether ``prepare`` is worth running) must not do a second time."""

    def checks(self, ctx: "RequestContext") -> Iterable[Check]:
        if self.authz is None:
            return (Check(f"{SERVICES[self.service].action_prefix}:{self.name}"),)
        return self.authz(ctx)

    def checks_ahead(self, ctx: "RequestContext") -> Iterable[Check]:
        """The checks the look-ahead evaluates (:attr:`look_ahead`, else :meth:`checks`)."""
        return self.look_ahead(ctx) if self.look_ahead is not None else self.checks(ctx)


OPERATIONS: dict[tuple[str, str], Operation] = {}

CLOCK_HOOKS: list[Callable[["Store"], None]] = []
"""Run, with the store lock held, before every operation's handler (API and registry endpoint alike): each
completes the work of its service that the store clock has made due (App Runner's operations), so that work is
judged against the state as it stood when it was due, before the request can change that state."""


PARAMETER_HOOKS: dict[str, list[Callable[["RequestContext"], None]]] = {}
"""Per service, run with the store lock held on an operation's valid parameters before its checks and handler: each
puts a parameter in the form the service reads it in (IAM: a name given in another case as the entity is named)."""


def op(service: str, name: str, authz: Authz | None = None,
       prepare: Prepare | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``service``/``name``; a duplicate registration is a programming error."""

    def register(handler: Handler) -> Handler:
        key = (service, name)
        if key in OPERATIONS:
            raise RuntimeError(f"operation {service}.{name} registered twice")
        OPERATIONS[key] = Operation(service, name, handler, authz, prepare)
        return handler

    return register


def run_clock_hooks(store: "Store") -> None:
    """Complete what the store clock has made due (:data:`CLOCK_HOOKS`); the caller holds the store lock."""
    for hook in CLOCK_HOOKS:
        hook(store)


def run_parameter_hooks(ctx: "RequestContext") -> None:
    """Run ``ctx.service``'s :data:`PARAMETER_HOOKS` on ``ctx.params``; the caller holds the store lock."""
    for hook in PARAMETER_HOOKS.get(ctx.service, ()):
        hook(ctx)


def no_checks(ctx: "RequestContext") -> Iterable[Check]:
    return ()


def lookup(service: str, name: str) -> Operation | None:
    return OPERATIONS.get((service, name))
