"""Users, groups, access keys, the password policy, the account summary, the credential report and the account
authorization details, as real AWS answered them.

Evidence: the LocalStack snapshot tests under tests/aws/services/iam/ (their ``.snapshot.json`` files were recorded
against AWS); each test names its file and test.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import aws_error


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
