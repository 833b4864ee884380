"""Parsed-policy cache: the same document text is parsed and compiled once per kind.

Dict documents are keyed by their canonical JSON so equal documents share one entry.  What is kept is bounded by
the characters of the texts (:data:`KEPT_TEXT`), not only by their number: a compiled policy holds about five
times its text, and 4,096 simulated documents of 130,000 characters held about 3 GB.
"""

from __future__ import annotations

import json

from .document import Policy, PolicyKind, build_policy
from .messages import SYNTAX_ERROR, MalformedPolicyError
from .text_cache import kept_within

CACHE_SIZE = 4096
KEPT_TEXT = 12_000_000
"""Characters of policy text kept compiled, with what they compile into as :func:`_weight` counts it (about 6 bytes
each, 72 MB at most): the default versions of all 1,594 AWS managed policies (5.5 million characters, 9.4 million
weighed, about 30 MB compiled) fit."""


STATEMENT_WEIGHT = 180
"""What a compiled statement holds beyond its text, in characters of :data:`KEPT_TEXT` (about 6 bytes each): about
1.1 KB (measured with ``tracemalloc``)."""
CONDITION_WEIGHT = 320
"""What a compiled condition key holds beyond its values (about 1.9 KB: its test, its regexes)."""
VALUE_WEIGHT = 70
"""What a compiled condition value holds (about 0.4 KB)."""


def _weight(text: str, policy: Policy) -> int:
    """What a compiled policy counts against :data:`KEPT_TEXT`: its characters, and its statements', conditions' and
    values' own weights.  Characters alone undercounted: a 2,000-character session policy of 55 ``StringLike``
    conditions compiles into 130 KB (65 bytes a character, against about 5 for the managed policies), so the parse
    cache could hold 500 MB (4,096 of them, or 8 million characters of them through SimulateCustomPolicy)."""
    weight = len(text) + STATEMENT_WEIGHT * len(policy.statements)
    for statement in policy.statements:
        for condition in statement.conditions:
            weight += CONDITION_WEIGHT + VALUE_WEIGHT * len(getattr(condition, "templates", ()))
    return weight


def weight_of(policy: Policy) -> int:
    """What ``policy`` counts against a budget of compiled policies, as the parse cache weighs it (:func:`_weight`);
    a policy the cache did not make is weighed by what it compiled into alone."""
    return policy.weight or _weight("", policy)


@kept_within(KEPT_TEXT, CACHE_SIZE, weigh=lambda _text, policy: policy.weight)
def _parse_text(text: str, kind: PolicyKind, require_current_version: bool) -> Policy:
    policy = build_policy(text, kind, require_current_version=require_current_version)
    policy.weight = _weight(text, policy)
    return policy


def _key(document: str | dict) -> str:
    if isinstance(document, str):
        return document
    if isinstance(document, dict):
        try:
            return json.dumps(document, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            raise MalformedPolicyError(SYNTAX_ERROR) from None
    raise MalformedPolicyError(SYNTAX_ERROR)


def parse_policy(
    document: str | dict, kind: PolicyKind = PolicyKind.IDENTITY, *, require_current_version: bool = False
) -> Policy:
    """Parse, validate and compile a policy; cached by (document text, kind). Raises MalformedPolicyError.

    ``require_current_version`` adds CreatePolicy's rule that managed policies use Version 2012-10-17.
    Failures are not cached, which is fine: they are rare.
    """
    return _parse_text(_key(document), kind, require_current_version)


def validate_policy(
    document: str | dict, kind: PolicyKind = PolicyKind.IDENTITY, *, require_current_version: bool = False
) -> None:
    """Raise MalformedPolicyError with IAM's message when ``document`` is not a valid policy of ``kind``."""
    parse_policy(document, kind, require_current_version=require_current_version)


def kept() -> tuple[int, int]:
    """``(policies, their weight: characters of their texts and of what they compile into)`` the cache keeps now (at
    most :data:`CACHE_SIZE`, :data:`KEPT_TEXT`)."""
    return _parse_text.held()


def clear_cache() -> None:
    """Forget every parsed policy (tests and benchmarks use this)."""
    _parse_text.cache_clear()
