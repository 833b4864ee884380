"""Managed policies, roles, certificates and credentials as AWS answered them where mockrunner answered otherwise.

Evidence: LocalStack's recordings of real AWS (repository localstack/localstack, tests/aws/services/iam/ and
tests/aws/services/sts/, ``<file>.snapshot.json``; the test and its recording date are named in each docstring).
Names, ids and dates are placeholders there, so only shapes, codes, statuses, wording and order are asserted.
"""
from __future__ import annotations

import json

from tests.iam.helpers import error_of

SAMPLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Statement1", "Effect": "Allow", "Action": ["iam:ListUsers"], "Resource": "*"}]})


def test_list_policies_shows_the_accounts_own_policies_first(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam_policies.py::test_policy_lifecycle,
    10-02-2026: a policy just created is on the first page (100) of ListPolicies without a scope, although more than
    a thousand AWS managed policies exist; the AWS CLI's list-policies example shows a customer managed policy, then
    AdministratorAccess and PowerUserAccess (the AWS managed ones oldest first, as with ``Scope=AWS``)."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="zz-test-policy", PolicyDocument=SAMPLE_POLICY)["Policy"]["Arn"]
    page = iam.list_policies()
    assert page["IsTruncated"] is True and len(page["Policies"]) == 100
    names = [policy["PolicyName"] for policy in page["Policies"]]
    assert names[:3] == ["zz-test-policy", "AdministratorAccess", "PowerUserAccess"]
    assert page["Policies"][0]["Arn"] == arn
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [policy["PolicyName"] for policy in local] == ["zz-test-policy"]
