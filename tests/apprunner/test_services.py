"""Services: success paths, defaults, validation and the lifecycle, through boto3 in both modes."""
from __future__ import annotations

from dataclasses import replace

import pytest

from mockrunner.config import AccountKeys, Settings
from mockrunner.services.apprunner import pending_operations, settle
from tests.apprunner.helpers import (
    DEFAULT_ASC,
    OPERATION_ID,
    PUBLIC_IMAGE,
    PUBLIC_SOURCE,
    SERVICE_ARN,
    SERVICE_URL,
    code,
    create,
    create_failed,
    error_of,
    message,
    private_source,
    running,
    service_role,
)


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def test_create_service_returns_in_progress_with_ids_and_url(apprunner):
    result = create(apprunner, "hello-svc")
    service = result["Service"]
    assert service["Status"] == "OPERATION_IN_PROGRESS"
    match = SERVICE_ARN.match(service["ServiceArn"])
    assert match and match.group(1) == "hello-svc" and match.group(2) == service["ServiceId"]
    assert SERVICE_URL.match(service["ServiceUrl"])
    assert OPERATION_ID.match(result["OperationId"])
    assert service["CreatedAt"] == service["UpdatedAt"]


def test_describe_after_create_shows_running_and_the_defaults(apprunner):
    arn = create(apprunner)["Service"]["ServiceArn"]
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "RUNNING"
    assert service["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
    assert service["HealthCheckConfiguration"] == {"Protocol": "TCP", "Path": "/", "Interval": 10, "Timeout": 5,
                                                   "HealthyThreshold": 1, "UnhealthyThreshold": 5}
    assert service["NetworkConfiguration"] == {"EgressConfiguration": {"EgressType": "DEFAULT"},
                                               "IngressConfiguration": {"IsPubliclyAccessible": True},
                                               "IpAddressType": "IPV4"}
    summary = service["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == DEFAULT_ASC
    assert summary["AutoScalingConfigurationRevision"] == 1 and summary["IsDefault"] is True
    assert service["SourceConfiguration"]["AutoDeploymentsEnabled"] is False
    assert service["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]["Port"] == "8080"
    assert "ObservabilityConfiguration" not in service and "EncryptionConfiguration" not in service
    assert "DeletedAt" not in service


def test_instance_sizes_are_normalised(apprunner):
    arn = create(apprunner, InstanceConfiguration={"Cpu": "1 vCPU", "Memory": "3 GB"})["Service"]["ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"] == {
        "Cpu": "1024", "Memory": "3072"}


def test_invalid_cpu_memory_pair_is_rejected(apprunner):
    error = error_of(create, apprunner, InstanceConfiguration={"Cpu": "4 vCPU", "Memory": "2 GB"})
    assert code(error) == "InvalidRequestException"
    assert "combination" in message(error)
    assert apprunner.list_services()["ServiceSummaryList"] == []


def test_partial_health_check_is_merged_with_the_defaults(apprunner):
    arn = create(apprunner, HealthCheckConfiguration={"Protocol": "HTTP", "Path": "/health"})["Service"]["ServiceArn"]
    health = apprunner.describe_service(ServiceArn=arn)["Service"]["HealthCheckConfiguration"]
    assert health == {"Protocol": "HTTP", "Path": "/health", "Interval": 10, "Timeout": 5, "HealthyThreshold": 1,
                      "UnhealthyThreshold": 5}


def test_health_check_interval_above_20_is_rejected(apprunner):
    error = error_of(create, apprunner, HealthCheckConfiguration={"Interval": 21})
    assert code(error) == "InvalidRequestException"


def test_duplicate_name_is_rejected_while_the_first_exists(apprunner):
    running(apprunner, "twin")
    error = error_of(create, apprunner, "twin")
    assert code(error) == "InvalidRequestException"
    assert message(error) == "Service with the provided name already exists: twin"


def test_name_is_free_again_after_deletion(apprunner):
    arn = running(apprunner, "reused")
    apprunner.delete_service(ServiceArn=arn)
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"
    second = create(apprunner, "reused")["Service"]["ServiceArn"]
    assert second != arn


def test_both_repositories_are_rejected(apprunner):
    source = {**PUBLIC_SOURCE, "CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                                  "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"}}}
    assert code(error_of(apprunner.create_service, ServiceName="both", SourceConfiguration=source)) == \
        "InvalidRequestException"
    assert code(error_of(apprunner.create_service, ServiceName="none", SourceConfiguration={})) == \
        "InvalidRequestException"


def test_auto_deployments_refused_for_ecr_public(apprunner):
    error = error_of(apprunner.create_service, ServiceName="auto-pub",
                     SourceConfiguration={**PUBLIC_SOURCE, "AutoDeploymentsEnabled": True})
    assert message(error) == ("App Runner doesn't support automatic deployments for an image in an ECR Public "
                              "repository.")


def test_ecr_image_identifier_must_match_its_type(apprunner):
    source = {"ImageRepository": {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR"},
              "AuthenticationConfiguration": {"AccessRoleArn": "arn:aws:iam::123456789012:role/access"}}
    error = error_of(apprunner.create_service, ServiceName="mismatch", SourceConfiguration=source)
    assert code(error) == "InvalidRequestException" and "ECR image identifier" in message(error)


def test_private_ecr_requires_an_access_role(apprunner):
    source = {"ImageRepository": {"ImageIdentifier": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
                                  "ImageRepositoryType": "ECR"}}
    error = error_of(apprunner.create_service, ServiceName="no-role", SourceConfiguration=source)
    assert code(error) == "InvalidRequestException" and "access role" in message(error)


def test_code_repository_requires_a_connection(apprunner):
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                 "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}}}
    error = error_of(apprunner.create_service, ServiceName="no-conn", SourceConfiguration=source)
    assert code(error) == "InvalidRequestException" and "connection" in message(error)


def test_egress_vpc_needs_a_connector(apprunner):
    error = error_of(create, apprunner, NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC"}})
    assert code(error) == "InvalidRequestException"


def test_service_quota(make_harness):
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0))
    harness.store.settings.quotas = replace(harness.store.settings.quotas, apprunner_max_services=2)
    client = harness.client("apprunner")
    running(client, "one-svc")
    running(client, "two-svc")
    assert code(error_of(create, client, "three-svc")) == "ServiceQuotaExceededException"


def test_list_services_excludes_deleted(apprunner):
    keep = running(apprunner, "keep-me")
    gone = running(apprunner, "drop-me")
    apprunner.delete_service(ServiceArn=gone)
    apprunner.describe_service(ServiceArn=gone)
    arns = [s["ServiceArn"] for s in apprunner.list_services()["ServiceSummaryList"]]
    assert arns == [keep]


def test_unknown_service_is_not_found(apprunner):
    arn = "arn:aws:apprunner:us-east-1:123456789012:service/ghost/0123456789abcdef0123456789abcdef"
    for call in (apprunner.describe_service, apprunner.delete_service, apprunner.pause_service,
                 apprunner.resume_service, apprunner.start_deployment, apprunner.list_operations):
        assert code(error_of(call, ServiceArn=arn)) == "ResourceNotFoundException"


def test_another_accounts_service_never_leaks(make_harness):
    """An ARN of another account is refused the same way whether or not the service exists there."""
    other = AccountKeys("210987654321", "other-key", "other-secret")
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0, extra_accounts=(other,)))
    theirs = running(harness.client("apprunner", access_key="other-key", secret="other-secret"), "secret-svc")
    mine = harness.client("apprunner")
    ghost = theirs[:-32] + "0" * 32
    real, fake = error_of(mine.describe_service, ServiceArn=theirs), error_of(mine.describe_service, ServiceArn=ghost)
    assert code(real) == code(fake) == "AccessDeniedException"
    assert message(real).replace(theirs, "X") == message(fake).replace(ghost, "X")
    assert code(error_of(mine.tag_resource, ResourceArn=theirs, Tags=[{"Key": "a", "Value": "b"}])) == \
        "AccessDeniedException"


def test_pause_resume_cycle_and_operations_newest_first(apprunner):
    arn = running(apprunner)
    paused = apprunner.pause_service(ServiceArn=arn)
    assert paused["Service"]["Status"] == "OPERATION_IN_PROGRESS" and OPERATION_ID.match(paused["OperationId"])
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "PAUSED"
    resumed = apprunner.resume_service(ServiceArn=arn)
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    ops = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert [op["Type"] for op in ops] == ["RESUME_SERVICE", "PAUSE_SERVICE", "CREATE_SERVICE"]
    assert ops[0]["Id"] == resumed["OperationId"] and ops[1]["Id"] == paused["OperationId"]
    assert all(op["Status"] == "SUCCEEDED" and op["TargetArn"] == arn for op in ops)
    assert all(op["EndedAt"] == op["UpdatedAt"] and op["StartedAt"] <= op["EndedAt"] for op in ops)


def test_start_deployment_returns_only_an_operation_id(apprunner):
    arn = running(apprunner)
    result = apprunner.start_deployment(ServiceArn=arn)
    assert OPERATION_ID.match(result["OperationId"]) and "Service" not in result
    ops = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert ops[0] == {**ops[0], "Id": result["OperationId"], "Type": "START_DEPLOYMENT", "Status": "SUCCEEDED"}


def test_update_service_merges_and_keeps_omitted_members(apprunner):
    arn = running(apprunner, InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    result = apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Memory": "6 GB"},
                                      HealthCheckConfiguration={"Timeout": 3})
    assert result["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "RUNNING"
    assert service["InstanceConfiguration"] == {"Cpu": "2048", "Memory": "6144"}
    assert service["HealthCheckConfiguration"]["Timeout"] == 3
    assert service["HealthCheckConfiguration"]["Interval"] == 10
    ops = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert ops[0]["Type"] == "UPDATE_SERVICE" and ops[0]["Id"] == result["OperationId"]


def test_update_cannot_switch_repository_type(apprunner):
    arn = running(apprunner)
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"}}}
    assert code(error_of(apprunner.update_service, ServiceArn=arn, SourceConfiguration=source)) == \
        "InvalidRequestException"


def test_update_cannot_switch_image_repository_type(aws, apprunner):
    """ECR_PUBLIC -> ECR: AWS's answer, quoted in a public project's troubleshooting notes."""
    arn = running(apprunner)
    source = private_source(service_role(aws, "switch-access"))
    error = error_of(apprunner.update_service, ServiceArn=arn, SourceConfiguration=source)
    assert code(error) == "InvalidRequestException"
    assert message(error) == "The image repository type cannot be changed in UpdateService request"
    shown = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert shown["SourceConfiguration"]["ImageRepository"]["ImageRepositoryType"] == "ECR_PUBLIC"


def test_delete_returns_in_progress_then_deleted_with_deleted_at(apprunner):
    arn = running(apprunner)
    result = apprunner.delete_service(ServiceArn=arn)
    assert result["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["Status"] == "DELETED" and service["DeletedAt"] >= service["CreatedAt"]
    assert code(error_of(apprunner.delete_service, ServiceArn=arn)) == "ResourceNotFoundException"


# ------------------------------------------------------------------------------------- state gating
@pytest.fixture
def slow(make_harness):
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=30))
    return harness, harness.client("apprunner")


def test_operations_complete_only_when_the_clock_passes_the_delay(slow):
    harness, client = slow
    arn = create(client)["Service"]["ServiceArn"]
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    ops = client.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert ops[0]["Status"] == "IN_PROGRESS" and "EndedAt" not in ops[0]
    assert [task["target_arn"] for task in pending_operations(harness.store)] == [arn]
    harness.store.clock.advance(29)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    harness.store.clock.advance(1)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    assert pending_operations(harness.store) == []


def test_settle_completes_everything_at_once(slow):
    harness, client = slow
    arns = [create(client, f"svc-{i}")["Service"]["ServiceArn"] for i in range(3)]
    assert settle(harness.store) == 3
    assert {client.describe_service(ServiceArn=a)["Service"]["Status"] for a in arns} == {"RUNNING"}
    assert settle(harness.store) == 0


@pytest.mark.parametrize("call, refusal", [
    ("update_service", "InvalidStateException"), ("delete_service", "InvalidStateException"),
    ("pause_service", "InvalidStateException"), ("resume_service", "InvalidStateException"),
    ("start_deployment", "InvalidRequestException")])
def test_every_action_is_blocked_while_an_operation_runs(slow, call, refusal):
    harness, client = slow
    arn = create(client)["Service"]["ServiceArn"]
    error = error_of(getattr(client, call), ServiceArn=arn)
    assert code(error) == refusal
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"


@pytest.mark.parametrize("call, refusal", [("update_service", "InvalidStateException"),
                                           ("start_deployment", "InvalidRequestException")])
def test_paused_service_refuses_update_and_deploy(apprunner, call, refusal):
    arn = running(apprunner)
    apprunner.pause_service(ServiceArn=arn)
    assert code(error_of(getattr(apprunner, call), ServiceArn=arn)) == refusal


def test_paused_service_can_be_deleted_and_tagged(apprunner):
    arn = running(apprunner)
    apprunner.pause_service(ServiceArn=arn)
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    apprunner.delete_service(ServiceArn=arn)
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"


def test_resume_requires_paused(aws, apprunner):
    arn = create_failed(aws, apprunner, "failed-svc", "resume-access")
    error = error_of(apprunner.resume_service, ServiceArn=arn)
    assert code(error) == "InvalidStateException" and "PAUSED" in message(error)


def test_paused_service_refuses_custom_domains(apprunner):
    arn = running(apprunner)
    apprunner.pause_service(ServiceArn=arn)
    assert code(error_of(apprunner.associate_custom_domain, ServiceArn=arn, DomainName="example.com")) == \
        "InvalidStateException"


def test_deleted_service_refuses_everything_but_reads(apprunner):
    arn = running(apprunner)
    apprunner.delete_service(ServiceArn=arn)
    apprunner.describe_service(ServiceArn=arn)
    assert code(error_of(apprunner.pause_service, ServiceArn=arn)) == "ResourceNotFoundException"
    assert apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Type"] == "DELETE_SERVICE"


def test_deleted_service_is_forgotten_after_the_retention(make_harness):
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0))
    client = harness.client("apprunner")
    arn = running(client)
    client.delete_service(ServiceArn=arn)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"
    harness.store.clock.advance(3601)
    assert code(error_of(client.describe_service, ServiceArn=arn)) == "ResourceNotFoundException"
