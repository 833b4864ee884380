"""Shared helpers for the engine tests: build AuthzRequests from JSON case dictionaries."""

from __future__ import annotations

from datetime import UTC, datetime

from mockrunner.iam_engine import AuthzRequest, PolicyKind, PolicyRef, principal_from_arn

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
ALICE = "arn:aws:iam::123456789012:user/alice"


def parse_now(text: str | None) -> datetime:
    """The case's fixed clock, or the default one."""
    if not text:
        return NOW
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def request_from_case(case: dict) -> AuthzRequest:
    """The same request shape as the CLI, so case files read like CLI input."""
    principal = principal_from_arn(case.get("principal", ALICE), case.get("principalTags"))
    kind = PolicyKind(case.get("resourcePolicyKind", "resource"))
    sessions = case.get("sessionPolicies")
    boundary = case.get("permissionsBoundary")
    return AuthzRequest(
        principal=principal,
        action=case.get("action", "svc:Act"),
        resource=case.get("resource", "*"),
        context=case.get("context", {}),
        identity_policies=[PolicyRef(f"identity[{i}]", d) for i, d in enumerate(case.get("identityPolicies", []))],
        permissions_boundary=None if boundary is None else PolicyRef("boundary", boundary),
        session_policies=None if sessions is None else [PolicyRef(f"session[{i}]", d) for i, d in enumerate(sessions)],
        resource_policy=PolicyRef("resource", case["resourcePolicy"], kind) if "resourcePolicy" in case else None,
        resource_account=case.get("resourceAccount"),
        now=parse_now(case.get("now")),
    )
