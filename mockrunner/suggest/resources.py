"""Resource patterns for a suggested policy: the recorded ARNs, as specific as they allow.

Two steps:

- :func:`reusable`: App Runner puts a generated id (and a revision) after a resource's name in its ARN
  (``service/<name>/<id>``); a policy naming the id stops working the next time the script creates the resource,
  so the id part becomes ``*`` (App Runner's own Create checks use ``service/<name>/*``).
- :func:`generalize`: where two or more recorded names of one resource type share a prefix of at least
  :data:`MIN_PREFIX` characters, one ``<prefix>*`` pattern replaces them, and the caller is told which names it
  covers; otherwise every ARN is listed.  ``*`` among them (an action with no resource type) is all there is.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_PREFIX = 3
_GENERATED_ID = re.compile(
    r"^(arn:[^:]+:apprunner:[^:]*:[^:]*:(?:service|connection|vpcingressconnection|autoscalingconfiguration|"
    r"observabilityconfiguration|vpcconnector)/[^/*]+)/.+\Z")
_SPECIAL = re.compile(r"[$*?]")


@dataclass(frozen=True)
class Wildcard:
    """One pattern standing for several recorded names."""

    pattern: str
    covers: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"pattern": self.pattern, "covers": list(self.covers),
                "why": f"the recorded names {', '.join(self.covers)} share this prefix; the pattern also matches "
                       "any other name with it (use --exact / exact=1 for the names alone)"}


def literal(resource: str) -> str:
    """The recorded ARN as policy text matching it alone: ``$``, ``*`` and ``?`` (an IAM path may hold them) as
    ``${$}``, ``${*}`` and ``${?}``; ``*`` (an action with no resource type) stays the wildcard."""
    return resource if resource == "*" else _SPECIAL.sub(lambda found: "${" + found.group() + "}", resource)


def reusable(resource: str) -> str:
    """:func:`literal` of the ARN, with App Runner's generated id and revision parts as ``*``."""
    match = _GENERATED_ID.match(resource)
    return f"{literal(match.group(1))}/*" if match else literal(resource)


def _split(resource: str) -> tuple[str, str, str]:
    """``(head, name, tail)``: the name is the last ``/``- or ``:``-separated part that is not ``*``."""
    tail = ""
    body = resource
    while body.endswith("/*"):
        body, tail = body[:-2], "/*" + tail
    cut = max(body.rfind("/"), body.rfind(":"))
    return body[:cut + 1], body[cut + 1:], tail


def generalize(resources: Iterable[str], wildcards: bool = True) -> tuple[tuple[str, ...], list[Wildcard]]:
    """Sorted patterns covering every resource, and the wildcards introduced for shared name prefixes."""
    given = sorted(set(resources))
    if "*" in given:
        return ("*",), []
    if not wildcards:
        return tuple(given), []
    groups: dict[tuple[str, str], list[str]] = {}
    for resource in given:
        head, name, tail = _split(resource)
        groups.setdefault((head, tail), []).append(name)
    patterns: list[str] = []
    made: list[Wildcard] = []
    for (head, tail), names in groups.items():
        prefix = os.path.commonprefix(names).partition("$")[0] if len(names) > 1 else ""
        if len(prefix) >= MIN_PREFIX and "*" not in prefix and head.startswith("arn:"):
            pattern = f"{head}{prefix}*{tail}"
            patterns.append(pattern)
            made.append(Wildcard(pattern, tuple(names)))
        else:
            patterns.extend(f"{head}{name}{tail}" for name in names)
    return tuple(sorted(patterns)), made
