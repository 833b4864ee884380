"""Authorization: where the policy engine meets the store.

``authorize(ctx, checks)`` evaluates each :class:`Check` of a request for ``ctx.caller``; ``decide(store,
who, check)`` is the same evaluation for a principal that is not the request's caller (App Runner's service
principal assuming a role, a role's own policies for the ECR pull).  Which policies apply:

- root: none (the engine lets the account root through; resource policies still count across accounts);
- an IAM user: inline + attached managed policies, those of the user's groups, and the permissions boundary;
- a role session: the role's inline + attached policies, its boundary, and the session policies (inline
  ``Policy`` and ``PolicyArns`` given to AssumeRole), which intersect;
- a service principal: nothing but the resource (trust) policy.

The compiled policy set of a principal is cached, keyed by the account's ``IamState.version`` — bumped by every
IAM mutation — so a cached set is never stale and a warm call costs one dict lookup plus the evaluation.  The cache
keeps principals within a weight of the policies they hold (:data:`PRINCIPALS_WEIGHT`), and what is remembered for
a principal (its sets' plans, its kept decisions) goes with it.

Stored documents are handed to the engine parsed (``PolicyRef.load``): one the engine cannot read, and a
permissions boundary whose policy does not exist, become ``Unreadable`` references, which the engine's one
fail-closed rule turns into a denial naming them.  Nothing is skipped and nothing raises mid-evaluation.

Every decision is appended to ``store.decision_log`` (bounded) for the admin API, and to ``ctx.decisions``.
"""
from __future__ import annotations

import ipaddress
import itertools
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mockrunner.arns import split_arn
from mockrunner.auth.caller import Caller
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import (
    AuthzRequest,
    Decision,
    Policy,
    PolicyKind,
    PolicyRef,
    PolicySet,
    Principal,
    Unreadable,
    evaluate,
    evaluate_guarded,
    guards_hold,
)
from mockrunner.iam_engine.cache import weight_of
from mockrunner.iam_engine.context import REUSABLE_TYPES
from mockrunner.iam_engine.document import TRUST_ACTIONS_LOWER
from mockrunner.iam_engine.memo import Memo
from mockrunner.iam_engine.resource_account import add_resource_account
from mockrunner.model import decision_log
from mockrunner.model.derived import WeighedCache
from mockrunner.model.managed_policies import aws_managed_policy
from mockrunner.protocol.specs import SERVICES

if TYPE_CHECKING:
    from mockrunner.auth.check import Check
    from mockrunner.context import RequestContext
    from mockrunner.model.iam import IamState, Role, User
    from mockrunner.model.store import Store

# A denial: query services answer 403 (IAM's and STS's "Common Errors"); the awsJson services answer
# AccessDeniedException with 400, ECR's attested (docs/behaviour.md, "ECR and App Runner denials are HTTP 400").
# rest-json (IAM Toolbox): its model's AccessDeniedException, 403.
_DENIAL_CODES = {"query": ("AccessDenied", 403), "json": ("AccessDeniedException", 400),
                 "rest-json": ("AccessDeniedException", 403)}
# STS answers AssumeRole denials without the "because ..." clause, as raw error responses show
# (docs/behaviour.md, "App Runner authorization: denial messages"), sts:SetSourceIdentity's too
# (noqdev/iambic#357, MaterializeInc/materialize#37427;
# docs/behaviour.md, "Sweep: credential clients' expectations"), sts:AssumeRoot's too (an explicit deny, recorded:
# docs/behaviour.md, "Parity sweep against stackd's recordings of MFA, root access and reporting").
_BARE_MESSAGE_ACTIONS = frozenset({"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity", "sts:AssumeRoot"})
# IAM names an existing user/role/group as "<kind> <name>" in its denial messages and a managed policy as "policy
# <arn>", but uses the bare ARN for Create* (the entity does not exist yet) and for iam:PassRole.  Real messages:
# "iam:GetRole on resource: role cdk-hnb659fds-file-publishing-role-..." (aws/aws-cdk#27067), "iam:GetGroup on
# resource: group deploy-group", "iam:GetPolicy on resource: policy arn:aws:iam::aws:policy/..." (Terraform and
# Greengrass logs), "iam:CreateRole on resource: arn:aws:iam::<acct>:role/..." and "iam:PassRole on resource:
# arn:aws:iam::<acct>:role/..." (alphagov/govuk-infrastructure#2439).
_IAM_DISPLAY_KINDS = ("user", "role", "group")
_CREATING_ON_AN_EXISTING_USER = frozenset({"iam:CreateAccessKey", "iam:CreateLoginProfile",
                                           "iam:CreateServiceSpecificCredential"})
