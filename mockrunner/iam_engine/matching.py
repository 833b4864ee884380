"""Glob matching for actions, resources and ``*Like`` condition values, compiled to regexes once.

Every character of a policy pattern is literal except ``*`` (any run) and ``?`` (one character). In a
``Resource``/``NotResource`` ARN a wildcard stays inside its colon-separated component for the first
five components ("a wildcard cannot span segments", IAM User Guide, "Resource" element; iam-simulate's
``resource.ts`` matches partition/service/region/account one by one), while in the resource part it
runs across ``/`` and ``:`` (awsdocs/iam-user-guide#175: ``my-bucket/foo/*/bar`` matches
``my-bucket/foo/1/2/bar``). A pattern with fewer than six components keeps a spanning wildcard in its last
component, so a short ``Deny`` never silently stops denying. Regex metacharacters in policies
are escaped, so ``arn:aws:s3:::a.b`` never matches ``arn:aws:s3:::axb``. Actions compare
case-insensitively and resources case-sensitively (User Guide, "Action" and "Resource" elements).

Matching takes time linear in the pattern times the value, however many wildcards a policy holds
(:func:`join_glob`): a ``*`` followed by more text and another ``*`` takes the first place that text occurs, in
an atomic group the regex engine never backtracks into.  That first place is always a right one: whatever a later
place lets the rest match, the earlier one lets it match too (the next ``*`` absorbs the difference).  Plain
``.*`` per wildcard backtracks instead: 12 wildcards against a 200-character name ran for hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .text_cache import kept_within
from .variables import MULTIVALUED, RAW, Template, has_variables, resolve

STAR = ".*"
"""A ``*`` that may span anything."""
COMPONENT_STAR = "[^:]*"
"""A ``*`` inside one ARN component."""
_STARS = frozenset({STAR, COMPONENT_STAR})


def join_glob(pieces: Iterable[str]) -> str:
    """Regex source (no anchors) for a glob already cut into pieces: :data:`STAR` or :data:`COMPONENT_STAR` for
    each ``*``,
    and the regex of one character (``.``, ``[^:]`` or an escaped literal) for everything else.

    Every ``*`` but the last becomes ``(?>STAR?text)``: the first occurrence of the text after it, atomically,
    so matching never backtracks into earlier wildcards (see the module docstring).  Repeated ``*`` collapse.
    """
    head: list[str] = []
    runs: list[tuple[str, list[str]]] = []
    for piece in pieces:
        if piece in _STARS:
            if not (runs and not runs[-1][1]):  # ``**`` is ``*``
                runs.append((piece, []))
        else:
            (runs[-1][1] if runs else head).append(piece)
    out = ["".join(head)]
    for index, (star, text) in enumerate(runs):
        if index == len(runs) - 1:
            out.append(star + "".join(text))
        else:
            out.append(f"(?>{star}?{''.join(text)})")
    return "".join(out)


def glob_to_regex(pattern: str) -> str:
    """Regex source for one glob, without anchors."""
    return join_glob(STAR if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)


def parts_to_regex(parts: Iterable[tuple[int, str]]) -> str:
    """Regex source for resolved template parts: RAW text globs, literal text is escaped."""
    return join_glob(_glob_pieces(parts, lambda _colons: (STAR, ".")))


def resource_parts_to_regex(parts: Iterable[tuple[int, str]]) -> str:
    """Regex source for a resource pattern: wildcards in the first five ARN components stop at ``:``."""
    parts = list(parts)
    last = min(sum(text.count(":") for _, text in parts), 5)
    return join_glob(_glob_pieces(parts, lambda colons: (STAR, ".") if colons >= last else (COMPONENT_STAR, "[^:]")))


def arn_glob_pieces(parts: Iterable[tuple[int, str]]) -> tuple[list[str], int]:
    """ArnLike's pieces (wildcards stop at ``:`` in the first five components) and how many colons it has."""
    pieces = list(_glob_pieces(parts, lambda colons: (STAR, ".") if colons >= 5 else (COMPONENT_STAR, "[^:]")))
    return pieces, sum(piece == ":" for piece in pieces)


def _glob_pieces(parts: Iterable[tuple[int, str]], wildcards: Any) -> Iterable[str]:
    """Pieces of resolved template parts for :func:`join_glob`; ``wildcards(colons so far)`` gives the regexes
    of ``*`` and ``?`` at that point.  Only RAW text has wildcards; every other character is literal."""
    colons = 0
    for kind, text in parts:
        for ch in text:
            if kind == RAW and ch in "*?":
                star, one = wildcards(colons)
                yield star if ch == "*" else one
            else:
                yield re.escape(ch)
                colons += ch == ":"


@kept_within(4_000_000, 4096)
def compile_regex(source: str, ignore_case: bool) -> re.Pattern[str]:
    """Anchored, cached compile; the cache holds patterns rebuilt after variable substitution, within a budget of
    characters of source (a compiled 20,000-character source holds about 180 KB: a policy's pattern with a
    variable, resolved for each distinct session name a caller chose, filled 4,096 entries with 700 MB)."""
    return re.compile(source, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def compile_actions(patterns: Iterable[str]) -> re.Pattern[str]:
    """One alternation for all of a statement's actions, so a statement is a single regex test.

    Case folds for ASCII letters only: every AWS action name is ASCII, and Unicode case folding would let
    ``iam:DeleteUſer`` (long s), ``iam:\u212aey`` (Kelvin sign) or ``iam:L\u0131st*`` (dotless i) grant
    ``iam:DeleteUser``, ``iam:Key`` and ``iam:List*``, names that differ from them in AWS.
    """
    alternatives = sorted({glob_to_regex(p) for p in patterns})
    return re.compile("(?:" + "|".join(alternatives) + r")\Z", re.IGNORECASE | re.ASCII | re.DOTALL)


class ResourceMatcher:
    """A statement's ``Resource``/``NotResource`` list.

    Patterns without variables fold into one precompiled regex; patterns with variables are rebuilt
    per request (through :func:`compile_regex`'s cache) because their text depends on the caller.
    """

    __slots__ = ("static", "dynamic", "is_dynamic")

    def __init__(self, templates: Iterable[Template]) -> None:
        static: list[str] = []
        dynamic: list[Template] = []
        for template in templates:
            if has_variables(template):
                dynamic.append(template)
            else:
                static.append(resource_parts_to_regex(template))
        self.static = compile_regex("(?:" + "|".join(sorted(set(static))) + r")\Z", False) if static else None
        self.dynamic = tuple(dynamic)
        self.is_dynamic = bool(dynamic)

    def match_static(self, resource: str) -> bool:
        """Match against the variable-free patterns only."""
        return self.static is not None and self.static.match(resource) is not None

    def match(self, resource: str, ctx: dict[str, Any]) -> bool:
        """Match against every pattern, substituting variables from ``ctx``."""
        if self.match_static(resource):
            return True
        for template in self.dynamic:
            parts = resolve(template, ctx)
            if parts is not None and parts is not MULTIVALUED and _resource_regex(tuple(parts)).match(resource):
                return True
        return False


def _characters(parts: tuple[tuple[int, str], ...]) -> int:
    return sum(len(text) for _kind, text in parts)


@kept_within(2_000_000, 4096, _characters)
def _resource_regex(parts: tuple[tuple[int, str], ...]) -> re.Pattern[str]:
    """Compiled pattern for resolved resource parts (same caller, same pattern: one compile; kept within a budget
    of characters, as :func:`compile_regex` is, since each keeps its compiled pattern alive)."""
    return compile_regex(resource_parts_to_regex(parts) + r"\Z", False)
