"""Account-wide IAM answers recorded from AWS in LocalStack's snapshot tests tests/aws/services/iam/
test_iam_account_password_policy.py, test_iam_account_summary.py and test_iam_account_authorization_details.py
(their ``.snapshot.json`` files hold AWS's answers with the date each was recorded). The points these recordings
share with tests/iam/test_recorded_users.py are pinned there; this file holds the rest."""
from __future__ import annotations

import json

from tests.iam.helpers import ACCOUNT, error_of

MOCK_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "s3:ListBucket", "Resource": "*", "Effect": "Allow"}]})
DETAIL_LISTS = ("GroupDetailList", "Policies", "RoleDetailList", "UserDetailList")
TWO_TAGS = [{"Key": "somekey", "Value": "somevalue"}, {"Key": "someotherkey", "Value": "someothervalue"}]


def _details(iam, **kwargs) -> dict:
    """The whole answer as the recording's paginator built it, without the response metadata."""
    result = iam.get_paginator("get_account_authorization_details").paginate(**kwargs).build_full_result()
    result.pop("ResponseMetadata", None)
    return result


def _without(entry: dict, *volatile: str) -> dict:
    return {key: value for key, value in entry.items() if key not in volatile}


def test_deleting_the_password_policy_and_deleting_it_again(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_password_policy.snapshot.json, tests
    test_delete_account_password_policy (13-02-2026, 18:55:15: 200, then GetAccountPasswordPolicy is
    ``NoSuchEntity`` 404 "The Password Policy with domain name <account> cannot be found.") and
    test_delete_account_password_policy_not_found (18:55:40: a second delete is ``NoSuchEntity`` 404 "The account
    policy with name PasswordPolicy cannot be found.")."""
    iam = aws.client("iam")
    iam.update_account_password_policy()
    assert iam.delete_account_password_policy()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert error_of(iam.get_account_password_policy) == (
        "NoSuchEntity", f"The Password Policy with domain name {ACCOUNT} cannot be found.", 404)
    assert error_of(iam.delete_account_password_policy) == (
        "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404)


def test_the_summary_map_holds_the_recorded_members_and_quotas(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_summary.snapshot.json, test
    test_get_account_summary_format (17-02-2026, 15:55:08): exactly these 34 members; the counters of the account's
    entities (left out here) were replaced by placeholders in the recording, every other value is AWS's."""
    counters = ("AccountPasswordPresent", "Groups", "InstanceProfiles", "MFADevices", "MFADevicesInUse", "Policies",
                "PolicyVersionsInUse", "Providers", "Roles", "ServerCertificates", "Users")
    summary = aws.client("iam").get_account_summary()["SummaryMap"]
    assert set(counters) <= set(summary)
    assert _without(summary, *counters) == {
        "AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": 0,
        "AccountSigningCertificatesPresent": 0, "AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10, "GlobalEndpointTokenVersion": 1,
        "GroupPolicySizeQuota": 5120, "GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfilesQuota": 1000,
        "PoliciesQuota": 1500, "PolicySizeQuota": 6144, "PolicyVersionsInUseQuota": 10000, "RolePolicySizeQuota": 10240,
        "RolesQuota": 1000, "ServerCertificatesQuota": 20, "SigningCertificatesPerUserQuota": 2,
        "UserPolicySizeQuota": 2048, "UsersQuota": 5000, "VersionsPerPolicyQuota": 5}


def test_a_filtered_user_detail_names_its_groups_policies_and_tags(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json, test
    test_get_account_authorization_details_filter_user (17-02-2026, 14:44:31): with ``Filter=["User"]`` the answer
    still holds all four lists (the other three empty); the user names its group, its attached policy as
    ``PolicyArn``/``PolicyName``, its inline policy and its tags in the order they were given."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    arn = iam.create_policy(PolicyName="list", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    iam.put_user_policy(UserName="ann", PolicyName="user-inline-policy", PolicyDocument=MOCK_POLICY)
    iam.attach_user_policy(UserName="ann", PolicyArn=arn)
    iam.add_user_to_group(GroupName="devs", UserName="ann")
    iam.tag_user(UserName="ann", Tags=TWO_TAGS)
    result = _details(iam, Filter=["User"])
    assert sorted(result) == list(DETAIL_LISTS)
    assert (result["GroupDetailList"], result["Policies"], result["RoleDetailList"]) == ([], [], [])
    user, = result["UserDetailList"]
    attached = [{"PolicyArn": arn, "PolicyName": "list"}]
    assert _without(user, "UserId", "CreateDate") == {
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/ann", "AttachedManagedPolicies": attached,
        "GroupList": ["devs"], "Path": "/", "Tags": TWO_TAGS, "UserName": "ann",
        "UserPolicyList": [{"PolicyDocument": json.loads(MOCK_POLICY), "PolicyName": "user-inline-policy"}]}


def test_a_filtered_group_detail_has_no_tags(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json, test
    test_get_account_authorization_details_filter_group (17-02-2026, 14:44:33): the group's entry is exactly ARN,
    attached policies, date, id, name, inline policies and path; the other three lists are empty."""
    iam = aws.client("iam")
    iam.create_group(GroupName="devs")
    arn = iam.create_policy(PolicyName="list", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    iam.put_group_policy(GroupName="devs", PolicyName="group-inline-policy", PolicyDocument=MOCK_POLICY)
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    result = _details(iam, Filter=["Group"])
    assert (result["Policies"], result["RoleDetailList"], result["UserDetailList"]) == ([], [], [])
    group, = result["GroupDetailList"]
    attached = [{"PolicyArn": arn, "PolicyName": "list"}]
    assert _without(group, "GroupId", "CreateDate") == {
        "Arn": f"arn:aws:iam::{ACCOUNT}:group/devs", "AttachedManagedPolicies": attached,
        "GroupName": "devs", "GroupPolicyList": [{"PolicyDocument": json.loads(MOCK_POLICY),
                                                  "PolicyName": "group-inline-policy"}], "Path": "/"}


def test_a_local_managed_policy_entry_carries_its_one_version(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json,
    tests test_get_account_authorization_details_filter_local_managed_policy (17-02-2026, 14:44:34) and
    test_get_account_authorization_details_no_filter (14:45:01): a new policy's entry is CreatePolicy's answer plus
    ``PolicyVersionList`` (v1, the default, with its document), no Description and no Tags."""
    iam = aws.client("iam")
    created = iam.create_policy(PolicyName="list", PolicyDocument=MOCK_POLICY)["Policy"]
    result = _details(iam, Filter=["LocalManagedPolicy"])
    assert (result["GroupDetailList"], result["RoleDetailList"], result["UserDetailList"]) == ([], [], [])
    policy, = result["Policies"]
    version, = policy.pop("PolicyVersionList")
    assert policy == created
    assert _without(version, "CreateDate") == {
        "Document": json.loads(MOCK_POLICY), "IsDefaultVersion": True, "VersionId": "v1"}
    assert _details(iam)["Policies"][0]["PolicyVersionList"] == [version]


def test_a_filtered_role_detail_names_its_policies_profiles_and_tags(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam_account_authorization_details.snapshot.json, test
    test_get_account_authorization_details_filter_role (17-02-2026, 14:44:27): the role's attached policy as
    ``PolicyArn``/``PolicyName``, its inline policy, its tags in the order given, its instance profile as
    CreateInstanceProfile answered plus the role, and ``RoleLastUsed: {}``; the other three lists are empty."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="list", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust, Path="/my-path/", Description="testing role")
    iam.put_role_policy(RoleName="worker", PolicyName="inline-policy", PolicyDocument=MOCK_POLICY)
    iam.attach_role_policy(RoleName="worker", PolicyArn=arn)
    iam.tag_role(RoleName="worker", Tags=TWO_TAGS)
    profile = iam.create_instance_profile(InstanceProfileName="worker-profile")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="worker-profile", RoleName="worker")
    result = _details(iam, Filter=["Role"])
    assert (result["GroupDetailList"], result["Policies"], result["UserDetailList"]) == ([], [], [])
    role, = result["RoleDetailList"]
    listed_profile, = role.pop("InstanceProfileList")
    assert _without(listed_profile, "Roles") == _without(profile, "Roles")
    assert [nested["RoleId"] for nested in listed_profile["Roles"]] == [role["RoleId"]]
    assert _without(role, "RoleId", "CreateDate") == {
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/my-path/worker", "AssumeRolePolicyDocument": json.loads(trust),
        "AttachedManagedPolicies": [{"PolicyArn": arn, "PolicyName": "list"}], "Path": "/my-path/",
        "RoleLastUsed": {}, "RoleName": "worker",
        "RolePolicyList": [{"PolicyDocument": json.loads(MOCK_POLICY), "PolicyName": "inline-policy"}],
        "Tags": TWO_TAGS}
