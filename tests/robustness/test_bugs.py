"""Findings of the fuzzer, one test each: the fixed ones guard against regressions, the open ones fail until
the owner of the named file fixes them (see the docstrings)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from mockrunner.model import snapshot
from tests.robustness import wire
from tests.robustness.world import build_world


@pytest.fixture(scope="module")
def world():
    return build_world()


def _send(world, service: str, operation: str, params=None, body: bytes | None = None) -> wire.Reply:
    model = wire.model(service).operation_model(operation)
    return wire.send(world.harness.app, model, body if body is not None else wire.encode(model, params))


def _assert_error(reply: wire.Reply, status: int, code: str) -> None:
    assert wire.problems_with(reply, True, "json") == []
    assert (reply.status, reply.code) == (status, code), reply.body[:300]


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000])
def test_deeply_nested_json_is_a_serialization_error_not_a_500(world, body):
    """Fixed in protocol/json_codec.py: json.loads raised RecursionError (not a ValueError) -> 500."""
    _assert_error(_send(world, "apprunner", "ListServices", body=body), 400, "SerializationException")


@pytest.mark.parametrize("text", ["\ud800", "name\udfff", "\udfff\ud800"])
def test_unpaired_surrogates_in_json_strings_are_refused_not_a_500(world, text):
    """Fixed in protocol/json_codec.py: validation measured the string as UTF-16 and crashed (500); the value
    could not have been stored or persisted as UTF-8 either."""
    before = snapshot.export_state(world.store)["state"]
    reply = _send(world, "apprunner", "CreateConnection", {"ConnectionName": text, "ProviderType": "GITHUB"})
    _assert_error(reply, 400, "SerializationException")
    reply = _send(world, "ecr", "CreateRepository", body=json.dumps({"repositoryName": "web",
                                                                      "tags": [{"Key": "k", "Value": text}]}).encode())
    _assert_error(reply, 400, "SerializationException")
    reply = _send(world, "apprunner", "TagResource", body=json.dumps(
        {"ResourceArn": world.vocabulary["ServiceArn"][0], "Tags": [{"Key": text, "Value": "v"}]}).encode())
    _assert_error(reply, 400, "SerializationException")
    assert snapshot.export_state(world.store)["state"] == before


@pytest.mark.parametrize("name", ["a\x00b", "esc\x1b[31m", "\x7f\x08", "bell\x07"])
def test_control_characters_echoed_in_query_errors_keep_the_xml_well_formed(world, name):
    """Fixed in protocol/query_codec.py: a NUL echoed in a validation message made the XML unparseable."""
    reply = _send(world, "iam", "GetUser", {"UserName": name})
    assert reply.status == 400
    root = ET.fromstring(reply.body)  # raises on a malformed document
    code = root.find("{https://iam.amazonaws.com/doc/2010-05-08/}Error/{https://iam.amazonaws.com/doc/2010-05-08/}Code")
    assert code.text == "ValidationError"


@pytest.mark.parametrize("operation", ["TagResource", "CreateAutoScalingConfiguration", "CreateService",
                                       "CreateConnection", "CreateVpcConnector"])
def test_apprunner_tag_without_key_is_a_400(world, operation):
    """OPEN (owner: App Runner handlers).  ``Tags: [{"Value": "x"}]`` passes model validation (App Runner's
    ``Tag`` shape has no required members) and then ``request_tag_context`` in
    mockrunner/services/apprunner/authz.py (``tag['Key']``, line 35) raises KeyError -> 500
    InternalServiceErrorException.  Expected: a 400 InvalidRequestException and no change, e.g. validate that
    every tag has a Key (and a Value) before building the authorization context."""
    world.restore()
    arn = world.vocabulary["ServiceArn"][0]
    params = {
        "TagResource": {"ResourceArn": arn},
        "CreateAutoScalingConfiguration": {"AutoScalingConfigurationName": "tagless"},
        "CreateService": {"ServiceName": "tagless", "SourceConfiguration": {"ImageRepository": {
            "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
            "ImageRepositoryType": "ECR_PUBLIC"}}},
        "CreateConnection": {"ConnectionName": "tagless", "ProviderType": "GITHUB"},
        "CreateVpcConnector": {"VpcConnectorName": "tagless", "Subnets": ["subnet-1"]},
    }[operation]
    before = snapshot.export_state(world.store)["state"]
    reply = _send(world, "apprunner", operation, {**params, "Tags": [{"Value": "x"}]})
    assert reply.status < 500, reply.body[:300]
    _assert_error(reply, 400, "InvalidRequestException")
    assert snapshot.export_state(world.store)["state"] == before


def test_sts_policy_arn_entry_without_an_arn_is_a_400(world):
    """Fixed in services/sts/core.py: ``PolicyArns.member.1`` without ``arn`` (the model does not require it)
    raised KeyError -> 500 in GetFederationToken (AssumeRole shares the code); now a ValidationError naming the
    member, and nothing changes."""
    world.restore()
    before = snapshot.export_state(world.store)["state"]
    model = wire.model("sts").operation_model("GetFederationToken")
    body = wire.encode(model, {"Name": "fed"}) + b"&PolicyArns.member.1.unknown=1"
    reply = _send(world, "sts", "GetFederationToken", body=body)
    assert wire.problems_with(reply, True, "query") == []
    assert (reply.status, reply.code) == (400, "ValidationError"), reply.body[:300]
    assert b"policyArns.1.member.arn" in reply.body
    assert snapshot.export_state(world.store)["state"] == before


def test_virtual_mfa_device_with_an_overlong_serial_is_refused_and_not_created(world):
    """Fixed in services/iam/mfa_devices.py: a 100,000-character name made the QR code fail after the device was
    stored -> 500 and a device left behind; now refused first (the serial number, which names the device in the
    other MFA operations, has at most 256 characters) and nothing changes."""
    world.restore()
    before = snapshot.export_state(world.store)["state"]
    for name in ("n" * 227, "n" * 100_000):
        reply = _send(world, "iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": name})
        assert wire.problems_with(reply, True, "query") == []
        assert (reply.status, reply.code) == (400, "InvalidInput"), reply.body[:300]
    assert snapshot.export_state(world.store)["state"] == before
    reply = _send(world, "iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "n" * 226})
    assert reply.status == 200, reply.body[:300]
    world.restore()
