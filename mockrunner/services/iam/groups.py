"""IAM groups and their members: CreateGroup, GetGroup, ListGroups, ListGroupsForUser, DeleteGroup,
AddUserToGroup, RemoveUserFromGroup."""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import (
    GROUP_ID_PREFIX,
    Group,
    new_id,
)
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import listing, target
from mockrunner.services.iam.entities import (
    GROUP,
    MAX_GROUPS_PER_USER,
    USER,
    delete_conflict,
    ensure_room,
    entity_arn,
    iam_of,
    refuse_if_policies,
)
from mockrunner.services.iam.wire import group_out, list_entities, user_out
from mockrunner.services.registry import op


@op("iam", "CreateGroup", authz=target(GROUP))
def create_group(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["GroupName"], params.get("Path") or "/"
    GROUP.ensure_new(iam, name)
    ensure_room(ctx, "groups")
    group = Group(name, new_id(GROUP_ID_PREFIX), path, entity_arn(ctx.account.id, "group", path, name),
                  ctx.store.clock.now())
    iam.add(group)
    return {"Group": group_out(group)}


@op("iam", "GetGroup", authz=target(GROUP))
def get_group(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    users = [iam.users[name] for name in group.users if name in iam.users]
    return {"Group": group_out(group), **paging.page(users, ctx, "Users", user_out)}


@op("iam", "ListGroups", authz=listing("group"))
def list_groups(ctx: RequestContext) -> dict:
    return list_entities(ctx, GROUP, group_out)


@op("iam", "ListGroupsForUser", authz=target(USER))
def list_groups_for_user(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    return paging.page([group_out(g) for g in iam.groups_of(user.name)], ctx, "Groups")


@op("iam", "DeleteGroup", authz=target(GROUP))
def delete_group(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    group = GROUP.get(iam, ctx.params["GroupName"])
    if group.users:
        raise delete_conflict("remove users from group")
    refuse_if_policies(group)
    iam.remove(group)
    return {}


@op("iam", "AddUserToGroup", authz=target(GROUP))
def add_user_to_group(ctx: RequestContext) -> dict:
    """The user is looked up before the group, as RemoveUserFromGroup does (both unknown: "The user with name ...
    cannot be found."); adding a member again changes nothing."""
    iam = iam_of(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    group = GROUP.get(iam, ctx.params["GroupName"])
    if user.name not in group.users:
        if len(iam.groups_of(user.name)) >= MAX_GROUPS_PER_USER:
            raise ServiceError("LimitExceeded", f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}", 409)
        iam.update(group, users=[*group.users, user.name])
    return {}


@op("iam", "RemoveUserFromGroup", authz=target(GROUP))
def remove_user_from_group(ctx: RequestContext) -> dict:
    """The user is looked up before the group (both unknown: "The user with name ... cannot be found."); removing
    a user who is not a member succeeds and changes nothing, as AWS answers (LocalStack snapshots
    test_iam_users.py::test_user_group_membership, test_iam_groups.py::test_remove_user_from_unknown_group)."""
    iam = iam_of(ctx)
    user = USER.get(iam, ctx.params["UserName"])
    group = GROUP.get(iam, ctx.params["GroupName"])
    if user.name in group.users:
        iam.update(group, users=[member for member in group.users if member != user.name])
    return {}
