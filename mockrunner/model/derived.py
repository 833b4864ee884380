"""Values derived from the state and kept until their source changes: compiled policy sets, resolved callers,
listing views, loaded keys (a leaf module).

Each value is stored with the version of the source it was derived from (``IamState.version`` for anything read
from an account's IAM state, which only the state's own mutation methods advance; a constant for a source that
never changes).  A lookup with another version derives the value again, so nothing here needs clearing when the
state changes, and a stale value can never be returned.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class DerivedCache:
    """``key -> (version, value)``, bounded: past ``limit`` entries it starts over."""

    __slots__ = ("_entries", "limit")

    def __init__(self, limit: int = 4096) -> None:
        self._entries: dict[Hashable, tuple[Any, Any]] = {}
        self.limit = limit

    def get(self, key: Hashable, version: Any, derive: Callable[[], T]) -> T:
        """The value for ``key`` derived at ``version``; ``derive()`` makes it when there is none."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        value = derive()
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[key] = (version, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
