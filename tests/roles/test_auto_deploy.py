"""App Runner deploys what is pushed: a push that moves the tag a service tracks starts START_DEPLOYMENT, the
access role is checked again when it runs, and a failed pull leaves the previous image running.  Both modes."""
from __future__ import annotations

import json

import pytest

from mockrunner.config import Settings
from tests.ecr.pushing import image_manifest, put_image
from tests.roles.helpers import World, create_request

DELAY = 5


@pytest.fixture
def slow_world(aws, make_harness) -> World:
    """Operations take DELAY seconds of store time, so the in-progress state can be seen."""
    return World(make_harness(aws.mode, Settings(log_requests=False, operation_delay=DELAY)))


def settle(world: World) -> None:
    world.harness.store.clock.advance(DELAY + 1)


def describe(world: World, arn: str) -> str:
    return world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]


def operations(world: World, arn: str) -> list[tuple[str, str]]:
    return [(o["Type"], o["Status"]) for o in world.apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]]


def running_service(world: World, auto_deploy: bool = True, tag: str = "v1") -> tuple[str, str]:
    identifier, access = world.image(tag=tag), world.access_role()
    arn = world.apprunner.create_service(**create_request("web-app", identifier, access, auto_deploy=auto_deploy))[
        "Service"]["ServiceArn"]
    settle(world)
    assert describe(world, arn) == "RUNNING"
    return arn, access


def push(world: World, marker: str, tag: str = "v1") -> str:
    return put_image(world.ecr, repositoryName="app", imageManifest=image_manifest(marker, 10),
                     imageTag=tag)["image"]["imageId"]["imageDigest"]


def test_a_push_to_the_tracked_tag_deploys_the_new_image(slow_world):
    arn, _ = running_service(slow_world)
    first = slow_world.deployed_image(arn)["image_digest"]
    assert first is not None
    digest = push(slow_world, "new")
    assert describe(slow_world, arn) == "OPERATION_IN_PROGRESS"
    assert operations(slow_world, arn)[0] == ("START_DEPLOYMENT", "IN_PROGRESS")
    assert slow_world.deployed_image(arn)["image_digest"] == first
    settle(slow_world)
    assert describe(slow_world, arn) == "RUNNING"
    assert operations(slow_world, arn) == [("START_DEPLOYMENT", "SUCCEEDED"), ("CREATE_SERVICE", "SUCCEEDED")]
    assert slow_world.deployed_image(arn)["image_digest"] == digest != first


def test_pushes_that_do_not_move_the_tracked_tag_deploy_nothing(slow_world):
    arn, _ = running_service(slow_world)
    push(slow_world, "other", tag="v2")  # another tag
    put_image(slow_world.ecr, repositoryName="app", imageManifest=image_manifest("a", 10), imageTag="again")
    assert describe(slow_world, arn) == "RUNNING"
    assert operations(slow_world, arn) == [("CREATE_SERVICE", "SUCCEEDED")]


def test_without_auto_deployments_a_push_deploys_nothing(slow_world):
    arn, _ = running_service(slow_world, auto_deploy=False)
    push(slow_world, "new")
    assert operations(slow_world, arn) == [("CREATE_SERVICE", "SUCCEEDED")]


def test_a_failed_pull_keeps_the_previous_image_running(slow_world):
    arn, _ = running_service(slow_world)
    first = slow_world.deployed_image(arn)["image_digest"]
    # App Runner still sees the push (ecr:DescribeImages), but may no longer pull.
    slow_world.iam.detach_role_policy(
        RoleName="AppRunnerECRAccessRole",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    slow_world.iam.put_role_policy(RoleName="AppRunnerECRAccessRole", PolicyName="watch", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:DescribeImages", "Resource": "*"}]}))
    push(slow_world, "new")
    assert describe(slow_world, arn) == "OPERATION_IN_PROGRESS"
    settle(slow_world)
    assert describe(slow_world, arn) == "RUNNING"
    assert operations(slow_world, arn)[0] == ("START_DEPLOYMENT", "ROLLBACK_SUCCEEDED")
    assert slow_world.deployed_image(arn)["image_digest"] == first
    [failure] = slow_world.failures(arn)
    assert failure["type"] == "START_DEPLOYMENT"
    assert "is not authorized to perform: ecr:GetAuthorizationToken" in failure["reason"]
