"""The context keys a policy refers to: :func:`listing` as IAM's ``GetContextKeysFor*Policy`` lists them (its
own rules, in its docstring), :func:`context_keys` as the simulator's ``MissingContextValues`` names them (below).

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

import re
from collections.abc import Iterable

from mockrunner import json_nesting

from .conditions.registry import lookup
from .document import CURRENT_VERSION
from .text_cache import TEXT_BUDGET, kept_within
from .variables import variable_names


@kept_within(TEXT_BUDGET, 1024)
def context_keys(text: str) -> tuple[str, ...]:
    """The context keys of the policy ``text`` (``()`` if it is not a JSON object)."""
    document = _object(text)
    if document is None:
        return ()
    substitute = document.get("Version") == CURRENT_VERSION
    found: list[str] = []
    for statement in _statements(document):
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
    """The context keys named by policy variables in a string or list of strings (as written, not lower-cased; in
    time linear in the text: each variable's spelling is its own, not searched for in the text again)."""
    found: list[str] = []
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and "${" in text:
            found += variable_names(text)
    return found


# ------------------------------------------------------------------------------- GetContextKeysFor*Policy's list
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_NAMED = re.compile(r"\$\{([^}]*)\}")


@kept_within(TEXT_BUDGET, 1024)
def listing(text: str) -> tuple[str | None, tuple[str, ...]]:
    """What ``GetContextKeysFor*Policy`` answers for one policy document: ``(refusal, ())`` when IAM refuses it
    (:func:`_listing_refusal`), else ``(None, keys)`` (:func:`_listed_keys`); the text parsed once (a stored
    policy read again by the next call is not parsed again: :func:`~.text_cache.kept_within`)."""
    document = _object(text)
    if document is None:
        return "Syntax errors in policy.", ()
    refusal = _listing_refusal(document)
    return (refusal, ()) if refusal is not None else (None, _listed_keys(document))


def _listed_keys(document: dict) -> tuple[str, ...]:
    """The context keys ``GetContextKeysFor*Policy`` lists for one policy document, as AWS answers them (recorded
    from AWS, 2026-09-11: radkawar/stackd, internal/services/iam/testdata/context_keys_aws.json): each key once per
    document, compared exactly ("duplicates_and_case" lists ``aws:username`` and ``AWS:username``); the keys of
    ``Condition`` maps as written, a variable-named key included ("condition_key_variable"); under
    ``2012-10-17`` the variables of ``Resource``/``NotResource`` and of every operator's values, numeric ones too
    ("variable_condition_numeric"), a default value dropped and the escapes ``${*}``, ``${?}``, ``${$}`` listed
    as ``*``, ``?``, ``$`` ("default_and_literals"); never those of ``Action`` or ``Principal``
    ("action_variable", "principal_variable").  Several documents' lists are joined, not merged
    ("multiple_duplicates")."""
    substitute = document.get("Version") == CURRENT_VERSION
    found: dict[str, None] = {}
    for statement in _statements(document):
        for element, value in statement.items():
            if element in ("Resource", "NotResource") and substitute:
                found.update(dict.fromkeys(_named(value)))
            elif element == "Condition" and isinstance(value, dict):
                for operands in value.values():
                    if isinstance(operands, dict):
                        for key, values in operands.items():
                            found[key] = None
                            if substitute:
                                found.update(dict.fromkeys(_named(values)))
    return tuple(found)


def _listing_refusal(document: dict) -> str | None:
    """Why ``GetContextKeysForCustomPolicy`` refuses a document (``InvalidInput``), else ``None``.  It reads far
    less than the policy grammar: recorded from AWS (context_keys_aws.json), a statement without an ``Effect``
    ("missing_Effect"), an unknown condition operator ("invalid_operator") and an unknown top-level element
    ("unknown_field") are refused, while no ``Action`` or ``Resource``, a ``Principal``, an action or resource of
    no known form, an empty or missing ``Statement`` and an empty ``Condition`` are not.  The words are
    mockrunner's (*unverified*); a text that is not a JSON object is "Syntax errors in policy." (:func:`listing`)."""
    unknown = sorted(set(document) - _TOP_LEVEL)
    if unknown:
        return f"Policy document has an unknown element: {unknown[0]}"
    for statement in _statements(document):
        if "Effect" not in statement:
            return "Policy statement must have an Effect."
        condition = statement.get("Condition")
        for name in condition if isinstance(condition, dict) else ():
            if lookup(name) is None:
                return f"Unknown condition operator: {name}"
    return None


def _object(text: str) -> dict | None:
    """The policy ``text`` as a JSON object, or ``None`` when it is not one."""
    try:
        document = json_nesting.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _statements(document: dict) -> list[dict]:
    statements = document.get("Statement")
    return [item for item in (statements if isinstance(statements, list) else [statements]) if isinstance(item, dict)]


def _named(value: object) -> list[str]:
    """The names of the ``${...}`` of a string or list of strings, as written, without a default value."""
    found: list[str] = []
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str):
            # No match reaches past the last "}": cut there, every "${" then has a "}" ahead and each attempt
            # consumes through it (linear).  Uncut, each "${" of a run without "}" scanned to the end: 20,000 of
            # them took 2.6 s, and a request of twenty such values 12 s.
            found += [match.split(",", 1)[0].strip() for match in _NAMED.findall(text, 0, text.rfind("}") + 1)]
    return found
