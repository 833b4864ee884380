"""The fix for a denial, applied and replayed: a seeded differential test of mockrunner's "what would make it pass".

A fixed-seed generator (:func:`generate`) makes denied requests across every layer a fix can name:

- an IAM user or an assumed-role session whose identity policy lacks the action, names another resource of the
  same type, or carries a condition the request does not meet;
- a permissions boundary (on the user or the role) that does not allow the request;
- a session policy (AssumeRole with ``Policy``) that does not allow it;
- AssumeRole refused by the target role's trust policy (the caller not named, an ``sts:ExternalId`` the request
  lacks, session tags without ``sts:TagSession``), from the same or the other account;
- a cross-account ECR pull (``BatchGetImage``) whose repository policy does not name the caller;
- App Runner CreateService refused on ``iam:PassRole`` or on the access role's trust (App Runner's principal);
- an explicit deny in each layer (identity, boundary, session, trust, repository policy, PassRole, access role).

For each, the request is made through boto3 and refused; the fix for that decision is read the way a user reads
it (``GET /_mockrunner/policies/suggest?decision=ID``; over HTTP also the dashboard's explanation page) and
applied through the IAM / STS / ECR APIs exactly as it says (the statement put into the named identity policy,
the boundary's new default version, the session policy of a new AssumeRole, the role's trust policy, the
repository policy); then the same request is made again and must be allowed.  An explicit deny must get no
additive fix, and the deny statements it names must be the ones that matched (the planted statement, and the
decision log's).  The fix must grant no more than needed: the closely related requests that were refused before
(another action, another resource of the same type whose name extends this one's, the same request by a twin
principal with the same starting policies, in the same or the other account) are still refused after; and its
document must pass IAM's own validation (CreatePolicy, PutUserPolicy / PutRolePolicy, CreatePolicyVersion,
UpdateAssumeRolePolicy, SetRepositoryPolicy accept it).

The least-privilege suggestion is checked the same way: a multi-call workflow recorded in soft mode, its
suggestion attached (as root, through CreatePolicy) to a fresh user or role holding nothing else, and every
recorded call made again by that principal with enforcement on: none may be refused; what its proof lists as not
covered is what a replay with the same boundary and deny refuses.

Findings (each failed here before its fix; docs/behaviour.md, "The fix for a denial, applied and replayed"):

- a repository policy fix's ``attachTo`` was the log's policy id, not the repository's ARN;
- a session policy fix's ``attachTo`` named the role, whose own policies cannot lift the session policy's limit;
- a role session's role was named without its path (IAM refused the trust / repository policy principal);
  likewise a suggested policy's ``attachTo`` for a role asked for by its session's ARN;
- a request two layers refuse got one layer's statement and stayed refused: now ``alsoNeeded``;
- a boundary that is an AWS managed policy was to take the statement (CreatePolicyVersion refuses): now a copy
  (``newBoundaryFrom``) set as the boundary.

Held: no fix let a related request through; every statement passed IAM's validation; the deny statements named
were the matched ones in every layer; the dashboard and the command line (online and offline) give the admin
API's answer.
"""
from __future__ import annotations

import html
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.config import AccountKeys, Quotas, Settings
from tests.apprunner.helpers import private_source
from tests.harness import OTHER_ACCOUNT, Harness
from tests.suggest.helpers import ACCOUNT, admin

SEED = 20261201
COUNT = 300
"""Scenarios made in process (each a handful of calls); the HTTP run takes the first :data:`HTTP_COUNT` of
another draw of the same generator."""
HTTP_COUNT = 30
ROOTS = {ACCOUNT: ("test", "test"), OTHER_ACCOUNT: ("other-key", "other-secret")}
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException"})
VERSION = "2012-10-17"
APPRUNNER = "apprunner.amazonaws.com"
BUILD = "build.apprunner.amazonaws.com"


def _doc(*statements: dict) -> dict:
    return {"Version": VERSION, "Statement": list(statements)}


def _allow(action: str | list[str], resource: str | list[str] = "*", condition: dict | None = None,
           sid: str | None = None) -> dict:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    if sid:
        statement["Sid"] = sid
    return statement


# ------------------------------------------------------------------------------------------- resources and probes
@dataclass(frozen=True)
class Probe:
    """One request on a resource of a type: its IAM action and the boto3 call making it."""

    action: str
    service: str
    method: str
    params: Callable[[str, str], dict]
    """``(name, arn) -> parameters``."""


@dataclass(frozen=True)
class ResourceType:
    service: str
    arn: Callable[[str, str, str], str]
    """``(account, path, name) -> ARN``."""
    create: Callable[[Any, str, str], None]
    """``(root client of the service, path, name)``: make the resource."""
    probes: tuple[Probe, ...]


def _make_role(iam, path: str, name: str) -> None:
    iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(_doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})))


TYPES = {
    "repository": ResourceType(
        "ecr", lambda account, path, name: f"arn:aws:ecr:us-east-1:{account}:repository/{name}",
        lambda ecr, path, name: ecr.create_repository(repositoryName=name), (
            Probe("ecr:DescribeRepositories", "ecr", "describe_repositories", lambda n, a: {"repositoryNames": [n]}),
            Probe("ecr:ListImages", "ecr", "list_images", lambda n, a: {"repositoryName": n}),
            Probe("ecr:DescribeImages", "ecr", "describe_images", lambda n, a: {"repositoryName": n}),
            Probe("ecr:GetLifecyclePolicy", "ecr", "get_lifecycle_policy", lambda n, a: {"repositoryName": n}),
            Probe("ecr:ListTagsForResource", "ecr", "list_tags_for_resource", lambda n, a: {"resourceArn": a}),
        )),
    "role": ResourceType(
        "iam", lambda account, path, name: f"arn:aws:iam::{account}:role{path}{name}", _make_role, (
            Probe("iam:GetRole", "iam", "get_role", lambda n, a: {"RoleName": n}),
            Probe("iam:ListRolePolicies", "iam", "list_role_policies", lambda n, a: {"RoleName": n}),
            Probe("iam:ListAttachedRolePolicies", "iam", "list_attached_role_policies", lambda n, a: {"RoleName": n}),
            Probe("iam:ListRoleTags", "iam", "list_role_tags", lambda n, a: {"RoleName": n}),
        )),
    "user": ResourceType(
        "iam", lambda account, path, name: f"arn:aws:iam::{account}:user{path}{name}",
        lambda iam, path, name: iam.create_user(UserName=name, Path=path), (
            Probe("iam:GetUser", "iam", "get_user", lambda n, a: {"UserName": n}),
            Probe("iam:ListUserPolicies", "iam", "list_user_policies", lambda n, a: {"UserName": n}),
            Probe("iam:ListAccessKeys", "iam", "list_access_keys", lambda n, a: {"UserName": n}),
            Probe("iam:ListUserTags", "iam", "list_user_tags", lambda n, a: {"UserName": n}),
            Probe("iam:ListGroupsForUser", "iam", "list_groups_for_user", lambda n, a: {"UserName": n}),
        )),
}
AWS_BOUNDARY = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"
"""An AWS managed policy as a boundary: it allows App Runner reads only, none of the probes."""
TYPES["account"] = ResourceType(
    "iam", lambda account, path, name: "*", lambda iam, path, name: None, (
        Probe("iam:ListRoles", "iam", "list_roles", lambda n, a: {}),
        Probe("iam:ListUsers", "iam", "list_users", lambda n, a: {}),
        Probe("iam:ListGroups", "iam", "list_groups", lambda n, a: {}),
        Probe("iam:ListPolicies", "iam", "list_policies", lambda n, a: {"Scope": "Local"}),
        Probe("iam:GetAccountSummary", "iam", "get_account_summary", lambda n, a: {}),
    ))
