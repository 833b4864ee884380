"""ECR answers where moto's own test suite showed mockrunner differing from AWS, each settled by public evidence
(quoted in the tests and in the behaviour reference)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import DOCKER_MANIFEST, image_manifest, put_image
from tests.ecr.test_ecr import digest_of, error

ACCOUNT = "123456789012"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"


def test_a_tag_no_image_carries_is_not_found_even_with_a_known_digest(ecr):
    ecr.create_repository(repositoryName="app")
    text = image_manifest("one")
    put_image(ecr, repositoryName="app", imageManifest=text, imageTag="latest")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("two"), imageTag="v2")
    image_id = {"imageDigest": digest_of(text), "imageTag": "not-latest"}
    result = ecr.batch_delete_image(repositoryName="app", imageIds=[image_id])
    assert result["imageIds"] == []
    assert result["failures"] == [{"imageId": image_id, "failureCode": "ImageNotFound",
                                   "failureReason": "Requested image not found"}]
    with pytest.raises(ClientError) as exc:
        ecr.start_image_scan(repositoryName="app", imageId=image_id)
    assert error(exc) == ("ImageNotFoundException", f"The image with imageId {{imageDigest:'{digest_of(text)}', "
                          "imageTag:'not-latest'} does not exist within the repository with name 'app' in the "
                          f"registry with id '{ACCOUNT}'")
    with pytest.raises(ClientError) as exc:
        ecr.describe_images(repositoryName="app", imageIds=[image_id])
    assert exc.value.response["Error"]["Code"] == "ImageNotFoundException"
    # A tag another image carries does not match the digest.
    held = {"imageDigest": digest_of(text), "imageTag": "v2"}
    result = ecr.batch_delete_image(repositoryName="app", imageIds=[held])
    assert result["failures"][0]["failureCode"] == "ImageTagDoesNotMatchDigest"
    assert len(ecr.list_images(repositoryName="app")["imageIds"]) == 2


def test_an_image_index_reports_the_largest_size_of_its_manifests(ecr):
    ecr.create_repository(repositoryName="app")
    entries = []
    for marker, size in (("arm", 300), ("amd", 700)):
        text = image_manifest(marker, layer_size=size)
        put_image(ecr, repositoryName="app", imageManifest=text)
        entries.append({"mediaType": DOCKER_MANIFEST, "digest": digest_of(text), "size": len(text),
                        "platform": {"architecture": marker, "os": "linux"}})
    index = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_LIST, "manifests": entries})
    ecr.put_image(repositoryName="app", imageManifest=index, imageTag="multi")
    sizes = {d["imageDigest"]: d["imageSizeInBytes"] for d in ecr.describe_images(repositoryName="app")["imageDetails"]}
    largest = 700 + json.loads(image_manifest("amd", layer_size=700))["config"]["size"]  # the layer and the config
    assert sizes[digest_of(index)] == max(sizes[entry["digest"]] for entry in entries) == largest


def test_a_manifest_without_any_media_type_is_invalid_json_syntax(ecr):
    ecr.create_repository(repositoryName="app")
    document = json.loads(image_manifest("bare"))
    del document["mediaType"]
    with pytest.raises(ClientError) as exc:
        put_image(ecr, repositoryName="app", imageManifest=json.dumps(document), imageTag="latest")
    assert error(exc) == ("InvalidParameterException",
                          "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")
    image = put_image(ecr, repositoryName="app", imageManifest=json.dumps(document),
                      imageManifestMediaType=DOCKER_MANIFEST, imageTag="latest")["image"]
    assert image["imageManifestMediaType"] == DOCKER_MANIFEST


def test_model_constraints_are_worded_as_ecr_words_them(ecr):
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as exc:
        ecr.put_image_tag_mutability(repositoryName="app", imageTagMutability="invalid")
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'imageTagMutability' failed to satisfy "
                          "constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, "
                          "MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'")
    with pytest.raises(ClientError) as exc:
        ecr.get_authorization_token(registryIds=["10987654321", ACCOUNT])
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'registryIds' failed to satisfy "
                          "constraint: 'Member must satisfy constraint: [Member must satisfy regular expression "
                          "pattern: [0-9]{12}]'")
    with pytest.raises(ClientError) as exc:
        ecr.describe_repositories(repositoryNames=["app"], registryId="123")
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'registryId' failed to satisfy "
                          "constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'")


# The AWS CLI reference's get-repository-policy / set-repository-policy / delete-repository-policy examples: ECR
# hands the policy back in its own pretty form, whatever spacing was sent.
ECR_FORM = ('{\n  "Version" : "2008-10-17",\n  "Statement" : [ {\n    "Sid" : "allow public pull",\n'
            '    "Effect" : "Allow",\n    "Principal" : "*",\n    "Action" : [ "ecr:BatchCheckLayerAvailability", '
            '"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]\n  } ]\n}')


@pytest.mark.parametrize("sent", [
    json.dumps(json.loads(ECR_FORM)), json.dumps(json.loads(ECR_FORM), indent=4), ECR_FORM])
def test_repository_policy_text_comes_back_in_ecrs_pretty_form(ecr, sent):
    ecr.create_repository(repositoryName="cluster-autoscaler")
    assert ecr.set_repository_policy(repositoryName="cluster-autoscaler", policyText=sent)["policyText"] == ECR_FORM
    assert ecr.get_repository_policy(repositoryName="cluster-autoscaler")["policyText"] == ECR_FORM
    assert ecr.delete_repository_policy(repositoryName="cluster-autoscaler")["policyText"] == ECR_FORM


def test_repository_policy_text_keeps_key_order_nesting_and_empty_members(ecr):
    ecr.create_repository(repositoryName="app")
    sent = ('{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::210987654321:root"]},'
            '"Action":"ecr:ListImages","Condition":{}}],"Version":"2012-10-17"}')
    assert ecr.set_repository_policy(repositoryName="app", policyText=sent)["policyText"] == (
        '{\n  "Statement" : [ {\n    "Effect" : "Allow",\n    "Principal" : {\n'
        '      "AWS" : [ "arn:aws:iam::210987654321:root" ]\n    },\n    "Action" : "ecr:ListImages",\n'
        '    "Condition" : { }\n  } ],\n  "Version" : "2012-10-17"\n}')
