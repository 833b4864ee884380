"""Traceability: App Runner statements of the public evidence that no other test pinned, through boto3 in both modes.

Three groups: every constraint of the botocore model's request shapes (``min``, ``max``, ``pattern``, ``enum``,
required members) answered as an AWS-shaped ``InvalidRequestException``; the Service Authorization Reference's
resource type and condition keys of every action; and single behaviours the model's documentation states
(docs/behaviour.md, "App Runner: traceability audit").
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.config import Config

from mockrunner.protocol import specs
from mockrunner.protocol.validation import SERVICE_CHECKED
from mockrunner.services.apprunner import complete_handshake
from tests.apprunner.helpers import (
    ACCOUNT,
    DEFAULT_ASC,
    PUBLIC_IMAGE,
    PUBLIC_SOURCE,
    code,
    error_of,
    message,
    running,
    service_role,
)

MODEL = specs.service_model("apprunner")
PREFIX = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"


@pytest.fixture
def apprunner(aws):
    return aws.client("apprunner")


# ============================================================================ the model's constraints, member by member
#: A value that satisfies each patterned shape (the other shapes get a generic one: see ``_sample``).
_SAMPLES = {
    "AppRunnerResourceArn": PREFIX + "service/sample/0123456789abcdef0123456789abcdef",
    "ServiceName": "sample-name", "AutoScalingConfigurationName": "sample-name", "ConnectionName": "sample-name",
    "ObservabilityConfigurationName": "sample-name", "VpcConnectorName": "sample-name",
    "VpcIngressConnectionName": "sample-name", "Cpu": "1024", "Memory": "2048", "DomainName": "example.com",
    "ImageIdentifier": PUBLIC_IMAGE, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/sample-role",
    "KmsKeyArn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012",
    "TagKey": "team", "StartCommand": "run", "BuildCommand": "build", "SourceDirectory": "/",
}
#: Candidates for a value outside a pattern (the first one the pattern refuses is used).
_OFF_PATTERN = ("!!!!", "aws:x", "\x00\n")


def _sample(shape) -> Any:
    if shape.type_name == "structure":
        return {name: _sample(shape.members[name]) for name in shape.required_members}
    if shape.type_name == "list":
        return [_sample(shape.member)]
    if shape.type_name == "map":
        return {_sample(shape.key): _sample(shape.value)}
    if shape.type_name in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if shape.type_name == "boolean":
        return True
    if shape.enum:
        return shape.enum[0]
    return _SAMPLES.get(shape.name, "x" * max(shape.metadata.get("min", 1), 1))


def _violations(shape) -> Iterator[tuple[str, Any]]:
    """``(constraint, value)`` for each constraint of a scalar shape the model declares."""
    meta = shape.metadata
    if shape.type_name in ("integer", "long"):
        if "max" in meta:
            yield "max", meta["max"] + 1
        if "min" in meta:
            yield "min", meta["min"] - 1
        return
    if shape.type_name != "string":
        return
    if shape.enum:
        yield "enum", "NOT_A_MODELED_VALUE"
    if meta.get("max") is not None:
        yield "max", "a" * (meta["max"] + 1)
    if meta.get("min", 0) >= 1:
        yield "min", ""
    pattern = meta.get("pattern")
    if pattern and pattern != ".*":
        compiled = re.compile(pattern)
        yield "pattern", next(value for value in _OFF_PATTERN if compiled.fullmatch(value) is None)


def _paths(shape, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every scalar reachable in the input: (steps, shape); a step is a member name, ``[]``, ``{key}``, ``{value}``."""
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield from _paths(member, path + (name,))
    elif shape.type_name == "list":
        yield from _paths(shape.member, path + ("[]",))
    elif shape.type_name == "map":
        yield from _paths(shape.key, path + ("{key}",))
        yield from _paths(shape.value, path + ("{value}",))
    else:
        yield path, shape


