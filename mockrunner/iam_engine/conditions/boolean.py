"""Bool and Null (User Guide, "Boolean condition operators" and "Condition operator to check existence").

A policy value is ``true``/``false`` (any case); anything else cannot be compared.  A request value is read as it
is, ``true`` in any case being true and any other text false: recorded from AWS (radkawar/stackd,
testdata/aws/iam/condition_values.json, 2026-09-12), a tag value `` true `` does not satisfy ``Bool: true``, and
(simulation_defaults.json, 2026-09-11) ``stackd-explicit`` and the empty string satisfy ``Bool: false``.
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
    """A request value as a boolean: ``true`` in any case is true, any other text false (as Java reads a
    boolean).  Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation_defaults.json,
    "controls_string_bool_false", "controls_empty_string_bool_false", "baseline_userid_bool_false"): ``Bool: false``
    holds for ``stackd-explicit`` and for the empty string; `` true `` is not true (condition_values.json)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    raise ValueError(f"not a boolean: {value!r}")


def _present(_value: Any) -> bool:
    return False  # never called: Null is decided by presence in the block evaluator


OPERATORS = family(
    Operator("Bool", _policy, _context, equal),
    # "Null": true means the key must be absent; evaluated on presence, so coerce/compare are unused.
    Operator("Null", _policy, _present, equal, presence=True),
)
