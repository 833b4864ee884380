"""The request context: condition keys the engine compares against.

Keys are stored lower-cased because IAM matches condition key names case-insensitively, and tag keys
(the part after ``/`` in ``aws:PrincipalTag/<k>``) case-insensitively too; lower-casing the whole key
once per request makes every later lookup a plain dict hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .principal import Principal

MISSING: Any = object()
TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
"""The keys :func:`build_context` derives from the time of the request (lower-cased): the only context a decision
can owe to the moment it is made, rather than to the request and the policies."""
REUSABLE_TYPES = frozenset({str, bool, int, type(None), datetime})
"""Value types whose equal values (of one type) mean the same to every condition: a request context holding these
alone may be reused (see :func:`build_context`).  Not floats (``-0.0 == 0.0``, but their texts differ), nor
sequences (``[1] == [True]``)."""
AMBIGUOUS: Any = object()
"""The value of a key the request carries more than once in spellings that differ only in case, with different
values (a resource tagged both ``env`` and ``ENV``): IAM documents that ``aws:ResourceTag/TagKey1`` "matches a
resource tag key named either TagKey1 or tagkey1, but not both" and nothing for both, so no value is chosen; a
condition on it is unknown (never allows, still denies) and a variable naming it resolves to nothing usable."""


def as_text(value: Any) -> str:
    """The string IAM compares for a scalar context value (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, the form AWS puts in ``aws:CurrentTime``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_context(request_context: Mapping[str, Any], principal: Principal, now: datetime) -> dict[str, Any]:
    """Lower-cased request keys, plus the keys AWS derives from the caller when the request lacks them.

    The principal keeps the last context made for it without the time keys (its requests mostly carry the same
    keys and values again), reused only for a request whose keys are the same, in the same order, and whose values
    are equal and of the same types, each one of :data:`REUSABLE_TYPES` (so ``1`` never passes for ``True``)."""
    keys = tuple(request_context)
    values = tuple(request_context.values())
    held = principal.__dict__.get("_last_context")
    if held is not None and held[0] == keys and held[1] == values and tuple(map(type, values)) == held[2]:
        ctx = held[3].copy()
    else:
        # Derived keys first, so a key the request carries itself wins.
        ctx = _principal_keys(principal).copy()
        lowered = _lowered(keys)
        if lowered is None:
            ctx.update(_with_ambiguous_keys(request_context))
        else:
            ctx.update(zip(lowered, values, strict=True))
        types = tuple(map(type, values))
        if REUSABLE_TYPES.issuperset(types):
            principal.__dict__["_last_context"] = (keys, values, types, ctx.copy())
    if "aws:currenttime" not in ctx:  # the two TIME_KEYS
        ctx["aws:currenttime"] = now
    if "aws:epochtime" not in ctx:
        ctx["aws:epochtime"] = int(now.timestamp())
    return ctx


@lru_cache(maxsize=1024)
def _lowered(keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """``keys`` lower-cased, in order; ``None`` when two of them differ only in case (see
    :func:`_with_ambiguous_keys`).  Cached: a server's requests carry the same few key lists again and again."""
    lowered = tuple(key.lower() for key in keys)
    return lowered if len(set(lowered)) == len(lowered) else None


def _with_ambiguous_keys(request_context: Mapping[str, Any]) -> dict[str, Any]:
    """The request's keys lower-cased, where two spellings of one key carry different values: :data:`AMBIGUOUS`."""
    carried: dict[str, Any] = {}
    for key, value in request_context.items():
        lowered = key.lower()
        carried[lowered] = AMBIGUOUS if lowered in carried and carried[lowered] != value else value
    return carried


def principal_keys(principal: Principal) -> dict[str, Any]:
    """aws:Principal* keys as the IAM User Guide's "global condition context keys" page defines and spells them."""
    keys: dict[str, Any] = {}
    if principal.type == "Service":
        # A service acting with its own service principal calls "directly": aws:PrincipalIsAWSService is true.
        keys["aws:PrincipalServiceName"] = principal.arn
        keys["aws:PrincipalIsAWSService"] = True
    elif principal.type != "Anonymous":
        # aws:PrincipalArn of a role session is the role's ARN, not the session's (global keys doc); a principal
        # without an ARN (the policy simulator's caller when none is named) has none.
        if principal.role_arn or principal.arn:
            keys["aws:PrincipalArn"] = principal.role_arn or principal.arn
        if principal.account:
            keys["aws:PrincipalAccount"] = principal.account
        keys["aws:PrincipalType"] = principal.type
        if principal.user_id:
            keys["aws:userid"] = principal.user_id
        if principal.username and principal.type == "User":
            keys["aws:username"] = principal.username
        for tag, value in principal.tags.items():
            keys["aws:PrincipalTag/" + tag] = value
    return keys


def _principal_keys(principal: Principal) -> dict[str, Any]:
    """:func:`principal_keys` lower-cased, as the engine looks keys up.

    Memoised on the (immutable) principal because the same caller is evaluated many times per request.
    """
    cached = principal.__dict__.get("_derived_keys")
    if cached is not None:
        return cached
    keys = {key.lower(): value for key, value in principal_keys(principal).items()}
    object.__setattr__(principal, "_derived_keys", keys)
    return keys
