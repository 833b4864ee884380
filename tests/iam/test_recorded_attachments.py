"""AWS managed policies attached to roles and groups, as AWS answered it.

Evidence: LocalStack's recordings of real AWS (repository localstack/localstack, tests/aws/services/iam/):
test_iam_roles, test_iam_groups and test_iam_managed_policies (``.snapshot.json``, recorded in February 2026).
Names and ids are placeholders there, so only members, codes, statuses and wording are asserted.
"""
from __future__ import annotations

import json

from tests.iam.helpers import error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
EMR_ROLE = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole"
CONTROL_TOWER = "arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"
EMR_EC2_ROLE = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role"


def _attached(listing: dict) -> set[tuple[str, str]]:
    assert listing["IsTruncated"] is False
    return {(entry["PolicyName"], entry["PolicyArn"]) for entry in listing["AttachedPolicies"]}


def _only_attached(iam) -> dict[str, int]:
    return {policy["PolicyName"]: policy["AttachmentCount"]
            for policy in iam.list_policies(OnlyAttached=True)["Policies"]}


def test_aws_managed_policies_attach_to_a_role_and_detach_once(aws):
    """test_iam_roles.py::TestRoleManagedPolicies::test_attach_detach_aws_managed_policy_role (16 Feb 2026) and
    test_iam_managed_policies.py::TestListPoliciesScope::test_list_policies_only_attached (24 Feb 2026): two
    service-role policies listed with their paths, OnlyAttached lists exactly the attached ones with a positive
    AttachmentCount, and a second detach (or one of a policy that does not exist) is "Policy <arn> was not
    found." (404)."""
    iam = aws.client("iam")
    iam.create_role(RoleName="emr", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="emr", PolicyArn=EMR_ROLE)
    iam.attach_role_policy(RoleName="emr", PolicyArn=CONTROL_TOWER)
    assert _attached(iam.list_attached_role_policies(RoleName="emr")) == {
        ("AmazonElasticMapReduceRole", EMR_ROLE), ("AWSControlTowerServiceRolePolicy", CONTROL_TOWER)}
    assert _only_attached(iam) == {"AmazonElasticMapReduceRole": 1, "AWSControlTowerServiceRolePolicy": 1}
    iam.detach_role_policy(RoleName="emr", PolicyArn=EMR_ROLE)
    assert _attached(iam.list_attached_role_policies(RoleName="emr")) == {
        ("AWSControlTowerServiceRolePolicy", CONTROL_TOWER)}
    assert _only_attached(iam) == {"AWSControlTowerServiceRolePolicy": 1}
    assert error_of(iam.detach_role_policy, RoleName="emr", PolicyArn=EMR_ROLE) == (
        "NoSuchEntity", f"Policy {EMR_ROLE} was not found.", 404)
    missing = "arn:aws:iam::aws:policy/Nonexistent"
    assert error_of(iam.detach_role_policy, RoleName="emr", PolicyArn=missing) == (
        "NoSuchEntity", f"Policy {missing} was not found.", 404)


def test_an_aws_managed_policy_attaches_to_a_group_and_detaches(aws):
    """test_iam_groups.py::TestIAMGroupsPolicies::test_attach_detach_aws_managed_policy_group (13 Feb 2026)."""
    iam = aws.client("iam")
    iam.create_group(GroupName="emr-hosts")
    assert _attached(iam.list_attached_group_policies(GroupName="emr-hosts")) == set()
    iam.attach_group_policy(GroupName="emr-hosts", PolicyArn=EMR_EC2_ROLE)
    assert _attached(iam.list_attached_group_policies(GroupName="emr-hosts")) == {
        ("AmazonElasticMapReduceforEC2Role", EMR_EC2_ROLE)}
    iam.detach_group_policy(GroupName="emr-hosts", PolicyArn=EMR_EC2_ROLE)
    assert _attached(iam.list_attached_group_policies(GroupName="emr-hosts")) == set()


def test_a_path_prefix_no_role_has_lists_nothing(aws):
    """test_iam_roles.py::TestRoleLifecycle::test_list_roles_path_prefix (11 Feb 2026): the prefix selects the
    role under it (with MaxSessionDuration, without RoleLastUsed), and a prefix no role has answers an empty,
    untruncated list."""
    iam = aws.client("iam")
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName="nested", Path="/team-a/", AssumeRolePolicyDocument=TRUST)
    selected = iam.list_roles(PathPrefix="/team-a/")
    assert selected["IsTruncated"] is False
    assert [(role["RoleName"], role["Path"]) for role in selected["Roles"]] == [("nested", "/team-a/")]
    assert "MaxSessionDuration" in selected["Roles"][0] and "RoleLastUsed" not in selected["Roles"][0]
    empty = iam.list_roles(PathPrefix="/team-b/")
    assert (empty["Roles"], empty["IsTruncated"]) == ([], False)
