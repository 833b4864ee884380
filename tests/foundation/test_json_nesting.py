"""JSON nested too deeply is refused before the decoder recurses (mockrunner/json_nesting.py), at the same bound
for every reader of untrusted JSON: request bodies, manifests, policies, state files."""
from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from mockrunner import json_nesting
from mockrunner.iam_engine import strict_json

LIMIT = json_nesting.MAX_DEPTH


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _manifest(depth: int) -> str:
    """An OCI image manifest (its config never uploaded) with one more member nested ``depth`` deep in it."""
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "4" * 64}
    head = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": config, "layers": []})
    return head[:-1] + ', "x": ' + _nested(depth) + "}"


@pytest.mark.parametrize("text, deep", [
    (_nested(LIMIT), False),
    (_nested(LIMIT + 1), True),
    ('{"a": ' + _nested(LIMIT - 1) + "}", False),
    ('{"a": ' + _nested(LIMIT) + "}", True),
    # brackets inside strings are text, however many (escaped quotes included)
    (json.dumps(["[" * 5000, '\\"[[[' * 1000, "{" * 5000]), False),
    # many brackets, none deep: the scan runs and finds the depth 2
    (json.dumps([[i] for i in range(5000)]), False),
])
def test_too_deep_counts_only_nesting_outside_strings(text, deep) -> None:
    assert json_nesting.too_deep(text) is deep
    assert json_nesting.too_deep(text.encode()) is deep


def test_a_document_at_the_bound_reads_and_one_past_it_is_refused_before_decoding() -> None:
    assert json_nesting.loads(_nested(LIMIT)) == json.loads(_nested(LIMIT))
    with pytest.raises(json_nesting.NestedTooDeeply):
        json_nesting.loads(_nested(LIMIT + 1))
    with pytest.raises(strict_json.NotJson, match="nested too deeply"):
        strict_json.loads(_nested(LIMIT + 1))


def test_every_reader_refuses_a_document_one_level_past_the_bound(aws) -> None:
    """A manifest and a policy document nested one level past the bound get the refusal each gives any JSON it
    cannot read; the manifest one level less deep is read as JSON (refused for what it lacks, not its syntax)."""
    ecr, iam = aws.client("ecr"), aws.client("iam")
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageManifest=_manifest(LIMIT),
                      imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "Invalid JSON syntax" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as refused:
        iam.create_policy(PolicyName="deep", PolicyDocument='{"Version": "2012-10-17", "Statement": '
                                                            + _nested(LIMIT) + "}")
    assert refused.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageManifest=_manifest(LIMIT - 1),
                      imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
    assert refused.value.response["Error"]["Code"] == "LayersNotFoundException"


def test_an_app_runner_next_token_nested_too_deeply_is_an_invalid_token(aws) -> None:
    """A ``NextToken`` is base64 of JSON the client hands back: one nested past the decoder's depth was a 500
    (InternalServiceErrorException, the decoder's RecursionError uncaught); it is refused as any forged token."""
    apprunner = aws.client("apprunner")
    for depth in (LIMIT + 1, 5000):
        token = base64.urlsafe_b64encode(_nested(depth).encode()).decode()
        with pytest.raises(ClientError) as refused:
            apprunner.list_services(NextToken=token)
        assert refused.value.response["Error"]["Code"] == "InvalidRequestException", depth
