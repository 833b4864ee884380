"""Connections to source code providers: created PENDING_HANDSHAKE, no Describe operation
(docs/behaviour.md, "App Runner: connections").

The handshake can only be completed in the AWS console; locally :func:`complete_handshake` (for the admin API
and tests) makes a connection AVAILABLE so code-repository services can use it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.model.apprunner import Connection
from mockrunner.services.apprunner import arns, authz, validation
from mockrunner.services.apprunner.errors import invalid, not_found, quota_exceeded
from mockrunner.services.apprunner.lifecycle import apprunner_op, bury, holds, state_of
from mockrunner.services.apprunner.lookup import find
from mockrunner.services.apprunner.pagination import paginate

#: Seconds a deleted connection still lists as DELETED (at most; the ``apprunner_deleted_retention`` quota if
#: shorter).  Terraform's older delete waiter counts DELETED as pending and gives up after five minutes, so AWS
#: forgets a deleted connection sooner than that; the exact time is unverified
#: (docs/behaviour.md, "App Runner: connections").
DELETED_CONNECTION_RETENTION = 60.0

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.store import Store


def view(item: Connection, status: str | None = None) -> dict:
    return {"ConnectionName": item.name, "ConnectionArn": item.arn, "ProviderType": item.provider_type,
            "Status": status or item.status, "CreatedAt": item.created_at}


def complete_handshake(store: "Store", connection_arn: str) -> bool:
    """Make a PENDING_HANDSHAKE connection AVAILABLE (what the console handshake does); False if unknown."""
    parsed = arns.parse(connection_arn)
    if parsed is None or parsed.resource_type != "connection":
        return False
    with store.lock:
        account = store.accounts.get(parsed.account)
        region = account.regions.get(parsed.region) if account else None
        connection = region.apprunner.connections.get(connection_arn) if region else None
        if connection is None or connection.status == "DELETED":
            return False
        connection.status = "AVAILABLE"
        return True


@apprunner_op("CreateConnection", authz.on_new("connection", "ConnectionName"))
def create(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    name = ctx.params["ConnectionName"]
    live = [item for item in state.connections.values() if item.status != "DELETED"]
    if any(item.name == name for item in live):
        raise invalid(f"Connection with the provided name already exists: {name}")  # unverified wording
    limit = ctx.store.settings.quotas.apprunner_max_connections
    if len(live) >= limit:
        raise quota_exceeded(f"You have reached the maximum number of connections ({limit}) for this account in "
                             "this region.")  # unverified wording
    tags = validation.tags(ctx, ctx.params.get("Tags"))
    item_id = arns.new_id()
    item = Connection(arn=arns.build(ctx.region, ctx.account.id, "connection", name, item_id), name=name,
                      id=item_id, provider_type=ctx.params["ProviderType"], status="PENDING_HANDSHAKE",
                      created_at=ctx.store.clock.now(), tags=tags)
    state.connections[item.arn] = item
    return {"Connection": view(item)}


@apprunner_op("ListConnections", authz.on_any)
def list_connections(ctx: "RequestContext") -> dict:
    """With ``ConnectionName``: the live connection of that name, or else the deleted one still retained.

    Names are unique among live connections but a deleted one lists as DELETED for a while, so a name reused
    before it is forgotten would match twice; Terraform reads a connection by name and fails on anything but
    one match, while its delete waiter needs to see the DELETED one (terraform-provider-aws apprunner
    connection.go: findConnectionByName, waitConnectionDeleted).  One answer satisfies both: the live one wins
    (unverified: AWS's answer in that window is not documented).
    """
    state = state_of(ctx)
    name = ctx.params.get("ConnectionName")
    live_named = name is not None and any(
        item.name == name and item.status != "DELETED" for item in state.connections.values())
    page, token = paginate("ListConnections", ctx.params, state.connections.values(), filters={"Name": name},
                           keep=lambda item: name is None or (
                               item.name == name and not (live_named and item.status == "DELETED")))
    return {"ConnectionSummaryList": [view(item) for item in page], "NextToken": token}


@apprunner_op("DeleteConnection", authz.on_target("ConnectionArn", "connection"))
def delete(ctx: "RequestContext") -> dict:
    """Refused while a service uses it (model docs; code unverified, InvalidRequestException)."""
    state = state_of(ctx)
    arn = ctx.params["ConnectionArn"]
    item = find(state, ctx, arn, "connection")
    if item is None or item.status == "DELETED":
        raise not_found(f"The connection with ARN {arn} doesn't exist.")  # unverified wording
    if holds(state, "source_configuration", "AuthenticationConfiguration", "ConnectionArn", arn=arn):
        raise invalid("You can't delete the connection. It's used by one or more services.")  # unverified
    item.status = "DELETED"
    bury(ctx.store, state, arn, ctx.store.clock.now(), longest=DELETED_CONNECTION_RETENTION)
    return {"Connection": view(item)}
