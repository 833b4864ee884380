"""SimulatePrincipalPolicy's ``PolicyExclusionList``: attached policies left out of a simulation.

Each ``PolicyIdentifier`` names policies by type (``inline``, ``aws-managed``, ``user-managed``,
``permission-boundary``; ``scp`` and ``rcp`` match nothing here, as a standalone account has neither, and the
reference says RCP identifiers are ignored), by managed policy ARN (wildcards in the resource part only: at most one
``*``, any number of ``?``), or by inline policy name with the type and name of the entity it is embedded in (the
same wildcards in the entity name).  A syntactically invalid identifier is ``InvalidInput``; a valid one that
matches nothing is ignored (SimulatePrincipalPolicy reference).  Policies given in the request
(``PolicyInputList``, ``PermissionsBoundaryPolicyInputList``) are not attached and never excluded.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.errors import ServiceError
from mockrunner.model.managed_policies import is_aws_managed


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def _wildcard(text: str, what: str) -> re.Pattern:
    """``text`` with ``*`` (at most one) and ``?`` as a whole-string pattern."""
    if text.count("*") > 1:
        raise _invalid(f"Invalid {what} {text}: use at most one '*' wildcard.")
    return re.compile("".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text),
                      re.DOTALL)


def _policy_arn(arn: str) -> re.Pattern:
    parsed = split_arn(arn)
    prefix, _, rest = arn.partition(":policy/")
    if (parsed is None or parsed.service != "iam" or not rest or any(char in prefix for char in "*?")
            or not parsed.resource.startswith("policy/")):
        raise _invalid(f"Invalid PolicyArn {arn}: it must be the ARN of a managed policy, with wildcards only in "
                       "its resource name.")
    return re.compile(re.escape(prefix + ":policy/") + _wildcard(rest, "PolicyArn").pattern, re.DOTALL)


@dataclass(frozen=True)
class Exclusions:
    """What one request excludes: whole types, managed policy ARN patterns, inline (type, entity, policy) ones."""

    types: frozenset[str] = frozenset()
    arns: tuple[re.Pattern, ...] = ()
    inlines: tuple[tuple[str, re.Pattern, str], ...] = field(default=())

    @property
    def boundary(self) -> bool:
        return "permission-boundary" in self.types

    def inline(self, entity_type: str, entity_name: str, policy_name: str) -> bool:
        return "inline" in self.types or any(
            kind == entity_type and name == policy_name and entity.fullmatch(entity_name)
            for kind, entity, name in self.inlines)

    def managed(self, arn: str) -> bool:
        kind = "aws-managed" if is_aws_managed(arn) else "user-managed"
        return kind in self.types or any(pattern.fullmatch(arn) for pattern in self.arns)


NOTHING_EXCLUDED = Exclusions()


def exclusions(identifiers: Iterable[Mapping[str, Any]]) -> Exclusions:
    """The request's identifiers, checked (the model already holds each to exactly one member)."""
    types: set[str] = set()
    arns: list[re.Pattern] = []
    inlines: list[tuple[str, re.Pattern, str]] = []
    for identifier in identifiers:
        if identifier.get("PolicyType") is not None:
            types.add(identifier["PolicyType"])
        elif identifier.get("PolicyArn") is not None:
            arns.append(_policy_arn(identifier["PolicyArn"]))
        elif identifier.get("InlinePolicyIdentifier") is not None:
            inline = identifier["InlinePolicyIdentifier"]
            if any(char in inline["PolicyName"] for char in "*?"):
                # Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json,
                # "principal_extra_exclude_inline_name_prefix"): a policy name takes no wildcard.
                raise _invalid("Invalid inline policy exclusion: policyName, attachmentType, and attachmentName are "
                               "required")
            if inline["AttachmentName"].count("*") > 1:
                # Recorded ("principal_extra_exclude_inline_owner_two_stars"): at most one '*' in the entity name.
                raise _invalid("Invalid inline policy exclusion: policyName, attachmentType, and attachmentName are "
                               "required")
            inlines.append((inline["AttachmentType"], _wildcard(inline["AttachmentName"], "AttachmentName"),
                            inline["PolicyName"]))
    return Exclusions(frozenset(types), tuple(arns), tuple(inlines))
