"""Memos bounded by their number of entries: the engine's tables of answers kept between requests (a policy's
statements by action, a policy set's plans, a principal's decisions), each of which starts over when full.

:func:`keep` bounds one table.  :class:`SharedMemos` bounds many tables together, each owned by the object its
answers are about (a policy set's plans, a compiled principal's decisions): a table lives and dies with its owner,
so what its answers hold (the owner's statements) is never kept alive by the memo once the owner is dropped.
"""

from __future__ import annotations

import threading
import weakref
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


class Memo(dict):
    """One owner's table of a :class:`SharedMemos` (a plain dict that can be referenced weakly)."""

    __slots__ = ("__weakref__",)


class SharedMemos:
    """At most ``limit`` answers kept in all the :class:`Memo` tables given to :meth:`keep`, wherever they live; past
    it every table starts over.  The count is of the answers kept since the last start (a table dropped with its
    owner still counts until then), so it is an upper bound of what is held.  Safe under threads (a racing
    :meth:`keep` may count an answer twice: the bound only tightens)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept = 0
        self._tables: weakref.WeakValueDictionary[int, Memo] = weakref.WeakValueDictionary()
        """The tables given to :meth:`keep`, by their ids, while they live."""
        self._lock = threading.Lock()

    def keep(self, table: Memo, key: Hashable, value: Value) -> Value:
        """Put ``value`` under ``key`` in ``table`` (every table emptied first when ``limit`` answers are kept)."""
        if self._kept >= self.limit:
            self.clear()
        if not table:  # a table's first answer (or its first since a start): known from now on, to be emptied
            with self._lock:
                self._tables[id(table)] = table
        table[key] = value
        self._kept += 1
        return value

    def clear(self) -> None:
        """Empty every table (the store's ``reset``, and a start over)."""
        with self._lock:
            tables = list(self._tables.values())
            self._kept = 0
        for table in tables:
            table.clear()

    def __len__(self) -> int:
        """Answers kept since the last start: at least as many as the tables hold."""
        return self._kept
