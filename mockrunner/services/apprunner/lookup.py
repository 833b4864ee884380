"""Finding the caller's resources by ARN (full or, for configurations, partial).

Only the caller's own account and the request's region are ever searched: an ARN naming another account is
simply not found, so nothing about other accounts leaks (not even through authorization context).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockrunner.model.apprunner import AppRunnerState, RevisionedConfiguration
from mockrunner.services.apprunner import arns

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext


def own(ctx: "RequestContext", arn: str | None) -> arns.ParsedArn | None:
    """``arn`` parsed, if it names the caller's account and the request's region."""
    parsed = arns.parse(arn or "")
    if parsed is None or parsed.account != ctx.account.id or parsed.region != ctx.region:
        return None
    return parsed


def find(state: AppRunnerState, ctx: "RequestContext", arn: str | None, resource_type: str | None = None) -> Any:
    """The entity with exactly this ARN (of ``resource_type`` when given), or ``None``."""
    parsed = own(ctx, arn)
    if parsed is None or (resource_type is not None and parsed.resource_type != resource_type):
        return None
    return getattr(state, arns.COLLECTIONS[parsed.resource_type]).get(arn)


def resolve_revision(state: AppRunnerState, ctx: "RequestContext", arn: str | None,
                     resource_type: str) -> RevisionedConfiguration | None:
    """A configuration by full ARN, ``…/<name>/<revision>`` or ``…/<name>`` (latest ACTIVE revision).

    Partial ARNs only ever resolve to ACTIVE revisions; a full ARN also finds an INACTIVE one (which stays
    describable for a while after deletion).
    """
    parsed = own(ctx, arn)
    if parsed is None or parsed.resource_type != resource_type:
        return None
    collection = getattr(state, arns.COLLECTIONS[resource_type])
    if len(parsed.parts) == 3:
        return collection.get(arn)
    if len(parsed.parts) > 3:
        return None
    name = parsed.parts[0]
    candidates = [item for item in collection.values() if item.name == name and item.status == "ACTIVE"]
    if len(parsed.parts) == 2:
        if not parsed.parts[1].isdigit():
            return None
        revision = int(parsed.parts[1])
        return next((item for item in candidates if item.revision == revision), None)
    return max(candidates, key=lambda item: item.revision, default=None)


def is_name_only(arn: str) -> bool:
    parsed = arns.parse(arn)
    return parsed is not None and len(parsed.parts) == 1
