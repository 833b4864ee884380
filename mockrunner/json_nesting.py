"""JSON nested too deeply, told before it is parsed (a leaf module).

Python's JSON decoder recurses once per nested array or object and stops with ``RecursionError`` near the
interpreter's recursion limit; every reader of untrusted JSON here catches that and refuses the document.  But
a decoder that deep leaves no room for anything else Python runs meanwhile: a garbage collection that starts in
the middle of it runs finalizers (a temporary directory's, a socket's) at that depth, and they fail with
``RecursionError`` of their own, reported as unraisable exceptions.  :func:`loads` therefore refuses a document
nested deeper than :data:`MAX_DEPTH` before the decoder sees it, with :class:`NestedTooDeeply`, a
``RecursionError``, so each reader answers it as it answered the decoder's.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 512
"""The deepest nesting of arrays and objects read (no AWS document comes near it; the decoder's own limit, the
interpreter's recursion limit less the stack in use, is about 800 here)."""

_TEXT_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BYTES_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_TEXT_BRACKET = re.compile(r"[\[\]{}]")
_BYTES_BRACKET = re.compile(rb"[\[\]{}]")


class NestedTooDeeply(RecursionError):
    """The JSON nests arrays and objects deeper than :data:`MAX_DEPTH`."""


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON ``text`` nests arrays and objects deeper than ``limit`` (brackets inside strings do not
    count).  Linear in the text; a document with at most ``limit`` opening brackets in all is not scanned."""
    opening = (b"[", b"{") if isinstance(text, bytes) else ("[", "{")
    if text.count(opening[0]) + text.count(opening[1]) <= limit:
        return False
    strings, brackets = (_BYTES_STRING, _BYTES_BRACKET) if isinstance(text, bytes) else (_TEXT_STRING, _TEXT_BRACKET)
    depth = 0
    for bracket in brackets.findall(strings.sub(b"" if isinstance(text, bytes) else "", text)):
        if bracket in opening:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text, **options)``, refusing with :class:`NestedTooDeeply` a document nested deeper than
    :data:`MAX_DEPTH` before decoding it."""
    if too_deep(text):
        raise NestedTooDeeply(f"the JSON nests arrays and objects deeper than {MAX_DEPTH} levels")
    return json.loads(text, **options)


def loads_finite(text: str | bytes, **options: Any) -> Any:
    """:func:`loads`, refusing with ``ValueError`` what Python reads but RFC 8259 does not call JSON: ``NaN``,
    ``Infinity`` and numbers past a double (``1e999``), which no strict parser reads back once written."""
    return loads(text, parse_float=_finite, parse_constant=_not_a_number, **options)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is no finite number")
    return value


def _not_a_number(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")
