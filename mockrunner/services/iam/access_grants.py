"""Which services an identity policy grants, as IAM's service last accessed reports read policies.

Two readers, because IAM's two operations read differently (recorded from AWS IAM, 2026-09: radkawar/stackd
commit 9dc356f5, ``testdata/aws/iam/last_access.json``):

* :func:`reported_namespaces` (GenerateServiceLastAccessedDetails) reads all of an entity's policies together: a
  service is reported when some ``Allow`` statement grants one of its actions on some resource that no
  unconditional ``Deny`` statement of any of those policies takes back (a deny of ``sqs:*`` on ``*`` in one policy
  removes ``sqs:SendMessage`` on ``*`` allowed by another; ``s3:*`` denied on ``arn:aws:s3:::a/*`` removes
  ``s3:GetObject`` allowed there).  An ``Allow`` with a condition still counts; a ``Deny`` with one never takes
  anything back.
* :func:`granting` (ListPoliciesGrantingServiceAccess) reads one policy alone: its own ``Deny`` takes an
  ``Allow`` back only when both name every resource (``"Resource": "*"``); a deny in another policy, or on
  particular resources, leaves the policy listed.

Both: ``"Action": "*"`` (or a wildcard namespace) stands for every service IAM knows
(:mod:`mockrunner.model.service_names`); ``NotAction`` grants every service none of its patterns covers whole
(``"NotAction": "s3:*"`` grants ``sqs`` and ``iam``, not ``s3``); ``"NotResource": "*"`` grants nothing.

Both: a statement's resource counts for a service only when it may be one of that service's resources
(:func:`_may_name`): an ARN whose service is another namespace IAM knows names none of its resources (AWS did not
list a policy allowing ``apigateway:GET`` on ``arn:aws:sqs:...`` as granting ``apigateway``, and listed
``greengrass:GetDeployment`` on both of its ARN forms: radkawar/stackd commit 9dc356f5,
``testdata/aws/iam/service_reference.json``, observed 2026-09-12), unless the Service Authorization Reference gives
the namespace resource types of that other service (:data:`FOREIGN_RESOURCES`: ``sts`` acts on IAM roles, ``ssm``
on EC2 instances...; the table is not exhaustive, so a pair missing from it is *unverified*).
The same is applied to reports (*unverified*: recorded for ListPoliciesGrantingServiceAccess only).
``s3:GetObject`` on an IAM user's ARN, which AWS does not list (``last_access.json``, "selection_impossible_resource"),
is not counted by that rule.

Reports only (:func:`reported_namespaces`) also read IAM's action catalogue (:mod:`mockrunner.model.action_catalogue`):
an allowed action pattern counts only through the actions of the catalogue it matches, each on a resource pattern that
may name one of its resource types (:mod:`mockrunner.model.arn_templates`; an action with no resource type counts on
any resource, *unverified*).  Recorded from AWS, 2026-09-11 (``last_access.json``): a report leaves out
``s3:StackdUnmodeledAction`` ("get_selection_unknown_action_poll_1") and ``s3:GetObject`` allowed only on a bucket's
ARN ("report_controls_get_bucket_only_poll_1"), while ListPoliciesGrantingServiceAccess lists both policies
("selection_unknown_action", "resource_selection_bucket_resource"): it reads no catalogue.  A namespace IAM knows
that the catalogue's dataset lacks (one newer than its date) is read as before, every action counting (*unverified*;
the recorded report of a policy allowing ``*`` lists such namespaces).
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from operator import itemgetter, methodcaller, sub
from typing import NamedTuple

from mockrunner.iam_engine.matching import glob_to_regex
from mockrunner.iam_engine.text_cache import kept_within
from mockrunner.model import action_catalogue
from mockrunner.model.arn_templates import overlaps, pattern_tokens, template_tokens
from mockrunner.model.service_names import service_names

FOREIGN_RESOURCES: dict[str, frozenset[str]] = {
    namespace: frozenset(services) for namespace, services in {
        "sts": ("iam",),  # AssumeRole and its kin on roles and users
        "ssm": ("ec2",),  # SendCommand, StartSession on instances
        "ec2-instance-connect": ("ec2",),  # SendSSHPublicKey on instances
        "ebs": ("ec2",),  # snapshots
        "rds-data": ("rds",),  # clusters
        "redshift-data": ("redshift", "redshift-serverless"),  # clusters, workgroups
        "kafka-cluster": ("kafka",),  # clusters, topics, groups
        "codestar-connections": ("codeconnections",),  # the renamed service's connections (*unverified*)
        "codeconnections": ("codestar-connections",),
    }.items()}
"""Namespaces whose actions take resources whose ARNs name another service, from the Service Authorization
Reference's resource type tables as known (not checked one by one, *unverified*; not exhaustive: a namespace missing
here has its foreign ARNs not counted)."""


class _Statement(NamedTuple):
    allow: bool
    actions: tuple[str, ...]
    """Lower-cased action patterns (``Action``); empty with ``not_action``."""
    not_action: bool
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    """``Resource`` patterns; for ``NotResource`` other than ``*``, ``("*",)`` less what it excludes (read as all)."""
    not_resource: bool
    grants_nothing: bool
    """``"NotResource": "*"``: the statement applies to no resource."""
    conditional: bool


DOCUMENTS_KEPT = 2_000_000
"""Characters of policy documents whose statements are kept read (:func:`_statements`).  Each was kept by count
(1,024 of them): the statements read from a 10,240-character inline policy of 2,000 short actions hold about
100 KB, so a caller able to write that many policies made the process hold 100 MB for this alone (and the tuples
the caches below are keyed by as much again)."""
PATTERNS_KEPT = 1_000_000
"""Characters of a statement's actions or resources whose readings are kept (each cache below)."""


