"""The operator table: every base operator IAM documents, and the parser for qualified names.

A policy's operator name is ``[ForAllValues:|ForAnyValue:]<Base>[IfExists]``; everything else is
unknown and rejected by the validator (and so can never grant access).
"""

from __future__ import annotations

from . import arn, binary, boolean, date, ip, numeric, string
from .base import Operator

OPERATORS: dict[str, Operator] = {
    **string.OPERATORS,
    **numeric.OPERATORS,
    **date.OPERATORS,
    **boolean.OPERATORS,
    **binary.OPERATORS,
    **ip.OPERATORS,
    **arn.OPERATORS,
}

SET_NONE, SET_ALL, SET_ANY = 0, 1, 2
_SET_PREFIXES = {"ForAllValues": SET_ALL, "ForAnyValue": SET_ANY}
_IF_EXISTS = "IfExists"


def lookup(name: str) -> tuple[Operator, int, bool] | None:
    """(base operator, set mode, IfExists) for a qualified operator name, or None when IAM has no such operator."""
    set_mode = SET_NONE
    base = name
    if ":" in name:
        prefix, base = name.split(":", 1)
        if prefix not in _SET_PREFIXES:
            return None
        set_mode = _SET_PREFIXES[prefix]
    if_exists = base.endswith(_IF_EXISTS) and base not in OPERATORS
    if if_exists:
        base = base[: -len(_IF_EXISTS)]
    operator = OPERATORS.get(base)
    if operator is None:
        return None
    if operator.presence:
        # IAM accepts ForAllValues:Null, ForAnyValue:Null and NullIfExists (its validator strips the qualifiers
        # before looking the operator up, as moto's probes show); Null tests presence whatever the qualifier,
        # as cloud-copilot/iam-simulate's condition.ts also evaluates it.
        return operator, SET_NONE, False
    return operator, set_mode, if_exists
