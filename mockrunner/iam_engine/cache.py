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
KEPT_TEXT = 8_000_000
"""Characters of policy text kept compiled (about 50 MB with the compiled policies): the default versions of all
1,594 AWS managed policies (5.5 million characters) fit."""


@kept_within(KEPT_TEXT, CACHE_SIZE)
def _parse_text(text: str, kind: PolicyKind, require_current_version: bool) -> Policy:
    return build_policy(text, kind, require_current_version=require_current_version)


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
    """``(policies, characters of their texts)`` the cache keeps now (at most :data:`CACHE_SIZE`,
    :data:`KEPT_TEXT`)."""
    return _parse_text.held()


def clear_cache() -> None:
    """Forget every parsed policy (tests and benchmarks use this)."""
    _parse_text.cache_clear()