def _characters(patterns: tuple[str, ...]) -> int:
    """What a tuple of patterns weighs against :data:`PATTERNS_KEPT`: its characters and a slot each."""
    return sum(map(len, patterns)) + 8 * len(patterns)

def _strings(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(item for item in items if isinstance(item, str))


@kept_within(DOCUMENTS_KEPT, 1024)
def _statements(document: str) -> tuple[_Statement, ...]:
    """The statements of ``document`` as the readers use them (an unreadable document has none)."""
    try:
        raw = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return ()
    found = []
    for statement in raw if isinstance(raw, list) else [raw]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            continue
        not_action = "NotAction" in statement
        not_resources = _strings(statement.get("NotResource")) if "NotResource" in statement else None
        found.append(_Statement(
            allow=statement["Effect"] == "Allow",
            actions=() if not_action else tuple(a.lower() for a in _strings(statement.get("Action"))),
            not_action=not_action,
            not_actions=tuple(a.lower() for a in _strings(statement.get("NotAction"))),
            resources=_strings(statement.get("Resource")) if not_resources is None else ("*",),
            not_resource=not_resources is not None,
            grants_nothing=not_resources is not None and "*" in not_resources,
            conditional=bool(statement.get("Condition"))))
    return tuple(found)


def _compile_any(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex for all of ``patterns``, each compiled as the policy engine compiles a glob
    (:func:`mockrunner.iam_engine.matching.glob_to_regex`: time linear in the pattern times the value, however many
    wildcards it holds), which a value fully matches when one of them does: one test, not one per pattern."""
    return re.compile("(?:" + "|".join(sorted(set(map(_source, patterns)))) + ")", re.DOTALL)


def _source(pattern: str) -> str:
    """The engine's regex source of one glob, remembered for a short one (a report reads the same policies again;
    8,192 of 3,000-character globs would hold 150 MB)."""
    return _short_source(pattern) if len(pattern) <= _SHORT else glob_to_regex(pattern)


_short_source = lru_cache(maxsize=8192)(glob_to_regex)


COMPILED_PER_READING = 250_000
"""What one reading (a report, or ListPoliciesGrantingServiceAccess over all of an entity's policies) may spend on
compiling globs into regexes, in :func:`_cost` units (about 2 us each: some 0.5 s in all).  A pattern list met after
that is not compiled, and the test it was for answers towards listing, as :data:`WALKS_PER_REPORT` does.  (A user's
110 policies of one 3,000-character ``Deny``, ``NotAction`` or namespace glob each held the store lock about 2 s a
report or listing, before.)"""


def _cost(patterns: tuple[str, ...]) -> int:
    """About the length of ``patterns``' regex source (:func:`mockrunner.iam_engine.matching.glob_to_regex`: an
    escaped character takes two, a ``*`` an atomic group), which compiling takes time in proportion to."""
    return 2 * sum(map(len, patterns)) + 6 * sum(map(_STARS, patterns))


_STARS = methodcaller("count", "*")
_NOTHING = object()
"""No pattern of a list can match the value: no regex is needed, the answer is no."""
_SHORT = 128
"""A value is tested against the patterns that can match a text of its length or of this many characters, whichever
is more: every action name and namespace is shorter, so one regex serves all of them."""


class Regexes:
    """One reading's regexes of pattern lists (:func:`_compile_any`), within :data:`COMPILED_PER_READING`: made once
    per reading and dropped with it (a regex of a thousand patterns holds most of a megabyte).  A value is tested
    only against the patterns that can match a text of its length (or of :data:`_SHORT`), so a long glob is never
    compiled to be tested against a namespace or an action name."""

    def __init__(self) -> None:
        self.left = COMPILED_PER_READING
        self.refused = False
        """Whether some pattern list went uncompiled (then answers were given towards listing)."""
        self.made: dict[tuple[str, ...], re.Pattern[str] | None] = {}
        self._by_least: dict[tuple[str, ...], tuple[tuple[int, ...], tuple[str, ...]]] = {}
        self._fitting: dict[tuple[tuple[str, ...], int], tuple[str, ...]] = {}
        """A prefix of the ranked patterns by the patterns and its length."""
        self._short: dict[int, tuple[tuple[str, ...], re.Pattern[str] | None | object]] = {}
        """By the identity of a pattern tuple (held, so that no other takes its identity): the tuple and the regex
        of those of its patterns that may match a value of :data:`_SHORT` characters or fewer."""

    def of(self, patterns: tuple[str, ...]) -> re.Pattern[str] | None:
        """The regex of ``patterns``; ``None`` when the reading's budget does not cover them."""
        if patterns not in self.made:
            cost = _cost(patterns)
            if cost > self.left:
                self.made[patterns], self.refused = None, True
            else:
                self.left -= cost
                self.made[patterns] = _compile_any(patterns)
        return self.made[patterns]

    def matches(self, value: str, patterns: tuple[str, ...], otherwise: bool) -> bool:
        """Whether one of the wildcard ``patterns`` (``*``, ``?``) matches ``value`` read literally (so a pattern
        covers another pattern it matches as text: ``s3:*`` covers ``s3:get*``); ``otherwise`` (the answer towards
        listing) when the ones that might are not compiled."""
        if len(value) <= _SHORT:  # nearly every value: the regex is found by the very tuple asked about
            held = self._short.get(id(patterns))
            if held is None or held[0] is not patterns:
                fitting = self._fitting_of(patterns, _SHORT)
                held = self._short[id(patterns)] = (patterns, self.of(fitting) if fitting else _NOTHING)
            regex = held[1]
        else:
            fitting = self._fitting_of(patterns, len(value))
            regex = self.of(fitting) if fitting else _NOTHING
        if regex is _NOTHING:
            return False
        return otherwise if regex is None else regex.fullmatch(value) is not None

    def _fitting_of(self, patterns: tuple[str, ...], length: int) -> tuple[str, ...]:
        """Those of ``patterns`` that may match a text of ``length`` characters: a prefix of them ranked by the fewest
        characters a text each matches has (every character but a ``*`` takes one), made once per prefix."""
        ordered = self._by_least.get(patterns)
        if ordered is None:
            ranked = sorted(set(zip(map(sub, map(len, patterns), map(_STARS, patterns)), patterns, strict=True)))
            ordered = self._by_least[patterns] = (tuple(map(itemgetter(0), ranked)),
                                                  tuple(map(itemgetter(1), ranked)))
        key = (patterns, bisect_right(ordered[0], length))
        fitting = self._fitting.get(key)
        if fitting is None:
            fitting = self._fitting[key] = ordered[1][:key[1]]
        return fitting


def _granted(statement: _Statement, namespace: str, compiled: Regexes) -> Iterator[str]:
    """The action patterns of ``namespace`` an ``Allow`` ``statement`` grants, restricted to it (``*`` as
    ``<namespace>:*``); none when it grants none."""
    if statement.grants_nothing:
        return
    if statement.not_action:
        whole = f"{namespace}:*"
        if not compiled.matches(whole, statement.not_actions, False):
            yield whole
        return
    by_namespace, wildcards = _actions_by_namespace(statement.actions)
    for rest in by_namespace.get(namespace, ()):
        yield f"{namespace}:{rest}"
    if wildcards and compiled.matches(namespace, tuple(wildcards), True):
        for service, rests in wildcards.items():
            if compiled.matches(namespace, (service,), True):
                yield from (f"{namespace}:{rest}" for rest in rests)


@kept_within(PATTERNS_KEPT, 1024, _characters)
def _actions_by_namespace(actions: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """``actions`` as (literal namespace -> the rest of each action, wildcard namespace -> the rest of each action);
    ``*`` is ``*:*``.  Read once per statement, so a statement of hundreds of actions costs little per namespace."""
    literal: dict[str, list[str]] = {}
    wildcards: dict[str, list[str]] = {}
    for action in actions:
        service, _, rest = action.partition(":")
        if action == "*":
            service, rest = "*", "*"
        (wildcards if "*" in service or "?" in service else literal).setdefault(service, []).append(rest)
    return ({service: tuple(dict.fromkeys(rests)) for service, rests in literal.items()},
            {service: tuple(dict.fromkeys(rests)) for service, rests in wildcards.items()})


def _candidates(statements: Iterable[_Statement]) -> set[str]:
    """The namespaces an ``Allow`` statement may grant: the literal ones it names, every known one for a wildcard."""
    found: set[str] = set()
    for statement in statements:
        if not statement.allow or statement.grants_nothing:
            continue
        if statement.not_action or any(a == "*" or "*" in a.partition(":")[0] or "?" in a.partition(":")[0]
                                       for a in statement.actions):
            return set(service_names())
        found |= {action.partition(":")[0] for action in statement.actions}
    return found


def _whole_namespace(pattern: str) -> str | None:
    """The glob of the namespaces whose every action the action ``pattern`` matches, or ``None``: ``*`` for ``*``,
    ``<glob>`` for ``<glob>:*``, and a colon-free ``<glob>*`` itself (its ``*`` runs on over ``:`` and the rest)."""
    if pattern.endswith(":*"):
        return pattern[:-2]
    return pattern if pattern.endswith("*") and ":" not in pattern else None


@kept_within(PATTERNS_KEPT, 1024, _characters)
def _whole_services(actions: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`_whole_namespace` of each of a statement's actions that has one."""
    return tuple(service for service in map(_whole_namespace, actions) if service is not None)


class _Denies:
    """The unconditional ``Action``/``Resource`` denies of one reading (``whole_only``: only a deny on every resource,
    of an allow on every resource, takes anything back), deciding whether they take back an action on a resource.

    Each resource pattern is matched against the denies once, and an action against the actions of all the denies
    that cover the resource in one regex; a namespace a deny takes back whole on every resource is found once.
    (Matching every pair against every deny pattern anew cost minutes under the store lock for one user's policies
    at IAM's size quotas.)"""

    def __init__(self, statements: Iterable[_Statement], whole_only: bool, compiled: Regexes) -> None:
        self.denies = tuple(statement for statement in statements if not statement.allow and not (
            statement.conditional or statement.not_action or statement.not_resource))
        self.whole_only = whole_only
        self.compiled = compiled
        self._whole = tuple(sorted({service for deny in self.denies if "*" in deny.resources
                                    for service in _whole_services(deny.actions)}))
        self._resources: dict[str, tuple[str, ...]] = {}
        self._sets: dict[tuple[int, ...], tuple[str, ...]] = {}

    def namespace_denied(self, namespace: str) -> bool:
        """Whether one deny takes back every action of ``namespace`` on every resource."""
        return self.compiled.matches(namespace, self._whole, False)

    def covered(self, action: str, resource: str) -> bool:
        """Whether a deny takes back ``action`` on ``resource``: one regex of the actions of every deny whose
        resources cover ``resource``, made once per such set of denies."""
        if self.whole_only and resource != "*":
            return False
        if resource not in self._resources:
            covering = tuple(index for index, deny in enumerate(self.denies) if (
                "*" in deny.resources if self.whole_only else self.compiled.matches(resource, deny.resources, False)))
            if covering not in self._sets:
                self._sets[covering] = tuple(sorted({pattern for index in covering
                                                     for pattern in self.denies[index].actions}))
            self._resources[resource] = self._sets[covering]
        return self.compiled.matches(action, self._resources[resource], False)


def _literal_service(resource: str) -> str | None:
    """The service a ``Resource`` pattern names literally when it is a namespace IAM knows; ``None`` for ``*``,
    partial ARNs, wildcard services, unknown ones and anything unreadable (such a pattern may name any namespace's
    resources: fail towards listing)."""
    parts = resource.split(":", 3)
    if len(parts) < 3 or parts[0] != "arn":
        return None
    service = parts[2]
    return None if "*" in service or "?" in service or service not in service_names() else service


class _Named(NamedTuple):
    """A statement's resource patterns as :func:`_may_name` reads them, once for every namespace."""

    services: tuple[str | None, ...]
    """Each pattern's :func:`_literal_service`."""
    named: frozenset[str]
    """The services some pattern names literally."""
    anywhere: tuple[str, ...]
    """The patterns that may name any namespace's resources (service ``None``), in order."""


@kept_within(PATTERNS_KEPT, 1024, _characters)
def _named(resources: tuple[str, ...]) -> _Named:
    services = tuple(map(_literal_service, resources))
    return _Named(services, frozenset(service for service in services if service is not None),
                  tuple(resource for resource, service in zip(resources, services, strict=True) if service is None))


def _may_name(resources: tuple[str, ...], namespace: str) -> tuple[str, ...]:
    """Those of a statement's ``Resource`` patterns that may name a resource of ``namespace``'s actions, in order: not
    an ARN whose (literal) service is another namespace IAM knows, outside :data:`FOREIGN_RESOURCES`.  ``*``, partial
    ARNs, wildcard services and anything unreadable may (fail towards listing).  Each pattern is read once per
    statement, not once per namespace: a report asks of every namespace IAM knows, and a user's policies at IAM's
    quotas hold some 25,000 patterns (11 million readings, 6.5 s under the store lock, before)."""
    named = _named(resources)
    wanted = named.named & (FOREIGN_RESOURCES.get(namespace, frozenset()) | {namespace})
    if not wanted:
        return named.anywhere
    return tuple(resource for resource, service in zip(resources, named.services, strict=True)
                 if service is None or service in wanted)


WALKS_PER_REPORT = 1_000_000
"""The (pattern position, template position) pairs one report's reading may walk in all (about 0.4 s): a resource
pattern met after that, with a template, counts without being walked (fail towards listing, as :func:`_may_name`)."""


class _Walks:
    """One report's matches of resource patterns against ARN templates, remembered, within :data:`WALKS_PER_REPORT`
    (a policy of long wildcard patterns over every service cannot hold the store lock for long)."""

    def __init__(self) -> None:
        self.left = WALKS_PER_REPORT
        self.found: dict[tuple[str, str], bool] = {}
        self.tokens: dict[str, tuple] = {}

    def may_take(self, resource: str, template: str) -> bool:
        """Whether the ``Resource`` pattern may name a resource of the ARN template."""
        key = (resource, template)
        if key not in self.found:
            pattern = self.tokens.get(resource)
            if pattern is None:
                pattern = self.tokens[resource] = pattern_tokens(resource)
            shape = template_tokens(template)
            cost = (len(pattern) + 1) * (len(shape) + 1)
            if cost > self.left:
                return True
            self.left -= cost
            self.found[key] = overlaps(pattern, shape) is not False
        return self.found[key]


def _catalogued(namespace: str, action: str, resources: tuple[str, ...], denies: _Denies, walks: _Walks) -> bool:
    """Whether the allowed action pattern ``action`` of ``namespace`` grants, as a report reads the catalogue: one of
    the catalogue's actions it matches, on a resource of one of that action's types that no deny takes back."""
    for name in action_catalogue.matching_actions(namespace, action.partition(":")[2]):
        found = f"{namespace}:{name}"
        takes_any = not action_catalogue.resource_types(found)
        templates = action_catalogue.templates(found)
        for resource in resources:
            if denies.covered(found, resource):
                continue
            if takes_any or any(walks.may_take(resource, template) for template in templates):
                return True
    return False


def _grants(statements: tuple[_Statement, ...], namespace: str, denies: _Denies, walks: _Walks | None = None) -> bool:
    """Whether ``statements`` grant ``namespace`` (with ``walks``: as a report reads them, through the catalogue)."""
    if denies.namespace_denied(namespace) and (not denies.whole_only or all(
            statement.resources == ("*",) for statement in statements if statement.allow)):
        return False
    walks = walks if action_catalogue.service(namespace) is not None else None
    for statement in statements:
        if not statement.allow:
            continue
        resources = _may_name(statement.resources, namespace)
        for action in _granted(statement, namespace, denies.compiled) if resources else ():
            if walks is not None:
                if _catalogued(namespace, action, resources, denies, walks):
                    return True
            elif any(not denies.covered(action, resource) for resource in resources):
                return True
    return False


def reported_namespaces(documents: Iterable[str]) -> set[str]:
    """The known namespaces a report on an entity whose policies are ``documents`` lists (see the module)."""
    statements = tuple(dict.fromkeys(statement for document in documents for statement in _statements(document)))
    denies, known, walks = _Denies(statements, False, Regexes()), service_names(), _Walks()
    return {namespace for namespace in _candidates(statements)
            if namespace in known and _grants(statements, namespace, denies, walks)}


def granting(documents: Iterable[str], namespaces: tuple[str, ...]) -> list[frozenset[str]]:
    """For each policy of ``documents``, those of ``namespaces`` for which ListPoliciesGrantingServiceAccess lists it
    (see the module): one reading of each policy for all of them, the regexes of all within one budget."""
    compiled = Regexes()
    found = []
    for document in documents:
        key = (document, namespaces)
        granted = _GRANTING.get(key)
        if granted is None:
            statements = _statements(document)
            denies = _Denies(statements, True, compiled)
            refused = compiled.refused
            granted = frozenset(namespace for namespace in namespaces if _grants(statements, namespace, denies))
            if compiled.refused == refused:  # read in full: the answer holds whenever asked
                if len(_GRANTING) >= 256:
                    _GRANTING.clear()
                _GRANTING[key] = granted
        found.append(granted)
    return found


_GRANTING: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}
""":func:`granting`'s answers for a policy read in full, by its text and the namespaces asked (bounded)."""