"""Actions with no resource type: the request's resource is ``*``."""
CONDITIONS = (
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:ResourceTag/team": "blue"}},
)


# ------------------------------------------------------------------------------------------- the world
class World:
    """One mockrunner (enforcing, two accounts) and what the scenarios share: root clients, a user per account
    that may assume any role (for role sessions), a bystander per account a policy can name instead of the
    caller, App Runner's service-linked role."""

    def __init__(self, harness: Harness, service_linked_role: bool = True) -> None:
        self.harness = harness
        self._clients: dict[tuple, Any] = {}
        self.assumer: dict[str, dict] = {}
        self.bystander: dict[str, str] = {}
        for account in ROOTS:
            iam = self.root(account, "iam")
            name = f"assumer-{account}"
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=json.dumps(
                _doc(_allow(["sts:AssumeRole", "sts:TagSession"]))))
            key = iam.create_access_key(UserName=name)["AccessKey"]
            self.assumer[account] = {"arn": f"arn:aws:iam::{account}:user/{name}", "AccessKeyId": key["AccessKeyId"],
                                     "SecretAccessKey": key["SecretAccessKey"]}
            iam.create_user(UserName="bystander")
            self.bystander[account] = f"arn:aws:iam::{account}:user/bystander"
        if service_linked_role:
            self.root(ACCOUNT, "iam").create_service_linked_role(AWSServiceName=APPRUNNER)

    def client(self, service: str, credentials: dict) -> Any:
        key = (service, credentials["AccessKeyId"], credentials.get("SessionToken"))
        if key not in self._clients:
            self._clients[key] = self.harness.client_for(credentials, service)
        return self._clients[key]

    def root(self, account: str, service: str) -> Any:
        access, secret = ROOTS[account]
        return self.client(service, {"AccessKeyId": access, "SecretAccessKey": secret})

    def admin(self, path: str, params: dict) -> dict:
        status, body = admin(self.harness, "get", path, params)
        assert status == 200, body
        return body

    def last_denied(self, principal: str) -> dict:
        """The newest refused decision of ``principal``, as the decision log lists it."""
        entries = self.admin("/decisions", {"principal": principal, "decision": "denied", "limit": "1"})["decisions"]
        assert entries, f"no refused decision of {principal}"
        return entries[-1]


@dataclass
class Principal:
    """A user (its own keys) or a role session (assumed by the account's assumer, with an optional session
    policy); ``entity`` is the user or the role (its ARN holds the path; a session's ARN does not)."""

    world: World
    account: str
    kind: str
    name: str
    path: str = "/"
    session_policy: dict | None = None
    session_policy_arns: tuple[str, ...] = ()
    credentials: dict = field(default_factory=dict)

    @property
    def entity(self) -> str:
        return f"arn:aws:iam::{self.account}:{self.kind}{self.path}{self.name}"

    @property
    def arn(self) -> str:
        return self.entity if self.kind == "user" else f"arn:aws:sts::{self.account}:assumed-role/{self.name}/sess"

    def client(self, service: str) -> Any:
        return self.world.client(service, self.credentials)

    def assume(self) -> None:
        """(A role session) a new session of the role, with the current session policy."""
        assumer = self.world.assumer[self.account]
        params: dict[str, Any] = {"RoleArn": self.entity, "RoleSessionName": "sess"}
        if self.session_policy is not None:
            params["Policy"] = json.dumps(self.session_policy)
        if self.session_policy_arns:
            params["PolicyArns"] = [{"arn": arn} for arn in self.session_policy_arns]
        self.credentials = self.world.client("sts", assumer).assume_role(**params)["Credentials"]


PATHS = ("/", "/", "/team/", "/ci/deploy/", "/a*b/", "/$x/", "/q?/")
"""IAM paths of principals and targets: ``*``, ``?`` and ``$`` are allowed in a path (any of ``!``-``~``), and a
fix naming such an ARN must match it alone."""
PRINCIPAL_PATHS = ("/", "/", "/team/", "/ci/deploy/", "/$x/")
"""A principal's path: a policy cannot name a principal whose ARN holds ``*`` or ``?`` (IAM refuses wildcards in
``Principal``), so callers keep to these."""
ROLE_ARN_PATHS = ("/", "/team/", "/ci/deploy/")
"""Paths of the roles App Runner is given: its role ARN pattern takes ``[\\w+=,.@-/]`` only."""
HOMES = ("inline", "managed", "group")
"""Where a principal's starting identity policy lives: inline, an attached managed policy, a group's inline."""


def identity_policy_id(principal: Principal, home: str) -> str:
    """The id the decision log gives the starting identity policy."""
    if home == "managed":
        return f"arn:aws:iam::{principal.account}:policy/{principal.name}-base"
    if home == "group" and principal.kind == "user":
        return f"arn:aws:iam::{principal.account}:group/{principal.name}-g#inline/base"
    return f"{principal.entity}#inline/base"


def make_principal(world: World, account: str, kind: str, name: str, identity: dict | None,
                   boundary: dict | str | None = None, session_policy: dict | None = None, path: str = "/",
                   home: str = "inline", session_policy_arns: tuple[str, ...] = ()) -> Principal:
    """A user or a role (trusting the account's assumer) at ``path`` with ``identity`` where ``home`` says (a role
    has no group: ``group`` is ``inline`` for it), ``boundary`` as a managed policy of its own, and (a role) a
    session assumed with ``session_policy``."""
    iam = world.root(account, "iam")
    boundary_arn = boundary if isinstance(boundary, str) else None
    if isinstance(boundary, dict):
        boundary_arn = iam.create_policy(PolicyName=f"{name}-boundary",
                                         PolicyDocument=json.dumps(boundary))["Policy"]["Arn"]
    extra = {"PermissionsBoundary": boundary_arn} if boundary_arn else {}
    principal = Principal(world, account, kind, name, path, session_policy, session_policy_arns)
    entity = {"UserName": name} if kind == "user" else {"RoleName": name}
    if kind == "user":
        iam.create_user(UserName=name, Path=path, **extra)
    else:
        trust = _doc({"Effect": "Allow", "Principal": {"AWS": world.assumer[account]["arn"]},
                      "Action": ["sts:AssumeRole", "sts:TagSession"]})
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust), **extra)
    if identity is not None:
        text = json.dumps(identity)
        if home == "managed":
            arn = iam.create_policy(PolicyName=f"{name}-base", PolicyDocument=text)["Policy"]["Arn"]
            (iam.attach_user_policy if kind == "user" else iam.attach_role_policy)(PolicyArn=arn, **entity)
        elif home == "group" and kind == "user":
            iam.create_group(GroupName=f"{name}-g")
            iam.put_group_policy(GroupName=f"{name}-g", PolicyName="base", PolicyDocument=text)
            iam.add_user_to_group(GroupName=f"{name}-g", UserName=name)
        else:
            (iam.put_user_policy if kind == "user" else iam.put_role_policy)(PolicyName="base", PolicyDocument=text,
                                                                            **entity)
    if kind == "user":
        key = iam.create_access_key(UserName=name)["AccessKey"]
        principal.credentials = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    else:
        principal.assume()
    return principal


