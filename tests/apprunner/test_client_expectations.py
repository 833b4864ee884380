"""What real App Runner client code expects of AWS's answers, replayed through boto3 in both modes
(docs/behaviour.md, "Sweep: App Runner clients' expectations (Copilot, the deploy action)").

Each test replays the calls one public client makes, in its order, and asserts what that client reads back:

- aws/copilot-cli ``internal/pkg/aws/apprunner/apprunner.go``: ``ServiceARN`` pages ListServices until
  ``NextToken`` is absent; ``DescribeService`` dereferences ``CreatedAt``, ``UpdatedAt``, ``InstanceConfiguration``
  ``Cpu``/``Memory``, ``ImageRepository.ImageIdentifier`` and ``ImageConfiguration.Port`` without nil checks;
  ``ParseServiceID`` takes the ARN's third ``/`` part as the service id (log group names); ``WaitForOperation``
  pages ListOperations for the operation id until ``SUCCEEDED`` / ``FAILED``; ``PauseService`` / ``ResumeService``
  take an answer without ``OperationId`` whose service is already ``PAUSED`` / ``RUNNING`` as success (its unit
  tests "success if service is already paused" / "already running"); ``PrivateURL`` reads a VPC ingress
  connection's ``DomainName`` and ``describe`` prefixes ``https://`` to it and to ``ServiceUrl`` (host names).
- aws/copilot-cli ``cf-custom-resources/lib/custom-domain-app-runner.js``: Associate again is tolerated when the
  message includes "<domain> is already associated with"; Disassociate of a domain the service no longer has is
  tolerated when the message includes "No custom domain <domain> found for the provided service"; it waits for
  ``pending_certificate_dns_validation`` (or ``active`` with 3 records) and then for the domain to leave
  DescribeCustomDomains, failing on ``delete_failed``; Disassociate's answer carries ``DNSTarget`` and the
  domain's ``CertificateValidationRecords``.
- awslabs/amazon-app-runner-deploy ``src/action-helper-functions.ts``: finds the service by name in ListServices
  (with its ``Status``); a ``CREATE_FAILED`` one is deleted, DescribeService polled until it is ``DELETED``, and a
  service of the same name created; otherwise TagResource then UpdateService (``"1 vCPU"`` / ``"2 GB"``, an
  access role even for ECR Public, ``Tags: []`` on create), DescribeService polled until not
  ``OPERATION_IN_PROGRESS``, then the first ListOperations page must show the update's id ``SUCCEEDED``.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.apprunner.helpers import (
    OPERATION_ID,
    PUBLIC_IMAGE,
    SERVICE_ARN,
    SERVICE_URL,
    code,
    create,
    create_failed,
    error_of,
    message,
    running,
    service_role,
)

HOST = re.compile(r"^[a-z0-9.-]+$")
POLLS = 20
"""Every wait loop below is bounded: with ``operation_delay`` 0 the first poll already sees the end state."""


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def _raw_bodies(client, operation: str) -> list[dict]:
    """The JSON bodies of ``operation``'s answers as they came off the wire (before botocore parses them)."""
    bodies: list[dict] = []

    def keep(response_dict, **_):
        bodies.append(json.loads(response_dict["body"] or b"{}"))

    client.meta.events.register(f"before-parse.apprunner.{operation}", keep)
    return bodies


def _copilot_service_arn(client, name: str) -> str | None:
    """Copilot's ServiceARN: ListServices without MaxResults, following NextToken until it is absent."""
    token = None
    for _ in range(POLLS):
        page = client.list_services(**({"NextToken": token} if token else {}))
        for summary in page["ServiceSummaryList"]:
            if summary["ServiceName"] == name:
                return summary["ServiceArn"]
        token = page.get("NextToken")
        if token is None:
            return None
    raise AssertionError("ListServices never ended")


