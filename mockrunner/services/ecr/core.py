"""What every ECR operation shares: errors, lookups, authorization on the repository, wire shapes, paging.

Every repository operation is authorized as ``ecr:<Operation>`` on the repository ARN, with the repository's
tags as ``aws:ResourceTag/*`` (and ECR's own ``ecr:ResourceTag/*``) and its repository policy as the resource
policy, so a repository in another account (``registryId``) is reachable exactly when AWS would allow it: the
caller's identity policy *and* the repository policy must both allow the action.

Error codes and messages follow real ECR; where no real message was found the text is marked "unverified".
Public helpers for other modules: :func:`parse_image_identifier`, :func:`find_repository`,
:func:`find_pullable_image`, :func:`put_image_record` (declare an image without pushing a manifest, for seed files).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, TypeVar

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.listing_cursors import LATER, Place, is_short_name, place_after, resume, short_name
from mockrunner.model.ecr import Image, Repository, manifest_digest, repository_arn
from mockrunner.model.ecr_applied_policies import applied_policies
from mockrunner.model.ecr_policies import repository_policy_problem
from mockrunner.model.principal_arns import unknown_principals
from mockrunner.numerals import is_decimal

if TYPE_CHECKING:
    from mockrunner.model.store import Store


T = TypeVar("T")
DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MAX_TAGS = 50
DIGEST = re.compile(r"^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+\Z")
INVALID_DIGEST = "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
"""ECR's answer (InvalidImageDigest) to a digest that is none."""
_REPOSITORY_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)\Z")
_IMAGE_URI = re.compile(
    r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)(?::([^:@/]+))?(?:@([^@]+))?\Z"
)
ALL_TAG_STATUS = ("TAGGED", "UNTAGGED", "ANY")
PushHook = Callable[[RequestContext, Repository, Image, "str | None"], None]
PUSH_HOOKS: list[PushHook] = []
"""What happens after an image is pushed (scan on push, signing, replication): each hook is called with the
repository, the image and the tag pushed, in registration order, by every operation that pushes."""
DeleteHook = Callable[[RequestContext, Repository, Image, "str | None"], None]
DELETE_HOOKS: list[DeleteHook] = []
"""What happens after an image is deleted (``tag``: ``None``) or loses a tag through BatchDeleteImage, the
registry's manifest DELETE or a lifecycle policy's expiry (delete replication): each hook is called with the
repository, the image and the tag."""
RepositoryFactory = Callable[[RequestContext, str, str], "Repository | None"]
REPOSITORY_FACTORIES: list[RepositoryFactory] = []
"""Who may create a repository that a push names but that does not exist (create on push): the first factory
returning one wins; each authorizes what it needs."""


def repository_not_found(name: str, registry_id: str) -> ServiceError:
    return ServiceError(
        "RepositoryNotFoundException",
        f"The repository with name '{name}' does not exist in the registry with id '{registry_id}'",
    )


def aws_managed_key(region: str, account_id: str) -> str:
    """The ARN of the account's AWS managed KMS key for ECR (``aws/ecr``) in ``region``, as a repository encrypted
    with KMS but no ``kmsKey`` reports it: a key ARN, stable per account and region."""
    key_id = uuid.uuid5(uuid.NAMESPACE_URL, f"arn:aws:kms:{region}:{account_id}:alias/aws/ecr")
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"


_KEY_ID = re.compile(r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})",
                     re.IGNORECASE)


def kms_key_arn(kms_key: str | None, region: str, account_id: str) -> str | None:
    """``kmsKey`` as a repository keeps and reports it: a bare key ID (a UUID, or ``mrk-`` and 32 hex digits)
    becomes the key's ARN in the repository's region and account; an ARN (or alias) stays as given.  Recorded from
    AWS (radkawar/stackd ``testdata/aws/ecr/*-resume-865a3a.json``, 2026-09-26): CreateRepository with ``kmsKey``
    ``68ab2c9a-...`` answered, and DescribeRepositories listed, ``arn:aws:kms:us-east-1:<account>:key/68ab2c9a-...``.
    An alias is kept as sent (*unverified*: AWS resolves it through KMS, which mockrunner does not serve)."""
    if kms_key is not None and _KEY_ID.fullmatch(kms_key):
        return f"arn:aws:kms:{region}:{account_id}:key/{kms_key}"
    return kms_key


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def image_not_found(image_id: dict, repository: str, registry_id: str) -> ServiceError:
    digest = image_id.get("imageDigest") or "null"
    tag = image_id.get("imageTag") or "null"
    return ServiceError(
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{digest}', imageTag:'{tag}'}} does not exist within the "
        f"repository with name '{repository}' in the registry with id '{registry_id}'",
    )


