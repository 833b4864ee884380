"""The authorization checks of each App Runner operation, per the Service Authorization Reference
(docs/behaviour.md, "App Runner authorization: actions and resources").

Every operation is ``apprunner:<Operation>`` on the resource ARN the reference names: the target's ARN,
``<type>/<name>/*`` for a Create (the resource does not exist yet), ``*`` for the account-wide List calls.
The request context carries ``aws:RequestTag/*`` + ``aws:TagKeys`` on create/tag calls, the target's tags as
``aws:ResourceTag/*`` (and as ``apprunner:ResourceTag/*``, the spelling App Runner's IAM guide uses), and the
``apprunner:*Arn`` / ``VpcId`` / ``VpcEndpointId`` keys of the operations that define them.  Creating with
tags is also ``apprunner:TagResource`` on the new resource.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mockrunner.auth.check import Check
from mockrunner.services.apprunner import arns, revisions, roles, validation
from mockrunner.services.apprunner.lifecycle import state_of
from mockrunner.services.apprunner.lookup import find, is_name_only, own, resolve_revision

if TYPE_CHECKING:
    from mockrunner.context import RequestContext


def action(name: str) -> str:
    return f"apprunner:{name}"


def request_tag_context(ctx: "RequestContext", tags: Iterable[Mapping[str, str]] | None) -> dict[str, Any]:
    """``aws:RequestTag/<key>`` per tag and ``aws:TagKeys``; malformed tags, or more than a resource may have, are
    refused first (400, not 500; :func:`validation.tag_pairs`)."""
    context: dict[str, Any] = {}
    if tags is None:
        return context
    pairs = validation.tag_pairs(tags, ctx.store.settings.quotas.apprunner_max_tags)
    for key, value in pairs:
        context[f"aws:RequestTag/{key}"] = value
    context["aws:TagKeys"] = [key for key, _value in pairs]
    return context


def resource_tag_context(tags: Mapping[str, str]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for key, value in tags.items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"apprunner:ResourceTag/{key}"] = value
    return context


def _arn_of(ctx: "RequestContext", arn: str | None, resource_type: str) -> tuple[str, dict[str, str]]:
    """The full ARN (partial ARNs resolved) and tags of a resource named in the request, if it is ours."""
    state = state_of(ctx)
    if resource_type in ("autoscalingconfiguration", "observabilityconfiguration"):
        entity = resolve_revision(state, ctx, arn, resource_type)
    else:
        entity = find(state, ctx, arn, resource_type)
    if entity is None:
        return arn or "", {}
    return entity.arn, dict(entity.tags)


# -------------------------------------------------------------------------------------------- builders
def on_target(member: str, resource_type: str | None, extra: Callable[["RequestContext"], dict] | None = None
              ) -> Callable[["RequestContext"], list[Check]]:
    """``apprunner:<Op>`` on the resource named by request member ``member``, with its tags as context."""

    def checks(ctx: "RequestContext") -> list[Check]:
        arn = ctx.params.get(member)
        parsed = arns.parse(arn or "")
        kind = resource_type or (parsed.resource_type if parsed else None)
        full_arn, tags = _arn_of(ctx, arn, kind) if kind else (arn or "*", {})
        context = resource_tag_context(tags)
        if extra is not None:
            context.update(extra(ctx))
        result = [Check(action(ctx.operation.name), full_arn, context)]
        return result

    return checks


def on_revisions_deleted(member: str, resource_type: str) -> Callable[["RequestContext"], list[Check]]:
    """``apprunner:<Op>`` on every revision a ``DeleteAllRevisions`` request deletes, each with its own tags.

    A name-only ARN with ``DeleteAllRevisions`` deletes every ACTIVE revision of the name, but resolves (as a name
    alone does) to the latest: checked on that one only, a Deny on an older revision's ARN or tags was escaped by
    deleting them all.  Each revision deleted is now a check of its own (how AWS authorizes such a request is
    unverified; this is the fail-closed reading).  Any other request: :func:`on_target`.
    """
    single = on_target(member, resource_type)

    def checks(ctx: "RequestContext") -> list[Check]:
        arn = ctx.params.get(member)
        parsed = own(ctx, arn)
        if not ctx.params.get("DeleteAllRevisions") or parsed is None or not is_name_only(arn):
            return single(ctx)
        collection = getattr(state_of(ctx), arns.COLLECTIONS[resource_type])
        deleted = sorted(revisions.active(collection, parsed.parts[0]), key=lambda item: item.revision)
        return [Check(action(ctx.operation.name), item.arn, resource_tag_context(item.tags))
                for item in deleted] or single(ctx)

    return checks


def on_any(ctx: "RequestContext") -> list[Check]:
    """List calls that name no resource: ``*``."""
    return [Check(action(ctx.operation.name), "*")]


def on_new(resource_type: str, name_member: str, extra: Callable[["RequestContext"], dict] | None = None,
           role_checks: bool = False) -> Callable[["RequestContext"], list[Check]]:
    """A Create: ``<type>/<name>/*``, request tags, plus ``apprunner:TagResource`` when tags are given."""

    def checks(ctx: "RequestContext") -> list[Check]:
        resource = arns.build(ctx.region, ctx.account.id, resource_type, ctx.params.get(name_member, ""), "*")
        tags = ctx.params.get("Tags")
        tag_context = request_tag_context(ctx, tags)
        context = dict(tag_context)
        if extra is not None:
            context.update(extra(ctx))
        result = [Check(action(ctx.operation.name), resource, context)]
        if tags:
            result.append(Check(action("TagResource"), resource, tag_context))
        if role_checks:
            result.extend(roles.extra_checks(ctx, ctx.operation.name))
        return result

    return checks


# ------------------------------------------------------------------------------------- operation contexts
# The resources a CreateService / UpdateService request may name: (resource type, its condition key, where the
# request names it).  They are the action's optional resource types in the Service Authorization Reference.
SERVICE_REFERENCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("connection", "apprunner:ConnectionArn",
     ("SourceConfiguration", "AuthenticationConfiguration", "ConnectionArn")),
    ("autoscalingconfiguration", "apprunner:AutoScalingConfigurationArn", ("AutoScalingConfigurationArn",)),
    ("observabilityconfiguration", "apprunner:ObservabilityConfigurationArn",
     ("ObservabilityConfiguration", "ObservabilityConfigurationArn")),
    ("vpcconnector", "apprunner:VpcConnectorArn", ("NetworkConfiguration", "EgressConfiguration", "VpcConnectorArn")),
)


def _referenced(ctx: "RequestContext") -> list[tuple[str, str, dict[str, str]]]:
    """(condition key, full ARN, tags) of each resource the request names, partial ARNs resolved when ours."""
    found = []
    for resource_type, key, path in SERVICE_REFERENCES:
        value: Any = ctx.params
        for member in path:
            value = value.get(member) if isinstance(value, dict) else None
        if value and isinstance(value, str):
            full_arn, tags = _arn_of(ctx, value, resource_type)
            found.append((key, full_arn, tags))
    return found


def _with_references(build: Callable[..., Callable[["RequestContext"], list[Check]]], *args: Any,
                     **kwargs: Any) -> Callable[["RequestContext"], list[Check]]:
    """The checks ``build(*args, extra=..., **kwargs)`` makes, with the ``apprunner:ConnectionArn`` /
    ``AutoScalingConfigurationArn`` / ``ObservabilityConfigurationArn`` / ``VpcConnectorArn`` keys of the resources
    the request names (partial ARNs resolved when possible), then the action again on each of them with that
    resource's tags as ``aws:ResourceTag/*``.

    The reference lists connection, auto scaling and observability configurations and VPC connectors as optional
    resource types of CreateService and UpdateService: a request naming one is authorized on it too, so a Deny on a
    VPC connector's ARN or tags keeps services off it (docs/behaviour.md, "Hostile input: fiftieth pass").  The
    references are looked up once per request.
    """

    def checks(ctx: "RequestContext") -> list[Check]:
        referenced = _referenced(ctx)
        keys = {key: full_arn for key, full_arn, _tags in referenced}
        made = build(*args, extra=lambda _ctx: keys, **kwargs)(ctx)
        main = made[0]
        request_context = {key: value for key, value in main.context.items() if "ResourceTag/" not in key}
        extra = [Check(main.action, full_arn, {**request_context, **resource_tag_context(tags)})
                 for _key, full_arn, tags in referenced]
        return made[:1] + extra + made[1:]

    return checks


create_service = _with_references(on_new, "service", "ServiceName", role_checks=True)


def vpc_ingress_context(ctx: "RequestContext") -> dict[str, Any]:
    context: dict[str, Any] = {}
    if ctx.params.get("ServiceArn"):
        context["apprunner:ServiceArn"] = ctx.params["ServiceArn"]
    ingress = ctx.params.get("IngressVpcConfiguration") or {}
    if ingress.get("VpcId"):
        context["apprunner:VpcId"] = ingress["VpcId"]
    if ingress.get("VpcEndpointId"):
        context["apprunner:VpcEndpointId"] = ingress["VpcEndpointId"]
    return context


_update_service_checks = _with_references(on_target, "ServiceArn", "service")


def update_service(ctx: "RequestContext") -> list[Check]:
    return _update_service_checks(ctx) + roles.extra_checks(ctx, "UpdateService")


def tagging(ctx: "RequestContext") -> list[Check]:
    """Tag/Untag/ListTagsForResource: the target's tags, plus the request's tags or keys."""
    checks = on_target("ResourceArn", None)(ctx)
    check = checks[0]
    context = dict(check.context)
    if ctx.operation.name == "TagResource":
        context.update(request_tag_context(ctx, ctx.params.get("Tags")))
    elif ctx.operation.name == "UntagResource":
        context["aws:TagKeys"] = list(ctx.params.get("TagKeys") or [])
    return [Check(check.action, check.resource, context)]
