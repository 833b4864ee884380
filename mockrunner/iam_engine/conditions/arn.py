"""ARN operators (User Guide, "Amazon Resource Name (ARN) condition operators").

"Each of the six colon-delimited components of the ARN is checked separately and each can include
multi-character match wildcards (*) or single-character match wildcards (?)": a wildcard in the first
five components stops at ``:``; the last component (the resource) may itself contain colons.
``ArnEquals`` and ``ArnLike`` behave identically, as the guide documents.

A request value with fewer than six components has no components to compare, so ``ArnLike``/``ArnEquals`` do not
match it (cloud-copilot/iam-simulate's ``arnMatches`` answers the same). A policy value with fewer than six
components (a bare ``*`` included) matches no such value either, but against an ARN it is unknown: recorded from
AWS, 2026-09-12 (radkawar/stackd, testdata/aws/iam/condition_values.json), ``ArnLike`` with a pattern
``${aws:RequestTag/pattern}`` that resolves to ``not-an-arn`` neither allows nor lifts a Deny for an ARN request
value, and does not match ``not-an-arn``. For the negated operators the engine fails closed for any value it
cannot read: the condition is unknown, so ``ArnNotLike: "*"`` never allows and still denies.
"""

from __future__ import annotations

from typing import Any

from ..matching import arn_glob_pieces, compile_regex, join_glob
from .base import Operator, Parts, family, text_context


def _policy(parts: Parts) -> Any:
    pieces, colons = arn_glob_pieces(parts)
    if colons < 5:
        raise ValueError("not an ARN")
    return compile_regex(join_glob(pieces) + r"\Z", False)


def _context(value: Any) -> str:
    text = text_context(value)
    if text.count(":") < 5:
        raise ValueError("not an ARN")
    return text


def _like(context: str, pattern: Any) -> bool:
    return pattern.match(context) is not None


_NOT_AN_ARN = object()
"""A policy value with fewer than six components."""


def _policy_or_none(parts: Parts) -> Any:
    try:
        return _policy(parts)
    except ValueError:
        return _NOT_AN_ARN


def _context_or_none(value: Any) -> str | None:
    try:
        return _context(value)
    except ValueError:
        return None


def _like_or_miss(context: str | None, pattern: Any) -> bool:
    if context is None:
        return False
    if pattern is _NOT_AN_ARN:
        raise ValueError("an ARN compared with a pattern that is no ARN")
    return pattern.match(context) is not None


OPERATORS = family(
    Operator("ArnEquals", _policy_or_none, _context_or_none, _like_or_miss),
    Operator("ArnLike", _policy_or_none, _context_or_none, _like_or_miss),
    Operator("ArnNotEquals", _policy, _context, _like, negated=True),
    Operator("ArnNotLike", _policy, _context, _like, negated=True),
)
