"""Listings page through everything, in order, and see every change at once (pages come from kept views)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, allow, doc, trust


def _all(call, key: str, **params) -> list[dict]:
    """Every item of a Marker/MaxItems listing, three at a time."""
    items, marker = [], None
    while True:
        page = call(MaxItems=3, **params, **({"Marker": marker} if marker else {}))
        items += page[key]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            return items
        assert len(page[key]) == 3
        marker = page["Marker"]


def test_users_roles_groups_page_in_name_order_and_follow_changes(aws):
    iam = aws.client("iam")
    names = ["b", "A", "c", "D", "e", "F", "g"]
    for name in names:
        iam.create_user(UserName=name, Path="/team/" if name in "Ab" else "/")
        iam.create_group(GroupName=name)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    expected = sorted(names, key=str.lower)
    assert [u["UserName"] for u in _all(iam.list_users, "Users")] == expected
    assert [g["GroupName"] for g in _all(iam.list_groups, "Groups")] == expected
    roles = _all(iam.list_roles, "Roles")
    assert [r["RoleName"] for r in roles] == expected
    assert roles[0]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert [u["UserName"] for u in _all(iam.list_users, "Users", PathPrefix="/team/")] == ["A", "b"]
    # Every change shows in the next listing.
    iam.create_user(UserName="Aa")
    iam.update_user(UserName="g", NewUserName="h", NewPath="/team/")
    iam.delete_group(GroupName="c")
    iam.update_assume_role_policy(RoleName="A", PolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/Aa"))
    assert [u["UserName"] for u in _all(iam.list_users, "Users")] == ["A", "Aa", "b", "c", "D", "e", "F", "h"]
    assert [u["UserName"] for u in _all(iam.list_users, "Users", PathPrefix="/team/")] == ["A", "b", "h"]
    assert "c" not in [g["GroupName"] for g in _all(iam.list_groups, "Groups")]
    first = iam.list_roles(MaxItems=1)["Roles"][0]
    assert first["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:user/Aa"}


def test_policies_page_and_follow_attachments(aws):
    iam = aws.client("iam")
    arns = [iam.create_policy(PolicyName=f"p{index}", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
            for index in range(5)]
    assert [p["PolicyName"] for p in _all(iam.list_policies, "Policies", Scope="Local")] == [
        f"p{index}" for index in range(5)]
    assert _all(iam.list_policies, "Policies", Scope="Local", OnlyAttached=True) == []
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=arns[2])
    attached = _all(iam.list_policies, "Policies", Scope="Local", OnlyAttached=True)
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("p2", 1)]
    iam.detach_user_policy(UserName="u", PolicyArn=arns[2])
    iam.delete_policy(PolicyArn=arns[0])
    assert _all(iam.list_policies, "Policies", Scope="Local", OnlyAttached=True) == []
    assert [p["PolicyName"] for p in _all(iam.list_policies, "Policies", Scope="Local")] == ["p1", "p2", "p3", "p4"]


def test_aws_managed_policies_page_through_all(aws):
    iam = aws.client("iam")
    names, marker = [], None
    while True:
        page = iam.list_policies(Scope="AWS", MaxItems=1000, **({"Marker": marker} if marker else {}))
        names += [p["PolicyName"] for p in page["Policies"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert len(names) == len(set(names)) > 1000
    # Oldest first, as AWS lists them (recorded from AWS: LocalStack snapshot test_iam_managed_policies.snapshot.json;
    # this test expected them by name before).
    assert names[:3] == ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("ReadOnlyAccess", 1)]


def test_access_keys_and_group_members_follow_changes(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="k")
    first = iam.create_access_key(UserName="k")["AccessKey"]["AccessKeyId"]
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="k")["AccessKeyMetadata"]] == [first]
    second = iam.create_access_key(UserName="k")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="k", AccessKeyId=first, Status="Inactive")
    listed = iam.list_access_keys(UserName="k")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(first, "Inactive"), (second, "Active")]
    iam.create_group(GroupName="grp")
    for name in ("m1", "m2", "m3", "m4"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="grp", UserName=name)
    page = iam.get_group(GroupName="grp", MaxItems=3)
    assert [u["UserName"] for u in page["Users"]] == ["m1", "m2", "m3"] and page["IsTruncated"]
    rest = iam.get_group(GroupName="grp", MaxItems=3, Marker=page["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["m4"] and not rest["IsTruncated"]
    with pytest.raises(ClientError) as excinfo:
        iam.list_users(Marker="99999")
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"


def test_entities_for_policy_page_as_one_list_and_filter_by_usage_and_path(aws):
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
    for name in ("u1", "u2", "u3"):
        iam.create_user(UserName=name, Path="/team/" if name == "u2" else "/")
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    iam.create_group(GroupName="g1")
    iam.attach_group_policy(GroupName="g1", PolicyArn=arn)
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName="r1", PolicyArn=arn)
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                    PermissionsBoundary=arn)

    def names(**params) -> list[str]:
        seen, marker = [], None
        while True:
            page = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2, **params,
                                                **({"Marker": marker} if marker else {}))
            assert sum(len(page[key]) for key in ("PolicyGroups", "PolicyUsers", "PolicyRoles")) <= 2
            seen += [item.get("GroupName") or item.get("UserName") or item["RoleName"]
                     for key in ("PolicyGroups", "PolicyUsers", "PolicyRoles") for item in page[key]]
            if not page["IsTruncated"]:
                return seen
            marker = page["Marker"]

    assert names() == ["g1", "u1", "u2", "u3", "bounded", "r1"]
    assert names(PolicyUsageFilter="PermissionsPolicy") == ["g1", "u1", "u2", "u3", "r1"]
    assert names(PolicyUsageFilter="PermissionsBoundary") == ["bounded"]
    assert names(EntityFilter="User", PathPrefix="/team/") == ["u2"]
    assert names(EntityFilter="Role") == ["bounded", "r1"]
