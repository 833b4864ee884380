"""The last captures of radkawar/stackd (commit 9dc356f5) no earlier pass had replayed call by call, replayed through
boto3 in both modes.

Files: ``testdata/aws/iam/mfa_rejection_aligned_second.json`` and ``mfa_rejection_odd_boundary.json`` ("Real AWS IAM
and STS APIs, commercial partition", 2026-09-11: an earlier pass read their outcome into a rule, this replays
their calls as recorded), ``testdata/aws/iam/resource_controls.json`` (real AWS Organizations and an organization's
member, 2026-09-12: only its plain AssumeRole "baseline_assume" applies to what mockrunner serves; the resource
control policies, SQS and KMS do not).  ``iam/policy/testdata/service_grant_attribution.json`` says of itself
"Local shared-evaluator composition cases ..., not native capture records": it is not a recording of AWS and is not
replayed.

Each test names the observations (``case``) it replays.  Where AWS's answer depended on the wall clock (the
epoch-aligned three-minute attempt windows, the 30-second code steps), the test moves mockrunner's clock to the
recorded distance from a boundary at the recorded "observed_epoch_boundary"'s time of day and asks for the code of
the recorded ``code_step_offset`` (steps from the current one).

Held: every recorded exchange below (no change was needed).  What held and what is left:
(docs/behaviour.md, "Parity sweep against stackd's last unread captures").
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust
from tests.iam.keys_and_codes import current_step, totp

WINDOW = 180
DAY = 86400
UNKNOWN_DEVICE = ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
                  "your MFA serial number is valid and associated with this user.", 403)
INVALID_CODE = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ", 403)
USER = "stackd-mfa-fixture-aligned"
PATH = "/org-access/"

# (recording, seconds from "enable_aligned"'s request to the boundary, "observed_epoch_boundary")
MFA_RECORDINGS = [
    ("mfa_rejection_aligned_second.json", 219, 1789162200),  # enabled 21:26:21, boundary 21:30:00
    ("mfa_rejection_odd_boundary.json", 272, 1789162380),  # enabled 21:28:28, boundary 21:33:00
]


def _to(aws: Any, second: float) -> None:
    """Move the store clock forward to epoch ``second``."""
    aws.store.clock.advance(second - aws.store.clock.now().timestamp())


def _boundary(aws: Any, lead: int, recorded: int) -> int:
    """The first epoch second at the recorded boundary's time of day (so aligned as it was on every period that
    divides a day: 180, 360, 3600 seconds...) at least ``lead`` seconds from now."""
    now = aws.store.clock.now().timestamp()
    boundary = int(now) - int(now) % DAY + recorded % DAY
    while boundary - lead < now + 1:
        boundary += DAY
    return boundary


def _wrong_codes(seed: bytes, step: int, offsets: range) -> list[str]:
    """The codes of ``step + offset`` ("code_step_offset" 100..107), each moved one step further on in the unlikely
    case it equals a code the window (two steps either side) takes."""
    taken = {totp(seed, step + near) for near in range(-2, 3)}
    codes = []
    for offset in offsets:
        code = next(totp(seed, step + offset + extra) for extra in range(50)
                    if totp(seed, step + offset + extra) not in taken)
        codes.append(code)
    return codes


@pytest.mark.parametrize(("recording", "enabled_before", "recorded_boundary"), MFA_RECORDINGS)
def test_the_rejection_captures_replayed_call_by_call(aws, recording, enabled_before, recorded_boundary):
    """setup CreateUser (Path /org-access/), CreateAccessKey; "create_aligned" (Base32StringSeed, QRCodePNG,
    SerialNumber), "enable_aligned" (the pair of "second_step_offset" 0, 200 with no members); "before_boundary"
    (14 seconds before the boundary, "code_step_offset" 1: taken); "boundary_invalid_0".."_7" (offsets 100..107:
    AccessDenied 403 "... invalid MFA one time pass code. "); "boundary_limited" (offset 2, 8 seconds before the
    boundary: the tenth check of the window, AccessDenied 403 "... unable to validate MFA code.  Please verify ...");
    "boundary_recovery_2" (two seconds after the boundary, offset 2 of the new step: taken); cleanup
    DeactivateMFADevice, DeleteVirtualMFADevice, DeleteAccessKey, DeleteUser, then GetUser NoSuchEntity."""
    assert recorded_boundary % WINDOW == 0
    boundary = _boundary(aws, enabled_before, recorded_boundary)
    iam = aws.client("iam")
    user = iam.create_user(UserName=USER, Path=PATH)["User"]
    assert (user["Path"], user["UserName"], user["Arn"]) == (PATH, USER, f"arn:aws:iam::{ACCOUNT}:user{PATH}{USER}")
    assert user["UserId"].startswith("AIDA")
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    assert (key["UserName"], key["Status"]) == (USER, "Active")

    _to(aws, boundary - enabled_before - 1)
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName=USER)
    assert sorted(created["VirtualMFADevice"]) == ["Base32StringSeed", "QRCodePNG", "SerialNumber"]
    serial, seed = created["VirtualMFADevice"]["SerialNumber"], created["VirtualMFADevice"]["Base32StringSeed"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/{USER}"
    _to(aws, boundary - enabled_before)
    step = current_step(aws)
    enabled = iam.enable_mfa_device(UserName=USER, SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                                    AuthenticationCode2=totp(seed, step))
    assert set(enabled) == {"ResponseMetadata"}
    assert enabled["ResponseMetadata"]["HTTPStatusCode"] == 200

    sts = aws.client_for(key, "sts")
    _to(aws, boundary - 14)
    step = current_step(aws)
    taken = sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, step + 1), DurationSeconds=900)
    assert taken["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert taken["Credentials"]["AccessKeyId"].startswith("ASIA")
    for index, code in enumerate(_wrong_codes(seed, step, range(100, 108))):
        _to(aws, boundary - 13.2 + 0.7 * index)
        assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=code, DurationSeconds=900) == \
            INVALID_CODE
    _to(aws, boundary - 7.6)
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, current_step(aws) + 2),
                    DurationSeconds=900) == UNKNOWN_DEVICE
    _to(aws, boundary + 2)
    recovered = sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, current_step(aws) + 2),
                                      DurationSeconds=900)
    assert recovered["ResponseMetadata"]["HTTPStatusCode"] == 200

    iam.deactivate_mfa_device(UserName=USER, SerialNumber=serial)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_access_key(UserName=USER, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=USER)
    assert error_of(iam.get_user, UserName=USER)[0] == "NoSuchEntity"


def test_a_plain_cross_account_assume_role_as_baseline_assume(two_account_harness):
    """resource_controls.json "baseline_assume": an IAM user of one account assumes OWNED_RESOURCE, a role of
    another, for 900 seconds: AssumedRoleUser Arn arn:aws:sts::<role's account>:assumed-role/<role>/<session>,
    AssumedRoleId "<the role's id, AROA and 17 more>:<session>".  The recording's PackedPolicySize 9, with no
    session policy or tags among the recorded inputs, is left (see docs/behaviour.md): mockrunner answers none, as
    AssumeRole without session policies or tags was recorded to (issue #15)."""
    aws = two_account_harness
    other = aws.client("iam", access_key="other-key", secret="other-secret")
    role = other.create_role(RoleName="OWNED_RESOURCE", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam = aws.client("iam")
    iam.create_user(UserName="Delegated")
    iam.put_user_policy(UserName="Delegated", PolicyName="assume",
                        PolicyDocument=doc(allow("sts:AssumeRole", role["Role"]["Arn"])))
    key = iam.create_access_key(UserName="Delegated")["AccessKey"]
    answer = aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/OWNED_RESOURCE",
                                                    RoleSessionName="OWNED_RESOURCE", DurationSeconds=900)
    assumed = answer["AssumedRoleUser"]
    assert assumed["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/OWNED_RESOURCE/OWNED_RESOURCE"
    assert assumed["AssumedRoleId"] == f"{role['Role']['RoleId']}:OWNED_RESOURCE"
    role_id = assumed["AssumedRoleId"].split(":")[0]
    assert role_id.startswith("AROA") and len(role_id) == len("AROA5LIQA72G55S3D7KDF") and role_id.isupper()
    caller = aws.client_for(answer["Credentials"], "sts").get_caller_identity()
    assert (caller["Account"], caller["Arn"]) == (OTHER_ACCOUNT, assumed["Arn"])
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
