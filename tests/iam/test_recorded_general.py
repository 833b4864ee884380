"""IAM answers recorded from AWS in LocalStack's general test file tests/aws/services/iam/test_iam.py (its
``markers.aws.validated`` tests ran against AWS, so their exact assertions are AWS's answers)."""
from __future__ import annotations

import json

from tests.iam.helpers import ACCOUNT

GET_USER_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "sgetuser", "Effect": "Allow", "Action": ["iam:GetUser"], "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_permissions_boundary_type_is_policy(aws):
    """Recorded from AWS: LocalStack tests/aws/services/iam/test_iam.py, tests test_create_user_with_permission_boundary
    and test_create_user_add_permission_boundary_afterwards: ``{"PermissionsBoundaryArn": <arn>,
    "PermissionsBoundaryType": "Policy"}`` from CreateUser and GetUser, gone after DeleteUserPermissionsBoundary.
    Roles carry the same member (test_list_roles_with_permission_boundary puts one on a role)."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="policy-1", PolicyDocument=GET_USER_POLICY)["Policy"]["Arn"]
    expected = {"PermissionsBoundaryArn": arn, "PermissionsBoundaryType": "Policy"}
    assert iam.create_user(UserName="bounded", PermissionsBoundary=arn)["User"]["PermissionsBoundary"] == expected
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"] == expected
    iam.create_user(UserName="later")
    iam.put_user_permissions_boundary(UserName="later", PermissionsBoundary=arn)
    assert iam.get_user(UserName="later")["User"]["PermissionsBoundary"] == expected
    iam.delete_user_permissions_boundary(UserName="later")
    assert "PermissionsBoundary" not in iam.get_user(UserName="later")["User"]
    iam.create_role(RoleName="role-1", AssumeRolePolicyDocument=TRUST, Path="/p/")
    iam.put_role_permissions_boundary(RoleName="role-1", PermissionsBoundary=arn)
    assert iam.get_role(RoleName="role-1")["Role"]["PermissionsBoundary"] == expected
    # ListRoles leaves the boundary out (the recorded list_roles_result has no PermissionsBoundary).
    listed = iam.list_roles(PathPrefix="/p/")["Roles"]
    assert [role["Arn"] for role in listed] == [f"arn:aws:iam::{ACCOUNT}:role/p/role-1"]
    assert "PermissionsBoundary" not in listed[0]
