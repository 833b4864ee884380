"""Signature Version 2 on IAM and STS: AWS's General Reference lists IAM among the services that take SigV2 query
requests (and boto 2 signed STS with it until 2014); mockrunner answered every such request
MissingAuthenticationToken, as if it were unsigned.  Hand-signed requests here, in both modes (botocore's own
``signature_version='v2'`` signer fails on its bytes bodies before sending); boto 2's ``sign-v2`` handler, which
signs the host without its port, runs in ``tests/ways/test_generic_signers.py``.  Every request expected to
succeed failed before SigV2 was verified; the refusals held (as MissingAuthenticationToken), but their codes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import requests

from tests.harness import Harness
from tests.ways.sdk_principals import allow, user

ACCOUNT = "123456789012"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
EXPIRED = (400, "RequestExpired", "Request has expired.")


@pytest.fixture
def harness(aws: Harness) -> Harness:
    """The shared harness (both modes) under this file's name for it."""
    return aws


class Wire:
    """Form POSTs to ``harness``: over HTTP to its server, or through the app's WSGI test client in-process."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.host = harness.endpoint_url.partition("://")[2] if harness.server else "localhost"

    def signed(self, fields: dict[str, str], secret: str = "test", digest=hashlib.sha256,
               host: str | None = None) -> dict[str, str]:
        """``fields`` with the SigV2 ``Signature`` of a POST to ``/`` on ``host`` (the Host sent, by default)."""
        query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(fields.items()))
        text = f"POST\n{host or self.host}\n/\n{query}"
        signature = base64.b64encode(hmac.new(secret.encode(), text.encode(), digest).digest()).decode()
        return {**fields, "Signature": signature}

    def post(self, fields: dict[str, str]) -> tuple[int, str, str]:
        """Status, then the error's code and message (``""`` for a success) or the answer's ``Arn``."""
        if self.harness.server:
            response = requests.post(self.harness.endpoint_url + "/", data=fields, timeout=30)
            status, body = response.status_code, response.text
        else:
            answer = self.harness.app.test_client().post("/", data=fields)
            status, body = answer.status_code, answer.get_data(as_text=True)
        texts = {element.tag.rpartition("}")[2]: element.text or "" for element in ElementTree.fromstring(body).iter()}
        if status == 200:
            return status, "", texts.get("Arn", "")
        return status, texts["Code"], texts["Message"]


def fields(action: str = "GetCallerIdentity", version: str = "2011-06-15", **extra: str) -> dict[str, str]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"Action": action, "Version": version, "AWSAccessKeyId": "test", "SignatureVersion": "2",
            "SignatureMethod": "HmacSHA256", "Timestamp": now, **extra}


def expiring(minutes: float) -> dict[str, str]:
    found = fields(Expires=(datetime.now(UTC) + timedelta(minutes=minutes)).isoformat())
    del found["Timestamp"]
    return found


def test_iam_and_sts_verify_signature_version_2(harness):
    wire = Wire(harness)
    root = f"arn:aws:iam::{ACCOUNT}:root"
    tag = "a b+c/d=é"
    created = wire.post(wire.signed(fields("CreateUser", "2010-05-08", UserName="v2+user@x=y,z", Path="/v2/",
                                           **{"Tags.member.1.Key": "team", "Tags.member.1.Value": tag})))
    assert created == (200, "", f"arn:aws:iam::{ACCOUNT}:user/v2/v2+user@x=y,z")
    assert harness.client("iam").list_user_tags(UserName="v2+user@x=y,z")["Tags"] == [{"Key": "team", "Value": tag}]
    assert wire.post(wire.signed(fields())) == (200, "", root)
    assert wire.post(wire.signed(fields(SignatureMethod="HmacSHA1"), digest=hashlib.sha1)) == (200, "", root)
    assert wire.post(wire.signed(expiring(5))) == (200, "", root)
    # A session's token is one of the signed parameters.
    iam = harness.client("iam")
    role = iam.create_role(RoleName="v2-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": root},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    alice = user(harness, "alice", allow("sts:AssumeRole"))
    sts = harness.client("sts", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"])
    keys = sts.assume_role(RoleArn=role, RoleSessionName="v2")["Credentials"]
    session = {"AWSAccessKeyId": keys["AccessKeyId"], "SecurityToken": keys["SessionToken"]}
    as_role = wire.post(wire.signed(fields(**session), secret=keys["SecretAccessKey"]))
    assert as_role == (200, "", f"arn:aws:sts::{ACCOUNT}:assumed-role/v2-role/v2")
    denied = wire.post(wire.signed(fields("ListUsers", "2010-05-08", **session), secret=keys["SecretAccessKey"]))
    assert denied[:2] == (403, "AccessDenied")


def test_signature_version_2_refusals(harness):
    wire = Wire(harness)
    tampered = wire.signed(fields())
    tampered["Action"] = "GetSessionToken"
    assert wire.post(tampered) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert wire.post(wire.signed(fields(), secret="nope")) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert wire.post(wire.signed(fields(), host="sts.amazonaws.com")) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert wire.post(wire.signed(fields(AWSAccessKeyId="AKIAIOSFODNN7EXAMPLE"))) == (
        403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    stale = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert wire.post(wire.signed(fields(Timestamp=stale))) == EXPIRED
    assert wire.post(wire.signed(expiring(-1))) == EXPIRED
    assert wire.post(wire.signed(expiring(60 * 48)))[:2] == (400, "IncompleteSignature")
    # Dates an offset takes out of years 1-9999, a week date, non-ASCII digits: refused, never a 500.
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-W49-3", "٢٠٢٦-12-02T07:00:00Z"):
        assert wire.post(wire.signed(fields(Timestamp=moment)))[:2] == (400, "IncompleteSignature"), moment
    unsigned = fields()  # no Signature at all
    for bad in (fields(SignatureVersion="1"), fields(SignatureMethod="HmacMD5"), fields(Timestamp="yesterday"),
                {key: value for key, value in fields().items() if key != "Timestamp"}, unsigned):
        # (compared by identity: a fields() made a second later differs, and was signed, accepted, in one run)
        signed = bad if bad is unsigned else wire.signed(bad)
        assert wire.post(signed)[:2] == (400, "IncompleteSignature"), bad
    assert wire.post({"Action": "GetCallerIdentity", "Version": "2011-06-15"})[:2] == (
        403, "MissingAuthenticationToken")


def test_a_signed_get_replayed_with_a_body_is_refused(harness):
    """SigV2 signs the parameters, not a body hash: the form body's parameters (which the query codec reads
    whatever the method) are among the signed ones, so a body added to a captured GET fails the signature."""
    wire = Wire(harness)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    get = {"Action": "ListUsers", "Version": "2010-05-08", "AWSAccessKeyId": "test", "SignatureVersion": "2",
           "SignatureMethod": "HmacSHA256", "Timestamp": now}
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(get.items()))
    text = f"GET\n{wire.host}\n/\n{query}"
    signature = base64.b64encode(hmac.new(b"test", text.encode(), hashlib.sha256).digest()).decode()
    url = f"/?{query}&Signature={quote(signature, safe='')}"

    def send(body: bytes) -> int:
        if harness.server:
            return requests.request("GET", harness.endpoint_url + url, data=body, timeout=30,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
        return harness.app.test_client().open(url, method="GET", data=body,
                                              content_type="application/x-www-form-urlencoded").status_code

    assert send(b"") == 200
    assert send(b"PathPrefix=%2Fx%2F") == 403
    assert send(b"\xff=1") == 400  # not UTF-8 form encoding: MalformedQueryString, as the codec answers

