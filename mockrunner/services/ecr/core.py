"""ECR's repositories, images, repository policies, authorization tokens and tags, in ECR's json 1.1 protocol
(the layer operations are in :mod:`mockrunner.services.ecr.layers`, what a push does in
:mod:`mockrunner.services.ecr.push`).

Every repository operation is authorized as ``ecr:<Operation>`` on the repository ARN, with the repository's
tags as ``aws:ResourceTag/*`` (and ECR's own ``ecr:ResourceTag/*``) and its repository policy as the resource
policy, so a repository in another account (``registryId``) is reachable exactly when AWS would allow it: the
caller's identity policy *and* the repository policy must both allow the action.

Error codes and messages follow real ECR; where no real message was found the text is marked "unverified".
Public helpers for other modules: :func:`parse_image_identifier`, :func:`find_repository`, :func:`find_image`,
:func:`put_image_record` (declare an image without pushing a manifest, for seed files).
"""
from __future__ import annotations

import base64
import fnmatch
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from mockrunner.auth import registry_tokens
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import MalformedPolicyError
from mockrunner.model.ecr import Image, Repository, manifest_digest, repository_arn
from mockrunner.model.ecr_policies import evaluable_policy, repository_policy_problem
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.registry import op

if TYPE_CHECKING:
    from mockrunner.model.store import Store

DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MAX_TAGS = 50
_DIGEST = re.compile(r"^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$")
_REPOSITORY_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)$")
_IMAGE_URI = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)(?::([^:@/]+))?(?:@([^@]+))?$"
)
_ALL_TAG_STATUS = ("TAGGED", "UNTAGGED", "ANY")
PushHook = Callable[[RequestContext, Repository, Image, "str | None"], None]
PUSH_HOOKS: list[PushHook] = []
"""What happens after an image is pushed (scan on push, signing, replication): each hook is called with the
repository, the image and the tag pushed, in registration order, by every operation that pushes."""
RepositoryFactory = Callable[[RequestContext, str, str], "Repository | None"]
REPOSITORY_FACTORIES: list[RepositoryFactory] = []
"""Who may create a repository that a push names but that does not exist (create on push): the first factory
returning one wins; each authorizes what it needs."""


# ------------------------------------------------------------------------------------------------ errors
def repository_not_found(name: str, registry_id: str) -> ServiceError:
    return ServiceError(
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{registry_id}'",
    )


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def image_not_found(image_id: dict, repository: str, registry_id: str) -> ServiceError:
    digest = image_id.get("imageDigest") or "null"
    tag = image_id.get("imageTag") or "null"
    return ServiceError(
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{digest}', imageTag:'{tag}'}} does not exist within the "
        f"repository with name '{repository}' in the registry with id '{registry_id}'",
    )


def _policy_not_found(repository: Repository) -> ServiceError:
    return ServiceError(
        "RepositoryPolicyNotFoundException",
        f"Repository policy does not exist for the repository with name '{repository.name}' "
        f"in the registry with id '{repository.registry_id}'",
    )


# ------------------------------------------------------------------------------------------------ public helpers
@dataclass(frozen=True)
class ImageRef:
    """A private ECR image URI taken apart: ``<registry>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag][@digest]``."""

    registry_id: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """The tag or digest the URI names (``latest`` when it names neither, as docker pull assumes)."""
        return self.digest or self.tag or "latest"

    @property
    def repository_arn(self) -> str:
        return repository_arn(self.region, self.registry_id, self.repository)


def parse_image_identifier(identifier: str) -> ImageRef | None:
    """Split a private ECR image URI; ``None`` if it is not one."""
    match = _IMAGE_URI.match(identifier or "")
    if match is None:
        return None
    registry_id, region, repository, tag, digest = match.groups()
    return ImageRef(registry_id, region, repository, tag, digest)


def find_repository(store: "Store", account_id: str, region: str, name: str) -> Repository | None:
    account = store.account(account_id)
    state = account.regions.get(region) if account is not None else None
    return state.ecr.repositories.get(name) if state is not None else None


