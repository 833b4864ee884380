"""Login profiles, ChangePassword and the account password policy through boto3, in both modes."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, aws_error, user_with_key

GOOD = "Correct-Horse-9"
VIOLATION = ("PasswordPolicyViolation", "Password does not conform to the account password policy.", 400)


def test_login_profile_lifecycle(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    created = iam.create_login_profile(UserName="ann", Password=GOOD, PasswordResetRequired=True)["LoginProfile"]
    assert created["UserName"] == "ann" and created["PasswordResetRequired"] is True and created["CreateDate"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="ann", Password=GOOD)
    assert aws_error(excinfo) == ("EntityAlreadyExists", "Login Profile for user ann already exists.", 409)
    iam.update_login_profile(UserName="ann", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="ann")["LoginProfile"]["PasswordResetRequired"] is False
    # No console sign-in happens here, so the user never has a PasswordLastUsed.
    assert "PasswordLastUsed" not in iam.get_user(UserName="ann")["User"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="ann")
    assert aws_error(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete login profile first.", 409)
    iam.delete_login_profile(UserName="ann")
    with pytest.raises(ClientError) as excinfo:
        iam.get_login_profile(UserName="ann")
    assert aws_error(excinfo) == ("NoSuchEntity", "Login Profile for User ann cannot be found.", 404)
    iam.delete_user(UserName="ann")
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="ann", Password=GOOD)
    assert aws_error(excinfo) == ("NoSuchEntity", "The user with name ann cannot be found.", 404)


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowerand123", "ALLUPPER!!!"])
def test_the_default_policy_wants_eight_characters_of_three_kinds(aws, password):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="ann", Password=password)
    assert aws_error(excinfo) == VIOLATION
    assert "ann" not in aws.store.accounts[ACCOUNT].iam.login_profiles


def test_the_account_policy_is_enforced_and_replaced_whole(aws):
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_password_policy()
    assert aws_error(excinfo) == ("NoSuchEntity", f"The Password Policy with domain name {ACCOUNT} cannot be found.",
                                  404)
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True, MaxPasswordAge=90,
                                       PasswordReusePrevention=2)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireSymbols"] is True
    assert policy["ExpirePasswords"] is True and policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 2 and policy["RequireNumbers"] is False
    iam.create_user(UserName="ann")
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName="ann", Password="longbutnosymbol")
    assert aws_error(excinfo) == VIOLATION
    iam.create_login_profile(UserName="ann", Password="long-with-symbol")
    # Reuse prevention: the current and the previous password cannot come back.
    iam.update_login_profile(UserName="ann", Password="second-password!")
    with pytest.raises(ClientError) as excinfo:
        iam.update_login_profile(UserName="ann", Password="long-with-symbol")
    assert aws_error(excinfo)[0] == "PasswordPolicyViolation"
    # A policy update replaces the whole policy (omitted members go back to IAM's defaults).
    iam.update_account_password_policy(RequireNumbers=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireSymbols"] is False
    assert policy["ExpirePasswords"] is False and "MaxPasswordAge" not in policy
    with pytest.raises(ClientError) as excinfo:
        iam.update_account_password_policy(MinimumPasswordLength=129)
    assert aws_error(excinfo)[0] == "ValidationError"
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_password_policy()
    assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_change_password_checks_the_old_one_and_the_policy(aws):
    iam = aws.client("iam")
    key = user_with_key(aws, "ann")
    iam.create_login_profile(UserName="ann", Password=GOOD, PasswordResetRequired=True)
    ann = aws.client_for(key, "iam")
    # Without a permission (and no AllowUsersToChangePassword) the user cannot change it.
    with pytest.raises(ClientError) as excinfo:
        ann.change_password(OldPassword=GOOD, NewPassword="Another-Pass-1")
    assert aws_error(excinfo)[0] == "AccessDenied"
    assert f"arn:aws:iam::{ACCOUNT}:user/ann" in aws_error(excinfo)[1]
    iam.update_account_password_policy(AllowUsersToChangePassword=True, MinimumPasswordLength=10)
    assert ann.get_account_password_policy()["PasswordPolicy"]["AllowUsersToChangePassword"] is True
    with pytest.raises(ClientError) as excinfo:
        ann.change_password(OldPassword="wrong-password", NewPassword="Another-Pass-1")
    assert aws_error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        ann.change_password(OldPassword=GOOD, NewPassword="short")
    assert aws_error(excinfo) == VIOLATION
    ann.change_password(OldPassword=GOOD, NewPassword="Another-Pass-1")
    assert iam.get_login_profile(UserName="ann")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(ClientError) as excinfo:
        ann.change_password(OldPassword=GOOD, NewPassword="Third-Pass-22")
    assert aws_error(excinfo)[0] == "AccessDenied"
    # The root is no IAM user: ChangePassword is for users only.
    with pytest.raises(ClientError) as excinfo:
        iam.change_password(OldPassword=GOOD, NewPassword="Another-Pass-1")
    assert aws_error(excinfo)[0] == "InvalidUserType"


def test_rename_carries_the_profile_and_export_import_keeps_it(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    iam.create_login_profile(UserName="ann", Password=GOOD)
    iam.update_account_password_policy(MinimumPasswordLength=9)
    iam.update_user(UserName="ann", NewUserName="anne")
    assert iam.get_login_profile(UserName="anne")["LoginProfile"]["UserName"] == "anne"
    snapshot.import_state(aws.store, snapshot.export_state(aws.store))
    assert iam.get_login_profile(UserName="anne")["LoginProfile"]["UserName"] == "anne"
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 9


def test_get_login_profile_answers_whole_seconds_where_create_keeps_milliseconds(aws):
    """botocore's examples: CreateLoginProfile ``2015-03-10T20:55:40.274Z``, GetLoginProfile
    ``2012-09-21T23:03:39Z``, the pattern of IAM's other creates and reads ("IAM reads answer CreateDate in whole
    seconds" in docs/behaviour.md)."""
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    aws.store.clock.advance((1_500_000 - aws.store.clock.now().microsecond) % 1_000_000 / 1e6)  # to x.5 s
    created = iam.create_login_profile(UserName="ann", Password=GOOD)["LoginProfile"]["CreateDate"]
    assert created.microsecond != 0
    assert iam.get_login_profile(UserName="ann")["LoginProfile"]["CreateDate"] == created.replace(microsecond=0)
