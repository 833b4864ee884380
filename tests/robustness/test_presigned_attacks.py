"""Presigned URLs and payload signing under attack, over real HTTP: lifetimes out of range or not a plain number,
stale or future dates, parameters added after signing, an unsigned host, and streaming (aws-chunked) payloads,
which IAM, STS, App Runner and ECR do not take: each is the protocol's own refusal, never a 500 or a success."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.harness import Harness

CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15"
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"


def _presigned(harness: Harness, expires, query: str = CALLER_IDENTITY, signed_ago: float = 0) -> str:
    """A URL presigned by botocore, its clock ``signed_ago`` seconds behind (negative: ahead)."""
    host = harness.endpoint_url.removeprefix("http://")
    request = AWSRequest("GET", f"{harness.endpoint_url}/?{query}", headers={"Host": host})
    signed_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=signed_ago)
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        SigV4QueryAuth(Credentials("test", "test"), "sts", "us-east-1", expires=expires).add_auth(request)
    return request.url


def _error(response: requests.Response) -> tuple[int, str, str]:
    code = re.search(r"<Code>(.*?)</Code>", response.text)
    message = re.search(r"<Message>(.*?)</Message>", response.text)
    return response.status_code, code.group(1) if code else "", message.group(1) if message else ""


@pytest.mark.parametrize("expires, message", [
    ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
    ("-1", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
    ("6_0", "X-Amz-Expires should be a number"),
    ("+60", "X-Amz-Expires should be a number"),
    ("\u0666\u0660", "X-Amz-Expires should be a number"),
    ("1e3", "X-Amz-Expires should be a number"),
])
def test_a_signed_lifetime_beyond_a_week_or_not_a_plain_number_is_incomplete(server, expires, message):
    """Python's int() reads "6_0", "+60" and Arabic-Indic digits as 60; AWS's parser takes ASCII digits only."""
    response = requests.get(_presigned(server, expires), timeout=10)
    assert _error(response) == (400, "IncompleteSignature", message)


@pytest.mark.parametrize("expires", [0, 60, 900, 3600, 604800])
def test_a_url_is_honoured_for_15_minutes_whatever_its_lifetime_says(server, expires):
    """As STS does: aws-iam-authenticator's EKS tokens were signed with X-Amz-Expires=0 for years and worked;
    S3 alone honours X-Amz-Expires (docs/behaviour.md, "Presigned URLs live 15 minutes")."""
    assert requests.get(_presigned(server, expires, signed_ago=5), timeout=10).status_code == 200
    assert requests.get(_presigned(server, expires, signed_ago=14 * 60), timeout=10).status_code == 200
    assert _error(requests.get(_presigned(server, expires, signed_ago=16 * 60), timeout=10)) == (
        400, "RequestExpired", "Request has expired.")


@pytest.mark.parametrize("ahead", [3600, 86400 * 365 * 100])
def test_a_url_dated_in_the_future_is_not_yet_current(server, ahead):
    status, code, message = _error(requests.get(_presigned(server, 60, signed_ago=-ahead), timeout=10))
    assert (status, code) == (403, "SignatureDoesNotMatch") and message.startswith("Signature not yet current")


@pytest.mark.parametrize("extra", ["&Action=GetSessionToken", "&X-Amz-Signature=00",
                                   "&X-Amz-Credential=other%2F20240101%2Fus-east-1%2Fsts%2Faws4_request"])
def test_parameters_added_after_signing_are_refused(server, extra):
    """Before or after the signed ones: a second X-Amz-Signature was dropped from the canonical query with the
    real one, so a URL carrying any extra signature verified."""
    url = _presigned(server, 60)
    status, code, _ = _error(requests.get(url + extra, timeout=10))
    assert status == 403 and code in ("SignatureDoesNotMatch", "InvalidClientTokenId")
    prefixed = url.replace("?", "?" + extra.lstrip("&") + "&", 1)
    assert _error(requests.get(prefixed, timeout=10))[0] == 403


def test_a_url_whose_signed_headers_leave_out_host_is_refused(server):
    url = re.sub(r"X-Amz-SignedHeaders=[^&]*", "X-Amz-SignedHeaders=x-amz-date", _presigned(server, 60))
    assert _error(requests.get(url, timeout=10)) == (
        403, "SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


@pytest.mark.parametrize("payload_hash", ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                          "UNSIGNED-PAYLOAD"])
def test_streaming_and_unsigned_payloads_are_signature_mismatches(server, payload_hash):
    """S3's aws-chunked framing: the chunk signatures are never checked here because the body's own hash must be
    signed; the services served hash what they receive."""
    host = server.endpoint_url.removeprefix("http://")
    body = b"{}"
    framed = b"2;chunk-signature=" + b"0" * 64 + b"\r\n" + body + b"\r\n0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n"
    request = AWSRequest("POST", server.endpoint_url + "/", data=framed, headers={
        "Host": host, "X-Amz-Target": ECR_TARGET, "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Content-Sha256": payload_hash, "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(body))})
    SigV4Auth(Credentials("test", "test"), "ecr", "us-east-1").add_auth(request)
    response = requests.post(server.endpoint_url + "/", data=framed, headers=dict(request.headers), timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["__type"] == "InvalidSignatureException"
