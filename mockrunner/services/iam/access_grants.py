"""Which services an identity policy grants, as IAM's service last accessed reports read policies.

Two readers, because IAM's two operations read differently (recorded from AWS IAM, 2026-09: radkawar/stackd
commit 9dc356f5, ``testdata/aws/iam/last_access.json``):

* :func:`reported_namespaces` (GenerateServiceLastAccessedDetails) reads all of an entity's policies together: a
  service is reported when some ``Allow`` statement grants one of its actions on some resource that no
  unconditional ``Deny`` statement of any of those policies takes back (a deny of ``sqs:*`` on ``*`` in one policy
  removes ``sqs:SendMessage`` on ``*`` allowed by another; ``s3:*`` denied on ``arn:aws:s3:::a/*`` removes
  ``s3:GetObject`` allowed there).  An ``Allow`` with a condition still counts; a ``Deny`` with one never takes
  anything back.
* :func:`policy_grants` (ListPoliciesGrantingServiceAccess) reads one policy alone: its own ``Deny`` takes an
  ``Allow`` back only when both name every resource (``"Resource": "*"``); a deny in another policy, or on
  particular resources, leaves the policy listed.

Both: ``"Action": "*"`` (or a wildcard namespace) stands for every service IAM knows
(:mod:`mockrunner.model.service_names`); ``NotAction`` grants every service none of its patterns covers whole
(``"NotAction": "s3:*"`` grants ``sqs`` and ``iam``, not ``s3``); ``"NotResource": "*"`` grants nothing.  What is
not read: whether an action exists (AWS leaves ``s3:NoSuchAction`` out of a report; here it counts) and whether a
resource can belong to the action's service (AWS does not list ``s3:GetObject`` on an IAM user's ARN as granting
``s3``; here it does).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from mockrunner.iam_engine.matching import glob_to_regex
from mockrunner.model.service_names import service_names


class _Statement(NamedTuple):
    allow: bool
    actions: tuple[str, ...]
    """Lower-cased action patterns (``Action``); empty with ``not_action``."""
    not_action: bool
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    """``Resource`` patterns; for ``NotResource`` other than ``*``, ``("*",)`` less what it excludes (read as all)."""
    not_resource: bool
    grants_nothing: bool
    """``"NotResource": "*"``: the statement applies to no resource."""
    conditional: bool


def _strings(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(item for item in items if isinstance(item, str))


@lru_cache(maxsize=1024)
def _statements(document: str) -> tuple[_Statement, ...]:
    """The statements of ``document`` as the readers use them (an unreadable document has none)."""
    try:
        raw = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return ()
    found = []
    for statement in raw if isinstance(raw, list) else [raw]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            continue
        not_action = "NotAction" in statement
        not_resources = _strings(statement.get("NotResource")) if "NotResource" in statement else None
        found.append(_Statement(
            allow=statement["Effect"] == "Allow",
            actions=() if not_action else tuple(a.lower() for a in _strings(statement.get("Action"))),
            not_action=not_action,
            not_actions=tuple(a.lower() for a in _strings(statement.get("NotAction"))),
            resources=_strings(statement.get("Resource")) if not_resources is None else ("*",),
            not_resource=not_resources is not None,
            grants_nothing=not_resources is not None and "*" in not_resources,
            conditional=bool(statement.get("Condition"))))
    return tuple(found)


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled as the policy engine compiles a glob (:func:`mockrunner.iam_engine.matching.glob_to_regex`):
    time linear in the pattern times the value, however many wildcards it holds (``.*`` per wildcard backtracked:
    ten wildcards against a 60-character action held the store lock for hours)."""
    return re.compile(glob_to_regex(pattern), re.DOTALL)


def _matches(value: str, pattern: str) -> bool:
    """Whether the wildcard ``pattern`` (``*``, ``?``) matches ``value`` read literally (so a pattern covers another
    pattern it matches as text: ``s3:*`` covers ``s3:get*``)."""
    return _pattern(pattern).fullmatch(value) is not None


