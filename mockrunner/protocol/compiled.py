"""Memoize one compiled function per botocore shape.

botocore's ``Shape`` objects are cheap to ask but slow to walk: each member access resolves references and builds
new objects.  The codecs and the validator therefore turn each shape, once, into a closure specialised for it
(dispatch on the shape type happens at compile time, not per call).  Children are compiled eagerly when their
parent is; a shape that refers back to one still being compiled gets a lazy stand-in, so recursive shapes are safe.

Thread safety: the cache is read without a lock (the hot path is one dict lookup).  Which shapes are "being
compiled" is recorded per thread, because only the thread compiling a shape may hand out a stand-in for it: a
stand-in called while another thread is still compiling its shape would find it missing and recurse.  Threads
that miss the same shape at the same moment each compile it; the first result stored is the one every later
call gets (compilers are pure, so the copies are interchangeable).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

Compiler = Callable[[Shape], Callable[..., Any]]


class Memo:
    """``memo(shape)`` returns the compiled function for ``shape``, building it with ``compiler`` the first time.

    Safe to call from any number of threads at once.  Entries keep a reference to their shape so ``id(shape)``
    is never reused while cached.
    """

    def __init__(self, compiler: Compiler) -> None:
        self._compiler = compiler
        self._cache: dict[int, tuple[Shape, Callable[..., Any]]] = {}
        self._local = threading.local()

    def __call__(self, shape: Shape) -> Callable[..., Any]:
        entry = self._cache.get(id(shape))
        if entry is None:
            return self._build(shape)
        return entry[1]

    def _build(self, shape: Shape) -> Callable[..., Any]:
        building: set[str] | None = getattr(self._local, "building", None)
        if building is None:
            building = self._local.building = set()
        if shape.name in building:
            return self._lazy(shape)
        building.add(shape.name)
        try:
            compiled = self._compiler(shape)
        finally:
            building.discard(shape.name)
        return self._cache.setdefault(id(shape), (shape, compiled))[1]

    def _lazy(self, shape: Shape) -> Callable[..., Any]:
        """A function that compiles ``shape`` on first call: breaks the cycle of a recursive shape."""
        cell: list[Callable[..., Any]] = []

        def call(*args: Any) -> Any:
            if not cell:
                cell.append(self(shape))
            return cell[0](*args)

        return call
