"""ECR repository creation templates: their CRUD, and the repositories ECR creates on a caller's behalf.

A template applies to repositories whose name starts with ``<prefix>/`` (the longest such prefix wins) or, with
prefix ``ROOT``, to every repository no other template covers, and only for the purposes in its ``appliedFor``:
``CREATE_ON_PUSH`` (a push to a repository that does not exist creates it; the pusher also needs
``ecr:CreateRepository``), ``REPLICATION`` (a replicated image's destination repository) and
``PULL_THROUGH_CACHE``.  Without a matching template a push to a missing repository fails as before, and
replication creates the repository with default settings.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.auth import authorizer
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import CreationTemplate, EcrState, Repository
from mockrunner.model.ecr_policies import repository_policy_problem
from mockrunner.services.ecr import core, lifecycle
from mockrunner.services.ecr.core import (
    MAX_TAGS,
    _request_tag_context,
    aws_managed_key,
    invalid,
    kms_key_arn,
    same_prefix,
    tag_problem,
    tags_out,
    token_page,
    validate_mutability,
    validate_tags,
)
from mockrunner.services.ecr.pass_role import (
    REPOSITORY_CREATION,
    check_custom_role,
    creating_service_linked_role,
    ensure_service_linked_role,
    passing_custom_role,
)
from mockrunner.services.region_state import request_region
from mockrunner.services.registry import op

if TYPE_CHECKING:
    from mockrunner.model.store import Store

ROOT = "ROOT"


def _state(ctx: RequestContext) -> EcrState:
    """The caller's ECR state in the request's Region (not made by a read: :mod:`mockrunner.services.region_state`)."""
    return request_region(ctx, ctx.store.account(ctx.caller.account_id)).ecr


def template_for(state: EcrState, name: str, purpose: str) -> CreationTemplate | None:
    """The template ECR applies to a new repository ``name`` for ``purpose``: among the templates for
    ``purpose``, the one of the longest prefix that ``name`` lies under, else ``ROOT``.  The name's own
    ``/``-separated prefixes are looked up, longest first: at most two dictionary lookups per segment of the name,
    whatever the number of templates."""
    stem = name
    while "/" in stem:
        stem = stem.rsplit("/", 1)[0]
        template = same_prefix(state.creation_templates, stem)
        if template is not None and template.prefix != ROOT and purpose in template.applied_for:
            return template
    root = state.creation_templates.get(ROOT)
    return root if root is not None and purpose in root.applied_for else None


def create_repository(store: "Store", account_id: str, region: str, name: str, purpose: str) -> Repository:
    """Create ``name`` as ECR does for ``purpose``: with the matching template's settings, or the defaults."""
    state = store.account(account_id).region(region).ecr
    template = template_for(state, name, purpose)
    now = store.clock.now()
    repo = Repository(name, account_id, region, now)
    if template is not None:
        encryption = template.encryption or {"encryptionType": "AES256"}
        repo.image_tag_mutability = template.image_tag_mutability
        repo.mutability_exclusion_filters = [dict(f) for f in template.mutability_exclusion_filters]
        repo.encryption_type = encryption["encryptionType"]
        repo.kms_key = kms_key_arn(encryption.get("kmsKey") or (
            None if repo.encryption_type == "AES256" else aws_managed_key(region, account_id)), region, account_id)
        repo.tags = {tag["Key"]: tag["Value"] for tag in template.resource_tags}
        repo.policy_text = template.repository_policy or None
        if template.lifecycle_policy:
            lifecycle.set_policy(repo, template.lifecycle_policy, now)
    state.repositories[name] = repo
    return repo


