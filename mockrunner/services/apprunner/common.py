"""What every App Runner handler shares: its region's state, errors, quotas and registration.

``apprunner_op`` registers a handler and its authorization function so that, before either runs, every
pending operation of the caller's account and region whose due time has passed is completed
(:func:`operations.settle_region`).  Completion is therefore lazy and deterministic: it depends on the store
clock only, never on a background thread.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from mockrunner.errors import ServiceError
from mockrunner.model.apprunner import AppRunnerState
from mockrunner.services.registry import Check, op

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext
    from mockrunner.model.store import Store


def quota(store: "Store", name: str) -> Any:
    """The configured limit ``name`` (a field of :class:`mockrunner.config.Quotas`)."""
    return getattr(store.settings.quotas, name)


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message)


def invalid_state(message: str) -> ServiceError:
    return ServiceError("InvalidStateException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def quota_exceeded(message: str) -> ServiceError:
    return ServiceError("ServiceQuotaExceededException", message)


def state_of(ctx: "RequestContext") -> AppRunnerState:
    """The caller's App Runner state in the request's region, seeded and with due operations completed."""
    from mockrunner.services.apprunner import operations

    return operations.ready_state(ctx.store, ctx.account, ctx.region)


def now(ctx: "RequestContext"):
    return ctx.store.clock.now()


def apprunner_op(name: str, authz: Callable[["RequestContext"], Iterable[Check]]) -> Callable:
    """Register ``handler`` as ``AppRunner.<name>``, authorized by ``authz`` (both see a settled state)."""

    def register(handler: Callable[["RequestContext"], dict]) -> Callable[["RequestContext"], dict]:
        def checks(ctx: "RequestContext") -> list[Check]:
            state_of(ctx)
            return list(authz(ctx))

        def run(ctx: "RequestContext") -> dict:
            state_of(ctx)
            return handler(ctx)

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        op("apprunner", name, authz=checks)(run)
        return handler

    return register
