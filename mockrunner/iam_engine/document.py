"""Parse and validate policy documents into compiled, immutable :class:`Policy` objects.

Checks follow the IAM JSON policy grammar (User Guide, "Grammar of the IAM JSON policy language") and
report IAM's MalformedPolicyDocument texts. Order matters because IAM reports the first failure: JSON
and structure ("Syntax errors in policy.") before the per-kind element rules, before action/resource
formats.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import messages as m
from .conditions import (
    KeyCondition,
    UnknownCondition,
    block_test,
    check_block_dates,
    check_block_syntax,
    compile_block,
    lookup,
)
from .context import TIME_KEYS
from .matching import ResourceMatcher, compile_actions
from .memo import keep
from .messages import MalformedPolicyError
from .principal import PrincipalMatcher, compile_principal
from .strict_json import loads as policy_loads
from .variables import VAR, Template, has_variables, parse_template, split_outside_variables


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
_VENDOR = re.compile(r"^[A-Za-z0-9\-.*?]+\Z")
_SID = re.compile(r"^[0-9A-Za-z]*\Z")
# A role trust policy may only grant the STS "assume" family, named exactly: IAM refused ``sts:*`` and
# ``STS:assumerolewithwebidentity`` (recorded from AWS, 2026-09-11: radkawar/stackd,
# iam/policy/testdata/oidc_trust_controls_edges_aws.json) and ``*`` (versity/versitygw's IAM API tests).
TRUST_ACTIONS = frozenset({"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
                           "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"})
TRUST_ACTIONS_LOWER = frozenset(action.lower() for action in TRUST_ACTIONS)
"""The same, lower-cased: a request's action compares without case (a role's trust policy decides these)."""


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
    test: Callable[[dict[str, Any]], Any] | None = field(default=None, compare=False, repr=False)
    """The ``Condition`` block evaluated as one call (:func:`~.conditions.block_test`): ``False``, ``None``
    (unknown) or a true value; ``None`` when the statement has no conditions."""
    reads_time: bool = field(default=True, init=False, compare=False, repr=False)
    """Whether evaluating the statement may read a :data:`~.context.TIME_KEYS` key (a condition on one, or a policy
    variable naming one in a condition value or a resource); ``True`` for anything this cannot tell."""

    def __post_init__(self) -> None:
        if self.conditions and self.test is None:
            object.__setattr__(self, "test", block_test(self.conditions))
        object.__setattr__(self, "reads_time", _reads_time(self.conditions, self.resources))

    def action_matches(self, action: str) -> bool:
        """NotAction matches every action except those listed (User Guide, "NotAction")."""
        return (self.actions.match(action) is None) if self.not_action else (self.actions.match(action) is not None)


def _reads_time(conditions: tuple, resources: ResourceMatcher | None) -> bool:
    """:attr:`Statement.reads_time`: conditions and resource patterns read the request context only through their
    key and the policy variables of their templates; anything else is taken to read the time."""
    for condition in conditions:
        if condition.__class__ is KeyCondition:
            if condition.key in TIME_KEYS or any(_names_time(template) for template in condition.templates):
                return True
        elif condition.__class__ is not UnknownCondition:  # always unknown, whatever the context holds
            return True
    return resources is not None and any(_names_time(template) for template in resources.dynamic)


def _names_time(template: Template) -> bool:
    return any(part[0] == VAR and part[1] in TIME_KEYS for part in template)


@dataclass(eq=False)
class Policy:
    """A parsed policy.

    Statements are indexed by action: ``for_action`` computes once per distinct (lower-cased) action which
    statements' Action/NotAction match it, so a request only walks those; ``candidates`` then filters them by
    the variable-free resource patterns (memoised per (action, resource) for repeated requests).  The memos of
    every policy are kept together (:data:`_BY_ACTION`, :data:`_CANDIDATES`) under the policy's number, as positions
    of its statements: they hold no statement, so a policy the parse cache drops is freed whatever they keep.
    """

    kind: PolicyKind
    version: str | None
    statements: tuple[Statement, ...]
    serial: int = field(default_factory=lambda: next(_SERIALS), repr=False)
    weight: int = field(default=0, repr=False)
    """What the policy counts against a budget of compiled policies (``cache.weight_of``): set by the parse cache,
    which made it, from its text and what that compiles into; 0 for a policy made elsewhere."""

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction match ``action`` (lower-cased), in document order."""
        statements = self.statements
        return tuple(statements[position] for position in self._positions(action))

    def _positions(self, action: str) -> tuple[int, ...]:
        key = (self.serial, action)
        hit = _BY_ACTION.get(key)
        if hit is None:
            hit = keep(_BY_ACTION, BY_ACTION_KEPT, key,
                       tuple(position for position, st in enumerate(self.statements) if st.action_matches(action)))
        return hit

    def candidates(self, action: str, resource: str) -> tuple[tuple[Statement, bool], ...]:
        """Statements whose action and variable-free resources match, each with "must still check resource"."""
        key = (self.serial, action, resource)
        hit = _CANDIDATES.get(key)
        statements = self.statements
        if hit is None:
            out = []
            for position in self._positions(action):
                statement = statements[position]
                matcher = statement.resources
                if matcher is None:
                    out.append((position, False))
                elif matcher.is_dynamic:
                    out.append((position, True))
                elif matcher.match_static(resource) is not statement.not_resource:
                    out.append((position, False))
            hit = tuple(out)
            if len(resource) <= MEMO_RESOURCE:
                keep(_CANDIDATES, CANDIDATES_KEPT, key, hit)
        return tuple((statements[position], check) for position, check in hit)


