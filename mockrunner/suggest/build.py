"""Statements and policy documents from recorded requests: actions grouped per service, resources from
:mod:`mockrunner.suggest.resources`, the condition keys dependent checks carry, packed within IAM's size limit.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from mockrunner.suggest.recorded import Recorded
from mockrunner.suggest.resources import Wildcard, generalize, literal, reusable

MANAGED_POLICY_LIMIT = 6144
"""IAM's limit on a managed policy, in characters not counting whitespace (IAM User Guide, "IAM and AWS STS
quotas")."""
_BOUNDED = ("iam:PermissionsBoundary",)
PINNED_CONDITIONS: dict[str, tuple[str, ...]] = {
    "iam:passrole": ("iam:PassedToService",),
    "iam:createservicelinkedrole": ("iam:AWSServiceName",),
    **{f"iam:{verb}{entity}policy": ("iam:PolicyARN",) for verb in ("attach", "detach") for entity in ("group",)},
    **{f"iam:{verb}{entity}policy": ("iam:PolicyARN", *_BOUNDED) for verb in ("attach", "detach")
       for entity in ("role", "user")},
    **{f"iam:{action}": _BOUNDED for action in (
        "createrole", "createuser", "putrolepolicy", "putuserpolicy", "deleterolepolicy", "deleteuserpolicy",
        "putrolepermissionsboundary", "putuserpermissionsboundary", "deleterolepermissionsboundary",
        "deleteuserpermissionsboundary", "updateassumerolepolicy")},
    "sts:setsourceidentity": ("sts:SourceIdentity",),
    "sts:tagsession": ("aws:TagKeys", "aws:RequestTag/", "sts:TransitiveTagKeys"),
}
"""Actions whose request context names what they do to something else, and those keys (a key ending with ``/``: every
key of that prefix): the service a role is passed to (not the resource it is associated with: an App Runner service's
ARN holds the id generated at its creation, which a script re-run does not have) or a service-linked role is made
for, the policy attached or detached, the
permissions boundary of the user or role whose permissions change (the one created, or the target's), the source
identity, the session tags set and those passed on to chained sessions.  The suggested statement allows them only
with the values recorded: an ``iam:AttachRolePolicy`` allowed for any policy lets its holder attach
``AdministratorAccess`` to a role it may assume, an ``iam:PutRolePolicy`` allowed whatever the role's boundary lets
it grant itself anything through a role without one (the delegation pattern of the IAM User Guide's permissions
boundaries), a ``sts:TagSession`` allowed for any tag defeats the tag-based rules the tags feed.  A key the request
did not carry is not pinned."""


def size(document: Any) -> int:
    """Characters of ``document`` as IAM counts them (no whitespace outside strings)."""
    return len(json.dumps(document, separators=(",", ":")))


def pinned_condition(action: str, context: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The ``Condition`` holding a request to the values of its :data:`PINNED_CONDITIONS` keys as ``context`` has
    them (``StringEquals``; a key of several values: ``ForAllValues:StringEquals``; ``$``, ``*`` and ``?`` written
    as the literal characters, :func:`literal`), or None."""
    condition: dict[str, dict[str, Any]] = {}
    for pinned in PINNED_CONDITIONS.get(action.lower(), ()):
        keys = sorted(key for key in context if key.startswith(pinned)) if pinned.endswith("/") else [pinned]
        for key in keys:
            value = context.get(key)
            if isinstance(value, str):
                condition.setdefault("StringEquals", {})[key] = literal(value)
            elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
                condition.setdefault("ForAllValues:StringEquals", {})[key] = sorted(map(literal, value))
    return condition or None


def _condition(record: Recorded) -> str | None:
    """:func:`pinned_condition` of the record as a key to group statements by (None: no condition)."""
    condition = pinned_condition(record.action, record.context)
    return json.dumps(condition, sort_keys=True) if condition else None


def statements(records: Iterable[Recorded], wildcards: bool = True) -> tuple[list[dict], list[Wildcard]]:
    """Allow statements covering every record, one per (service, condition, resource set), and the wildcards
    they use.  Actions keep the spelling they were recorded with; statements come sorted by service."""
    grouped: dict[tuple[str, str | None], dict[str, set[str]]] = {}
    for record in records:
        service = record.action.split(":", 1)[0].lower()
        actions = grouped.setdefault((service, _condition(record)), {})
        actions.setdefault(record.action, set()).add(reusable(record.resource))
    made: list[dict] = []
    found: dict[str, Wildcard] = {}
    for (service, condition), actions in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        by_resources: dict[tuple[str, ...], list[str]] = {}
        for action, resources in actions.items():
            patterns, introduced = generalize(resources, wildcards)
            found.update((wildcard.pattern, wildcard) for wildcard in introduced)
            by_resources.setdefault(patterns, []).append(action)
        for patterns, names in sorted(by_resources.items()):
            statement: dict[str, Any] = {"Sid": _sid(service, len(made) + 1), "Effect": "Allow",
                                         "Action": _one_or_list(sorted(names)), "Resource": _one_or_list(patterns)}
            if condition is not None:
                statement["Condition"] = json.loads(condition)
            made.append(statement)
    return made, list(found.values())


def _sid(service: str, number: int) -> str:
    return "".join(part.capitalize() for part in service.replace("-", " ").split()) + str(number)


def _one_or_list(values: Sequence[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def document(statements_: Sequence[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements_)}


def pack(statements_: Sequence[dict], limit: int = MANAGED_POLICY_LIMIT) -> list[dict]:
    """Policy documents holding every statement, each within ``limit`` characters: statements in order, a new
    document when the next would not fit; a statement too large alone is split by its resources."""
    documents: list[list[dict]] = [[]]
    for statement in _fitting(statements_, limit):
        if documents[-1] and size(document([*documents[-1], statement])) > limit:
            documents.append([])
        documents[-1].append(statement)
    return [document(group) for group in documents if group]


def _fitting(statements_: Sequence[dict], limit: int) -> Iterable[dict]:
    for statement in statements_:
        if size(document([statement])) <= limit or isinstance(statement["Resource"], str):
            yield statement
            continue
        resources = list(statement["Resource"])
        part: list[str] = []
        number = 0
        for resource in resources:
            candidate = {**statement, "Resource": [*part, resource]}
            if part and size(document([candidate])) > limit:
                number += 1
                yield {**statement, "Sid": f"{statement['Sid']}Part{number}", "Resource": _one_or_list(part)}
                part = []
            part.append(resource)
        number += 1
        yield {**statement, "Sid": f"{statement['Sid']}Part{number}", "Resource": _one_or_list(part)}
