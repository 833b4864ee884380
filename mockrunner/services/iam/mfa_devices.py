"""IAM virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice, DeactivateMFADevice,
DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices, GetMFADevice, TagMFADevice, UntagMFADevice,
ListMFADeviceTags.

A device is a TOTP secret (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) that CreateVirtualMFADevice returns
once, as ``Base32StringSeed`` and as a QR code PNG of
``otpauth://totp/<device name>@<account alias or id>?secret=<seed>``.  EnableMFADevice and ResyncMFADevice want
two consecutive codes, checked against the store clock after the device's drift: the second code's step may lie
from 998 steps before to 1000 steps after it (:data:`CODE_WINDOW`: the first code within 999 steps either side),
as AWS accepts them (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/mfa_pair_window.json,
"eligibility": offsets 1000 and -998 accepted, 1001 and -999 refused; offsets 720, 900 and 990 accepted, 1012,
1035, 1080 and 1440 refused).  Both remember the drift (the second code's step less the current one), and
deactivating keeps it: mfa_resync_anchor.json enables at +600, resyncs at +1200, +1800 and +1802 and, deactivated,
enables again at +1804 (that Enable sets the drift is inferred from those, *unverified*).  A pair whose first code
is not after the newest step accepted is refused ("a code pair is never accepted twice"; mfa.json "resync_28",
"resync_34"; mfa_reuse.json "resync_after_use_2").

IAM's words, recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/mfa.json): enabling a device the
same user already has is "MFA Device for user <user> already exists." ("enable_duplicate"; another user's: "MFA
Device is already in use.", "enable_other"); deactivating or resyncing a device that is not the user's is
``NoSuchEntity`` "MFA Device invalid for user." ("deactivate_unassigned", "resync_unassigned", "deactivate_other",
"resync_other", "deactivate_again"); GetMFADevice of a virtual device is a ``ValidationError`` (it reads FIDO
security keys only: "get_virtual").  An IAM user with an enabled device enables another one or deactivates one of
its own only in a session with MFA (``AccessDenied``, :data:`MFA_REQUIRED`; mfa_self_management.json); the EnableDate
IAM keeps and lists is in whole seconds.

Device operations are authorized on the device ARN (``arn:aws:iam::<account>:mfa<path><name>``); enabling,
resyncing, deactivating and listing a user's devices on the user's ARN, as the Service Authorization Reference
lists them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import struct
from collections.abc import Iterable
from datetime import datetime

import segno

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, MfaDevice
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import anything, request_keys, resource_keys, tagged_on_create, target
from mockrunner.services.iam.entities import USER, entity_arn, iam_of, non_user, own_user_name, self_user, tags_in
from mockrunner.services.iam.tags import tag_operations
from mockrunner.services.iam.wire import tagged, user_out
from mockrunner.services.registry import op

STEP_SECONDS = 30
DIGITS = 6
SEED_BYTES = 20
CODE_WINDOW = (-998, 1000)
"""The steps, from the current one (after the drift), the second code of an Enable or Resync pair may be of."""
MAX_DRIFT = 10 ** 9
"""The largest drift a state file may hold (resyncs move it by up to a thousand steps each)."""
MAX_DEVICES_PER_USER = 8
MAX_SERIAL_NUMBER = 256
"""The longest serial number (the device ARN) the other MFA operations take (the model's serialNumberType)."""
QR_SCALE = 4


# ------------------------------------------------------------------------------------------------ TOTP
def totp(seed: str, step: int) -> str:
    """The RFC 6238 / RFC 4226 code of base32 ``seed`` for time step ``step``."""
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** DIGITS).zfill(DIGITS)


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(device: MfaDevice, code1: str, code2: str, now: datetime,
                  window: tuple[int, int] = CODE_WINDOW) -> int | None:
    """The step of ``code2`` when ``code1``, ``code2`` are the device's codes of two consecutive steps, the second
    within ``window`` of now (after the device's drift), never one already used; else ``None``."""
    current = time_step(now) + device.drift
    low, high = window
    for second in sorted(range(current + low, current + high + 1), key=lambda step: abs(step - current)):
        first = second - 1
        if first > device.last_step and totp(device.seed, first) == code1 and totp(device.seed, second) == code2:
            return second
    return None


def qr_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(buffer, kind="png", scale=QR_SCALE)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ lookups
def device_arn(account_id: str, path: str, name: str) -> str:
    return entity_arn(account_id, "mfa", path, name)


def device_of(iam: IamState, serial: str) -> MfaDevice:
    """The device ``serial`` names; else IAM's NoSuchEntity, worded as AWS answers DeleteVirtualMFADevice and
    DeactivateMFADevice (recorded from AWS: LocalStack snapshot tests/aws/services/iam/test_iam_mfa.snapshot.json)."""
    device = iam.mfa_devices.get(serial)
    if device is None:
        raise _no_device(serial)
    return device


