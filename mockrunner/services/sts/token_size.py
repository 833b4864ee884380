"""``MinimumSessionTokenSize`` and the token-size members of the answers of STS's credential operations.

The request member (0 to 4096, the model's bounds, which the front end enforces) asks for a session token of at
least that many bytes: "STS increases the session token to at least this size, regardless of its actual content"
(STS API reference); 0 or absent leaves the size unchanged.  The answer reports ``SessionTokenSize`` (the token's
bytes) and ``SessionTokenUtilization``, "the percentage (0-100) of the maximum allowed session token size that the
returned session token consumes".  The maximum is not published: mockrunner takes the largest size a request may
ask for, 4096 bytes (*unverified*).  The answers recorded from AWS before these members existed carry neither, so
the older operations report them only when the request names ``MinimumSessionTokenSize``; GetScopedCredentials
always does (*unverified*: when AWS includes them is not documented).
"""
from __future__ import annotations

from typing import Any

MAX_SESSION_TOKEN_SIZE = 4096


def minimum_size(params: dict[str, Any]) -> int:
    """The minimum token size the request asks for (0: none)."""
    return params.get("MinimumSessionTokenSize") or 0


def requested_size_members(params: dict[str, Any], token: str) -> dict[str, int]:
    """:func:`size_members` when the request named ``MinimumSessionTokenSize``, else nothing."""
    return size_members(token) if params.get("MinimumSessionTokenSize") is not None else {}


def size_members(token: str) -> dict[str, int]:
    """``SessionTokenSize`` and ``SessionTokenUtilization`` for an answer carrying ``token``."""
    size = len(token.encode("utf-8"))
    return {"SessionTokenSize": size,
            "SessionTokenUtilization": min(100, size * 100 // MAX_SESSION_TOKEN_SIZE)}