# Create* actions whose resource is a user that exists already are named as "user <name>", as other reads and
# writes of a user: "iam:CreateAccessKey on resource: user mella-admin because no identity-based policy allows ..."
# and "... on resource: user nullweb_admin" (CloudTrail records quoted in public incident write-ups;
# 99designs/aws-vault#190, "user null").  CreateLoginProfile and CreateServiceSpecificCredential follow by analogy
# (docs/behaviour.md, "Hostile input: forty-eighth pass").
# aws:RequestedRegion of a global service is the Region its single endpoint is in, whatever Region the client
# signs for: IAM's requests "are made to the us-east-1 Region" (IAM User Guide, "AWS: Denies access to AWS based
# on the requested Region").
_GLOBAL_SERVICE_REGIONS = {"iam": "us-east-1"}


@dataclass(frozen=True)
class CompiledPrincipal:
    """Everything about a principal the engine needs, parsed once per IAM state version.

    The identity and session policies are engine ``PolicySet`` objects: each keeps, per (action, resource), the
    statements that can apply, so a principal with 10 policies of 10 statements evaluates only the handful that
    matter for a given call.  The boundary is passed whole: an irrelevant boundary must still deny.
    """

    principal: Principal
    identity: PolicySet
    boundary: PolicyRef | None
    session: PolicySet | None
    scope_downs: tuple[PolicyRef, ...] = ()
    """GetScopedCredentials' scope-down policies, each an intersecting layer of its own."""
    serial: int | None = field(default=None, compare=False, repr=False)
    """Unique in the process for a principal compiled from IAM state (``None`` for the root's and a service's, made
    afresh for each check): its decisions are kept in :attr:`decisions` (counted with every other principal's in the
    store's :attr:`~mockrunner.model.store.Store.decisions`) under this number and the request decided
    (:func:`_decision_key`), each as ``[decision, its decision log fields (made at its first record), its
    guards]``.  The same request again is answered from there when its guards (the
    statements evaluated that may read the time, :func:`evaluate_guarded`) pass as they did; otherwise it is decided
    anew, and that decision kept instead.  This object is replaced on every IAM change (with a new number), so a
    kept decision is never found for policies other than the ones it was decided on."""
    decisions: Memo = field(default_factory=Memo, compare=False, repr=False)
    """The decisions kept for this principal (see :attr:`serial`): they go with it, guards (statements) and all."""


def service_principal(name: str) -> Principal:
    """An AWS service (e.g. ``build.apprunner.amazonaws.com``) as the caller of a dependent check."""
    return Principal(arn=name, account=None, type="Service")


def caller_for_role_session(store: "Store", account_id: str, role_name: str, session_name: str) -> Caller | None:
    """A session of ``role_name`` as if assumed (by App Runner, say); ``None`` if the role does not exist."""
    account = store.account(account_id)
    role = account.iam.roles.get(role_name) if account else None
    if role is None:
        return None
    return Caller(
        account_id=account_id, arn=f"arn:aws:sts::{account_id}:assumed-role/{role.name}/{session_name}",
        user_id=f"{role.role_id}:{session_name}", kind="AssumedRole", access_key_id="", entity_name=role.name,
        session_name=session_name, role_arn=role.arn, credential_source="AssumeRole", tags=dict(role.tags),
    )


DenialNote = Callable[["RequestContext", tuple["Check", ...], "Check", Decision, ServiceError], ServiceError]
DENIAL_NOTES: list[DenialNote] = []
"""Run on the AccessDenied :func:`authorize` is about to raise, with the checks decided (the denied one last), the
denied check and its decision; each returns the error to raise (the Access Troubleshooter adds its authorization id
to IAM's)."""


