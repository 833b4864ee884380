"""Auto scaling / observability configurations, connections, VPC connectors and ingress, domains, tags."""
from __future__ import annotations

import pytest

from mockrunner.services.apprunner import complete_handshake
from tests.apprunner.helpers import DEFAULT_ASC, code, create, error_of, message, running

ASC_PREFIX = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/"
OBS_PREFIX = "arn:aws:apprunner:us-east-1:123456789012:observabilityconfiguration/"


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


# ------------------------------------------------------------------------------ auto scaling configurations
def test_default_configuration_is_provided_and_listed(apprunner):
    items = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    assert [item["AutoScalingConfigurationArn"] for item in items] == [DEFAULT_ASC]
    described = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    config = described["AutoScalingConfiguration"]
    assert (config["IsDefault"], config["Latest"], config["Status"]) == (True, True, "active")
    assert (config["MaxConcurrency"], config["MinSize"], config["MaxSize"]) == (100, 1, 25)


def test_revisions_latest_and_partial_arns(apprunner):
    first = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-a")
    second = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-a", MaxSize=10)
    one, two = first["AutoScalingConfiguration"], second["AutoScalingConfiguration"]
    assert (one["AutoScalingConfigurationRevision"], two["AutoScalingConfigurationRevision"]) == (1, 2)
    assert two["AutoScalingConfigurationArn"].startswith(ASC_PREFIX + "scale-a/2/")
    by_name = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=ASC_PREFIX + "scale-a")
    assert by_name["AutoScalingConfiguration"]["AutoScalingConfigurationArn"] == two["AutoScalingConfigurationArn"]
    by_rev = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=ASC_PREFIX + "scale-a/1")
    assert by_rev["AutoScalingConfiguration"]["Latest"] is False
    latest = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName="scale-a")
    assert [i["AutoScalingConfigurationRevision"] for i in latest["AutoScalingConfigurationSummaryList"]] == [2]
    every = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName="scale-a", LatestOnly=False)
    assert len(every["AutoScalingConfigurationSummaryList"]) == 2


def test_delete_revision_leaves_it_describable_inactive_and_renumbers_from_one(apprunner):
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scale-b")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    deleted = apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=arn)["AutoScalingConfiguration"]
    assert (deleted["Status"], deleted["Latest"]) == ("inactive", False) and "DeletedAt" in deleted
    assert apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=arn)["AutoScalingConfiguration"]["Status"] == "inactive"
    again = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-b")
    assert again["AutoScalingConfiguration"]["AutoScalingConfigurationRevision"] == 1


def test_delete_all_revisions_needs_the_name_only_arn(apprunner):
    for _ in range(2):
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-c")
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=ASC_PREFIX + "scale-c/1",
                     DeleteAllRevisions=True)
    assert code(error) == "InvalidRequestException"
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=ASC_PREFIX + "scale-c",
                                                DeleteAllRevisions=True)
    listed = apprunner.list_auto_scaling_configurations(AutoScalingConfigurationName="scale-c", LatestOnly=False)
    assert listed["AutoScalingConfigurationSummaryList"] == []


def test_configuration_in_use_or_default_cannot_be_deleted(apprunner):
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scale-d")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    service = running(apprunner, AutoScalingConfigurationArn=ASC_PREFIX + "scale-d")
    summary = apprunner.describe_service(ServiceArn=service)["Service"]["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == arn and summary["HasAssociatedService"] is True
    error = error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=arn)
    assert message(error) == ("You can't delete the auto scaling configuration. It's used by one or more services. "
                              "To delete it, update the services to use other auto scaling configurations.")
    assert code(error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=DEFAULT_ASC)) == \
        "InvalidRequestException"
    listed = apprunner.list_services_for_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
    assert listed["ServiceArnList"] == [service]


def test_update_default_affects_later_services(apprunner):
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scale-e")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    result = apprunner.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=ASC_PREFIX + "scale-e")
    assert result["AutoScalingConfiguration"]["IsDefault"] is True
    old = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    assert old["AutoScalingConfiguration"]["IsDefault"] is False
    service = running(apprunner)
    summary = apprunner.describe_service(ServiceArn=service)["Service"]["AutoScalingConfigurationSummary"]
    assert summary["AutoScalingConfigurationArn"] == arn


