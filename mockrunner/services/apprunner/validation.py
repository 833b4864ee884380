"""Validation App Runner does that its model cannot express, and the defaults it fills in.

Each function checks one request member and returns its normalised, defaults-filled form (as App Runner
returns it from DescribeService) or raises ``InvalidRequestException``.  Nothing here mutates state.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mockrunner.model.apprunner import AppRunnerState
from mockrunner.services.apprunner.errors import invalid
from mockrunner.services.apprunner.lookup import find, resolve_revision

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

# ------------------------------------------------------------------------------------------------ tags
_TAG_KEY_MAX, _TAG_VALUE_MAX = 128, 256


def tag_pairs(given: Iterable[Mapping[str, str]] | None, limit: int) -> list[tuple[str, str]]:
    """``(key, value)`` of each tag, checked one by one (keys 1–128, not ``aws:``; values 0–256).

    The model's ``Tag`` shape marks neither member required, so ``{"Value": "x"}`` reaches us: a tag without a
    Key (or without a Value) is refused here, before the authorization context is built from the tags.
    Requiring Value is a choice (unverified for App Runner; every AWS tagging API we know requires both).

    More than ``limit`` distinct keys (the tags a resource may have) is refused as soon as the one past it is
    read: no request carrying them could succeed, and the model sets no bound on ``TagList``, so a body of a
    million tags was otherwise read whole and made an authorization context of a million keys under the store
    lock (3.5 s, while every other request waited).
    """
    pairs: list[tuple[str, str]] = []
    keys: set[str] = set()
    for tag in given or ():
        key, value = tag.get("Key"), tag.get("Value")
        if key is None or value is None:
            raise invalid("A tag must have both a Key and a Value.")  # unverified wording
        if not 1 <= len(key) <= _TAG_KEY_MAX or key.lower().startswith("aws:"):
            raise invalid(f"The tag key '{key}' isn't valid. Tag keys must be 1–128 characters long and can't "
                          "start with 'aws:'.")  # unverified wording
        if len(value) > _TAG_VALUE_MAX:
            raise invalid(f"The value of tag '{key}' isn't valid. Tag values can be up to 256 characters long.")
        keys.add(key)
        if len(keys) > limit:
            raise too_many_tags(limit)
        pairs.append((key, value))
    return pairs


def too_many_tags(limit: int) -> Exception:
    return invalid(f"A resource can have at most {limit} tags.")  # unverified wording


def tags(ctx: "RequestContext", given: Iterable[Mapping[str, str]] | None, existing: Mapping[str, str] | None = None
         ) -> dict[str, str]:
    """The resource's tags after applying ``given`` (each valid per :func:`tag_pairs`; at most 50 in all)."""
    limit = ctx.store.settings.quotas.apprunner_max_tags
    result = dict(existing or {})
    result.update(tag_pairs(given, limit))
    if len(result) > limit:
        raise too_many_tags(limit)
    return result


# ------------------------------------------------------------------------------------------- instance
#: "App Runner API always returns the amount in multiples of 1024 units / in MB"
#: (docs/behaviour.md, "App Runner: CPU and memory").
_CPU = {"256": "256", "512": "512", "1024": "1024", "2048": "2048", "4096": "4096",
        "0.25 vCPU": "256", "0.5 vCPU": "512", "1 vCPU": "1024", "2 vCPU": "2048", "4 vCPU": "4096"}
_MEMORY = {str(mb): str(mb) for mb in (512, 1024, 2048, 3072, 4096, 6144, 8192, 10240, 12288)}
_MEMORY.update({f"{gb} GB": str(int(float(gb) * 1024)) for gb in ("0.5", "1", "2", "3", "4", "6", "8", "10", "12")})
#: Valid CPU -> memory pairs: those AWS's CDK reference names for App Runner's memory sizes
#: (docs/behaviour.md, "App Runner: CPU and memory"); the refusal's wording is unverified.
PAIRS = {"256": ("512", "1024"), "512": ("1024",), "1024": ("2048", "3072", "4096"), "2048": ("4096", "6144"),
         "4096": ("8192", "10240", "12288")}
DEFAULT_CPU, DEFAULT_MEMORY = "1024", "2048"