_SERIALS = itertools.count(1)
_BY_ACTION: dict[tuple[int, str], tuple[int, ...]] = {}
"""Every policy's statements (their positions) by action, by the policy's number (unique in the process)."""
_CANDIDATES: dict[tuple[int, str, str], tuple[tuple[int, bool], ...]] = {}
"""Every policy's candidate statements (positions, and whether the resource is still to match) by its number, the
action and the resource."""
BY_ACTION_KEPT = 32_768
CANDIDATES_KEPT = 16_384
"""Memos kept in the process for every policy together; past this many they start over.  Each policy kept 4,096
and 1,024 of its own before, and the parse cache keeps 4,096 policies: SimulateCustomPolicy of eight small
documents over 1,000 resources of 2,000 characters left 2.9 MB behind a request, towards gigabytes, for any caller
allowed to simulate (thirty-sixth pass).  Now at most about 50 MB."""
MEMO_RESOURCE = 2048
"""The longest resource whose candidates are remembered (an ARN's most; a longer one is filtered each time)."""


def _string_list(value: Any) -> list[str]:
    """A string or a list of strings, as the grammar allows; anything else is a syntax error."""
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    return values


def load_document(document: str | dict) -> dict:
    """JSON text (read by :func:`strict_json.loads`: no key twice in an object, no ``NaN``) or an already-decoded
    object; both must be a JSON object."""
    if isinstance(document, str):
        try:
            document = policy_loads(document)
        except ValueError:
            raise MalformedPolicyError(m.SYNTAX_ERROR) from None
    if not isinstance(document, dict):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    return document


def build_policy(document: str | dict, kind: PolicyKind, *, require_current_version: bool = False) -> Policy:
    """Validate ``document`` for ``kind`` and compile it (no caching; see :func:`cache.parse_policy`).

    IAM reports the first failure of a fixed sequence of passes, so the checks run in that order (the order
    moto reproduced against real IAM in ``tests/test_iam/test_iam_policies.py``): syntax; the managed-policy
    version rule; "legacy parsing" (case-sensitive Effect, Date condition values, ARN shapes); Sid
    uniqueness; actions present; resources / principals present; resource formats; action prefixes.
    """
    doc = load_document(document)
    if not set(doc) <= _TOP_LEVEL or "Statement" not in doc:
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    version = doc.get("Version")
    if "Version" in doc and version not in VERSIONS:
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    raw = doc["Statement"]
    if not isinstance(raw, dict | list):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    raw_statements = raw if isinstance(raw, list) else [raw]
    if not raw_statements or not all(isinstance(s, dict) for s in raw_statements):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    for statement in raw_statements:
        _check_structure(statement, kind)
    if require_current_version and version != CURRENT_VERSION:
        raise MalformedPolicyError(m.VERSION_REQUIRED)
    resource_error = _legacy_parsing(raw_statements, version == CURRENT_VERSION)
    _check_sids(raw_statements, kind)
    for statement in raw_statements:
        actions = statement.get("Action", statement.get("NotAction"))
        if actions is None or actions == []:
            raise MalformedPolicyError(m.MISSING_ACTIONS)
    for statement in raw_statements:
        _check_kind_rules(statement, kind)
    if resource_error:
        raise MalformedPolicyError(resource_error)
    for statement in raw_statements:
        for action in _string_list(statement.get("Action", statement.get("NotAction"))):
            _check_action(action)
            if kind is PolicyKind.TRUST and "Action" in statement and action not in TRUST_ACTIONS:
                raise MalformedPolicyError(m.TRUST_ACTIONS_ONLY)
        if kind is PolicyKind.TRUST:
            _check_trust_principal(statement.get("Principal"))
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
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise MalformedPolicyError(m.SYNTAX_ERROR)
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        if element in statement:
            _string_list(statement[element])
    if "Condition" in statement:
        if kind is PolicyKind.TRUST:
            _check_trust_conditions(statement["Condition"])
        check_block_syntax(statement["Condition"])