def test_invalid_asc_arn_on_create_service_quotes_aws(apprunner):
    error = error_of(create, apprunner, AutoScalingConfigurationArn=ASC_PREFIX + "nope")
    assert message(error) == f"The auto scaling configuration ARN you specified isn't valid. ARN: '{ASC_PREFIX}nope'"


CODE_SOURCE = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                  "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                  "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}}}


@pytest.mark.parametrize(("extra", "expected"), [
    ({"AutoScalingConfigurationArn": ""}, "The auto scaling configuration ARN you specified isn't valid. ARN: ''"),
    ({"AutoScalingConfigurationArn": "not-an-arn"},
     "The auto scaling configuration ARN you specified isn't valid. ARN: 'not-an-arn'"),
    ({"ObservabilityConfiguration": {"ObservabilityEnabled": True, "ObservabilityConfigurationArn": ""}},
     "The observability configuration ARN you specified isn't valid. ARN: ''"),
    ({"NetworkConfiguration": {"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": ""}}},
     "The VPC connector ARN you specified isn't valid. ARN: ''"),
    ({"SourceConfiguration": {**CODE_SOURCE, "AuthenticationConfiguration": {"ConnectionArn": ""}}},
     "The connection ARN you specified isn't valid. ARN: ''"),
], ids=["asc-empty", "asc-not-an-arn", "observability-empty", "vpc-connector-empty", "connection-empty"])
def test_empty_or_malformed_referenced_arn_is_refused_in_app_runner_words(aws, extra, expected):
    """Not Coral's "Member must have length greater than or equal to 1": App Runner's own answer
    (docs/behaviour.md, "App Runner: ARNs and names"; awslabs/amazon-app-runner-deploy#36, from a JS SDK that does
    not check ``min``; botocore's check is off here)."""
    from botocore.config import Config

    apprunner = aws.client("apprunner", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    error = error_of(create, apprunner, **extra)
    assert (code(error), message(error)) == ("InvalidRequestException", expected)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert apprunner.list_services()["ServiceSummaryList"] == []
    if "AutoScalingConfigurationArn" in extra:
        service = running(apprunner)
        error = error_of(apprunner.update_service, ServiceArn=service, **extra)
        assert (code(error), message(error)) == ("InvalidRequestException", expected)


def test_unknown_configuration_is_not_found(apprunner):
    error = error_of(apprunner.describe_auto_scaling_configuration, AutoScalingConfigurationArn=ASC_PREFIX + "nope")
    assert code(error) == "ResourceNotFoundException"


def test_asc_quotas_and_ranges(apprunner):
    for _ in range(5):
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-f")
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="scale-f")) == \
        "ServiceQuotaExceededException"
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="scale-g",
                         MaxSize=26)) == "InvalidRequestException"
    assert code(error_of(apprunner.create_auto_scaling_configuration, AutoScalingConfigurationName="scale-g",
                         MinSize=5, MaxSize=2)) == "InvalidRequestException"


# ----------------------------------------------------------------------------- observability configurations
def test_observability_lifecycle(apprunner):
    created = apprunner.create_observability_configuration(
        ObservabilityConfigurationName="trace-a",
        TraceConfiguration={"Vendor": "AWSXRAY"})["ObservabilityConfiguration"]
    arn = created["ObservabilityConfigurationArn"]
    assert arn.startswith(OBS_PREFIX + "trace-a/1/") and created["TraceConfiguration"] == {"Vendor": "AWSXRAY"}
    service = running(apprunner, ObservabilityConfiguration={
        "ObservabilityEnabled": True, "ObservabilityConfigurationArn": OBS_PREFIX + "trace-a"})
    assert apprunner.describe_service(ServiceArn=service)["Service"]["ObservabilityConfiguration"] == {
        "ObservabilityEnabled": True, "ObservabilityConfigurationArn": arn}
    assert code(error_of(apprunner.delete_observability_configuration, ObservabilityConfigurationArn=arn)) == \
        "InvalidRequestException"  # the code AWS answers for the same refusal of the other configurations
    listed = apprunner.list_observability_configurations(ObservabilityConfigurationName="trace-a")
    assert [i["ObservabilityConfigurationArn"] for i in listed["ObservabilityConfigurationSummaryList"]] == [arn]
    apprunner.delete_service(ServiceArn=service)
    apprunner.describe_service(ServiceArn=service)
    deleted = apprunner.delete_observability_configuration(ObservabilityConfigurationArn=arn)
    assert deleted["ObservabilityConfiguration"]["Status"] == "INACTIVE"


