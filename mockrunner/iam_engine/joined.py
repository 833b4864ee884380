"""One policy text holding the statements of several documents, each statement read as under its own ``Version``.

IAM substitutes policy variables only under ``"Version": "2012-10-17"`` (:mod:`.variables`): the same statement
means something else once moved into a document of another version.  Statements from documents that share a
version keep it; when they differ, the result is ``2012-10-17`` and every ``${`` in an element the older grammar
keeps literal (``Resource``, ``NotResource``, condition values) is written ``${$}{``, which ``2012-10-17`` reads as
the literal ``${`` (IAM User Guide, "Policy variables": ``${$}`` stands for ``$``).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .document import CURRENT_VERSION

_SUBSTITUTED = ("Resource", "NotResource")


def joined_text(parts: Sequence[tuple[str | None, Sequence[Any]]]) -> str:
    """A policy text holding the statements of ``parts`` (each its document's ``Version`` and statements), in
    order, each meaning what it meant in its own document."""
    versions = {version for version, _ in parts}
    if len(versions) == 1:
        version = versions.pop()
        statements = [statement for _, group in parts for statement in group]
        return json.dumps({"Version": version, "Statement": statements} if version else {"Statement": statements})
    statements = [statement if version == CURRENT_VERSION else _literal(statement)
                  for version, group in parts for statement in group]
    return json.dumps({"Version": CURRENT_VERSION, "Statement": statements})


def _literal(statement: Any) -> Any:
    """``statement`` (of a document not of the current version) as ``2012-10-17`` reads it the same."""
    if not isinstance(statement, dict):
        return statement
    out = dict(statement)
    for element in _SUBSTITUTED:
        if element in out:
            out[element] = _escaped(out[element])
    if isinstance(out.get("Condition"), dict):
        out["Condition"] = {operator: ({key: _escaped(value) for key, value in block.items()}
                                       if isinstance(block, dict) else block)
                            for operator, block in out["Condition"].items()}
    return out


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("${", "${$}{")
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value
