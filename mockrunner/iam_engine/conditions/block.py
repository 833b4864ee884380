"""Compile and evaluate a statement's ``Condition`` block with IAM's logic.

Rules (User Guide, "Condition element" and "Condition operators"):

* operators AND, keys within an operator AND, values of one key OR (NOR for negated operators);
* a missing key makes a condition false, except negated operators (true), ``...IfExists`` (true),
  ``ForAllValues`` (true: a missing or empty set satisfies "all"), and ``ForAnyValue`` (false);
* a multivalued context key (a list) without a set operator does not match (negated operators neither);
* a key the request carries in two spellings with different values (:data:`~..context.AMBIGUOUS`) is unknown;
* a policy value whose variable has no value is effectively null: it equals and is like nothing, so it never
  matches, and a negated operator holds against it ("Policy variables with no value").

The result is three-valued: True, False, or None (*unknown*: a value that cannot be compared). AND is
Kleene's (False wins over unknown). The statement layer treats unknown as "does not allow" and "does
deny", so a value the engine cannot compare never grants access.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..context import AMBIGUOUS, MISSING
from ..messages import SYNTAX_ERROR, MalformedPolicyError
from ..variables import MULTIVALUED, Template, has_variables, parse_template, resolve
from .base import Operator, equal, text_context
from .registry import SET_ALL, SET_ANY, SET_NONE, lookup

UNKNOWN: Any = None
_MULTI = (list, tuple, set, frozenset)  # the shapes of a multivalued context value
_ERROR: Any = object()  # a policy value that could not be prepared
# Context values the fast path takes: one scalar, so every set mode and the negation reduce to a single test.
_SCALARS = frozenset({str, bool, int, float, datetime})


@dataclass(frozen=True, slots=True)
class KeyCondition:
    """One (operator, key, values) triple, with the values prepared once when they have no variables."""

    name: str
    operator: Operator
    set_mode: int
    if_exists: bool
    key: str
    prepared: tuple[Any, ...] | None
    templates: tuple[Template, ...]
    # ``test(ctx)``: what evaluate() answers, compiled once (see _compile_test); set right after construction.
    test: Callable[[dict[str, Any]], bool | None] = field(default=None, compare=False, repr=False)  # type: ignore
    # ``match(value)``: one context value against the static policy values (see _matcher), or None.
    match: Callable[[Any], bool] = field(default=None, compare=False, repr=False)  # type: ignore

    def evaluate(self, ctx: dict[str, Any]) -> bool | None:
        """True, False, or None (unknown) for this key against the request context."""
        return self.test(ctx)

    def _evaluate(self, ctx: dict[str, Any]) -> bool | None:
        """The general evaluation: any context value shape, variables, set operators, missing keys."""
        if not self.templates:
            # {"StringEquals": {"k": []}} passes IAM's validator (moto's IAM probes) but AWS documents no
            # meaning for it: unknown, so it never allows and still denies.
            return UNKNOWN
        raw = ctx.get(self.key, MISSING)
        if raw is AMBIGUOUS:
            return UNKNOWN
        values = _context_values(raw)
        op = self.operator
        if op.presence:
            return self._null(values is not None)
        if values is None:
            if self.if_exists or self.set_mode == SET_ALL:
                return True
            if self.set_mode == SET_ANY:
                return False
            return op.negated
        if self.set_mode == SET_NONE and raw.__class__ is not str and isinstance(raw, _MULTI):
            # A multivalued key: "Multivalued context keys require a condition set operator" (User Guide,
            # "Single-valued vs. multivalued context keys"). Without one the condition does not match, negated
            # operators and ...IfExists included: iam-simulate's reading, which its author had confirmed by AWS
            # (re:Inforce 2025, IAM431). So a Deny written this way denies nothing, as in AWS.
            return False
        policy = self.prepared if self.prepared is not None else self._prepare_now(ctx)
        if not policy:
            # Every value was a variable with no value: "effectively null", which no context value equals or is
            # like, so only the negated operators hold ("Policy variables with no value").
            return op.negated
        if _ERROR in policy:
            return UNKNOWN
        # One matcher per evaluation (set lookups, one bound for orderings): the cost is the number of context
        # values plus the number of policy values, not their product (the simulator takes thousands of each).
        match = self.match if self.prepared is not None else _matcher(op, policy)
        results = []
        for value in values:
            try:
                hit = match(value)
            except (ValueError, TypeError):
                return UNKNOWN
            results.append(not hit if op.negated else hit)
        if self.set_mode == SET_ANY:
            return any(results)
        if self.set_mode == SET_ALL or op.negated:
            return all(results)
        return any(results)

    def _null(self, present: bool) -> bool | None:
        policy = self.prepared if self.prepared is not None else ()
        if _ERROR in policy or not policy:
            return UNKNOWN
        # "Null": "true" holds when the key is absent; several values OR.
        return any(expect_absent is not present for expect_absent in policy)

    def _prepare_now(self, ctx: dict[str, Any]) -> tuple[Any, ...]:
        """The policy values with their variables substituted; a value whose variable has no value (and no default)
        is left out: it is effectively null, equal to and like nothing."""
        prepared = []
        for template in self.templates:
            parts = resolve(template, ctx)
            if parts is MULTIVALUED:
                prepared.append(_ERROR)
            elif parts is not None:
                prepared.append(_prepare(self.operator, parts))
        return tuple(prepared)


def _context_values(raw: Any) -> list[Any] | None:
    """The request's values for a key, or None when the key is absent (None and [] count as absent)."""
    if raw is MISSING or raw is None:
        return None
    if isinstance(raw, _MULTI):
        return list(raw) or None
    return [raw]


