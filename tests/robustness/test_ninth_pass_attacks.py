"""An attacker's ninth pass: what authorization and handlers cost under the store lock as state and parameters grow.
Real clients throughout: boto3 against a real server in its own process (the evaluation is pure Python under the
interpreter lock, so a server thread in the test's process would keep the client from timing out), each call under a
client read deadline well above what the request costs now; the unfixed server ran past it while every other client
waited.

Findings (each has a test here that failed before its fix):

* The policy simulator compared every value of a multi-valued context entry with every value of a condition key,
  in Python, under the store lock.  ``ContextKeyValues`` has no length limit (none in the model, none AWS
  documents; the form body's 20,000 fields bound it) and ``PolicyInputList`` takes any number of 131,072-character
  documents, so one request from a caller allowed ``iam:SimulateCustomPolicy`` cost their product: 4,800 context
  values against 4,800 ``StringEquals`` values took 1.07 s, 15,000 against two policies of 12,000 about half a
  minute, ``StringLike`` 2.9 s for 4,800 x 4,800.  Now equality operators (String*, Numeric, Date, Bool, Binary)
  are a set lookup per context value, an ordering (``NumericLessThan``, ``DateGreaterThan``, ...) compares with its
  loosest policy value only, and the patterns of one ``StringLike``/``StringNotLike`` key are one alternation the
  regex engine tests in a single call: 4,800 x 4,800 ``StringEquals`` 0.04 s, ``StringLike`` 0.2 s, 10,000 x 10,000
  ``StringLike`` 0.6 s.

Probes that held (not pinned here: linear in what the request or the state holds, within bounds AWS and mockrunner
already enforce):

* ECR with 100 and 1,000 images in a repository (in-process): ``StartLifecyclePolicyPreview`` with 100 rules
  (17 KB of the 30,720-character policy limit) 14 ms and 118 ms, linear in images x rules; ``DescribeImages`` with
  ``tagStatus`` filter 4 ms and 23 ms, ``ListImages`` 1 ms and 3 ms; ``BatchGetImage`` and ``DescribeImages`` of 100
  ids (the model's maximum) 2-5 ms at either size.  Images are added one request each (about 2 ms), so the cost of
  a listing grows only as fast as the attacker's own requests.
* IAM with 100, 1,000 and 3,000 users, each with an attached policy and in one group:
  ``GetAccountAuthorizationDetails`` (``MaxItems`` 100, with and without ``Filter``) 7-9 ms at every size (paged
  before building), ``ListEntitiesForPolicy``, ``GetGroup``, ``ListUsers`` (100 each) 2-6 ms,
  ``GenerateCredentialReport``/``GetCredentialReport``,
  ``GetAccountSummary`` and ``GetServiceLastAccessedDetails`` about 1 ms: flat.
* The admin API with 1,000 and 10,000 requests behind it: ``/_mockrunner/decisions`` (the log keeps at most 10,000
  entries), ``/state`` and ``/policies/suggest`` 2 ms; only decisions that needed a permission are logged, so the
  log's bound, not the request count, bounds these reads.
"""
from __future__ import annotations

import json

import pytest

from tests.robustness.test_seventh_pass_attacks import DEADLINE, _answers_others, server  # noqa: F401

_VALUES = {"StringEquals": "v{}q", "StringLike": "v{}*q", "NumericLessThan": "{}"}
"""Each operator's policy values (the context's values match none of them)."""
_POLICIES = {"StringEquals": 4, "StringLike": 4, "NumericLessThan": 8}
"""Policies of 10,000 values each: twice the product that ran past the deadline unfixed."""
_CONTEXT = {"StringEquals": ("stringList", "v{}"), "StringLike": ("stringList", "v{}"),
            "NumericLessThan": ("numericList", "{}")}


def _policy(operator: str, first: int, count: int) -> str:
    values = [_VALUES[operator].format(i) for i in range(first, first + count)]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {operator: {"aws:PrincipalTag/team": values}}}]})


@pytest.mark.parametrize("operator", sorted(_VALUES))
def test_many_context_values_against_many_condition_values_are_answered_at_once(server, operator):  # noqa: F811
    """Four or eight policies of 10,000 values (under 131,072 characters each), 15,000 context values: the product
    (600 million to 1.2 billion comparisons) ran for half a minute to minutes; now one test per context value and
    policy."""
    kind, spelling = _CONTEXT[operator]
    context = [spelling.format(100_000 + i) for i in range(15_000)]
    policies = [_policy(operator, first, 10_000) for first in range(0, _POLICIES[operator] * 10_000, 10_000)]
    assert all(len(policy) <= 131_072 for policy in policies)
    iam = server.client("iam")
    answer = iam.simulate_custom_policy(
        PolicyInputList=policies, ActionNames=["s3:GetObject"],
        ContextEntries=[{"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyType": kind,
                         "ContextKeyValues": context}])
    assert answer["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    _answers_others(server)
