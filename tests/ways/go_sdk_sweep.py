"""What the Go SDK sweeps share (``test_go_sdk_every_operation.py`` for the AWS SDK for Go v2,
``test_go_sdk_v1_every_operation.py`` for v1): the run of every operation through a Go driver
(``go_sdk_driver.py``) and the comparison of its outcomes with botocore's (``sdk_sweep.py``).  The run,
:func:`agrees_with_botocore`, serves any driver speaking the same protocol (the JavaScript SDK v2's too).

botocore calls the world in-process, restored before each call; the driver calls a real HTTP server whose state is
replaced by the same pristine world before each call.  Outcomes agree when both succeed with the same output
(every member, deeply, as the Go SDK typed it: timestamps into ``time.Time``, blobs into ``[]byte``); or both fail
with the same HTTP status, error code and message, an error the SDK models arriving as the SDK's type of it with
its members (what each SDK models is its ``Sweep``'s ``modeled_error``), and every answer carrying a request id.
"""
from __future__ import annotations

import functools
import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.server import ThreadedServer
from tests.ways import sdk_sweep
from tests.ways.go_sdk_driver import Driver, GoSdk, built_driver
from tests.ways.js_sdk_world import build_full_world

SDK = "Go"
SCALARS = frozenset({"boolean", "integer", "long", "double", "float"})
ReadsAsAbsent = Callable[[str, Any, Any], bool]
"""(the service's protocol, a member's shape, botocore's value of it) -> whether the Go SDK cannot tell that value
from an absent member."""


@dataclass(frozen=True)
class Sweep:
    """One Go SDK's sweep: what it lacks (``service.Operation`` not called, ``service.Shape.member`` left out of
    both calls' inputs and of botocore's outputs, each with the reason), where its outcome differs from
    botocore's while mockrunner is right ((service, operation) -> why), the modeled error shape an error code of
    (service, operation) arrives as (or None: a generic error of that code), the checks of a failure particular
    to the SDK, and which of botocore's values the SDK cannot tell from absent members."""

    sdk: GoSdk
    lacks: dict[str, str]
    expected_differences: dict[tuple[str, str], str]
    modeled_error: Callable[[str, str, str], Any]
    failure_checks: Callable[[dict, dict], list[str]]
    reads_as_absent: ReadsAsAbsent


class GoModels:
    """What the SDK's structs (or bundled models) have (from the driver's ``describe``), matched to botocore's
    members by name without case (Go fields are the member names capitalized); records every member of
    botocore's the SDK lacks."""

    def __init__(self, described: dict) -> None:
        self.described = described
        self.lacking: set[str] = set()

    def has(self, service: str, operation: str) -> bool:
        return operation in self.described[service]

    def adapt(self, service: str, operation: str, params: dict) -> dict:
        """``params`` without the members the Go input struct lacks."""
        shape = specs.service_model(service).operation_model(operation).input_shape
        if shape is None:
            return params
        return self._known(service, shape, self.described[service][operation]["input"], params)

    def known_output(self, service: str, operation: str, output: Any) -> Any:
        """botocore's output without the members the Go output struct lacks."""
        shape = specs.service_model(service).operation_model(operation).output_shape
        if shape is None or not isinstance(output, dict):
            return output
        return self._known(service, shape, self.described[service][operation]["output"], output)

    def _known(self, service: str, shape: Any, tree: Any, value: Any) -> Any:
        if shape.type_name == "list" and isinstance(value, list):
            return [self._known(service, shape.member, tree, item) for item in value]
        if shape.type_name == "map" and isinstance(value, dict):
            return {key: self._known(service, shape.value, tree, item) for key, item in value.items()}
        if shape.type_name != "structure" or not isinstance(value, dict) or "$date" in value or "$blob" in value:
            return value
        fields = {name.lower(): name for name in tree or {}}
        kept = {}
        for key, item in value.items():
            if key.lower() not in fields or key not in shape.members:
                self.lacking.add(f"{service}.{shape.name}.{key}")
                continue
            kept[key] = self._known(service, shape.members[key], tree[fields[key.lower()]], item)
        return kept


