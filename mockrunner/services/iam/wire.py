"""IAM's wire forms of its entities (URL-encoded documents, tags, boundaries) and its Marker pagination."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockrunner.context import RequestContext
from mockrunner.model.iam import (
    Group,
    IamState,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
)
from mockrunner.model.managed_policies import AwsManagedPolicy
from mockrunner.services.iam import paging
from mockrunner.services.iam.entities import Kind, iam_of, managed_policy
from mockrunner.services.iam.signin_sessions import signin_out


def read_time(value: datetime) -> datetime:
    """An entity's ``CreateDate`` as IAM answers it: whole seconds, in reads and in the Create* answers of users,
    groups, roles, access keys, instance profiles and managed policies (``UpdateDate`` too). Evidence for reads:
    Cloud Custodian's recordings of real IAM (cloud-custodian/cloud-custodian, ``tests/data/placebo/``: GetUser,
    ListUsers, ListGroupsForUser, ListAccessKeys, GetRole, ListRoles, 2016-2019, every one with microsecond 0).
    For the creates, recorded from AWS, 2026-09-11 (radkawar/stackd: testdata/aws/iam/last_access.json, "setup":
    CreateUser, CreateGroup, CreateRole, CreatePolicy, CreateAccessKey; internal/services/iam/testdata/
    role_wire_aws.json, "create"; instance_profiles_aws.json, "create", "get", "list"), every one without a fraction
    of a second, printed by AWS CLI v2, which prints one when the wire has it. This outweighs the AWS CLI
    reference's older create examples with milliseconds. Policy versions keep milliseconds (no recording)."""
    return value.replace(microsecond=0)


def tags_out(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tagged(out: dict, tags: dict[str, str]) -> dict:
    """``out`` with its ``Tags`` member when there are tags (IAM leaves the member out otherwise)."""
    if tags:
        out["Tags"] = tags_out(tags)
    return out


def boundary_out(arn: str | None) -> dict:
    """The ``PermissionsBoundary`` member when there is a boundary.  Its type is ``Policy`` on the wire, not the
    ``PermissionsBoundaryPolicy`` the API reference lists (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_roles.snapshot.json, test_role_permissions_boundary_lifecycle)."""
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}} if arn else {}


def user_out(user: User, full: bool = False) -> dict:
    out = {"Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
           "CreateDate": read_time(user.create_date)}
    if full:
        tagged(out, user.tags).update(boundary_out(user.permissions_boundary))
    return out


def group_out(group: Group) -> dict:
    return {"Path": group.path, "GroupName": group.name, "GroupId": group.group_id, "Arn": group.arn,
            "CreateDate": read_time(group.create_date)}


@dataclass(frozen=True)
class RoleForm:
    """Which optional members one answer's wire form of a role carries."""

    session: bool
    """``MaxSessionDuration`` (and ``MaxSigninSessionDuration`` when set; the query serializer sends either only where
    the answer's shape has it: the model's ``Role`` has both, ``RoleDetail`` neither)."""
    description: bool
    """``Description``, when the role has one."""
    details: bool
    """``Tags`` (when there are some) and ``PermissionsBoundary`` (when set)."""
    last_used: bool
    """``RoleLastUsed`` (an empty structure for a role never used)."""


#: GetRole, GetAccountAuthorizationDetails.
FULL = RoleForm(session=True, description=True, details=True, last_used=True)
#: ListRoles: no Tags, no PermissionsBoundary, no RoleLastUsed (recorded from AWS, as the forms below: LocalStack
#: snapshot tests/aws/services/iam/test_iam_roles.snapshot.json).
LISTED = RoleForm(session=True, description=True, details=False, last_used=False)
#: CreateRole: neither MaxSessionDuration nor RoleLastUsed, and no Description even when one was given.
CREATED = RoleForm(session=False, description=False, details=True, last_used=False)
#: UpdateRoleDescription: the new Description; no MaxSessionDuration, RoleLastUsed, Tags or PermissionsBoundary,
#: even for a role that has tags and a boundary (recorded from AWS, 2026-09: radkawar/stackd,
#: internal/services/iam/testdata/role_wire_aws.json, "update-description").
DESCRIBED = RoleForm(session=False, description=True, details=False, last_used=False)
#: CreateServiceLinkedRole: none of the optional members, no Description even when one was given (recorded from
#: AWS, 2026-09: radkawar/stackd, internal/services/iam/testdata/service_linked_description_aws.json and
#: service_linked_roles_aws.json, "create").
SERVICE_LINKED = RoleForm(session=False, description=False, details=False, last_used=False)
#: A role inside an instance profile: no MaxSessionDuration, no Description (recorded from AWS: LocalStack snapshots
#: tests/aws/services/iam/test_iam_instance_profiles.snapshot.json and, for a role with a description,
#: test_iam_account_authorization_details.snapshot.json).
IN_PROFILE = RoleForm(session=False, description=False, details=False, last_used=False)


