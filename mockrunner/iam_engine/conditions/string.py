"""String operators (User Guide, "String condition operators").

``StringLike``'s ``*`` and ``?`` are wildcards; ``StringEquals`` compares them literally.
"""

from __future__ import annotations

import re
from typing import Any

from ..matching import compile_regex, parts_to_regex
from .base import Operator, Parts, equal, family, text_context, text_value


def _glob(parts: Parts) -> Any:
    return compile_regex(parts_to_regex(parts) + r"\Z", False)


def _like(context: str, pattern: Any) -> bool:
    return pattern.match(context) is not None


def _alternation(patterns: tuple[Any, ...]) -> Any:
    """One regex for several globs (each ends in ``\\Z``): a single test in the regex engine per context value.
    Compiled outside :func:`compile_regex`'s cache: the compiled condition holding it is what is cached."""
    return re.compile("(?:" + "|".join(sorted({p.pattern for p in patterns})) + ")", re.DOTALL)


def _folded_value(parts: Parts) -> str:
    return text_value(parts).casefold()


def _folded_context(value: Any) -> str:
    return text_context(value).casefold()


OPERATORS = family(
    Operator("StringEquals", text_value, text_context, equal),
    Operator("StringNotEquals", text_value, text_context, equal, negated=True),
    Operator("StringEqualsIgnoreCase", _folded_value, _folded_context, equal),
    Operator("StringNotEqualsIgnoreCase", _folded_value, _folded_context, equal, negated=True),
    Operator("StringLike", _glob, text_context, _like, combine=_alternation),
    Operator("StringNotLike", _glob, text_context, _like, negated=True, combine=_alternation),
)
