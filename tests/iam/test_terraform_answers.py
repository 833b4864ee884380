"""IAM answers terraform-provider-aws depends on (repository hashicorp/terraform-provider-aws,
internal/service/iam/): its acceptance tests run against AWS, and its code retries on or matches AWS's exact
error codes and texts, so a different answer makes Terraform fail, hang or retry for minutes.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, aws_error, trust


def _error(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return aws_error(excinfo)


def _invalid_principal(arn: str) -> tuple[str, str, int]:
    return "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"', 400


def test_a_trust_policy_naming_a_missing_user_or_role_is_refused(aws):
    """role.go retries CreateRole and UpdateAssumeRolePolicy while the answer is MalformedPolicyDocument
    "Invalid principal in policy" (a principal created just before is still propagating): IAM resolves each user
    or role ARN when it stores a trust policy.  Wording as AWS answers CreateRole (opstrace/opstrace#88,
    aws/aws-cdk#26482) and UpdateAssumeRolePolicy (aws-actions/configure-aws-credentials#332)."""
    iam = aws.client("iam")
    missing_role, missing_user = f"arn:aws:iam::{ACCOUNT}:role/ci", f"arn:aws:iam::{ACCOUNT}:user/team/ann"
    assert _error(iam.create_role, RoleName="deploy", AssumeRolePolicyDocument=trust(missing_role)) == (
        _invalid_principal(missing_role))
    assert _error(iam.create_role, RoleName="deploy",
                  AssumeRolePolicyDocument=trust([f"arn:aws:iam::{ACCOUNT}:root", missing_user])) == (
        _invalid_principal(missing_user))
    # A role cannot trust itself by ARN before it exists.
    own = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    assert _error(iam.create_role, RoleName="deploy", AssumeRolePolicyDocument=trust(own)) == _invalid_principal(own)
    assert iam.list_roles()["Roles"] == []
    iam.create_user(UserName="ann", Path="/team/")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust(missing_user))
    assert _error(iam.update_assume_role_policy, RoleName="deploy", PolicyDocument=trust(missing_role)) == (
        _invalid_principal(missing_role))
    stored = iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"]
    assert stored["Statement"][0]["Principal"] == {"AWS": missing_user}, "a refused update changes nothing"
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(own))
    # Accounts this mockrunner does not hold cannot be checked.
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust("arn:aws:iam::999999999999:role/x"))
