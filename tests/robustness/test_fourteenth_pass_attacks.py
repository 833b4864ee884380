"""An attacker's fourteenth pass: SigV4 corner cases, authorization checked against the resource acted on,
cross-account and cross-Region identifiers, concurrency and error paths.  Real clients throughout: boto3 in both
modes (``aws``), ``requests`` and raw signed requests against a real server (``server``).

Findings (each has a test here that failed before its fix):

* The credential scope was read twice, differently: the gateway routed by the first ``Credential=`` it found
  anywhere in the Authorization header (a regular expression; ``XCredential=`` matched too), the verifier used the
  header's last ``Credential`` field.  A request signed for App Runner in us-east-1, with a second scope naming
  ECR in eu-west-1 put in front, was verified as App Runner's and run as ECR's in eu-west-1: a signing key
  derived for one service and Region (the point of the scope) acted on another.  Both now read the one field
  the verifier reads (``mockrunner.auth.sigv4.scope``).
* A registry manifest PUT was authorized on the repository, then its body was read outside the store lock (the
  registry's bodies stream), then the image was stored into whatever repository had that name by then.  A user
  allowed to push only to repositories tagged ``env=dev`` started a push to ``app``, an administrator replaced
  ``app`` with a repository tagged ``env=prod`` (same base layers pushed), and the user's image landed in it: a
  state no sequential order gives (pushed first, it goes with the old repository; pushed after, it is denied).
  The image is now stored only into the repository the push was authorized on; a namesake is NAME_UNKNOWN.
* A ``Date`` header (read when there is no ``X-Amz-Date``) of year 9999 west of UTC, or of a year no C long holds,
  was a 500 InternalFailure with a traceback in the log, before any credential was looked up: anyone could make
  every service answer 500.  It is now unreadable like any other bad date, ``IncompleteSignature`` (400).

Probed and held (not pinned here beyond the tests above; each answer is one an existing test asserts, or was
checked by hand):

* SigV4a (``AWS4-ECDSA-P256-SHA256``), a lower-case or tab-separated algorithm: ``IncompleteSignature`` "Unsupported
  AWS 'algorithm'"; ``HOST`` (upper case) in ``SignedHeaders`` is a mismatch; a scope naming another served service
  routes to that service (an ECR target signed for App Runner: ``UnknownOperationException``), an unserved one is
  "Credential should be scoped to correct service", a non-ASCII or empty Region "...to a valid region".
* 20,000 random mutations of the Authorization, date, token, payload-hash and host headers and of presigned query
  parameters, in-process against STS, IAM, ECR, App Runner and presigned STS: no 5xx after the fix above.
* The registry with a session of a deleted role (a role recreated under its name gives it nothing: 403
  ``DENIED``) and with an expired session's token ("Your authorization token has expired", 403).
* App Runner: every operation's check names the resource its handler acts on (``on_target`` and the handlers
  resolve ARNs with the same ``find``/``resolve_revision``, in one hold of the store lock); a partial
  configuration ARN on TagResource is authorized on the revision it resolves to but acts on nothing (the handler
  takes exact ARNs only); creates with tags also check ``apprunner:TagResource``.
* IAM renames (UpdateUser, UpdateGroup, UpdateServerCertificate with a new name or path) check both ARNs.
* Caches keyed by request input (signing keys, canonical paths, ``X-Amz-Date`` parsing) are bounded; the admin
  API's mutations run under the store lock.
"""
from __future__ import annotations

import base64
import json
import socket
import time

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from mockrunner.testing.oci import OCI_MANIFEST, build_image
from tests.registry.images import Registry, login_password

ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."


def _signed_post(harness, service: str, region: str, headers: dict, body: bytes) -> dict:
    """Headers of a POST to the server signed by the root key for ``service`` in ``region``."""
    request = AWSRequest("POST", harness.endpoint_url + "/", headers=headers, data=body)
    SigV4Auth(Credentials("test", "test"), service, region).add_auth(request)
    return dict(request.prepare().headers)


