"""App Runner ARNs, ids and URLs: how they are built and taken apart.

Formats (docs/behaviour.md, "App Runner: ARNs and names"): ``service/<name>/<32hex>``, ``connection/<name>/<32hex>``,
``autoscalingconfiguration/<name>/<rev>/<32hex>``, ``observabilityconfiguration/<name>/<rev>/<32hex>``,
``vpcconnector/<name>/<rev>/<32hex>``, ``vpcingressconnection/<name>/<32hex>``.
"""
from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass

_ARN = re.compile(r"^arn:aws(?:-[\w]+)*:apprunner:([a-z0-9-]+):(\d{12}):([a-z]+)/(.+)\Z")
_URL_ALPHABET = string.ascii_lowercase + string.digits

#: resource type in the ARN -> AppRunnerState attribute holding that kind of resource.
COLLECTIONS = {
    "service": "services",
    "connection": "connections",
    "autoscalingconfiguration": "auto_scaling_configurations",
    "observabilityconfiguration": "observability_configurations",
    "vpcconnector": "vpc_connectors",
    "vpcingressconnection": "vpc_ingress_connections",
}


@dataclass(frozen=True)
class ParsedArn:
    region: str
    account: str
    resource_type: str
    parts: tuple[str, ...]
    """The path segments after the resource type (``name``, ``name/rev``, ``name/rev/id``, ``name/id``)."""


def parse(arn: str) -> ParsedArn | None:
    """Split an App Runner ARN; ``None`` when ``arn`` is not one (of any resource type we know)."""
    match = _ARN.match(arn or "")
    if match is None or match.group(3) not in COLLECTIONS:
        return None
    parts = tuple(match.group(4).split("/"))
    if any(part == "" for part in parts):
        return None
    return ParsedArn(match.group(1), match.group(2), match.group(3), parts)


def build(region: str, account: str, resource_type: str, *parts: object) -> str:
    return f"arn:aws:apprunner:{region}:{account}:{resource_type}/" + "/".join(str(part) for part in parts)


def new_id() -> str:
    """App Runner resource ids: 32 lowercase hex digits, no dashes."""
    return uuid.uuid4().hex


def new_operation_id() -> str:
    """Operation ids are dashed UUIDs (36 characters)."""
    return str(uuid.uuid4())


def new_service_url(region: str) -> str:
    """``<10 lowercase alphanumerics>.<region>.awsapprunner.com``, no scheme."""
    prefix = "".join(secrets.choice(_URL_ALPHABET) for _ in range(10))
    return f"{prefix}.{region}.awsapprunner.com"


def random_label(length: int) -> str:
    return "".join(secrets.choice(_URL_ALPHABET) for _ in range(length))
