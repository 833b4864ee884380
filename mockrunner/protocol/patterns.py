"""Compile the model's Java-flavoured ``pattern`` traits for Python's ``re``.

AWS's front end (Coral) applies a pattern to the *whole* value (Java ``Matcher.matches``), which is why
``[\\w+=,.@-]+`` rejects ``"my role"``; we use ``fullmatch``.  Python's ``re`` lacks Unicode property classes,
which IAM and STS use for tag keys and values (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+``), so ``\\p{L}``, ``\\p{N}`` and
``\\p{Z}`` are rewritten to equivalents.  Approximations, both documented: ``\\p{N}`` becomes ``\\d`` (decimal digits
only, not other numerics such as ``½``).  A pattern that still does not compile is skipped (never enforced) and
listed in :data:`SKIPPED`; none of the four served models has one today (a test asserts that).

Every request's strings meet these patterns before anything else looks at them, whatever their length (a value
over its ``max`` is still tested, so the message can name both constraints), so matching must take time linear in
the value.  Two model patterns backtrack super-linearly in Python's engine (as in Java's); they are matched in the
equivalent spellings of :data:`LINEAR_SPELLINGS`, while messages keep quoting the model's text.
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

_SEGMENT = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
_TAG_CHAR = r"[\w\d+\-=._:\/@]"
_NOT_TAG_CHAR = r"[^\w\d+\-=._:\/@]"

#: Model pattern -> a spelling of the same language that Python's ``re`` matches in linear time.
#: ECR's ``ScanningRepositoryFilterValue`` (``(?:X?Y+)*`` with X covering Y: 2^n ways to split a run, 24 characters
#: took 25 s): a run of ``[a-z0-9*]`` split into one character per step, each optionally after one separator, is
#: the same set of strings.  App Runner's ``ImageIdentifier`` (``public\.ecr\.aws\/.+\/<path><tag>`` with a tag
#: that may hold ``/``: every ``/`` tried as the end of ``.+``, each scanning the rest; 30 KB took 4 s, 1 MB would
#: take hours): ``.+`` can absorb the path's leading segments, so the tail after the chosen ``/`` is one segment and
#: an optional tag.  Without a ``:`` tag that ``/`` is the last one (a ``@`` digest and a segment hold none); with
#: one, the ``/``, segment and tag are all tag characters, so the ``/`` comes after the last other character (taken
#: atomically), or anywhere when there is none.  The first alternative (``<account>.dkr.ecr...``) is unchanged.
LINEAR_SPELLINGS: dict[str, str] = {
    r"^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$": r"^[a-z0-9*](?:[._\-/]?[a-z0-9*])*$",
    r"([0-9]{12}.dkr.ecr.[a-z\-]+-[0-9]{1}.amazonaws.com\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+"
    r"(?:[._-][a-z0-9]+)*)(:([\w\d+\-=._:\/@])+|@([\w\d\:]+))?)|(^public\.ecr\.aws\/.+\/((?:[a-z0-9]+"
    r"(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(:([\w\d+\-=._:\/@])+|@([\w\d\:]+))?)":
        r"([0-9]{12}.dkr.ecr.[a-z\-]+-[0-9]{1}.amazonaws.com\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+"
        r"(?:[._-][a-z0-9]+)*)(:([\w\d+\-=._:\/@])+|@([\w\d\:]+))?)"
        rf"|(^public\.ecr\.aws\/(?=[^\n]*\Z)(?:.+\/{_SEGMENT}(?:@[\w\d\:]+)?"
        rf"|(?>.*{_NOT_TAG_CHAR}){_TAG_CHAR}*?\/{_SEGMENT}:{_TAG_CHAR}+"
        rf"|(?={_TAG_CHAR}+\Z){_TAG_CHAR}+?\/{_SEGMENT}:{_TAG_CHAR}+))",
}


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


_ASCII_CLASSES = {"w": "a-zA-Z0-9_", "d": "0-9"}


def _java_ascii(pattern: str) -> str:
    """``pattern`` with Java's ASCII-only ``\\w`` and ``\\d`` spelled out (Python's match any Unicode letter or
    digit): IAM refuses a user or group name ending in ``é`` against ``[\\w+=,.@-]+`` (recorded from AWS,
    2026-09-12: radkawar/stackd, testdata/aws/iam/identity_inputs.json, "name_suffix" ``\\u00e9``)."""
    out: list[str] = []
    in_class, index = False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped in _ASCII_CLASSES:
                body = _ASCII_CLASSES[escaped]
                out.append(body if in_class else f"[{body}]")
            else:
                out.append(pattern[index:index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def translate(pattern: str) -> str:
    """The Python spelling of a Java pattern (only the constructs the AWS models use)."""
    pattern = _java_ascii(pattern)
    if "\\p{" not in pattern:
        return pattern
    rewritten = _CLASS.sub(_rewrite_class, pattern)
    return _PROPERTY.sub(lambda m: _PROPERTIES[m.group(1)][0], rewritten)


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern | None:
    """The compiled pattern, or None when it cannot be expressed in Python (recorded in :data:`SKIPPED`)."""
    try:
        linear = LINEAR_SPELLINGS.get(pattern)
        return re.compile(_java_ascii(linear) if linear else translate(pattern))
    except (re.error, KeyError):
        SKIPPED.add(pattern)
        return None
