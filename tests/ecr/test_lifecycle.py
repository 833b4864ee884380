"""ECR lifecycle policies through boto3, in both modes: validation, preview, and expiry as the store clock moves."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.pushing import DOCKER_MANIFEST, blob_digest, put_image
from tests.ecr.test_ecr import ACCOUNT, error, manifest

DAY = 24 * 3600
PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation " \
         "failure: "


def policy(*rules: dict) -> str:
    return json.dumps({"rules": [{"rulePriority": i + 1, "action": {"type": "expire"}, **rule}
                                 for i, rule in enumerate(rules)]})


def keep(count: int, status: str = "any", **selection) -> dict:
    return {"selection": {"tagStatus": status, "countType": "imageCountMoreThan", "countNumber": count, **selection}}


def older(days: int, status: str = "any", **selection) -> dict:
    return {"selection": {"tagStatus": status, "countType": "sinceImagePushed", "countUnit": "days",
                          "countNumber": days, **selection}}


@pytest.fixture
def ecr(aws):
    client = aws.client("ecr")
    client.create_repository(repositoryName="app")
    return client


def push(ecr, aws, tags: list[str | None], seconds_apart: float = 10) -> list[str]:
    digests = []
    for index, tag in enumerate(tags):
        extra = {"imageTag": tag} if tag else {}
        digests.append(put_image(ecr, repositoryName="app", imageManifest=manifest(marker=f"{index:x}"),
                                     **extra)["image"]["imageId"]["imageDigest"])
        aws.store.clock.advance(seconds_apart)
    return digests


def tags_left(ecr) -> list[str]:
    return sorted(i.get("imageTag", i["imageDigest"][:12]) for i in ecr.list_images(repositoryName="app")["imageIds"])


def test_put_get_delete_lifecycle_policy(ecr):
    with pytest.raises(ClientError) as exc:
        ecr.get_lifecycle_policy(repositoryName="app")
    assert error(exc) == ("LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository "
                          f"with name 'app' in the registry with id '{ACCOUNT}'")
    sent = policy(keep(2))
    text = json.dumps(json.loads(sent), separators=(",", ":"))  # ECR answers the text compact
    out = ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=sent)
    assert (out["registryId"], out["repositoryName"], out["lifecyclePolicyText"]) == (ACCOUNT, "app", text)
    got = ecr.get_lifecycle_policy(repositoryName="app")
    # Not run yet: the epoch, as the CLI reference's delete-lifecycle-policy example shows.
    assert got["lifecyclePolicyText"] == text and got["lastEvaluatedAt"].timestamp() == 0
    assert ecr.delete_lifecycle_policy(repositoryName="app")["lifecyclePolicyText"] == text
    with pytest.raises(ClientError) as exc:
        ecr.delete_lifecycle_policy(repositoryName="app")
    assert error(exc)[0] == "LifecyclePolicyNotFoundException"


@pytest.mark.parametrize(("text", "reason"), [
    ("x" * 100, "Could not map policyString into LifecyclePolicy."),
    (json.dumps({"rulez": [], "pad": "x" * 100}), 'object has missing required properties (["rules"])\n'),
    (policy({"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
             "action": {"type": "delete"}}),
     'instance value ("delete") not found in enum (possible values: ["expire","transition"])\n'),
    (policy(older(3, countUnit=None)), "instance failed to match exactly one schema (matched 0 out of 2)\n"),
    (policy(keep(3, countUnit="days")), "instance failed to match exactly one schema (matched 0 out of 2)\n"),
    (policy(keep(0)), "numeric instance is lower than the required minimum (minimum: 1, found: 0)\n"),
    (policy(keep(1, "untagged"), keep(2, "untagged")), "Only one rule can select Untagged images per storage "
                                                       "class."),
    (policy(keep(1, "any"), keep(2, "untagged")), "Rule for tagStatus=ANY must have the lowest priority per "
                                                  "storage class"),
    (policy(keep(1, "tagged")), "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED."),
])
def test_invalid_lifecycle_policies(ecr, text, reason):
    with pytest.raises(ClientError) as exc:
        ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=text)
    assert error(exc) == ("InvalidParameterException", PREFIX + reason + "'")
    with pytest.raises(ClientError):
        ecr.get_lifecycle_policy(repositoryName="app")


def test_count_rule_expires_the_oldest_images_after_a_day(aws, ecr):
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=policy(keep(2)))
    push(ecr, aws, ["v1", "v2", "v3", "v4"])
    aws.store.clock.advance(DAY - 100)
    assert tags_left(ecr) == ["v1", "v2", "v3", "v4"]  # not due yet
    aws.store.clock.advance(100)
    assert tags_left(ecr) == ["v3", "v4"]
    assert ecr.get_lifecycle_policy(repositoryName="app")["lastEvaluatedAt"]


def test_priorities_protect_images_selected_by_higher_rules(aws, ecr):
    # Rule 1 keeps the newest prod image; rule 2 (any) keeps 1 image overall but may not touch prod images.
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=policy(
        keep(1, "tagged", tagPatternList=["prod*"]), keep(1)))
    digests = push(ecr, aws, ["prod-1", "dev-1", "prod-2", "dev-2", None])
    aws.store.clock.advance(DAY)
    # prod-1 goes by rule 1; rule 2 keeps the newest image (untagged) and expires dev-*, but not prod-2, which
    # rule 1 selected (it still counts toward rule 2's one image, so nothing else survives).
    left = {i["imageDigest"] for i in ecr.list_images(repositoryName="app")["imageIds"]}
    assert left == {digests[2], digests[4]}


def test_prefix_list_needs_every_prefix_and_age_rules_count_days(aws, ecr):
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=policy(
        older(2, "tagged", tagPrefixList=["rel", "x"])))
    push(ecr, aws, ["rel-1", "x-1"])  # two images
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="0"), imageTag="x-9")  # rel-1's second tag
    aws.store.clock.advance(DAY)
    assert "rel-1" in tags_left(ecr)  # one day old: kept
    aws.store.clock.advance(2 * DAY)
    assert tags_left(ecr) == ["x-1"]  # rel-1/x-9 had both prefixes and is 3 days old; x-1 lacks "rel"


def test_preview_reports_what_the_policy_would_expire(aws, ecr, make_harness):
    digests = push(ecr, aws, ["v1", "v2", "v3"])
    with pytest.raises(ClientError) as exc:
        ecr.start_lifecycle_policy_preview(repositoryName="app")
    assert error(exc)[0] == "LifecyclePolicyNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecr.get_lifecycle_policy_preview(repositoryName="app")
    assert error(exc) == ("LifecyclePolicyPreviewNotFoundException", "There is no dry run for this repository.")
    text = policy(keep(1))
    started = ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=text)
    assert started["status"] == "IN_PROGRESS" and started["lifecyclePolicyText"] == text
    preview = ecr.get_lifecycle_policy_preview(repositoryName="app")
    assert preview["status"] == "COMPLETE"
    assert [r["imageDigest"] for r in preview["previewResults"]] == digests[:2]
    assert preview["previewResults"][0]["action"] == {"type": "EXPIRE"}
    assert preview["previewResults"][0]["appliedRulePriority"] == 1
    assert preview["summary"] == {"expiringImageTotalCount": 2}
    # A preview changes nothing.
    assert tags_left(ecr) == ["v1", "v2", "v3"]
    page = ecr.get_lifecycle_policy_preview(repositoryName="app", maxResults=1)
    assert len(page["previewResults"]) == 1 and page["nextToken"]


def test_preview_is_in_progress_until_the_clock_passes(make_harness, aws):
    from mockrunner.config import Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=30))
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=policy(keep(5)))
    assert ecr.get_lifecycle_policy_preview(repositoryName="app")["status"] == "IN_PROGRESS"
    with pytest.raises(ClientError) as exc:
        ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=policy(keep(5)))
    assert error(exc)[0] == "LifecyclePolicyPreviewInProgressException"
    harness.store.clock.advance(30)
    done = ecr.get_lifecycle_policy_preview(repositoryName="app")
    assert done["status"] == "COMPLETE" and done["summary"] == {"expiringImageTotalCount": 0}


def test_transition_rule_archives_and_archived_images_are_hidden_by_default(aws, ecr):
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
        "action": {"type": "transition", "targetStorageClass": "archive"}}]}))
    push(ecr, aws, ["old", "new"])
    aws.store.clock.advance(DAY)
    assert tags_left(ecr) == ["new"]
    archived = ecr.describe_images(repositoryName="app", filter={"imageStatus": "ARCHIVED"})["imageDetails"]
    assert [d["imageTags"] for d in archived] == [["old"]] and archived[0]["imageStatus"] == "ARCHIVED"
    assert archived[0]["lastArchivedAt"]


def _referrer(subject: str, marker: str) -> str:
    """An OCI artifact manifest whose ``subject`` is the image ``subject`` (its blobs kept for ``put_image``)."""
    config, payload = b"{}", f"signature {marker}".encode()
    return json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.signature",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": blob_digest(config)},
        "layers": [{"mediaType": "text/plain", "size": len(payload), "digest": blob_digest(payload)}],
        "subject": {"mediaType": DOCKER_MANIFEST, "size": 1, "digest": subject}})


def test_an_expired_subject_takes_its_referrers_along(aws, ecr):
    """ECR (OCI 1.1 announcement): a lifecycle expiry of a subject deletes the artifacts that refer to it, here
    also the referrer of a referrer; another image's referrer stays. The untagged rule selects the nested referrer
    too, which has gone with its subject by then."""
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=policy(
        older(1, "tagged", tagPrefixList=["v"]), older(1, "untagged")))
    old, kept = push(ecr, aws, ["v1", "keep"])
    signature = put_image(ecr, repositoryName="app", imageManifest=_referrer(old, "old"),
                          imageTag="sig-old")["image"]["imageId"]["imageDigest"]
    put_image(ecr, repositoryName="app", imageManifest=_referrer(signature, "countersign"))
    put_image(ecr, repositoryName="app", imageManifest=_referrer(kept, "kept"), imageTag="sig-keep")
    aws.store.clock.advance(2 * DAY)
    assert tags_left(ecr) == ["keep", "sig-keep"]
    assert ecr.list_image_referrers(repositoryName="app", subjectId={"imageDigest": old})["referrers"] == []
