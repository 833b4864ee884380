"""The maximum AWS Sign-In session duration of a role or a user's login profile (``MaxSigninSessionDuration``).

The setting is unset until given (responses then leave the member out); the model bounds it to 3600..7776000
seconds.  Updates give a new value or ``ResetMaxSigninSessionDuration=true`` (back to unset), never both; giving
neither leaves it as it is, and resetting an unset value is not an error (UpdateRole / UpdateLoginProfile API
reference).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockrunner.errors import ServiceError

MEMBER = "MaxSigninSessionDuration"
RESET = "ResetMaxSigninSessionDuration"


def signin_change(params: Mapping[str, Any]) -> dict[str, int | None]:
    """``{"max_signin_session_duration": value}`` for an update that changes the setting, else ``{}``.

    Both a value and ``Reset...=true`` is ``InvalidInput`` (the reference forbids it; wording unverified)."""
    value, reset = params.get(MEMBER), bool(params.get(RESET))
    if value is not None and reset:
        raise ServiceError("InvalidInput", f"Cannot specify {MEMBER} and set {RESET} to true in the same "
                           "request.", 400)
    if reset:
        return {"max_signin_session_duration": None}
    return {"max_signin_session_duration": value} if value is not None else {}


def signin_out(value: int | None) -> dict[str, int]:
    """The ``MaxSigninSessionDuration`` member when the setting is set (omitted otherwise, as AWS documents)."""
    return {MEMBER: value} if value is not None else {}
