"""Bad input never half-mutates: every refused mutating call leaves the whole store exactly as it was.

One account is populated with one resource of each kind (a fresh account would also show that a refused
CreateService / CreateVpcConnector does not create the service-linked role).  Each case combines valid members
with one invalid member — the valid ones must not be applied — and compares the exported state before and after.
"""
from __future__ import annotations

import pytest

from mockrunner.model import snapshot
from mockrunner.services.apprunner import complete_handshake
from tests.apprunner.helpers import ACCOUNT, PUBLIC_SOURCE, code, error_of, running

PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
TAGS = [{"Key": "team", "Value": "a"}]


@pytest.fixture
def world(aws):
    """A running service with a domain and a VPC ingress connection, a paused one, and one of each config."""
    client = aws.client("apprunner")
    names = {}
    names["asc"] = client.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scale-w", Tags=TAGS)["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    names["obs"] = client.create_observability_configuration(
        ObservabilityConfigurationName="trace-w")["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    names["conn"] = client.create_connection(ConnectionName="conn-w", ProviderType="GITHUB")["Connection"][
        "ConnectionArn"]
    names["vpcc"] = client.create_vpc_connector(VpcConnectorName="vpcc-w", Subnets=["subnet-1"])["VpcConnector"][
        "VpcConnectorArn"]
    names["svc"] = running(client, "svc-w", Tags=TAGS, AutoScalingConfigurationArn=names["asc"],
                           InstanceConfiguration={"Cpu": "2 vCPU", "Memory": "4 GB"})
    names["paused"] = running(client, "svc-p")
    client.pause_service(ServiceArn=names["paused"])
    client.associate_custom_domain(ServiceArn=names["svc"], DomainName="example.com")
    names["vic"] = client.create_vpc_ingress_connection(
        ServiceArn=names["svc"], VpcIngressConnectionName="vic-w",
        IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})["VpcIngressConnection"][
        "VpcIngressConnectionArn"]
    client.list_services()  # complete every pending operation
    assert client.describe_service(ServiceArn=names["paused"])["Service"]["Status"] == "PAUSED"
    return aws, client, names


