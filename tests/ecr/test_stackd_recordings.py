"""ECR as radkawar/stackd recorded it from real AWS, 2026-09-26.

Evidence: the repository radkawar/stackd (commit 9dc356f5), ``testdata/aws/ecr/
stackd-buildowner-ecr-2b69d1cf0ec0-resume-61a808.json`` (the capture its ``capture_summary.json`` names
authoritative: native private ECR calls by an IAM user, with their answers). The same bytes are pushed here: a 137-byte
gzip layer and a 215-byte OCI config, so the digests are AWS's. Each test names its cases; each failed before its fix
unless its docstring says it held.
"""
from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import upload_blob

ACCOUNT = "123456789012"
LAYER = base64.b64decode("H4sIAAAAAAACA+3PwQnCQBCF4TlbxVQgo4ZNAWIDdrBk5xCUDcQ1avdZcxG8K4L/d3nDuzzGpz557nx"
                         "d7kU+xKrQNEtW72m2C6/72W9sG1pRky+4Xkoc67z8p/p9d0o63LInzbH0k+thf9RzfPi4EgAAAAAAAAAAAAAAAADAj5"
                         "oB+MNIAAAoAAA=")
CONFIG = (b'{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:'
          b'e61b0f4684dd8eaed27f2ae55db49693d59e07add93574e0685790761d00e746"]},"history":[{"created_by":'
          b'"stackd native evidence"}]}')
LAYER_DIGEST = "sha256:4fec82eb4c8724bae6df4b8eeff8a526b417d17f44633ba67d4ed65deb31f002"
CONFIG_DIGEST = "sha256:e74898b78f1579c22e582d3b0936349b90c7179050b1a1f20bded34e0a808f72"
MANIFEST = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":'
            f'"application/vnd.oci.image.config.v1+json","size":215,"digest":"{CONFIG_DIGEST}"}},"layers":[{{'
            f'"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":137,"digest":"{LAYER_DIGEST}"}}]}}')
CHANGED = MANIFEST[:-1] + ',"annotations":{"org.opencontainers.image.description":"second manifest"}}'
IMAGE_DIGEST = "sha256:8f5927a9053313f8bbe6c557a03cb73c99fc8ca1dde4054bdfe7ec036b0a0e8f"


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.fixture
def pushed(ecr):
    """The recording's repository "images" holding its image "original" (and "isolated", empty)."""
    assert hashlib.sha256(LAYER).hexdigest() == LAYER_DIGEST[7:] and hashlib.sha256(CONFIG).hexdigest() == \
        CONFIG_DIGEST[7:]
    ecr.create_repository(repositoryName="images")
    ecr.create_repository(repositoryName="isolated")
    for blob in (LAYER, CONFIG):
        upload_blob(ecr, "images", blob)
    image = ecr.put_image(repositoryName="images", imageManifest=MANIFEST, imageTag="original")["image"]
    assert image["imageId"]["imageDigest"] == IMAGE_DIGEST
    return ecr


def test_a_layer_the_repository_lacks_is_unavailable_not_a_failure(ecr):
    """"layer_missing", "config_missing": ``layers: [{layerAvailability: UNAVAILABLE, layerDigest}]``,
    ``failures: []`` (was a MissingLayerDigest failure)."""
    ecr.create_repository(repositoryName="images")
    answer = ecr.batch_check_layer_availability(repositoryName="images", layerDigests=[LAYER_DIGEST])
    assert answer["layers"] == [{"layerDigest": LAYER_DIGEST, "layerAvailability": "UNAVAILABLE"}]
    assert answer["failures"] == []


def test_an_image_size_counts_its_config(pushed):
    """"describe_image": imageSizeInBytes 352, the layer (137) and the config (215) (was 137); "layer_available":
    both AVAILABLE with their sizes and media types (held)."""
    assert pushed.describe_images(repositoryName="images")["imageDetails"][0]["imageSizeInBytes"] == 352
    layers = pushed.batch_check_layer_availability(repositoryName="images",
                                                   layerDigests=[LAYER_DIGEST, CONFIG_DIGEST])["layers"]
    assert [(layer["layerSize"], layer["mediaType"]) for layer in layers] == [
        (137, "application/vnd.oci.image.layer.v1.tar+gzip"), (215, "application/vnd.oci.image.config.v1+json")]


def test_missing_layers_are_named_layers_first_without_spaces(pushed):
    """"foreign_repository_layers": the digests joined by a bare comma, the layer before the config."""
    assert _error(pushed.put_image, repositoryName="isolated", imageManifest=MANIFEST, imageTag="original") == (
        "LayersNotFoundException", f"Layers with digests '[{LAYER_DIGEST},{CONFIG_DIGEST}]' required for pushing "
        f"image into repository with name 'isolated' in the registry with id '{ACCOUNT}' do not exist")


def test_an_immutable_tag_is_refused_in_the_words_of_the_tag(pushed):
    """"immutable_retag_same_bytes" (held: ImageAlreadyExistsException), "immutable_retag_changed_bytes"."""
    pushed.put_image_tag_mutability(repositoryName="images", imageTagMutability="IMMUTABLE")
    assert _error(pushed.put_image, repositoryName="images", imageManifest=MANIFEST, imageTag="original")[0] == \
        "ImageAlreadyExistsException"
    assert _error(pushed.put_image, repositoryName="images", imageManifest=CHANGED, imageTag="original") == (
        "ImageTagAlreadyExistsException", "The image tag 'original' already exists in the 'images' repository and "
        "cannot be overwritten because the tag is immutable.")


def test_a_preview_answers_the_policy_as_kept(pushed):
    """"lifecycle_preview_start" / "lifecycle_preview_*": the compact text PutLifecyclePolicy answers."""
    policy = ('{"rules": [{"rulePriority": 1, "description": "Keep newest owned image", "selection": {"tagStatus": '
              '"any", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]}')
    kept = pushed.put_lifecycle_policy(repositoryName="images", lifecyclePolicyText=policy)["lifecyclePolicyText"]
    assert " " not in kept.replace("Keep newest owned image", "")
    assert pushed.start_lifecycle_policy_preview(repositoryName="images")["lifecyclePolicyText"] == kept
    assert pushed.get_lifecycle_policy_preview(repositoryName="images")["lifecyclePolicyText"] == kept


def test_a_deleted_repository_is_answered_without_its_settings(pushed):
    """"delete_owned": createdAt, imageTagMutability, registryId, repositoryArn, repositoryName, repositoryUri."""
    deleted = pushed.delete_repository(repositoryName="images", force=True)["repository"]
    assert sorted(deleted) == ["createdAt", "imageTagMutability", "registryId", "repositoryArn", "repositoryName",
                               "repositoryUri"]


def test_a_scan_is_pending_when_started_and_in_progress_when_described(pushed, aws):
    """"start_scan_tiny_image" (PENDING; was IN_PROGRESS), "describe_scan_tiny_image_0" (IN_PROGRESS, no findings)."""
    aws.store.settings.operation_delay = 30
    started = pushed.start_image_scan(repositoryName="images", imageId={"imageTag": "original"})
    assert started["imageScanStatus"] == {"status": "PENDING"}
    assert started["imageId"] == {"imageDigest": IMAGE_DIGEST, "imageTag": "original"}
    described = pushed.describe_image_scan_findings(repositoryName="images", imageId={"imageTag": "original"})
    assert described["imageScanStatus"] == {"status": "IN_PROGRESS"} and "imageScanFindings" not in described
