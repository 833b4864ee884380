"""Services: create, describe, list, update, delete, pause, resume, deploy, and their operations."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from mockrunner.model.apprunner import AppRunnerState, Service
from mockrunner.services.apprunner import arns, authz, lifecycle, roles, validation
from mockrunner.services.apprunner.autoscaling import wire_status
from mockrunner.services.apprunner.errors import invalid, invalid_state, not_found, quota_exceeded
from mockrunner.services.apprunner.lifecycle import apprunner_op, asc_in_use, state_of
from mockrunner.services.apprunner.lookup import find
from mockrunner.services.apprunner.pagination import paginate

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

#: Operation -> statuses it is allowed in (everything else: the refusal in _STATE_REFUSALS).  While
#: OPERATION_IN_PROGRESS every action is blocked; PAUSED allows only delete (and reads / tagging,
#: and a PauseService that changes nothing: see _ALREADY_THERE); UpdateService
#: is allowed in RUNNING and CREATE_FAILED, where the sources disagree
#: (docs/behaviour.md, "App Runner: service lifecycle and state gating").
ALLOWED_STATUSES = {
    "UpdateService": ("RUNNING", "CREATE_FAILED"),
    "DeleteService": ("RUNNING", "PAUSED", "CREATE_FAILED", "DELETE_FAILED"),
    "PauseService": ("RUNNING",),
    "ResumeService": ("PAUSED",),
    "StartDeployment": ("RUNNING",),
    "AssociateCustomDomain": ("RUNNING",),
    "DisassociateCustomDomain": ("RUNNING",),
    "CreateVpcIngressConnection": ("RUNNING",),
}

#: Operation -> (error, message) refusing it in another status; "{status}" is the service's current status.
#: StartDeployment's is AWS's answer, InvalidRequestException (its model declares no InvalidStateException),
#: quoted verbatim from CLI output in public deployment notes, for a service OPERATION_IN_PROGRESS and one
#: CREATE_FAILED.  DeleteService's is AWS's answer for a service OPERATION_IN_PROGRESS, quoted in
#: terraform-provider-aws#19840; it names whichever status refuses the delete.  UpdateService's follows roadmap#95
#: ("Service status must be RUNNING or PAUSED to be updated"), from before App Runner allowed rebuilding
#: CREATE_FAILED services, with the states this mock allows.  The others are unverified and follow UpdateService's
#: form (docs/behaviour.md, "App Runner: service lifecycle and state gating").
_STATE_REFUSALS = {
    "UpdateService": (invalid_state, "Service status must be RUNNING or CREATE_FAILED to be updated. Current "
                                     "status: {status}"),
    "DeleteService": (invalid_state, "Service cannot be deleted in the current state: {status}."),
    "PauseService": (invalid_state, "Service status must be RUNNING to be paused. Current status: {status}"),
    "ResumeService": (invalid_state, "Service status must be PAUSED to be resumed. Current status: {status}"),
    "StartDeployment": (invalid, "Can't start a deployment on the specified service, because it isn't in "
                                 "RUNNING state."),
    "AssociateCustomDomain": (invalid_state, "Service status must be RUNNING to associate a custom domain. "
                                             "Current status: {status}"),
    "DisassociateCustomDomain": (invalid_state, "Service status must be RUNNING to disassociate a custom domain. "
                                                "Current status: {status}"),
    "CreateVpcIngressConnection": (invalid_state, "Service status must be RUNNING to create a VPC ingress "
                                                  "connection. Current status: {status}"),
}


def require_status(service: Service, operation: str) -> None:
    if service.status not in ALLOWED_STATUSES[operation]:
        error, text = _STATE_REFUSALS[operation]
        raise error(text.format(status=service.status))


def service_not_found(arn: str) -> Exception:
    return not_found(f"Service with ARN {arn} not found.")  # unverified wording


def get_service(ctx: "RequestContext", state: AppRunnerState, arn: str, live: bool = False) -> Service:
    """The caller's service ``arn``; ``live``: a DELETED one counts as not found."""
    service = find(state, ctx, arn, "service")
    if service is None or (live and service.status == "DELETED"):
        raise service_not_found(arn)
    return service


