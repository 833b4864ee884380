"""MFA in STS: the ``SerialNumber`` and ``TokenCode`` of GetSessionToken and AssumeRole.

A request carrying either names an MFA device of the calling IAM user and a one-time code of it (IAM's virtual
devices: RFC 6238).  The session it opens carries the MFA context: ``aws:MultiFactorAuthPresent`` is true and
``aws:MultiFactorAuthAge`` counts from the time of authentication, in the requests of that session and, for
GetSessionToken's session, in the role sessions it opens with AssumeRole.

The rules, as recorded from AWS on 2026-09-11 (radkawar/stackd commit 9dc356f5, ``testdata/aws/iam/``):

* **Window**: a code of the current step (after the device's drift, which EnableMFADevice and ResyncMFADevice
  set) or of one or two steps either side (``mfa_verification.json``: offsets -2 to 2 accepted, -3 and 3 refused;
  ``mfa_propagation.json`` "new_resync_12": after a resync 10 steps ahead, a code 11 steps ahead).
* **Reuse**: each code once, in any order (``mfa_code_order.json``: +2, +1, 0 then 0, -1, +1 accepted;
  ``mfa_authentication_drift.json``: +2, -2, 0 accepted, the -2 code again refused).  The codes IAM took in an
  Enable or Resync pair are not spent for STS, nor STS's for IAM (``mfa_synchronization_codes.json``,
  ``mfa_synchronization_reuse.json``; ``mfa_reuse.json`` "resync_after_use_1").  A device deleted and created again
  under the same name is a new device: codes the old one spent are accepted (``mfa_synchronization_codes.json``
  "bootstrap_recreate_first_0").
* **Attempts**: STS checks at most :data:`ATTEMPTS_PER_WINDOW` codes of a serial number in a
  :data:`ATTEMPT_WINDOW_SECONDS`-second window aligned on the epoch; every further request of that window is
  refused with the "unable to validate" words, a right code too, until the next window begins
  (``mfa_rejection*.json``: one right code and eight wrong ones, or three and six, then refusals; one and seven,
  three and five, none and eight, then a success; refusals through 120 seconds of quiet inside the window, a
  success two seconds after its end, "observed_epoch_boundary" 1789161840 and 1789162380).  The count belongs to
  the serial number, not the device: it outlives a deletion (``mfa_recreation_limited*.json``), while another
  device of the same user is not affected ("sibling_failures_8").  Requests naming a device that is not the
  caller's are not counted (no code is checked).

STS's answers, as AWS words them (both ``AccessDenied``, 403): a device that is not the caller's (or no device,
or no code, or too many attempts) - "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify
your MFA serial number is valid and associated with this user." (two spaces); a wrong or reused code -
"MultiFactorAuthentication failed with invalid MFA one time pass code. ".

The delays AWS shows while a change propagates (a new device refused for seconds, a deleted one accepted for a
second) are not modelled: every change holds at once.
"""
from __future__ import annotations

from datetime import datetime

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import MfaDevice
from mockrunner.services.iam.mfa_devices import time_step, totp

SIGN_IN_STEPS = 2
"""The steps either side of the current one (after the drift) a code may be of."""
ATTEMPTS_PER_WINDOW = 9
ATTEMPT_WINDOW_SECONDS = 180
STS_STEPS_KEPT = 64
"""The steps a device remembers STS accepted: from the lowest the window now reaches, this many (a step below can
no longer be used; one far above is left by a resync that moved the drift back, and forgotten)."""
UNKNOWN_DEVICE = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial "
                  "number is valid and associated with this user.")
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
_ATTEMPTS = "sts-mfa-codes"


def requested(ctx: RequestContext) -> bool:
    return ctx.params.get("SerialNumber") is not None or ctx.params.get("TokenCode") is not None


def verified_step(ctx: RequestContext, now: datetime) -> int:
    """The time step of the request's one-time code on the caller's device; raises STS's refusal otherwise.

    A refused code counts as an attempt (it is the only change a refusal makes); :func:`consume` counts an
    accepted one and records its step once the request succeeds."""
    device = _callers_device(ctx)
    code = ctx.params.get("TokenCode")
    if device is None or code is None:
        raise ServiceError("AccessDenied", UNKNOWN_DEVICE, 403)
    attempts = ctx.store.attempt_windows(_ATTEMPTS, ATTEMPT_WINDOW_SECONDS)
    key = (ctx.caller.account_id, device.serial_number)
    if attempts.count(key, now) >= ATTEMPTS_PER_WINDOW:
        raise ServiceError("AccessDenied", UNKNOWN_DEVICE, 403)
    step = _matching_step(device, code, now)
    if step is None:
        attempts.add(key, now)
        raise ServiceError("AccessDenied", INVALID_CODE, 403)
    return step


def consume(ctx: RequestContext, now: datetime) -> datetime:
    """Verify the request's code, count the attempt and mark the code used; the time of authentication the new
    session carries."""
    step = verified_step(ctx, now)
    device = _callers_device(ctx)
    assert device is not None  # verified_step refuses a request without one
    ctx.store.attempt_windows(_ATTEMPTS, ATTEMPT_WINDOW_SECONDS).add((ctx.caller.account_id, device.serial_number),
                                                                     now)
    low = time_step(now) + device.drift - SIGN_IN_STEPS
    kept = sorted(used for used in {*device.sts_steps, step} if low <= used < low + STS_STEPS_KEPT)
    ctx.store.accounts[ctx.caller.account_id].iam.update(device, sts_steps=kept)
    return now


def _callers_device(ctx: RequestContext) -> MfaDevice | None:
    """The device ``SerialNumber`` names when it is assigned to the calling IAM user."""
    caller = ctx.caller
    device = ctx.store.accounts[caller.account_id].iam.mfa_devices.get(ctx.params.get("SerialNumber") or "")
    if device is None or caller.kind != "User" or device.user_name != caller.entity_name:
        return None
    return device


def _matching_step(device: MfaDevice, code: str, now: datetime) -> int | None:
    """The step within :data:`SIGN_IN_STEPS` of now (after the drift) whose code ``code`` is, STS not having
    accepted it before; the nearest such step."""
    current = time_step(now) + device.drift
    used = set(device.sts_steps)
    for step in sorted(range(current - SIGN_IN_STEPS, current + SIGN_IN_STEPS + 1), key=lambda s: abs(s - current)):
        if step not in used and totp(device.seed, step) == code:
            return step
    return None