def find_image(store: "Store", account_id: str, region: str, repository: str, tag_or_digest: str) -> Image | None:
    """The image a tag or a digest (``sha256:...``) names in a repository, or ``None``."""
    repo = find_repository(store, account_id, region, repository)
    if repo is None:
        return None
    if ":" in tag_or_digest:
        return repo.images.get(tag_or_digest)
    return repo.image_by_tag(tag_or_digest)


def put_image_record(
    store: "Store",
    account_id: str,
    region: str,
    repository: str,
    tags: Sequence[str] = (),
    digest: str | None = None,
    manifest: str | None = None,
    media_type: str = DOCKER_MANIFEST_V2,
    size: int = 0,
    create_repository: bool = True,
) -> Image:
    """Declare that an image exists (seed files), without the PutImage checks and with or without a manifest.

    Without ``digest`` the digest is computed from ``manifest`` or, lacking both, from a synthetic manifest
    unique to the repository and tags.  Tags move onto this image as a push would move them.  Raises
    ``ValueError`` for an unknown account or (with ``create_repository=False``) repository.
    """
    account = store.account(account_id)
    if account is None:
        raise ValueError(f"unknown account {account_id}")
    with store.lock:
        repos = account.region(region).ecr.repositories
        repo = repos.get(repository)
        if repo is None:
            if not create_repository:
                raise ValueError(f"no repository {repository} in {account_id}/{region}")
            repo = repos[repository] = Repository(repository, account_id, region, store.clock.now())
        if digest is None:
            if manifest is None:
                seed = f"{repository}:{','.join(tags)}"
                manifest = json.dumps({"schemaVersion": 2, "mediaType": media_type, "config": {}, "layers": [],
                                       "annotations": {"mockrunner.seed": seed}})
            digest = manifest_digest(manifest)
        image = repo.images.get(digest)
        if image is None:
            image = repo.images[digest] = Image(digest, manifest, media_type, store.clock.now(), size)
        for tag in tags:
            repo.tag(image, tag)
        return image


# ------------------------------------------------------------------------------------------------ authorization
def _registry(ctx: RequestContext) -> str:
    return ctx.params.get("registryId") or ctx.caller.account_id


def _lookup(ctx: RequestContext, registry_id: str, name: str) -> Repository | None:
    return find_repository(ctx.store, registry_id, ctx.region, name)


def _tag_context(prefix: str, tags: dict[str, str]) -> dict[str, Any]:
    return {f"{prefix}/{key}": value for key, value in tags.items()}


def _repository_check(ctx: RequestContext, action: str, registry_id: str, name: str,
                      extra: dict[str, Any] | None = None) -> Check:
    """``action`` on one repository: its tags as context, its policy (if any) as the resource policy, joined by
    the registry policy when the registry's policy scope is V2."""
    repo = _lookup(ctx, registry_id, name)
    context: dict[str, Any] = {}
    if repo is not None:
        context.update(_tag_context("aws:ResourceTag", repo.tags))
        context.update(_tag_context("ecr:ResourceTag", repo.tags))
    context.update(extra or {})
    policy, policy_id = _resource_policy(ctx, registry_id, repo)
    return Check(action, repository_arn(ctx.region, registry_id, name), context=context, resource_policy=policy,
                 resource_policy_id=policy_id, resource_account=registry_id)


def _resource_policy(ctx: RequestContext, registry_id: str, repo: Repository | None) -> tuple[Any, str | None]:
    """The repository policy and (scope V2) the registry policy as one compiled resource policy; a stored text the
    grammar cannot read is passed as is, so the engine refuses (fail closed)."""
    account = ctx.store.account(registry_id)
    state = account.regions.get(ctx.region) if account is not None else None
    registry_text = state.ecr.registry_policy if state is not None else None
    if registry_text is not None and state.ecr.account_settings.get("REGISTRY_POLICY_SCOPE", "V2") != "V2":
        registry_text = None
    texts = [(text, label) for text, label in ((repo.policy_text if repo else None, "repository policy"),
                                               (registry_text, "registry policy")) if text]
    if not texts:
        return None, None
    where = repo.arn if repo is not None else repository_arn(ctx.region, registry_id, "*")
    policy_id = f"{where} {' and '.join(label for _, label in texts)}"
    try:
        documents = [json.loads(text) for text, _ in texts]
        statements = [s for doc in documents for s in (doc["Statement"] if isinstance(doc["Statement"], list)
                                                       else [doc["Statement"]])]
        merged = json.dumps({"Version": "2012-10-17", "Statement": statements}) if len(texts) > 1 else texts[0][0]
        return evaluable_policy(merged), policy_id
    except (ValueError, KeyError, TypeError, MalformedPolicyError):
        return texts[0][0], policy_id


