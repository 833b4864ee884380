"""ECR delete replication (``ReplicationRule.deleteReplication``, botocore 1.44): with it enabled, deleting an
image or removing a tag in the source is replicated to the rule's destinations; without it, copies stay."""
from __future__ import annotations

import json

import pytest

from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import ACCOUNT, manifest

WEST = {"region": "eu-west-1", "registryId": ACCOUNT}


def _configure(ecr, delete_replication: bool | None) -> dict:
    rule = {"destinations": [dict(WEST)], "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}
    if delete_replication is not None:
        rule["deleteReplication"] = {"enabled": delete_replication}
    config = {"rules": [rule]}
    ecr.put_replication_configuration(replicationConfiguration=config)
    return config


def _tags(client, name: str) -> list[str]:
    return sorted(image.get("imageTag", "-") for image in client.list_images(repositoryName=name)["imageIds"])


def test_deletions_and_tag_removals_are_replicated_when_enabled(aws, ecr):
    config = _configure(ecr, True)
    assert ecr.describe_registry()["replicationConfiguration"] == config
    west = aws.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/app")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker="a"), imageTag="v1")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker="a"), imageTag="stable")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker="b"), imageTag="v2")
    assert _tags(west, "prod/app") == ["stable", "v1", "v2"]

    ecr.batch_delete_image(repositoryName="prod/app", imageIds=[{"imageTag": "stable"}])
    assert _tags(west, "prod/app") == ["v1", "v2"], "the tag removal is replicated"
    digest = ecr.describe_images(repositoryName="prod/app", imageIds=[{"imageTag": "v2"}])["imageDetails"][0][
        "imageDigest"]
    ecr.batch_delete_image(repositoryName="prod/app", imageIds=[{"imageDigest": digest}])
    assert _tags(west, "prod/app") == ["v1"], "the image deletion is replicated"
    ecr.batch_delete_image(repositoryName="prod/app", imageIds=[{"imageTag": "v1"}])
    assert west.list_images(repositoryName="prod/app")["imageIds"] == [], "its last tag gone, the copy goes too"


@pytest.mark.parametrize("delete_replication", [None, False])
def test_copies_stay_without_delete_replication(aws, ecr, delete_replication):
    _configure(ecr, delete_replication)
    west = aws.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/app")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(), imageTag="v1")
    ecr.batch_delete_image(repositoryName="prod/app", imageIds=[{"imageTag": "v1"}])
    assert ecr.list_images(repositoryName="prod/app")["imageIds"] == []
    assert _tags(west, "prod/app") == ["v1"]


def test_a_tag_moved_to_another_image_in_the_destination_is_left_alone(aws, ecr):
    _configure(ecr, True)
    west = aws.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/app")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker="a"), imageTag="v1")
    moved = put_image(west, repositoryName="prod/app", imageManifest=manifest(marker="c"), imageTag="v1")
    ecr.batch_delete_image(repositoryName="prod/app", imageIds=[{"imageTag": "v1"}])
    tagged = west.describe_images(repositoryName="prod/app", imageIds=[{"imageTag": "v1"}])["imageDetails"]
    assert [image["imageDigest"] for image in tagged] == [moved["image"]["imageId"]["imageDigest"]]


@pytest.mark.parametrize("delete_replication", [True, False])
def test_a_lifecycle_expiry_is_replicated_as_a_deletion(aws, ecr, delete_replication):
    """ECR User Guide, "Replicating image deletions": "When a lifecycle policy expires an image in the source
    registry, Amazon ECR replicates the deletion to each destination repository"; without delete replication the
    copies stay."""
    _configure(ecr, delete_replication)
    west = aws.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/app")
    for index, tag in enumerate(("v1", "v2", "v3")):
        put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker=f"life{index}"), imageTag=tag)
        aws.store.clock.advance(10)
    ecr.put_lifecycle_policy(repositoryName="prod/app", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "expire"}}]}))
    aws.store.clock.advance(24 * 3600)
    assert _tags(ecr, "prod/app") == ["v3"]
    assert _tags(west, "prod/app") == (["v3"] if delete_replication else ["v1", "v2", "v3"])
