"""An attacker's twenty-second pass: the ECR API (not the ``/v2/`` registry endpoint) — lifecycle policy rules and
what they expire, tag immutability, batch image calls, PutImage's digests and tags, repository and registry
policies, replication and scanning configurations.  Real clients throughout: boto3 in both modes (``aws``), signed
raw JSON through ``requests`` against a real server (``server``) where the point is the wire.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a lifecycle rule ``sinceImagePushed`` ``countNumber``       **fixed (high).** Accepted; once due, ``now - 10**6 days``
10**6 (any count of days past the year 1)                  overflowed in the step that applies due policies before
                                                           every ECR request of the Region, so every call of every
                                                           account there answered 500 for good (DeleteLifecyclePolicy
                                                           and DeleteRepository too; a restart kept it).  Such a
                                                           rule now acts on nothing.
``rulePriority`` / ``countNumber`` of 2**31 or 10**30      **fixed (low).** Stored; ECR's policy integers are Java
                                                           ints.  "Could not map policyString into LifecyclePolicy."
an ``untagged`` expiry rule and a tagged multi-arch index  **fixed (medium).** The index's untagged children were
                                                           expired while the index was kept: a tagged image nobody
                                                           could pull, a state BatchDeleteImage refuses to make.
                                                           They stay while the index stays.
PutImage with ``imageTag`` ``sha256:<other digest>``,      **fixed (medium).** Any 1-300 characters were taken, so a
``a/b``, ``a:b``, ``v1\n``, non-ASCII                      tag could be spelled like another image's digest.  ECR's
                                                           ``[a-zA-Z0-9-_.]+`` now holds for PutImage and the image
                                                           ids of BatchGetImage, BatchDeleteImage, DescribeImages
                                                           (checked before a batch deletes anything).
PutImage to a name a CREATE_ON_PUSH template covers,       **fixed (low).** The repository was created and stayed
refused (digest mismatch, missing layers, bad tag)         although the call was refused; now nothing changes.
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Lifecycle validation: strings, floats, ``1e0``, ``NaN``, duplicate keys, upper-case enums, priority 0 or
  negative, ``countUnit`` ``hours``, five ``*`` in a pattern, both lists in a rule, an empty prefix, a 5,000-deep
  nesting, an array as the document, 1,000 rules (over the 30,720-character limit): each ECR's 400.  Priority gaps
  and out-of-order rules evaluate by priority; an image matching a higher rule is never acted on by a lower one.
* BatchGetImage/BatchDeleteImage/DescribeImages with 101 ids: the model's 400; duplicate ids, a digest and a tag
  of the same image in one batch, a tag and digest that disagree (``ImageTagDoesNotMatchDigest``), ``{}``
  (``MissingDigestAndTag``): per-id answers, no 5xx.  PutImage with an ``imageDigest`` of another manifest, another
  algorithm or upper-case hex: ``ImageDigestDoesNotMatchException``.  ``IMMUTABLE_WITH_EXCLUSION``: an excluded tag
  moves, any other is ``ImageTagAlreadyExistsException``; 300-character, leading ``.``/``-`` tags are taken.
* Replication: a destination of the source's own Region and account, 26 rules, 101 filters, an unknown or
  other-partition Region, a filter with ``*``: ECR's 400s; 25 identical rules are taken.  Registry scanning:
  ``CONTINUOUS_SCAN`` with ``BASIC`` and non-ASCII filters refused.  PutRegistryPolicy with ``ecr:ResourceTag``,
  ``aws:ResourceTag`` or ``ecr:RepositoryName`` conditions is taken; a non-``ecr:`` action is refused.  How those
  conditions decide cross-account calls was not probed in this pass (time).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import digest_of, manifest

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
    with pytest.raises(ClientError) as caught:
        ecr.get_lifecycle_policy(repositoryName="app")
    assert _error(caught)[0] == "LifecyclePolicyNotFoundException"
    rule["rulePriority"], rule["selection"]["countNumber"] = 2**31 - 1, 2**31 - 1
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(rule))
    [stored] = json.loads(ecr.get_lifecycle_policy(repositoryName="app")["lifecyclePolicyText"])["rules"]
    assert (stored["rulePriority"], stored["selection"]["countNumber"]) == (2**31 - 1, 2**31 - 1)


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
    # The children a kept index names are no candidates; the orphan is then the one newest untagged image, kept.
    assert [result["imageDigest"] for result in preview] == []
    aws.store.clock.advance(DAY)
    left = {image["imageDigest"] for image in ecr.list_images(repositoryName="app")["imageIds"]}
    assert left == {index, *children, orphan}
    assert ecr.get_lifecycle_policy(repositoryName="app")["lastEvaluatedAt"].year > 1970  # the rule did run
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=_policy(_rule(
        tagStatus="any", countType="sinceImagePushed", countUnit="days", countNumber=1)))
    aws.store.clock.advance(3 * DAY)
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


# ------------------------------------------------------------------------------------------------ tags and images
TAG_REFUSAL = ("InvalidParameterException", "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must "
               "satisfy regular expression '[a-zA-Z0-9-_.]+''")


@pytest.mark.parametrize("tag", ["sha256:" + "0" * 64, "a/b", "v\u00e9", "v1\n", "a:b", "tag with space"])
def test_a_tag_ecr_does_not_take_is_refused_before_anything_changes(ecr, tag):
    """PutImage took any 1-300 character tag: one spelled like another image's digest, with ``/``, ``:``, a
    newline or non-ASCII letters.  ECR refuses them (its answer quotes ``[a-zA-Z0-9-_.]+``); so do the calls that
    name images by tag, before a batch deletes anything."""
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="keep"), imageTag="keep")
    with pytest.raises(ClientError) as caught:
        ecr.put_image(repositoryName="app", imageManifest=manifest(marker="keep"), imageTag=tag)
    assert _error(caught) == TAG_REFUSAL
    with pytest.raises(ClientError) as caught:
        ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "keep"}, {"imageTag": tag}])
    assert _error(caught) == TAG_REFUSAL
    for call in (ecr.batch_get_image, ecr.describe_images):
        with pytest.raises(ClientError) as caught:
            call(repositoryName="app", imageIds=[{"imageTag": tag}])
        assert _error(caught) == TAG_REFUSAL
    assert [image["imageTag"] for image in ecr.list_images(repositoryName="app")["imageIds"]] == ["keep"]


def test_long_and_dotted_tags_ecr_takes_still_work(ecr):
    for tag in ("a" * 300, ".v", "-v", "_v", "V1.2-rc_3"):
        assert put_image(ecr, repositoryName="app", imageManifest=manifest(marker="m"),
                         imageTag=tag)["image"]["imageId"]["imageTag"] == tag


def test_a_refused_put_image_creates_no_repository_on_push(ecr):
    """With a CREATE_ON_PUSH template, a PutImage to a missing name that was then refused (its ``imageDigest``
    not the manifest's) left the repository created: a refused call had changed the registry."""
    ecr.create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    text = manifest(marker="x")
    put_image(ecr, repositoryName="app", imageManifest=text)  # its blobs exist in the registry now
    with pytest.raises(ClientError) as caught:
        ecr.put_image(repositoryName="auto/svc", imageManifest=text, imageTag="v1",
                      imageDigest=digest_of(manifest(marker="other")))
    assert _error(caught)[0] == "ImageDigestDoesNotMatchException"
    assert [repo["repositoryName"] for repo in ecr.describe_repositories()["repositories"]] == ["app"]
    put_image(ecr, repositoryName="auto/svc", imageManifest=text, imageTag="v1")
    assert {repo["repositoryName"] for repo in ecr.describe_repositories()["repositories"]} == {"app", "auto/svc"}
