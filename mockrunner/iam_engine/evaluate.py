"""``evaluate(request) -> Decision``: AWS's policy evaluation logic for one request.

Follows the IAM User Guide, "Policy evaluation logic" (and its "Cross-account policy evaluation
logic" page):

1. An explicit deny in any policy that applies (identity, permissions boundary, session, resource)
   wins.
2. Same account: identity-based policies OR the resource-based policy grant, except that a role trust policy
   must always allow (IAM User Guide, "Policy evaluation logic": a role's trust policy is a resource-based
   policy that an identity-based policy cannot stand in for). A resource-policy allow
   naming the caller's user ARN or role-session ARN is enough by itself and is not limited by the
   permissions boundary or session policies (save a role trust policy's, which the boundary still limits); one
   naming the role ARN (or everyone) joins the
   identity-based grant and is limited by both; one naming only the account needs the identity-based
   policy to allow. ("Permissions boundaries" and "Session policies" pages describe these nuances.)
3. Cross account: the identity side (after boundary and session intersection) AND the resource
   policy must both allow.
4. A permissions boundary and session policies intersect with identity-based grants. ``session_policies``
   of ``None`` means no session policy is in play; ``[]`` means a session whose policy set is empty,
   which allows nothing except what a resource policy grants to the session ARN directly.
   ``scope_down_policies`` (STS GetScopedCredentials) are session policies too, but each one is a layer of its
   own: every one of them must allow as well (the scoped session's permissions are the intersection of the
   calling session's and every scope-down policy of the chain).
5. A policy the engine cannot read (see :class:`Unreadable`) never allows and denies every request it takes
   part in: whatever it says (an Allow, a limit, a Deny) is unknown, so the only safe reading is "no". This is
   one rule for every layer, applied in :func:`_unreadable_errors`; only a readable explicit Deny takes
   precedence (it is certain). The decision names each unreadable policy and why in ``Decision.errors``.
   :func:`evaluate` never parses: a :class:`PolicyRef` holds a parsed :class:`Policy` or an :class:`Unreadable`.
6. The account root has every identity permission in its own account (callers may skip evaluate()
   for it; it still works here, so resource-policy denies and cross-account grants apply). Service
   principals have no identity: only the resource or trust policy decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from .cache import parse_policy
from .context import build_context
from .document import Policy, PolicyKind, Statement
from .memo import Memo, SharedMemos
from .messages import MalformedPolicyError, allowed_message, denial_message, unreadable_message
from .principal import MATCH_ACCOUNT, MATCH_SPECIFIC, MATCH_WILDCARD, Principal

IDENTITY, BOUNDARY, SESSION, RESOURCE = "identity", "permissionsBoundary", "session", "resource"
_LAYER_NAMES = {
    IDENTITY: "identity-based policy",
    BOUNDARY: "permissions boundary",
    SESSION: "session policy",
    RESOURCE: "resource-based policy",
    "root": "account root",
}
_NO_IDENTITY = frozenset({"Service", "Federated", "Anonymous"})


@dataclass(frozen=True)
class Unreadable:
    """Stands in for a policy the engine cannot read: ``reason`` says why (IAM's MalformedPolicyDocument text,
    or that the policy does not exist)."""

    reason: str


@dataclass(frozen=True)
class PolicyRef:
    """A policy as the store holds it: its id (ARN, or ``<owner-arn>#inline/<name>``), parsed document and kind.

    ``document`` is a parsed :class:`Policy` or an :class:`Unreadable`. Built from JSON text or a dict, the
    constructor parses it at once with ``kind``'s grammar and raises :class:`MalformedPolicyError` if it is
    invalid; :meth:`load` never raises and holds an :class:`Unreadable` instead. Either way evaluate() never
    parses.
    """

    policy_id: str
    document: Policy | Unreadable
    kind: PolicyKind = PolicyKind.IDENTITY

    def __post_init__(self) -> None:
        if not isinstance(self.document, Policy | Unreadable):
            object.__setattr__(self, "document", parse_policy(self.document, self.kind))

    @classmethod
    def load(cls, policy_id: str, document: str | dict | Policy | Unreadable,
             kind: PolicyKind = PolicyKind.IDENTITY) -> "PolicyRef":
        """A stored policy: parsed, or :class:`Unreadable` with IAM's reason when it cannot be."""
        try:
            return cls(policy_id, document, kind)
        except MalformedPolicyError as error:
            return cls(policy_id, Unreadable(error.message), kind)


@dataclass(slots=True)
class AuthzRequest:
    """Everything evaluate() needs; see the module docstring for the meaning of ``session_policies``.

    The server's authorizer builds one per check positionally (keywords cost more there than the rest of the
    call): a new field goes last, and the order of these stays."""

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)
    identity_policies: Sequence[PolicyRef] = ()
    permissions_boundary: PolicyRef | None = None
    session_policies: Sequence[PolicyRef] | None = None
    scope_down_policies: Sequence[PolicyRef] = ()
    resource_policy: PolicyRef | None = None
    resource_account: str | None = None
    now: datetime | None = None
    # True: report every allowing statement, as the policy simulator's MatchedStatements does. False: stop
    # evaluating a layer's Allow statements at its first match (Deny statements are always all checked), which
    # decides the same and is what the server's hot path uses; the explanation then names one allow per layer.
    all_allows: bool = True


