"""ECR answers as Cloud Custodian's recordings of real AWS show them.

Evidence: the placebo recordings of cloud-custodian/cloud-custodian, ``tests/data/placebo/<test>/api.ecr.*.json``
(botocore-parsed answers of real ECR, 2017-2019); each test names its files.
"""
from __future__ import annotations

import json

from tests.ecr.pushing import image_manifest, put_image

# The rule c7n's test_ecr_lifecycle_policy sends through its set-lifecycle action, which writes
# ``json.dumps({'rules': rules})`` (Python's default spacing: ", " and ": ").
C7N_RULE = {"rulePriority": 1, "description": "Expire images older than 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                          "countNumber": 14},
            "action": {"type": "expire"}}
RECORDED_TEXT = ('{"rules":[{"rulePriority":1,"description":"Expire images older than 14 days","selection":'
                 '{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},'
                 '"action":{"type":"expire"}}]}')


def _at_half_second(aws) -> None:
    """Move the store clock to about half past a second, so a time answered with its fraction shows one."""
    fraction = aws.store.clock.now().microsecond / 1_000_000
    aws.store.clock.advance((1.5 - fraction) % 1)


def test_lifecycle_policy_text_comes_back_compact(aws, ecr):
    """test_ecr_lifecycle_update/api.ecr.PutLifecyclePolicy_1.json and api.ecr.GetLifecyclePolicy_2.json: the
    policy c7n sent with ``json.dumps``' spacing came back with no whitespace outside strings, keys in the order
    sent (the AWS CLI reference's put-/get-/delete-lifecycle-policy examples show the same for a multi-line
    file). A preview echoes the text as sent (the CLI's start-lifecycle-policy-preview example)."""
    ecr.create_repository(repositoryName="c7n")
    sent = json.dumps({"rules": [C7N_RULE]})
    assert sent != RECORDED_TEXT
    put = ecr.put_lifecycle_policy(repositoryName="c7n", lifecyclePolicyText=sent)
    assert put["lifecyclePolicyText"] == RECORDED_TEXT
    got = ecr.get_lifecycle_policy(repositoryName="c7n")
    assert (got["lifecyclePolicyText"], got["lastEvaluatedAt"].timestamp()) == (RECORDED_TEXT, 0)
    preview = ecr.start_lifecycle_policy_preview(repositoryName="c7n", lifecyclePolicyText=sent)
    assert preview["lifecyclePolicyText"] == sent
    assert ecr.delete_lifecycle_policy(repositoryName="c7n")["lifecyclePolicyText"] == RECORDED_TEXT


def test_lifecycle_policy_text_keeps_strings_and_numbers_as_sent(ecr):
    """Compacting touches only the whitespace between tokens: spaces inside a description and the number's
    lexeme stay (test_ecr_lifecycle_update's description "Expire images older than 14 days" kept its spaces)."""
    ecr.create_repository(repositoryName="c7n")
    rule = {**C7N_RULE, "description": "keep  two  spaces, é"}
    sent = json.dumps({"rules": [rule]}, indent=4, ensure_ascii=False)
    text = ecr.put_lifecycle_policy(repositoryName="c7n", lifecyclePolicyText=sent)["lifecyclePolicyText"]
    assert '"description":"keep  two  spaces, é"' in text and "\n" not in text
    assert json.loads(text) == {"rules": [rule]}


def test_repository_created_at_is_whole_seconds(aws, ecr):
    """test_ecr_no_policy/api.ecr.DescribeRepositories_2.json and api.ecr.DeleteRepository_1.json,
    test_ecr_remove_matched/api.ecr.CreateRepository_1.json, test_ecr_lifecycle_update/ and test_ecr_tags/
    api.ecr.DescribeRepositories_1.json: every ``createdAt`` has microsecond 0 (placebo's serializer writes a
    datetime's ``microsecond`` field, so a fraction would have been kept)."""
    _at_half_second(aws)
    created = ecr.create_repository(repositoryName="test-ecr-no-policy")["repository"]["createdAt"]
    described = ecr.describe_repositories()["repositories"][0]["createdAt"]
    deleted = ecr.delete_repository(repositoryName="test-ecr-no-policy")["repository"]["createdAt"]
    assert created.microsecond == 0
    assert created == described == deleted


def test_image_pushed_at_is_whole_seconds_last_pull_keeps_milliseconds(aws, ecr):
    """``imagePushedAt`` in whole seconds like ``createdAt`` above (the AWS CLI reference's describe-images
    example: ``1565128275.0``), while ``lastRecordedPullTime`` keeps its milliseconds (describe-images output
    quoted in public guides: ``"imagePushedAt": "2023-04-17T17:22:33-05:00"`` next to
    ``"lastRecordedPullTime": "2023-04-17T17:22:33.966000-05:00"``)."""
    ecr.create_repository(repositoryName="app")
    _at_half_second(aws)
    put_image(ecr, "app", image_manifest("a"), imageTag="v1")
    ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    detail = ecr.describe_images(repositoryName="app")["imageDetails"][0]
    assert detail["imagePushedAt"].microsecond == 0
    assert detail["lastRecordedPullTime"].microsecond != 0
