"""Parse and validate policy documents into compiled, immutable :class:`Policy` objects.

Checks follow the IAM JSON policy grammar (User Guide, "Grammar of the IAM JSON policy language") and
report IAM's MalformedPolicyDocument texts. Order matters because IAM reports the first failure: JSON
and structure ("Syntax errors in policy.") before the per-kind element rules, before action/resource
formats.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import messages as m
from .conditions import KeyCondition, compile_block
from .matching import ResourceMatcher, compile_actions
from .messages import MalformedPolicyError
from .principal import PrincipalMatcher, compile_principal
from .variables import parse_template


class PolicyKind(enum.Enum):
    """Which grammar applies: identity (no Principal), resource (Principal required), trust (role trust)."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"


CURRENT_VERSION = "2012-10-17"
VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_COMMON = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"})
_ELEMENTS = {
    PolicyKind.IDENTITY: _COMMON,
    PolicyKind.RESOURCE: _COMMON | {"Principal", "NotPrincipal"},
    PolicyKind.TRUST: _COMMON | {"Principal", "NotPrincipal"},
}
_EFFECTS = frozenset({"Allow", "Deny"})
_VENDOR = re.compile(r"^[A-Za-z0-9\-.*?]+$")
_SID = re.compile(r"^[0-9A-Za-z]*$")
# A role trust policy may only grant the STS "assume" family (IAM rejects anything else).
_TRUST_ACTION = re.compile(r"^(\*|sts:\*|sts:(AssumeRole\w*|TagSession|SetSourceIdentity|SetContext))$", re.I)


@dataclass(frozen=True, slots=True)
class Statement:
    """One compiled statement. ``actions``/``resources`` are negated when the policy used NotAction/NotResource."""

    index: int
    sid: str | None
    effect: str
    is_deny: bool
    actions: re.Pattern[str]
    not_action: bool
    resources: ResourceMatcher | None  # None: no Resource element (resource/trust policies): the attached resource
    not_resource: bool
    principals: PrincipalMatcher | None
    not_principal: bool
    conditions: tuple[KeyCondition, ...]

    def action_matches(self, action: str) -> bool:
        """NotAction matches every action except those listed (User Guide, "NotAction")."""
        return (self.actions.match(action) is None) if self.not_action else (self.actions.match(action) is not None)


@dataclass(eq=False)
class Policy:
    """A parsed policy. ``candidates`` memoises which statements can apply to an (action, resource)."""

    kind: PolicyKind
    version: str | None
    statements: tuple[Statement, ...]
    _candidates: dict[tuple[str, str], tuple[tuple[Statement, bool], ...]] = field(default_factory=dict, repr=False)

    def candidates(self, action: str, resource: str) -> tuple[tuple[Statement, bool], ...]:
        """Statements whose action and variable-free resources match, each with "must still check resource"."""
        key = (action, resource)
        hit = self._candidates.get(key)
        if hit is not None:
            return hit
        out = []
        for statement in self.statements:
            if not statement.action_matches(action):
                continue
            matcher = statement.resources
            if matcher is None:
                out.append((statement, False))
            elif matcher.is_dynamic:
                out.append((statement, True))
            elif matcher.match_static(resource) is not statement.not_resource:
                out.append((statement, False))
        result = tuple(out)
        if len(self._candidates) >= 1024:
            self._candidates.clear()
        self._candidates[key] = result
        return result


def _string_list(value: Any) -> list[str]:
    """A string or a list of strings, as the grammar allows; anything else is a syntax error."""
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    return values


