"""IAM instance profiles through boto3, in both modes: lifecycle, one role, conflicts, tags, paging, authz."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key

EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def test_lifecycle_with_a_role(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=EC2_TRUST)
    created = iam.create_instance_profile(InstanceProfileName="web-profile", Path="/app/")["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web-profile"
    assert created["InstanceProfileId"].startswith("AIPA") and len(created["InstanceProfileId"]) == 21
    assert created["Roles"] == [] and created["Path"] == "/app/"
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    got = iam.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    assert [role["RoleName"] for role in got["Roles"]] == ["web"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    for_role = iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"]
    assert [profile["InstanceProfileName"] for profile in for_role] == ["web-profile"]
    details = iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
    assert [p["InstanceProfileName"] for p in details[0]["InstanceProfileList"]] == ["web-profile"]

    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="web")
    assert aws_error(excinfo) == ("DeleteConflict",
                                  "Cannot delete entity, must remove roles from instance profile first.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_instance_profile(InstanceProfileName="web-profile")
    assert aws_error(excinfo) == ("DeleteConflict",
                                  "Cannot delete entity, must remove roles from instance profile first.", 409)
    iam.remove_role_from_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    assert iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"] == []
    iam.delete_role(RoleName="web")
    iam.delete_instance_profile(InstanceProfileName="web-profile")
    with pytest.raises(ClientError) as excinfo:
        iam.get_instance_profile(InstanceProfileName="web-profile")
    assert aws_error(excinfo) == ("NoSuchEntity", "Instance Profile web-profile cannot be found.", 404)


def test_one_role_per_profile_and_errors(aws):
    iam = aws.client("iam")
    for name in ("a", "b"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="p")
    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName="P")
    assert aws_error(excinfo) == ("EntityAlreadyExists", "Instance Profile P already exists.", 409)
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="a")
    for role in ("a", "b"):
        with pytest.raises(ClientError) as excinfo:
            iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName=role)
        assert aws_error(excinfo) == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
                                      409)
    with pytest.raises(ClientError) as excinfo:
        iam.remove_role_from_instance_profile(InstanceProfileName="p", RoleName="b")
    assert aws_error(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="nobody")
    assert aws_error(excinfo) == ("NoSuchEntity", "The role with name nobody cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName="bad name")
    assert aws_error(excinfo)[0] == "ValidationError"


def test_listing_pages_and_path_prefix(aws):
    iam = aws.client("iam")
    for index in range(5):
        iam.create_instance_profile(InstanceProfileName=f"p{index}", Path="/x/" if index % 2 else "/")
    first = iam.list_instance_profiles(MaxItems=2)
    assert [p["InstanceProfileName"] for p in first["InstanceProfiles"]] == ["p0", "p1"] and first["IsTruncated"]
    rest = iam.list_instance_profiles(Marker=first["Marker"])
    assert [p["InstanceProfileName"] for p in rest["InstanceProfiles"]] == ["p2", "p3", "p4"]
    assert not rest["IsTruncated"]
    under_x = iam.list_instance_profiles(PathPrefix="/x/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in under_x] == ["p1", "p3"]


def test_tags_keep_their_case_and_are_limited(aws):
    """An instance profile's tag keys keep their case (AWS folds case on users and roles only); 50 at most."""
    iam = aws.client("iam")
    iam.create_instance_profile(InstanceProfileName="p", Tags=[{"Key": "Team", "Value": "a"}])
    iam.tag_instance_profile(InstanceProfileName="p", Tags=[{"Key": "team", "Value": "b"}])
    assert iam.list_instance_profile_tags(InstanceProfileName="p")["Tags"] == [
        {"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    with pytest.raises(ClientError) as excinfo:
        iam.tag_instance_profile(InstanceProfileName="p", Tags=[{"Key": "x", "Value": "1"}, {"Key": "x", "Value": "2"}])
    assert aws_error(excinfo) == ("InvalidInput", "Duplicate tag keys found.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.tag_instance_profile(InstanceProfileName="p", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert aws_error(excinfo) == ("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
    iam.untag_instance_profile(InstanceProfileName="p", TagKeys=["TEAM", "Team"])
    assert iam.list_instance_profile_tags(InstanceProfileName="p")["Tags"] == [{"Key": "team", "Value": "b"}]


def test_authorized_on_the_profile_arn_with_tags_and_pass_role(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="mine", Tags=[{"Key": "owner", "Value": "alice"}])
    iam.create_instance_profile(InstanceProfileName="theirs", Tags=[{"Key": "owner", "Value": "bob"}])
    policy = doc(allow(["iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"],
                       f"arn:aws:iam::{ACCOUNT}:instance-profile/*",
                       Condition={"StringEquals": {"aws:ResourceTag/owner": "alice"}}),
                 allow("iam:CreateInstanceProfile", "*", Condition={"StringEquals": {"aws:RequestTag/owner": "alice"}}))
    key = user_with_key(aws, "alice", inline={"p": policy})
    alice = aws.client_for(key, "iam")
    alice.get_instance_profile(InstanceProfileName="mine")
    with pytest.raises(ClientError) as excinfo:
        alice.get_instance_profile(InstanceProfileName="theirs")
    assert aws_error(excinfo)[0] == "AccessDenied"
    assert "instance-profile/theirs" in aws_error(excinfo)[1]
    # Creating with tags is tagging too: iam:TagInstanceProfile on the new profile.
    with pytest.raises(ClientError) as excinfo:
        alice.create_instance_profile(InstanceProfileName="new", Tags=[{"Key": "owner", "Value": "alice"}])
    assert "iam:TagInstanceProfile on resource: arn:aws:iam::123456789012:instance-profile/new" in (
        aws_error(excinfo)[1])
    iam.put_user_policy(UserName="alice", PolicyName="tag", PolicyDocument=doc(allow(
        "iam:TagInstanceProfile", "*", Condition={"StringEquals": {"aws:RequestTag/owner": "alice"}})))
    alice.create_instance_profile(InstanceProfileName="new", Tags=[{"Key": "owner", "Value": "alice"}])
    with pytest.raises(ClientError) as excinfo:
        alice.create_instance_profile(InstanceProfileName="untagged")
    assert aws_error(excinfo)[0] == "AccessDenied"
    # Adding a role passes it: without iam:PassRole on the role the call is denied and nothing changes.
    with pytest.raises(ClientError) as excinfo:
        alice.add_role_to_instance_profile(InstanceProfileName="mine", RoleName="web")
    assert aws_error(excinfo)[0] == "AccessDenied" and "iam:PassRole" in aws_error(excinfo)[1]
    assert iam.get_instance_profile(InstanceProfileName="mine")["InstanceProfile"]["Roles"] == []
    iam.put_user_policy(UserName="alice", PolicyName="pass",
                        PolicyDocument=doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/web")))
    alice.add_role_to_instance_profile(InstanceProfileName="mine", RoleName="web")


def test_survives_export_and_import(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="p", Tags=[{"Key": "k", "Value": "v"}])
    iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="web")
    before = iam.get_instance_profile(InstanceProfileName="p")["InstanceProfile"]
    snapshot.import_state(aws.store, snapshot.export_state(aws.store))
    assert iam.get_instance_profile(InstanceProfileName="p")["InstanceProfile"] == before