def policy_not_found(repository: Repository) -> ServiceError:
    return ServiceError(
        "RepositoryPolicyNotFoundException",
        f"Repository policy does not exist for the repository with name '{repository.name}' "
        f"in the registry with id '{repository.registry_id}'",
    )


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


def find_pullable_image(store: "Store", account_id: str, region: str, repository: str,
                        tag_or_digest: str) -> Image | None:
    """The image a tag or a digest (``sha256:...``) names in a repository, or ``None`` (also for an image that is
    archived or still activating: "Archived images cannot be pulled", ECR User Guide, "Archiving an image")."""
    repo = find_repository(store, account_id, region, repository)
    if repo is None:
        return None
    image = repo.images.get(tag_or_digest) if ":" in tag_or_digest else repo.image_by_tag(tag_or_digest)
    return image if image is not None and image.pullable else None


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


def registry_of(ctx: RequestContext) -> str:
    return ctx.params.get("registryId") or ctx.caller.account_id


def lookup_repository(ctx: RequestContext, registry_id: str, name: str) -> Repository | None:
    return find_repository(ctx.store, registry_id, ctx.region, name)


def _tag_context(prefix: str, tags: dict[str, str]) -> dict[str, Any]:
    return {f"{prefix}/{key}": value for key, value in tags.items()}


def _repository_check(ctx: RequestContext, action: str, registry_id: str, name: str,
                      extra: dict[str, Any] | None = None) -> Check:
    """``action`` on one repository: its tags as context, its policy (if any) as the resource policy, joined by
    the registry policy when the registry's policy scope is V2."""
    repo = lookup_repository(ctx, registry_id, name)
    context: dict[str, Any] = {}
    if repo is not None:
        context.update(_tag_context("aws:ResourceTag", repo.tags))
        context.update(_tag_context("ecr:ResourceTag", repo.tags))
    context.update(extra or {})
    policy, policy_id = _resource_policy(ctx, registry_id, repo)
    return Check(action, repository_arn(ctx.region, registry_id, name), context=context, resource_policy=policy,
                 resource_policy_id=policy_id, resource_account=registry_id)


def _resource_policy(ctx: RequestContext, registry_id: str, repo: Repository | None) -> tuple[Any, str | None]:
    """The repository policy and (scope V2) the registry policy as one compiled resource policy, with its id; a
    stored text the grammar cannot read is passed as is, so the engine refuses (fail closed)."""
    applied = applied_policies(ctx.store, ctx.region, registry_id, repo.name if repo is not None else None)
    return (applied.evaluable(), applied.policy_id) if applied is not None else (None, None)


