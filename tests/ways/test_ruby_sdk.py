"""Another SDK than botocore: the AWS SDK for Ruby v3 (aws-sdk-core as the distribution packages it, with its
generated STS client: its own query serializer, XML parser, error classes and SigV4 signer, and its credential
providers) against a real server, each call compared with botocore's outcome of the same call.

The packaged SDK has no IAM, ECR nor App Runner client: ``test_every_operation_has_the_same_outcome_with_a_ruby_\
client_built_from_the_models`` builds clients of all four services at run time from botocore's service models on
aws-sdk-core's Seahorse shapes and protocol plugins (``ruby_sdk/model_client.rb``: the query serializer and XML
parser, JSON 1.0/1.1, the error classes and SigV4 signer of every generated Ruby client), calls every operation
once with the sweep's inputs (``sdk_sweep.py``) on the populated world, and asserts the outcomes agree with
botocore's: the same output, deeply, or the same status, code, message, error class and modeled members.

The driver is ``ruby_sdk/driver.rb`` (one JSON request a line in, one JSON answer a line out).  Outside CI these
tests skip when Ruby or aws-sdk-core is missing (Debian: ``ruby-aws-sdk-core``); in CI they must run
(``tests/conftest.py``; ``.ci/run`` installs it).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.server import ThreadedServer
from tests.harness import Harness
from tests.iam.federation import GITHUB_PROVIDER, deploy_role, github_provider, mint
from tests.ways import sdk_sweep as sweep
from tests.ways import sts_outcomes
from tests.ways.go_sdk_driver import Driver
from tests.ways.go_sdk_sweep import restore_state
from tests.ways.js_sdk_world import build_full_world
from tests.ways.sdk_principals import allow, deployer, user
from tests.ways.sdk_sweep import MESSAGES, differences, envelope_problems, error_shapes
from tests.ways.sts_outcomes import EXPIRATION_SLACK_MS, MAIN, sts_mismatch, sts_scenario

RUBY = shutil.which("ruby")
DRIVER = Path(__file__).with_name("ruby_sdk") / "driver.rb"
ACCOUNT = "123456789012"
SDK = "Ruby"
MODELED_ERRORS = "RubySdkModels"
"""The module of the model-driven clients' error classes (``ruby_sdk/model_client.rb``)."""


def _sdk_version(environment: dict) -> str:
    """aws-sdk-core's version as Ruby loads it ('' when it does not)."""
    if RUBY is None:
        return ""
    run = subprocess.run([RUBY, "-e", "require 'aws-sdk-core'; print Aws::CORE_GEM_VERSION"], env=environment,
                         capture_output=True, text=True, timeout=60)
    return run.stdout if run.returncode == 0 else ""


class Ruby:
    """The driver against the server at ``endpoint`` (``harness``'s, when given), in an environment of its own (no
    ``~/.aws``, no ``AWS_*``)."""

    def __init__(self, endpoint: str, home: Path, harness: Any = None) -> None:
        home.mkdir()
        self.harness = harness
        self.home = home
        environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
        if not _sdk_version(environment).startswith("3."):
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                "Ruby's aws-sdk-core v3 is not installed (Debian: ruby-aws-sdk-core; CI installs it: .ci/run)")
        self.driver = Driver([RUBY, DRIVER], endpoint, env=environment)

    def ask(self, request: dict) -> dict:
        return self.driver.ask(request)

    def token_file(self, name: str, token: str) -> str:
        path = self.home / name
        path.write_text(token)
        return str(path)


@pytest.fixture
def ruby(tmp_path: Path) -> Iterator[Ruby]:
    harness = Harness("server", Settings(log_requests=False))
    client = Ruby(harness.endpoint_url, tmp_path / "home", harness)
    yield client
    client.driver.close()
    harness.close()


def as_caller(credentials: dict) -> dict:
    return {"accessKeyId": credentials["AccessKeyId"], "secretAccessKey": credentials["SecretAccessKey"],
            "sessionToken": credentials.get("SessionToken")}


def mismatch(botocore: dict, twin: dict, outcome: dict) -> list[str]:
    """Where the Ruby SDK's outcome differs from botocore's (its error class: ``Aws::STS::Errors::CODE``)."""
    return sts_mismatch(botocore, twin, outcome, SDK, f"Aws::STS::Errors::{botocore.get('code')}")


def compare(ruby: Ruby, calls: dict[str, dict]) -> dict[str, dict]:
    """Each call with botocore (twice) and the Ruby SDK; asserts they agree; the Ruby SDK's outcomes by step."""
    return sts_outcomes.compare(ruby.harness, ruby.ask, calls, mismatch)