_TAG_KEY = re.compile(r"[^:/]+:[A-Za-z]*Tag/", re.IGNORECASE)
"""A condition key naming a tag (``aws:RequestTag/<key>``, ``aws:PrincipalTag/<key>``, ...): the tag key may hold
colons of its own."""


def _check_trust_conditions(block: Any) -> None:
    """What IAM's trust policy validator says of a condition it cannot read, in its own words (recorded from AWS
    for CreateRole): an unknown operator is "Invalid Condition type : stringEquals"
    (ministryofjustice/modernisation-platform-environments#8893) where an identity policy's is a syntax error, and a
    key of more than one colon is "Condition can contain only one colon." (terraform-aws-modules/terraform-aws-eks
    #1084: an IRSA key written with the provider URL's ``https://``).  Where IAM draws that line is not public:
    keys of services that document more colons (``kms:EncryptionContext:<key>``) and a tag key's own colons are
    allowed, so only a key naming a path (a ``/``) outside a tag key is refused (*unverified*)."""
    if not isinstance(block, dict):
        return  # the syntax check refuses it
    for name, keys in block.items():
        if not isinstance(keys, dict) or not keys:
            continue
        if lookup(name) is None:
            raise MalformedPolicyError(m.TRUST_CONDITION_TYPE.format(operator=name))
        for key in keys:
            if key.count(":") > 1 and "/" in key and not _TAG_KEY.match(key):
                raise MalformedPolicyError(m.TRUST_CONDITION_TWO_COLONS)


def _legacy_parsing(statements: Sequence[dict], substitute: bool) -> str | None:
    """IAM's "legacy parsing" pass; returns the first resource-format message, reported later.

    ``allow`` passes the grammar but not the case-sensitive legacy parser; so does a Date condition value
    that is no date. Resource formats are checked here too, but IAM reports their messages only after the
    "must contain actions/resources" checks; an ARN the legacy parser cannot split fails right away.
    """
    for statement in statements:
        if statement["Effect"] not in _EFFECTS:
            raise MalformedPolicyError(m.LEGACY_PARSING)
        if "Condition" in statement and not check_block_dates(statement["Condition"]):
            raise MalformedPolicyError(m.LEGACY_PARSING)
    resource_error: str | None = None
    for element in ("Resource", "NotResource"):
        for statement in statements:
            if element not in statement:
                continue
            resources = _string_list(statement[element])
            # IAM's observable behaviour matches checking a list in sorted order, the first message kept; an
            # ``arn:`` the legacy parser cannot split fails there and then: "arn:awss3::b/*" alone is legacy
            # parsing, "s3::b/*" a bad partition (versity/versitygw tests/integration/iam_put_user_policy.go).
            first = next(filter(None, (_resource_error(resource, substitute) for resource in sorted(resources))),
                         None)
            if first == m.LEGACY_PARSING:
                raise MalformedPolicyError(first)
            resource_error = first or resource_error
            if resource_error is None and any(_unsplittable(resource) for resource in resources):
                raise MalformedPolicyError(m.LEGACY_PARSING)
    return resource_error


def _resource_error(resource: str, substitute: bool) -> str | None:
    """The message of one Resource/NotResource value: legacy parsing for an ``arn:`` it cannot split, else its
    format error, if any."""
    if resource.startswith("arn:") and _unsplittable(resource):
        return m.LEGACY_PARSING
    return _resource_format_error(resource, substitute)


def _unsplittable(resource: str) -> bool:
    """Can IAM's legacy parser not split ``resource`` into an ARN's fields?"""
    return resource != "*" and (
        (resource.count(":") < 5 and "::" in resource) or resource.split(":")[2:3] == [""])


def _check_kind_rules(statement: dict, kind: PolicyKind) -> None:
    """Element presence per policy kind."""
    if kind is not PolicyKind.IDENTITY and "Principal" not in statement and "NotPrincipal" not in statement:
        raise MalformedPolicyError(m.TRUST_MISSING_PRINCIPAL if kind is PolicyKind.TRUST else m.MISSING_PRINCIPAL)
    if kind is PolicyKind.TRUST:
        # "You cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy"
        # (User Guide, "AWS JSON policy elements: NotPrincipal"); refused in IAM's words for a prohibited element.
        for element in ("NotPrincipal", "Resource", "NotResource"):
            if element in statement:
                raise MalformedPolicyError(m.PROHIBITED_FIELD.format(field=element))
    if kind is PolicyKind.IDENTITY:
        resources = statement.get("Resource", statement.get("NotResource"))
        if resources is None or resources == []:
            raise MalformedPolicyError(m.MISSING_RESOURCES)


