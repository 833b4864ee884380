"""Every operation of the four services, called once with botocore and once with the legacy AWS SDK for Go v1 (its
own query and JSON protocol marshalers, not v2's; Terraform's SDK for years), against the same populated world:
both must agree.

The run and the comparison are ``go_sdk_sweep.py``'s (the calls and botocore's outcomes ``sdk_sweep.py``'s): the
Go SDK (one process of ``go_sdk_v1/main.go``: each input built into the operation's typed input struct, the
client's ``<Operation>WithContext`` method called by name, SigV4-signed with the caller's keys, no retries) calls
a real HTTP server holding the same pristine world as botocore.  Outcomes agree when both succeed with the same
output (every member, deeply, as the SDK typed it: every member a pointer, so a zero and an absent member
differ); or both fail with the same HTTP status, error code and message, every error an
``awserr.RequestFailure`` carrying the status and the request id, and an error a JSON service models arriving as
the service's exception type with its members (v1 types them per service, not per operation; the query
services' errors are never typed).

The packaged SDK (1.44.133) predates some of botocore's operations and members: those are listed in
``go_sdk_gaps.py`` with the reason (never skipped silently), the members left out of both calls and of the compared
outputs.
"""
from __future__ import annotations

from typing import Any

import pytest

from mockrunner.protocol import specs
from tests.ways.go_sdk_driver import GO_V1
from tests.ways.go_sdk_gaps import GO_V1_EXPECTED_DIFFERENCES, GO_V1_SDK_LACKS
from tests.ways.go_sdk_sweep import Sweep, every_operation_agrees, mismatch
from tests.ways.sdk_sweep import changed, error_shapes


def _service_errors(service: str, operation: str, code: str) -> Any:
    """The modeled error shape of ``code`` of a JSON service, whichever operation: the Go SDK v1 unmarshals every
    code of the service's exceptions into its exception type; a query service's errors are never typed."""
    return error_shapes(service).get(code) if specs.service_model(service).protocol == "json" else None


def _request_failure(botocore: dict, go: dict) -> list[str]:
    """Every error of the service's is an ``awserr.RequestFailure``."""
    return [] if go.get("requestFailure") else [f"error {go['code']} is not an awserr.RequestFailure"]


def _empty_xml_list(protocol: str, member: Any, value: Any) -> bool:
    """An empty list of a query (XML) service: the SDK's XML unmarshaler leaves a list without items nil."""
    return protocol == "query" and member.type_name == "list" and not value


SWEEP = Sweep(GO_V1, GO_V1_SDK_LACKS, GO_V1_EXPECTED_DIFFERENCES, _service_errors, _request_failure, _empty_xml_list)


def test_every_operation_has_the_same_outcome_with_the_go_sdk_v1():
    every_operation_agrees(SWEEP)


# ------------------------------------------------------------------ the comparison itself catches what it must
ECR_CALL = {"service": "ecr", "operation": "DescribeRepositories", "input": {}, "caller": None}
IAM_CALL = {"service": "iam", "operation": "ListRoleTags", "input": {"RoleName": "deployer"}, "caller": None}
IAM_OK = {"ok": True, "status": 200, "output": {"Tags": [], "IsTruncated": False}}
GO_IAM_OK = {"ok": True, "status": 200, "requestId": "r-1", "output": {"IsTruncated": False}}
ECR_OK = {"ok": True, "status": 200, "output": {"repositories": [
    {"repositoryName": "web", "imageScanningConfiguration": {"scanOnPush": False}}]}}
GO_ECR_OK = {"ok": True, "status": 200, "requestId": "r-1", "output": {"Repositories": [
    {"RepositoryName": "web", "ImageScanningConfiguration": {"ScanOnPush": False}}]}}
ECR_ERROR = {"ok": False, "code": "RepositoryNotFoundException", "message": "gone", "status": 400,
             "members": {"message": "gone"}}
GO_ECR_ERROR = {"ok": False, "code": "RepositoryNotFoundException", "errorType": "RepositoryNotFoundException",
                "modeled": True, "requestFailure": True, "status": 400, "requestId": "r-1", "message": "gone",
                "members": {}}
IAM_ERROR = {"ok": False, "code": "NoSuchEntity", "message": "no role", "status": 404, "members": {}}
GO_IAM_ERROR = {"ok": False, "code": "NoSuchEntity", "errorType": "requestError", "modeled": False,
                "requestFailure": True, "status": 404, "requestId": "r-1", "message": "no role"}


@pytest.mark.parametrize(("call", "botocore", "go", "problem"), [
    (IAM_CALL, IAM_OK, GO_IAM_OK, None),  # an empty XML list reads as nil
    (IAM_CALL, IAM_OK, changed(GO_IAM_OK, output={}), "IsTruncated: only botocore has it"),  # a pointer: false is read
    (ECR_CALL, ECR_OK, GO_ECR_OK, None),
    (ECR_CALL, ECR_OK, changed(GO_ECR_OK, output={"Repositories": [{"RepositoryName": "web"}]}),
     "imageScanningConfiguration: only botocore has it"),
    (ECR_CALL, changed(ECR_OK, output={"repositories": []}), changed(GO_ECR_OK, output={}),
     "repositories: only botocore has it"),  # JSON lists are read, empty or not
    (ECR_CALL, ECR_ERROR, GO_ECR_ERROR, None),
    (ECR_CALL, ECR_ERROR, changed(GO_ECR_ERROR, errorType="requestError", modeled=False),
     "not the modeled RepositoryNotFoundException"),
    (ECR_CALL, ECR_ERROR, changed(GO_ECR_ERROR, code="SerializationError", errorType="requestError", modeled=False),
     "Go has SerializationError"),
    (ECR_CALL, ECR_ERROR, changed(GO_ECR_ERROR, requestFailure=False), "not an awserr.RequestFailure"),
    (ECR_CALL, ECR_ERROR, changed(GO_ECR_ERROR, requestId=""), "no request id"),
    (IAM_CALL, IAM_ERROR, GO_IAM_ERROR, None),  # a query service's errors are never typed
    (IAM_CALL, IAM_ERROR, changed(GO_IAM_ERROR, status=400), "HTTP status"),
    (IAM_CALL, IAM_ERROR, changed(GO_IAM_ERROR, message=""), "error message"),
])
def test_the_comparison_catches_what_the_go_sdk_v1_would_misread(call, botocore, go, problem):
    problems = mismatch(SWEEP, call, botocore, botocore, go)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


def test_a_code_the_json_service_models_is_typed_whichever_operation_returns_it():
    botocore = changed(ECR_ERROR, code="LayersNotFoundException")
    typed = changed(GO_ECR_ERROR, code="LayersNotFoundException", errorType="LayersNotFoundException")
    assert mismatch(SWEEP, ECR_CALL, botocore, botocore, typed) == []
    assert mismatch(SWEEP, ECR_CALL, botocore, botocore, changed(typed, errorType="requestError", modeled=False))