def _request_tag_context(tags: Iterable[dict] | None = None, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """``aws:RequestTag/<key>`` per tag and ``aws:TagKeys`` (each key once); more distinct keys than a repository may
    have are refused first (:func:`tag_map`), before authorization."""
    given = tag_map(tags or [])
    context: dict[str, Any] = _tag_context("aws:RequestTag", given)
    tag_keys = list(given) if keys is None else list(keys)
    if tag_keys:
        context["aws:TagKeys"] = tag_keys
    return context


def on_repository(action: str):
    def authz(ctx: RequestContext) -> list[Check]:
        return [_repository_check(ctx, action, registry_of(ctx), ctx.params["repositoryName"])]

    return authz


def authz_create(ctx: RequestContext) -> list[Check]:
    """``ecr:CreateRepository`` on the new repository and, when it is created with tags, ``ecr:TagResource`` on it
    with the same keys (the Service Authorization Reference's dependent action of ecr:CreateRepository)."""
    check = _repository_check(ctx, "ecr:CreateRepository", registry_of(ctx), ctx.params["repositoryName"],
                              _request_tag_context(ctx.params.get("tags")))
    if not ctx.params.get("tags"):
        return [check]
    return [check, replace(check, action="ecr:TagResource")]


def authz_describe_repositories(ctx: RequestContext) -> list[Check]:
    registry_id = registry_of(ctx)
    names = ctx.params.get("repositoryNames")
    if not names:
        return [listing_check(ctx, registry_id)]
    return [_repository_check(ctx, "ecr:DescribeRepositories", registry_id, name) for name in names]


def listing_check(ctx: RequestContext, registry_id: str) -> Check:
    """``ecr:DescribeRepositories`` on every repository of the registry (DescribeRepositories without names, the
    registry's catalog), under the registry policy when its scope is V2: "enforces the registry policy in all ECR
    requests" (ECR User Guide, "Private registry permissions")."""
    policy, policy_id = _resource_policy(ctx, registry_id, None)
    return Check("ecr:DescribeRepositories", repository_arn(ctx.region, registry_id, "*"), resource_policy=policy,
                 resource_policy_id=policy_id, resource_account=registry_id)


def parse_repository_arn(arn: str) -> tuple[str, str, str]:
    match = _REPOSITORY_ARN.match(arn)
    if match is None:
        raise invalid("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
    region, account_id, name = match.groups()
    return region, account_id, name


def on_arn(action: str, request_tags: bool = False, tag_keys: bool = False):
    def authz(ctx: RequestContext) -> list[Check]:
        region, registry_id, name = parse_repository_arn(ctx.params["resourceArn"])
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


def authz_token(ctx: RequestContext) -> list[Check]:
    return [Check("ecr:GetAuthorizationToken", "*")]


def whole_seconds(value: datetime) -> datetime:
    """ECR answers a repository's ``createdAt`` and an image's ``imagePushedAt`` in whole seconds (unlike
    ``lastRecordedPullTime``, which keeps milliseconds); the stored time stays exact for lifecycle rules."""
    return value.replace(microsecond=0)


def repository_out(repo: Repository) -> dict:
    out = {
        "repositoryArn": repo.arn,
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "repositoryUri": repo.uri,
        "createdAt": whole_seconds(repo.created_at),
        "imageTagMutability": repo.image_tag_mutability,
        "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push},
        "encryptionConfiguration": {"encryptionType": repo.encryption_type, "kmsKey": repo.kms_key},
    }
    if repo.mutability_exclusion_filters:
        out["imageTagMutabilityExclusionFilters"] = [dict(f) for f in repo.mutability_exclusion_filters]
    return out


def image_out(repo: Repository, image: Image, tag: str | None) -> dict:
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "imageId": {"imageDigest": image.digest, "imageTag": tag},
        "imageManifest": image.manifest,
        "imageManifestMediaType": image.media_type,
    }


def image_detail(repo: Repository, image: Image) -> dict:
    return {
        "registryId": repo.registry_id,
        "repositoryName": repo.name,
        "imageDigest": image.digest,
        "imageTags": list(image.tags) or None,
        "imageSizeInBytes": image.size,
        "imagePushedAt": whole_seconds(image.pushed_at),
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


def tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def repository_of(ctx: RequestContext, registry_id: str | None = None, name: str | None = None) -> Repository:
    registry_id = registry_id or registry_of(ctx)
    name = name or ctx.params["repositoryName"]
    repo = lookup_repository(ctx, registry_id, name)
    if repo is None:
        raise repository_not_found(name, registry_id)
    return repo


_TOKEN_PREFIX = "mockrunner-offset:"
MAX_TOKEN_OFFSET = 10 ** 12
"""Largest offset a token may name: past every listing this model can hold (a forged bigger one is refused)."""
_PAGING_MEMBERS = frozenset({"nextToken", "maxResults"})


def _listing_of(ctx: RequestContext) -> str:
    """What a token is bound to: the operation, the caller's account and Region, and every request parameter but
    the paging ones, so a token is only good for the listing that issued it (another repository, image, filter
    or operation refuses it, as App Runner's and IAM's do)."""
    params = {key: value for key, value in ctx.params.items() if key not in _PAGING_MEMBERS}
    text = json.dumps([ctx.operation_name, ctx.caller.account_id, ctx.region, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _token_place(token: str, listing: str) -> Place:
    """Where ``token`` resumes ``listing``; ECR's InvalidParameterException for any other token."""
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
    except (ValueError, UnicodeError):
        text = ""
    offset, _, rest = text.removeprefix(_TOKEN_PREFIX).partition(":")
    bound, *names = rest.split(":")
    if not text.startswith(_TOKEN_PREFIX) or bound != listing or not is_decimal(offset) \
            or len(offset) > len(str(MAX_TOKEN_OFFSET)) or int(offset) > MAX_TOKEN_OFFSET \
            or not (names == [] or 2 <= len(names) <= 2 + LATER) or not all(is_short_name(name) for name in names):
        # Unverified wording: ECR's text for a token it did not issue.
        raise invalid("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'")
    return Place.named(int(offset), names)


_END = object()


def _resumed(items: Iterable, place: Place) -> tuple[int, Iterator]:
    """The offset ``place`` resumes ``items`` at (:mod:`mockrunner.listing_cursors`) and the items from there,
    drawing no more of a lazy ``items`` than the skipped ones and the next while the listing did not change."""
    remaining = iter(items)
    if place.next is None:
        return place.offset, islice(remaining, place.offset, None)
    skipped = list(islice(remaining, place.offset))
    following = next(remaining, _END)
    if following is not _END and short_name(following) == place.next:
        return place.offset, chain((following,), remaining)
    listed = skipped + ([] if following is _END else [following]) + list(remaining)
    start = resume(listed, place, short_name)
    return start, iter(listed[start:])


def token_page(ctx: RequestContext, items: Iterable, default: int = 100) -> tuple[list, str | None]:
    """One page of ``items`` for the request's ``maxResults`` and ``nextToken``, and the token of the next page.

    A cursor (:mod:`mockrunner.listing_cursors`) behind an opaque token bound to the listing (:func:`_listing_of`,
    worked out only when a token is read or written).  ``items`` may be lazy: only the page and the few items after
    it the token names are drawn, so a first page costs the same whatever the repository's size."""
    token = ctx.params.get("nextToken")
    listing = _listing_of(ctx) if token else None
    place = _token_place(token, listing) if token and listing else Place(0)
    size = ctx.params.get("maxResults") or default
    start, rest = _resumed(items, place)
    page = list(islice(rest, size))
    following = list(islice(rest, 1 + LATER))
    if not following:
        return page, None
    listing = listing or _listing_of(ctx)
    names = place_after(start + size, following, page[-1], short_name).names()
    return page, base64.urlsafe_b64encode(":".join([f"{_TOKEN_PREFIX}{start + size}", listing, *names]).encode()
                                          ).decode()


def same_prefix(collection: dict[str, T], prefix: str) -> T | None:
    """The entry of ``collection`` (rules or creation templates, by prefix) whose prefix is ``prefix`` with or
    without its trailing ``/``: ECR reads "There is always an assumed / applied to the end of the prefix", so
    ``prod`` and ``prod/`` are one prefix.  Two dictionary lookups, whatever the collection's size."""
    stem = prefix.rstrip("/")
    found = collection.get(stem)
    return found if found is not None else collection.get(stem + "/")


def too_many_tags() -> ServiceError:
    # ECR's model's description of the exception (botocore, every SDK), its quota included.
    return ServiceError("TooManyTagsException", "The list of tags on the repository is over the limit. The "
                        "maximum number of tags that can be applied to a repository is 50.")


def tag_map(tags: Iterable[dict], existing: dict[str, str] | None = None,
            check: Callable[[dict], None] = lambda tag: None,
            over_limit: Callable[[], ServiceError] = too_many_tags) -> dict[str, str]:
    """``existing`` updated with ``tags`` (the last value of a key repeated wins), each tag passed to ``check`` first;
    refused with ``over_limit()`` (TooManyTagsException) as soon as the key past ``MAX_TAGS`` is read.

    The model sets no bound on ``TagList``: a request of a million tags was read whole, and (from ``authz``) made an
    authorization context of a million keys under the store lock (1.5 s, every other request waiting) before the
    caller was found to have no permission at all.  No request naming more distinct keys can succeed."""
    merged = dict(existing or {})
    for tag in tags:
        check(tag)
        merged[tag["Key"]] = tag["Value"]
        if len(merged) > MAX_TAGS:
            raise over_limit()
    return merged


def tag_problem(tag: dict, member: str = "tags") -> str | None:
    """Why ECR refuses a tag given in request member ``member`` (wording *unverified*; the reserved ``aws:`` prefix
    itself is documented for every AWS tagging API), or None."""
    key = tag["Key"]
    if key.lower().startswith("aws:"):
        return (f"Invalid parameter at '{member}' failed to satisfy constraint: 'Tag keys with the prefix aws: are "
                "reserved for AWS use'")
    if len(key) > 128 or len(tag["Value"]) > 256:
        return ("An invalid parameter has been specified. Tag keys can have a maximum character length of 128 "
                "characters, and tag values can have a maximum length of 256 characters.")
    return None


def _check_tag(tag: dict) -> None:
    problem = tag_problem(tag)
    if problem is not None:
        raise ServiceError("InvalidTagParameterException", problem)


def validate_tags(tags: list[dict], existing: dict[str, str] | None = None,
                  over_limit: Callable[[], ServiceError] = too_many_tags,
                  check: Callable[[dict], None] = _check_tag) -> dict[str, str]:
    """The repository's tags after adding ``tags``; ECR refuses ``aws:`` keys and more than 50 tags (``over_limit``
    and ``check``: the errors of an operation that declares neither TooManyTagsException nor
    InvalidTagParameterException)."""
    return tag_map(tags, existing, check, over_limit)


def matches_wildcard(pattern: str, text: str) -> bool:
    """Whether ``text`` matches an ECR filter, in which only ``*`` is special (any run of characters, possibly none):
    tag patterns of lifecycle rules and mutability exclusions, repository filters of scanning rules.  Each literal
    piece is taken at its leftmost place in turn, which decides in linear time (a backtracking regex takes
    exponential time on ``*a*a*a*a*a*b`` against a long name)."""
    first, *rest = pattern.split("*")
    if not rest:
        return text == pattern
    last = rest.pop()
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in rest:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def tag_immutable(repo: Repository, tag: str) -> bool:
    """Whether pushing ``tag`` may not move it: the mode, inverted for tags matching an exclusion filter."""
    excluded = any(matches_wildcard(f.get("filter", ""), tag) for f in repo.mutability_exclusion_filters)
    mode = repo.image_tag_mutability
    return (mode.startswith("IMMUTABLE") and not excluded) or (mode == "MUTABLE_WITH_EXCLUSION" and excluded)


MAX_EXCLUSION_WILDCARDS = 2
"""``*`` allowed in one tag mutability exclusion filter: the limit terraform-provider-aws's
``aws_ecr_repository`` validates (``internal/service/ecr/repository.go``; ``repository_test.go``'s
``TestAccECRRepository_immutabilityWithExclusion_validation`` expects "Image tag mutability exclusion filter can
contain a maximum of 2 wildcards").  ECR's API model does not state it."""


def validate_mutability(mode: str, filters: list[dict]) -> None:
    """A tag mutability mode with its exclusion filters: filters only (and always) with a ``*_WITH_EXCLUSION``
    mode, each with at most ``MAX_EXCLUSION_WILDCARDS`` wildcards."""
    for f in filters:
        if f.get("filter", "").count("*") > MAX_EXCLUSION_WILDCARDS:
            # Unverified wording; the provider's own message is the sentence quoted here.
            raise invalid("Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: "
                          f"'Image tag mutability exclusion filter can contain a maximum of "
                          f"{MAX_EXCLUSION_WILDCARDS} wildcards'")
    if mode.endswith("_WITH_EXCLUSION") and not filters:
        # ECR's text, quoted through CloudFormation in aws/aws-cdk#35246.
        raise invalid(f"Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: "
                       f"'ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as {mode}'")
    if filters and not mode.endswith("_WITH_EXCLUSION"):
        raise invalid(f"Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: "
                       f"'cannot be specified when imageTagMutability is {mode}'")


def validate_policy(ctx: RequestContext, text: str) -> None:
    """A repository policy: ECR's repository policy grammar (``model.ecr_policies``), then its principals."""
    refuse_bad_policy(ctx, text, repository_policy_problem(text))


def refuse_bad_policy(ctx: RequestContext, text: str, problem: str | None) -> None:
    """ECR's refusal of a repository or registry policy: ``problem``, what its grammar found, else every IAM user or
    role the policy names in an account of this mockrunner must exist ("Principal not found",
    hashicorp/terraform-provider-aws#39064; for registry policies unverified, the same check being plausible)."""
    if problem is None and next(unknown_principals(json.loads(text), ctx.store.account), None) is not None:
        problem = "Principal not found"
    if problem is not None:
        raise invalid(f"Invalid parameter at 'PolicyText' failed to satisfy constraint: '{problem}'")
