"""Registry-wide ECR settings: the registry policy, account settings, managed signing, pull time update exclusions,
and a repository's tag mutability.

* The registry policy (Put/Get/DeleteRegistryPolicy) is a resource policy of ``ecr:`` actions (scope V1: only
  ``ecr:ReplicateImage`` and ``ecr:CreateRepository``).  It is read by replication into this registry and, with
  ``REGISTRY_POLICY_SCOPE`` V2 (the default), joins every repository's own policy when another account calls.
* Account settings: ``BASIC_SCAN_TYPE_VERSION`` (AWS_NATIVE | CLAIR, default AWS_NATIVE), ``REGISTRY_POLICY_SCOPE``
  (V1 | V2, default V2), ``BLOB_MOUNTING`` (ENABLED | DISABLED, default DISABLED).
* Managed signing signs with AWS Signer, which this mockrunner does not serve: the configuration is kept, and an
  image pushed to a repository a rule matches gets a signing status FAILED per profile (AWS's own outcome when a
  signing job cannot run), failure code ``SigningProfileNotFound`` (unverified code).
"""
from __future__ import annotations

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.ecr import EcrState, Image, Repository
from mockrunner.model.ecr_policies import registry_policy_problem
from mockrunner.services.ecr import core
from mockrunner.services.ecr.core import (
    invalid,
    on_repository,
    refuse_bad_policy,
    repository_of,
    token_page,
    validate_mutability,
)
from mockrunner.services.ecr.scanning import _image, registry_state
from mockrunner.services.registry import op

ACCOUNT_SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "BASIC_SCAN_TYPE_VERSION": (("AWS_NATIVE", "CLAIR"), "AWS_NATIVE"),
    "REGISTRY_POLICY_SCOPE": (("V1", "V2"), "V2"),
    "BLOB_MOUNTING": (("ENABLED", "DISABLED"), "DISABLED"),
}
"""Setting name -> (accepted values, value of an account that never set it)."""
MAX_PULL_TIME_EXCLUSIONS = 100  # unverified quota


def setting(state: EcrState, name: str) -> str:
    return state.account_settings.get(name, ACCOUNT_SETTINGS[name][1])


# ------------------------------------------------------------------------------------------------ registry policy
def _policy_not_found(ctx: RequestContext) -> ServiceError:
    return ServiceError("RegistryPolicyNotFoundException",
                        f"Registry policy does not exist in the registry with id '{ctx.caller.account_id}'")


