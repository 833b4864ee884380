"""ECR (API and the ``/v2/`` registry) as radkawar/stackd's other captures recorded it from real AWS, 2026-09-26.

Evidence: the repository radkawar/stackd (commit 9dc356f5), ``testdata/aws/ecr/``: ``capture_summary.json`` names
``...-resume-61a808.json`` authoritative (compared in tests/ecr/test_stackd_recordings.py) and keeps the others as
"retained failed or partial captures": ``stackd-buildowner-ecr-2b69d1cf0ec0.json`` (repositories created and
deleted, then a dropped connection), ``...-resume-b913ab.json`` (complete, but its repository-policy deny was
refused, so its authorization cases show no denial), ``...-resume-865a3a.json`` (stopped at that refusal) and
``stackd-buildowner-ecr-3626cb8cd3e9.json`` (no observations). Their calls are native answers all the same; where
they differ from one another (tag order) nothing is concluded. See
(docs/behaviour.md, "Parity sweep against stackd's other ECR and STS captures").

Fixed (each test failed before its fix):

* a bare KMS key ID in ``encryptionConfiguration.kmsKey`` is kept and answered as the key's ARN
  (``mockrunner/services/ecr/core.py:kms_key_arn``);
* a lifecycle policy ECR's schema validator refuses is answered with the report's closing newline
  (``mockrunner/model/ecr_policies.py:SchemaViolation``);
* ``tags/list`` is compact JSON labelled ``text/plain; charset=utf-8`` (``mockrunner/registry/handlers.py:tags_list``).

Held (tests below say which): the not-found, already-exists and policy-not-found messages, repository policies
with ``"Principal": "*"`` and a ``Resource`` refused and not kept, an empty-rules policy's length refusal, the
lifecycle answers' ``lastEvaluatedAt`` of 0, DeleteRepositoryPolicy without a policy, scanning configurations,
a manifest list protecting its child, a batch delete of a tag and a missing tag, and the registry's 401, manifest
GET and manifest PUT answers.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.ecr.pushing import upload_blob
from tests.ecr.test_stackd_recordings import CHANGED, CONFIG, IMAGE_DIGEST, LAYER, MANIFEST
from tests.harness import Harness
from tests.registry.images import Registry, login_password

ACCOUNT = "123456789012"
KEY_ID = "68ab2c9a-47f0-41e9-b9e5-b715582c7aec"
CHANGED_DIGEST = "sha256:d25b89789727b335cddf9a7a9fa68e379fd9e855e2e2aabeae5381acdb3cbb4c"
INDEX = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":'
         f'"application/vnd.oci.image.manifest.v1+json","size":474,"digest":"{CHANGED_DIGEST}","platform":'
         '{"architecture":"amd64","os":"linux"}}]}')
INDEX_DIGEST = "sha256:171e145493d7608e25a3e856e84e09206a821b7d7ee9a80b340ae053e4dbf7d9"
LIFECYCLE = ('{"rules": [{"rulePriority": 1, "description": "Protect newest original-tag image", "selection": '
             '{"tagStatus": "tagged", "tagPrefixList": ["original"], "countType": "imageCountMoreThan", '
             '"countNumber": 1}, "action": {"type": "expire"}}, {"rulePriority": 2, "description": "Keep newest '
             'owned image", "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}, '
             '"action": {"type": "expire"}}]}')


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def _push(ecr, repository: str = "images") -> None:
    for blob in (LAYER, CONFIG):
        upload_blob(ecr, repository, blob)
    assert ecr.put_image(repositoryName=repository, imageManifest=MANIFEST,
                         imageTag="original")["image"]["imageId"]["imageDigest"] == IMAGE_DIGEST


def test_a_bare_kms_key_id_is_answered_as_its_arn(ecr):
    """865a3a/b913ab/2b69d1cf0ec0 "create_images", "describe_owned": ``kmsKey`` sent as the key ID comes back as
    ``arn:aws:kms:us-east-1:<account>:key/<id>`` (was the ID as sent); "create_isolated" (AES256, no key) held."""
    arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
    created = ecr.create_repository(repositoryName="images", imageTagMutability="MUTABLE",
                                    imageScanningConfiguration={"scanOnPush": False},
                                    encryptionConfiguration={"encryptionType": "KMS", "kmsKey": KEY_ID})["repository"]
    assert created["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": arn}
    isolated = ecr.create_repository(repositoryName="isolated", encryptionConfiguration={"encryptionType": "AES256"})
    assert isolated["repository"]["encryptionConfiguration"] == {"encryptionType": "AES256"}
    described = ecr.describe_repositories(repositoryNames=["images", "isolated"])["repositories"]
    assert [(repo["repositoryName"], repo["encryptionConfiguration"]) for repo in described] == [
        ("images", {"encryptionType": "KMS", "kmsKey": arn}), ("isolated", {"encryptionType": "AES256"})]
    given_as_arn = ecr.create_repository(repositoryName="by-arn", encryptionConfiguration={
        "encryptionType": "KMS", "kmsKey": arn})["repository"]["encryptionConfiguration"]
    assert given_as_arn["kmsKey"] == arn


def test_a_schema_refusal_ends_with_the_reports_newline(aws):
    """b913ab "lifecycle_invalid_zero_count": "... (minimum: 1, found: 0)\\n'" (the newline was missing);
    "lifecycle_invalid" (``{"rules": []}``, below the 100-character minimum) held, as did "lifecycle_get" and
    "lifecycle_delete" (the compact text and ``lastEvaluatedAt`` 0)."""
    ecr = aws.client("ecr", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    ecr.create_repository(repositoryName="images")
    assert _error(ecr.put_lifecycle_policy, repositoryName="images",
                  lifecyclePolicyText=LIFECYCLE.replace('"countNumber": 1', '"countNumber": 0')) == (
        400, "InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
        "'Lifecycle policy validation failure: numeric instance is lower than the required minimum (minimum: 1, "
        "found: 0)\n'")
    assert _error(ecr.put_lifecycle_policy, repositoryName="images", lifecyclePolicyText='{"rules": []}') == (
        400, "InvalidParameterException", "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: "
        "'Member must have length greater than or equal to 100'")
    kept = ecr.put_lifecycle_policy(repositoryName="images", lifecyclePolicyText=LIFECYCLE)["lifecyclePolicyText"]
    assert kept == LIFECYCLE.replace(": ", ":").replace(", ", ",")
    for answer in (ecr.get_lifecycle_policy(repositoryName="images"),
                   ecr.delete_lifecycle_policy(repositoryName="images")):
        assert answer["lifecyclePolicyText"] == kept and answer["lastEvaluatedAt"].timestamp() == 0


@pytest.fixture
def served():
    """A real server (the registry is HTTP) with an ECR client, and a registry client logged in as the root."""
    harness = Harness("server")
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="images")
    yield harness, ecr, Registry(harness.endpoint_url, login_password(ecr))
    harness.close()


def test_the_tag_list_is_compact_text(served):
    """865a3a/b913ab (and 61a808) "registry_tags": 200, ``Content-Type: text/plain; charset=utf-8``, the body
    ``{"name":...,"tags":[...]}`` without spaces (was ``application/json`` with spaces). The captures list the two
    tags in both orders; sorted is kept. "registry_anonymous" (401 ``Not Authorized\\n`` as text/plain),
    "registry_authenticated_manifest" (200, the manifest's media type) and "registry_manifest_push" (201, the
    digest, no body) held."""
    harness, ecr, registry = served
    _push(ecr)
    anonymous = Registry(harness.endpoint_url, None).call("GET", "/v2/images/manifests/original")
    assert (anonymous.status_code, anonymous.headers["Content-Type"], anonymous.content) == (
        401, "text/plain; charset=utf-8", b"Not Authorized\n")
    got = registry.call("GET", "/v2/images/manifests/original")
    assert (got.status_code, got.headers["Content-Type"], got.content) == (
        200, "application/vnd.oci.image.manifest.v1+json", MANIFEST.encode())
    assert got.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    put = registry.put_manifest("images", "http-tag", MANIFEST.encode(),
                                         "application/vnd.oci.image.manifest.v1+json")
    assert (put.status_code, put.headers["Docker-Content-Digest"], put.content) == (201, IMAGE_DIGEST, b"")
    tags = registry.call("GET", "/v2/images/tags/list")
    assert (tags.status_code, tags.headers["Content-Type"], tags.content) == (
        200, "text/plain; charset=utf-8", b'{"name":"images","tags":["http-tag","original"]}')
    assert tags.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


@pytest.mark.parametrize("resource", ['"*"', f'"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/images"'])
def test_a_policy_naming_a_resource_is_refused_and_not_kept(ecr, resource):
    """Held: 865a3a and b913ab "deny_policy_set" (``"Principal": "*"`` with ``"Resource": "*"`` / the repository
    ARN, no ``force``), then "deny_policy_get" and "deny_policy_delete" (no policy) and reads still allowed
    ("current_policy_api_*")."""
    ecr.create_repository(repositoryName="images")
    _push(ecr)
    text = ('{"Version": "2012-10-17", "Statement": [{"Sid": "OwnedCurrentDeny", "Effect": "Deny", "Principal": "*", '
            f'"Action": ["ecr:BatchGetImage"], "Resource": {resource}}}]}}')
    assert _error(ecr.set_repository_policy, repositoryName="images", policyText=text) == (
        400, "InvalidParameterException",
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
    missing = ("Repository policy does not exist for the repository with name 'images' in the registry with id "
               f"'{ACCOUNT}'")
    assert _error(ecr.get_repository_policy, repositoryName="images") == (
        400, "RepositoryPolicyNotFoundException", missing)
    assert _error(ecr.delete_repository_policy, repositoryName="images") == (
        400, "RepositoryPolicyNotFoundException", missing)
    assert ecr.batch_get_image(repositoryName="images", imageIds=[{"imageTag": "original"}])["failures"] == []


def test_repository_answers_held(ecr):
    """Held: "precreate_absence"/"missing_repository"/"verify_absent", "create_duplicate", "tag_merge"/"tag_remove",
    "policy_missing", "lifecycle_missing", "manifest_invalid", "batch_scanning_configuration", "delete_nonempty"."""
    assert _error(ecr.describe_repositories, repositoryNames=["absent"]) == (
        400, "RepositoryNotFoundException",
        f"The repository with name 'absent' does not exist in the registry with id '{ACCOUNT}'")
    ecr.create_repository(repositoryName="images", tags=[{"Key": "stackd-owner", "Value": "owner"}])
    ecr.create_repository(repositoryName="isolated")
    assert _error(ecr.create_repository, repositoryName="images") == (
        400, "RepositoryAlreadyExistsException",
        f"The repository with name 'images' already exists in the registry with id '{ACCOUNT}'")
    arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/images"
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "purpose", "Value": "native-evidence"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["purpose"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "stackd-owner", "Value": "owner"}]
    assert _error(ecr.get_lifecycle_policy, repositoryName="images") == (
        400, "LifecyclePolicyNotFoundException",
        f"Lifecycle policy does not exist for the repository with name 'images' in the registry with id '{ACCOUNT}'")
    assert _error(ecr.put_image, repositoryName="images", imageManifest="{}", imageTag="bad") == (
        400, "InvalidParameterException",
        "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
    configurations = ecr.batch_get_repository_scanning_configuration(repositoryNames=["images", "isolated"])
    assert configurations["failures"] == []
    assert [{key: item[key] for key in ("appliedScanFilters", "repositoryArn", "repositoryName", "scanFrequency",
                                        "scanOnPush")} for item in configurations["scanningConfigurations"]] == [
        {"appliedScanFilters": [], "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}",
         "repositoryName": name, "scanFrequency": "MANUAL", "scanOnPush": False} for name in ("images", "isolated")]
    _push(ecr)
    assert _error(ecr.delete_repository, repositoryName="images", force=False) == (
        400, "RepositoryNotEmptyException", f"The repository with name 'images' in registry with id '{ACCOUNT}' "
        "cannot be deleted because it still contains images")


def test_image_answers_held(ecr):
    """Held: b913ab "mutable_replace", "manifest_index_put", "delete_referenced_image" (200, the failure naming the
    list), "batch_delete_tag_and_missing" (the tag deleted, ``absent`` an ImageNotFound failure), and
    "batch_existing_and_missing" (members but ``imageManifestSize``, which botocore's model lacks)."""
    ecr.create_repository(repositoryName="images")
    _push(ecr)
    ecr.put_image(repositoryName="images", imageManifest=MANIFEST, imageTag="http-tag")
    got = ecr.batch_get_image(repositoryName="images", imageIds=[{"imageTag": "original"}, {"imageTag": "absent"}])
    assert got["failures"] == [{"failureCode": "ImageNotFound", "failureReason": "Requested image not found",
                                "imageId": {"imageTag": "absent"}}]
    assert got["images"][0]["imageId"] == {"imageDigest": IMAGE_DIGEST, "imageTag": "original"}
    replaced = ecr.put_image(repositoryName="images", imageManifest=CHANGED, imageTag="original")["image"]
    assert replaced["imageId"] == {"imageDigest": CHANGED_DIGEST, "imageTag": "original"}
    index = ecr.put_image(repositoryName="images", imageManifest=INDEX, imageTag="index")["image"]
    assert (index["imageId"]["imageDigest"], index["imageManifestMediaType"]) == (
        INDEX_DIGEST, "application/vnd.oci.image.index.v1+json")
    referenced = ecr.batch_delete_image(repositoryName="images", imageIds=[{"imageDigest": CHANGED_DIGEST}])
    assert (referenced["imageIds"], referenced["failures"]) == ([], [{
        "failureCode": "ImageReferencedByManifestList", "imageId": {"imageDigest": CHANGED_DIGEST},
        "failureReason": f"Requested image referenced by manifest list: [{INDEX_DIGEST}]"}])
    deleted = ecr.batch_delete_image(repositoryName="images", imageIds=[{"imageTag": "http-tag"},
                                                                         {"imageTag": "absent"}])
    assert deleted["imageIds"] == [{"imageDigest": IMAGE_DIGEST, "imageTag": "http-tag"}]
    assert deleted["failures"] == [{"failureCode": "ImageNotFound", "failureReason": "Requested image not found",
                                    "imageId": {"imageTag": "absent"}}]
    assert sorted(image["imageTag"] for image in ecr.list_images(repositoryName="images")["imageIds"]) == [
        "index", "original"]