class MatchedStatement(NamedTuple):
    """A statement that took part in the decision (a named tuple: cheap to make, and ``tuple(m)`` is plain)."""

    policy_id: str
    policy_kind: str
    index: int
    sid: str | None
    effect: str

    def to_dict(self) -> dict[str, Any]:
        """CLI/JSON form."""
        return {
            "policyId": self.policy_id,
            "policyKind": self.policy_kind,
            "index": self.index,
            "sid": self.sid,
            "effect": self.effect,
        }


class PolicyError(NamedTuple):
    """A policy that took part in a request but could not be read, and why."""

    policy_id: str
    policy_kind: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """CLI/JSON form."""
        return {"policyId": self.policy_id, "policyKind": self.policy_kind, "reason": self.reason}


@dataclass(slots=True)
class Decision:
    """The answer and why: ``reason`` names the deciding layer (or ``allowed``); ``errors`` the policies that
    could not be read (any of them makes the decision a denial)."""

    decision: str
    matched_statements: list[MatchedStatement]
    message: str
    reason: str
    errors: list[PolicyError] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """True only for ``allowed``."""
        return self.decision == "allowed"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object the CLI prints (``errors`` only when a policy could not be read)."""
        out = {
            "decision": self.decision,
            "matchedStatements": [m.to_dict() for m in self.matched_statements],
            "message": self.message,
        }
        if self.errors:
            out["errors"] = [e.to_dict() for e in self.errors]
        return out


Plan = tuple[tuple[PolicyRef, Statement, bool, MatchedStatement], ...]
"""Per candidate statement: its policy, the statement, whether its resource still needs matching, and the
:class:`MatchedStatement` that names it in the layer the plan was built for."""

Guard = tuple[Statement, bool, bool]
"""A statement evaluated that may read the time, whether its resource still needed matching, and whether it
passed (its conditions and resource held): see :func:`evaluate_guarded`."""


class PolicySet(tuple):
    """Policies evaluated together again and again (a principal's identity or session policies).

    A plain sequence of :class:`PolicyRef` to the engine, which also keeps, per (action, resource, layer), the
    statements that can apply (see :func:`_build_plan`) so that repeated requests skip every other statement
    and every irrelevant policy without looking at them.  Each set keeps its plans in a table of its own
    (:attr:`plans`), which goes with it: a plan holds the set's statements, so plans kept apart from their set (by
    its number, before) kept every statement of a set long dropped alive.  The plans of every set are counted
    together (:data:`_PLANS`).
    """

    def __new__(cls, refs: Iterable[PolicyRef]) -> "PolicySet":
        made = super().__new__(cls, refs)
        made.serial = next(_SERIALS)
        made.unreadable = _unreadable_refs(made)
        made.plans = Memo()
        return made

    def plan(self, action: str, resource: str, layer: str) -> Plan:
        key = (action, resource, layer)
        hit = self.plans.get(key)
        if hit is None:
            hit = _PLANS.keep(self.plans, key, _build_plan(self, action, resource, layer))
        return hit


_SERIALS = itertools.count(1)
PLANS_KEPT = 32_768
"""Plans kept in the process, for every policy set together; past this many they start over.  (Each set kept 2,048
of its own before, and a server keeps thousands of sets, one per compiled principal: a caller minting sessions
could make them hold gigabytes.)"""
_PLANS = SharedMemos(PLANS_KEPT)
"""Every :class:`PolicySet`'s plans (each in its set's :attr:`~PolicySet.plans`, by action, resource and layer),
counted together."""


def _unreadable_refs(refs: Iterable[PolicyRef]) -> tuple[PolicyRef, ...]:
    return tuple(ref for ref in refs if ref.document.__class__ is Unreadable)


def _unreadable_errors(request: AuthzRequest) -> list[PolicyError]:
    """Every policy of the request the engine cannot read, in layer order: the fail-closed rule's input.

    An unreadable policy contributes no statement to any layer (``_build_plan`` skips it) and any of them makes
    the request denied (:func:`evaluate`), so what it could have allowed, limited or denied all ends in "no".
    """
    identity = request.identity_policies
    if (identity.__class__ is PolicySet and not identity.unreadable and request.permissions_boundary is None
            and request.session_policies is None and request.resource_policy is None
            and not request.scope_down_policies):
        return []  # the common case: one readable compiled identity layer, nothing else
    errors: list[PolicyError] = []
    for layer, refs in ((IDENTITY, identity), (BOUNDARY, request.permissions_boundary),
                        (SESSION, request.session_policies), (RESOURCE, request.resource_policy)):
        if refs is None:
            continue
        if refs.__class__ is PolicyRef:
            unreadable = (refs,) if refs.document.__class__ is Unreadable else ()
        else:
            unreadable = refs.unreadable if refs.__class__ is PolicySet else _unreadable_refs(refs)
        if unreadable:
            errors += [PolicyError(ref.policy_id, layer, ref.document.reason) for ref in unreadable]
    if request.scope_down_policies:
        errors += [PolicyError(ref.policy_id, SESSION, ref.document.reason)
                   for ref in _unreadable_refs(request.scope_down_policies)]
    return errors


def _build_plan(refs: Sequence[PolicyRef], action: str, resource: str, layer: str) -> Plan:
    """The candidate statements of ``refs`` for (lower-cased action, resource) in ``layer``: every Deny, then
    every Allow.

    Each list keeps document order (policy by policy). Denies first lets a scan that needs only one Allow stop at
    it: by then every statement that could deny has been seen.
    """
    denies: list[tuple[PolicyRef, Statement, bool, MatchedStatement]] = []
    allows: list[tuple[PolicyRef, Statement, bool, MatchedStatement]] = []
    for ref in refs:
        policy = ref.document
        if policy.__class__ is Unreadable:
            continue
        for statement, check_resource in policy.candidates(action, resource):
            matched = MatchedStatement(ref.policy_id, layer, statement.index, statement.sid, statement.effect)
            (denies if statement.is_deny else allows).append((ref, statement, check_resource, matched))
    return (*denies, *allows)


def _scan(
    refs: Sequence[PolicyRef],
    layer: str,
    request: AuthzRequest,
    action: str,
    ctx: dict[str, Any],
    denies: list[MatchedStatement],
    first_allow: bool,
    hows: list[str | None] | None = None,
    guards: list[Guard] | None = None,
) -> list[MatchedStatement]:
    """The Allow statements of one layer's policies that apply to the request (appending its Denies to ``denies``).

    With ``hows``, how each allow's ``Principal`` named the caller is appended to it, in the same order (resource
    policies).  With ``first_allow``, the scan stops at the first Allow that applies: the plan puts Denies first,
    so none can come after it.  With ``guards``, each statement evaluated that may read the time
    (:attr:`Statement.reads_time`) is appended to it with whether it passed (see :func:`evaluate_guarded`).
    """
    resource, principal = request.resource, request.principal
    has_boundary = request.permissions_boundary is not None
    if isinstance(refs, PolicySet):
        plan = refs.plan(action, resource, layer)
    else:
        plan = _build_plan(refs, action, resource, layer)
    allows: list[MatchedStatement] = []
    for _ref, statement, check_resource, matched in plan:
        is_deny = statement.is_deny
        passes = _passes(statement, check_resource, resource, ctx)
        if guards is not None and statement.reads_time:
            guards.append((statement, check_resource, passes))
        if not passes:
            continue
        how = None
        if statement.not_principal:
            # "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported"
            # (User Guide, "NotPrincipal"): such a statement grants nothing. A Deny spares only a caller all of whose
            # identities it names (PrincipalMatcher.names_every_identity), and "will always deny any IAM principal
            # that has a permissions boundary policy attached, regardless of the values specified in the
            # NotPrincipal element" (User Guide, "Permissions boundaries for IAM entities").
            if not is_deny or (not has_boundary and statement.principals.names_every_identity(principal)):
                continue
            how = MATCH_WILDCARD
        elif statement.principals is not None:
            how = statement.principals.match(principal)
            if how is None:
                continue
        if is_deny:
            denies.append(matched)
        else:
            allows.append(matched)
            if hows is not None:
                hows.append(how)
            if first_allow:
                break
    return allows


def account_of(resource: str) -> str | None:
    """The account field of a resource ARN (``None`` for ``*``, a non-ARN or an ARN without one)."""
    if resource.startswith("arn:"):
        parts = resource.split(":", 5)
        if len(parts) == 6 and parts[4]:
            return parts[4]
    return None


cached_account_of = lru_cache(maxsize=4096)(account_of)
""":func:`account_of`, remembered: a server asks it of the same resources again and again."""


def evaluate(request: AuthzRequest) -> Decision:
    """Decide one request. Never raises for a policy's content: unreadable policies deny (module rule 5)."""
    return _evaluate(request, None)


