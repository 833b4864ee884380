"""The context keys a policy refers to, as IAM's ``GetContextKeysFor*Policy`` and the simulator's
``MissingContextValues`` list them.

A key is referred to by a ``Condition`` (the key of an operator's map) or by a policy variable (``${aws:username}``
in a ``Resource``, ``NotResource`` or condition value; only under ``"Version": "2012-10-17"``, the only version
that substitutes, and only in the values of operators that substitute: the numeric, date, binary and IP address
operators keep ``${...}`` as literal text, so no key's value can change their result and none is listed).
Keys come in document order, spelled as the policy first writes them, each once (names compare
case-insensitively).  The documented example of ``get-context-keys-for-custom-policy`` answers
``["aws:username", "aws:CurrentTime"]`` for a statement whose ``Resource`` ends in ``${aws:username}`` and whose
condition tests ``aws:CurrentTime``: that order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from .conditions.registry import lookup
from .document import CURRENT_VERSION
from .variables import VAR, parse_template


@lru_cache(maxsize=1024)
def context_keys(text: str) -> tuple[str, ...]:
    """The context keys of the policy ``text`` (``()`` if it is not a JSON object)."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return ()
    if not isinstance(document, dict):
        return ()
    substitute = document.get("Version") == CURRENT_VERSION
    statements = document.get("Statement")
    found: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict):
            found += _statement_keys(statement, substitute)
    return merge([found])


def merge(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Keys of several policies as one list: first spelling kept, each key once (case-insensitively)."""
    seen: dict[str, str] = {}
    for keys in groups:
        for key in keys:
            seen.setdefault(key.lower(), key)
    return tuple(seen.values())


def _statement_keys(statement: dict, substitute: bool) -> list[str]:
    keys: list[str] = []
    for element, value in statement.items():
        if element in ("Resource", "NotResource") and substitute:
            keys += _variables(value)
        elif element == "Condition" and isinstance(value, dict):
            for name, operands in value.items():
                if not isinstance(operands, dict):
                    continue
                for key, values in operands.items():
                    keys.append(key)
                    if substitute and _substitutes(name):
                        keys += _variables(values)
    return keys


def _substitutes(operator_name: str) -> bool:
    """Whether the operator substitutes policy variables in its values (an unknown name: assumed so)."""
    found = lookup(operator_name)
    return found is None or found[0].variables


def _variables(value: object) -> list[str]:
    """The context keys named by policy variables in a string or list of strings (as written, not lower-cased)."""
    found: list[str] = []
    for text in value if isinstance(value, list) else [value]:
        if not isinstance(text, str) or "${" not in text:
            continue
        lowered = [part[1] for part in parse_template(text, True) if part[0] == VAR]
        # parse_template lower-cases names; recover each one's spelling from the text.
        for name in lowered:
            at = text.lower().find(name)
            found.append(text[at:at + len(name)] if at >= 0 else name)
    return found
