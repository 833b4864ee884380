"""The whole fix for one refused decision: the refusing layer's statement, and any other layer's it needs too.

The log records the first layer that refused a request (``decidedBy``), but more than one may refuse it: an
identity policy and a permissions boundary that both lack the action, or a cross-account request that neither the
caller's identity policy nor the role's trust policy (the repository's policy) allows.  The first statement alone
then leaves the request refused.  :func:`complete` answers the first layer's fix (:mod:`mockrunner.suggest.single`)
with ``alsoNeeded``: the recorded request is evaluated again against the policies as the store holds them now, each
offered statement added to its layer, and every further layer that refuses gets its own statement, in the order
the engine meets them, until the request is allowed (at most one statement per layer).  An explicit deny met on
the way ends the list with a fix naming its statements.  ``alsoNeededComplete`` says whether the replay ended
allowed (or at that deny).

Session policies are not recorded, so they are not replayed: a session policy fix may come first (the log says
the session policy refused), never later.  When a policy cannot be read (it denies every request it takes part in)
or a layer still refuses with its statement added, the search stops: ``alsoNeededComplete`` is then False.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mockrunner.auth import authorizer
from mockrunner.iam_engine import AuthzRequest, MalformedPolicyError, PolicyKind, PolicyRef, evaluate
from mockrunner.iam_engine.document import TRUST_ACTIONS_LOWER
from mockrunner.iam_engine.evaluate import BOUNDARY, IDENTITY, RESOURCE
from mockrunner.model.ecr_policies import evaluable_policy
from mockrunner.suggest import documents, principals, single
from mockrunner.suggest.recorded import Recorded

if TYPE_CHECKING:
    from mockrunner.model.store import Store

_REPLAYED = (IDENTITY, BOUNDARY, RESOURCE)
"""The layers a replay can add a statement to (session policies are not recorded)."""


def complete(store: "Store", record: Recorded) -> dict[str, Any]:
    """:func:`single.fix` for ``record``, with ``alsoNeeded`` (further fixes, possibly none) when it offers a
    statement, and ``alsoNeededComplete``."""
    entity = principals.entity_arn(store, record.principal)
    first = single.fix(record, entity)
    if "statement" not in first:
        return first
    if not record.principal.startswith("arn:") or single.federated_prefix(record.principal) is not None:
        # A service principal and an identity provider's user have only the resource (trust) layer.
        return {**first, "alsoNeeded": [], "alsoNeededComplete": True}
    try:
        further, checked = _further(store, record, first["statement"], entity)
    except MalformedPolicyError:
        further, checked = [], False
    # a replay of a cut aws:UserAgent or aws:referer is not the request: what else it needs is not known
    complete_ = checked and not authorizer.long_header(record.context)
    return {**first, "alsoNeeded": further, "alsoNeededComplete": complete_}


def _further(store: "Store", record: Recorded, statement: dict, entity: str | None
             ) -> tuple[list[dict[str, Any]], bool]:
    """The further fixes, and whether the replay ended allowed or at an explicit deny (False: it met a policy it
    cannot read, or a layer that still refused with its statement added)."""
    current = principals.compiled(store, record.principal)
    added = {record.decided_by or IDENTITY: statement}
    fixes: list[dict[str, Any]] = []
    for _ in range(len(_REPLAYED) + 1):
        decision = evaluate(AuthzRequest(
            principal=current.principal, action=record.action, resource=record.resource, context=record.context,
            identity_policies=(*current.identity, *_identity_added(added)),
            permissions_boundary=_boundary(store, record, current.boundary, added.get(BOUNDARY)),
            session_policies=None, resource_policy=_resource(store, record, added.get(RESOURCE)), now=record.time,
            all_allows=False))
        if decision.allowed:
            return fixes, True
        if decision.decision == "explicitDeny":
            matched = tuple(m.to_dict() for m in decision.matched_statements)
            fixes.append(single.fix(replace(record, decision="explicitDeny", matched=matched), entity))
            return fixes, True
        if decision.errors or decision.reason in added or decision.reason not in _REPLAYED:
            break
        needed = single.fix(replace(record, decision="implicitDeny", decided_by=decision.reason, matched=()), entity)
        fixes.append(needed)
        added[decision.reason] = needed["statement"]
    return fixes, False


def _identity_added(added: dict[str, dict]) -> tuple[PolicyRef, ...]:
    statement = added.get(IDENTITY)
    return (PolicyRef("suggested-identity-statement", _document([], statement)),) if statement else ()


def _boundary(store: "Store", record: Recorded, current: PolicyRef | None, statement: dict | None
              ) -> PolicyRef | None:
    if statement is None or not record.boundary:
        return current
    found = documents.managed(store, record.boundary)
    return PolicyRef(record.boundary, _document(_statements(found.text) if found else [], statement))


def _resource(store: "Store", record: Recorded, statement: dict | None) -> PolicyRef | None:
    """The resource or trust policy the request met (as it is now), with ``statement`` added."""
    if statement is None:
        return documents.reference(store, record.resource_policy)
    found = documents.resolve(store, record.resource_policy)
    text = _document(_statements(found.text) if found else [], statement)
    if record.action.lower() in TRUST_ACTIONS_LOWER:
        return PolicyRef(record.resource_policy or f"{record.resource}{documents.TRUST_SUFFIX}", text,
                         PolicyKind.TRUST)
    policy_id = record.resource_policy or f"{record.resource}{documents.REPOSITORY_SUFFIX}"
    return PolicyRef(policy_id, evaluable_policy(text), PolicyKind.RESOURCE)


def _statements(text: str) -> list[dict]:
    statements = json.loads(text).get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _document(statements: list[dict], statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [*statements, statement]})
