"""The legacy AWS SDK for JavaScript v2 (npm ``aws-sdk`` 2.x, pinned in ``js_sdk_v2/package.json``: a separate
implementation from v3, with its own query and JSON serializers, XML parser, SigV4 signer, error handling and
credential providers) against a real server.

Every operation of the four services its bundled API models have is called once with botocore and once with the SDK
(one process of ``js_sdk_v2/driver.mjs``, run as the Go sweeps run theirs: ``go_sdk_sweep.agrees_with_botocore``),
with the sweep's inputs on the populated world (``sdk_sweep.py``, ``js_sdk_world.py``; the server's state is
replaced by the same pristine world before each call): both must agree. Outcomes agree when both succeed with the
same output (every member, deeply, timestamps parsed into ``Date`` and blobs into ``Buffer``); or both fail with the
same HTTP status, error code and message, the error an ``Error`` whose ``code``, ``statusCode`` and ``requestId``
are the answer's. What the SDK's models lack of botocore's is :data:`JS_V2_LACKS` (found from the models, never
assumed), where its outcome differs while mockrunner is right :data:`EXPECTED_DIFFERENCES`.

Then what only the v2 SDK does: its credential providers ``AWS.ChainableTemporaryCredentials`` and
``AWS.TemporaryCredentials`` assuming a role, an AccessDenied as the SDK's error, and ``getAuthorizationToken``'s
token logging into the registry.

The SDK and how it is installed: ``js_sdk_clients.py``.
"""
from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from mockrunner.config import Settings
from mockrunner.protocol import specs
from tests.harness import Harness
from tests.registry.images import Registry
from tests.ways import sdk_sweep
from tests.ways.go_sdk_driver import Driver
from tests.ways.go_sdk_gaps import GO_SDK_LACKS
from tests.ways.go_sdk_sweep import agrees_with_botocore
from tests.ways.js_sdk_clients import NODE, V2, installed_clients
from tests.ways.sdk_principals import allow, deployer, user
from tests.ways.sdk_sweep import changed

SDK = "JavaScript v2"
ACCOUNT = "123456789012"
NEWER_THAN_THE_SDK = "added to the API after the last AWS SDK for JavaScript v2 (2.1693.0) models were bundled"
IN_V2_OF_JS_NOT_OF_GO = frozenset((
    "apprunner.AutoScalingConfiguration.HasAssociatedService", "apprunner.AutoScalingConfiguration.IsDefault",
    "apprunner.AutoScalingConfigurationSummary.CreatedAt",
    "apprunner.AutoScalingConfigurationSummary.HasAssociatedService",
    "apprunner.AutoScalingConfigurationSummary.IsDefault", "apprunner.AutoScalingConfigurationSummary.Status",
    "apprunner.CodeRepository.SourceDirectory", "apprunner.CreateVpcIngressConnection",
    "apprunner.DeleteAutoScalingConfigurationRequest.DeleteAllRevisions", "apprunner.DeleteVpcIngressConnection",
    "apprunner.DescribeCustomDomainsResponse.VpcDNSTargets", "apprunner.DescribeVpcIngressConnection",
    "apprunner.DisassociateCustomDomainResponse.VpcDNSTargets", "apprunner.ListServicesForAutoScalingConfiguration",
    "apprunner.ListVpcIngressConnections", "apprunner.NetworkConfiguration.IngressConfiguration",
    "apprunner.NetworkConfiguration.IpAddressType", "apprunner.UpdateDefaultAutoScalingConfiguration",
    "apprunner.UpdateVpcIngressConnection", "ecr.CreatePullThroughCacheRuleRequest.credentialArn",
    "ecr.CreatePullThroughCacheRuleRequest.upstreamRegistry", "ecr.CreateRepositoryCreationTemplate",
    "ecr.DeleteRepositoryCreationTemplate", "ecr.DescribeRepositoryCreationTemplates", "ecr.GetAccountSetting",
    "ecr.PullThroughCacheRule.upstreamRegistry", "ecr.PutAccountSetting", "ecr.UpdatePullThroughCacheRule",
    "ecr.UpdateRepositoryCreationTemplate", "ecr.ValidatePullThroughCacheRule", "iam.GetMFADevice",
))
"""What the JavaScript SDK v2's last models have and the packaged Go SDK v2 lacks (App Runner's private endpoints
and newer auto scaling members, ECR's creation templates and account settings, ...)."""
JS_V2_LACKS: dict[str, str] = {name: NEWER_THAN_THE_SDK for name in GO_SDK_LACKS if name not in IN_V2_OF_JS_NOT_OF_GO} \
    | dict.fromkeys(("ecr.CreateRepositoryCreationTemplateRequest.imageTagMutabilityExclusionFilters",
                     "ecr.UpdateRepositoryCreationTemplateRequest.imageTagMutabilityExclusionFilters",
                     "ecr.UpdatePullThroughCacheRuleRequest.customRoleArn"), NEWER_THAN_THE_SDK)
