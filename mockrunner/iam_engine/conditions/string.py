"""String operators (User Guide, "String condition operators").

``StringLike``'s ``*`` and ``?`` are wildcards (``?`` is one UTF-16 code unit); ``StringEquals`` compares them
literally. ``...IgnoreCase`` compares lower cases (:func:`fold`), never with Unicode full case folding.
"""

from __future__ import annotations

import re
from typing import Any

from ..matching import compile_regex, parts_to_regex
from .base import Operator, Parts, equal, family, text_context, text_value


def _glob(parts: Parts) -> Any:
    return compile_regex(parts_to_regex([(kind, utf16_units(text)) for kind, text in parts]) + r"\Z", False)


def _units_context(value: Any) -> str:
    return utf16_units(text_context(value))


def _like(context: str, pattern: Any) -> bool:
    return pattern.match(context) is not None


def _alternation(patterns: tuple[Any, ...]) -> Any:
    """One regex for several globs (each ends in ``\\Z``): a single test in the regex engine per context value.
    Compiled outside :func:`compile_regex`'s cache: the compiled condition holding it is what is cached."""
    return re.compile("(?:" + "|".join(sorted({p.pattern for p in patterns})) + ")", re.DOTALL)


def fold(text: str) -> str:
    """``text`` lower-cased for the ``...IgnoreCase`` operators: each character of the Basic Multilingual Plane takes
    its lower case (``\u0130`` becomes ``i\u0307``, a final capital sigma ``\u03c2``), characters beyond it (a
    surrogate pair in AWS's UTF-16 strings) stay as they are. Recorded from AWS, 2026-09: radkawar/stackd,
    testdata/aws/iam/condition_strings.json: ``\u212a`` (Kelvin) equals ``k`` and ``\u1e9e`` equals ``\u00df``,
    but ``\u0131`` is not ``I``, ``\u017f`` is not ``s``, ``\u03c2`` is not ``\u03a3`` (while ``\u039f\u03a3``
    equals ``\u03bf\u03c2``), ``\U00010428`` is not ``\U00010400`` and ``\u00df`` is not ``SS``."""
    if text.isascii():
        return text.lower()
    whole = text.lower()  # where each capital sigma is final or not: the only context-dependent lower case
    out: list[str] = []
    offset = 0
    for char in text:
        lower = char.lower()
        if char == "\u03a3":
            lower = whole[offset]
        out.append(char if ord(char) > 0xFFFF else lower)
        offset += len(lower)
    return "".join(out)


def utf16_units(text: str) -> str:
    """``text`` with each character beyond the Basic Multilingual Plane as its two UTF-16 surrogates: a glob's
    ``?`` matches one UTF-16 code unit, as in AWS (recorded from AWS, 2026-09: radkawar/stackd,
    testdata/aws/iam/condition_strings.json: ``?`` does not match ``\U00010400`` and ``??`` does)."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(units[i:i + 2], "little")) for i in range(0, len(units), 2))


def _folded_value(parts: Parts) -> str:
    return fold(text_value(parts))


def _folded_context(value: Any) -> str:
    return fold(text_context(value))


OPERATORS = family(
    Operator("StringEquals", text_value, text_context, equal),
    Operator("StringNotEquals", text_value, text_context, equal, negated=True),
    Operator("StringEqualsIgnoreCase", _folded_value, _folded_context, equal),
    Operator("StringNotEqualsIgnoreCase", _folded_value, _folded_context, equal, negated=True),
    Operator("StringLike", _glob, _units_context, _like, combine=_alternation),
    Operator("StringNotLike", _glob, _units_context, _like, negated=True, combine=_alternation),
)
