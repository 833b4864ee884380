"""Every operation of the four services, called once with botocore and once with the AWS SDK for JavaScript v3,
against the same populated world: both must agree.

The calls, botocore's outcomes and the deep comparison are ``sdk_sweep.py``'s.  botocore calls the world
in-process, restored before each call; the JavaScript SDK (one node process, ``js_sdk/every_operation.mjs``) calls
a real HTTP server whose state is replaced by the same pristine world before each call.  Outcomes agree when both
succeed with the same output (every member, deeply: values generated per call, such as new ids and creation dates,
are ignored where two botocore calls already differ), timestamps parsed into ``Date`` and blobs into
``Uint8Array``; or both fail with the same HTTP status and error code, the JavaScript SDK raising the modeled
exception class for modeled errors (never a deserialization error or an unnamed ``ServiceException``) with
``$fault`` and ``$metadata.requestId``.

The clients and how they are installed: ``js_sdk_clients.py``.
"""
from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.server import ThreadedServer
from tests.robustness.world import World
from tests.ways import sdk_sweep
from tests.ways.js_sdk_clients import NODE, installed_clients
from tests.ways.js_sdk_world import build_full_world
from tests.ways.sdk_sweep import changed

NEWER_THAN_THE_CLIENTS = "added to the API (botocore 1.44) after the pinned JavaScript clients were generated"
JS_SDK_LACKS: dict[str, str] = dict.fromkeys((
    "iam.UpdateOpenIDConnectProvider",
), NEWER_THAN_THE_CLIENTS) | dict.fromkeys((
    "ecr.ReplicationRule.deleteReplication", "iam.CreateLoginProfileRequest.MaxSigninSessionDuration",
    "iam.CreateOpenIDConnectProviderRequest.ContextProvider",
    "iam.CreateOpenIDConnectProviderRequest.IdentityCenterInstanceArn",
    "iam.CreateRoleRequest.MaxSigninSessionDuration", "iam.CreateSAMLProviderRequest.ContextProvider",
    "iam.CreateSAMLProviderRequest.IdentityCenterInstanceArn", "iam.GetOpenIDConnectProviderResponse.ContextProvider",
    "iam.GetOpenIDConnectProviderResponse.IdentityCenterInstanceArn",
    "iam.GetOpenIDConnectProviderResponse.IdentityStoreArn", "iam.GetSAMLProviderResponse.ContextProvider",
    "iam.GetSAMLProviderResponse.IdentityCenterInstanceArn", "iam.GetSAMLProviderResponse.IdentityStoreArn",
    "iam.GetSAMLProviderResponse.SAMLKeyHashes", "iam.LoginProfile.MaxSigninSessionDuration",
    "iam.OpenIDConnectProviderListEntry.IsTrustedIdentityPropagationEnabled", "iam.Role.MaxSigninSessionDuration",
    "iam.SAMLProviderListEntry.IsTrustedIdentityPropagationEnabled",
    "iam.UpdateLoginProfileRequest.MaxSigninSessionDuration",
    "iam.UpdateLoginProfileRequest.ResetMaxSigninSessionDuration", "iam.UpdateRoleRequest.MaxSigninSessionDuration",
    "iam.UpdateRoleRequest.ResetMaxSigninSessionDuration", "iam.UpdateSAMLProviderRequest.ContextProvider",
    "iam.UpdateSAMLProviderRequest.IdentityCenterInstanceArn", "iam.UpdateSAMLProviderRequest.RemoveContextProvider",
    "iam.UpdateSAMLProviderRequest.RemoveIdentityCenterInstance",
), NEWER_THAN_THE_CLIENTS)
"""``service.Operation`` (its call must find no command in the pinned client) or ``service.Shape.member`` (left
out of both calls' inputs, and of botocore's output before comparing) -> why the pinned JavaScript clients lack it
(what botocore 1.44.8's models added to 1.43.11's and the clients' code does not name)."""
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {}
"""(service, operation) -> why the JavaScript SDK's outcome differs from botocore's while mockrunner is right."""


def _mismatch(call: dict, botocore: dict, twin: dict, js: dict) -> list[str]:
    final, problems = sdk_sweep.envelope_problems(botocore, js, "JavaScript", "$metadata.requestId")
    if final:
        return problems
    if botocore["ok"]:
        return problems + sdk_sweep.differences(botocore["output"], twin.get("output"), js["output"], "JavaScript")
    shapes = sdk_sweep.error_shapes(call["service"])
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
    modeled = set(shape.members) - set(sdk_sweep.MESSAGES) if shape is not None else set()
    members = {key: value for key, value in js["members"].items() if key in modeled}
    problems += sdk_sweep.differences({k: v for k, v in botocore["members"].items() if k not in sdk_sweep.MESSAGES},
                                      None, members, "JavaScript")
    if js["fault"] != ("server" if botocore["status"] >= 500 else "client"):
        problems.append(f"$fault {js['fault']} for HTTP {botocore['status']}")
    return problems


def _adapt(service: str, operation: str, params: dict) -> dict:
    """The generated ``params`` without the members the pinned clients lack (both calls send the same input)."""
    shape = specs.service_model(service).operation_model(operation).input_shape
    return sdk_sweep.without_members(service, shape, params, JS_SDK_LACKS)