def as_botocore(shape: Any, value: Any) -> Any:
    """A Go value in botocore's member names; a value-type member (``{"$value"}``) without its wrapper, or left
    out when it is its type's zero (absent and zero look the same in Go)."""
    if isinstance(value, dict) and "$value" in value:
        return value["$value"]
    if shape is None or isinstance(value, dict) and ("$date" in value or "$blob" in value):
        return value
    if shape.type_name == "list" and isinstance(value, list):
        return [as_botocore(shape.member, item) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: as_botocore(shape.value, item) for key, item in value.items()}
    if shape.type_name != "structure" or not isinstance(value, dict):
        return value
    members = {name.lower(): name for name in shape.members}
    converted = {}
    for key, item in value.items():
        name = members.get(key.lower(), key)
        if isinstance(item, dict) and "$value" in item and not item["$value"]:
            continue
        converted[name] = as_botocore(shape.members.get(name), item)
    return converted


def zero_scalar(protocol: str, member: Any, value: Any) -> bool:
    """A zero scalar (in a value-type member, absent and zero look the same)."""
    return member.type_name in SCALARS and not value


def absent_kept(expected: Any, go: Any, shape: Any, reads_as_absent: Callable[[Any, Any], bool]) -> Any:
    """``go`` with the members botocore has that the Go SDK reads as absent (``reads_as_absent(member, value)``)
    put back."""
    if shape is None or not isinstance(expected, dict) or not isinstance(go, dict) or shape.type_name != "structure":
        return go
    kept = dict(go)
    for name, value in expected.items():
        member = shape.members.get(name)
        if member is None:
            continue
        if name not in kept and reads_as_absent(member, value):
            kept[name] = value
        elif name in kept and member.type_name == "structure":
            kept[name] = absent_kept(value, kept[name], member, reads_as_absent)
        elif name in kept and member.type_name == "list" and isinstance(value, list) \
                and isinstance(kept[name], list) and len(value) == len(kept[name]):
            kept[name] = [absent_kept(item, got, member.member, reads_as_absent)
                          for item, got in zip(value, kept[name], strict=True)]
    return kept


def mismatch(sweep: Sweep, call: dict, botocore: dict, twin: dict, go: dict) -> list[str]:
    """Where the Go SDK's outcome of ``call`` differs from botocore's (``twin``: botocore's second outcome)."""
    service = specs.service_model(call["service"])
    reads_as_absent = functools.partial(sweep.reads_as_absent, service.protocol)

    def typed(expected: Any, go: Any, shape: Any) -> Any:
        return absent_kept(expected, go, shape, reads_as_absent)

    final, problems = sdk_sweep.envelope_problems(botocore, go, SDK, "request id")
    if final:
        return problems
    if botocore["ok"]:
        shape = service.operation_model(call["operation"]).output_shape
        output = typed(botocore["output"], as_botocore(shape, go["output"]), shape)
        return problems + sdk_sweep.differences(botocore["output"], twin.get("output"), output, SDK)
    shape = sweep.modeled_error(call["service"], call["operation"], botocore["code"])
    if go["code"] != botocore["code"]:
        problems.append(f"error {botocore['code']}: Go has {go['code']} ({go.get('errorType')}): {go['message']}"[:400])
    if shape is not None and (not go["modeled"] or go.get("errorType") != shape.name):
        problems.append(f"error {botocore['code']}: Go's error is {go.get('errorType')}, not the modeled {shape.name}")
    if shape is None and go["modeled"]:
        problems.append(f"error {botocore['code']}: not the operation's, yet Go has the modeled {go.get('errorType')}")
    if botocore["message"] != go["message"] and not (botocore["message"] is None and go["message"] == ""):
        problems.append(f"error message: botocore {botocore['message']!r:.100}, Go {go['message']!r:.100}")
    if shape is not None:
        members = as_botocore(shape, go.get("members") or {})
        expected = {key: value for key, value in botocore["members"].items()
                    if key in shape.members and key not in sdk_sweep.MESSAGES}
        problems += sdk_sweep.differences(expected, None, typed(expected, members, shape), SDK)
    return problems + sweep.failure_checks(botocore, go)


