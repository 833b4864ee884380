"""What pushing and pulling an image does to a repository, shared by ECR's API and the registry endpoint.

Layer uploads become blobs of the store's blob store and records in the repository (:class:`Layer`); a manifest
may only name blobs (config and layers) and, for an index, images that are in the repository; blobs no image
refers to are collected once they are older than :data:`UNREFERENCED_GRACE`.  Every failure is ECR's own
error (``ServiceError``), which the registry endpoint translates into its JSON error codes.

Uploads are bounded: one not completed within :data:`UPLOAD_LIFETIME` (store clock) is gone, its bytes freed,
and its id answers as an unknown one; a repository has at most :data:`MAX_UPLOADS` in progress; a layer is at
most :data:`MAX_LAYER_SIZE`.  Expired uploads are dropped when uploads are started or an expired one is looked
up, and with the garbage (at start and when images or repositories are deleted), always under the store lock.

Messages marked "unverified" are plausible texts in ECR's usual phrasing where no real message was found.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from mockrunner.errors import ServiceError
from mockrunner.model import blobs
from mockrunner.model.ecr import (
    FOREIGN_LAYER_MEDIA_TYPES,
    INDEX_MEDIA_TYPES,
    Layer,
    Repository,
    image_references,
    manifest_references,
)

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.blobs import Upload
    from mockrunner.model.ecr import Image
    from mockrunner.model.store import Store

MIB = 1024 * 1024
PART_SIZE = 10 * MIB
"""The part size InitiateLayerUpload suggests, and the largest part UploadLayerPart takes: ECR's quota "Maximum
layer part size" (10 MiB), the ``partSize`` the AWS CLI's example shows (10485760); botocore's model would let
``layerPartBlob`` be 20 MiB."""
MIN_PART_SIZE = 5 * MIB
"""Every part but the last must be at least this big (ECR's quota "Minimum layer part size")."""
MAX_PARTS = 4200
"""Layer parts per upload through the API (ECR's quota "Layer parts")."""
MAX_LAYER_SIZE = 52_000 * MIB
"""ECR's quota "Maximum layer size", for the API and the registry endpoint alike."""
MAX_UPLOADS = 1000
"""Uploads in progress per repository (mockrunner's bound: ECR publishes none)."""
UPLOAD_LIFETIME = timedelta(hours=168)
"""How long an upload may stay incomplete, from its start (mockrunner's choice: ECR publishes none; the
registry's reference implementation purges uploads started 168 hours ago)."""
UNREFERENCED_GRACE = timedelta(hours=24)
"""How long a blob no image refers to is kept (ECR: unassociated layers "may be cleaned up at any time")."""
DOWNLOAD_URL_LIFETIME = timedelta(hours=1)
"""How long a GetDownloadUrlForLayer URL works (real ones are presigned S3 URLs; their lifetime is unverified)."""


TagListener = Callable[["Store", Repository, str, "Image"], None]
TAG_LISTENERS: list[TagListener] = []
"""Called (store lock held) when a push points a tag at a different image: App Runner's automatic deployments
register here, so ECR need not know about them."""


def tag_moved(store: "Store", repo: Repository, tag: str, image: "Image") -> None:
    for listener in TAG_LISTENERS:
        listener(store, repo, tag, image)


def owner(repo: Repository) -> tuple[str, str, str]:
    """The repository's place (registry, region, name): what a download URL is signed for."""
    return (repo.registry_id, repo.region, repo.name)


def upload_owner(repo: Repository) -> tuple[str, str, str, str]:
    """Whose an upload is: ECR's upload ids are only valid for the repository that started them, so the owner is
    that repository itself (its place and its creation time), never a namesake created after it was deleted."""
    return (*owner(repo), repo.created_at.isoformat())


# ------------------------------------------------------------------------------------------------ errors
def upload_not_found(repo: Repository, upload_id: str) -> ServiceError:
    # Unverified wording.
    return ServiceError("UploadNotFoundException", f"Upload with id '{upload_id}' does not exist in the repository "
                        f"with name '{repo.name}' in the registry with id '{repo.registry_id}'")


def layers_not_found(repo: Repository, digest: str) -> ServiceError:
    # monken/aws-ecr-public#11 (GetDownloadUrlForLayer), quotes as ECR's other not-found messages put them.
    return ServiceError("LayersNotFoundException", f"The layer with digest '{digest}' does not exist within the "
                        f"repository with name '{repo.name}' in the registry with id '{repo.registry_id}'")


def _missing(kind: str, repo: Repository, digests: list[str]) -> str:
    # int128/docker-manifest-create-action#63 quotes the manifest list text. The layer text, its comma without a space
    # and its order (the layers, then the config) are recorded from AWS, 2026-09-26 (radkawar/stackd,
    # testdata/aws/ecr/stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "foreign_repository_layers").
    return (f"{kind} with digests '[{','.join(digests)}]' required for pushing image into repository with name "
            f"'{repo.name}' in the registry with id '{repo.registry_id}' do not exist")


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceededException", message)  # unverified wordings: ECR's are not on record


def layer_too_large(repo: Repository) -> ServiceError:
    return limit_exceeded(f"The layer exceeds the maximum layer size of {MAX_LAYER_SIZE // MIB} MiB in the "
                          f"repository with name '{repo.name}' in the registry with id '{repo.registry_id}'")


# ------------------------------------------------------------------------------------------------ uploads
def start_upload(store: "Store", repo: Repository) -> "Upload":
    """A new upload (LimitExceededException when the repository has :data:`MAX_UPLOADS` in progress)."""
    expire_uploads(store)
    if store.blobs.count_uploads(upload_owner(repo)) >= MAX_UPLOADS:
        raise limit_exceeded(f"The repository with name '{repo.name}' in the registry with id '{repo.registry_id}' "
                             f"already has the maximum of {MAX_UPLOADS} layer uploads in progress")
    return store.blobs.start_upload(upload_owner(repo), store.clock.now())


def expire_uploads(store: "Store") -> int:
    """Drop the uploads :data:`UPLOAD_LIFETIME` old; how many were dropped."""
    with store.lock:
        return store.blobs.expire(store.clock.now() - UPLOAD_LIFETIME)


def upload_of(store: "Store", repo: Repository, upload_id: str) -> "Upload":
    """The upload ``upload_id`` of this repository, or UploadNotFoundException (also once it has expired)."""
    upload = store.blobs.upload(upload_id)
    if upload is None or upload.owner != upload_owner(repo):
        raise upload_not_found(repo, upload_id)
    if store.clock.now() - upload.started >= UPLOAD_LIFETIME:
        expire_uploads(store)
        raise upload_not_found(repo, upload_id)
    return upload


def append(store: "Store", repo: Repository, upload_id: str, chunks: Iterable[bytes], offset: int | None,
           length: int | None = None, wait: bool = True) -> int:
    """Append one part at ``offset`` (or at the end); the upload's new size.  Raises blobs.OffsetMismatch, and
    without ``wait`` (a caller holding the store lock) blobs.UploadBusy while another part of it arrives.

    A layer would grow past :data:`MAX_LAYER_SIZE` is LimitExceededException: before a byte is read when the
    part's announced ``length`` says so, else as soon as the bytes do (nothing of the part is kept).
    """
    upload = upload_of(store, repo, upload_id)
    if length is not None and upload.size + length > MAX_LAYER_SIZE:
        raise layer_too_large(repo)
    try:
        return store.blobs.append(upload_id, chunks, offset, max_size=MAX_LAYER_SIZE, wait=wait)
    except blobs.UploadMissing:
        raise upload_not_found(repo, upload_id) from None
    except blobs.TooLarge:
        raise layer_too_large(repo) from None


def complete(store: "Store", repo: Repository, upload_id: str, digest: str, min_part: int = 0) -> tuple[str, int]:
    """Verify the upload against ``digest`` and make it a layer of the repository: ``(digest, size)``.

    ECR's order: an upload with no parts is EmptyUploadException; a layer already in the repository is
    LayerAlreadyExistsException (the upload is dropped); parts but the last under ``min_part`` bytes are
    LayerPartTooSmallException; bytes that do not hash to ``digest`` are InvalidLayerException.  Called with the
    store lock held: while a part of the upload is arriving (a registry PATCH streams it) it is InvalidLayerException
    at once, the upload kept, rather than a wait on the client's bytes (*unverified*: ECR's answer is not public).
    """
    upload = upload_of(store, repo, upload_id)
    if not upload.parts or upload.size == 0:
        # ECR's text over the registry API (radius-project/radius#7887).
        raise ServiceError("EmptyUploadException", f"The upload with id '{upload_id}' in the repository with name "
                           f"'{repo.name}' in registry with id '{repo.registry_id}' cannot be completed because it "
                           "does not have any parts.")
    if digest in repo.layers and store.blobs.exists(digest):
        store.blobs.cancel(upload_id)
        raise ServiceError("LayerAlreadyExistsException", f"The layer with digest '{digest}' already exists in the "
                           f"repository with name '{repo.name}' in the registry with id '{repo.registry_id}'")
    if min_part and any(size < min_part for size in upload.parts[:-1]):
        # ECR's text, from CloudTrail (dotnet/sdk-container-builds#424).
        raise ServiceError("LayerPartTooSmallException", "All layer parts except the last part should be at least 5MB")
    try:
        actual, size = store.blobs.finish(upload_id, digest)
    except blobs.DigestMismatch:
        # ECR's text over the registry API (dotnet/sdk-container-builds#424 and, ECR Public's, #472).
        raise ServiceError("InvalidLayerException", "None of the provided layer digests match the calculated layer "
                           "digest") from None
    except blobs.UploadMissing:
        raise upload_not_found(repo, upload_id) from None
    except blobs.UploadBusy:
        raise ServiceError("InvalidLayerException", f"The upload with id '{upload_id}' is receiving a layer part; "
                           "complete it once the part is received.") from None
    add_layer(repo, actual, size, store.clock.now())
    return actual, size


def add_layer(repo: Repository, digest: str, size: int, now: datetime, media_type: str | None = None) -> Layer:
    layer = repo.layers.get(digest)
    if layer is None:
        layer = repo.layers[digest] = Layer(digest, size, now, media_type)
    return layer


def is_sha256(digest: str) -> bool:
    algorithm, _, hex_part = digest.partition(":")
    return algorithm == "sha256" and len(hex_part) == 64 and all(c in "0123456789abcdef" for c in hex_part)


def available_layer(store: "Store", repo: Repository, digest: str) -> Layer | None:
    """The repository's layer ``digest`` when its bytes are there (BatchCheckLayerAvailability's AVAILABLE)."""
    layer = repo.layers.get(digest)
    return layer if layer is not None and store.blobs.exists(digest) else None


def referenced_by_an_image(repo: Repository, digest: str) -> bool:
    return any(digest in image_references(image).blobs for image in repo.images.values())


# ------------------------------------------------------------------------------------------------ manifests
def check_references(store: "Store", repo: Repository, manifest: dict, media_type: str) -> None:
    """PutImage's checks: every blob an image manifest names is a layer of the repository, but for foreign
    (non-distributable) layers a client need not push; every manifest an index names is an image of it
    (LayersNotFoundException / ReferencedImagesNotFoundException otherwise)."""
    references = manifest_references(manifest)
    if media_type in INDEX_MEDIA_TYPES or references.manifests:
        missing = [digest for digest in references.manifests if digest not in repo.images]
        if missing:
            raise ServiceError("ReferencedImagesNotFoundException", _missing("Images", repo, missing))
    missing = [digest for digest, descriptor in references.blobs.items()
               if available_layer(store, repo, digest) is None
               and not _is_foreign(descriptor)]
    config = manifest.get("config")
    config_digest = config.get("digest") if isinstance(config, dict) else None
    missing.sort(key=lambda digest: digest == config_digest)  # stable: the layers in order, then the config
    if missing:
        raise ServiceError("LayersNotFoundException", _missing("Layers", repo, missing))


def _is_foreign(descriptor: dict) -> bool:
    """A layer the client may leave out: of a foreign or non-distributable type, with a digest, and with the
    ``urls`` it is fetched from (distribution refuses a foreign layer without them, and requires a non-distributable
    one without them to be pushed)."""
    media_type, digest, urls = descriptor.get("mediaType"), descriptor.get("digest"), descriptor.get("urls")
    return isinstance(media_type, str) and media_type in FOREIGN_LAYER_MEDIA_TYPES \
        and isinstance(digest, str) and is_sha256(digest) \
        and isinstance(urls, list) and bool(urls) and all(isinstance(url, str) and url for url in urls)


def record_media_types(repo: Repository, manifest: dict) -> None:
    """Remember each layer's media type as the manifest declares it (BatchCheckLayerAvailability reports it)."""
    for digest, descriptor in manifest_references(manifest).blobs.items():
        layer = repo.layers.get(digest)
        if layer is not None and layer.media_type is None and isinstance(descriptor.get("mediaType"), str):
            layer.media_type = descriptor["mediaType"]


# ------------------------------------------------------------------------------------------------ download URLs
def download_url(ctx: "RequestContext", repo: Repository, digest: str) -> str:
    """A URL of this server that serves the blob without credentials until :data:`DOWNLOAD_URL_LIFETIME` has passed
    (GetDownloadUrlForLayer's answer, and where the registry endpoint redirects a blob GET, as ECR redirects it to
    S3), on the host and scheme the request came in on."""
    expires = int((ctx.store.clock.now() + DOWNLOAD_URL_LIFETIME).timestamp())
    query = urlencode({"registryId": repo.registry_id, "region": repo.region, "expires": expires,
                       "signature": download_signature(ctx.store, owner(repo), digest, expires)})
    scheme = "https" if ctx.secure else "http"
    return f"{scheme}://{ctx.headers.get('host', 'localhost')}/v2/{quote(repo.name)}/blobs/{digest}?{query}"


def download_signature(store: "Store", repo_key: tuple[str, str, str], digest: str, expires: int) -> str:
    """The signature of a GetDownloadUrlForLayer URL: HMAC under the blob store's key (kept beside the state file
    when there is one, else per process), so a URL works until ``expires``, like a presigned URL."""
    message = "\n".join((*repo_key, digest, str(expires))).encode()
    return hmac.new(store.blobs.signing_key, message, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------------------------ collection
def collect_garbage(store: "Store") -> int:
    """Forget layers no image of their repository refers to once older than the grace period, then delete blobs
    no repository holds any more, and drop expired uploads; return how many blobs were deleted.  Call with the
    store lock held."""
    expire_uploads(store)
    now = store.clock.now()
    kept: set[str] = set()
    for account in store.accounts.values():
        for region in account.regions.values():
            for repo in region.ecr.repositories.values():
                referenced = {digest for image in repo.images.values() for digest in image_references(image).blobs}
                for digest in list(repo.layers):
                    if digest not in referenced and now - repo.layers[digest].added_at >= UNREFERENCED_GRACE:
                        del repo.layers[digest]
                kept.update(repo.layers)
    doomed = [digest for digest in store.blobs.digests() if digest not in kept]
    for digest in doomed:
        store.blobs.delete(digest)
    return len(doomed)