def create_on_push(ctx: RequestContext, registry_id: str, name: str) -> Repository | None:
    """The repository a push to a missing ``name`` creates (``None`` when no CREATE_ON_PUSH template covers it)."""
    account = ctx.store.account(registry_id)
    if account is None or registry_id != ctx.caller.account_id:
        return None
    # a look-up: a push to a missing repository that no template covers makes no Region state
    template = template_for(account.region_to_read(ctx.region).ecr, name, "CREATE_ON_PUSH")
    if template is None:
        return None
    check = core._repository_check(ctx, "ecr:CreateRepository", registry_id, name,
                                   _request_tag_context(template.resource_tags or None))
    authorizer.authorize(ctx, [check])
    return create_repository(ctx.store, registry_id, ctx.region, name, "CREATE_ON_PUSH")


core.REPOSITORY_FACTORIES.append(create_on_push)


def _too_many_resource_tags() -> ServiceError:
    """Create/UpdateRepositoryCreationTemplate declare no TooManyTagsException (botocore's model, the API Reference):
    the quota of the repositories a template makes is an invalid parameter here (wording *unverified*)."""
    return invalid("Invalid parameter at 'resourceTags' failed to satisfy constraint: 'The maximum number of tags "
                   f"that can be applied to a repository is {MAX_TAGS}.'")


def _check_resource_tag(tag: dict) -> None:
    """Create/UpdateRepositoryCreationTemplate declare no InvalidTagParameterException either: a tag ECR refuses is
    an invalid ``resourceTags`` parameter."""
    problem = tag_problem(tag, "resourceTags")
    if problem is not None:
        raise invalid(problem)


# ------------------------------------------------------------------------------------------------ operations
def _not_found(prefix: str, registry_id: str) -> ServiceError:
    """Wording of the exception's description in ECR's API model (no real answer was found)."""
    return ServiceError("TemplateNotFoundException", "The specified repository creation template can't be found. "
                        "Verify the registry ID and prefix and try again.")