def _compile_test(condition: KeyCondition) -> Callable[[dict[str, Any]], bool | None]:
    """``condition``'s evaluation as one closure, with a fast path for what requests mostly carry.

    With static policy values and a single scalar context value, "any", "all" and the negated NOR all reduce to
    one hit test; string equality (the most common operator) becomes a set lookup on the raw string; a missing key
    has one answer, taken from the general evaluation at compile time.  Everything else (lists, variables, Null)
    goes to the general evaluation.
    """
    slow = condition._evaluate
    op, prepared = condition.operator, condition.prepared
    if not prepared or _ERROR in prepared or op.presence:
        return slow
    key, negated = condition.key, op.negated
    # A missing key's answer depends on the operator alone (IfExists, set operator, negation): decided once.
    absent = slow({})
    if op.compare is equal and op.coerce is text_context:
        values = frozenset(prepared)

        def test_string(ctx: dict[str, Any]) -> bool | None:
            raw = ctx.get(key, MISSING)
            if raw.__class__ is str:
                return (raw in values) is not negated
            return absent if raw is MISSING else slow(ctx)

        return test_string
    match = condition.match
    # With static policy values the answer for a string, an integer or a boolean is a function of that value
    # alone: the same source IP, principal ARN, tag value, flag or epoch second is then answered by one lookup
    # instead of a parse and a comparison.  One table per type: 1, 1.0 and True are equal keys, not equal values.
    known_by_type: dict[type, dict[Any, bool | None]] = {str: {}, int: {}, bool: {}}

    def test_scalar(ctx: dict[str, Any]) -> bool | None:
        raw = ctx.get(key, MISSING)
        known = known_by_type.get(raw.__class__)
        if known is None:
            if raw is MISSING:
                return absent
            return _test_one(match, raw, negated) if raw.__class__ in _SCALARS else slow(ctx)
        result = known.get(raw, MISSING)
        if result is MISSING:
            result = _test_one(match, raw, negated)
            if len(known) >= _KNOWN_SIZE:
                known.clear()
            known[raw] = result
        return result

    return test_scalar


_KNOWN_SIZE = 16
"""Values remembered per compiled condition and type (a few source IPs, ARNs, tag values or seconds)."""


def _test_one(match: Callable[[Any], bool], raw: Any, negated: bool) -> bool | None:
    try:
        return match(raw) is not negated
    except (ValueError, TypeError):
        return UNKNOWN


def _matcher(op: Operator, prepared: tuple[Any, ...]) -> Callable[[Any], bool]:
    """A closure testing one context value against static policy values, built once per compiled statement.

    Equality operators become a set lookup; an ordering needs only its loosest bound (values of one key OR: "less
    than any of them" is "less than the largest"); the others compare against each value in turn.
    """
    coerce, compare = op.coerce, op.compare
    loosest = _LOOSEST.get(compare)
    if loosest is not None:
        bound = loosest(prepared)
        return lambda value: compare(coerce(value), bound)
    if compare is equal or compare is operator.eq:
        try:
            values = frozenset(prepared)
        except TypeError:
            values = None
        if values is not None:
            return lambda value: coerce(value) in values
    if len(prepared) == 1 or op.combine is not None:
        only = prepared[0] if len(prepared) == 1 else op.combine(prepared)
        return lambda value: compare(coerce(value), only)
    return lambda value: _any_match(compare, coerce(value), prepared)


