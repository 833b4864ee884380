"""State gating, one test per (operation, service status) rule
(docs/behaviour.md, "App Runner: service lifecycle and state gating").

While OPERATION_IN_PROGRESS every action is blocked; PAUSED allows reads, DeleteService and tagging only;
PauseService needs RUNNING, ResumeService needs PAUSED (each answers the service without an operation
when it is already there); UpdateService is allowed in RUNNING and CREATE_FAILED
(where the sources disagree); a DELETED service is not found for every write but stays describable.
"""
from __future__ import annotations

import pytest

from tests.apprunner.helpers import code, create_failed, error_of, message, running

DOMAIN = "gate.example.com"
STATUSES = ("RUNNING", "PAUSED", "OPERATION_IN_PROGRESS", "CREATE_FAILED", "DELETED")
OK, IS, IR, RNF = "ok", "InvalidStateException", "InvalidRequestException", "ResourceNotFoundException"

#: operation -> expected outcome per status, in the order of STATUSES.
RULES = {
    "update_service": (OK, IS, IS, OK, RNF),
    "delete_service": (OK, OK, IS, OK, RNF),
    # Pausing a PAUSED service (resuming a RUNNING one) answers it without an operation, as aws/copilot-cli's
    # client expects ("Sweep: App Runner clients' expectations").
    "pause_service": (OK, OK, IS, IS, RNF),
    "resume_service": (OK, OK, IS, IS, RNF),
    # AWS's answer is InvalidRequestException (CLI output quoted in public deployment notes; the model declares
    # no InvalidStateException for StartDeployment).
    "start_deployment": (OK, IR, IR, IR, RNF),
    "associate_custom_domain": (OK, IS, IS, IS, RNF),
    # A CREATE_FAILED service never had a domain (associating needs RUNNING): the domain is not found.
    "disassociate_custom_domain": (OK, IS, IS, RNF, RNF),
    "create_vpc_ingress_connection": (OK, IS, IS, IS, RNF),
    "tag_resource": (OK, OK, OK, OK, RNF),
    "untag_resource": (OK, OK, OK, OK, RNF),
    "list_tags_for_resource": (OK, OK, OK, OK, RNF),
    "describe_service": (OK, OK, OK, OK, OK),
    "list_operations": (OK, OK, OK, OK, OK),
    "describe_custom_domains": (OK, OK, OK, OK, OK),
}


def _params(method: str, arn: str) -> dict:
    if method == "associate_custom_domain":
        return {"ServiceArn": arn, "DomainName": "new.example.com"}
    if method == "disassociate_custom_domain":
        return {"ServiceArn": arn, "DomainName": DOMAIN}
    if method == "create_vpc_ingress_connection":
        return {"ServiceArn": arn, "VpcIngressConnectionName": "vic-gate",
                "IngressVpcConfiguration": {"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"}}
    if method == "tag_resource":
        return {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}
    if method == "untag_resource":
        return {"ResourceArn": arn, "TagKeys": ["k"]}
    if method == "list_tags_for_resource":
        return {"ResourceArn": arn}
    if method == "update_service":
        return {"ServiceArn": arn, "InstanceConfiguration": {"Memory": "3 GB"}}
    return {"ServiceArn": arn}


def _service_in(aws, client, status: str) -> str:
    if status == "CREATE_FAILED":
        return create_failed(aws, client, "svc-gate", "gate-access")
    arn = running(client, "svc-gate")
    client.associate_custom_domain(ServiceArn=arn, DomainName=DOMAIN)
    if status == "PAUSED":
        client.pause_service(ServiceArn=arn)
    elif status == "OPERATION_IN_PROGRESS":
        aws.store.settings.operation_delay = 600
        client.start_deployment(ServiceArn=arn)
    elif status == "DELETED":
        client.delete_service(ServiceArn=arn)
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == status
    return arn


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("method", sorted(RULES))
def test_state_gating(aws, method, status):
    client = aws.client("apprunner")
    arn = _service_in(aws, client, status)
    expected = RULES[method][STATUSES.index(status)]
    call = getattr(client, method)
    if expected == OK:
        call(**_params(method, arn))
        return
    error = error_of(call, **_params(method, arn))
    assert code(error) == expected
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == status
    if expected == IS and method in ("update_service", "pause_service", "resume_service"):
        assert message(error).endswith(f"Current status: {status}")


