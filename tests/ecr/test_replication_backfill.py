"""ECR replication backfill through boto3, in both modes: lifecycle on the store clock, copies in the destination,
results, stopping, errors, limits, authorization and persistence."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.services.ecr import put_image_record
from tests.ecr.pushing import blob_digest, put_image
from tests.ecr.test_ecr import ACCOUNT, REGION, error, manifest
from tests.ecr.test_registry import OTHER
from tests.iam.helpers import allow, doc, user_with_key

WEST = {"region": "eu-west-1", "registryId": ACCOUNT}
DELAY = 5
UNKNOWN_ID = "0123abcd-0000-4000-8000-000000000000"


def _harness(make_harness, aws, **settings):
    from mockrunner.config import Settings

    return make_harness(aws.mode, Settings(log_requests=False, operation_delay=DELAY, **settings))


def _configure(ecr, destinations=(WEST,), filters=("prod",)):
    rule = {"destinations": [dict(d) for d in destinations]}
    if filters:
        rule["repositoryFilters"] = [{"filter": f, "filterType": "PREFIX_MATCH"} for f in filters]
    ecr.put_replication_configuration(replicationConfiguration={"rules": [rule]})


def _one_image_to_backfill(make_harness, aws):
    """A harness whose ``prod/app`` holds an image pushed before replication to ``WEST`` was configured; the
    harness and its source and destination ECR clients."""
    harness = _harness(make_harness, aws)
    ecr, west = harness.client("ecr"), harness.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/app")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(), imageTag="v1")
    _configure(ecr)
    return harness, ecr, west


def _described(ecr, backfill_id, **kwargs):
    return ecr.describe_replication_backfill_results(replicationBackfillId=backfill_id, **kwargs)


def test_backfill_replicates_images_pushed_before_the_configuration(aws, make_harness):
    harness = _harness(make_harness, aws)
    ecr, west = harness.client("ecr"), harness.client("ecr", region="eu-west-1")
    for name in ("prod/app", "dev/app"):
        ecr.create_repository(repositoryName=name)
    tagged = put_image(ecr, repositoryName="prod/app", imageManifest=manifest(), imageTag="v1")["image"]
    ecr.put_image(repositoryName="prod/app", imageManifest=manifest(), imageTag="v2")
    untagged = put_image(ecr, repositoryName="prod/app", imageManifest=manifest(marker="b"))["image"]
    put_image(ecr, repositoryName="dev/app", imageManifest=manifest(marker="c"), imageTag="v1")
    _configure(ecr)
    assert west.describe_repositories()["repositories"] == []  # configuring replicates nothing that exists

    started = ecr.start_replication_backfill(destination=WEST)
    backfill_id = started["replicationBackfillId"]
    assert (started["registryId"], started["destination"], started["status"]) == (ACCOUNT, WEST, "PREPARING")
    preparing = _described(ecr, backfill_id)
    assert preparing["status"] == "PREPARING"
    assert {"progress", "results", "endedAt"}.isdisjoint(preparing)
    listed = ecr.list_replication_backfills()
    assert listed["registryId"] == ACCOUNT
    assert [(b["replicationBackfillId"], b["status"]) for b in listed["backfills"]] == [(backfill_id, "PREPARING")]

    harness.store.clock.advance(DELAY)
    running = _described(ecr, backfill_id)
    assert running["status"] == "IN_PROGRESS" and "results" not in running and "endedAt" not in running
    assert running["progress"] == {"totalReplicationCount": 3, "completedReplicationCount": 0,
                                   "failedReplicationCount": 0, "failureCodes": []}
    assert west.describe_repositories()["repositories"] == []

    harness.store.clock.advance(DELAY)
    done = _described(ecr, backfill_id)
    assert done["status"] == "COMPLETE" and "failureCode" not in done
    assert done["endedAt"] > done["startedAt"]
    assert done["progress"] == {"totalReplicationCount": 3, "completedReplicationCount": 3,
                                "failedReplicationCount": 0, "failureCodes": []}
    digest = tagged["imageId"]["imageDigest"]
    assert sorted((r["repositoryName"], r["imageId"].get("imageTag", ""), r["imageId"]["imageDigest"], r["status"])
                  for r in done["results"]) == sorted([
                      ("prod/app", "v1", digest, "COMPLETE"), ("prod/app", "v2", digest, "COMPLETE"),
                      ("prod/app", "", untagged["imageId"]["imageDigest"], "COMPLETE")])
    # The copies are real: same digests and tags, layers available, and only the repositories the rule matches.
    assert [r["repositoryName"] for r in west.describe_repositories()["repositories"]] == ["prod/app"]
    copied = {(i["imageDigest"], tuple(sorted(i.get("imageTags", ()))))
              for i in west.describe_images(repositoryName="prod/app")["imageDetails"]}
    assert copied == {(digest, ("v1", "v2")), (untagged["imageId"]["imageDigest"], ())}
    document = json.loads(manifest())
    available = west.batch_check_layer_availability(repositoryName="prod/app", layerDigests=[
        document["config"]["digest"], document["layers"][0]["digest"]])
    assert [layer["layerAvailability"] for layer in available["layers"]] == ["AVAILABLE", "AVAILABLE"]
    status = ecr.describe_image_replication_status(repositoryName="prod/app", imageId={"imageTag": "v1"})
    assert status["replicationStatuses"] == [{**WEST, "status": "COMPLETE"}]
    # Results filter and paginate as modelled.
    assert _described(ecr, backfill_id, resultStatusFilter="FAILED")["results"] == []
    pages = list(ecr.get_paginator("describe_replication_backfill_results").paginate(
        replicationBackfillId=backfill_id, PaginationConfig={"PageSize": 2}))
    assert [len(page["results"]) for page in pages] == [2, 1]
    assert ecr.list_replication_backfills()["backfills"][0]["status"] == "COMPLETE"


def test_a_manifest_list_is_one_replication_with_its_images(aws, make_harness):
    harness = _harness(make_harness, aws)
    ecr, west = harness.client("ecr"), harness.client("ecr", region="eu-west-1")
    ecr.create_repository(repositoryName="prod/multi")
    child = manifest(marker="arm")
    put_image(ecr, repositoryName="prod/multi", imageManifest=child)
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                       "digest": blob_digest(child.encode()), "size": len(child)}]})
    ecr.put_image(repositoryName="prod/multi", imageManifest=index, imageTag="multi")
    _configure(ecr)
    backfill_id = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    harness.store.clock.advance(2 * DELAY)
    done = _described(ecr, backfill_id)
    assert done["progress"]["totalReplicationCount"] == 1
    assert [(r["imageId"]["imageTag"], r["status"], r["subImageFailureCodes"]) for r in done["results"]] == [
        ("multi", "COMPLETE", [])]
    assert len(west.list_images(repositoryName="prod/multi")["imageIds"]) == 2


def test_start_errors_and_the_in_progress_limits(aws, make_harness):
    ecr = _harness(make_harness, aws).client("ecr")
    with pytest.raises(ClientError) as exc:
        ecr.start_replication_backfill(destination=WEST)
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'destination' failed to satisfy "
                          "constraint: 'The destination {region:'eu-west-1', registryId:'123456789012'} is not "
                          f"configured in the replication configuration of the registry with id '{ACCOUNT}'")
    regions = ["eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "us-west-1", "us-west-2",
               "us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1"]
    _configure(ecr, [{"region": region, "registryId": ACCOUNT} for region in regions], filters=())
    with pytest.raises(ClientError) as exc:
        ecr.start_replication_backfill(destination={"region": "sa-east-1", "registryId": ACCOUNT})
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecr.start_replication_backfill(destination={"region": "eu-west-1", "registryId": "not-an-account"})
    assert error(exc)[0] == "InvalidParameterException"
    first = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    with pytest.raises(ClientError) as exc:
        ecr.start_replication_backfill(destination=WEST)
    assert error(exc) == ("ReplicationBackfillInProgressException", "A replication backfill is already in "
                          f"progress for the destination Region 'eu-west-1' in the registry with id '{ACCOUNT}'")
    for region in regions[1:10]:
        ecr.start_replication_backfill(destination={"region": region, "registryId": ACCOUNT})
    with pytest.raises(ClientError) as exc:
        ecr.start_replication_backfill(destination={"region": regions[10], "registryId": ACCOUNT})
    assert error(exc) == ("LimitExceededException", f"The registry with id '{ACCOUNT}' already has the maximum "
                          "of 10 replication backfills in progress")
    ecr.stop_replication_backfill(replicationBackfillId=first)
    ecr.start_replication_backfill(destination={"region": regions[10], "registryId": ACCOUNT})
    pages = list(ecr.get_paginator("list_replication_backfills").paginate(PaginationConfig={"PageSize": 4}))
    assert [len(page["backfills"]) for page in pages] == [4, 4, 3]


def test_stop_while_preparing_and_while_in_progress(aws, make_harness):
    harness, ecr, west = _one_image_to_backfill(make_harness, aws)
    with pytest.raises(ClientError) as exc:
        ecr.stop_replication_backfill(replicationBackfillId=UNKNOWN_ID)
    assert error(exc) == ("ReplicationBackfillNotFoundException", f"The replication backfill with id "
                          f"'{UNKNOWN_ID}' does not exist in the registry with id '{ACCOUNT}'")
    with pytest.raises(ClientError) as exc:
        _described(ecr, UNKNOWN_ID)
    assert error(exc)[0] == "ReplicationBackfillNotFoundException"

    early = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    stopped = ecr.stop_replication_backfill(replicationBackfillId=early)
    assert (stopped["status"], stopped["destination"], stopped["registryId"]) == ("STOPPED", WEST, ACCOUNT)
    described = _described(ecr, early)
    assert described["status"] == "STOPPED" and "progress" not in described and described["results"] == []
    with pytest.raises(ClientError) as exc:
        ecr.stop_replication_backfill(replicationBackfillId=early)
    assert error(exc) == ("ReplicationBackfillInvalidStatusException", f"The replication backfill with id "
                          f"'{early}' cannot be stopped because its status is STOPPED")
    harness.store.clock.advance(2 * DELAY)
    assert west.describe_repositories()["repositories"] == []  # nothing was replicated

    late = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    harness.store.clock.advance(DELAY)
    assert ecr.stop_replication_backfill(replicationBackfillId=late)["status"] == "STOPPING"
    assert _described(ecr, late)["status"] == "STOPPING"
    harness.store.clock.advance(DELAY)
    ended = _described(ecr, late)
    assert ended["status"] == "STOPPED" and ended["progress"]["completedReplicationCount"] == 1
    assert west.list_images(repositoryName="prod/app")["imageIds"][0]["imageTag"] == "v1"


def test_failures_count_and_fail_the_backfill_past_the_threshold(aws, make_harness):
    from mockrunner.config import AccountKeys

    harness = _harness(make_harness, aws, extra_accounts=(AccountKeys(OTHER, "other-key", "other-secret"),))
    ecr, other = harness.client("ecr"), harness.client("ecr", access_key="other-key", secret="other-secret")
    destination = {"region": REGION, "registryId": OTHER}
    put_image_record(harness.store, ACCOUNT, REGION, "app", tags=["seed-0"])
    _configure(ecr, [destination], filters=())
    few = ecr.start_replication_backfill(destination=destination)["replicationBackfillId"]
    harness.store.clock.advance(2 * DELAY)
    refused = _described(ecr, few)  # the destination has no registry policy for this account
    assert refused["status"] == "COMPLETE"  # fewer than 100 replications: the failure rule does not apply
    assert refused["progress"] == {"totalReplicationCount": 1, "completedReplicationCount": 0,
                                   "failedReplicationCount": 1, "failureCodes": ["ACCESS_DENIED"]}
    assert [(r["status"], r["failureCode"]) for r in refused["results"]] == [("FAILED", "ACCESS_DENIED")]
    assert other.describe_repositories()["repositories"] == []
    for number in range(1, 100):
        put_image_record(harness.store, ACCOUNT, REGION, "app", tags=[f"seed-{number}"])
    many = ecr.start_replication_backfill(destination=destination)["replicationBackfillId"]
    harness.store.clock.advance(2 * DELAY)
    failed = _described(ecr, many, resultStatusFilter="FAILED", maxResults=1000)
    assert (failed["status"], failed["failureCode"]) == ("FAILED", "REPLICATION_FAILURE_THRESHOLD_EXCEEDED")
    assert failed["progress"]["failedReplicationCount"] == 100 and len(failed["results"]) == 100
    assert "nextToken" not in failed
    other.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{OTHER}:repository/*"}]}))
    allowed = ecr.start_replication_backfill(destination=destination)["replicationBackfillId"]
    harness.store.clock.advance(2 * DELAY)
    assert _described(ecr, allowed)["progress"]["completedReplicationCount"] == 100
    assert len(other.list_images(repositoryName="app", maxResults=1000)["imageIds"]) == 100


def test_ended_backfills_are_kept_for_90_days(aws, make_harness):
    harness = _harness(make_harness, aws)
    ecr = harness.client("ecr")
    _configure(ecr)
    backfill_id = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    harness.store.clock.advance(2 * DELAY)
    assert _described(ecr, backfill_id)["progress"]["totalReplicationCount"] == 0
    harness.store.clock.advance(89 * 86400)
    assert len(ecr.list_replication_backfills()["backfills"]) == 1
    harness.store.clock.advance(86400)
    assert ecr.list_replication_backfills()["backfills"] == []
    with pytest.raises(ClientError) as exc:
        _described(ecr, backfill_id)
    assert error(exc)[0] == "ReplicationBackfillNotFoundException"


def test_each_backfill_action_is_authorized_in_the_registry_account(aws, ecr):
    _configure(ecr)
    key = user_with_key(aws, "viewer", inline={"p": doc(allow(["ecr:ListReplicationBackfills",
                                                               "ecr:DescribeReplicationBackfillResults"]))})
    viewer = aws.client_for(key, "ecr")
    assert viewer.list_replication_backfills()["backfills"] == []
    for call, action in ((lambda: viewer.start_replication_backfill(destination=WEST), "StartReplicationBackfill"),
                         (lambda: viewer.stop_replication_backfill(replicationBackfillId=UNKNOWN_ID),
                          "StopReplicationBackfill")):
        with pytest.raises(ClientError) as exc:
            call()
        code, message = error(exc)
        assert code == "AccessDeniedException" and f"ecr:{action}" in message
    with pytest.raises(ClientError) as exc:  # another account's registry: no policy grants it
        viewer.list_replication_backfills(registryId=OTHER)
    assert error(exc)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as exc:
        viewer.describe_replication_backfill_results(replicationBackfillId=UNKNOWN_ID)
    assert error(exc)[0] == "ReplicationBackfillNotFoundException"


def test_a_backfill_in_flight_survives_export_and_import(aws, make_harness):
    from mockrunner.model import snapshot

    harness, ecr, west = _one_image_to_backfill(make_harness, aws)
    backfill_id = ecr.start_replication_backfill(destination=WEST)["replicationBackfillId"]
    harness.store.clock.advance(DELAY)
    assert _described(ecr, backfill_id)["status"] == "IN_PROGRESS"
    document = json.loads(json.dumps(snapshot.export_state(harness.store)))
    harness.store.reset()
    assert ecr.list_replication_backfills()["backfills"] == []
    snapshot.import_state(harness.store, document)
    harness.store.clock.advance(DELAY)
    assert _described(ecr, backfill_id)["status"] == "COMPLETE"
    assert west.list_images(repositoryName="prod/app")["imageIds"][0]["imageTag"] == "v1"
    bad = json.loads(json.dumps(document))
    bad["state"]["accounts"][ACCOUNT]["regions"][REGION]["ecr"]["replication_backfills"][backfill_id][
        "started_at"] = "yesterday"
    with pytest.raises(snapshot.SnapshotError) as exc:
        snapshot.import_state(harness.store, bad)
    assert "replication_backfills" in str(exc.value)
