"""The engine's request-path memos: each is a pure function of its key, bounded, and answers as if asked first.

What they remember (the lower-cased spelling of a context's key list, the account of a resource ARN) depends on
nothing but the text asked about, so no state change can make them stale; these tests pin the answers an
uncached evaluation gives, the ambiguous spellings included, and the bound.  A principal's last request context
is reused only for equal values of the same types; which statements a decision read the time in (its guards: what
the server checks again before reusing it, tests/iam/test_decision_reuse.py) is pinned here statement by statement.
"""
from __future__ import annotations

from mockrunner.iam_engine import (
    AuthzRequest,
    PolicyRef,
    PolicySet,
    evaluate,
    evaluate_guarded,
    guards_hold,
    principal_from_arn,
)
from mockrunner.iam_engine.context import AMBIGUOUS, _lowered, build_context
from mockrunner.iam_engine.evaluate import account_of, cached_account_of

from .conftest import NOW

ALICE = principal_from_arn("arn:aws:iam::123456789012:user/alice")


def test_a_remembered_key_list_still_finds_two_spellings_of_one_key_ambiguous() -> None:
    """The same key list asked twice (the second time from the memo) answers as the first time: two spellings
    with different values are ambiguous, with equal values they are one key; a value is never taken from the
    previous request."""
    for _ in range(2):
        assert build_context({"aws:RequestTag/Env": "a", "aws:requesttag/env": "b"}, ALICE, NOW)[
            "aws:requesttag/env"] is AMBIGUOUS
        assert build_context({"aws:RequestTag/Env": "a", "aws:requesttag/env": "a"}, ALICE, NOW)[
            "aws:requesttag/env"] == "a"
        ctx = build_context({"aws:RequestTag/Env": "x", "aws:SourceIp": "10.0.0.1"}, ALICE, NOW)
        assert (ctx["aws:requesttag/env"], ctx["aws:sourceip"]) == ("x", "10.0.0.1")
    ctx = build_context({"aws:RequestTag/Env": "y", "aws:SourceIp": "10.0.0.2"}, ALICE, NOW)
    assert (ctx["aws:requesttag/env"], ctx["aws:sourceip"]) == ("y", "10.0.0.2")


def test_a_carried_principal_key_still_wins_over_the_derived_one() -> None:
    """Keys the request carries override the ones derived from the caller, memo or not."""
    for _ in range(2):
        ctx = build_context({"AWS:PrincipalArn": "arn:aws:iam::1:role/other"}, ALICE, NOW)
        assert ctx["aws:principalarn"] == "arn:aws:iam::1:role/other"
    assert build_context({}, ALICE, NOW)["aws:principalarn"] == ALICE.arn


def test_the_memos_are_bounded() -> None:
    """Thousands of distinct key lists and resources leave at most each memo's bound behind."""
    for index in range(5000):
        _lowered((f"svc:Key{index}",))
        cached_account_of(f"arn:aws:s3:::bucket-{index}")
    assert _lowered.cache_info().currsize <= _lowered.cache_info().maxsize == 1024
    assert cached_account_of.cache_info().currsize <= cached_account_of.cache_info().maxsize == 4096


def test_the_remembered_account_of_a_resource_is_the_uncached_one() -> None:
    for resource in ("*", "arn:aws:iam::123456789012:user/a", "arn:aws:s3:::b", "arn:aws:iam:::user/a", "x:y"):
        assert cached_account_of(resource) == account_of(resource) == cached_account_of(resource)