def _validated(ctx: RequestContext, base: CreationTemplate | None = None) -> dict:
    """The template's settings from the request (over ``base`` for an update), checked as ECR checks them."""
    params = ctx.params
    fields = {} if base is None else {
        "description": base.description, "encryption": base.encryption, "resource_tags": base.resource_tags,
        "image_tag_mutability": base.image_tag_mutability,
        "mutability_exclusion_filters": base.mutability_exclusion_filters,
        "repository_policy": base.repository_policy, "lifecycle_policy": base.lifecycle_policy,
        "custom_role_arn": base.custom_role_arn, "applied_for": base.applied_for}
    names = {"description": "description", "encryptionConfiguration": "encryption",
             "resourceTags": "resource_tags", "imageTagMutability": "image_tag_mutability",
             "imageTagMutabilityExclusionFilters": "mutability_exclusion_filters",
             "repositoryPolicy": "repository_policy", "lifecyclePolicy": "lifecycle_policy",
             "customRoleArn": "custom_role_arn", "appliedFor": "applied_for"}
    for wire, attr in names.items():
        if wire in params:
            fields[attr] = params[wire]
    if params.get("imageTagMutability") in ("MUTABLE", "IMMUTABLE") \
            and "imageTagMutabilityExclusionFilters" not in params:
        # A setting without exclusions drops the stored ones, as PutImageTagMutability does for a repository: the
        # model allows no empty filter list, so nothing else could (Terraform sends just this when filters go).
        fields["mutability_exclusion_filters"] = []
    validate_mutability(fields.get("image_tag_mutability", "MUTABLE"),
                         fields.get("mutability_exclusion_filters") or [])
    tags = validate_tags(fields.get("resource_tags") or [], over_limit=_too_many_resource_tags,
                         check=_check_resource_tag)
    encryption = fields.get("encryption")
    if encryption and encryption.get("kmsKey") and encryption["encryptionType"] == "AES256":
        raise invalid("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: "
                       "'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE'")
    if fields.get("repository_policy") and repository_policy_problem(fields["repository_policy"]):
        raise invalid("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                       "'Invalid repository policy provided'")
    if fields.get("lifecycle_policy"):
        lifecycle.validated(fields["lifecycle_policy"])
    if params.get("customRoleArn"):
        check_custom_role(ctx, params["customRoleArn"])
    elif "customRoleArn" in params:
        fields["custom_role_arn"] = None  # "" removes the role (what Terraform sends when custom_role_arn goes)
    if not fields.get("applied_for"):
        raise invalid("Invalid parameter at 'appliedFor' failed to satisfy constraint: "
                       "'Member must have length greater than or equal to 1'")
    fields["applied_for"] = list(dict.fromkeys(fields["applied_for"]))
    fields["resource_tags"] = tags_out(tags)  # a key given twice is kept once (its last value), as on a repository
    fields["mutability_exclusion_filters"] = [dict(f) for f in fields.get("mutability_exclusion_filters") or []]
    return fields


def template_out(template: CreationTemplate) -> dict:
    out = {
        "prefix": template.prefix, "description": template.description,
        "encryptionConfiguration": template.encryption or {"encryptionType": "AES256"},
        "resourceTags": [dict(tag) for tag in template.resource_tags],
        "imageTagMutability": template.image_tag_mutability,
        "repositoryPolicy": template.repository_policy, "lifecyclePolicy": template.lifecycle_policy,
        "appliedFor": list(template.applied_for), "customRoleArn": template.custom_role_arn,
        "createdAt": template.created_at, "updatedAt": template.updated_at,
    }
    if template.mutability_exclusion_filters:
        out["imageTagMutabilityExclusionFilters"] = [dict(f) for f in template.mutability_exclusion_filters]
    return out


@op("ecr", "CreateRepositoryCreationTemplate",
    authz=creating_service_linked_role(passing_custom_role(REPOSITORY_CREATION), REPOSITORY_CREATION))
def create_repository_creation_template(ctx: RequestContext) -> dict:
    state, prefix = _state(ctx), ctx.params["prefix"]
    fields = _validated(ctx)
    if same_prefix(state.creation_templates, prefix) is not None:
        raise ServiceError("TemplateAlreadyExistsException", "The repository creation template already exists. "
                           "Specify a unique prefix and try again.")
    ensure_service_linked_role(ctx, REPOSITORY_CREATION)
    now = ctx.store.clock.now()
    template = state.creation_templates[prefix] = CreationTemplate(prefix=prefix, created_at=now, updated_at=now,
                                                                   **fields)
    return {"registryId": ctx.caller.account_id, "repositoryCreationTemplate": template_out(template)}


@op("ecr", "UpdateRepositoryCreationTemplate", authz=passing_custom_role(REPOSITORY_CREATION))
def update_repository_creation_template(ctx: RequestContext) -> dict:
    state, prefix = _state(ctx), ctx.params["prefix"]
    template = same_prefix(state.creation_templates, prefix)
    if template is None:
        raise _not_found(prefix, ctx.caller.account_id)
    for attr, value in _validated(ctx, template).items():
        setattr(template, attr, value)
    template.updated_at = ctx.store.clock.now()
    return {"registryId": ctx.caller.account_id, "repositoryCreationTemplate": template_out(template)}


@op("ecr", "DeleteRepositoryCreationTemplate")
def delete_repository_creation_template(ctx: RequestContext) -> dict:
    state, prefix = _state(ctx), ctx.params["prefix"]
    template = same_prefix(state.creation_templates, prefix)
    if template is None:
        raise _not_found(prefix, ctx.caller.account_id)
    del state.creation_templates[template.prefix]
    return {"registryId": ctx.caller.account_id, "repositoryCreationTemplate": template_out(template)}


@op("ecr", "DescribeRepositoryCreationTemplates")
def describe_repository_creation_templates(ctx: RequestContext) -> dict:
    state = _state(ctx)
    prefixes = ctx.params.get("prefixes")
    named = {found.prefix for found in (same_prefix(state.creation_templates, p) for p in prefixes or ()) if found}
    templates = [t for t in state.creation_templates.values() if not prefixes or t.prefix in named]
    page, token = token_page(ctx, templates)
    return {"registryId": ctx.caller.account_id, "repositoryCreationTemplates": [template_out(t) for t in page],
            "nextToken": token}
