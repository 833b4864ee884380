"""Service last accessed data: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails(+WithEntities),
ListPoliciesGrantingServiceAccess.

A report covers the services the target's policies grant (:mod:`mockrunner.services.iam.access_grants`: the
services some ``Allow`` grants and no unconditional ``Deny`` takes back; a wildcard stands for every service IAM
knows, :mod:`mockrunner.model.service_names`, which also names them), and for each the latest request the
target's entities made to it, from the uses the gateway records once a request succeeded
(``IamState.last_used``).  The target is a user, a role, a group (its members' use) or a managed policy (the use
of the users and roles it is attached to, directly or through a group), named by its ARN whatever the path in it
(IAM finds ``user/other/name`` and ``user/name`` alike).  The job completes when generated and is kept in the
account's state.  A job's report is read only by the identity that generated it ("must be used by the same role
within a session, or by the same user", the API reference): to anyone else its id is unknown.  ``ACTION_LEVEL``
reports have no ``TrackedActionsLastAccessed``: uses are recorded per service, not per action.

The answers' words, page size (200 services without MaxItems), markers (a job's own; another job's is "The
marker passed in the request was invalid.") and the entities listed with a service (every entity of the report
as it was generated, users then roles, each as it is now and none deleted since, ``LastAuthenticated`` only for one
that used it) are as recorded from AWS IAM in 2026-09
(radkawar/stackd commit 9dc356f5, ``testdata/aws/iam/last_access.json``, ``last_access_pending_policy_20260927.json``).
"""
from __future__ import annotations

import uuid
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, LastAccessedJob
from mockrunner.model.service_names import is_service_namespace, service_name
from mockrunner.regions import PARTITION
from mockrunner.services.iam.access_grants import granting, reported_namespaces
from mockrunner.services.iam.authz import anything
from mockrunner.services.iam.entities import arn_shaped, iam_of, managed_policy
from mockrunner.services.iam.usage import to_minute
from mockrunner.services.registry import op

SERVICES_PAGE = 200
"""GetServiceLastAccessedDetails without MaxItems answers 200 services, then a marker (recorded for a policy
allowing ``*``: ``a2c`` to ``healthlake``, ``IsTruncated`` true)."""


# ------------------------------------------------------------------------------------------------ policies
_SUPPORTED = {"user", "role", "group", "policy"}


def _entity(iam: IamState, arn: str) -> Any:
    """The user, role, group or managed policy ``arn`` names (an entity by its name whatever the ARN's path; a
    policy by its ARN), or ``None``."""
    parsed = split_arn(arn)
    kind, name = parsed.resource_type, parsed.name
    if kind == "policy":
        return managed_policy(iam, arn)
    return {"user": iam.users, "role": iam.roles, "group": iam.groups}.get(kind, {}).get(name)


def _policies(iam: IamState, arn: str) -> tuple[list[tuple[dict, str]], list[str]]:
    """``([(policy description, document)], entity ARNs whose use counts)`` for the existing entity ``arn`` names;
    each policy once, however many ways it reaches the entity (a managed policy attached to a user and its group)."""
    kind, entity = split_arn(arn).resource_type, _entity(iam, arn)
    found: dict[Any, tuple[dict, str]] = {}

    def own(holder: Any, entity_type: str) -> None:
        for policy_name, document in holder.inline_policies.items():
            found[(entity_type, holder.name, policy_name)] = (
                {"PolicyName": policy_name, "PolicyType": "INLINE", "EntityType": entity_type,
                 "EntityName": holder.name}, document)
        for policy_arn in holder.attached_policies:
            policy = managed_policy(iam, policy_arn)
            if policy is not None:
                found[policy_arn] = ({"PolicyName": policy.name, "PolicyType": "MANAGED", "PolicyArn": policy_arn},
                                     policy.default_document)

    if kind == "user":
        own(entity, "USER")
        for group in iam.groups_of(entity.name):
            own(group, "GROUP")
        return list(found.values()), [entity.arn]
    if kind == "role":
        own(entity, "ROLE")
        return list(found.values()), [entity.arn]
    if kind == "group":
        own(entity, "GROUP")
        return list(found.values()), _in_order(iam, {iam.users[member].arn for member in entity.users
                                                     if member in iam.users})
    users = {user.arn for user in iam.users.values() if arn in user.attached_policies}
    users |= {iam.users[member].arn for group in iam.groups.values() if arn in group.attached_policies
              for member in group.users if member in iam.users}
    roles = {role.arn for role in iam.roles.values() if arn in role.attached_policies}
    described = {"PolicyName": entity.name, "PolicyType": "MANAGED", "PolicyArn": arn}
    return [(described, entity.default_document)], _in_order(iam, users | roles)