def _with(shape, path: tuple, value: Any) -> Any:
    """A valid sample of ``shape`` whose scalar at ``path`` is ``value``."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if shape.type_name == "structure":
        result = _sample(shape)
        result[step] = _with(shape.members[step], rest, value)
        return result
    if shape.type_name == "list":
        return [_with(shape.member, rest, value)]
    if step == "{key}":
        return {_with(shape.key, rest, value): _sample(shape.value)}
    return {_sample(shape.key): _with(shape.value, rest, value)}


def _wire_path(path: tuple) -> str | None:
    """The member path AWS names (``healthCheckConfiguration.interval``); ``None`` through lists and maps."""
    if any(step.startswith(("[", "{")) for step in path):
        return None
    return ".".join(step[0].lower() + step[1:] for step in path)


def _checked_by_the_handler(operation, path: tuple) -> bool:
    """Whether a member on ``path`` is one App Runner judges in its own words (protocol SERVICE_CHECKED)."""
    shape = operation.input_shape
    for step in path:
        if step.startswith(("[", "{")):
            shape = shape.member if step == "[]" else (shape.key if step == "{key}" else shape.value)
            continue
        if (shape.name, step) in SERVICE_CHECKED:
            return True
        shape = shape.members[step]
    return False


def _cases(operation) -> list[tuple[str, dict]]:
    cases = [(f"{name} missing", {key: value for key, value in _sample(operation.input_shape).items() if key != name})
             for name in operation.input_shape.required_members]
    for path, shape in _paths(operation.input_shape):
        for constraint, value in _violations(shape):
            cases.append((f"{'.'.join(path)} {constraint}", _with(operation.input_shape, path, value)))
    return cases


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_every_model_constraint_is_an_invalid_request(aws, operation_name):
    """botocore checks only ``required`` and ``min`` (and not at all with ``parameter_validation`` off); App Runner
    answers every ``min``/``max``/``pattern``/``enum``/required violation with a 400 ``InvalidRequestException``
    naming the member, never a 500 or a success."""
    client = aws.client("apprunner", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    operation = MODEL.operation_model(operation_name)
    call = getattr(client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation_name).lower())
    cases = _cases(operation)
    assert cases or not operation.input_shape.members
    for label, params in cases:
        error = error_of(call, **params)
        path = tuple(label.split(" ")[0].split("."))
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        if _checked_by_the_handler(operation, path):
            # Judged by the handler in App Runner's words, after it has found the target (the sample target of an
            # Update does not exist): an AWS-shaped client error either way.
            assert (code(error), status) in {("InvalidRequestException", 400), ("ResourceNotFoundException", 400)}
            continue
        assert (code(error), status) == ("InvalidRequestException", 400), label
        wire = _wire_path(path)
        if wire is not None:
            assert f"at '{wire}'" in message(error), (label, message(error))


def test_the_sweep_reaches_every_constrained_member():
    """The sweep above is not vacuous: it tries the documented ranges the spec lists (sample)."""
    labels = {label for name in MODEL.operation_names for label, _ in _cases(MODEL.operation_model(name))}
    for expected in ("HealthCheckConfiguration.Interval max", "InstanceConfiguration.Cpu pattern",
                     "MaxConcurrency max", "MinSize max", "Tags.[].Key pattern", "Tags.[].Value max",
                     "EncryptionConfiguration.KmsKey pattern", "ServiceName pattern", "MaxResults max",
                     "NetworkConfiguration.IpAddressType enum", "TraceConfiguration.Vendor enum",
                     "ProviderType enum", "DomainName pattern", "ServiceArn missing"):
        assert expected in labels


# ============================================================================ authorization: the reference's table
#: Action -> (resource type the Service Authorization Reference requires, None = ``*``;
#:            the action's condition keys besides ``aws:ResourceTag/*``, which every resource type carries).
_TAG_KEYS = frozenset({"aws:RequestTag/*", "aws:TagKeys"})
_REFERENCE_KEYS = frozenset({"apprunner:AutoScalingConfigurationArn", "apprunner:ConnectionArn",
                             "apprunner:ObservabilityConfigurationArn", "apprunner:VpcConnectorArn"})
REFERENCE = {
    "AssociateCustomDomain": ("service", frozenset()),
    "CreateAutoScalingConfiguration": ("autoscalingconfiguration", _TAG_KEYS),
    "CreateConnection": ("connection", _TAG_KEYS),
    "CreateObservabilityConfiguration": ("observabilityconfiguration", _TAG_KEYS),
    "CreateService": ("service", _TAG_KEYS | _REFERENCE_KEYS),
    "CreateVpcConnector": ("vpcconnector", _TAG_KEYS),
    "CreateVpcIngressConnection": ("vpcingressconnection", _TAG_KEYS | {"apprunner:ServiceArn",
                                                                        "apprunner:VpcEndpointId",
                                                                        "apprunner:VpcId"}),
    "DeleteAutoScalingConfiguration": ("autoscalingconfiguration", frozenset()),
    "DeleteConnection": ("connection", frozenset()),
    "DeleteObservabilityConfiguration": ("observabilityconfiguration", frozenset()),
    "DeleteService": ("service", frozenset()),
    "DeleteVpcConnector": ("vpcconnector", frozenset()),
    "DeleteVpcIngressConnection": ("vpcingressconnection", frozenset()),
    "DescribeAutoScalingConfiguration": ("autoscalingconfiguration", frozenset()),
    "DescribeCustomDomains": ("service", frozenset()),
    "DescribeObservabilityConfiguration": ("observabilityconfiguration", frozenset()),
    "DescribeService": ("service", frozenset()),
    "DescribeVpcConnector": ("vpcconnector", frozenset()),
    "DescribeVpcIngressConnection": ("vpcingressconnection", frozenset()),
    "DisassociateCustomDomain": ("service", frozenset()),
    "ListAutoScalingConfigurations": (None, frozenset()),
    "ListConnections": (None, frozenset()),
    "ListObservabilityConfigurations": (None, frozenset()),
    "ListOperations": ("service", frozenset()),
    "ListServices": (None, frozenset()),
    "ListServicesForAutoScalingConfiguration": ("autoscalingconfiguration", frozenset()),
    "ListTagsForResource": ("any", frozenset()),
    "ListVpcConnectors": (None, frozenset()),
    "ListVpcIngressConnections": (None, frozenset()),
    "PauseService": ("service", frozenset()),
    "ResumeService": ("service", frozenset()),
    "StartDeployment": ("service", frozenset()),
    "TagResource": ("any", _TAG_KEYS),
    "UntagResource": ("any", frozenset({"aws:TagKeys"})),
    "UpdateDefaultAutoScalingConfiguration": ("autoscalingconfiguration", frozenset()),
    "UpdateService": ("service", _REFERENCE_KEYS),
    "UpdateVpcIngressConnection": ("vpcingressconnection", frozenset({"apprunner:VpcEndpointId", "apprunner:VpcId"})),
}
_TYPES = frozenset(kind for kind, _keys in REFERENCE.values() if kind not in (None, "any"))
_GLOBAL = re.compile(r"^aws:(SourceIp|SecureTransport|ViaAWSService|PrincipalIsAWSService|RequestedRegion|"
                     r"CurrentTime|EpochTime|TokenIssueTime|MultiFactorAuth\w*|Principal\w*|UserAgent|userid|"
                     r"username|SourceVpc\w*|CalledVia\w*|ResourceAccount)")


def _generic(key: str) -> str:
    if key.startswith("aws:RequestTag/"):
        return "aws:RequestTag/*"
    if key.startswith(("aws:ResourceTag/", "apprunner:ResourceTag/")):
        return "aws:ResourceTag/*"
    return key


def _every_operation(aws, client) -> None:
    """Call all 37 operations once, each naming the resources and members its condition keys come from."""
    tags = [{"Key": "team", "Value": "a"}]
    asc = client.create_auto_scaling_configuration(AutoScalingConfigurationName="trace-asc", Tags=tags)[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    client.describe_auto_scaling_configuration(AutoScalingConfigurationArn=asc)
    client.list_auto_scaling_configurations()
    obs = client.create_observability_configuration(ObservabilityConfigurationName="trace-obs", Tags=tags)[
        "ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    client.describe_observability_configuration(ObservabilityConfigurationArn=obs)
    client.list_observability_configurations()
    connection = client.create_connection(ConnectionName="trace-conn", ProviderType="GITHUB", Tags=tags)[
        "Connection"]["ConnectionArn"]
    complete_handshake(aws.store, connection)
    client.list_connections()
    connector = client.create_vpc_connector(VpcConnectorName="trace-vpc", Subnets=["subnet-1"], Tags=tags)[
        "VpcConnector"]["VpcConnectorArn"]
    client.describe_vpc_connector(VpcConnectorArn=connector)
    client.list_vpc_connectors()
    source = {"CodeRepository": {"RepositoryUrl": "https://github.com/a/b",
                                 "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                                 "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}},
              "AuthenticationConfiguration": {"ConnectionArn": connection}}
    service = client.create_service(
        ServiceName="trace-svc", SourceConfiguration=source, AutoScalingConfigurationArn=asc, Tags=tags,
        ObservabilityConfiguration={"ObservabilityEnabled": True, "ObservabilityConfigurationArn": obs},
        NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC", "VpcConnectorArn": connector}},
    )["Service"]["ServiceArn"]
    client.describe_service(ServiceArn=service)
    client.list_services()
    client.list_services_for_auto_scaling_configuration(AutoScalingConfigurationArn=asc)
    client.update_service(ServiceArn=service, AutoScalingConfigurationArn=asc, SourceConfiguration=source,
                          ObservabilityConfiguration={"ObservabilityEnabled": True,
                                                      "ObservabilityConfigurationArn": obs},
                          NetworkConfiguration={"EgressConfiguration": {"EgressType": "VPC",
                                                                        "VpcConnectorArn": connector}})
    client.start_deployment(ServiceArn=service)
    client.list_operations(ServiceArn=service)
    client.pause_service(ServiceArn=service)
    client.resume_service(ServiceArn=service)
    client.associate_custom_domain(ServiceArn=service, DomainName="trace.example.com")
    client.describe_custom_domains(ServiceArn=service)
    client.disassociate_custom_domain(ServiceArn=service, DomainName="trace.example.com")
    ingress = client.create_vpc_ingress_connection(
        ServiceArn=service, VpcIngressConnectionName="trace-vic", Tags=tags,
        IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})["VpcIngressConnection"][
        "VpcIngressConnectionArn"]
    client.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress)
    client.list_vpc_ingress_connections()
    client.update_vpc_ingress_connection(VpcIngressConnectionArn=ingress,
                                         IngressVpcConfiguration={"VpcId": "vpc-2", "VpcEndpointId": "vpce-2"})
    client.tag_resource(ResourceArn=service, Tags=[{"Key": "stage", "Value": "prod"}])
    client.untag_resource(ResourceArn=service, TagKeys=["stage"])
    client.list_tags_for_resource(ResourceArn=service)
    client.delete_vpc_ingress_connection(VpcIngressConnectionArn=ingress)
    client.describe_vpc_ingress_connection(VpcIngressConnectionArn=ingress)  # completes the deletion
    client.delete_service(ServiceArn=service)
    client.describe_service(ServiceArn=service)  # completes the deletion
    client.delete_connection(ConnectionArn=connection)
    client.delete_vpc_connector(VpcConnectorArn=connector)
    client.delete_observability_configuration(ObservabilityConfigurationArn=obs)
    client.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=asc)
    client.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=asc)


def test_every_action_is_authorized_on_its_reference_resource_type_with_its_condition_keys(aws, apprunner):
    """Service Authorization Reference: the resource type each action requires (``*`` for the account-wide
    lists) and the condition keys each defines; no action carries a service key the reference does not list
    for it (UntagResource no ``aws:RequestTag``, UpdateVpcIngressConnection no ``apprunner:ServiceArn``)."""
    _every_operation(aws, apprunner)
    seen: dict[str, dict] = {}
    for entry in aws.store.decision_log:
        action = entry["action"]
        if action.startswith("apprunner:") and entry["decision"] == "allowed":
            seen.setdefault(action.split(":", 1)[1], entry)
    assert set(seen) == set(MODEL.operation_names) == set(REFERENCE)
    for operation, (resource_type, keys) in REFERENCE.items():
        entry = seen[operation]
        if resource_type is None:
            assert entry["resource"] == "*", operation
        else:
            kind = entry["resource"].removeprefix(PREFIX).split("/", 1)[0]
            assert entry["resource"].startswith(PREFIX), (operation, entry["resource"])
            assert kind in (_TYPES if resource_type == "any" else {resource_type}), (operation, entry["resource"])
        service_keys = {_generic(key) for key in entry["context"] if not _GLOBAL.match(key)}
        allowed = keys | ({"aws:ResourceTag/*"} if resource_type is not None else set())
        assert service_keys <= allowed, (operation, service_keys - allowed)
        assert keys - {"aws:ResourceTag/*"} <= service_keys, (operation, keys - service_keys)


def test_update_vpc_ingress_connection_keys_name_the_new_vpc(aws, apprunner):
    """``apprunner:VpcId`` / ``VpcEndpointId`` of UpdateVpcIngressConnection are the request's (the reference:
    "based on the VPC in the request")."""
    _every_operation(aws, apprunner)
    [update] = [entry for entry in aws.store.decision_log
                if entry["action"] == "apprunner:UpdateVpcIngressConnection"]
    assert (update["context"]["apprunner:VpcId"], update["context"]["apprunner:VpcEndpointId"]) == \
        ("vpc-2", "vpce-2")


# ============================================================================ behaviours the model's docs state
def test_default_configuration_name_can_be_revised_and_its_revisions_deleted(apprunner):
    """Model (CreateAutoScalingConfiguration name): "you can do the following with the DefaultConfiguration ...:
    Create new revisions ... Delete the revisions"; the provided revision 1 stays and stays the default."""
    created = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="DefaultConfiguration", MaxSize=3)["AutoScalingConfiguration"]
    assert (created["AutoScalingConfigurationRevision"], created["Latest"], created["IsDefault"]) == (2, True, False)
    provided = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    assert provided["AutoScalingConfiguration"]["Latest"] is False
    assert provided["AutoScalingConfiguration"]["IsDefault"] is True
    deleted = apprunner.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=created["AutoScalingConfigurationArn"])["AutoScalingConfiguration"]
    assert deleted["Status"] == "inactive"
    again = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=DEFAULT_ASC)
    assert again["AutoScalingConfiguration"]["Latest"] is True


