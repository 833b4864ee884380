"""SigV4 binds what AWS binds: the body received, the host, one signature per request.

Each request is signed by botocore's own signers (``SigV4Auth``, ``SigV4QueryAuth``) and then tampered with the
way an attacker holding a captured request, or a careless client, would: a swapped body with the original body's
hash in ``X-Amz-Content-Sha256``, ``UNSIGNED-PAYLOAD``, ``host`` left out of ``SignedHeaders``, a header signature
and a presigned query in one request.  Boto3 clients are tampered between signing and sending (a
``request-created`` handler that runs after botocore's signer); raw requests go through ``deliver`` — over real
HTTP in ``server`` mode, through the in-process WSGI path in ``inprocess`` mode.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner.testing.inprocess import call_app
from tests.iam.helpers import aws_error

ROOT = Credentials("test", "test")
FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON_1_0 = "application/x-amz-json-1.0"
JSON_1_1 = "application/x-amz-json-1.1"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
ONE_MECHANISM = ("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                 "string parameter or the Authorization header should be specified")
CREATE_GOOD = {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "good"}
# (service, content type, X-Amz-Target, body, refused with) — one query and one json service each.
LIST_CALLS = [
    ("iam", FORM, None, "Action=ListUsers&Version=2010-05-08", (403, "SignatureDoesNotMatch")),
    ("apprunner", JSON_1_0, "AppRunner.ListServices", "{}", (400, "InvalidSignatureException")),
]

on_both_protocols = pytest.mark.parametrize(("service", "content_type", "target", "body", "refusal"), LIST_CALLS,
                                            ids=[c[0] for c in LIST_CALLS])


class UnsignedPayloadAuth(SigV4Auth):
    """Signs the way S3 clients do when they skip the body: ``UNSIGNED-PAYLOAD``, the header itself signed."""

    def _modify_request_before_signing(self, request: AWSRequest) -> None:
        super()._modify_request_before_signing(request)
        request.headers["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD"

    def payload(self, request: AWSRequest) -> str:
        return "UNSIGNED-PAYLOAD"


class HostlessAuth(SigV4Auth):
    """A hand-rolled signer that forgets ``host`` (botocore's would add it)."""

    def headers_to_sign(self, request: AWSRequest):
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


class HostlessQueryAuth(SigV4QueryAuth):
    def headers_to_sign(self, request: AWSRequest):
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


def after_signing(client: Any, tamper: Callable[[AWSRequest], None]) -> Any:
    """Run ``tamper`` on each request of ``client`` once botocore has signed it, before it is sent."""
    client.meta.events.register_last("request-created", lambda request, **_: tamper(request))
    return client


def deliver(aws: Any, request: AWSRequest) -> tuple[int, str, str]:
    """Send a signed ``AWSRequest`` as it stands; ``(status, error code, message)`` of the answer."""
    prepared = request.prepare()
    if aws.server is not None:
        answer = requests.request(prepared.method, prepared.url, data=prepared.body, headers=dict(prepared.headers),
                                  timeout=10)
        status, body = answer.status_code, answer.content
    else:
        answer = call_app(aws.app, prepared)
        status, body = answer.status_code, answer.content
    text = body.decode("utf-8")
    if text.startswith("{"):
        document = json.loads(text)
        return status, document.get("__type", ""), document.get("message") or document.get("Message", "")
    if "<Code>" not in text:
        return status, "", ""
    code = text.split("<Code>", 1)[1].split("</Code>", 1)[0]
    message = text.split("<Message>", 1)[1].split("</Message>", 1)[0] if "<Message>" in text else ""
    return status, code, message.replace("&apos;", "'")


def request_for(aws: Any, content_type: str, target: str | None, body: str | dict, method: str = "POST",
                query: str = "", extra: dict[str, str] | None = None) -> AWSRequest:
    """A request to the harness; a ``dict`` body is a form, as botocore's query serializer hands it over."""
    headers = {"Content-Type": content_type, **({"X-Amz-Target": target} if target else {}), **(extra or {})}
    url = aws.endpoint_url + "/" + (f"?{query}" if query else "")
    return AWSRequest(method=method, url=url, data=body, headers=headers)


def signed(aws: Any, signer: SigV4Auth, content_type: str, target: str | None, body: str | dict,
           **kwargs: Any) -> AWSRequest:
    """``request_for(...)`` signed by ``signer``."""
    request = request_for(aws, content_type, target, body, **kwargs)
    signer.add_auth(request)
    return request


def _refused(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return aws_error(excinfo)


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# ------------------------------------------------------------------------------------------------ the body received
def swapped_body(replace: Callable[[bytes], bytes]) -> Callable[[AWSRequest], None]:
    """A tamper: send ``replace(signed body)`` instead, claiming the signed body's hash in X-Amz-Content-Sha256."""

    def swap(request: AWSRequest) -> None:
        request.headers["X-Amz-Content-Sha256"] = _sha256(request.body)
        request.data = replace(request.body)

    return swap


def test_a_captured_signature_does_not_carry_another_body_query_protocol(aws):
    """ListUsers signed, CreateUser sent with the ListUsers body's hash claimed: refused, and no user appears."""
    evil = urlencode({"Action": "CreateUser", "Version": "2010-05-08", "UserName": "evil"}).encode()
    iam = after_signing(aws.client("iam"), swapped_body(lambda _: evil))
    assert _refused(iam.list_users) == ("SignatureDoesNotMatch", MISMATCH, 403)
    assert aws.client("iam").list_users()["Users"] == []


def test_a_captured_signature_does_not_carry_another_body_json_protocol(aws):
    """ECR CreateRepository signed for one name, sent with another (and the signed body's hash): refused."""
    ecr = after_signing(aws.client("ecr"), swapped_body(lambda body: body.replace(b'"good"', b'"evil"')))
    assert _refused(lambda: ecr.create_repository(repositoryName="good")) == (
        "InvalidSignatureException", MISMATCH, 400)
    assert aws.client("ecr").describe_repositories()["repositories"] == []


@on_both_protocols
def test_a_content_hash_header_must_match_the_body(aws, service, content_type, target, body, refusal):
    """Signed over the body received, the request passes; a header claiming any other hash does not."""
    good = signed(aws, SigV4Auth(ROOT, service, "us-east-1"), content_type, target, body)
    assert deliver(aws, good)[0] == 200
    good.headers["X-Amz-Content-Sha256"] = _sha256(body.encode())
    assert deliver(aws, good)[0] == 200
    for claimed in (_sha256(b"other"), _sha256(body.encode()).upper(), "UNSIGNED-PAYLOAD"):
        good.headers["X-Amz-Content-Sha256"] = claimed
        assert deliver(aws, good) == (*refusal, MISMATCH)


@on_both_protocols
def test_unsigned_payload_is_refused(aws, service, content_type, target, body, refusal):
    """``UNSIGNED-PAYLOAD`` is S3's: a request signed that way is a signature mismatch here."""
    request = signed(aws, UnsignedPayloadAuth(ROOT, service, "us-east-1"), content_type, target, body)
    assert "x-amz-content-sha256" in request.headers["Authorization"]
    assert deliver(aws, request) == (*refusal, MISMATCH)


# ------------------------------------------------------------------------------------------------- presigned POST
def test_a_presigned_post_whose_body_was_swapped_is_refused(aws):
    """A presigned CreateUser URL signs an empty body; the same URL with a body (which would override the
    URL's UserName) is refused, with or without a header claiming the empty body's hash."""
    iam = aws.client("iam")
    request = signed(aws, SigV4QueryAuth(ROOT, "iam", "us-east-1", expires=300), FORM, None, CREATE_GOOD)
    assert request.data == "" and "UserName=good" in request.url
    swapped = AWSRequest(method="POST", url=request.url, data=b"UserName=evil", headers={"Content-Type": FORM})
    assert deliver(aws, swapped) == (403, "SignatureDoesNotMatch", MISMATCH)
    swapped.headers["X-Amz-Content-Sha256"] = _sha256(b"")
    assert deliver(aws, swapped) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert iam.list_users()["Users"] == []
    assert deliver(aws, request)[0] == 200
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["good"]


def test_a_presigned_url_signed_with_unsigned_payload_is_refused(aws):
    """A presigned URL whose signature covers ``UNSIGNED-PAYLOAD`` (S3's presigning) would accept any body."""

    class UnsignedQueryAuth(SigV4QueryAuth):
        def payload(self, request: AWSRequest) -> str:
            return "UNSIGNED-PAYLOAD"

    request = signed(aws, UnsignedQueryAuth(ROOT, "iam", "us-east-1", expires=300), FORM, None, CREATE_GOOD)
    swapped = AWSRequest(method="POST", url=request.url, data=b"UserName=evil", headers={"Content-Type": FORM})
    assert deliver(aws, swapped) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert deliver(aws, request) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert aws.client("iam").list_users()["Users"] == []


# ------------------------------------------------------------------------------------------------------ host signed
@on_both_protocols
def test_host_must_be_a_signed_header(aws, service, content_type, target, body, refusal):
    request = signed(aws, HostlessAuth(ROOT, service, "us-east-1"), content_type, target, body)
    assert "host" not in request.headers["Authorization"].split("SignedHeaders=", 1)[1].split(",", 1)[0]
    assert deliver(aws, request) == (*refusal, HOST_NOT_SIGNED)
    # One more header, so that SignedHeaders is not empty without host (that would be IncompleteSignature).
    query = "Action=ListUsers&Version=2010-05-08" if target is None else ""
    presigned = signed(aws, HostlessQueryAuth(ROOT, service, "us-east-1", expires=300), content_type, target, "",
                       method="GET", query=query, extra={"X-Client": "mockrunner-tests"})
    assert "X-Amz-SignedHeaders=host" not in presigned.url
    assert deliver(aws, presigned) == (*refusal, HOST_NOT_SIGNED)


@pytest.mark.parametrize(("signer", "message"), [(UnsignedPayloadAuth, MISMATCH), (HostlessAuth, HOST_NOT_SIGNED)],
                         ids=["unsigned payload", "host not signed"])
def test_boto3_calls_signed_that_way_create_nothing(aws, signer, message):
    """The signature botocore made is replaced by one from ``signer``, as a hand-rolled client would sign."""

    def resign(request: AWSRequest) -> None:
        del request.headers["Authorization"]
        signer(ROOT, "iam", "us-east-1").add_auth(request)

    iam = after_signing(aws.client("iam"), resign)
    assert _refused(lambda: iam.create_user(UserName="resigned")) == ("SignatureDoesNotMatch", message, 403)
    assert aws.client("iam").list_users()["Users"] == []


# ------------------------------------------------------------------------------------------- one signature, one way
@pytest.mark.parametrize(("service", "code"), [("iam", "IncompleteSignature"),
                                               ("apprunner", "IncompleteSignatureException")])
def test_header_and_query_signatures_together_are_refused(aws, service, code):
    """Valid both ways, the request is still refused: 400 naming the problem, not a signature mismatch."""

    def presign_too(request: AWSRequest) -> None:
        copy = AWSRequest(method=request.method, url=request.url, data=b"", headers={
            name: value for name, value in request.headers.items() if name.lower() != "authorization"})
        SigV4QueryAuth(ROOT, service, "us-east-1", expires=300).add_auth(copy)
        request.url = copy.url

    client = after_signing(aws.client(service), presign_too)
    call = client.list_users if service == "iam" else client.list_services
    assert _refused(call) == (code, ONE_MECHANISM, 400)


def test_a_split_authorization_header_is_reused_for_that_very_header_only() -> None:
    """The gateway splits a request's Authorization header once and hands the split on (``ctx.authorization``);
    ``scope`` and ``parse`` given a split of another header (a context whose headers changed since) read the header
    the request carries, not the split: the service, region and signature verified are always the request's own."""
    from mockrunner.auth import sigv4

    def signed_headers(region: str, service: str) -> dict[str, str]:
        request = AWSRequest(method="POST", url="http://127.0.0.1:9/", data="Action=ListUsers",
                             headers={"Content-Type": FORM})
        SigV4Auth(ROOT, service, region).add_auth(request)
        return {name.lower(): value for name, value in request.headers.items()} | {"host": "127.0.0.1:9"}

    first, second = signed_headers("us-east-1", "iam"), signed_headers("eu-west-1", "sts")
    split = sigv4.split_header(first)
    assert split is not None and split[0] is first["authorization"] and split[1] == sigv4.ALGORITHM
    assert sigv4.split_header(first, split) is split
    assert sigv4.scope(first, {}, split) == ("iam", "us-east-1")
    assert sigv4.scope(second, {}, split) == ("sts", "eu-west-1")
    assert sigv4.split_header(dict(second), split)[2]["Credential"].endswith("/eu-west-1/sts/aws4_request")
    parsed = sigv4.parse(second, {}, split)
    assert (parsed.region, parsed.service, parsed.signature) == ("eu-west-1", "sts", second["authorization"][-64:])
    assert sigv4.split_header({}, split) is None and sigv4.scope({}, {}, split) == (None, None)
