"""MFA in STS: the ``SerialNumber`` and ``TokenCode`` of GetSessionToken and AssumeRole.

A request carrying either names an MFA device of the calling IAM user and a current one-time code of it (IAM's
virtual devices: RFC 6238, one step either side of now after the device's resync drift, each code accepted once,
like the codes of EnableMFADevice).  The session it opens carries the MFA context: ``aws:MultiFactorAuthPresent``
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

SIGN_IN_STEPS = 1
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
        if step > device.last_step and totp(device.seed, step) == code:
            return step
    raise ServiceError("AccessDenied", INVALID_CODE, 403)


def consume(ctx: RequestContext, now: datetime) -> datetime:
    """Verify the request's code and mark it used; the time of authentication the new session carries."""
    step = verified_step(ctx, now)
    iam = ctx.store.accounts[ctx.caller.account_id].iam
    iam.update(iam.mfa_devices[ctx.params["SerialNumber"]], last_step=step)
    return now
