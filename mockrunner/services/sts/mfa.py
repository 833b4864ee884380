"""MFA in STS: the ``SerialNumber`` and ``TokenCode`` of GetSessionToken and AssumeRole.

A request carrying either names an MFA device of the calling IAM user and a current one-time code of it (IAM's
virtual devices: RFC 6238, two steps either side of now after the device's resync drift, each code accepted once by
STS, an older unused one too; the codes IAM took for EnableMFADevice or ResyncMFADevice do not count as used, nor do
STS's for IAM).  Recorded from AWS (radkawar/stackd ``testdata/aws/iam/mfa_reuse.json`` and ``mfa_time.json``,
2026-09-11): a code two steps ahead ("reuse_3") and two behind ("initial_window_14", after a newer one was used)
were taken, three behind refused; a second use of a code refused; the codes STS had taken were then accepted by
ResyncMFADevice ("resync_after_use_1").  The session it opens carries the MFA context: ``aws:MultiFactorAuthPresent``
is true and ``aws:MultiFactorAuthAge`` counts from the time of authentication, in the requests of that session
and, for GetSessionToken's session, in the role sessions it opens with AssumeRole.

STS's answers, as AWS words them (both ``AccessDenied``): a device that is not the caller's (or no device,
or no code) - "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial
number is valid and associated with this user." (two spaces; aws/aws-cli#6325, broamski/aws-mfa#25); a wrong or
reused code - "MultiFactorAuthentication failed with invalid MFA one time pass code. " (lonelyplanet/aws-mfa#20).
"""
from __future__ import annotations

from datetime import datetime

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.iam.mfa_devices import time_step, totp

SIGN_IN_STEPS = 2
UNKNOWN_DEVICE = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial "
                  "number is valid and associated with this user.")
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


def requested(ctx: RequestContext) -> bool:
    return ctx.params.get("SerialNumber") is not None or ctx.params.get("TokenCode") is not None


def verified_step(ctx: RequestContext, now: datetime) -> int:
    """The time step of the request's one-time code on the caller's device; raises STS's refusal otherwise.

    Reads only: :func:`consume` records the step once the request succeeds."""
    caller, params = ctx.caller, ctx.params
    device = ctx.store.accounts[caller.account_id].iam.mfa_devices.get(params.get("SerialNumber") or "")
    code = params.get("TokenCode")
    if device is None or caller.kind != "User" or device.user_name != caller.entity_name or code is None:
        raise ServiceError("AccessDenied", UNKNOWN_DEVICE, 403)
    current = time_step(now) + device.drift
    for step in sorted(range(current - SIGN_IN_STEPS, current + SIGN_IN_STEPS + 1), key=lambda s: abs(s - current)):
        if step not in device.sts_steps and totp(device.seed, step) == code:
            return step
    raise ServiceError("AccessDenied", INVALID_CODE, 403)


def consume(ctx: RequestContext, now: datetime) -> datetime:
    """Verify the request's code and mark it used by STS; the time of authentication the new session carries.

    Only the steps still inside the window are kept: a step that left it can no longer be presented."""
    step = verified_step(ctx, now)
    iam = ctx.store.accounts[ctx.caller.account_id].iam
    device = iam.mfa_devices[ctx.params["SerialNumber"]]
    oldest = time_step(now) + device.drift - SIGN_IN_STEPS
    iam.update(device, sts_steps=tuple(sorted({s for s in device.sts_steps if s >= oldest} | {step})))
    return now
