"""The policy simulator's questions, answered by :func:`evaluate` (the engine that enforces).

A :class:`Simulation` holds the policies of one simulated principal, each with where it came from (its
``SourcePolicyId``/``SourcePolicyType`` and text, for ``MatchedStatements`` positions).  :meth:`Simulation.run`
evaluates one (action, resource) with ``all_allows=True``, with the ``aws:ResourceAccount`` enforcement would put in
the context (:mod:`.resource_account`) unless the context names the key, and returns a :class:`Result`: the
engine's decision, the matched statements in the simulator's vocabulary, whether the permissions boundary allows the
action, and, for a cross-account simulation, how the identity side and the resource policy each decided.

``organization_levels`` simulates an AWS Organizations hierarchy of service control policies, root first, account
last: each level is evaluated by the same engine as a policy set of its own and must allow the request (an allowing
statement and no denying one; a level without SCPs allows nothing), as Organizations enforces SCPs (Organizations
User Guide, "SCP evaluation").  A level that denies explicitly makes the decision ``explicitDeny``, one that does not
allow makes an allowed decision ``implicitDeny``; SCP statements are never reported as matched statements (the
EvaluationResult reference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .aws_managed import judging_account
from .conditions.block import KeyCondition
from .document import Policy, PolicyKind, Statement
from .evaluate import AuthzRequest, Decision, PolicyRef, account_of, evaluate
from .positions import statement_positions
from .principal import Principal
from .resource_account import KEY as RESOURCE_ACCOUNT_KEY
from .resource_account import add_resource_account

_ALLOW_ALL = PolicyRef("simulator#allow-all", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                              '"Action":"*","Resource":"*"}]}')


@dataclass(frozen=True)
class Source:
    """One simulated policy: the engine's reference plus what the simulator reports about it."""

    ref: PolicyRef
    source_id: str
    source_type: str | None
    text: str
    positions: tuple[tuple[tuple[int, int], tuple[int, int]], ...] | None = None
    """Each statement's (start, end) in ``text`` when already known; read from the text when needed otherwise."""

    @property
    def statement_count(self) -> int:
        """How many statements the engine reads in the policy (0 for one it cannot read)."""
        document = self.ref.document
        return len(document.statements) if isinstance(document, Policy) else 0

    def readings(self, context_sizes: Mapping[str, int]) -> int:
        """What reading the policy once for one (action, resource) may cost, in statement readings
        (:func:`statement_readings`); ``context_sizes``: the number of values of each (lower-cased) context key."""
        document = self.ref.document
        if not isinstance(document, Policy):
            return 0
        return sum(statement_readings(statement, context_sizes) for statement in document.statements)


@dataclass(frozen=True)
class Matched:
    """A statement that determined a result, with its (line, column) span in its policy's text."""

    source: Source
    start: tuple[int, int] | None
    end: tuple[int, int] | None


@dataclass
class Result:
    """One (action, resource) answer."""

    decision: Decision
    matched: list[Matched]
    allowed_by_boundary: bool | None
    details: dict[str, str] | None = field(default=None)
    allowed_by_organizations: bool | None = None
    """Whether the simulated SCP hierarchy allows the request (``None``: no hierarchy simulated)."""