def evaluate_guarded(request: AuthzRequest) -> tuple[Decision, tuple[Guard, ...]]:
    """:func:`evaluate`, and the statements it evaluated that may read ``aws:CurrentTime`` or ``aws:EpochTime``
    (:attr:`Statement.reads_time`), each with whether it passed.

    Every other input of a decision is in the request (its context, principal, action, resource and policies): a
    statement that reads no time passes or not for the same request whenever it is asked.  So the same request made
    later is decided the same as long as every guard passes as it did (:func:`guards_hold`): each statement then
    fares as before, in the same order, up to the same deciding one.  No guards: the decision holds at any time."""
    guards: list[Guard] = []
    decision = _evaluate(request, guards)
    return decision, tuple(guards)


def guards_hold(guards: Sequence[Guard], context: Mapping[str, Any], principal: Principal, resource: str,
                now: datetime) -> bool:
    """Whether each guard of :func:`evaluate_guarded` passes again as it did, for the request it was made for
    (``context``, ``principal``, ``resource``) at ``now``."""
    ctx = build_context(context, principal, now)
    return all(_passes(statement, check_resource, resource, ctx) is passed
               for statement, check_resource, passed in guards)


def _passes(statement: Statement, check_resource: bool, resource: str, ctx: dict[str, Any]) -> bool:
    """Whether ``statement``'s conditions and resource hold for the request (unknown: only a Deny's do)."""
    test = statement.test
    if test is not None:
        result = test(ctx)
        # Unknown (None) fails closed: it never allows, and it does deny.
        if result is False or (result is None and not statement.is_deny):
            return False
    # Resources with policy variables last: resolving them costs more than most conditions.
    return not (check_resource and statement.resources.match(resource, ctx) is statement.not_resource)


