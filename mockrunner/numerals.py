"""Decimal numbers as they arrive in text (query strings, headers, markers, ARNs, account ids).

``str.isdigit`` is true of every Unicode digit ("²", "١", "１"), which ``int`` either refuses ("²": a
``ValueError`` where a refusal was meant) or reads as a number AWS would never take; AWS's numbers are ASCII.
"""
from __future__ import annotations

import sys


def is_decimal(text: str) -> bool:
    """``text`` is one or more ASCII digits 0-9, few enough that ``int(text)`` reads it (Python refuses text of
    more than ``sys.get_int_max_str_digits()`` digits, 4,300 by default, with a ``ValueError``)."""
    limit = sys.get_int_max_str_digits()
    return text.isascii() and text.isdigit() and (limit == 0 or len(text) <= limit)
