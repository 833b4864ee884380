"""Policy text as IAM reads it: one JSON document, with nothing two parsers could read two ways.

``json.loads`` alone lets through what is not a policy IAM could hold: ``NaN``, ``Infinity`` and ``-Infinity``
(not JSON; a ``NumericLessThan`` against ``Infinity`` held for every number) and an object naming a key twice
(``{"Effect": "Deny", "Effect": "Allow"}`` read as an Allow: the last value won silently).  The IAM User Guide
("Troubleshooting IAM policies": more than one ``Statement`` element, more than one ``Effect``/``Action``/
``Resource`` element in a statement) calls a repeated element incorrect; a policy is therefore read only when
every object's keys are distinct.
"""

from __future__ import annotations

import json
from typing import Any


class NotJson(ValueError):
    """The text is not one JSON document (a syntax error, a non-JSON constant, nesting too deep)."""


class DuplicateKey(ValueError):
    """The text is JSON, but an object in it names a key twice."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise DuplicateKey("an object names a key twice")
    return document


def _constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """The document ``text`` holds; :class:`NotJson` or :class:`DuplicateKey` (both ``ValueError``) otherwise."""
    try:
        return json.loads(text, object_pairs_hook=_unique, parse_constant=_constant)
    except (DuplicateKey, NotJson):
        raise
    except (ValueError, RecursionError) as error:
        raise NotJson(str(error)) from None
