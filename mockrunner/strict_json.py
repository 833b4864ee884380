"""JSON documents people hand to mockrunner (admin request bodies, seed files), parsed strictly.

:func:`loads` is ``json.loads`` that also refuses what the standard parser lets through: an object naming a key
twice (which value wins differs between parsers, so the document is ambiguous), ``NaN`` and ``Infinity`` (not
JSON), nesting deeper than the parser goes (``RecursionError``) and integers longer than Python reads.  Every
refusal is a ``ValueError`` saying why.
"""
from __future__ import annotations

import json
from typing import Any


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {twice[:100]!r} appears twice in one object")
    return document


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


MAX_INTEGER_DIGITS = 4300
"""The most digits an integer may have: Python's own limit for reading one."""


def loads(text: str | bytes) -> Any:
    """The document ``text`` holds; ``ValueError`` for anything but one unambiguous JSON document."""
    try:
        return json.loads(text, object_pairs_hook=_unique, parse_constant=_not_json, parse_int=_integer)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
