"""Repositories, their policies and tags: CreateRepository, DescribeRepositories, DeleteRepository,
SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy, TagResource, UntagResource, ListTagsForResource."""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import Repository
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.ecr.core import (
    authz_create,
    authz_describe_repositories,
    aws_managed_key,
    invalid,
    kms_key_arn,
    lookup_repository,
    on_arn,
    on_repository,
    parse_repository_arn,
    policy_not_found,
    registry_of,
    repository_not_found,
    repository_of,
    repository_out,
    tags_out,
    token_page,
    validate_mutability,
    validate_policy,
    validate_tags,
)
from mockrunner.services.ecr.policy_text import ecr_policy_text
from mockrunner.services.registry import op


@op("ecr", "CreateRepository", authz=authz_create)
def create_repository(ctx: RequestContext) -> dict:
    params = ctx.params
    registry_id, name = registry_of(ctx), params["repositoryName"]
    mode = params.get("imageTagMutability", "MUTABLE")
    filters = params.get("imageTagMutabilityExclusionFilters") or []
    validate_mutability(mode, filters)
    tags = validate_tags(params.get("tags") or [])
    encryption = params.get("encryptionConfiguration") or {"encryptionType": "AES256"}
    kms_key = encryption.get("kmsKey")
    if kms_key and encryption["encryptionType"] == "AES256":
        # Unverified wording; a KMS key only makes sense with KMS encryption.
        raise invalid("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: "
                       "'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE'")
    if encryption["encryptionType"] != "AES256" and not kms_key:
        kms_key = aws_managed_key(ctx.region, registry_id)
    kms_key = kms_key_arn(kms_key, ctx.region, registry_id)
    account = ctx.store.account(registry_id)
    if account is None:
        raise repository_not_found(name, registry_id)
    repos = account.region(ctx.region).ecr.repositories
    if name in repos:
        raise ServiceError(
            "RepositoryAlreadyExistsException",
            f"The repository with name '{name}' already exists in the registry with id '{registry_id}'",
        )
    repo = Repository(
        name=name, registry_id=registry_id, region=ctx.region, created_at=ctx.store.clock.now(),
        image_tag_mutability=mode, mutability_exclusion_filters=[dict(f) for f in filters],
        scan_on_push=bool((params.get("imageScanningConfiguration") or {}).get("scanOnPush", False)),
        encryption_type=encryption["encryptionType"], kms_key=kms_key, tags=tags,
    )
    repos[name] = repo
    return {"repository": repository_out(repo)}


@op("ecr", "DescribeRepositories", authz=authz_describe_repositories)
def describe_repositories(ctx: RequestContext) -> dict:
    registry_id = registry_of(ctx)
    names = ctx.params.get("repositoryNames")
    if names:
        paging = next((member for member in ("maxResults", "nextToken") if ctx.params.get(member)), None)
        if paging:
            # Unverified wording; ECR documents that maxResults/nextToken only apply without repositoryNames.
            raise invalid(f"Invalid parameter at '{paging}' failed to satisfy constraint: '{paging} cannot "
                          "be used with repositoryNames'")
        repos = [repository_of(ctx, registry_id, name) for name in names]
        return {"repositories": [repository_out(repo) for repo in repos]}
    account = ctx.store.account(registry_id)
    state = account.regions.get(ctx.region) if account is not None else None
    repos = list(state.ecr.repositories.values()) if state is not None else []
    page, token = token_page(ctx, repos)
    return {"repositories": [repository_out(repo) for repo in page], "nextToken": token}


@op("ecr", "DeleteRepository", authz=on_repository("ecr:DeleteRepository"))
def delete_repository(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    if repo.images and not ctx.params.get("force"):
        raise ServiceError(
            "RepositoryNotEmptyException",
            f"The repository with name '{repo.name}' in registry with id '{repo.registry_id}' cannot be deleted "
            "because it still contains images",
        )
    del ctx.store.account(repo.registry_id).region(ctx.region).ecr.repositories[repo.name]
    ecr_push.collect_garbage(ctx.store)
    # The deleted repository without its scanning and encryption settings: recorded from AWS, 2026-09-26
    # (radkawar/stackd, testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "delete_owned").
    out = repository_out(repo)
    for member in ("imageScanningConfiguration", "encryptionConfiguration"):
        out.pop(member, None)
    return {"repository": out}


@op("ecr", "SetRepositoryPolicy", authz=on_repository("ecr:SetRepositoryPolicy"))
def set_repository_policy(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    text = ctx.params["policyText"]
    validate_policy(ctx, text)
    repo.policy_text = text
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": ecr_policy_text(text)}


@op("ecr", "GetRepositoryPolicy", authz=on_repository("ecr:GetRepositoryPolicy"))
def get_repository_policy(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    if repo.policy_text is None:
        raise policy_not_found(repo)
    return {"registryId": repo.registry_id, "repositoryName": repo.name,
            "policyText": ecr_policy_text(repo.policy_text)}


@op("ecr", "DeleteRepositoryPolicy", authz=on_repository("ecr:DeleteRepositoryPolicy"))
def delete_repository_policy(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    if repo.policy_text is None:
        raise policy_not_found(repo)
    text, repo.policy_text = repo.policy_text, None
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": ecr_policy_text(text)}


def _arn_repository(ctx: RequestContext) -> Repository:
    region, registry_id, name = parse_repository_arn(ctx.params["resourceArn"])
    repo = lookup_repository(ctx, registry_id, name) if region == ctx.region else None
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


@op("ecr", "TagResource", authz=on_arn("ecr:TagResource", request_tags=True))
def tag_resource(ctx: RequestContext) -> dict:
    repo = _arn_repository(ctx)
    repo.tags = validate_tags(ctx.params["tags"], repo.tags)
    return {}


@op("ecr", "UntagResource", authz=on_arn("ecr:UntagResource", tag_keys=True))
def untag_resource(ctx: RequestContext) -> dict:
    repo = _arn_repository(ctx)
    for key in ctx.params["tagKeys"]:
        repo.tags.pop(key, None)
    return {}


@op("ecr", "ListTagsForResource", authz=on_arn("ecr:ListTagsForResource"))
def list_tags_for_resource(ctx: RequestContext) -> dict:
    return {"tags": tags_out(_arn_repository(ctx).tags)}
