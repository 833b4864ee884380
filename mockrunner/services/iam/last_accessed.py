"""Service last accessed data: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails(+WithEntities),
ListPoliciesGrantingServiceAccess.

A report covers the services the target's policies allow (the namespaces their ``Allow`` statements' actions
name; a wildcard namespace, as in ``"Action": "*"``, stands for every namespace mockrunner knows: the served
services, the AWS managed policies' namespaces and any seen in use), and for each the latest request the
target's entities made to it, from the uses the gateway records once a request succeeded
(``IamState.last_used``).  The target is a user, a role, a group (its members' use) or a managed policy (the use
of the users and roles it is attached to, directly or through a group).  The job completes when generated and is kept
in the account's state.  A job's report is read only by the identity that generated it ("must be used by the
same role within a session, or by the same user", the API reference): to anyone else its id is unknown.
``ACTION_LEVEL`` reports have no ``TrackedActionsLastAccessed``: uses are recorded per
service, not per action.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from mockrunner.arns import split_arn
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, LastAccessedJob
from mockrunner.model.managed_policies import action_namespaces
from mockrunner.protocol.specs import SERVICES
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import anything, on_arn
from mockrunner.services.iam.entities import arn_shaped, iam_of, managed_policy
from mockrunner.services.iam.usage import to_minute
from mockrunner.services.registry import op

SERVICE_NAMES = {
    "apprunner": "AWS App Runner", "ecr": "Amazon Elastic Container Registry",
    "iam": "AWS Identity and Access Management", "sts": "AWS Security Token Service", "s3": "Amazon S3",
    "ec2": "Amazon EC2", "lambda": "AWS Lambda", "dynamodb": "Amazon DynamoDB", "logs": "Amazon CloudWatch Logs",
    "cloudwatch": "Amazon CloudWatch", "sqs": "Amazon SQS", "sns": "Amazon SNS", "kms": "AWS Key Management Service",
    "secretsmanager": "AWS Secrets Manager", "ssm": "AWS Systems Manager", "codecommit": "AWS CodeCommit",
    "cloudformation": "AWS CloudFormation", "organizations": "AWS Organizations",
}
"""Namespace -> the service name IAM reports (other namespaces are reported under their own name)."""


# ------------------------------------------------------------------------------------------------ policies
def _policies(iam: IamState, arn: str) -> tuple[str, list[tuple[dict, str]], list[str]] | None:
    """``(entity type, [(policy description, document)], entity ARNs whose use counts)`` for ``arn``; ``None``
    when no such user, role, group or policy exists."""
    parsed = split_arn(arn)
    kind, name = parsed.resource_type, parsed.name

    def owned(entity: Any, entity_type: str) -> list[tuple[dict, str]]:
        found = [({"PolicyName": policy_name, "PolicyType": "INLINE", "EntityType": entity_type,
                   "EntityName": entity.name}, document) for policy_name, document in entity.inline_policies.items()]
        for policy_arn in entity.attached_policies:
            policy = managed_policy(iam, policy_arn)
            if policy is not None:
                found.append(({"PolicyName": policy.name, "PolicyType": "MANAGED", "PolicyArn": policy_arn},
                              policy.default_document))
        return found

    if kind == "user" and (user := iam.users.get(name)) is not None and user.arn == arn:
        found = owned(user, "USER")
        for group in iam.groups_of(user.name):
            found += owned(group, "GROUP")
        return "USER", found, [user.arn]
    if kind == "role" and (role := iam.roles.get(name)) is not None and role.arn == arn:
        return "ROLE", owned(role, "ROLE"), [role.arn]
    if kind == "group" and (group := iam.groups.get(name)) is not None and group.arn == arn:
        return "GROUP", owned(group, "GROUP"), [iam.users[member].arn for member in group.users if member in iam.users]
    if kind == "policy" and (policy := managed_policy(iam, arn)) is not None:
        users = {user.arn for user in iam.users.values() if arn in user.attached_policies}
        users |= {iam.users[member].arn for group in iam.groups.values() if arn in group.attached_policies
                  for member in group.users if member in iam.users}
        users |= {role.arn for role in iam.roles.values() if arn in role.attached_policies}
        described = {"PolicyName": policy.name, "PolicyType": "MANAGED", "PolicyArn": arn}
        return "POLICY", [(described, policy.default_document)], sorted(users)
    return None


def _known_namespaces(iam: IamState) -> set[str]:
    known = {spec.action_prefix for spec in SERVICES.values()} | set(SERVICE_NAMES) | action_namespaces()
    for uses in iam.last_used.values():
        known |= set(uses)
    return known


def allowed_namespaces(document: str, known: set[str]) -> set[str]:
    """The service namespaces an identity policy's ``Allow`` statements grant actions of: every ``known`` one for a
    ``NotAction`` or a wildcard namespace matching it, and each literal namespace named."""
    grants = _grants(document)
    if grants.everything:
        return set(known)
    found = set(grants.literal)
    if grants.pattern is not None:
        found |= {name for name in known if grants.pattern.fullmatch(name)}
    return found


def grants_namespace(document: str, namespace: str) -> bool:
    """Whether ``namespace`` is among ``allowed_namespaces(document, known)`` for a ``known`` holding it."""
    grants = _grants(document)
    return (grants.everything or namespace in grants.literal
            or (grants.pattern is not None and grants.pattern.fullmatch(namespace) is not None))


class _Grants(NamedTuple):
    everything: bool
    literal: frozenset[str]
    pattern: re.Pattern[str] | None
    """The wildcard namespaces (``*``, ``?``) as one expression: each namespace is tested once, whatever the number
    of actions that name one (each tested on its own, a policy set of hundreds of ``x*:y`` actions against 200
    ``ServiceNamespaces`` held the store lock for minutes)."""


@lru_cache(maxsize=1024)
def _grants(document: str) -> _Grants:
    """What :func:`allowed_namespaces` reads in ``document``, read once per text."""
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return _Grants(False, frozenset(), None)
    literal: set[str] = set()
    wildcards: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            return _Grants(True, frozenset(), None)
        actions = statement.get("Action", [])
        for action in [actions] if isinstance(actions, str) else actions:
            if not isinstance(action, str):
                continue
            namespace = action.split(":", 1)[0].lower() if action != "*" else "*"
            (wildcards if "*" in namespace or "?" in namespace else literal).add(namespace)
    pattern = None
    if wildcards:
        pattern = re.compile("|".join(_wildcard(namespace) for namespace in sorted(wildcards)))
    return _Grants(False, frozenset(literal), pattern)


def _wildcard(namespace: str) -> str:
    """``namespace`` (``*`` any run, ``?`` one character, as ``fnmatchcase`` read it) as a regular expression."""
    return "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in namespace)


def _target(ctx: RequestContext, arn: str) -> tuple[str, list[tuple[dict, str]], list[str]]:
    if not arn_shaped(arn):
        raise ServiceError("InvalidInput", f"ARN {arn} is not valid.", 400)
    found = _policies(iam_of(ctx), arn)
    if found is None:
        raise ServiceError("NoSuchEntity", f"The entity {arn} does not exist.", 404)
    return found


# ------------------------------------------------------------------------------------------------ operations
@op("iam", "GenerateServiceLastAccessedDetails", authz=on_arn("Arn"))
def generate_service_last_accessed_details(ctx: RequestContext) -> dict:
    iam, arn = iam_of(ctx), ctx.params["Arn"]
    _, policies, entities = _target(ctx, arn)
    known = _known_namespaces(iam)
    namespaces: set[str] = set()
    for _, document in policies:
        namespaces |= allowed_namespaces(document, known)
    services, unused = [], []
    for namespace in sorted(namespaces):
        used = {entity: iam.last_used[entity][namespace] for entity in entities
                if namespace in iam.last_used.get(entity, {})}
        if used:
            services.append({"namespace": namespace, "entities": used})
        else:
            unused.append(namespace)
    now = ctx.store.clock.now()
    job = iam.add(LastAccessedJob(str(uuid.uuid4()), arn, ctx.params.get("Granularity") or "SERVICE_LEVEL", now,
                                  services, requester=ctx.caller.arn, unused=unused))
    return {"JobId": job.job_id}


def _services_of(job: LastAccessedJob) -> list[dict]:
    """Every service of the job's report, sorted by namespace (AWS's default order), used or not."""
    unused = [{"namespace": namespace, "entities": {}} for namespace in job.unused]
    return sorted(job.services + unused, key=lambda service: service["namespace"])


def _job(ctx: RequestContext) -> LastAccessedJob:
    job_id = ctx.params["JobId"]
    job = iam_of(ctx).last_accessed_jobs.get(job_id)
    if job is None or job.requester != ctx.caller.arn:
        # Unverified: AWS documents the rule, not its answer; another identity is told the job does not exist.
        raise ServiceError("NoSuchEntity", f"No service last accessed job found for JobId {job_id}.", 404)
    return job


def _service_out(service: dict) -> dict:
    namespace, used = service["namespace"], service["entities"]
    out: dict[str, Any] = {"ServiceName": SERVICE_NAMES.get(namespace, namespace), "ServiceNamespace": namespace,
                           "TotalAuthenticatedEntities": len(used)}
    if used:
        entity, (when, region) = max(used.items(), key=lambda item: item[1][0])
        out.update(LastAuthenticated=to_minute(when), LastAuthenticatedEntity=entity, LastAuthenticatedRegion=region)
    return out


@op("iam", "GetServiceLastAccessedDetails", authz=anything)
def get_service_last_accessed_details(ctx: RequestContext) -> dict:
    job = _job(ctx)
    services = _services_of(job)
    # Without MaxItems AWS answers every service in one page (recorded: ~165 services, IsTruncated false).
    page = paging.page(services, ctx, "ServicesLastAccessed", _service_out, default_size=max(len(services), 1))
    return {"JobStatus": "COMPLETED", "JobType": job.granularity, "JobCreationDate": job.created,
            "JobCompletionDate": job.created, **page}


def _entity_info(iam: IamState, arn: str) -> dict:
    parsed = split_arn(arn)
    kind, name = parsed.resource_type, parsed.name
    entity = iam.users.get(name) if kind == "user" else iam.roles.get(name)
    info = {"Arn": arn, "Name": name, "Type": kind.upper()}
    if entity is not None:
        info.update(Id=entity.user_id if kind == "user" else entity.role_id, Path=entity.path)
    return info


@op("iam", "GetServiceLastAccessedDetailsWithEntities", authz=anything)
def get_service_last_accessed_details_with_entities(ctx: RequestContext) -> dict:
    job, namespace = _job(ctx), ctx.params["ServiceNamespace"]
    service = next((item for item in job.services if item["namespace"] == namespace), None)
    used = service["entities"] if service else {}
    iam = iam_of(ctx)

    def out(item: tuple[str, tuple]) -> dict:
        return {"EntityInfo": _entity_info(iam, item[0]), "LastAuthenticated": to_minute(item[1][0])}

    page = paging.page(sorted(used.items()), ctx, "EntityDetailsList", out)
    return {"JobStatus": "COMPLETED", "JobCreationDate": job.created, "JobCompletionDate": job.created, **page}


@op("iam", "ListPoliciesGrantingServiceAccess", authz=on_arn("Arn"))
def list_policies_granting_service_access(ctx: RequestContext) -> dict:
    _, policies, _ = _target(ctx, ctx.params["Arn"])
    granting: Iterable[dict] = [
        {"ServiceNamespace": namespace,
         "Policies": [described for described, document in policies if grants_namespace(document, namespace)]}
        for namespace in ctx.params["ServiceNamespaces"]]
    return {"PoliciesGrantingServiceAccess": list(granting), "IsTruncated": False}