# ------------------------------------------------------------------------------------------- requests
@dataclass
class Request:
    """A request a principal makes, and how its answer reads: ``"allowed"`` or ``"denied"`` (refused by
    authorization: AccessDenied, or App Runner's "Error in assuming" for the access role's trust)."""

    principal: Principal
    service: str
    method: str
    params: dict
    label: str

    def outcome(self) -> str:
        """``allowed`` (answered, or refused for a reason other than authorization that only an authorized request
        meets: :data:`PAST_AUTHORIZATION`), ``denied``, or ``error <code>``."""
        try:
            getattr(self.principal.client(self.service), self.method)(**self.params)
        except ClientError as error:
            code, message = error.response["Error"]["Code"], error.response["Error"].get("Message", "")
            if code in DENIED_CODES or (code == "InvalidRequestException" and "Error in assuming" in message):
                return "denied"
            return "allowed" if code in PAST_AUTHORIZATION else f"error {code}: {message}"
        return "allowed"


PAST_AUTHORIZATION = frozenset({"LifecyclePolicyNotFoundException", "RepositoryPolicyNotFoundException",
                                "RepositoryAlreadyExistsException"})
"""Errors a request meets after it was authorized (the thing asked for is not there, or is there already)."""


def probe_request(principal: Principal, rtype: str, probe: Probe, account: str, path: str, name: str) -> Request:
    arn = TYPES[rtype].arn(account, path, name)
    return Request(principal, probe.service, probe.method, probe.params(name, arn), f"{probe.action} {arn}")


# ------------------------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    number: int
    kind: str
    """``identity``, ``boundary``, ``session``, ``trust``, ``ecr-pull``, ``passrole``, ``access-trust``."""
    principal: str
    """``user`` or ``role`` (a role session)."""
    variant: str
    """What the layer lacks: ``missing``, ``resource``, ``condition`` (identity-side), ``other``,
    ``nopolicy``, ``externalid``, ``tags``, ``identity`` (resource-side), ``both``: the identity policy does not
    allow it either (``bothsame``: AssumeRole in the same account, where a trust policy naming a user suffices),
    ``awsmanaged``: the boundary is an AWS managed policy, ``managed``: the session policy is a managed policy
    (``PolicyArns``), or ``deny``: an explicit deny in that layer (``deny2``: in the identity policy as well;
    ``manageddeny``: in a managed session policy)."""
    rtype: str = "repository"
    probe: int = 0
    other_probe: int = 1
    condition: int = 0
    account: str = ACCOUNT
    """The caller's account (trust: the caller may be in the other account)."""
    path: str = "/"
    """The caller's (user's or role's) IAM path."""
    target_path: str = "/"
    home: str = "inline"
    """Where the caller's starting identity policy lives (:data:`HOMES`)."""


KINDS = {
    "identity": (("user", "role"), ("missing", "resource", "condition", "deny")),
    "boundary": (("user", "role"), ("missing", "resource", "condition", "both", "awsmanaged", "deny", "deny2")),
    "session": (("role",), ("missing", "resource", "condition", "managed", "deny", "manageddeny")),
    "trust": (("user", "role"), ("other", "externalid", "tags", "identity", "both", "bothsame", "deny")),
    "ecr-pull": (("user", "role"), ("nopolicy", "other", "condition", "identity", "both", "deny")),
    "passrole": (("user", "role"), ("missing", "resource", "condition", "deny")),
    "access-trust": (("user",), ("other", "deny")),
}


def generate(rng: random.Random, count: int, first: int = 0) -> list[Scenario]:
    """``count`` scenarios, walking every (kind, variant) in turn; the rest of each is drawn from ``rng``."""
    combos = [(kind, variant) for kind, (_, variants) in KINDS.items() for variant in variants]
    made = []
    for index in range(count):
        kind, variant = combos[index % len(combos)]
        rtype = rng.choice(sorted(TYPES))
        probes = len(TYPES[rtype].probes)
        probe, other = rng.sample(range(probes), 2)
        account = rng.choice((ACCOUNT, OTHER_ACCOUNT)) if kind == "trust" else ACCOUNT
        target_paths = ROLE_ARN_PATHS if kind in ("passrole", "access-trust") else PATHS
        made.append(Scenario(first + index, kind, rng.choice(KINDS[kind][0]), variant, rtype, probe, other,
                             rng.randrange(len(CONDITIONS)), account, rng.choice(PRINCIPAL_PATHS),
                             rng.choice(target_paths), rng.choice(HOMES)))
    return made


@dataclass
class Setup:
    """A scenario made: the request refused, the requests that must stay refused after the fix (``related``),
    and for an explicit deny the ``(policyId, sid)`` of each planted deny."""

    request: Request
    related: list[Request]
    deny: set[tuple[str, str]] | None = None
    observer: str | None = None
    """The principal whose decision is the refusal (App Runner's, for the access role's trust)."""


def _layered(scenario: Scenario, layer_doc: dict, allow_all: dict) -> dict[str, dict | None]:
    """The identity, boundary and session documents: the scenario's layer gets ``layer_doc``, the others allow."""
    docs: dict[str, dict | None] = {"identity": allow_all, "boundary": None, "session": None}
    docs[scenario.kind] = layer_doc
    if scenario.kind == "boundary":
        docs["identity"] = allow_all
    return docs


