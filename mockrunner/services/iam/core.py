"""IAM operations (query protocol), every one authorized against the entity it touches.

Each handler validates everything first and mutates last, then calls ``iam.touch()`` so the authorizer's
compiled policy sets are rebuilt.  Policy documents travel URL-encoded in IAM responses (botocore decodes the
``policyDocumentType`` shape).  Error messages are IAM's (quoted in AWS docs and countless public issues);
where a text is unverified the comment says so.

Users, groups and roles share their inline-policy, attach/detach and listing operations: those are registered
once per entity kind from the :data:`KINDS` table.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, validate_policy
from mockrunner.model.iam import (
    ACCESS_KEY_PREFIX,
    GROUP_ID_PREFIX,
    POLICY_ID_PREFIX,
    ROLE_ID_PREFIX,
    USER_ID_PREFIX,
    AccessKey,
    DeletionTask,
    Group,
    IamState,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
    new_id,
    new_secret,
)
from mockrunner.model.managed_policies import AwsManagedPolicy, aws_managed_policies, aws_managed_policy, is_aws_managed
from mockrunner.model.service_linked_roles import service_linked_roles
from mockrunner.services.iam import paging
from mockrunner.services.registry import op

# ------------------------------------------------------------------------------------------------ quotas
MAX_ACCESS_KEYS = 2
MAX_POLICY_VERSIONS = 5
MAX_TAGS = 50
MAX_MANAGED_POLICY_SIZE = 6144
ATTACHED_QUOTA = {"user": ("PoliciesPerUser", 10), "group": ("PoliciesPerGroup", 10), "role": ("PoliciesPerRole", 10)}
INLINE_SIZE = {"user": 2048, "group": 5120, "role": 10240}
MAX_GROUPS_PER_USER = 10

# Which App Runner resources keep a service-linked role in use (App Runner Developer Guide, "Using
# service-linked roles"): services for the main role, VPC connectors for the networking role.
SLR_USAGE = {"AWSServiceRoleForAppRunner": ("services",), "AWSServiceRoleForAppRunnerNetworking": ("vpc_connectors",)}
_INACTIVE_STATUSES = frozenset({"DELETED", "INACTIVE"})


# ------------------------------------------------------------------------------------------------ entity kinds
@dataclass(frozen=True)
class Kind:
    """What users, groups and roles have in common, for the operations they share."""

    name: str  # user | group | role
    title: str  # User | Group | Role
    param: str  # UserName | GroupName | RoleName
    collection: str  # attribute of IamState

    def entities(self, iam: IamState) -> dict:
        return getattr(iam, self.collection)

    def missing(self, name: str) -> ServiceError:
        return ServiceError("NoSuchEntity", f"The {self.name} with name {name} cannot be found.", 404)

    def get(self, iam: IamState, name: str) -> Any:
        entity = self.entities(iam).get(name)
        if entity is None:
            raise self.missing(name)
        return entity

    def ensure_new(self, iam: IamState, name: str) -> None:
        """IAM names are unique case-insensitively, within each kind."""
        lowered = name.lower()
        if any(existing.lower() == lowered for existing in self.entities(iam)):
            raise ServiceError("EntityAlreadyExists", f"{self.title} with name {name} already exists.", 409)


USER = Kind("user", "User", "UserName", "users")
GROUP = Kind("group", "Group", "GroupName", "groups")
ROLE = Kind("role", "Role", "RoleName", "roles")
KINDS = (USER, GROUP, ROLE)


# ------------------------------------------------------------------------------------------------ helpers
def _iam(ctx: RequestContext) -> IamState:
    return ctx.account.iam


def entity_arn(account_id: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


_encode = paging.url_encoded


def _tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _boundary_out(arn: str | None) -> dict:
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                    "PermissionsBoundaryArn": arn}} if arn else {}


_page = paging.page


def _validate_document(document: str, kind: PolicyKind, *, managed: bool = False) -> str:
    """IAM's MalformedPolicyDocument: text that is not JSON at all is "invalid Json"; JSON that is not a valid
    policy gets the engine's message ("Syntax errors in policy." and the rest)."""
    try:
        json.loads(document)
    except (ValueError, RecursionError):
        raise ServiceError("MalformedPolicyDocument", "This policy contains invalid Json", 400) from None
    try:
        validate_policy(document, kind, require_current_version=managed)
    except MalformedPolicyError as error:
        raise ServiceError("MalformedPolicyDocument", error.message, 400) from None
    return document


def _size(document: str) -> int:
    """IAM counts policy size without whitespace (IAM User Guide, "IAM and AWS STS quotas")."""
    return len("".join(document.split()))


