"""SigV4 authentication against a real server: raw ``requests`` signed with botocore's signer, and the AWS CLI.

Every error is forged the way clients produce it: a wrong secret, an old date, a missing session token.
"""
from __future__ import annotations

import datetime
import json
import os
import subprocess
from unittest import mock
from urllib.parse import quote, urlencode

import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.harness import AWS_CLI_V1
from tests.iam.helpers import ACCOUNT, user_with_key

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def server(make_harness):
    return make_harness("server")


def _send(url: str, body: str | bytes, *, key: str = "test", secret: str = "test", token: str | None = None,
          service: str = "sts", headers: dict | None = None, when: datetime.datetime | None = None,
          method: str = "POST") -> requests.Response:
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": FORM, **(headers or {})})
    signer = SigV4Auth(Credentials(key, secret, token), service, "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        # A client whose clock is off: botocore's signer reads the time from this function.
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=10)


def _code(response: requests.Response) -> str:
    text = response.text
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else json.loads(text)["__type"]


IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15"


def test_raw_requests_signed_by_botocore_verify(server):
    url = server.endpoint_url + "/"
    assert _send(url, IDENTITY).status_code == 200
    # Query string with characters that need encoding, body empty, GET.
    fields = {"Action": "GetCallerIdentity", "Version": "2011-06-15", "X-Extra": "a b/c+d~é"}
    assert _send(f"{url}?{urlencode(fields, quote_via=quote)}", b"", method="GET").status_code == 200
    # botocore's signer signs a URL's query as it is spelt: a space written '+' (urlencode's default) is signed
    # '+', while AWS canonicalizes the space it reads as %20, so AWS refuses it (boto/botocore#1354).  Accepted before.
    # (docs/behaviour.md, "Through generic SigV4 signers (aws4, aws-requests-auth, boto 2, Ruby's aws-sigv4)")
    refused = _send(f"{url}?{urlencode(fields)}", b"", method="GET")
    assert (refused.status_code, _code(refused)) == (403, "SignatureDoesNotMatch")
    # Non-ASCII body (a tag value in UTF-8).
    body = urlencode({"Action": "CreateUser", "Version": "2010-05-08", "UserName": "utf",
                      "Tags.member.1.Key": "name", "Tags.member.1.Value": "Zoë 東京"})
    response = _send(url, body.encode("utf-8"), service="iam")
    assert response.status_code == 200, response.text
    tags = server.client("iam").list_user_tags(UserName="utf")["Tags"]
    assert tags == [{"Key": "name", "Value": "Zoë 東京"}]


def test_presigned_url_verifies(server):
    request = AWSRequest(method="GET", url=server.endpoint_url + "/?" + IDENTITY)
    SigV4QueryAuth(Credentials("test", "test"), "sts", "us-east-1", expires=60).add_auth(request)
    assert requests.get(request.url, timeout=10).status_code == 200
    tampered = request.url.replace("GetCallerIdentity", "GetSessionToken")
    response = requests.get(tampered, timeout=10)
    assert (response.status_code, _code(response)) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"secret": "wrong"}, 403, "SignatureDoesNotMatch"),
        ({"key": "AKIAUNKNOWN000000000"}, 403, "InvalidClientTokenId"),
        ({"minutes_off": -20}, 403, "SignatureDoesNotMatch"),
        ({"minutes_off": 20}, 403, "SignatureDoesNotMatch"),
    ],
)
def test_query_protocol_authentication_errors(server, kwargs, status, code):
    # The client's clock is off from the time the request is sent (not from when the test was collected: a long
    # run would bring a time 20 minutes ahead of collection within the 15 minutes AWS allows).
    if "minutes_off" in kwargs:
        kwargs = {"when": datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=kwargs["minutes_off"])}
    response = _send(server.endpoint_url + "/", IDENTITY, **kwargs)
    assert (response.status_code, _code(response)) == (status, code), response.text
    if "when" in kwargs:
        assert "Signature expired" in response.text or "Signature not yet current" in response.text


