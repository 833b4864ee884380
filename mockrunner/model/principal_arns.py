"""IAM users and roles a policy names as principals that do not exist.

IAM resolves every user or role ARN in a policy's ``Principal`` when the policy is stored (it keeps the
principal's unique id), so a name that does not exist is refused; ECR checks repository policies the same way.
Principals in accounts this mockrunner does not hold cannot be checked and are accepted.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mockrunner.arns import split_arn

_TABLES = {"user": "users", "role": "roles"}


def unknown_principals(document: dict, account: Callable[[str], Any]) -> Iterator[str]:
    """The user and role ARNs of ``document``'s ``Principal.AWS`` entries, in order, whose account
    (``account(id)``, ``None`` when not held) has no user or role of that name."""
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        names = principal.get("AWS", []) if isinstance(principal, dict) else []
        for arn in [names] if isinstance(names, str) else names:
            parsed = split_arn(arn)
            if (parsed is None or parsed[:2] != ("aws", "iam") or parsed.resource_type not in _TABLES
                    or not parsed.name or not parsed.account.isdigit() or len(parsed.account) != 12):
                continue
            held = account(parsed.account)
            if held is not None and parsed.name not in getattr(held.iam, _TABLES[parsed.resource_type]):
                yield arn
