"""STS sessions with MFA (GetSessionToken / AssumeRole ``SerialNumber`` + ``TokenCode``), in both modes.

Codes come from the reference RFC 6238 implementation of ``test_mfa_devices``; the policies test the MFA keys
(``aws:MultiFactorAuthPresent``, ``aws:MultiFactorAuthAge``) the sessions carry.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key
from tests.iam.keys_and_codes import current_step, totp

UNKNOWN_DEVICE = ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
                  "your MFA serial number is valid and associated with this user.", 403)
INVALID_CODE = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ", 403)
MFA_ONLY = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def user_with_device(aws, name: str, **policies) -> tuple[dict, str, bytes]:
    """A user with an access key and an enabled virtual MFA device: (key, serial, seed); IAM took the codes of the
    two previous time steps (which STS still takes once: its record of used codes is its own)."""
    key = user_with_key(aws, name, **policies)
    iam = aws.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=totp(seed, now - 2),
                          AuthenticationCode2=totp(seed, now - 1))
    return key, serial, seed


def test_get_session_token_with_a_current_code_opens_an_mfa_session(aws):
    mfa_only = doc(allow("iam:ListUsers", Condition=MFA_ONLY))
    key, serial, seed = user_with_device(aws, "ann", inline={"mfa-only": mfa_only})
    sts = aws.client_for(key, "sts")
    plain = sts.get_session_token()["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(plain, "iam").list_users()
    assert aws_error(excinfo)[0] == "InvalidClientTokenId"  # IAM refuses sessions without MFA
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "iam").list_users()
    assert aws_error(excinfo)[0] == "AccessDenied"  # long-term keys carry no MFA

    creds = sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, current_step(aws)))["Credentials"]
    users = aws.client_for(creds, "iam").list_users()["Users"]
    assert [user["UserName"] for user in users] == ["ann"]


def test_wrong_reused_and_foreign_codes_are_refused(aws):
    key, serial, seed = user_with_device(aws, "ann")
    sts = aws.client_for(key, "sts")
    now = current_step(aws)
    # The window: two steps either side of now - 1 (the drift enabling with now - 2 and now - 1 measured).
    for token in (totp(seed, now - 4), totp(seed, now + 3), "000000" if totp(seed, now) != "000000" else "111111"):
        with pytest.raises(ClientError) as excinfo:
            sts.get_session_token(SerialNumber=serial, TokenCode=token)
        assert aws_error(excinfo) == INVALID_CODE
    sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, now))
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, now))  # each code once
    assert aws_error(excinfo) == INVALID_CODE

    bob = user_with_key(aws, "bob")
    for params in ({"SerialNumber": serial, "TokenCode": totp(seed, now + 1)},  # ann's device
                   {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/nobody", "TokenCode": "123456"},
                   {"SerialNumber": serial}):
        with pytest.raises(ClientError) as excinfo:
            aws.client_for(bob, "sts").get_session_token(**params)
        assert aws_error(excinfo) == UNKNOWN_DEVICE
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber=serial)  # no code
    assert aws_error(excinfo) == UNKNOWN_DEVICE


def test_assume_role_with_mfa_meets_a_trust_policy_that_requires_it(aws):
    key, serial, seed = user_with_device(aws, "ann", inline={"assume": doc(allow("sts:AssumeRole"))})
    iam = aws.client("iam")
    trust_mfa = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "sts:AssumeRole", "Condition": MFA_ONLY})
    role_arn = iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust_mfa)["Role"]["Arn"]
    iam.put_role_policy(RoleName="admin", PolicyName="mfa-only",
                        PolicyDocument=doc(allow("iam:ListRoles", Condition=MFA_ONLY)))
    sts = aws.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="ann")
    assert aws_error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="ann", SerialNumber=serial, TokenCode="999999"
                        if totp(seed, current_step(aws)) != "999999" else "888888")
    assert aws_error(excinfo) == INVALID_CODE

    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="ann", SerialNumber=serial,
                            TokenCode=totp(seed, current_step(aws)))["Credentials"]
    assert [role["RoleName"] for role in aws.client_for(creds, "iam").list_roles()["Roles"]] == ["admin"]


def test_an_mfa_session_passes_its_mfa_to_the_roles_it_assumes_and_its_age_grows(aws):
    key, serial, seed = user_with_device(aws, "ann", inline={"assume": doc(allow("sts:AssumeRole"))})
    iam = aws.client("iam")
    fresh = {"Bool": {"aws:MultiFactorAuthPresent": "true"},
             "NumericLessThan": {"aws:MultiFactorAuthAge": "600"}}
    trust_fresh = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": "sts:AssumeRole", "Condition": fresh})
    role_arn = iam.create_role(RoleName="ops", AssumeRolePolicyDocument=trust_fresh)["Role"]["Arn"]
    iam.put_role_policy(RoleName="ops", PolicyName="p", PolicyDocument=doc(allow("iam:ListRoles")))
    session = aws.client_for(key, "sts").get_session_token(
        SerialNumber=serial, TokenCode=totp(seed, current_step(aws)))["Credentials"]
    sts = aws.client_for(session, "sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="first")["Credentials"]
    assert aws.client_for(creds, "iam").list_roles()["Roles"]
    aws.store.clock.advance(601)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="late")
    assert aws_error(excinfo)[0] == "AccessDenied"


def test_the_decision_log_shows_the_mfa_keys(aws):
    key, serial, seed = user_with_device(aws, "ann", inline={"any": doc(allow("iam:ListUsers"))})
    creds = aws.client_for(key, "sts").get_session_token(
        SerialNumber=serial, TokenCode=totp(seed, current_step(aws)))["Credentials"]
    aws.client_for(creds, "iam").list_users()
    entry = [d for d in aws.store.decision_log if d["action"] == "iam:ListUsers"][-1]
    context = json.loads(json.dumps(entry["context"], default=str))
    assert context["aws:MultiFactorAuthPresent"] is True and context["aws:MultiFactorAuthAge"] >= 0
