"""Counts of recent attempts in fixed, epoch-aligned windows of time: the machinery of a rate limit (a leaf module).

An :class:`AttemptWindows` counts, per key, the attempts made in the current window (``int(seconds since the
epoch) // width``); a count from an earlier window counts for nothing.  It is machinery, not state: it is not
exported with the store, a restart or a reset forgets it, and an attempt refused by the API may still be counted
(that is what it is for).  Its size stays bounded: past ``limit`` keys, the keys of windows other than the
current one are dropped, and if that is not enough, those with the fewest attempts in this window.  A key with
many attempts (a locked one) is dropped last, so filling the table with fresh keys cannot lift a lock.
"""
from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import datetime


class AttemptWindows:
    """``key -> (window, attempts in that window)``."""

    __slots__ = ("_counts", "_lock", "limit", "width")

    def __init__(self, width: int, limit: int = 65536) -> None:
        self.width = width
        self.limit = limit
        self._counts: dict[Hashable, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def window(self, now: datetime) -> int:
        return int(now.timestamp()) // self.width

    def count(self, key: Hashable, now: datetime) -> int:
        """The attempts made for ``key`` in the window of ``now``."""
        with self._lock:
            window, attempts = self._counts.get(key, (None, 0))
            return attempts if window == self.window(now) else 0

    def add(self, key: Hashable, now: datetime) -> int:
        """Count one attempt for ``key`` at ``now``; the attempts of its window so far, this one included."""
        current = self.window(now)
        with self._lock:
            window, attempts = self._counts.get(key, (None, 0))
            attempts = attempts + 1 if window == current else 1
            if key not in self._counts and len(self._counts) >= self.limit:
                self._counts = {other: entry for other, entry in self._counts.items() if entry[0] == current}
                if len(self._counts) >= self.limit:
                    fewest = min(entry[1] for entry in self._counts.values())
                    self._counts = {other: entry for other, entry in self._counts.items() if entry[1] > fewest}
            self._counts[key] = (current, attempts)
            return attempts

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def __len__(self) -> int:
        return len(self._counts)
