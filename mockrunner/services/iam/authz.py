"""What each IAM operation is authorized against: the entity's ARN with its resource tags, the request's tags."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.services.iam.entities import KINDS, Kind, arn_shaped, entity_arn, iam_of, managed_policy, self_user

BOUNDARY_KEYED = frozenset({
    "CreateUser", "CreateRole", "AttachUserPolicy", "AttachRolePolicy", "DetachUserPolicy", "DetachRolePolicy",
    "PutUserPolicy", "PutRolePolicy", "DeleteUserPolicy", "DeleteRolePolicy", "PutUserPermissionsBoundary",
    "PutRolePermissionsBoundary", "DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary", "DeleteRole",
    "GetRole", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy"})
"""The IAM operations whose check carries ``iam:PermissionsBoundary`` (the request's boundary, else the target's):
the actions the Service Authorization Reference lists that key for.  A check of any other action (DeleteUser,
TagRole, ...) has no such key, so a condition on it is judged as on a missing key."""


def request_keys(ctx: RequestContext) -> dict[str, Any]:
    """Condition keys read from the request parameters (Service Authorization Reference, IAM)."""
    params = ctx.params
    keys: dict[str, Any] = {}
    tags = params.get("Tags")
    if tags:
        for tag in tags:
            keys[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    if params.get("TagKeys"):
        keys["aws:TagKeys"] = list(params["TagKeys"])
    if params.get("PolicyArn") and ctx.operation_name.startswith(("Attach", "Detach")):
        keys["iam:PolicyARN"] = params["PolicyArn"]
    if params.get("PermissionsBoundary") and ctx.operation_name in BOUNDARY_KEYED:
        keys["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    if params.get("AWSServiceName"):
        keys["iam:AWSServiceName"] = params["AWSServiceName"]
    if params.get("OrganizationsPolicyId"):
        keys["iam:OrganizationsPolicyId"] = params["OrganizationsPolicyId"]
    if ctx.operation_name in SERVICE_CREDENTIAL_KEYED:
        _service_credential_keys(ctx, keys)
    return keys


SERVICE_CREDENTIAL_KEYED = frozenset({"CreateServiceSpecificCredential", "ResetServiceSpecificCredential",
                                      "UpdateServiceSpecificCredential", "DeleteServiceSpecificCredential"})
"""The operations whose check carries ``iam:ServiceSpecificCredentialServiceName`` (the request's service, else the
credential's) and, on Create, ``iam:ServiceSpecificCredentialAgeDays`` (the days asked; absent for a credential that
does not expire): the Service Authorization Reference's rows, and the Bedrock guide's "API keys" permissions
("You can use the following condition keys to impose conditions on the permission for the
iam:CreateServiceSpecificCredential action")."""


def _service_credential_keys(ctx: RequestContext, keys: dict[str, Any]) -> None:
    params = ctx.params
    if "ServiceName" in params:
        keys["iam:ServiceSpecificCredentialServiceName"] = params["ServiceName"].lower()  # as IAM stores it
        if params.get("CredentialAgeDays") is not None:
            keys["iam:ServiceSpecificCredentialAgeDays"] = params["CredentialAgeDays"]
        return
    credential = iam_of(ctx).service_credentials.get(params.get("ServiceSpecificCredentialId") or "")
    if credential is not None:
        keys["iam:ServiceSpecificCredentialServiceName"] = credential.service_name


def resource_keys(entity: Any, keys: dict[str, Any], kind: str = "", operation: str = "") -> None:
    """Add the target's keys: its tags (as ``iam:ResourceTag/*`` too for a user or role, ``kind``) and, for the
    operations in :data:`BOUNDARY_KEYED`, its permissions boundary."""
    tag_keys = resource_tag_keys(entity, kind)
    if not keys:
        keys.update(tag_keys)  # no request keys (most reads): nothing for a tag key to give way to
    else:
        for key, value in tag_keys.items():
            keys.setdefault(key, value)
    if operation in BOUNDARY_KEYED:
        boundary = getattr(entity, "permissions_boundary", None)
        if boundary:
            keys.setdefault("iam:PermissionsBoundary", boundary)


def target(kind: Kind | None, *, self_default: bool = False, path_param: str = "Path") -> Callable:
    """authz: ``iam:<Operation>`` on the user/group/role named by the request (its ARN, with its path)."""

    def authz(ctx: RequestContext) -> Iterable[Check]:
        operation = ctx.operation.name
        keys = request_keys(ctx)
        action = "iam:" + operation
        name = self_user(ctx) if self_default else ctx.params.get(kind.param)
        if name is None:
            return (Check(action, ctx.caller.arn, keys),)
        entity = kind.entities(iam_of(ctx)).get(name)
        if entity is None:
            path = ctx.params.get(path_param) or "/"
        else:
            path = entity.path
            resource_keys(entity, keys, kind.name, operation)
        return (Check(action, entity_arn(ctx.account.id, kind.name, path, name), keys),)

    return authz


def renamed_target(kind: Kind, new_name_param: str) -> Callable:
    """authz of Update{User,Group}: ``iam:<Operation>`` on the entity as it is and, when ``new_name_param`` or
    ``NewPath`` changes its ARN, on the entity as it will be: the requester needs permission on both the source and
    the target object (UpdateUser and UpdateGroup API references)."""
    current = target(kind)

    def authz(ctx: RequestContext) -> Iterable[Check]:
        (check,) = current(ctx)
        name = ctx.params[kind.param]
        entity = kind.entities(iam_of(ctx)).get(name)
        path = ctx.params.get("NewPath") or (entity.path if entity is not None else "/")
        renamed = entity_arn(ctx.account.id, kind.name, path, ctx.params.get(new_name_param) or name)
        return (check,) if renamed == check.resource else (check, Check(check.action, renamed, check.context))

    return authz


def policy_target(ctx: RequestContext) -> Iterable[Check]:
    """authz: ``iam:<Operation>`` on the managed policy (CreatePolicy: the ARN it will have)."""
    keys = request_keys(ctx)
    params = ctx.params
    arn = params.get("PolicyArn") or entity_arn(ctx.account.id, "policy", params.get("Path") or "/",
                                                params.get("PolicyName", ""))
    policy = managed_policy(iam_of(ctx), arn)
    if policy is not None:
        resource_keys(policy, keys)
    # An AWS managed policy (account "aws"), readable from every account, is judged as the caller's own
    # (mockrunner.iam_engine.aws_managed): resource_account is the caller's account.  Its aws:ResourceAccount is
    # set with every other request's (mockrunner.iam_engine.resource_account).
    return (Check(f"iam:{ctx.operation_name}", arn, keys, resource_account=ctx.account.id),)


def tagged_on_create(authz: Callable, tag_action: str) -> Callable:
    """authz of a Create* that takes ``Tags``: its own checks and, when tags are given, ``tag_action`` on the same
    resource with the same request keys.  IAM authorizes the tagging of a new entity as it authorizes TagX: a caller
    allowed ``iam:CreateRole`` but not ``iam:TagRole`` gets "is not authorized to perform: iam:TagRole" for a
    CreateRole with tags (AWS's answer quoted in openshift/installer#1073, with its request id; CloudFormation's IAM
    role handler meets the same, aws-cloudformation/cloudformation-coverage-roadmap#1859); the denial names the new
    entity by its ARN, as those answers do."""

    def checks(ctx: RequestContext) -> Iterable[Check]:
        own = list(authz(ctx))
        if not ctx.params.get("Tags"):
            return own
        # The tagging check has the create's keys but iam:PermissionsBoundary, which no Tag* action lists.
        context = {key: value for key, value in own[0].context.items() if key != "iam:PermissionsBoundary"}
        return [*own, replace(own[0], action=tag_action, named_by_arn=True, context=context)]

    return checks


def listing(kind: str) -> Callable:
    """authz for List*: IAM reports ``arn:aws:iam::<acct>:<kind><path prefix>`` as the resource."""

    def authz(ctx: RequestContext) -> Iterable[Check]:
        prefix = ctx.params.get("PathPrefix") or "/"
        return (Check(f"iam:{ctx.operation_name}", f"arn:aws:iam::{ctx.account.id}:{kind}{prefix}"),)

    return authz


def on_arn(param: str) -> Callable:
    """authz: ``iam:<Operation>`` on the IAM ARN the request's ``param`` gives (a user, group, role, policy or
    delegation request), with the tags of the entity it names (its ARN exactly: a namesake at another path is not
    named); ``*`` for a value that is no ARN, which the operation then refuses."""

    def authz(ctx: RequestContext) -> Iterable[Check]:
        action, arn = f"iam:{ctx.operation_name}", ctx.params[param]
        parsed = split_arn(arn) if arn_shaped(arn) else None
        if parsed is None:
            return (Check(action, "*"),)
        iam, kind = iam_of(ctx), KINDS.get(parsed.resource_type)
        entity = None
        if parsed.account == ctx.account.id:
            entity = kind.entities(iam).get(parsed.name) if kind else managed_policy(iam, arn)
        if getattr(entity, "arn", arn) != arn:
            entity = None
        return (Check(action, arn, resource_tag_keys(entity, parsed.resource_type)),)

    return authz


def anything(ctx: RequestContext) -> Iterable[Check]:
    return (Check(f"iam:{ctx.operation_name}", "*", request_keys(ctx)),)