_LOOSEST: dict[Callable[[Any, Any], bool], Callable[[tuple[Any, ...]], Any]] = {
    operator.lt: max, operator.le: max, operator.gt: min, operator.ge: min}
"""For each ordering, the policy value that holds whenever any of them does."""


def _any_match(compare: Callable[[Any, Any], bool], value: Any, prepared: tuple[Any, ...]) -> bool:
    for policy_value in prepared:
        if compare(value, policy_value):
            return True
    return False


def _prepare(op: Operator, parts: list[tuple[int, str]]) -> Any:
    try:
        return op.prepare(parts)
    except (ValueError, TypeError):
        return _ERROR


def _policy_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise MalformedPolicyError(SYNTAX_ERROR)


@dataclass(frozen=True, slots=True)
class UnknownCondition:
    """An operator IAM accepted without knowing it (only possible with an empty key map): never true."""

    name: str

    def evaluate(self, ctx: dict[str, Any]) -> bool | None:
        """Always unknown: fail closed."""
        return UNKNOWN

    test = evaluate


_INT = re.compile(r"^-?[0-9]+\Z")


def _int_in(text: str, low: int, high: int) -> bool:
    return bool(_INT.match(text)) and low <= int(text) <= high


def legacy_date_ok(text: str) -> bool:
    """Would IAM's legacy parser accept ``text`` as a Date condition value?

    Rules as observed against IAM (moto's test_iam_policies.py): epoch seconds 0..2**63-1, or an ISO 8601
    date/time with year -292275054..292278993, month 1..12, day 1..31, hour 0..23, minute and second 0..59,
    at most nine fraction digits and a ``Z`` or two-digit hour offset. Values holding a policy variable are
    left to evaluation time.
    """
    if "${" in text:
        return True
    lowered = text.lower()
    if "t" not in lowered and "-" not in lowered:
        return _int_in(lowered, 0, 2**63 - 1)
    date, _, time = lowered.partition("t")
    negative = date.startswith("-")
    fields = (date[1:] if negative else date).split("-")
    if len(fields) > 3 or not _int_in(("-" if negative else "") + fields[0], -292275054, 292278993):
        return False
    if len(fields) > 1 and not _int_in(fields[1], 1, 12):
        return False
    if len(fields) > 2 and not _int_in(fields[2], 1, 31):
        return False
    clock = time.split(":")
    if clock[0] and not _int_in(clock[0], 0, 23):
        return False
    if len(clock) > 1 and not _int_in(clock[1], 0, 59):
        return False
    if len(clock) > 2:
        seconds = clock[2]
        if "z" in seconds:
            seconds, _, after = seconds.partition("z")
            if after:
                return False
        elif "+" in seconds or "-" in seconds:
            sign = "+" if "+" in seconds else "-"
            seconds, _, offset = seconds.partition(sign)
            if len(offset) != 2 or not _int_in(offset, 0, 23):
                return False
        whole, dot, fraction = seconds.partition(".")
        if not _int_in(whole, 0, 59) or (dot and not _int_in(fraction, 0, 999999999)):
            return False
    return True


def check_block_syntax(block: Any) -> None:
    """IAM's syntax pass over a ``Condition`` element (moto's IAM probes record each of these answers).

    The block and each operator's value are objects; each key's value is a scalar or a list of scalars. An
    unknown operator is a syntax error unless its key map is empty (``{"x": {}}`` is accepted); a condition
    key needs no vendor prefix (``{"StringEqualsIfExists": {"a": "asf"}}`` is accepted).
    """
    if not isinstance(block, dict):
        raise MalformedPolicyError(SYNTAX_ERROR)
    for name, keys in block.items():
        if not isinstance(keys, dict):
            raise MalformedPolicyError(SYNTAX_ERROR)
        if keys and lookup(name) is None:
            raise MalformedPolicyError(SYNTAX_ERROR)
        for raw_values in keys.values():
            for value in raw_values if isinstance(raw_values, list) else [raw_values]:
                _policy_text(value)


