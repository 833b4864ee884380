"""Authorization of each request's checks (foundation stage: every check passes)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext
    from mockrunner.services.registry import Check


def authorize(ctx: "RequestContext", checks: Iterable["Check"]) -> None:
    for check in checks:
        ctx.decisions.append((check.action, check.resource, "allowed"))
