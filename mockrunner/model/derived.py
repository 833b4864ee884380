"""Values derived from the state and kept until their source changes: compiled policy sets, resolved callers,
listing views, loaded keys (a leaf module).  :class:`DerivedCache` bounds their number, :class:`WeighedCache` also
what they hold.

Each value is stored with the version of the source it was derived from (``IamState.version`` for anything read
from an account's IAM state, which only the state's own mutation methods advance; a constant for a source that
never changes).  A lookup with another version derives the value again, so nothing here needs clearing when the
state changes, and a stale value can never be returned.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
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


class WeighedCache:
    """:class:`DerivedCache`'s contract, bounded by what its values hold as well as by their number: each value is
    made of parts (``parts(value)``: ``(part, weight)`` pairs, the objects it keeps alive), and the parts of the
    values kept weigh at most ``budget`` together, a part several values share counted once.  Past either bound
    the least recently used values go; a value heavier than the budget alone is derived every time.  Safe under
    threads (racing callers may both derive a value)."""

    def __init__(self, limit: int, budget: int, parts: Callable[[Any], Iterable[tuple[object, int]]]) -> None:
        self.limit, self.budget, self._parts = limit, budget, parts
        self._entries: OrderedDict[Hashable, tuple[Any, Any, tuple[int, ...]]] = OrderedDict()
        self._shared: dict[int, list[int]] = {}
        """``id(part) -> [values kept holding it, its weight]`` (a part is alive while a kept value holds it, so its
        id names it)."""
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Any, derive: Callable[[], T]) -> T:
        """The value for ``key`` derived at ``version``; ``derive()`` makes it when there is none."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        value = derive()
        weights = {id(part): weight for part, weight in self._parts(value)}
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._release(replaced[2])
            if sum(weights.values()) > self.budget:
                return value
            for part, weight in weights.items():
                shared = self._shared.get(part)
                if shared is None:
                    self._shared[part] = [1, weight]
                    self._held += weight
                else:
                    shared[0] += 1
            self._entries[key] = (version, value, tuple(weights))
            while self._held > self.budget or len(self._entries) > self.limit:
                self._release(self._entries.popitem(last=False)[1][2])
        return value

    def touch(self, key: Hashable, value: Any) -> None:
        """Count a use of ``value``, kept for ``key``, found without :meth:`get` (a caller's own weak reference to
        it): it becomes the most recently used, as a hit of :meth:`get` makes it.  Nothing when ``key`` keeps
        another value or none."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] is value:
                self._entries.move_to_end(key)

    def _release(self, parts: tuple[int, ...]) -> None:
        for part in parts:
            shared = self._shared[part]
            shared[0] -= 1
            if not shared[0]:
                del self._shared[part]
                self._held -= shared[1]

    def held(self) -> tuple[int, int]:
        """``(values, the weight of their parts)`` kept now."""
        with self._lock:
            return len(self._entries), self._held

    def __len__(self) -> int:
        return len(self._entries)
