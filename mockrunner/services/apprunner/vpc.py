"""VPC connectors (outgoing traffic) and VPC ingress connections (private endpoints)
(docs/behaviour.md, "App Runner: VPC connectors and ingress connections")."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.model.apprunner import VpcConnector, VpcIngressConnection
from mockrunner.services.apprunner import arns, authz, lifecycle, roles, validation
from mockrunner.services.apprunner.errors import invalid, invalid_state, quota_exceeded
from mockrunner.services.apprunner.lifecycle import apprunner_op, state_of
from mockrunner.services.apprunner.lookup import existing, missing
from mockrunner.services.apprunner.pagination import paginate
from mockrunner.services.apprunner.services import get_service, require_status

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

#: VPC ingress connection operation -> statuses it is allowed in (model docs).
_VIC_ALLOWED = {
    "UpdateVpcIngressConnection": ("AVAILABLE", "FAILED_CREATION", "FAILED_UPDATE"),
    "DeleteVpcIngressConnection": ("AVAILABLE", "FAILED_CREATION", "FAILED_UPDATE", "FAILED_DELETION"),
}


# ------------------------------------------------------------------------------------------ VPC connectors
def connector_view(item: VpcConnector) -> dict:
    return {"VpcConnectorName": item.name, "VpcConnectorArn": item.arn, "VpcConnectorRevision": item.revision,
            "Subnets": list(item.subnets), "SecurityGroups": list(item.security_groups), "Status": item.status,
            "CreatedAt": item.created_at, "DeletedAt": item.deleted_at}


@apprunner_op("CreateVpcConnector", authz.on_new("vpcconnector", "VpcConnectorName", role_checks=True))
def create_connector(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    name = ctx.params["VpcConnectorName"]
    if any(item.name == name and item.status == "ACTIVE" for item in state.vpc_connectors.values()):
        # "App Runner supports only one revision per name" (model docs); wording unverified.
        raise invalid(f"A VPC connector with the name {name} already exists. App Runner supports only one "
                      "revision per VPC connector name.")
    subnets = list(ctx.params["Subnets"])
    if not subnets:
        raise invalid("You must specify at least one subnet.")  # unverified wording
    limit = ctx.store.settings.quotas.apprunner_max_vpc_connectors
    if sum(item.status == "ACTIVE" for item in state.vpc_connectors.values()) >= limit:
        raise quota_exceeded(f"You have reached the maximum number of VPC connectors ({limit}) for this account in "
                             "this region.")  # unverified wording
    tags = validation.tags(ctx, ctx.params.get("Tags"))
    roles.ensure_service_linked_role(ctx, "networking.apprunner.amazonaws.com")
    item_id = arns.new_id()
    # SecurityGroups: AWS uses the VPC's default security group when omitted; locally there is no VPC, so an
    # omitted list stays empty (unverified).
    item = VpcConnector(arn=arns.build(ctx.region, ctx.account.id, "vpcconnector", name, 1, item_id), name=name,
                        id=item_id, subnets=subnets, security_groups=list(ctx.params.get("SecurityGroups") or []),
                        created_at=ctx.store.clock.now(), tags=tags)
    state.vpc_connectors[item.arn] = item
    return {"VpcConnector": connector_view(item)}


@apprunner_op("DescribeVpcConnector", authz.on_target("VpcConnectorArn", "vpcconnector"))
def describe_connector(ctx: "RequestContext") -> dict:
    item = existing(state_of(ctx), ctx, ctx.params["VpcConnectorArn"], "vpcconnector")
    return {"VpcConnector": connector_view(item)}


@apprunner_op("ListVpcConnectors", authz.on_any)
def list_connectors(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    page, token = paginate("ListVpcConnectors", ctx.params, state.vpc_connectors.values(),
                           keep=lambda item: item.status == "ACTIVE")
    return {"VpcConnectors": [connector_view(item) for item in page], "NextToken": token}


@apprunner_op("DeleteVpcConnector", authz.on_target("VpcConnectorArn", "vpcconnector"))
def delete_connector(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    arn = ctx.params["VpcConnectorArn"]
    item = existing(state, ctx, arn, "vpcconnector")
    if item.status != "ACTIVE":
        raise missing("vpcconnector", arn)
    if lifecycle.holds(state, "network_configuration", "EgressConfiguration", "VpcConnectorArn", arn=arn):
        # AWS's answer, quoted from the CLI and the console in aws/apprunner-roadmap#161.
        raise invalid(f"Provided VPC connector arn is being used by other services. ARN: {item.arn}")
    moment = ctx.store.clock.now()
    item.status, item.deleted_at = "INACTIVE", moment
    lifecycle.bury(ctx.store, state, item.arn, moment)
    return {"VpcConnector": connector_view(item)}


# --------------------------------------------------------------------------------- VPC ingress connections
def ingress_view(item: VpcIngressConnection) -> dict:
    return {"VpcIngressConnectionArn": item.arn, "VpcIngressConnectionName": item.name,
            "ServiceArn": item.service_arn, "Status": item.status, "AccountId": item.account_id,
            "DomainName": item.domain_name,
            "IngressVpcConfiguration": {"VpcId": item.vpc_id, "VpcEndpointId": item.vpc_endpoint_id},
            "CreatedAt": item.created_at, "DeletedAt": item.deleted_at}


def _ingress_configuration(ctx: "RequestContext") -> tuple[str, str]:
    configuration = ctx.params["IngressVpcConfiguration"]
    vpc_id, endpoint_id = configuration.get("VpcId"), configuration.get("VpcEndpointId")
    if not vpc_id or not endpoint_id:
        raise invalid("IngressVpcConfiguration must specify both VpcId and VpcEndpointId.")  # unverified wording
    return vpc_id, endpoint_id


@apprunner_op("CreateVpcIngressConnection",
              authz.on_new("vpcingressconnection", "VpcIngressConnectionName", authz.vpc_ingress_context))
def create_ingress(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    name = ctx.params["VpcIngressConnectionName"]
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    require_status(service, "CreateVpcIngressConnection")
    vpc_id, endpoint_id = _ingress_configuration(ctx)
    live = [item for item in state.vpc_ingress_connections.values() if item.status != "DELETED"]
    if any(item.name == name for item in live):
        raise invalid(f"VPC ingress connection with the provided name already exists: {name}")  # unverified
    limit = ctx.store.settings.quotas.apprunner_max_vpc_ingress_connections
    if len(live) >= limit:
        raise quota_exceeded(f"You have reached the maximum number of VPC ingress connections ({limit}) for this "
                             "account in this region.")  # unverified wording
    tags = validation.tags(ctx, ctx.params.get("Tags"))
    moment = ctx.store.clock.now()
    item_id = arns.new_id()
    item = VpcIngressConnection(
        arn=arns.build(ctx.region, ctx.account.id, "vpcingressconnection", name, item_id), name=name, id=item_id,
        service_arn=service.arn, account_id=ctx.account.id,
        domain_name=f"{arns.random_label(10)}.{service.id[:8]}.{ctx.region}.privatelink.awsapprunner.com",
        vpc_id=vpc_id, vpc_endpoint_id=endpoint_id, created_at=moment, tags=tags)
    state.vpc_ingress_connections[item.arn] = item
    lifecycle.schedule(ctx.store, state, "vic_available", item.arn, moment)
    return {"VpcIngressConnection": ingress_view(item)}


def _require(item: VpcIngressConnection, operation: str) -> None:
    if item.status not in _VIC_ALLOWED[operation]:
        raise invalid_state(f"The VPC ingress connection is in {item.status} status. It must be in one of "
                            f"{', '.join(_VIC_ALLOWED[operation])}.")  # unverified wording


@apprunner_op("DescribeVpcIngressConnection", authz.on_target("VpcIngressConnectionArn", "vpcingressconnection"))
def describe_ingress(ctx: "RequestContext") -> dict:
    item = existing(state_of(ctx), ctx, ctx.params["VpcIngressConnectionArn"], "vpcingressconnection")
    return {"VpcIngressConnection": ingress_view(item)}


@apprunner_op("ListVpcIngressConnections", authz.on_any)
def list_ingress(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    wanted = dict(ctx.params.get("Filter") or {})

    def keep(item: VpcIngressConnection) -> bool:
        return (item.status != "DELETED"
                and wanted.get("ServiceArn", item.service_arn) == item.service_arn
                and wanted.get("VpcEndpointId", item.vpc_endpoint_id) == item.vpc_endpoint_id)

    page, token = paginate("ListVpcIngressConnections", ctx.params, state.vpc_ingress_connections.values(),
                           filters=wanted, keep=keep)
    return {"VpcIngressConnectionSummaryList": [
        {"VpcIngressConnectionArn": item.arn, "ServiceArn": item.service_arn} for item in page], "NextToken": token}


@apprunner_op("UpdateVpcIngressConnection",
              authz.on_target("VpcIngressConnectionArn", "vpcingressconnection", authz.vpc_ingress_context))
def update_ingress(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    item = existing(state, ctx, ctx.params["VpcIngressConnectionArn"], "vpcingressconnection")
    _require(item, "UpdateVpcIngressConnection")
    vpc_id, endpoint_id = _ingress_configuration(ctx)
    item.vpc_id, item.vpc_endpoint_id, item.status = vpc_id, endpoint_id, "PENDING_UPDATE"
    lifecycle.schedule(ctx.store, state, "vic_available", item.arn, ctx.store.clock.now())
    return {"VpcIngressConnection": ingress_view(item)}


@apprunner_op("DeleteVpcIngressConnection", authz.on_target("VpcIngressConnectionArn", "vpcingressconnection"))
def delete_ingress(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    item = existing(state, ctx, ctx.params["VpcIngressConnectionArn"], "vpcingressconnection")
    _require(item, "DeleteVpcIngressConnection")
    item.status = "PENDING_DELETION"
    lifecycle.schedule(ctx.store, state, "vic_deleted", item.arn, ctx.store.clock.now())
    return {"VpcIngressConnection": ingress_view(item)}
