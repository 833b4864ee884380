"""ECR replication backfill: StartReplicationBackfill, StopReplicationBackfill, ListReplicationBackfills,
DescribeReplicationBackfillResults.

A backfill replicates a registry's existing images to one destination (region and registry) that its replication
configuration names, as ECR documents: only images of repositories that a rule toward that destination matches
(its ``PREFIX_MATCH`` filters; a rule without filters matches all) are included, each image and tag counting as one
replication.  It runs on the store clock: PREPARING for ``settings.operation_delay`` seconds, when the images are
chosen (those present then), IN_PROGRESS for as long again, when the copies are made exactly as replication on
push makes them (same digest, manifest, tags and layers; the destination repository created when needed;
another account's registry policy must allow it) and it ends COMPLETE, or FAILED when at least
:data:`FAILURE_THRESHOLD_MINIMUM` replications were processed and half or more failed (the documented rule).  Per
image results are answered once it has ended; ended backfills are kept for :data:`RETENTION`.

Only one backfill may be in progress per destination region (ReplicationBackfillInProgressException) and at most
:data:`MAX_IN_PROGRESS` per registry (LimitExceededException).  A backfill may be stopped while PREPARING (it is
STOPPED at once, without progress) or IN_PROGRESS (STOPPING: the replications already under way complete, then
STOPPED); stopping one that has ended is ReplicationBackfillInvalidStatusException.  A registry keeps at most
:data:`MAX_RETAINED` backfills (the ones that ended first are forgotten first).

The four actions are registry-level (``ecr:<Operation>`` on ``*``, in the registry's account); messages marked
"unverified" are ECR-style texts where no real one was found.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import INDEX_MEDIA_TYPES, EcrState, Image, ReplicationBackfill, image_references
from mockrunner.services.ecr import lifecycle
from mockrunner.services.ecr.core import invalid, registry_of, token_page
from mockrunner.services.ecr.replication import copy_image, descendants, rule_matches
from mockrunner.services.region_state import request_region
from mockrunner.services.registry import op

MAX_IN_PROGRESS = 10
"""Backfills in progress at once per registry (StartReplicationBackfill's documentation)."""
FAILURE_THRESHOLD_MINIMUM = 100
"""Replications processed before the 50% failure rule can fail a backfill (ECR User Guide)."""
RETENTION = timedelta(days=90)
"""How long an ended backfill is still answered (ListReplicationBackfills' documentation)."""
MAX_RETAINED = 1000
"""Backfills one registry keeps (unverified bound: AWS documents only the 90 days); when a new one would pass it the
ended ones that ended first are forgotten, so starting and stopping backfills in a loop cannot grow the state, and
the work every ECR request does to move backfills along, without end."""
RUNNING = ("PREPARING", "IN_PROGRESS", "STOPPING")
ENDED = ("COMPLETE", "FAILED", "STOPPED")
STOPPABLE = ("PREPARING", "IN_PROGRESS")
THRESHOLD_FAILURE = "REPLICATION_FAILURE_THRESHOLD_EXCEEDED"
"""The backfill's ``failureCode`` when the 50% rule fails it (unverified: the model leaves the code open)."""
IMAGE_GONE = "IMAGE_NOT_FOUND"
"""A result's ``failureCode`` for an image deleted between preparation and replication (unverified code)."""


# ------------------------------------------------------------------------------------------------ lookups
def _on_registry(action: str):
    def authz(ctx: RequestContext) -> list[Check]:
        return [Check(action, "*", resource_account=registry_of(ctx))]

    return authz


def _registry(ctx: RequestContext) -> EcrState | None:
    account = ctx.store.account(registry_of(ctx))
    return request_region(ctx, account).ecr if account is not None else None


def _backfill(ctx: RequestContext) -> ReplicationBackfill:
    state, backfill_id = _registry(ctx), ctx.params["replicationBackfillId"]
    backfill = state.replication_backfills.get(backfill_id) if state is not None else None
    if backfill is None:
        # Unverified wording, in ECR's not-found phrasing.
        raise ServiceError("ReplicationBackfillNotFoundException", f"The replication backfill with id "
                           f"'{backfill_id}' does not exist in the registry with id '{registry_of(ctx)}'")
    return backfill


def _key(destination: dict) -> tuple[str, str]:
    return destination["region"], destination["registryId"]


def _forget_oldest_ended(state: EcrState, keep: int) -> None:
    """Forget ended backfills, those that ended first first, until at most ``keep`` remain (running ones stay:
    there are at most :data:`MAX_IN_PROGRESS`)."""
    excess = len(state.replication_backfills) - keep
    if excess <= 0:
        return
    ended = sorted((backfill for backfill in state.replication_backfills.values() if backfill.ended_at is not None),
                   key=lambda backfill: backfill.ended_at)
    for backfill in ended[:excess]:
        del state.replication_backfills[backfill.backfill_id]


# ------------------------------------------------------------------------------------------------ wire forms
def _progress(backfill: ReplicationBackfill) -> dict:
    total = sum(max(1, len(item["imageTags"])) for item in backfill.planned or ())
    failed = [result for result in backfill.results if result["status"] == "FAILED"]
    return {"totalReplicationCount": total,
            "completedReplicationCount": len(backfill.results) - len(failed),
            "failedReplicationCount": len(failed),
            "failureCodes": list(dict.fromkeys(result["failureCode"] for result in failed))}


def _summary(backfill: ReplicationBackfill) -> dict:
    """ReplicationBackfillSummary: ``progress`` only once prepared, ``endedAt`` once ended."""
    out: dict = {"replicationBackfillId": backfill.backfill_id, "destination": dict(backfill.destination),
                 "status": backfill.status, "startedAt": backfill.started_at}
    if backfill.failure_code is not None:
        out["failureCode"] = backfill.failure_code
    if backfill.planned is not None:
        out["progress"] = _progress(backfill)
    if backfill.ended_at is not None:
        out["endedAt"] = backfill.ended_at
    return out


# ------------------------------------------------------------------------------------------------ operations
@op("ecr", "StartReplicationBackfill", authz=_on_registry("ecr:StartReplicationBackfill"))
def start_replication_backfill(ctx: RequestContext) -> dict:
    state, registry_id = _registry(ctx), registry_of(ctx)
    destination = {"region": ctx.params["destination"]["region"],
                   "registryId": ctx.params["destination"]["registryId"]}
    rules = state.replication_rules if state is not None else []
    if state is None or not any(_key(d) == _key(destination) for rule in rules for d in rule["destinations"]):
        # Documented condition ("The destination must already be configured in the registry's replication
        # configuration"); unverified wording.
        raise invalid("Invalid parameter at 'destination' failed to satisfy constraint: 'The destination "
                      f"{{region:'{destination['region']}', registryId:'{destination['registryId']}'}} is not "
                      f"configured in the replication configuration of the registry with id '{registry_id}'")
    running = [backfill for backfill in state.replication_backfills.values() if backfill.status in RUNNING]
    if any(backfill.destination["region"] == destination["region"] for backfill in running):
        # Unverified wording.
        raise ServiceError("ReplicationBackfillInProgressException", f"A replication backfill is already in "
                           f"progress for the destination Region '{destination['region']}' in the registry with id "
                           f"'{registry_id}'")
    if len(running) >= MAX_IN_PROGRESS:
        # Unverified wording.
        raise ServiceError("LimitExceededException", f"The registry with id '{registry_id}' already has the "
                           f"maximum of {MAX_IN_PROGRESS} replication backfills in progress")
    now = ctx.store.clock.now()
    delay = timedelta(seconds=ctx.store.settings.operation_delay)
    backfill = ReplicationBackfill(str(uuid.uuid4()), destination, now, now + delay, now + 2 * delay)
    _forget_oldest_ended(state, MAX_RETAINED - 1)
    state.replication_backfills[backfill.backfill_id] = backfill
    return {"replicationBackfillId": backfill.backfill_id, "registryId": registry_id,
            "destination": dict(destination), "status": backfill.status, "startedAt": now}


@op("ecr", "StopReplicationBackfill", authz=_on_registry("ecr:StopReplicationBackfill"))
def stop_replication_backfill(ctx: RequestContext) -> dict:
    backfill = _backfill(ctx)
    if backfill.status not in STOPPABLE:
        # Unverified wording; the condition is documented (only PREPARING or IN_PROGRESS can be stopped).
        raise ServiceError("ReplicationBackfillInvalidStatusException", f"The replication backfill with id "
                           f"'{backfill.backfill_id}' cannot be stopped because its status is {backfill.status}")
    if backfill.status == "PREPARING":
        backfill.status, backfill.ended_at = "STOPPED", ctx.store.clock.now()
    else:
        backfill.status = "STOPPING"
    return {"registryId": registry_of(ctx), "replicationBackfillId": backfill.backfill_id,
            "destination": dict(backfill.destination), "status": backfill.status, "startedAt": backfill.started_at}


@op("ecr", "ListReplicationBackfills", authz=_on_registry("ecr:ListReplicationBackfills"))
def list_replication_backfills(ctx: RequestContext) -> dict:
    state = _registry(ctx)
    backfills = list(state.replication_backfills.values()) if state is not None else []
    page, token = token_page(ctx, backfills, default=25)
    return {"registryId": registry_of(ctx), "backfills": [_summary(backfill) for backfill in page],
            "nextToken": token}


@op("ecr", "DescribeReplicationBackfillResults",
    authz=_on_registry("ecr:DescribeReplicationBackfillResults"))
def describe_replication_backfill_results(ctx: RequestContext) -> dict:
    backfill = _backfill(ctx)
    out = {"registryId": registry_of(ctx), **_summary(backfill)}
    if backfill.status in ENDED:
        wanted = ctx.params.get("resultStatusFilter")
        results = [dict(result) for result in backfill.results if wanted in (None, result["status"])]
        out["results"], out["nextToken"] = token_page(ctx, results)
    return out


# ------------------------------------------------------------------------------------------------ the clock
def _plan(state: EcrState, destination: dict) -> list[dict]:
    """The images the registry's current rules replicate to ``destination``: every ACTIVE image of each matching
    repository, except images an index of the same repository refers to (they go with their index)."""
    rules = [rule for rule in state.replication_rules
             if any(_key(d) == _key(destination) for d in rule["destinations"])]
    planned = []
    for repo in state.repositories.values():
        if not any(rule_matches(rule, repo.name) for rule in rules):
            continue
        children = {digest for image in repo.images.values() for digest in image_references(image).manifests}
        planned.extend({"repositoryName": repo.name, "imageDigest": image.digest, "imageTags": list(image.tags)}
                       for image in repo.images.values() if image.status == "ACTIVE" and image.digest not in children)
    return planned


def _record_status(image: Image, destination: dict, failure: str | None) -> None:
    status = {**destination, "status": "FAILED" if failure else "COMPLETE", **({"failureCode": failure}
                                                                               if failure else {})}
    image.replication = [entry for entry in image.replication if _key(entry) != _key(destination)] + [status]


def _replicate(ctx: RequestContext, state: EcrState, backfill: ReplicationBackfill) -> list[dict]:
    """Make the planned copies; one result per image and tag (an untagged image: one, by digest)."""
    region, registry_id = _key(backfill.destination)
    results = []
    for item in backfill.planned or ():
        repo = state.repositories.get(item["repositoryName"])
        image = repo.images.get(item["imageDigest"]) if repo is not None else None
        extra: dict = {}
        if repo is None or image is None:
            failure: str | None = IMAGE_GONE
        else:
            children = descendants(repo, image)
            if image.media_type in INDEX_MEDIA_TYPES or children:
                codes = (copy_image(ctx, repo, child, registry_id, region) for child in children)
                extra["subImageFailureCodes"] = list(dict.fromkeys(code for code in codes if code))
            failure = copy_image(ctx, repo, image, registry_id, region)
            _record_status(image, backfill.destination, failure)
        for tag in item["imageTags"] or [None]:
            image_id = {"imageDigest": item["imageDigest"], **({"imageTag": tag} if tag else {})}
            results.append({"repositoryName": item["repositoryName"], "imageId": image_id,
                            "status": "FAILED" if failure else "COMPLETE",
                            **({"failureCode": failure} if failure else {}), **extra})
    return results


def _end(backfill: ReplicationBackfill, results: list[dict]) -> None:
    failed = sum(result["status"] == "FAILED" for result in results)
    backfill.results, backfill.ended_at = results, backfill.completes_at
    if backfill.status == "STOPPING":
        backfill.status = "STOPPED"
    elif len(results) >= FAILURE_THRESHOLD_MINIMUM and 2 * failed >= len(results):
        backfill.status, backfill.failure_code = "FAILED", THRESHOLD_FAILURE
    else:
        backfill.status = "COMPLETE"


def advance_backfills(ctx: RequestContext) -> None:
    """Move every registry's backfills along the store clock (copies may land in any account and region)."""
    now = ctx.store.clock.now()
    for account in list(ctx.store.accounts.values()):
        for region_state in list(account.regions.values()):
            backfills = region_state.ecr.replication_backfills
            for backfill in list(backfills.values()):
                if backfill.status == "PREPARING" and backfill.prepared_at <= now:
                    backfill.planned, backfill.status = _plan(region_state.ecr, backfill.destination), "IN_PROGRESS"
                if backfill.status in ("IN_PROGRESS", "STOPPING") and backfill.completes_at <= now:
                    _end(backfill, _replicate(ctx, region_state.ecr, backfill))
                if backfill.ended_at is not None and backfill.ended_at + RETENTION <= now:
                    del backfills[backfill.backfill_id]


lifecycle.CLOCK_HOOKS.append(advance_backfills)
