"""A space sent as ``+`` in a query string is signed as the space it is read as (the gateway reads query parameters
with form decoding): the canonical query decodes ``+`` as a space and writes it ``%20``, as AWS does (S3 canonicalizes
the query it receives, so a URL with ``+`` for a space and a signature over ``%20`` is accepted: the AWS SDK for
Java v1 sends exactly that), so the signature covers the value the service acts on.  Found by Perl's SigV4 signers
(``tests/ways/test_perl_signers.py``), whose URI module writes spaces as ``+``; here on the wire alone, signed by
botocore's signer over one spelling and sent with another.  Each assertion failed before the fix but the one on a
literal ``%2B``, which held."""
from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from mockrunner.config import Settings
from tests.harness import Harness

MISMATCH = "<Code>SignatureDoesNotMatch</Code>"
READ = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})


@pytest.fixture
def server() -> Iterator[Harness]:
    harness = Harness("server", Settings(log_requests=False))
    try:
        yield harness
    finally:
        harness.close()


def _signed_get(endpoint: str, signed_query: str, sent_query: str) -> requests.Response:
    """A GET signed (botocore's signer, over ``signed_query`` as it is written) but sent with ``sent_query``."""
    request = AWSRequest(method="GET", url=f"{endpoint}/?{signed_query}")
    SigV4Auth(Credentials("test", "test"), "iam", "us-east-1").add_auth(request)
    return requests.get(f"{endpoint}/?{sent_query}", headers=dict(request.headers), timeout=30)


def test_a_space_sent_as_plus_in_a_query_string_is_signed_as_the_space_it_is_read_as(server):
    def query(description: str, plus: bool) -> str:
        fields = [("Action", "CreatePolicy"), ("Description", description), ("PolicyDocument", READ),
                  ("PolicyName", f"p{len(description)}"), ("Version", "2010-05-08")]
        return "&".join(f"{key}={quote(value, safe='-_.~')}" for key, value in fields).replace(
            "%20", "+" if plus else "%20")

    as_plus = _signed_get(server.endpoint_url, query("read only", False), query("read only", True))
    assert as_plus.status_code == 200, as_plus.text
    literal = _signed_get(server.endpoint_url, query("a+b c", False), query("a+b c", False))
    assert literal.status_code == 200, literal.text
    boto = server.client("iam")
    described = sorted(boto.get_policy(PolicyArn=policy["Arn"])["Policy"]["Description"]
                       for policy in boto.list_policies(Scope="Local")["Policies"])
    assert described == ["a+b c", "read only"]
    # A '+' signed as a literal plus (%2B) where it was sent raw is read as a space: that signature fails.
    raw = _signed_get(server.endpoint_url, query("x+y", False), query("x+y", False).replace("%2B", "+"))
    assert raw.status_code == 403 and MISMATCH in raw.text


def test_the_query_is_signed_as_aws_canonicalizes_it_whatever_its_spelling(server):
    """Lower-case hex, an encoded ``~``, a raw ``/`` and another order are spellings of one query: a signature over
    AWS's canonical form (upper-case hex, ``~`` bare, sorted) verifies for each, and one over the spelling itself
    does not (AWS computes the canonical query only: boto/botocore#1354).  The refusals were accepted before
    (docs/behaviour.md, "Through generic SigV4 signers (aws4, aws-requests-auth, boto 2, Ruby's aws-sigv4)")."""
    boto = server.client("iam")
    boto.create_user(UserName="tilde", Path="/a~b/")
    canonical = "Action=ListUsers&PathPrefix=%2Fa~b%2F&Version=2010-05-08"
    for spelling in ("Action=ListUsers&PathPrefix=%2fa%7eb%2f&Version=2010-05-08",
                     "Version=2010-05-08&PathPrefix=/a~b/&Action=ListUsers"):
        verified = _signed_get(server.endpoint_url, canonical, spelling)
        assert verified.status_code == 200 and "<UserName>tilde</UserName>" in verified.text, spelling
        refused = _signed_get(server.endpoint_url, spelling, spelling)
        assert refused.status_code == 403 and MISMATCH in refused.text, spelling