def _evaluate(request: AuthzRequest, guards: list[Guard] | None) -> Decision:
    """:func:`evaluate`, noting in ``guards`` each statement evaluated that may read the time (see :func:`_scan`)."""
    principal = request.principal
    now = request.now or datetime.now(UTC)
    ctx = build_context(request.context, principal, now)
    action = request.action.lower()
    resource = request.resource

    # Layers in the order AWS lists them; the first layer holding a Deny names the explicit denial.
    first_allow = not request.all_allows
    denies: list[MatchedStatement] = []
    id_allows = _scan(request.identity_policies, IDENTITY, request, action, ctx, denies, first_allow, None, guards)
    boundary_allows = session_allows = None
    if request.permissions_boundary is not None:
        boundary_allows = _scan((request.permissions_boundary,), BOUNDARY, request, action, ctx, denies, first_allow,
                                None, guards)
    if request.session_policies is not None:
        session_allows = _scan(request.session_policies, SESSION, request, action, ctx, denies, first_allow, None,
                               guards)
    # Each scope-down policy must allow on its own: a list of per-policy allows, checked after the other layers.
    scope_down_allows = [_scan((ref,), SESSION, request, action, ctx, denies, first_allow, None, guards)
                         for ref in request.scope_down_policies] if request.scope_down_policies else []
    # A resource policy's allows differ by how they name the principal, so all of them are kept, each with how.
    res_allows: list[tuple[MatchedStatement, str | None]] = []
    if request.resource_policy is not None:
        hows: list[str | None] = []
        res_allows = list(zip(_scan((request.resource_policy,), RESOURCE, request, action, ctx, denies, False, hows,
                                    guards), hows, strict=True))
    errors = _unreadable_errors(request)
    if denies:
        return _deny(request, denies[0].policy_kind, True, denies, errors)
    if errors:
        first = errors[0]
        message = unreadable_message(principal.arn, request.action, resource, _LAYER_NAMES[first.policy_kind],
                                     first.policy_id, first.reason)
        return Decision("implicitDeny", [], message, first.policy_kind, errors)

    if principal.type in _NO_IDENTITY:
        if res_allows:
            return _allow(request, [RESOURCE], [m for m, _ in res_allows])
        return _deny(request, RESOURCE, False)

    is_root = principal.type == "Account"
    resource_account = request.resource_account or cached_account_of(resource) or principal.account
    same_account = principal.account is not None and resource_account == principal.account

    if same_account and not res_allows:
        # No resource-policy grant (the common case: no resource policy at all): the identity side alone.
        if request.resource_policy is not None and request.resource_policy.kind is PolicyKind.TRUST:
            return _deny(request, RESOURCE, False)
        if not (id_allows or is_root):
            return _deny(request, IDENTITY, False)
        grants = id_allows
    elif same_account:
        specific = [m for m, how in res_allows if how == MATCH_SPECIFIC]
        if specific:
            # A grant naming the session itself skips the session policies, but never a scope-down policy:
            # scoped credentials can never do more than their scope allows (fail closed; see behaviour.md).
            if not all(scope_down_allows):
                return _deny(request, SESSION, False)
            # A role's trust policy naming a user still needs the user's boundary to allow: "If a permissions
            # boundary is set for the user, then it must allow the sts:AssumeRole action" (IAM User Guide, "Update
            # a role trust policy").
            if request.resource_policy.kind is PolicyKind.TRUST and boundary_allows is not None \
                    and not boundary_allows:
                return _deny(request, BOUNDARY, False)
            return _allow(request, [RESOURCE], specific)
        joined = [m for m, how in res_allows if how != MATCH_SPECIFIC and how != MATCH_ACCOUNT]
        if not (id_allows or joined or is_root):
            return _deny(request, IDENTITY, False)
        grants = id_allows + joined + ([m for m, how in res_allows if how == MATCH_ACCOUNT] if id_allows else [])
    else:
        if not (id_allows or is_root):
            return _deny(request, IDENTITY, False)
        grants = id_allows
    names = ([IDENTITY] if id_allows else []) + (["root"] if is_root else [])
    if boundary_allows is not None:
        if not boundary_allows:
            return _deny(request, BOUNDARY, False)
        grants += boundary_allows
        names.append(BOUNDARY)
    if session_allows is not None:
        if not session_allows:
            return _deny(request, SESSION, False)
        grants += session_allows
        names.append(SESSION)
    if scope_down_allows:
        if not all(scope_down_allows):
            return _deny(request, SESSION, False)
        grants += [m for allows in scope_down_allows for m in allows]
        if SESSION not in names:
            names.append(SESSION)
    if not same_account:
        if not res_allows:
            return _deny(request, RESOURCE, False)
        grants += [m for m, _ in res_allows]
    if res_allows and RESOURCE not in names and any(m in grants for m, _ in res_allows):
        names.append(RESOURCE)
    return _allow(request, names, grants)