"""``service.Operation`` (not called) or ``service.Shape.member`` (left out of both calls' inputs, or of botocore's
output before comparing) -> why the SDK's bundled models lack it: the Go SDK v2's gaps but for
:data:`IN_V2_OF_JS_NOT_OF_GO`, plus two members of operations that SDK lacks altogether."""
OLDER_MODEL = "the v2 SDK's model requires {}, optional in botocore's: its own validation refuses the input " \
    "botocore sends, before any request"
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    ("iam", "CreateLoginProfile"): OLDER_MODEL.format("UserName and Password"),
    ("ecr", "UpdatePullThroughCacheRule"): OLDER_MODEL.format("credentialArn")}
"""(service, operation) -> why the v2 SDK's outcome differs from botocore's while mockrunner is right."""


def driver() -> list:
    """The driver's command line before the endpoint (the SDK installed first)."""
    return [NODE, installed_clients(V2) / "driver.mjs"]


def defaulted_lists_dropped(expected: Any, actual: Any) -> Any:
    """``actual`` without the empty lists ``expected`` lacks: the v2 SDK's XML parser gives every list member
    missing from a query service's answer its default, ``[]`` (unless the API sets ``xmlNoDefaultLists``, which
    none of the four does), where botocore leaves the member out."""
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [defaulted_lists_dropped(item, got) for item, got in zip(expected, actual, strict=True)]
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        return actual
    return {key: defaulted_lists_dropped(expected.get(key), value) for key, value in actual.items()
            if key in expected or value != []}


def _mismatch(call: dict, botocore: dict, twin: dict, js: dict) -> list[str]:
    """Where the v2 SDK's outcome of ``call`` differs from botocore's (``twin``: botocore's second outcome)."""
    final, problems = sdk_sweep.envelope_problems(botocore, js, SDK, "request id")
    if final:
        return problems
    if botocore["ok"]:
        output = js["output"]
        if specs.service_model(call["service"]).protocol == "query":
            output = defaulted_lists_dropped(botocore["output"], output)
        return problems + sdk_sweep.differences(botocore["output"], twin.get("output"), output, SDK)
    if js["code"] != botocore["code"]:
        problems.append(f"error {botocore['code']}: {SDK} has {js['code']}: {js['message']}"[:400])
    if botocore["message"] != js["message"] and not (botocore["message"] is None and js["message"] in ("", None)):
        problems.append(f"error message: botocore {botocore['message']!r:.100}, {SDK} {js['message']!r:.100}")
    if not js.get("isError") or js.get("statusCode") != botocore["status"] \
            or js.get("errorRequestId") != js.get("requestId"):
        problems.append(f"error {botocore['code']}: not an Error with statusCode {botocore['status']} and the "
                        f"request id: {js}"[:400])
    return problems


def test_every_operation_has_the_same_outcome_with_the_javascript_sdk_v2():
    agrees_with_botocore(driver(), _mismatch, JS_V2_LACKS,
                         EXPECTED_DIFFERENCES, SDK)


# ------------------------------------------------------------------------------ what only the v2 SDK does
@pytest.fixture
def js_v2() -> Iterator[tuple[Harness, Driver]]:
    harness = Harness("server", Settings(log_requests=False))
    js = Driver(driver(), harness.endpoint_url)
    yield harness, js
    js.close()
    harness.close()


def nobody_may_not_assume(role: str) -> str:
    """STS's denial of the user ``nobody``'s AssumeRole of ``role``."""
    return f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: sts:AssumeRole on resource: {role}"


