"""Decimal numbers as they arrive in text (query strings, headers, markers, ARNs, account ids).

``str.isdigit`` is true of every Unicode digit ("²", "١", "１"), which ``int`` either refuses ("²": a
``ValueError`` where a refusal was meant) or reads as a number AWS would never take; AWS's numbers are ASCII.
"""
from __future__ import annotations


def is_decimal(text: str) -> bool:
    """``text`` is one or more ASCII digits 0-9 (so ``int(text)`` reads it)."""
    return text.isascii() and text.isdigit()
