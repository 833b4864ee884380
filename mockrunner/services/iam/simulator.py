"""IAM's policy simulator: ``SimulatePrincipalPolicy``, ``SimulateCustomPolicy`` and ``GetContextKeysFor*Policy``.

Decisions come from the engine that enforces (:mod:`mockrunner.iam_engine.simulation`), over the same policy
layers the authorizer assembles for a real call: a user's inline and attached policies and those of its groups, a
role's, a group's; the entity's permissions boundary (or the one given in ``PermissionsBoundaryPolicyInputList``);
extra identity policies from ``PolicyInputList``; the resource policy from ``ResourcePolicy``.  The simulated
request context is ``ContextEntries`` plus what the simulated entity itself supplies (``aws:username``,
``aws:PrincipalTag/*``, ...) and the resource's ``aws:ResourceAccount`` (as enforcement sets it); see
``docs/behaviour.md`` ("Policy simulator", and "IAM policy simulator against recordings" for what real IAM was
recorded answering: :mod:`.simulator_inputs` reads the request, :mod:`.simulator_resources` what IAM's action
catalogue says of its actions and resources, :mod:`.simulator_answers` shapes the results).

What a request may cost the server while it holds the store lock: the policy documents the request brings (any
number, each up to 131,072 characters) are parsed by :func:`prepare` before the lock is taken, and a page holds at
most as many actions (each over every resource) as :data:`WORK_PER_PAGE` readings allow, fewer than
``MaxItems`` when the policies are large (IAM "might return fewer than the MaxItems number of results even when
there are more results available": ``IsTruncated`` and ``Marker`` then lead on).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from mockrunner.arns import split_arn
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import (
    MalformedPolicyError,
    Policy,
    PolicyKind,
    PolicyRef,
    Principal,
    Unreadable,
    parse_policy,
)
from mockrunner.iam_engine.context import build_context
from mockrunner.iam_engine.context_keys import context_keys, listing, merge
from mockrunner.iam_engine.evaluate import Decision
from mockrunner.iam_engine.positions import statement_positions
from mockrunner.iam_engine.resource_account import KEY as RESOURCE_ACCOUNT_KEY
from mockrunner.iam_engine.simulation import Result, Simulation, Source, load_source, names_key
from mockrunner.model.iam import IamState
from mockrunner.numerals import is_decimal
from mockrunner.services.iam import paging, simulator_inputs, simulator_resources
from mockrunner.services.iam.authz import on_arn
from mockrunner.services.iam.entities import GROUP, KINDS, ROLE, USER, Kind, managed_policy
from mockrunner.services.iam.simulator_answers import RESOURCE_POLICY, evaluation_result
from mockrunner.services.iam.simulator_exclusions import NOTHING_EXCLUDED, Exclusions, exclusions
from mockrunner.services.registry import op

#: EC2 scenarios the simulator accepts as ``ResourceHandlingOption`` (SimulatePrincipalPolicy API reference).
RESOURCE_HANDLING_OPTIONS = frozenset({
    "EC2-Classic-InstanceStore", "EC2-Classic-EBS", "EC2-VPC-InstanceStore", "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS", "EC2-VPC-EBS-Subnet",
})


WORK_PER_PAGE = 2_000_000
"""Statement readings one page may take (about 0.2 s under the store lock): for each (action, resource)
:data:`PAIR_READINGS`, the readings of every simulated policy (``Simulation.readings``: a plain statement is one, its
condition keys and policy variables more) and :data:`LISTED_READINGS` for each statement and context key its result
lists.  A policy set of 20,000 plain statements still gets about 100 (action, resource) pairs a page."""
PAIR_READINGS = 250
"""One (action, resource) whatever its policies: the request, the decision and the result entry (about 25 us,
measured); without it a page of 2 million one-statement pairs took a minute and a half."""
LISTED_READINGS = 150
"""One matched statement or missing context key listed in a result: about 15 us to build and serialize (measured);
without it a page listing 2,500 matching statements for each of 800 actions took minutes and answered 500 MB."""


STUB_USER_ID = "STUB_PRINCIPAL_FOR_POLICY_SIMULATOR"
"""SimulateCustomPolicy's caller without ``CallerArn``: recorded from AWS, 2026-09-11 (radkawar/stackd,
testdata/aws/iam/simulation_defaults.json, "verified_default_*", "baseline_*"), a user of the caller's account whose
``aws:userid`` is this text (case and all), with ``aws:PrincipalAccount`` and no ``aws:PrincipalArn`` or
``aws:username``."""
STORED_TYPE = "IAM Policy"
"""The ``SourcePolicyType`` of a matched statement of the simulated entity's own policies (and of
SimulateCustomPolicy's ``PolicyInputList``)."""
BOUNDARY_TYPE = "Permissions Boundary Policy"
"""The ``SourcePolicyType`` of a permissions boundary's matched statement: the entity's own boundary's and a
``PermissionsBoundaryPolicyInputList`` policy's alike (recorded for the latter: simulation.json, "boundary_deny")."""
RESOURCE_TYPE = RESOURCE_POLICY
"""The ``SourcePolicyType`` of a ``ResourcePolicy`` statement (recorded from AWS, 2026-09-11: radkawar/stackd,
testdata/aws/iam/simulation.json, "resource_policy_caller_user")."""