# ------------------------------------------------------------------------------------------------- views
def asc_summary(state: AppRunnerState, arn: str) -> dict:
    configuration = state.auto_scaling_configurations.get(arn)
    if configuration is None:
        parsed = arns.parse(arn)
        return {"AutoScalingConfigurationArn": arn, "AutoScalingConfigurationName": parsed.parts[0],
                "AutoScalingConfigurationRevision": int(parsed.parts[1])}
    return {
        "AutoScalingConfigurationArn": arn,
        "AutoScalingConfigurationName": configuration.name,
        "AutoScalingConfigurationRevision": configuration.revision,
        "Status": wire_status(configuration),
        "CreatedAt": configuration.created_at,
        "HasAssociatedService": asc_in_use(state, arn),
        "IsDefault": configuration.is_default,
    }


def public_url(service: Service) -> str | None:
    """``ServiceUrl`` as Describe/List answer it: absent for a private service (ingress not publicly
    accessible), whose default domain only DescribeCustomDomains' ``DNSTarget`` shows (terraform-provider-aws
    ``service.go`` reads it there "for private services"; aws/aws-sdk-go#4635, awslabs/amazon-app-runner-deploy#24).
    """
    ingress = service.network_configuration.get("IngressConfiguration")
    public = ingress.get("IsPubliclyAccessible", True) if isinstance(ingress, dict) else True
    return service.url if public is not False else None


def service_view(state: AppRunnerState, service: Service) -> dict:
    return {
        "ServiceName": service.name,
        "ServiceId": service.id,
        "ServiceArn": service.arn,
        "ServiceUrl": public_url(service),
        "CreatedAt": service.created_at,
        "UpdatedAt": service.updated_at,
        "DeletedAt": service.deleted_at,
        "Status": service.status,
        "SourceConfiguration": copy.deepcopy(service.source_configuration),
        "InstanceConfiguration": dict(service.instance_configuration),
        "EncryptionConfiguration": copy.deepcopy(service.encryption_configuration),
        "HealthCheckConfiguration": dict(service.health_check_configuration),
        "AutoScalingConfigurationSummary": asc_summary(state, service.auto_scaling_configuration_arn),
        "NetworkConfiguration": copy.deepcopy(service.network_configuration),
        "ObservabilityConfiguration": copy.deepcopy(service.observability_configuration),
    }


def service_summary(service: Service) -> dict:
    return {"ServiceName": service.name, "ServiceId": service.id, "ServiceArn": service.arn,
            "ServiceUrl": public_url(service), "CreatedAt": service.created_at, "UpdatedAt": service.updated_at,
            "Status": service.status}


def operation_summary(record) -> dict:
    return {"Id": record.id, "Type": record.type, "Status": record.status, "TargetArn": record.target_arn,
            "StartedAt": record.started_at, "EndedAt": record.ended_at, "UpdatedAt": record.updated_at}