def _copilot_wait_for_operation(client, operation_id: str, service_arn: str) -> str:
    """Copilot's WaitForOperation: page ListOperations for the id until SUCCEEDED or FAILED."""
    for _ in range(POLLS):
        token, found = None, None
        for _page in range(POLLS):
            page = client.list_operations(ServiceArn=service_arn, **({"NextToken": token} if token else {}))
            found = next((op for op in page["OperationSummaryList"] if op["Id"] == operation_id), found)
            token = page.get("NextToken")
            if found is not None or token is None:
                break
        assert found is not None, f"no operation found {operation_id}"
        if found["Status"] in ("SUCCEEDED", "FAILED"):
            return found["Status"]
    raise AssertionError(f"operation {operation_id} never ended")


# ------------------------------------------------------------------------------------------------ Copilot
def test_copilot_finds_a_service_on_a_later_page_and_the_last_page_has_no_token(apprunner):
    bodies = _raw_bodies(apprunner, "ListServices")
    for index in range(22):
        create(apprunner, f"svc-{index:02d}")
    assert SERVICE_ARN.match(_copilot_service_arn(apprunner, "svc-21")).group(1) == "svc-21"
    assert _copilot_service_arn(apprunner, "absent-svc") is None
    assert len(bodies) >= 2 and "NextToken" in bodies[0]
    assert "NextToken" not in bodies[-1], "a null or empty NextToken would make Go clients loop"


def test_copilot_describe_service_reads_every_member_it_dereferences(aws, apprunner):
    secret = "arn:aws:ssm:us-east-1:123456789012:parameter/db"
    role = service_role(aws, "copilot-instance", "tasks.apprunner.amazonaws.com")  # secrets need one
    arn = running(apprunner, "copilot-svc", SourceConfiguration={"ImageRepository": {
        "ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC",
        "ImageConfiguration": {"RuntimeEnvironmentVariables": {"LOG_LEVEL": "info"},
                               "RuntimeEnvironmentSecrets": {"DB": secret}}}},
        InstanceConfiguration={"InstanceRoleArn": role})
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    image = service["SourceConfiguration"]["ImageRepository"]
    assert image["ImageConfiguration"]["Port"] == "8080"
    assert image["ImageConfiguration"]["RuntimeEnvironmentVariables"] == {"LOG_LEVEL": "info"}
    assert image["ImageConfiguration"]["RuntimeEnvironmentSecrets"] == {"DB": secret}
    assert (service["InstanceConfiguration"]["Cpu"], service["InstanceConfiguration"]["Memory"]) == ("1024", "2048")
    assert service["InstanceConfiguration"]["InstanceRoleArn"] == role
    assert service["CreatedAt"] <= service["UpdatedAt"]
    name, service_id = arn.split(":", 5)[5].split("/")[1:]
    assert (name, service_id) == ("copilot-svc", service["ServiceId"])
    assert SERVICE_URL.match(service["ServiceUrl"]), "Copilot prefixes https:// itself: a host name, no scheme"


def test_copilot_reads_the_tracing_vendor_of_the_services_observability_configuration(apprunner):
    configuration = apprunner.create_observability_configuration(
        ObservabilityConfigurationName="tracing", TraceConfiguration={"Vendor": "AWSXRAY"},
    )["ObservabilityConfiguration"]
    arn = running(apprunner, ObservabilityConfiguration={
        "ObservabilityEnabled": True, "ObservabilityConfigurationArn": configuration["ObservabilityConfigurationArn"]})
    observability = apprunner.describe_service(ServiceArn=arn)["Service"]["ObservabilityConfiguration"]
    assert observability["ObservabilityEnabled"] is True
    described = apprunner.describe_observability_configuration(
        ObservabilityConfigurationArn=observability["ObservabilityConfigurationArn"])["ObservabilityConfiguration"]
    assert described["TraceConfiguration"] == {"Vendor": "AWSXRAY"}


def test_copilot_private_url_is_the_ingress_connections_host_name(apprunner):
    arn = running(apprunner)
    connection = apprunner.create_vpc_ingress_connection(
        ServiceArn=arn, VpcIngressConnectionName="copilot-vic",
        IngressVpcConfiguration={"VpcId": "vpc-1234", "VpcEndpointId": "vpce-1234"})["VpcIngressConnection"]
    domain = apprunner.describe_vpc_ingress_connection(
        VpcIngressConnectionArn=connection["VpcIngressConnectionArn"])["VpcIngressConnection"]["DomainName"]
    assert HOST.match(domain) and domain.endswith(".awsapprunner.com")


def test_copilot_pause_and_resume_wait_for_their_operations(apprunner):
    arn = running(apprunner)
    paused = apprunner.pause_service(ServiceArn=arn)
    assert OPERATION_ID.match(paused["OperationId"])
    assert _copilot_wait_for_operation(apprunner, paused["OperationId"], arn) == "SUCCEEDED"
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "PAUSED"
    resumed = apprunner.resume_service(ServiceArn=arn)
    assert _copilot_wait_for_operation(apprunner, resumed["OperationId"], arn) == "SUCCEEDED"
    deployed = apprunner.start_deployment(ServiceArn=arn)["OperationId"]
    assert _copilot_wait_for_operation(apprunner, deployed, arn) == "SUCCEEDED"
    assert [op["Id"] for op in apprunner.list_operations(ServiceArn=arn, MaxResults=1)["OperationSummaryList"]] == \
        [deployed]


def test_pausing_a_paused_service_answers_it_without_an_operation(apprunner):
    """Copilot's PauseService returns success on ``OperationId == nil && Status == PAUSED`` (its test "success
    if service is already paused"); the model leaves OperationId optional on Pause/Resume only."""
    arn = running(apprunner)
    apprunner.pause_service(ServiceArn=arn)
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "PAUSED"
    before = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    again = apprunner.pause_service(ServiceArn=arn)
    assert "OperationId" not in again and again["Service"]["Status"] == "PAUSED"
    assert apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"] == before
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "PAUSED"


def test_resuming_a_running_service_answers_it_without_an_operation(apprunner):
    arn = running(apprunner)
    before = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    again = apprunner.resume_service(ServiceArn=arn)
    assert "OperationId" not in again and again["Service"]["Status"] == "RUNNING"
    assert apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"] == before


def test_pause_and_resume_stay_refused_in_other_states(aws, apprunner):
    failed = create_failed(aws, apprunner, "failed-svc", "copilot-access")
    assert code(error_of(apprunner.pause_service, ServiceArn=failed)) == "InvalidStateException"
    assert code(error_of(apprunner.resume_service, ServiceArn=failed)) == "InvalidStateException"


def test_copilot_custom_domain_round_trip(apprunner):
    arn = running(apprunner)
    associated = apprunner.associate_custom_domain(ServiceArn=arn, DomainName="app.example.com")
    assert associated["DNSTarget"] == apprunner.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"]
    again = error_of(apprunner.associate_custom_domain, ServiceArn=arn, DomainName="app.example.com")
    assert "app.example.com is already associated with" in message(again)
    domains = apprunner.describe_custom_domains(ServiceArn=arn)
    domain = next(d for d in domains["CustomDomains"] if d["DomainName"] == "app.example.com")
    assert domain["Status"] == "pending_certificate_dns_validation" and len(domain["CertificateValidationRecords"]) == 3
    assert "NextToken" not in domains
    removed = apprunner.disassociate_custom_domain(ServiceArn=arn, DomainName="app.example.com")
    assert removed["DNSTarget"] == associated["DNSTarget"]
    assert removed["CustomDomain"]["CertificateValidationRecords"] == domain["CertificateValidationRecords"]
    assert removed["CustomDomain"]["Status"] == "deleting"
    assert apprunner.describe_custom_domains(ServiceArn=arn)["CustomDomains"] == []


def test_disassociating_a_domain_the_service_lacks_is_worded_as_copilot_matches(apprunner):
    """custom-domain-app-runner.js treats a delete as done when the message includes "No custom domain
    <domain> found for the provided service"; Terraform treats ResourceNotFoundException the same way."""
    arn = running(apprunner)
    error = error_of(apprunner.disassociate_custom_domain, ServiceArn=arn, DomainName="gone.example.com")
    assert code(error) == "ResourceNotFoundException"
    assert "No custom domain gone.example.com found for the provided service" in message(error)
    apprunner.associate_custom_domain(ServiceArn=arn, DomainName="twice.example.com")
    apprunner.disassociate_custom_domain(ServiceArn=arn, DomainName="twice.example.com")
    error = error_of(apprunner.disassociate_custom_domain, ServiceArn=arn, DomainName="twice.example.com")
    assert "No custom domain twice.example.com found for the provided service" in message(error)


