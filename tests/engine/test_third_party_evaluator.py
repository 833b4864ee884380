"""mockrunner's policy engine held to a third-party evaluator: Cloud Copilot's ``@cloud-copilot/iam-simulate``.

A seeded generator builds several thousand requests (identity policies, permissions boundaries, session policies,
same- and cross-account resource policies; Allow/Deny, Action/NotAction, Resource/NotResource,
Principal/NotPrincipal, wildcards, policy variables, and conditions of every operator family with request contexts
that hit and miss them). Each goes through :func:`mockrunner.iam_engine.evaluate` and through iam-simulate's
``runSimulation`` (strict mode), and the two decisions (allowed / explicit deny / implicit deny) are compared.

Both sides see the same request context: the one mockrunner's engine builds (``build_context``: the request's keys
plus the ``aws:Principal*``, ``aws:username``, ``aws:userid``, ``aws:CurrentTime`` and ``aws:EpochTime`` keys it
derives from the caller and the clock), because iam-simulate derives none of them itself.

A disagreement is either explained by an entry of :data:`EXCEPTIONS` (iam-simulate models something differently
from the AWS documentation, or covers a different scope; each entry names its reason and AWS source) or it fails
the test. Every entry must explain at least one generated case, so none outlives its reason. The findings are in
docs/behaviour.md, "The policy engine against a third-party evaluator".
"""
from __future__ import annotations

import copy
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mockrunner.iam_engine import AuthzRequest, PolicyKind, PolicyRef, evaluate, principal_from_arn
from mockrunner.iam_engine.context import as_text, build_context

from .iam_simulate_driver import decide

SEED = 20261201
CASE_COUNT = 4000

HOME, OTHER = "111111111111", "222222222222"
USER = f"arn:aws:iam::{HOME}:user/alice"
ROLE = f"arn:aws:iam::{HOME}:role/dev"
SESSION = f"arn:aws:sts::{HOME}:assumed-role/dev/alice-session"
OTHER_USER = f"arn:aws:iam::{OTHER}:user/bob"
ACTIONS = ("ecr:BatchGetImage", "ecr:PutImage", "ecr:DescribeImages")
REPOSITORIES = ("alice", "app", "prod/app", "team-dev/app", "team-ops/web")
CLOCKS = (datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC), datetime(2025, 3, 1, 0, 0, 0, tzinfo=UTC))

ACTION_PATTERNS = ("*", "ecr:*", "ecr:BatchGetImage", "ECR:batchgetimage", "ecr:Batch*", "ecr:*Image",
                   "ecr:Describe*", "ecr:PutImage", "ecr:B?tchGetImage", "ecr:Put*", "ecr:GetAuthorizationToken")
RESOURCE_PATTERNS = (
    "*",
    "arn:aws:ecr:us-east-1:{account}:repository/*",
    "arn:aws:ecr:*:*:repository/prod/*",
    "arn:aws:ecr:us-east-1:*:repository/a??",
    "arn:aws:ecr:us-east-1:{account}:repository/${aws:username}",
    "arn:aws:ecr:us-east-1:*:repository/team-${aws:PrincipalTag/team}/*",
    "arn:aws:ecr:us-east-1:{account}:repository/${aws:PrincipalTag/project, 'app'}",
    "arn:aws:ecr:us-east-1:{account}:repository/${*}",
    "arn:aws:ecr:us-east-1:{other}:repository/*",
    "arn:aws:ecr:us-east-1:{account}:repository/ALICE",
)
PRINCIPALS = (
    "*", {"AWS": "*"}, {"AWS": HOME}, {"AWS": f"arn:aws:iam::{HOME}:root"}, {"AWS": OTHER}, {"AWS": USER},
    {"AWS": ROLE}, {"AWS": SESSION}, {"AWS": [OTHER_USER, USER]}, {"AWS": [OTHER, ROLE]},
)


@dataclass(frozen=True)
class KeyFamily:
    """One context key: the operators that test it, the values a policy compares, the values a request carries
    (``None``: the key is absent)."""

    key: str
    operators: tuple[str, ...]
    policy_values: tuple[Any, ...]
    request_values: tuple[Any, ...]


STRING_OPS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
              "StringLike", "StringNotLike")
NUMERIC_OPS = ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
               "NumericGreaterThan", "NumericGreaterThanEquals")
DATE_OPS = ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
            "DateGreaterThanEquals")
