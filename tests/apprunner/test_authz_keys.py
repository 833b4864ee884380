"""Authorization per the Service Authorization Reference: resource ARNs, condition keys, TagResource on tagged
creates, and other accounts' resources never leaking (docs/behaviour.md, "App Runner authorization")."""
from __future__ import annotations

import pytest

from mockrunner.config import AccountKeys, Settings
from mockrunner.services.apprunner import complete_handshake
from tests.apprunner.helpers import (
    ACCOUNT,
    PUBLIC_SOURCE,
    allow,
    code,
    create,
    error_of,
    message,
    running,
    user_client,
)

PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
TAGS = [{"Key": "team", "Value": "a"}]


def checks(aws, action: str) -> list[dict]:
    return [entry for entry in aws.store.decision_log if entry["action"] == action]


#: Create operation -> (client method, parameters without Tags, resource type of the name-scoped ARN, name)
CREATES = {
    "CreateService": ("create_service", {"ServiceName": "svc-t", "SourceConfiguration": PUBLIC_SOURCE},
                      "service/svc-t/*"),
    "CreateConnection": ("create_connection", {"ConnectionName": "conn-t", "ProviderType": "GITHUB"},
                         "connection/conn-t/*"),
    "CreateAutoScalingConfiguration": ("create_auto_scaling_configuration",
                                       {"AutoScalingConfigurationName": "asc-t"}, "autoscalingconfiguration/asc-t/*"),
    "CreateObservabilityConfiguration": ("create_observability_configuration",
                                         {"ObservabilityConfigurationName": "obs-t"},
                                         "observabilityconfiguration/obs-t/*"),
    "CreateVpcConnector": ("create_vpc_connector", {"VpcConnectorName": "vpcc-t", "Subnets": ["s-1"]},
                           "vpcconnector/vpcc-t/*"),
    "CreateVpcIngressConnection": ("create_vpc_ingress_connection", {
        "VpcIngressConnectionName": "vic-t", "IngressVpcConfiguration": {"VpcId": "vpc-1", "VpcEndpointId": "e-1"}},
        "vpcingressconnection/vic-t/*"),
}


def _create(client, operation: str, service_arn: str, tags=None):
    method, params, _resource = CREATES[operation]
    params = dict(params)
    if operation == "CreateVpcIngressConnection":
        params["ServiceArn"] = service_arn
    if tags is not None:
        params["Tags"] = tags
    return getattr(client, method)(**params)


@pytest.mark.parametrize("operation", sorted(CREATES))
def test_tagged_create_also_authorizes_tag_resource(aws, operation):
    client = aws.client("apprunner")
    service = running(client, "host-svc") if operation == "CreateVpcIngressConnection" else ""
    aws.store.decision_log.clear()
    _create(client, operation, service, TAGS)
    resource = PREFIX + CREATES[operation][2]
    [create_check] = checks(aws, f"apprunner:{operation}")
    [tag_check] = checks(aws, "apprunner:TagResource")
    assert create_check["resource"] == tag_check["resource"] == resource
    for check in (create_check, tag_check):
        assert check["context"]["aws:RequestTag/team"] == "a" and check["context"]["aws:TagKeys"] == ["team"]


@pytest.mark.parametrize("operation", sorted(CREATES))
def test_untagged_create_does_not_ask_for_tag_resource(aws, operation):
    client = aws.client("apprunner")
    service = running(client, "host-svc") if operation == "CreateVpcIngressConnection" else ""
    aws.store.decision_log.clear()
    _create(client, operation, service)
    assert checks(aws, "apprunner:TagResource") == []
    assert "aws:TagKeys" not in checks(aws, f"apprunner:{operation}")[0]["context"]