def test_observability_default_name_is_reserved(apprunner):
    error = error_of(apprunner.create_observability_configuration,
                     ObservabilityConfigurationName="DefaultConfiguration")
    assert code(error) == "InvalidRequestException"


# -------------------------------------------------------------------------------------------- connections
def test_connection_lifecycle(aws, apprunner):
    connection = apprunner.create_connection(ConnectionName="github-a", ProviderType="GITHUB")["Connection"]
    assert connection["Status"] == "PENDING_HANDSHAKE"
    assert connection["ConnectionArn"].startswith("arn:aws:apprunner:us-east-1:123456789012:connection/github-a/")
    assert code(error_of(apprunner.create_connection, ConnectionName="github-a", ProviderType="GITHUB")) == \
        "InvalidRequestException"
    apprunner.create_connection(ConnectionName="github-b", ProviderType="GITHUB")
    only = apprunner.list_connections(ConnectionName="github-a")["ConnectionSummaryList"]
    assert [c["ConnectionArn"] for c in only] == [connection["ConnectionArn"]]
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                 "CodeConfiguration": {"ConfigurationSource": "API", "CodeConfigurationValues": {
                                     "Runtime": "PYTHON_3", "BuildCommand": "pip install -r requirements.txt",
                                     "StartCommand": "python app.py"}}},
              "AuthenticationConfiguration": {"ConnectionArn": connection["ConnectionArn"]}}
    pending = error_of(apprunner.create_service, ServiceName="from-code", SourceConfiguration=source)
    assert code(pending) == "InvalidRequestException" and "AVAILABLE" in message(pending)
    assert complete_handshake(aws.store, connection["ConnectionArn"])
    service = apprunner.create_service(ServiceName="from-code", SourceConfiguration=source)["Service"]
    values = service["SourceConfiguration"]["CodeRepository"]["CodeConfiguration"]["CodeConfigurationValues"]
    assert values["Port"] == "8080" and service["SourceConfiguration"]["AutoDeploymentsEnabled"] is True
    assert code(error_of(apprunner.delete_connection, ConnectionArn=connection["ConnectionArn"])) == \
        "InvalidRequestException"
    apprunner.delete_service(ServiceArn=service["ServiceArn"])
    apprunner.describe_service(ServiceArn=service["ServiceArn"])
    deleted = apprunner.delete_connection(ConnectionArn=connection["ConnectionArn"])["Connection"]
    assert deleted["Status"] == "DELETED"
    # Still listed as DELETED for a while (docs/behaviour.md, "App Runner: connections"), no longer deletable,
    # usable or blocking its name.
    listed = apprunner.list_connections(ConnectionName="github-a")["ConnectionSummaryList"]
    assert [(c["ConnectionArn"], c["Status"]) for c in listed] == [(connection["ConnectionArn"], "DELETED")]
    assert code(error_of(apprunner.delete_connection, ConnectionArn=connection["ConnectionArn"])) == \
        "ResourceNotFoundException"
    assert not complete_handshake(aws.store, connection["ConnectionArn"])
    renewed = apprunner.create_connection(ConnectionName="github-a", ProviderType="GITHUB")["Connection"]
    assert renewed["ConnectionArn"] != connection["ConnectionArn"]
    aws.store.clock.advance(aws.store.settings.quotas.apprunner_deleted_retention + 1)
    listed = apprunner.list_connections(ConnectionName="github-a")["ConnectionSummaryList"]
    assert [(c["ConnectionArn"], c["Status"]) for c in listed] == [(renewed["ConnectionArn"], "PENDING_HANDSHAKE")]


