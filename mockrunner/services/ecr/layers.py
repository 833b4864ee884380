"""ECR's layer operations: InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, BatchCheckLayerAvailability
and GetDownloadUrlForLayer, each authorized as ``ecr:<Operation>`` on the repository ARN (with its tags and
repository policy, as every repository operation in :mod:`mockrunner.services.ecr.core`).

The bytes go to the store's blob store through :mod:`mockrunner.services.ecr.push`, the same code the registry
endpoint's blob uploads use.  A download URL is a signed URL of this server's registry endpoint that serves the
blob without further credentials until it expires, as ECR's presigned S3 URLs do.
"""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model import blobs
from mockrunner.services.ecr import push as ecr_push
from mockrunner.services.ecr.core import on_repository, repository_of
from mockrunner.services.ecr.images import repository_for_push
from mockrunner.services.registry import op


def _invalid_part(ctx: RequestContext, size: int, message: str) -> ServiceError:
    """InvalidLayerPartException with the fields ECR's model gives it (wording unverified)."""
    params = ctx.params
    return ServiceError("InvalidLayerPartException", message, extra={
        "registryId": params.get("registryId") or ctx.caller.account_id, "repositoryName": params["repositoryName"],
        "uploadId": params["uploadId"], "lastValidByteReceived": max(size - 1, 0)})


@op("ecr", "InitiateLayerUpload", authz=on_repository("ecr:InitiateLayerUpload"))
def initiate_layer_upload(ctx: RequestContext) -> dict:
    """A push starts here (``docker push`` uploads blobs before the manifest), so a repository a CREATE_ON_PUSH
    template covers is created here when it does not exist, as PutImage would."""
    upload = ecr_push.start_upload(ctx.store, repository_for_push(ctx))
    return {"uploadId": upload.id, "partSize": ecr_push.PART_SIZE}


@op("ecr", "UploadLayerPart", authz=on_repository("ecr:UploadLayerPart"))
def upload_layer_part(ctx: RequestContext) -> dict:
    """The part must start where the upload ends and span exactly ``partFirstByte``..``partLastByte``; ECR's
    quotas bound its size (:data:`~mockrunner.services.ecr.push.PART_SIZE`) and the upload's number of parts
    (:data:`~mockrunner.services.ecr.push.MAX_PARTS`): LimitExceededException."""
    params = ctx.params
    repo = repository_of(ctx)
    upload = ecr_push.upload_of(ctx.store, repo, params["uploadId"])
    data: bytes = params["layerPartBlob"]
    first, last = params["partFirstByte"], params["partLastByte"]
    if last < first or last - first + 1 != len(data):
        raise _invalid_part(ctx, upload.size, f"The part's byte range {first}-{last} does not match the "
                            f"{len(data)} bytes of layerPartBlob.")
    if len(data) > ecr_push.PART_SIZE:
        raise ecr_push.limit_exceeded(f"The layer part size {len(data)} exceeds the maximum layer part size of "
                                      f"{ecr_push.PART_SIZE} bytes")
    if len(upload.parts) >= ecr_push.MAX_PARTS:
        raise ecr_push.limit_exceeded(f"The upload with id '{upload.id}' already has the maximum of "
                                      f"{ecr_push.MAX_PARTS} layer parts")
    try:
        size = ecr_push.append(ctx.store, repo, upload.id, (data,), offset=first, length=len(data), wait=False)
        ctx.undo.append(lambda: ctx.store.blobs.rewind(upload.id, first))  # the part goes if the call is undone
    except blobs.OffsetMismatch as mismatch:
        raise _invalid_part(ctx, mismatch.size, f"The part starts at byte {first} but the upload holds "
                            f"{mismatch.size} bytes.") from None
    except blobs.UploadBusy:  # a registry PATCH streams a part: the store lock never waits on a client's bytes
        raise _invalid_part(ctx, upload.size, "Another part of the upload is being received.") from None
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "uploadId": upload.id,
            "lastByteReceived": size - 1}


@op("ecr", "CompleteLayerUpload", authz=on_repository("ecr:CompleteLayerUpload"))
def complete_layer_upload(ctx: RequestContext) -> dict:
    params = ctx.params
    repo = repository_of(ctx)
    digests = params["layerDigests"]
    if len(digests) != 1 or not ecr_push.is_sha256(digests[0]):
        ecr_push.upload_of(ctx.store, repo, params["uploadId"])
        raise ServiceError("InvalidLayerException", "Invalid parameter at 'layerDigests' failed to satisfy "
                           "constraint: 'exactly one sha256 digest'")  # unverified wording
    digest, _size = ecr_push.complete(ctx.store, repo, params["uploadId"], digests[0],
                                      min_part=ecr_push.MIN_PART_SIZE)
    return {"registryId": repo.registry_id, "repositoryName": repo.name, "uploadId": params["uploadId"],
            "layerDigest": digest}


@op("ecr", "BatchCheckLayerAvailability", authz=on_repository("ecr:BatchCheckLayerAvailability"))
def batch_check_layer_availability(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    layers: list[dict] = []
    failures: list[dict] = []
    for digest in ctx.params["layerDigests"]:
        if not ecr_push.is_sha256(digest):
            failures.append({"layerDigest": digest, "failureCode": "InvalidLayerDigest",
                             "failureReason": "Invalid layer digest"})  # unverified wording
            continue
        layer = ecr_push.available_layer(ctx.store, repo, digest)
        if layer is None:
            # Recorded from AWS, 2026-09-26 (radkawar/stackd, testdata/aws/ecr/
            # stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json, "layer_missing", "config_missing"): a layer the
            # repository lacks is UNAVAILABLE, not a failure.
            layers.append({"layerDigest": digest, "layerAvailability": "UNAVAILABLE"})
            continue
        layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": layer.size,
                       "mediaType": layer.media_type})
    return {"layers": layers, "failures": failures}


@op("ecr", "GetDownloadUrlForLayer", authz=on_repository("ecr:GetDownloadUrlForLayer"))
def get_download_url_for_layer(ctx: RequestContext) -> dict:
    """A layer uploaded but referenced by no image is LayerInaccessibleException, as ECR answers."""
    repo = repository_of(ctx)
    digest = ctx.params["layerDigest"]
    if ecr_push.available_layer(ctx.store, repo, digest) is None:
        raise ecr_push.layers_not_found(repo, digest)
    if not ecr_push.referenced_by_an_image(repo, digest):
        raise ServiceError("LayerInaccessibleException", "The specified layer is not available because it is not "
                           "associated with an image. Unassociated image layers may be cleaned up at any time.")
    return {"downloadUrl": ecr_push.download_url(ctx, repo, digest), "layerDigest": digest}