def setup_layer(world: World, s: Scenario) -> Setup:
    """identity / boundary / session: a probe on resource ``x``; ``y`` (whose name extends ``x``'s) may be allowed
    by the starting policy (variant ``resource``), ``z`` never is."""
    rtype = TYPES[s.rtype]
    root = world.root(ACCOUNT, rtype.service)
    names = {key: f"t{s.number}-{key}" for key in ("x", "xy", "z")}
    for name in names.values():
        rtype.create(root, s.target_path, name)
    arn = {key: rtype.arn(ACCOUNT, s.target_path, name) for key, name in names.items()}
    probe, other = rtype.probes[s.probe], rtype.probes[s.other_probe]
    allow_all = _doc(_allow(f"{rtype.service}:*"))
    deny_statement = {"Sid": f"Deny{s.number}", "Effect": "Deny", "Action": probe.action, "Resource": arn["x"]}
    if s.rtype == "account":  # an action with no resource type: the starting policy names a resource instead
        arn.update((key, f"arn:aws:iam::{ACCOUNT}:user/t{s.number}-{key}") for key in ("xy", "z"))
    layer = {
        "missing": _doc(_allow(other.action, arn["z"])),
        "both": _doc(_allow(other.action, arn["z"])),
        "awsmanaged": AWS_BOUNDARY,
        "resource": _doc(_allow(probe.action, arn["xy"])),
        "condition": _doc(_allow(probe.action, arn["x"], CONDITIONS[s.condition])),
        "managed": _doc(_allow(other.action, arn["z"])),
        "deny": _doc(_allow(f"{rtype.service}:*"), deny_statement),
        "deny2": _doc(_allow(f"{rtype.service}:*"), deny_statement),
        "manageddeny": _doc(_allow(f"{rtype.service}:*"), deny_statement),
    }[s.variant]
    docs = _layered(s, layer, allow_all)
    if s.variant == "both":
        docs["identity"] = layer
    if s.variant == "deny2":  # the identity policy denies it as well
        docs["identity"] = _doc(_allow(f"{rtype.service}:*"), {**deny_statement, "Sid": f"Deny{s.number}i"})
    session_arns = ()
    if s.variant in ("managed", "manageddeny"):  # the session policy is a managed policy passed as PolicyArns
        session_arns = (world.root(ACCOUNT, "iam").create_policy(
            PolicyName=f"s{s.number}-session", PolicyDocument=json.dumps(layer))["Policy"]["Arn"],)
        docs["session"] = None

    def make(name: str) -> Principal:
        return make_principal(world, ACCOUNT, s.principal, name, docs["identity"], docs["boundary"],
                              docs["session"], s.path, s.home, session_arns)

    caller, twin = make(f"p{s.number}"), make(f"p{s.number}-twin")
    at = (ACCOUNT, s.target_path)
    request = probe_request(caller, s.rtype, probe, *at, names["x"])
    related = [probe_request(caller, s.rtype, other, *at, names["x"]),
               probe_request(twin, s.rtype, probe, *at, names["x"])]
    if s.rtype != "account":  # other resources of the type (an account-wide action has none)
        related.append(probe_request(caller, s.rtype, probe, *at, names["z"]))
        if s.variant != "resource":
            related.append(probe_request(caller, s.rtype, probe, *at, names["xy"]))
    deny = None
    if s.variant.endswith("deny") or s.variant == "deny2":
        policy_id = {"identity": identity_policy_id(caller, s.home),
                     "boundary": f"arn:aws:iam::{ACCOUNT}:policy/{caller.name}-boundary",
                     "session": session_arns[0] if session_arns else f"{caller.arn}#session-policy/0"}[s.kind]
        deny = {(policy_id, f"Deny{s.number}")}
        if s.variant == "deny2":
            deny.add((identity_policy_id(caller, s.home), f"Deny{s.number}i"))
    return Setup(request, related, deny)


def _trust_statement(principal: str, action: str | list[str] = "sts:AssumeRole", condition: dict | None = None,
                     effect: str = "Allow", sid: str | None = None) -> dict:
    statement: dict[str, Any] = {"Effect": effect, "Principal": {"AWS": principal}, "Action": action}
    if condition:
        statement["Condition"] = condition
    if sid:
        statement["Sid"] = sid
    return statement


def setup_trust(world: World, s: Scenario) -> Setup:
    """AssumeRole of role ``r`` (account A) by a caller of account ``s.account`` allowed sts:* by its identity (variant
    ``identity``: a caller of the other account whose identity does not allow it, named by the trust policy)."""
    iam = world.root(ACCOUNT, "iam")
    caller_identity = _doc(_allow(["sts:AssumeRole", "sts:TagSession"]))
    if s.variant in ("identity", "both", "bothsame"):
        caller_identity = _doc(_allow("sts:TagSession"))
    account = {"identity": OTHER_ACCOUNT, "both": OTHER_ACCOUNT, "bothsame": ACCOUNT}.get(s.variant, s.account)
    caller = make_principal(world, account, s.principal, f"p{s.number}", caller_identity, path=s.path, home=s.home)
    twin = make_principal(world, account, s.principal, f"p{s.number}-twin", caller_identity, path=s.path,
                          home=s.home)
    trust = {
        "identity": _doc(_trust_statement([caller.entity, twin.entity])),
        "other": _doc(_trust_statement(world.bystander[account])),
        "both": _doc(_trust_statement(world.bystander[account])),
        "bothsame": _doc(_trust_statement(world.bystander[account])),
        "externalid": _doc(_trust_statement(caller.entity, condition={"StringEquals": {"sts:ExternalId": "x1"}})),
        "tags": _doc(_trust_statement(caller.entity)),
        "deny": _doc(_trust_statement(f"arn:aws:iam::{account}:root", ["sts:AssumeRole", "sts:TagSession"]),
                     _trust_statement(caller.entity, effect="Deny", sid=f"Deny{s.number}")),
    }[s.variant]
    roles = {key: f"r{s.number}-{key}" for key in ("target", "other")}
    for name in roles.values():
        iam.create_role(RoleName=name, Path=s.target_path, AssumeRolePolicyDocument=json.dumps(trust))
    arn = {key: f"arn:aws:iam::{ACCOUNT}:role{s.target_path}{name}" for key, name in roles.items()}

    def assume(who: Principal, role: str, tags: bool = False) -> Request:
        params: dict[str, Any] = {"RoleArn": role, "RoleSessionName": "xx"}
        if tags:
            params["Tags"] = [{"Key": "team", "Value": "blue"}]
        return Request(who, "sts", "assume_role", params, f"sts:AssumeRole {role}{' with tags' if tags else ''}")

    tagged = s.variant == "tags"
    request = assume(caller, arn["target"], tagged)
    related = [assume(twin, arn["target"], tagged), assume(caller, arn["other"], tagged)]
    if s.variant in ("other", "externalid"):
        related.append(assume(caller, arn["target"], tags=True))  # sts:TagSession is another action
    deny = {(f"{arn['target']}#trust-policy", f"Deny{s.number}")} if s.variant == "deny" else None
    return Setup(request, related, deny)


PULL = ("ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer")


def setup_ecr_pull(world: World, s: Scenario) -> Setup:
    """BatchGetImage on account A's repository by a caller of the other account whose identity allows pulls
    (variant ``identity``: whose identity does not, the repository policy naming it)."""
    ecr = world.root(ACCOUNT, "ecr")
    names = {key: f"t{s.number}-{key}" for key in ("x", "xy")}
    for name in names.values():
        ecr.create_repository(repositoryName=name)
    identity = _doc(_allow("ecr:DescribeRepositories" if s.variant in ("identity", "both") else list(PULL)))
    caller = make_principal(world, OTHER_ACCOUNT, s.principal, f"p{s.number}", identity, path=s.path, home=s.home)
    twin = make_principal(world, OTHER_ACCOUNT, s.principal, f"p{s.number}-twin", identity, path=s.path,
                          home=s.home)
    policy = {
        "nopolicy": None,
        "both": None,
        "identity": _doc({"Sid": "Callers", "Effect": "Allow", "Principal": {"AWS": [caller.entity, twin.entity]},
                          "Action": list(PULL)}),
        "other": _doc({"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": world.bystander[OTHER_ACCOUNT]},
                       "Action": list(PULL)}),
        "condition": _doc({"Sid": "Cond", "Effect": "Allow", "Principal": {"AWS": caller.entity},
                           "Action": list(PULL), "Condition": CONDITIONS[s.condition]}),
        "deny": _doc({"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                      "Action": "ecr:*"},
                     {"Sid": f"Deny{s.number}", "Effect": "Deny", "Principal": {"AWS": caller.entity},
                      "Action": "ecr:BatchGetImage"}),
    }[s.variant]
    if policy is not None:
        ecr.set_repository_policy(repositoryName=names["x"], policyText=json.dumps(policy))

    def pull(who: Principal, name: str, method: str = "batch_get_image") -> Request:
        params: dict[str, Any] = {"registryId": ACCOUNT, "repositoryName": name}
        if method == "batch_get_image":
            params["imageIds"] = [{"imageTag": "latest"}]
        else:
            params["layerDigests"] = ["sha256:" + "0" * 64]
        return Request(who, "ecr", method, params, f"{method} {ACCOUNT}/{name}")

    request = pull(caller, names["x"])
    related = [pull(twin, names["x"]), pull(caller, names["xy"]),
               pull(caller, names["x"], "batch_check_layer_availability")]
    repository = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{names['x']}"
    deny = {(f"{repository} repository policy", f"Deny{s.number}")} if s.variant == "deny" else None
    return Setup(request, related, deny)