def authorize(ctx: "RequestContext", checks: Iterable["Check"]) -> None:
    """Evaluate every check for ``ctx.caller``; the first denial raises AccessDenied (mode ``on``)."""
    decided: list[Check] = []  # the checks as they are asked (a generator's later checks may depend on earlier)
    denied = _first_denial(ctx, ctx.caller, checks, None, decided)
    if denied is not None:
        error = denial(ctx, *denied)
        for note in DENIAL_NOTES:
            error = note(ctx, tuple(decided), *denied, error)
        raise error


def note_use(ctx: "RequestContext") -> None:
    """Record in the caller's IAM state that its user or role, and its access key, just called ``ctx.service``
    (what last-used and last-accessed reports read).  Called once the operation succeeded: a refused or failed
    request changes no state, this record included.  A changed record marks the request ``state_changed``, so it
    is saved before the answer like a mutation."""
    caller = ctx.caller
    if caller is None or caller.kind == "Anonymous":
        return
    account = ctx.store.account(caller.account_id)
    if account is None:
        return
    iam = account.iam
    service, region, now = _namespace(ctx.service), ctx.region or "us-east-1", ctx.store.clock.now()
    if caller.access_key_id in iam.access_keys:
        ctx.state_changed |= iam.record_use(caller.access_key_id, service, region, now)
    entity = _used_entity(iam, caller)
    if entity is not None:
        ctx.state_changed |= iam.record_use(entity.arn, service, region, now)


def _used_entity(iam: "IamState", caller: Caller) -> "User | Role | None":
    """The user or role whose use a request of ``caller`` is, while it exists: a session of a deleted role (or of
    a namesake's predecessor) records nothing, so no record outlives its entity or passes to a namesake."""
    if caller.kind == "AssumedRole":
        return iam.session_role(caller.entity_name, caller.user_id)
    if caller.kind == "User":
        user = iam.users.get(caller.entity_name or "")
        return user if user is not None and user.user_id == caller.user_id else None
    return None


@lru_cache(maxsize=64)
def _namespace(service: str) -> str:
    return SERVICES[service].action_prefix


def authorize_principal(ctx: "RequestContext", who: Principal, checks: Iterable["Check"],
                        details: Mapping[str, Any] | None = None) -> Decision | None:
    """Evaluate ``checks`` for ``who`` instead of the request's caller (a federated identity provider presenting
    its token); the first denial in mode ``on`` is returned for the operation to answer in its own words.
    ``details`` (the token's claims, say) are recorded with each decision."""
    denied = _first_denial(ctx, who, checks, details)
    return denied[1] if denied is not None else None


def _first_denial(ctx: "RequestContext", who: Caller | Principal, checks: Iterable["Check"],
                  details: Mapping[str, Any] | None, decided: list["Check"] | None = None
                  ) -> tuple["Check", Decision] | None:
    """Decide every check for ``who`` (mode ``soft``: all of them, recorded) and return the first denial in
    mode ``on``; mode ``off`` decides nothing.  Each check decided is appended to ``decided`` if given."""
    mode = ctx.store.settings.enforce
    if mode == "off":
        return None
    store, base, request_id = ctx.store, request_context(ctx), ctx.request_id
    for check in checks:
        if decided is not None:
            decided.append(check)
        decision = _decide(store, who, check, base, request_id, details, store.clock.now())
        ctx.decisions.append(decision)
        if mode == "on" and decision.decision != "allowed":
            return check, decision
    return None


def denial(ctx: "RequestContext", check: "Check", decision: Decision) -> ServiceError:
    protocol = ctx.service_model.protocol if ctx.service_model is not None else "query"
    code, status = _DENIAL_CODES.get(protocol, _DENIAL_CODES["query"])
    return ServiceError(code, decision_message(check, decision), status, True)


def decision_message(check: "Check", decision: Decision) -> str:
    """The engine's message, with IAM's display names and STS's short AssumeRole form."""
    if check.shown_as is not None:
        return decision.message.replace(f"on resource: {check.resource}", f"on resource: {check.shown_as}", 1)
    if check.named_by_arn:
        return decision.message
    return _displayed(check.action, check.resource, decision.message)


