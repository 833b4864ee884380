"""IAM answers as Cloud Custodian's recordings of real AWS show them.

Evidence: the placebo recordings of cloud-custodian/cloud-custodian, ``tests/data/placebo/<test>/iam.*.json``
(botocore-parsed answers of real IAM, 2016-2019; placebo's serializer writes a datetime's ``microsecond`` field, so
a fraction would have been kept); each test names its files.
"""
from __future__ import annotations

import json

EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _at_half_second(aws) -> None:
    """Move the store clock to about half past a second, so a time answered with its fraction shows one."""
    fraction = aws.store.clock.now().microsecond / 1_000_000
    aws.store.clock.advance((1.5 - fraction) % 1)


def test_reads_answer_create_dates_in_whole_seconds(aws):
    """test_iam_user_add_remove_groups/iam.GetUser_4.json, iam.ListUsers_2.json, iam.ListGroupsForUser_2.json;
    test_iam_user_tags/iam.GetUser_2.json; test_iam_user_credential_multi_delete/iam.ListAccessKeys_2.json;
    test_security_hub_iam_role/iam.GetRole_1.json; test_account_ec2_optimize/iam.ListRoles_1.json: every
    ``CreateDate`` a read answers has microsecond 0. The Create* answers have whole seconds too (recorded from AWS,
    2026-09-11: radkawar/stackd, testdata/aws/iam/last_access.json, "setup"; tests/iam/test_stackd_recordings.py),
    the same time the reads answer."""
    iam = aws.client("iam")
    _at_half_second(aws)
    created = {
        "user": iam.create_user(UserName="Bob")["User"]["CreateDate"],
        "group": iam.create_group(GroupName="AdminGroup")["Group"]["CreateDate"],
        "role": iam.create_role(RoleName="app1", AssumeRolePolicyDocument=EC2_TRUST)["Role"]["CreateDate"],
        "key": iam.create_access_key(UserName="Bob")["AccessKey"]["CreateDate"],
    }
    assert all(value.microsecond == 0 for value in created.values()), created
    iam.add_user_to_group(GroupName="AdminGroup", UserName="Bob")
    read = {
        "user": [iam.get_user(UserName="Bob")["User"]["CreateDate"], iam.list_users()["Users"][0]["CreateDate"],
                 iam.get_group(GroupName="AdminGroup")["Users"][0]["CreateDate"]],
        "group": [iam.list_groups_for_user(UserName="Bob")["Groups"][0]["CreateDate"],
                  iam.list_groups()["Groups"][0]["CreateDate"]],
        "role": [iam.get_role(RoleName="app1")["Role"]["CreateDate"], iam.list_roles()["Roles"][0]["CreateDate"]],
        "key": [iam.list_access_keys(UserName="Bob")["AccessKeyMetadata"][0]["CreateDate"]],
    }
    for kind, values in read.items():
        assert values == [created[kind]] * len(values), kind
