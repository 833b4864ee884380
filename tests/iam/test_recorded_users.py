"""Users, groups, access keys, the password policy, the account summary, the credential report and the account
authorization details, as real AWS answered them.

Evidence: the LocalStack snapshot tests under tests/aws/services/iam/ (their ``.snapshot.json`` files were recorded
against AWS); each test names its file and test.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, aws_error, doc, error_of, user_with_key
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.iam.saml_federation import saml_provider

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
MOCK_POLICY = doc({"Action": "s3:ListBucket", "Resource": "*", "Effect": "Allow"})
EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


# ------------------------------------------------------------------------------------------------ group members
def test_removing_a_user_who_is_not_a_member_succeeds(aws):
    """test_iam_users.py::TestUserGroups::test_user_group_membership: a second RemoveUserFromGroup of the same user
    answers 200 ("remove-nonmember-user-from-group")."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="ann")
    iam.remove_user_from_group(GroupName="devs", UserName="ann")
    answer = iam.remove_user_from_group(GroupName="devs", UserName="ann")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert iam.get_group(GroupName="devs")["Users"] == []


def _missing(kind: str, name: str) -> tuple[str, str, int]:
    return "NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404


def test_remove_user_from_group_looks_the_user_up_first(aws):
    """test_iam_groups.py::test_remove_user_from_unknown_group (neither exists: the user is named) and
    test_iam_users.py::test_user_group_errors (known user, unknown group: the group is named)."""
    iam = aws.client("iam")
    remove = iam.remove_user_from_group
    assert error_of(remove, GroupName="non-existent-group", UserName="any-user") == _missing("user", "any-user")
    iam.create_user(UserName="ann")
    assert error_of(remove, GroupName="nonexistent-group", UserName="ann") == _missing("group", "nonexistent-group")


def test_add_user_to_group_looks_the_user_up_first(aws):
    """Neither exists: the user is named, as in RemoveUserFromGroup's recording above (AddUserToGroup's own order
    with both unknown is not recorded; moto's test_add_unknown_user_to_group expects the same).  A known user and
    an unknown group name the group (test_iam_groups.py::test_add_user_to_unknown_group), an unknown user in a
    known group the user (test_add_unknown_user_to_group)."""
    iam = aws.client("iam")
    add = iam.add_user_to_group
    assert error_of(add, GroupName="non-existent-group", UserName="any-user") == _missing("user", "any-user")
    iam.create_user(UserName="ann")
    assert error_of(add, GroupName="non-existent-group", UserName="ann") == _missing("group", "non-existent-group")
    iam.create_group(GroupName="devs")
    assert error_of(add, GroupName="devs", UserName="non-existent-user") == _missing("user", "non-existent-user")