@lru_cache(maxsize=4096)
def _displayed(action: str, resource: str, message: str) -> str:
    display = display_resource(action, resource)
    if display != resource:
        message = message.replace(f"on resource: {resource}", f"on resource: {display}", 1)
    if action in _BARE_MESSAGE_ACTIONS:
        head, sep, _ = message.partition(f"on resource: {display}")
        message = head + sep if sep else message
    return message


@lru_cache(maxsize=4096)
def display_resource(action: str, resource: str) -> str:
    # iam:PassRole is checked by the service the role is passed to, which names the role by its ARN
    # ("... not authorized to perform: iam:PassRole on resource: arn:aws:iam::<acct>:role/<name>").
    if (not action.startswith("iam:") or action == "iam:PassRole" or not resource.startswith("arn:")
            or action.startswith("iam:Create") and action not in _CREATING_ON_AN_EXISTING_USER):
        return resource
    arn = split_arn(resource)
    if arn is None or arn.service != "iam":
        return resource
    kind = arn.resource_type
    if kind in _IAM_DISPLAY_KINDS and arn.resource_path:
        return f"{kind} {arn.name}"
    if kind == "policy":
        return f"policy {resource}"
    if kind == "role-template":
        # "... iam:GetRoleTemplateVersion on resource: role-template arn:aws:iam::aws:role-template/..." (recorded
        # from AWS, 2026-09-12: radkawar/stackd commit 9dc356f5, testdata/aws/iam/role_acquisition.json,
        # "template_read_without_permission").
        return f"role-template {resource}"
    return resource


@lru_cache(maxsize=256)
def source_ip(peer: str) -> str:
    """``aws:SourceIp`` for a socket peer: an IPv6 (dual-stack) listener sees an IPv4 client as ``::ffff:a.b.c.d``,
    but the client sent IPv4 and AWS would see ``a.b.c.d`` (the engine never compares a mapped address)."""
    if peer.startswith("::ffff:") and "." in peer:
        try:
            mapped = ipaddress.IPv6Address(peer).ipv4_mapped
        except ValueError:
            return peer
        if mapped is not None:
            return str(mapped)
    return peer


def request_context(ctx: "RequestContext") -> dict[str, Any]:
    """Condition keys every check of this request shares (the principal's own keys come from the engine)."""
    values: dict[str, Any] = {
        "aws:SourceIp": source_ip(ctx.remote_addr),
        "aws:SecureTransport": bool(ctx.secure),
        "aws:ViaAWSService": False,
        "aws:PrincipalIsAWSService": False,
    }
    region = _GLOBAL_SERVICE_REGIONS.get(ctx.service or "", ctx.region)
    if region:
        values["aws:RequestedRegion"] = region
    headers = ctx.headers
    # "aws:UserAgent ... always included in the request context", the caller's User-Agent header; "aws:referer",
    # the Referer header, where the caller sent one (IAM User Guide, global condition keys; see
    # (docs/behaviour.md, "aws:UserAgent and aws:referer")).
    agent = headers.get("user-agent")
    if agent is not None:
        values["aws:UserAgent"] = agent
    referer = headers.get("referer")
    if referer is not None:
        values["aws:referer"] = referer
    caller = ctx.caller
    if caller is None or (caller.token_issued_at is None and caller.source_identity is None
                          and caller.federated_provider is None and caller.mfa_authenticated_at is None
                          and caller.federated_subject is None):
        return values  # long-term credentials (most requests): none of the session's keys below
    if caller.token_issued_at is not None:
        # "The date and time that temporary security credentials were issued" (global condition keys): what a
        # role's "revoke active sessions" policy tests.
        values["aws:TokenIssueTime"] = caller.token_issued_at
    if caller.source_identity is not None:
        # "present in the request for all actions that are taken by the role" (STS API reference, SourceIdentity).
        values["aws:SourceIdentity"] = caller.source_identity
    if caller.federated_provider is not None:
        # A web identity session's requests hold the provider's issuer without https:// (recorded from AWS; see
        # docs/behaviour.md, "aws:FederatedProvider and GetWebIdentityToken's claims").
        values["aws:FederatedProvider"] = caller.federated_provider
    values.update(_federation_keys(caller))
    if caller.mfa_authenticated_at is not None:
        values["aws:MultiFactorAuthPresent"] = True
        values["aws:MultiFactorAuthAge"] = max(0, int((ctx.store.clock.now() - caller.mfa_authenticated_at)
                                                      .total_seconds()))
    elif caller.token_issued_at is not None:
        # "present only in requests that are signed using temporary security credentials": every session,
        # GetFederationToken's too, says whether MFA was used; long-term keys carry no such key.
        values["aws:MultiFactorAuthPresent"] = False
    return values


