"""Every operation of the four services, called once with botocore and once with the AWS SDK for Go v2 (the SDK of
Terraform and most infrastructure tools), against the same populated world: both must agree.

The calls, botocore's outcomes and the deep comparison are ``sdk_sweep.py``'s.  botocore calls the world
in-process, restored before each call; the Go SDK (one process of ``go_sdk/main.go``: each input built into the
operation's typed input struct, the client's method called by name, SigV4-signed with the caller's keys, no
retries) calls a real HTTP server whose state is replaced by the same pristine world before each call.  Outcomes
agree when both succeed with the same output (every member, deeply, as the Go SDK's strict deserializers typed
it: timestamps into ``time.Time``, blobs into ``[]byte``); or both fail with the same HTTP status, error code and
message, a modeled error arriving as the service's modeled Go error type (never a deserialization error nor a
generic API error) with its members, and every answer carrying a request id.

The packaged Go SDK (1.17.1) predates some of botocore's operations and members: those are listed below with the
reason (never skipped silently), the members left out of both calls and of the compared outputs.
"""
from __future__ import annotations

import json
import subprocess
import urllib.request
from typing import Any

import pytest

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.server import ThreadedServer
from tests.robustness.world import World
from tests.ways import sdk_sweep
from tests.ways.go_sdk_driver import built_driver
from tests.ways.js_sdk_world import build_full_world
from tests.ways.sdk_sweep import changed

