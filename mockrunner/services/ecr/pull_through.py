"""ECR pull through cache rules: Create/Describe/Update/Delete/ValidatePullThroughCacheRule.

Rules are kept and described as ECR does.  Upstream registries outside this machine cannot be reached from
mockrunner, so they behave as an unreachable upstream does on AWS: ValidatePullThroughCacheRule answers
``isValid: false`` with the reason.  Credentials live in AWS Secrets Manager (``ecr-pullthroughcache/`` secrets),
which mockrunner does not serve: a rule naming a secret is refused with ECR's SecretNotFoundException, so the
upstreams that require credentials (Docker Hub, GitHub, GitLab, Azure, Chainguard) cannot be configured.  An ``ecr``
upstream (another registry of the model, ``<account>.dkr.ecr.<region>.amazonaws.com``) validates when that registry
exists (its Region one of the partition's).  Its ``customRoleArn`` must name a role of the caller's account; it is
required only when the upstream registry belongs to another account (ECR's API reference: the role is "used if the
upstream registry is a cross-account ECR private registry"; terraform-provider-aws's
``TestAccECRPullThroughCacheRule_privateRepositorySelfAccount``, run against AWS, creates a rule for the caller's own
registry in another region without one).
"""
from __future__ import annotations

import re

from mockrunner import regions
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import EcrState, PullThroughCacheRule
from mockrunner.services.ecr.core import invalid, same_prefix, token_page
from mockrunner.services.ecr.pass_role import (
    PULL_THROUGH_CACHE,
    check_custom_role,
    creating_service_linked_role,
    ensure_service_linked_role,
    on_registry,
    passing_custom_role,
)
from mockrunner.services.ecr.scanning import registry_state
from mockrunner.services.registry import op

MAX_RULES = 50
_ECR_URL = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\Z")
#: upstreamRegistry -> (URL test, needs a Secrets Manager credential)
UPSTREAMS: dict[str, tuple[re.Pattern, bool]] = {
    "ecr": (_ECR_URL, False),
    "ecr-public": (re.compile(r"^public\.ecr\.aws\Z"), False),
    "quay": (re.compile(r"^quay\.io\Z"), False),
    "k8s": (re.compile(r"^registry\.k8s\.io\Z"), False),
    "docker-hub": (re.compile(r"^registry-1\.docker\.io\Z"), True),
    "github-container-registry": (re.compile(r"^ghcr\.io\Z"), True),
    "gitlab-container-registry": (re.compile(r"^registry\.gitlab\.com\Z"), True),
    "azure-container-registry": (re.compile(r"^[a-z0-9-]+\.azurecr\.io\Z"), True),
    "chainguard": (re.compile(r"^cgr\.dev\Z"), True),
}


def _not_found() -> ServiceError:
    return ServiceError("PullThroughCacheRuleNotFoundException", "The pull through cache rule was not found. "
                        "Specify a valid pull through cache rule and try again.")


def _secret_not_found() -> ServiceError:
    return ServiceError("SecretNotFoundException", "The ARN of the secret specified in the pull through cache rule "
                        "was not found. Update the pull through cache rule with a valid secret ARN and try again.")


def _upstream(url: str, named: str | None) -> str:
    url = url.removeprefix("https://").rstrip("/")
    kinds = [named] if named else list(UPSTREAMS)
    for kind in kinds:
        pattern, _ = UPSTREAMS.get(kind, (None, False))
        if pattern is not None and pattern.match(url):
            return kind
    raise ServiceError("UnsupportedUpstreamRegistryException", "The specified upstream registry isn't supported.")


def _upstream_registry(url: str) -> tuple[str, str] | None:
    """The account and Region of an ``ecr`` upstream registry URL (``None`` for any other upstream)."""
    match = _ECR_URL.match(url.removeprefix("https://").rstrip("/"))
    return (match.group(1), match.group(2)) if match else None


def _rule(state: EcrState, prefix: str) -> PullThroughCacheRule:
    rule = same_prefix(state.pull_through_rules, prefix)
    if rule is None:
        raise _not_found()
    return rule


def rule_out(rule: PullThroughCacheRule, registry_id: str) -> dict:
    return {"ecrRepositoryPrefix": rule.prefix, "upstreamRegistryUrl": rule.upstream_url,
            "createdAt": rule.created_at, "registryId": registry_id, "upstreamRegistry": rule.upstream_registry,
            "credentialArn": rule.credential_arn, "customRoleArn": rule.custom_role_arn,
            "upstreamRepositoryPrefix": rule.upstream_prefix, "updatedAt": rule.updated_at}


@op("ecr", "CreatePullThroughCacheRule",
    authz=creating_service_linked_role(passing_custom_role(PULL_THROUGH_CACHE), PULL_THROUGH_CACHE))