# ------------------------------------------------------------------------------------------------ SigV4 scope
@pytest.mark.parametrize("field", ["XCredential", "Credential"])
def test_a_request_runs_only_for_the_service_and_region_its_signature_is_verified_for(server, field):
    """A second scope in front of the signed one (a field the verifier ignores, or a repeated ``Credential``
    whose last value the verifier reads) no longer routes the request to another service and Region."""
    server.client("ecr", region="eu-west-1").create_repository(repositoryName="eu-only")
    body = b"{}"
    headers = _signed_post(server, "apprunner", "us-east-1", {
        "X-Amz-Target": ECR_TARGET + "DescribeRepositories", "Content-Type": "application/x-amz-json-1.1"}, body)
    key, date = headers["Authorization"].split("Credential=")[1].split("/")[:2]
    headers["Authorization"] = headers["Authorization"].replace(
        "AWS4-HMAC-SHA256 ", f"AWS4-HMAC-SHA256 {field}={key}/{date}/eu-west-1/ecr/aws4_request, ", 1)
    response = requests.post(server.endpoint_url + "/", data=body, headers=headers, timeout=10)
    assert "eu-only" not in response.text
    assert response.status_code == 400, response.text
    assert json.loads(response.text)["__type"] == "UnknownOperationException"  # App Runner has no such target


@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 -2359", "Fri, 31 Dec 99999999999999999999 23:59:59 GMT"])
@pytest.mark.parametrize("service, target", [("sts", None), ("ecr", ECR_TARGET + "DescribeRepositories")])
def test_a_date_header_no_datetime_holds_is_an_incomplete_signature_not_a_500(server, date, service, target):
    body = b"Action=GetCallerIdentity&Version=2011-06-15" if target is None else b"{}"
    extra = {"Content-Type": "application/x-www-form-urlencoded"} if target is None else {
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
    headers = _signed_post(server, service, "us-east-1", extra, body)
    del headers["X-Amz-Date"]
    headers["Date"] = date
    response = requests.post(server.endpoint_url + "/", data=body, headers=headers, timeout=10)
    assert response.status_code == 400, response.text
    assert "IncompleteSignature" in response.text
    assert "requires existence of either a 'X-Amz-Date' or a 'Date' header" in response.text


# ------------------------------------------------------------------------------------------------ registry race
def test_a_manifest_push_lands_only_in_the_repository_it_was_authorized_on(server):
    ecr, iam = server.client("ecr"), server.client("iam")
    ecr.create_repository(repositoryName="app", tags=[{"Key": "env", "Value": "dev"}])
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="dev-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*",
             "Condition": {"StringEquals": {"ecr:ResourceTag/env": "dev"}}},
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}))
    password = login_password(server.client_for(iam.create_access_key(UserName="dev")["AccessKey"], "ecr"))
    image = build_image("raced")
    for data in (image.layer, image.config):
        assert Registry(server.endpoint_url, password).push_blob("app", data).status_code == 201

    host, port = server.endpoint_url.removeprefix("http://").split(":")
    basic = base64.b64encode(f"AWS:{password}".encode()).decode()
    with socket.create_connection((host, int(port)), timeout=10) as pushing:
        pushing.sendall((f"PUT /v2/app/manifests/latest HTTP/1.1\r\nHost: {host}:{port}\r\n"
                         f"Authorization: Basic {basic}\r\nContent-Type: {OCI_MANIFEST}\r\n"
                         f"Content-Length: {len(image.manifest)}\r\n\r\n").encode() + image.manifest[:10])
        time.sleep(0.3)  # authorized on the dev repository; now it is replaced by a prod one with the same layers
        ecr.delete_repository(repositoryName="app", force=True)
        ecr.create_repository(repositoryName="app", tags=[{"Key": "env", "Value": "prod"}])
        root = Registry(server.endpoint_url, login_password(ecr))
        for data in (image.layer, image.config):
            assert root.push_blob("app", data).status_code == 201
        pushing.sendall(image.manifest[10:])
        answer = b""
        for _ in range(20):  # the head, then the body (a status line alone may come first)
            answer += pushing.recv(4096)
            if answer.endswith(b"}]}"):
                break
    assert answer.startswith(b"HTTP/1.1 404"), answer
    assert b'"code": "NAME_UNKNOWN"' in answer
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
    assert Registry(server.endpoint_url, password).put_manifest("app", "latest", image.manifest).status_code == 403
