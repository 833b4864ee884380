"""Auto scaling configurations: revisions, the account default, and the services using each
(docs/behaviour.md, "App Runner: auto scaling configurations")."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.model.apprunner import AppRunnerState, AutoScalingConfiguration
from mockrunner.services.apprunner import authz, revisions, validation
from mockrunner.services.apprunner.errors import invalid
from mockrunner.services.apprunner.lifecycle import apprunner_op, asc_in_use, state_of
from mockrunner.services.apprunner.lookup import existing, is_name_only
from mockrunner.services.apprunner.pagination import paginate

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

_TYPE = "autoscalingconfiguration"
#: Deleting the account's default: Terraform's default auto scaling acceptance test restores the prior default
#: "else \"InvalidRequestException: You can't delete a reserved auto scaling configuration\"" (terraform-provider-aws
#: default_auto_scaling_configuration_version_test.go); the whole answer, quoted in terraform-provider-aws#19840, ends
#: with an unfilled "'%s'" ("Yes, with the literal %s"), answered verbatim.  App Runner's own DefaultConfiguration is
#: deletable once it is not the default (the model: "Delete the revisions of the DefaultConfiguration").
RESERVED = "You can't delete a reserved auto scaling configuration: '%s'."
#: Deleting an INACTIVE revision: what the Terraform provider's delete takes as already gone, besides
#: ResourceNotFoundException (terraform-provider-aws auto_scaling_configuration_version.go; the text after
#: "deleted" is unverified).
DELETED = "The auto scaling configuration you specified has been deleted."
IN_USE = ("You can't delete the auto scaling configuration. It's used by one or more services. To delete it, "
          "update the services to use other auto scaling configurations.")  # terraform-provider-aws#38534


def wire_status(item: AutoScalingConfiguration) -> str:
    """``active`` / ``inactive``: App Runner answers these in lower case, unlike its model's enum (Terraform's
    waiters and acceptance tests against AWS expect exactly these: terraform-provider-aws apprunner status.go)."""
    return item.status.lower()


def view(state: AppRunnerState, item: AutoScalingConfiguration) -> dict:
    return {
        "AutoScalingConfigurationArn": item.arn, "AutoScalingConfigurationName": item.name,
        "AutoScalingConfigurationRevision": item.revision, "Latest": item.latest, "Status": wire_status(item),
        "MaxConcurrency": item.max_concurrency, "MinSize": item.min_size, "MaxSize": item.max_size,
        "CreatedAt": item.created_at, "DeletedAt": item.deleted_at,
        "HasAssociatedService": asc_in_use(state, item.arn), "IsDefault": item.is_default,
    }


def summary(state: AppRunnerState, item: AutoScalingConfiguration) -> dict:
    return {
        "AutoScalingConfigurationArn": item.arn, "AutoScalingConfigurationName": item.name,
        "AutoScalingConfigurationRevision": item.revision, "Status": wire_status(item), "CreatedAt": item.created_at,
        "HasAssociatedService": asc_in_use(state, item.arn), "IsDefault": item.is_default,
    }


@apprunner_op("CreateAutoScalingConfiguration", authz.on_new(_TYPE, "AutoScalingConfigurationName"))
def create(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    params = ctx.params
    max_concurrency = params.get("MaxConcurrency", 100)
    min_size, max_size = params.get("MinSize", 1), params.get("MaxSize", 25)
    limit = ctx.store.settings.quotas.apprunner_max_size_limit
    if not 1 <= max_concurrency <= 200:
        raise invalid("MaxConcurrency must be between 1 and 200.")
    if not 1 <= min_size <= 25:
        raise invalid("MinSize must be between 1 and 25.")
    if not 1 <= max_size <= limit:
        # The account limit (25 unless raised) is enforced by AWS; the exact code/wording is unverified.
        raise invalid(f"MaxSize must be between 1 and {limit}.")
    if min_size > max_size:
        raise invalid("MinSize must be less than or equal to MaxSize.")  # unverified wording
    tags = validation.tags(ctx, params.get("Tags"))
    item = revisions.create(
        ctx, state.auto_scaling_configurations, _TYPE, params["AutoScalingConfigurationName"],
        "auto scaling configuration", "apprunner_max_asc_names", "apprunner_max_asc_revisions",
        lambda **fields: AutoScalingConfiguration(max_concurrency=max_concurrency, min_size=min_size,
                                                  max_size=max_size, **fields),
        ctx.store.clock.now(), tags)
    return {"AutoScalingConfiguration": view(state, item)}


@apprunner_op("DescribeAutoScalingConfiguration", authz.on_target("AutoScalingConfigurationArn", _TYPE))
def describe(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    item = existing(state, ctx, ctx.params["AutoScalingConfigurationArn"], _TYPE)
    return {"AutoScalingConfiguration": view(state, item)}


@apprunner_op("ListAutoScalingConfigurations", authz.on_any)
def list_configurations(ctx: "RequestContext") -> dict:
    """ACTIVE revisions; ``LatestOnly`` defaults to true (model docs)."""
    state = state_of(ctx)
    name = ctx.params.get("AutoScalingConfigurationName")
    latest_only = ctx.params.get("LatestOnly", True)
    page, token = paginate("ListAutoScalingConfigurations", ctx.params, state.auto_scaling_configurations.values(),
                           filters={"Name": name, "LatestOnly": latest_only}, keep=revisions.listed(name, latest_only))
    return {"AutoScalingConfigurationSummaryList": [summary(state, item) for item in page], "NextToken": token}


@apprunner_op("DeleteAutoScalingConfiguration", authz.on_revisions_deleted("AutoScalingConfigurationArn", _TYPE))
def delete(ctx: "RequestContext") -> dict:
    """Make the revision INACTIVE (``DeleteAllRevisions``: every active one of its name); refused for the account's
    default (:data:`RESERVED`), a revision a service holds (:data:`IN_USE`) and one already INACTIVE
    (:data:`DELETED`, InvalidRequestException, as Terraform's delete expects)."""
    state = state_of(ctx)
    arn = ctx.params["AutoScalingConfigurationArn"]
    item = existing(state, ctx, arn, _TYPE)
    targets = [item]
    if ctx.params.get("DeleteAllRevisions"):
        if not is_name_only(arn):
            raise invalid("DeleteAllRevisions requires an auto scaling configuration ARN without a revision "
                          "(…:autoscalingconfiguration/<name>).")  # unverified wording; model: name-only ARN
        targets = revisions.active(state.auto_scaling_configurations, item.name)
    if item.status != "ACTIVE":
        raise invalid(DELETED)
    for target in targets:
        if target.is_default:
            raise invalid(RESERVED)
        if asc_in_use(state, target.arn):
            raise invalid(IN_USE)
    moment = ctx.store.clock.now()
    for target in sorted(targets, key=lambda entity: entity.revision):
        revisions.deactivate(ctx, state, state.auto_scaling_configurations, target, moment)
    return {"AutoScalingConfiguration": view(state, item)}


@apprunner_op("UpdateDefaultAutoScalingConfiguration", authz.on_target("AutoScalingConfigurationArn", _TYPE))
def update_default(ctx: "RequestContext") -> dict:
    """One default per account and region; it only affects services created later."""
    state = state_of(ctx)
    item = existing(state, ctx, ctx.params["AutoScalingConfigurationArn"], _TYPE)
    if item.status != "ACTIVE":
        raise invalid(validation.asc_arn_message(ctx.params["AutoScalingConfigurationArn"]))
    for other in state.auto_scaling_configurations.values():
        other.is_default = False
    item.is_default = True
    return {"AutoScalingConfiguration": view(state, item)}


@apprunner_op("ListServicesForAutoScalingConfiguration", authz.on_target("AutoScalingConfigurationArn", _TYPE))
def list_services(ctx: "RequestContext") -> dict:
    state = state_of(ctx)
    item = existing(state, ctx, ctx.params["AutoScalingConfigurationArn"], _TYPE)
    page, token = paginate("ListServicesForAutoScalingConfiguration", ctx.params,
                           state.asc_services.get(item.arn, []), filters={"Arn": item.arn})
    return {"ServiceArnList": page, "NextToken": token}
