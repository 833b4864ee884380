"""App Runner's role checks through boto3, in both modes: PassRole, the service-linked role, the access role's
trust and ECR pull, cross-account repositories, the instance role and its credentials."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import AccountKeys, Settings
from tests.roles.helpers import (
    ACCOUNT,
    FULL_ACCESS,
    READ_ONLY,
    REGION,
    World,
    allow,
    create_request,
    policy,
)

PASS_ROLE = allow("iam:PassRole", Condition={"StringLike": {"iam:PassedToService": "apprunner.amazonaws.com"}})
CREATE_SLR = allow("iam:CreateServiceLinkedRole",
                   "arn:aws:iam::*:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner",
                   Condition={"StringLike": {"iam:AWSServiceName": "apprunner.amazonaws.com"}})
OTHER = "210987654321"


def error(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def status(world: World, arn: str) -> str:
    return world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]


def operations(world: World, arn: str) -> list[tuple[str, str]]:
    summaries = world.apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    return [(summary["Type"], summary["Status"]) for summary in summaries]


def test_read_only_user_lists_and_describes_but_cannot_create(world):
    image, access = world.image(), world.access_role()
    arn = world.apprunner.create_service(**create_request("existing", image, access))["Service"]["ServiceArn"]
    reader = world.user("reader", managed=(READ_ONLY,))
    assert [s["ServiceArn"] for s in reader.list_services()["ServiceSummaryList"]] == [arn]
    assert reader.describe_service(ServiceArn=arn)["Service"]["ServiceName"] == "existing"
    with pytest.raises(ClientError) as exc:
        reader.create_service(**create_request("web-app", image, access))
    code, message = error(exc)
    assert code == "AccessDeniedException"
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: "
                              "apprunner:CreateService on resource: ")


def test_full_access_user_creates_a_service_from_a_private_image(world):
    image, access = world.image(), world.access_role()
    admin = world.user("admin", managed=(FULL_ACCESS,))
    assert not world.slr_exists()
    arn = admin.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"
    assert operations(world, arn) == [("CREATE_SERVICE", "SUCCEEDED")]
    role = world.iam.get_role(RoleName="AWSServiceRoleForAppRunner")["Role"]
    assert role["Path"] == "/aws-service-role/apprunner.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/apprunner.amazonaws.com/"
                           "AWSServiceRoleForAppRunner")
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert (statement["Action"], statement["Principal"]) == ("sts:AssumeRole", {"Service": "apprunner.amazonaws.com"})
    attached = world.iam.list_attached_role_policies(RoleName="AWSServiceRoleForAppRunner")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/aws-service-role/AppRunnerServiceRolePolicy"]
    assert world.failures(arn) == []


def test_service_linked_role_is_needed_only_the_first_time(world):
    image, access = world.image(), world.access_role()
    no_slr = world.user("deployer", inline=policy(allow("apprunner:*"), PASS_ROLE))
    with pytest.raises(ClientError) as exc:
        no_slr.create_service(**create_request("web-app", image, access))
    code, message = error(exc)
    assert code == "AccessDeniedException"
    slr_arn = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner")
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/deployer is not authorized to perform: "
                              f"iam:CreateServiceLinkedRole on resource: {slr_arn}")
    assert not world.slr_exists()
    assert world.apprunner.list_services()["ServiceSummaryList"] == []
    # Once someone allowed to has created it, the same user no longer needs the permission.
    world.iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")
    arn = no_slr.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"


def test_pass_role_is_required(world):
    image, access = world.image(), world.access_role()
    no_pass = world.user("deployer", inline=policy(allow("apprunner:*"), CREATE_SLR))
    with pytest.raises(ClientError) as exc:
        no_pass.create_service(**create_request("web-app", image, access))
    code, message = error(exc)
    assert code == "AccessDeniedException"
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/deployer is not authorized to perform: "
                              f"iam:PassRole on resource: {access}")
    assert world.apprunner.list_services()["ServiceSummaryList"] == []
    assert not world.slr_exists()


def test_pass_role_condition_must_name_apprunner(world):
    image, access = world.image(), world.access_role()
    wrong = allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
    user = world.user("deployer", inline=policy(allow("apprunner:*"), CREATE_SLR, wrong))
    with pytest.raises(ClientError) as exc:
        user.create_service(**create_request("web-app", image, access))
    assert "iam:PassRole" in error(exc)[1]


def test_access_role_trusting_the_wrong_principal(world):
    image = world.image()
    wrong = world.role("WrongTrust", "tasks.apprunner.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        world.apprunner.create_service(**create_request("web-app", image, wrong))
    assert error(exc) == ("InvalidRequestException", f"Error in assuming access role {wrong}")
    assert world.apprunner.list_services()["ServiceSummaryList"] == []


def test_access_role_that_does_not_exist(world):
    image = world.image()
    ghost = f"arn:aws:iam::{ACCOUNT}:role/ghost-role"
    with pytest.raises(ClientError) as exc:
        world.apprunner.create_service(**create_request("web-app", image, ghost))
    assert error(exc) == ("InvalidRequestException", f"Error in assuming access role {ghost}")


def test_access_role_without_ecr_permissions_fails_the_deployment(world):
    image = world.image()
    bare = world.access_role("BareAccess", managed=())
    arn = world.apprunner.create_service(**create_request("web-app", image, bare))["Service"]["ServiceArn"]
    assert status(world, arn) == "CREATE_FAILED"
    assert operations(world, arn) == [("CREATE_SERVICE", "FAILED")]
    [failure] = world.failures(arn)
    assert (failure["type"], failure["status"]) == ("CREATE_SERVICE", "FAILED")
    assert failure["reason"] == (
        "[AppRunner] Failed to pull your application image. Be sure you configure your service with a valid access "
        f"role to your ECR repository. User: arn:aws:sts::{ACCOUNT}:assumed-role/BareAccess/AppRunnerECRPull is not "
        "authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the "
        "ecr:GetAuthorizationToken action")


def test_access_role_allowed_the_token_but_not_the_repository(world):
    image = world.image()
    partial = world.access_role("TokenOnly", managed=(), inline=policy(allow("ecr:GetAuthorizationToken")))
    arn = world.apprunner.create_service(**create_request("web-app", image, partial))["Service"]["ServiceArn"]
    assert status(world, arn) == "CREATE_FAILED"
    reasons = " ".join(f["reason"] for f in world.failures(arn))
    assert "ecr:BatchCheckLayerAvailability" in reasons or "ecr:BatchGetImage" in reasons


def test_missing_image_tag_fails_the_deployment(world):
    image, access = world.image(), world.access_role()
    missing = image.replace(":v1", ":v2")
    arn = world.apprunner.create_service(**create_request("web-app", missing, access))["Service"]["ServiceArn"]
    assert status(world, arn) == "CREATE_FAILED"
    reasons = " ".join(f["reason"] for f in world.failures(arn))
    assert reasons.endswith("The image with imageId {imageDigest:'null', imageTag:'v2'} does not exist within the "
                            f"repository with name 'app' in the registry with id '{ACCOUNT}'")


def test_missing_repository_fails_the_deployment(world):
    access = world.access_role()
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/nothing:latest"
    arn = world.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(world, arn) == "CREATE_FAILED"
    reasons = " ".join(f["reason"] for f in world.failures(arn))
    assert "The repository with name 'nothing' does not exist" in reasons


def test_public_image_needs_no_access_role(world):
    arn = world.apprunner.create_service(**create_request(
        "web-app", "public.ecr.aws/aws-containers/hello-app-runner:latest", image_type="ECR_PUBLIC",
    ))["Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"


def test_failed_update_rolls_back(world):
    image, access = world.image(), world.access_role()
    arn = world.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"
    source = create_request("web-app", image.replace(":v1", ":v9"), access)["SourceConfiguration"]
    world.apprunner.update_service(ServiceArn=arn, SourceConfiguration=source)
    assert status(world, arn) == "RUNNING"
    assert operations(world, arn)[0] == ("UPDATE_SERVICE", "ROLLBACK_SUCCEEDED")


def test_update_service_checks_pass_role_and_trust(world):
    image, access = world.image(), world.access_role()
    arn = world.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    untrusted = world.role("Untrusted", "ec2.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        world.apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"InstanceRoleArn": untrusted})
    assert error(exc) == ("InvalidRequestException", f"Error in assuming instance role {untrusted}")
    no_pass = world.user("updater", inline=policy(allow("apprunner:*")))
    instance = world.role("Instance", "tasks.apprunner.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        no_pass.update_service(ServiceArn=arn, InstanceConfiguration={"InstanceRoleArn": instance})
    assert error(exc)[0] == "AccessDeniedException" and f"iam:PassRole on resource: {instance}" in error(exc)[1]


def test_instance_role_trust_check(world):
    image, access = world.image(), world.access_role()
    wrong = world.role("InstanceWrong", "build.apprunner.amazonaws.com")
    with pytest.raises(ClientError) as exc:
        world.apprunner.create_service(**create_request("web-app", image, access, instance_role=wrong))
    assert error(exc) == ("InvalidRequestException", f"Error in assuming instance role {wrong}")
    right = world.role("InstanceRight", "tasks.apprunner.amazonaws.com")
    arn = world.apprunner.create_service(**create_request("web-app", image, access, instance_role=right))[
        "Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"


def test_instance_role_credentials_act_under_the_role_policies(world):
    image, access = world.image(), world.access_role()
    instance = world.role("AppInstance", "tasks.apprunner.amazonaws.com",
                          inline=policy(allow("ecr:DescribeRepositories")))
    arn = world.apprunner.create_service(**create_request("web-app", image, access, instance_role=instance))[
        "Service"]["ServiceArn"]
    response = world.harness.app.test_client().get(
        "/_mockrunner/apprunner/instance-role-credentials", query_string={"service_arn": arn})
    assert response.status_code == 200, response.get_data(as_text=True)
    credentials = response.get_json()["credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    sts = world.harness.client_for(credentials, "sts")
    identity = sts.get_caller_identity()
    assert identity["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/AppInstance/")
    ecr = world.harness.client_for(credentials, "ecr")
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["app"]
    with pytest.raises(ClientError) as exc:
        ecr.create_repository(repositoryName="other")
    assert error(exc)[0] == "AccessDeniedException"
    assert "assumed-role/AppInstance/" in error(exc)[1] and "ecr:CreateRepository" in error(exc)[1]


def test_instance_role_credentials_for_a_service_without_one(world):
    image, access = world.image(), world.access_role()
    arn = world.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    client = world.harness.app.test_client()
    response = client.get("/_mockrunner/apprunner/instance-role-credentials", query_string={"service_arn": arn})
    assert response.status_code == 400
    missing = arn.rsplit("/", 1)[0] + "/" + "0" * 32
    response = client.get("/_mockrunner/apprunner/instance-role-credentials", query_string={"service_arn": missing})
    assert response.status_code == 404


@pytest.fixture
def two_accounts(make_harness, aws):
    settings = Settings(log_requests=False, operation_delay=0,
                        extra_accounts=(AccountKeys(OTHER, "other-key", "other-secret"),))
    harness = make_harness(aws.mode, settings)
    return World(harness), World(harness, OTHER, "other-key", "other-secret")


def _cross_account_setup(home: World, registry: World) -> tuple[str, str]:
    image = registry.image("shared")
    access = home.access_role()
    return image, access


def test_cross_account_repository_without_policy_fails(two_accounts):
    home, registry = two_accounts
    image, access = _cross_account_setup(home, registry)
    assert image.startswith(f"{OTHER}.dkr.ecr.")
    arn = home.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(home, arn) == "CREATE_FAILED"
    reasons = " ".join(f["reason"] for f in home.failures(arn))
    assert "Failed to pull your application image" in reasons
    assert f"arn:aws:ecr:{REGION}:{OTHER}:repository/shared" in reasons


def test_cross_account_repository_with_policy_succeeds(two_accounts):
    home, registry = two_accounts
    image, access = _cross_account_setup(home, registry)
    registry.ecr.set_repository_policy(repositoryName="shared", policyText=policy({
        "Sid": "AppRunnerPull", "Effect": "Allow", "Principal": {"AWS": access},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}))
    arn = home.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(home, arn) == "RUNNING"


def test_cross_account_policy_for_another_principal_is_not_enough(two_accounts):
    home, registry = two_accounts
    image, access = _cross_account_setup(home, registry)
    # The role first: ECR refuses a policy naming a role that does not exist ("Principal not found").
    home.iam.create_role(RoleName="SomeoneElse", AssumeRolePolicyDocument=policy({
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    registry.ecr.set_repository_policy(repositoryName="shared", policyText=policy({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/SomeoneElse"},
        "Action": "ecr:*"}))
    arn = home.apprunner.create_service(**create_request("web-app", image, access))["Service"]["ServiceArn"]
    assert status(home, arn) == "CREATE_FAILED"


def test_cross_account_ecr_calls_follow_the_repository_policy(two_accounts):
    home, registry = two_accounts
    registry.image("shared")
    reader = home.user("puller", inline=policy(allow("ecr:*")), service="ecr")
    with pytest.raises(ClientError) as exc:
        reader.describe_images(registryId=OTHER, repositoryName="shared")
    assert error(exc)[0] == "AccessDeniedException"
    registry.ecr.set_repository_policy(repositoryName="shared", policyText=policy({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "ecr:DescribeImages"}))
    details = reader.describe_images(registryId=OTHER, repositoryName="shared")["imageDetails"]
    assert details[0]["registryId"] == OTHER and details[0]["imageTags"] == ["v1"]
    with pytest.raises(ClientError) as exc:
        reader.list_images(registryId=OTHER, repositoryName="shared")
    assert error(exc)[0] == "AccessDeniedException"


def test_first_vpc_connector_creates_the_networking_service_linked_role(world):
    networking = "AWSServiceRoleForAppRunnerNetworking"
    user = world.user("netadmin", inline=policy(allow("apprunner:*")))
    with pytest.raises(ClientError) as exc:
        user.create_vpc_connector(VpcConnectorName="connector", Subnets=["subnet-0123456789abcdef0"])
    code, message = error(exc)
    assert code == "AccessDeniedException"
    assert (f"iam:CreateServiceLinkedRole on resource: arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
            f"networking.apprunner.amazonaws.com/{networking}") in message
    world.apprunner.create_vpc_connector(VpcConnectorName="connector", Subnets=["subnet-0123456789abcdef0"])
    role = world.iam.get_role(RoleName=networking)["Role"]
    assert role["Path"] == "/aws-service-role/networking.apprunner.amazonaws.com/"
    attached = world.iam.list_attached_role_policies(RoleName=networking)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/aws-service-role/AppRunnerNetworkingServiceRolePolicy"]
    # Now that it exists, the user without the SLR permission can create connectors.
    user.create_vpc_connector(VpcConnectorName="second", Subnets=["subnet-0123456789abcdef0"])


@pytest.mark.parametrize("mode", ["soft", "off"])
def test_role_checks_follow_the_enforcement_mode(make_harness, aws, mode):
    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=0, enforce=mode))
    world = World(harness)
    image = world.image()
    untrusted = world.role("Untrusted", "ec2.amazonaws.com")
    arn = world.apprunner.create_service(**create_request("web-app", image, untrusted))["Service"]["ServiceArn"]
    assert status(world, arn) == "RUNNING"
    # A missing image is not an authorization question: it fails in every mode.
    missing = world.apprunner.create_service(**create_request("web-two", image.replace(":v1", ":v7"), untrusted))
    assert status(world, missing["Service"]["ServiceArn"]) == "CREATE_FAILED"
