"""An attacker's twenty-second pass: the ECR API (not the ``/v2/`` registry endpoint) — lifecycle policy rules and
what they expire, tag immutability, batch image calls, PutImage's digests and tags, repository and registry
policies, replication and scanning configurations.  Real clients throughout: boto3 in both modes (``aws``), signed
raw JSON through ``requests`` against a real server (``server``) where the point is the wire.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
FINDINGS
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

HELD
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import digest_of, manifest
from tests.harness import OTHER_ACCOUNT

DAY = 24 * 3600
INDEX = "application/vnd.docker.distribution.manifest.list.v2+json"


def _rule(priority: int = 1, action: str = "expire", **selection) -> dict:
    return {"rulePriority": priority, "selection": {"tagStatus": "any", **selection}, "action": {"type": action}}


def _policy(*rules: dict) -> str:
    return json.dumps({"rules": list(rules)})


def _error(caught) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.fixture
def ecr(aws):
    client = aws.client("ecr")
    client.create_repository(repositoryName="app")
    return client


# ------------------------------------------------------------------------------------------------ lifecycle
def test_an_age_rule_of_more_days_than_any_date_holds_expires_nothing_and_breaks_no_request(two_account_harness):
    """A ``sinceImagePushed`` rule of a million days was accepted; the day it first ran, ``now - 10**6 days``
    overflowed, and since every ECR request of the Region applies due policies first, every request of every
    account in the Region answered 500 from then on (DeleteLifecyclePolicy and DeleteRepository included)."""
    owner = two_account_harness.client("ecr")
    other = two_account_harness.client("ecr", access_key="other-key", secret="other-secret")
    owner.create_repository(repositoryName="app")
    put_image(owner, repositoryName="app", imageManifest=manifest(marker="old"), imageTag="v1")
    owner.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(_rule(
        countType="sinceImagePushed", countUnit="days", countNumber=10**6)))
    owner.start_lifecycle_policy_preview(repositoryName="app")
    assert owner.get_lifecycle_policy_preview(repositoryName="app")["previewResults"] == []
    two_account_harness.store.clock.advance(DAY + 1)
    assert other.describe_repositories()["repositories"] == []
    assert [image["imageTag"] for image in owner.list_images(repositoryName="app")["imageIds"]] == ["v1"]
    assert owner.get_lifecycle_policy(repositoryName="app")["lastEvaluatedAt"].year > 1970


@pytest.mark.parametrize("field", ["countNumber", "rulePriority"])
def test_lifecycle_integers_beyond_a_java_int_are_refused(ecr, field):
    """``countNumber`` / ``rulePriority`` of 2**31 (or 10**30) were stored; ECR reads them as Java ints."""
    rule = _rule(countType="imageCountMoreThan", countNumber=1)
    for value in (2**31, 10**30):
        if field == "rulePriority":
            rule["rulePriority"] = value
        else:
            rule["selection"]["countNumber"] = value
        with pytest.raises(ClientError) as caught:
            ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(rule))
        assert _error(caught) == ("InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText' failed "
                                  "to satisfy constraint: 'Lifecycle policy validation failure: Could not map "
                                  "policyString into LifecyclePolicy.'")
    with pytest.raises(ClientError):
        ecr.get_lifecycle_policy(repositoryName="app")
    rule["rulePriority"], rule["selection"]["countNumber"] = 2**31 - 1, 2**31 - 1
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(rule))


def _multi_arch(ecr, tag: str = "v1") -> tuple[str, list[str]]:
    children = [manifest(marker=arch) for arch in ("amd64", "arm64")]
    for text in children:
        put_image(ecr, repositoryName="app", imageManifest=text)
    index = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [
        {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": digest_of(text),
         "size": len(text), "platform": {"architecture": arch, "os": "linux"}}
        for text, arch in zip(children, ("amd64", "arm64"), strict=True)]})
    ecr.put_image(repositoryName="app", imageManifest=index, imageTag=tag)
    return digest_of(index), [digest_of(text) for text in children]


def test_lifecycle_does_not_expire_the_images_a_kept_index_names(aws, ecr):
    """A multi-arch image is a tagged index naming untagged images.  An ``untagged`` expiry rule deleted the
    children of an index it kept, leaving a tagged image no client could pull (``manifest unknown``), a state
    BatchDeleteImage refuses to make (``ImageReferencedByManifestList``).  They stay while the index stays, and go
    in the run that expires the index."""
    index, children = _multi_arch(ecr)
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="orphan"))
    orphan = digest_of(manifest(marker="orphan"))
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(_rule(
        tagStatus="untagged", countType="imageCountMoreThan", countNumber=1)))
    ecr.start_lifecycle_policy_preview(repositoryName="app")
    preview = ecr.get_lifecycle_policy_preview(repositoryName="app")["previewResults"]
    assert [result["imageDigest"] for result in preview] == []  # the newest untagged one is kept, the rest named
    aws.store.clock.advance(DAY)
    left = {image["imageDigest"] for image in ecr.list_images(repositoryName="app")["imageIds"]}
    assert left == {index, *children, orphan}
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(_rule(
        tagStatus="any", countType="sinceImagePushed", countUnit="days", countNumber=1)))
    aws.store.clock.advance(3 * DAY)
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
