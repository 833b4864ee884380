"""IAM users and roles that policies name as principals: whether they exist, and what a policy shows once they
do not.

IAM resolves every user or role ARN in a policy's ``Principal`` when the policy is stored and keeps the
principal's unique id: a name that does not exist is refused; a principal renamed (``UpdateUser``) is shown by
its new ARN; a principal deleted is shown by its unique id (``AIDA...``, ``AROA...``), which names nobody else,
not even a new user or role of the same name (IAM User Guide, "AWS JSON policy elements: Principal", "IAM role
principals"; AWS Knowledge Center, "Why is there an unknown principal format in my IAM resource-based
policy?").  Role trust policies, ECR repository policies and ECR registry policies follow these rules.
Principals in accounts this mockrunner does not hold cannot be checked and are accepted as written.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from mockrunner.arns import split_arn
from mockrunner.iam_engine.principal import UNIQUE_ID
from mockrunner.numerals import is_decimal

if TYPE_CHECKING:
    from mockrunner.model.store import Store

_TABLES = {"user": "users", "role": "roles"}
_ELEMENTS = ("Principal", "NotPrincipal")


def _statements(document: dict) -> list:
    statements = document.get("Statement")
    return statements if isinstance(statements, list) else [statements]


def _aws_names(statement: object) -> Iterator[tuple[dict, str, list]]:
    """``(element, key, names)`` for each ``AWS`` entry of the statement's principal elements."""
    if not isinstance(statement, dict):
        return
    for element_name in _ELEMENTS:
        element = statement.get(element_name)
        if isinstance(element, dict) and "AWS" in element:
            names = element["AWS"]
            yield element, "AWS", [names] if isinstance(names, str) else names if isinstance(names, list) else []


def _entity(arn: object) -> tuple[str, str, str] | None:
    """``(account, table, name)`` of an IAM user or role ARN in a 12-digit account; ``None`` for anything else."""
    parsed = split_arn(arn)
    if (parsed is None or parsed[:2] != ("aws", "iam") or parsed.resource_type not in _TABLES
            or not parsed.name or not is_decimal(parsed.account) or len(parsed.account) != 12):
        return None
    return parsed.account, _TABLES[parsed.resource_type], parsed.name


def unknown_principals(document: dict, account: Callable[[str], Any]) -> Iterator[str]:
    """The principals of ``document``'s ``Principal.AWS`` entries, in order, that a stored policy cannot name:
    user and role ARNs whose account (``account(id)``, ``None`` when not held) has no user or role of that ARN (name
    and path),
    and unique ids (a deleted principal's, as IAM shows it: it must be removed or replaced by an ARN)."""
    for statement in _statements(document):
        for _element, _key, names in _aws_names(statement):
            for name in names:
                if isinstance(name, str) and UNIQUE_ID.match(name):
                    yield name
                    continue
                entity = _entity(name)
                if entity is None:
                    continue
                held = account(entity[0])
                if held is None:
                    continue
                found = getattr(held.iam, entity[1]).get(entity[2])
                if found is None or found.arn != name:
                    # The ARN names the user or role with its path: with another path, or none, it names an entity
                    # that does not exist (serverless/serverless#13652: a role ARN missing a segment of its path is
                    # "Invalid principal in policy").
                    yield name


def named_unique_ids(text: str) -> set[str]:
    """The unique ids (``AIDA...``, ``AROA...``) the ``Principal.AWS`` and ``NotPrincipal.AWS`` entries of the policy
    ``text`` name (none when it is no JSON object)."""
    try:
        document = json.loads(text)
    except ValueError:
        return set()
    if not isinstance(document, dict):
        return set()
    return {name for statement in _statements(document) for _element, _key, names in _aws_names(statement)
            for name in names if isinstance(name, str) and UNIQUE_ID.match(name)}


def _renamed(text: str, matches: Callable[[str], bool], replacement: str) -> str | None:
    """``text`` with every principal name ``matches`` accepts replaced by ``replacement``; ``None`` when none does
    (or the text is no JSON object).  The rewritten document is compact JSON, keys in their order."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    changed = False
    for statement in _statements(document):
        for element, key, names in _aws_names(statement):
            if any(isinstance(name, str) and matches(name) for name in names):
                new = [replacement if isinstance(name, str) and matches(name) else name for name in names]
                element[key] = new[0] if isinstance(element[key], str) else new
                changed = True
    return json.dumps(document, separators=(",", ":")) if changed else None


def replace_principal(store: "Store", old_arn: str, replacement: str) -> None:
    """Show the IAM user or role ``old_arn`` as ``replacement`` in every role trust policy, ECR repository policy
    and ECR registry policy held (however the policy spells the ARN, JSON escapes included): its unique id once
    it is deleted, its new ARN once it is renamed or moved to another path.

    The caller holds the store lock; ``old_arn`` is the entity's own ARN (stored policies name it by that ARN:
    :func:`unknown_principals` refuses another path).
    """
    entity = _entity(old_arn)
    if entity is None:
        return

    def matches(name: str) -> bool:
        return _entity(name) == entity

    def rewritten(text: str | None) -> str | None:
        # A policy that cannot name the entity is not parsed: its name is not in the text, and no JSON escape
        # (which needs a backslash) could spell it there either.
        if not text or (entity[2] not in text and "\\" not in text):
            return None
        return _renamed(text, matches, replacement)

    for account in store.accounts.values():
        for role in list(account.iam.roles.values()):
            text = rewritten(role.assume_role_policy)
            if text is not None:
                account.iam.update(role, assume_role_policy=text)
        for region in account.regions.values():
            ecr = region.ecr
            for repository in ecr.repositories.values():
                text = rewritten(repository.policy_text)
                if text is not None:
                    repository.policy_text = text
            text = rewritten(ecr.registry_policy)
            if text is not None:
                ecr.registry_policy = text
