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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .variables import RAW, Template, has_variables, resolve


def glob_to_regex(pattern: str) -> str:
    """Regex source for one glob, without anchors."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def parts_to_regex(parts: Iterable[tuple[int, str]]) -> str:
    """Regex source for resolved template parts: RAW text globs, literal text is escaped."""
    return "".join(glob_to_regex(text) if kind == RAW else re.escape(text) for kind, text in parts)


def resource_parts_to_regex(parts: Iterable[tuple[int, str]]) -> str:
    """Regex source for a resource pattern: wildcards in the first five ARN components stop at ``:``."""
    parts = list(parts)
    total = sum(text.count(":") for _, text in parts)
    last = min(total, 5)
    colons = 0
    out: list[str] = []
    for kind, text in parts:
        for ch in text:
            if kind == RAW and ch in "*?":
                spans = colons >= last
                out.append((".*" if ch == "*" else ".") if spans else ("[^:]*" if ch == "*" else "[^:]"))
            else:
                out.append(re.escape(ch))
                colons += ch == ":"
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_regex(source: str, ignore_case: bool) -> re.Pattern[str]:
    """Anchored, cached compile; the cache holds patterns rebuilt after variable substitution."""
    return re.compile(source, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def compile_actions(patterns: Iterable[str]) -> re.Pattern[str]:
    """One alternation for all of a statement's actions, so a statement is a single regex test."""
    alternatives = sorted({glob_to_regex(p) for p in patterns})
    return compile_regex("(?:" + "|".join(alternatives) + r")\Z", True)


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
            if parts is not None and _resource_regex(tuple(parts)).match(resource):
                return True
        return False


@lru_cache(maxsize=4096)
def _resource_regex(parts: tuple[tuple[int, str], ...]) -> re.Pattern[str]:
    """Compiled pattern for resolved resource parts (same caller, same pattern: one compile)."""
    return compile_regex(resource_parts_to_regex(parts) + r"\Z", False)
