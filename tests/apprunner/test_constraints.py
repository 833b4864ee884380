"""Quotas, page bounds and tokens per operation, ARN formats, partial ARNs, revisions and defaults
(docs/behaviour.md, "App Runner")."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from mockrunner.services.apprunner import complete_handshake
from tests.apprunner.helpers import (
    ACCOUNT,
    code,
    create,
    create_failed,
    error_of,
    message,
    private_source,
    running,
    service_role,
)

PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
HEX = "[0-9a-f]{32}"


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


def set_quota(aws, **values) -> None:
    aws.store.settings.quotas = replace(aws.store.settings.quotas, **values)


# ------------------------------------------------------------------------------------------------ quotas
def _vic(client, name: str) -> dict:
    service = running(client, f"svc-{name}")
    return client.create_vpc_ingress_connection(ServiceArn=service, VpcIngressConnectionName=name,
                                                IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "e-1"})


#: quota -> (a call that uses one unit, taking a distinct name, and the error code once the quota is reached)
QUOTA_CALLS = {
    "apprunner_max_services": (lambda c, n: create(c, n), "ServiceQuotaExceededException"),
    "apprunner_max_connections": (lambda c, n: c.create_connection(ConnectionName=n, ProviderType="GITHUB"),
                                  "ServiceQuotaExceededException"),
    "apprunner_max_vpc_connectors": (lambda c, n: c.create_vpc_connector(VpcConnectorName=n, Subnets=["s-1"]),
                                     "ServiceQuotaExceededException"),
    "apprunner_max_vpc_ingress_connections": (_vic, "ServiceQuotaExceededException"),
    "apprunner_max_asc_names": (lambda c, n: c.create_auto_scaling_configuration(AutoScalingConfigurationName=n),
                                "ServiceQuotaExceededException"),
    "apprunner_max_asc_revisions": (lambda c, n: c.create_auto_scaling_configuration(
        AutoScalingConfigurationName="same-name"), "ServiceQuotaExceededException"),
    "apprunner_max_observability_names": (lambda c, n: c.create_observability_configuration(
        ObservabilityConfigurationName=n), "ServiceQuotaExceededException"),
    "apprunner_max_observability_revisions": (lambda c, n: c.create_observability_configuration(
        ObservabilityConfigurationName="same-name"), "ServiceQuotaExceededException"),
}


@pytest.mark.parametrize("quota", sorted(QUOTA_CALLS))
def test_create_quotas_raise_service_quota_exceeded(aws, apprunner, quota):
    set_quota(aws, **{quota: 2})
    call, expected = QUOTA_CALLS[quota]
    call(apprunner, "unit-one")
    call(apprunner, "unit-two")
    assert code(error_of(call, apprunner, "unit-three")) == expected


def test_default_quotas_ten_asc_names_five_revisions(apprunner):
    """The confirmed defaults (DG): the provided DefaultConfiguration does not count as one of the 10 names."""
    for index in range(10):
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=f"scale-{index:02d}")
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="scale-10")) == \
        "ServiceQuotaExceededException"
    for _ in range(4):
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-00")
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="scale-00")) == \
        "ServiceQuotaExceededException"


def test_create_failed_services_count_toward_the_quota(aws, apprunner):
    set_quota(aws, apprunner_max_services=1)
    arn = create_failed(aws, apprunner, "failing", "quota-access")
    assert code(error_of(create, apprunner, "second")) == "ServiceQuotaExceededException"
    apprunner.delete_service(ServiceArn=arn)
    apprunner.describe_service(ServiceArn=arn)
    assert create(apprunner, "second")["Service"]["Status"] == "OPERATION_IN_PROGRESS"


def test_custom_domains_and_tags_limits_are_invalid_requests(aws, apprunner):
    """AssociateCustomDomain and TagResource declare no ServiceQuotaExceededException: their limits are IR."""
    set_quota(aws, apprunner_max_custom_domains=1, apprunner_max_tags=2)
    arn = running(apprunner)
    apprunner.associate_custom_domain(ServiceArn=arn, DomainName="one.example.com")
    assert code(error_of(apprunner.associate_custom_domain, ServiceArn=arn, DomainName="two.example.com")) == \
        "InvalidRequestException"
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])  # an upsert adds nothing
    assert code(error_of(apprunner.tag_resource, ResourceArn=arn, Tags=[{"Key": "c", "Value": "3"}])) == \
        "InvalidRequestException"
    assert code(error_of(create, apprunner, "tagged", Tags=[{"Key": k, "Value": "v"} for k in "xyz"])) == \
        "InvalidRequestException"


def test_max_size_above_the_account_limit_is_refused(aws, apprunner):
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="big-a",
                         MaxSize=26)) == "InvalidRequestException"
    set_quota(aws, apprunner_max_size_limit=50)
    created = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="big-a", MaxSize=50)
    assert created["AutoScalingConfiguration"]["MaxSize"] == 50


# -------------------------------------------------------------------------------------------- page bounds
#: method -> (MaxResults upper bound, required parameters builder)
LISTS = {
    "list_services": 20,
    "list_operations": 20,
    "describe_custom_domains": 5,
    "list_connections": 100,
    "list_auto_scaling_configurations": 100,
    "list_observability_configurations": 100,
    "list_vpc_connectors": 100,
    "list_vpc_ingress_connections": 100,
    "list_services_for_auto_scaling_configuration": 100,
}


def _list_params(method: str, service: str) -> dict:
    if method in ("list_operations", "describe_custom_domains"):
        return {"ServiceArn": service}
    if method == "list_services_for_auto_scaling_configuration":
        return {"AutoScalingConfigurationArn": PREFIX + "autoscalingconfiguration/DefaultConfiguration"}
    return {}


@pytest.mark.parametrize("method", sorted(LISTS))
def test_max_results_bounds_per_operation(apprunner, method):
    service = running(apprunner)
    call, params, bound = getattr(apprunner, method), _list_params(method, service), LISTS[method]
    call(**params, MaxResults=bound)
    too_big = error_of(call, **params, MaxResults=bound + 1)
    assert code(too_big) == "InvalidRequestException"
    assert f"Member must have value less than or equal to {bound}" in message(too_big)


# ------------------------------------------------------------------------------------------------ tokens
def _two_services(client) -> tuple[str, str]:
    first, second = running(client, "svc-one"), running(client, "svc-two")
    for number, arn in enumerate((first, second)):
        client.pause_service(ServiceArn=arn)
        client.resume_service(ServiceArn=arn)
        client.associate_custom_domain(ServiceArn=arn, DomainName=f"a.example{number}.com")
        client.associate_custom_domain(ServiceArn=arn, DomainName=f"b.example{number}.com")
    return first, second


def test_tokens_are_bound_to_the_operation_and_its_parameters(apprunner):
    """"All other parameter values must be identical" (model docs), for every paginated operation."""
    first, second = _two_services(apprunner)
    for name in ("asc-one", "asc-one", "asc-two"):
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=name)
    for name in ("obs-one", "obs-one", "obs-two"):
        apprunner.create_observability_configuration(ObservabilityConfigurationName=name)
    for service, name in ((first, "vic-one"), (first, "vic-two")):
        apprunner.create_vpc_ingress_connection(ServiceArn=service, VpcIngressConnectionName=name,
                                                IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "e-1"})
    for name in ("vpcc-one", "vpcc-two"):
        apprunner.create_vpc_connector(VpcConnectorName=name, Subnets=["s-1"])
    cases = [
        ("list_operations", {"ServiceArn": first}, {"ServiceArn": second}),
        ("describe_custom_domains", {"ServiceArn": first}, {"ServiceArn": second}),
        ("list_auto_scaling_configurations", {"LatestOnly": False}, {"LatestOnly": True}),
        ("list_auto_scaling_configurations", {"LatestOnly": False},
         {"LatestOnly": False, "AutoScalingConfigurationName": "asc-one"}),
        ("list_observability_configurations", {"LatestOnly": False}, {"LatestOnly": True}),
        ("list_vpc_ingress_connections", {}, {"Filter": {"ServiceArn": first}}),
        ("list_vpc_connectors", {}, None),
        ("list_services", {}, None),
    ]
    for method, params, other in cases:
        call = getattr(apprunner, method)
        page = call(**params, MaxResults=1)
        token = page["NextToken"]
        assert call(**params, MaxResults=1, NextToken=token), method
        if other is not None:
            assert code(error_of(call, **other, MaxResults=1, NextToken=token)) == "InvalidRequestException", method
        # A token never crosses to another operation.
        assert code(error_of(apprunner.list_connections, NextToken=token)) == "InvalidRequestException", method


def test_tokens_are_opaque_and_forgeries_refused(apprunner):
    for index in range(3):
        apprunner.create_connection(ConnectionName=f"conn-{index}", ProviderType="GITHUB")
    token = apprunner.list_connections(MaxResults=1)["NextToken"]
    assert "conn" not in token and not token.isdigit()
    for forged in ("eyJvIjogMSwgImYiOiAieCJ9", "e30=", "!!!", token[:-2]):
        assert code(error_of(apprunner.list_connections, MaxResults=1, NextToken=forged)) == \
            "InvalidRequestException"


def test_every_item_is_seen_once_across_pages(apprunner):
    arns = [apprunner.create_vpc_connector(VpcConnectorName=f"vpcc-{i:02d}", Subnets=["s-1"])["VpcConnector"][
        "VpcConnectorArn"] for i in range(7)]
    apprunner.delete_vpc_connector(VpcConnectorArn=arns[3])
    seen, token = [], None
    while True:
        page = apprunner.list_vpc_connectors(MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [item["VpcConnectorArn"] for item in page["VpcConnectors"]]
        token = page.get("NextToken")
        if token is None:
            break
    assert seen == arns[:3] + arns[4:]


# ---------------------------------------------------------------------------------------- ARNs and ids
def test_arn_formats_of_every_resource_type(apprunner):
    service = running(apprunner, "svc-arn")
    formats = {
        apprunner.create_connection(ConnectionName="conn-arn", ProviderType="BITBUCKET")["Connection"][
            "ConnectionArn"]: rf"connection/conn-arn/{HEX}",
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-arn")[
            "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]: rf"autoscalingconfiguration/asc-arn/1/{HEX}",
        apprunner.create_observability_configuration(ObservabilityConfigurationName="obs-arn")[
            "ObservabilityConfiguration"]["ObservabilityConfigurationArn"]:
            rf"observabilityconfiguration/obs-arn/1/{HEX}",
        apprunner.create_vpc_connector(VpcConnectorName="vpcc-arn", Subnets=["s-1"])["VpcConnector"][
            "VpcConnectorArn"]: rf"vpcconnector/vpcc-arn/1/{HEX}",
        apprunner.create_vpc_ingress_connection(
            ServiceArn=service, VpcIngressConnectionName="vic-arn",
            IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "e-1"})["VpcIngressConnection"][
            "VpcIngressConnectionArn"]: rf"vpcingressconnection/vic-arn/{HEX}",
        service: rf"service/svc-arn/{HEX}",
    }
    for arn, pattern in formats.items():
        assert re.fullmatch(re.escape(PREFIX) + pattern, arn), arn
    provided = apprunner.describe_observability_configuration(
        ObservabilityConfigurationArn=PREFIX + "observabilityconfiguration/DefaultConfiguration")
    assert provided["ObservabilityConfiguration"]["ObservabilityConfigurationArn"] == \
        PREFIX + "observabilityconfiguration/DefaultConfiguration/1/00000000000000000000000000000001"


def test_partial_arns_where_the_model_allows_them(apprunner):
    full = apprunner.create_observability_configuration(ObservabilityConfigurationName="obs-p")[
        "ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    for partial in (PREFIX + "observabilityconfiguration/obs-p", PREFIX + "observabilityconfiguration/obs-p/1"):
        described = apprunner.describe_observability_configuration(ObservabilityConfigurationArn=partial)
        assert described["ObservabilityConfiguration"]["ObservabilityConfigurationArn"] == full
    asc = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-p")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    service = running(apprunner, AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/asc-p/1")
    listed = apprunner.list_services_for_auto_scaling_configuration(
        AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/asc-p")
    assert listed["ServiceArnList"] == [service]
    assert apprunner.describe_service(ServiceArn=service)["Service"]["AutoScalingConfigurationSummary"][
        "AutoScalingConfigurationArn"] == asc
    # "must be a full VPC connector ARN" (model)
    connector = apprunner.create_vpc_connector(VpcConnectorName="vpcc-p", Subnets=["s-1"])["VpcConnector"]
    assert code(error_of(apprunner.describe_vpc_connector, VpcConnectorArn=PREFIX + "vpcconnector/vpcc-p/1")) == \
        "ResourceNotFoundException"
    assert apprunner.describe_vpc_connector(VpcConnectorArn=connector["VpcConnectorArn"])
    deleted = apprunner.delete_observability_configuration(
        ObservabilityConfigurationArn=PREFIX + "observabilityconfiguration/obs-p")["ObservabilityConfiguration"]
    assert deleted["ObservabilityConfigurationArn"] == full and deleted["Status"] == "INACTIVE"


def test_latest_moves_back_when_the_latest_revision_is_deleted(apprunner):
    arns = [apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-r")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"] for _ in range(3)]
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/asc-r")
    latest = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName="asc-r")
    assert [i["AutoScalingConfigurationArn"] for i in latest["AutoScalingConfigurationSummaryList"]] == [arns[1]]
    assert apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arns[1])[
        "AutoScalingConfiguration"]["Latest"] is True
    again = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-r")
    assert again["AutoScalingConfiguration"]["AutoScalingConfigurationRevision"] == 3
    inactive = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arns[2])
    assert inactive["AutoScalingConfiguration"]["Status"] == "inactive"


def test_provided_observability_configuration_cannot_be_deleted_or_revised(apprunner):
    arn = PREFIX + "observabilityconfiguration/DefaultConfiguration"
    assert code(error_of(apprunner.delete_observability_configuration, ObservabilityConfigurationArn=arn)) == \
        "InvalidRequestException"
    assert code(error_of(apprunner.create_observability_configuration,
                         ObservabilityConfigurationName="DefaultConfiguration",
                         TraceConfiguration={"Vendor": "AWSXRAY"})) == "InvalidRequestException"


# --------------------------------------------------------------------------------------------- defaults
def test_instance_sizes_pair_and_normalise(apprunner):
    cases = [({"Cpu": "0.25 vCPU", "Memory": "0.5 GB"}, {"Cpu": "256", "Memory": "512"}),
             ({"Cpu": "4096", "Memory": "12 GB"}, {"Cpu": "4096", "Memory": "12288"}),
             ({"Cpu": "2 vCPU"}, {"Cpu": "2048", "Memory": "4096"})]
    for index, (given, expected) in enumerate(cases):
        arn = create(apprunner, f"size-{index}", InstanceConfiguration=given)["Service"]["ServiceArn"]
        assert apprunner.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"] == expected


def test_optional_configurations_as_returned(apprunner):
    kms = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012"
    arn = create(apprunner, "opts", EncryptionConfiguration={"KmsKey": kms},
                 ObservabilityConfiguration={"ObservabilityEnabled": False,
                                             "ObservabilityConfigurationArn": PREFIX + "observabilityconfiguration/x"},
                 NetworkConfiguration={"IpAddressType": "DUAL_STACK"})["Service"]["ServiceArn"]
    service = apprunner.describe_service(ServiceArn=arn)["Service"]
    assert service["EncryptionConfiguration"] == {"KmsKey": kms}
    assert service["ObservabilityConfiguration"] == {"ObservabilityEnabled": False}
    assert service["NetworkConfiguration"]["IpAddressType"] == "DUAL_STACK"
    assert service["NetworkConfiguration"]["EgressConfiguration"] == {"EgressType": "DEFAULT"}


def test_instance_role_is_kept_when_an_update_omits_it(aws, apprunner):
    role = service_role(aws, "instance", "tasks.apprunner.amazonaws.com")
    arn = running(apprunner, InstanceConfiguration={"InstanceRoleArn": role})
    apprunner.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"] == {
        "Cpu": "2048", "Memory": "4096", "InstanceRoleArn": role}


def test_cross_account_ecr_images_do_not_auto_deploy(aws, apprunner):
    source = private_source(service_role(aws, "xacct"), "app:v1", account="210987654321")
    created = apprunner.create_service(ServiceName="xacct", SourceConfiguration=source)["Service"]
    assert created["SourceConfiguration"]["AutoDeploymentsEnabled"] is False
    error = error_of(apprunner.create_service, ServiceName="xacct-auto",
                     SourceConfiguration={**source, "AutoDeploymentsEnabled": True})
    assert code(error) == "InvalidRequestException"


def test_repository_configuration_source_returns_no_values(aws, apprunner):
    connection = apprunner.create_connection(ConnectionName="conn-repo", ProviderType="GITHUB")["Connection"]
    complete_handshake(aws.store, connection["ConnectionArn"])
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                 "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}},
              "AuthenticationConfiguration": {"ConnectionArn": connection["ConnectionArn"]}}
    service = apprunner.create_service(ServiceName="from-repo", SourceConfiguration=source)["Service"]
    assert service["SourceConfiguration"]["CodeRepository"]["CodeConfiguration"] == {
        "ConfigurationSource": "REPOSITORY"}
    assert service["SourceConfiguration"]["AutoDeploymentsEnabled"] is True
    # CodeConfiguration "is required only for CreateService": an update may omit it and keeps it.
    apprunner.describe_service(ServiceArn=service["ServiceArn"])
    update = {**source, "CodeRepository": {**source["CodeRepository"]}}
    del update["CodeRepository"]["CodeConfiguration"]
    updated = apprunner.update_service(ServiceArn=service["ServiceArn"], SourceConfiguration=update)["Service"]
    assert updated["SourceConfiguration"]["CodeRepository"]["CodeConfiguration"]["ConfigurationSource"] == \
        "REPOSITORY"


def test_operation_delay_default_is_small_and_documented():
    from mockrunner.config import Settings

    assert 0 <= Settings().operation_delay <= 2

