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
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

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
