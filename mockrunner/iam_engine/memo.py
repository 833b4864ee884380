"""Memos bounded by their number of entries: the engine's tables of answers kept between requests (a policy's
statements by action, a policy set's plans, a principal's decisions), each of which starts over when full."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from typing import TypeVar

Value = TypeVar("Value")


def keep(table: MutableMapping[Hashable, Value], limit: int, key: Hashable, value: Value) -> Value:
    """Put ``value`` under ``key`` in ``table``, emptied first when it already holds ``limit`` entries (cheaper on a
    hot path than least-recently-used order, and the entries are small, so only their number is bounded)."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value
