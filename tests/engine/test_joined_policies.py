"""Statements joined from documents of different ``Version``s mean what they meant in their own documents
(:mod:`mockrunner.iam_engine.joined`): for any statements with policy variables, escapes and wildcards in
``Resource``, ``NotResource`` and condition values, the joined policy decides every request as the statements'
own document does."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mockrunner.iam_engine import AuthzRequest, PolicyRef, evaluate, principal_from_arn
from mockrunner.iam_engine.joined import joined_text

from .conftest import NOW

ALICE = principal_from_arn("arn:aws:iam::123456789012:user/alice")
PIECES = ["${aws:username}", "${$}", "${*}", "$", "{", "}", "alice", "*", "${aws:PrincipalTag/team, 'x'}"]
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
RESOURCES = ["arn:aws:s3:::b/alice", "arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/$", "arn:aws:s3:::b/x"]
statements = st.builds(
    lambda effect, element, resource, value: {
        "Effect": effect, "Action": "s3:GetObject", element: f"arn:aws:s3:::b/{resource}",
        "Condition": {"StringLike": {"aws:PrincipalTag/team": [value]}}},
    st.sampled_from(["Allow", "Deny"]), st.sampled_from(["Resource", "NotResource"]), TEXTS, TEXTS)
UNRELATED = {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}


def _decide(text: str, resource: str, team: str) -> str:
    return evaluate(AuthzRequest(ALICE, "s3:GetObject", resource, {"aws:username": "alice",
                                                                    "aws:PrincipalTag/team": team},
                                 identity_policies=[PolicyRef("p", text)], now=NOW)).decision


@settings(max_examples=300, deadline=None)
@given(stmts=st.lists(statements, min_size=1, max_size=3), version=st.sampled_from(["2008-10-17", None]),
       resource=st.sampled_from(RESOURCES), team=st.sampled_from(["alice", "${aws:username}", "$", "x"]))
def test_joined_statements_decide_as_in_their_own_document(stmts, version, resource, team) -> None:
    own = json.dumps({"Version": version, "Statement": stmts} if version else {"Statement": stmts})
    joined = joined_text([(version, stmts), ("2012-10-17", [UNRELATED])])
    assert json.loads(joined)["Version"] == "2012-10-17"
    assert _decide(joined, resource, team) == _decide(own, resource, team), joined


def test_documents_of_one_version_keep_it() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}
    assert json.loads(joined_text([("2008-10-17", [statement]), ("2008-10-17", [])])) == {
        "Version": "2008-10-17", "Statement": [statement]}
    assert json.loads(joined_text([(None, [statement])])) == {"Statement": [statement]}
