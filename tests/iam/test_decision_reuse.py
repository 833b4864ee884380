"""The authorizer's reuse of a decision: a request decided again is answered as before only while it would be.

A compiled principal keeps its decisions by action, resource and request context, each with its guards: the
statements it evaluated that may read ``aws:CurrentTime`` or ``aws:EpochTime``
(:func:`mockrunner.iam_engine.evaluate_guarded`), reused only while each passes as it did.  These tests drive the
server through boto3, in both modes, and check the cases where a kept decision would be wrong: the clock moving past
a date a policy names (on an Allow, on a Deny evaluated before the deciding Allow), and the policies or the tags
changing between two identical calls.  Which statements are guards (policy variables included) is pinned at the
engine's level, in tests/engine/test_hot_path_caches.py.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import allow, doc, user_with_key

HOUR = timedelta(hours=1).total_seconds()


def _stamp(aws, offset_seconds: float) -> str:
    return (aws.store.clock.now() + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _allowed(client, user: str) -> bool:
    try:
        client.get_user(UserName=user)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied", error.response
        return False
    return True


def test_an_allow_until_a_date_stops_when_the_clock_passes_it(aws):
    until = _stamp(aws, HOUR)
    key = user_with_key(aws, "dated", inline={"p": doc(allow(
        "iam:GetUser", Condition={"DateLessThan": {"aws:CurrentTime": until}}))})
    client = aws.client_for(key, "iam")
    assert [_allowed(client, "dated") for _ in range(3)] == [True, True, True]
    aws.store.clock.advance(2 * HOUR)
    assert [_allowed(client, "dated") for _ in range(2)] == [False, False]


def test_a_deny_from_an_epoch_time_on_takes_effect_when_the_clock_reaches_it(aws):
    """The Deny is evaluated before the Allow that decides (Denies first), so the allowed decision read the time."""
    start = int(aws.store.clock.now().timestamp() + HOUR)
    key = user_with_key(aws, "curfew", inline={"p": doc(
        allow("iam:GetUser"),
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:EpochTime": str(start)}}})})
    client = aws.client_for(key, "iam")
    assert [_allowed(client, "curfew") for _ in range(3)] == [True, True, True]
    aws.store.clock.advance(2 * HOUR)
    assert _allowed(client, "curfew") is False


@pytest.mark.parametrize("change", ["inline deny", "detach", "tag", "untag"])
def test_a_change_between_two_identical_calls_decides_the_second(aws, change):
    """The decisions kept belong to one IAM state: a policy or tag change is seen by the very next call."""
    iam = aws.client("iam")
    tagged = {"team": "platform"} if change == "untag" else {}
    arn = iam.create_policy(PolicyName=f"p-{change.replace(' ', '-')}", PolicyDocument=doc(allow(
        "iam:GetUser", Condition={"StringEquals": {"aws:PrincipalTag/team": "platform"}}
        if change == "untag" else {"StringNotEquals": {"aws:PrincipalTag/team": "blocked"}})))["Policy"]["Arn"]
    key = user_with_key(aws, "changing", policies=(arn,), tags=tagged)
    client = aws.client_for(key, "iam")
    assert [_allowed(client, "changing") for _ in range(3)] == [True, True, True]
    if change == "inline deny":
        iam.put_user_policy(UserName="changing", PolicyName="no", PolicyDocument=doc(
            {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"}))
    elif change == "detach":
        iam.detach_user_policy(UserName="changing", PolicyArn=arn)
    elif change == "tag":
        iam.tag_user(UserName="changing", Tags=[{"Key": "team", "Value": "blocked"}])
    else:
        iam.untag_user(UserName="changing", TagKeys=["team"])
    assert _allowed(client, "changing") is False


def test_a_decision_is_kept_per_request_context(aws):
    """Two targets with different tags are two requests: the decision for one is never the other's."""
    iam = aws.client("iam")
    iam.create_user(UserName="open", Tags=[{"Key": "env", "Value": "dev"}])
    iam.create_user(UserName="closed", Tags=[{"Key": "env", "Value": "prod"}])
    key = user_with_key(aws, "reader", inline={"p": doc(allow(
        "iam:GetUser", "arn:aws:iam::*:user/*", Condition={"StringEquals": {"aws:ResourceTag/env": "dev"}}))})
    client = aws.client_for(key, "iam")
    for _ in range(2):
        assert (_allowed(client, "open"), _allowed(client, "closed")) == (True, False)
    iam.tag_user(UserName="closed", Tags=[{"Key": "env", "Value": "dev"}])
    assert _allowed(client, "closed") is True