def test_missing_and_incomplete_signatures(server):
    url = server.endpoint_url + "/"
    response = requests.post(url, data=IDENTITY, headers={"Content-Type": FORM}, timeout=10)
    assert (response.status_code, _code(response)) == (403, "MissingAuthenticationToken")
    headers = {"Content-Type": FORM, "X-Amz-Date": "20240101T000000Z",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request"}
    response = requests.post(url, data=IDENTITY, headers=headers, timeout=10)
    assert (response.status_code, _code(response)) == (400, "IncompleteSignature")
    assert "Authorization header requires 'Signature' parameter." in response.text


def test_session_token_rules(server):
    key = user_with_key(server, "tok")
    creds = server.client_for(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    url = server.endpoint_url + "/"
    ok = _send(url, IDENTITY, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    assert ok.status_code == 200
    missing = _send(url, IDENTITY, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    assert (missing.status_code, _code(missing)) == (403, "InvalidClientTokenId")
    wrong = _send(url, IDENTITY, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token="bogus")
    assert _code(wrong) == "InvalidClientTokenId"
    server.store.clock.advance(901)
    expired = _send(url, IDENTITY, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                    token=creds["SessionToken"])
    assert (expired.status_code, _code(expired)) == (403, "ExpiredToken")
    assert "The security token included in the request is expired" in expired.text


def test_json_protocol_authentication_errors(server):
    url = server.endpoint_url + "/"
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AppRunner.ListServices"}
    response = _send(url, "{}", secret="wrong", service="apprunner", headers=headers)
    assert (response.status_code, _code(response)) == (400, "InvalidSignatureException")
    response = _send(url, "{}", key="AKIAUNKNOWN000000000", service="apprunner", headers=headers)
    assert _code(response) == "UnrecognizedClientException"
    response = requests.post(url, data="{}", headers=headers, timeout=10)
    assert _code(response) == "MissingAuthenticationTokenException"


def test_aws_cli(server, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_MAX_ATTEMPTS": "1"}
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)

    def cli(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([AWS_CLI_V1, "--endpoint-url", server.endpoint_url, "--output", "json", *args],
                              env={**env, **extra_env}, capture_output=True, text=True, timeout=60)

    created = cli("iam", "create-user", "--user-name", "cli-user", "--tags", "Key=k,Value=v é")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/cli-user"
    identity = cli("sts", "get-caller-identity")
    assert json.loads(identity.stdout)["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    denied = cli("iam", "list-users", AWS_SECRET_ACCESS_KEY="wrong")
    assert denied.returncode != 0 and "SignatureDoesNotMatch" in denied.stderr


# ------------------------------------------------------------------------------------------------ every error, boto3
def _auth_error(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


# (what is wrong, query protocol code, json protocol code, query status, json status)
AUTH_ERRORS = [
    ("wrong secret", "SignatureDoesNotMatch", "InvalidSignatureException", 403, 400),
    ("unknown key", "InvalidClientTokenId", "UnrecognizedClientException", 403, 400),
    ("inactive key", "InvalidClientTokenId", "UnrecognizedClientException", 403, 400),
    ("session without token", "InvalidClientTokenId", "UnrecognizedClientException", 403, 400),
    ("session with wrong token", "InvalidClientTokenId", "UnrecognizedClientException", 403, 400),
    ("expired session", "ExpiredToken", "ExpiredTokenException", 403, 400),
    ("unsigned", "MissingAuthenticationToken", "MissingAuthenticationTokenException", 403, 400),
]


@pytest.mark.parametrize(("wrong", "query_code", "json_code", "status", "json_status"), AUTH_ERRORS,
                         ids=[e[0] for e in AUTH_ERRORS])
def test_every_authentication_error_through_boto3(aws, wrong, query_code, json_code, status, json_status):
    """Both protocols (STS query, App Runner json), both modes; each failure forged the way a client makes it."""
    from botocore import UNSIGNED
    from botocore.config import Config

    key = user_with_key(aws, "victim", policies=("arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess",))
    creds = aws.client_for(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    if wrong == "inactive key":
        aws.client("iam").update_access_key(UserName="victim", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    if wrong == "expired session":
        aws.store.clock.advance(901)
    variants = {
        "wrong secret": {**key, "SecretAccessKey": "x" * 40},
        "unknown key": {"AccessKeyId": "AKIAUNKNOWNUNKNOWN00", "SecretAccessKey": "x" * 40},
        "inactive key": key,
        "session without token": {**creds, "SessionToken": None},
        "session with wrong token": {**creds, "SessionToken": "IQoJforged"},
        "expired session": creds,
    }
    unsigned = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})
    extra = {"config": unsigned} if wrong == "unsigned" else {}
    credentials = variants.get(wrong, key)
    sts = aws.client_for(credentials, "sts", **extra)
    apprunner = aws.client_for(credentials, "apprunner", **extra)
    assert _auth_error(sts.get_caller_identity)[:2] == (query_code, status)
    code, answered_status, message = _auth_error(apprunner.list_services)
    assert (code, answered_status) == (json_code, json_status)
    ecr = aws.client_for(credentials, "ecr", **extra)  # ECR, whose answers are the evidence for the json statuses
    assert _auth_error(ecr.describe_repositories)[:2] == (json_code, json_status)
    if wrong == "expired session":
        assert message == "The security token included in the request is expired"
    if wrong == "unknown key":
        assert message == "The security token included in the request is invalid."


def test_presigned_url_errors(server):
    url = server.endpoint_url + "/?" + IDENTITY
    request = AWSRequest(method="GET", url=url)
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    with mock.patch("botocore.auth.get_current_datetime", return_value=old.replace(tzinfo=None)):
        SigV4QueryAuth(Credentials("test", "test"), "sts", "us-east-1", expires=60).add_auth(request)
    response = requests.get(request.url, timeout=10)
    assert (response.status_code, _code(response)) == (400, "RequestExpired")
    assert "<Message>Request has expired.</Message>" in response.text
    fresh = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials("test", "test"), "sts", "us-east-1", expires=60).add_auth(fresh)
    incomplete = "&".join(part for part in fresh.url.split("&") if not part.startswith("X-Amz-Date="))
    response = requests.get(incomplete, timeout=10)
    assert (response.status_code, _code(response)) == (400, "IncompleteSignature")
    assert "AWS query-string parameters must include 'X-Amz-Date'." in response.text


def test_json_protocol_expired_token_and_missing_token_messages(server):
    key = user_with_key(server, "json-user")
    creds = server.client_for(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    server.store.clock.advance(901)
    url = server.endpoint_url + "/"
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AppRunner.ListServices"}
    response = _send(url, "{}", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                     token=creds["SessionToken"], service="apprunner", headers=headers)
    assert (response.status_code, _code(response)) == (400, "ExpiredTokenException")
    response = requests.post(url, data="{}", headers=headers, timeout=10)
    body = {key.lower(): value for key, value in json.loads(response.text).items()}
    assert (response.status_code, body) == (
        400, {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