NEWER_THAN_THE_SDK = "added to the API after the packaged AWS SDK for Go v2 (1.17.1, Debian 12) was generated"
GO_SDK_LACKS: dict[str, str] = dict.fromkeys((
    "apprunner.CreateVpcIngressConnection", "apprunner.DeleteVpcIngressConnection",
    "apprunner.DescribeVpcIngressConnection", "apprunner.ListServicesForAutoScalingConfiguration",
    "apprunner.ListVpcIngressConnections", "apprunner.UpdateDefaultAutoScalingConfiguration",
    "apprunner.UpdateVpcIngressConnection", "ecr.CreateRepositoryCreationTemplate",
    "ecr.DeleteRepositoryCreationTemplate", "ecr.DeleteSigningConfiguration", "ecr.DeregisterPullTimeUpdateExclusion",
    "ecr.DescribeImageSigningStatus", "ecr.DescribeReplicationBackfillResults",
    "ecr.DescribeRepositoryCreationTemplates", "ecr.GetAccountSetting", "ecr.GetSigningConfiguration",
    "ecr.ListImageReferrers", "ecr.ListPullTimeUpdateExclusions", "ecr.ListReplicationBackfills",
    "ecr.PutAccountSetting", "ecr.PutSigningConfiguration", "ecr.RegisterPullTimeUpdateExclusion",
    "ecr.StartReplicationBackfill", "ecr.StopReplicationBackfill", "ecr.UpdateImageStorageClass",
    "ecr.UpdatePullThroughCacheRule", "ecr.UpdateRepositoryCreationTemplate", "ecr.ValidatePullThroughCacheRule",
    "iam.AcceptDelegationRequest", "iam.AcquireRole", "iam.AssociateDelegationRequest", "iam.CreateDelegationRequest",
    "iam.DisableOrganizationsRootCredentialsManagement", "iam.DisableOrganizationsRootSessions",
    "iam.DisableOutboundWebIdentityFederation", "iam.EnableOrganizationsRootCredentialsManagement",
    "iam.EnableOrganizationsRootSessions", "iam.EnableOutboundWebIdentityFederation", "iam.GetAccountProperties",
    "iam.GetDelegationRequest", "iam.GetHumanReadableSummary", "iam.GetMFADevice",
    "iam.GetOutboundWebIdentityFederationInfo", "iam.GetRoleTemplateVersion", "iam.ListDelegationRequests",
    "iam.ListOrganizationsFeatures", "iam.PutAccountProperties", "iam.RejectDelegationRequest",
    "iam.SendDelegationToken", "iam.UpdateDelegationRequest", "iam.UpdateOpenIDConnectProvider", "sts.AssumeRoot",
    "sts.GetDelegatedAccessToken", "sts.GetScopedCredentials", "sts.GetWebIdentityToken",
), NEWER_THAN_THE_SDK) | dict.fromkeys((
    "apprunner.AutoScalingConfiguration.HasAssociatedService", "apprunner.AutoScalingConfiguration.IsDefault",
    "apprunner.AutoScalingConfigurationSummary.CreatedAt",
    "apprunner.AutoScalingConfigurationSummary.HasAssociatedService",
    "apprunner.AutoScalingConfigurationSummary.IsDefault", "apprunner.AutoScalingConfigurationSummary.Status",
    "apprunner.CodeRepository.SourceDirectory", "apprunner.DeleteAutoScalingConfigurationRequest.DeleteAllRevisions",
    "apprunner.DescribeCustomDomainsResponse.VpcDNSTargets", "apprunner.DisassociateCustomDomainResponse.VpcDNSTargets",
    "apprunner.NetworkConfiguration.IngressConfiguration", "apprunner.NetworkConfiguration.IpAddressType",
    "ecr.CreatePullThroughCacheRuleRequest.credentialArn", "ecr.CreatePullThroughCacheRuleRequest.customRoleArn",
    "ecr.CreatePullThroughCacheRuleRequest.upstreamRegistry",
    "ecr.CreatePullThroughCacheRuleRequest.upstreamRepositoryPrefix",
    "ecr.CreateRepositoryRequest.imageTagMutabilityExclusionFilters", "ecr.ImageDetail.imageStatus",
    "ecr.ListImagesFilter.imageStatus", "ecr.PullThroughCacheRule.upstreamRegistry",
    "ecr.ReplicationRule.deleteReplication", "iam.CreateLoginProfileRequest.MaxSigninSessionDuration",
    "iam.CreateOpenIDConnectProviderRequest.ContextProvider",
    "iam.CreateServiceSpecificCredentialRequest.CredentialAgeDays",
    "iam.GetSAMLProviderResponse.AssertionEncryptionMode", "iam.GetSAMLProviderResponse.PrivateKeyList",
    "iam.GetSAMLProviderResponse.SAMLProviderUUID", "iam.ListServiceSpecificCredentialsRequest.AllUsers",
    "iam.ListServiceSpecificCredentialsRequest.MaxItems", "iam.ListServiceSpecificCredentialsResponse.IsTruncated",
    "iam.OpenIDConnectProviderListEntry.IsTrustedIdentityPropagationEnabled",
    "iam.SAMLProviderListEntry.IsTrustedIdentityPropagationEnabled",
    "iam.SimulateCustomPolicyRequest.OrderedOrganizationPolicyInputList",
    "iam.SimulatePrincipalPolicyRequest.PolicyExclusionList",
    "iam.UpdateLoginProfileRequest.ResetMaxSigninSessionDuration", "iam.UpdateRoleRequest.MaxSigninSessionDuration",
    "iam.UpdateRoleRequest.ResetMaxSigninSessionDuration", "iam.UpdateSAMLProviderRequest.ContextProvider",
    "iam.UpdateSAMLProviderRequest.IdentityCenterInstanceArn", "iam.UpdateSAMLProviderRequest.RemoveContextProvider",
    "iam.UpdateSAMLProviderRequest.RemoveIdentityCenterInstance", "iam.UpdateSAMLProviderRequest.RemovePrivateKey",
    "sts.AssumeRoleRequest.MinimumSessionTokenSize", "sts.AssumeRoleWithSAMLRequest.MinimumSessionTokenSize",
    "sts.AssumeRoleWithWebIdentityRequest.MinimumSessionTokenSize",
), NEWER_THAN_THE_SDK)
"""``service.Operation`` (not called) or ``service.Shape.member`` (left out of both calls" inputs, or of botocore"s
output before comparing) -> why the Go SDK cannot send or read it."""
OLDER_MODEL = "the Go SDK 1.17.1's model requires {}, optional in botocore's: its own validation refuses the input"
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    ("iam", "CreateLoginProfile"): OLDER_MODEL.format("UserName and Password"),
    ("iam", "CreateOpenIDConnectProvider"): OLDER_MODEL.format("ThumbprintList"),
}
"""(service, operation) -> why the Go SDK's outcome differs from botocore's while mockrunner is right."""
SDK = "Go"


