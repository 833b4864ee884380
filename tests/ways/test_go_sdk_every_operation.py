"""Every operation of the four services, called once with botocore and once with the AWS SDK for Go v2 (the SDK of
Terraform and most infrastructure tools), against the same populated world: both must agree.

The run and the comparison are ``go_sdk_sweep.py``'s (the calls and botocore's outcomes ``sdk_sweep.py``'s): the
Go SDK (one process of ``go_sdk/main.go``: each input built into the operation's typed input struct, the client's
method called by name, SigV4-signed with the caller's keys, no retries) calls a real HTTP server holding the same
pristine world as botocore.  Outcomes agree when both succeed with the same output (every member, deeply, as the
Go SDK's strict deserializers typed it; a zero scalar and an absent one are one in its value-type members); or
both fail with the same HTTP status, error code and message, an error the operation models arriving as the
service's modeled Go error type (never a deserialization error nor a generic API error) with its members and the
fault of its status, and every answer carrying a request id.

The packaged Go SDK (1.17.1) predates some of botocore's operations and members: those are listed in
``go_sdk_gaps.py`` with the reason (never skipped silently), the members left out of both calls and of the compared
outputs.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.ways.go_sdk_driver import GO_V2
from tests.ways.go_sdk_gaps import GO_SDK_EXPECTED_DIFFERENCES, GO_SDK_LACKS
from tests.ways.go_sdk_sweep import GoModels, Sweep, every_operation_agrees, mismatch, zero_scalar
from tests.ways.sdk_sweep import changed, error_shapes


def _operation_errors(service: str, operation: str, code: str) -> Any:
    """The operation's modeled error shape of ``code``: the Go SDK v2 deserializes these (and only these) into the
    service's error types; any other code arrives as a ``smithy.GenericAPIError`` with that code."""
    return error_shapes(service, operation).get(code)


def _fault(botocore: dict, go: dict) -> list[str]:
    """A modeled error's fault: the server's for a 5xx, the client's otherwise."""
    expected = "server" if botocore["status"] >= 500 else "client"
    return [f"fault {go.get('fault')} for HTTP {botocore['status']}"] if go["modeled"] and go.get(
        "fault") != expected else []


SWEEP = Sweep(GO_V2, GO_SDK_LACKS, GO_SDK_EXPECTED_DIFFERENCES, _operation_errors, _fault, zero_scalar)


def test_every_operation_has_the_same_outcome_with_the_go_sdk():
    every_operation_agrees(SWEEP)


# ------------------------------------------------------------------ the comparison itself catches what it must
CALL = {"service": "ecr", "operation": "DescribeRepositories", "input": {}, "caller": None}
BOTOCORE_OK = {"ok": True, "status": 200, "output": {"repositories": [
    {"repositoryName": "web", "createdAt": {"$date": 1700000000123},
     "imageScanningConfiguration": {"scanOnPush": False}}]}}
GO_OK = {"ok": True, "status": 200, "requestId": "r-1", "output": {"Repositories": [
    {"RepositoryName": "web", "CreatedAt": {"$date": 1700000000123},
     "ImageScanningConfiguration": {"ScanOnPush": {"$value": False}}, "ImageTagMutability": {"$value": ""}}]}}
BOTOCORE_ERROR = {"ok": False, "code": "RepositoryNotFoundException", "message": "gone", "status": 400,
                  "members": {"message": "gone"}}
GO_ERROR = {"ok": False, "code": "RepositoryNotFoundException", "errorType": "RepositoryNotFoundException",
            "modeled": True, "fault": "client", "status": 400, "requestId": "r-1", "message": "gone", "members": {}}


def _repository(**changes: Any) -> dict:
    return {"Repositories": [{**GO_OK["output"]["Repositories"][0], **changes}]}


@pytest.mark.parametrize(("go", "problem"), [
    (GO_OK, None),
    (changed(GO_OK, output=_repository(ImageScanningConfiguration={})), None),  # absent and zero are one in Go
    (changed(GO_OK, output=_repository(ImageScanningConfiguration={"ScanOnPush": {"$value": True}})),
     "botocore False, Go True"),
    (changed(GO_OK, output=_repository(ImageTagMutability={"$value": "MUTABLE"})), "only Go has it"),
    (changed(GO_OK, output=_repository(CreatedAt="2023-11-14T22:13:20.123Z")), "a timestamp"),
    (changed(GO_OK, output={"Repositories": []}), "Go []"),
    (changed(GO_OK, output={}), "only botocore has it"),
    (changed(GO_OK, requestId=""), "no request id"),
    (changed(GO_ERROR, code="DeserializationError", modeled=False), "botocore succeeded"),
])
def test_the_comparison_of_successes_catches_wire_differences(go, problem):
    problems = mismatch(SWEEP, CALL, BOTOCORE_OK, BOTOCORE_OK, go)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


@pytest.mark.parametrize(("go", "problem"), [
    (GO_ERROR, None),
    (changed(GO_ERROR, code="DeserializationError", errorType=None, modeled=False), "Go has DeserializationError"),
    (changed(GO_ERROR, errorType="GenericAPIError", modeled=False), "not the modeled RepositoryNotFound"),
    (changed(GO_ERROR, status=500), "HTTP status"),
    (changed(GO_ERROR, fault="server"), "fault server"),
    (changed(GO_ERROR, message=""), "error message"),
    (changed(GO_ERROR, requestId=None), "no request id"),
])
def test_the_comparison_of_errors_catches_what_the_go_sdk_would_misread(go, problem):
    problems = mismatch(SWEEP, CALL, BOTOCORE_ERROR, BOTOCORE_ERROR, go)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


def test_a_code_the_operation_does_not_model_arrives_as_a_generic_api_error():
    botocore = {**BOTOCORE_ERROR, "code": "AccessDeniedException", "members": {}}
    generic = changed(GO_ERROR, code="AccessDeniedException", errorType="GenericAPIError", modeled=False, fault="")
    assert mismatch(SWEEP, CALL, botocore, botocore, generic) == []
    assert mismatch(SWEEP, CALL, botocore, botocore, changed(generic, errorType="AccessDeniedException", modeled=True))


def test_members_the_go_sdk_lacks_are_left_out_and_recorded():
    models = GoModels({"ecr": {"DescribeRepositories": {
        "input": {"RepositoryNames": None}, "output": {"Repositories": {"RepositoryName": None}}}}})
    assert models.adapt("ecr", "DescribeRepositories", {"repositoryNames": ["web"], "maxResults": 5}) == {
        "repositoryNames": ["web"]}
    assert models.known_output("ecr", "DescribeRepositories", BOTOCORE_OK["output"]) == {
        "repositories": [{"repositoryName": "web"}]}
    assert models.lacking == {"ecr.DescribeRepositoriesRequest.maxResults", "ecr.Repository.createdAt",
                              "ecr.Repository.imageScanningConfiguration"}