def restore_state(endpoint: str, state: dict) -> None:
    """Replace the state of the server at ``endpoint`` with ``state`` (its admin API)."""
    request = urllib.request.Request(f"{endpoint}/_mockrunner/state", data=json.dumps(state).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert reply.status == 200


def every_operation_agrees(sweep: Sweep) -> None:
    """Call every operation the Go SDK has with botocore and the SDK on the populated world (``js_sdk_world.py``);
    assert the outcomes agree, that what the SDK lacks is exactly ``sweep.lacks`` and that every expected
    difference still differs."""
    agrees_with_botocore(built_driver(sweep.sdk), functools.partial(mismatch, sweep), sweep.lacks,
                         sweep.expected_differences, sweep.sdk.name)


Problems = Callable[[dict, dict, dict, dict], list[str]]
"""(call, botocore's outcome, botocore's second outcome, the SDK's outcome) -> where the SDK's differs."""


def agrees_with_botocore(command: Any, problems_of: Problems, lacks: dict[str, str],
                         expected_differences: dict[tuple[str, str], str], sdk: str) -> None:
    """Call every operation an SDK's driver (``command``: a :class:`Driver` speaking the Go drivers' protocol,
    ``describe`` included) has with botocore and the driver on the populated world; assert that
    ``problems_of`` finds no difference, that what the SDK lacks is exactly ``lacks`` and that every one of
    ``expected_differences`` still differs."""
    world = build_full_world()
    settings = Settings(log_requests=False, operation_delay=world.harness.settings.operation_delay)
    with ThreadedServer(settings) as server:
        driver = Driver(command, server.endpoint_url)
        try:
            models = GoModels(driver.ask({"describe": True}))
            calls, botocore = sdk_sweep.calls(world, models.has, models.adapt)
            invalid = sdk_sweep.invalid_inputs(calls, botocore)
            assert not invalid, "\n".join(invalid)
            twins = [sdk_sweep.twin(world, call) for call in calls]
            outcomes = []
            for call in calls:
                restore_state(server.endpoint_url, world.pristine)
                outcomes.append(driver.ask({**call, "input": sdk_sweep.wire(call["input"])}))
        finally:
            driver.close()
    for call, *outcomes_of_call in zip(calls, botocore, twins, strict=True):
        for outcome in outcomes_of_call:
            if outcome["ok"]:
                outcome["output"] = models.known_output(call["service"], call["operation"], outcome["output"])
    missing_operations = {f"{service}.{name}" for service in sdk_sweep.SDK_SERVICES
                          for name in specs.service_model(service).operation_names if not models.has(service, name)}
    lacking = missing_operations | models.lacking
    mismatches, still_expected = [], set()
    for call, ours, twin, outcome in zip(calls, botocore, twins, outcomes, strict=True):
        problems = problems_of(call, ours, twin, outcome)
        key = (call["service"], call["operation"])
        if key in expected_differences:
            still_expected |= {key} if problems else set()
        elif problems:
            mismatches.append(f"{key[0]}.{key[1]}: " + "; ".join(problems))
    assert not mismatches, f"{len(mismatches)} of {len(calls)} operations differ:\n" + "\n".join(mismatches)
    assert lacking == set(lacks), f"lacking in {sdk}, listed but not lacking, or lacking " \
        f"unlisted: {sorted(lacking ^ set(lacks))}"
    assert still_expected == set(expected_differences), "expected differences that no longer differ"
    assert len(calls) + len(missing_operations) > 280
    assert sum(outcome["ok"] for outcome in outcomes) > len(calls) // 2, "most valid inputs succeed"