def _federation_keys(caller: Caller) -> dict[str, str]:
    """The keys naming the user a federated role session's federation named, which the IAM User Guide writes into
    the role's permissions policies: ``<provider URL>:sub`` of a web identity session, ``saml:sub``,
    ``saml:sub_type`` and ``saml:namequalifier`` of a SAML one; evidence:
    (docs/behaviour.md, "aws:FederatedProvider and GetWebIdentityToken's claims")."""
    if caller.federated_subject is None:
        return {}
    if caller.federated_provider is not None:
        return {f"{caller.federated_provider}:sub": caller.federated_subject}
    keys = {"saml:sub": caller.federated_subject, "saml:sub_type": caller.saml_subject_type,
            "saml:namequalifier": caller.saml_name_qualifier}
    return {key: value for key, value in keys.items() if value is not None}


def decide(
    store: "Store",
    who: Caller | Principal,
    check: "Check",
    *,
    base_context: Mapping[str, Any] | None = None,
    request_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Decision:
    """Evaluate one check for ``who`` (a Caller, or a service Principal) and record the decision (with
    ``details`` under ``"details"`` when given), as of ``at`` (``aws:CurrentTime``; the store clock's now by
    default: work a service does on the clock is judged at the time it was due, whenever it is completed)."""
    return _decide(store, who, check, base_context, request_id, details, at or store.clock.now())


def _decide(store: "Store", who: Caller | Principal, check: "Check", base_context: Mapping[str, Any] | None,
            request_id: str | None, details: Mapping[str, Any] | None, now: datetime) -> Decision:
    """:func:`decide` with every argument given (the request's hot path: no keyword handling)."""
    decision, compiled, context, resource_policy, kept = _decided(store, who, check, base_context, now, False)
    if kept is None:
        fields = decision_log.fields_of(recorded(context), decision.matched_statements, decision.errors)
    else:  # a kept decision: its request (context included) is the one decided, so are the log's fields of it
        fields = kept[1]
        if fields is None:
            fields = kept[1] = decision_log.fields_of(context, decision.matched_statements, decision.errors)
    boundary = compiled.boundary
    entry = decision_log.entry(
        now, request_id, compiled.principal.arn, check.action, check.resource, decision.decision,
        decision_message(check, decision), store.settings.enforce, fields, decision.reason,
        boundary.policy_id if boundary is not None else None,
        resource_policy.policy_id if resource_policy is not None else None)
    if details:
        store.decision_log.append_detailed(decision_log.with_details(entry, details))
    else:
        store.decision_log.append(entry)
    return decision


def permitted(ctx: "RequestContext", checks: Iterable["Check"]) -> bool:
    """Whether :func:`authorize` would let ``ctx.caller`` through ``checks`` now, recording nothing: a look ahead
    for work worth doing only for a permitted caller (the request's own authorization still decides, and is
    recorded).  Modes ``off`` and ``soft`` deny nothing."""
    if ctx.store.settings.enforce != "on":
        return True
    base, now = request_context(ctx), ctx.store.clock.now()
    return all(_evaluated(ctx.store, ctx.caller, check, base, now)[0].allowed for check in checks)


def _evaluated(store: "Store", who: Caller | Principal, check: "Check", base_context: Mapping[str, Any] | None,
               now: datetime, all_allows: bool = False
               ) -> tuple[Decision, CompiledPrincipal, dict[str, Any], PolicyRef | None]:
    """One check decided for ``who`` as of ``now``, with what it was decided on (principal, context, resource
    policy); ``all_allows`` names every allowing statement (explanations), not the first of each layer."""
    return _decided(store, who, check, base_context, now, all_allows)[:4]


def _decided(store: "Store", who: Caller | Principal, check: "Check", base_context: Mapping[str, Any] | None,
             now: datetime, all_allows: bool
             ) -> tuple[Decision, CompiledPrincipal, dict[str, Any], PolicyRef | None, list | None]:
    """:func:`_evaluated`, and the principal's kept entry (``[decision, decision log fields or None, guards]``) when
    the decision is one it keeps (see :attr:`CompiledPrincipal.serial`).  A check an account setting grants
    (``Check.granted_by``) is allowed unless a policy denies it explicitly."""
    decided = _policies_decided(store, who, check, base_context, now, all_allows)
    if check.granted_by is None or decided[0].decision != "implicitDeny":
        return decided
    return (Decision("allowed", [], f"Allowed by the account's {check.granted_by}.", "allowed"), *decided[1:])


def _policies_decided(store: "Store", who: Caller | Principal, check: "Check", base_context: Mapping[str, Any] | None,
                      now: datetime, all_allows: bool
                      ) -> tuple[Decision, CompiledPrincipal, dict[str, Any], PolicyRef | None, list | None]:
    """:func:`_decided` by the policies alone (the kept entries hold these decisions)."""
    compiled = compiled_principal(store, who)
    context = {**base_context, **check.context} if base_context else dict(check.context)
    add_resource_account(context, check.resource, check.resource_account, compiled.principal.account)
    resource_policy = _resource_ref(check) if check.resource_policy is not None else None
    # Positional, in AuthzRequest's field order (principal, action, resource, context, identity_policies,
    # permissions_boundary, session_policies, scope_down_policies, resource_policy, resource_account, now,
    # all_allows): on every check of every request, keywords cost more than the rest of the call.
    if all_allows or resource_policy is not None:
        decision = evaluate(AuthzRequest(
            compiled.principal, check.action, check.resource, context, compiled.identity, compiled.boundary,
            compiled.session, compiled.scope_downs, resource_policy, check.resource_account, now, all_allows,
        ))
        return decision, compiled, context, resource_policy, None
    key = _decision_key(compiled.serial, check, context)
    kept = compiled.decisions.get(key) if key is not None else None
    if kept is not None and (not kept[2] or guards_hold(kept[2], context, compiled.principal, check.resource, now)):
        return kept[0], compiled, context, None, kept
    decision, guards = evaluate_guarded(AuthzRequest(
        compiled.principal, check.action, check.resource, context, compiled.identity, compiled.boundary,
        compiled.session, compiled.scope_downs, None, check.resource_account, now, False,
    ))
    if key is None:
        return decision, compiled, context, None, None
    kept = store.decisions.keep(compiled.decisions, key, [decision, None, guards])
    return decision, compiled, context, None, kept


RECORDED_HEADER_CHARACTERS = 1024
"""The most of a request header's value (``aws:UserAgent``, ``aws:referer``) a record keeps: the decision log, an
authorization record and a kept decision hold many requests' contexts, and a head may hold 64 KiB.  Decisions read
the whole value; a request with a longer one is recorded with the value cut (:func:`recorded`) and its decision not
kept."""
_HEADER_KEYS = ("aws:UserAgent", "aws:referer")


def long_header(context: Mapping[str, Any]) -> bool:
    """Whether a header's value in ``context`` is longer than records keep: for a recorded context, whether a value
    was cut (a cut value is longer too, its length said after it), so a replay of the record is not the request."""
    get = context.get
    return (len(get("aws:UserAgent") or "") > RECORDED_HEADER_CHARACTERS
            or len(get("aws:referer") or "") > RECORDED_HEADER_CHARACTERS)


def recorded(context: Mapping[str, Any]) -> Mapping[str, Any]:
    """``context`` as records keep it: a header's value past :data:`RECORDED_HEADER_CHARACTERS` cut there, followed
    by ``... (<n> characters)``; the same mapping when none is."""
    if not long_header(context):
        return context
    cut = dict(context)
    for key in _HEADER_KEYS:
        value = cut.get(key)
        if value is not None and len(value) > RECORDED_HEADER_CHARACTERS:
            cut[key] = f"{value[:RECORDED_HEADER_CHARACTERS]}... ({len(value)} characters)"
    return cut


def _decision_key(serial: int | None, check: "Check", context: dict[str, Any]) -> tuple | None:
    """What a decision without a resource policy is made of, besides the time: the compiled principal (its
    :attr:`~CompiledPrincipal.serial`), the action, resource, resource account and the request context, its keys in
    order and its values with their exact types (``1`` is no ``True``); ``None`` (nothing kept) for a principal
    made afresh or a context holding another kind of value (a list)."""
    if serial is None or long_header(context):
        return None
    values = tuple(context.values())
    types = tuple(map(type, values))
    if not REUSABLE_TYPES.issuperset(types):
        return None
    return serial, check.action, check.resource, check.resource_account, tuple(context), values, types


def evaluated(store: "Store", who: Caller | Principal, check: "Check", base_context: Mapping[str, Any] | None,
              now: datetime) -> tuple[Decision, CompiledPrincipal, dict[str, Any], PolicyRef | None]:
    """One check decided for ``who``, recording nothing, naming every allowing statement: for explanations."""
    return _evaluated(store, who, check, base_context, now, True)


def _resource_ref(check: "Check") -> PolicyRef | None:
    document = check.resource_policy
    if document is None:
        return None
    policy_id = check.resource_policy_id or f"{check.resource}#resource-policy"
    kind = PolicyKind.TRUST if check.action.lower() in TRUST_ACTIONS_LOWER else PolicyKind.RESOURCE
    if isinstance(document, Policy):
        return PolicyRef(policy_id, document, kind)
    return PolicyRef.load(policy_id, document, kind)


# ------------------------------------------------------------------------------------------- compiled sets
def compiled_principal(store: "Store", who: Caller | Principal) -> CompiledPrincipal:
    """The policies that apply to ``who`` now, cached per IAM state version."""
    if isinstance(who, Principal):
        return CompiledPrincipal(who, _NO_POLICIES, None, None)
    account = store.account(who.account_id)
    if account is None or who.is_root:
        # a root session carries no scope-down policy (GetScopedCredentials refuses root); one in an imported state
        # still limits it, never ignored
        principal = Principal(who.arn, who.account_id, who.kind, user_id=who.user_id)
        return CompiledPrincipal(principal, _NO_POLICIES, None, None, _scope_downs(who))
    iam = account.iam
    # Referred to from the Caller too (a Caller is itself cached per IAM version, so the next request of the same
    # credentials finds it without a keyed look-up), weakly: only the cache keeps it, within its weight.  IAM
    # versions are unique in the process, so the version alone says the IAM state it was compiled from is the one
    # in force.  A hit there is a use all the same: the cache keeps the principal as its most recently used, or the
    # principal of a busy caller (found through its Caller every time) would be the first one evicted.
    principals, key = store.derived("authorizer", make=_principals_cache), (who.account_id, who.arn, who.access_key_id)
    held = who.__dict__.get("_compiled")
    if held is not None and held[0] == iam.version:
        compiled = held[1]()
        if compiled is not None:
            principals.touch(key, compiled)
            return compiled
    compiled = principals.get(key, iam.version, lambda: _compile(iam, who))
    who.__dict__["_compiled"] = (iam.version, weakref.ref(compiled))
    return compiled


PRINCIPALS_KEPT = 4096
PRINCIPALS_WEIGHT = 4_000_000
"""What the compiled principals a store keeps (at most :data:`PRINCIPALS_KEPT`) may hold together: their policies,
each weighed as the parse cache weighs it (``cache.weight_of``: about 5 to 6 bytes a unit, so 20 to 25 MB) and
counted once however many principals share it.  By number alone, 4,096 sessions each given a distinct
2,000-character session policy of conditions held about 115 KB each (470 MB) for a caller allowed only
``sts:AssumeRole``.  A principal evicted is compiled again at its next request (from the parse cache when its
policies are still there), under a new serial (its kept decisions go with it); its answers are the same."""


def _principals_cache() -> WeighedCache:
    return WeighedCache(PRINCIPALS_KEPT, PRINCIPALS_WEIGHT, _policies_held)


def _policies_held(compiled: CompiledPrincipal) -> Iterator[tuple[Policy, int]]:
    """The compiled policies ``compiled`` keeps alive, each with its weight."""
    boundary = (compiled.boundary,) if compiled.boundary is not None else ()
    for ref in (*compiled.identity, *boundary, *(compiled.session or ()), *compiled.scope_downs):
        if ref.document.__class__ is Policy:
            yield ref.document, weight_of(ref.document)


def _compile(iam: "IamState", caller: Caller) -> CompiledPrincipal:
    """The policies of ``caller``'s user or role (and groups, boundary, session policies); its ``aws:PrincipalTag``
    values are the caller's own (:attr:`Caller.tags`, made once where the caller is)."""
    refs: list[PolicyRef] = []
    boundary_arn = None
    if caller.kind == "FederatedUser" and caller.entity_name is None:
        # Federated by the root user: the root's unlimited permissions, cut down by the session policies.
        principal = Principal(caller.arn, caller.account_id, caller.kind, user_id=caller.user_id,
                              tags=dict(caller.tags))
        refs.append(PolicyRef.load(f"{caller.arn}#root-permissions", _ROOT_PERMISSIONS))
    elif caller.kind in ("User", "FederatedUser"):
        user = iam.users.get(caller.entity_name or "")
        principal = Principal(
            caller.arn, caller.account_id, caller.kind, user_id=caller.user_id, username=caller.entity_name,
            user_arn=user.arn if user is not None and caller.kind == "FederatedUser" else None,
            tags=dict(caller.tags),
        )
        if user is not None:
            _inline(refs, user.arn, user.inline_policies)
            _attached(refs, iam, user.attached_policies)
            for group in iam.groups_of(user.name):
                _inline(refs, group.arn, group.inline_policies)
                _attached(refs, iam, group.attached_policies)
            boundary_arn = user.permissions_boundary
    else:
        role = iam.session_role(caller.entity_name, caller.user_id)
        principal = Principal(
            caller.arn, caller.account_id, caller.kind, user_id=caller.user_id,
            role_arn=role.arn if role else caller.role_arn, tags=dict(caller.tags),
            role_gone=role is None and caller.role_arn is not None,
        )
        if role is not None:
            _inline(refs, role.arn, role.inline_policies)
            _attached(refs, iam, role.attached_policies)
            boundary_arn = role.permissions_boundary
    boundary = None
    if boundary_arn:
        document = _managed_document(iam, boundary_arn)
        boundary = PolicyRef.load(boundary_arn, document if document is not None else _NO_SUCH_POLICY)
    session = None
    if caller.has_session_policy:
        session_refs = [PolicyRef.load(f"{caller.arn}#session-policy/{index}", document)
                        for index, document in enumerate(caller.session_policies)]
        _attached(session_refs, iam, caller.session_policy_arns)
        session = PolicySet(session_refs)
    return CompiledPrincipal(principal, PolicySet(refs), boundary, session, _scope_downs(caller), next(_SERIALS))


def _scope_downs(caller: Caller) -> tuple[PolicyRef, ...]:
    return tuple(PolicyRef.load(f"{caller.arn}#scope-down-policy/{index}", document)
                 for index, document in enumerate(caller.scope_down_policies))


_SERIALS = itertools.count(1)
"""The :attr:`CompiledPrincipal.serial` of each principal compiled in this process."""


_NO_POLICIES = PolicySet(())
_ROOT_PERMISSIONS = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
_NO_SUCH_POLICY = Unreadable("the policy does not exist")
"""A permissions boundary whose policy has vanished: it cannot be applied, so it denies (fail closed).  An
attached policy that has vanished grants nothing and is left out, as IAM does once a policy is deleted."""


def _inline(refs: list, owner_arn: str, policies: Mapping[str, str]) -> None:
    refs += [PolicyRef.load(f"{owner_arn}#inline/{name}", document) for name, document in policies.items()]


def _attached(refs: list, iam: "IamState", arns: Iterable[str]) -> None:
    for arn in arns:
        document = _managed_document(iam, arn)
        if document is not None:
            refs.append(PolicyRef.load(arn, document))


def _managed_document(iam: "IamState", arn: str) -> str | None:
    policy = iam.policies.get(arn) or aws_managed_policy(arn)
    return policy.default_document if policy else None
