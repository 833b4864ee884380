"""Whether an ARN, or a policy's ``Resource`` pattern, may name a resource of an ARN template of the Service
Authorization Reference (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``).

A template is read as the policy simulator was recorded reading it (radkawar/stackd commit 9dc356f5,
``testdata/aws/iam/simulation_inputs.json``, observed 2026-09-11):

* the service field is compared (``s3:GetObject`` on an IAM user's ARN is not one of its resources:
  "resource_wrong_type", "input_resources_known_*");
* the partition, region and account fields are not (``arn:unknown:s3:::name`` and ``arn:aws:s3:region:account:name``
  were simulated as S3 objects: "input_resource_format_2", "_4"; ``arn:aws-cn:`` and ``arn:aws-us-gov:`` queues as
  queues: "input_resources_partitions");
* in the resource part a ``${Variable}`` stands for one character or more, ``/`` and ``:`` included (an object key,
  a path), and a literal ``*`` for any text; the rest must be as written (``user/`` is not ``role/``).

Two matchers, neither building a regular expression:

* :func:`fits`, for an ARN read literally (the simulator's ``ResourceArns``): the resource part's literal runs are
  found left to right, each at its leftmost place after the previous one and the variables' least lengths (which is
  exact for a template whose variables are all "one or more characters"), with ``str.find``: time linear in the ARN
  per run.
* :func:`overlaps`, for a policy's ``Resource`` pattern (a report): the intersection of two linear automata (the
  template's and the pattern's, whose ``*`` is any text, ``?`` one character and a ``${policy:variable}`` any text),
  walked over (pattern position, template position) pairs, each visited once: time and memory at most the product
  of the two lengths, and a pair whose lengths multiply past :data:`MAX_STATES` is not walked at all (``None``: the
  caller says what that means; a report counts it).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

ANY, NO_COLON = 0, 1
"""The characters a wildcard token takes: any, or any but ``:`` (a template's header fields)."""

Token = tuple[str, object]
"""``("c", char)`` one literal character, ``("?", class)`` one character of the class, ``("*", class)`` any run."""

MAX_STATES = 400_000
"""The most (pattern position, template position) pairs one match may visit (a 2,048-character ARN against a
template of 195 tokens)."""

_HEADER_FIELDS = 5
"""``arn``, partition, service, region, account: the fields before the resource part."""
_IGNORED_FIELDS = (1, 3, 4)
"""Partition, region and account: any value matches (recorded, see the module)."""


@lru_cache(maxsize=4096)
def template_tokens(template: str) -> tuple[Token, ...]:
    """The automaton of a SAR ARN template, read as the module says."""
    fields = template.split(":", _HEADER_FIELDS)
    tokens: list[Token] = []
    for number, field in enumerate(fields):
        if number:
            tokens.append(("c", ":"))
        if number in _IGNORED_FIELDS:
            tokens.append(("*", NO_COLON))
        else:
            tokens.extend(_field_tokens(field, header=number < _HEADER_FIELDS))
    return tuple(tokens)


def _field_tokens(text: str, header: bool) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text.startswith("${", position) and "}" in text[position:]:
            position = text.index("}", position) + 1
            tokens.extend([("*", NO_COLON)] if header else [("?", ANY), ("*", ANY)])
        elif text[position] == "*":
            position += 1
            tokens.append(("*", NO_COLON if header else ANY))
        else:
            tokens.append(("c", text[position]))
            position += 1
    return tokens


def literal_tokens(arn: str) -> tuple[Token, ...]:
    """An ARN read literally (the simulator's ``ResourceArns``: a ``*`` in one is a character)."""
    return tuple(("c", char) for char in arn)


_ANY_RUN: Token = ("*", ANY)
_ANY_ONE: Token = ("?", ANY)


@lru_cache(maxsize=1024)
def _literal(char: str) -> Token:
    """The token of one literal character, one object per character (a token tuple holds references, not copies:
    a 6,000-character pattern's tokens took 1 MB when each character made a tuple of its own)."""
    return ("c", char)


def pattern_tokens(pattern: str) -> tuple[Token, ...]:
    """A policy's ``Resource`` pattern: ``*`` any text, ``?`` one character, a ``${...}`` variable any text.
    Remembered for patterns of at most :data:`REMEMBERED_PATTERN` characters (a longer one is read again)."""
    return _remembered_pattern(pattern) if len(pattern) <= REMEMBERED_PATTERN else _pattern_tokens(pattern)


REMEMBERED_PATTERN = 512
"""The longest ``Resource`` pattern whose tokens are remembered across reports: 4,096 remembered patterns of 6,000
characters held 4 GB (a report tokenizes every pattern it meets, changed policies bring new ones)."""


def _pattern_tokens(pattern: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if pattern.startswith("${", position) and "}" in pattern[position:]:
            position = pattern.index("}", position) + 1
            tokens.append(_ANY_RUN)
            continue
        tokens.append(_ANY_RUN if char == "*" else _ANY_ONE if char == "?" else _literal(char))
        position += 1
    return tuple(tokens)


_remembered_pattern = lru_cache(maxsize=4096)(_pattern_tokens)


def _meet(left: Token, right: Token) -> bool:
    """Whether one character can be taken by both tokens."""
    if left[0] == "c" and right[0] == "c":
        return left[1] == right[1]
    if left[0] == "c":
        return right[1] == ANY or left[1] != ":"
    if right[0] == "c":
        return left[1] == ANY or right[1] != ":"
    return True


def overlaps(pattern: tuple[Token, ...], template: tuple[Token, ...]) -> bool | None:
    """Whether some text matches both automata; ``None`` when the walk would exceed :data:`MAX_STATES`."""
    ends = (len(pattern), len(template))
    if (ends[0] + 1) * (ends[1] + 1) > MAX_STATES:
        return None
    seen = {(0, 0)}
    frontier = [(0, 0)]
    while frontier:
        i, j = frontier.pop()
        if (i, j) == ends:
            return True
        left = pattern[i] if i < ends[0] else None
        right = template[j] if j < ends[1] else None
        steps = []
        if left is not None and left[0] == "*":
            steps.append((i + 1, j))
        if right is not None and right[0] == "*":
            steps.append((i, j + 1))
        if left is not None and right is not None and _meet(left, right):
            step = (i if left[0] == "*" else i + 1, j if right[0] == "*" else j + 1)
            if step != (i, j):
                steps.append(step)
        for step in steps:
            if step not in seen:
                seen.add(step)
                frontier.append(step)
    return False


class _Literal(NamedTuple):
    """A template as :func:`fits` reads it: the service (``None``: any), the resource part's literal runs, and before
    each run and after the last the gap's least length and whether it may be longer."""

    service: str | None
    runs: tuple[str, ...]
    gaps: tuple[tuple[int, bool], ...]


@lru_cache(maxsize=4096)
def _literal_form(template: str) -> _Literal:
    fields = template.split(":", _HEADER_FIELDS)
    service = fields[2] if len(fields) > 2 and "${" not in fields[2] and "*" not in fields[2] else None
    runs: list[str] = []
    gaps: list[tuple[int, bool]] = []
    run, least, open_ = "", 0, False
    for kind, value in _field_tokens(fields[-1], header=False) if len(fields) > _HEADER_FIELDS else ():
        if kind == "c":
            if not run:
                gaps.append((least, open_))
                least, open_ = 0, False
            run += str(value)
            continue
        if run:
            runs.append(run)
            run = ""
        least += kind == "?"
        open_ = open_ or kind == "*"
    if run:
        runs.append(run)
    gaps.append((least, open_))
    return _Literal(service, tuple(runs), tuple(gaps))


def fits(arn: str, template: str) -> bool:
    """Whether the ARN ``arn``, read literally, is a resource of ``template`` (see the module)."""
    fields = arn.split(":", _HEADER_FIELDS)
    form = _literal_form(template)
    if len(fields) <= _HEADER_FIELDS or fields[0] != "arn" or form.service not in (None, fields[2]):
        return False
    text, position = fields[-1], 0
    for index, run in enumerate(form.runs):
        least, open_ = form.gaps[index]
        last = index == len(form.runs) - 1 and form.gaps[-1] == (0, False)
        if not open_:
            start = position + least
            if not text.startswith(run, start):
                return False
        elif last:
            start = len(text) - len(run)
            if start < position + least or not text.endswith(run):
                return False
        else:
            start = text.find(run, position + least)
            if start < 0:
                return False
        position = start + len(run)
    least, open_ = form.gaps[-1]
    rest = len(text) - position
    return rest >= least if open_ else rest == least