def _in_order(iam: IamState, arns: set[str]) -> list[str]:
    """Users, then roles, each by name (the order GetServiceLastAccessedDetailsWithEntities was recorded in)."""
    return sorted(arns, key=lambda arn: (split_arn(arn).resource_type != "user", split_arn(arn).name, arn))


def _target_checks(ctx: RequestContext) -> tuple[Check, ...]:
    """authz of GenerateServiceLastAccessedDetails and ListPoliciesGrantingServiceAccess: ``iam:<Operation>`` on the
    ARN given, with the tags of the entity it names exactly; an ARN at another path names the entity for the report
    (recorded), and is checked without tags and the entity's own ARN with them as well (mockrunner's choice, failing
    closed: a deny of the entity's ARN or a condition on its tags holds whatever path the request spells).  An ARN
    of another partition or service is ``ValidationError`` ("Invalid ARN partition", "Invalid service in ARN"), one
    of another account ``AccessDenied`` "User: <caller> is not authorized to perform the operation on <arn>",
    whatever the caller's policies (recorded; checked here, before them, as mockrunner's choice)."""
    action, arn = f"iam:{ctx.operation_name}", ctx.params["Arn"]
    parsed = split_arn(arn) if arn_shaped(arn) else None
    if parsed is None:
        return (Check(action, "*"),)
    if parsed.partition != PARTITION:
        raise ServiceError("ValidationError", "Invalid ARN partition", 400)
    if parsed.service != "iam":
        raise ServiceError("ValidationError", "Invalid service in ARN", 400)
    if parsed.account not in (ctx.account.id, "aws"):
        raise ServiceError("AccessDenied", f"User: {ctx.caller.arn} is not authorized to perform the operation "
                                           f"on {arn}", 403)
    kind = parsed.resource_type
    entity = _entity(iam_of(ctx), arn) if kind in _SUPPORTED else None
    if getattr(entity, "arn", arn) == arn:
        return (Check(action, arn, resource_tag_keys(entity, kind)),)
    # The entity at another path: checked on the ARN given, without the entity's tags, and on the entity's own ARN
    # with them, so that a path spelled otherwise takes no deny or tag condition on the entity away (fail closed).
    return (Check(action, arn, resource_tag_keys(None, kind)),
            Check(action, entity.arn, resource_tag_keys(entity, kind)))


def _target(ctx: RequestContext, unsupported: dict[str, str]) -> tuple[list[tuple[dict, str]], list[str]]:
    """The policies and entities of the request's ``Arn``; ``unsupported``: the words for an ARN of a kind the
    operation does not report on (by kind, ``""`` for the others)."""
    arn = ctx.params["Arn"]
    if not arn_shaped(arn):
        raise ServiceError("InvalidInput", f"ARN {arn} is not valid.", 400)
    kind = split_arn(arn).resource_type
    if kind not in _SUPPORTED or kind in unsupported:
        words = unsupported.get(kind, unsupported[""])
        raise ServiceError("InvalidInput", words.format(arn=arn), 400)
    if _entity(iam_of(ctx), arn) is None:
        raise ServiceError("NoSuchEntity", f"ARN {arn} does not exist.", 404)
    return _policies(iam_of(ctx), arn)


_NOT_SUPPORTED = "Invalid Entity Arn: {arn} is not supported."


