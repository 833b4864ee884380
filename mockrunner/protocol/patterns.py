"""Compile the model's Java-flavoured ``pattern`` traits for Python's ``re``.

AWS's front end (Coral) applies a pattern to the *whole* value (Java ``Matcher.matches``), which is why
``[\\w+=,.@-]+`` rejects ``"my role"``; we use ``fullmatch``.  Python's ``re`` lacks Unicode property classes,
which IAM and STS use for tag keys and values (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+``), so ``\\p{L}``, ``\\p{N}`` and
``\\p{Z}`` are rewritten to equivalents.  Approximations, both documented: ``\\p{N}`` becomes ``\\d`` (decimal digits
only, not other numerics such as ``½``).  A pattern that still does not compile is skipped (never enforced) and
listed in :data:`SKIPPED`; none of the four served models has one today (a test asserts that).
"""
from __future__ import annotations

import functools
import re

_Z = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Unicode property -> (regex usable outside a class, text usable inside a class or None)
_PROPERTIES = {"L": (r"[^\W\d_]", None), "N": (r"\d", r"\d"), "Z": (f"[{_Z}]", _Z)}
_PROPERTY = re.compile(r"\\p\{(\w+)\}")
_CLASS = re.compile(r"\[(\^?)((?:\\.|[^\]\\])+)\]")

SKIPPED: set[str] = set()


def _rewrite_class(match: re.Match) -> str:
    negated, body = match.group(1), match.group(2)
    if "\\p{" not in body:
        return match.group(0)
    if negated:
        raise re.error("negated class with a Unicode property")
    rest = body
    alternatives = []
    for name in _PROPERTY.findall(body):
        outside, inside = _PROPERTIES[name]
        rest = rest.replace(f"\\p{{{name}}}", inside or "")
        if inside is None:
            alternatives.append(outside)
    if rest:
        alternatives.insert(0, f"[{rest}]")
    return f"(?:{'|'.join(alternatives)})"


def translate(pattern: str) -> str:
    """The Python spelling of a Java pattern (only the constructs the AWS models use)."""
    if "\\p{" not in pattern:
        return pattern
    rewritten = _CLASS.sub(_rewrite_class, pattern)
    return _PROPERTY.sub(lambda m: _PROPERTIES[m.group(1)][0], rewritten)


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern | None:
    """The compiled pattern, or None when it cannot be expressed in Python (recorded in :data:`SKIPPED`)."""
    try:
        return re.compile(translate(pattern))
    except (re.error, KeyError):
        SKIPPED.add(pattern)
        return None