def _no_device(serial: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"MFA Device with serial number {serial} does not exist.", 404)


def _not_the_users() -> ServiceError:
    return ServiceError("NoSuchEntity", "MFA Device invalid for user.", 404)


#: GetMFADevice's answer for a virtual device (recorded from AWS, 2026-09-11: radkawar/stackd,
#: testdata/aws/iam/mfa.json, "get_virtual").
FIDO_ONLY = ("The MFA device serial number sent in the request is invalid or not supported by this API. Currently, "
             "only hardware FIDO security keys are supported. Please use the compatible device or API.")


#: The refusal of EnableMFADevice and DeactivateMFADevice when an IAM user with an enabled device manages its own
#: devices without MFA (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/mfa_self_management.json,
#: "self_enable_second_key", "self_enable_duplicate_key", "self_deactivate_key", "self_deactivate_missing_key";
#: AWS-2023-001).
MFA_REQUIRED = ("To complete this action, please ensure that you are authenticated with an MFA device that is enabled "
                "for this user.")


def _unless_mfa_authenticated(ctx: RequestContext, iam: IamState, user_name: str) -> None:
    """Refuse an IAM user who manages its own devices without MFA once one of them is enabled: a stolen access key
    must not swap or remove the user's MFA.  Checked before the device is looked up (a missing device is refused
    alike).  Another principal managing the user's devices (an administrator replacing a lost device), the user
    before its first device, and ResyncMFADevice (recorded accepted: "self_resync_key") are not concerned."""
    caller = ctx.caller
    if caller.kind != "User" or caller.entity_name != user_name or caller.mfa_authenticated_at is not None:
        return
    if any(device.user_name == user_name for device in iam.mfa_devices.values()):
        raise ServiceError("AccessDenied", MFA_REQUIRED, 403)