def _request_tag_context(tags: Iterable[dict] | None = None, keys: Iterable[str] | None = None) -> dict[str, Any]:
    tags = list(tags or [])
    context: dict[str, Any] = _tag_context("aws:RequestTag", {tag["Key"]: tag["Value"] for tag in tags})
    tag_keys = [tag["Key"] for tag in tags] if keys is None else list(keys)
    if tag_keys:
        context["aws:TagKeys"] = tag_keys
    return context


def _on_repository(action: str):
    def authz(ctx: RequestContext) -> list[Check]:
        return [_repository_check(ctx, action, _registry(ctx), ctx.params["repositoryName"])]

    return authz


def _authz_create(ctx: RequestContext) -> list[Check]:
    return [_repository_check(ctx, "ecr:CreateRepository", _registry(ctx), ctx.params["repositoryName"],
                              _request_tag_context(ctx.params.get("tags")))]


def _authz_describe_repositories(ctx: RequestContext) -> list[Check]:
    registry_id = _registry(ctx)
    names = ctx.params.get("repositoryNames")
    if not names:
        return [Check("ecr:DescribeRepositories", repository_arn(ctx.region, registry_id, "*"),
                      resource_account=registry_id)]
    return [_repository_check(ctx, "ecr:DescribeRepositories", registry_id, name) for name in names]


def _parse_arn(arn: str) -> tuple[str, str, str]:
    match = _REPOSITORY_ARN.match(arn)
    if match is None:
        raise _invalid("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
    region, account_id, name = match.groups()
    return region, account_id, name


def _on_arn(action: str, request_tags: bool = False, tag_keys: bool = False):
    def authz(ctx: RequestContext) -> list[Check]:
        region, registry_id, name = _parse_arn(ctx.params["resourceArn"])
        if region != ctx.region:
            # The ARN names another region's repository: this endpoint does not hold it.
            return [Check(action, ctx.params["resourceArn"], resource_account=registry_id)]
        extra: dict[str, Any] = {}
        if request_tags:
            extra = _request_tag_context(ctx.params.get("tags"))
        if tag_keys:
            extra = _request_tag_context(keys=ctx.params.get("tagKeys"))
        return [_repository_check(ctx, action, registry_id, name, extra)]

    return authz


def _authz_token(ctx: RequestContext) -> list[Check]:
    return [Check("ecr:GetAuthorizationToken", "*")]


# ------------------------------------------------------------------------------------------------ wire shapes
def _repository_out(repo: Repository) -> dict:
    out = {
        "repositoryArn": repo.arn,
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "repositoryUri": repo.uri,
        "createdAt": repo.created_at,
        "imageTagMutability": repo.image_tag_mutability,
        "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
        "encryptionConfiguration": {"encryptionType": repo.encryption_type, "kmsKey": repo.kms_key},
    }
    if repo.mutability_exclusion_filters:
        out["imageTagMutabilityExclusionFilters"] = [dict(f) for f in repo.mutability_exclusion_filters]
    return out


def _image_out(repo: Repository, image: Image, tag: str | None) -> dict:
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "imageId": {"imageDigest": image.digest, "imageTag": tag},
        "imageManifest": image.manifest,
        "imageManifestMediaType": image.media_type,
    }


def _image_detail(repo: Repository, image: Image) -> dict:
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "imageDigest": image.digest,
        "imageTags": list(image.tags) or None,
        "imageSizeInBytes": image.size,
        "imagePushedAt": image.pushed_at,
        "imageManifestMediaType": image.media_type,
        "artifactMediaType": image.artifact_media_type,
        "imageStatus": image.status,
        "lastRecordedPullTime": image.last_pulled_at,
        "lastArchivedAt": image.last_archived_at,
        "lastActivatedAt": image.last_activated_at,
        "subjectManifestDigest": image.subject_digest,
        **_scan_detail(image),
    }