def test_revision_numbers_follow_the_highest_active_revision(apprunner):
    """"Revision ... is unique among all the active configurations": a new revision is max(active) + 1, so
    deleting the latest frees its number, deleting an older one does not."""
    def create() -> dict:
        return apprunner.create_auto_scaling_configuration(
            AutoScalingConfigurationName="numbered")["AutoScalingConfiguration"]

    first, second, third = create(), create(), create()
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=third["AutoScalingConfigurationArn"])
    assert create()["AutoScalingConfigurationRevision"] == 3
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=second["AutoScalingConfigurationArn"])
    assert create()["AutoScalingConfigurationRevision"] == 4
    assert first["AutoScalingConfigurationRevision"] == 1


def test_observability_configuration_used_by_a_service_cannot_be_deleted(apprunner):
    """Model: "You can't delete a configuration that's used by one or more App Runner services"."""
    obs = apprunner.create_observability_configuration(ObservabilityConfigurationName="traced")[
        "ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    running(apprunner, ObservabilityConfiguration={"ObservabilityEnabled": True,
                                                   "ObservabilityConfigurationArn": obs})
    error = error_of(apprunner.delete_observability_configuration, ObservabilityConfigurationArn=obs)
    assert code(error) == "InvalidRequestException"
    assert message(error).startswith("You can't delete the observability configuration. It's used by one or more")
    described = apprunner.describe_observability_configuration(ObservabilityConfigurationArn=obs)
    assert described["ObservabilityConfiguration"]["Status"] == "ACTIVE"


