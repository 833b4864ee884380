"""Least-privilege policies from recorded traffic, and the fix for one denied decision.

``for_principal`` turns the decisions a principal's requests got (allowed and denied: soft mode records what a
script needs without stopping it) into identity policies within IAM's size limit, and proves them by replaying
every recorded request through the policy engine (:mod:`mockrunner.suggest.proof`).  ``for_decision`` answers one
denied decision (:mod:`mockrunner.suggest.single`; every layer that refuses it: :mod:`mockrunner.suggest.complete`).
Both read the decision log as stored or exported, and the store for the principal's current boundary and the
resource policies evaluated.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, validate_policy
from mockrunner.suggest import build, complete, principals, proof, recorded
from mockrunner.suggest.recorded import SuggestError, parse_time
from mockrunner.suggest.resources import literal, reusable

if TYPE_CHECKING:
    from mockrunner.model.store import Store

__all__ = ["SuggestError", "for_decision", "for_principal", "parse_time"]


def for_principal(store: "Store", principal: str, since: datetime | None = None,
                  entries: Iterable[dict | tuple] | None = None, wildcards: bool = True) -> dict[str, Any]:
    """The suggested policies for ``principal`` (user, role or role session ARN) from ``entries`` (default: the
    store's decision log), with their proof.  Raises :class:`SuggestError` for a bad principal."""
    identity = recorded.identity_of(principal)
    records = recorded.select(store.decision_log.raw() if entries is None else entries, identity, since)
    statements, wildcard_list = build.statements(records, wildcards)
    documents = build.pack(statements)
    name = f"mockrunner-suggested-{identity.name}"[:120]
    policies = [{"name": name if len(documents) == 1 else f"{name}-{number}", "document": document,
                 "size": build.size(document)} for number, document in enumerate(documents, 1)]
    for policy in policies:
        _check_valid(policy["document"])
    notes = ["App Runner generates a resource's id when it is created: those resources are named by their name "
             "with /* for the id, so the policy still fits when the script creates them again"
             ] if any(reusable(record.resource) != literal(record.resource) for record in records) else []
    notes += _limit_notes(store, identity.kind, policies)
    # A role session's ARN (and a role's ARN as the dashboard links it) does not hold the role's path; the
    # policy is attached to the role its ARN names, path included.
    attach_to = principals.role_arn(store, identity.account, identity.name) if identity.kind == "role" \
        else identity.arn
    return {
        "principal": principal, "attachTo": attach_to, "kind": identity.kind,
        "since": since.isoformat() if since else None, "decisions": len(records),
        "denied": sum(1 for record in records if record.decision != "allowed"),
        "policies": policies, "limit": build.MANAGED_POLICY_LIMIT,
        "wildcards": [wildcard.to_dict() for wildcard in wildcard_list], "notes": notes,
        "proof": proof.replay(store, records, documents),
    }


def for_decision(store: "Store", decision_id: int, entries: Iterable[dict | tuple] | None = None) -> dict[str, Any]:
    """The smallest statement that would have allowed one logged decision, and where it goes (with the statements
    other layers that refuse it too need, ``alsoNeeded``)."""
    found = recorded.find(store.decision_log.raw() if entries is None else entries, decision_id)
    if found is None:
        raise SuggestError(f"no decision {decision_id} in the decision log")
    return {"id": decision_id, "principal": found.principal, "action": found.action, "resource": found.resource,
            "message": found.message, **complete.complete(store, found)}


def _limit_notes(store: "Store", kind: str, policies: list[dict]) -> list[str]:
    """What IAM would refuse of the suggestion as it is: a policy over the size limit (a statement too large alone:
    one resource, or the values its condition pins), more policies than a user or role may have attached."""
    notes = [f"{policy['name']} is {policy['size']:,} characters, over IAM's {build.MANAGED_POLICY_LIMIT:,}: one "
             "statement is too large alone (its resource or the values its condition pins); CreatePolicy refuses it "
             "as it is" for policy in policies if policy["size"] > build.MANAGED_POLICY_LIMIT]
    quotas = store.settings.quotas
    most = quotas.iam_max_policies_per_role if kind == "role" else quotas.iam_max_policies_per_user
    if len(policies) > most:
        notes.append(f"{len(policies)} policies: a {kind} may have at most {most} managed policies attached (this "
                     "server's quota; AWS's default is 10, raised to 20 on request), those it has already included: "
                     "merge statements or group resources under wildcards before attaching them")
    return notes


def _check_valid(document: dict) -> None:
    """A suggestion IAM would refuse is a bug here, not an answer: fail loudly."""
    try:
        validate_policy(json.dumps(document), PolicyKind.IDENTITY, require_current_version=True)
    except MalformedPolicyError as error:  # pragma: no cover - a bug
        raise AssertionError(f"suggested policy is not valid IAM: {error.message}") from error
