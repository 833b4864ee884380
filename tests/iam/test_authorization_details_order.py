"""The order of GetAccountAuthorizationDetails' lists: by name, case-insensitively, whatever the creation order (AWS
CLI's get-account-authorization-details example lists ``create-update-delete-set-managed-policies`` before the
older ``S3-read-only-specific-bucket``)."""
from __future__ import annotations

from tests.iam.helpers import allow, doc, trust

NAMES = ["S3-read-only-specific-bucket", "create-update-delete-set-managed-policies", "Zeta", "alpha"]
"""Created in this order; listed as ``sorted(NAMES, key=str.lower)``."""


def _all(iam, **params) -> dict[str, list[dict]]:
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(**params))
    return {key: [item for page in pages for item in page[key]]
            for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")}


def test_every_list_is_in_case_insensitive_name_order_not_creation_order(aws):
    iam = aws.client("iam")
    for name in NAMES:
        iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:ListAllMyBuckets")))
        iam.create_user(UserName=name)
        iam.create_group(GroupName=name)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust("arn:aws:iam::123456789012:root"))
    expected = sorted(NAMES, key=str.lower)
    whole = _all(iam)
    assert [user["UserName"] for user in whole["UserDetailList"]] == expected
    assert [group["GroupName"] for group in whole["GroupDetailList"]] == expected
    assert [role["RoleName"] for role in whole["RoleDetailList"]] == expected
    assert [policy["PolicyName"] for policy in whole["Policies"]] == expected
    # Pages of one item walk the same order, the lists one after the other.
    assert _all(iam, PaginationConfig={"PageSize": 1}) == whole
    assert [policy["PolicyName"] for policy in _all(iam, Filter=["LocalManagedPolicy"], PaginationConfig={
        "PageSize": 3})["Policies"]] == expected


def test_aws_managed_policies_in_use_are_in_name_order_among_themselves(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    for name in ("ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess"):
        iam.attach_user_policy(UserName="ann", PolicyArn=f"arn:aws:iam::aws:policy/{name}")
    assert [policy["PolicyName"] for policy in _all(iam, Filter=["AWSManagedPolicy"])["Policies"]] == [
        "AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess", "ReadOnlyAccess"]