def _service_role(world: World, name: str, trust: dict, path: str = "/") -> str:
    world.root(ACCOUNT, "iam").create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


def _service_trust(principal: str, effect: str = "Allow", sid: str | None = None) -> dict:
    statement: dict[str, Any] = {"Effect": effect, "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if sid:
        statement["Sid"] = sid
    return statement


def _create_service(who: Principal, number: int, suffix: str, role: str) -> Request:
    name = f"svc-{number}-{suffix}"
    return Request(who, "apprunner", "create_service",
                   {"ServiceName": name, "SourceConfiguration": private_source(role)},
                   f"apprunner:CreateService {name} passing {role}")


def setup_passrole(world: World, s: Scenario) -> Setup:
    """CreateService passing access role ``a`` by a caller allowed apprunner:* whose identity lacks iam:PassRole
    (or allows it on another role, or denies it)."""
    good = _doc(_service_trust(BUILD))
    roles = {key: _service_role(world, f"r{s.number}-{key}", good, s.target_path) for key in ("a", "ab", "z")}
    identity = {
        "missing": _doc(_allow("apprunner:*")),
        "condition": _doc(_allow("apprunner:*"), _allow("iam:PassRole", roles["a"], {"StringEquals": {
            "iam:PassedToService": "ec2.amazonaws.com"}})),
        "resource": _doc(_allow("apprunner:*"), _allow("iam:PassRole", roles["ab"])),
        "deny": _doc(_allow(["apprunner:*", "iam:PassRole"]),
                     {"Sid": f"Deny{s.number}", "Effect": "Deny", "Action": "iam:PassRole", "Resource": roles["a"]}),
    }[s.variant]
    caller = make_principal(world, ACCOUNT, s.principal, f"p{s.number}", identity, path=s.path, home=s.home)
    twin = make_principal(world, ACCOUNT, s.principal, f"p{s.number}-twin", identity, path=s.path, home=s.home)
    request = _create_service(caller, s.number, "a", roles["a"])
    related = [_create_service(twin, s.number, "t", roles["a"]), _create_service(caller, s.number, "z", roles["z"])]
    if s.variant != "resource":
        related.append(_create_service(caller, s.number, "b", roles["ab"]))
    deny = {(identity_policy_id(caller, s.home), f"Deny{s.number}")} if s.variant == "deny" else None
    return Setup(request, related, deny)


def setup_access_trust(world: World, s: Scenario) -> Setup:
    """CreateService by a caller allowed everything it needs, passing an access role App Runner may not assume."""
    trust = {"other": _doc(_service_trust("tasks.apprunner.amazonaws.com")),
             "deny": _doc(_service_trust(BUILD), _service_trust(BUILD, "Deny", f"Deny{s.number}"))}[s.variant]
    roles = {key: _service_role(world, f"r{s.number}-{key}", trust, s.target_path) for key in ("a", "z")}
    identity = _doc(_allow("apprunner:*"), _allow("iam:PassRole", list(roles.values()),
                                                  {"StringEquals": {"iam:PassedToService": APPRUNNER}}))
    caller = make_principal(world, ACCOUNT, s.principal, f"p{s.number}", identity, path=s.path, home=s.home)
    request = _create_service(caller, s.number, "a", roles["a"])
    related = [_create_service(caller, s.number, "z", roles["z"])]
    deny = {(f"{roles['a']}#trust-policy", f"Deny{s.number}")} if s.variant == "deny" else None
    return Setup(request, related, deny, observer=BUILD)


SETUPS = {"identity": setup_layer, "boundary": setup_layer, "session": setup_layer, "trust": setup_trust,
          "ecr-pull": setup_ecr_pull, "passrole": setup_passrole, "access-trust": setup_access_trust}


# ------------------------------------------------------------------------------------------- applying a fix
def _arn_parts(arn: str) -> tuple[str, str, str]:
    """``(account, type, name)`` of an IAM ARN (``user``/``role``/``policy``)."""
    found = re.fullmatch(r"arn:aws:iam::(\d{12}):(user|role|policy)/(?:.*/)?([^/]+)", arn or "")
    assert found, f"the fix names {arn!r}, not an IAM user, role or policy ARN"
    return found.group(1), found.group(2), found.group(3)


def _default_document(iam, policy_arn: str) -> Any:
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]


def _arn_of(iam, kind: str, name: str) -> str:
    return iam.get_user(UserName=name)["User"]["Arn"] if kind == "user" else iam.get_role(RoleName=name)["Role"]["Arn"]


def _statements(document: Any) -> list[dict]:
    document = json.loads(document) if isinstance(document, str) else document
    statements = document["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


_FIXES = itertools.count(1)


def apply_fix(world: World, setup: Setup, fix: dict, number: int) -> None:
    """Do what the fix says, through the APIs, as the owner of the policy it names (its account's root)."""
    where, statement, target = fix["where"], fix["statement"], fix.get("attachTo")
    caller = setup.request.principal
    if where == "identity policy":
        account, kind, name = _arn_parts(target)
        iam = world.root(account, "iam")
        document = json.dumps(_doc(statement))
        policy_name = f"fix-{next(_FIXES)}"
        if kind == "user":
            assert iam.get_user(UserName=name)["User"]["Arn"] == target, f"no user is {target}"
            iam.put_user_policy(UserName=name, PolicyName=policy_name, PolicyDocument=document)
        else:
            assert iam.get_role(RoleName=name)["Role"]["Arn"] == target, f"no role is {target}"
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)
    elif where == "permissions boundary":
        account, kind, _ = _arn_parts(target)
        iam = world.root(account, "iam")
        if fix.get("newBoundaryFrom"):  # an AWS managed boundary: a copy with the statement replaces it
            _, kind, name = _arn_parts(target)
            assert kind in ("user", "role") and _arn_of(iam, kind, name) == target, f"no {kind} is {target}"
            source = fix["newBoundaryFrom"]
            document = _doc(*_statements(_default_document(world.root(ACCOUNT, "iam"), source)), statement)
            arn = iam.create_policy(PolicyName=f"{name}-new-boundary", PolicyDocument=json.dumps(document))
            put = iam.put_user_permissions_boundary if kind == "user" else iam.put_role_permissions_boundary
            put(**{"UserName" if kind == "user" else "RoleName": name}, PermissionsBoundary=arn["Policy"]["Arn"])
            return
        assert kind == "policy"
        iam.create_policy_version(PolicyArn=target, SetAsDefault=True, PolicyDocument=json.dumps(
            _doc(*_statements(_default_document(iam, target)), statement)))
    elif where == "session policy":
        assert target is None, (f"the session policy's fix says to attach it to {target}: a statement there does "
                                "not lift the session policy's limit")
        caller.session_policy = _doc(*(_statements(caller.session_policy) if caller.session_policy else ()),
                                     statement)
        caller.assume()
    elif where == "trust policy":
        account, kind, name = _arn_parts(target)
        assert kind == "role"
        iam = world.root(account, "iam")
        current = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(_doc(*_statements(current),
                                                                                    statement)))
    elif where == "repository policy":
        found = re.fullmatch(r"arn:aws:ecr:([^:]+):(\d{12}):repository/(.+)", target or "")
        assert found, f"the repository policy fix names {target!r}, not a repository ARN"
        region, account, name = found.groups()
        ecr = world.root(account, "ecr")
        try:
            current = _statements(ecr.get_repository_policy(repositoryName=name)["policyText"])
        except ClientError as error:
            assert error.response["Error"]["Code"] == "RepositoryPolicyNotFoundException"
            current = []
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(
            _doc(*current, {"Sid": f"Fix{next(_FIXES)}", **statement})))
    else:
        raise AssertionError(f"a fix for an unknown place {where!r}")


