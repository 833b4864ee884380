"""Name / revision bookkeeping shared by auto scaling and observability configurations
(docs/behaviour.md, "App Runner: auto scaling configurations").

The first create of a name is revision 1; creating the name again adds max(active revision) + 1, which becomes
``Latest`` while the older ones stop being latest; once every revision of a name is deleted, numbering starts at
1 again.  Deleting makes a revision INACTIVE (still describable by full ARN for a while, never listed).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockrunner.model.apprunner import PROVIDED_ID, AppRunnerState, RevisionedConfiguration
from mockrunner.services.apprunner import arns, lifecycle
from mockrunner.services.apprunner.errors import quota_exceeded

if TYPE_CHECKING:
    from mockrunner.context import RequestContext


def active(collection: dict[str, RevisionedConfiguration], name: str) -> list[RevisionedConfiguration]:
    return [item for item in collection.values() if item.name == name and item.status == "ACTIVE"]


def listed(name: str | None, latest_only: bool) -> Callable[[RevisionedConfiguration], bool]:
    """What List*Configurations keeps: ACTIVE revisions, of ``name`` when given, only the latest ones unless
    ``LatestOnly`` is false."""

    def keep(item: RevisionedConfiguration) -> bool:
        return item.status == "ACTIVE" and (name is None or item.name == name) and (item.latest or not latest_only)

    return keep


def create(ctx: "RequestContext", collection: dict[str, Any], resource_type: str, name: str, label: str,
           names_quota: str, revisions_quota: str, build: Callable[..., RevisionedConfiguration],
           moment: datetime, tags: dict[str, str]) -> RevisionedConfiguration:
    """Check the quotas, then add the next revision of ``name`` (``build(arn=, name=, revision=, id=, ...)``)."""
    siblings = active(collection, name)
    if not siblings:
        names = {item.name for item in collection.values() if item.status == "ACTIVE" and item.id != PROVIDED_ID}
        limit = getattr(ctx.store.settings.quotas, names_quota)
        if len(names) >= limit:
            raise quota_exceeded(f"You have reached the maximum number of {label} names ({limit}) for this account "
                                 "in this region.")  # unverified wording
    else:
        limit = getattr(ctx.store.settings.quotas, revisions_quota)
        if len(siblings) >= limit:
            raise quota_exceeded(f"You have reached the maximum number of revisions ({limit}) for {label} "
                                 f"{name}.")  # unverified wording
    revision = max((item.revision for item in siblings), default=0) + 1
    for item in siblings:
        item.latest = False
    item_id = arns.new_id()
    arn = arns.build(ctx.region, ctx.account.id, resource_type, name, revision, item_id)
    entity = build(arn=arn, name=name, revision=revision, id=item_id, created_at=moment, tags=tags)
    collection[arn] = entity
    return entity


def deactivate(ctx: "RequestContext", state: AppRunnerState, collection: dict[str, Any],
               entity: RevisionedConfiguration, moment: datetime) -> None:
    was_latest = entity.latest
    entity.status, entity.latest, entity.deleted_at = "INACTIVE", False, moment
    if was_latest:
        remaining = active(collection, entity.name)
        if remaining:
            max(remaining, key=lambda item: item.revision).latest = True
    lifecycle.bury(ctx.store, state, entity.arn, moment)
