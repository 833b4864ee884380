"""The policies of users, groups and roles: inline (Put/Get/Delete/List<Kind>Policy), attached
(Attach/Detach/ListAttached<Kind>Policies) and permissions boundaries (Put/Delete<Kind>PermissionsBoundary),
registered once per kind from the :data:`POLICY_OPERATIONS` and :data:`BOUNDARY_OPERATIONS` tables."""
from __future__ import annotations

from typing import Any

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import PolicyKind
from mockrunner.iam_engine.size import policy_size
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import target
from mockrunner.services.iam.entities import (
    GROUP,
    INLINE_SIZE,
    ROLE,
    USER,
    Kind,
    attachable,
    attached_quota,
    boundary_policy,
    changeable,
    iam_of,
    managed_policy,
    policy_arn,
    validate_document,
)
from mockrunner.services.iam.reserved_policies import refuse_reserved
from mockrunner.services.iam.wire import attached_out
from mockrunner.services.registry import op


def _inline_ops(kind: Kind, names: tuple[str, str, str, str, str, str, str]) -> None:
    """Put/Get/Delete/List<Kind>Policy(ies) and Attach/Detach/ListAttached<Kind>Policies."""
    authz = target(kind)

    def entity(ctx: RequestContext) -> Any:
        return kind.get(iam_of(ctx), ctx.params[kind.param])

    def no_policy(name: str) -> ServiceError:
        return ServiceError("NoSuchEntity", f"The {kind.name} policy with name {name} cannot be found.", 404)

    def held(target_entity: Any, name: str) -> str:
        """The stored name of the inline policy ``name`` names, compared case-insensitively as IAM does (recorded
        from AWS, 2026-09-12: radkawar/stackd, testdata/aws/iam/policy_management.json, "inline": GetXPolicy and
        DeleteXPolicy of ``MIXEDNAME`` find ``MixedName``, and Get answers the name asked for)."""
        lowered = name.lower()
        found = next((key for key in target_entity.inline_policies if key.lower() == lowered), None)
        if found is None:
            raise no_policy(name)
        return found

    def put(ctx: RequestContext) -> dict:
        target_entity = changeable(ctx, kind)
        name, document = ctx.params["PolicyName"], ctx.params["PolicyDocument"]
        validate_document(document, PolicyKind.IDENTITY)
        others = sum(policy_size(doc) for key, doc in target_entity.inline_policies.items()
                     if key.lower() != name.lower())
        limit = INLINE_SIZE[kind.name]
        if others + policy_size(document) > limit:
            raise ServiceError("LimitExceeded", f"Maximum policy size of {limit} bytes exceeded for "
                               f"{kind.name} {target_entity.name}", 409)
        kept = {key: doc for key, doc in target_entity.inline_policies.items() if key.lower() != name.lower()}
        iam_of(ctx).update(target_entity, inline_policies={**kept, name: document})
        return {}

    def get(ctx: RequestContext) -> dict:
        target_entity, name = entity(ctx), ctx.params["PolicyName"]
        stored = held(target_entity, name)
        return {kind.param: target_entity.name, "PolicyName": name,
                "PolicyDocument": paging.url_encoded(target_entity.inline_policies[stored])}

    def delete(ctx: RequestContext) -> dict:
        target_entity, name = changeable(ctx, kind), ctx.params["PolicyName"]
        stored = held(target_entity, name)
        iam_of(ctx).update(target_entity, inline_policies={
            key: document for key, document in target_entity.inline_policies.items() if key != stored})
        return {}

    def list_inline(ctx: RequestContext) -> dict:
        return paging.page(sorted(entity(ctx).inline_policies), ctx, "PolicyNames")

    def attach(ctx: RequestContext) -> dict:
        arn = policy_arn(ctx)
        iam, target_entity = iam_of(ctx), changeable(ctx, kind)
        policy = attachable(iam, arn)
        refuse_reserved(kind, arn, policy)
        if arn not in target_entity.attached_policies:
            quota, limit = attached_quota(ctx.store.settings.quotas, kind.name)
            if len(target_entity.attached_policies) >= limit:
                raise ServiceError("LimitExceeded", f"Cannot exceed quota for {quota}: {limit}", 409)
            iam.update(target_entity, attached_policies=[*target_entity.attached_policies, arn])
        return {}

    def detach(ctx: RequestContext) -> dict:
        iam, target_entity, arn = iam_of(ctx), changeable(ctx, kind), ctx.params["PolicyArn"]
        if arn not in target_entity.attached_policies:
            raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
        iam.update(target_entity, attached_policies=[item for item in target_entity.attached_policies
                                                     if item != arn])
        return {}

    def list_attached(ctx: RequestContext) -> dict:
        iam, target_entity = iam_of(ctx), entity(ctx)
        prefix = ctx.params.get("PathPrefix") or "/"
        arns = [arn for arn in target_entity.attached_policies
                if (managed_policy(iam, arn) is None or managed_policy(iam, arn).path.startswith(prefix))]
        return paging.page(attached_out(iam, arns), ctx, "AttachedPolicies")

    for name, handler in zip(names, (put, get, delete, list_inline, attach, detach, list_attached), strict=True):
        op("iam", name, authz=authz)(handler)


def _boundary_ops(kind: Kind, names: tuple[str, str]) -> None:
    authz = target(kind)

    def put(ctx: RequestContext) -> dict:
        iam, entity = iam_of(ctx), changeable(ctx, kind)
        arn = ctx.params["PermissionsBoundary"]
        refuse_reserved(kind, arn, boundary_policy(iam, arn), boundary=True)
        iam.update(entity, permissions_boundary=arn)
        return {}

    def delete(ctx: RequestContext) -> dict:
        """``NoSuchEntity`` for an entity without a boundary (recorded from AWS, 2026-09-12: radkawar/stackd,
        testdata/aws/iam/policy_management.json, "delete_boundary_missing", for users and roles; the words are
        mockrunner's, *unverified*)."""
        iam, entity = iam_of(ctx), changeable(ctx, kind)
        if not entity.permissions_boundary:
            raise ServiceError("NoSuchEntity", f"The {kind.name} with name {entity.name} has no permissions "
                               "boundary.", 404)
        iam.update(entity, permissions_boundary=None)
        return {}

    for name, handler in zip(names, (put, delete), strict=True):
        op("iam", name, authz=authz)(handler)


#: Per kind: Put, Get, Delete, List (inline); Attach, Detach, ListAttached (managed).
POLICY_OPERATIONS = {
    USER: ("PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy", "ListUserPolicies",
           "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies"),
    GROUP: ("PutGroupPolicy", "GetGroupPolicy", "DeleteGroupPolicy", "ListGroupPolicies",
            "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies"),
    ROLE: ("PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies",
           "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies"),
}
#: Per kind that can have one: Put, Delete of the permissions boundary.
BOUNDARY_OPERATIONS = {
    USER: ("PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary"),
    ROLE: ("PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"),
}
for _kind, _names in POLICY_OPERATIONS.items():
    _inline_ops(_kind, _names)
for _kind, _names in BOUNDARY_OPERATIONS.items():
    _boundary_ops(_kind, _names)