@dataclass
class Simulation:
    """Everything simulated for a principal; ``resource_policy`` and ``resource_owner`` apply to every resource."""

    principal: Principal
    identity: Sequence[Source]
    boundary: Source | None = None
    resource_policy: Source | None = None
    resource_owner: str | None = None
    organization_levels: Sequence[Sequence[Source]] | None = None

    @property
    def statement_count(self) -> int:
        """Every statement one (action, resource) may have to read: identity, boundary, resource policy, SCPs."""
        levels = [source for level in self.organization_levels or () for source in level]
        return sum(source.statement_count for source in (*self.identity, self.boundary, self.resource_policy,
                                                         *levels) if source is not None)

    def readings(self, context: Mapping[str, Any]) -> int:
        """What one (action, resource) may cost to read, in statement readings, over every simulated policy
        (:meth:`Source.readings`) with ``context`` (the simulated request's ContextEntries)."""
        sizes = {key.lower(): len(value) if isinstance(value, (list, tuple, set, frozenset)) else 1
                 for key, value in context.items()}
        levels = [source for level in self.organization_levels or () for source in level]
        return sum(source.readings(sizes) for source in (*self.identity, self.boundary, self.resource_policy,
                                                         *levels) if source is not None)

    def sources(self) -> dict[str, Source]:
        found = {source.ref.policy_id: source for source in self.identity}
        for source in (self.boundary, self.resource_policy):
            if source is not None:
                found[source.ref.policy_id] = source
        return found

    def run(self, action: str, resource: str, context: Mapping[str, Any], now: datetime,
            names_account: bool | None = None) -> Result:
        """One (action, resource) over ``context``; ``names_account``: whether the context names
        ``aws:ResourceAccount`` (:func:`names_key`), when the caller has found it once for many pairs (reading a
        context of thousands of keys for every pair cost a millisecond a pair)."""
        # An AWS managed policy is judged as the caller's own, as the server judges a real call on it.
        resource_account = (judging_account(resource, self.principal.account) or _account_named(resource)
                            or self.resource_owner or self.principal.account)
        if not (names_key(context, RESOURCE_ACCOUNT_KEY) if names_account is None else names_account):
            # aws:ResourceAccount as enforcement sets it, unless ContextEntries supply it.
            context = dict(context)
            add_resource_account(context, resource, resource_account, self.principal.account)
        request = AuthzRequest(
            principal=self.principal, action=action, resource=resource, context=context,
            identity_policies=[source.ref for source in self.identity],
            permissions_boundary=self.boundary.ref if self.boundary else None,
            resource_policy=self.resource_policy.ref if self.resource_policy else None,
            resource_account=resource_account, now=now, all_allows=True,
        )
        decision = evaluate(request)
        organizations = None
        if self.organization_levels is not None:
            decision, organizations = self._organizations(decision, action, resource, context, now)
        by_id = self.sources()
        matched = [_matched(by_id[m.policy_id], m.index) for m in decision.matched_statements if m.policy_id in by_id]
        boundary = None
        if self.boundary is not None:
            alone = AuthzRequest(principal=self.principal, action=action, resource=resource, context=context,
                                 identity_policies=[self.boundary.ref], now=now)
            boundary = evaluate(alone).allowed
        details = None
        owner = resource_account or self.principal.account
        if resource != "*":
            details = {}
            if owner != self.principal.account:
                details = self._cross_account(request)
        return Result(decision, matched, boundary, details, organizations)

    def _organizations(self, decision: Decision, action: str, resource: str, context: Mapping[str, Any],
                       now: datetime) -> tuple[Decision, bool]:
        """``decision`` as the SCP hierarchy leaves it, and whether the hierarchy allows the request."""
        levels = [evaluate(AuthzRequest(principal=self.principal, action=action, resource=resource, context=context,
                                        identity_policies=[source.ref for source in level], now=now))
                  for level in self.organization_levels or ()]
        allowed = all(level.allowed for level in levels)
        if allowed or decision.decision == "explicitDeny":
            return decision, allowed
        denied = any(level.decision == "explicitDeny" for level in levels)
        verdict = "explicitDeny" if denied else "implicitDeny"
        return replace(decision, decision=verdict, matched_statements=[], reason="organizations",
                       message=f"{verdict}: a service control policy of the simulated organization "
                               f"{'denies' if denied else 'does not allow'} {action}"), allowed

    def _cross_account(self, request: AuthzRequest) -> dict[str, str]:
        """How each side decided: the identity policies as if the resource were the caller's, the resource policy
        as if the identity side allowed everything, and the permissions boundary alone when one is simulated
        (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/simulation.json,
        "composition_cross_boundary_allow", "_implicit", "_deny")."""
        identity = replace(request, resource_policy=None, permissions_boundary=None,
                           resource_account=self.principal.account)
        resource = replace(request, identity_policies=[_ALLOW_ALL], permissions_boundary=None)
        details = {"IAM Policy": evaluate(identity).decision, "Resource Policy": evaluate(resource).decision}
        if self.boundary is not None:
            alone = replace(identity, identity_policies=[self.boundary.ref])
            details["Permissions Boundary Policy"] = evaluate(alone).decision
        return details


VARIABLE_READINGS = 20
"""A resource pattern or condition value with a policy variable is resolved, and its pattern compiled or looked up,
for every (action, resource): one to two microseconds (measured), twenty readings of a plain statement."""
KEY_READINGS = 5
"""One condition key tested against the context: about half a microsecond (measured)."""


def statement_readings(statement: Statement, context_sizes: Mapping[str, int]) -> int:
    """One statement's cost for one (action, resource), in readings of a plain statement: one, plus its patterns
    with variables (each resolved per request: :data:`VARIABLE_READINGS`), its condition keys
    (:data:`KEY_READINGS` each, and one per context value of the key, each matched) and their values with variables.
    A statement's static actions and resources are one compiled pattern each (matched in about a reading)."""
    total = 1
    resources = statement.resources
    if resources is not None:
        total += VARIABLE_READINGS * len(resources.dynamic)
    for condition in statement.conditions:
        total += KEY_READINGS
        if isinstance(condition, KeyCondition):
            total += context_sizes.get(condition.key, 0)
            if condition.prepared is None:
                total += VARIABLE_READINGS * len(condition.templates)
    return total


def load_source(policy_id: str, source_id: str, source_type: str | None, text: str,
                kind: PolicyKind = PolicyKind.IDENTITY) -> Source:
    """A stored or submitted policy as a :class:`Source` (unreadable text becomes the engine's ``Unreadable``)."""
    return Source(PolicyRef.load(policy_id, text, kind), source_id, source_type, text)


def _account_named(resource: str) -> str | None:
    """The account a simulated resource's ARN names: twelve digits; any other text in the account field (a
    hypothetical ``arn:aws:s3:region:account:name``) names none.  Recorded from AWS, 2026-09-11 (radkawar/stackd,
    testdata/aws/iam/simulation_inputs.json, "input_resource_format_4"): such a resource is simulated as the
    caller's own, not as another account's."""
    account = account_of(resource)
    return account if account is not None and len(account) == 12 and account.isascii() and account.isdigit() \
        else None


def names_key(context: Mapping[str, Any], key: str) -> bool:
    """Whether ``context`` holds ``key`` in any spelling (IAM matches key names case-insensitively)."""
    lowered = key.lower()
    return any(name.lower() == lowered for name in context)


def _matched(source: Source, index: int) -> Matched:
    positions = source.positions if source.positions is not None else statement_positions(source.text)
    if index < len(positions):
        return Matched(source, *positions[index])
    return Matched(source, None, None)
