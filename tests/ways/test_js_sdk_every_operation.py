"""Every operation of the four services, called once with botocore and once with the AWS SDK for JavaScript v3,
against the same populated world: both must agree.

The input of each operation is the robustness generator's valid input (``tests/robustness/generate.py``) against
the populated world (``tests/robustness/world.py``).  botocore calls the world in-process, restored before each
call; the JavaScript SDK (one node process, ``js_sdk/every_operation.mjs``) calls a real HTTP server whose state
is replaced by the same pristine world before each call.  Outcomes agree when both succeed with the same output
(every member, deeply: values generated per call, such as new ids and creation dates, are ignored where two
botocore calls already differ), timestamps parsed into ``Date`` and blobs into ``Uint8Array``; or both fail with
the same HTTP status and error code, the JavaScript SDK raising the modeled exception class for modeled errors
(never a deserialization error or an unnamed ``ServiceException``) with ``$fault`` and ``$metadata.requestId``.

The clients and how they are installed: ``js_sdk_clients.py``.
"""
from __future__ import annotations

import base64
import json
import random
import subprocess
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.server import ThreadedServer
from tests.robustness.fuzzing import alice_keys
from tests.robustness.generate import Generator
from tests.robustness.world import World
from tests.ways.js_sdk_clients import NODE, installed_clients
from tests.ways.js_sdk_world import build_full_world

EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {}
"""(service, operation) -> why the JavaScript SDK's outcome differs from botocore's while mockrunner is right."""


