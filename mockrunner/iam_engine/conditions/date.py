"""Date operators (User Guide, "Date condition operators").

Values may be ISO 8601 (``2024-01-01``, ``2024-01-01T10:00:00Z``, ``...+02:00``; a missing zone means
UTC) or epoch seconds (the "W3C implementation of the ISO 8601 date formats" or "epoch (UNIX) time",
as the guide puts it). Everything is compared as a UTC timestamp to the millisecond: recorded from AWS, 2026-09-12
(radkawar/stackd, testdata/aws/iam/condition_values.json), ``2030-01-01T00:00:00.0001Z`` equals
``2030-01-01T00:00:00Z`` and ``.1239Z`` equals ``.1231Z`` (further digits are cut off), and epoch seconds may
carry a ``+`` (``+1893456000``).
"""

from __future__ import annotations

import operator
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .base import Operator, Parts, family, text_value

_EPOCH = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_YEAR_MONTH = re.compile(r"-?[0-9]{4,}-[0-9]{2}")
_PAST_MILLIS = re.compile(r"(\.[0-9]{3})[0-9]+")
_W3C = re.compile(r"-?[0-9]{4,}(-[0-9]{2}(-[0-9]{2}([Tt][0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
                  r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?)?)?")
"""The ISO 8601 profile dates are written in (the W3C's): ``YYYY-MM-DDThh:mm:ss.sTZD`` and its prefixes, ASCII
digits only. Python's ``fromisoformat`` also reads week dates (``2024-W01-1``), compact forms (``20240101``), any
character between date and time (``2024-01-01 10:00``) and, as a regex digit class does, digits of other scripts."""


@lru_cache(maxsize=2048)
def parse_date(text: str) -> float:
    """Seconds since the epoch for an ISO 8601 (W3C profile) or epoch-seconds string; ValueError otherwise."""
    text = text.strip(" \t\r\n")
    if _EPOCH.fullmatch(text):
        return float(text)
    if not _W3C.fullmatch(text):
        raise ValueError(f"not a date: {text[:40]!r}")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if _YEAR_MONTH.fullmatch(text):
        text += "-01"  # the profile's YYYY-MM (fromisoformat reads no month without its day): the month's first day
    moment = datetime.fromisoformat(_PAST_MILLIS.sub(r"\1", text, count=1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _policy(parts: Parts) -> float:
    return parse_date(text_value(parts))


def _context(value: Any) -> float:
    if isinstance(value, datetime):
        value = value.replace(microsecond=value.microsecond // 1000 * 1000)
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer past any float: not comparable (unknown), not a crash
            raise ValueError("a number too large for a date") from None
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError("not a date")


OPERATORS = family(
    Operator("DateEquals", _policy, _context, operator.eq, variables=False),
    Operator("DateNotEquals", _policy, _context, operator.eq, negated=True, variables=False),
    Operator("DateLessThan", _policy, _context, operator.lt, variables=False),
    Operator("DateLessThanEquals", _policy, _context, operator.le, variables=False),
    Operator("DateGreaterThan", _policy, _context, operator.gt, variables=False),
    Operator("DateGreaterThanEquals", _policy, _context, operator.ge, variables=False),
)
