"""ECR slice through boto3, in both modes: each operation, its outputs and its errors."""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import image_manifest, put_image

ACCOUNT = "123456789012"
REGION = "us-east-1"


def manifest(layer_size: int = 100, marker: str = "a") -> str:
    return image_manifest(marker, layer_size)


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_create_and_describe_repository(ecr):
    repo = ecr.create_repository(repositoryName="team/app", imageTagMutability="IMMUTABLE",
                                 imageScanningConfiguration={"scanOnPush": True},
                                 tags=[{"Key": "env", "Value": "dev"}])["repository"]
    assert repo["repositoryArn"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/app"
    assert repo["repositoryUri"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/app"
    assert repo["registryId"] == ACCOUNT
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}
    described = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"]
    assert [r["repositoryArn"] for r in described] == [repo["repositoryArn"]]
    assert ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"] == [{"Key": "env", "Value": "dev"}]


def test_create_repository_errors(ecr):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.create_repository(repositoryName="app")
    assert error(exc) == ("RepositoryAlreadyExistsException",
                          f"The repository with name 'app' already exists in the registry with id '{ACCOUNT}'")
    with pytest.raises(ClientError) as exc:
        ecr.create_repository(repositoryName="Bad_Name")
    assert exc.value.response["Error"]["Code"] in ("InvalidParameterException", "ValidationException")
    with pytest.raises(ClientError) as exc:
        ecr.create_repository(repositoryName="tagged", tags=[{"Key": "aws:x", "Value": "y"}])
    assert exc.value.response["Error"]["Code"] == "InvalidTagParameterException"
    with pytest.raises(ClientError) as exc:
        ecr.create_repository(repositoryName="many", tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert exc.value.response["Error"]["Code"] == "TooManyTagsException"
    names = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    assert names == ["app"]


def test_kms_encryption_defaults_to_the_aws_managed_key(ecr):
    repo = ecr.create_repository(repositoryName="sealed",
                                 encryptionConfiguration={"encryptionType": "KMS"})["repository"]
    # The AWS managed key's ARN (a key id, not the alias), the same for every repository of the account and region.
    key = repo["encryptionConfiguration"]["kmsKey"]
    assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert re.fullmatch(rf"arn:aws:kms:{REGION}:{ACCOUNT}:key/[0-9a-f]{{8}}(-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}}", key)
    other = ecr.create_repository(repositoryName="sealed-too",
                                  encryptionConfiguration={"encryptionType": "KMS"})["repository"]
    assert other["encryptionConfiguration"]["kmsKey"] == key


def test_describe_repositories_not_found_and_pagination(ecr):
    for i in range(5):
        ecr.create_repository(repositoryName=f"repo{i}")
    with pytest.raises(ClientError) as exc:
        ecr.describe_repositories(repositoryNames=["repo1", "ghost"])
    assert error(exc) == ("RepositoryNotFoundException",
                          f"The repository with name 'ghost' does not exist in the registry with id '{ACCOUNT}'")
    first = ecr.describe_repositories(maxResults=2)
    assert len(first["repositories"]) == 2 and first["nextToken"]
    seen = [r["repositoryName"] for r in first["repositories"]]
    token = first["nextToken"]
    while token:
        page = ecr.describe_repositories(maxResults=2, nextToken=token)
        seen += [r["repositoryName"] for r in page["repositories"]]
        token = page.get("nextToken")
    assert seen == [f"repo{i}" for i in range(5)]
    paginated = [r["repositoryName"] for p in ecr.get_paginator("describe_repositories").paginate(
        PaginationConfig={"PageSize": 3}) for r in p["repositories"]]
    assert paginated == seen
    with pytest.raises(ClientError) as exc:
        ecr.describe_repositories(nextToken="garbage!")
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"


def test_delete_repository_needs_force_when_not_empty(ecr):
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    with pytest.raises(ClientError) as exc:
        ecr.delete_repository(repositoryName="app")
    assert error(exc) == ("RepositoryNotEmptyException", f"The repository with name 'app' in registry with id "
                          f"'{ACCOUNT}' cannot be deleted because it still contains images")
    deleted = ecr.delete_repository(repositoryName="app", force=True)["repository"]
    assert deleted["repositoryName"] == "app"
    assert ecr.describe_repositories()["repositories"] == []
    with pytest.raises(ClientError) as exc:
        ecr.delete_repository(repositoryName="app")
    assert exc.value.response["Error"]["Code"] == "RepositoryNotFoundException"


def test_put_image_digest_tags_and_describe(ecr):
    ecr.create_repository(repositoryName="app")
    text = manifest(layer_size=1234)
    image = put_image(ecr, repositoryName="app", imageManifest=text, imageTag="v1")["image"]
    assert image["imageId"] == {"imageDigest": digest_of(text), "imageTag": "v1"}
    assert image["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    # The same manifest under a second tag is the same image with two tags.
    again = put_image(ecr, repositoryName="app", imageManifest=text, imageTag="latest")["image"]
    assert again["imageId"]["imageDigest"] == digest_of(text)
    details = ecr.describe_images(repositoryName="app")["imageDetails"]
    assert len(details) == 1
    assert sorted(details[0]["imageTags"]) == ["latest", "v1"]
    # The layers and the config (recorded from AWS, 2026-09-26: radkawar/stackd, ECR capture,
    # "describe_image").
    assert details[0]["imageSizeInBytes"] == 1234 + json.loads(text)["config"]["size"]
    assert details[0]["artifactMediaType"] == "application/vnd.docker.container.image.v1+json"
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=text, imageTag="v1")
    code, message = error(exc)
    assert code == "ImageAlreadyExistsException"
    assert message == (f"Image with digest '{digest_of(text)}' and tag 'v1' already exists in the repository "
                       f"with name 'app' in registry with id '{ACCOUNT}'")


def test_put_image_moves_a_mutable_tag_and_refuses_an_immutable_one(ecr):
    ecr.create_repository(repositoryName="mutable")
    ecr.create_repository(repositoryName="frozen", imageTagMutability="IMMUTABLE")
    one, two = manifest(marker="1"), manifest(marker="2")
    for name in ("mutable", "frozen"):
        put_image(ecr, repositoryName=name, imageManifest=one, imageTag="latest")
    put_image(ecr, repositoryName="mutable", imageManifest=two, imageTag="latest")
    listed = ecr.list_images(repositoryName="mutable")["imageIds"]
    assert {"imageDigest": digest_of(two), "imageTag": "latest"} in listed
    assert {"imageDigest": digest_of(one)} in listed  # the old image stays, untagged
    untagged = ecr.list_images(repositoryName="mutable", filter={"tagStatus": "UNTAGGED"})["imageIds"]
    assert untagged == [{"imageDigest": digest_of(one)}]
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="frozen", imageManifest=two, imageTag="latest")
    assert error(exc) == ("ImageTagAlreadyExistsException", "The image tag 'latest' already exists in the 'frozen' "
                          "repository and cannot be overwritten because the tag is immutable.")
    assert ecr.list_images(repositoryName="frozen")["imageIds"] == [
        {"imageDigest": digest_of(one), "imageTag": "latest"}]


def test_immutable_with_exclusion_lets_matching_tags_move(ecr):
    ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
                          imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}])
    one, two = manifest(marker="1"), manifest(marker="2")
    put_image(ecr, repositoryName="app", imageManifest=one, imageTag="dev-1")
    put_image(ecr, repositoryName="app", imageManifest=two, imageTag="dev-1")
    put_image(ecr, repositoryName="app", imageManifest=one, imageTag="prod")
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=two, imageTag="prod")
    assert exc.value.response["Error"]["Code"] == "ImageTagAlreadyExistsException"