def _wire(value: Any) -> Any:
    """A botocore value in the form the node script writes JavaScript values (dates to the millisecond)."""
    if isinstance(value, datetime):
        return {"$date": round(value.timestamp() * 1000)}
    if isinstance(value, (bytes, bytearray)):
        return {"$blob": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value


PAGE_TOKENS = frozenset({"Marker", "NextToken", "nextToken"})
"""Members no valid first call carries (a page token comes from a previous page)."""
AS_ALICE = frozenset({("sts", "AssumeRole"), ("iam", "ListUsers"), ("ecr", "DeleteRepository")})
"""Operations called as the IAM user ``alice`` (the root may not assume roles; the others are denied to her)."""
SEEDS = 8
"""Generated inputs tried per operation: the first that botocore's call succeeds with is used."""


def _calls(world: World) -> tuple[list[dict], list[dict]]:
    """One call per operation of the four models and botocore's outcome of it."""
    calls, outcomes = [], []
    for service in specs.SERVICES:
        model = specs.service_model(service)
        for name in model.operation_names:
            shape = model.operation_model(name).input_shape
            tried = []
            caller = _alice(world) if (service, name) in AS_ALICE else None
            for seed in range(SEEDS if shape is not None else 1):
                generator = Generator(random.Random(f"js-sdk.{service}.{name}.{seed}"), world.vocabulary)
                params = generator.structure(shape, 0) if shape is not None else {}
                call = {"service": service, "operation": name, "caller": caller,
                        "input": {key: value for key, value in params.items() if key not in PAGE_TOKENS}}
                tried.append((call, _botocore(world, call)))
                if tried[-1][1]["ok"]:
                    break
            call, outcome = next((item for item in tried if item[1]["ok"]), tried[0])
            calls.append(call)
            outcomes.append(outcome)
    return calls, outcomes


def _alice(world: World) -> dict:
    key_id, secret = alice_keys(world)
    return {"accessKeyId": key_id, "secretAccessKey": secret}


def _botocore(world: World, call: dict) -> dict:
    world.restore()
    caller = call["caller"] or {"accessKeyId": "test", "secretAccessKey": "test"}
    client = world.harness.client(call["service"], access_key=caller["accessKeyId"],
                                  secret=caller["secretAccessKey"])
    method = getattr(client, _method(client, call["operation"]))
    try:
        output = method(**call["input"])
    except ParamValidationError as error:
        return {"ok": False, "code": "ParamValidationError", "status": 0, "invalid": str(error)}
    except ClientError as error:
        members = {key: value for key, value in error.response.items() if key not in ("Error", "ResponseMetadata")}
        return {"ok": False, "code": error.response["Error"]["Code"], "message": error.response["Error"].get("Message"),
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"], "members": _wire(members)}
    status = output.pop("ResponseMetadata")["HTTPStatusCode"]
    return {"ok": True, "output": _wire(output), "status": status}


def _method(client: Any, operation: str) -> str:
    return {api: method for method, api in client.meta.method_to_api_mapping.items()}[operation]


def _differences(expected: Any, twin: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` (JavaScript) differs from ``expected`` (botocore), ignoring what differs from ``twin``
    (a second botocore call against the same world: generated ids and dates)."""
    if isinstance(expected, dict) and isinstance(actual, str) and actual.startswith("%7B"):
        actual = json.loads(unquote(actual))  # botocore alone decodes IAM's URL-encoded policy documents
    if isinstance(expected, dict) and "$date" in expected:
        if not (isinstance(actual, dict) and "$date" in actual):
            return [f"{path}: a timestamp, JavaScript has {actual!r:.80}"]
        same = expected == twin and abs(expected["$date"] - actual["$date"]) > 1
        return [f"{path}: {expected} != {actual}"] if same else []
    if isinstance(expected, dict) and isinstance(actual, dict) and "$blob" not in expected:
        found = [f"{path}.{key}: {'only botocore' if key in expected else 'only JavaScript'} has it"
                 for key in sorted(set(expected) ^ set(actual))]
        for key in sorted(set(expected) & set(actual)):
            other = twin.get(key) if isinstance(twin, dict) else None
            found += _differences(expected[key], other, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        twins = twin if isinstance(twin, list) and len(twin) == len(expected) else [None] * len(expected)
        return [found for index, (item, other, got) in enumerate(zip(expected, twins, actual, strict=True))
                for found in _differences(item, other, got, f"{path}[{index}]")]
    if expected == actual or (expected != twin and type(expected) is type(actual)):
        return []
    return [f"{path}: botocore {expected!r:.80}, JavaScript {actual!r:.80}"]


def _error_shapes(service: str) -> dict[str, Any]:
    """Modeled error code -> its error shape (whose name is the exception class the JavaScript SDK raises)."""
    return {shape.metadata.get("error", {}).get("code", shape.name): shape
            for shape in specs.service_model(service).error_shapes}


MESSAGES = ("message", "Message")


def _mismatch(call: dict, botocore: dict, twin: dict, js: dict) -> list[str]:
    if botocore["ok"] != js["ok"]:
        what = "succeeded" if botocore["ok"] else f"failed with {botocore['code']} ({botocore['status']})"
        return [f"botocore {what}, JavaScript {'succeeded' if js['ok'] else 'failed'}: {js}"[:600]]
    problems = [] if js.get("requestId") else ["no $metadata.requestId"]
    if js.get("status") != botocore["status"]:
        problems.append(f"HTTP status: botocore {botocore['status']}, JavaScript {js.get('status')}")
    if botocore["ok"]:
        return problems + _differences(botocore["output"], twin.get("output"), js["output"])
    shapes = _error_shapes(call["service"])
    shape = shapes.get(botocore["code"])
    expected = shape.name if shape is not None else botocore["code"]
    if js["name"] != expected:
        problems.append(f"error {botocore['code']}: JavaScript raised {js['name']} ({js['errorClass']}): "
                        f"{js['message']}"[:400])
    if (shape is not None) != js["modeled"]:
        problems.append(f"error {botocore['code']}: modeled is {shape is not None}, the JavaScript class "
                        f"{js['errorClass']} is {'' if js['modeled'] else 'not '}the modeled one")
    if botocore["message"] != js["message"]:
        problems.append(f"error message: botocore {botocore['message']!r:.100}, JavaScript {js['message']!r:.100}")
    modeled = set(shape.members) - set(MESSAGES) if shape is not None else set()
    members = {key: value for key, value in js["members"].items() if key in modeled}
    problems += _differences({k: v for k, v in botocore["members"].items() if k not in MESSAGES}, None, members)
    if js["fault"] != ("server" if botocore["status"] >= 500 else "client"):
        problems.append(f"$fault {js['fault']} for HTTP {botocore['status']}")
    return problems


@pytest.fixture(scope="module")
def world() -> World:
    return build_full_world()


def test_every_operation_has_the_same_outcome_with_the_javascript_sdk(world, tmp_path):
    clients = installed_clients()
    calls, botocore = _calls(world)
    invalid = [f"{call['service']}.{call['operation']}: {outcome['invalid']}"
               for call, outcome in zip(calls, botocore, strict=True) if "invalid" in outcome]
    assert not invalid, "\n".join(invalid)
    twins = [_botocore(world, call) for call in calls]
    settings = Settings(log_requests=False, operation_delay=world.harness.settings.operation_delay)
    with ThreadedServer(settings) as server:
        (tmp_path / "calls.json").write_text(json.dumps(
            {"endpoint": server.endpoint_url, "state": world.pristine, "calls": [
                {**call, "input": _wire(call["input"])} for call in calls]}))
        run = subprocess.run([NODE, "every_operation.mjs", str(tmp_path / "calls.json"), str(tmp_path / "out.json")],
                             cwd=clients, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    outcomes = json.loads((tmp_path / "out.json").read_text())
    assert len(outcomes) == len(calls) > 280
    mismatches, still_expected = [], set()
    for call, ours, twin, js in zip(calls, botocore, twins, outcomes, strict=True):
        problems = _mismatch(call, ours, twin, js)
        key = (call["service"], call["operation"])
        if key in EXPECTED_DIFFERENCES:
            still_expected |= {key} if problems else set()
        elif problems:
            mismatches.append(f"{key[0]}.{key[1]}: " + "; ".join(problems))
    agreeing = len(calls) - len(mismatches) - len(still_expected)
    assert not mismatches, f"{len(mismatches)} of {len(calls)} operations differ:\n" + "\n".join(mismatches)
    assert still_expected == set(EXPECTED_DIFFERENCES), "expected differences that no longer differ"
    assert agreeing >= len(calls) - len(EXPECTED_DIFFERENCES)
    assert sum(outcome["ok"] for outcome in outcomes) > len(calls) // 2, "most valid inputs succeed"


# ------------------------------------------------------------------ the comparison itself catches what it must
CALL = {"service": "ecr", "operation": "DescribeImages", "input": {}, "caller": None}
BOTOCORE_OK = {"ok": True, "status": 200, "output": {"imageDetails": [
    {"imageTags": ["v1"], "imageSizeInBytes": 100, "imagePushedAt": {"$date": 1700000000123}}]}}
JS_OK = {"ok": True, "status": 200, "requestId": "r-1", "output": BOTOCORE_OK["output"]}
BOTOCORE_ERROR = {"ok": False, "code": "RepositoryNotFoundException", "message": "gone", "status": 400, "members": {}}
JS_ERROR = {"ok": False, "name": "RepositoryNotFoundException", "errorClass": "RepositoryNotFoundException",
            "modeled": True, "fault": "client", "status": 400, "requestId": "r-1", "message": "gone",
            "members": {"__type": "RepositoryNotFoundException"}}


def _with(outcome: dict, **changes: Any) -> dict:
    return {**outcome, **changes}


def _detail(tags: Any = None, size: Any = 100, pushed: Any = None) -> dict:
    return {"imageDetails": [{"imageTags": tags or ["v1"], "imageSizeInBytes": size,
                              "imagePushedAt": pushed or {"$date": 1700000000123}}]}


@pytest.mark.parametrize(("js", "problem"), [
    (JS_OK, None),
    (_with(JS_OK, output=_detail(pushed={"$date": 1700000000124})), None),  # a millisecond of rounding
    (_with(JS_OK, output=_detail(pushed="2023-11-14T22:13:20.123Z")), "a timestamp"),
    (_with(JS_OK, output=_detail(size="100")), "botocore 100, JavaScript '100'"),
    (_with(JS_OK, output={"imageDetails": []}), "JavaScript []"),
    (_with(JS_OK, output={}), "only botocore has it"),
    (_with(JS_OK, requestId=None), "no $metadata.requestId"),
    (_with(JS_ERROR, status=400), "botocore succeeded"),
])
def test_the_comparison_of_successes_catches_wire_differences(js, problem):
    problems = _mismatch(CALL, BOTOCORE_OK, BOTOCORE_OK, js)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


@pytest.mark.parametrize(("js", "problem"), [
    (JS_ERROR, None),
    (_with(JS_ERROR, name="SyntaxError", errorClass="SyntaxError", modeled=False), "raised SyntaxError"),
    (_with(JS_ERROR, name="Unknown", errorClass="ECRServiceException", modeled=False), "raised Unknown"),
    (_with(JS_ERROR, modeled=False, errorClass="ECRServiceException"), "not the modeled one"),
    (_with(JS_ERROR, status=500, fault="server"), "HTTP status"),
    (_with(JS_ERROR, fault="server"), "$fault server"),
    (_with(JS_ERROR, message="UnknownError"), "error message"),
    (_with(JS_ERROR, requestId=None), "no $metadata.requestId"),
])
def test_the_comparison_of_errors_catches_what_the_javascript_sdk_would_misread(js, problem):
    problems = _mismatch(CALL, BOTOCORE_ERROR, BOTOCORE_ERROR, js)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


def test_values_that_differ_between_two_botocore_calls_are_not_compared():
    fresh = _with(BOTOCORE_OK, output=_detail(tags=["other"], pushed={"$date": 1800000000000}))
    js = _with(JS_OK, output=_detail(tags=["third"], pushed={"$date": 1900000000000}))
    assert _mismatch(CALL, BOTOCORE_OK, fresh, js) == []
    assert _mismatch(CALL, BOTOCORE_OK, BOTOCORE_OK, js)