def layer_statements(refs: Sequence[PolicyRef], layer: str,
                     request: AuthzRequest) -> tuple[list[MatchedStatement], list[MatchedStatement]]:
    """Every Deny and every Allow statement of one layer's policies (``layer`` one of :data:`IDENTITY`,
    :data:`BOUNDARY`, :data:`SESSION`, :data:`RESOURCE`) that applies to ``request``, for explanations: what
    the layer says on its own, before the layers are combined."""
    ctx = build_context(request.context, request.principal, request.now or datetime.now(UTC))
    denies: list[MatchedStatement] = []
    allows = _scan(refs, layer, request, request.action.lower(), ctx, denies, False)
    return denies, allows


def _deny(request: AuthzRequest, layer: str, explicit: bool, matched: list[MatchedStatement] | None = None,
          errors: list[PolicyError] | None = None) -> Decision:
    message = denial_message(request.principal.arn, request.action, request.resource, layer, explicit)
    return Decision("explicitDeny" if explicit else "implicitDeny", matched or [], message, layer, errors or [])


def _allow(request: AuthzRequest, layers: list[str], matched: list[MatchedStatement]) -> Decision:
    message = _allowed_text(request.principal.arn, request.action, request.resource, tuple(layers))
    return Decision("allowed", matched, message, "allowed")


@lru_cache(maxsize=4096)
def _allowed_text(principal_arn: str, action: str, resource: str, layers: tuple[str, ...]) -> str:
    """The allow explanation, one shared string per (principal, action, resource, layers): the same request
    answered again hands on the same text, which later lookups (display form, decision log) find by identity."""
    return allowed_message(principal_arn, action, resource, [_LAYER_NAMES[layer] for layer in layers])