def validate_with_iam(world: World, fix: dict, number: int) -> None:
    """An identity-grammar fix is accepted by CreatePolicy on its own (the other places' APIs took it when it was
    applied)."""
    if fix["where"] in ("identity policy", "permissions boundary", "session policy"):
        iam = world.root(ACCOUNT, "iam")
        arn = iam.create_policy(PolicyName=f"check-{number}",
                                PolicyDocument=json.dumps(_doc(fix["statement"])))["Policy"]["Arn"]
        iam.delete_policy(PolicyArn=arn)


# ------------------------------------------------------------------------------------------- one scenario
def run(world: World, scenario: Scenario) -> list[str]:
    """Problems found in one scenario (empty: everything held)."""
    setup = SETUPS[scenario.kind](world, scenario)
    label = f"#{scenario.number} {scenario.kind}/{scenario.principal}/{scenario.variant} {setup.request.label}"
    if setup.deny is not None:
        setup.related = []  # the deny's layer allows everything else
    before = [request.outcome() for request in setup.related]
    if setup.request.outcome() != "denied":
        return [f"{label}: not refused to begin with"]
    decision = world.last_denied(setup.observer or setup.request.principal.arn)
    fix = world.admin("/policies/suggest", {"decision": str(decision["id"])})
    problems = [f"{label}: related request {related.label} allowed before the fix"
                for related, outcome in zip(setup.related, before, strict=True) if outcome != "denied"]
    if setup.deny is not None:
        return problems + _check_deny(label, setup, decision, fix)
    if "statement" not in fix:
        return problems + [f"{label}: no statement offered: {fix}"]
    steps = [fix, *fix.get("alsoNeeded", ())]
    wanted = {"both": {2}, "bothsame": {1, 2}}.get(scenario.variant, {1})
    if len(steps) not in wanted or not fix.get("alsoNeededComplete"):
        problems.append(f"{label}: {len(steps)} statements offered where {wanted} layers refuse: "
                        f"{[step['where'] for step in steps]}")
    for step in steps:
        try:
            apply_fix(world, setup, step, scenario.number)
            validate_with_iam(world, step, scenario.number)
        except (ClientError, AssertionError, KeyError) as error:
            return problems + [f"{label}: the fix ({step.get('where')} {step.get('attachTo')} {step.get('statement')}) "
                               f"could not be applied: {str(error).splitlines()[0]}"]
    if setup.request.outcome() != "allowed":
        again = world.last_denied(setup.observer or setup.request.principal.arn)
        problems.append(f"{label}: still refused after applying "
                        f"{[(step['where'], step.get('attachTo'), step['statement']) for step in steps]}: "
                        f"{again['decidedBy']} {again['message']}")
    for related in setup.related:
        if related.outcome() != "denied":
            problems.append(f"{label}: the fix {[step['statement'] for step in steps]} also allowed {related.label} "
                            f"by {related.principal.arn}")
    return problems


def _check_deny(label: str, setup: Setup, decision: dict, fix: dict) -> list[str]:
    problems = []
    if fix.get("decision") != "explicitDeny" or "statement" in fix:
        problems.append(f"{label}: an explicit deny got an additive fix: {fix}")
    named = {(m.get("policyId"), m.get("sid")) for m in fix.get("denyStatements", ())}
    matched = {(m.get("policyId"), m.get("sid")) for m in decision["matchedStatements"] if m.get("effect") == "Deny"}
    if named != setup.deny or named != matched:
        problems.append(f"{label}: names {sorted(named)}; planted {setup.deny}, the log matched {sorted(matched)}")
    return problems


def _settings(enforce: str = "on") -> Settings:
    return Settings(log_requests=False, operation_delay=0, enforce=enforce, quotas=Quotas(apprunner_max_services=1000),
                    extra_accounts=(AccountKeys(OTHER_ACCOUNT, *ROOTS[OTHER_ACCOUNT]),))


def _run_all(world: World, scenarios: list[Scenario]) -> None:
    problems = [problem for scenario in scenarios for problem in run(world, scenario)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:25])


def test_generator_covers_every_layer_and_variant() -> None:
    scenarios = generate(random.Random(SEED), COUNT)
    counts = Counter((s.kind, s.variant) for s in scenarios)
    wanted = {(kind, variant) for kind, (_, variants) in KINDS.items() for variant in variants}
    assert set(counts) == wanted and min(counts.values()) >= 5
    assert {s.principal for s in scenarios if s.kind in ("identity", "boundary", "trust", "ecr-pull")} == \
        {"user", "role"}
    assert {s.account for s in scenarios if s.kind == "trust"} == {ACCOUNT, OTHER_ACCOUNT}


def test_every_fix_applied_allows_the_request_and_nothing_near_it(make_harness) -> None:
    world = World(make_harness("inprocess", _settings()))
    _run_all(world, generate(random.Random(SEED), COUNT))


def test_every_fix_applied_allows_the_request_over_http(make_harness) -> None:
    world = World(make_harness("server", _settings()))
    _run_all(world, generate(random.Random(SEED + 1), HTTP_COUNT))


