"""IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
DeleteRole."""
from __future__ import annotations

import json

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import PolicyKind
from mockrunner.iam_engine.size import policy_size
from mockrunner.model.iam import (
    ROLE_ID_PREFIX,
    Role,
    new_id,
)
from mockrunner.model.principal_arns import replace_principal, unknown_principals
from mockrunner.services.iam import trust_controls
from mockrunner.services.iam.authz import listing, tagged_on_create, target
from mockrunner.services.iam.entities import (
    ROLE,
    boundary_policy,
    changeable,
    delete_conflict,
    ensure_room,
    entity_arn,
    iam_of,
    refuse_if_policies,
    tags_in,
    unmodifiable,
    validate_document,
)
from mockrunner.services.iam.instance_profiles import profiles_of_role
from mockrunner.services.iam.signin_sessions import signin_change
from mockrunner.services.iam.usage import role_last_used
from mockrunner.services.iam.wire import CREATED, DESCRIBED, FULL, list_entities, role_out
from mockrunner.services.registry import op

SERVICE_LINKED_PATH = "/aws-service-role/"
"""Roles under this path are made by CreateServiceLinkedRole only: CreateRole refuses it with IAM's text
(tilfin/aws-iam-policy-tool#9 quotes the SDK's error; 99designs/iamy#49)."""


@op("iam", "CreateRole", authz=tagged_on_create(target(ROLE), "iam:TagRole"))
def create_role(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["RoleName"], params.get("Path") or "/"
    if path.startswith(SERVICE_LINKED_PATH):
        raise ServiceError("InvalidInput", f"Path prefix '{SERVICE_LINKED_PATH}' can only be used for AWS Service "
                           "linked Roles", 400)
    ROLE.ensure_new(iam, name)
    trust = trust_document(ctx, params["AssumeRolePolicyDocument"])
    tags = tags_in(ctx, folds_case=True)
    boundary = params.get("PermissionsBoundary")
    if boundary:
        boundary_policy(iam, boundary)
    ensure_room(ctx, "roles")
    role = Role(name, new_id(ROLE_ID_PREFIX), path, entity_arn(ctx.account.id, "role", path, name),
                ctx.store.clock.now(), trust, params.get("Description") or "",
                params.get("MaxSessionDuration") or 3600, tags, permissions_boundary=boundary,
                max_signin_session_duration=params.get("MaxSigninSessionDuration"))
    iam.add(role)
    return {"Role": role_out(role, CREATED)}


@op("iam", "GetRole", authz=target(ROLE))
def get_role(ctx: RequestContext) -> dict:
    role = ROLE.get(iam_of(ctx), ctx.params["RoleName"])
    return {"Role": role_out(role, FULL, last_used=role_last_used(iam_of(ctx), role))}


@op("iam", "ListRoles", authz=listing("role"))
def list_roles(ctx: RequestContext) -> dict:
    return list_entities(ctx, ROLE, role_out)


@op("iam", "UpdateRole", authz=target(ROLE))
def update_role(ctx: RequestContext) -> dict:
    role = ROLE.get(iam_of(ctx), ctx.params["RoleName"])
    changes = {}
    if ctx.params.get("MaxSessionDuration") is not None:
        if role.service_linked:
            # Recorded from AWS, 2026-09 (radkawar/stackd, internal/services/iam/testdata/
            # service_linked_roles_aws.json, "update-duration"): not the protected-role text of the other refusals.
            raise ServiceError("UnmodifiableEntity", f"{role.name} is an AWS service linked role, max session "
                               "duration cannot be changed.", 400)
        changes["max_session_duration"] = ctx.params["MaxSessionDuration"]
    if ctx.params.get("Description") is not None:
        changes["description"] = ctx.params["Description"]
    signin = signin_change(ctx.params)
    if signin:
        unmodifiable(role)  # "You cannot set this value on a service-linked role" (UpdateRole reference).
        changes.update(signin)
    iam_of(ctx).update(role, **changes)
    return {}


@op("iam", "UpdateRoleDescription", authz=target(ROLE))
def update_role_description(ctx: RequestContext) -> dict:
    role = ROLE.get(iam_of(ctx), ctx.params["RoleName"])
    iam_of(ctx).update(role, description=ctx.params["Description"])
    return {"Role": role_out(role, DESCRIBED)}


@op("iam", "UpdateAssumeRolePolicy", authz=target(ROLE))
def update_assume_role_policy(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    role = changeable(ctx, ROLE)
    iam.update(role, assume_role_policy=trust_document(ctx, ctx.params["PolicyDocument"]))
    return {}


def trust_document(ctx: RequestContext, document: str) -> str:
    """A role's trust policy as IAM accepts it: valid, and every IAM user or role it names as principal exists
    (``MalformedPolicyDocument`` 'Invalid principal in policy: "AWS":"<arn>"', the first one missing; real answers
    to CreateRole quoted in opstrace/opstrace#88 and aws/aws-cdk#26482, to UpdateAssumeRolePolicy in
    aws-actions/configure-aws-credentials#332; terraform-provider-aws retries both on that text while a new
    principal propagates, internal/service/iam/role.go), and within the configured ``ACLSizePerRole`` quota,
    counted without whitespace (2,048 by default: ``LimitExceeded`` 'Cannot exceed quota for ACLSizePerRole: 2048',
    the answer Terraform users quote for CreateRole and UpdateAssumeRolePolicy); the conditions some identity
    providers require (:mod:`~mockrunner.services.iam.trust_controls`)."""
    validate_document(document, PolicyKind.TRUST)
    refused = trust_controls.refusal(json.loads(document))
    if refused is not None:
        raise ServiceError("MalformedPolicyDocument", refused, 400)
    limit = ctx.store.settings.quotas.iam_max_trust_policy_size
    if policy_size(document) > limit:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for ACLSizePerRole: {limit}", 409)
    missing = next(unknown_principals(json.loads(document), ctx.store.account), None)
    if missing is not None:
        raise ServiceError("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{missing}"', 400)
    return document


@op("iam", "DeleteRole", authz=target(ROLE))
def delete_role(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    role = changeable(ctx, ROLE)
    if profiles_of_role(iam, role.name):
        raise delete_conflict("remove roles from instance profile")
    refuse_if_policies(role)
    iam.remove(role)
    replace_principal(ctx.store, role.arn, role.role_id)
    return {}