# ------------------------------------------------------------------------------------------------ operations
@op("iam", "GenerateServiceLastAccessedDetails", authz=_target_checks)
def generate_service_last_accessed_details(ctx: RequestContext) -> dict:
    iam, arn = iam_of(ctx), ctx.params["Arn"]
    policies, entities = _target(ctx, {"": _NOT_SUPPORTED})
    services, unused = [], []
    for namespace in sorted(reported_namespaces(document for _, document in policies)):
        used = {entity: iam.last_used[entity][namespace] for entity in entities
                if namespace in iam.last_used.get(entity, {})}
        if used:
            services.append({"namespace": namespace, "entities": used})
        else:
            unused.append(namespace)
    now = ctx.store.clock.now()
    ids = [_unique_id(iam, entity) for entity in entities]
    job = iam.add(LastAccessedJob(str(uuid.uuid4()), arn, ctx.params.get("Granularity") or "SERVICE_LEVEL", now,
                                  services, requester=ctx.caller.arn, unused=unused, entities=entities,
                                  entity_ids=ids, requester_id=ctx.caller.user_id))
    return {"JobId": job.job_id}


def _services_of(job: LastAccessedJob) -> list[dict]:
    """Every service of the job's report, sorted by namespace (AWS's default order), used or not."""
    unused = [{"namespace": namespace, "entities": {}} for namespace in job.unused]
    return sorted(job.services + unused, key=lambda service: service["namespace"])


def _job(ctx: RequestContext) -> LastAccessedJob:
    """The request's job; another identity's is unknown to the caller (recorded: another user, the account's
    other caller and another session of the same role all get the unknown job's answer).  The identity is its ARN and
    its unique id: a user deleted and created again under the name is another user (*unverified*: not recorded)."""
    job_id = ctx.params["JobId"]
    job = iam_of(ctx).last_accessed_jobs.get(job_id)
    if job is None or job.requester != ctx.caller.arn or job.requester_id not in ("", ctx.caller.user_id):
        raise ServiceError("NoSuchEntity", f"Job {job_id} does not exist.", 404)
    return job


def _page(ctx: RequestContext, items: list, token: str, default_size: int) -> tuple[list, dict]:
    """``items`` from the request's Marker, MaxItems (or ``default_size``) of them, and the page's ``IsTruncated``
    and ``Marker``.  A marker is ``<token>/<position>``: one this operation never gives is "Invalid Marker."
    (``ValidationError``), one of another job or listing "The marker passed in the request was invalid."
    (``InvalidInput``)."""
    start, marker = 0, ctx.params.get("Marker")
    if marker:
        given, _, position = marker.rpartition("/")
        if not position.isdecimal() or given.count("/") != 1:
            raise ServiceError("ValidationError", "Invalid Marker.", 400)
        if given != token:
            raise ServiceError("InvalidInput", "The marker passed in the request was invalid.", 400)
        if int(position) > len(items):
            raise ServiceError("ValidationError", "Invalid Marker.", 400)
        start = int(position)
    size = ctx.params.get("MaxItems") or default_size
    truncated = start + size < len(items)
    return items[start:start + size], {"IsTruncated": truncated, **({"Marker": f"{token}/{start + size}"}
                                                                       if truncated else {})}


def _service_out(service: dict) -> dict:
    namespace, used = service["namespace"], service["entities"]
    out: dict[str, Any] = {"ServiceName": service_name(namespace), "ServiceNamespace": namespace,
                           "TotalAuthenticatedEntities": len(used)}
    if used:
        entity, (when, region) = max(used.items(), key=lambda item: item[1][0])
        out.update(LastAuthenticated=to_minute(when), LastAuthenticatedEntity=entity, LastAuthenticatedRegion=region)
    return out


@op("iam", "GetServiceLastAccessedDetails", authz=anything)
def get_service_last_accessed_details(ctx: RequestContext) -> dict:
    job = _job(ctx)
    chosen, paging = _page(ctx, _services_of(job), f"services/{job.job_id}", SERVICES_PAGE)
    return {"JobStatus": "COMPLETED", "JobType": job.granularity, "JobCreationDate": job.created,
            "JobCompletionDate": job.created, "ServicesLastAccessed": [_service_out(item) for item in chosen],
            **paging}