@pytest.mark.parametrize("method", ["describe_vpc_connector", "delete_vpc_connector"])
def test_vpc_connector_operations_need_the_full_arn(apprunner, method):
    """Model: "The ARN must be a full VPC connector ARN": ``…/<name>`` and ``…/<name>/<revision>`` name none."""
    full = apprunner.create_vpc_connector(VpcConnectorName="full-only", Subnets=["subnet-1"])["VpcConnector"][
        "VpcConnectorArn"]
    for partial in (full.rsplit("/", 2)[0], full.rsplit("/", 1)[0]):
        assert code(error_of(getattr(apprunner, method), VpcConnectorArn=partial)) == "ResourceNotFoundException"
    assert apprunner.describe_vpc_connector(VpcConnectorArn=full)["VpcConnector"]["Status"] == "ACTIVE"


def test_access_role_given_with_a_public_image_is_not_assumed(aws, apprunner):
    """An access role is "required for ECR image repositories (but not for ECR Public repositories)": one given
    with a public image is not used, so a role App Runner could not assume does not fail the call."""
    untrusted = service_role(aws, "not-for-build", service="ec2.amazonaws.com")
    source = {**PUBLIC_SOURCE, "AuthenticationConfiguration": {"AccessRoleArn": untrusted}}
    arn = apprunner.create_service(ServiceName="public-with-role", SourceConfiguration=source)["Service"][
        "ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"


def test_service_linked_roles_cannot_be_deleted_while_app_runner_uses_them(aws, apprunner):
    """Developer guide: the service-linked roles can be deleted only once no service / no VPC connector uses
    them; IAM's deletion task FAILS naming the resources (GetServiceLinkedRoleDeletionStatus)."""
    service = running(apprunner)
    connector = apprunner.create_vpc_connector(VpcConnectorName="uses-slr", Subnets=["subnet-1"])[
        "VpcConnector"]["VpcConnectorArn"]
    iam = aws.client("iam")
    for role, resource in (("AWSServiceRoleForAppRunner", service),
                           ("AWSServiceRoleForAppRunnerNetworking", connector)):
        task = iam.delete_service_linked_role(RoleName=role)["DeletionTaskId"]
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        assert status["Status"] == "FAILED"
        assert status["Reason"]["RoleUsageList"] == [{"Region": "us-east-1", "Resources": [resource]}]
        assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role


def test_service_linked_roles_are_created_again_after_their_deletion(aws, apprunner):
    """Developer guide: "When you create an App Runner service ... App Runner creates the service-linked role for
    you" — "If you delete this service-linked role, and then need to create it again", the next create does; a
    deleted service or an INACTIVE connector no longer holds the role."""
    iam = aws.client("iam")
    service = running(apprunner, "first-svc")
    connector = apprunner.create_vpc_connector(VpcConnectorName="first-vpc", Subnets=["subnet-1"])[
        "VpcConnector"]["VpcConnectorArn"]
    apprunner.delete_service(ServiceArn=service)
    assert apprunner.describe_service(ServiceArn=service)["Service"]["Status"] == "DELETED"
    apprunner.delete_vpc_connector(VpcConnectorArn=connector)
    for role in ("AWSServiceRoleForAppRunner", "AWSServiceRoleForAppRunnerNetworking"):
        task = iam.delete_service_linked_role(RoleName=role)["DeletionTaskId"]
        assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
        assert code(error_of(iam.get_role, RoleName=role)) == "NoSuchEntity"
    running(apprunner, "second-svc")
    apprunner.create_vpc_connector(VpcConnectorName="second-vpc", Subnets=["subnet-1"])
    created = {iam.get_role(RoleName=role)["Role"]["Path"]
               for role in ("AWSServiceRoleForAppRunner", "AWSServiceRoleForAppRunnerNetworking")}
    assert created == {"/aws-service-role/apprunner.amazonaws.com/",
                       "/aws-service-role/networking.apprunner.amazonaws.com/"}


def _timestamps(document: Any) -> Iterator[datetime]:
    if isinstance(document, datetime):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            if key != "ResponseMetadata":
                yield from _timestamps(value)
    elif isinstance(document, list):
        for value in document:
            yield from _timestamps(value)


def test_timestamps_are_whole_epoch_seconds(aws, apprunner):
    """Every App Runner timestamp AWS is seen to send is a whole number of epoch seconds: a raw ListServices body
    ``"CreatedAt":1.742895933E9`` (aws/aws-cli#9399), the CLI's list-operations example ``"StartedAt": 1606156014``;
    the store clock's milliseconds are not App Runner's."""
    service = running(apprunner, "whole-seconds")
    answers = [
        apprunner.describe_service(ServiceArn=service),
        apprunner.list_services(),
        apprunner.list_operations(ServiceArn=service),
        apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="whole-asc"),
        apprunner.list_auto_scaling_configurations(),
        apprunner.create_observability_configuration(ObservabilityConfigurationName="whole-obs"),
        apprunner.create_connection(ConnectionName="whole-conn", ProviderType="GITHUB"),
        apprunner.list_connections(),
        apprunner.create_vpc_connector(VpcConnectorName="whole-vpc", Subnets=["subnet-1"]),
        apprunner.create_vpc_ingress_connection(ServiceArn=service, VpcIngressConnectionName="whole-vic",
                                                IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "v"}),
        apprunner.pause_service(ServiceArn=service),
    ]
    found = [moment for answer in answers for moment in _timestamps(answer)]
    assert len(found) >= 15
    assert [moment for moment in found if moment.microsecond] == []
