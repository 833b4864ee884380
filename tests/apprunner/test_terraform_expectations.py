"""What terraform-provider-aws's App Runner resources (``internal/service/apprunner/``) expect of App Runner's
answers, as the provider's call sequences through boto3 in both modes: create, wait, read, update, wait, read,
delete, wait, read after delete.  Every expectation here held when checked:
(docs/behaviour.md, "Sweep: the Terraform AWS provider's expectations") lists them, and
``test_terraform_evidence.py`` has the older ones."""
from __future__ import annotations

import pytest

from tests.apprunner.helpers import DEFAULT_ASC, PUBLIC_IMAGE, code, error_of, message

IMAGE = {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC", "ImageConfiguration": {"Port": "8000"}}
HEALTH = {"HealthyThreshold": 1, "Interval": 5, "Path": "/", "Protocol": "TCP", "Timeout": 2, "UnhealthyThreshold": 5}


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def test_a_service_as_terraform_creates_updates_and_deletes_it(apprunner):
    """``service.go``: Create sends all six health-check members and the instance configuration in units, waits
    from OPERATION_IN_PROGRESS to RUNNING and reads every block back; Update sends only the blocks that changed (a
    network configuration without ingress keeps the ingress), waits again; Delete waits for DELETED, which Read
    takes as gone, and a second DeleteService is ResourceNotFoundException, which Delete takes as done."""
    created = apprunner.create_service(
        ServiceName="tf-service", SourceConfiguration={"ImageRepository": IMAGE, "AutoDeploymentsEnabled": False},
        HealthCheckConfiguration=HEALTH, InstanceConfiguration={"Cpu": "1 vCPU", "Memory": "2 GB"})["Service"]
    assert created["Status"] == "OPERATION_IN_PROGRESS"
    arn = created["ServiceArn"]
    read = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert read["Status"] == "RUNNING"
    assert read["HealthCheckConfiguration"] == HEALTH
    assert read["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
    assert read["AutoScalingConfigurationSummary"]["AutoScalingConfigurationArn"] == DEFAULT_ASC
    assert read["NetworkConfiguration"]["IngressConfiguration"] == {"IsPubliclyAccessible": True}
    assert "EncryptionConfiguration" not in read and "ObservabilityConfiguration" not in read
    apprunner.update_service(ServiceArn=arn, NetworkConfiguration={"EgressConfiguration": {"EgressType": "DEFAULT"}},
                             InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    read = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert read["Status"] == "RUNNING"
    assert read["NetworkConfiguration"]["IngressConfiguration"] == {"IsPubliclyAccessible": True}
    assert read["InstanceConfiguration"] == {"Cpu": "2048", "Memory": "4096"}
    assert apprunner.delete_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"
    assert code(error_of(apprunner.delete_service, ServiceArn=arn)) == "ResourceNotFoundException"


def test_configurations_and_connectors_read_back_inactive_after_delete(apprunner):
    """The finders of ``auto_scaling_configuration_version.go`` (``inactive``), ``observability_configuration.go``
    and ``vpc_connector.go`` (``INACTIVE``) take these statuses as gone; a second delete of each is what its Delete
    takes as done: InvalidRequestException "The auto scaling configuration you specified has been deleted" for an
    auto scaling revision, ResourceNotFoundException for the others.  Connections are found by ListConnections
    (``DELETED`` once deleted)."""
    scaling = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="tf-asc")[
        "AutoScalingConfiguration"]
    assert (scaling["Status"], scaling["MaxConcurrency"], scaling["MaxSize"], scaling["MinSize"]) == (
        "active", 100, 25, 1)
    observability = apprunner.create_observability_configuration(
        ObservabilityConfigurationName="tf-obs", TraceConfiguration={"Vendor": "AWSXRAY"})["ObservabilityConfiguration"]
    connector = apprunner.create_vpc_connector(VpcConnectorName="tf-vpcc", Subnets=["subnet-0123456789abcdef0"],
                                               SecurityGroups=["sg-0123456789abcdef0"])["VpcConnector"]
    assert (observability["Status"], connector["Status"]) == ("ACTIVE", "ACTIVE")
    connection = apprunner.create_connection(ConnectionName="tf-conn", ProviderType="GITHUB")["Connection"]
    assert connection["Status"] == "PENDING_HANDSHAKE"
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=scaling["AutoScalingConfigurationArn"])
    apprunner.delete_observability_configuration(
        ObservabilityConfigurationArn=observability["ObservabilityConfigurationArn"])
    apprunner.delete_vpc_connector(VpcConnectorArn=connector["VpcConnectorArn"])
    apprunner.delete_connection(ConnectionArn=connection["ConnectionArn"])
    assert apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=scaling[
        "AutoScalingConfigurationArn"])["AutoScalingConfiguration"]["Status"] == "inactive"
    assert apprunner.describe_observability_configuration(ObservabilityConfigurationArn=observability[
        "ObservabilityConfigurationArn"])["ObservabilityConfiguration"]["Status"] == "INACTIVE"
    assert apprunner.describe_vpc_connector(VpcConnectorArn=connector["VpcConnectorArn"])["VpcConnector"][
        "Status"] == "INACTIVE"
    assert [summary["Status"] for summary in apprunner.list_connections(ConnectionName="tf-conn")[
        "ConnectionSummaryList"]] == ["DELETED"]
    again = error_of(apprunner.delete_auto_scaling_configuration,
                     AutoScalingConfigurationArn=scaling["AutoScalingConfigurationArn"])
    assert code(again) == "InvalidRequestException"
    assert "The auto scaling configuration you specified has been deleted" in message(again)
    for call, key, arn in ((apprunner.delete_observability_configuration, "ObservabilityConfigurationArn",
                            observability["ObservabilityConfigurationArn"]),
                           (apprunner.delete_vpc_connector, "VpcConnectorArn", connector["VpcConnectorArn"]),
                           (apprunner.delete_connection, "ConnectionArn", connection["ConnectionArn"])):
        assert code(error_of(call, **{key: arn})) == "ResourceNotFoundException"