# ------------------------------------------------------------------------------------------ VPC connectors
def test_vpc_connector_lifecycle(apprunner):
    connector = apprunner.create_vpc_connector(VpcConnectorName="egress-a", Subnets=["subnet-1"],
                                               SecurityGroups=["sg-1"])["VpcConnector"]
    arn = connector["VpcConnectorArn"]
    assert arn.startswith("arn:aws:apprunner:us-east-1:123456789012:vpcconnector/egress-a/1/")
    assert (connector["Status"], connector["VpcConnectorRevision"]) == ("ACTIVE", 1)
    assert code(error_of(apprunner.create_vpc_connector, VpcConnectorName="egress-a", Subnets=["subnet-2"])) == \
        "InvalidRequestException"
    service = running(apprunner, NetworkConfiguration={
        "EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": arn}})
    in_use = error_of(apprunner.delete_vpc_connector, VpcConnectorArn=arn)
    # AWS's answer (aws/apprunner-roadmap#161): InvalidRequestException, the model's only code for a refusal here.
    assert code(in_use) == "InvalidRequestException"
    assert message(in_use) == f"Provided VPC connector arn is being used by other services. ARN: {arn}"
    apprunner.delete_service(ServiceArn=service)
    apprunner.describe_service(ServiceArn=service)
    deleted = apprunner.delete_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]
    assert deleted["Status"] == "INACTIVE" and "DeletedAt" in deleted
    assert apprunner.describe_vpc_connector(VpcConnectorArn=arn)["VpcConnector"]["Status"] == "INACTIVE"
    assert apprunner.list_vpc_connectors()["VpcConnectors"] == []


# ---------------------------------------------------------------------------------- VPC ingress connections
def test_connection_name_reused_while_the_deleted_one_is_retained(apprunner):
    """Terraform reads a connection by name and needs exactly one match; its delete waiter needs DELETED."""
    old = apprunner.create_connection(ConnectionName="github-r", ProviderType="GITHUB")["Connection"]
    apprunner.delete_connection(ConnectionArn=old["ConnectionArn"])
    [deleted] = apprunner.list_connections(ConnectionName="github-r")["ConnectionSummaryList"]
    assert (deleted["ConnectionArn"], deleted["Status"]) == (old["ConnectionArn"], "DELETED")
    new = apprunner.create_connection(ConnectionName="github-r", ProviderType="GITHUB")["Connection"]
    [live] = apprunner.list_connections(ConnectionName="github-r")["ConnectionSummaryList"]
    assert (live["ConnectionArn"], live["Status"]) == (new["ConnectionArn"], "PENDING_HANDSHAKE")
    listed = {c["ConnectionArn"] for c in apprunner.list_connections()["ConnectionSummaryList"]}
    assert {old["ConnectionArn"], new["ConnectionArn"]} <= listed


