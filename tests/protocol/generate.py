"""Random but valid values for botocore shapes, for the round-trip proofs.

Strings honour ``enum``, ``min``/``max`` and ``pattern``: patterns are walked with Python's own regex parser
(``re._parser``) to build a matching string, and every candidate is checked against mockrunner's validator rules
before it is used, so a generated request is valid by construction.  Timestamps are whole seconds because
botocore's json serializer truncates to seconds.
"""
from __future__ import annotations

import random
import re
import string
from datetime import UTC, datetime
from re import _constants as C  # noqa: N812 - the regex opcodes
from re import _parser
from typing import Any

from botocore.model import Shape

from mockrunner.protocol.patterns import compile_pattern, translate

# Characters strings are drawn from: XML specials and non-ASCII included on purpose.
POOL = string.ascii_letters + string.digits + " -_.:/=+@,&<>'\"é中ß"
_CATEGORIES = {
    C.CATEGORY_DIGIT: str.isdigit, C.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_", C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    C.CATEGORY_SPACE: str.isspace, C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
}


class Generator:
    def __init__(self, seed: int, max_items: int = 2) -> None:
        self.rng = random.Random(seed)
        self.max_items = max_items
        self.failures: list[str] = []

    # ------------------------------------------------------------------------------------------ shapes
    def value(self, shape: Shape, depth: int = 0) -> Any:
        return getattr(self, f"_{shape.type_name}")(shape, depth)

    def _structure(self, shape: Shape, depth: int) -> dict:
        if depth > 8:
            return {}
        members = shape.members
        if getattr(shape, "is_tagged_union", False) and members:
            # A tagged union carries exactly one of its members (botocore's client refuses more).
            name = self.rng.choice(sorted(members))
            return {name: self.value(members[name], depth + 1)}
        return {name: self.value(member, depth + 1) for name, member in members.items()}

    def _count(self, shape: Shape) -> int:
        low = max(shape.metadata.get("min", 1), 1)
        high = min(shape.metadata.get("max", self.max_items), self.max_items)
        return self.rng.randint(low, max(low, high))

    def _list(self, shape: Shape, depth: int) -> list:
        return [self.value(shape.member, depth + 1) for _ in range(self._count(shape))]

    def _map(self, shape: Shape, depth: int) -> dict:
        out = {}
        for _ in range(self._count(shape) * 3):
            if len(out) >= self._count(shape):
                break
            out[self.value(shape.key, depth + 1)] = self.value(shape.value, depth + 1)
        return out

    def _integer(self, shape: Shape, depth: int) -> int:
        low = int(shape.metadata.get("min", 0))
        return self.rng.randint(low, int(shape.metadata.get("max", low + 1000)))

    _long = _integer

    def _double(self, shape: Shape, depth: int) -> float:
        return round(self.rng.uniform(shape.metadata.get("min", 0), shape.metadata.get("max", 1000)), 3)

    _float = _double

    def _boolean(self, shape: Shape, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _timestamp(self, shape: Shape, depth: int) -> datetime:
        return datetime.fromtimestamp(self.rng.randint(1_500_000_000, 1_900_000_000), UTC)

    def _blob(self, shape: Shape, depth: int) -> bytes:
        low = shape.metadata.get("min", 1)
        size = self.rng.randint(low, max(low, min(shape.metadata.get("max", 16), 16)))
        return bytes(self.rng.randrange(256) for _ in range(size))

    def _string(self, shape: Shape, depth: int) -> str:
        enum = shape.metadata.get("enum")
        if enum:
            return self.rng.choice(enum)
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 40)
        pattern = shape.metadata.get("pattern")
        compiled = compile_pattern(pattern) if pattern else None
        for _ in range(300):
            if compiled is not None:
                text = self.matching(pattern, low, high)
            else:
                size = self.rng.randint(max(low, 1), max(max(low, 1), min(high, low + 12)))
                text = "".join(self.rng.choice(POOL) for _ in range(size))
            if low <= len(text) <= high and (compiled is None or compiled.fullmatch(text)):
                return text
        self.failures.append(f"{shape.name}: {pattern}")
        return "x" * max(low, 1)

    # ----------------------------------------------------------------------------------------- regexes
    def matching(self, pattern: str, shortest: int, longest: int) -> str:
        """A string matching ``pattern``; unbounded repeats aim at ``shortest..longest`` characters."""
        tree = _parser.parse(translate(pattern))
        return self._walk(list(tree), (shortest, longest))

    def _walk(self, items: list, budget: tuple[int, int]) -> str:
        return "".join(self._node(op, arg, budget) for op, arg in items)

    def _node(self, op: Any, arg: Any, budget: tuple[int, int]) -> str:
        rng = self.rng
        if op is C.LITERAL:
            return chr(arg)
        if op is C.NOT_LITERAL:
            return rng.choice([c for c in POOL if ord(c) != arg])
        if op is C.ANY:
            return rng.choice(POOL)
        if op is C.IN:
            return rng.choice(_candidates(arg))
        if op is C.BRANCH:
            return self._walk(list(rng.choice(arg[1])), budget)
        if op is C.SUBPATTERN:
            return self._walk(list(arg[3]), budget)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, high, body = arg
            if high is C.MAXREPEAT and rng.random() < 0.3:
                # Sometimes stretch one unbounded repeat to reach the shape's minimum length.
                low = max(low, min(budget[0], budget[1]))
            high = min(high, low + 6)
            count = rng.randint(low, high)
            inner = (0, budget[1])
            return "".join(self._walk(list(body), inner) for _ in range(count))
        return ""  # anchors and look-arounds: candidates are re-checked with fullmatch


_CANDIDATES: dict[str, list[str]] = {}


def _candidates(items: list) -> list[str]:
    key = repr(items)
    if key not in _CANDIDATES:
        _CANDIDATES[key] = [c for c in POOL if _in_class(items, c)] or ["a"]
    return _CANDIDATES[key]


def _in_class(items: list, char: str) -> bool:
    negate = False
    hit = False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit = hit or ord(char) == arg
        elif op is C.RANGE:
            hit = hit or arg[0] <= ord(char) <= arg[1]
        elif op is C.CATEGORY:
            hit = hit or _CATEGORIES.get(arg, lambda c: False)(char)
    return hit != negate


def normalize(value: Any, drop_empty_maps: bool = False) -> Any:
    """Compare modulo wire-format transforms: tz-aware datetimes to UTC, empty structures/maps dropped when the
    protocol cannot carry them (botocore's query serializer writes nothing for an empty map or structure)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = normalize(item, drop_empty_maps)
            if drop_empty_maps and item == {}:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [normalize(item, drop_empty_maps) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


__all__ = ["Generator", "normalize", "re"]