def test_put_image_errors(ecr):
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="ghost", imageManifest=manifest())
    assert exc.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest="{not json")
    assert error(exc) == ("InvalidParameterException",
                          "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=manifest(), imageDigest="sha256:" + "0" * 64)
    registry_id = ecr.describe_registry()["registryId"]
    assert error(exc) == ("ImageDigestDoesNotMatchException", f"The image with digest 'sha256:{'0' * 64}' in "
                          f"repository 'app' and registry ID '{registry_id}' does not match the image digest that "
                          "Amazon ECR has calculated.")
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="app", imageManifest=json.dumps({"schemaVersion": 2, "layers": []}))
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


def test_batch_get_image_returns_manifests_and_failures(ecr):
    ecr.create_repository(repositoryName="app")
    text = manifest()
    put_image(ecr, repositoryName="app", imageManifest=text, imageTag="v1")
    other = manifest(marker="other")
    put_image(ecr, repositoryName="app", imageManifest=other, imageTag="v2")
    result = ecr.batch_get_image(repositoryName="app", imageIds=[
        {"imageTag": "v1"}, {"imageDigest": digest_of(text)}, {"imageTag": "nope"},
        {"imageDigest": "not-a-digest"}, {"imageTag": "v2", "imageDigest": digest_of(text)},
        {"imageTag": "other", "imageDigest": digest_of(text)}])
    assert [image["imageManifest"] for image in result["images"]] == [text, text]
    assert result["images"][0]["imageId"] == {"imageDigest": digest_of(text), "imageTag": "v1"}
    failures = [(f["imageId"], f["failureCode"]) for f in result["failures"]]
    assert failures == [({"imageTag": "nope"}, "ImageNotFound"),
                        ({"imageDigest": "not-a-digest"}, "InvalidImageDigest"),
                        ({"imageTag": "v2", "imageDigest": digest_of(text)}, "ImageTagDoesNotMatchDigest"),
                        ({"imageTag": "other", "imageDigest": digest_of(text)}, "ImageNotFound")]
    assert result["failures"][0]["failureReason"] == "Requested image not found"
    with pytest.raises(ClientError) as exc:
        ecr.batch_get_image(repositoryName="ghost", imageIds=[{"imageTag": "v1"}])
    assert exc.value.response["Error"]["Code"] == "RepositoryNotFoundException"


