"""Push an image with boto3 the way ``docker push`` does: upload the config and the layer through ECR's layer API
(InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload), then PutImage the manifest that names them.

ECR refuses a manifest whose blobs are not in the repository (LayersNotFoundException), so the blobs go first.
Shared by the examples (they import it as ``ecr_push`` when run as scripts); works against AWS as well.
"""
from __future__ import annotations

import hashlib
import json

from botocore.exceptions import ClientError

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def upload_blob(ecr, repository: str, data: bytes) -> str:
    """Upload ``data`` in one part (under ECR's 20 MiB part size) and return its digest; a blob the repository
    already holds is fine (LayerAlreadyExistsException)."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=0,
                          partLastByte=len(data) - 1, layerPartBlob=data)
    try:
        ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest])
    except ClientError as error:
        if error.response["Error"]["Code"] != "LayerAlreadyExistsException":
            raise
    return digest


def push_image(ecr, repository: str, tag: str, config: bytes, layer: bytes) -> str:
    """Upload ``config`` and ``layer``, then put the manifest naming them under ``tag``; the manifest's text."""
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": len(config), "digest": upload_blob(ecr, repository, config)},
        "layers": [{"mediaType": LAYER_TYPE, "size": len(layer), "digest": upload_blob(ecr, repository, layer)}],
    })
    ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=tag)
    return manifest