def load_document(document: str | dict) -> dict:
    """JSON text or an already-decoded object; both must be a JSON object."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except (json.JSONDecodeError, RecursionError):
            raise MalformedPolicyError(m.SYNTAX_ERROR) from None
    if not isinstance(document, dict):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    return document


def build_policy(document: str | dict, kind: PolicyKind, *, require_current_version: bool = False) -> Policy:
    """Validate ``document`` for ``kind`` and compile it (no caching; see :func:`cache.parse_policy`)."""
    doc = load_document(document)
    if not set(doc) <= _TOP_LEVEL or "Statement" not in doc:
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    version = doc.get("Version")
    if "Version" in doc and version not in VERSIONS:
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    raw = doc["Statement"]
    raw_statements = raw if isinstance(raw, list) else [raw]
    if not raw_statements or not all(isinstance(s, dict) for s in raw_statements):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    for statement in raw_statements:
        _check_structure(statement, kind)
    if require_current_version and version != CURRENT_VERSION:
        raise MalformedPolicyError(m.VERSION_REQUIRED)
    for statement in raw_statements:
        _check_kind_rules(statement, kind)
    _check_sids(raw_statements, kind)
    substitute = version == CURRENT_VERSION
    statements = tuple(_compile(i, s, kind, substitute) for i, s in enumerate(raw_statements))
    return Policy(kind=kind, version=version, statements=statements)


def _check_structure(statement: dict, kind: PolicyKind) -> None:
    """Grammar-level checks that IAM reports as plain syntax errors."""
    allowed = _ELEMENTS[kind]
    unknown = set(statement) - allowed
    if unknown:
        if kind is PolicyKind.IDENTITY and unknown <= {"Principal", "NotPrincipal"}:
            raise MalformedPolicyError(m.PRINCIPAL_NOT_ALLOWED)
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if a in statement and b in statement:
            raise MalformedPolicyError(m.SYNTAX_ERROR)
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    if effect not in _EFFECTS:
        # "allow" passes the grammar but not IAM's case-sensitive legacy parser.
        raise MalformedPolicyError(m.LEGACY_PARSING)
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        if element in statement:
            _string_list(statement[element])


def _check_kind_rules(statement: dict, kind: PolicyKind) -> None:
    """Element presence per policy kind, then action/resource formats."""
    if kind is not PolicyKind.IDENTITY and "Principal" not in statement and "NotPrincipal" not in statement:
        raise MalformedPolicyError(m.MISSING_PRINCIPAL)
    if kind is PolicyKind.TRUST:
        for element in ("Resource", "NotResource"):
            if element in statement:
                raise MalformedPolicyError(m.PROHIBITED_FIELD.format(field=element))
    actions = statement.get("Action", statement.get("NotAction"))
    if actions is None or actions == []:
        raise MalformedPolicyError(m.MISSING_ACTIONS)
    if kind is PolicyKind.IDENTITY:
        if "Resource" not in statement and "NotResource" not in statement:
            raise MalformedPolicyError(m.MISSING_RESOURCE)
        if statement.get("Resource", statement.get("NotResource")) == []:
            raise MalformedPolicyError(m.MISSING_RESOURCES)
    for action in _string_list(actions):
        _check_action(action)
        if kind is PolicyKind.TRUST and "Action" in statement and not _TRUST_ACTION.match(action):
            raise MalformedPolicyError(m.TRUST_ACTIONS_ONLY)
    for element in ("Resource", "NotResource"):
        for resource in _string_list(statement.get(element, [])):
            _check_resource(resource)


def _check_action(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise MalformedPolicyError(m.ACTION_NO_VENDOR)
    if len(parts) > 2:
        raise MalformedPolicyError(m.ACTION_TWO_COLONS)
    if not _VENDOR.match(parts[0]):
        raise MalformedPolicyError(m.ACTION_BAD_VENDOR.format(vendor=parts[0]))


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    parts = resource.split(":", 5)
    if len(parts) < 2 or parts[0] != "arn":
        raise MalformedPolicyError(m.RESOURCE_NOT_ARN.format(resource=resource))
    if len(parts) < 3:
        raise MalformedPolicyError(m.RESOURCE_VENDOR)


def _check_sids(statements: Sequence[dict], kind: PolicyKind) -> None:
    seen: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid")
        if not sid:
            continue
        if kind is not PolicyKind.RESOURCE and not _SID.match(sid):
            raise MalformedPolicyError(m.SID_NOT_ALNUM)
        if sid in seen:
            raise MalformedPolicyError(m.SID_NOT_UNIQUE)
        seen.add(sid)


def _compile(index: int, statement: dict, kind: PolicyKind, substitute: bool) -> Statement:
    not_action = "NotAction" in statement
    actions = _string_list(statement["NotAction" if not_action else "Action"])
    not_resource = "NotResource" in statement
    resource_key = "NotResource" if not_resource else "Resource"
    resources = None
    if resource_key in statement:
        templates = [parse_template(r, substitute) for r in _string_list(statement[resource_key])]
        resources = ResourceMatcher(templates)
    not_principal = "NotPrincipal" in statement
    principal_key = "NotPrincipal" if not_principal else "Principal"
    principals = compile_principal(statement[principal_key]) if principal_key in statement else None
    conditions = compile_block(statement["Condition"], substitute) if "Condition" in statement else ()
    effect = statement["Effect"]
    return Statement(
        index=index,
        sid=statement.get("Sid") or None,
        effect=effect,
        is_deny=effect == "Deny",
        actions=compile_actions(actions),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=conditions,
    )