# ------------------------------------------------------------------------------------------- the dashboard
def test_the_explanation_page_shows_the_fix_the_admin_api_gives(make_harness) -> None:
    """Over HTTP: for a sample of refusals the dashboard's explanation shows the same statement and place as the
    admin API (an explicit deny: the same deny statements), so a fix copied from the page is the one tested."""
    world = World(make_harness("server", _settings()))
    seen = Counter()
    for scenario in generate(random.Random(SEED + 2), sum(len(variants) for _, variants in KINDS.values())):
        setup = SETUPS[scenario.kind](world, scenario)
        assert setup.request.outcome() == "denied"
        decision = world.last_denied(setup.observer or setup.request.principal.arn)
        fix = world.admin("/policies/suggest", {"decision": str(decision["id"])})
        page = requests.get(f"{world.harness.endpoint_url}/_mockrunner/ui/decisions/{decision['id']}", timeout=30)
        assert page.status_code == 200
        shown = re.search(r'<pre id="fix-statement">(.*?)</pre>', page.text, re.S)
        if "statement" in fix:
            assert shown and json.loads(html.unescape(shown.group(1))) == fix["statement"], scenario
            assert html.escape(fix["placement"], quote=False) in page.text
            for number, more in enumerate(fix["alsoNeeded"], 2):
                also = re.search(rf'<pre id="fix-statement-{number}">(.*?)</pre>', page.text, re.S)
                assert also and json.loads(html.unescape(also.group(1))) == more["statement"], scenario
                assert html.escape(more["placement"], quote=False) in page.text
                seen["also"] += 1
            seen["statement"] += 1
        else:
            assert shown is None
            for deny in fix["denyStatements"]:
                assert f"<code>{html.escape(deny['policyId'])}</code> statement {deny['sid']}" in page.text
            seen["deny"] += 1
    assert seen["statement"] and seen["deny"] and seen["also"]


# ------------------------------------------------------------------------------------------- least privilege
WORKFLOW_REPOS = ("shop-web", "shop-api")
LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "action": {"type": "expire"}, "selection": {
    "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}}]})
SLR = "AWSServiceRoleForAppRunner"


def _workflow(role_arn: str) -> list[tuple[str, str, dict]]:
    """A deploy as ``(service, method, params)``: repositories, their listing and lifecycle, reads of a user and a
    role whose paths hold ``*`` and ``?``, an App Runner service passed the access role (creating App Runner's
    service-linked role), its listing."""
    calls: list[tuple[str, str, dict]] = []
    for name in WORKFLOW_REPOS:
        calls += [("ecr", "create_repository", {"repositoryName": name}),
                  ("ecr", "describe_repositories", {"repositoryNames": [name]}),
                  ("ecr", "put_lifecycle_policy", {"repositoryName": name, "lifecyclePolicyText": LIFECYCLE}),
                  ("ecr", "list_images", {"repositoryName": name})]
    return calls + [
        ("ecr", "get_authorization_token", {}),
        ("iam", "get_role", {"RoleName": role_arn.rsplit("/", 1)[1]}),
        ("iam", "get_user", {"UserName": "odd-user"}),
        ("iam", "list_attached_role_policies", {"RoleName": "odd-role"}),
        ("apprunner", "create_service", {"ServiceName": "shop-web",
                                         "SourceConfiguration": private_source(role_arn, "shop-web:v1")}),
        ("apprunner", "list_services", {})]


@pytest.mark.parametrize("kind", ["user", "role"])
def test_suggestion_replayed_by_a_fresh_principal_holding_only_it(make_harness, kind) -> None:
    """Soft mode records the workflow of a user (or a session of a role, asked for by its session ARN) at a path;
    the suggestion is attached where it says; then, attached to a fresh user (role) holding nothing else, it must
    let every recorded call through with enforcement on, as its proof claims, and nothing else."""
    harness = make_harness("inprocess", _settings("soft"))
    world = World(harness, service_linked_role=False)
    iam = world.root(ACCOUNT, "iam")
    iam.create_user(UserName="odd-user", Path="/a*b/")
    _make_role(iam, "/q?/", "odd-role")
    role_arn = _service_role(world, "shop-access", _doc(_service_trust(BUILD)), "/team/")
    recorder = make_principal(world, ACCOUNT, kind, "recorder", None, path="/ci/deploy/")
    calls = _workflow(role_arn)
    for service, method, params in calls:
        assert Request(recorder, service, method, params, method).outcome() == "allowed"  # soft: let through
    answer = world.admin("/policies/suggest", {"principal": recorder.arn})
    assert answer["attachTo"] == recorder.entity, answer["attachTo"]
    assert answer["proof"]["allAllowed"], answer["proof"]
    # + iam:PassRole and iam:CreateServiceLinkedRole, checked by CreateService
    assert answer["proof"]["replayed"] == answer["proof"]["allowed"] == len(calls) + 2
    fresh = make_principal(world, ACCOUNT, kind, "fresh", None)
    for policy in answer["policies"]:
        arn = iam.create_policy(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))
        attach = iam.attach_user_policy if kind == "user" else iam.attach_role_policy
        attach(**({"UserName": "fresh"} if kind == "user" else {"RoleName": "fresh"}), PolicyArn=arn["Policy"]["Arn"])
    if kind == "role":
        fresh.assume()
    # Undo what the recording made, as root, so that the replay makes it again.
    for name in WORKFLOW_REPOS:
        world.root(ACCOUNT, "ecr").delete_repository(repositoryName=name, force=True)
    apprunner = world.root(ACCOUNT, "apprunner")
    for service in apprunner.list_services()["ServiceSummaryList"]:
        apprunner.delete_service(ServiceArn=service["ServiceArn"])
    apprunner.list_services()  # operation_delay=0: the deletion completes on the next read
    iam.delete_service_linked_role(RoleName=SLR)
    assert admin(harness, "put", "/enforce", body={"mode": "on"})[0] == 200
    outcomes = {f"{service}.{method}": Request(fresh, service, method, params, method).outcome()
                for service, method, params in calls}
    assert set(outcomes.values()) == {"allowed"}, outcomes
    assert iam.get_role(RoleName=SLR)["Role"]["Path"] == f"/aws-service-role/{APPRUNNER}/"
    # requests the workflow never made stay refused
    for service, method, params in [("ecr", "delete_repository", {"repositoryName": "shop-web"}),
                                    ("iam", "get_user", {"UserName": "bystander"}),
                                    ("ecr", "create_repository", {"repositoryName": "other"})]:
        assert Request(fresh, service, method, params, method).outcome() == "denied", method


def test_what_the_proof_says_is_not_covered_is_what_a_replay_refuses(make_harness) -> None:
    """A recorder with a permissions boundary that does not allow IAM reads and an explicit deny of
    PutLifecyclePolicy: the proof lists what the suggestion cannot cover.  A fresh user with the same boundary,
    the same deny and the suggestion replays the workflow: the requests refused are exactly those listed."""
    harness = make_harness("inprocess", _settings("soft"))
    world = World(harness, service_linked_role=False)
    iam = world.root(ACCOUNT, "iam")
    iam.create_user(UserName="odd-user", Path="/a*b/")
    _make_role(iam, "/q?/", "odd-role")
    role_arn = _service_role(world, "shop-access", _doc(_service_trust(BUILD)))
    boundary = _doc(_allow(["ecr:*", "apprunner:*", "iam:PassRole", "iam:CreateServiceLinkedRole"]))
    deny = _doc({"Sid": "NoLifecycle", "Effect": "Deny", "Action": "ecr:PutLifecyclePolicy", "Resource": "*"})
    recorder = make_principal(world, ACCOUNT, "user", "recorder", deny, boundary=boundary)
    calls = _workflow(role_arn)
    for service, method, params in calls:
        Request(recorder, service, method, params, method).outcome()
    answer = world.admin("/policies/suggest", {"principal": recorder.arn})
    uncovered = {(item["action"], item["resource"]) for item in answer["proof"]["uncovered"]}
    assert not answer["proof"]["allAllowed"] and answer["proof"]["allowed"] == answer["proof"]["replayed"] - len(
        uncovered)
    fresh = make_principal(world, ACCOUNT, "user", "fresh", deny, boundary=boundary)
    for policy in answer["policies"]:
        arn = iam.create_policy(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))
        iam.attach_user_policy(UserName="fresh", PolicyArn=arn["Policy"]["Arn"])
    for name in WORKFLOW_REPOS:
        world.root(ACCOUNT, "ecr").delete_repository(repositoryName=name, force=True)
    apprunner = world.root(ACCOUNT, "apprunner")
    for service in apprunner.list_services()["ServiceSummaryList"]:
        apprunner.delete_service(ServiceArn=service["ServiceArn"])
    apprunner.list_services()
    iam.delete_service_linked_role(RoleName=SLR)
    assert admin(harness, "put", "/enforce", body={"mode": "on"})[0] == 200
    for service, method, params in calls:
        Request(fresh, service, method, params, method).outcome()
    refused = {(entry["action"], entry["resource"]) for entry in
               world.admin("/decisions", {"principal": fresh.arn, "decision": "denied"})["decisions"]
               if entry["enforce"] == "on"}
    assert refused == uncovered and len(uncovered) >= 4, (refused, uncovered)


