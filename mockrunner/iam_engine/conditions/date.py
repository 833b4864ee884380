"""Date operators (User Guide, "Date condition operators").

Values may be ISO 8601 (``2024-01-01``, ``2024-01-01T10:00:00Z``, ``...+02:00``; a missing zone means
UTC) or epoch seconds (the "W3C implementation of the ISO 8601 date formats" or "epoch (UNIX) time",
as the guide puts it). Everything is compared as a UTC timestamp.
"""

from __future__ import annotations

import operator
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .base import Operator, Parts, family, text_value

_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


@lru_cache(maxsize=2048)
def parse_date(text: str) -> float:
    """Seconds since the epoch for an ISO 8601 or epoch-seconds string; ValueError otherwise."""
    text = text.strip()
    if _EPOCH.match(text):
        return float(text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _policy(parts: Parts) -> float:
    return parse_date(text_value(parts))


def _context(value: Any) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError("not a date")


OPERATORS = family(
    Operator("DateEquals", _policy, _context, operator.eq),
    Operator("DateNotEquals", _policy, _context, operator.eq, negated=True),
    Operator("DateLessThan", _policy, _context, operator.lt),
    Operator("DateLessThanEquals", _policy, _context, operator.le),
    Operator("DateGreaterThan", _policy, _context, operator.gt),
    Operator("DateGreaterThanEquals", _policy, _context, operator.ge),
)
