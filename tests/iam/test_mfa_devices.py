"""Virtual MFA devices through boto3, in both modes: seed and QR code, TOTP checks, assignment, tags, authz.

The codes are computed here by a separate RFC 6238 implementation (checked against the RFC's test vector).
"""
from __future__ import annotations

import base64
import struct
import zlib

import pytest
import segno
from botocore.exceptions import ClientError

from mockrunner.model import snapshot
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, error_of, user_with_key
from tests.iam.keys_and_codes import current_step, enabled_mfa_device, totp

INVALID = ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def test_the_reference_totp_matches_rfc_6238():
    seed = base64.b32encode(b"12345678901234567890")
    assert totp(seed, 59 // 30, 8) == "94287082" and totp(seed, 1111111109 // 30, 8) == "07081804"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and zlib.crc32(png[12:16 + length]) == struct.unpack(">I", png[16 + length:20 + length])[0]
    return struct.unpack(">II", png[16:24])


def test_create_returns_a_seed_and_the_otpauth_qr_code(aws):
    iam = aws.client("iam")
    iam.create_account_alias(AccountAlias="my-shop")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann-phone", Path="/team/",
                                           Tags=[{"Key": "k", "Value": "v"}])["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/team/ann-phone"
    seed = device["Base32StringSeed"]
    assert len(seed) == 32 and base64.b32decode(seed)
    width, height = png_size(device["QRCodePNG"])
    assert width == height > 21
    # The PNG is the QR code of AWS's otpauth URI (rendered the same way by the QR library).
    expected = segno.make(f"otpauth://totp/ann-phone@my-shop?secret={seed.decode()}", error="m", micro=False)
    assert png_size(device["QRCodePNG"])[0] == (expected.symbol_size(scale=4)[0])
    with pytest.raises(ClientError) as excinfo:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="ann-phone", Path="/team/")
    assert aws_error(excinfo) == ("EntityAlreadyExists", "MFA device already exists.", 409)


def test_enable_wants_two_consecutive_current_codes(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    now = current_step(aws)
    # Out of IAM's window: a second code 999 steps back or 1001 ahead (tests/iam/test_stackd_recordings.py).
    for first, second in ((now - 1, now + 5), (now - 1000, now - 999), (now + 1000, now + 1001), (now, now - 1)):
        with pytest.raises(ClientError) as excinfo:
            iam.enable_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1=totp(seed, first),
                                  AuthenticationCode2=totp(seed, second))
        assert aws_error(excinfo) == INVALID
    assert iam.list_mfa_devices(UserName="ann")["MFADevices"] == []
    iam.enable_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1=totp(seed, now - 1),
                          AuthenticationCode2=totp(seed, now))
    listed = iam.list_mfa_devices(UserName="ann")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("ann", serial)] and listed[0]["EnableDate"]
    # GetMFADevice reads FIDO security keys only (tests/iam/test_stackd_recordings.py).
    assert error_of(iam.get_mfa_device, SerialNumber=serial)[::2] == ("ValidationError", 400)
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1=totp(seed, now),
                              AuthenticationCode2=totp(seed, now + 1))
    assert aws_error(excinfo) == ("EntityAlreadyExists", "MFA Device is already in use.", 409)

    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["User"]["UserName"] for d in assigned] == ["ann"] and "Base32StringSeed" not in assigned[0]
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert aws_error(excinfo) == ("DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="ann")
    assert aws_error(excinfo) == ("DeleteConflict", "Cannot delete entity, must remove tokens from principal first.",
                                  409)
    iam.deactivate_mfa_device(UserName="ann", SerialNumber=serial)
    assert [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")
            ["VirtualMFADevices"]] == [serial]
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_user(UserName="ann")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_resync_accepts_a_drifted_device_once(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    serial, seed = enabled_mfa_device(aws, iam, "ann")
    aws.store.clock.advance(1200)  # the device's clock is now 20 steps behind the server's
    behind = current_step(aws) - 20
    iam.resync_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1=totp(seed, behind - 1),
                          AuthenticationCode2=totp(seed, behind))
    with pytest.raises(ClientError) as excinfo:
        iam.resync_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1=totp(seed, behind - 1),
                              AuthenticationCode2=totp(seed, behind))
    assert aws_error(excinfo) == INVALID
    with pytest.raises(ClientError) as excinfo:
        iam.resync_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1="000000",
                              AuthenticationCode2="000000")
    assert aws_error(excinfo) == INVALID
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1="12345a",
                              AuthenticationCode2="123456")
    assert aws_error(excinfo)[0] == "ValidationError"


