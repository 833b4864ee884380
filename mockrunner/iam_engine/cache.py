"""Parsed-policy cache: the same document text is parsed and compiled once per kind.

Dict documents are keyed by their canonical JSON so equal documents share one entry. The LRU keeps
memory bounded when a long-running server sees many distinct policies.
"""

from __future__ import annotations

import json
from functools import lru_cache

from .document import Policy, PolicyKind, build_policy
from .messages import SYNTAX_ERROR, MalformedPolicyError

CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
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
    Failures are not cached (lru_cache does not memoise exceptions), which is fine: they are rare.
    """
    return _parse_text(_key(document), kind, require_current_version)


def validate_policy(
    document: str | dict, kind: PolicyKind = PolicyKind.IDENTITY, *, require_current_version: bool = False
) -> None:
    """Raise MalformedPolicyError with IAM's message when ``document`` is not a valid policy of ``kind``."""
    parse_policy(document, kind, require_current_version=require_current_version)


def clear_cache() -> None:
    """Forget every parsed policy (tests and benchmarks use this)."""
    _parse_text.cache_clear()