# ------------------------------------------------------------------------------------------------ access keys
def test_last_used_of_an_unknown_access_key_is_access_denied(aws):
    """test_iam_users.py::TestUserAccessKeys::test_access_key_errors ("get-last-used-nonexistent-key-error"): an
    administrator asking about a key id the account does not have gets AccessDenied, worded without the colon
    after "perform" and naming "access key <id>"."""
    key = user_with_key(aws, "admin", policies=(ADMIN,))
    iam = aws.client_for(key, "iam")
    with pytest.raises(ClientError) as excinfo:
        iam.get_access_key_last_used(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert aws_error(excinfo) == (
        "AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/admin is not authorized to perform "
        "iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE", 403)


def test_update_of_an_unknown_access_key_ends_in_a_full_stop(aws):
    """test_iam_users.py::TestUserAccessKeys::test_access_key_errors ("update-nonexistent-access-key-error",
    recorded 2026-02-11): UpdateAccessKey of a key the user does not have is "The Access Key with id <id> cannot be
    found." with a full stop (DeleteAccessKey's answer keeps versitygw's wording, without one)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    for status in ("Inactive", "Active"):
        with pytest.raises(ClientError) as excinfo:
            iam.update_access_key(UserName="u", AccessKeyId="AKIAIOSFODNN7EXAMPLE", Status=status)
        assert aws_error(excinfo) == (
            "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.", 404)


# ------------------------------------------------------------------------------------------------ password policy
def test_a_policy_set_without_arguments_has_no_hard_expiry(aws):
    """test_iam_account_password_policy.py::test_update_account_password_policy_defaults (exactly these members)
    and ::test_update_account_password_policy_custom_values (all of them once given)."""
    iam = aws.client("iam")
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "AllowUsersToChangePassword": False, "ExpirePasswords": False, "MinimumPasswordLength": 6,
        "RequireLowercaseCharacters": False, "RequireNumbers": False, "RequireSymbols": False,
        "RequireUppercaseCharacters": False}
    iam.update_account_password_policy(
        AllowUsersToChangePassword=True, HardExpiry=True, MaxPasswordAge=60, MinimumPasswordLength=10,
        PasswordReusePrevention=3, RequireLowercaseCharacters=True, RequireNumbers=True, RequireSymbols=True,
        RequireUppercaseCharacters=True)
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "HardExpiry": True, "MaxPasswordAge": 60,
        "MinimumPasswordLength": 10, "PasswordReusePrevention": 3, "RequireLowercaseCharacters": True,
        "RequireNumbers": True, "RequireSymbols": True, "RequireUppercaseCharacters": True}


def test_out_of_range_policy_members_are_reported_in_aws_order_without_values(aws):
    """test_iam_account_password_policy.py::test_update_account_password_policy_validation_errors."""
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.update_account_password_policy(MaxPasswordAge=1096, MinimumPasswordLength=129, PasswordReusePrevention=25)
    assert aws_error(excinfo) == (
        "ValidationError",
        "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must "
        "have value less than or equal to 128; Value at 'passwordReusePrevention' failed to satisfy constraint: "
        "Member must have value less than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: "
        "Member must have value less than or equal to 1095", 400)
    with pytest.raises(ClientError):
        iam.get_account_password_policy()


# ------------------------------------------------------------------------------------------------ credential report
def test_the_report_not_present_error_has_no_message(aws):
    """test_iam_credential_report.py::test_get_credential_report_before_generated: Code and Type, no Message."""
    with pytest.raises(ClientError) as excinfo:
        aws.client("iam").get_credential_report()
    assert excinfo.value.response["Error"] == {"Code": "ReportNotPresent", "Type": "Sender"}
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


# ------------------------------------------------------------------------------------------------ account summary
def test_summary_counts_follow_the_resources_created(aws):
    """test_iam_account_summary.py::test_get_account_summary_with_resources: the recorded deltas after one user,
    group, role, policy attached to the role, instance profile, OIDC and SAML provider, enabled virtual MFA device
    and server certificate (ServerCertificates +1 among them)."""
    iam = aws.client("iam")
    counted = ("AccountPasswordPresent", "Groups", "InstanceProfiles", "MFADevices", "MFADevicesInUse", "Policies",
               "PolicyVersionsInUse", "Providers", "Roles", "ServerCertificates", "Users")
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=EC2_TRUST)
    policy = iam.create_policy(PolicyName="list", PolicyDocument=MOCK_POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="worker", PolicyArn=policy)
    iam.create_instance_profile(InstanceProfileName="worker")
    iam.create_open_id_connect_provider(Url="https://oidc.example.com", ThumbprintList=["a" * 40])
    saml_provider(aws)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann-phone")["VirtualMFADevice"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName="ann", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], now - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], now))
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=private_pem(key))
    after = iam.get_account_summary()["SummaryMap"]
    assert {name: after[name] - before[name] for name in counted} == {
        "AccountPasswordPresent": 0, "Groups": 1, "InstanceProfiles": 1, "MFADevices": 1, "MFADevicesInUse": 1,
        "Policies": 1, "PolicyVersionsInUse": 1, "Providers": 2, "Roles": 1, "ServerCertificates": 1, "Users": 1}


# ------------------------------------------------------------------------------------------------ authorization details
def _details(iam, **kwargs) -> dict:
    return iam.get_paginator("get_account_authorization_details").paginate(**kwargs).build_full_result()


def test_users_and_roles_always_carry_tags_and_users_no_empty_policy_list(aws):
    """test_iam_account_authorization_details.py::test_get_account_authorization_details_no_filter: an untouched
    user has ``Tags: []`` and no ``UserPolicyList``; a group shows ``GroupPolicyList: []``; a role ``Tags: []`` and
    ``RolePolicyList: []``."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=EC2_TRUST)
    details = _details(iam)
    user, = details["UserDetailList"]
    assert {key: value for key, value in user.items() if key not in ("UserId", "CreateDate")} == {
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/ann", "AttachedManagedPolicies": [], "GroupList": [], "Path": "/",
        "Tags": [], "UserName": "ann"}
    group, = details["GroupDetailList"]
    assert group["GroupPolicyList"] == [] and group["AttachedManagedPolicies"] == [] and "Tags" not in group
    role, = details["RoleDetailList"]
    assert (role["Tags"], role["RolePolicyList"], role["InstanceProfileList"], role["RoleLastUsed"]) == ([], [], [], {})


def test_a_user_with_inline_policies_lists_them(aws):
    """test_iam_account_authorization_details.py::test_get_account_authorization_details_with_inline_policies."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.put_user_policy(UserName="ann", PolicyName="user-inline", PolicyDocument=MOCK_POLICY)
    user, = _details(iam, Filter=["User"])["UserDetailList"]
    assert user["UserPolicyList"] == [{"PolicyName": "user-inline", "PolicyDocument": json.loads(MOCK_POLICY)}]
    assert user["Tags"] == []


def test_roles_inside_instance_profiles_go_without_description(aws):
    """test_iam_account_authorization_details.py::test_get_account_authorization_details_filter_role: the role,
    made with a description, appears in its profile's ``Roles`` with path, name, id, ARN, date and trust policy
    only."""
    iam = aws.client("iam")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=EC2_TRUST, Path="/my-path/",
                    Description="testing role")
    iam.tag_role(RoleName="worker", Tags=[{"Key": "somekey", "Value": "somevalue"}])
    iam.create_instance_profile(InstanceProfileName="worker")
    iam.add_role_to_instance_profile(InstanceProfileName="worker", RoleName="worker")
    role, = _details(iam, Filter=["Role"])["RoleDetailList"]
    nested, = role["InstanceProfileList"][0]["Roles"]
    assert sorted(nested) == ["Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"]
    assert role["Tags"] == [{"Key": "somekey", "Value": "somevalue"}]


def test_an_aws_managed_policy_comes_with_its_version_history_and_no_description(aws):
    """test_iam_account_authorization_details.py::test_get_account_authorization_details_filter_aws_managed_policy:
    AmazonS3FullAccess with v2 (default) then v1, and no Description."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.attach_user_policy(UserName="ann", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    policy, = _details(iam, Filter=["AWSManagedPolicy"])["Policies"]
    assert sorted(policy) == ["Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path",
                              "PermissionsBoundaryUsageCount", "PolicyId", "PolicyName", "PolicyVersionList",
                              "UpdateDate"]
    assert [(v["VersionId"], v["IsDefaultVersion"], v["Document"]) for v in policy["PolicyVersionList"]] == [
        ("v2", True, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]}),
        ("v1", False, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    ]