def test_tags_paging_and_authz_on_the_device_arn(aws):
    iam = aws.client("iam")
    for index in range(3):
        iam.create_virtual_mfa_device(VirtualMFADeviceName=f"d{index}",
                                      Tags=[{"Key": "owner", "Value": "alice" if index == 0 else "bob"}])
    first = iam.list_virtual_mfa_devices(MaxItems=2)
    assert len(first["VirtualMFADevices"]) == 2 and first["IsTruncated"]
    assert len(iam.list_virtual_mfa_devices(Marker=first["Marker"])["VirtualMFADevices"]) == 1
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/d0"
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "Owner", "Value": "alice"}])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "owner", "Value": "alice"}, {"Key": "Owner", "Value": "alice"}]  # keys keep their case
    key = user_with_key(aws, "alice", inline={"p": doc(allow(
        ["iam:DeleteVirtualMFADevice", "iam:ListMFADeviceTags"], f"arn:aws:iam::{ACCOUNT}:mfa/*",
        Condition={"StringEquals": {"aws:ResourceTag/owner": "alice"}}))})
    alice = aws.client_for(key, "iam")
    alice.list_mfa_device_tags(SerialNumber=serial)
    with pytest.raises(ClientError) as excinfo:
        alice.delete_virtual_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/d1")
    assert aws_error(excinfo)[0] == "AccessDenied" and "mfa/d1" in aws_error(excinfo)[1]
    alice.delete_virtual_mfa_device(SerialNumber=serial)
    iam.untag_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/d1", TagKeys=["Owner"])  # keys keep their case
    assert iam.list_mfa_device_tags(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/d1")["Tags"] == [
        {"Key": "owner", "Value": "bob"}]
    iam.untag_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/d1", TagKeys=["owner"])
    assert iam.list_mfa_device_tags(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/d1")["Tags"] == []


def test_an_enabled_device_survives_export_and_import(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="ann")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann")["VirtualMFADevice"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName="ann", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], now - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], now))
    before = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    snapshot.import_state(aws.store, snapshot.export_state(aws.store))
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == before
    iam.update_user(UserName="ann", NewUserName="anne")
    assert iam.list_mfa_devices(UserName="anne")["MFADevices"][0]["SerialNumber"] == device["SerialNumber"]


def test_the_root_lists_its_own_mfa_devices_and_a_role_session_must_name_the_user(aws):
    """``aws iam list-mfa-devices`` with the root's keys lists the root's devices (none: devices go to IAM users
    here) rather than refusing; a role session without UserName is refused as for the other "own user" calls."""
    iam = aws.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ann-phone")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    iam.create_user(UserName="ann")
    step = current_step(aws)
    iam.enable_mfa_device(UserName="ann", SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                          AuthenticationCode2=totp(seed, step))
    assert iam.list_mfa_devices()["MFADevices"] == [] and iam.list_mfa_devices()["IsTruncated"] is False
    assert [device["SerialNumber"] for device in iam.list_mfa_devices(UserName="ann")["MFADevices"]] == [serial]
    key = user_with_key(aws, "admin", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    assert aws.client_for(key, "iam").list_mfa_devices()["MFADevices"] == []
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_policy(UserName="admin", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    session = aws.client_for(aws.client_for(key, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ops", RoleSessionName="s1")["Credentials"], "iam")
    with pytest.raises(ClientError) as excinfo:
        session.list_mfa_devices()
    assert aws_error(excinfo) == ("ValidationError", "Must specify userName when calling with non-User credentials",
                                  400)