def check_block_dates(block: dict) -> bool:
    """False when a Date* operator has a value IAM's legacy parser refuses ("The policy failed legacy parsing")."""
    for name, keys in block.items():
        found = lookup(name)
        if found is None or not found[0].name.startswith("Date"):
            continue
        for raw_values in keys.values():
            for value in raw_values if isinstance(raw_values, list) else [raw_values]:
                if not legacy_date_ok(_policy_text(value)):
                    return False
    return True


def compile_block(block: Any, substitute: bool) -> tuple[KeyCondition | UnknownCondition, ...]:
    """Validate a ``Condition`` value and compile it; raises MalformedPolicyError as IAM would."""
    check_block_syntax(block)
    compiled: list[KeyCondition | UnknownCondition] = []
    for name, keys in block.items():
        found = lookup(name)
        if found is None:
            compiled.append(UnknownCondition(name))
            continue
        operator, set_mode, if_exists = found
        for key, raw_values in keys.items():
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            templates = tuple(parse_template(_policy_text(v), substitute and operator.variables) for v in values)
            dynamic = any(has_variables(t) for t in templates)
            prepared = None if dynamic else tuple(_prepare(operator, list(t)) for t in templates)
            condition = KeyCondition(name, operator, set_mode, if_exists, key.lower(), prepared, templates)
            if prepared and _ERROR not in prepared:
                object.__setattr__(condition, "match", _matcher(operator, prepared))
            object.__setattr__(condition, "test", _compile_test(condition))
            compiled.append(condition)
    # Kleene AND gives the same answer in any order, and stops at the first False: test the cheap ones first.
    return tuple(sorted(compiled, key=_cost))


# Relative cost of testing one key: set lookups, then plain comparisons, then parsing, then patterns.
_COSTS = {"StringEquals": 0, "StringNotEquals": 0, "Bool": 1, "Null": 1, "StringEqualsIgnoreCase": 1,
          "StringNotEqualsIgnoreCase": 1, "NumericEquals": 2, "NumericNotEquals": 2, "NumericLessThan": 2,
          "NumericLessThanEquals": 2, "NumericGreaterThan": 2, "NumericGreaterThanEquals": 2, "BinaryEquals": 2,
          "IpAddress": 3, "NotIpAddress": 3}


def _cost(condition: KeyCondition | UnknownCondition) -> int:
    if isinstance(condition, UnknownCondition):
        return 0
    static = condition.prepared is not None and condition.set_mode == SET_NONE
    return _COSTS.get(condition.operator.name, 4) + (0 if static else 5)


def evaluate_block(conditions: tuple[KeyCondition | UnknownCondition, ...], ctx: dict[str, Any]) -> bool | None:
    """Kleene AND over the block's key conditions."""
    unknown = False
    for condition in conditions:
        result = condition.test(ctx)
        if result is False:
            return False
        if result is None:
            unknown = True
    return UNKNOWN if unknown else True


def block_test(conditions: tuple[KeyCondition | UnknownCondition, ...]) -> Callable[[dict[str, Any]], Any]:
    """:func:`evaluate_block` of ``conditions`` as one callable, made once per compiled statement: ``False``,
    ``None`` (unknown) or a true value, as ``evaluate_block`` answers ``False``, ``None`` or ``True``.

    A block of one condition is that condition's own test; of two, one closure calling both tests (in the block's
    order, stopping at a ``False``); longer blocks go through :func:`evaluate_block`.  This saves the evaluator's
    loop on every statement of every request, the hot path of the server's authorization.
    """
    if len(conditions) == 1:
        return conditions[0].test
    if len(conditions) == 2:
        first, second = conditions[0].test, conditions[1].test

        def test_two(ctx: dict[str, Any]) -> bool | None:
            one = first(ctx)
            if one is False:
                return False
            two = second(ctx)
            if two is False:
                return False
            return UNKNOWN if one is None or two is None else True

        return test_two
    return lambda ctx: evaluate_block(conditions, ctx)


__all__ = [
    "KeyCondition",
    "UnknownCondition",
    "check_block_dates",
    "check_block_syntax",
    "compile_block",
    "block_test",
    "evaluate_block",
    "SET_NONE",
    "UNKNOWN",
]