def test_describe_images_unknown_image(ecr):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "v9"}])
    assert error(exc) == ("ImageNotFoundException", "The image with imageId {imageDigest:'null', imageTag:'v9'} "
                          f"does not exist within the repository with name 'app' in the registry with id '{ACCOUNT}'")


def test_list_images_pagination(ecr):
    ecr.create_repository(repositoryName="app")
    for i in range(5):
        put_image(ecr, repositoryName="app", imageManifest=manifest(marker=str(i)), imageTag=f"v{i}")
    tags = [image_id["imageTag"] for page in ecr.get_paginator("list_images").paginate(
        repositoryName="app", PaginationConfig={"PageSize": 2}) for image_id in page["imageIds"]]
    assert tags == [f"v{i}" for i in range(5)]


def test_image_pages_end_exactly_and_split_an_image_s_tags(ecr):
    ecr.create_repository(repositoryName="app")
    for i in range(3):
        put_image(ecr, repositoryName="app", imageManifest=manifest(marker=str(i)), imageTag=f"v{i}")
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="0"), imageTag="latest")  # v0's 2nd tag
    first = ecr.list_images(repositoryName="app", maxResults=1)
    assert first["imageIds"] == [{"imageDigest": digest_of(manifest(marker="0")), "imageTag": "v0"}]
    second = ecr.list_images(repositoryName="app", maxResults=3, nextToken=first["nextToken"])
    assert [i["imageTag"] for i in second["imageIds"]] == ["latest", "v1", "v2"]
    assert "nextToken" not in second  # the page ends exactly at the last entry
    described = ecr.describe_images(repositoryName="app", maxResults=2)
    assert len(described["imageDetails"]) == 2 and described["nextToken"]
    rest = ecr.describe_images(repositoryName="app", maxResults=2, nextToken=described["nextToken"])
    assert [d["imageTags"] for d in rest["imageDetails"]] == [["v2"]] and "nextToken" not in rest


