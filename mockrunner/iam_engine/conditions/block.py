"""Compile and evaluate a statement's ``Condition`` block with IAM's logic.

Rules (User Guide, "Condition element" and "Condition operators"):

* operators AND, keys within an operator AND, values of one key OR (NOR for negated operators);
* a missing key makes a condition false, except negated operators (true), ``...IfExists`` (true),
  ``ForAllValues`` (true: a missing or empty set satisfies "all"), and ``ForAnyValue`` (false);
* a multi-valued context key without a set operator holds if any value matches (all, for negated);
* an unresolved policy variable makes the condition false ("Policy variables with no value").

The result is three-valued: True, False, or None (*unknown*: a value that cannot be compared). AND is
Kleene's (False wins over unknown). The statement layer treats unknown as "does not allow" and "does
deny", so a value the engine cannot compare never grants access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..context import MISSING
from ..messages import ACTION_NO_VENDOR, SYNTAX_ERROR, UNKNOWN_CONDITION, MalformedPolicyError
from ..variables import Template, has_variables, parse_template, resolve
from .base import Operator
from .registry import SET_ALL, SET_ANY, SET_NONE, lookup

UNKNOWN: Any = None
_ERROR: Any = object()  # a policy value that could not be prepared


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

    def evaluate(self, ctx: dict[str, Any]) -> bool | None:
        """True, False, or None (unknown) for this key against the request context."""
        raw = ctx.get(self.key, MISSING)
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
        policy = self.prepared if self.prepared is not None else self._prepare_now(ctx)
        if policy is None:
            return False
        if _ERROR in policy:
            return UNKNOWN
        results = []
        for value in values:
            try:
                coerced = op.coerce(value)
            except (ValueError, TypeError):
                return UNKNOWN
            hit = any(op.compare(coerced, p) for p in policy)
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

    def _prepare_now(self, ctx: dict[str, Any]) -> tuple[Any, ...] | None:
        prepared = []
        for template in self.templates:
            parts = resolve(template, ctx)
            if parts is None:
                return None
            prepared.append(_prepare(self.operator, parts))
        return tuple(prepared)


def _context_values(raw: Any) -> list[Any] | None:
    """The request's values for a key, or None when the key is absent (None and [] count as absent)."""
    if raw is MISSING or raw is None:
        return None
    if isinstance(raw, list | tuple | set | frozenset):
        return list(raw) or None
    return [raw]


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


def compile_block(block: Any, substitute: bool) -> tuple[KeyCondition, ...]:
    """Validate a ``Condition`` value and compile it; raises MalformedPolicyError as IAM would."""
    if not isinstance(block, dict):
        raise MalformedPolicyError(SYNTAX_ERROR)
    compiled: list[KeyCondition] = []
    for name, keys in block.items():
        found = lookup(name)
        if not isinstance(keys, dict):
            raise MalformedPolicyError(SYNTAX_ERROR)
        if found is None:
            raise MalformedPolicyError(UNKNOWN_CONDITION.format(operator=name))
        operator, set_mode, if_exists = found
        for key, raw_values in keys.items():
            if ":" not in key:
                raise MalformedPolicyError(ACTION_NO_VENDOR)
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            templates = tuple(parse_template(_policy_text(v), substitute) for v in values)
            dynamic = any(has_variables(t) for t in templates)
            prepared = None if dynamic else tuple(_prepare(operator, list(t)) for t in templates)
            compiled.append(KeyCondition(name, operator, set_mode, if_exists, key.lower(), prepared, templates))
    return tuple(compiled)


def evaluate_block(conditions: tuple[KeyCondition, ...], ctx: dict[str, Any]) -> bool | None:
    """Kleene AND over the block's key conditions."""
    unknown = False
    for condition in conditions:
        result = condition.evaluate(ctx)
        if result is False:
            return False
        if result is None:
            unknown = True
    return UNKNOWN if unknown else True


__all__ = ["KeyCondition", "compile_block", "evaluate_block", "SET_NONE", "UNKNOWN"]
