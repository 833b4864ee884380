"""Image storage classes and referrers: UpdateImageStorageClass and ListImageReferrers.

Archiving is immediate (``imageStatus`` ARCHIVED, ``lastArchivedAt``); restoring to STANDARD reads ACTIVATING
for ``settings.operation_delay`` seconds of store clock (AWS: up to 20 minutes), then ACTIVE with
``lastActivatedAt``.  Archived images are listed only when a filter asks for them (DescribeImages, ListImages)
and cannot be scanned.  Referrers are the repository's images whose OCI manifest names the subject digest.
"""
from __future__ import annotations

import json
from datetime import timedelta

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import Image, Repository
from mockrunner.services.ecr.core import on_repository, repository_of, token_page
from mockrunner.services.ecr.scanning import _image
from mockrunner.services.registry import op

#: (current status, target storage class) -> new status; any other pair is refused.
_TRANSITIONS = {("ACTIVE", "ARCHIVE"): "ARCHIVED", ("ARCHIVED", "STANDARD"): "ACTIVATING"}


@op("ecr", "UpdateImageStorageClass", authz=on_repository("ecr:UpdateImageStorageClass"))
def update_image_storage_class(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    image = _image(ctx, repo)
    target = ctx.params["targetStorageClass"]
    status = _TRANSITIONS.get((image.status, target))
    if status is None:
        raise ServiceError("ImageStorageClassUpdateNotSupportedException",
                           f"The requested image storage class update is not supported: the image is "
                           f"{image.status} and the target storage class is {target}.")  # wording partly unverified
    now = ctx.store.clock.now()
    image.status = status
    if status == "ARCHIVED":
        image.last_archived_at = now
    else:
        image.activates_at = now + timedelta(seconds=ctx.store.settings.operation_delay)
        repo.expect_change(image)
    return {"registryId": repo.registry_id, "repositoryName": repo.name,
            "imageId": {"imageDigest": image.digest, "imageTag": ctx.params["imageId"].get("imageTag")},
            "imageStatus": status}


def annotations(image: Image) -> dict | None:
    """The ``annotations`` of the image's manifest, if it has any."""
    try:
        manifest = json.loads(image.manifest or "null")
    except ValueError:
        return None
    annotations = manifest.get("annotations") if isinstance(manifest, dict) else None
    return annotations if isinstance(annotations, dict) else None


def _referrer(image: Image) -> dict:
    return {"digest": image.digest, "mediaType": image.media_type, "artifactType": image.artifact_media_type,
            "size": image.size, "annotations": annotations(image), "artifactStatus": image.status}


def referrers(repo: Repository, subject: str, types: list[str] | None = None, status: str = "ACTIVE") -> list[Image]:
    """The repository's images whose manifest names ``subject`` as its OCI ``subject``, in push order, of one of
    ``types`` (artifact types; any when none) and storage ``status`` (``ANY`` for every one); shared by
    ListImageReferrers and the registry's referrers API."""
    return [image for image in repo.images.values() if image.subject_digest == subject
            and (not types or image.artifact_media_type in types) and status in ("ANY", image.status)]


@op("ecr", "ListImageReferrers", authz=on_repository("ecr:BatchGetImage"))
def list_image_referrers(ctx: RequestContext) -> dict:
    """Documented: the caller needs ``ecr:BatchGetImage`` on the repository."""
    repo = repository_of(ctx)
    subject = ctx.params["subjectId"]["imageDigest"]
    wanted = ctx.params.get("filter") or {}
    types = wanted.get("artifactTypes")
    status = wanted.get("artifactStatus", "ACTIVE")
    found = referrers(repo, subject, types, status)
    page, token = token_page(ctx, found, default=50)
    return {"referrers": [_referrer(image) for image in page], "nextToken": token}
