"""IAM users and roles a policy names as principals that do not exist.

IAM resolves every user or role ARN in a policy's ``Principal`` when the policy is stored (it keeps the
principal's unique id), so a name that does not exist is refused; ECR checks repository policies the same way.
Principals in accounts this mockrunner does not hold cannot be checked and are accepted.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

_IAM_PRINCIPAL = re.compile(r"^arn:aws:iam::(\d{12}):(user|role)/(?:.*/)?([^/]+)$")


def unknown_principals(document: dict, account: Callable[[str], Any]) -> Iterator[str]:
    """The user and role ARNs of ``document``'s ``Principal.AWS`` entries, in order, whose account
    (``account(id)``, ``None`` when not held) has no user or role of that name."""
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        names = principal.get("AWS", []) if isinstance(principal, dict) else []
        for arn in [names] if isinstance(names, str) else names:
            match = _IAM_PRINCIPAL.match(arn) if isinstance(arn, str) else None
            held = account(match.group(1)) if match else None
            if held is None:
                continue
            kind, name = match.group(2), match.group(3)
            if name not in (held.iam.users if kind == "user" else held.iam.roles):
                yield arn