def test_the_command_line_gives_the_fix_the_admin_api_gives(make_harness, tmp_path, capsys) -> None:
    """``mockrunner policy suggest --decision ID``, against the server (``--url``) and offline from its state and
    decision log exports (``--state --decisions``), answers each refusal of every kind and variant with the fix the
    admin API gives (the offline store is the imported state: paths, boundaries and trust policies included)."""
    from mockrunner.cli import main

    world = World(make_harness("server", _settings()))
    answers: dict[int, dict] = {}
    for scenario in generate(random.Random(SEED + 3), sum(len(variants) for _, variants in KINDS.values())):
        setup = SETUPS[scenario.kind](world, scenario)
        assert setup.request.outcome() == "denied"
        decision = world.last_denied(setup.observer or setup.request.principal.arn)
        answers[decision["id"]] = world.admin("/policies/suggest", {"decision": str(decision["id"])})
    capsys.readouterr()
    url = world.harness.endpoint_url
    (tmp_path / "state.json").write_text(requests.get(f"{url}/_mockrunner/state", timeout=30).text)
    (tmp_path / "decisions.json").write_text(requests.get(f"{url}/_mockrunner/decisions", timeout=30).text)
    offline = ["--state", str(tmp_path / "state.json"), "--decisions", str(tmp_path / "decisions.json")]
    for decision_id, answer in answers.items():
        for source in (["--url", url], offline):
            assert main(["policy", "suggest", *source, "--decision", str(decision_id)]) == 0
            assert json.loads(capsys.readouterr().out) == answer, (source[0], answer)
    assert {answer.get("where") for answer in answers.values()} >= {
        "identity policy", "permissions boundary", "session policy", "trust policy", "repository policy",
        "remove or narrow the deny"}


@pytest.mark.parametrize("variant", ["cross-account", "identity", "both"])
def test_app_runner_pull_is_fixed_one_refusal_at_a_time(make_harness, variant) -> None:
    """App Runner's access role pulls the image as a role session: each failed deployment's refusal has a fix (the
    role's identity policy, the other account's repository policy); applying each and deploying again ends with a
    deployment that fails only because the image is not there, with one statement per action and layer that
    lacked it (a round per action: the pull stops at its first refusal), and the access role of a twin service is
    still refused."""
    world = World(make_harness("inprocess", _settings()))
    iam, apprunner = world.root(ACCOUNT, "iam"), world.root(ACCOUNT, "apprunner")
    account = ACCOUNT if variant == "identity" else OTHER_ACCOUNT
    world.root(account, "ecr").create_repository(repositoryName="img")
    pull = _doc(_allow(["ecr:GetAuthorizationToken", *PULL]))
    roles = {}
    for name in ("access", "twin"):
        roles[name] = _service_role(world, name, _doc(_service_trust(BUILD)), "/team/")
        if variant == "cross-account":
            iam.put_role_policy(RoleName=name, PolicyName="pull", PolicyDocument=json.dumps(pull))
    fixed = Setup(Request(Principal(world, ACCOUNT, "role", "access", "/team/"), "", "", {}, ""), [])

    def deploy(role: str, number: int) -> str:
        arn = apprunner.create_service(ServiceName=f"svc-{variant}-{number}", SourceConfiguration=private_source(
            role, "img:v1", account))["Service"]["ServiceArn"]
        assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "CREATE_FAILED"
        return admin(world.harness, "get", "/apprunner/failures", {"service_arn": arn})[1]["failures"][-1]["reason"]

    applied = []
    for number in range(len(PULL) + 3):
        reason = deploy(roles["access"], number)
        if "is not authorized" not in reason:
            break
        decision = world.last_denied(f"arn:aws:sts::{ACCOUNT}:assumed-role/access/AppRunnerECRPull")
        fix = world.admin("/policies/suggest", {"decision": str(decision["id"])})
        for step in (fix, *fix["alsoNeeded"]):
            apply_fix(world, fixed, step, number)
            applied.append((step["where"], step["statement"]["Action"]))
    assert "does not exist" in reason or "not found" in reason.lower(), (reason, applied)
    # a statement per action pulled (and ecr:GetAuthorizationToken) in each layer that lacked it
    assert len(applied) == {"cross-account": 3, "identity": 4, "both": 7}[variant], applied
    assert "is not authorized" in deploy(roles["twin"], 99)


def test_a_boundary_it_cannot_read_stops_the_further_fixes(make_harness) -> None:
    """Fail closed: the identity policy lacks the action and the boundary's stored text is unreadable (planted
    behind the API's back after the refusal).  The first fix stands, but no statement is offered for a layer the
    replay cannot read, and the answer says its list is not complete."""
    world = World(make_harness("inprocess", _settings()))
    world.harness.round_trip = False  # a state an import refuses
    caller = make_principal(world, ACCOUNT, "user", "reader", _doc(_allow("iam:ListUsers")),
                            boundary=_doc(_allow("iam:ListUsers")))
    request = Request(caller, "iam", "get_user", {"UserName": "bystander"}, "iam:GetUser")
    assert request.outcome() == "denied"
    decision = world.last_denied(caller.arn)
    complete_answer = world.admin("/policies/suggest", {"decision": str(decision["id"])})
    assert [step["where"] for step in (complete_answer, *complete_answer["alsoNeeded"])] == [
        "identity policy", "permissions boundary"] and complete_answer["alsoNeededComplete"]
    state = world.harness.store.accounts[ACCOUNT].iam
    with world.harness.store.lock:
        state.policies[f"arn:aws:iam::{ACCOUNT}:policy/reader-boundary"].versions[0].document = '{"Statement": '
        state.invalidate_caches()
    answer = world.admin("/policies/suggest", {"decision": str(decision["id"])})
    assert answer["where"] == "identity policy" and answer["statement"]["Action"] == "iam:GetUser"
    assert answer["alsoNeeded"] == [] and answer["alsoNeededComplete"] is False