def test_batch_delete_image_by_tag_and_digest(ecr):
    ecr.create_repository(repositoryName="app")
    text = manifest()
    put_image(ecr, repositoryName="app", imageManifest=text, imageTag="v1")
    put_image(ecr, repositoryName="app", imageManifest=text, imageTag="latest")
    result = ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "latest"}, {"imageTag": "gone"}])
    assert result["imageIds"] == [{"imageDigest": digest_of(text), "imageTag": "latest"}]
    assert result["failures"][0]["failureCode"] == "ImageNotFound"
    assert ecr.list_images(repositoryName="app")["imageIds"] == [{"imageDigest": digest_of(text), "imageTag": "v1"}]
    result = ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageDigest": digest_of(text)}])
    assert result["imageIds"] == [{"imageDigest": digest_of(text), "imageTag": "v1"}]
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
    ecr.delete_repository(repositoryName="app")  # empty now: no force needed


def test_an_image_a_manifest_list_names_is_deleted_only_after_the_list(ecr):
    """ECR keeps an image an index of the repository names: BatchDeleteImage's ``ImageReferencedByManifestList``
    (deleting its digest or its last tag); removing one of several tags works; the index first, then the images
    (in one batch, in that order) works (aws-cdk#24822's fix, ECR User Guide "Deleting signatures")."""
    ecr.create_repository(repositoryName="app")
    amd, arm = manifest(marker="amd64"), manifest(marker="arm64")
    put_image(ecr, repositoryName="app", imageManifest=amd, imageTag="build-amd64")
    put_image(ecr, repositoryName="app", imageManifest=arm)
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
                        "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                       "digest": digest_of(text), "size": len(text),
                                       "platform": {"architecture": arch, "os": "linux"}}
                                      for text, arch in ((amd, "amd64"), (arm, "arm64"))]})
    ecr.put_image(repositoryName="app", imageManifest=index, imageTag="v1")
    refused = [{"imageDigest": digest_of(arm)}, {"imageTag": "build-amd64"}]
    result = ecr.batch_delete_image(repositoryName="app", imageIds=refused)
    reason = f"Requested image referenced by manifest list: [{digest_of(index)}]"
    assert result == {"imageIds": [], "failures": [
        {"imageId": image_id, "failureCode": "ImageReferencedByManifestList", "failureReason": reason}
        for image_id in refused]} | {"ResponseMetadata": result["ResponseMetadata"]}
    assert len(ecr.list_images(repositoryName="app")["imageIds"]) == 3
    ecr.put_image(repositoryName="app", imageManifest=amd, imageTag="also-amd64")
    assert ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "build-amd64"}])["imageIds"] == [
        {"imageDigest": digest_of(amd), "imageTag": "build-amd64"}]
    everything = [{"imageDigest": digest_of(text)} for text in (index, amd, arm)]
    result = ecr.batch_delete_image(repositoryName="app", imageIds=everything)
    assert result["failures"] == [] and len(result["imageIds"]) == 3
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


def test_repository_policy_lifecycle(ecr):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.get_repository_policy(repositoryName="app")
    assert error(exc) == ("RepositoryPolicyNotFoundException", "Repository policy does not exist for the repository "
                          f"with name 'app' in the registry with id '{ACCOUNT}'")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})
    out = ecr.set_repository_policy(repositoryName="app", policyText=policy)
    assert out == {**out, "registryId": ACCOUNT, "repositoryName": "app"}
    assert json.loads(out["policyText"]) == json.loads(policy)
    assert ecr.get_repository_policy(repositoryName="app")["policyText"] == out["policyText"]
    assert ecr.delete_repository_policy(repositoryName="app")["policyText"] == out["policyText"]
    with pytest.raises(ClientError) as exc:
        ecr.delete_repository_policy(repositoryName="app")
    assert exc.value.response["Error"]["Code"] == "RepositoryPolicyNotFoundException"


@pytest.mark.parametrize("text", [
    "not json",
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}),  # no Principal
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "ecr:*"}]}),
])
def test_invalid_repository_policy(ecr, text):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.set_repository_policy(repositoryName="app", policyText=text)
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy "
                          "constraint: 'Invalid repository policy provided'")
    with pytest.raises(ClientError):
        ecr.get_repository_policy(repositoryName="app")