_invalid = simulator_inputs.invalid

MAX_WORK_PER_ACTION = 10 * WORK_PER_PAGE
"""Readings one action may take over all its resources (IAM answers an action with all of them in one result, so a
page cannot be cut inside it): beyond this (about 2 s under the store lock) the request is refused (*unverified*:
IAM publishes no limit on ``ResourceArns``; the wording is mockrunner's)."""
# ------------------------------------------------------------------------------------------------ before the lock
class Read(NamedTuple):
    """A policy document of the request as read once: the engine's policy or IAM's refusal of it
    (``MalformedPolicyDocument``'s message), where its statements sit, and the context keys it names."""

    policy: Policy | None
    refusal: str | None
    positions: tuple = ()
    keys: tuple[str, ...] = ()


def _read(text: str, kind: PolicyKind) -> Read:
    try:
        policy = parse_policy(text, kind)
    except MalformedPolicyError as error:
        return Read(None, error.message)
    return Read(policy, None, statement_positions(text), context_keys(text))


def _request_documents(params: dict) -> list[tuple[str, PolicyKind]]:
    """Every policy document a simulator request brings, with the grammar it is read with."""
    identity = [*(params.get("PolicyInputList") or []), *(params.get("PermissionsBoundaryPolicyInputList") or [])]
    for level in params.get("OrderedOrganizationPolicyInputList") or []:
        identity += level.get("ServiceControlPolicyInputList") or []
    documents = [(text, PolicyKind.IDENTITY) for text in identity]
    if params.get("ResourcePolicy") is not None:
        documents.append((params["ResourcePolicy"], PolicyKind.RESOURCE))
    return documents


SIMULATED_TEXT = 1_048_576
"""The most characters of policy documents one simulation brings (eight documents of the 131,072 each may hold).
Reading a document costs about 5 us a character (compiling its patterns: Python's regex parser takes each character
of a 125,000-character literal ``Resource`` on its own), so a 64 MB request of such documents held a request thread
(and the interpreter) for minutes; now at most about 5 s.  Beyond it the request is ``InvalidInput`` (*unverified*:
IAM publishes a limit on each document, none on their number; the wording is mockrunner's)."""


def _over_budget(params: dict) -> bool:
    return sum(len(text) for text, _kind in _request_documents(params)) > SIMULATED_TEXT


def refuse_over_budget(params: dict) -> None:
    """``InvalidInput`` when the simulation's documents hold more than :data:`SIMULATED_TEXT` characters together
    (the handlers' first step, after authorization: :func:`prepare` then read none of them)."""
    if _over_budget(params):
        raise _invalid(f"The policy documents of one simulation can hold at most {SIMULATED_TEXT} characters "
                       "together.")