def instance(given: Mapping[str, Any] | None, previous: Mapping[str, Any] | None = None) -> dict:
    """Cpu/Memory normalised and paired; omitted members keep their previous (or default) values.

    When only one of Cpu/Memory is given on create, the other is the smallest size that pairs with it
    (unverified: AWS documents the defaults 1 vCPU / 2 GB only for the case where both are omitted).
    """
    given = dict(given or {})
    result = dict(previous or {})
    for member, table in (("Cpu", _CPU), ("Memory", _MEMORY)):
        if member in given:
            value = table.get(given[member])
            if value is None:
                raise invalid(f"The {member.lower()} value '{given[member]}' isn't valid.")
            result[member] = value
    if "Cpu" not in result and "Memory" not in result:
        result["Cpu"], result["Memory"] = DEFAULT_CPU, DEFAULT_MEMORY
    elif "Memory" not in result:
        result["Memory"] = PAIRS[result["Cpu"]][0]
    elif "Cpu" not in result:
        result["Cpu"] = next(cpu for cpu, memories in PAIRS.items() if result["Memory"] in memories) \
            if any(result["Memory"] in memories for memories in PAIRS.values()) else DEFAULT_CPU
    if result["Memory"] not in PAIRS[result["Cpu"]]:
        raise invalid(f"The combination of Cpu '{result['Cpu']}' and Memory '{result['Memory']}' isn't supported. "
                      "Choose a supported combination.")  # unverified wording
    if "InstanceRoleArn" in given:
        result["InstanceRoleArn"] = given["InstanceRoleArn"]
    return {key: result[key] for key in ("Cpu", "Memory", "InstanceRoleArn") if key in result}


# ---------------------------------------------------------------------------------------- health check
#: As real responses show them, not the model's 5 / 2 (docs/behaviour.md, "App Runner: configuration values").
HEALTH_CHECK_DEFAULTS = {"Protocol": "TCP", "Path": "/", "Interval": 10, "Timeout": 5, "HealthyThreshold": 1,
                         "UnhealthyThreshold": 5}


def health_check(given: Mapping[str, Any] | None, previous: Mapping[str, Any] | None = None) -> dict:
    result = dict(previous or HEALTH_CHECK_DEFAULTS)
    result.update(given or {})
    for member in ("Interval", "Timeout", "HealthyThreshold", "UnhealthyThreshold"):
        if not 1 <= result[member] <= 20:
            raise invalid(f"1 validation error detected: Value '{result[member]}' at "
                          f"'healthCheckConfiguration.{member[0].lower() + member[1:]}' failed to satisfy "
                          "constraint: Member must have value between 1 and 20")
    return result


# --------------------------------------------------------------------------------------------- source
_ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                        r"[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w.+=:/@-]+|@[\w:]+)?\Z")
_ECR_PUBLIC_IMAGE = re.compile(r"^public\.ecr\.aws/[^/]+/[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w.+=:/@-]+|@[\w:]+)?\Z")
ECR_PUBLIC_AUTO_DEPLOY = ("App Runner doesn't support automatic deployments for an image in an ECR Public "
                          "repository.")


def source(ctx: "RequestContext", state: AppRunnerState, given: Mapping[str, Any],
           previous: Mapping[str, Any] | None = None) -> dict:
    """Exactly one repository; image identifier matching its type; roles / connection where required.

    On update (``previous`` set) the repository kind and the image repository type cannot change, and omitted
    AuthenticationConfiguration, AutoDeploymentsEnabled and CodeConfiguration keep their previous values.
    """
    result = copy.deepcopy(dict(given))
    code, image = result.get("CodeRepository"), result.get("ImageRepository")
    if (code is None) == (image is None):
        raise invalid("You must specify exactly one of CodeRepository or ImageRepository in "
                      "SourceConfiguration.")  # unverified wording
    if previous is not None:
        kind = "CodeRepository" if code is not None else "ImageRepository"
        if kind not in previous:
            raise invalid("You can't change the source repository type of a service between a code repository "
                          "and an image repository.")  # unverified wording
        if image is not None and image.get("ImageRepositoryType") != previous[kind].get("ImageRepositoryType"):
            # AWS's answer for ECR_PUBLIC <-> ECR, quoted in a public project's troubleshooting notes.
            raise invalid("The image repository type cannot be changed in UpdateService request")
        for member in ("AuthenticationConfiguration", "AutoDeploymentsEnabled"):
            if member not in result and member in previous:
                result[member] = copy.deepcopy(previous[member])
        if code is not None and "CodeConfiguration" not in code and "CodeConfiguration" in previous[kind]:
            code["CodeConfiguration"] = copy.deepcopy(previous[kind]["CodeConfiguration"])
    authentication = result.get("AuthenticationConfiguration") or {}
    if image is not None:
        _image(ctx, result, image, authentication)
    else:
        _code(ctx, state, result, code, authentication)
    return result


