"""Numeric operators (User Guide, "Numeric condition operators"); non-numbers cannot be compared.

Numbers compare exactly, as decimals: recorded from AWS, 2026-09-12 (radkawar/stackd,
testdata/aws/iam/condition_values.json), ``NumericEquals: 9007199254740993`` does not hold for
``9007199254740992`` and ``NumericLessThan`` does (a double would make them equal).
"""

from __future__ import annotations

import operator
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import Operator, Parts, family, text_value

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number as policies and requests write one: ASCII digits, an optional fraction and exponent. Python's
``float`` also reads ``1_000``, ``Infinity``, ``nan`` and digits of other scripts (``\u0661`` is 1), none of
which a decimal reader takes; such a value cannot be compared."""


def _number(text: str) -> Decimal:
    text = text.strip(" \t\r\n")
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal number: {text[:40]!r}")
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent past what a decimal holds (1e99999999999999999999): not comparable
        raise ValueError(f"not a comparable number: {text[:40]!r}") from None


def _policy(parts: Parts) -> Decimal:
    return _number(text_value(parts))


def _context(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int | float):
        return _number(str(value))
    if isinstance(value, str):
        return _number(value)
    raise ValueError("not a number")


OPERATORS = family(
    Operator("NumericEquals", _policy, _context, operator.eq, variables=False),
    Operator("NumericNotEquals", _policy, _context, operator.eq, negated=True, variables=False),
    Operator("NumericLessThan", _policy, _context, operator.lt, variables=False),
    Operator("NumericLessThanEquals", _policy, _context, operator.le, variables=False),
    Operator("NumericGreaterThan", _policy, _context, operator.gt, variables=False),
    Operator("NumericGreaterThanEquals", _policy, _context, operator.ge, variables=False),
)