ARN_OPS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
SET_OPS = tuple(f"{quantifier}:{base}" for quantifier in ("ForAnyValue", "ForAllValues")
                for base in ("StringEquals", "StringLike", "StringNotEquals", "StringNotLike"))

FAMILIES = (
    KeyFamily("aws:RequestTag/env", STRING_OPS, ("prod", "dev", "p*", "Pro?", "${aws:PrincipalTag/team}"),
              ("prod", "dev", "Prod", None)),
    KeyFamily("aws:PrincipalTag/team", STRING_OPS, ("dev", "ops", "d*", "DEV"), ()),
    KeyFamily("aws:username", STRING_OPS, ("alice", "bob", "a*", "${aws:PrincipalTag/team}"), ()),
    KeyFamily("aws:PrincipalArn", ARN_OPS + ("StringLike",),
              (USER, ROLE, f"arn:aws:iam::{HOME}:*", f"arn:aws:iam::{OTHER}:*", "arn:aws:iam::*:role/d?v",
               f"arn:aws:iam::{HOME}:user/al*"), ()),
    KeyFamily("aws:PrincipalAccount", ("StringEquals", "StringNotEquals"), (HOME, OTHER), ()),
    KeyFamily("aws:MultiFactorAuthAge", NUMERIC_OPS, ("300", "30", "3600"), ("30", "3600", "0", None)),
    KeyFamily("aws:CurrentTime", DATE_OPS,
              ("2024-06-01T00:00:00Z", "2024-06-01T12:00:00Z", "2025-01-01T00:00:00Z", "1717243200"), ()),
    KeyFamily("aws:EpochTime", NUMERIC_OPS + DATE_OPS, ("1717243200", "1740787200", "1800000000"), ()),
    KeyFamily("aws:SecureTransport", ("Bool",), ("true", "false"), ("true", "false", None)),
    KeyFamily("aws:SourceIp", ("IpAddress", "NotIpAddress"),
              ("10.0.0.0/8", "192.168.0.0/24", "10.1.2.3/32", "2001:db8::/32", "10.1.2.3"),
              ("10.1.2.3", "192.168.0.5", "2001:db8::1", "172.16.0.1", None)),
    KeyFamily("aws:TagKeys", SET_OPS, ("env", "team", "e*"),
              (["env"], ["env", "team"], ["owner"], ["team", "owner"], None)),
    KeyFamily("aws:CalledVia", SET_OPS, ("cloudformation.amazonaws.com", "*.amazonaws.com"),
              (["cloudformation.amazonaws.com"], ["athena.amazonaws.com", "cloudformation.amazonaws.com"], None)),
)
NULL_KEYS = ("aws:RequestTag/env", "aws:MultiFactorAuthAge", "aws:SourceIp", "aws:TagKeys", "aws:PrincipalTag/team",
             "aws:username")


def _pick(rng: random.Random, pool: tuple) -> Any:
    return pool[rng.randrange(len(pool))]


def _condition(rng: random.Random) -> dict:
    block: dict[str, dict] = {}
    for _ in range(rng.choice((1, 1, 2))):
        if rng.random() < 0.12:
            operator, key, values = "Null", _pick(rng, NULL_KEYS), _pick(rng, ("true", "false"))
        else:
            family = _pick(rng, FAMILIES)
            operator = _pick(rng, family.operators)
            if rng.random() < 0.25 and operator != "Bool" or operator == "Bool" and rng.random() < 0.3:
                operator += "IfExists"
            key = family.key
            values = rng.sample(family.policy_values, rng.choice((1, 1, 2)))
            values = values[0] if len(values) == 1 else values
        block.setdefault(operator, {})[key] = values
    return block


def _statement(rng: random.Random, account: str, resource_policy: bool) -> dict:
    statement: dict[str, Any] = {"Effect": "Deny" if rng.random() < 0.3 else "Allow"}
    if resource_policy:
        principal = _pick(rng, PRINCIPALS)
        statement["NotPrincipal" if statement["Effect"] == "Deny" and principal != "*" and rng.random() < 0.2
                  else "Principal"] = principal
    actions = rng.sample(ACTION_PATTERNS, rng.choice((1, 1, 2)))
    statement["NotAction" if rng.random() < 0.15 else "Action"] = actions[0] if len(actions) == 1 else actions
    resources = [pattern.replace("{account}", account).replace("{other}", OTHER)
                 for pattern in rng.sample(RESOURCE_PATTERNS, rng.choice((1, 1, 2)))]
    statement["NotResource" if rng.random() < 0.15 else "Resource"] = (resources[0] if len(resources) == 1
                                                                        else resources)
    if rng.random() < 0.55:
        statement["Condition"] = _condition(rng)
    return statement