@op("ecr", "PutRegistryPolicy")
def put_registry_policy(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    text = ctx.params["policyText"]
    refuse_bad_policy(ctx, text, registry_policy_problem(text, setting(state, "REGISTRY_POLICY_SCOPE")))
    state.registry_policy = text
    return {"registryId": ctx.caller.account_id, "policyText": text}


@op("ecr", "GetRegistryPolicy")
def get_registry_policy(ctx: RequestContext) -> dict:
    text = registry_state(ctx).registry_policy
    if text is None:
        raise _policy_not_found(ctx)
    return {"registryId": ctx.caller.account_id, "policyText": text}


@op("ecr", "DeleteRegistryPolicy")
def delete_registry_policy(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    if state.registry_policy is None:
        raise _policy_not_found(ctx)
    text, state.registry_policy = state.registry_policy, None
    return {"registryId": ctx.caller.account_id, "policyText": text}


# ------------------------------------------------------------------------------------------------ account settings
def _setting_name(name: str) -> str:
    if name not in ACCOUNT_SETTINGS:
        # Unverified wording.
        raise invalid(f"Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value "
                       f"set: [{', '.join(ACCOUNT_SETTINGS)}]'")
    return name


def _account_setting_authz(ctx: RequestContext) -> list[Check]:
    """``ecr:<Operation>`` on ``*`` with ``ecr:AccountSetting``, the setting's name (Service Authorization
    Reference: the key of ecr:GetAccountSetting and ecr:PutAccountSetting)."""
    return [Check(f"ecr:{ctx.operation_name}", "*", {"ecr:AccountSetting": ctx.params["name"]})]


@op("ecr", "GetAccountSetting", authz=_account_setting_authz)
def get_account_setting(ctx: RequestContext) -> dict:
    name = _setting_name(ctx.params["name"])
    return {"name": name, "value": setting(registry_state(ctx), name)}


@op("ecr", "PutAccountSetting", authz=_account_setting_authz)
def put_account_setting(ctx: RequestContext) -> dict:
    name, value = _setting_name(ctx.params["name"]), ctx.params["value"]
    accepted = ACCOUNT_SETTINGS[name][0]
    if value not in accepted:
        # Unverified wording.
        raise invalid(f"Invalid parameter at 'value' failed to satisfy constraint: 'Member must satisfy enum "
                       f"value set: [{', '.join(accepted)}]'")
    registry_state(ctx).account_settings[name] = value
    return {"name": name, "value": value}


# ------------------------------------------------------------------------------------------------ signing
def _signing_not_found(ctx: RequestContext) -> ServiceError:
    """Wording of the exception's description in ECR's API model."""
    return ServiceError("SigningConfigurationNotFoundException", "The specified signing configuration was not "
                        "found. This occurs when attempting to retrieve or delete a signing configuration that does "
                        "not exist.")


@op("ecr", "PutSigningConfiguration")
def put_signing_configuration(ctx: RequestContext) -> dict:
    rules = [{"signingProfileArn": rule["signingProfileArn"],
              **({"repositoryFilters": [dict(f) for f in rule["repositoryFilters"]]}
                 if rule.get("repositoryFilters") else {})}
             for rule in ctx.params["signingConfiguration"]["rules"]]
    registry_state(ctx).signing_rules = rules
    return {"signingConfiguration": {"rules": rules}}


@op("ecr", "GetSigningConfiguration")
def get_signing_configuration(ctx: RequestContext) -> dict:
    rules = registry_state(ctx).signing_rules
    if rules is None:
        raise _signing_not_found(ctx)
    return {"registryId": ctx.caller.account_id, "signingConfiguration": {"rules": rules}}


@op("ecr", "DeleteSigningConfiguration")
def delete_signing_configuration(ctx: RequestContext) -> dict:
    state = registry_state(ctx)
    if state.signing_rules is None:
        raise _signing_not_found(ctx)
    rules, state.signing_rules = state.signing_rules, None
    return {"registryId": ctx.caller.account_id, "signingConfiguration": {"rules": rules}}


def sign_on_push(ctx: RequestContext, repo: Repository, image: Image, tag: str | None) -> None:
    rules = ctx.store.account(repo.registry_id).region(repo.region).ecr.signing_rules or []
    profiles = [rule["signingProfileArn"] for rule in rules
                if not rule.get("repositoryFilters")
                or any(core.matches_wildcard(f["filter"], repo.name) for f in rule["repositoryFilters"])]
    image.signing = [{"signingProfileArn": arn, "status": "FAILED", "failureCode": "SigningProfileNotFound",
                      "failureReason": "AWS Signer is not available in mockrunner: the signing profile could not "
                                       "be used."} for arn in dict.fromkeys(profiles)]


core.PUSH_HOOKS.append(sign_on_push)


@op("ecr", "DescribeImageSigningStatus", authz=on_repository("ecr:DescribeImageSigningStatus"))
def describe_image_signing_status(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    image = _image(ctx, repo)
    return {"repositoryName": repo.name, "registryId": repo.registry_id,
            "imageId": {"imageDigest": image.digest, "imageTag": ctx.params["imageId"].get("imageTag")},
            "signingStatuses": [dict(status) for status in image.signing]}


# ------------------------------------------------------------------------------------------------ pull time
@op("ecr", "RegisterPullTimeUpdateExclusion")
def register_pull_time_update_exclusion(ctx: RequestContext) -> dict:
    state, arn = registry_state(ctx), ctx.params["principalArn"]
    if arn in state.pull_time_exclusions:
        raise ServiceError("ExclusionAlreadyExistsException", "The specified pull time update exclusion already "
                           "exists for the registry.")
    if not arn.startswith("arn:aws:iam::") or not (":user/" in arn or ":role/" in arn):
        # Unverified wording; the documentation names IAM principals (users and roles).
        raise invalid("Invalid parameter at 'principalArn' failed to satisfy constraint: 'Invalid IAM principal "
                       "ARN'")
    if len(state.pull_time_exclusions) >= MAX_PULL_TIME_EXCLUSIONS:
        raise ServiceError("LimitExceededException", "The operation did not succeed because it would have exceeded "
                           "a service limit for your account.")
    now = ctx.store.clock.now()
    state.pull_time_exclusions[arn] = now
    return {"principalArn": arn, "createdAt": now}


@op("ecr", "DeregisterPullTimeUpdateExclusion")
def deregister_pull_time_update_exclusion(ctx: RequestContext) -> dict:
    state, arn = registry_state(ctx), ctx.params["principalArn"]
    if state.pull_time_exclusions.pop(arn, None) is None:
        raise ServiceError("ExclusionNotFoundException", "The specified pull time update exclusion was not found.")
    return {"principalArn": arn}


@op("ecr", "ListPullTimeUpdateExclusions")
def list_pull_time_update_exclusions(ctx: RequestContext) -> dict:
    arns = list(registry_state(ctx).pull_time_exclusions)
    page, token = token_page(ctx, arns)
    return {"pullTimeUpdateExclusions": page, "nextToken": token}


# ------------------------------------------------------------------------------------------------ tag mutability
@op("ecr", "PutImageTagMutability", authz=on_repository("ecr:PutImageTagMutability"))
def put_image_tag_mutability(ctx: RequestContext) -> dict:
    repo = repository_of(ctx)
    mode = ctx.params["imageTagMutability"]
    filters = ctx.params.get("imageTagMutabilityExclusionFilters") or []
    validate_mutability(mode, filters)
    repo.image_tag_mutability, repo.mutability_exclusion_filters = mode, [dict(f) for f in filters]
    out = {"registryId": repo.registry_id, "repositoryName": repo.name, "imageTagMutability": mode}
    if filters:
        out["imageTagMutabilityExclusionFilters"] = [dict(f) for f in filters]
    return out