def _scan_detail(image: Image) -> dict:
    scan = image.scan
    if scan is None:
        return {}
    out: dict[str, Any] = {"imageScanStatus": scan.status_out()}
    if scan.status == "COMPLETE":
        out["imageScanFindingsSummary"] = {"imageScanCompletedAt": scan.completes_at,
                                           "vulnerabilitySourceUpdatedAt": scan.completes_at,
                                           "findingSeverityCounts": scan.severity_counts()}
    return out


def _tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


# ------------------------------------------------------------------------------------------------ helpers
def _repository(ctx: RequestContext, registry_id: str | None = None, name: str | None = None) -> Repository:
    registry_id = registry_id or _registry(ctx)
    name = name or ctx.params["repositoryName"]
    repo = _lookup(ctx, registry_id, name)
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


def _page(items: Iterable, max_results: int | None, token: str | None, default: int = 100) -> tuple[list, str | None]:
    """Offset pagination behind an opaque token.  ``items`` may be lazy: only the page and the one item that says
    whether there is a next page are drawn, so a first page costs the same whatever the repository's size."""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("mockrunner-offset:"))
        except (ValueError, UnicodeDecodeError):
            # Unverified wording: ECR's text for a token it did not issue.
            message = "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'"
            raise _invalid(message) from None
    size = max_results or default
    rest = islice(items, start, None)
    page = list(islice(rest, size))
    more = next(rest, None) is not None
    next_token = base64.urlsafe_b64encode(f"mockrunner-offset:{start + size}".encode()).decode() if more else None
    return page, next_token


def _validate_tags(tags: list[dict], existing: dict[str, str] | None = None) -> dict[str, str]:
    """The repository's tags after adding ``tags``; ECR refuses ``aws:`` keys and more than 50 tags."""
    merged = dict(existing or {})
    for tag in tags:
        key = tag["Key"]
        if key.lower().startswith("aws:"):
            # Unverified wording; the reserved prefix itself is documented for every AWS tagging API.
            raise ServiceError("InvalidTagParameterException", "Invalid parameter at 'tags' failed to satisfy "
                               "constraint: 'Tag keys with the prefix aws: are reserved for AWS use'")
        if len(key) > 128 or len(tag["Value"]) > 256:
            raise ServiceError("InvalidTagParameterException", "An invalid parameter has been specified. Tag keys "
                               "can have a maximum character length of 128 characters, and tag values can have a "
                               "maximum length of 256 characters.")
        merged[key] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise ServiceError("TooManyTagsException", "The list of tags on the repository is over the limit. The "
                           "maximum number of tags that can be applied to a repository is 50.")
    return merged


def _tag_immutable(repo: Repository, tag: str) -> bool:
    """Whether pushing ``tag`` may not move it: the mode, inverted for tags matching an exclusion filter."""
    excluded = any(fnmatch.fnmatchcase(tag, f.get("filter", "")) for f in repo.mutability_exclusion_filters)
    mode = repo.image_tag_mutability
    return (mode.startswith("IMMUTABLE") and not excluded) or (mode == "MUTABLE_WITH_EXCLUSION" and excluded)


def _validate_mutability(mode: str, filters: list[dict]) -> None:
    if mode.endswith("_WITH_EXCLUSION") and not filters:
        # Unverified wording.
        raise _invalid(f"Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: "
                       f"'must be specified when imageTagMutability is {mode}'")
    if filters and not mode.endswith("_WITH_EXCLUSION"):
        raise _invalid(f"Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: "
                       f"'cannot be specified when imageTagMutability is {mode}'")


def _validate_policy(ctx: RequestContext, text: str) -> None:
    """ECR's repository policy grammar (``model.ecr_policies``), then every IAM user or role the policy names in an
    account of this mockrunner must exist ("Principal not found", hashicorp/terraform-provider-aws#39064)."""
    problem = repository_policy_problem(text)
    if problem is None and _missing_principal(ctx, json.loads(text)):
        problem = "Principal not found"
    if problem is not None:
        raise _invalid(f"Invalid parameter at 'PolicyText' failed to satisfy constraint: '{problem}'")


