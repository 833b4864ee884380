"""Hypothesis invariants of the evaluation logic (IAM User Guide, "Policy evaluation logic")."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mockrunner.iam_engine import AuthzRequest, PolicyRef, PolicySet, evaluate, principal_from_arn
from mockrunner.iam_engine.conditions.block import compile_block, evaluate_block

from .conftest import NOW

ALICE = principal_from_arn("arn:aws:iam::123456789012:user/alice")
ACTIONS = ["apprunner:DescribeService", "apprunner:CreateService", "ecr:BatchGetImage", "iam:PassRole"]
RESOURCES = [
    "*",
    "arn:aws:apprunner:us-east-1:123456789012:service/web/1",
    "arn:aws:ecr:us-east-1:123456789012:repository/r",
]
ACTION_PATTERNS = ["*", "apprunner:*", "apprunner:Describe*", "ecr:*", "iam:PassRole", "ecr:Batch?etImage"]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:apprunner:*",
    "arn:aws:ecr:*:*:repository/*",
    "arn:aws:apprunner:us-east-1:*:service/web/*",
]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:RequestTag/env": "prod"}},
    {"StringNotEquals": {"aws:RequestTag/env": "prod"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"NumericLessThan": {"svc:n": "ten"}},
]

statements = st.builds(
    lambda effect, action, resource, condition, negate: {
        "Effect": effect,
        ("NotAction" if negate else "Action"): action,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
    },
    st.sampled_from(["Allow", "Deny"]),
    st.sampled_from(ACTION_PATTERNS),
    st.sampled_from(RESOURCE_PATTERNS),
    st.sampled_from(CONDITIONS),
    st.booleans(),
)
contexts = st.fixed_dictionaries(
    {},
    optional={
        "aws:RequestTag/env": st.sampled_from(["prod", "dev"]),
        "aws:SecureTransport": st.booleans(),
        "aws:TagKeys": st.lists(st.sampled_from(["env", "team", "cost"]), max_size=3),
        "svc:n": st.sampled_from([1, "x"]),
    },
)


def _doc(stmts: list[dict]) -> dict:
    return {"Version": "2012-10-17", "Statement": stmts}


def _decide(stmts: list[dict], action: str, resource: str, context: dict, boundary: list[dict] | None = None) -> str:
    request = AuthzRequest(
        ALICE,
        action,
        resource,
        context,
        identity_policies=[PolicyRef("p", _doc(stmts))] if stmts else (),
        permissions_boundary=PolicyRef("b", _doc(boundary)) if boundary else None,
        now=NOW,
    )
    return evaluate(request).decision


common = dict(action=st.sampled_from(ACTIONS), resource=st.sampled_from(RESOURCES), context=contexts)


@settings(max_examples=200, deadline=None)
@given(stmts=st.lists(statements, max_size=5), extra=statements, **common)
def test_adding_a_deny_never_turns_a_deny_into_allow(stmts, extra, action, resource, context) -> None:
    before = _decide(stmts, action, resource, context)
    after = _decide([*stmts, {**extra, "Effect": "Deny"}], action, resource, context)
    if before != "allowed":
        assert after != "allowed"


@settings(max_examples=200, deadline=None)
@given(stmts=st.lists(statements, max_size=5), boundary=st.lists(statements, min_size=1, max_size=4), **common)
def test_a_boundary_never_widens(stmts, boundary, action, resource, context) -> None:
    if _decide(stmts, action, resource, context, boundary) == "allowed":
        assert _decide(stmts, action, resource, context) == "allowed"


@settings(max_examples=200, deadline=None)
@given(stmts=st.lists(statements, min_size=1, max_size=6), seed=st.integers(), **common)
def test_statement_order_never_matters(stmts, seed, action, resource, context) -> None:
    shuffled = list(stmts)
    random.Random(seed).shuffle(shuffled)
    assert _decide(stmts, action, resource, context) == _decide(shuffled, action, resource, context)


@settings(max_examples=200, deadline=None)
@given(stmts=st.lists(statements, max_size=5), **common)
def test_no_allow_statement_means_no_allow(stmts, action, resource, context) -> None:
    denies_only = [{**s, "Effect": "Deny"} for s in stmts]
    assert _decide(denies_only, action, resource, context) != "allowed"


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=5), max_size=4), op=st.sampled_from(["StringEquals", "StringLike"]))
def test_for_all_values_on_an_empty_or_missing_set_is_true(values, op) -> None:
    block = compile_block({f"ForAllValues:{op}": {"aws:tagkeys": values or ["x"]}}, True)
    assert evaluate_block(block, {}) is True
    assert evaluate_block(block, {"aws:tagkeys": []}) is True


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=4), ctx=st.text(max_size=6))
def test_negated_operator_is_the_complement_for_present_single_values(values, ctx) -> None:
    positive = compile_block({"StringEquals": {"k:k": values}}, True)
    negative = compile_block({"StringNotEquals": {"k:k": values}}, True)
    assert evaluate_block(positive, {"k:k": ctx}) is not evaluate_block(negative, {"k:k": ctx})


@settings(max_examples=200, deadline=None)
@given(pattern=st.text(alphabet="ab.*?+()[]^$|\\", max_size=8), value=st.text(alphabet="ab.*?+()[]^$|\\", max_size=8))
def test_string_like_matches_fnmatch_semantics_without_crashing(pattern, value) -> None:
    import fnmatch

    block = compile_block({"StringLike": {"k:k": pattern}}, False)
    translated = fnmatch.translate(pattern.replace("[", "[[]"))
    import re

    assert evaluate_block(block, {"k:k": value}) is (re.match(translated, value, re.DOTALL) is not None)


@settings(max_examples=300, deadline=None)
@given(stmts=st.lists(statements, max_size=6), boundary=st.lists(statements, max_size=3),
       session=st.lists(statements, max_size=3), **common)
def test_stopping_at_the_first_allow_decides_as_the_full_evaluation(stmts, boundary, session, action, resource,
                                                                     context) -> None:
    """The server's ``all_allows=False`` skips a layer's later Allows: same decision, reason and denies."""

    def run(all_allows: bool, policy_set: bool = False):
        wrap = PolicySet if policy_set else list
        return evaluate(AuthzRequest(
            ALICE, action, resource, context,
            identity_policies=wrap([PolicyRef("p", _doc(stmts)), PolicyRef("q", _doc(stmts[::-1]))] if stmts else []),
            permissions_boundary=PolicyRef("b", _doc(boundary)) if boundary else None,
            session_policies=wrap([PolicyRef("s", _doc(session))]) if session else None,
            now=NOW, all_allows=all_allows,
        ))

    full, first = run(True), run(False)
    # A PolicySet (the server's cached plans) answers exactly as a plain list, both the first and the second time.
    for _ in range(2):
        assert run(False, policy_set=True) == first and run(True, policy_set=True) == full
    assert (first.decision, first.reason, first.message) == (full.decision, full.reason, full.message)
    if full.decision == "explicitDeny":
        assert first.matched_statements == full.matched_statements
    else:
        assert set(first.matched_statements) <= set(full.matched_statements)
        assert {m.policy_kind for m in first.matched_statements} == {m.policy_kind for m in full.matched_statements}


FAST_PATH_CONDITIONS = [
    {"StringEquals": {"k": ["a", "B"]}}, {"StringNotEquals": {"k": "a"}}, {"StringEqualsIgnoreCase": {"k": "b"}},
    {"StringNotEqualsIgnoreCase": {"k": ["A", "c"]}}, {"StringLike": {"k": ["a*", "?"]}},
    {"StringNotLike": {"k": "*b"}},
    {"NumericLessThan": {"k": "10"}}, {"NumericEquals": {"k": ["1", "2.0"]}}, {"NumericNotEquals": {"k": "1"}},
    {"Bool": {"k": "true"}}, {"IpAddress": {"k": ["10.0.0.0/8", "::1"]}}, {"NotIpAddress": {"k": "127.0.0.1"}},
    {"DateLessThan": {"k": "2030-01-01T00:00:00Z"}}, {"DateEquals": {"k": "0"}},
    {"ArnLike": {"k": "arn:aws:iam::*:user/*"}}, {"ArnNotEquals": {"k": "arn:aws:iam::1:user/a"}},
    {"ForAnyValue:StringEquals": {"k": "a"}}, {"ForAllValues:StringLike": {"k": "a*"}},
    {"StringEqualsIfExists": {"k": "a"}}, {"ForAnyValue:NumericGreaterThan": {"k": "0"}},
]
context_values = st.one_of(
    st.sampled_from(["a", "A", "b", "ab", "", "1", "2", "10.1.2.3", "::1", "true", "TRUE", "no", "0",
                     "2020-01-01T00:00:00Z", "arn:aws:iam::1:user/a", "arn:aws:iam::1:role/r"]),
    st.booleans(), st.integers(-3, 20), st.floats(allow_nan=True, allow_infinity=False, width=32), st.just(NOW),
)


@settings(max_examples=400, deadline=None)
@given(block=st.sampled_from(FAST_PATH_CONDITIONS), value=context_values)
def test_the_scalar_fast_path_answers_as_the_general_evaluation(block, value) -> None:
    """A single scalar context value takes the precompiled matcher; the general path must agree, unknowns too."""
    (condition,) = compile_block(block, True)
    assert condition.test != condition._evaluate, "no fast path was compiled"
    ctx = {"k": value}
    assert condition.evaluate(ctx) == condition._evaluate(ctx), (block, value)


@settings(max_examples=200, deadline=None)
@given(block=st.sampled_from(FAST_PATH_CONDITIONS), values=st.lists(context_values, min_size=1, max_size=40))
def test_a_compiled_condition_answers_each_value_of_a_sequence_as_the_general_evaluation(block, values) -> None:
    """One compiled condition asked about many requests in turn (values it remembers, equal-hashing values of
    other types such as 1, 1.0 and True, more values than it remembers) answers each as if asked first."""
    (condition,) = compile_block(block, True)
    for value in [*values, 1, 1.0, True, 0, 0.0, False, *values]:
        ctx = {"k": value}
        assert condition.evaluate(ctx) == condition._evaluate(ctx), (block, value)


@settings(max_examples=60, deadline=None)
@given(block=st.sampled_from(FAST_PATH_CONDITIONS), other=context_values)
def test_a_compiled_condition_answers_a_missing_key_as_the_general_evaluation(block, other) -> None:
    """Absent, None, or only other keys present: the answer IAM gives a missing key (IfExists, ForAllValues and
    negated operators hold; the others do not), whatever the condition saw before."""
    (condition,) = compile_block(block, True)
    for ctx in ({"k": other}, {}, {"k": None}, {"other": other}, {"k": other}, {}):
        assert condition.evaluate(ctx) == condition._evaluate(ctx), (block, ctx)


BLOCK_KEYS = ["k", "j", "i"]


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(st.sampled_from(FAST_PATH_CONDITIONS + [{"Null": {"k": "true"}}, {"StringEquals": {"k": []}}]),
                       min_size=1, max_size=3),
       values=st.lists(st.one_of(context_values, st.just(None), st.lists(context_values, max_size=2)),
                       min_size=3, max_size=3))
def test_a_statements_block_test_answers_as_the_block_evaluator(blocks, values) -> None:
    """The one call a statement's Condition block is compiled into (one, two or more key conditions) answers as
    the Kleene AND of evaluate_block: False where it is False, None (unknown) where it is None, true otherwise;
    the server's scan reads it in place of evaluate_block."""
    from mockrunner.iam_engine.conditions.block import block_test
    from mockrunner.iam_engine.document import PolicyKind, build_policy

    block: dict = {}
    for index, condition in enumerate(blocks):  # one key per condition, so that a block has as many as drawn
        (name, keys), = condition.items()
        block.setdefault(name, {})[BLOCK_KEYS[index]] = next(iter(keys.values()))
    conditions = compile_block(block, True)
    test = block_test(conditions)
    statement = build_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": block}]}), PolicyKind.IDENTITY).statements[0]
    for ctx in ({key: value for key, value in zip(BLOCK_KEYS, values, strict=True) if value is not None}, {}):
        expected = evaluate_block(conditions, ctx)
        for answer in (test(ctx), statement.test(ctx)):
            assert answer is expected if expected is not True else answer not in (False, None), (block, ctx)
