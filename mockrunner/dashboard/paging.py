"""Long lists on the dashboard's state pages shown a window at a time, each list with its own query parameter.

A list's parameter holds its page number (1 = first); a value that is not a number shows page 1 and a number
past the end shows the last page (as the decision list's ``page=`` does).  The caller takes only the window's
items from its ordered collection (:meth:`Window.of`, :meth:`Window.among`) and builds rows for those alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from mockrunner.numerals import is_decimal

T = TypeVar("T")
PAGE_SIZE = 100


@dataclass(frozen=True)
class Window:
    """Page ``number`` of ``pages`` of a list of ``total`` items, ``size`` a page, named ``param`` in the URL."""

    param: str
    number: int
    pages: int
    total: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def end(self) -> int:
        return min(self.total, self.start + self.size)

    def of(self, items: Sequence[T]) -> Sequence[T]:
        """The window's items of a list holding all ``total`` items in order."""
        return items[self.start:self.end]

    def among(self, items: Iterable[T]) -> list[T]:
        """The window's items of an ordered iterable, read up to the window's end only."""
        return list(islice(items, self.start, self.end))

    def query(self, args: Mapping[str, str], number: int) -> dict[str, str]:
        """``args`` (every other list's position) with this list at page ``number`` (page 1 left out)."""
        kept = {name: value for name, value in args.items() if name != self.param}
        if number > 1:
            kept[self.param] = str(number)
        return kept


def window(args: Mapping[str, str], param: str, total: int, size: int = PAGE_SIZE) -> Window:
    """The window of a ``total``-item list that the request's ``param`` asks for."""
    text = args.get(param, "1")
    pages = max(1, -(-total // size))
    number = int(text) if is_decimal(text) else 1
    return Window(param, min(max(1, number), pages), pages, total, size)
