"""A request sent to a percent-encoded path is signed over that path URI-encoded once more, as every SigV4 signer
but S3's signs it (AWS: "each path segment must be URI-encoded twice"; botocore ``quote``s the URL's own path,
the ``aws4`` Node module and Ruby's aws-sigv4 encode each segment again): ``/a%20b/`` is signed ``/a%2520b/``.
The canonical URI was built from the decoded path encoded once, so every such request was SignatureDoesNotMatch.
Found by the generic signers (``tests/ways/test_generic_signers.py``); here botocore's own client and signer, in
both modes.  Every path with a percent sign failed before the fix (`~` and dot segments held)."""
from __future__ import annotations

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from mockrunner.config import Settings
from tests.harness import Harness

PATHS = ("/a%20b/", "/%C3%A9t%C3%A9/x", "/a%2Fb/", "/~user/", "/x/./y/../")
MISMATCH = "<Code>SignatureDoesNotMatch</Code>"


@pytest.fixture
def harness(aws: Harness) -> Harness:
    """The shared harness (both modes) under this file's name for it."""
    return aws


def _client_at(harness: Harness, path: str):
    """botocore's IAM client whose endpoint has ``path`` (it sends every request there, signed over it)."""
    client = boto3.session.Session().client(
        "iam", region_name="us-east-1", endpoint_url=harness.endpoint_url + path, aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))
    if harness.server is None:
        harness._handler.attach(client)
    return client


@pytest.mark.parametrize("path", PATHS)
def test_a_client_at_a_percent_encoded_path_is_verified(harness, path):
    client = _client_at(harness, path)
    client.create_user(UserName="path-user")
    assert [found["UserName"] for found in client.list_users()["Users"]] == ["path-user"]


def test_the_path_is_signed_as_sent_not_as_decoded():
    harness = Harness("server", Settings(log_requests=False))
    try:
        def signed(signed_path: str, sent_path: str) -> requests.Response:
            query = "?Action=ListUsers&Version=2010-05-08"
            request = AWSRequest(method="GET", url=f"{harness.endpoint_url}{signed_path}{query}")
            SigV4Auth(Credentials("test", "test"), "iam", "us-east-1").add_auth(request)
            return requests.get(f"{harness.endpoint_url}{sent_path}{query}", headers=dict(request.headers),
                                timeout=30)

        assert signed("/a%20b/", "/a%20b/").status_code == 200
        # The same decoded path spelt otherwise on the wire is another canonical URI, as AWS computes it.
        other = signed("/a%20b/", "/a%2520b/")
        assert other.status_code == 403 and MISMATCH in other.text
    finally:
        harness.close()
