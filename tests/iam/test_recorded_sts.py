"""STS answers recorded from AWS: LocalStack snapshot tests/aws/services/sts/test_sts.snapshot.json (the snapshot is
AWS's answer; placeholders such as ``<role-id:1>`` hide the ids)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, aws_error, user_with_key

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
TAGGING_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Principal": {"AWS": ACCOUNT}}]})
DUPLICATE = ("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)


def _admin_sts(aws):
    """STS as an administrator user (the recordings were made with IAM user credentials, not root's)."""
    return aws.client_for(user_with_key(aws, "admin", policies=(ADMIN,)), "sts")


def test_assume_role_refuses_tag_keys_that_differ_only_in_case(aws):
    """Recorded from AWS: test_sts.py, test test_assume_role_tag_validation ("duplicate-tag-keys-different-casing";
    transitive tag keys also compare without case, so ``sessiontag1`` names ``SessionTag1``)."""
    role = aws.client("iam").create_role(RoleName="role-1", AssumeRolePolicyDocument=TAGGING_TRUST)["Role"]["Arn"]
    sts = _admin_sts(aws)
    sts.assume_role(RoleArn=role, RoleSessionName="SessionInvalidCasingTransitiveKeys",
                    Tags=[{"Key": "SessionTag1", "Value": "SessionValue1"}], TransitiveTagKeys=["sessiontag1"])
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role, RoleSessionName="SessionInvalidCasingTransitiveKeys",
                        Tags=[{"Key": "SessionTag1", "Value": "SessionValue1"},
                              {"Key": "sessiontag1", "Value": "SessionValue2"}],
                        TransitiveTagKeys=["sessiontag1"])
    assert aws_error(excinfo) == DUPLICATE


def test_get_federation_token_refuses_tag_keys_that_differ_only_in_case(aws):
    """GetFederationToken's ``Tags`` follow AssumeRole's recorded rule (same service, same session tags)."""
    sts = _admin_sts(aws)
    with pytest.raises(ClientError) as excinfo:
        sts.get_federation_token(Name="TestName", Tags=[{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}])
    assert aws_error(excinfo) == DUPLICATE


def test_get_federation_token_answers_packed_policy_size_zero_without_session_policies(aws):
    """Recorded from AWS: test_sts.py, test test_get_federation_token (``PackedPolicySize: 0``, federated user id
    ``<account>:<name>``, ARN ``arn:aws:sts::<account>:federated-user/<name>``)."""
    answer = _admin_sts(aws).get_federation_token(Name="TestName1a2b", DurationSeconds=900)
    answer.pop("ResponseMetadata")
    assert sorted(answer) == ["Credentials", "FederatedUser", "PackedPolicySize"]
    assert answer["PackedPolicySize"] == 0
    assert answer["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:TestName1a2b",
                                       "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/TestName1a2b"}
    assert sorted(answer["Credentials"]) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]