_IAM_PRINCIPAL = re.compile(r"^arn:aws:iam::(\d{12}):(user|role)/(?:.*/)?([^/]+)$")


def _missing_principal(ctx: RequestContext, document: dict) -> bool:
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    for statement in statements:
        principal = statement.get("Principal")
        names = principal.get("AWS", []) if isinstance(principal, dict) else []
        for arn in [names] if isinstance(names, str) else names:
            match = _IAM_PRINCIPAL.match(arn)
            account = ctx.store.account(match.group(1)) if match else None
            if account is None:
                continue
            kind, name = match.group(2), match.group(3)
            if name not in (account.iam.users if kind == "user" else account.iam.roles):
                return True
    return False


# ------------------------------------------------------------------------------------------------ repositories
@op("ecr", "CreateRepository", authz=_authz_create)
def create_repository(ctx: RequestContext) -> dict:
    params = ctx.params
    registry_id, name = _registry(ctx), params["repositoryName"]
    mode = params.get("imageTagMutability", "MUTABLE")
    filters = params.get("imageTagMutabilityExclusionFilters") or []
    _validate_mutability(mode, filters)
    tags = _validate_tags(params.get("tags") or [])
    encryption = params.get("encryptionConfiguration") or {"encryptionType": "AES256"}
    kms_key = encryption.get("kmsKey")
    if kms_key and encryption["encryptionType"] == "AES256":
        # Unverified wording; a KMS key only makes sense with KMS encryption.
        raise _invalid("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: "
                       "'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE'")
    if encryption["encryptionType"] != "AES256" and not kms_key:
        kms_key = f"arn:aws:kms:{ctx.region}:{registry_id}:alias/aws/ecr"
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
    return {"repository": _repository_out(repo)}


@op("ecr", "DescribeRepositories", authz=_authz_describe_repositories)
def describe_repositories(ctx: RequestContext) -> dict:
    registry_id = _registry(ctx)
    names = ctx.params.get("repositoryNames")
    if names:
        if ctx.params.get("maxResults") or ctx.params.get("nextToken"):
            # Unverified wording; ECR documents that maxResults/nextToken only apply without repositoryNames.
            raise _invalid("Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults cannot "
                           "be used with repositoryNames'")
        repos = [_repository(ctx, registry_id, name) for name in names]
        return {"repositories": [_repository_out(repo) for repo in repos]}
    account = ctx.store.account(registry_id)
    state = account.regions.get(ctx.region) if account is not None else None
    repos = list(state.ecr.repositories.values()) if state is not None else []
    page, token = _page(repos, ctx.params.get("maxResults"), ctx.params.get("nextToken"))
    return {"repositories": [_repository_out(repo) for repo in page], "nextToken": token}