def test_vpc_ingress_connection_lifecycle(apprunner):
    service = running(apprunner, NetworkConfiguration={"IngressConfiguration": {"IsPubliclyAccessible": False}})
    created = apprunner.create_vpc_ingress_connection(
        ServiceArn=service, VpcIngressConnectionName="private-a",
        IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})["VpcIngressConnection"]
    arn = created["VpcIngressConnectionArn"]
    assert created["Status"] == "PENDING_CREATION" and created["AccountId"] == "123456789012"
    assert created["DomainName"].endswith(".us-east-1.privatelink.awsapprunner.com")
    assert apprunner.describe_vpc_ingress_connection(
        VpcIngressConnectionArn=arn)["VpcIngressConnection"]["Status"] == "AVAILABLE"
    blocked = error_of(apprunner.delete_service, ServiceArn=service)
    # AWS's answer, quoted in hashicorp/terraform-provider-aws#40896.
    assert code(blocked) == "InvalidStateException"
    assert message(blocked) == ("You cannot delete a Service while it has VpcIngressConnections with a status of "
                                f"AVAILABLE. Service Arn: {service} VpcIngressConnection Arn: {arn}")
    listed = apprunner.list_vpc_ingress_connections(Filter={"VpcEndpointId": "vpce-1"})
    assert listed["VpcIngressConnectionSummaryList"] == [{"VpcIngressConnectionArn": arn, "ServiceArn": service}]
    assert apprunner.list_vpc_ingress_connections(Filter={"VpcEndpointId": "vpce-9"})[
        "VpcIngressConnectionSummaryList"] == []
    updated = apprunner.update_vpc_ingress_connection(
        VpcIngressConnectionArn=arn, IngressVpcConfiguration={"VpcId": "vpc-2", "VpcEndpointId": "vpce-2"})
    assert updated["VpcIngressConnection"]["Status"] == "PENDING_UPDATE"
    targets = apprunner.describe_custom_domains(ServiceArn=service)["VpcDNSTargets"]
    assert targets[0]["VpcId"] == "vpc-2"
    deleting = apprunner.delete_vpc_ingress_connection(VpcIngressConnectionArn=arn)["VpcIngressConnection"]
    assert deleting["Status"] == "PENDING_DELETION"
    gone = apprunner.describe_vpc_ingress_connection(VpcIngressConnectionArn=arn)["VpcIngressConnection"]
    assert gone["Status"] == "DELETED"
    assert code(error_of(apprunner.delete_vpc_ingress_connection, VpcIngressConnectionArn=arn)) == \
        "InvalidStateException"
    apprunner.delete_service(ServiceArn=service)


# -------------------------------------------------------------------------------------------- custom domains
def test_custom_domain_association(apprunner):
    service = running(apprunner)
    url = apprunner.describe_service(ServiceArn=service)["Service"]["ServiceUrl"]
    result = apprunner.associate_custom_domain(ServiceArn=service, DomainName="example.com")
    domain = result["CustomDomain"]
    assert result["DNSTarget"] == url and domain["Status"] == "creating" and domain["EnableWWWSubdomain"] is True
    assert len(domain["CertificateValidationRecords"]) == 3  # domain, www, App Runner's label (test_terraform_evidence)
    assert all(r["Type"] == "CNAME" for r in domain["CertificateValidationRecords"])
    described = apprunner.describe_custom_domains(ServiceArn=service)["CustomDomains"]
    assert described[0]["Status"] == "pending_certificate_dns_validation"
    assert code(error_of(apprunner.associate_custom_domain, ServiceArn=service, DomainName="example.com")) == \
        "InvalidRequestException"
    assert code(error_of(apprunner.associate_custom_domain, ServiceArn=service, DomainName="*.example.org")) == \
        "InvalidRequestException"
    wildcard = apprunner.associate_custom_domain(ServiceArn=service, DomainName="*.example.org",
                                                 EnableWWWSubdomain=False)
    assert len(wildcard["CustomDomain"]["CertificateValidationRecords"]) == 2
    gone = apprunner.disassociate_custom_domain(ServiceArn=service, DomainName="example.com")
    assert gone["CustomDomain"]["Status"] == "deleting"
    names = [d["DomainName"] for d in apprunner.describe_custom_domains(ServiceArn=service)["CustomDomains"]]
    assert names == ["*.example.org"]
    assert code(error_of(apprunner.disassociate_custom_domain, ServiceArn=service, DomainName="example.com")) == \
        "ResourceNotFoundException"


def test_custom_domain_limit_and_paging(apprunner):
    service = running(apprunner)
    for index in range(5):
        apprunner.associate_custom_domain(ServiceArn=service, DomainName=f"d{index}.example.com")
    assert code(error_of(apprunner.associate_custom_domain, ServiceArn=service, DomainName="d5.example.com")) == \
        "InvalidRequestException"
    first = apprunner.describe_custom_domains(ServiceArn=service, MaxResults=3)
    second = apprunner.describe_custom_domains(ServiceArn=service, MaxResults=3, NextToken=first["NextToken"])
    assert len(first["CustomDomains"]) == 3 and len(second["CustomDomains"]) == 2 and "NextToken" not in second
    assert code(error_of(apprunner.describe_custom_domains, ServiceArn=service, MaxResults=6)) == \
        "InvalidRequestException"


