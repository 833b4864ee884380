"""Answers computed from policy texts, kept between calls within a budget of characters.

``functools.lru_cache`` bounds the number of entries, not what they hold: the engine's parse cache kept 4,096
compiled policies, and a compiled 130,000-character policy (the size a simulation accepts) holds about 0.7 MB, so
a caller sending distinct documents could make the process hold about 3 GB.  :func:`kept_within` keeps the most
recently used answers while their texts add up to at most ``budget`` characters (and at most ``entries`` of them),
so the policies in use stay read once (the longest AWS managed policy has 230,794 characters) while no caller can
make a cache hold more than its budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

Answer = TypeVar("Answer")

TEXT_BUDGET = 2_000_000
"""Characters of policy text a cache of small answers about documents keeps (their context keys, their statements'
positions): every document of a principal holding ReadOnlyAccess and a few dozen others."""


class TextCache(Generic[Answer]):
    """``compute(text, *rest)``, kept least-recently-used by all its arguments within ``budget`` characters of
    text (``size(text)``: its length, or the characters of a text given in parts) and ``entries`` answers; a text
    longer than the budget is computed every time, and an exception is never kept.  Safe under threads (racing
    callers may both compute an answer: ``compute`` must be a pure function of its arguments)."""

    def __init__(self, compute: Callable[..., Answer], budget: int, entries: int,
                 size: Callable[[Any], int] = len, weigh: Callable[[Any, Any], int] | None = None) -> None:
        self._compute, self._budget, self._entries, self._size = compute, budget, entries, size
        self._weigh = weigh
        """``weigh(text, answer)``: what an answer counts against the budget instead of ``size(text)`` (an answer
        that holds far more per character of some texts than of others)."""
        self._kept: OrderedDict[tuple[Hashable, ...], Answer] = OrderedDict()
        self._sizes: dict[tuple[Hashable, ...], int] = {}
        self._held = 0
        self._lock = threading.Lock()
        self.__doc__, self.__wrapped__ = compute.__doc__, compute

    def __call__(self, text: Any, *rest: Any) -> Answer:
        key = (text, *rest)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        answer = self._compute(text, *rest)
        size = self._size(text) if self._weigh is None else self._weigh(text, answer)
        if size > self._budget:
            return answer
        with self._lock:
            if key not in self._kept:
                self._kept[key] = answer
                self._sizes[key] = size
                self._held += size
                while self._held > self._budget or len(self._kept) > self._entries:
                    dropped, _ = self._kept.popitem(last=False)
                    self._held -= self._sizes.pop(dropped)
        return answer

    def held(self) -> tuple[int, int]:
        """``(answers, characters of their texts)`` kept now (their weights, for a cache given ``weigh``)."""
        with self._lock:
            return len(self._kept), self._held

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._sizes.clear()
            self._held = 0


def kept_within(budget: int, entries: int, size: Callable[[Any], int] = len,
                weigh: Callable[[Any, Any], int] | None = None,
                ) -> Callable[[Callable[..., Answer]], TextCache[Answer]]:
    """Decorator: the function's answers kept by :class:`TextCache` (its first argument is the text)."""
    return lambda compute: TextCache(compute, budget, entries, size, weigh)