def _image(ctx: "RequestContext", result: dict, image: dict, authentication: Mapping[str, Any]) -> None:
    identifier, kind = image["ImageIdentifier"], image["ImageRepositoryType"]
    if kind == "ECR":
        match = _ECR_IMAGE.match(identifier)
        if match is None:
            raise invalid(f"The image identifier '{identifier}' isn't a valid Amazon ECR image identifier. "
                          "Use the format <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest].")
        if not authentication.get("AccessRoleArn"):
            raise invalid("Authentication configuration is invalid: an access role ARN is required for an ECR "
                          "image repository.")  # unverified wording; model: "required for ECR image repositories"
        same_account = match.group(1) == ctx.account.id
    elif kind == "ECR_PUBLIC":
        if _ECR_PUBLIC_IMAGE.match(identifier) is None:
            raise invalid(f"The image identifier '{identifier}' isn't a valid Amazon ECR Public image identifier. "
                          "Use the format public.ecr.aws/<alias>/<repository>[:tag|@digest].")
        if result.get("AutoDeploymentsEnabled"):
            raise invalid(ECR_PUBLIC_AUTO_DEPLOY)
        same_account = False
    else:
        raise invalid(f"The image repository type '{kind}' isn't valid.")
    if result.get("AutoDeploymentsEnabled") and not same_account:
        # roadmap#170 shows this is refused for cross-account ECR; the exact wording is unverified.
        raise invalid("App Runner doesn't support automatic deployments for an image in an ECR repository that "
                      "belongs to another account.")
    result.setdefault("AutoDeploymentsEnabled", same_account)
    configuration = image.setdefault("ImageConfiguration", {})
    _environment(configuration)
    configuration.setdefault("Port", "8080")


def _code(ctx: "RequestContext", state: AppRunnerState, result: dict, code: dict,
          authentication: Mapping[str, Any]) -> None:
    connection_arn = authentication.get("ConnectionArn")
    if connection_arn is None:  # an empty ARN is a given one, refused below as invalid (protocol SERVICE_CHECKED)
        raise invalid("Authentication configuration is invalid: a connection ARN is required for a code "
                      "repository.")  # unverified wording; model: "required for GitHub code repositories"
    connection = find(state, ctx, connection_arn, "connection")
    if connection is None:
        raise invalid(f"The connection ARN you specified isn't valid. ARN: '{connection_arn}'")
    if connection.status != "AVAILABLE":
        raise invalid(f"The connection {connection.name} isn't in AVAILABLE status. Complete the handshake "
                      "before using it.")  # unverified wording
    version = code["SourceCodeVersion"]
    if version.get("Type") != "BRANCH":
        raise invalid(f"The source code version type '{version.get('Type')}' isn't valid.")
    configuration = code.get("CodeConfiguration")
    if configuration is None:
        raise invalid("CodeConfiguration is required for a code repository when creating a service.")
    if configuration["ConfigurationSource"] == "API":
        values = configuration.get("CodeConfigurationValues")
        if values is None:
            raise invalid("CodeConfigurationValues is required when ConfigurationSource is API.")
        _environment(values)
        values.setdefault("Port", "8080")
    else:
        # REPOSITORY: settings come from apprunner.yaml; no values are returned
        # (docs/behaviour.md, "App Runner: configuration values").
        configuration.pop("CodeConfigurationValues", None)
    result.setdefault("AutoDeploymentsEnabled", True)


_RESERVED_ENVIRONMENT_PREFIX, _RESERVED_ENVIRONMENT_NAMES = "AWSAPPRUNNER", frozenset({"PORT"})


def _environment(configuration: Mapping[str, Any]) -> None:
    """Refuse environment variable and secret names App Runner keeps for itself: ``PORT`` and any name beginning
    with ``AWSAPPRUNNER``, case-sensitive as environment names are
    (docs/behaviour.md, "App Runner: source configuration and roles")."""
    for member, kind in (("RuntimeEnvironmentVariables", "variable"), ("RuntimeEnvironmentSecrets", "secret")):
        for name in configuration.get(member) or {}:
            if name.startswith(_RESERVED_ENVIRONMENT_PREFIX):
                raise invalid(f"Environment {kind} name {name} isn't valid. Names with a prefix of AWSAPPRUNNER "
                              "are reserved for system use.")  # unverified wording
            if name in _RESERVED_ENVIRONMENT_NAMES:
                raise invalid(f"Environment {kind} name {name} isn't valid. {name} is a reserved environment "
                              "variable of App Runner services.")  # unverified wording


