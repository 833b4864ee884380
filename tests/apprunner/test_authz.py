"""Per-action authorization: the checks each call produces, and IAM users restricted by tags."""
from __future__ import annotations

import pytest

from mockrunner.services.apprunner import failure_reasons
from tests.apprunner.helpers import (
    ACCOUNT,
    DEFAULT_ASC,
    allow,
    code,
    create,
    error_of,
    message,
    private_source,
    pullable_image,
    running,
    service_role,
)

SERVICE_PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/"


def decisions(aws, action: str) -> list[dict]:
    return [entry for entry in aws.store.decision_log if entry["action"] == action]


def test_create_service_checks_name_scoped_arn_tags_and_references(aws):
    apprunner = aws.client("apprunner")
    create(apprunner, "checked", Tags=[{"Key": "team", "Value": "a"}],
           AutoScalingConfigurationArn=DEFAULT_ASC.rsplit("/", 2)[0])
    # The service, then the auto scaling configuration the request names (an optional resource type of the action).
    check, referenced = decisions(aws, "apprunner:CreateService")
    assert check["resource"] == SERVICE_PREFIX + "checked/*"
    assert check["context"]["aws:RequestTag/team"] == "a" and check["context"]["aws:TagKeys"] == ["team"]
    assert check["context"]["apprunner:AutoScalingConfigurationArn"] == DEFAULT_ASC
    assert referenced["resource"] == DEFAULT_ASC
    assert referenced["context"]["aws:RequestTag/team"] == "a"
    [tagging] = decisions(aws, "apprunner:TagResource")
    assert tagging["resource"] == SERVICE_PREFIX + "checked/*"


def test_reads_carry_resource_tags_in_both_spellings_and_lists_use_star(aws):
    apprunner = aws.client("apprunner")
    arn = running(apprunner, "tagged", Tags=[{"Key": "team", "Value": "a"}])
    apprunner.list_services()
    [describe] = decisions(aws, "apprunner:DescribeService")
    assert describe["resource"] == arn
    assert describe["context"]["aws:ResourceTag/team"] == "a"
    assert describe["context"]["apprunner:ResourceTag/team"] == "a"
    assert decisions(aws, "apprunner:ListServices")[0]["resource"] == "*"


def test_vpc_ingress_checks_carry_vpc_keys(aws):
    apprunner = aws.client("apprunner")
    arn = running(apprunner)
    apprunner.create_vpc_ingress_connection(ServiceArn=arn, VpcIngressConnectionName="vic-a",
                                            IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})
    [check] = decisions(aws, "apprunner:CreateVpcIngressConnection")
    assert check["resource"] == f"arn:aws:apprunner:us-east-1:{ACCOUNT}:vpcingressconnection/vic-a/*"
    assert (check["context"]["apprunner:ServiceArn"], check["context"]["apprunner:VpcId"],
            check["context"]["apprunner:VpcEndpointId"]) == (arn, "vpc-1", "vpce-1")


TEAM_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["apprunner:List*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "apprunner:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
    {"Effect": "Allow", "Action": ["apprunner:CreateService", "apprunner:TagResource"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}}},
]}


def test_user_acts_only_on_resources_of_its_team(aws):
    from tests.apprunner.helpers import user_client

    root = aws.client("apprunner")
    ours = running(root, "team-a-svc", Tags=[{"Key": "team", "Value": "a"}])
    theirs = running(root, "team-b-svc", Tags=[{"Key": "team", "Value": "b"}])
    alice = user_client(aws, "alice", TEAM_POLICY, tags={"team": "a"})
    assert alice.describe_service(ServiceArn=ours)["Service"]["ServiceName"] == "team-a-svc"
    alice.pause_service(ServiceArn=ours)
    denied = error_of(alice.describe_service, ServiceArn=theirs)
    assert code(denied) == "AccessDeniedException"
    assert denied.response["ResponseMetadata"]["HTTPStatusCode"] == 400  # as the awsJson services answer
    assert message(denied) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: apprunner:DescribeService on "
        f"resource: {theirs} because no identity-based policy allows the apprunner:DescribeService action")
    assert code(error_of(alice.delete_service, ServiceArn=theirs)) == "AccessDeniedException"
    assert len(alice.list_services()["ServiceSummaryList"]) == 2
    created = create(alice, "alice-svc", Tags=[{"Key": "team", "Value": "a"}])["Service"]
    assert created["ServiceName"] == "alice-svc"
    assert code(error_of(create, alice, "sneaky-svc", Tags=[{"Key": "team", "Value": "b"}])) == \
        "AccessDeniedException"
    assert code(error_of(create, alice, "untagged-svc")) == "AccessDeniedException"
    assert [s["ServiceName"] for s in root.list_services()["ServiceSummaryList"]] == [
        "team-a-svc", "team-b-svc", "alice-svc"]


