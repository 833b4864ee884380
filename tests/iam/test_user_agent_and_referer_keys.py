"""``aws:UserAgent`` and ``aws:referer``: the request's own headers as condition keys.

The IAM User Guide's global condition keys: ``aws:UserAgent`` "is always included in the request context" (the
caller's User-Agent header; its warning: any client can send any value), ``aws:referer`` is the Referer header,
present only where the caller sent one.  Before, neither was in any request context, so a Deny on a user agent
never applied (a request AWS refuses was allowed) and an Allow on one never granted.  Tests drive the server through
boto3 in both modes: the user agent is botocore's own, with ``user_agent_extra``; the Referer is added before
signing, as a browser-based client's would be sent.
"""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.auth.authorizer import RECORDED_HEADER_CHARACTERS
from tests.harness import authorization_id
from tests.iam.helpers import allow, doc, user_with_key

DENY_TOOL = doc(allow("iam:ListUsers"), {
    "Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
    "Condition": {"StringLike": {"aws:UserAgent": "*blocked-tool/*"}}})


def _client(aws, key: dict, agent: str = "", referer: str | None = None):
    config = Config(user_agent_extra=agent, retries={"total_max_attempts": 1})
    client = aws.client_for(key, "iam", config=config)
    if referer is not None:
        def add_referer(request, **_):
            request.headers["Referer"] = referer
        client.meta.events.register_first("before-sign.iam.*", add_referer)
    return client


def _allowed(client) -> bool:
    try:
        client.list_users()
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied", error.response
        return False
    return True


def test_a_deny_on_the_user_agent_applies_to_that_client_only(aws):
    key = user_with_key(aws, "agent", inline={"p": DENY_TOOL})
    assert _allowed(_client(aws, key)) is True
    assert _allowed(_client(aws, key, "blocked-tool/2.1")) is False
    assert _allowed(_client(aws, key, "another-tool/1.0")) is True


def test_an_allow_on_the_user_agent_grants_that_client_only(aws):
    key = user_with_key(aws, "approved", inline={"p": doc(allow(
        "iam:ListUsers", Condition={"StringLike": {"aws:useragent": "* approved-ci/*"}}))})
    assert _allowed(_client(aws, key, "approved-ci/3")) is True
    assert _allowed(_client(aws, key)) is False


def test_the_user_agent_is_in_the_logged_context_and_the_authorization_details(aws):
    key = user_with_key(aws, "traced", inline={"p": doc(allow("iam:GetUser"), {
        "Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",
        "Condition": {"StringLike": {"aws:UserAgent": "*blocked-tool/*"}}})})
    client = _client(aws, key, "blocked-tool/9")
    with pytest.raises(ClientError) as denied:
        client.get_user(UserName="traced")
    [entry] = [entry for entry in aws.store.decision_log if entry["action"] == "iam:GetUser"]
    agent = entry["context"]["aws:UserAgent"]
    assert agent.startswith(("Boto3/", "Botocore/")) and agent.endswith("blocked-tool/9")
    details = aws.client("iam-toolbox").get_request_authorization_details(
        authorizationId=authorization_id(denied.value.response["Error"]["Message"]))
    assert details["requestContext"]["aws:UserAgent"] == agent
    assert "aws:referer" not in details["requestContext"]


def test_a_referer_is_a_key_only_when_the_caller_sends_one(aws):
    key = user_with_key(aws, "linked", inline={"p": doc(allow("iam:ListUsers"), {
        "Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"StringLike": {"aws:referer": "https://elsewhere.example.org/*"}}})})
    assert _allowed(_client(aws, key)) is True
    assert _allowed(_client(aws, key, referer="https://console.example.com/page")) is True
    assert _allowed(_client(aws, key, referer="https://elsewhere.example.org/page")) is False
    assert [entry["context"].get("aws:referer", "absent") for entry in aws.store.decision_log
            if entry["action"] == "iam:ListUsers"] == [
        "absent", "https://console.example.com/page", "https://elsewhere.example.org/page"]


def test_a_long_user_agent_is_decided_whole_and_recorded_cut(aws):
    """A Deny matching past what records keep still applies; the log keeps the first characters and the length,
    and the decision is not kept for reuse (a kept decision holds its whole context)."""
    key = user_with_key(aws, "long", inline={"p": DENY_TOOL})
    agent = "x" * (2 * RECORDED_HEADER_CHARACTERS) + " blocked-tool/1"
    before = len(aws.store.decisions)
    assert _allowed(_client(aws, key, agent)) is False
    assert _allowed(_client(aws, key, agent)) is False
    assert len(aws.store.decisions) == before
    logged = [entry["context"]["aws:UserAgent"] for entry in aws.store.decision_log
              if entry["action"] == "iam:ListUsers"]
    assert len(logged) == 2
    for value in logged:
        head, _, tail = value.partition("... (")
        assert len(head) == RECORDED_HEADER_CHARACTERS and "blocked-tool" not in head
        assert tail.endswith(" characters)") and int(tail.split()[0]) > 2 * RECORDED_HEADER_CHARACTERS