def _granted(statement: _Statement, namespace: str) -> Iterator[str]:
    """The action patterns of ``namespace`` an ``Allow`` ``statement`` grants, restricted to it (``*`` as
    ``<namespace>:*``); none when it grants none."""
    if statement.grants_nothing:
        return
    if statement.not_action:
        whole = f"{namespace}:*"
        if not any(_matches(whole, pattern) for pattern in statement.not_actions):
            yield whole
        return
    by_namespace, wildcards = _actions_by_namespace(statement.actions)
    for rest in by_namespace.get(namespace, ()):
        yield f"{namespace}:{rest}"
    for service, rest in wildcards:
        if _matches(namespace, service):
            yield f"{namespace}:{rest}"


@lru_cache(maxsize=1024)
def _actions_by_namespace(actions: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
    """``actions`` as (literal namespace -> the rest of each action, (wildcard namespace, rest) pairs); ``*`` is
    ``("*", "*")``.  Read once per statement, so a statement of hundreds of actions costs little per namespace."""
    literal: dict[str, list[str]] = {}
    wildcards: list[tuple[str, str]] = []
    for action in actions:
        service, _, rest = action.partition(":")
        if action == "*":
            wildcards.append(("*", "*"))
        elif "*" in service or "?" in service:
            wildcards.append((service, rest))
        else:
            literal.setdefault(service, []).append(rest)
    return {service: tuple(rests) for service, rests in literal.items()}, tuple(dict.fromkeys(wildcards))


def _candidates(statements: Iterable[_Statement]) -> set[str]:
    """The namespaces an ``Allow`` statement may grant: the literal ones it names, every known one for a wildcard."""
    found: set[str] = set()
    for statement in statements:
        if not statement.allow or statement.grants_nothing:
            continue
        if statement.not_action or any(a == "*" or "*" in a.partition(":")[0] or "?" in a.partition(":")[0]
                                       for a in statement.actions):
            return set(service_names())
        found |= {action.partition(":")[0] for action in statement.actions}
    return found


def _covered(action: str, resource: str, denies: Iterable[_Statement], whole_only: bool) -> bool:
    """Whether an unconditional ``Deny`` among ``denies`` with ``Action`` and ``Resource`` takes back ``action`` on
    ``resource``; ``whole_only``: only a deny on every resource, of an allow on every resource."""
    if whole_only and resource != "*":
        return False
    for deny in denies:
        if deny.conditional or deny.not_action or deny.not_resource:
            continue
        if not any(_matches(action, pattern) for pattern in deny.actions):
            continue
        if whole_only and "*" in deny.resources or not whole_only and any(
                _matches(resource, pattern) for pattern in deny.resources):
            return True
    return False


def _grants(statements: tuple[_Statement, ...], namespace: str, denies: tuple[_Statement, ...],
            whole_only: bool) -> bool:
    for statement in statements:
        if not statement.allow:
            continue
        for action in _granted(statement, namespace):
            if any(not _covered(action, resource, denies, whole_only) for resource in statement.resources):
                return True
    return False


def reported_namespaces(documents: Iterable[str]) -> set[str]:
    """The known namespaces a report on an entity whose policies are ``documents`` lists (see the module)."""
    statements = tuple(dict.fromkeys(statement for document in documents for statement in _statements(document)))
    denies = tuple(statement for statement in statements if not statement.allow)
    known = service_names()
    return {namespace for namespace in _candidates(statements)
            if namespace in known and _grants(statements, namespace, denies, whole_only=False)}


@lru_cache(maxsize=8192)
def policy_grants(document: str, namespace: str) -> bool:
    """Whether ListPoliciesGrantingServiceAccess lists the policy ``document`` for ``namespace`` (see the module)."""
    statements = _statements(document)
    denies = tuple(statement for statement in statements if not statement.allow)
    return _grants(statements, namespace, denies, whole_only=True)
