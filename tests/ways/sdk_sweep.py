"""What the every-operation sweeps of other SDKs share (``test_js_sdk_every_operation.py``, the Go SDK sweeps of
``go_sdk_sweep.py``): one call per operation of the four services with botocore's outcome of it,
and the deep comparison of another SDK's output with botocore's.

The input of each operation is the robustness generator's valid input (``tests/robustness/generate.py``) against
the populated world (``js_sdk_world.py``); botocore calls the world in-process, restored before each call.  Values
travel as JSON: a timestamp as ``{"$date": EPOCH_MS}``, a blob as ``{"$blob": BASE64}``.
"""
from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from mockrunner.protocol import specs
from tests.robustness.fuzzing import alice_keys
from tests.robustness.generate import Generator
from tests.robustness.world import World


def wire(value: Any) -> Any:
    """A botocore value in the JSON form the SDK drivers read and write (dates to the millisecond)."""
    if isinstance(value, datetime):
        return {"$date": round(value.timestamp() * 1000)}
    if isinstance(value, (bytes, bytearray)):
        return {"$blob": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wire(item) for item in value]
    return value


PAGE_TOKENS = frozenset({"Marker", "NextToken", "nextToken"})
"""Members no valid first call carries (a page token comes from a previous page)."""
AS_ALICE = frozenset({("sts", "AssumeRole"), ("iam", "ListUsers"), ("ecr", "DeleteRepository")})
"""Operations called as the IAM user ``alice`` (the root may not assume roles; the others are denied to her)."""
SEEDS = 8
"""Generated inputs tried per operation: the first that botocore's call succeeds with is used."""
MESSAGES = ("message", "Message")

BOTO3_ONLY = {"iam-toolbox": "IAM Toolbox (Preview) came with botocore 1.44; the pinned SDK clients, their drivers and "
                              "the CLI v2 predate it (tests/iam/test_access_troubleshooter.py drives it with boto3)"}
SDK_SERVICES = tuple(service for service in specs.SERVICES if service not in BOTO3_ONLY)
"""The served services the other SDKs' sweeps call (the four their clients and drivers load)."""

Adapt = Callable[[str, str, dict], dict]
"""(service, operation, generated params) -> the params to call with (an SDK may lack some members)."""


def calls(world: World, operations: Callable[[str, str], bool] = lambda service, name: True,
          adapt: Adapt = lambda service, name, params: params) -> tuple[list[dict], list[dict]]:
    """One call per operation of the four models (those ``operations`` keeps) and botocore's outcome of it."""
    chosen, outcomes = [], []
    for service in SDK_SERVICES:
        model = specs.service_model(service)
        for name in filter(lambda name: operations(service, name), model.operation_names):
            shape = model.operation_model(name).input_shape
            tried = []
            caller = alice(world) if (service, name) in AS_ALICE else None
            for seed in range(SEEDS if shape is not None else 1):
                generator = Generator(random.Random(f"js-sdk.{service}.{name}.{seed}"), world.vocabulary)
                params = generator.structure(shape, 0) if shape is not None else {}
                params = adapt(service, name, {key: value for key, value in params.items()
                                               if key not in PAGE_TOKENS})
                call = {"service": service, "operation": name, "caller": caller, "input": params}
                tried.append((call, botocore(world, call)))
                if tried[-1][1]["ok"]:
                    break
            call, outcome = next((item for item in tried if item[1]["ok"]), tried[0])
            chosen.append(call)
            outcomes.append(outcome)
    return chosen, outcomes


def without_members(service: str, shape: Any, value: Any, lacking: Collection[str]) -> Any:
    """``value`` (of botocore's ``shape``) without the members named ``service.Shape.member`` in ``lacking``."""
    if shape is None:
        return value
    if shape.type_name == "list" and isinstance(value, list):
        return [without_members(service, shape.member, item, lacking) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: without_members(service, shape.value, item, lacking) for key, item in value.items()}
    if shape.type_name != "structure" or not isinstance(value, dict) or "$date" in value or "$blob" in value:
        return value
    return {key: without_members(service, shape.members.get(key), item, lacking) for key, item in value.items()
            if f"{service}.{shape.name}.{key}" not in lacking}


def alice(world: World) -> dict:
    key_id, secret = alice_keys(world)
    return {"accessKeyId": key_id, "secretAccessKey": secret}


def botocore(world: World, call: dict, ahead: float = 0) -> dict:
    """botocore's outcome of ``call`` against the pristine world (its clock ``ahead`` seconds further):
    ``{"ok": True, "output", "status"}`` or ``{"ok": False, "code", "message", "status", "members"}``
    (``"invalid"`` when botocore refused the input)."""
    world.restore()
    if ahead:
        world.store.clock.advance(ahead)
    return botocore_call(world.harness, call)


TWIN_LATER = 2
"""Seconds the world's clock is ahead for :func:`twin`: at least one whole second (answers give seconds)."""


def twin(world: World, call: dict) -> dict:
    """:func:`botocore`'s outcome of ``call`` again, against the pristine world with its clock :data:`TWIN_LATER`
    seconds ahead: what differs from the first outcome (ids, times) varies from call to call and is not compared.
    The clock is moved because both passes can fall within one second (then times would look fixed)."""
    return botocore(world, call, TWIN_LATER)


