"""The pipeline end to end: routing, protocol errors, request ids, the first real operation."""
from __future__ import annotations

import json

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner.services import registry


def test_get_caller_identity_root(aws):
    identity = aws.client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    assert identity["UserId"] == "123456789012"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(identity["ResponseMetadata"]["RequestId"]) == 36


def signed(url: str, service: str, body: bytes | str, headers: dict[str, str], region: str = "us-east-1",
           key: str = "test", secret: str = "test") -> requests.Response:
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    prepared = request.prepare()
    return requests.post(url, data=prepared.body, headers=dict(prepared.headers), timeout=10)


@pytest.fixture
def server(make_harness):
    return make_harness("server")


def test_unknown_json_operation_is_unknown_operation_exception(server):
    response = signed(server.endpoint_url, "apprunner", b"{}", {
        "X-Amz-Target": "AppRunner.LaunchRocket", "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 400
    assert response.json()["__type"].endswith("UnknownOperationException")
    assert response.headers["x-amzn-RequestId"]


def test_unknown_query_action_is_invalid_action(server):
    response = signed(server.endpoint_url, "iam", "Action=LaunchRocket&Version=2010-05-08", {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert response.status_code == 400
    assert "<Code>InvalidAction</Code>" in response.text
    assert "LaunchRocket" in response.text


def test_unknown_service_gets_a_protocol_error_not_a_404(server):
    response = signed(server.endpoint_url, "lambda", "Action=Invoke", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "<Code>InvalidAction</Code>" in response.text
    response = signed(server.endpoint_url, "dynamodb", b"{}", {
        "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 400
    assert response.json()["__type"].endswith("UnknownOperationException")


@pytest.mark.parametrize(("service", "call", "code"), [
    ("lambda", lambda client: client.list_functions(), "UnknownOperationException"),  # REST-JSON
    ("apigateway", lambda client: client.get_rest_apis(), "UnknownOperationException"),
    ("sso-oidc", lambda client: client.register_client(clientName="ci", clientType="public"),  # unsigned
     "UnknownOperationException"),
    ("s3", lambda client: client.list_buckets(), "InvalidAction"),  # REST-XML
    ("route53", lambda client: client.list_hosted_zones(), "InvalidAction"),
    ("sns", lambda client: client.list_topics(), "InvalidAction"),  # query
    ("kms", lambda client: client.list_keys(), "UnknownOperationException"),  # awsJson
])
def test_a_service_not_served_is_refused_in_the_format_its_client_reads(server, service, call, code):
    """A client reads errors only in its own protocol: an XML refusal given to a REST-JSON client (Lambda) reached
    the user as "An error occurred (400)" with the XML as its message."""
    client = boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as caught:
        call(client)
    error = caught.value.response["Error"]
    assert (error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, 400)
    assert error["Message"].endswith("is not provided by mockrunner.")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_body_is_a_clear_400(server, body):
    response = signed(server.endpoint_url, "apprunner", body, {
        "X-Amz-Target": "AppRunner.ListServices", "Content-Type": "application/x-amz-json-1.0"})
    assert response.status_code == 400
    payload = response.json()
    assert payload["__type"]
    assert response.headers["x-amzn-RequestId"]


def test_malformed_form_body_is_a_clear_400(server):
    response = signed(server.endpoint_url, "sts", b"Action=GetCallerIdentity&Version=2011-06-15&%%%=\xff", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "<Code>MalformedQueryString</Code>" in response.text
    assert "<RequestId>" in response.text


def test_missing_action_is_reported(server):
    response = signed(server.endpoint_url, "sts", "Version=2011-06-15", {
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "<Code>MissingAction</Code>" in response.text


def test_real_operation_without_handler_says_so(aws, monkeypatch):
    # Every operation of the served models has a handler: take one away to reach the gateway's answer.
    monkeypatch.delitem(registry.OPERATIONS, ("iam", "ListServerCertificates"))
    with pytest.raises(ClientError) as caught:
        aws.client("iam").list_server_certificates()
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "iam:ListServerCertificates" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_health_and_reset_over_http(server):
    health = requests.get(server.endpoint_url + "/_mockrunner/health", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    reset = requests.post(server.endpoint_url + "/_mockrunner/reset", timeout=10)
    assert reset.status_code == 200
    assert json.loads(reset.text)["status"] == "reset"
