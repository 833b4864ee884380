"""The engine's one rule for policies it cannot read: never allows, denies every request it takes part in,
and the decision names it and why (``Decision.errors``).  evaluate() itself never parses."""

from __future__ import annotations

import json

import pytest

from mockrunner.iam_engine import (
    AuthzRequest,
    MalformedPolicyError,
    PolicyError,
    PolicyKind,
    PolicyRef,
    PolicySet,
    Unreadable,
    evaluate,
    principal_from_arn,
)

from .conftest import NOW

ACCOUNT = "123456789012"
ALICE = principal_from_arn(f"arn:aws:iam::{ACCOUNT}:user/alice")
TARGET = f"arn:aws:iam::{ACCOUNT}:user/bob"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
BROKEN = '{"Version": "2012-10-17", "Statement": '
GRANT_ALICE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "iam:DeleteUser"}]})


def _request(**layers) -> AuthzRequest:
    return AuthzRequest(principal=ALICE, action="iam:DeleteUser", resource=TARGET, now=NOW, **layers)


def _broken(policy_id: str, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyRef:
    return PolicyRef.load(policy_id, BROKEN, kind)


def test_load_keeps_an_unreadable_document_as_data_with_iams_reason() -> None:
    ref = _broken("arn:aws:iam::123456789012:policy/B")
    assert ref.document == Unreadable("Syntax errors in policy.")
    assert PolicyRef.load("p", {"Statement": {"Effect": "Allow", "Action": "s3:*"}}).document == Unreadable(
        "Policy statement must contain resources.")


def test_parse_errors_surface_when_a_ref_is_built_never_inside_evaluate() -> None:
    with pytest.raises(MalformedPolicyError):
        PolicyRef("p", BROKEN)
    ready = PolicyRef("p", ALLOW_ALL)
    assert not isinstance(ready.document, str | dict)  # parsed once, before any evaluation


@pytest.mark.parametrize("layers, layer, policy_id", [
    ({"identity_policies": [PolicyRef("allow", ALLOW_ALL)],
      "permissions_boundary": PolicyRef.load("boundary", BROKEN)}, "permissionsBoundary", "boundary"),
    ({"identity_policies": [PolicyRef("allow", ALLOW_ALL), PolicyRef.load("inline", BROKEN)]}, "identity", "inline"),
    ({"identity_policies": PolicySet([PolicyRef("allow", ALLOW_ALL), PolicyRef.load("inline", BROKEN)])},
     "identity", "inline"),
    ({"identity_policies": [PolicyRef("allow", ALLOW_ALL)],
      "session_policies": [PolicyRef("s0", ALLOW_ALL), PolicyRef.load("s1", BROKEN)]}, "session", "s1"),
    ({"identity_policies": [PolicyRef("allow", ALLOW_ALL)],
      "resource_policy": PolicyRef.load("repo", BROKEN, PolicyKind.RESOURCE)}, "resource", "repo"),
], ids=["boundary", "identity", "identity-policy-set", "session", "resource"])
def test_an_unreadable_policy_in_any_layer_denies_what_allow_all_would_allow(layers, layer, policy_id) -> None:
    decision = evaluate(_request(**layers))
    assert decision.decision == "implicitDeny" and not decision.allowed
    assert decision.reason == layer
    assert decision.errors == [PolicyError(policy_id, layer, "Syntax errors in policy.")]
    assert decision.message.endswith("cannot be read (Syntax errors in policy)")
    assert f" {policy_id} cannot be read" in decision.message
    assert decision.to_dict()["errors"] == [
        {"policyId": policy_id, "policyKind": layer, "reason": "Syntax errors in policy."}]


def test_an_unreadable_boundary_also_denies_a_grant_naming_the_user() -> None:
    """A same-account resource-policy grant to the user's ARN is not limited by a readable boundary; an
    unreadable one may hold a Deny, so it denies that too."""
    readable = _request(resource_policy=PolicyRef("grant", GRANT_ALICE, PolicyKind.RESOURCE),
                        permissions_boundary=PolicyRef("boundary", json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})))
    assert evaluate(readable).allowed
    unreadable = _request(resource_policy=PolicyRef("grant", GRANT_ALICE, PolicyKind.RESOURCE),
                          permissions_boundary=_broken("boundary"))
    assert evaluate(unreadable).errors == [PolicyError("boundary", "permissionsBoundary", "Syntax errors in policy.")]
    assert not evaluate(unreadable).allowed


def test_a_readable_explicit_deny_still_names_itself_and_the_unreadable_policy() -> None:
    deny = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "No", "Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]})
    decision = evaluate(_request(identity_policies=[PolicyRef("deny", deny)], permissions_boundary=_broken("b")))
    assert decision.decision == "explicitDeny" and [m.sid for m in decision.matched_statements] == ["No"]
    assert decision.errors == [PolicyError("b", "permissionsBoundary", "Syntax errors in policy.")]


def test_every_unreadable_policy_is_named_in_layer_order() -> None:
    decision = evaluate(_request(identity_policies=[_broken("i")], permissions_boundary=_broken("b"),
                                 session_policies=[_broken("s")],
                                 resource_policy=_broken("r", PolicyKind.RESOURCE)))
    assert [(e.policy_id, e.policy_kind) for e in decision.errors] == [
        ("i", "identity"), ("b", "permissionsBoundary"), ("s", "session"), ("r", "resource")]
    assert decision.reason == "identity"


def test_service_principals_are_denied_by_an_unreadable_trust_policy() -> None:
    service = principal_from_arn("build.apprunner.amazonaws.com")
    decision = evaluate(AuthzRequest(principal=service, action="sts:AssumeRole",
                                     resource=f"arn:aws:iam::{ACCOUNT}:role/access", now=NOW,
                                     resource_policy=PolicyRef.load("trust", BROKEN, PolicyKind.TRUST)))
    assert not decision.allowed and decision.errors[0].policy_id == "trust"