@pytest.mark.parametrize("provider", ["ChainableTemporaryCredentials", "TemporaryCredentials"])
def test_the_v2_credential_providers_assume_a_role(js_v2, provider):
    harness, js = js_v2
    alice = user(harness, "alice", allow("sts:AssumeRole"))
    role = deployer(harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    params = {"RoleArn": role, "RoleSessionName": "js-v2", "DurationSeconds": 900}
    whoami = js.ask({"service": "sts", "operation": "GetCallerIdentity", "input": {}, "caller": alice,
                     "provider": {"class": provider, "params": params}})
    assert whoami["ok"], whoami
    assert whoami["output"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/js-v2"
    assert whoami["credentials"]["accessKeyId"].startswith("ASIA") and whoami["credentials"]["expired"] is False
    ecr = js.ask({"service": "ecr", "operation": "DescribeRepositories", "input": {}, "caller": alice,
                  "provider": {"class": provider, "params": params}})
    assert ecr == {**ecr, "ok": True, "output": {"repositories": []}}  # the role's ECR read-only policy

    nobody = user(harness, "nobody", None)
    refused = js.ask({"service": "sts", "operation": "GetCallerIdentity", "input": {}, "caller": nobody,
                      "provider": {"class": provider, "params": params}})
    assert refused["code"] == "CredentialsError" and "status" not in refused, refused  # the call was never sent
    assert refused["wrapped"][-2:] == [
        {"code": "CredentialsError", "statusCode": 403, "message": f"Could not load credentials from {provider}"},
        {"code": "AccessDenied", "statusCode": 403, "message": nobody_may_not_assume(role)}]


def test_an_access_denied_is_a_v2_error_with_code_status_and_our_message(js_v2):
    harness, js = js_v2
    nobody = user(harness, "nobody", None)
    role = deployer(harness, f"arn:aws:iam::{ACCOUNT}:root")
    refused = js.ask({"service": "sts", "operation": "AssumeRole", "caller": nobody,
                      "input": {"RoleArn": role, "RoleSessionName": "js-v2"}})
    assert (refused["isError"], refused["code"], refused["statusCode"], refused["status"]) == (
        True, "AccessDenied", 403, 403)
    assert refused["message"] == nobody_may_not_assume(role)
    assert refused["requestId"] and refused["errorRequestId"] == refused["requestId"]
    assert refused["retryable"] is False
    ecr = js.ask({"service": "ecr", "operation": "DescribeRepositories", "caller": nobody, "input": {}})
    assert (ecr["code"], ecr["statusCode"]) == ("AccessDeniedException", ecr["status"])
    assert "user/nobody is not authorized to perform: ecr:DescribeRepositories on resource" in ecr["message"]
    apprunner = js.ask({"service": "apprunner", "operation": "ListServices", "caller": nobody, "input": {}})
    assert (apprunner["code"], apprunner["statusCode"]) == ("AccessDeniedException", 400)
    assert "apprunner:ListServices" in apprunner["message"]


def test_the_v2_sdks_authorization_token_logs_into_the_registry(js_v2):
    harness, js = js_v2
    answer = js.ask({"service": "ecr", "operation": "GetAuthorizationToken", "caller": None, "input": {}})
    assert answer["ok"], answer
    data = answer["output"]["authorizationData"][0]
    assert data["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert set(data["expiresAt"]) == {"$date"}  # a Date
    name, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert name == "AWS"
    assert Registry(harness.endpoint_url, password).call("GET", "/v2/").status_code == 200
    assert Registry(harness.endpoint_url, password[:-4] + "AAAA").call("GET", "/v2/").status_code == 401


# ------------------------------------------------------------------ the comparison itself catches what it must
IAM_CALL = {"service": "iam", "operation": "GetRole", "input": {"RoleName": "deployer"}, "caller": None}
ECR_CALL = {"service": "ecr", "operation": "DescribeRepositories", "input": {}, "caller": None}
ROLE = {"ok": True, "status": 200, "output": {"Role": {"RoleName": "deployer", "CreateDate": {"$date": 1_000}}}}
JS_ROLE = {**ROLE, "requestId": "r-1"}
REPOSITORIES = {"ok": True, "status": 200, "output": {"repositories": [{"repositoryName": "web"}]}}
MISSING = {"ok": False, "status": 400, "code": "RepositoryNotFoundException", "message": "gone", "members": {}}
JS_MISSING = {**MISSING, "requestId": "r-1", "errorRequestId": "r-1", "isError": True, "statusCode": 400}


def _role(**members: Any) -> dict:
    return changed(JS_ROLE, output={"Role": {**JS_ROLE["output"]["Role"], **members}})


@pytest.mark.parametrize(("call", "botocore", "js", "problem"), [
    (IAM_CALL, ROLE, JS_ROLE, None),
    (IAM_CALL, ROLE, _role(Tags=[]), None),  # the XML parser's default list
    (IAM_CALL, ROLE, _role(Tags=[{"Key": "a", "Value": "b"}]), "Tags: only JavaScript v2 has it"),
    (IAM_CALL, ROLE, _role(CreateDate="1970-01-01T00:00:01Z"), "a timestamp"),
    (IAM_CALL, ROLE, changed(JS_ROLE, requestId=None), "no request id"),
    (ECR_CALL, REPOSITORIES, changed(REPOSITORIES, requestId="r-1", output={"repositories": [
        {"repositoryName": "web", "tags": []}]}), "tags: only JavaScript v2 has it"),  # JSON lists are not defaulted
    (ECR_CALL, MISSING, JS_MISSING, None),
    (ECR_CALL, MISSING, changed(JS_MISSING, code="UnknownError"), "JavaScript v2 has UnknownError"),
    (ECR_CALL, MISSING, changed(JS_MISSING, message=None), "error message"),
    (ECR_CALL, MISSING, changed(JS_MISSING, statusCode=None), "not an Error with statusCode 400"),
    (ECR_CALL, MISSING, changed(JS_MISSING, errorRequestId=None), "not an Error with statusCode 400"),
    (ECR_CALL, MISSING, changed(JS_MISSING, status=None), "HTTP status"),
    (ECR_CALL, REPOSITORIES, JS_MISSING, "botocore succeeded"),
])
def test_the_comparison_catches_what_the_javascript_sdk_v2_would_misread(call, botocore, js, problem):
    problems = _mismatch(call, botocore, botocore, js)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems
