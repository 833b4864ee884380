"""The policy simulator's ``EvaluationResult``: one per action, in the shape real IAM answers.

Recorded from AWS, 2026-09-11 (radkawar/stackd, commit 9dc356f5, ``testdata/aws/iam/simulation.json`` and
``simulation_inputs.json``; the cases are named where each rule is applied):

* Without ``ResourceArns`` an action's result is for ``*``; with one resource it names that resource and has one
  ``ResourceSpecificResults`` entry; with several, one result per action whose ``EvalResourceName`` is the ARN
  template of the action's service, ``*`` for an action IAM does not model
  (:func:`mockrunner.services.iam.simulator_resources.template`), and whose entries are each resource's
  ("custom_two_resources_mixed", "principal_user_sources", "input_resources_known_*", "input_resources_partitions").
  The result is ``explicitDeny`` when a resource is denied explicitly, ``allowed`` when every resource is allowed,
  ``implicitDeny`` otherwise; its matched statements are every entry's.
* ``MissingContextValues`` are reported only when the request is implicitly denied ("missing_relevant",
  "missing_with_other_allow_*"; an explicit deny lists none: "missing_with_unconditional_deny"); an entry carries
  MatchedStatements and MissingContextValues only when not empty (also ``conditions.json``).
* A permissions boundary's statements are reported only when they deny ("boundary_allow", "boundary_deny",
  "principal_attached_boundary"), before the identity policies' ("boundary_deny_over_identity_deny"), which come
  the policy simulated last first ("custom_multiple_policies_allow", "principal_additional_policy"), then the
  resource policy's ("composition_same_direct_identity").  A result for named resources lists its entries'
  statements the other way round ("principal_additional_policy", "principal_resource_policy_user",
  "principal_dual_use_*").
* ``OrganizationsDecisionDetail`` is the result's, never an entry's (the ResourceSpecificResult shape has none).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mockrunner.iam_engine.simulation import Matched, Result
from mockrunner.services.iam.simulator_resources import template

RESOURCE_POLICY = "Resource Policy"
"""The ``SourcePolicyType`` of a ``ResourcePolicy`` statement."""


def _position(at: tuple[int, int]) -> dict:
    return {"Line": at[0], "Column": at[1]}


def _statement_out(matched: Matched) -> dict:
    out: dict[str, Any] = {"SourcePolicyId": matched.source.source_id}
    if matched.source.source_type:
        out["SourcePolicyType"] = matched.source.source_type
    if matched.start is not None and matched.end is not None:
        out["StartPosition"], out["EndPosition"] = _position(matched.start), _position(matched.end)
    return out


def _place(matched: Matched, boundary_id: str | None) -> tuple[int, int]:
    """Where a matched statement goes in a resource's list: the boundary's first, then the identity policies, the
    one simulated last first, then the resource policy's (a source's policy id starts with its position)."""
    if matched.source.ref.policy_id == boundary_id:
        return 0, 0
    if matched.source.source_type == RESOURCE_POLICY:
        return 2, 0
    return 1, -int(matched.source.ref.policy_id.split(":", 1)[0])


def _key(matched: Matched) -> tuple:
    """What a matched statement is reported as (two equal keys are one statement in the answer)."""
    return matched.source.source_id, matched.source.source_type, matched.start, matched.end


def _statements(result: Result, boundary_id: str | None) -> list[Matched]:
    """The result's matched statements in a resource's order, each reported once (a managed policy attached to the
    user and to its group is one statement); a set, not a scan of the list, so a policy of thousands of matching
    statements costs linear time."""
    decision = result.decision.decision
    shown = [matched for matched in result.matched
             if matched.source.ref.policy_id != boundary_id or decision == "explicitDeny"]
    return _unique(sorted(shown, key=lambda matched: _place(matched, boundary_id)))


def _unique(statements: Iterable[Matched]) -> list[Matched]:
    seen: set[tuple] = set()
    kept = []
    for matched in statements:
        key = _key(matched)
        if key not in seen:
            seen.add(key)
            kept.append(matched)
    return kept


def _boundary_detail(allowed: bool | None) -> dict:
    return {} if allowed is None else {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": allowed}}


def _entry(resource: str, result: Result, statements: list[dict], missing: list[str]) -> dict:
    """One ResourceSpecificResults entry."""
    entry: dict[str, Any] = {"EvalResourceName": resource, "EvalResourceDecision": result.decision.decision}
    entry.update((name, value) for name, value in (("MatchedStatements", statements),
                                                   ("MissingContextValues", missing)) if value)
    entry.update(_boundary_detail(result.allowed_by_boundary))
    if result.details:
        entry["EvalDecisionDetails"] = result.details
    return entry


def _overall(decisions: list[str]) -> str:
    if "explicitDeny" in decisions:
        return "explicitDeny"
    return "allowed" if all(decision == "allowed" for decision in decisions) else "implicitDeny"


def _joined(flag: list[bool | None]) -> bool | None:
    known = [value for value in flag if value is not None]
    return all(known) if known else None


def evaluation_result(action: str, resources: Sequence[str], results: Sequence[Result], missing: list[str],
                      boundary_id: str | None) -> dict:
    """The EvaluationResult of ``action`` over ``resources`` (``["*"]`` when none was named), each resource's
    :class:`Result` in ``results``; ``missing``: the context keys no one supplied; ``boundary_id``: the policy id of
    the simulated permissions boundary, if any."""
    statements = [_statements(result, boundary_id) for result in results]
    decision = _overall([result.decision.decision for result in results])
    shown_missing = missing if decision == "implicitDeny" else []
    joined = [_statement_out(matched) for matched in _unique(m for listed in statements for m in listed)]
    if resources != ["*"]:
        joined.reverse()
    out: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resources[0] if len(resources) == 1 else template(action, resources),
        "EvalDecision": decision, "MatchedStatements": joined, "MissingContextValues": shown_missing}
    organizations = _joined([result.allowed_by_organizations for result in results])
    if organizations is not None:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": organizations}
    out.update(_boundary_detail(_joined([result.allowed_by_boundary for result in results])))
    if resources[0] == "*" and len(resources) == 1:
        return out
    out["EvalDecisionDetails"] = (results[0].details or {}) if len(results) == 1 else {}
    out["ResourceSpecificResults"] = [
        _entry(resource, result, [_statement_out(matched) for matched in listed],
               missing if result.decision.decision == "implicitDeny" else [])
        for resource, result, listed in zip(resources, results, statements, strict=True)]
    return out
