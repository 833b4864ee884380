"""IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser."""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.model.iam import (
    USER_ID_PREFIX,
    USER_SESSION_KINDS,
    User,
    new_id,
)
from mockrunner.model.principal_arns import replace_principal
from mockrunner.services.iam.authz import listing, renamed_target, tagged_on_create, target
from mockrunner.services.iam.entities import (
    USER,
    boundary_policy,
    delete_conflict,
    ensure_room,
    entity_arn,
    iam_of,
    non_user,
    refuse_if_policies,
    self_user,
    tags_in,
)
from mockrunner.services.iam.reserved_policies import refuse_reserved
from mockrunner.services.iam.user_credentials import refuse_delete, rename_owner
from mockrunner.services.iam.wire import list_entities, user_out
from mockrunner.services.registry import op


@op("iam", "CreateUser", authz=tagged_on_create(target(USER), "iam:TagUser"))
def create_user(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["UserName"], params.get("Path") or "/"
    USER.ensure_new(iam, name)
    tags = tags_in(ctx, folds_case=True)
    boundary = params.get("PermissionsBoundary")
    if boundary:
        refuse_reserved(USER, boundary, boundary_policy(iam, boundary), boundary=True)
    ensure_room(ctx, "users")
    now = ctx.store.clock.now()
    user = User(name, new_id(USER_ID_PREFIX), path, entity_arn(ctx.account.id, "user", path, name), now, tags,
                permissions_boundary=boundary)
    iam.add(user)
    return {"User": user_out(user, full=True)}


@op("iam", "GetUser", authz=target(USER, self_default=True))
def get_user(ctx: RequestContext) -> dict:
    name = self_user(ctx)
    if name is None:
        caller = ctx.caller
        if not caller.is_root:
            raise non_user()
        # Root without UserName: IAM describes the root user, created with the account; the root has no name, so
        # the answer has no UserName member (the model's "required" notwithstanding), and no Path either (recorded
        # from AWS for a root session, 2026-09-12: radkawar/stackd commit 9dc356f5, testdata/aws/iam/
        # root_sessions.json, "audit_get-user").
        return {"User": {"UserId": caller.account_id, "Arn": caller.arn, "CreateDate": ctx.account.created}}
    return {"User": user_out(USER.get(iam_of(ctx), name), full=True)}


@op("iam", "ListUsers", authz=listing("user"))
def list_users(ctx: RequestContext) -> dict:
    return list_entities(ctx, USER, user_out)


@op("iam", "UpdateUser", authz=renamed_target(USER, "NewUserName"))
def update_user(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    user = USER.get(iam, params["UserName"])
    new_name = params.get("NewUserName") or user.name
    if new_name != user.name:
        USER.ensure_new(iam, new_name)
    path = params.get("NewPath") or user.path
    for group in iam.groups_of(user.name):
        iam.update(group, users=[new_name if member == user.name else member for member in group.users])
    for key in iam.access_keys.values():
        if key.user_name == user.name:
            iam.update(key, user_name=new_name)
    for device in iam.mfa_devices.values():
        if device.user_name == user.name:
            iam.update(device, user_name=new_name)
    profile = iam.login_profiles.get(user.name)
    if profile is not None:
        iam.rename(profile, user_name=new_name)
    rename_owner(iam, user.name, new_name)
    old_name, old_arn, new_arn = user.name, user.arn, entity_arn(ctx.account.id, "user", path, new_name)
    iam.rename(user, name=new_name, path=path, arn=new_arn)
    if new_name != old_name or new_arn != old_arn:
        iam.rename_sessions(USER_SESSION_KINDS, old_name, new_name, old_arn, new_arn)
    if new_arn != old_arn:
        replace_principal(ctx.store, old_arn, new_arn)
    return {}


@op("iam", "DeleteUser", authz=target(USER))
def delete_user(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    if user.name in iam.login_profiles:
        raise delete_conflict("delete login profile")
    if any(device.user_name == user.name for device in iam.mfa_devices.values()):
        # Before the access keys, in these words: recorded from AWS, 2026-09-11: radkawar/stackd,
        # testdata/aws/iam/mfa.json, "delete_assigned_user" (the user also held an access key).
        raise delete_conflict("remove tokens from principal")
    if any(key.user_name == user.name for key in iam.access_keys.values()):
        raise delete_conflict("delete access keys")
    refuse_delete(iam, user)
    refuse_if_policies(user)
    if iam.groups_of(user.name):
        raise delete_conflict("remove users from group")
    iam.remove(user)
    iam.end_sessions(USER_SESSION_KINDS, user.name)
    replace_principal(ctx.store, user.arn, user.user_id)
    return {}
