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


# ------------------------------------------------------------------------------ service-specific credentials
def test_an_unsupported_service_is_no_such_entity(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam.py::
    test_create_service_specific_credential_invalid_service (2025-03-06) and
    test_list_service_specific_credential_different_service (2026-03-05): ``NoSuchEntity`` (404), not the API
    reference's ``NotSupportedService``, for a made-up, a malformed and an existing but unsupported service name; an
    unknown user is named first."""
    iam = aws.client("iam")
    assert error_of(iam.create_service_specific_credential, UserName="non-existent-user",
                    ServiceName="nonexistentservice.amazonaws.com") == (
        "NoSuchEntity", "The user with name non-existent-user cannot be found.", 404)
    iam.create_user(UserName="u")
    for name in ("nonexistentservice.amazonaws.com", "o3on3n3onosneo", "lambda.amazonaws.com"):
        assert error_of(iam.create_service_specific_credential, UserName="u", ServiceName=name) == (
            "NoSuchEntity", f"No such service {name} is supported for Service Specific Credentials", 404)
    assert error_of(iam.list_service_specific_credentials, UserName="u",
                    ServiceName="nonexistentservice.amazonaws.com") == (
        "NoSuchEntity", "No such service nonexistentservice.amazonaws.com is supported for Service Specific "
                        "Credentials", 404)
    assert iam.list_users()["Users"][0]["UserName"] == "u"
    assert iam.list_service_specific_credentials(UserName="u")["ServiceSpecificCredentials"] == []


def test_credential_id_and_status_are_not_echoed(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam.py::test_user_match_id_mismatch and
    test_invalid_update_parameters (2025-03-06): an id breaking ``[\\w]+`` and a status outside the enum are reported
    without their values, and the status without the value set."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    credential_id = iam.create_service_specific_credential(UserName="u", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    bad_id = ("ValidationError", "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to "
                                 "satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", 400)
    wrong = "totally-wrong-credential-id-with-hyphens"
    assert error_of(iam.update_service_specific_credential, UserName="u", ServiceSpecificCredentialId=wrong,
                    Status="Inactive") == bad_id
    assert error_of(iam.reset_service_specific_credential, UserName="u", ServiceSpecificCredentialId=wrong) == bad_id
    assert error_of(iam.delete_service_specific_credential, UserName="u", ServiceSpecificCredentialId=wrong) == bad_id
    assert error_of(iam.update_service_specific_credential, ServiceSpecificCredentialId=credential_id,
                    Status="Invalid") == (
        "ValidationError", "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must "
                           "satisfy enum value set", 400)
    listed = iam.list_service_specific_credentials(UserName="u")["ServiceSpecificCredentials"]
    assert [credential["Status"] for credential in listed] == ["Active"]


def test_a_user_with_credentials_needs_its_referenced_objects_removed(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam.py::
    test_delete_user_after_service_credential_created (2026-02-24)."""
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    iam.create_service_specific_credential(UserName="u", ServiceName="codecommit.amazonaws.com")
    assert error_of(iam.delete_user, UserName="u") == (
        "DeleteConflict", "Cannot delete entity, must remove referenced objects first.", 409)
    assert iam.get_user(UserName="u")["User"]["UserName"] == "u"


# ------------------------------------------------------------------------------ service-linked roles
def test_a_service_linked_role_trusts_its_service_in_plain_strings(aws):
    """LocalStack's recording of real AWS, tests/aws/services/iam/test_iam.py::test_service_role_lifecycle_custom_suffix
    and test_service_role_lifecycle (2025-03-13): GetRole of a role CreateServiceLinkedRole just made shows
    ``"Action": "sts:AssumeRole"`` and ``"Service": "<service>"``; the CreateServiceLinkedRole answer itself keeps
    the one-element lists real create-service-linked-role outputs show."""
    iam = aws.client("iam")
    service = "autoscaling.amazonaws.com"
    created = iam.create_service_linked_role(AWSServiceName=service, CustomSuffix="abc123")["Role"]
    assert created["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [service]}}]
    plain = {"Version": "2012-10-17", "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}]}
    got = iam.get_role(RoleName="AWSServiceRoleForAutoScaling_abc123")["Role"]
    assert got["AssumeRolePolicyDocument"] == plain
    assert got["Path"] == f"/aws-service-role/{service}/" and got["MaxSessionDuration"] == 3600
    assert [role["AssumeRolePolicyDocument"] for role in iam.list_roles()["Roles"]] == [plain]
    assert iam.list_attached_role_policies(RoleName=got["RoleName"])["AttachedPolicies"] == [
        {"PolicyName": "AutoScalingServiceRolePolicy",
         "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"}]
    assert error_of(iam.create_service_linked_role, AWSServiceName="batch.amazonaws.com",
                    CustomSuffix="testsuffix") == (
        "InvalidInput", "Custom suffix is not allowed for batch.amazonaws.com", 400)
