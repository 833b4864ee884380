"""Run by the system ``python3`` of the AWS CLI v2 package, not by the suite's interpreter: every operation of
IAM, STS, ECR and App Runner in the CLI v2's own bundled models (``awscli.botocore``, its fork of botocore),
called once with the smallest input its models accept, through its own serializers, signer and parsers.

Usage: ``python3 cli_v2_sweep.py ENDPOINT_URL``.  Prints one JSON line per operation:
``{"service", "operation", "status", "code", "error"}`` where ``status`` is the HTTP status (0 when no answer was
parsed), ``code`` the parsed error code (``null`` on success) and ``error`` a client-side failure (a response
the CLI could not parse, a refused input) or ``null``.

``python3 cli_v2_sweep.py ENDPOINT_URL pages``: every paginator of the CLI's models whose operation needs no
input, run as the CLI's auto-pagination runs it, up to ``MAX_ITEMS`` items, once with the server's default page
size and once one item a page.  Prints one JSON line per paginator: ``{"service", "operation", "items", "pages",
"same", "error"}`` (``items`` of the result keys, ``pages`` requests of the one-item run, ``same`` whether both runs
returned the same items).
"""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import awscli.clidriver  # first: it makes ``botocore`` name the CLI's own fork (awscli/botocore)
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

SERVICES = ("iam", "sts", "ecr", "apprunner")
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
SAMPLES = {"integer": 1, "long": 1, "boolean": False, "double": 1.0, "float": 1.0, "blob": b"mockrunner",
           "timestamp": datetime(2024, 1, 1, tzinfo=UTC)}
"""A value of each scalar type (strings and lists are built from their constraints)."""


def minimal(shape, depth: int = 0):
    """The smallest value of ``shape`` the CLI's models accept: required members only, lists of one item."""
    kind = shape.type_name
    if kind == "structure":
        return {name: minimal(shape.members[name], depth + 1) for name in shape.required_members}
    if kind == "list":
        return [minimal(shape.member, depth + 1)] if depth < 6 else []
    if kind == "map":
        return {}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        size = min(max(shape.metadata.get("min", 1), 8), shape.metadata.get("max", 2048))
        return ("mockrunner" * (size // 10 + 1))[:size]
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    return SAMPLES[kind]


def xform(client, operation: str) -> str:
    """The client's method name of ``operation``."""
    return {api: name for name, api in client.meta.method_to_api_mapping.items()}[operation]


def outcome(client, operation: str, model) -> dict:
    params = minimal(model.input_shape) if model.input_shape is not None else {}
    method = getattr(client, xform(client, operation))
    try:
        answer = method(**params)
    except ClientError as error:
        return {"status": error.response["ResponseMetadata"].get("HTTPStatusCode", 0),
                "code": error.response["Error"].get("Code"), "error": None}
    except BotoCoreError as error:
        return {"status": 0, "code": None, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"status": answer["ResponseMetadata"]["HTTPStatusCode"], "code": None, "error": None}


MAX_ITEMS = 25


def pages(client, operation: str) -> dict:
    """The paginator of ``operation`` run twice (default pages, one-item pages) up to ``MAX_ITEMS`` items."""
    paginator = client.get_paginator(xform(client, operation))
    try:
        whole = paginator.paginate(PaginationConfig={"MaxItems": MAX_ITEMS}).build_full_result()
        single = list(paginator.paginate(PaginationConfig={"MaxItems": MAX_ITEMS, "PageSize": 1}))
    except (BotoCoreError, ClientError) as error:
        return {"items": 0, "pages": 0, "same": False, "error": f"{type(error).__name__}: {error}"[:300]}
    keys = [key.expression for key in paginator.result_keys]
    merged = {key: [item for page in single for item in page.get(key, [])] for key in keys}
    return {"items": sum(len(whole.get(key, [])) for key in keys), "pages": len(single),
            "same": merged == {key: whole.get(key, []) for key in keys}, "error": None}


def main(endpoint: str, mode: str = "operations") -> None:
    session = awscli.clidriver.create_clidriver().session
    assert "awscli" in sys.modules["botocore"].__file__, sys.modules["botocore"].__file__
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, region_name="us-east-1")
    for service in SERVICES:
        client = session.create_client(service, endpoint_url=endpoint, config=config, **CREDENTIALS)
        model = session.get_service_model(service)
        for operation in model.operation_names:
            operation_model = model.operation_model(operation)
            if mode == "operations":
                found = outcome(client, operation, operation_model)
            elif client.can_paginate(xform(client, operation)) and not minimal(operation_model.input_shape):
                found = pages(client, operation)
            else:
                continue
            print(json.dumps({"service": service, "operation": operation, **found}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
