"""Images: PutImage (and ``store_image``, the push every way in shares), BatchGetImage, DescribeImages, ListImages,
BatchDeleteImage (the layer operations are in :mod:`mockrunner.services.ecr.layers`, what a push does with blobs
in :mod:`mockrunner.services.ecr.push`)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from mockrunner import json_nesting
from mockrunner.auth.caller import Caller
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model import manifest_formats
from mockrunner.model.ecr import (
    INDEX_MEDIA_TYPES,
    Image,
    Repository,
    image_references,
    manifest_digest,
    manifest_references,
)
from mockrunner.services.ecr import image_quotas
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.ecr.core import (
    ALL_TAG_STATUS,
    DELETE_HOOKS,
    DIGEST,
    INVALID_DIGEST,
    PUSH_HOOKS,
    REPOSITORY_FACTORIES,
    image_detail,
    image_not_found,
    image_out,
    invalid,
    lookup_repository,
    on_repository,
    registry_of,
    repository_not_found,
    repository_of,
    tag_immutable,
    token_page,
)
from mockrunner.services.registry import op

if TYPE_CHECKING:
    from mockrunner.model.store import Store


MANIFEST_MEDIA_TYPES = frozenset({
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
})
"""The manifest formats ECR stores ("Container image manifest formats", ECR User Guide: Docker Image Manifest V2
Schema 1 and 2, their manifest list, OCI image manifests and indexes)."""
MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")
"""A media type as a descriptor may give it: RFC 6838's ``type/subtype`` names (the OCI image spec's descriptor
grammar) without parameters, which ECR refuses (sigstore/sigstore-js#1058: no ``;``)."""
_DESCRIBED = ("config", "layers", "blobs", "manifests", "subject")
IMAGE_TAG = re.compile(r"[a-zA-Z0-9-_.]+")
"""What ECR takes as an image tag (its refusal quotes the expression: alexjurkiewicz/ecr-scan-image#40,
datawire/forge#99); the model only bounds the length (1-300)."""


def checked_tags(tags: Iterable[str | None]) -> None:
    """Refuse the request (before it changes anything) when a tag it names is not one ECR takes."""
    for tag in tags:
        if tag is not None and not IMAGE_TAG.fullmatch(tag):
            raise invalid("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular "
                          "expression '[a-zA-Z0-9-_.]+''")


def _checked_ids(image_ids: list[dict] | None) -> list[dict]:
    checked_tags(image_id.get("imageTag") for image_id in image_ids or ())
    return image_ids or []


def invalid_json() -> ServiceError:
    """PutImage's answer to a manifest it cannot parse, or whose media types it does not take (falcoctl#302: an
    artifact manifest ECR refused, relayed as ``405 unsupported``)."""
    return invalid("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")


def is_media_type(value: object) -> bool:
    """``value`` is a media type ECR takes in a descriptor (:data:`MEDIA_TYPE`): one that is also safe to name in
    an HTTP header."""
    return isinstance(value, str) and MEDIA_TYPE.fullmatch(value) is not None


OCI_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
"""A digest as the OCI image spec's descriptor grammar writes it (``algorithm ":" encoded``)."""


def is_digest(value: object) -> bool:
    """``value`` is a digest of the OCI grammar (:data:`OCI_DIGEST`), which is also safe to name in an HTTP header."""
    return isinstance(value, str) and OCI_DIGEST.fullmatch(value) is not None


def _subject_refused(manifest: dict) -> bool:
    """Whether the manifest's ``subject`` names a digest that is not one (the registry answers a push with the
    subject's digest in ``OCI-Subject``: a CR or LF there made the answer unsendable, a 500 after the image was
    stored)."""
    subject = manifest.get("subject")
    return isinstance(subject, dict) and "digest" in subject and not is_digest(subject["digest"])


def _descriptor_types_refused(manifest: dict) -> bool:
    """Whether a descriptor of the manifest (config, layers, blobs, manifests, subject) or its ``artifactType``
    names a media type that is not :func:`is_media_type`."""
    described = []
    for key in _DESCRIBED:
        value = manifest.get(key)
        described += value if isinstance(value, list) else [value]
    types = [item["mediaType"] for item in described if isinstance(item, dict) and "mediaType" in item]
    if "artifactType" in manifest:
        types.append(manifest["artifactType"])
    return not all(is_media_type(value) for value in types)


def _media_type(manifest_text: str, given: str | None) -> tuple[str, dict]:
    try:
        # NaN, Infinity and 1e999 are no JSON (RFC 8259): ECR's answer to text it cannot parse; stored, they made the
        # referrers answers no strict parser reads
        manifest = json_nesting.loads_finite(manifest_text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise invalid_json() from None
    if not isinstance(manifest, dict):
        raise invalid_json()
    media_type = given or manifest.get("mediaType")
    if not media_type:
        # OCI manifests may omit mediaType; ECR then needs imageManifestMediaType and, without it, answers as for
        # unparsable JSON (aws/aws-cli#8620, boto3#3295, containers/image#584).
        raise invalid_json()
    if given and manifest.get("mediaType") and manifest["mediaType"] != given:
        # Unverified wording.
        raise invalid("Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: "
                       "'does not match the mediaType of the manifest'")
    if not isinstance(media_type, str) or media_type not in MANIFEST_MEDIA_TYPES \
            or _descriptor_types_refused(manifest) or _subject_refused(manifest):
        raise invalid_json()  # the text for these: unverified (ECR's answer to a manifest it will not take)
    return media_type, manifest


_SCHEMA_1 = frozenset({"application/vnd.docker.distribution.manifest.v1+json",
                       "application/vnd.docker.distribution.manifest.v1+prettyjws"})


def _well_formed(manifest: dict, media_type: str) -> bool:
    """The members the manifest's format requires: ``schemaVersion`` 1 (Docker V2 Schema 1, whose ``fsLayers`` is a
    list of objects naming a digest in ``blobSum``) or 2 (every other format); an image manifest's ``config``
    descriptor and ``layers`` list, an index's ``manifests`` list, each descriptor an object with a ``digest`` string
    and an integer ``size`` (the OCI image spec's JSON schemas and Docker's Image Manifest V2 Schema 2; distribution
    refuses the rest too)."""
    version = manifest.get("schemaVersion")
    if type(version) is not int or version != (1 if media_type in _SCHEMA_1 else 2):
        return False
    if media_type in _SCHEMA_1:
        layers = manifest.get("fsLayers")
        return isinstance(layers, list) and all(isinstance(item, dict) and is_digest(item.get("blobSum"))
                                                 for item in layers)
    if media_type in INDEX_MEDIA_TYPES:
        described = manifest.get("manifests")
    else:
        layers = manifest.get("layers")
        described = [manifest.get("config"), *layers] if isinstance(layers, list) else None
    return isinstance(described, list) and all(_is_descriptor(item) for item in described) \
        and all(_is_annotations(item.get("annotations", {})) for item in (manifest, *described))


LARGEST_SIZE = 2 ** 63 - 1
"""A descriptor's ``size`` is an int64 (the OCI image spec's descriptor), and so is the ``imageSizeInBytes`` ECR
reports (a ``long`` in its model): an image whose declared sizes add up past it is refused like a descriptor past it,
as one ECR could neither report nor keep (the state file holds 64-bit numbers only)."""


def _is_annotations(value: object) -> bool:
    """"Annotations MUST be a key-value map where both the key and value MUST be strings" (the OCI image spec)."""
    return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())


MAX_LAYERS = 500
"""The most layers ECR takes in one image; more is "Limit on number of layers per image exceeded" (docs/behaviour.md,
"Hostile input: forty-sixth pass")."""


def _too_many_layers(manifest: dict) -> bool:
    layers = manifest.get("fsLayers" if manifest.get("schemaVersion") == 1 else "layers")
    return isinstance(layers, list) and len(layers) > MAX_LAYERS


def _is_descriptor(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("digest"), str) \
        and type(item.get("size")) is int and 0 <= item["size"] <= LARGEST_SIZE


def artifact_type(manifest: dict) -> str | None:
    """An image's artifact type as the OCI image spec defines it: the manifest's ``artifactType``, else its
    config's media type (none for an index without ``artifactType``)."""
    declared = manifest.get("artifactType")
    if isinstance(declared, str) and declared:
        return declared
    config = manifest.get("config")
    media_type = config.get("mediaType") if isinstance(config, dict) else None
    return media_type if isinstance(media_type, str) else None


def _manifest_size(repo: Repository, manifest: dict, text: str) -> int:
    """Compressed size as ECR reports it: the layers' and the config's sizes (the manifest's own length if it lists
    no layer; recorded from AWS, 2026-09-26: radkawar/stackd, testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-
    resume-61a808.json, "describe_image": a 137-byte layer and a 215-byte config are 352); for an index, "the max
    size of all manifests in the list" (the model's ``imageSizeInBytes``), which are images of the repository by
    then."""
    listed = [repo.images[digest].size for digest in manifest_references(manifest).manifests if digest in repo.images]
    if listed:
        return max(listed)
    layers = manifest.get("layers")
    if isinstance(layers, list):
        sizes = [layer.get("size") for layer in layers if isinstance(layer, dict)]
        total = sum(size for size in sizes if isinstance(size, int))
        if total:
            config = manifest.get("config")
            config_size = config.get("size") if isinstance(config, dict) else None
            return total + (config_size if type(config_size) is int else 0)
    return len(text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class ManifestReading:
    """What a manifest's text says by itself, read before the store lock is taken (:func:`read_manifest`): its media
    type (the one given, else its own), its parsed document, its digest and whether it has the members its format
    requires; or the refusal its text makes (``refusal``: the others are then empty).  Parsing a 4 MiB manifest
    took 0.37 s, held under the store lock by every push of it."""

    text: str
    given: str | None
    media_type: str = ""
    manifest: dict = field(default_factory=dict)
    digest: str = ""
    well_formed: bool = False
    refusal: ServiceError | None = None


def read_manifest(text: str, given: str | None) -> ManifestReading:
    """The :class:`ManifestReading` of ``text`` pushed with the media type ``given`` (pure work on the request's
    bytes; a refusal is kept, to be answered where :func:`store_image` answers it)."""
    try:
        media_type, manifest = _media_type(text, given)
    except ServiceError as refusal:
        return ManifestReading(text, given, refusal=refusal)
    return ManifestReading(text, given, media_type, manifest, manifest_digest(text), _well_formed(manifest, media_type))


def _prepare_put_image(params: dict) -> ManifestReading:
    """PutImage's manifest, read outside the store lock (:data:`mockrunner.services.registry.Prepare`)."""
    return read_manifest(params["imageManifest"], params.get("imageManifestMediaType"))


def store_image(ctx: RequestContext, repo: Repository, text: str, media_type: str | None = None,
                tag: str | None = None, digest: str | None = None, reading: ManifestReading | None = None) -> Image:
    """PutImage's work, for the API and the registry endpoint alike: check the manifest and what it refers to,
    then store it and move ``tag`` onto it.  Raises ECR's errors; changes nothing when it does.  ``reading``: the
    manifest's :func:`read_manifest`, made before the store lock was taken (used only when made of this very text
    and media type; else the manifest is read here)."""
    if reading is None or reading.text is not text or reading.given != media_type:
        reading = read_manifest(text, media_type)
    if reading.refusal is not None:
        raise reading.refusal
    media_type, manifest, computed = reading.media_type, reading.manifest, reading.digest
    if digest and digest != computed:
        # ECR's text, as the registry answers it (google/go-containerregistry#1568).
        raise ServiceError("ImageDigestDoesNotMatchException", f"The image with digest '{digest}' in repository "
                           f"'{repo.name}' and registry ID '{repo.registry_id}' does not match the image digest that "
                           "Amazon ECR has calculated.")
    existing = repo.images.get(computed)
    if existing is None and not reading.well_formed:
        # A manifest already stored (a seeded image's, or one stored before this check) may be tagged again.
        raise invalid_json()  # the text for this cause: unverified
    if existing is None and _too_many_layers(manifest):
        raise invalid("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Limit on number of layers "
                      "per image exceeded'")
    # "The image can be restored as an active image ... by re-pushing the image to the repository" (ECR User Guide,
    # "Archiving an image"): a push of an archived (or still activating) image is no repeat.
    restoring = existing is not None and not existing.pullable
    if existing is not None and not restoring and (tag is None or tag in existing.tags):
        # aws/aws-sdk#750: pushing the same manifest with the same tag again is refused, mutable or not.
        raise ServiceError(
            "ImageAlreadyExistsException",
            f"Image with digest '{computed}' and tag '{tag or 'null'}' already exists in the repository with name "
            f"'{repo.name}' in registry with id '{repo.registry_id}'",
        )
    holder = repo.image_by_tag(tag) if tag else None
    if holder is not None and holder is not existing and tag_immutable(repo, tag):
        # Recorded from AWS, 2026-09-26 (radkawar/stackd, testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-
        # 61a808.json, "immutable_retag_changed_bytes"); aws/containers-roadmap#862 quoted "the repository is".
        raise ServiceError(
            "ImageTagAlreadyExistsException",
            f"The image tag '{tag}' already exists in the '{repo.name}' repository and cannot be overwritten "
            "because the tag is immutable.",
        )
    refused = image_quotas.refusal(repo, existing, tag)
    if refused is not None:
        raise refused
    image = existing
    if image is None:
        size = _manifest_size(repo, manifest, text)
        if size > LARGEST_SIZE:
            raise invalid_json()  # the text for this cause: unverified
        ecr_push.check_references(ctx.store, repo, manifest, media_type)
        ecr_push.record_media_types(repo, manifest)
        image = Image(computed, text, media_type, ctx.store.clock.now(), size,
                      artifact_media_type=artifact_type(manifest))
        repo.images[computed] = image
    elif restoring:
        image.status, image.last_activated_at, image.activates_at = "ACTIVE", ctx.store.clock.now(), None
    if tag:
        repo.tag(image, tag)
        if holder is not image:
            ecr_push.tag_moved(ctx.store, repo, tag, image)
    after_push(ctx, repo, image, tag)
    return image


@op("ecr", "PutImage", authz=on_repository("ecr:PutImage"), prepare=_prepare_put_image)
def put_image(ctx: RequestContext) -> dict:
    params = ctx.params
    checked_tags([params.get("imageTag")])
    existed = lookup_repository(ctx, registry_of(ctx), params["repositoryName"]) is not None
    repo, tag = repository_for_push(ctx), params.get("imageTag")
    try:
        image = store_image(ctx, repo, params["imageManifest"], params.get("imageManifestMediaType"), tag,
                            params.get("imageDigest"), ctx.prepared)
    except ServiceError:
        if not existed:  # created on push for an image that was refused: the call changes nothing
            del ctx.store.account(repo.registry_id).region(ctx.region).ecr.repositories[repo.name]
        raise
    return {"image": image_out(repo, image, tag)}


def repository_for_push(ctx: RequestContext) -> Repository:
    """The repository a push names, created on push when a factory (creation template) allows it."""
    registry_id, name = registry_of(ctx), ctx.params["repositoryName"]
    repo = lookup_repository(ctx, registry_id, name)
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


ARCHIVED_REASON = "The requested image is archived and cannot be pulled."
"""BatchGetImage's failure for an image that is not :attr:`Image.pullable` (``ImageInaccessible``, the failure code
ECR's model gained with archiving; the reason's wording is unverified)."""


def _resolve(repo: Repository, image_id: dict) -> tuple[Image | None, dict | None]:
    """The image an ImageIdentifier names, or the failure entry ECR reports for it."""
    tag, digest = image_id.get("imageTag"), image_id.get("imageDigest")
    if not tag and not digest:
        return None, _image_failure(image_id, "MissingDigestAndTag",
                                    "Invalid request parameters: both tag and digest cannot be null")
    if digest and not DIGEST.match(digest):
        return None, _image_failure(image_id, "InvalidImageDigest", INVALID_DIGEST)
    image = repo.find(tag, digest)
    if image is None:
        # A tag some other image carries does not match the digest; a tag no image carries is simply not found,
        # whether or not the digest exists (moto's and LocalStack's ECR tests agree; AWS does not document it).
        if tag and digest and repo.image_by_tag(tag) is not None:
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


@op("ecr", "BatchGetImage", authz=on_repository("ecr:BatchGetImage"))
def batch_get_image(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    failures: list[dict] = []
    found = []
    for image_id, image in _resolve_each(repo, _checked_ids(ctx.params["imageIds"]), failures):
        if image.pullable:
            found.append((image_id, image))
        else:
            failures.append(_image_failure(image_id, "ImageInaccessible", ARCHIVED_REASON))
    for _image_id, image in found:
        ctx.state_changed |= record_pull(ctx.store, repo, image, ctx.caller)
    accepted = ", ".join(ctx.params.get("acceptedMediaTypes") or [])
    conversions: dict[str, tuple[str, str, str] | None] = {}
    images = [_in_accepted_format(image_out(repo, image, image_id.get("imageTag")), image, image_id, accepted,
                                  conversions) for image_id, image in found]
    return {"images": images, "failures": failures}


def _in_accepted_format(out: dict, image: Image, image_id: dict, accepted: str,
                        conversions: dict[str, tuple[str, str, str] | None]) -> dict:
    """An image asked for by tag alone, converted between Docker V2 Schema 2 and OCI when ``acceptedMediaTypes``
    does not take its stored format, as a registry pull by tag is (:mod:`mockrunner.model.manifest_formats`);
    the answer names the converted manifest's digest (*unverified*).  ``conversions`` (by image digest) keeps one
    request from converting an image it names again: 100 ids naming one 4 MB manifest converted it 100 times
    under the store lock (3.5 s)."""
    if not accepted or image_id.get("imageDigest") or image.manifest is None:
        return out
    if image.digest not in conversions:
        converted = manifest_formats.for_client(image.media_type, image.manifest, accepted)
        conversions[image.digest] = None if converted is None else (*converted, manifest_digest(converted[1]))
    conversion = conversions[image.digest]
    if conversion is None:
        return out
    media_type, text, digest = conversion
    return {**out, "imageId": {**out["imageId"], "imageDigest": digest},
            "imageManifest": text, "imageManifestMediaType": media_type}


PULL_RESOLUTION = timedelta(minutes=1)
"""A pull within this long of the recorded one is not recorded again.  ECR "refreshes the last image pull timestamp
at least once every 24 hours" (ImageDetail ``lastRecordedPullTime``: pulls more frequent than that may not move
it); recording every pull saved the whole state under the store lock for each manifest GET of a reader."""


def record_pull(store: "Store", repo: Repository, image: Image, caller: Caller) -> bool:
    """Record a pull of ``image`` (BatchGetImage, a registry manifest GET) as its ``lastRecordedPullTime``, unless
    the caller (user, or the role of a role session) is on the registry's pull time update exclusion list or the
    recorded pull is less than :data:`PULL_RESOLUTION` old; whether the state changed (the request must then be
    saved like a mutation)."""
    excluded = store.account(repo.registry_id).region(repo.region).ecr.pull_time_exclusions
    if excluded and {caller.arn, caller.role_arn} & set(excluded):
        return False
    now = store.clock.now()
    if image.last_pulled_at is not None and timedelta(0) <= now - image.last_pulled_at < PULL_RESOLUTION:
        return False
    image.last_pulled_at = now
    return True


def _tag_status_filter(ctx: RequestContext) -> str:
    status = (ctx.params.get("filter") or {}).get("tagStatus", "ANY")
    if status not in ALL_TAG_STATUS:
        raise invalid(f"Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum "
                       f"value set: [{', '.join(ALL_TAG_STATUS)}]'")
    return status


def _status_matches(image: Image, status: str) -> bool:
    return status == "ANY" or (status == "TAGGED") == bool(image.tags)


def _image_status_filter(ctx: RequestContext) -> Callable[[Image], bool]:
    """The filter's ``imageStatus`` (without one, only ACTIVE images are listed)."""
    wanted = (ctx.params.get("filter") or {}).get("imageStatus", "ACTIVE")
    return lambda image: wanted == "ANY" or image.status == wanted


@op("ecr", "DescribeImages", authz=on_repository("ecr:DescribeImages"))
def describe_images(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    image_ids = _checked_ids(ctx.params.get("imageIds"))
    status = _tag_status_filter(ctx)
    if image_ids:
        found: list[Image] = []
        for image_id in image_ids:
            image, failure = _resolve(repo, image_id)
            if failure is not None:
                if failure["failureCode"] == "ImageNotFound":
                    raise image_not_found(image_id, repo.name, repo.registry_id)
                raise invalid(failure["failureReason"])
            if image not in found:
                found.append(image)
        return {"imageDetails": [image_detail(repo, image) for image in found]}
    storage = _image_status_filter(ctx)
    images = (image for image in repo.images.values() if _status_matches(image, status) and storage(image))
    page, token = token_page(ctx, images)
    return {"imageDetails": [image_detail(repo, image) for image in page], "nextToken": token}


def _image_ids(repo: Repository, status: str, storage: Callable[[Image], bool]) -> Iterator[dict]:
    """ListImages' entries, lazily: one per tag of a tagged image, one for an untagged image."""
    for image in repo.images.values():
        if not _status_matches(image, status) or not storage(image):
            continue
        if image.tags:
            yield from ({"imageDigest": image.digest, "imageTag": tag} for tag in image.tags)
        else:
            yield {"imageDigest": image.digest}


@op("ecr", "ListImages", authz=on_repository("ecr:ListImages"))
def list_images(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    status = _tag_status_filter(ctx)
    page, token = token_page(ctx, _image_ids(repo, status, _image_status_filter(ctx)))
    return {"imageIds": page, "nextToken": token}


@op("ecr", "BatchDeleteImage", authz=on_repository("ecr:BatchDeleteImage"))
def batch_delete_image(ctx: RequestContext) -> dict:
    """A tag alone removes that tag (the image goes with its last tag); a digest removes the image and its tags."""
    repo = repository_of(ctx)
    deleted: list[dict] = []
    failures: list[dict] = []
    naming = manifest_lists(repo.images.values())
    for image_id, image in _resolve_each(repo, _checked_ids(ctx.params["imageIds"]), failures):
        tag = None if image_id.get("imageDigest") else image_id["imageTag"]
        refusal = deletion_refusal(repo, image, tag, naming)
        if refusal is not None:
            failures.append(_image_failure(image_id, "ImageReferencedByManifestList", refusal))
        else:
            deleted.extend(delete_image(ctx, repo, image, tag))
    ecr_push.collect_garbage(ctx.store)
    return {"imageIds": deleted, "failures": failures}


def deletion_refusal(repo: Repository, image: Image, tag: str | None,
                     naming: dict[str, list[str]] | None = None) -> str | None:
    """Why ECR refuses to delete ``image`` (or its last tag ``tag``), or None: an image a manifest list or image
    index of the repository names stays until that index is deleted; removing one of several tags always works.
    The text is ECR's (its user guide quotes the registry's answer, scripts quote BatchDeleteImage's failure).
    ``naming`` is :func:`manifest_lists` of the repository's images, taken once for a batch (indexes deleted
    since are skipped), so a batch reads each index manifest once."""
    if tag is not None and len(image.tags) > 1:
        return None
    if naming is None:
        naming = manifest_lists(repo.images.values())
    indexes = [digest for digest in naming.get(image.digest, ()) if digest in repo.images]
    return f"Requested image referenced by manifest list: [{', '.join(indexes)}]" if indexes else None


def manifest_lists(images: Iterable[Image]) -> dict[str, list[str]]:
    """The digests of the manifest lists and image indexes among ``images`` that name each image, by its digest."""
    naming: dict[str, list[str]] = {}
    for other in images:
        if other.media_type in INDEX_MEDIA_TYPES:
            for digest in image_references(other).manifests:
                naming.setdefault(digest, []).append(other.digest)
    return naming


def delete_image(ctx: RequestContext, repo: Repository, image: Image, tag: str | None) -> list[dict]:
    """BatchDeleteImage's work on one image (for the API and the registry's manifest DELETE): ``tag`` alone is
    removed, the image going with its last tag; without a tag the image goes with all its tags (then the
    :data:`DELETE_HOOKS` run).  The image ids deleted; the caller collects the blobs nothing refers to any more."""
    if tag is not None:
        image.tags.remove(tag)
        deleted = [{"imageDigest": image.digest, "imageTag": tag}]
    else:
        deleted = [{"imageDigest": image.digest, "imageTag": each} for each in image.tags] or [
            {"imageDigest": image.digest}]
    if tag is None or not image.tags:
        del repo.images[image.digest]
    for hook in DELETE_HOOKS:
        hook(ctx, repo, image, tag)
    return deleted