def test_get_authorization_token(aws, ecr):
    data = ecr.get_authorization_token()["authorizationData"]
    assert len(data) == 1
    user, _, password = base64.b64decode(data[0]["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and password
    assert data[0]["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    lifetime = data[0]["expiresAt"] - aws.store.clock.now()
    # The json protocol carries epoch seconds rounded to milliseconds, as AWS does, so the parsed
    # expiry may lie up to half a millisecond past the exact twelve hours.
    assert 11.9 * 3600 < lifetime.total_seconds() <= 12 * 3600 + 0.001


def test_tag_untag_list(ecr):
    arn = ecr.create_repository(repositoryName="app")["repository"]["repositoryArn"]
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "3"}])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "a", "Value": "3"},
                                                                   {"Key": "b", "Value": "2"}]
    ecr.untag_resource(resourceArn=arn, tagKeys=["a", "missing"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as exc:
        ecr.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")
    assert error(exc) == ("InvalidParameterException",
                          "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
    with pytest.raises(ClientError) as exc:
        ecr.tag_resource(resourceArn=arn.replace("/app", "/ghost"), tags=[{"Key": "a", "Value": "1"}])
    assert exc.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecr.tag_resource(resourceArn=arn, tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert exc.value.response["Error"]["Code"] == "TooManyTagsException"
    assert len(ecr.list_tags_for_resource(resourceArn=arn)["tags"]) == 1


def test_seeded_image_is_found_without_a_manifest(aws, ecr):
    from mockrunner.services.ecr import core as ecr_service

    image = ecr_service.put_image_record(aws.store, ACCOUNT, REGION, "seeded", tags=["v1"],
                                         digest="sha256:" + "c" * 64, size=42)
    assert ecr_service.find_pullable_image(aws.store, ACCOUNT, REGION, "seeded", "v1") is image
    assert ecr_service.find_pullable_image(aws.store, ACCOUNT, REGION, "seeded", "sha256:" + "c" * 64) is image
    assert ecr_service.find_pullable_image(aws.store, ACCOUNT, REGION, "seeded", "v2") is None
    details = ecr.describe_images(repositoryName="seeded")["imageDetails"]
    assert details[0]["imageDigest"] == "sha256:" + "c" * 64 and details[0]["imageSizeInBytes"] == 42
    got = ecr.batch_get_image(repositoryName="seeded", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert "imageManifest" not in got
    synthetic = ecr_service.put_image_record(aws.store, ACCOUNT, REGION, "seeded", tags=["v2"])
    assert synthetic.digest == digest_of(synthetic.manifest)


def test_parse_image_identifier():
    from mockrunner.services.ecr import parse_image_identifier

    ref = parse_image_identifier(f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1")
    assert (ref.registry_id, ref.region, ref.repository, ref.reference) == (ACCOUNT, "eu-west-1", "team/app", "v1")
    assert ref.repository_arn == f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/team/app"
    digest = "sha256:" + "d" * 64
    assert parse_image_identifier(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app@{digest}").reference == digest
    assert parse_image_identifier(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app").reference == "latest"
    assert parse_image_identifier("public.ecr.aws/nginx/nginx:latest") is None


@pytest.fixture
def two_accounts(make_harness, aws):
    from mockrunner.config import AccountKeys, Settings

    settings = Settings(log_requests=False, operation_delay=0,
                        extra_accounts=(AccountKeys(OTHER, "other-key", "other-secret"),))
    harness = make_harness(aws.mode, settings)
    return harness.client("ecr"), harness.client("ecr", access_key="other-key", secret="other-secret")


OTHER = "210987654321"


def test_cross_account_access_needs_the_repository_policy(two_accounts):
    owner, other = two_accounts
    owner.create_repository(repositoryName="shared")
    put_image(owner, repositoryName="shared", imageManifest=manifest(), imageTag="v1")
    with pytest.raises(ClientError) as exc:
        other.list_images(registryId=ACCOUNT, repositoryName="shared")
    code, message = error(exc)
    assert code == "AccessDeniedException"
    # ECR answers its denials with HTTP 400 (docs/behaviour.md, "ECR and App Runner denials are HTTP 400").
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert message.startswith(f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: ecr:ListImages on "
                              f"resource: arn:aws:ecr:{REGION}:{ACCOUNT}:repository/shared")
    owner.set_repository_policy(repositoryName="shared", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER},
                                                "Action": ["ecr:ListImages", "ecr:BatchGetImage"]}]}))
    assert other.list_images(registryId=ACCOUNT, repositoryName="shared")["imageIds"][0]["imageTag"] == "v1"
    got = other.batch_get_image(registryId=ACCOUNT, repositoryName="shared", imageIds=[{"imageTag": "v1"}])
    assert got["images"][0]["registryId"] == ACCOUNT
    with pytest.raises(ClientError) as exc:
        other.put_image(registryId=ACCOUNT, repositoryName="shared", imageManifest=manifest(marker="9"))
    assert error(exc)[0] == "AccessDeniedException"
    # A repository that does not exist has no policy to let another account in.
    with pytest.raises(ClientError) as exc:
        other.describe_images(registryId=ACCOUNT, repositoryName="ghost")
    assert error(exc)[0] == "AccessDeniedException"
    # Its own registry is untouched by all this.
    assert other.describe_repositories()["repositories"] == []


def test_cross_account_create_is_denied(two_accounts):
    owner, other = two_accounts
    with pytest.raises(ClientError) as exc:
        other.create_repository(registryId=ACCOUNT, repositoryName="intruder")
    assert error(exc)[0] == "AccessDeniedException"
    assert owner.describe_repositories()["repositories"] == []


def test_tag_lookups_follow_every_move_of_a_tag():
    """``Repository.image_by_tag`` answers from an index that is never believed unchecked: tags moved, removed
    and images dropped behind its back (as lifecycle expiry, deletes and pushes do) still give the right image,
    and the index is no state (snapshots never see it)."""
    import dataclasses
    from datetime import UTC, datetime

    from mockrunner.model.ecr import Image, Repository

    now = datetime.now(UTC)
    repo = Repository("app", ACCOUNT, REGION, now)
    first, second = (Image(f"sha256:{n * 64}", None, "application/vnd.oci.image.manifest.v1+json", now, 1)
                     for n in "ab")
    repo.images = {first.digest: first, second.digest: second}
    repo.tag(first, "latest")
    assert repo.image_by_tag("latest") is first and repo.image_by_tag("v1") is None
    repo.tag(second, "latest")
    assert repo.image_by_tag("latest") is second and first.tags == []
    second.tags.remove("latest")
    first.tags.append("latest")
    assert repo.image_by_tag("latest") is first
    del repo.images[first.digest]
    assert repo.image_by_tag("latest") is None
    second.tags.append("v1")
    assert repo.image_by_tag("v1") is second
    assert "_tag_index" not in {field.name for field in dataclasses.fields(Repository)}


def test_batch_get_image_by_tag_converts_to_an_accepted_format(ecr):
    """``acceptedMediaTypes`` that does not take the stored Docker V2 Schema 2 manifest gets it as OCI when OCI is
    accepted (by tag; by digest the stored one), as a registry pull by tag does (ECR User Guide, "Container image
    manifest format support")."""
    ecr.create_repository(repositoryName="app")
    text = image_manifest("conv")
    stored = put_image(ecr, repositoryName="app", imageManifest=text, imageTag="v1")["image"]["imageId"]["imageDigest"]
    oci = "application/vnd.oci.image.manifest.v1+json"
    got = ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}], acceptedMediaTypes=[oci])
    image = got["images"][0]
    assert image["imageManifestMediaType"] == oci and json.loads(image["imageManifest"])["mediaType"] == oci
    assert image["imageId"]["imageDigest"] == digest_of(image["imageManifest"]) != stored
    assert json.loads(image["imageManifest"])["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    same = ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}],
                               acceptedMediaTypes=["application/vnd.docker.distribution.manifest.v2+json", oci])
    assert same["images"][0]["imageManifest"] == text
    by_digest = ecr.batch_get_image(repositoryName="app", imageIds=[{"imageDigest": stored}], acceptedMediaTypes=[oci])
    assert by_digest["images"][0]["imageManifest"] == text