# -------------------------------------------------------------------------------------------- handlers
@apprunner_op("CreateService", authz.create_service)
def create_service(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    params = ctx.params
    name = params["ServiceName"]
    if name in state.service_names:
        raise invalid(f"Service with the provided name already exists: {name}")
    limit = ctx.store.settings.quotas.apprunner_max_services
    if len(state.service_names) >= limit:
        raise quota_exceeded(f"You have reached the maximum number of services ({limit}) for this account in this "
                             "region.")  # unverified wording
    source = validation.source(ctx, state, params["SourceConfiguration"])
    instance = validation.instance(params.get("InstanceConfiguration"))
    health = validation.health_check(params.get("HealthCheckConfiguration"))
    network = validation.network(ctx, state, params.get("NetworkConfiguration"))
    asc_arn = validation.auto_scaling(ctx, state, params.get("AutoScalingConfigurationArn"))
    observability = validation.observability(ctx, state, params.get("ObservabilityConfiguration"))
    tags = validation.tags(ctx, params.get("Tags"))
    validation.secrets_have_instance_role(source, instance)
    roles.verify_roles(ctx, source, instance)
    roles.ensure_service_linked_role(ctx, "apprunner.amazonaws.com")
    moment = ctx.store.clock.now()
    service_id = arns.new_id()
    service = Service(
        name=name, id=service_id, arn=arns.build(ctx.region, ctx.account.id, "service", name, service_id),
        url=arns.new_service_url(ctx.region), created_at=moment, updated_at=moment, status="OPERATION_IN_PROGRESS",
        source_configuration=source, instance_configuration=instance, health_check_configuration=health,
        network_configuration=network, auto_scaling_configuration_arn="", observability_configuration=observability,
        encryption_configuration=copy.deepcopy(params.get("EncryptionConfiguration")), tags=tags,
    )
    state.services[service.arn] = service
    state.service_names[name] = service.arn
    lifecycle.associate_asc(state, service, asc_arn)
    record = lifecycle.start_service_operation(ctx.store, state, service, "CREATE_SERVICE", moment)
    return {"Service": service_view(state, service), "OperationId": record.id}


@apprunner_op("DescribeService", authz.on_target("ServiceArn", "service"))
def describe_service(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    return {"Service": service_view(state, get_service(ctx, state, ctx.params["ServiceArn"]))}


@apprunner_op("ListServices", authz.on_any)
def list_services(ctx: "RequestContext") -> dict:
    """Every service that is not DELETED ("running" in the model's sense, CREATE_FAILED included)."""
    state = state_of(ctx)
    page, token = paginate("ListServices", ctx.params, state.services.values(),
                           keep=lambda service: service.status != "DELETED")
    return {"ServiceSummaryList": [service_summary(service) for service in page], "NextToken": token}


#: UpdateService's members that change the service: a request naming none of them is refused.
_UPDATE_MEMBERS = ("SourceConfiguration", "InstanceConfiguration", "AutoScalingConfigurationArn",
                   "HealthCheckConfiguration", "NetworkConfiguration", "ObservabilityConfiguration")


@apprunner_op("UpdateService", authz.update_service)
def update_service(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    params = ctx.params
    service = get_service(ctx, state, params["ServiceArn"], live=True)
    require_status(service, "UpdateService")
    if not any(member in params for member in _UPDATE_MEMBERS):
        # AWS's answer, quoted in hashicorp/terraform-provider-aws#32839 (its place after the status check is a
        # choice).
        raise invalid("No configurations provided in the UpdateService request.")
    changes: dict[str, Any] = {}
    if "SourceConfiguration" in params:
        changes["source_configuration"] = validation.source(ctx, state, params["SourceConfiguration"],
                                                            service.source_configuration)
    if "InstanceConfiguration" in params:
        changes["instance_configuration"] = validation.instance(params["InstanceConfiguration"],
                                                                service.instance_configuration)
    if "HealthCheckConfiguration" in params:
        changes["health_check_configuration"] = validation.health_check(params["HealthCheckConfiguration"],
                                                                        service.health_check_configuration)
    if "NetworkConfiguration" in params:
        changes["network_configuration"] = validation.network(ctx, state, params["NetworkConfiguration"],
                                                              service.network_configuration)
    if "ObservabilityConfiguration" in params:
        changes["observability_configuration"] = validation.observability(ctx, state,
                                                                          params["ObservabilityConfiguration"])
    asc_arn = None
    if "AutoScalingConfigurationArn" in params:
        asc_arn = validation.auto_scaling(ctx, state, params["AutoScalingConfigurationArn"])
    source = changes.get("source_configuration", service.source_configuration)
    instance = changes.get("instance_configuration", service.instance_configuration)
    validation.secrets_have_instance_role(source, instance)
    roles.verify_roles(ctx, source, instance)
    moment = ctx.store.clock.now()
    rollback = lifecycle.snapshot_configuration(service)
    for name, value in changes.items():
        setattr(service, name, value)
    if asc_arn is not None:
        lifecycle.associate_asc(state, service, asc_arn)
    record = lifecycle.start_service_operation(ctx.store, state, service, "UPDATE_SERVICE", moment, rollback)
    return {"Service": service_view(state, service), "OperationId": record.id}


#: PauseService / ResumeService of a service already in the status they lead to: answered with the service and no
#: OperationId, nothing started.  aws/copilot-cli's App Runner client takes exactly that answer as success (its
#: tests "success if service is already paused" / "already running"), and the model leaves OperationId optional
#: on these two operations only
#: (docs/behaviour.md, "Sweep: App Runner clients' expectations (Copilot, the deploy action)").
_ALREADY_THERE = {"PauseService": "PAUSED", "ResumeService": "RUNNING"}


def _pause_or_resume(ctx: "RequestContext", operation: str, operation_type: str) -> dict:
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    if service.status == _ALREADY_THERE[operation]:
        return {"Service": service_view(state, service)}
    require_status(service, operation)
    record = lifecycle.start_service_operation(ctx.store, state, service, operation_type, ctx.store.clock.now())
    return {"Service": service_view(state, service), "OperationId": record.id}


@apprunner_op("DeleteService", authz.on_target("ServiceArn", "service"))
def delete_service(ctx: "RequestContext") -> dict:
    """"You can always delete a service" — except while an operation runs or VPC ingress connections exist."""
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    require_status(service, "DeleteService")
    blocking = next((connection for connection in state.vpc_ingress_connections.values()
                     if connection.service_arn == service.arn and connection.status != "DELETED"), None)
    if blocking is not None:
        # AWS's answer, quoted in hashicorp/terraform-provider-aws#40896.
        raise invalid_state(f"You cannot delete a Service while it has VpcIngressConnections with a status of "
                            f"{blocking.status}. Service Arn: {service.arn} VpcIngressConnection Arn: {blocking.arn}")
    record = lifecycle.start_service_operation(ctx.store, state, service, "DELETE_SERVICE", ctx.store.clock.now())
    return {"Service": service_view(state, service), "OperationId": record.id}


@apprunner_op("PauseService", authz.on_target("ServiceArn", "service"))
def pause_service(ctx: "RequestContext") -> dict:
    return _pause_or_resume(ctx, "PauseService", "PAUSE_SERVICE")


@apprunner_op("ResumeService", authz.on_target("ServiceArn", "service"))
def resume_service(ctx: "RequestContext") -> dict:
    return _pause_or_resume(ctx, "ResumeService", "RESUME_SERVICE")


@apprunner_op("StartDeployment", authz.on_target("ServiceArn", "service"))
def start_deployment(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"], live=True)
    require_status(service, "StartDeployment")
    rollback = lifecycle.snapshot_configuration(service)
    now = ctx.store.clock.now()
    record = lifecycle.start_service_operation(ctx.store, state, service, "START_DEPLOYMENT", now, rollback)
    return {"OperationId": record.id}


@apprunner_op("ListOperations", authz.on_target("ServiceArn", "service"))
def list_operations(ctx: "RequestContext") -> dict:
    """Newest first ("The first object ... represents the last started operation")."""
    state = state_of(ctx)
    service = get_service(ctx, state, ctx.params["ServiceArn"])
    page, token = paginate("ListOperations", ctx.params, service.operations[::-1],
                           filters={"ServiceArn": service.arn})
    return {"OperationSummaryList": [operation_summary(record) for record in page], "NextToken": token}