def test_update_service_message_names_the_allowed_states(aws):
    client = aws.client("apprunner")
    arn = _service_in(aws, client, "PAUSED")
    error = error_of(client.update_service, ServiceArn=arn)
    assert message(error) == ("Service status must be RUNNING or CREATE_FAILED to be updated. Current status: "
                              "PAUSED")


@pytest.mark.parametrize("status", ["PAUSED", "OPERATION_IN_PROGRESS", "CREATE_FAILED"])
def test_start_deployment_refusal_is_aws_wording(aws, status):
    client = aws.client("apprunner")
    arn = _service_in(aws, client, status)
    error = error_of(client.start_deployment, ServiceArn=arn)
    assert code(error) == "InvalidRequestException"
    assert message(error) == "Can't start a deployment on the specified service, because it isn't in RUNNING state."


@pytest.mark.parametrize("status", ["RUNNING", "CREATE_FAILED"])
def test_update_service_without_configurations_is_refused(aws, status):
    """AWS's answer, quoted in hashicorp/terraform-provider-aws#32839."""
    client = aws.client("apprunner")
    arn = _service_in(aws, client, status)
    error = error_of(client.update_service, ServiceArn=arn)
    assert code(error) == "InvalidRequestException"
    assert message(error) == "No configurations provided in the UpdateService request."
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == status
    assert len(client.list_operations(ServiceArn=arn)["OperationSummaryList"]) == 1


# ---------------------------------------------------------------------------- VPC ingress connection states
VIC_RULES = {
    # status -> (update, delete)
    "PENDING_CREATION": (IS, IS),
    "AVAILABLE": (OK, OK),
    "PENDING_UPDATE": (IS, IS),
    "PENDING_DELETION": (IS, IS),
    "DELETED": (IS, IS),
}


def _vic_in(aws, client, status: str) -> str:
    service = running(client, "svc-vic")
    if status == "PENDING_CREATION":
        aws.store.settings.operation_delay = 600
    arn = client.create_vpc_ingress_connection(
        ServiceArn=service, VpcIngressConnectionName="vic-state",
        IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})["VpcIngressConnection"][
        "VpcIngressConnectionArn"]
    describe = client.describe_vpc_ingress_connection
    if status in ("PENDING_UPDATE", "PENDING_DELETION"):
        assert describe(VpcIngressConnectionArn=arn)["VpcIngressConnection"]["Status"] == "AVAILABLE"
        aws.store.settings.operation_delay = 600
    if status == "PENDING_UPDATE":
        client.update_vpc_ingress_connection(VpcIngressConnectionArn=arn, IngressVpcConfiguration={
            "VpcId": "vpc-2", "VpcEndpointId": "vpce-2"})
    elif status in ("PENDING_DELETION", "DELETED"):
        client.delete_vpc_ingress_connection(VpcIngressConnectionArn=arn)
    assert describe(VpcIngressConnectionArn=arn)["VpcIngressConnection"]["Status"] == status
    return arn


@pytest.mark.parametrize("status", sorted(VIC_RULES))
@pytest.mark.parametrize("which", ["update", "delete"])
def test_vpc_ingress_connection_gating(aws, status, which):
    client = aws.client("apprunner")
    arn = _vic_in(aws, client, status)
    expected = VIC_RULES[status][0 if which == "update" else 1]
    method = getattr(client, f"{which}_vpc_ingress_connection")
    params = {"VpcIngressConnectionArn": arn}
    if which == "update":
        params["IngressVpcConfiguration"] = {"VpcId": "vpc-3", "VpcEndpointId": "vpce-3"}

    def call():
        return method(**params)

    if expected == OK:
        call()
        return
    error = error_of(call)
    assert code(error) == expected
    status_now = client.describe_vpc_ingress_connection(VpcIngressConnectionArn=arn)["VpcIngressConnection"]
    assert status_now["Status"] == status


@pytest.mark.parametrize("status", STATUSES)
def test_list_services_shows_every_status_but_deleted(aws, status):
    """"Running" services in the model's sense: OPERATION_IN_PROGRESS and CREATE_FAILED ones are listed."""
    client = aws.client("apprunner")
    arn = _service_in(aws, client, status)
    listed = {s["ServiceArn"]: s["Status"] for s in client.list_services()["ServiceSummaryList"]}
    assert listed == ({} if status == "DELETED" else {arn: status})
