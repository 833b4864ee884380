"""STS answers recorded from AWS: transitive session tags, GetAccessKeyInfo."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

TAGGING_TRUST = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": ["sts:AssumeRole", "sts:TagSession"]})


def _roles(aws) -> dict:
    iam = aws.client("iam")
    for name in ("first", "second", "third"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TAGGING_TRUST)
        iam.put_role_policy(RoleName=name, PolicyName="chain", PolicyDocument=doc(
            allow(["sts:AssumeRole", "sts:TagSession"]), allow("iam:GetRole")))
    key = user_with_key(aws, "starter", inline={"p": doc(allow(["sts:AssumeRole", "sts:TagSession"]))})
    return key


def test_transitive_keys_must_be_requested_tags_and_cannot_be_overridden_down_the_chain(aws):
    key = _roles(aws)
    sts = aws.client_for(key, "sts")
    role = f"arn:aws:iam::{ACCOUNT}:role/"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role + "first", RoleSessionName="s1", Tags=[{"Key": "team", "Value": "a"}],
                        TransitiveTagKeys=["project"])
    assert aws_error(excinfo) == ("InvalidParameterValue", "The specified transitive tag key must be included in "
                                  "the requested tags.", 400)
    first = sts.assume_role(RoleArn=role + "first", RoleSessionName="s1", TransitiveTagKeys=["Team"],
                            Tags=[{"Key": "Team", "Value": "a"}, {"Key": "cost", "Value": "x"}])
    chained = aws.client_for(first["Credentials"], "sts")
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=role + "second", RoleSessionName="s2", Tags=[{"Key": "team", "Value": "b"}])
    assert aws_error(excinfo) == ("InvalidParameterValue", "One of the specified transitive tag keys can't be set "
                                  "because it conflicts with a transitive tag key from the calling session.", 400)
    second = chained.assume_role(RoleArn=role + "second", RoleSessionName="s2")
    assert "PackedPolicySize" not in second
    # The transitive tag passed on (twice), the other one did not.
    third = aws.client_for(second["Credentials"], "sts").assume_role(RoleArn=role + "third", RoleSessionName="s3")
    aws.client_for(third["Credentials"], "iam").get_role(RoleName="third")
    entry = [e for e in aws.store.decision_log if e["action"] == "iam:GetRole"][-1]
    assert entry["principal"].endswith(":assumed-role/third/s3")
    session = aws.store.accounts[ACCOUNT].iam.sessions[third["Credentials"]["AccessKeyId"]]
    assert session.tags == {"Team": "a"} and session.transitive_tag_keys == ["Team"]


def test_get_access_key_info_knows_every_key_and_decodes_others(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "someone")
    sts = aws.client("sts")
    assert sts.get_access_key_info(AccessKeyId=key["AccessKeyId"])["Account"] == ACCOUNT
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    user_sts = aws.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        user_sts.get_access_key_info(AccessKeyId=key["AccessKeyId"])
    assert aws_error(excinfo)[0] == "AccessDenied"
    session = user_with_key(aws, "assumer", inline={"p": doc(allow("sts:AssumeRole"))})
    creds = aws.client_for(session, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                                                       RoleSessionName="ss")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == ACCOUNT
    # A key of another account, decoded as AWS encodes the account in the id (a published example key).
    assert sts.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"] == "609629065308"
    with pytest.raises(ClientError) as excinfo:
        sts.get_access_key_info(AccessKeyId="XXXXNOTAKEYID0000000")
    assert aws_error(excinfo)[:1] == ("InvalidParameterValue",)