def _tags_in(ctx: RequestContext, existing: dict[str, str] | None = None) -> dict[str, str]:
    """``existing`` with the request's ``Tags`` applied.  IAM tag keys are case-insensitive: two keys of a request
    that differ only in case are refused, and a key replaces an existing one that differs only in case."""
    tags = dict(existing or {})
    requested = ctx.params.get("Tags") or []
    if len({tag["Key"].lower() for tag in requested}) < len(requested):
        raise ServiceError("InvalidInput",
                           "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    for tag in requested:
        for key in [key for key in tags if key.lower() == tag["Key"].lower()]:
            del tags[key]
        tags[tag["Key"]] = tag["Value"]
    if len(tags) > MAX_TAGS:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for TagsPerResource: {MAX_TAGS}", 409)
    return tags


def managed_policy(iam: IamState, arn: str) -> ManagedPolicy | AwsManagedPolicy | None:
    return iam.policies.get(arn) or aws_managed_policy(arn)


def _policy_arn(ctx: RequestContext) -> str:
    """The request's PolicyArn; one that is no ARN at all is refused before anything is looked up."""
    arn = ctx.params["PolicyArn"]
    if not arn.startswith("arn:") or arn.count(":") < 5:
        # IAM's text, two spaces included (recorded answers of AttachUserPolicy/AttachRolePolicy/AttachGroupPolicy).
        raise ServiceError("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    return arn


def _attachable(iam: IamState, arn: str) -> ManagedPolicy:
    policy = managed_policy(iam, arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    return policy


def _unmodifiable(role: Role) -> None:
    if role.service_linked:
        # Wording of IAM's answer for protected (service-linked) roles, as quoted in public issues.
        raise ServiceError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role.name}' - this role is only modifiable by AWS",
            400,
        )


def _delete_conflict(must: str) -> ServiceError:
    return ServiceError("DeleteConflict", f"Cannot delete entity, must {must} first.", 409)


def _refuse_if_policies(entity: User | Group | Role) -> None:
    """IAM deletes no user, group or role that still has policies (inline ones are reported before attached)."""
    if entity.inline_policies:
        raise _delete_conflict("delete policies")
    if entity.attached_policies:
        raise _delete_conflict("detach all policies")


def _changeable(ctx: RequestContext, kind: Kind) -> Any:
    """The user, group or role the request names; a service-linked role is refused (only AWS changes those)."""
    entity = kind.get(_iam(ctx), ctx.params[kind.param])
    if kind is ROLE:
        _unmodifiable(entity)
    return entity


def _non_user() -> ServiceError:
    """IAM's answer when a role session (any caller but a user or the root) omits UserName on a call about "the
    calling user" (raw ErrorResponse quoted in aws-sdk-go tests; terraform-provider-aws's access key importer)."""
    return ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400)


def _self_user(ctx: RequestContext) -> str | None:
    name = ctx.params.get("UserName")
    if name:
        return name
    caller = ctx.caller
    return caller.entity_name if caller is not None and caller.kind == "User" else None