# -------------------------------------------------------------------------------------- the deploy action
def _deploy_action_find(client, name: str) -> dict | None:
    token = None
    for _ in range(POLLS):
        page = client.list_services(**({"NextToken": token} if token else {}))
        for summary in page["ServiceSummaryList"]:
            if summary["ServiceName"] == name and summary["ServiceArn"]:
                return {"ServiceArn": summary["ServiceArn"], "Status": summary["Status"]}
        token = page.get("NextToken")
        if not token:
            return None
    raise AssertionError("ListServices never ended")


def _deploy_action_wait(client, arn: str) -> str:
    for _ in range(POLLS):
        status = client.describe_service(ServiceArn=arn)["Service"]["Status"]
        if status != "OPERATION_IN_PROGRESS":
            return status
    raise AssertionError("the service never left OPERATION_IN_PROGRESS")


def _deploy_action_source(role: str) -> dict:
    return {"AuthenticationConfiguration": {"AccessRoleArn": role},
            "ImageRepository": {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC",
                                "ImageConfiguration": {"Port": "80"}}}


def test_deploy_action_replaces_a_create_failed_service_of_the_same_name(aws, apprunner):
    failed = create_failed(aws, apprunner, "deployed-app", "action-access")
    found = _deploy_action_find(apprunner, "deployed-app")
    assert found == {"ServiceArn": failed, "Status": "CREATE_FAILED"}
    apprunner.delete_service(ServiceArn=failed)
    assert _deploy_action_wait(apprunner, failed) == "DELETED"
    role = "arn:aws:iam::123456789012:role/action-access"
    created = apprunner.create_service(ServiceName="deployed-app", InstanceConfiguration={"Cpu": "1 vCPU",
                                                                                           "Memory": "2 GB"},
                                       SourceConfiguration=_deploy_action_source(role), Tags=[])["Service"]
    assert created["ServiceArn"] != failed and created["ServiceId"] and SERVICE_URL.match(created["ServiceUrl"])
    assert _deploy_action_wait(apprunner, created["ServiceArn"]) == "RUNNING"


def test_deploy_action_update_then_checks_its_operation(aws, apprunner):
    role = "arn:aws:iam::123456789012:role/action-access"
    arn = running(apprunner, "deployed-app", SourceConfiguration=_deploy_action_source(role), Tags=[])
    found = _deploy_action_find(apprunner, "deployed-app")
    assert found == {"ServiceArn": arn, "Status": "RUNNING"}
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "ci"}])
    update = apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"},
                                      SourceConfiguration=_deploy_action_source(role))
    assert SERVICE_URL.match(update["Service"]["ServiceUrl"]) and update["Service"]["ServiceId"]
    assert _deploy_action_wait(apprunner, arn) == "RUNNING"
    operations = apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    mine = [op for op in operations if op["Id"] == update["OperationId"]]
    assert [(op["Type"], op["Status"]) for op in mine] == [("UPDATE_SERVICE", "SUCCEEDED")]
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert (service["InstanceConfiguration"]["Cpu"], service["InstanceConfiguration"]["Memory"]) == ("2048", "4096")


def test_polling_scripts_see_the_latest_operation_first(apprunner):
    """CI scripts (aws/apprunner-roadmap#270, awslabs/amazon-app-runner-deploy#27) poll
    ``list-operations --max-results 1`` and read ``OperationSummaryList[0]``."""
    arn = running(apprunner)
    deployed = apprunner.start_deployment(ServiceArn=arn)["OperationId"]
    first = apprunner.list_operations(ServiceArn=arn, MaxResults=1)
    assert [op["Id"] for op in first["OperationSummaryList"]] == [deployed] and first["NextToken"]
    latest = first["OperationSummaryList"][0]
    assert latest["Status"] == "SUCCEEDED" and latest["EndedAt"] == latest["UpdatedAt"]
    assert latest["StartedAt"] <= latest["EndedAt"]