def _policy(rng: random.Random, account: str, resource_policy: bool = False) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [_statement(rng, account, resource_policy) for _ in range(rng.choice((1, 2, 3)))]}


def _broad_allow() -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}


def generate(count: int = CASE_COUNT, seed: int = SEED) -> list[dict]:
    """``count`` cases, the same ones for the same seed."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        principal = _pick(rng, (USER, SESSION))
        account = HOME if rng.random() < 0.65 else OTHER
        tags = {}
        if rng.random() < 0.8:
            tags["team"] = _pick(rng, ("dev", "ops"))
        if rng.random() < 0.3:
            tags["project"] = _pick(rng, ("app", "alice"))
        context = {}
        for family in FAMILIES:
            if family.request_values:
                value = _pick(rng, family.request_values)
                if value is not None:
                    context[family.key] = value
        case = {
            "principal": principal,
            "tags": tags,
            "action": _pick(rng, ACTIONS),
            "resource": f"arn:aws:ecr:us-east-1:{account}:repository/{_pick(rng, REPOSITORIES)}",
            "resourceAccount": account,
            "now": _pick(rng, CLOCKS).isoformat(),
            "context": context,
            # Mostly a broad grant beside the generated policies, so the other layers' effects are seen too.
            "identityPolicies": ([_broad_allow()] if rng.random() < 0.3 else [])
            + [_policy(rng, account) for _ in range(rng.choice((0, 1, 1, 2)))],
        }
        if rng.random() < 0.3:
            case["permissionsBoundary"] = _policy(rng, account) if rng.random() < 0.8 else _broad_allow()
        if principal == SESSION and rng.random() < 0.35:
            case["sessionPolicy"] = _policy(rng, account) if rng.random() < 0.8 else _broad_allow()
        if rng.random() < 0.6:
            case["resourcePolicy"] = _policy(rng, account, resource_policy=True)
        cases.append(case)
    return cases


def _mockrunner_request(case: dict) -> AuthzRequest:
    session = case.get("sessionPolicy")
    boundary = case.get("permissionsBoundary")
    resource_policy = case.get("resourcePolicy")
    return AuthzRequest(
        principal=principal_from_arn(case["principal"], case["tags"]),
        action=case["action"],
        resource=case["resource"],
        context=case["context"],
        identity_policies=[PolicyRef(f"identity{i}", doc) for i, doc in enumerate(case["identityPolicies"])],
        permissions_boundary=None if boundary is None else PolicyRef("boundary", boundary),
        session_policies=None if session is None else [PolicyRef("session", session)],
        resource_policy=(None if resource_policy is None
                         else PolicyRef("resource", resource_policy, PolicyKind.RESOURCE)),
        resource_account=case["resourceAccount"],
        now=datetime.fromisoformat(case["now"]),
    )


def _simulation(case: dict, request: AuthzRequest) -> dict:
    """The same request in iam-simulate's ``Simulation`` shape, with the context mockrunner's engine builds."""
    context = build_context(request.context, request.principal, request.now)
    simulation = {
        "request": {
            "principal": case["principal"],
            "action": case["action"],
            "resource": {"resource": case["resource"], "accountId": case["resourceAccount"]},
            "contextVariables": {key: [as_text(v) for v in value] if isinstance(value, list) else as_text(value)
                                 for key, value in context.items()},
        },
        "identityPolicies": [{"name": f"identity{i}", "policy": doc}
                             for i, doc in enumerate(case["identityPolicies"])],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    }
    if "permissionsBoundary" in case:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": case["permissionsBoundary"]}]
    if "sessionPolicy" in case:
        simulation["sessionPolicy"] = case["sessionPolicy"]
    if "resourcePolicy" in case:
        simulation["resourcePolicy"] = case["resourcePolicy"]
    return simulation


_VARIABLE = re.compile(r"\$\{([^,}'\s]+)\}")  # a variable without a default ( ${*} ${?} ${$} are literals)
_GUIDE = "IAM User Guide, "
NO_OP = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
"""A statement no generated request is for (its action is never requested): what an exception's shape is
replaced with to see whether the disagreement goes with it."""


def _texts(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _without_value(case: dict, texts: list[str]) -> bool:
    """Whether one of ``texts`` holds a policy variable the request context has no value for."""
    request = _mockrunner_request(case)
    context = build_context(request.context, request.principal, request.now)
    return any(name.lower() not in context and name not in "*?$"
               for text in texts for name in _VARIABLE.findall(text))


def _names(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    return _texts(principal["AWS"]) if isinstance(principal, dict) else _texts(principal or [])


def _conditions(statement: dict) -> list[tuple[str, str, list[str]]]:
    return [(operator, key, [str(v) for v in _texts(values)])
            for operator, keys in statement.get("Condition", {}).items() for key, values in keys.items()]


@dataclass(frozen=True)
class Exception_:
    """A disagreement shape that is not a mockrunner bug.

    ``statement(case, layer, statement)`` recognises a statement of that shape; the exception explains a
    disagreement when the case has one (and, if set, the decisions are ``decisions`` and the resource is in the
    caller's account) and the two evaluators agree once every such statement is replaced by :data:`NO_OP`.
    """

    name: str
    statement: Callable[[dict, str, dict], bool]
    reason: str
    source: str
    decisions: tuple[str, str] | None = None
    same_account: bool = False
    stricter: bool = False
    """Explains only disagreements where mockrunner's decision is the explicit deny."""

    def applies(self, case: dict, ours: str, theirs: str) -> bool:
        if self.decisions is not None and (ours, theirs) != self.decisions:
            return False
        if self.stricter and ours != "explicitDeny":
            return False
        if self.same_account and case["resourceAccount"] != HOME:
            return False
        return any(self.statement(case, layer, st) for layer, st in _statements(case))

    def without(self, case: dict) -> dict:
        """The case with each statement of this shape replaced by :data:`NO_OP` (with a Principal in a resource
        policy)."""
        out = copy.deepcopy(case)
        for layer, policies in (("identity", out["identityPolicies"]),
                                *((name, [out[name]]) for name in LAYERS if name in out)):
            for policy in policies:
                policy["Statement"] = [
                    ({**NO_OP, "Principal": "*"} if layer == "resourcePolicy" else NO_OP)
                    if self.statement(case, layer, st) else st for st in policy["Statement"]]
        return out


LAYERS = ("permissionsBoundary", "sessionPolicy", "resourcePolicy")


def _statements(case: dict) -> list[tuple[str, dict]]:
    """(layer, statement) for every statement of the case's policies."""
    layers = [("identity", doc) for doc in case["identityPolicies"]]
    layers += [(layer, case[layer]) for layer in LAYERS if layer in case]
    return [(layer, statement) for layer, doc in layers for statement in doc["Statement"]]


EXCEPTIONS: tuple[Exception_, ...] = (
    Exception_(
        "NotResource naming a variable with no value",
        lambda case, layer, st: "NotResource" in st and _without_value(case, _texts(st["NotResource"])),
        "iam-simulate drops a NotResource statement whose variable has no value; AWS says such a resource entry "
        "'will not match any resource', and a NotResource statement applies to every resource its entries do not "
        "match, so mockrunner applies the statement",
        _GUIDE + "'Policy elements: variables and tags' (Policy variables with no value); 'NotResource'"),
    Exception_(
        "negated condition against a variable with no value",
        lambda case, layer, st: any("Not" in operator and _without_value(case, values)
                                    for operator, _, values in _conditions(st)),
        "iam-simulate makes any condition whose value has no variable value false; AWS: 'inverted condition "
        "operators like StringNotEquals or StringNotLike do match against a null value'",
        _GUIDE + "'Policy elements: variables and tags' (Policy variables with no value)"),
    Exception_(
        "ForAnyValue...IfExists on a missing key",
        lambda case, layer, st: any(operator.startswith("ForAnyValue:") and operator.endswith("IfExists")
                                    and key not in case["context"] for operator, key, _ in _conditions(st)),
        "iam-simulate ignores IfExists under ForAnyValue when the key is missing (false); AWS: with ...IfExists, "
        "'if the key is not present, evaluate the condition element as true'",
        _GUIDE + "'Condition operators' (...IfExists condition operators)"),
    Exception_(
        "Date operator with an epoch value",
        lambda case, layer, st: any(operator.startswith("Date") and any(v.isdigit() for v in values)
                                    for operator, _, values in _conditions(st)),
        "Date values may be 'epoch (UNIX) time' (seconds); iam-simulate compares a policy's epoch seconds with "
        "the request date's milliseconds",
        _GUIDE + "'Condition operators' (Date condition operators)"),
    Exception_(
        "resource policy naming the session ARN past a session policy",
        lambda case, layer, st: ("sessionPolicy" in case and layer == "resourcePolicy" and st["Effect"] == "Allow"
                                 and SESSION in _names(st)),
        "AWS: a resource policy that names the session's ARN adds its permissions after the session policy, which "
        "does not limit them; iam-simulate applies the session policy to every grant (its README lists session "
        "policies as not yet fully supported)",
        _GUIDE + "'Policies and permissions in IAM' (Session policies)",
        decisions=("allowed", "implicitDeny"), same_account=True),
    Exception_(
        "resource policy's Principal '*' past a permissions boundary",
        lambda case, layer, st: ("permissionsBoundary" in case and layer == "resourcePolicy"
                                 and st["Effect"] == "Allow" and "*" in _names(st)),
        "AWS documents that a same-account resource policy naming the user or the role session ARN is not limited "
        "by a boundary's implicit deny, and one naming the role is; it says nothing of Principal '*'. iam-simulate "
        "lets '*' through; mockrunner treats '*' like the role (limited), the reading that never grants more",
        _GUIDE + "'Permissions boundaries for IAM entities' (Evaluating effective permissions with boundaries)",
        decisions=("implicitDeny", "allowed"), same_account=True),
    Exception_(
        "NotPrincipal Deny naming part of the caller's identities",
        lambda case, layer, st: layer == "resourcePolicy" and st["Effect"] == "Deny" and "NotPrincipal" in st,
        "AWS 'might validate the account first, then the role, and then the assumed-role user' and says to name "
        "the account ARN too, else the policy 'might deny access to the entire account': mockrunner spares a caller "
        "only when the NotPrincipal names its account and its user (or role and session); iam-simulate spares it "
        "when any one of them is named",
        _GUIDE + "'AWS JSON policy elements: NotPrincipal' (Key points)",
        stricter=True),
)


def _decisions(cases: list[dict]) -> tuple[list[str], list[dict]]:
    """mockrunner's decisions and iam-simulate's answers for ``cases``."""
    requests = [_mockrunner_request(case) for case in cases]
    answers = decide([_simulation(case, request) for case, request in zip(cases, requests, strict=True)])
    return [evaluate(request).decision for request in requests], answers


def test_engine_agrees_with_iam_simulate() -> None:
    cases = generate()
    ours, answers = _decisions(cases)
    errors = [(case, answer) for case, answer in zip(cases, answers, strict=True) if answer["decision"] == "error"]
    assert not errors, f"iam-simulate could not run {len(errors)} cases; first: {errors[0]}"
    ignored = {key for answer in answers for key in answer["ignored"]}
    assert not ignored, f"iam-simulate dropped context keys it does not know for the action: {sorted(ignored)}"
    decisions = Counter(ours)
    assert min(decisions[d] for d in ("allowed", "explicitDeny", "implicitDeny")) >= len(cases) // 10, decisions

    disagreements = [(case, mine, answer["decision"]) for case, mine, answer in zip(cases, ours, answers, strict=True)
                     if mine != answer["decision"]]
    # Each disagreement with each exception whose shape it has: replaced, do the two evaluators agree?
    trials = [(index, exception) for index, (case, mine, theirs) in enumerate(disagreements)
              for exception in EXCEPTIONS if exception.applies(case, mine, theirs)]
    trial_ours, trial_answers = _decisions([exception.without(disagreements[index][0]) for index, exception in trials])
    explained_by: dict[int, str] = {}
    for (index, exception), mine, answer in zip(trials, trial_ours, trial_answers, strict=True):
        if mine == answer["decision"]:
            explained_by.setdefault(index, exception.name)

    unexplained = [d for index, d in enumerate(disagreements) if index not in explained_by]
    assert not unexplained, (f"{len(unexplained)} unexplained disagreements of {len(cases)} cases; first ones: "
                             + "\n".join(repr(u) for u in unexplained[:3]))
    used = Counter(explained_by.values())
    unused = [e.name for e in EXCEPTIONS if not used[e.name]]
    assert not unused, f"exceptions that explain no generated case (remove them): {unused}"
