"""ECR replication: PutReplicationConfiguration, DescribeRegistry, DescribeImageReplicationStatus, and pushes
copied to the configured destinations.

When an image is pushed, every rule whose ``PREFIX_MATCH`` filters match the repository (a rule without filters
matches all) copies it (same digest, manifest and tags) to each destination registry and region of the model, with
the layer records it refers to (a replicated image is complete: it can be pulled, and pushed again, in the
destination), creating the destination repository when needed (with the destination's ``REPLICATION`` creation
template, if one matches). A destination in another account must allow it in its registry policy:
``ecr:ReplicateImage`` (and ``ecr:CreateRepository`` when the repository does not exist yet) for the source account,
as AWS documents for cross-account replication. Copies are made during the push, so the status reads COMPLETE at
once; a destination that refuses, does not exist in this mockrunner, or cannot take the tag (immutable) reads
FAILED.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mockrunner import regions
from mockrunner.auth import authorizer
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.iam_engine import principal_from_arn
from mockrunner.model.ecr import EcrState, Image, Repository, image_references, repository_arn
from mockrunner.model.ecr_policies import evaluable_policy
from mockrunner.services.ecr import core, templates
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.ecr.core import invalid, on_repository, repository_of
from mockrunner.services.ecr.pass_role import (
    REPLICATION,
    creating_service_linked_role,
    ensure_service_linked_role,
    on_registry,
)
from mockrunner.services.ecr.scanning import _image, registry_state
from mockrunner.services.registry import op

if TYPE_CHECKING:
    from mockrunner.model.store import Store


def _validate(ctx: RequestContext, rules: list[dict]) -> None:
    for rule in rules:
        for destination in rule["destinations"]:
            if destination["region"] == ctx.region and destination["registryId"] == ctx.caller.account_id:
                raise invalid("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                               "'Replication destination cannot be the same as the source registry'")
            if not regions.is_valid(destination["region"]):
                # Unverified wording.
                raise invalid(f"Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                               f"'Invalid destination region {destination['region']}'")


@op("ecr", "PutReplicationConfiguration", authz=creating_service_linked_role(on_registry, REPLICATION))
def put_replication_configuration(ctx: RequestContext) -> dict:
    rules = [{"destinations": [dict(d) for d in rule["destinations"]],
              **({"repositoryFilters": [dict(f) for f in rule["repositoryFilters"]]}
                 if rule.get("repositoryFilters") else {}),
              **({"deleteReplication": dict(rule["deleteReplication"])} if "deleteReplication" in rule else {})}
             for rule in ctx.params["replicationConfiguration"]["rules"]]
    _validate(ctx, rules)
    ensure_service_linked_role(ctx, REPLICATION)
    registry_state(ctx).replication_rules = rules
    return {"replicationConfiguration": {"rules": rules}}


@op("ecr", "DescribeRegistry")
def describe_registry(ctx: RequestContext) -> dict:
    return {"registryId": ctx.caller.account_id,
            "replicationConfiguration": {"rules": registry_state(ctx).replication_rules}}


@op("ecr", "DescribeImageReplicationStatus", authz=on_repository("ecr:DescribeImageReplicationStatus"))
def describe_image_replication_status(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    image = _image(ctx, repo)
    return {"repositoryName": repo.name,
            "imageId": {"imageDigest": image.digest, "imageTag": ctx.params["imageId"].get("imageTag")},
            "replicationStatuses": [dict(status) for status in image.replication]}


# ------------------------------------------------------------------------------------------------ replicating
def rule_matches(rule: dict, name: str) -> bool:
    """Whether ``rule`` replicates repository ``name``: its ``PREFIX_MATCH`` filters, or none (all)."""
    filters = rule.get("repositoryFilters") or []
    return not filters or any(name.startswith(f["filter"]) for f in filters)


def _allowed(ctx: RequestContext, source: str, dest: EcrState, account_id: str, region: str, name: str,
             action: str) -> bool:
    """The destination registry policy grants ``action`` to the source account (same account: always)."""
    if source == account_id:
        return True
    if dest.registry_policy is None:
        return False
    check = Check(action, repository_arn(region, account_id, name), resource_policy=evaluable_policy(
        dest.registry_policy), resource_policy_id=f"registry policy of {account_id} in {region}",
        resource_account=account_id)
    decision = authorizer.decide(ctx.store, principal_from_arn(f"arn:aws:iam::{source}:root"), check,
                                 request_id=ctx.request_id)
    return decision.allowed


def copy_image(ctx: RequestContext, repo: Repository, image: Image, account_id: str, region: str) -> str | None:
    """Replicate ``image`` into one destination; the failure code, or ``None`` on success."""
    store: Store = ctx.store
    account = store.account(account_id)
    if account is None:
        return "DESTINATION_NOT_FOUND"  # Unverified code: an account this mockrunner does not hold.
    dest = account.region(region).ecr
    target = dest.repositories.get(repo.name)
    if not _allowed(ctx, repo.registry_id, dest, account_id, region, repo.name, "ecr:ReplicateImage"):
        return "ACCESS_DENIED"
    if target is None:
        if not _allowed(ctx, repo.registry_id, dest, account_id, region, repo.name, "ecr:CreateRepository"):
            return "ACCESS_DENIED"
        target = templates.create_repository(store, account_id, region, repo.name, "REPLICATION")
    if any(core.tag_immutable(target, tag) and (holder := target.image_by_tag(tag)) is not None
           and holder.digest != image.digest for tag in image.tags):
        return "IMAGE_TAG_IMMUTABLE"  # Unverified code.
    copy = target.images.get(image.digest)
    for digest in image_references(image).blobs:
        layer = repo.layers.get(digest)
        if layer is not None:
            ecr_push.add_layer(target, digest, layer.size, store.clock.now(), layer.media_type)
    if copy is None:
        copy = target.images[image.digest] = Image(image.digest, image.manifest, image.media_type,
                                                   store.clock.now(), image.size,
                                                   artifact_media_type=image.artifact_media_type)
    for tag in image.tags:
        target.tag(copy, tag)
    return None


def descendants(repo: Repository, image: Image) -> list[Image]:
    """The images of ``repo`` that ``image`` names, through nested indexes too, each once, every one after the
    images it names (so a copy never lands before what it refers to).  Bounded by the repository's images: a digest
    is visited once, and no manifest can name itself or an image pushed after it."""
    order: list[Image] = []
    seen = {image.digest}
    stack = [(image, iter(image_references(image).manifests))]
    while stack:
        parent, pending = stack[-1]
        digest = next((each for each in pending if each not in seen and each in repo.images), None)
        if digest is None:
            stack.pop()
            if parent is not image:
                order.append(parent)
            continue
        seen.add(digest)
        child = repo.images[digest]
        stack.append((child, iter(image_references(child).manifests)))
    return order


def _destinations(ctx: RequestContext, repo: Repository, deletions: bool = False) -> Iterator[tuple[str, str]]:
    """Each ``(region, registry id)`` that a rule matching ``repo`` names, once, in rule order (``deletions``: only
    rules with ``deleteReplication.enabled``)."""
    state = ctx.store.account(repo.registry_id).region(repo.region).ecr
    seen: set[tuple[str, str]] = set()
    for rule in state.replication_rules:
        if not rule_matches(rule, repo.name) or deletions and not (rule.get("deleteReplication") or {}).get("enabled"):
            continue
        for destination in rule["destinations"]:
            key = (destination["region"], destination["registryId"])
            if key not in seen:
                seen.add(key)
                yield key


def replicate(ctx: RequestContext, repo: Repository, image: Image, tag: str | None) -> None:
    statuses = []
    children = descendants(repo, image)
    for region, account_id in _destinations(ctx, repo):
        for child in children:  # pushed before, maybe before the rule: an index never lands without them
            copy_image(ctx, repo, child, account_id, region)
        failure = copy_image(ctx, repo, image, account_id, region)
        statuses.append({"region": region, "registryId": account_id, "status": "FAILED" if failure else "COMPLETE",
                         **({"failureCode": failure} if failure else {})})
    image.replication = statuses


def replicate_deletion(ctx: RequestContext, repo: Repository, image: Image, tag: str | None) -> None:
    """Delete replication: to every destination of a rule that matches the repository and has
    ``deleteReplication.enabled``, the deletion of the image (``tag`` ``None``) or the removal of ``tag``, where
    the destination holds that very image (same digest; a tag that has moved on to another image stays).  Another
    account's registry policy must grant ``ecr:ReplicateImage``, as for copies (unverified for deletions)."""
    for region, account_id in _destinations(ctx, repo, deletions=True):
        account = ctx.store.account(account_id)
        if account is None:
            continue
        dest = account.region(region).ecr
        target = dest.repositories.get(repo.name)
        copy = target.images.get(image.digest) if target is not None else None
        if copy is None or not _allowed(ctx, repo.registry_id, dest, account_id, region, repo.name,
                                        "ecr:ReplicateImage"):
            continue
        if tag is None:
            del target.images[copy.digest]
        elif tag in copy.tags:
            copy.tags.remove(tag)
            if not copy.tags:
                del target.images[copy.digest]


core.PUSH_HOOKS.append(replicate)
core.DELETE_HOOKS.append(replicate_deletion)