def _cases(n: dict) -> list[tuple[str, str, dict, str]]:
    """(label, client method, parameters, expected error code)."""
    bad_asc = PREFIX + "autoscalingconfiguration/nope"
    new = {"ServiceName": "svc-new", "SourceConfiguration": PUBLIC_SOURCE, "Tags": TAGS}
    vpc_egress = {"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": PREFIX + "vpcconnector/x/1/y"}}
    return [
        ("create: bad ASC + tags", "create_service", {**new, "AutoScalingConfigurationArn": bad_asc},
         "InvalidRequestException"),
        ("create: bad observability + tags", "create_service", {**new, "ObservabilityConfiguration": {
            "ObservabilityEnabled": True, "ObservabilityConfigurationArn": PREFIX + "observabilityconfiguration/x"}},
         "InvalidRequestException"),
        ("create: aws: tag", "create_service", {**new, "Tags": [{"Key": "aws:team", "Value": "a"}]},
         "InvalidRequestException"),
        ("create: 51 tags", "create_service", {**new, "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
         "InvalidRequestException"),
        ("create: tag without key", "create_service", {**new, "Tags": [{"Value": "v"}]}, "InvalidRequestException"),
        ("create: bad cpu/memory pair", "create_service", {**new, "InstanceConfiguration": {
            "Cpu": "4 vCPU", "Memory": "2 GB"}}, "InvalidRequestException"),
        ("create: unknown VPC connector", "create_service", {**new, "NetworkConfiguration": vpc_egress},
         "InvalidRequestException"),
        ("create: connection not AVAILABLE", "create_service", {**new, "SourceConfiguration": {
            "CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                               "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                               "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}},
            "AuthenticationConfiguration": {"ConnectionArn": n["conn"]}}}, "InvalidRequestException"),
        ("create: duplicate name", "create_service", {**new, "ServiceName": "svc-w"}, "InvalidRequestException"),
        ("update: valid instance + bad ASC", "update_service", {
            "ServiceArn": n["svc"], "InstanceConfiguration": {"Cpu": "4 vCPU", "Memory": "8 GB"},
            "AutoScalingConfigurationArn": bad_asc}, "InvalidRequestException"),
        ("update: valid health check + repository switch", "update_service", {
            "ServiceArn": n["svc"], "HealthCheckConfiguration": {"Protocol": "HTTP", "Interval": 3},
            "SourceConfiguration": {"CodeRepository": {
                "RepositoryUrl": "https://github.com/a/b", "SourceCodeVersion": {"Type": "BRANCH", "Value": "x"}},
                "AuthenticationConfiguration": {"ConnectionArn": n["conn"]}}}, "InvalidRequestException"),
        ("update: invalid health check", "update_service", {
            "ServiceArn": n["svc"], "InstanceConfiguration": {"Memory": "6 GB"},
            "HealthCheckConfiguration": {"Interval": 21}}, "InvalidRequestException"),
        ("update: valid ASC + bad network", "update_service", {
            "ServiceArn": n["svc"],
            "AutoScalingConfigurationArn": PREFIX + "autoscalingconfiguration/DefaultConfiguration",
            "NetworkConfiguration": vpc_egress}, "InvalidRequestException"),
        ("update: memory that does not pair", "update_service", {
            "ServiceArn": n["svc"], "InstanceConfiguration": {"Memory": "12 GB"}}, "InvalidRequestException"),
        ("update: paused", "update_service", {"ServiceArn": n["paused"], "InstanceConfiguration": {
            "Memory": "3 GB"}}, "InvalidStateException"),
        ("delete: VPC ingress connection", "delete_service", {"ServiceArn": n["svc"]}, "InvalidStateException"),
        ("pause: unknown service", "pause_service", {"ServiceArn": n["svc"][:-32] + "0" * 32},
         "ResourceNotFoundException"),
        ("resume: unknown service", "resume_service", {"ServiceArn": n["svc"][:-32] + "0" * 32},
         "ResourceNotFoundException"),
        ("deploy: paused", "start_deployment", {"ServiceArn": n["paused"]}, "InvalidRequestException"),
        ("tag: over 50 in all", "tag_resource", {"ResourceArn": n["svc"], "Tags": [
            {"Key": f"k{i}", "Value": "v"} for i in range(50)]}, "InvalidRequestException"),
        ("tag: one bad among good", "tag_resource", {"ResourceArn": n["svc"], "Tags": [
            {"Key": "fine", "Value": "v"}, {"Key": "aws:bad", "Value": "v"}]}, "InvalidRequestException"),
        ("untag: unknown resource", "untag_resource", {"ResourceArn": n["svc"][:-32] + "0" * 32,
                                                       "TagKeys": ["team"]}, "ResourceNotFoundException"),
        ("asc: min > max + tags", "create_auto_scaling_configuration", {
            "AutoScalingConfigurationName": "scale-x", "MinSize": 5, "MaxSize": 2, "Tags": TAGS},
         "InvalidRequestException"),
        ("asc: delete all revisions, one in use", "delete_auto_scaling_configuration", {
            "AutoScalingConfigurationArn": PREFIX + "autoscalingconfiguration/scale-w", "DeleteAllRevisions": True},
         "InvalidRequestException"),
        ("asc: delete the default", "delete_auto_scaling_configuration", {
            "AutoScalingConfigurationArn": PREFIX + "autoscalingconfiguration/DefaultConfiguration"},
         "InvalidRequestException"),
        ("asc: default to unknown", "update_default_auto_scaling_configuration", {
            "AutoScalingConfigurationArn": PREFIX + "autoscalingconfiguration/nope"}, "ResourceNotFoundException"),
        ("obs: reserved name", "create_observability_configuration", {
            "ObservabilityConfigurationName": "DefaultConfiguration", "Tags": TAGS}, "InvalidRequestException"),
        ("connection: duplicate", "create_connection", {"ConnectionName": "conn-w", "ProviderType": "GITHUB"},
         "InvalidRequestException"),
        ("connector: duplicate", "create_vpc_connector", {"VpcConnectorName": "vpcc-w", "Subnets": ["subnet-2"]},
         "InvalidRequestException"),
        ("connector: bad tags", "create_vpc_connector", {"VpcConnectorName": "vpcc-x", "Subnets": ["subnet-2"],
                                                         "Tags": [{"Key": "aws:x", "Value": "v"}]},
         "InvalidRequestException"),
        ("vic: duplicate name", "create_vpc_ingress_connection", {
            "ServiceArn": n["svc"], "VpcIngressConnectionName": "vic-w",
            "IngressVpcConfiguration": {"VpcId": "vpc-2", "VpcEndpointId": "vpce-2"}}, "InvalidRequestException"),
        ("vic: paused service", "create_vpc_ingress_connection", {
            "ServiceArn": n["paused"], "VpcIngressConnectionName": "vic-x",
            "IngressVpcConfiguration": {"VpcId": "vpc-2", "VpcEndpointId": "vpce-2"}}, "InvalidStateException"),
        ("vic: update without endpoint", "update_vpc_ingress_connection", {
            "VpcIngressConnectionArn": n["vic"], "IngressVpcConfiguration": {"VpcId": "vpc-9"}},
         "InvalidRequestException"),
        ("domain: wildcard with www", "associate_custom_domain", {
            "ServiceArn": n["svc"], "DomainName": "*.example.org"}, "InvalidRequestException"),
        ("domain: empty label", "associate_custom_domain", {"ServiceArn": n["svc"], "DomainName": "a..example.org"},
         "InvalidRequestException"),
        ("domain: paused service", "associate_custom_domain", {"ServiceArn": n["paused"], "DomainName": "b.org"},
         "InvalidStateException"),
        ("domain: disassociate unknown", "disassociate_custom_domain", {
            "ServiceArn": n["svc"], "DomainName": "other.org"}, "ResourceNotFoundException"),
    ]


CASE_COUNT = 37


def test_case_table_is_complete():
    assert len(_cases({key: "x" for key in ("asc", "obs", "conn", "vpcc", "svc", "paused", "vic")})) == CASE_COUNT


@pytest.mark.parametrize("index", range(CASE_COUNT))
def test_refused_call_changes_nothing(world, index):
    aws, client, names = world
    label, method, params, expected = _cases(names)[index]
    before = snapshot.export_state(aws.store)["state"]
    error = error_of(getattr(client, method), **params)
    assert code(error) == expected, label
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, label
    assert snapshot.export_state(aws.store)["state"] == before, label


def test_refused_creates_do_not_make_the_service_linked_roles(aws):
    """In a fresh account the SLRs are created on first *successful* use only."""
    client, iam = aws.client("apprunner"), aws.client("iam")
    error_of(client.create_service, ServiceName="svc-bad", SourceConfiguration=PUBLIC_SOURCE,
             Tags=[{"Key": "aws:x", "Value": "v"}])
    error_of(client.create_vpc_connector, VpcConnectorName="vpcc-bad", Subnets=[],
             Tags=[{"Key": "k", "Value": "v"}])
    roles = [role["RoleName"] for role in iam.list_roles()["Roles"]]
    assert "AWSServiceRoleForAppRunner" not in roles and "AWSServiceRoleForAppRunnerNetworking" not in roles


def test_handshake_helper_only_touches_connections(world):
    aws, client, names = world
    assert complete_handshake(aws.store, names["svc"]) is False