_UNSIGNED = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})


def botocore_call(harness: Any, call: dict) -> dict:
    """botocore's outcome of ``call`` against ``harness`` as it is (:func:`botocore`'s forms), signed with the
    caller's keys (``None``: the root's; ``False``: unsigned)."""
    caller = call["caller"] or {"accessKeyId": "test", "secretAccessKey": "test"}
    config = {"config": _UNSIGNED} if call["caller"] is False else {}
    client = harness.reused_client(call["service"], access_key=caller["accessKeyId"],
                                   secret=caller["secretAccessKey"], token=caller.get("sessionToken"), **config)
    method = getattr(client, _method(client, call["operation"]))
    try:
        output = method(**call["input"])
    except ParamValidationError as error:
        return {"ok": False, "code": "ParamValidationError", "status": 0, "invalid": str(error)}
    except ClientError as error:
        members = {key: value for key, value in error.response.items() if key not in ("Error", "ResponseMetadata")}
        return {"ok": False, "code": error.response["Error"]["Code"], "message": error.response["Error"].get("Message"),
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"], "members": wire(members)}
    status = output.pop("ResponseMetadata")["HTTPStatusCode"]
    return {"ok": True, "output": wire(output), "status": status}


def _method(client: Any, operation: str) -> str:
    return {api: method for method, api in client.meta.method_to_api_mapping.items()}[operation]


def invalid_inputs(chosen: list[dict], outcomes: list[dict]) -> list[str]:
    """The calls whose generated input botocore refused (a generator bug: the sweep compares valid inputs)."""
    return [f"{call['service']}.{call['operation']}: {outcome['invalid']}"
            for call, outcome in zip(chosen, outcomes, strict=True) if "invalid" in outcome]


def changed(outcome: dict, **changes: Any) -> dict:
    """``outcome`` with some of its fields replaced (the comparisons' self-tests build their cases so)."""
    return {**outcome, **changes}


def envelope_problems(botocore: dict, outcome: dict, sdk: str, request_id: str) -> tuple[bool, list[str]]:
    """How the ``sdk``'s ``outcome`` differs from botocore's in what every outcome has, and whether that is final:
    success against failure (final), no request id (named ``request_id`` in the SDK), another HTTP status."""
    if botocore["ok"] != outcome["ok"]:
        what = "succeeded" if botocore["ok"] else f"failed with {botocore['code']} ({botocore['status']})"
        return True, [f"botocore {what}, {sdk} {'succeeded' if outcome['ok'] else 'failed'}: {outcome}"[:600]]
    problems = [] if outcome.get("requestId") else [f"no {request_id}"]
    if outcome.get("status") != botocore["status"]:
        problems.append(f"HTTP status: botocore {botocore['status']}, {sdk} {outcome.get('status')}")
    return False, problems


def differences(expected: Any, twin: Any, actual: Any, sdk: str, path: str = "") -> list[str]:
    """Where ``actual`` (the ``sdk``'s output) differs from ``expected`` (botocore's), ignoring what differs from
    ``twin`` (a second botocore call against the same world: generated ids and dates)."""
    if isinstance(expected, dict) and isinstance(actual, str) and actual.startswith("%7B"):
        actual = json.loads(unquote(actual))  # botocore alone decodes IAM's URL-encoded policy documents
    if isinstance(expected, dict) and "$date" in expected:
        if not (isinstance(actual, dict) and "$date" in actual):
            return [f"{path}: a timestamp, {sdk} has {actual!r:.80}"]
        same = expected == twin and abs(expected["$date"] - actual["$date"]) > 1
        return [f"{path}: {expected} != {actual}"] if same else []
    if isinstance(expected, dict) and isinstance(actual, dict) and "$blob" not in expected:
        found = [f"{path}.{key}: {'only botocore' if key in expected else f'only {sdk}'} has it"
                 for key in sorted(set(expected) ^ set(actual))]
        for key in sorted(set(expected) & set(actual)):
            other = twin.get(key) if isinstance(twin, dict) else None
            found += differences(expected[key], other, actual[key], sdk, f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        twins = twin if isinstance(twin, list) and len(twin) == len(expected) else [None] * len(expected)
        return [found for index, (item, other, got) in enumerate(zip(expected, twins, actual, strict=True))
                for found in differences(item, other, got, sdk, f"{path}[{index}]")]
    if expected == actual or (expected != twin and type(expected) is type(actual)):
        return []
    return [f"{path}: botocore {expected!r:.80}, {sdk} {actual!r:.80}"]


def error_shapes(service: str, operation: str | None = None) -> dict[str, Any]:
    """Modeled error code -> its error shape (whose name is the exception class or type an SDK raises), of the
    service or, given, of one of its operations."""
    model = specs.service_model(service)
    shapes = model.operation_model(operation).error_shapes if operation else model.error_shapes
    return {shape.metadata.get("error", {}).get("code", shape.name): shape for shape in shapes}