@op("ecr", "DeleteRepository", authz=_on_repository("ecr:DeleteRepository"))
def delete_repository(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    if repo.images and not ctx.params.get("force"):
        raise ServiceError(
            "RepositoryNotEmptyException",
            f"The repository with name '{repo.name}' in registry with id '{repo.registry_id}' cannot be deleted "
            "because it still contains images",
        )
    del ctx.store.account(repo.registry_id).region(ctx.region).ecr.repositories[repo.name]
    ecr_push.collect_garbage(ctx.store)
    return {"repository": _repository_out(repo)}


# ------------------------------------------------------------------------------------------------ images
def _media_type(manifest_text: str, given: str | None) -> tuple[str, dict]:
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        raise _invalid("Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
                       "'Invalid JSON syntax'") from None
    if not isinstance(manifest, dict):
        raise _invalid("Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
                       "'Invalid JSON syntax'")
    media_type = given or manifest.get("mediaType")
    if not media_type:
        # OCI manifests may omit mediaType; ECR then needs imageManifestMediaType (moto's wording).
        raise _invalid("image manifest mediatype not provided in manifest or parameter")
    if given and manifest.get("mediaType") and manifest["mediaType"] != given:
        # Unverified wording.
        raise _invalid("Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: "
                       "'does not match the mediaType of the manifest'")
    return media_type, manifest


def _manifest_size(manifest: dict, text: str) -> int:
    """Compressed size as ECR reports it: the layers' sizes (the manifest's own length if it lists none)."""
    layers = manifest.get("layers")
    if isinstance(layers, list):
        sizes = [layer.get("size") for layer in layers if isinstance(layer, dict)]
        total = sum(size for size in sizes if isinstance(size, int))
        if total:
            return total
    return len(text.encode("utf-8"))


def store_image(ctx: RequestContext, repo: Repository, text: str, media_type: str | None = None,
                tag: str | None = None, digest: str | None = None) -> Image:
    """PutImage's work, for the API and the registry endpoint alike: check the manifest and what it refers to,
    then store it and move ``tag`` onto it.  Raises ECR's errors; changes nothing when it does."""
    media_type, manifest = _media_type(text, media_type)
    computed = manifest_digest(text)
    if digest and digest != computed:
        raise ServiceError("ImageDigestDoesNotMatchException", "The specified image digest does not match the "
                           "digest that Amazon ECR calculated for the image.")
    existing = repo.images.get(computed)
    if existing is not None and (tag is None or tag in existing.tags):
        # aws/aws-sdk#750: pushing the same manifest with the same tag again is refused, mutable or not.
        raise ServiceError(
            "ImageAlreadyExistsException",
            f"Image with digest '{computed}' and tag '{tag or 'null'}' already exists in the repository with name "
            f"'{repo.name}' in registry with id '{repo.registry_id}'",
        )
    holder = repo.image_by_tag(tag) if tag else None
    if holder is not None and holder is not existing and _tag_immutable(repo, tag):
        # Text as docker push relays it (aws/containers-roadmap#862).
        raise ServiceError(
            "ImageTagAlreadyExistsException",
            f"The image tag '{tag}' already exists in the '{repo.name}' repository and cannot be overwritten "
            "because the repository is immutable.",
        )
    image = existing
    if image is None:
        ecr_push.check_references(ctx.store, repo, manifest, media_type)
        ecr_push.record_media_types(repo, manifest)
        config = manifest.get("config")
        image = Image(computed, text, media_type, ctx.store.clock.now(), _manifest_size(manifest, text),
                      artifact_media_type=config.get("mediaType") if isinstance(config, dict) else None)
        repo.images[computed] = image
    if tag:
        repo.tag(image, tag)
        if holder is not image:
            ecr_push.tag_moved(ctx.store, repo, tag, image)
    after_push(ctx, repo, image, tag)
    return image


@op("ecr", "PutImage", authz=_on_repository("ecr:PutImage"))
def put_image(ctx: RequestContext) -> dict:
    params = ctx.params
    repo, tag = repository_for_push(ctx), params.get("imageTag")
    image = store_image(ctx, repo, params["imageManifest"], params.get("imageManifestMediaType"), tag,
                        params.get("imageDigest"))
    return {"image": _image_out(repo, image, tag)}


def repository_for_push(ctx: RequestContext) -> Repository:
    """The repository a push names, created on push when a factory (creation template) allows it."""
    registry_id, name = _registry(ctx), ctx.params["repositoryName"]
    repo = _lookup(ctx, registry_id, name)
    for factory in REPOSITORY_FACTORIES if repo is None else ():
        repo = factory(ctx, registry_id, name)
        if repo is not None:
            break
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


def after_push(ctx: RequestContext, repo: Repository, image: Image, tag: str | None) -> None:
    for hook in PUSH_HOOKS:
        hook(ctx, repo, image, tag)


def _image_failure(image_id: dict, code: str, reason: str) -> dict:
    return {"imageId": dict(image_id), "failureCode": code, "failureReason": reason}


def _resolve(repo: Repository, image_id: dict) -> tuple[Image | None, dict | None]:
    """The image an ImageIdentifier names, or the failure entry ECR reports for it."""
    tag, digest = image_id.get("imageTag"), image_id.get("imageDigest")
    if not tag and not digest:
        return None, _image_failure(image_id, "MissingDigestAndTag",
                                    "Invalid request parameters: both tag and digest cannot be null")
    if digest and not _DIGEST.match(digest):
        return None, _image_failure(image_id, "InvalidImageDigest", "Invalid request parameters: image digest "
                                    "should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'")
    image = repo.find(tag, digest)
    if image is None:
        if tag and digest and repo.images.get(digest) is not None:
            return None, _image_failure(image_id, "ImageTagDoesNotMatchDigest",
                                        "Invalid request parameters: given tag does not map to the given digest")
        return None, _image_failure(image_id, "ImageNotFound", "Requested image not found")
    return image, None


def _resolve_each(repo: Repository, image_ids: list[dict], failures: list[dict]) -> Iterator[tuple[dict, Image]]:
    """A batch call's images, one at a time (so a batch may change the repository as it goes); an id that names
    none adds its failure to ``failures`` and is skipped, as ECR's batch operations do."""
    for image_id in image_ids:
        image, failure = _resolve(repo, image_id)
        if failure is not None:
            failures.append(failure)
        else:
            yield image_id, image


@op("ecr", "BatchGetImage", authz=_on_repository("ecr:BatchGetImage"))
def batch_get_image(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    failures: list[dict] = []
    found = list(_resolve_each(repo, ctx.params["imageIds"], failures))
    if found and _records_pulls(ctx, repo):
        for _image_id, image in found:
            image.last_pulled_at = ctx.store.clock.now()
    images = [_image_out(repo, image, image_id.get("imageTag")) for image_id, image in found]
    return {"images": images, "failures": failures}


def _records_pulls(ctx: RequestContext, repo: Repository) -> bool:
    """Whether a pull by the caller updates ``lastRecordedPullTime`` (not for principals of the registry's pull
    time update exclusion list)."""
    state = ctx.store.account(repo.registry_id).region(repo.region).ecr
    excluded = state.pull_time_exclusions
    return not excluded or not ({ctx.caller.arn, getattr(ctx.caller, "role_arn", None)} & set(excluded))


def _tag_status_filter(ctx: RequestContext) -> str:
    status = (ctx.params.get("filter") or {}).get("tagStatus", "ANY")
    if status not in _ALL_TAG_STATUS:
        raise _invalid(f"Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum "
                       f"value set: [{', '.join(_ALL_TAG_STATUS)}]'")
    return status


def _status_matches(image: Image, status: str) -> bool:
    return status == "ANY" or (status == "TAGGED") == bool(image.tags)


def _image_status_filter(ctx: RequestContext) -> Callable[[Image], bool]:
    """The filter's ``imageStatus`` (without one, only ACTIVE images are listed)."""
    wanted = (ctx.params.get("filter") or {}).get("imageStatus", "ACTIVE")
    return lambda image: wanted == "ANY" or image.status == wanted


@op("ecr", "DescribeImages", authz=_on_repository("ecr:DescribeImages"))
def describe_images(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    image_ids = ctx.params.get("imageIds")
    status = _tag_status_filter(ctx)
    if image_ids:
        found: list[Image] = []
        for image_id in image_ids:
            image, failure = _resolve(repo, image_id)
            if failure is not None:
                if failure["failureCode"] == "ImageNotFound":
                    raise image_not_found(image_id, repo.name, repo.registry_id)
                raise _invalid(failure["failureReason"])
            if image not in found:
                found.append(image)
        return {"imageDetails": [_image_detail(repo, image) for image in found]}
    storage = _image_status_filter(ctx)
    images = (image for image in repo.images.values() if _status_matches(image, status) and storage(image))
    page, token = _page(images, ctx.params.get("maxResults"), ctx.params.get("nextToken"))
    return {"imageDetails": [_image_detail(repo, image) for image in page], "nextToken": token}


def _image_ids(repo: Repository, status: str, storage: Callable[[Image], bool]) -> Iterator[dict]:
    """ListImages' entries, lazily: one per tag of a tagged image, one for an untagged image."""
    for image in repo.images.values():
        if not _status_matches(image, status) or not storage(image):
            continue
        if image.tags:
            yield from ({"imageDigest": image.digest, "imageTag": tag} for tag in image.tags)
        else:
            yield {"imageDigest": image.digest}


@op("ecr", "ListImages", authz=_on_repository("ecr:ListImages"))
def list_images(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    status = _tag_status_filter(ctx)
    page, token = _page(_image_ids(repo, status, _image_status_filter(ctx)), ctx.params.get("maxResults"),
                        ctx.params.get("nextToken"))
    return {"imageIds": page, "nextToken": token}


@op("ecr", "BatchDeleteImage", authz=_on_repository("ecr:BatchDeleteImage"))
def batch_delete_image(ctx: RequestContext) -> dict:
    """A tag alone removes that tag (the image goes with its last tag); a digest removes the image and its tags."""
    repo = _repository(ctx)
    deleted: list[dict] = []
    failures: list[dict] = []
    for image_id, image in _resolve_each(repo, ctx.params["imageIds"], failures):
        if image_id.get("imageDigest"):
            deleted.extend({"imageDigest": image.digest, "imageTag": tag} for tag in image.tags)
            if not image.tags:
                deleted.append({"imageDigest": image.digest})
            del repo.images[image.digest]
            continue
        tag = image_id["imageTag"]
        image.tags.remove(tag)
        deleted.append({"imageDigest": image.digest, "imageTag": tag})
        if not image.tags:
            del repo.images[image.digest]
    ecr_push.collect_garbage(ctx.store)
    return {"imageIds": deleted, "failures": failures}


# ------------------------------------------------------------------------------------------------ policies
@op("ecr", "SetRepositoryPolicy", authz=_on_repository("ecr:SetRepositoryPolicy"))
def set_repository_policy(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    text = ctx.params["policyText"]
    _validate_policy(ctx, text)
    repo.policy_text = text
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": text}


@op("ecr", "GetRepositoryPolicy", authz=_on_repository("ecr:GetRepositoryPolicy"))
def get_repository_policy(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    if repo.policy_text is None:
        raise _policy_not_found(repo)
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": repo.policy_text}


@op("ecr", "DeleteRepositoryPolicy", authz=_on_repository("ecr:DeleteRepositoryPolicy"))
def delete_repository_policy(ctx: RequestContext) -> dict:
    repo = _repository(ctx)
    if repo.policy_text is None:
        raise _policy_not_found(repo)
    text, repo.policy_text = repo.policy_text, None
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "policyText": text}


# ------------------------------------------------------------------------------------------------ tokens
@op("ecr", "GetAuthorizationToken", authz=_authz_token)
def get_authorization_token(ctx: RequestContext) -> dict:
    """A docker login token per registry: base64 of ``AWS:<password>``, valid 12 hours, accepted by the registry
    endpoint (``/v2/``) as the caller's identity (see :mod:`mockrunner.auth.registry_tokens`)."""
    registry_ids = ctx.params.get("registryIds") or [ctx.caller.account_id]
    expires = ctx.store.clock.now() + registry_tokens.LIFETIME
    data = []
    for registry_id in registry_ids:
        data.append({
            "authorizationToken": registry_tokens.issue(ctx, registry_id, expires),
            "expiresAt": expires,
            "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{ctx.region}.amazonaws.com",
        })
    return {"authorizationData": data}


# ------------------------------------------------------------------------------------------------ tags
def _arn_repository(ctx: RequestContext) -> Repository:
    region, registry_id, name = _parse_arn(ctx.params["resourceArn"])
    repo = _lookup(ctx, registry_id, name) if region == ctx.region else None
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


@op("ecr", "TagResource", authz=_on_arn("ecr:TagResource", request_tags=True))
def tag_resource(ctx: RequestContext) -> dict:
    repo = _arn_repository(ctx)
    repo.tags = _validate_tags(ctx.params["tags"], repo.tags)
    return {}


@op("ecr", "UntagResource", authz=_on_arn("ecr:UntagResource", tag_keys=True))
def untag_resource(ctx: RequestContext) -> dict:
    repo = _arn_repository(ctx)
    for key in ctx.params["tagKeys"]:
        repo.tags.pop(key, None)
    return {}


@op("ecr", "ListTagsForResource", authz=_on_arn("ecr:ListTagsForResource"))
def list_tags_for_resource(ctx: RequestContext) -> dict:
    return {"tags": _tags_out(_arn_repository(ctx).tags)}
