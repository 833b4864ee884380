"""Images whose blobs really exist: build a manifest from real bytes and push it through ECR's layer API.

``image_manifest`` is a pure function of its arguments; the bytes behind every digest it names are kept in
:data:`BLOBS`, so :func:`put_image` can upload what a manifest refers to before calling PutImage, as
``docker push`` does.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
BLOBS: dict[str, bytes] = {}
"""Digest -> bytes of every blob a manifest built here names."""


def blob_digest(data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    BLOBS[digest] = data
    return digest


def image_manifest(marker: str = "a", layer_size: int = 100) -> str:
    """A Docker schema 2 manifest of one config and one layer of ``layer_size`` bytes, unique per ``marker``."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "marker": marker}).encode()
    layer = (f"layer {marker} ".encode() * (layer_size // 8 + 1))[:layer_size]
    return json.dumps({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "size": len(config), "digest": blob_digest(config)},
        "layers": [{"mediaType": DOCKER_LAYER, "size": len(layer), "digest": blob_digest(layer)}],
    })


def upload_blob(ecr: Any, repository: str, data: bytes, **where: Any) -> str:
    """Initiate, upload in one part and complete; a layer already there is fine."""
    upload_id = ecr.initiate_layer_upload(repositoryName=repository, **where)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=0,
                          partLastByte=len(data) - 1, layerPartBlob=data, **where)
    try:
        return ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id,
                                         layerDigests=[blob_digest(data)], **where)["layerDigest"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "LayerAlreadyExistsException":
            raise
        return blob_digest(data)


def put_image(ecr: Any, repositoryName: str, imageManifest: str, **kwargs: Any) -> dict:  # noqa: N803 - boto3's
    """Upload the blobs ``imageManifest`` names, then PutImage (arguments as boto3's ``put_image``)."""
    where = {"registryId": kwargs["registryId"]} if "registryId" in kwargs else {}
    document = json.loads(imageManifest)
    for descriptor in [document.get("config") or {}, *document.get("layers", [])]:
        data = BLOBS.get(descriptor.get("digest", ""))
        if data is not None:
            upload_blob(ecr, repositoryName, data, **where)
    return ecr.put_image(repositoryName=repositoryName, imageManifest=imageManifest, **kwargs)
