"""BinaryEquals (User Guide, "Binary condition operators"): base64 text compared as bytes.

Only canonical base64 is read: padded, with no bits past the last byte and, in a request value, no spaces around
it. Recorded from AWS, 2026-09-12 (radkawar/stackd, testdata/aws/iam/condition_values.json): ``YQ==`` does not
equal ``YR==``, ``YQ`` or `` YQ== ``; anything else cannot be compared (unknown, fail closed).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .base import Operator, Parts, equal, family, text_value


def _decode(text: str) -> bytes:
    try:
        decoded = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    if base64.b64encode(decoded).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return decoded


def _policy(parts: Parts) -> bytes:
    return _decode(text_value(parts).strip())


def _context(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return _decode(value)
    raise ValueError("not binary")


OPERATORS = family(Operator("BinaryEquals", _policy, _context, equal, variables=False))
