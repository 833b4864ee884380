"""Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}`` ...).

A value is parsed once into a *template*: a tuple of parts, each one of

* ``(RAW, text)``   policy text; in a pattern its ``*`` and ``?`` are wildcards,
* ``(LIT, text)``   literal text (``${*}``, ``${?}``, ``${$}``, and substituted values),
* ``(VAR, key, default)``  a context key (lower-cased) with an optional default.

IAM substitutes only under ``"Version": "2012-10-17"``; older or absent versions keep ``${...}`` as
plain text (IAM User Guide, "Policy elements: Version"). A key that is missing and has no default leaves
the variable unresolved, and then the element does not match (User Guide, "Policy variables with no value"); a
multivalued key cannot be a variable at all, default or not (:data:`MULTIVALUED`).
"""

from __future__ import annotations

import re
from typing import Any

from .context import AMBIGUOUS, MISSING, as_text

RAW, LIT, VAR = 0, 1, 2

_SPECIAL = {"*": "*", "?": "?", "$": "$"}
_VARIABLE = re.compile(r"\$\{\s*([^,{}'\s]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?\}")

Template = tuple[tuple, ...]


def parse_template(text: str, substitute: bool) -> Template:
    """Split ``text`` into template parts; with ``substitute`` False the whole text is RAW."""
    if not substitute or "${" not in text:
        return ((RAW, text),)
    parts: list[tuple] = []
    pos = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > pos:
            parts.append((RAW, text[pos : found.start()]))
        name, default = found.group(1), found.group(2)
        if name in _SPECIAL and default is None:
            parts.append((LIT, _SPECIAL[name]))
        else:
            parts.append((VAR, name.lower(), None if default is None else default.replace("''", "'")))
        pos = found.end()
    if pos < len(text):
        parts.append((RAW, text[pos:]))
    return tuple(parts)


def variable_names(text: str) -> list[str]:
    """The context keys ``text``'s policy variables name, as written (the escapes ``${*}``, ``${?}``, ``${$}`` name
    none): the ``VAR`` parts of :func:`parse_template`, spelled as in ``text``, in one pass."""
    return [found.group(1) for found in _VARIABLE.finditer(text)
            if not (found.group(1) in _SPECIAL and found.group(2) is None)]


def split_outside_variables(text: str, separator: str = ":") -> list[str]:
    """``text.split(separator)``, except that a separator inside a policy variable (``${aws:PrincipalTag/arn}``,
    its default included) splits nothing: the components of an ARN pattern whose parts are variables.

    One pass over the variables and the text between them: time linear in ``text`` however many variables and
    separators it holds (a resource of thousands of both, within a 131,072-character document, took tens of
    seconds when each separator was checked against every variable)."""
    pieces: list[str] = []
    current: list[str] = []
    pos = 0
    for found in [*_VARIABLE.finditer(text), None]:
        end = found.start() if found is not None else len(text)
        between = text[pos:end].split(separator)
        current.append(between[0])
        for piece in between[1:]:
            pieces.append("".join(current))
            current = [piece]
        if found is not None:
            current.append(found.group(0))
            pos = found.end()
    pieces.append("".join(current))
    return pieces


def has_variables(template: Template) -> bool:
    """True when the template needs the request context to be resolved."""
    return any(part[0] != RAW for part in template)


MULTIVALUED: Any = object()
"""What :func:`resolve` answers for a variable naming a multivalued key: "you cannot use multivalued context keys as
policy variables" (User Guide, "Single-valued vs. multivalued context keys"), with or without a default."""


def resolve(template: Template, ctx: dict[str, Any]) -> list[tuple[int, str]] | None:
    """Substitute variables; None when one has no value and no default, :data:`MULTIVALUED` when one names a
    multivalued or ambiguous key (a condition is then unknown; a resource pattern matches nothing)."""
    out: list[tuple[int, str]] = []
    for part in template:
        if part[0] != VAR:
            out.append((part[0], part[1]))
            continue
        value = ctx.get(part[1], MISSING)
        if value is AMBIGUOUS or isinstance(value, list | tuple | set | frozenset):
            return MULTIVALUED
        if value is MISSING or value is None:
            if part[2] is None:
                return None
            out.append((LIT, part[2]))
        else:
            out.append((LIT, as_text(value)))
    return out


def joined(parts: list[tuple[int, str]]) -> str:
    """The resolved text, wildcards and all, for operators that compare whole strings."""
    return "".join(text for _, text in parts)