def secrets_have_instance_role(source: Mapping[str, Any], instance: Mapping[str, Any]) -> None:
    """Refuse runtime secrets without an instance role to read them with: AWS's answer, quoted in
    terraform-aws-modules/terraform-aws-app-runner#5 for CreateService and in public reports of UpdateService
    (docs/behaviour.md, "Hostile input: forty-eighth pass")."""
    image = (source.get("ImageRepository") or {}).get("ImageConfiguration") or {}
    code = ((source.get("CodeRepository") or {}).get("CodeConfiguration") or {}).get("CodeConfigurationValues") or {}
    if (image.get("RuntimeEnvironmentSecrets") or code.get("RuntimeEnvironmentSecrets")) \
            and not instance.get("InstanceRoleArn"):
        raise invalid("Instance Role have to be provided if passing in RuntimeEnvironmentSecrets.")


# -------------------------------------------------------------------------------------------- network
def network(ctx: "RequestContext", state: AppRunnerState, given: Mapping[str, Any] | None,
            previous: Mapping[str, Any] | None = None) -> dict:
    result = copy.deepcopy(dict(previous or {
        "EgressConfiguration": {"EgressType": "DEFAULT"},
        "IngressConfiguration": {"IsPubliclyAccessible": True},
        "IpAddressType": "IPV4",
    }))
    given = given or {}
    if "EgressConfiguration" in given:
        result["EgressConfiguration"] = dict(given["EgressConfiguration"])
        result["EgressConfiguration"].setdefault("EgressType", "DEFAULT")
    if "IngressConfiguration" in given:
        result["IngressConfiguration"] = {"IsPubliclyAccessible": True, **given["IngressConfiguration"]}
    if "IpAddressType" in given:
        result["IpAddressType"] = given["IpAddressType"]
    if not result["IngressConfiguration"]["IsPubliclyAccessible"]:
        # "Only IPv4 is supported for Private endpoint. If you update a service that's using dual-stack Public
        # endpoint to a Private endpoint, your App Runner service will default to support only IPv4" (CloudFormation's
        # IpAddressType docs; see docs/behaviour.md, "App Runner: network configuration").
        result["IpAddressType"] = "IPV4"
    egress = result["EgressConfiguration"]
    connector_arn = egress.get("VpcConnectorArn")
    if egress["EgressType"] == "VPC":
        if connector_arn is None:  # empty: refused below as invalid, like any unknown ARN
            raise invalid("A VPC connector ARN is required when EgressType is VPC.")  # unverified wording
        connector = find(state, ctx, connector_arn, "vpcconnector")
        if connector is None or connector.status != "ACTIVE":
            raise invalid(f"The VPC connector ARN you specified isn't valid. ARN: '{connector_arn}'")
    elif connector_arn is not None:
        raise invalid("VpcConnectorArn is only valid when EgressType is VPC.")  # unverified wording
    return result


# ------------------------------------------------------------------------------------ configurations
def asc_arn_message(arn: str) -> str:
    """Quoted from a real answer
    (awslabs/amazon-app-runner-deploy#36; docs/behaviour.md, "App Runner: ARNs and names")."""
    return f"The auto scaling configuration ARN you specified isn't valid. ARN: '{arn}'"


def auto_scaling(ctx: "RequestContext", state: AppRunnerState, arn: str | None) -> str:
    """The full ARN of the (ACTIVE) configuration a service will use; the account default when omitted."""
    if arn is None:
        return next(item.arn for item in state.auto_scaling_configurations.values() if item.is_default)
    configuration = resolve_revision(state, ctx, arn, "autoscalingconfiguration")
    if configuration is None or configuration.status != "ACTIVE":
        raise invalid(asc_arn_message(arn))
    return configuration.arn


def observability(ctx: "RequestContext", state: AppRunnerState, given: Mapping[str, Any] | None) -> dict | None:
    """``{ObservabilityEnabled, ObservabilityConfigurationArn}`` with the ARN resolved; ARN only when enabled."""
    if given is None:
        return None
    if not given["ObservabilityEnabled"]:
        return {"ObservabilityEnabled": False}
    arn = given.get("ObservabilityConfigurationArn")
    if arn is None:  # empty: refused below as invalid, like the auto scaling configuration ARN
        raise invalid("An observability configuration ARN is required when observability is "
                      "enabled.")  # unverified wording
    configuration = resolve_revision(state, ctx, arn, "observabilityconfiguration")
    if configuration is None or configuration.status != "ACTIVE":
        raise invalid(f"The observability configuration ARN you specified isn't valid. ARN: '{arn}'")
    return {"ObservabilityEnabled": True, "ObservabilityConfigurationArn": configuration.arn}