# ------------------------------------------------------------------------------------------------ authorization
def _request_keys(ctx: RequestContext) -> dict[str, Any]:
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
    if params.get("PermissionsBoundary"):
        keys["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    if params.get("AWSServiceName"):
        keys["iam:AWSServiceName"] = params["AWSServiceName"]
    return keys


def _resource_keys(entity: Any, keys: dict[str, Any]) -> None:
    for key, value in (getattr(entity, "tags", None) or {}).items():
        keys.setdefault(f"aws:ResourceTag/{key}", value)
        keys.setdefault(f"iam:ResourceTag/{key}", value)
    boundary = getattr(entity, "permissions_boundary", None)
    if boundary:
        keys.setdefault("iam:PermissionsBoundary", boundary)


def target(kind: Kind | None, *, self_default: bool = False, path_param: str = "Path") -> Callable:
    """authz: ``iam:<Operation>`` on the user/group/role named by the request (its ARN, with its path)."""

    def authz(ctx: RequestContext) -> Iterable[Check]:
        account = ctx.account.id
        iam = _iam(ctx)
        keys = _request_keys(ctx)
        action = f"iam:{ctx.operation_name}"
        name = _self_user(ctx) if self_default else ctx.params.get(kind.param)
        if name is None:
            return (Check(action, ctx.caller.arn, keys),)
        entity = kind.entities(iam).get(name)
        path = entity.path if entity is not None else (ctx.params.get(path_param) or "/")
        if entity is not None:
            _resource_keys(entity, keys)
        return (Check(action, entity_arn(account, kind.name, path, name), keys),)

    return authz


def policy_target(ctx: RequestContext) -> Iterable[Check]:
    """authz: ``iam:<Operation>`` on the managed policy (CreatePolicy: the ARN it will have)."""
    keys = _request_keys(ctx)
    params = ctx.params
    arn = params.get("PolicyArn") or entity_arn(ctx.account.id, "policy", params.get("Path") or "/",
                                                params.get("PolicyName", ""))
    policy = managed_policy(_iam(ctx), arn)
    if policy is not None:
        _resource_keys(policy, keys)
    # AWS managed policies (account "aws") are readable from every account: judge them as the caller's own.
    return (Check(f"iam:{ctx.operation_name}", arn, keys, resource_account=ctx.account.id),)


def listing(kind: str) -> Callable:
    """authz for List*: IAM reports ``arn:aws:iam::<acct>:<kind><path prefix>`` as the resource."""

    def authz(ctx: RequestContext) -> Iterable[Check]:
        prefix = ctx.params.get("PathPrefix") or "/"
        return (Check(f"iam:{ctx.operation_name}", f"arn:aws:iam::{ctx.account.id}:{kind}{prefix}"),)

    return authz


def anything(ctx: RequestContext) -> Iterable[Check]:
    return (Check(f"iam:{ctx.operation_name}", "*", _request_keys(ctx)),)


# ------------------------------------------------------------------------------------------------ wire forms
def user_out(user: User, full: bool = False) -> dict:
    out = {"Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
           "CreateDate": user.create_date}
    if full:
        out.update(_boundary_out(user.permissions_boundary))
        if user.tags:
            out["Tags"] = _tags_out(user.tags)
    return out


def group_out(group: Group) -> dict:
    return {"Path": group.path, "GroupName": group.name, "GroupId": group.group_id, "Arn": group.arn,
            "CreateDate": group.create_date}


def role_out(role: Role, full: bool = False, created: bool = False) -> dict:
    """A role's wire form; ``created``: as CreateRole answers (no MaxSessionDuration, no RoleLastUsed)."""
    out = {"Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
           "CreateDate": role.create_date, "AssumeRolePolicyDocument": _encode(role.assume_role_policy)}
    if not created:
        out["MaxSessionDuration"] = role.max_session_duration
    if role.description:
        out["Description"] = role.description
    if full:
        out.update(_boundary_out(role.permissions_boundary))
        if role.tags:
            out["Tags"] = _tags_out(role.tags)
        if not created:
            out["RoleLastUsed"] = {}
    return out


def _usages(iam: IamState) -> dict[str, tuple[int, int]]:
    """ARN -> (attachments, permissions-boundary uses), for every policy the account uses."""
    counts: dict[str, list[int]] = {}
    for entity in (*iam.users.values(), *iam.groups.values(), *iam.roles.values()):
        for arn in entity.attached_policies:
            counts.setdefault(arn, [0, 0])[0] += 1
        boundary = getattr(entity, "permissions_boundary", None)
        if boundary:
            counts.setdefault(boundary, [0, 0])[1] += 1
    return {arn: (attached, boundaries) for arn, (attached, boundaries) in counts.items()}


def _usage(iam: IamState, arn: str) -> tuple[int, int]:
    entities = [*iam.users.values(), *iam.groups.values(), *iam.roles.values()]
    attached = sum(1 for entity in entities if arn in entity.attached_policies)
    boundaries = sum(1 for entity in entities if getattr(entity, "permissions_boundary", None) == arn)
    return attached, boundaries


def policy_out(iam: IamState, policy: ManagedPolicy | AwsManagedPolicy, full: bool = False, *,
               tags: bool = False, usage: tuple[int, int] | None = None) -> dict:
    """A managed policy's wire form; ``full`` (GetPolicy) adds Description and Tags, ``tags`` (CreatePolicy) Tags.
    ``usage``: (attachments, boundary uses) when the caller counted them already."""
    attached, boundaries = usage or _usage(iam, policy.arn)
    out = {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
           "DefaultVersionId": policy.default_version_id, "AttachmentCount": attached,
           "PermissionsBoundaryUsageCount": boundaries, "IsAttachable": True,
           "CreateDate": policy.create_date, "UpdateDate": policy.update_date}
    if full and policy.description:
        out["Description"] = policy.description
    if (full or tags) and policy.tags:
        out["Tags"] = _tags_out(policy.tags)
    return out


def version_out(version: PolicyVersion, policy: ManagedPolicy, with_document: bool = True) -> dict:
    out = {"VersionId": version.version_id, "IsDefaultVersion": version.version_id == policy.default_version_id,
           "CreateDate": version.create_date}
    if with_document:
        out["Document"] = _encode(version.document)
    return out


def _list_entities(ctx: RequestContext, kind: Kind, out: Callable[[Any], dict]) -> dict:
    """ListUsers / ListGroups / ListRoles: the kind's entities under ``PathPrefix``, by name (case-insensitively)."""
    prefix = ctx.params.get("PathPrefix") or "/"
    entities = paging.listing(ctx, (kind.name, prefix), lambda: [
        entity for entity in sorted(kind.entities(_iam(ctx)).values(), key=lambda entity: entity.name.lower())
        if entity.path.startswith(prefix)])
    return _page(entities, ctx, f"{kind.title}s", out)


def _attached_out(iam: IamState, arns: Iterable[str]) -> list[dict]:
    out = []
    for arn in arns:
        policy = managed_policy(iam, arn)
        out.append({"PolicyName": policy.name if policy else arn.rsplit("/", 1)[-1], "PolicyArn": arn})
    return out


# ------------------------------------------------------------------------------------------------ users
@op("iam", "CreateUser", authz=target(USER))
def create_user(ctx: RequestContext) -> dict:
    iam, params = _iam(ctx), ctx.params
    name, path = params["UserName"], params.get("Path") or "/"
    USER.ensure_new(iam, name)
    tags = _tags_in(ctx)
    boundary = params.get("PermissionsBoundary")
    if boundary:
        _attachable(iam, boundary)
    now = ctx.store.clock.now()
    user = User(name, new_id(USER_ID_PREFIX), path, entity_arn(ctx.account.id, "user", path, name), now, tags,
                permissions_boundary=boundary)
    iam.users[name] = user
    iam.touch()
    return {"User": user_out(user, full=True)}


@op("iam", "GetUser", authz=target(USER, self_default=True))
def get_user(ctx: RequestContext) -> dict:
    name = _self_user(ctx)
    if name is None:
        caller = ctx.caller
        if not caller.is_root:
            raise _non_user()
        # Root without UserName: IAM describes the root user (no name).  Creation date: the account's, unknown.
        return {"User": {"UserId": caller.account_id, "Arn": caller.arn, "CreateDate": ctx.store.clock.now(),
                         "Path": "/", "UserName": ""}}
    return {"User": user_out(USER.get(_iam(ctx), name), full=True)}


@op("iam", "ListUsers", authz=listing("user"))
def list_users(ctx: RequestContext) -> dict:
    return _list_entities(ctx, USER, user_out)


@op("iam", "UpdateUser", authz=target(USER))
def update_user(ctx: RequestContext) -> dict:
    iam, params = _iam(ctx), ctx.params
    user = USER.get(iam, params["UserName"])
    new_name = params.get("NewUserName") or user.name
    if new_name != user.name:
        USER.ensure_new(iam, new_name)
    path = params.get("NewPath") or user.path
    del iam.users[user.name]
    for group in iam.groups.values():
        group.users = [new_name if member == user.name else member for member in group.users]
    for key in iam.access_keys.values():
        if key.user_name == user.name:
            key.user_name = new_name
    user.name, user.path = new_name, path
    user.arn = entity_arn(ctx.account.id, "user", path, new_name)
    iam.users[new_name] = user
    iam.touch()
    return {}


@op("iam", "DeleteUser", authz=target(USER))
def delete_user(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    if any(key.user_name == user.name for key in iam.access_keys.values()):
        raise _delete_conflict("delete access keys")
    _refuse_if_policies(user)
    if iam.groups_of(user.name):
        raise _delete_conflict("remove users from group")
    del iam.users[user.name]
    iam.sessions = {k: s for k, s in iam.sessions.items() if not (s.kind == "User" and s.entity_name == user.name)}
    iam.touch()
    return {}


# ------------------------------------------------------------------------------------------------ groups
@op("iam", "CreateGroup", authz=target(GROUP))
def create_group(ctx: RequestContext) -> dict:
    iam, params = _iam(ctx), ctx.params
    name, path = params["GroupName"], params.get("Path") or "/"
    GROUP.ensure_new(iam, name)
    group = Group(name, new_id(GROUP_ID_PREFIX), path, entity_arn(ctx.account.id, "group", path, name),
                  ctx.store.clock.now())
    iam.groups[name] = group
    iam.touch()
    return {"Group": group_out(group)}


@op("iam", "GetGroup", authz=target(GROUP))
def get_group(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    users = [iam.users[name] for name in group.users if name in iam.users]
    return {"Group": group_out(group), **_page(users, ctx, "Users", user_out)}


@op("iam", "ListGroups", authz=listing("group"))
def list_groups(ctx: RequestContext) -> dict:
    return _list_entities(ctx, GROUP, group_out)


@op("iam", "ListGroupsForUser", authz=target(USER))
def list_groups_for_user(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    return _page([group_out(g) for g in iam.groups_of(user.name)], ctx, "Groups")


@op("iam", "DeleteGroup", authz=target(GROUP))
def delete_group(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    if group.users:
        raise _delete_conflict("remove users from group")
    _refuse_if_policies(group)
    del iam.groups[group.name]
    iam.touch()
    return {}


@op("iam", "AddUserToGroup", authz=target(GROUP))
def add_user_to_group(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    user = USER.get(iam, ctx.params["UserName"])
    if user.name not in group.users:
        if len(iam.groups_of(user.name)) >= MAX_GROUPS_PER_USER:
            raise ServiceError("LimitExceeded", f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}", 409)
        group.users.append(user.name)
        iam.touch()
    return {}


@op("iam", "RemoveUserFromGroup", authz=target(GROUP))
def remove_user_from_group(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    user = USER.get(iam, ctx.params["UserName"])
    if user.name not in group.users:
        raise USER.missing(user.name)
    group.users.remove(user.name)
    iam.touch()
    return {}


# ------------------------------------------------------------------------------------------------ roles
@op("iam", "CreateRole", authz=target(ROLE))
def create_role(ctx: RequestContext) -> dict:
    iam, params = _iam(ctx), ctx.params
    name, path = params["RoleName"], params.get("Path") or "/"
    ROLE.ensure_new(iam, name)
    trust = _validate_document(params["AssumeRolePolicyDocument"], PolicyKind.TRUST)
    tags = _tags_in(ctx)
    boundary = params.get("PermissionsBoundary")
    if boundary:
        _attachable(iam, boundary)
    role = Role(name, new_id(ROLE_ID_PREFIX), path, entity_arn(ctx.account.id, "role", path, name),
                ctx.store.clock.now(), trust, params.get("Description") or "",
                params.get("MaxSessionDuration") or 3600, tags, permissions_boundary=boundary)
    iam.roles[name] = role
    iam.touch()
    return {"Role": role_out(role, full=True, created=True)}


@op("iam", "GetRole", authz=target(ROLE))
def get_role(ctx: RequestContext) -> dict:
    return {"Role": role_out(ROLE.get(_iam(ctx), ctx.params["RoleName"]), full=True)}


@op("iam", "ListRoles", authz=listing("role"))
def list_roles(ctx: RequestContext) -> dict:
    return _list_entities(ctx, ROLE, role_out)


@op("iam", "UpdateRole", authz=target(ROLE))
def update_role(ctx: RequestContext) -> dict:
    role = ROLE.get(_iam(ctx), ctx.params["RoleName"])
    if ctx.params.get("MaxSessionDuration") is not None:
        _unmodifiable(role)
        role.max_session_duration = ctx.params["MaxSessionDuration"]
    if ctx.params.get("Description") is not None:
        role.description = ctx.params["Description"]
    _iam(ctx).touch()
    return {}


@op("iam", "UpdateRoleDescription", authz=target(ROLE))
def update_role_description(ctx: RequestContext) -> dict:
    role = ROLE.get(_iam(ctx), ctx.params["RoleName"])
    role.description = ctx.params["Description"]
    _iam(ctx).touch()
    return {"Role": role_out(role, full=True)}


@op("iam", "UpdateAssumeRolePolicy", authz=target(ROLE))
def update_assume_role_policy(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    role = _changeable(ctx, ROLE)
    role.assume_role_policy = _validate_document(ctx.params["PolicyDocument"], PolicyKind.TRUST)
    iam.touch()
    return {}


@op("iam", "DeleteRole", authz=target(ROLE))
def delete_role(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    role = _changeable(ctx, ROLE)
    _refuse_if_policies(role)
    del iam.roles[role.name]
    iam.touch()
    return {}


# ------------------------------------------------------------------------------------------------ tags
def _tag_ops(kind_name: str, getter: Callable[[RequestContext], Any], authz: Callable) -> None:
    """TagX / UntagX / ListXTags for users, roles and policies."""

    def tag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        entity.tags = _tags_in(ctx, entity.tags)
        _iam(ctx).touch()
        return {}

    def untag(ctx: RequestContext) -> dict:
        entity = getter(ctx)
        removed = {key.lower() for key in ctx.params["TagKeys"]}
        entity.tags = {k: v for k, v in entity.tags.items() if k.lower() not in removed}
        _iam(ctx).touch()
        return {}

    def list_tags(ctx: RequestContext) -> dict:
        return _page(_tags_out(getter(ctx).tags), ctx, "Tags")

    op("iam", f"Tag{kind_name}", authz=authz)(tag)
    op("iam", f"Untag{kind_name}", authz=authz)(untag)
    op("iam", f"List{kind_name}Tags", authz=authz)(list_tags)


def _customer_policy(ctx: RequestContext) -> ManagedPolicy:
    arn = ctx.params["PolicyArn"]
    policy = _iam(ctx).policies.get(arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
    return policy


_tag_ops("User", lambda ctx: USER.get(_iam(ctx), ctx.params["UserName"]), target(USER))
_tag_ops("Role", lambda ctx: ROLE.get(_iam(ctx), ctx.params["RoleName"]), target(ROLE))
_tag_ops("Policy", _customer_policy, policy_target)


# ------------------------------------------------------------------------------------------------ inline + attached
def _inline_ops(kind: Kind) -> None:
    """Put/Get/Delete/List<Kind>Policy(ies) and Attach/Detach/ListAttached<Kind>Policies."""
    authz = target(kind)

    def entity(ctx: RequestContext) -> Any:
        return kind.get(_iam(ctx), ctx.params[kind.param])

    def no_policy(name: str) -> ServiceError:
        return ServiceError("NoSuchEntity", f"The {kind.name} policy with name {name} cannot be found.", 404)

    def put(ctx: RequestContext) -> dict:
        target_entity = _changeable(ctx, kind)
        name, document = ctx.params["PolicyName"], ctx.params["PolicyDocument"]
        _validate_document(document, PolicyKind.IDENTITY)
        others = sum(_size(doc) for key, doc in target_entity.inline_policies.items() if key != name)
        limit = INLINE_SIZE[kind.name]
        if others + _size(document) > limit:
            raise ServiceError("LimitExceeded", f"Maximum policy size of {limit} bytes exceeded for "
                               f"{kind.name} {target_entity.name}", 409)
        target_entity.inline_policies[name] = document
        _iam(ctx).touch()
        return {}

    def get(ctx: RequestContext) -> dict:
        target_entity, name = entity(ctx), ctx.params["PolicyName"]
        if name not in target_entity.inline_policies:
            raise no_policy(name)
        return {kind.param: target_entity.name, "PolicyName": name,
                "PolicyDocument": _encode(target_entity.inline_policies[name])}

    def delete(ctx: RequestContext) -> dict:
        target_entity, name = _changeable(ctx, kind), ctx.params["PolicyName"]
        if name not in target_entity.inline_policies:
            raise no_policy(name)
        del target_entity.inline_policies[name]
        _iam(ctx).touch()
        return {}

    def list_inline(ctx: RequestContext) -> dict:
        return _page(sorted(entity(ctx).inline_policies), ctx, "PolicyNames")

    def attach(ctx: RequestContext) -> dict:
        arn = _policy_arn(ctx)
        iam, target_entity = _iam(ctx), _changeable(ctx, kind)
        policy = _attachable(iam, arn)
        if is_aws_managed(arn) and policy.path.startswith("/aws-service-role/"):
            raise ServiceError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400)
        if arn not in target_entity.attached_policies:
            quota, limit = ATTACHED_QUOTA[kind.name]
            if len(target_entity.attached_policies) >= limit:
                raise ServiceError("LimitExceeded", f"Cannot exceed quota for {quota}: {limit}", 409)
            target_entity.attached_policies.append(arn)
            iam.touch()
        return {}

    def detach(ctx: RequestContext) -> dict:
        iam, target_entity, arn = _iam(ctx), _changeable(ctx, kind), ctx.params["PolicyArn"]
        if arn not in target_entity.attached_policies:
            raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
        target_entity.attached_policies.remove(arn)
        iam.touch()
        return {}

    def list_attached(ctx: RequestContext) -> dict:
        iam, target_entity = _iam(ctx), entity(ctx)
        prefix = ctx.params.get("PathPrefix") or "/"
        arns = [arn for arn in target_entity.attached_policies
                if (managed_policy(iam, arn) is None or managed_policy(iam, arn).path.startswith(prefix))]
        return _page(_attached_out(iam, arns), ctx, "AttachedPolicies")

    title = kind.title
    op("iam", f"Put{title}Policy", authz=authz)(put)
    op("iam", f"Get{title}Policy", authz=authz)(get)
    op("iam", f"Delete{title}Policy", authz=authz)(delete)
    op("iam", f"List{title}Policies", authz=authz)(list_inline)
    op("iam", f"Attach{title}Policy", authz=authz)(attach)
    op("iam", f"Detach{title}Policy", authz=authz)(detach)
    op("iam", f"ListAttached{title}Policies", authz=authz)(list_attached)


def _boundary_ops(kind: Kind) -> None:
    authz = target(kind)

    def put(ctx: RequestContext) -> dict:
        iam, entity = _iam(ctx), _changeable(ctx, kind)
        arn = ctx.params["PermissionsBoundary"]
        _attachable(iam, arn)
        entity.permissions_boundary = arn
        iam.touch()
        return {}

    def delete(ctx: RequestContext) -> dict:
        iam, entity = _iam(ctx), _changeable(ctx, kind)
        entity.permissions_boundary = None
        iam.touch()
        return {}

    op("iam", f"Put{kind.title}PermissionsBoundary", authz=authz)(put)
    op("iam", f"Delete{kind.title}PermissionsBoundary", authz=authz)(delete)


for _kind in KINDS:
    _inline_ops(_kind)
_boundary_ops(USER)
_boundary_ops(ROLE)


# ------------------------------------------------------------------------------------------------ managed policies
@op("iam", "CreatePolicy", authz=policy_target)
def create_policy(ctx: RequestContext) -> dict:
    iam, params = _iam(ctx), ctx.params
    name, path = params["PolicyName"], params.get("Path") or "/"
    arn = entity_arn(ctx.account.id, "policy", path, name)
    if any(policy.name.lower() == name.lower() for policy in iam.policies.values()):
        raise ServiceError("EntityAlreadyExists",
                           f"A policy called {name} already exists. Duplicate names are not allowed.", 409)
    document = _managed_document(params["PolicyDocument"])
    tags = _tags_in(ctx)
    now = ctx.store.clock.now()
    policy = ManagedPolicy(name, new_id(POLICY_ID_PREFIX), path, arn, now, now, "v1",
                           [PolicyVersion("v1", document, now)], params.get("Description") or "", tags)
    iam.policies[arn] = policy
    iam.touch()
    return {"Policy": policy_out(iam, policy, tags=True)}


def _managed_document(document: str) -> str:
    _validate_document(document, PolicyKind.IDENTITY, managed=True)
    if _size(document) > MAX_MANAGED_POLICY_SIZE:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for PolicySize: {MAX_MANAGED_POLICY_SIZE}", 409)
    return document


def _any_policy(ctx: RequestContext) -> ManagedPolicy:
    arn = ctx.params["PolicyArn"]
    policy = managed_policy(_iam(ctx), arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
    return policy


@op("iam", "GetPolicy", authz=policy_target)
def get_policy(ctx: RequestContext) -> dict:
    return {"Policy": policy_out(_iam(ctx), _any_policy(ctx), full=True)}


@op("iam", "ListPolicies", authz=anything)
def list_policies(ctx: RequestContext) -> dict:
    """AWS managed and/or customer managed policies by name; only the returned page is put in wire form."""
    iam, params = _iam(ctx), ctx.params
    scope = params.get("Scope") or "All"
    prefix = params.get("PathPrefix") or "/"
    usage = paging.listing(ctx, "usage", lambda: _usages(iam))
    only_attached = params.get("OnlyAttached")
    used_as = params.get("PolicyUsageFilter")

    def wanted(policy: ManagedPolicy | AwsManagedPolicy) -> bool:
        attached, boundaries = usage.get(policy.arn, (0, 0))
        if (only_attached or used_as == "PermissionsPolicy") and not attached:
            return False
        if used_as == "PermissionsBoundary" and not boundaries:
            return False
        return policy.path.startswith(prefix)

    def candidates() -> list[ManagedPolicy | AwsManagedPolicy]:
        found: list[ManagedPolicy | AwsManagedPolicy] = []
        if scope in ("All", "AWS"):
            found += [policy for policy in aws_managed_policies().values() if wanted(policy)]
        if scope in ("All", "Local"):
            local = sorted(iam.policies.values(), key=lambda policy: policy.name.lower())
            found = sorted(found + [policy for policy in local if wanted(policy)],
                           key=lambda policy: policy.name.lower())
        return found

    chosen = paging.listing(ctx, ("policies", scope, prefix, only_attached, used_as), candidates)
    return _page(chosen, ctx, "Policies", lambda policy: policy_out(iam, policy, usage=usage.get(policy.arn, (0, 0))))


@op("iam", "DeletePolicy", authz=policy_target)
def delete_policy(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    policy = _customer_policy(ctx)
    attached, boundaries = _usage(iam, policy.arn)
    if attached or boundaries:
        raise ServiceError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    if len(policy.versions) > 1:
        raise ServiceError(
            "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.", 409,
        )
    del iam.policies[policy.arn]
    iam.touch()
    return {}


@op("iam", "CreatePolicyVersion", authz=policy_target)
def create_policy_version(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    policy = _customer_policy(ctx)
    document = _managed_document(ctx.params["PolicyDocument"])
    if len(policy.versions) >= MAX_POLICY_VERSIONS:
        raise ServiceError(
            "LimitExceeded",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
            "existing version.", 409,
        )
    now = ctx.store.clock.now()
    version = PolicyVersion(f"v{policy.next_version}", document, now)
    policy.next_version += 1
    policy.versions.append(version)
    if ctx.params.get("SetAsDefault"):
        policy.default_version_id = version.version_id
    policy.update_date = now
    iam.touch()
    return {"PolicyVersion": version_out(version, policy, with_document=False)}


def _version(ctx: RequestContext, policy: ManagedPolicy) -> PolicyVersion:
    version_id = ctx.params["VersionId"]
    version = policy.version(version_id)
    if version is None:
        raise ServiceError("NoSuchEntity", f"Policy {policy.arn} version {version_id} does not exist or is not "
                           "attachable.", 404)
    return version


@op("iam", "GetPolicyVersion", authz=policy_target)
def get_policy_version(ctx: RequestContext) -> dict:
    policy = _any_policy(ctx)
    return {"PolicyVersion": version_out(_version(ctx, policy), policy)}


@op("iam", "ListPolicyVersions", authz=policy_target)
def list_policy_versions(ctx: RequestContext) -> dict:
    policy = _any_policy(ctx)
    if isinstance(policy, AwsManagedPolicy):
        # Ids and dates only: no document of an older version is read.
        dated = policy.version_ids()
    else:
        dated = [(v.version_id, v.create_date) for v in policy.versions]
    dated.sort(key=lambda item: int(item[0][1:]), reverse=True)
    return _page([{"VersionId": vid, "IsDefaultVersion": vid == policy.default_version_id, "CreateDate": created}
                  for vid, created in dated], ctx, "Versions")


@op("iam", "SetDefaultPolicyVersion", authz=policy_target)
def set_default_policy_version(ctx: RequestContext) -> dict:
    policy = _customer_policy(ctx)
    version = _version(ctx, policy)
    policy.default_version_id = version.version_id
    policy.update_date = ctx.store.clock.now()
    _iam(ctx).touch()
    return {}


@op("iam", "DeletePolicyVersion", authz=policy_target)
def delete_policy_version(ctx: RequestContext) -> dict:
    policy = _customer_policy(ctx)
    version = _version(ctx, policy)
    if version.version_id == policy.default_version_id:
        raise ServiceError("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    policy.versions.remove(version)
    _iam(ctx).touch()
    return {}


@op("iam", "ListEntitiesForPolicy", authz=policy_target)
def list_entities_for_policy(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    arn = _any_policy(ctx).arn
    pick = ctx.params.get("EntityFilter")
    result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False}
    for kind, key, id_attr in ((USER, "PolicyUsers", "user_id"), (GROUP, "PolicyGroups", "group_id"),
                               (ROLE, "PolicyRoles", "role_id")):
        if pick and pick not in (kind.title, "LocalManagedPolicy", "AWSManagedPolicy"):
            continue
        for entity in kind.entities(iam).values():
            if arn in entity.attached_policies:
                result[key].append({kind.param: entity.name, kind.title + "Id": getattr(entity, id_attr)})
    return result


# ------------------------------------------------------------------------------------------------ access keys
def _key_owner(ctx: RequestContext) -> User | None:
    """The user whose keys the call manages; ``None`` for the account root's own keys (root without UserName)."""
    name = _self_user(ctx)
    if name is None:
        if ctx.caller.is_root:
            return None
        raise _non_user()
    return USER.get(_iam(ctx), name)


def _owns(key: AccessKey, user: User | None) -> bool:
    return key.root if user is None else (not key.root and key.user_name == user.name)


def _key_out(key: AccessKey) -> dict:
    # Root keys carry no UserName (aws/aws-sdk-ruby#677: "the user will be present unless this is a root key").
    out = {"UserName": key.user_name} if not key.root else {}
    return {**out, "AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": key.create_date}


def _own_key(ctx: RequestContext) -> AccessKey:
    user = _key_owner(ctx)
    key_id = ctx.params["AccessKeyId"]
    key = _iam(ctx).access_keys.get(key_id)
    if key is None or not _owns(key, user):
        raise ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)
    return key


@op("iam", "CreateAccessKey", authz=target(USER, self_default=True))
def create_access_key(ctx: RequestContext) -> dict:
    """For a user, or (root without UserName) for the account root: AWS lets the root create its own keys, two
    at most like a user (IAM User Guide, "Managing access keys for the root user").  Keys from configuration
    (``MOCKRUNNER_ACCOUNTS``) are outside IAM and do not count."""
    iam = _iam(ctx)
    user = _key_owner(ctx)
    if sum(1 for key in iam.access_keys.values() if _owns(key, user)) >= MAX_ACCESS_KEYS:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}", 409)
    key = AccessKey(new_id(ACCESS_KEY_PREFIX), new_secret(), user.name if user else "", "Active",
                    ctx.store.clock.now(), root=user is None)
    iam.access_keys[key.access_key_id] = key
    iam.touch()
    return {"AccessKey": {**_key_out(key), "SecretAccessKey": key.secret_access_key}}


@op("iam", "ListAccessKeys", authz=target(USER, self_default=True))
def list_access_keys(ctx: RequestContext) -> dict:
    user = _key_owner(ctx)
    keys = paging.listing(ctx, ("access-keys", user.name if user else None),
                          lambda: [k for k in _iam(ctx).access_keys.values() if _owns(k, user)])
    return _page(keys, ctx, "AccessKeyMetadata", _key_out)


@op("iam", "UpdateAccessKey", authz=target(USER, self_default=True))
def update_access_key(ctx: RequestContext) -> dict:
    key = _own_key(ctx)
    key.status = ctx.params["Status"]
    _iam(ctx).touch()
    return {}


@op("iam", "DeleteAccessKey", authz=target(USER, self_default=True))
def delete_access_key(ctx: RequestContext) -> dict:
    key = _own_key(ctx)
    del _iam(ctx).access_keys[key.access_key_id]
    _iam(ctx).touch()
    return {}


def _key_user_target(ctx: RequestContext) -> Iterable[Check]:
    key = _iam(ctx).access_keys.get(ctx.params["AccessKeyId"])
    user = _iam(ctx).users.get(key.user_name) if key and not key.root else None
    owner = user.arn if user else (f"arn:aws:iam::{ctx.account.id}:root" if key else "*")
    return (Check("iam:GetAccessKeyLastUsed", owner),)


@op("iam", "GetAccessKeyLastUsed", authz=_key_user_target)
def get_access_key_last_used(ctx: RequestContext) -> dict:
    key_id = ctx.params["AccessKeyId"]
    key = _iam(ctx).access_keys.get(key_id)
    if key is None:
        raise ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)
    return {**({"UserName": key.user_name} if not key.root else {}),
            "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}


# ------------------------------------------------------------------------------------------------ account details
@op("iam", "GetAccountAuthorizationDetails", authz=anything)
def get_account_authorization_details(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    wanted = set(ctx.params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])

    def inline(policies: dict[str, str]) -> list[dict]:
        return [{"PolicyName": name, "PolicyDocument": _encode(doc)} for name, doc in policies.items()]

    result: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
                              "IsTruncated": False}
    if "User" in wanted:
        for user in iam.users.values():
            result["UserDetailList"].append({
                **user_out(user, full=True), "UserPolicyList": inline(user.inline_policies),
                "GroupList": [g.name for g in iam.groups_of(user.name)],
                "AttachedManagedPolicies": _attached_out(iam, user.attached_policies)})
    if "Group" in wanted:
        for group in iam.groups.values():
            result["GroupDetailList"].append({
                **group_out(group), "GroupPolicyList": inline(group.inline_policies),
                "AttachedManagedPolicies": _attached_out(iam, group.attached_policies)})
    if "Role" in wanted:
        for role in iam.roles.values():
            result["RoleDetailList"].append({
                **role_out(role, full=True), "InstanceProfileList": [], "RolePolicyList": inline(role.inline_policies),
                "AttachedManagedPolicies": _attached_out(iam, role.attached_policies)})
    policies: list[ManagedPolicy | AwsManagedPolicy] = []
    usage = _usages(iam)
    if "LocalManagedPolicy" in wanted:
        policies += list(iam.policies.values())
    if "AWSManagedPolicy" in wanted:
        # AWS lists the AWS managed policies in use in the account, not all of them.
        in_use = [policy for arn in usage if (policy := aws_managed_policy(arn)) is not None]
        policies += sorted(in_use, key=lambda policy: policy.name.lower())
    for policy in policies:
        out = policy_out(iam, policy, full=True, usage=usage.get(policy.arn, (0, 0)))
        out.pop("Tags", None)
        # An AWS managed policy is shown with its default version (mockrunner's choice: its history can be long).
        versions = [policy.version(policy.default_version_id)] if isinstance(policy, AwsManagedPolicy) \
            else policy.versions
        out["PolicyVersionList"] = [version_out(v, policy) for v in versions]
        result["Policies"].append(out)
    return result


# ------------------------------------------------------------------------------------------------ service-linked roles
def _slr_target(ctx: RequestContext) -> Iterable[Check]:
    params = ctx.params
    account = ctx.account.id
    if "AWSServiceName" in params:
        service = params["AWSServiceName"]
        name = _slr_name(service, params.get("CustomSuffix"), check=False)
        arn = entity_arn(account, "role", f"/aws-service-role/{service}/", name)
        return (Check("iam:CreateServiceLinkedRole", arn, _request_keys(ctx)),)
    if "RoleName" in params:
        role = _iam(ctx).roles.get(params["RoleName"])
        arn = role.arn if role else entity_arn(account, "role", "/", params["RoleName"])
        return (Check(f"iam:{ctx.operation_name}", arn),)
    task = _iam(ctx).deletion_tasks.get(params.get("DeletionTaskId", ""))
    role_arn = "*"
    if task is not None:
        parts = task.task_id.split("/")
        role_arn = entity_arn(account, "role", f"/aws-service-role/{parts[2]}/", task.role_name)
    return (Check(f"iam:{ctx.operation_name}", role_arn),)


def _slr_name(service: str, suffix: str | None, check: bool = True) -> str:
    """The role name IAM gives ``service``'s service-linked role (``<name>_<suffix>`` where suffixes are allowed)."""
    spec = service_linked_roles().get(service)
    if spec is None:
        if check:
            # Unverified wording: IAM refuses unknown service names with InvalidInput.
            raise ServiceError("InvalidInput", f"Service role name for {service} is not known to IAM; "
                               "the service does not support service-linked roles.", 400)
        return f"AWSServiceRoleFor{service.split('.', 1)[0]}"
    if suffix:
        if not spec.custom_suffix:
            if check:
                raise ServiceError("InvalidInput", f"Custom suffix is not allowed for {service}", 400)
            return spec.role_name
        return f"{spec.role_name}_{suffix}"
    return spec.role_name


@op("iam", "CreateServiceLinkedRole", authz=_slr_target)
def create_service_linked_role(ctx: RequestContext) -> dict:
    return {"Role": role_out(create_slr(ctx.store.clock.now(), ctx.account.id, _iam(ctx),
                                        ctx.params["AWSServiceName"], ctx.params.get("CustomSuffix"),
                                        ctx.params.get("Description")), full=True, created=True)}


def create_slr(now: Any, account_id: str, iam: IamState, service: str, suffix: str | None = None,
               description: str | None = None) -> Role:
    """Create the service-linked role of ``service`` (App Runner calls this on first use too): the name, path,
    trust and attached policy of the service's table entry; the request's description, else the service's."""
    name = _slr_name(service, suffix)
    spec = service_linked_roles()[service]
    if name in iam.roles:
        raise ServiceError(
            "InvalidInput",
            f"Service role name {name} has been taken in this account, please try a different suffix.", 400,
        )
    path = spec.path
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
    role = Role(name, new_id(ROLE_ID_PREFIX), path, entity_arn(account_id, "role", path, name), now, trust,
                description or spec.description, 3600, attached_policies=[spec.policy_arn], service_linked=True)
    iam.roles[name] = role
    iam.touch()
    return role


def slr_usage(account: Any, role_name: str) -> list[dict]:
    """App Runner resources (per region) still using ``role_name``; defensive about App Runner's model."""
    usage = []
    for region_name, region in getattr(account, "regions", {}).items():
        state = getattr(region, "apprunner", None)
        resources = []
        for collection in SLR_USAGE.get(role_name, ()):
            for item in (getattr(state, collection, None) or {}).values():
                status = getattr(item, "status", None) or (item.get("Status") if isinstance(item, dict) else None)
                if status not in _INACTIVE_STATUSES:
                    resources.append(getattr(item, "arn", None) or (item.get("Arn") if isinstance(item, dict)
                                                                    else str(item)))
        if resources:
            usage.append({"Region": region_name, "Resources": resources})
    return usage


@op("iam", "DeleteServiceLinkedRole", authz=_slr_target)
def delete_service_linked_role(ctx: RequestContext) -> dict:
    iam = _iam(ctx)
    role = ROLE.get(iam, ctx.params["RoleName"])
    if not role.service_linked:
        # Unverified wording; IAM refuses to delete an ordinary role through this call.
        raise ServiceError("InvalidInput", f"Role {role.name} is not a service-linked role.", 400)
    service = role.path.split("/")[2]
    pending = next((t for t in iam.deletion_tasks.values()
                    if t.role_name == role.name and t.status in ("NOT_STARTED", "IN_PROGRESS")), None)
    if pending is not None:
        return {"DeletionTaskId": pending.task_id}
    task = DeletionTask(f"task/aws-service-role/{service}/{role.name}/{uuid.uuid4()}", role.name, "SUCCEEDED")
    usage = slr_usage(ctx.account, role.name)
    if usage:
        # AWS deletes asynchronously and reports FAILED with the resources in use; mockrunner decides at once.
        task.status = "FAILED"
        task.reason = f"Service-linked role {role.name} is in use by App Runner resources."
        task.usage = usage
    else:
        del iam.roles[role.name]
    iam.deletion_tasks[task.task_id] = task
    iam.touch()
    return {"DeletionTaskId": task.task_id}


@op("iam", "GetServiceLinkedRoleDeletionStatus", authz=_slr_target)
def get_service_linked_role_deletion_status(ctx: RequestContext) -> dict:
    task_id = ctx.params["DeletionTaskId"]
    if not task_id.startswith("task/aws-service-role/") or task_id.count("/") != 4:
        raise ServiceError("InvalidInput", f"Invalid deletion task id: {task_id}", 400)
    task = _iam(ctx).deletion_tasks.get(task_id)
    if task is None:
        raise ServiceError("NoSuchEntity", f"Deletion task {task_id} cannot be found.", 404)
    result: dict[str, Any] = {"Status": task.status}
    if task.status == "FAILED":
        result["Reason"] = {"Reason": task.reason, "RoleUsageList": task.usage}
    return result
