"""The engine's request-path memos: each is a pure function of its key, bounded, and answers as if asked first.

What they remember (the lower-cased spelling of a context's key list, the account of a resource ARN) depends on
nothing but the text asked about, so no state change can make them stale; these tests pin the answers an
uncached evaluation gives, the ambiguous spellings included, and the bound.
"""
from __future__ import annotations

from mockrunner.iam_engine import AuthzRequest, PolicyRef, PolicySet, evaluate, principal_from_arn
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