def test_ingress_connections_and_custom_domains_as_terraform_waits_for_them(apprunner):
    """``vpc_ingress_connection.go`` waits from PENDING_CREATION to AVAILABLE and, after delete, from
    PENDING_DELETION to DELETED; ``custom_domain_association.go`` waits from ``creating`` to
    ``pending_certificate_dns_validation`` and, after disassociation (``deleting``), until the domain is gone;
    a second disassociation is ResourceNotFoundException, which its Delete takes as done."""
    arn = apprunner.create_service(
        ServiceName="tf-private", SourceConfiguration={"ImageRepository": IMAGE, "AutoDeploymentsEnabled": False},
        NetworkConfiguration={"IngressConfiguration": {"IsPubliclyAccessible": False}})["Service"]["ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    ingress = apprunner.create_vpc_ingress_connection(
        ServiceArn=arn, VpcIngressConnectionName="tf-vic",
        IngressVpcConfiguration={"VpcId": "vpc-0123456789abcdef0", "VpcEndpointId": "vpce-0123456789abcdef0"})[
        "VpcIngressConnection"]
    assert ingress["Status"] == "PENDING_CREATION"
    ingress_arn = ingress["VpcIngressConnectionArn"]
    described = apprunner.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress_arn)["VpcIngressConnection"]
    assert described["Status"] == "AVAILABLE" and described["DomainName"]
    assert apprunner.delete_vpc_ingress_connection(VpcIngressConnectionArn=ingress_arn)["VpcIngressConnection"][
        "Status"] == "PENDING_DELETION"
    assert apprunner.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress_arn)["VpcIngressConnection"][
        "Status"] == "DELETED"
    associated = apprunner.associate_custom_domain(ServiceArn=arn, DomainName="example.com")
    assert associated["CustomDomain"]["Status"] == "creating" and associated["DNSTarget"]
    assert apprunner.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0]["Status"] == (
        "pending_certificate_dns_validation")
    assert apprunner.disassociate_custom_domain(ServiceArn=arn, DomainName="example.com")["CustomDomain"][
        "Status"] == "deleting"
    assert apprunner.describe_custom_domains(ServiceArn=arn)["CustomDomains"] == []
    assert code(error_of(apprunner.disassociate_custom_domain, ServiceArn=arn,
                         DomainName="example.com")) == "ResourceNotFoundException"