def create_pull_through_cache_rule(ctx: RequestContext) -> dict:
    params, state = ctx.params, registry_state(ctx)
    kind = _upstream(params["upstreamRegistryUrl"], params.get("upstreamRegistry"))
    if params.get("credentialArn"):
        raise _secret_not_found()
    if UPSTREAMS[kind][1]:
        # Unverified wording; documented: these upstreams need a credentialArn.
        raise invalid(f"Invalid parameter at 'credentialArn' failed to satisfy constraint: 'A credential ARN is "
                       f"required for upstream registry {kind}'")
    upstream = _upstream_registry(params["upstreamRegistryUrl"])
    cross_account = kind == "ecr" and (upstream is None or upstream[0] != ctx.caller.account_id)
    if cross_account and not params.get("customRoleArn"):
        raise invalid("Invalid parameter at 'customRoleArn' failed to satisfy constraint: 'A custom role ARN is "
                       "required for a cross-account upstream registry ecr'")  # Unverified wording.
    if kind != "ecr" and params.get("upstreamRepositoryPrefix"):
        raise invalid("Invalid parameter at 'upstreamRepositoryPrefix' failed to satisfy constraint: "
                       "'upstreamRepositoryPrefix is only supported for upstream registry ecr'")  # Unverified.
    prefix = params["ecrRepositoryPrefix"]
    if prefix == "ROOT" and params.get("upstreamRepositoryPrefix") not in (None, "ROOT"):
        # ECR User Guide, "Customizing repository prefixes for ECR to ECR pull through cache": "You can set the
        # upstream repository prefix only when the Amazon ECR repository prefix has a non-ROOT value."  Unverified
        # wording.
        raise invalid("Invalid parameter at 'upstreamRepositoryPrefix' failed to satisfy constraint: "
                       "'upstreamRepositoryPrefix can only be set when ecrRepositoryPrefix is not ROOT'")
    check_custom_role(ctx, params.get("customRoleArn"))
    if same_prefix(state.pull_through_rules, prefix) is not None:
        raise ServiceError("PullThroughCacheRuleAlreadyExistsException", "A pull through cache rule with these "
                           "settings already exists for the private registry.")
    if len(state.pull_through_rules) >= MAX_RULES:
        raise ServiceError("LimitExceededException", "The operation did not succeed because it would have exceeded "
                           "a service limit for your account.")
    ensure_service_linked_role(ctx, PULL_THROUGH_CACHE)
    rule = PullThroughCacheRule(prefix, params["upstreamRegistryUrl"], kind, ctx.store.clock.now(),
                                custom_role_arn=params.get("customRoleArn"),
                                upstream_prefix=params.get("upstreamRepositoryPrefix"))
    state.pull_through_rules[prefix] = rule
    out = rule_out(rule, ctx.caller.account_id)
    out.pop("updatedAt")
    return out


@op("ecr", "DescribePullThroughCacheRules", authz=on_registry)
def describe_pull_through_cache_rules(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    prefixes = ctx.params.get("ecrRepositoryPrefixes")
    rules = [_rule(state, prefix) for prefix in prefixes] if prefixes else list(state.pull_through_rules.values())
    page, token = token_page(ctx, rules)
    return {"pullThroughCacheRules": [rule_out(rule, ctx.caller.account_id) for rule in page], "nextToken": token}


@op("ecr", "UpdatePullThroughCacheRule", authz=passing_custom_role(PULL_THROUGH_CACHE))
def update_pull_through_cache_rule(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    rule = _rule(state, ctx.params["ecrRepositoryPrefix"])
    if ctx.params.get("credentialArn"):
        raise _secret_not_found()
    check_custom_role(ctx, ctx.params.get("customRoleArn"))
    if "customRoleArn" in ctx.params:
        rule.custom_role_arn = ctx.params["customRoleArn"]
    rule.updated_at = ctx.store.clock.now()
    return {"ecrRepositoryPrefix": rule.prefix, "registryId": ctx.caller.account_id, "updatedAt": rule.updated_at,
            "credentialArn": rule.credential_arn, "customRoleArn": rule.custom_role_arn,
            "upstreamRepositoryPrefix": rule.upstream_prefix}


@op("ecr", "DeletePullThroughCacheRule", authz=on_registry)
def delete_pull_through_cache_rule(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    rule = _rule(state, ctx.params["ecrRepositoryPrefix"])
    del state.pull_through_rules[rule.prefix]
    out = rule_out(rule, ctx.caller.account_id)
    for key in ("upstreamRegistry", "updatedAt"):
        out.pop(key)
    return out


def _failure(ctx: RequestContext, rule: PullThroughCacheRule) -> str | None:
    """Why ECR could not use the rule's upstream now (``None``: it can)."""
    upstream = _upstream_registry(rule.upstream_url)
    if upstream is None:
        return (f"Unable to reach the upstream registry {rule.upstream_url}: the upstream registry cannot be "
                "reached from this network.")
    if ctx.store.account(upstream[0]) is None or not regions.is_valid(upstream[1]):
        return f"The upstream registry {rule.upstream_url} does not exist."
    return None


@op("ecr", "ValidatePullThroughCacheRule", authz=on_registry)
def validate_pull_through_cache_rule(ctx: RequestContext) -> dict:
    rule = _rule(registry_state(ctx), ctx.params["ecrRepositoryPrefix"])
    failure = _failure(ctx, rule)
    out = {"ecrRepositoryPrefix": rule.prefix, "registryId": ctx.caller.account_id,
           "upstreamRegistryUrl": rule.upstream_url, "credentialArn": rule.credential_arn,
           "customRoleArn": rule.custom_role_arn, "upstreamRepositoryPrefix": rule.upstream_prefix,
           "isValid": failure is None}
    if failure is not None:
        out["failure"] = failure
    return out
