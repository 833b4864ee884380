"""BinaryEquals (User Guide, "Binary condition operators"): base64 text compared as bytes."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .base import Operator, Parts, equal, family, text_value


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None


def _policy(parts: Parts) -> bytes:
    return _decode(text_value(parts))


def _context(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return _decode(value)
    raise ValueError("not binary")


OPERATORS = family(Operator("BinaryEquals", _policy, _context, equal, variables=False))