def test_create_with_tags_is_denied_without_tag_resource(aws):
    root = aws.client("apprunner")
    root.create_auto_scaling_configuration(AutoScalingConfigurationName="warm-up")
    frank = user_client(aws, "frank", allow(["apprunner:CreateConnection"]))
    denied = error_of(frank.create_connection, ConnectionName="conn-f", ProviderType="GITHUB", Tags=TAGS)
    assert code(denied) == "AccessDeniedException"
    assert message(denied) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/frank is not authorized to perform: apprunner:TagResource on resource: "
        f"{PREFIX}connection/conn-f/* because no identity-based policy allows the apprunner:TagResource action")
    assert root.list_connections()["ConnectionSummaryList"] == []
    assert frank.create_connection(ConnectionName="conn-f", ProviderType="GITHUB")["Connection"]["Status"] == \
        "PENDING_HANDSHAKE"


def test_create_service_reference_keys_are_full_arns(aws):
    client = aws.client("apprunner")
    connection = client.create_connection(ConnectionName="conn-k", ProviderType="GITHUB")["Connection"][
        "ConnectionArn"]
    complete_handshake(aws.store, connection)
    observability = client.create_observability_configuration(ObservabilityConfigurationName="obs-k")[
        "ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    connector = client.create_vpc_connector(VpcConnectorName="vpcc-k", Subnets=["s-1"])["VpcConnector"][
        "VpcConnectorArn"]
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                 "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}},
              "AuthenticationConfiguration": {"ConnectionArn": connection}}
    aws.store.decision_log.clear()
    client.create_service(
        ServiceName="svc-k", SourceConfiguration=source,
        ObservabilityConfiguration={"ObservabilityEnabled": True,
                                    "ObservabilityConfigurationArn": PREFIX + "observabilityconfiguration/obs-k"},
        NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": connector}})
    check, *referenced = checks(aws, "apprunner:CreateService")
    assert check["context"]["apprunner:ConnectionArn"] == connection
    assert check["context"]["apprunner:ObservabilityConfigurationArn"] == observability
    assert check["context"]["apprunner:VpcConnectorArn"] == connector
    assert "apprunner:AutoScalingConfigurationArn" not in check["context"]
    # Each resource the request names is checked too, by its full ARN.
    assert [item["resource"] for item in referenced] == [connection, observability, connector]


def test_update_service_carries_resource_tags_and_references(aws):
    client = aws.client("apprunner")
    arn = running(client, "svc-u", Tags=TAGS)
    asc = client.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-u")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    aws.store.decision_log.clear()
    client.update_service(ServiceArn=arn, AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/asc-u")
    check, referenced = checks(aws, "apprunner:UpdateService")
    assert check["resource"] == arn
    assert check["context"]["aws:ResourceTag/team"] == "a"
    assert check["context"]["apprunner:AutoScalingConfigurationArn"] == asc
    # The configuration is checked with its own tags (none), not the service's.
    assert referenced["resource"] == asc
    assert not any(key.startswith("aws:ResourceTag/") for key in referenced["context"])


def test_tagging_calls_carry_request_and_resource_tags(aws):
    client = aws.client("apprunner")
    arn = running(client, "svc-g", Tags=TAGS)
    aws.store.decision_log.clear()
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["env"])
    client.list_tags_for_resource(ResourceArn=arn)
    [tag] = checks(aws, "apprunner:TagResource")
    assert tag["resource"] == arn and tag["context"]["aws:RequestTag/env"] == "dev"
    assert tag["context"]["aws:TagKeys"] == ["env"] and tag["context"]["aws:ResourceTag/team"] == "a"
    [untag] = checks(aws, "apprunner:UntagResource")
    assert untag["context"]["aws:TagKeys"] == ["env"] and "aws:RequestTag/env" not in untag["context"]
    [listing] = checks(aws, "apprunner:ListTagsForResource")
    assert listing["context"]["apprunner:ResourceTag/team"] == "a"


def test_partial_arns_are_authorized_as_the_full_arn(aws):
    client = aws.client("apprunner")
    full = client.create_auto_scaling_configuration(AutoScalingConfigurationName="asc-p", Tags=TAGS)[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    aws.store.decision_log.clear()
    client.describe_auto_scaling_configuration(AutoScalingConfigurationArn=PREFIX + "autoscalingconfiguration/asc-p")
    [check] = checks(aws, "apprunner:DescribeAutoScalingConfiguration")
    assert check["resource"] == full and check["context"]["aws:ResourceTag/team"] == "a"


def test_vpc_connector_condition_restricts_create_service(aws):
    root = aws.client("apprunner")
    allowed = root.create_vpc_connector(VpcConnectorName="vpcc-ok", Subnets=["s-1"])["VpcConnector"][
        "VpcConnectorArn"]
    other = root.create_vpc_connector(VpcConnectorName="vpcc-no", Subnets=["s-1"])["VpcConnector"]["VpcConnectorArn"]
    running(root, "warm-up")  # the service-linked role exists from now on
    policy = allow("apprunner:CreateService", condition={"ArnEquals": {"apprunner:VpcConnectorArn": allowed}})
    grace = user_client(aws, "grace", policy)

    def egress(arn):
        return {"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": arn}}

    assert create(grace, "svc-ok", NetworkConfiguration=egress(allowed))["Service"]["ServiceName"] == "svc-ok"
    assert code(error_of(create, grace, "svc-no", NetworkConfiguration=egress(other))) == "AccessDeniedException"
    assert code(error_of(create, grace, "svc-none")) == "AccessDeniedException"


# ------------------------------------------------------------------------------------------ other accounts
OTHER = AccountKeys("210987654321", "other-key", "other-secret")


@pytest.fixture(params=["on", "soft"])
def two_accounts(make_harness, request):
    """``on``: authorization refuses; ``soft``: it lets the call through, so the lookup itself must not leak.
    (``off`` makes every caller the default account's root, so there is no "other" account.)"""
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0, extra_accounts=(OTHER,),
                                                 enforce=request.param))
    theirs = harness.client("apprunner", access_key="other-key", secret="other-secret")
    return request.param, harness.client("apprunner"), theirs


