"""Condition operators: one module per family, a registry table, and the block evaluator."""

from .block import KeyCondition, compile_block, evaluate_block
from .registry import OPERATORS, lookup

__all__ = ["KeyCondition", "OPERATORS", "compile_block", "evaluate_block", "lookup"]