@pytest.fixture(scope="module")
def world() -> World:
    return build_full_world()


def test_every_operation_has_the_same_outcome_with_the_javascript_sdk(world, tmp_path):
    clients = installed_clients()
    calls, botocore = sdk_sweep.calls(world, adapt=_adapt)
    invalid = sdk_sweep.invalid_inputs(calls, botocore)
    assert not invalid, "\n".join(invalid)
    twins = [sdk_sweep.twin(world, call) for call in calls]
    settings = Settings(log_requests=False, operation_delay=world.harness.settings.operation_delay)
    with ThreadedServer(settings) as server:
        (tmp_path / "calls.json").write_text(json.dumps(
            {"endpoint": server.endpoint_url, "state": world.pristine, "calls": [
                {**call, "input": sdk_sweep.wire(call["input"])} for call in calls]}))
        run = subprocess.run([NODE, "every_operation.mjs", str(tmp_path / "calls.json"), str(tmp_path / "out.json")],
                             cwd=clients, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    outcomes = json.loads((tmp_path / "out.json").read_text())
    assert len(outcomes) == len(calls) > 280
    mismatches, still_expected = [], set()
    for call, ours, twin, js in zip(calls, botocore, twins, outcomes, strict=True):
        key = (call["service"], call["operation"])
        if f"{key[0]}.{key[1]}" in JS_SDK_LACKS:
            assert js.get("name") == "NoSuchCommand", f"{key} is listed as lacking, yet the client has it: {js}"
            continue
        for outcome in (ours, twin):
            if outcome["ok"]:
                shape = specs.service_model(key[0]).operation_model(key[1]).output_shape
                outcome["output"] = sdk_sweep.without_members(key[0], shape, outcome["output"], JS_SDK_LACKS)
        problems = _mismatch(call, ours, twin, js)
        if key in EXPECTED_DIFFERENCES:
            still_expected |= {key} if problems else set()
        elif problems:
            mismatches.append(f"{key[0]}.{key[1]}: " + "; ".join(problems))
    lacking = [call for call in calls if f"{call['service']}.{call['operation']}" in JS_SDK_LACKS]
    agreeing = len(calls) - len(lacking) - len(mismatches) - len(still_expected)
    assert not mismatches, f"{len(mismatches)} of {len(calls)} operations differ:\n" + "\n".join(mismatches)
    assert still_expected == set(EXPECTED_DIFFERENCES), "expected differences that no longer differ"
    assert agreeing >= len(calls) - len(lacking) - len(EXPECTED_DIFFERENCES)
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


def _detail(tags: Any = None, size: Any = 100, pushed: Any = None) -> dict:
    return {"imageDetails": [{"imageTags": tags or ["v1"], "imageSizeInBytes": size,
                              "imagePushedAt": pushed or {"$date": 1700000000123}}]}


@pytest.mark.parametrize(("js", "problem"), [
    (JS_OK, None),
    (changed(JS_OK, output=_detail(pushed={"$date": 1700000000124})), None),  # a millisecond of rounding
    (changed(JS_OK, output=_detail(pushed="2023-11-14T22:13:20.123Z")), "a timestamp"),
    (changed(JS_OK, output=_detail(size="100")), "botocore 100, JavaScript '100'"),
    (changed(JS_OK, output={"imageDetails": []}), "JavaScript []"),
    (changed(JS_OK, output={}), "only botocore has it"),
    (changed(JS_OK, requestId=None), "no $metadata.requestId"),
    (changed(JS_ERROR, status=400), "botocore succeeded"),
])
def test_the_comparison_of_successes_catches_wire_differences(js, problem):
    problems = _mismatch(CALL, BOTOCORE_OK, BOTOCORE_OK, js)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


@pytest.mark.parametrize(("js", "problem"), [
    (JS_ERROR, None),
    (changed(JS_ERROR, name="SyntaxError", errorClass="SyntaxError", modeled=False), "raised SyntaxError"),
    (changed(JS_ERROR, name="Unknown", errorClass="ECRServiceException", modeled=False), "raised Unknown"),
    (changed(JS_ERROR, modeled=False, errorClass="ECRServiceException"), "not the modeled one"),
    (changed(JS_ERROR, status=500, fault="server"), "HTTP status"),
    (changed(JS_ERROR, fault="server"), "$fault server"),
    (changed(JS_ERROR, message="UnknownError"), "error message"),
    (changed(JS_ERROR, requestId=None), "no $metadata.requestId"),
])
def test_the_comparison_of_errors_catches_what_the_javascript_sdk_would_misread(js, problem):
    problems = _mismatch(CALL, BOTOCORE_ERROR, BOTOCORE_ERROR, js)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


def test_values_that_differ_between_two_botocore_calls_are_not_compared():
    fresh = changed(BOTOCORE_OK, output=_detail(tags=["other"], pushed={"$date": 1800000000000}))
    js = changed(JS_OK, output=_detail(tags=["third"], pushed={"$date": 1900000000000}))
    assert _mismatch(CALL, BOTOCORE_OK, fresh, js) == []
    assert _mismatch(CALL, BOTOCORE_OK, BOTOCORE_OK, js)
