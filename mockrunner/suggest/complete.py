"""The whole fix for one refused decision: the refusing layer's statement, and any other layer's it needs too.

The log records the first layer that refused a request (``decidedBy``), but more than one may refuse it: an
identity policy and a permissions boundary that both lack the action, or a cross-account request that neither the
caller's identity policy nor the role's trust policy (the repository's policy) allows.  The first statement alone
then leaves the request refused.  :func:`complete` answers the first layer's fix (:mod:`mockrunner.suggest.single`)
with ``alsoNeeded``: the recorded request is evaluated again against the policies as the store holds them now, each
offered statement added to its layer, and every further layer that refuses gets its own statement, in the order
the engine meets them, until the request is allowed (at most one statement per layer).  An explicit deny met on
the way ends the list with a fix naming its statements.  ``alsoNeededComplete`` says whether the replay ended
allowed (or at that deny).  For an explicit deny the replay starts with its statements removed: a deny is rarely
all that refuses a request (a Deny with no Allow beside it is the common shape), and removing it alone would leave
the request refused.

The resource or trust policy replayed is the one the resource has now (a repository given a policy after the
request is read by it).  Session policies are not recorded, so they are not replayed: a session policy fix may come
first (the log says the session policy refused), never later.  When a policy cannot be read (it denies every request
it takes part in) or a layer still refuses with its statement added, the search stops: ``alsoNeededComplete`` is
then False.  A fix whose new permissions boundary (a customer managed copy of an AWS managed boundary) would exceed
IAM's size limit for a managed policy says so (``newBoundaryTooLarge``) and is not complete.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mockrunner.auth import authorizer
from mockrunner.iam_engine import AuthzRequest, MalformedPolicyError, PolicyKind, PolicyRef, evaluate
from mockrunner.iam_engine.document import CURRENT_VERSION, TRUST_ACTIONS_LOWER
from mockrunner.iam_engine.evaluate import BOUNDARY, IDENTITY, RESOURCE
from mockrunner.iam_engine.joined import joined_text
from mockrunner.model.ecr_applied_policies import REPOSITORY_POLICY
from mockrunner.model.ecr_policies import evaluable_policy
from mockrunner.suggest import documents, principals, single
from mockrunner.suggest.build import MANAGED_POLICY_LIMIT, document, size
from mockrunner.suggest.recorded import Recorded

if TYPE_CHECKING:
    from mockrunner.model.store import Store

_REPLAYED = (IDENTITY, BOUNDARY, RESOURCE)
"""The layers a replay can add a statement to (session policies are not recorded)."""


def complete(store: "Store", record: Recorded) -> dict[str, Any]:
    """:func:`single.fix` for ``record``, with ``alsoNeeded`` (further fixes, possibly none) when it offers a
    statement or names deny statements to remove, and ``alsoNeededComplete``."""
    entity = principals.entity_arn(store, record.principal)
    first = single.fix(record, entity)
    if "statement" not in first and "denyStatements" not in first:
        return first
    if not record.principal.startswith("arn:") or single.federated_prefix(record.principal) is not None:
        # A service principal and an identity provider's user have only the resource (trust) layer.
        return {**first, "alsoNeeded": [], "alsoNeededComplete": "statement" in first}
    removed: dict[str, set[int]] = {}
    for deny in first.get("denyStatements", ()):
        removed.setdefault(deny["policyId"], set()).add(deny["index"])
    added = {record.decided_by or IDENTITY: first["statement"]} if "statement" in first else {}
    try:
        further, checked = _further(store, record, added, removed, entity)
    except MalformedPolicyError:
        further, checked = [], False
    # a replay of a cut aws:UserAgent or aws:referer is not the request: what else it needs is not known; nor for a
    # federated user, whose session policy (not recorded, so not replayed) always limits it
    complete_ = checked and not authorizer.long_header(record.context) and ":federated-user/" not in record.principal
    answer = {**first, "alsoNeeded": further, "alsoNeededComplete": complete_}
    too_large = _new_boundary_too_large(store, first)
    if too_large is not None:
        note = _TOO_LARGE.format(size=too_large, limit=MANAGED_POLICY_LIMIT)
        answer.update(newBoundaryTooLarge=too_large, alsoNeededComplete=False,
                      explanation=f"{first['explanation']} {note}")
    return answer


_TOO_LARGE = ("A copy of the boundary holding this statement would be {size:,} characters, over IAM's {limit:,} for "
              "a managed policy: give the principal a smaller boundary of your own (its least-privilege suggestion "
              "is one).")


def _new_boundary_too_large(store: "Store", fix: dict[str, Any]) -> int | None:
    """The size of the boundary copy ``fix`` asks for (``newBoundaryFrom``) when IAM would refuse it, else None."""
    source = fix.get("newBoundaryFrom")
    found = documents.managed(store, source) if source else None
    if found is None:
        return None
    copied = size(document([*documents.statements_of(found.text), fix["statement"]]))
    return copied if copied > MANAGED_POLICY_LIMIT else None


def _further(store: "Store", record: Recorded, added: dict[str, dict], removed: dict[str, set[int]],
             entity: str | None) -> tuple[list[dict[str, Any]], bool]:
    """The further fixes once ``added`` (layer -> statement) is added and the ``removed`` statements (policy id ->
    positions) are gone, and whether the replay ended allowed or at an explicit deny (False: it met a policy it
    cannot read, or a layer that still refused with its statement added)."""
    current = principals.compiled(store, record.principal)
    added = dict(added)
    identity = tuple(ref for ref in (documents.without_statements(store, ref, removed) for ref in current.identity)
                     if ref is not None)
    fixes: list[dict[str, Any]] = []
    for _ in range(len(_REPLAYED) + 1):
        decision = evaluate(AuthzRequest(
            principal=current.principal, action=record.action, resource=record.resource, context=record.context,
            identity_policies=(*identity, *_identity_added(added)),
            permissions_boundary=_boundary(store, record, current.boundary, added.get(BOUNDARY), removed),
            session_policies=None, resource_policy=_resource(store, record, added.get(RESOURCE), removed),
            now=record.time, all_allows=False))
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
    if not statement:
        return ()
    return (PolicyRef("suggested-identity-statement", _document((CURRENT_VERSION, []), statement)),)


def _boundary(store: "Store", record: Recorded, current: PolicyRef | None, statement: dict | None,
              removed: dict[str, set[int]]) -> PolicyRef | None:
    if statement is None or not record.boundary:
        kept = documents.without_statements(store, current, removed)
        # a boundary left with no statement allows nothing: one that allows nothing stands for it
        return kept if kept is not None or current is None else PolicyRef(current.policy_id, _NOTHING_ALLOWED)
    found = documents.managed(store, record.boundary)
    kept = documents.kept_part(found.text if found else None, record.boundary, removed)
    return PolicyRef(record.boundary, _document(kept, statement))


def _resource(store: "Store", record: Recorded, statement: dict | None, removed: dict[str, set[int]]
              ) -> PolicyRef | None:
    """The resource or trust policy the request meets now, with ``statement`` added and the ``removed`` ones gone."""
    policy_id = documents.met_policy_id(store, record)
    if statement is None:
        return documents.without_statements(store, documents.reference(store, policy_id), removed)
    found = documents.resolve(store, policy_id)
    text = _document(documents.kept_part(found.text if found else None, policy_id, removed), statement)
    if record.action.lower() in TRUST_ACTIONS_LOWER:
        return PolicyRef(policy_id or f"{record.resource}{documents.TRUST_SUFFIX}", text, PolicyKind.TRUST)
    return PolicyRef(policy_id or f"{record.resource} {REPOSITORY_POLICY}", evaluable_policy(text),
                     PolicyKind.RESOURCE)


_NOTHING_ALLOWED = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "NotAction": "*", "Resource": "*"}]})


def _document(kept: tuple[str | None, list[dict]], statement: dict) -> str:
    """A policy of the ``kept`` statements (a :func:`documents.kept_part`: each means what it meant in its own
    policy) and the suggested ``statement``."""
    return joined_text([kept, (CURRENT_VERSION, [statement])])