class Driver:
    """The running Go driver: one JSON request per line in, one JSON answer per line out."""

    def __init__(self, binary: Any, endpoint: str) -> None:
        self.process = subprocess.Popen([str(binary), endpoint], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def ask(self, request: dict) -> Any:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the Go driver stopped: {self.process.stderr.read()[-2000:]}"
        return json.loads(line)

    def close(self) -> None:
        """End the driver (it stops at the end of its input; killed if it does not within 30 s)."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        finally:
            self.process.kill()
            self.process.stdout.close()
            self.process.stderr.close()


class GoModels:
    """What the Go SDK's structs have (from the driver's ``describe``), matched to botocore's members by name
    (Go fields are the member names capitalized); records every member of botocore's the Go SDK lacks."""

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


def _zeros_kept(expected: Any, go: Any, shape: Any) -> Any:
    """``go`` with the zero value-type members botocore has put back (Go cannot tell them from absent)."""
    if shape is None or not isinstance(expected, dict) or not isinstance(go, dict) or shape.type_name != "structure":
        return go
    kept = dict(go)
    for name, value in expected.items():
        member = shape.members.get(name)
        if name not in kept and member is not None and member.type_name in ("boolean", "integer", "long", "double",
                                                                             "float") and not value:
            kept[name] = value
        elif name in kept and member is not None and member.type_name == "structure":
            kept[name] = _zeros_kept(value, kept[name], member)
        elif name in kept and member is not None and member.type_name == "list" and isinstance(value, list) \
                and isinstance(kept[name], list) and len(value) == len(kept[name]):
            kept[name] = [_zeros_kept(item, got, member.member) for item, got in zip(value, kept[name], strict=True)]
    return kept


def _mismatch(call: dict, botocore: dict, twin: dict, go: dict) -> list[str]:
    service = specs.service_model(call["service"])
    if botocore["ok"] != go["ok"]:
        what = "succeeded" if botocore["ok"] else f"failed with {botocore['code']} ({botocore['status']})"
        return [f"botocore {what}, Go {'succeeded' if go['ok'] else 'failed'}: {go}"[:600]]
    problems = [] if go.get("requestId") else ["no request id"]
    if go.get("status") != botocore["status"]:
        problems.append(f"HTTP status: botocore {botocore['status']}, Go {go.get('status')}")
    if botocore["ok"]:
        shape = service.operation_model(call["operation"]).output_shape
        output = _zeros_kept(botocore["output"], as_botocore(shape, go["output"]), shape)
        return problems + sdk_sweep.differences(botocore["output"], twin.get("output"), output, SDK)
    shape = _operation_errors(service, call["operation"]).get(botocore["code"])
    if go["code"] != botocore["code"]:
        problems.append(f"error {botocore['code']}: Go has {go['code']} ({go.get('errorType')}): {go['message']}"[:400])
    if shape is not None and (not go["modeled"] or go.get("errorType") != shape.name):
        problems.append(f"error {botocore['code']}: Go's error is {go.get('errorType')}, not the modeled "
                        f"types.{shape.name}")
    if shape is None and go["modeled"]:
        problems.append(f"error {botocore['code']}: not the operation's, yet Go has the modeled {go.get('errorType')}")
    if botocore["message"] != go["message"] and not (botocore["message"] is None and go["message"] == ""):
        problems.append(f"error message: botocore {botocore['message']!r:.100}, Go {go['message']!r:.100}")
    if shape is not None:
        members = as_botocore(shape, go.get("members") or {})
        expected = {key: value for key, value in botocore["members"].items()
                    if key in shape.members and key not in sdk_sweep.MESSAGES}
        problems += sdk_sweep.differences(expected, None, _zeros_kept(expected, members, shape), SDK)
        if go.get("fault") != ("server" if botocore["status"] >= 500 else "client"):
            problems.append(f"fault {go.get('fault')} for HTTP {botocore['status']}")
    return problems


def _operation_errors(service: Any, operation: str) -> dict[str, Any]:
    """The operation's modeled error code -> its error shape: the Go SDK deserializes these (and only these)
    into the service's error types; any other code arrives as a ``smithy.GenericAPIError`` with that code."""
    return {shape.metadata.get("error", {}).get("code", shape.name): shape
            for shape in service.operation_model(operation).error_shapes}


@pytest.fixture(scope="module")
def world() -> World:
    return build_full_world()


