"""The linear-time glob matcher answers exactly what the plain definition of a glob answers: ``*`` any run (in
the first five ARN components of a resource, any run without ``:``), ``?`` one character (likewise), every other
character itself."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mockrunner.iam_engine.matching import compile_regex, glob_to_regex, resource_parts_to_regex
from mockrunner.iam_engine.variables import LIT, RAW

patterns = st.text(alphabet="ab:*?/", max_size=10)
values = st.text(alphabet="ab:/", max_size=12)


def _reference(pattern: str, value: str, component_wildcard) -> bool:
    """Dynamic programming over (pattern index, value index); ``component_wildcard(i)`` says whether the wildcard
    at pattern index ``i`` stays inside an ARN component."""

    def one(i: int, ch: str) -> bool:
        return ch != ":" or not component_wildcard(i)

    reach = {(0, 0)}
    frontier = [(0, 0)]
    while frontier:
        i, j = frontier.pop()
        steps = []
        if i < len(pattern):
            p = pattern[i]
            if p == "*":
                steps.append((i + 1, j))
                if j < len(value) and one(i, value[j]):
                    steps.append((i, j + 1))
            elif j < len(value) and ((p == "?" and one(i, value[j])) or p == value[j]):
                steps.append((i + 1, j + 1))
        for step in steps:
            if step not in reach:
                reach.add(step)
                frontier.append(step)
    return (len(pattern), len(value)) in reach


def _resource_restricted(pattern: str):
    last = min(pattern.count(":"), 5)
    return lambda i: pattern[:i].count(":") < last


@settings(max_examples=3000, deadline=None)
@given(patterns, values)
def test_plain_globs_match_as_defined(pattern, value):
    matched = compile_regex("(?:" + glob_to_regex(pattern) + r")\Z", False).match(value) is not None
    assert matched == _reference(pattern, value, lambda i: False)


@settings(max_examples=3000, deadline=None)
@given(patterns, values)
def test_resource_globs_keep_wildcards_inside_the_first_five_components(pattern, value):
    matched = compile_regex("(?:" + resource_parts_to_regex([(RAW, pattern)]) + r")\Z", False).match(value)
    assert (matched is not None) == _reference(pattern, value, _resource_restricted(pattern))


def test_a_wildcard_from_a_variable_is_literal():
    """``${*}`` resolves to a literal ``*``: it matches only itself."""
    regex = compile_regex(resource_parts_to_regex([(RAW, "arn:aws:s3:::b/"), (LIT, "*"), (RAW, "*")]) + r"\Z", False)
    assert regex.match("arn:aws:s3:::b/*x") and not regex.match("arn:aws:s3:::b/x")


def test_many_wildcards_compile_to_atomic_groups():
    assert glob_to_regex("*a*a*b").count("(?>") == 2
    assert re.fullmatch(glob_to_regex("*a*a*b"), "xaxayb")