# ------------------------------------------------------------------------------------------- STS, call by call
def test_sts_operations_through_the_ruby_sdk_match_botocore(ruby):
    scenario = sts_scenario(ruby.harness, "ruby", "sts:GetFederationToken", "sts:DecodeAuthorizationMessage")
    alice, role, gha, token, feature, assume = (scenario.alice, scenario.role, scenario.gha, scenario.token,
                                                scenario.feature, scenario.assume)
    outcomes = compare(ruby, {
        "root": {"operation": "GetCallerIdentity", "input": {}},
        "alice": {"operation": "GetCallerIdentity", "input": {}, "caller": alice},
        "key-info": {"operation": "GetAccessKeyInfo", "input": {"AccessKeyId": alice["accessKeyId"]}},
        "session-token": {"operation": "GetSessionToken", "input": {"DurationSeconds": 900}, "caller": alice},
        "assume-role": {"operation": "AssumeRole", "input": assume, "caller": alice},
        "federation": {"operation": "GetFederationToken", "caller": alice,
                       "input": {"Name": "ruby-fed", "Policy": allow("ecr:Describe*")}},
        "web-identity": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                         "input": {"RoleArn": gha, "RoleSessionName": "run-1", "WebIdentityToken": token}},
        "web-identity-refused": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                                 "input": {"RoleArn": gha, "RoleSessionName": "run-2", "WebIdentityToken": feature}},
        "web-identity-garbage": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                                 "input": {"RoleArn": gha, "RoleSessionName": "run-3",
                                           "WebIdentityToken": "not.a.jwt"}},
        "root-assumes": {"operation": "AssumeRole", "input": {"RoleArn": role, "RoleSessionName": "root"}},
        "decode": {"operation": "DecodeAuthorizationMessage", "input": {"EncodedMessage": "abc"}, "caller": alice},
        "validation": {"operation": "AssumeRole", "input": {"RoleArn": role, "RoleSessionName": "bad name!"},
                       "caller": alice},
    })
    assert outcomes["root"]["output"] == {"UserId": ACCOUNT, "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root"}
    assert outcomes["alice"]["output"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert outcomes["key-info"]["output"] == {"Account": ACCOUNT}
    session = outcomes["assume-role"]["output"]
    assert session["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ruby"
    assert session["Credentials"]["AccessKeyId"].startswith("ASIA") and session["PackedPolicySize"] > 0
    assert outcomes["federation"]["output"]["FederatedUser"]["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:federated-user/ruby-fed"
    web = outcomes["web-identity"]["output"]
    assert (web["SubjectFromWebIdentityToken"], web["Provider"], web["Audience"]) == (MAIN, GITHUB_PROVIDER,
                                                                                      "sts.amazonaws.com")
    assert web["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/run-1"
    assert (outcomes["web-identity-refused"]["code"], outcomes["web-identity-garbage"]["code"]) == (
        "AccessDenied", "InvalidIdentityToken")
    assert outcomes["root-assumes"]["message"] == "Roles may not be assumed by root accounts."
    assert outcomes["decode"]["errorClass"] == "Aws::STS::Errors::InvalidAuthorizationMessageException"
    assert outcomes["validation"]["code"] == "ValidationError"

    # The session the Ruby SDK got works: GetCallerIdentity signed with it, through the Ruby SDK.
    whoami = ruby.ask({"service": "sts", "operation": "GetCallerIdentity", "input": {},
                       "caller": as_caller(session["Credentials"])})
    assert whoami["output"]["Arn"] == session["AssumedRoleUser"]["Arn"]
    assert whoami["output"]["UserId"] == session["AssumedRoleUser"]["AssumedRoleId"]


def test_the_ruby_sdk_reads_an_access_denied_as_its_error_class(ruby):
    nobody = user(ruby.harness, "nobody", None)
    role = deployer(ruby.harness, f"arn:aws:iam::{ACCOUNT}:root")
    refused = compare(ruby, {"denied": {"operation": "AssumeRole", "caller": nobody,
                                        "input": {"RoleArn": role, "RoleSessionName": "ruby"}}})["denied"]
    assert (refused["errorClass"], refused["code"], refused["status"]) == ("Aws::STS::Errors::AccessDenied",
                                                                           "AccessDenied", 403)
    assert refused["message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: sts:AssumeRole on resource: {role}")
    assert refused["requestId"]


# ------------------------------------------------------------------------------ the SDK's credential providers
def test_the_ruby_sdks_credential_providers_assume_roles(ruby):
    alice = user(ruby.harness, "alice", allow("sts:AssumeRole"))
    role = deployer(ruby.harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    github_provider(ruby.harness)
    gha = deploy_role(ruby.harness, "gha", MAIN)
    token = mint(ruby.harness, github={"repository": "acme/web", "ref": "refs/heads/main"})

    assumed = ruby.ask({"provider": "AssumeRoleCredentials", "caller": alice,
                        "input": {"RoleArn": role, "RoleSessionName": "ruby-provider", "DurationSeconds": 900}})
    assert assumed["ok"], assumed
    assert assumed["output"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ruby-provider"
    assert assumed["accessKeyId"].startswith("ASIA")
    botocore = ruby.harness.client(
        "sts", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"]).assume_role(
        RoleArn=role, RoleSessionName="ruby-provider", DurationSeconds=900)
    assert abs(botocore["Credentials"]["Expiration"].timestamp() * 1000 - assumed["expiration"]["$date"]) < \
        EXPIRATION_SLACK_MS
    assert ruby.harness.client_for(botocore["Credentials"], "sts").get_caller_identity()["UserId"] == \
        assumed["output"]["UserId"]

    federated = ruby.ask({"provider": "AssumeRoleWebIdentityCredentials", "tokenFile": ruby.token_file("token", token),
                          "input": {"RoleArn": gha, "RoleSessionName": "ruby-web"}})
    assert federated["ok"], federated
    assert federated["output"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/ruby-web"
    assert federated["accessKeyId"].startswith("ASIA")

    feature = mint(ruby.harness, github={"repository": "acme/web", "ref": "refs/heads/feature"})
    refused = ruby.ask({"provider": "AssumeRoleWebIdentityCredentials",
                        "tokenFile": ruby.token_file("feature", feature),
                        "input": {"RoleArn": gha, "RoleSessionName": "ruby-web"}})
    assert (refused["errorClass"], refused["status"], refused["message"]) == (
        "Aws::STS::Errors::AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    denied = ruby.ask({"provider": "AssumeRoleCredentials", "caller": None,
                       "input": {"RoleArn": role, "RoleSessionName": "root"}})
    assert (denied["errorClass"], denied["status"]) == ("Aws::STS::Errors::AccessDenied", 403)



# ------------------------------------------------------------------- every operation, from botocore's models
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {}
"""(service, operation) -> why the model-driven Ruby client's outcome differs from botocore's while mockrunner is
right."""


def sweep_mismatch(call: dict, botocore: dict, twin: dict, outcome: dict) -> list[str]:
    """Where the model-driven Ruby client's outcome differs from botocore's: output deeply (values two botocore calls
    differ in are not compared); or error code, message, the error class of the code and a modeled error's
    members."""
    final, problems = envelope_problems(botocore, outcome, SDK, "request id")
    if final:
        return problems
    if botocore["ok"]:
        return problems + differences(botocore["output"], twin.get("output"), outcome["output"], SDK)
    expected = (botocore["code"], botocore["message"], f"{MODELED_ERRORS}::{call['service'].upper()}::Errors::"
                f"{botocore['code']}")
    found = (outcome["code"], outcome["message"], outcome["errorClass"])
    if found != expected:
        problems.append(f"error: botocore {expected}, {SDK} {found}"[:400])
    shape = error_shapes(call["service"], call["operation"]).get(botocore["code"])
    modeled = set(shape.members) - set(MESSAGES) if shape is not None else set()
    members = {key: value for key, value in outcome.get("members", {}).items() if key in modeled}
    return problems + differences({key: value for key, value in botocore["members"].items() if key in modeled},
                                  None, members, SDK)


def model_files(directory: Path) -> dict[str, str]:
    """The served services' botocore models (JSON files in ``directory``), as the driver loads them."""
    paths = {}
    for service in sweep.SDK_SERVICES:
        paths[service] = str(directory / f"{service}.json")
        Path(paths[service]).write_text(json.dumps(specs.service_model(service)._service_description))
    return paths


def test_every_operation_has_the_same_outcome_with_a_ruby_client_built_from_the_models(tmp_path):
    world = build_full_world()
    calls, botocore = sweep.calls(world)
    invalid = sweep.invalid_inputs(calls, botocore)
    assert not invalid, "\n".join(invalid)
    twins = [sweep.twin(world, call) for call in calls]
    settings = Settings(log_requests=False, operation_delay=world.harness.settings.operation_delay)
    with ThreadedServer(settings) as server:
        ruby = Ruby(server.endpoint_url, tmp_path / "home")
        try:
            assert ruby.ask({"models": model_files(tmp_path)})["services"] == sorted(sweep.SDK_SERVICES)
            outcomes = []
            for call in calls:
                restore_state(server.endpoint_url, world.pristine)
                outcomes.append(ruby.ask({**call, "input": sweep.wire(call["input"])}))
        finally:
            ruby.driver.close()
    mismatches, still_expected = [], set()
    for call, ours, twin, outcome in zip(calls, botocore, twins, outcomes, strict=True):
        key = (call["service"], call["operation"])
        problems = sweep_mismatch(call, ours, twin, outcome)
        if key in EXPECTED_DIFFERENCES:
            still_expected |= {key} if problems else set()
        elif problems:
            mismatches.append(f"{key[0]}.{key[1]}: " + "; ".join(problems))
    assert not mismatches, f"{len(mismatches)} of {len(calls)} operations differ:\n" + "\n".join(mismatches)
    assert still_expected == set(EXPECTED_DIFFERENCES), "expected differences that no longer differ"
    assert len(calls) == sum(len(specs.service_model(service).operation_names)
                             for service in sweep.SDK_SERVICES) > 280
    assert sum(outcome["ok"] for outcome in outcomes) > len(calls) // 2, "most valid inputs succeed"


# ------------------------------------------------------------------ the comparison itself catches what it must
IDENTITY = {"ok": True, "status": 200, "output": {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/a"}}
SESSION = {"ok": True, "status": 200, "output": {"Credentials": {
    "AccessKeyId": "ASIAONE", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": {"$date": 1_000_000}}}}
DENIED = {"ok": False, "status": 403, "code": "AccessDenied", "message": "no", "members": {}}
RUBY_DENIED = {**DENIED, "requestId": "r-1", "errorClass": "Aws::STS::Errors::AccessDenied"}


def _credentials(**changes: Any) -> dict:
    return {**SESSION, "requestId": "r-1", "output": {"Credentials": {**SESSION["output"]["Credentials"], **changes}}}


@pytest.mark.parametrize(("botocore", "outcome", "problem"), [
    (IDENTITY, {**IDENTITY, "requestId": "r-1"}, None),
    (IDENTITY, {**IDENTITY, "requestId": ""}, "no request id"),
    (IDENTITY, {**IDENTITY, "requestId": "r-1", "output": {"Account": ACCOUNT}}, "only botocore has it"),
    (IDENTITY, {**IDENTITY, "requestId": "r-1", "output": {**IDENTITY["output"], "Account": "1"}}, "Ruby '1'"),
    (IDENTITY, RUBY_DENIED, "botocore succeeded"),
    (SESSION, _credentials(AccessKeyId="ASIATWO", Expiration={"$date": 1_000_500}), None),
    (SESSION, _credentials(AccessKeyId="AKIATWO"), "AccessKeyId of another kind"),
    (SESSION, _credentials(Expiration={"$date": 1_000_000 + 2 * EXPIRATION_SLACK_MS}), "Expiration"),
    (DENIED, RUBY_DENIED, None),
    (DENIED, {**RUBY_DENIED, "errorClass": "Aws::STS::Errors::ServiceError"}, "error"),
    (DENIED, {**RUBY_DENIED, "message": "No"}, "error"),
    (DENIED, {**RUBY_DENIED, "status": 400}, "HTTP status"),
])
def test_the_comparison_catches_what_the_ruby_sdk_would_misread(botocore, outcome, problem):
    problems = mismatch(botocore, botocore, outcome)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems


SWEEP_CALL = {"service": "ecr", "operation": "DescribeRepositories", "input": {}, "caller": None}
ECR_MISSING = {"ok": False, "status": 400, "code": "RepositoryNotFoundException", "message": "gone",
               "members": {"message": "gone"}}
RUBY_ECR_MISSING = {**ECR_MISSING, "requestId": "r-1", "members": {"message": "gone"},
                    "errorClass": "RubySdkModels::ECR::Errors::RepositoryNotFoundException"}


@pytest.mark.parametrize(("outcome", "problem"), [
    (RUBY_ECR_MISSING, None),
    ({**RUBY_ECR_MISSING, "errorClass": "RubySdkModels::ECR::Errors::ServiceError"}, "error"),
    ({**RUBY_ECR_MISSING, "code": "DriverError", "errorClass": "NoMethodError"}, "error"),
    ({**RUBY_ECR_MISSING, "message": ""}, "error"),
    ({**RUBY_ECR_MISSING, "status": 0, "requestId": None}, "HTTP status"),
    ({"ok": True, "status": 200, "requestId": "r-1", "output": {}}, "botocore failed"),
])
def test_the_sweeps_comparison_of_errors_catches_what_the_ruby_client_would_misread(outcome, problem):
    problems = sweep_mismatch(SWEEP_CALL, ECR_MISSING, ECR_MISSING, outcome)
    assert (not problems) if problem is None else any(problem in found for found in problems), problems
