"""Condition operators: one module per family, a registry table, and the block evaluator."""

from .block import (
    KeyCondition,
    UnknownCondition,
    block_test,
    check_block_dates,
    check_block_syntax,
    compile_block,
    evaluate_block,
)
from .registry import OPERATORS, lookup

__all__ = [
    "KeyCondition",
    "UnknownCondition",
    "block_test",
    "check_block_dates",
    "check_block_syntax",
    "OPERATORS",
    "compile_block",
    "evaluate_block",
    "lookup",
]
