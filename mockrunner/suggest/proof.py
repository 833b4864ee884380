"""The proof of a suggestion: every recorded request replayed through the policy engine.

Each distinct request (principal, action, resource, context) is evaluated twice, with the principal's current
permissions boundary and the resource or trust policy of the resource as the store holds them now (a repository
policy set after the request included):

- with the suggested policies as the only identity policies: do they allow it on their own?
- with the suggested policies added to the principal's current identity policies, as they will be once
  attached: does anything deny it anyway (an explicit deny elsewhere, the boundary, a resource policy)?

A request allowed both times is covered; any other is listed with the layer that refused it.  Session policies
travel with credentials and are not in the log, so a replay has none (said in the result).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mockrunner.auth.authorizer import RECORDED_HEADER_CHARACTERS, long_header
from mockrunner.iam_engine import AuthzRequest, Decision, MalformedPolicyError, PolicyRef, PolicySet, evaluate
from mockrunner.suggest import documents, principals
from mockrunner.suggest.recorded import Recorded

if TYPE_CHECKING:
    from mockrunner.model.store import Store

_WHY = {
    "identity": "no identity-based policy allows it",
    "permissionsBoundary": "the permissions boundary {boundary} does not allow it: widen the boundary",
    "session": "a session policy does not allow it",
    "resource": "the resource-based policy {resource_policy} does not allow it (it must name the principal)",
}

CUT = (f"its aws:UserAgent or aws:referer was longer than records keep ({RECORDED_HEADER_CHARACTERS:,} characters): "
       "replayed with the cut value, a condition on it may decide otherwise than on the request's")


def replay(store: "Store", records: Sequence[Recorded], suggested: Sequence[dict]) -> dict[str, Any]:
    """``{"replayed", "allowed", "allAllowed", "uncovered": [...]}`` for ``records`` and the suggested documents."""
    suggested_refs = tuple(PolicyRef(f"suggested-policy-{number}", json.dumps(doc))
                           for number, doc in enumerate(suggested, 1))
    seen: set[str] = set()
    uncovered: list[dict] = []
    replayed = 0
    for record in records:
        key = json.dumps([record.principal, record.action, record.resource, record.context], sort_keys=True,
                         default=str)
        if key in seen:
            continue
        seen.add(key)
        replayed += 1
        problem = _problem(store, record, suggested_refs)
        if problem is not None:
            uncovered.append({"id": record.id, "principal": record.principal, "action": record.action,
                              "resource": record.resource, "why": problem})
    return {"replayed": replayed, "allowed": replayed - len(uncovered), "allAllowed": not uncovered,
            "uncovered": uncovered,
            "assumptions": ["each request is replayed with the principal's current permissions boundary and the "
                            "resource or trust policy it was evaluated against, as they are now",
                            "session policies are not recorded: a role session given a session policy is limited "
                            "by it as well"]}


def _problem(store: "Store", record: Recorded, suggested: tuple[PolicyRef, ...]) -> str | None:
    """Why the request is not allowed with the suggestion attached (None: it is)."""
    if long_header(record.context):
        return CUT
    current = principals.compiled(store, record.principal)
    met = documents.met_policy_id(store, record)
    try:
        resource_ref = documents.reference(store, met)
        alone = _evaluate(record, current, suggested, resource_ref)
        together = _evaluate(record, current, (*current.identity, *suggested), resource_ref)
    except MalformedPolicyError as error:
        return f"a policy cannot be read: {error.message}"
    for decision in (together, alone):
        if decision.decision == "explicitDeny":
            denies = ", ".join(f"{m.policy_id} statement {m.sid or m.index}" for m in decision.matched_statements)
            return f"explicitly denied by {denies}: remove or narrow that statement"
        if not decision.allowed:
            return _WHY[decision.reason].format(boundary=record.boundary or "(none)",
                                                resource_policy=met if resource_ref is not None else "(none)")
    return None


def _evaluate(record: Recorded, current: Any, identity: Sequence[PolicyRef], resource: PolicyRef | None) -> Decision:
    return evaluate(AuthzRequest(
        principal=current.principal, action=record.action, resource=record.resource, context=record.context,
        identity_policies=PolicySet(identity), permissions_boundary=current.boundary, session_policies=None,
        resource_policy=resource, now=record.time, all_allows=False))

