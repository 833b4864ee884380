"""IAM instance profiles: CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles,
ListInstanceProfilesForRole, DeleteInstanceProfile, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
TagInstanceProfile, UntagInstanceProfile, ListInstanceProfileTags.

An instance profile holds at most one role (IAM's quota ``InstanceSessionsPerInstanceProfile``: 1).  Every
operation is authorized as ``iam:<Operation>`` on the profile's ARN (with its ``aws:ResourceTag``s, and the
request's ``aws:RequestTag``/``aws:TagKeys``); AddRoleToInstanceProfile also needs ``iam:PassRole`` on the role.
"""
from __future__ import annotations

from collections.abc import Iterable

from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import INSTANCE_PROFILE_ID_PREFIX, IamState, InstanceProfile, new_id
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import listing, tagged_on_create, target
from mockrunner.services.iam.entities import ROLE, Kind, ensure_room, entity_arn, iam_of, tags_in, unmodifiable
from mockrunner.services.iam.tags import tag_operations
from mockrunner.services.iam.wire import IN_PROFILE, read_time, role_out, tagged
from mockrunner.services.registry import op

INSTANCE_PROFILE = Kind("instance-profile", "InstanceProfile", "InstanceProfileName", "instance_profiles")
MAX_ROLES_PER_PROFILE = 1


def profile_of(iam: IamState, name: str) -> InstanceProfile:
    profile = iam.instance_profiles.get(name)
    if profile is None:
        raise ServiceError("NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)
    return profile


def profiles_of_role(iam: IamState, role_name: str) -> list[InstanceProfile]:
    return [profile for profile in iam.instance_profiles.values() if role_name in profile.roles]


def profile_out(iam: IamState, profile: InstanceProfile, *, with_tags: bool = True) -> dict:
    """A profile's wire form; ``with_tags`` False for the listings, which carry no ``Tags`` (IAM's API reference for
    ListInstanceProfiles: "this operation does not return tags"; mulgadc/spinifex's handler tests assert the same
    for ListInstanceProfilesForRole)."""
    out = {"Path": profile.path, "InstanceProfileName": profile.name, "InstanceProfileId": profile.instance_profile_id,
           "Arn": profile.arn, "CreateDate": read_time(profile.create_date),
           "Roles": [role_out(iam.roles[name], IN_PROFILE) for name in profile.roles if name in iam.roles]}
    return tagged(out, profile.tags) if with_tags else out


_on_profile = target(INSTANCE_PROFILE)


def _add_role_checks(ctx: RequestContext) -> Iterable[Check]:
    """The profile check, and ``iam:PassRole`` on the role (AddRoleToInstanceProfile reference), associated with
    every EC2 instance of the caller's account: ``iam:AssociatedResourceArn`` ``arn:aws:ec2:*:<account>:instance/*``
    (docs/behaviour.md, "IAM: instance profiles, passwords, MFA, account")."""
    checks = list(_on_profile(ctx))
    role = iam_of(ctx).roles.get(ctx.params["RoleName"])
    role_arn = role.arn if role is not None else entity_arn(ctx.account.id, "role", "/", ctx.params["RoleName"])
    keys = {**resource_tag_keys(role, "role"),
            "iam:AssociatedResourceArn": f"arn:aws:ec2:*:{ctx.caller.account_id}:instance/*"}
    return [*checks, Check("iam:PassRole", role_arn, keys)]


@op("iam", "CreateInstanceProfile", authz=tagged_on_create(_on_profile, "iam:TagInstanceProfile"))
def create_instance_profile(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["InstanceProfileName"], params.get("Path") or "/"
    lowered = name.lower()
    if any(existing.lower() == lowered for existing in iam.instance_profiles):
        raise ServiceError("EntityAlreadyExists", f"Instance Profile {name} already exists.", 409)
    tags = tags_in(ctx)
    ensure_room(ctx, "instance_profiles")
    profile = InstanceProfile(name, new_id(INSTANCE_PROFILE_ID_PREFIX), path,
                              entity_arn(ctx.account.id, "instance-profile", path, name), ctx.store.clock.now(),
                              tags=tags)
    iam.add(profile)
    return {"InstanceProfile": profile_out(iam, profile)}


@op("iam", "GetInstanceProfile", authz=_on_profile)
def get_instance_profile(ctx: RequestContext) -> dict:
    """The profile with its ``Tags`` always, an empty list when it has none (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_instance_profiles.snapshot.json); other answers carry Tags only when there
    are some (the listings never)."""
    iam = iam_of(ctx)
    return {"InstanceProfile": {"Tags": [], **profile_out(iam, profile_of(iam, ctx.params["InstanceProfileName"]))}}


@op("iam", "ListInstanceProfiles", authz=listing("instance-profile"))
def list_instance_profiles(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    prefix = ctx.params.get("PathPrefix") or "/"
    profiles = paging.listing(ctx, ("instance-profile", prefix), lambda: [
        profile for profile in sorted(iam.instance_profiles.values(), key=lambda profile: profile.name.lower())
        if profile.path.startswith(prefix)])
    return paging.page(profiles, ctx, "InstanceProfiles", lambda profile: profile_out(iam, profile, with_tags=False))


@op("iam", "ListInstanceProfilesForRole", authz=target(ROLE))
def list_instance_profiles_for_role(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    role = ROLE.get(iam, ctx.params["RoleName"])
    profiles = sorted(profiles_of_role(iam, role.name), key=lambda profile: profile.name.lower())
    return paging.page(profiles, ctx, "InstanceProfiles", lambda profile: profile_out(iam, profile, with_tags=False))


@op("iam", "DeleteInstanceProfile", authz=_on_profile)
def delete_instance_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    profile = profile_of(iam, ctx.params["InstanceProfileName"])
    if profile.roles:
        raise ServiceError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.",
                           409)
    iam.remove(profile)
    return {}


@op("iam", "AddRoleToInstanceProfile", authz=_add_role_checks)
def add_role_to_instance_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    profile = profile_of(iam, ctx.params["InstanceProfileName"])
    role = ROLE.get(iam, ctx.params["RoleName"])
    # A service-linked role goes in no profile, nor out of one (recorded from AWS, 2026-09: radkawar/stackd,
    # internal/services/iam/testdata/service_linked_membership_aws.json; the order against the quota is unverified).
    unmodifiable(role)
    if len(profile.roles) >= MAX_ROLES_PER_PROFILE:
        # The same answer when the profile already holds this very role (recorded answers of IAM).
        raise ServiceError("LimitExceeded",
                           f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES_PER_PROFILE}", 409)
    iam.update(profile, roles=[*profile.roles, role.name])
    return {}


@op("iam", "RemoveRoleFromInstanceProfile", authz=_on_profile)
def remove_role_from_instance_profile(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    profile = profile_of(iam, ctx.params["InstanceProfileName"])
    role = ROLE.get(iam, ctx.params["RoleName"])
    unmodifiable(role)
    if role.name not in profile.roles:
        # IAM's text (recorded from AWS: LocalStack snapshot test_iam_instance_profiles.snapshot.json).
        raise ServiceError("NoSuchEntity", f"Role {role.name} in Instance Profile {profile.name} cannot be found.", 404)
    iam.update(profile, roles=[name for name in profile.roles if name != role.name])
    return {}


def _profile(ctx: RequestContext) -> InstanceProfile:
    return profile_of(iam_of(ctx), ctx.params["InstanceProfileName"])


tag_operations(("TagInstanceProfile", "UntagInstanceProfile", "ListInstanceProfileTags"), _profile, _on_profile)
