"""What a condition operator is: four small functions, so each family is a table, not a branch.

``prepare`` turns a resolved policy value into something comparable and ``coerce`` does the same for a
request-context value; either raises ``ValueError`` when the value cannot be compared, which the block
evaluator reports as *unknown* so it can fail closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..context import as_text
from ..variables import joined

Parts = list[tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Operator:
    """One base operator (no ``ForAllValues:`` prefix, no ``IfExists`` suffix)."""

    name: str
    prepare: Callable[[Parts], Any]
    coerce: Callable[[Any], Any]
    compare: Callable[[Any, Any], bool]
    # Negated operators (StringNotEquals, NotIpAddress, ...) hold when the key is absent and combine
    # several policy values with NOR (User Guide, "Condition operators").
    negated: bool = False
    # Null tests presence, not value.
    presence: bool = False
    # ``combine(prepared)``: one prepared value that matches whatever any of several does (None: compare each).
    combine: Callable[[tuple[Any, ...]], Any] | None = None
    # Whether policy variables are substituted in this operator's values. The User Guide ("Condition operators")
    # lists "Policy variables - Not supported" for the numeric, date, binary and IP address operators: there
    # ``${...}`` stays literal text, which is no number, date, base64 or address, so the condition is unknown.
    variables: bool = True


def text_value(parts: Parts) -> str:
    """The policy value as plain text (wildcards are ordinary characters for *Equals operators)."""
    return joined(parts)


def text_context(value: Any) -> str:
    """A context value as text; containers are not scalars and cannot be compared."""
    if value.__class__ is str:
        return value
    if isinstance(value, dict | list | tuple | set):
        raise ValueError("not a scalar")
    return as_text(value)


def equal(context: Any, policy: Any) -> bool:
    """Plain equality, for operators whose prepared forms are already normalised."""
    return context == policy


def family(*operators: Operator) -> dict[str, Operator]:
    """Index a family's operators by name for the registry."""
    return {op.name: op for op in operators}
