"""Bool and Null (User Guide, "Boolean condition operators" and "Condition operator to check existence").

Only ``true``/``false`` (any case) are booleans; anything else cannot be compared. A request value is read as it
is: recorded from AWS, 2026-09-12 (radkawar/stackd, testdata/aws/iam/condition_values.json), a tag value
`` true `` does not satisfy ``Bool: true``.
"""

from __future__ import annotations

from typing import Any

from .base import Operator, Parts, equal, family, text_value

_BOOLEANS = {"true": True, "false": False}


def parse_bool(text: str) -> bool:
    """``true``/``false`` in any case; ValueError for anything else."""
    try:
        return _BOOLEANS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"not a boolean: {text!r}") from None


def _policy(parts: Parts) -> bool:
    return parse_bool(text_value(parts))


def _context(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value == value.strip():
        return parse_bool(value)
    raise ValueError(f"not a boolean: {value!r}")


def _present(_value: Any) -> bool:
    return False  # never called: Null is decided by presence in the block evaluator


OPERATORS = family(
    Operator("Bool", _policy, _context, equal),
    # "Null": true means the key must be absent; evaluated on presence, so coerce/compare are unused.
    Operator("Null", _policy, _present, equal, presence=True),
)