def role_out(role: Role, form: RoleForm = LISTED, last_used: dict | None = None) -> dict:
    """A role's wire form as ``form`` says; ``last_used``: its ``RoleLastUsed`` (empty when not given)."""
    out = {"Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
           "CreateDate": read_time(role.create_date),
           "AssumeRolePolicyDocument": paging.url_encoded(role.assume_role_policy)}
    if form.session:
        out["MaxSessionDuration"] = role.max_session_duration
        out.update(signin_out(role.max_signin_session_duration))
    if form.description and role.description:
        out["Description"] = role.description
    if form.details:
        tagged(out, role.tags).update(boundary_out(role.permissions_boundary))
    if form.last_used:
        out["RoleLastUsed"] = last_used or {}
    return out


def policy_usages(iam: IamState) -> dict[str, tuple[int, int]]:
    """ARN -> (attachments, permissions-boundary uses), for every policy the account uses."""
    counts: dict[str, list[int]] = {}
    for entity in (*iam.users.values(), *iam.groups.values(), *iam.roles.values()):
        for arn in entity.attached_policies:
            counts.setdefault(arn, [0, 0])[0] += 1
        boundary = getattr(entity, "permissions_boundary", None)
        if boundary:
            counts.setdefault(boundary, [0, 0])[1] += 1
    return {arn: (attached, boundaries) for arn, (attached, boundaries) in counts.items()}


def policy_usage(iam: IamState, arn: str) -> tuple[int, int]:
    entities = [*iam.users.values(), *iam.groups.values(), *iam.roles.values()]
    attached = sum(1 for entity in entities if arn in entity.attached_policies)
    boundaries = sum(1 for entity in entities if getattr(entity, "permissions_boundary", None) == arn)
    return attached, boundaries


def policy_out(iam: IamState, policy: ManagedPolicy | AwsManagedPolicy, full: bool = False, *,
               tags: bool = False, usage: tuple[int, int] | None = None) -> dict:
    """A managed policy's wire form; ``full`` (GetPolicy) adds Description and Tags (an empty list when there are
    none, as AWS answers), ``tags`` (CreatePolicy) Tags only when there are some.  ``usage``: (attachments,
    boundary uses) when the caller counted them already."""
    attached, boundaries = usage or policy_usage(iam, policy.arn)
    out = {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
           "DefaultVersionId": policy.default_version_id, "AttachmentCount": attached,
           "PermissionsBoundaryUsageCount": boundaries, "IsAttachable": True,
           "CreateDate": read_time(policy.create_date), "UpdateDate": read_time(policy.update_date)}
    if full and policy.description:
        out["Description"] = policy.description
    if full:
        return {**out, "Tags": tags_out(policy.tags)}
    return tagged(out, policy.tags) if tags else out


def version_out(version: PolicyVersion, policy: ManagedPolicy, with_document: bool = True) -> dict:
    """A policy version as IAM answers it; its ``CreateDate`` in whole seconds like the policy's (recorded from AWS,
    2026-09-11: radkawar/stackd commit 9dc356f5, testdata/aws/iam/account_reporting.json
    "unattached_policy_details:page1", four versions' dates without a fraction, printed by AWS CLI v2)."""
    out = {"VersionId": version.version_id, "IsDefaultVersion": version.version_id == policy.default_version_id,
           "CreateDate": read_time(version.create_date)}
    if with_document:
        out["Document"] = paging.url_encoded(version.document)
    return out


def list_entities(ctx: RequestContext, kind: Kind, out: Callable[[Any], dict]) -> dict:
    """ListUsers / ListGroups / ListRoles: the kind's entities under ``PathPrefix``, by name (case-insensitively)."""
    prefix = ctx.params.get("PathPrefix") or "/"
    entities = paging.listing(ctx, (kind.name, prefix), lambda: [
        entity for entity in sorted(kind.entities(iam_of(ctx)).values(), key=lambda entity: entity.name.lower())
        if entity.path.startswith(prefix)])
    return paging.page(entities, ctx, f"{kind.title}s", out)


def attached_out(iam: IamState, arns: Iterable[str]) -> list[dict]:
    out = []
    for arn in arns:
        policy = managed_policy(iam, arn)
        out.append({"PolicyName": policy.name if policy else arn.rsplit("/", 1)[-1], "PolicyArn": arn})
    return out