# --------------------------------------------------------------------------------------------------- tags
def test_tags_upsert_remove_and_list(apprunner):
    arn = running(apprunner, Tags=[{"Key": "team", "Value": "a"}])
    apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "dev"}])
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "b"}, {"Key": "env", "Value": "dev"}]
    apprunner.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_tag_errors(apprunner):
    arn = running(apprunner)
    assert code(error_of(apprunner.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}])) == \
        "InvalidRequestException"
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert code(error_of(apprunner.tag_resource, ResourceArn=arn, Tags=too_many)) == "InvalidRequestException"
    assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == []
    ghost = "arn:aws:apprunner:us-east-1:123456789012:connection/ghost/0123456789abcdef0123456789abcdef"
    assert code(error_of(apprunner.list_tags_for_resource, ResourceArn=ghost)) == "ResourceNotFoundException"
    assert code(error_of(apprunner.list_tags_for_resource, ResourceArn="arn:aws:s3:::bucket/key/x")) == \
        "InvalidRequestException"


def test_every_create_accepts_tags(apprunner):
    tags = [{"Key": "owner", "Value": "me"}]
    arns = [
        apprunner.create_connection(ConnectionName="conn-t", ProviderType="GITHUB", Tags=tags)["Connection"][
            "ConnectionArn"],
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-t", Tags=tags)[
            "AutoScalingConfiguration"]["AutoScalingConfigurationArn"],
        apprunner.create_observability_configuration(ObservabilityConfigurationName="obs-t", Tags=tags)[
            "ObservabilityConfiguration"]["ObservabilityConfigurationArn"],
        apprunner.create_vpc_connector(VpcConnectorName="vpc-t", Subnets=["subnet-1"], Tags=tags)["VpcConnector"][
            "VpcConnectorArn"],
    ]
    for arn in arns:
        assert apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"] == tags


# ------------------------------------------------------------------------------------------------ paging
def test_list_services_pages_with_opaque_tokens(apprunner):
    created = [running(apprunner, f"page-{i:02d}") for i in range(7)]
    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        page = apprunner.list_services(**kwargs)
        assert len(page["ServiceSummaryList"]) <= 3
        seen += [s["ServiceArn"] for s in page["ServiceSummaryList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == created


def test_page_size_bounds_and_bad_tokens(apprunner):
    assert code(error_of(apprunner.list_services, MaxResults=21)) == "InvalidRequestException"
    assert code(error_of(apprunner.list_services, NextToken="not-a-token")) == "InvalidRequestException"
    apprunner.create_connection(ConnectionName="conn-a1", ProviderType="GITHUB")
    apprunner.create_connection(ConnectionName="conn-a2", ProviderType="GITHUB")
    token = apprunner.list_connections(MaxResults=1)["NextToken"]
    error = error_of(apprunner.list_connections, ConnectionName="conn-a2", NextToken=token)
    assert code(error) == "InvalidRequestException"
    assert code(error_of(apprunner.list_auto_scaling_configurations, NextToken=token)) == "InvalidRequestException"
    assert len(apprunner.list_connections(MaxResults=1, NextToken=token)["ConnectionSummaryList"]) == 1


def test_custom_domain_longer_than_64_characters_fails_after_association(apprunner):
    """aws/apprunner-roadmap#259: accepted by the call, then "create failed" (the certificate cannot exist)."""
    service = running(apprunner)
    long_name = "service-euw1." + "a" * 40 + ".example.com"
    assert len(long_name) > 64
    assert apprunner.associate_custom_domain(ServiceArn=service, DomainName=long_name)["CustomDomain"]["Status"] == \
        "creating"
    apprunner.associate_custom_domain(ServiceArn=service, DomainName="short.example.com")
    statuses = {d["DomainName"]: d["Status"] for d in apprunner.describe_custom_domains(ServiceArn=service)[
        "CustomDomains"]}
    assert statuses == {long_name: "create_failed", "short.example.com": "pending_certificate_dns_validation"}
