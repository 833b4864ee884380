"""String operators (User Guide, "String condition operators").

``StringLike``'s ``*`` and ``?`` are wildcards; ``StringEquals`` compares them literally. ``...IgnoreCase`` compares
character by character (:func:`fold`), never with Unicode full case folding, which changes lengths.
"""

from __future__ import annotations

import re
from functools import lru_cache
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


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character's case-insensitive key: its upper case, then that one's lower case, each only where it is one
    character. Two characters get the same key exactly when Java's ``String.equalsIgnoreCase`` (per character:
    equal, or equal upper cases, or equal lower cases of those) finds them equal."""
    upper = char.upper()
    upper = upper if len(upper) == 1 else char
    lower = upper.lower()
    return lower if len(lower) == 1 else upper


def fold(text: str) -> str:
    """``text`` compared ignoring case character by character: ``ß`` is not ``ss`` and ``\ufb01`` is not ``fi``
    (``str.casefold`` makes both equal, which no per-character comparison does), ``\u212a`` (Kelvin) is ``k``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def _folded_value(parts: Parts) -> str:
    return fold(text_value(parts))


def _folded_context(value: Any) -> str:
    return fold(text_context(value))


OPERATORS = family(
    Operator("StringEquals", text_value, text_context, equal),
    Operator("StringNotEquals", text_value, text_context, equal, negated=True),
    Operator("StringEqualsIgnoreCase", _folded_value, _folded_context, equal),
    Operator("StringNotEqualsIgnoreCase", _folded_value, _folded_context, equal, negated=True),
    Operator("StringLike", _glob, text_context, _like, combine=_alternation),
    Operator("StringNotLike", _glob, text_context, _like, negated=True, combine=_alternation),
)