def test_a_cross_account_resource_is_still_refused_without_a_resource_policy() -> None:
    """The identity-only shortcut of the combination applies to the caller's own account alone: an identity
    Allow on another account's resource, with no resource policy to agree, is an implicit deny from the
    resource layer, asked once or many times."""
    allow = PolicyRef("p", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    policies = PolicySet([allow])
    for resource, decision, reason in (("arn:aws:s3:us-east-1:999999999999:thing/x", "implicitDeny", "resource"),
                                       ("arn:aws:s3:us-east-1:123456789012:thing/x", "allowed", "allowed"),
                                       ("arn:aws:s3:us-east-1:999999999999:thing/x", "implicitDeny", "resource")):
        answer = evaluate(AuthzRequest(principal=ALICE, action="s3:GetObject", resource=resource,
                                       identity_policies=policies, now=NOW, all_allows=False))
        assert (answer.decision, answer.reason) == (decision, reason), resource


def _statements(*statements: dict) -> PolicySet:
    return PolicySet([PolicyRef("p", {"Version": "2012-10-17", "Statement": list(statements)})])


def _timeless(policies: PolicySet, resource: str = "*", context: dict | None = None) -> tuple[str, bool]:
    """The decision, and whether it has no guards (no statement evaluated may read the time)."""
    decision, guards = evaluate_guarded(AuthzRequest(
        ALICE, "s3:GetObject", resource, context or {}, policies, now=NOW, all_allows=False))
    return decision.decision, not guards


def test_a_decision_read_the_time_when_a_statement_it_evaluated_may_have() -> None:
    """Conditions on aws:CurrentTime or aws:EpochTime (any spelling), and policy variables naming them in a
    condition value or a resource, read the time; a statement not evaluated (after the deciding Allow) does not
    count, a Deny always does (Denies are evaluated first)."""
    dated = {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
             "Condition": {"DateGreaterThan": {"AWS:CURRENTTIME": "2020-01-01T00:00:00Z"}}}
    plain = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert _timeless(_statements(plain, dated)) == ("allowed", True)
    assert _timeless(_statements(dated, plain)) == ("allowed", False)
    future_deny = {**dated, "Effect": "Deny",
                   "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"}}}
    assert _timeless(_statements(plain, future_deny)) == ("allowed", False)
    assert _timeless(_statements({**plain, "Condition": {"NumericGreaterThan": {"aws:EpochTime": "1"}}})) == (
        "allowed", False)
    in_value = {**plain, "Condition": {"StringNotEquals": {"aws:PrincipalTag/x": "${aws:CurrentTime}"}}}
    assert _timeless(_statements(in_value)) == ("allowed", False)
    in_resource = {**plain, "Resource": "arn:aws:s3:::b/${aws:EpochTime}/*"}
    assert _timeless(_statements(in_resource), "arn:aws:s3:::b/1/k") == ("implicitDeny", False)
    other_variable = {**plain, "Resource": "arn:aws:s3:::b/${aws:username}/*"}
    assert _timeless(_statements(other_variable), "arn:aws:s3:::b/alice/k") == ("allowed", True)
    assert _timeless(_statements({**plain, "Condition": {"StringEquals": {"aws:SourceIp": "1"}}}),
                     context={"aws:SourceIp": "1"}) == ("allowed", True)


def test_a_principals_last_context_is_reused_only_for_values_of_the_same_types() -> None:
    """``1 == True`` in Python but not to IAM (``"1"`` is no ``"true"``): a request context equal to the principal's
    last one, but for the type of a value, is built anew; so is one holding a list (``[1] == [True]``)."""
    principal = principal_from_arn("arn:aws:iam::123456789012:user/typed")
    assert build_context({"s:K": True}, principal, NOW)["s:k"] is True
    assert type(build_context({"s:K": 1}, principal, NOW)["s:k"]) is int
    assert build_context({"s:K": True}, principal, NOW)["s:k"] is True
    assert build_context({"s:K": [True]}, principal, NOW)["s:k"] == [True]
    assert type(build_context({"s:K": [1]}, principal, NOW)["s:k"][0]) is int
    assert build_context({"s:K": 1.0}, principal, NOW)["s:k"].__class__ is float
    assert type(build_context({"s:K": 1}, principal, NOW)["s:k"]) is int


def test_guards_hold_while_each_time_reading_statement_fares_as_it_did() -> None:
    """The guards of a decision are the time-reading statements it evaluated, each with whether it passed: an Allow
    until a date holds until then, a Deny from a date (evaluated first, and failing) until then; a statement that
    reads no time is no guard."""
    until = {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
             "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}
    curfew = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
              "Condition": {"NumericGreaterThanEquals": {"aws:EpochTime": "1893456000"}}}
    plain = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    request = AuthzRequest(ALICE, "s3:GetObject", "*", {}, _statements(curfew, plain, until), now=NOW,
                           all_allows=False)
    decision, guards = evaluate_guarded(request)
    assert decision.decision == "allowed"
    assert [(guard[0].effect, guard[2]) for guard in guards] == [("Deny", False)]  # the Allow after plain: unread
    later = NOW.replace(year=2031)
    assert guards_hold(guards, {}, ALICE, "*", NOW) is True
    assert guards_hold(guards, {}, ALICE, "*", later) is False
    assert evaluate(AuthzRequest(ALICE, "s3:GetObject", "*", {}, _statements(curfew, plain, until), now=later,
                                 all_allows=False)).decision == "explicitDeny"
    decision, guards = evaluate_guarded(AuthzRequest(ALICE, "s3:GetObject", "*", {}, _statements(until), now=NOW,
                                                     all_allows=False))
    assert (decision.decision, [guard[2] for guard in guards]) == ("allowed", [True])
    assert (guards_hold(guards, {}, ALICE, "*", NOW), guards_hold(guards, {}, ALICE, "*", later)) == (True, False)
