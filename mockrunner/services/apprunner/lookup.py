"""Finding the caller's resources by ARN (full or, for configurations, partial).

Only the caller's own account and the request's region are ever searched: an ARN naming another account is
simply not found, so nothing about other accounts leaks (not even through authorization context).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockrunner.errors import ServiceError
from mockrunner.model.apprunner import AppRunnerState, RevisionedConfiguration
from mockrunner.numerals import is_decimal
from mockrunner.services.apprunner import arns
from mockrunner.services.apprunner.errors import not_found

if TYPE_CHECKING:
    from mockrunner.context import RequestContext


def own(ctx: "RequestContext", arn: str | None) -> arns.ParsedArn | None:
    """``arn`` parsed, if it names the caller's account and the request's region in their partition (``aws``:
    the partition of every Region served): ``arn:aws-cn:...`` with our account names nothing of ours, partial
    ARNs included."""
    parsed = arns.parse(arn or "")
    if parsed is None or not (arn or "").startswith("arn:aws:") or parsed.account != ctx.account.id \
            or parsed.region != ctx.region:
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
        if not is_decimal(parsed.parts[1]):
            return None
        revision = int(parsed.parts[1])
        return next((item for item in candidates if item.revision == revision), None)
    return max(candidates, key=lambda item: item.revision, default=None)


#: resource type -> how App Runner's "doesn't exist" answer names it (wording unverified).
NAMES = {
    "autoscalingconfiguration": "auto scaling configuration",
    "observabilityconfiguration": "observability configuration",
    "vpcconnector": "VPC connector",
    "vpcingressconnection": "VPC ingress connection",
}
#: resource types also found by partial ARN (:func:`resolve_revision`); the others by exact ARN (:func:`find`).
_FINDERS = {"autoscalingconfiguration": resolve_revision, "observabilityconfiguration": resolve_revision}


def missing(resource_type: str, arn: str) -> ServiceError:
    """ResourceNotFoundException for ``arn`` (also for a resource found but no longer usable, e.g. INACTIVE)."""
    return not_found(f"The {NAMES[resource_type]} with ARN {arn} doesn't exist.")


def existing(state: AppRunnerState, ctx: "RequestContext", arn: str, resource_type: str) -> Any:
    """The resource of ``resource_type`` that ``arn`` names, or :func:`missing`: one answer for every kind."""
    item = _FINDERS.get(resource_type, find)(state, ctx, arn, resource_type)
    if item is None:
        raise missing(resource_type, arn)
    return item


def is_name_only(arn: str) -> bool:
    parsed = arns.parse(arn)
    return parsed is not None and len(parsed.parts) == 1
