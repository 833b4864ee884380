"""Table-driven cases from ``cases/*.json``; each case names the AWS documentation rule it checks.

Case shapes:
* ``validate``: a document, its ``kind`` and the expected outcome (``"valid"`` or IAM's exact message);
* ``condition``: a Condition block wrapped into an Allow statement; ``expect`` says whether it holds.
  ``unknown: true`` marks incomparable values, which must also make the same block *deny* (fail closed);
* otherwise a full request (CLI shape) with the expected decision and, optionally, message and Sids.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, evaluate, validate_policy

from .conftest import request_from_case

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list:
    params = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text())["cases"]):
            params.append(pytest.param(case, id=f"{path.stem}[{i}] {case['name']}"))
    return params


CASES = _load()


def test_case_count_and_rules() -> None:
    assert len(CASES) >= 300
    assert all(p.values[0].get("rule") for p in CASES)


def _decide(case: dict) -> tuple[str, object]:
    try:
        decision = evaluate(request_from_case(case))
    except MalformedPolicyError as exc:
        return "error", exc.message
    return decision.decision, decision


def _wrap(case: dict, effect: str) -> dict:
    statements = [{"Effect": effect, "Action": "svc:Act", "Resource": "*", "Condition": case["condition"]}]
    if effect == "Deny":
        statements.insert(0, {"Effect": "Allow", "Action": "*", "Resource": "*"})
    document = {"Statement": statements}
    version = case.get("version", "2012-10-17")
    if version:
        document["Version"] = version
    return {**case, "action": "svc:Act", "resource": "*", "identityPolicies": [document]}


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict) -> None:
    if "validate" in case:
        kind = PolicyKind(case["kind"])
        document = case["validate"]
        try:
            validate_policy(document, kind, require_current_version=case.get("managed", False))
            outcome = "valid"
        except MalformedPolicyError as exc:
            outcome = exc.message
        assert outcome == case["expect"]
        return
    if "condition" in case:
        decision, _ = _decide(_wrap(case, "Allow"))
        assert decision == ("allowed" if case["expect"] else "implicitDeny")
        deny_decision, _ = _decide(_wrap(case, "Deny"))
        holds_for_deny = case["expect"] or case.get("unknown", False)
        assert deny_decision == ("explicitDeny" if holds_for_deny else "allowed")
        return
    decision, detail = _decide(case)
    assert decision == case["expect"], getattr(detail, "message", detail)
    if "message" in case:
        assert (detail if decision == "error" else detail.message) == case["message"]
    if "matched" in case:
        assert [m.sid for m in detail.matched_statements] == case["matched"]