def test_other_accounts_resources_are_refused_like_missing_ones(two_accounts):
    mode, mine, theirs = two_accounts
    service = running(theirs, "their-svc", Tags=TAGS)
    asc = theirs.create_auto_scaling_configuration(AutoScalingConfigurationName="their-asc")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    expected = "AccessDeniedException" if mode == "on" else "ResourceNotFoundException"
    for real, ghost in ((service, service[:-32] + "0" * 32), (asc, asc[:-32] + "0" * 32)):
        for call, member in ((mine.list_tags_for_resource, "ResourceArn"),
                             (mine.describe_service if "service/" in real else mine.describe_auto_scaling_configuration,
                              "ServiceArn" if "service/" in real else "AutoScalingConfigurationArn")):
            seen, unseen = error_of(call, **{member: real}), error_of(call, **{member: ghost})
            assert code(seen) == code(unseen) == expected
            assert message(seen).replace(real, "X") == message(unseen).replace(ghost, "X")
    # Referencing another account's configuration is answered as referencing a missing one: refused by authorization
    # (a resource of another account the request names, with no resource policy to allow it), or an invalid ARN.
    partial = asc.rsplit("/", 2)[0]
    ghost = partial[:-1] + "x"
    error, missing = (error_of(create, mine, "my-svc", AutoScalingConfigurationArn=arn) for arn in (partial, ghost))
    if mode == "on":
        assert code(error) == code(missing) == "AccessDeniedException"
        assert message(error).replace(partial, "X") == message(missing).replace(ghost, "X")
    else:
        assert code(error) == "InvalidRequestException"
        assert message(error) == f"The auto scaling configuration ARN you specified isn't valid. ARN: '{partial}'"
    assert mine.list_services()["ServiceSummaryList"] == []
    assert [i["AutoScalingConfigurationName"] for i in mine.list_auto_scaling_configurations()[
        "AutoScalingConfigurationSummaryList"]] == ["DefaultConfiguration"]
