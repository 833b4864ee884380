"""Observability configurations: revisions like auto scaling ones; ``DefaultConfiguration`` is reserved."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.model.apprunner import DEFAULT_NAME, ObservabilityConfiguration
from mockrunner.services.apprunner import authz, revisions, validation
from mockrunner.services.apprunner.errors import invalid
from mockrunner.services.apprunner.lifecycle import apprunner_op, holds, state_of
from mockrunner.services.apprunner.lookup import existing, missing
from mockrunner.services.apprunner.pagination import paginate

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

_TYPE = "observabilityconfiguration"


def view(item: ObservabilityConfiguration) -> dict:
    return {
        "ObservabilityConfigurationArn": item.arn, "ObservabilityConfigurationName": item.name,
        "TraceConfiguration": dict(item.trace_configuration) if item.trace_configuration else None,
        "ObservabilityConfigurationRevision": item.revision, "Latest": item.latest, "Status": item.status,
        "CreatedAt": item.created_at, "DeletedAt": item.deleted_at,
    }


@apprunner_op("CreateObservabilityConfiguration", authz.on_new(_TYPE, "ObservabilityConfigurationName"))
def create(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    name = ctx.params["ObservabilityConfigurationName"]
    if name == DEFAULT_NAME:
        # Model docs: "You can't use it to create a new observability configuration, and you can't create a
        # revision of it."  Wording of the error unverified.
        raise invalid(f"The name {DEFAULT_NAME} is reserved by App Runner. Choose a different name.")
    tags = validation.tags(ctx, ctx.params.get("Tags"))
    trace = ctx.params.get("TraceConfiguration")
    item = revisions.create(
        ctx, state.observability_configurations, _TYPE, name, "observability configuration",
        "apprunner_max_observability_names", "apprunner_max_observability_revisions",
        lambda **fields: ObservabilityConfiguration(trace_configuration=dict(trace) if trace else None, **fields),
        ctx.store.clock.now(), tags)
    return {"ObservabilityConfiguration": view(item)}


@apprunner_op("DescribeObservabilityConfiguration", authz.on_target("ObservabilityConfigurationArn", _TYPE))
def describe(ctx: "RequestContext") -> dict:
    item = existing(state_of(ctx), ctx, ctx.params["ObservabilityConfigurationArn"], _TYPE)
    return {"ObservabilityConfiguration": view(item)}


@apprunner_op("ListObservabilityConfigurations", authz.on_any)
def list_configurations(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    name = ctx.params.get("ObservabilityConfigurationName")
    latest_only = ctx.params.get("LatestOnly", True)
    page, token = paginate("ListObservabilityConfigurations", ctx.params,
                           state.observability_configurations.values(),
                           filters={"Name": name, "LatestOnly": latest_only}, keep=revisions.listed(name, latest_only))
    return {"ObservabilityConfigurationSummaryList": [
        {"ObservabilityConfigurationArn": item.arn, "ObservabilityConfigurationName": item.name,
         "ObservabilityConfigurationRevision": item.revision} for item in page], "NextToken": token}


@apprunner_op("DeleteObservabilityConfiguration", authz.on_target("ObservabilityConfigurationArn", _TYPE))
def delete(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    arn = ctx.params["ObservabilityConfigurationArn"]
    item = existing(state, ctx, arn, _TYPE)
    if item.status != "ACTIVE":
        raise missing(_TYPE, arn)
    if item.name == DEFAULT_NAME:
        raise invalid("You can't delete the observability configuration provided by App Runner.")  # unverified
    if holds(state, "observability_configuration", "ObservabilityConfigurationArn", arn=item.arn):
        # InvalidRequestException, as AWS answers the same refusal for auto scaling configurations (Terraform
        # #38534) and VPC connectors (apprunner-roadmap#161); the model declares no InvalidStateException here.
        raise invalid("You can't delete the observability configuration. It's used by one or more services. "
                            "To delete it, update the services to use other observability configurations.")
    revisions.deactivate(ctx, state, state.observability_configurations, item, ctx.store.clock.now())
    return {"ObservabilityConfiguration": view(item)}