def _unique_id(iam: IamState, arn: str) -> str:
    parsed = split_arn(arn)
    if parsed.resource_type == "user":
        return iam.users[parsed.name].user_id
    return iam.roles[parsed.name].role_id


def _listed_entities(iam: IamState, job: LastAccessedJob, arns: list[str]) -> list[tuple[str, Any]]:
    """``(ARN when generated, the user or role as it is now)`` for each of ``arns`` that still exists: found by its
    unique id (a renamed or moved entity is listed under its new name; recorded: "entity_snapshot_renamed_user"),
    or by its ARN in a job saved without ids."""
    ids = dict(zip(job.entities, job.entity_ids, strict=False))
    now = {user.user_id: user for user in iam.users.values()} | {role.role_id: role for role in iam.roles.values()}
    listed = []
    for arn in arns:
        if arn in ids:
            entity = now.get(ids[arn])
        else:
            parsed = split_arn(arn)
            entity = (iam.users if parsed.resource_type == "user" else iam.roles).get(parsed.name)
            entity = entity if getattr(entity, "arn", None) == arn else None
        if entity is not None:
            listed.append((arn, entity))
    return listed


def _entity_info(entity: Any) -> dict:
    is_user = hasattr(entity, "user_id")
    return {"Arn": entity.arn, "Name": entity.name, "Type": "USER" if is_user else "ROLE",
            "Id": entity.user_id if is_user else entity.role_id, "Path": entity.path}


@op("iam", "GetServiceLastAccessedDetailsWithEntities", authz=anything)
def get_service_last_accessed_details_with_entities(ctx: RequestContext) -> dict:
    job, namespace = _job(ctx), ctx.params["ServiceNamespace"]
    if not is_service_namespace(namespace):
        raise ServiceError("InvalidInput", f"Service namepace {namespace} is either invalid or unsupported.", 400)
    service = next((item for item in _services_of(job) if item["namespace"] == namespace), None)
    used = service["entities"] if service else {}
    # A job saved before ``entities`` was kept lists the entities that used the service.
    entities = _listed_entities(iam_of(ctx), job, (job.entities or sorted(used)) if service else [])

    def out(listed: tuple[str, Any]) -> dict:
        arn, entity = listed
        item: dict[str, Any] = {"EntityInfo": _entity_info(entity)}
        if arn in used:
            item["LastAuthenticated"] = to_minute(used[arn][0])
        return item

    chosen, paging = _page(ctx, entities, f"entities/{job.job_id}", 100)
    return {"JobStatus": "COMPLETED", "JobCreationDate": job.created, "JobCompletionDate": job.created,
            "EntityDetailsList": [out(listed) for listed in chosen], **paging}


@op("iam", "ListPoliciesGrantingServiceAccess", authz=_target_checks)
def list_policies_granting_service_access(ctx: RequestContext) -> dict:
    policies, _ = _target(ctx, {"": _NOT_SUPPORTED, "policy": _NOT_SUPPORTED,
                                "root": "Could not extract entity from ARN : {arn}"})
    namespaces = list(dict.fromkeys(ctx.params["ServiceNamespaces"]))
    invalid = [namespace for namespace in namespaces if not is_service_namespace(namespace)]
    if invalid:
        raise ServiceError("InvalidInput", f"Invalid service namespace: [{', '.join(invalid)}]", 400)
    if ctx.params.get("Marker"):
        raise ServiceError("ValidationError", "Invalid Marker.", 400)
    granted = list(zip([described for described, _ in policies],
                       granting([document for _, document in policies], tuple(namespaces)), strict=True))
    return {"PoliciesGrantingServiceAccess": [
        {"ServiceNamespace": namespace, "Policies": [described for described, found in granted if namespace in found]}
        for namespace in namespaces], "IsTruncated": False}