def _check_trust_principal(principal: object) -> None:
    """A role may not trust everyone by a bare ``"*"``, nor a wildcard identity provider (recorded from AWS, see
    :data:`~.messages.TRUST_STAR_PRINCIPAL`); ``{"AWS": "*"}`` is a valid principal."""
    if principal == "*":
        raise MalformedPolicyError(m.TRUST_STAR_PRINCIPAL)
    federated = principal.get("Federated") if isinstance(principal, dict) else None
    if any(isinstance(value, str) and "*" in value for value in _listed(federated)):
        raise MalformedPolicyError(m.FEDERATED_PRINCIPAL)


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


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


_PARTITION = re.compile(r"^(\*|aws(-[a-z]+)*)\Z")
_IAM_PATHS = (
    "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/",
    "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/",
)  # fmt: skip


def _resource_format_error(resource: str, substitute: bool) -> str | None:
    """IAM's message for a malformed Resource/NotResource value, or None (messages from moto's IAM probes).

    With policy variables (``substitute``: a ``2012-10-17`` policy) a colon inside ``${...}`` separates no ARN
    components, a partition that holds a variable is not judged until it has a value, and a value that is one
    variable alone is a whole ARN taken from the request: IAM accepts ``arn:${aws:PrincipalTag/partition}:kms:...``
    and ``${aws:PrincipalTag/arn}`` and evaluates them (recorded from AWS, 2026-09-11: radkawar/stackd,
    internal/iam/managed/testdata/arn_component_variables.json)."""
    if resource == "*":
        return None
    components = split_outside_variables(resource) if substitute else resource.split(":")
    if len(components) == 1:
        return None if substitute and _one_variable(resource) else m.RESOURCE_NOT_ARN.format(resource=resource)
    # IAM does not look at the text before the first colon; the partition comes next.
    partition, after = components[1], components[2:]
    if not (substitute and _has_variable(partition)) and not _PARTITION.match(partition):
        parts = after or [""]
        service = parts[0] if parts[0] or len(parts) > 1 else "*"
        region = parts[1] if len(parts) > 1 else "*"
        account = parts[2] if len(parts) > 2 else "*"
        tail = ":".join(parts[3:]) if len(parts) > 3 else "*"
        shown = f"arn:{partition}:{service}:{region}:{account}:{tail}"
        return m.RESOURCE_PARTITION.format(partition=partition, resource=shown)
    if not after:
        return m.RESOURCE_VENDOR
    service, region, account = after[0], _component(after, 1), _component(after, 2)
    if service == "iam" and not (region == "" and len(after) > 2):
        return m.IAM_RESOURCE_REGION.format(resource=resource)
    if service == "s3" and (len(after) < 3 or region and not account):
        # An S3 ARN may carry a region only with an account: buckets and objects (``arn:aws:s3:::bucket/key``)
        # have neither, access points, jobs and Storage Lens configurations
        # (``arn:aws:s3:us-west-2:123456789012:accesspoint/ap``) have both.  ``arn:aws:s3`` and ``arn:aws:s3:``
        # end before the region field, as IAM's check for a service needs it (moto's validator: the text after
        # ``s3`` must go on with ``:``).
        return m.S3_RESOURCE_REGION.format(resource=resource)
    if service == "iam":
        path = ":".join(after[3:]) if len(after) > 3 else ""
        # "root" as a whole (an account's root user, ``arn:aws:iam::<account>:root``), as the message says: AWS took
        # a policy naming it (radkawar/stackd commit 9dc356f5, testdata/aws/iam/root_access.json, the PutUserPolicy
        # of "features_scoped_reads"), and its root-task policies name ``arn:aws:iam::*:root``.
        if path not in ("*", "root") and not path.startswith(_IAM_PATHS):
            return m.IAM_RESOURCE_PATH
    return None


def _component(components: list[str], index: int) -> str:
    return components[index] if len(components) > index else ""


def _has_variable(text: str) -> bool:
    return has_variables(parse_template(text, True))


def _one_variable(text: str) -> bool:
    template = parse_template(text, True)
    return len(template) == 1 and has_variables(template)


def _check_sids(statements: Sequence[dict], kind: PolicyKind) -> None:
    """Unique Sids, then (IAM policies, not other services' resource policies) alphanumeric Sids.

    The alphanumeric message is quoted verbatim in Wolox/carthage_cache#22 and aws-cloudformation/cfn-lint#1376.
    """
    seen: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid")
        if not sid:
            continue
        if sid in seen:
            raise MalformedPolicyError(m.SID_NOT_UNIQUE)
        seen.add(sid)
    if kind is not PolicyKind.RESOURCE:
        for statement in statements:
            if not _SID.match(statement.get("Sid") or ""):
                raise MalformedPolicyError(m.SID_NOT_ALNUM)


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
