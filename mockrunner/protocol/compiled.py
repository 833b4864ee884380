"""Memoize one compiled function per botocore shape.

botocore's ``Shape`` objects are cheap to ask but slow to walk: each member access resolves references and builds
new objects.  The codecs and the validator therefore turn each shape, once, into a closure specialised for it
(dispatch on the shape type happens at compile time, not per call).  Children are compiled eagerly when their
parent is; a shape that refers back to one still being compiled gets a lazy stand-in, so recursive shapes are safe.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape

Compiler = Callable[[Shape], Callable[..., Any]]


class Memo:
    """``memo(shape)`` returns the compiled function for ``shape``, building it with ``compiler`` the first time.

    Entries keep a reference to their shape so ``id(shape)`` is never reused while cached.
    """

    def __init__(self, compiler: Compiler) -> None:
        self._compiler = compiler
        self._cache: dict[int, tuple[Shape, Callable[..., Any]]] = {}
        self._building: set[str] = set()

    def __call__(self, shape: Shape) -> Callable[..., Any]:
        entry = self._cache.get(id(shape))
        if entry is None:
            if shape.name in self._building:
                return self._lazy(shape)
            self._building.add(shape.name)
            try:
                entry = (shape, self._compiler(shape))
            finally:
                self._building.discard(shape.name)
            self._cache[id(shape)] = entry
        return entry[1]

    def _lazy(self, shape: Shape) -> Callable[..., Any]:
        """A function that compiles ``shape`` on first call: breaks the cycle of a recursive shape."""
        cell: list[Callable[..., Any]] = []

        def call(*args: Any) -> Any:
            if not cell:
                cell.append(self(shape))
            return cell[0](*args)

        return call