def _invalid_code() -> ServiceError:
    return ServiceError("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def mfa_device_out(device: MfaDevice) -> dict:
    return {"UserName": device.user_name, "SerialNumber": device.serial_number, "EnableDate": device.enable_date}


def virtual_device_out(iam: IamState, device: MfaDevice) -> dict:
    """A device as ListVirtualMFADevices lists it: its serial, and its user and enable date once assigned; never its
    tags (ListMFADeviceTags has them): terraform-provider-aws reads a device's tags with ListMFADeviceTags because
    "The call above returns empty tags." (``internal/service/iam/virtual_mfa_device.go``), and the AWS CLI
    reference's example lists serial numbers alone."""
    out: dict = {"SerialNumber": device.serial_number}
    user = iam.users.get(device.user_name) if device.user_name else None
    if user is not None:
        out["User"] = user_out(user)
        out["EnableDate"] = device.enable_date
    return out


# ------------------------------------------------------------------------------------------------ authorization
def _on_device(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on the device's ARN (CreateVirtualMFADevice: the ARN it will have)."""
    keys = request_keys(ctx)
    params = ctx.params
    serial = params.get("SerialNumber") or device_arn(ctx.account.id, params.get("Path") or "/",
                                                      params.get("VirtualMFADeviceName", ""))
    device = iam_of(ctx).mfa_devices.get(serial)
    if device is not None:
        resource_keys(device, keys)
    return (Check(f"iam:{ctx.operation_name}", serial, keys),)


_on_user = target(USER, self_default=True)


# ------------------------------------------------------------------------------------------------ operations
@op("iam", "CreateVirtualMFADevice", authz=tagged_on_create(_on_device, "iam:TagMFADevice"))
def create_virtual_mfa_device(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["VirtualMFADeviceName"], params.get("Path") or "/"
    serial = device_arn(ctx.account.id, path, name)
    if len(serial) > MAX_SERIAL_NUMBER:
        # The serial number names the device in every other MFA operation, where it has at most 256 characters;
        # IAM's answer to a longer one is not public (this wording *unverified*).
        raise ServiceError("InvalidInput", f"The serial number of the virtual MFA device ({len(serial)} characters) "
                           f"must not be longer than {MAX_SERIAL_NUMBER} characters.", 400)
    if any(existing.lower() == serial.lower() for existing in iam.mfa_devices):
        raise ServiceError("EntityAlreadyExists", "MFA device already exists.", 409)
    tags = tags_in(ctx)
    seed = base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii")
    account_name = iam.account_aliases[0] if iam.account_aliases else ctx.account.id
    uri = f"otpauth://totp/{name}@{account_name}?secret={seed}"
    out = {"SerialNumber": serial, "Base32StringSeed": seed.encode("ascii"), "QRCodePNG": qr_png(uri)}
    iam.add(MfaDevice(serial, name, path, seed, ctx.store.clock.now(), tags=tags))  # last: nothing above can fail
    return {"VirtualMFADevice": tagged(out, tags)}


@op("iam", "EnableMFADevice", authz=_on_user)
def enable_mfa_device(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    user = USER.get(iam, params["UserName"])
    _unless_mfa_authenticated(ctx, iam, user.name)
    device = device_of(iam, params["SerialNumber"])
    if device.user_name == user.name:
        raise ServiceError("EntityAlreadyExists", f"MFA Device for user {user.name} already exists.", 409)
    if device.user_name is not None:
        raise ServiceError("EntityAlreadyExists", "MFA Device is already in use.", 409)
    if sum(1 for other in iam.mfa_devices.values() if other.user_name == user.name) >= MAX_DEVICES_PER_USER:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}", 409)
    now = ctx.store.clock.now()
    step = matching_step(device, params["AuthenticationCode1"], params["AuthenticationCode2"], now)
    if step is None:
        raise _invalid_code()
    # EnableDate in whole seconds, as IAM lists it (mfa_propagation.json "list_resync_0": 2026-09-11T20:32:42+00:00).
    iam.update(device, user_name=user.name, enable_date=now.replace(microsecond=0), drift=step - time_step(now),
               last_step=step)
    return {}


@op("iam", "ResyncMFADevice", authz=_on_user)
def resync_mfa_device(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    user = USER.get(iam, params["UserName"])
    device = device_of(iam, params["SerialNumber"])
    if device.user_name != user.name:
        raise _not_the_users()
    now = ctx.store.clock.now()
    step = matching_step(device, params["AuthenticationCode1"], params["AuthenticationCode2"], now)
    if step is None:
        raise _invalid_code()
    iam.update(device, drift=step - time_step(now), last_step=step)
    return {}


@op("iam", "DeactivateMFADevice", authz=_on_user)
def deactivate_mfa_device(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    name = own_user_name(ctx)
    _unless_mfa_authenticated(ctx, iam, name)
    device = device_of(iam, ctx.params["SerialNumber"])
    if device.user_name != name:
        raise _not_the_users()
    iam.update(device, user_name=None, enable_date=None)
    return {}


@op("iam", "DeleteVirtualMFADevice", authz=_on_device)
def delete_virtual_mfa_device(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    device = device_of(iam, ctx.params["SerialNumber"])
    if device.user_name is not None:
        raise ServiceError("DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.", 409)
    iam.remove(device)
    return {}


@op("iam", "ListMFADevices", authz=_on_user)
def list_mfa_devices(ctx: RequestContext) -> dict:
    """The devices of ``UserName``, else of the calling user; the account root without ``UserName`` lists its own
    devices as AWS does (none here: devices are assigned to IAM users only), a role session is refused."""
    iam = iam_of(ctx)
    if self_user(ctx) is None and ctx.caller.is_root:
        return paging.page([], ctx, "MFADevices", mfa_device_out)
    name = own_user_name(ctx)
    devices = sorted((device for device in iam.mfa_devices.values() if device.user_name == name),
                     key=lambda device: device.enable_date)
    return paging.page(devices, ctx, "MFADevices", mfa_device_out)


@op("iam", "ListVirtualMFADevices", authz=anything)
def list_virtual_mfa_devices(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    status = ctx.params.get("AssignmentStatus") or "Any"
    wanted = {"Assigned": lambda device: device.user_name is not None,
              "Unassigned": lambda device: device.user_name is None,
              "Any": lambda device: True}[status]
    devices = paging.listing(ctx, ("mfa", status), lambda: [
        device for device in sorted(iam.mfa_devices.values(), key=lambda device: device.serial_number)
        if wanted(device)])
    return paging.page(devices, ctx, "VirtualMFADevices", lambda device: virtual_device_out(iam, device))


@op("iam", "GetMFADevice", authz=_on_user)
def get_mfa_device(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    serial = ctx.params["SerialNumber"]
    device = iam.mfa_devices.get(serial)
    name = self_user(ctx)
    if name is None and not ctx.caller.is_root:
        # The check was on the caller's own ARN: a role session names no user, so it may not read another's device.
        raise non_user()
    if device is not None:
        raise ServiceError("ValidationError", FIDO_ONLY, 400)
    raise _no_device(serial)


def _device(ctx: RequestContext) -> MfaDevice:
    return device_of(iam_of(ctx), ctx.params["SerialNumber"])


tag_operations(("TagMFADevice", "UntagMFADevice", "ListMFADeviceTags"), _device, _on_device)