def test_apprunner_resource_tag_spelling_is_honoured(aws):
    from tests.apprunner.helpers import user_client

    root = aws.client("apprunner")
    arn = running(root, "spelled", Tags=[{"Key": "team", "Value": "a"}])
    policy = allow("apprunner:DescribeService", condition={"StringEquals": {"apprunner:ResourceTag/team": "a"}})
    bob = user_client(aws, "bob", policy)
    assert bob.describe_service(ServiceArn=arn)["Service"]["ServiceArn"] == arn
    root.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "z"}])
    assert code(error_of(bob.describe_service, ServiceArn=arn)) == "AccessDeniedException"


def test_untagged_creation_is_denied_by_tag_keys(aws):
    from tests.apprunner.helpers import user_client

    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["apprunner:*", "iam:CreateServiceLinkedRole"], "Resource": "*"},
        {"Effect": "Deny", "Action": "apprunner:CreateService", "Resource": "*",
         "Condition": {"Null": {"aws:TagKeys": "true"}}},
    ]}
    carol = user_client(aws, "carol", policy)
    denied = error_of(create, carol, "bare-svc")
    assert code(denied) == "AccessDeniedException"
    assert message(denied).startswith(
        f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: apprunner:CreateService on "
        f"resource: {SERVICE_PREFIX}bare-svc/* with an explicit deny in an identity-based policy")
    assert aws.client("apprunner").list_services()["ServiceSummaryList"] == []
    created = create(carol, "tagged-svc", Tags=[{"Key": "cost-center", "Value": "42"}])
    assert created["Service"]["Status"] == "OPERATION_IN_PROGRESS"


def test_list_is_authorized_on_star_only(aws):
    from tests.apprunner.helpers import user_client

    dave = user_client(aws, "dave", allow("apprunner:ListServices", f"{SERVICE_PREFIX}*"))
    assert code(error_of(dave.list_services)) == "AccessDeniedException"
    erin = user_client(aws, "erin", allow("apprunner:ListServices"))
    assert erin.list_services()["ServiceSummaryList"] == []


def test_failed_image_pull_ends_create_failed_with_a_recorded_reason(aws):
    apprunner = aws.client("apprunner")
    source = private_source(service_role(aws, "access"))
    arn = apprunner.create_service(ServiceName="pull-fails", SourceConfiguration=source)["Service"]["ServiceArn"]
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "CREATE_FAILED"
    assert service["SourceConfiguration"]["AutoDeploymentsEnabled"] is True
    [operation] = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert operation["Status"] == "FAILED"
    [failure] = failure_reasons(aws.store, arn)
    assert "Failed to pull your application image" in failure["reason"]
    # A CREATE_FAILED service can be rebuilt with UpdateService (it fails again: the image is still missing).
    apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"
    assert apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Status"] == "FAILED"


def test_untrusted_access_role_is_refused_synchronously(aws):
    apprunner = aws.client("apprunner")
    role = service_role(aws, "wrong", "ec2.amazonaws.com")
    source = private_source(role, "app:v1")
    error = error_of(apprunner.create_service, ServiceName="bad-role", SourceConfiguration=source)
    assert message(error) == f"Error in assuming access role {role}"
    assert apprunner.list_services()["ServiceSummaryList"] == []


@pytest.mark.parametrize("operation", ["CreateService", "CreateVpcConnector"])
def test_service_linked_roles_are_created_on_first_use(aws, operation):
    apprunner, iam = aws.client("apprunner"), aws.client("iam")
    if operation == "CreateService":
        running(apprunner)
        name = "AWSServiceRoleForAppRunner"
    else:
        apprunner.create_vpc_connector(VpcConnectorName="egress-slr", Subnets=["subnet-1"])
        name = "AWSServiceRoleForAppRunnerNetworking"
    assert iam.get_role(RoleName=name)["Role"]["Path"].startswith("/aws-service-role/")


def test_failed_update_rolls_back_and_the_service_keeps_running(aws):
    apprunner = aws.client("apprunner")
    role = pullable_image(aws)
    good = {**private_source(role, "app:v1"), "AutoDeploymentsEnabled": False}
    arn = running(apprunner, SourceConfiguration=good)
    broken = {**private_source(role, "missing:v2"), "AutoDeploymentsEnabled": False}
    apprunner.update_service(ServiceArn=arn, SourceConfiguration=broken)
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "RUNNING"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageIdentifier"] == \
        good["ImageRepository"]["ImageIdentifier"]
    assert apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Status"] == "ROLLBACK_SUCCEEDED"