def _restore(endpoint: str, state: dict) -> None:
    request = urllib.request.Request(f"{endpoint}/_mockrunner/state", data=json.dumps(state).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert reply.status == 200


def test_every_operation_has_the_same_outcome_with_the_go_sdk(world):
    binary = built_driver()
    settings = Settings(log_requests=False, operation_delay=world.harness.settings.operation_delay)
    with ThreadedServer(settings) as server:
        driver = Driver(binary, server.endpoint_url)
        try:
            models = GoModels(driver.ask({"describe": True}))
            calls, botocore = sdk_sweep.calls(world, models.has, models.adapt)
            invalid = sdk_sweep.invalid_inputs(calls, botocore)
            assert not invalid, "\n".join(invalid)
            twins = [sdk_sweep.botocore(world, call) for call in calls]
            outcomes = []
            for call in calls:
                _restore(server.endpoint_url, world.pristine)
                outcomes.append(driver.ask({**call, "input": sdk_sweep.wire(call["input"])}))
        finally:
            driver.close()
    for call, *outcomes_of_call in zip(calls, botocore, twins, strict=True):
        for outcome in outcomes_of_call:
            if outcome["ok"]:
                outcome["output"] = models.known_output(call["service"], call["operation"], outcome["output"])
    missing_operations = {f"{service}.{name}" for service in specs.SERVICES
                          for name in specs.service_model(service).operation_names if not models.has(service, name)}
    lacking = missing_operations | models.lacking
    mismatches, still_expected = [], set()
    for call, ours, twin, go in zip(calls, botocore, twins, outcomes, strict=True):
        problems = _mismatch(call, ours, twin, go)
        key = (call["service"], call["operation"])
        if key in EXPECTED_DIFFERENCES:
            still_expected |= {key} if problems else set()
        elif problems:
            mismatches.append(f"{key[0]}.{key[1]}: " + "; ".join(problems))
    assert not mismatches, f"{len(mismatches)} of {len(calls)} operations differ:\n" + "\n".join(mismatches)
    assert lacking == set(GO_SDK_LACKS), f"lacking in the Go SDK, listed but not lacking, or lacking unlisted: " \
        f"{sorted(lacking ^ set(GO_SDK_LACKS))}"
    assert still_expected == set(EXPECTED_DIFFERENCES), "expected differences that no longer differ"
    assert len(calls) + len(missing_operations) > 280
    assert sum(outcome["ok"] for outcome in outcomes) > len(calls) // 2, "most valid inputs succeed"


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
    problems = _mismatch(CALL, BOTOCORE_OK, BOTOCORE_OK, go)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


@pytest.mark.parametrize(("go", "problem"), [
    (GO_ERROR, None),
    (changed(GO_ERROR, code="DeserializationError", errorType=None, modeled=False), "Go has DeserializationError"),
    (changed(GO_ERROR, errorType="GenericAPIError", modeled=False), "not the modeled types.RepositoryNotFound"),
    (changed(GO_ERROR, status=500), "HTTP status"),
    (changed(GO_ERROR, fault="server"), "fault server"),
    (changed(GO_ERROR, message=""), "error message"),
    (changed(GO_ERROR, requestId=None), "no request id"),
])
def test_the_comparison_of_errors_catches_what_the_go_sdk_would_misread(go, problem):
    problems = _mismatch(CALL, BOTOCORE_ERROR, BOTOCORE_ERROR, go)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


def test_a_code_the_operation_does_not_model_arrives_as_a_generic_api_error():
    botocore = {**BOTOCORE_ERROR, "code": "AccessDeniedException", "members": {}}
    generic = changed(GO_ERROR, code="AccessDeniedException", errorType="GenericAPIError", modeled=False, fault="")
    assert _mismatch(CALL, botocore, botocore, generic) == []
    assert _mismatch(CALL, botocore, botocore, changed(generic, errorType="AccessDeniedException", modeled=True))


def test_members_the_go_sdk_lacks_are_left_out_and_recorded():
    models = GoModels({"ecr": {"DescribeRepositories": {
        "input": {"RepositoryNames": None}, "output": {"Repositories": {"RepositoryName": None}}}}})
    assert models.adapt("ecr", "DescribeRepositories", {"repositoryNames": ["web"], "maxResults": 5}) == {
        "repositoryNames": ["web"]}
    assert models.known_output("ecr", "DescribeRepositories", BOTOCORE_OK["output"]) == {
        "repositories": [{"repositoryName": "web"}]}
    assert models.lacking == {"ecr.DescribeRepositoriesRequest.maxResults", "ecr.Repository.createdAt",
                              "ecr.Repository.imageScanningConfiguration"}