def prepare(params: dict) -> dict[tuple[str, PolicyKind], Read]:
    """The request's policy documents, each read once (the operations' ``prepare``: the gateway runs it outside the
    store lock, so however many documents a caller sends, no other request waits while they are parsed).  A
    refusal is kept for the handler to answer where it reads that document, after authorization, as before.
    Documents over :data:`SIMULATED_TEXT` together are not read: the handler refuses them."""
    if _over_budget(params):
        return {}
    return {key: _read(*key) for key in dict.fromkeys(_request_documents(params))}


def _read_of(ctx: RequestContext, text: str, kind: PolicyKind) -> Read:
    """``text`` as :func:`prepare` read it, or read now (an operation run without its ``prepare``)."""
    found = ctx.prepared.get((text, kind)) if ctx.prepared else None
    return found if found is not None else _read(text, kind)


def _keys(ctx: RequestContext, source: Source) -> tuple[str, ...]:
    found = ctx.prepared.get((source.text, source.ref.kind)) if ctx.prepared else None
    return found.keys if found is not None else context_keys(source.text)


# ------------------------------------------------------------------------------------------------ authorization
_on_given_source = on_arn("PolicySourceArn")


def _on_source(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on the simulated user, group or role (Service Authorization Reference, IAM): the entity
    :func:`_named` finds, at its own ARN with its tags; else the ARN as given.  A SimulatePrincipalPolicy for
    another account's entity is refused before any check (recorded from AWS, 2026-09-11: radkawar/stackd,
    testdata/aws/iam/simulation.json, "principal_cross_account_source")."""
    foreign = split_arn(ctx.params["PolicySourceArn"])
    if ctx.operation_name == "SimulatePrincipalPolicy" and foreign is not None and foreign.account \
            and foreign.account != ctx.account.id:
        _simulated_entity(ctx, ctx.params["PolicySourceArn"])
    found = _named(ctx, ctx.params["PolicySourceArn"])
    if found is None:
        return _on_given_source(ctx)
    kind, entity = found
    return (Check(f"iam:{ctx.operation_name}", entity.arn, resource_tag_keys(entity, kind.name)),)


def _on_anything(ctx: RequestContext) -> Iterable[Check]:
    return (Check(f"iam:{ctx.operation_name}", "*"),)


# ------------------------------------------------------------------------------------------------ the principal
def _named(ctx: RequestContext, arn: str) -> tuple[Kind, Any] | None:
    """The user, group or role of the caller's account with the name ``arn`` ends in, at whatever path: recorded from
    AWS, 2026-09-12 (radkawar/stackd, testdata/aws/iam/resource_authorization.json, "wrong_path"),
    SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy answer for ``user/elsewhere/<name>`` when the user
    is at another path."""
    parsed = split_arn(arn)
    if parsed is None or parsed[:2] != ("aws", "iam") or parsed.account != ctx.account.id:
        return None
    kind = KINDS.get(parsed.resource_type)
    entity = kind.entities(ctx.account.iam).get(parsed.name) if kind is not None else None
    return None if entity is None else (kind, entity)


def _entity(ctx: RequestContext, arn: str) -> tuple[Kind, Any]:
    """The user, group or role ``arn`` names in the caller's account (:func:`_named`); NoSuchEntity if none."""
    parsed = split_arn(arn)
    kind = KINDS.get(parsed.resource_type) if parsed is not None and parsed[:2] == ("aws", "iam") else None
    if kind is None or "/" not in parsed.resource:
        raise _invalid(f"Invalid ARN {arn}: only the ARN of an IAM user, group or role can be simulated.")
    found = _named(ctx, arn)
    if found is None:
        raise kind.missing(parsed.name)
    return found


def _simulated_entity(ctx: RequestContext, arn: str) -> tuple[Kind, Any]:
    """SimulatePrincipalPolicy's ``PolicySourceArn``, refused in IAM's words: recorded from AWS, 2026-09-11
    (radkawar/stackd, testdata/aws/iam/simulation.json, "principal_root_source", "principal_assumed_role_source",
    "principal_invalid_source", "principal_cross_account_source", "principal_{user,group,role}_missing")."""
    parsed = split_arn(arn)
    kind = KINDS.get(parsed.resource_type) if parsed is not None and parsed[:2] == ("aws", "iam") else None
    if kind is None or "/" not in parsed.resource:
        raise _invalid(f"Invalid ARN provided in the request: {arn}")
    if parsed.account != ctx.account.id:
        raise _invalid(f"Invalid Policy Source Arn: caller's account {ctx.account.id} does not have access to "
                       f"policies in account {parsed.account}.")
    found = _named(ctx, arn)
    if found is None:
        raise ServiceError("NoSuchEntity", "Unable to retrieve specified IAM entity.", 404)
    return found


def _stored(iam: IamState, kind: Kind, entity: Any, counter: list[int],
            excluded: Exclusions = NOTHING_EXCLUDED) -> list[Source]:
    """An entity's inline then attached policies, as the simulator reports them, less those ``excluded``.
    Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json, "principal_user_sources",
    "principal_group_sources", "principal_role_sources"): an inline policy's SourcePolicyId is
    ``<user|group|role>_<entity name>_<policy name>``, a managed policy's its name, and both are "IAM Policy"s."""
    sources = []
    for name, text in entity.inline_policies.items():
        if not excluded.inline(kind.name, entity.name, name):
            sources.append(_stored_source(f"{entity.arn}#inline/{name}", f"{kind.name}_{entity.name}_{name}",
                                          STORED_TYPE, text, counter))
    for arn in entity.attached_policies:
        source = None if excluded.managed(arn) else _managed(iam, arn, counter)
        if source is not None:
            sources.append(source)
    return sources


def _managed(iam: IamState, arn: str, counter: list[int], source_type: str = STORED_TYPE) -> Source | None:
    policy = managed_policy(iam, arn)
    if policy is None:
        return None
    return _stored_source(arn, policy.name, source_type, policy.default_document, counter)


def _stored_source(policy_id: str, source_id: str, source_type: str, text: str, counter: list[int]) -> Source:
    counter[0] += 1
    source = load_source(f"{counter[0]}:{policy_id}", source_id, source_type, text)
    if isinstance(source.ref.document, Unreadable):
        # A stored policy the engine cannot read denies real calls (fail closed); the simulator says why instead.
        raise ServiceError("PolicyEvaluation", f"The policy {source_id} ({policy_id}) could not be evaluated: "
                           f"{source.ref.document.reason}", 500)
    return source


def _principal_of(kind: Kind, entity: Any, account: str) -> Principal:
    """The simulated caller an entity stands for: a user as itself, a role as one of its sessions."""
    if kind is USER:
        return Principal(entity.arn, account, "User", user_id=entity.user_id, username=entity.name,
                         tags=dict(entity.tags))
    if kind is ROLE:
        return Principal(entity.arn, account, "AssumedRole", user_id=entity.role_id, role_arn=entity.arn,
                         tags=dict(entity.tags))
    return Principal(entity.arn, account, "Group", user_id=entity.group_id)


def _caller(ctx: RequestContext, default: Principal | None) -> Principal | None:
    """``CallerArn``: an IAM user, role or group of any account (one of the caller's account lends its tags and id).
    Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json, "resource_policy_caller_*":
    a group or role is a caller, the root or a role session is refused; simulation_defaults.json,
    "verified_caller_first_exact", "verified_caller_second_exact": a caller naming no existing user has the ARN itself
    as its ``aws:userid``).  A role or group caller naming nothing existing is taken alike (unverified)."""
    arn = ctx.params.get("CallerArn")
    if not arn:
        return default
    parsed = split_arn(arn)
    kind = (KINDS.get(parsed.resource_type) if parsed is not None and parsed[:2] == ("aws", "iam")
            and is_decimal(parsed.account) and "/" in parsed.resource else None)
    if kind is None:
        raise _invalid("Invalid caller - Caller must be an IAM user, role or group in this context.")
    found = _named(ctx, arn)
    if found is not None and found[1].arn == arn and kind is not USER:
        return _principal_of(*found, ctx.account.id)
    if kind is ROLE:
        return Principal(arn, parsed.account, "AssumedRole", user_id=arn, role_arn=arn)
    if kind is GROUP:
        return Principal(arn, parsed.account, "Group", user_id=arn)
    # An existing user's aws:userid is not its unique id either ("composition_custom_auto_userid"): the ARN.
    user = found[1] if found is not None and found[1].arn == arn else None
    return Principal(arn, parsed.account, "User", user_id=arn, username=parsed.name,
                     tags=dict(user.tags) if user is not None else {})


# ------------------------------------------------------------------------------------------------ inputs
def _input_sources(ctx: RequestContext, texts: Iterable[str], label: str, counter: list[int],
                   kind: PolicyKind = PolicyKind.IDENTITY, source_type: str | None = None,
                   numbered: bool = True) -> list[Source]:
    """Policies given in the request (``<label>.<n>`` as their SourcePolicyId); one the engine cannot read is the
    request's error, in IAM's MalformedPolicyDocument wording."""
    sources = []
    for number, text in enumerate(texts, start=1):
        read = _read_of(ctx, text, kind)
        if read.refusal is not None and label == "PolicyInputList":
            # Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json,
            # "invalid_policy_json", "invalid_policy_version").
            raise _invalid(f"Policy input list item {number} has invalid content")
        if read.refusal is not None:
            raise ServiceError("MalformedPolicyDocument", read.refusal, 400)
        counter[0] += 1
        source_id = f"{label}.{number}" if numbered else label
        sources.append(Source(PolicyRef(f"{counter[0]}:{label}", read.policy, kind), source_id, source_type, text,
                              read.positions))
    return sources


def _boundary_input(ctx: RequestContext, counter: list[int]) -> Source | None:
    texts = ctx.params.get("PermissionsBoundaryPolicyInputList") or []
    if len(texts) > 1:
        # Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json, "invalid_two_boundaries").
        raise _invalid("The list of Permissions Boundary policies cannot exceed 1 items.")
    # Recorded (simulation.json, "boundary_deny"): a boundary's matched statement is a "Permissions Boundary Policy".
    given = _input_sources(ctx, texts, "PermissionsBoundaryPolicyInputList", counter,
                           source_type=BOUNDARY_TYPE)
    return given[0] if given else None


def _resource_policy(ctx: RequestContext, counter: list[int]) -> Source | None:
    text = ctx.params.get("ResourcePolicy")
    if text is None:
        return None
    return _input_sources(ctx, [text], "ResourcePolicy", counter, PolicyKind.RESOURCE, RESOURCE_TYPE,
                          numbered=False)[0]


def _check_resource_policy_shape(ctx: RequestContext) -> None:
    """With a ResourcePolicy every simulated resource names one entity, and so does the policy's ``Resource``:
    recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json,
    "composition_resource_shape_*"): no ResourceArns or ``*`` among them is "Invalid Entity Arn: * does not clearly
    define entity type and name.", a policy ``Resource`` of ``*`` "ResourceNames are not in a valid ARN format: *."."""
    if ctx.params.get("ResourcePolicy") is None:
        return
    if "*" in (ctx.params.get("ResourceArns") or ["*"]):
        raise _invalid("Invalid Entity Arn: * does not clearly define entity type and name.")
    if "*" in _statement_resources(ctx.params["ResourcePolicy"]):
        raise _invalid("ResourceNames are not in a valid ARN format: *.")


def _statement_resources(text: str) -> set[str]:
    """Every ``Resource`` value of a policy document IAM has read (anything else yields none)."""
    try:
        document = json.loads(text)
    except ValueError:
        return set()
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    found: set[str] = set()
    for statement in statements:
        value = statement.get("Resource") if isinstance(statement, dict) else None
        found.update([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
                     if isinstance(value, list) else [])
    return found


def _resource_owner(ctx: RequestContext) -> str | None:
    owner = ctx.params.get("ResourceOwner")
    if not owner:
        return None
    # Recorded from AWS, 2026-09-11 (radkawar/stackd, simulation.json, "resource_policy_owner_same", "_cross",
    # "_user", "_invalid", "composition_numeric_owner_*"): the account of an IAM ARN, a user's included, owns the
    # resources; a bare account number is refused.
    parsed = split_arn(owner)
    if parsed is not None and parsed[:2] == ("aws", "iam") and is_decimal(parsed.account) and len(parsed.account) == 12:
        return parsed.account
    raise _invalid(f"'{owner}' is not a valid as a Resource Owner.")


def _context(ctx: RequestContext) -> dict[str, Any]:
    """``ContextEntries`` read as IAM reads them (:func:`simulator_inputs.context`)."""
    return simulator_inputs.context(ctx.params.get("ContextEntries") or [])


def _options(ctx: RequestContext) -> None:
    """``ResourceHandlingOption``: recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/simulation.json,
    "resource_handling_unknown", "resource_handling_other_action", "resource_handling_EC2-*"): an option IAM does not
    know is ignored; a known one is for ``ec2:RunInstances`` only (another EC2 action taken alike, *unverified*),
    and the actions that do not take it are named."""
    option = ctx.params.get("ResourceHandlingOption")
    if option not in RESOURCE_HANDLING_OPTIONS:
        return
    others = [action for action in ctx.params["ActionNames"] if action.lower() != "ec2:runinstances"]
    if others:
        raise _invalid("Invalid input resource handling options. Action does not support resource handling options: "
                       f"{', '.join(others)}. Please refer to the documentation for more details: "
                       "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html")


# ------------------------------------------------------------------------------------------------ answers
def _simulate(ctx: RequestContext, simulation: Simulation, derived: frozenset[str]) -> dict:
    """One result per action over every resource (:mod:`simulator_answers`), one page of them at a time
    (Marker/MaxItems count actions).  Only the page's actions are evaluated: a request naming thousands costs one
    page (every request holds the store lock); and a page is cut short where its actions would cost more than
    :data:`WORK_PER_PAGE` readings (their pairs, their policies' statements, what their results list), so large
    policies cost no more.  One action is refused when its pairs alone would cost more than
    :data:`MAX_WORK_PER_ACTION`, or as soon as what they list does."""
    _options(ctx)
    simulator_inputs.check_actions(ctx.params["ActionNames"])
    simulator_inputs.check_resources(ctx.params.get("ResourceArns") or [])
    simulator_resources.check_action_groups(ctx.params["ActionNames"], ctx.params.get("ResourceArns") or [])
    context = _context(ctx)
    sources = [*simulation.identity, simulation.boundary, simulation.resource_policy]
    keys = merge(_keys(ctx, source) for source in sources if source is not None)
    # aws:ResourceAccount is always supplied: the simulation puts in what enforcement would (Simulation.run).
    supplied = {key.lower() for key in context} | derived | {RESOURCE_ACCOUNT_KEY.lower()}
    missing = [key for key in keys if key.lower() not in supplied]
    now = ctx.store.clock.now()
    actions, resources = ctx.params["ActionNames"], ctx.params.get("ResourceArns") or ["*"]
    boundary_id = simulation.boundary.ref.policy_id if simulation.boundary is not None else None

    names_account = names_key(context, RESOURCE_ACCOUNT_KEY)
    # each pair copies the context (one reading a key) and reads every simulated policy
    per_pair = PAIR_READINGS + len(context) + simulation.readings(context)
    if per_pair * len(resources) > MAX_WORK_PER_ACTION:
        raise _too_large(resources, simulation)

    def result(position: int) -> tuple[dict, int]:
        """One action's result and what it cost: reading every pair, and the statements and keys it lists."""
        action, spent, results = actions[position], 0, []
        for resource in resources:
            outcome = _run(simulation, action, resource, context, now, names_account)
            listed = len(outcome.matched) + (len(missing) if outcome.decision.decision == "implicitDeny" else 0)
            spent += per_pair + LISTED_READINGS * listed
            if spent > MAX_WORK_PER_ACTION:
                raise _too_large(resources, simulation)
            results.append(outcome)
        return evaluation_result(action, resources, results, missing, boundary_id), spent

    # Recorded (simulation.json, "invalid_marker"): a marker the simulator never gave is InvalidInput.
    return paging.page_within(range(len(actions)), ctx, "EvaluationResults", result, WORK_PER_PAGE,
                              per_pair * len(resources), bad_marker="Invalid marker for pagination.",
                              bad_marker_code="InvalidInput")


def _too_large(resources: list[str], simulation: Simulation) -> ServiceError:
    return _invalid(f"The simulation of {len(resources)} resources against {simulation.statement_count} policy "
                    "statements is too large for one request; simulate fewer resources at a time.")


def _run(simulation: Simulation, action: str, resource: str, context: dict[str, Any], now: Any,
         names_account: bool) -> Result:
    """One (action, resource) as the engine decides it, unless the resource is of no type the action takes: then
    ``implicitDeny`` with no matched statement, whatever the policies say (:mod:`.simulator_resources`; the
    boundary's and SCPs' own answers are kept, a cross-account detail is ``implicitDeny`` on each side,
    *unverified*)."""
    result = simulation.run(action, resource, context, now, names_account)
    if simulator_resources.applies(action, resource):
        return result
    denied = Decision("implicitDeny", [], f"implicitDeny: {resource} is not a resource {action} takes",
                      "resource type")
    details = {side: "implicitDeny" for side in result.details} if result.details else result.details
    return Result(denied, [], result.allowed_by_boundary, details, result.allowed_by_organizations)


def _entity_keys(principal: Principal, now: Any) -> frozenset[str]:
    """Context keys the simulated entity supplies itself (the engine derives them as for a real call)."""
    return frozenset(build_context({}, principal, now)) - {"aws:currenttime", "aws:epochtime"}


def _principal_sources(ctx: RequestContext, counter: list[int], excluded: Exclusions = NOTHING_EXCLUDED
                       ) -> tuple[Kind, Any, list[Source]]:
    """The simulated entity and its identity policies (a user's groups' too) less the ``excluded`` ones, then
    ``PolicyInputList``."""
    iam = ctx.account.iam
    kind, entity = _simulated_entity(ctx, ctx.params["PolicySourceArn"])
    identity = _stored(iam, kind, entity, counter, excluded)
    if kind is USER:
        for group in iam.groups_of(entity.name):
            identity += _stored(iam, GROUP, group, counter, excluded)
    identity += _input_sources(ctx, ctx.params.get("PolicyInputList") or [], "PolicyInputList", counter)
    return kind, entity, identity


@op("iam", "SimulatePrincipalPolicy", authz=_on_source, prepare=prepare)
def simulate_principal_policy(ctx: RequestContext) -> dict:
    refuse_over_budget(ctx.params)
    counter = [0]
    excluded = exclusions(ctx.params.get("PolicyExclusionList") or [])
    kind, entity, identity = _principal_sources(ctx, counter, excluded)
    boundary = _boundary_input(ctx, counter)
    boundary_arn = None if excluded.boundary else getattr(entity, "permissions_boundary", None)
    if boundary is None and boundary_arn:
        boundary = _managed(ctx.account.iam, boundary_arn, counter, BOUNDARY_TYPE)
        if boundary is None:
            raise ServiceError("PolicyEvaluation", f"The permissions boundary {boundary_arn} could not be "
                               "evaluated: the policy does not exist", 500)
    resource_policy = _resource_policy(ctx, counter)
    # Recorded ("principal_resource_policy_group", "_role"): a group or role is its own caller with a ResourcePolicy.
    principal = _caller(ctx, _principal_of(kind, entity, ctx.account.id))
    now = ctx.store.clock.now()
    simulation = Simulation(principal, identity, boundary, resource_policy, _resource_owner(ctx))
    return _simulate(ctx, simulation, _entity_keys(principal, now))


@op("iam", "SimulateCustomPolicy", authz=_on_anything, prepare=prepare)
def simulate_custom_policy(ctx: RequestContext) -> dict:
    refuse_over_budget(ctx.params)
    counter = [0]
    # Recorded from AWS, 2026-09-11 (radkawar/stackd, testdata/aws/iam/conditions.json): a matched statement of a
    # PolicyInputList policy has the SourcePolicyType "IAM Policy".
    identity = _input_sources(ctx, ctx.params["PolicyInputList"], "PolicyInputList", counter,
                              source_type="IAM Policy")
    boundary = _boundary_input(ctx, counter)
    resource_policy = _resource_policy(ctx, counter)
    _check_resource_policy_shape(ctx)
    principal = _caller(ctx, None)
    if principal is None:
        if resource_policy is not None:
            # Recorded (simulation.json, "resource_policy_missing_caller").
            raise _invalid("Invalid caller - Caller cannot be null or empty.")
        principal = Principal("", ctx.account.id, "User", user_id=STUB_USER_ID)
    simulation = Simulation(principal, identity, boundary, resource_policy, _resource_owner(ctx),
                            _organization_levels(ctx, counter))
    # Recorded ("controls_caller_userid_ifexists_equals", "verified_default_not_equals"): what the simulated caller
    # supplies itself is still reported missing when the request is not allowed; only ContextEntries supply keys.
    return _simulate(ctx, simulation, frozenset())


def _organization_levels(ctx: RequestContext, counter: list[int]) -> list[list[Source]] | None:
    """``OrderedOrganizationPolicyInputList``: the SCPs of each level, root first (``None``: not given).  Each SCP
    is checked as IAM checks the policies of ``PolicyInputList``; its SourcePolicyId would be
    ``OrderedOrganizationPolicyInputList.<level>.<n>`` (never reported: SCP statements are not matched
    statements)."""
    levels = ctx.params.get("OrderedOrganizationPolicyInputList")
    if levels is None:
        return None
    for number, level in enumerate(levels, start=1):
        if not level.get("ServiceControlPolicyInputList"):
            # Recorded from AWS, 2026-09-11 (radkawar/stackd, simulation.json, "organizations_empty_level").
            raise _invalid(f"Organization policy at index {number} must contain at least one service control policy")
    return [_input_sources(ctx, level["ServiceControlPolicyInputList"],
                           f"OrderedOrganizationPolicyInputList.{number}", counter)
            for number, level in enumerate(levels, start=1)]


def prepare_listing(params: dict) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """The request's documents as GetContextKeysFor*Policy reads them, each once, outside the store lock (as
    :func:`prepare` does for the simulations)."""
    return {text: listing(text) for text in dict.fromkeys(params.get("PolicyInputList") or [])}


def _listed(ctx: RequestContext, texts: Iterable[str]) -> list[str]:
    """The keys GetContextKeysFor*Policy lists for ``texts``: each document's keys, joined; a document
    IAM will not read is ``InvalidInput`` (:func:`~mockrunner.iam_engine.context_keys.listing`)."""
    keys: list[str] = []
    for text in texts:
        found = ctx.prepared.get(text) if ctx.prepared else None
        refusal, listed = found if found is not None else listing(text)
        if refusal is not None:
            raise _invalid(refusal)
        keys += listed
    return keys


@op("iam", "GetContextKeysForPrincipalPolicy", authz=_on_source, prepare=prepare_listing)
def get_context_keys_for_principal_policy(ctx: RequestContext) -> dict:
    """The keys of the entity's policies (a policy attached to the user and to one of its groups once), its
    permissions boundary, then ``PolicyInputList`` (recorded from AWS, 2026-09-11: radkawar/stackd,
    internal/services/iam/testdata/context_keys_aws.json, "user_with_shared_attachment_and_boundary", "group",
    "extra_duplicate")."""
    iam = ctx.account.iam
    kind, entity = _entity(ctx, ctx.params["PolicySourceArn"])
    counter = [0]
    stored = _stored(iam, kind, entity, counter)
    if kind is USER:
        for group in iam.groups_of(entity.name):
            stored += _stored(iam, GROUP, group, counter)
    boundary = getattr(entity, "permissions_boundary", None)
    if boundary:
        found = _managed(iam, boundary, counter)
        stored += [found] if found is not None else []
    texts = {source.ref.policy_id.split(":", 1)[1]: source.text for source in stored}
    return {"ContextKeyNames": _listed(ctx, [*texts.values(), *(ctx.params.get("PolicyInputList") or [])])}


@op("iam", "GetContextKeysForCustomPolicy", authz=_on_anything, prepare=prepare_listing)
def get_context_keys_for_custom_policy(ctx: RequestContext) -> dict:
    return {"ContextKeyNames": _listed(ctx, ctx.params["PolicyInputList"])}
