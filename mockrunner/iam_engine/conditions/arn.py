"""ARN operators (User Guide, "Amazon Resource Name (ARN) condition operators").

"Each of the six colon-delimited components of the ARN is checked separately and each can include
multi-character match wildcards (*) or single-character match wildcards (?)": a wildcard in the first
five components stops at ``:``; the last component (the resource) may itself contain colons.
``ArnEquals`` and ``ArnLike`` behave identically, as the guide documents.

A value with fewer than six components (a bare ``*`` included) has no components to compare, so
``ArnLike``/``ArnEquals`` simply do not match it (cloud-copilot/iam-simulate's ``arnMatches`` answers the
same). For the negated operators the engine has no evidence and fails closed: the condition is unknown,
so ``ArnNotLike: "*"`` never allows and still denies.
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


def _policy_or_none(parts: Parts) -> Any:
    try:
        return _policy(parts)
    except ValueError:
        return None


def _context_or_none(value: Any) -> str | None:
    try:
        return _context(value)
    except ValueError:
        return None


def _like_or_miss(context: str | None, pattern: Any) -> bool:
    return context is not None and pattern is not None and pattern.match(context) is not None


OPERATORS = family(
    Operator("ArnEquals", _policy_or_none, _context_or_none, _like_or_miss),
    Operator("ArnLike", _policy_or_none, _context_or_none, _like_or_miss),
    Operator("ArnNotEquals", _policy, _context, _like, negated=True),
    Operator("ArnNotLike", _policy, _context, _like, negated=True),
)
