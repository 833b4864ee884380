"""Another SDK than botocore: AsyncAws, the PHP library (async-aws/core as the distribution packages it: its STS
client with its query serializer, XML parser and exception classes, its SigV4 signer and its credential providers),
against a real server, each STS call compared with botocore's outcome of the same call.

The package has no client of IAM or App Runner: the driver (``php_sdk/driver.php``, one JSON request on stdin, one
JSON answer on stdout, a process a call) builds one of AsyncAws's ``AbstractApi`` for each, so that AsyncAws's own
SigV4 signer signs an IAM query request and an App Runner JSON request, and its error factories read the answers.
The credential providers' internal STS clients know no custom endpoint: the driver sends AWS's STS addresses to the
loopback server and refuses every other address that is not loopback.

Outside CI these tests skip when PHP or AsyncAws is missing (Debian: ``php-cli``, ``php-async-aws-core``); in CI
they must run (``tests/conftest.py``; ``.ci/run`` installs them).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
from botocore.exceptions import ClientError

from tests.apprunner.helpers import create
from tests.harness import Harness
from tests.iam.federation import GITHUB_PROVIDER, deploy_role, github_provider, mint
from tests.ways import sts_outcomes
from tests.ways.script_drivers import missing, probed
from tests.ways.sdk_principals import allow, deployer, user
from tests.ways.sts_outcomes import EXPIRATION_SLACK_MS, MAIN, sts_mismatch, sts_scenario

PHP = shutil.which("php")
DRIVER = Path(__file__).with_name("php_sdk") / "driver.php"
ACCOUNT = "123456789012"
SDK = "AsyncAws"
CALL_TIMEOUT_S = 60
STS_EXCEPTIONS = "AsyncAws\\Core\\Sts\\Exception\\"
EXCEPTION_CLASSES = {code: STS_EXCEPTIONS + name for code, name in {
    "MalformedPolicyDocument": "MalformedPolicyDocumentException",
    "PackedPolicyTooLarge": "PackedPolicyTooLargeException",
    "RegionDisabledException": "RegionDisabledException",
    "ExpiredTokenException": "ExpiredTokenException",
    "IDPRejectedClaim": "IDPRejectedClaimException",
    "IDPCommunicationError": "IDPCommunicationErrorException",
    "InvalidIdentityToken": "InvalidIdentityTokenException",
}.items()}
"""The error codes AsyncAws's StsClient throws an exception class of its own for (its exception mapping); any other
error is its ``ClientException`` (4xx) or ``ServerException`` (5xx)."""
CLIENT_EXCEPTION = "AsyncAws\\Core\\Exception\\Http\\ClientException"
SERVER_EXCEPTION = "AsyncAws\\Core\\Exception\\Http\\ServerException"
PROBE = ("require 'AsyncAws/Core/autoload.php'; "
         "echo class_exists('AsyncAws\\\\Core\\\\Sts\\\\StsClient') ? 'yes' : 'no';")


def error_class(botocore: dict) -> str:
    """AsyncAws's exception class for botocore's error."""
    fallback = SERVER_EXCEPTION if botocore.get("status", 0) >= 500 else CLIENT_EXCEPTION
    return EXCEPTION_CLASSES.get(botocore.get("code"), fallback)


class AsyncAws:
    """The driver against ``harness``'s server, in an environment of its own (no ``~/.aws``, no ``AWS_*`` but
    what a call adds)."""

    def __init__(self, harness: Harness, home: Path) -> None:
        home.mkdir()
        self.harness = harness
        self.home = home
        self.environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
        if probed([PHP, "-r", PROBE] if PHP else None, self.environment, CALL_TIMEOUT_S) != "yes":
            missing("PHP's AsyncAws is not installed (Debian: php-cli, php-async-aws-core; CI installs them: .ci/run)")

    def ask(self, request: dict, **environment: str) -> dict:
        run = subprocess.run([PHP, DRIVER, self.harness.endpoint_url], input=json.dumps(request),
                             env={**self.environment, **environment}, capture_output=True, text=True,
                             timeout=CALL_TIMEOUT_S)
        assert run.returncode == 0 and run.stdout, f"the driver failed: {run.stderr[-3000:]}"
        return json.loads(run.stdout)

    def token_file(self, name: str, token: str) -> str:
        path = self.home / name
        path.write_text(token)
        return str(path)


@pytest.fixture
def php(tmp_path: Path) -> Iterator[AsyncAws]:
    harness = Harness("server")
    try:
        yield AsyncAws(harness, tmp_path / "home")
    finally:
        harness.close()


def mismatch(botocore: dict, twin: dict, outcome: dict) -> list[str]:
    return sts_mismatch(botocore, twin, outcome, SDK, error_class(botocore))


def compare(php: AsyncAws, calls: dict[str, dict]) -> dict[str, dict]:
    """Each call with botocore (twice) and AsyncAws; asserts they agree; AsyncAws's outcomes by step."""
    return sts_outcomes.compare(php.harness, php.ask, calls, mismatch)


def as_caller(credentials: dict) -> dict:
    return {"accessKeyId": credentials["AccessKeyId"], "secretAccessKey": credentials["SecretAccessKey"],
            "sessionToken": credentials["SessionToken"]}


# ------------------------------------------------------------------------------------------ StsClient, call by call
def test_sts_calls_through_async_aws_match_botocore(php):
    scenario = sts_scenario(php.harness, "php")
    alice, role, gha, token, feature, assume = (scenario.alice, scenario.role, scenario.gha, scenario.token,
                                                scenario.feature, scenario.assume)
    outcomes = compare(php, {
        "root": {"operation": "GetCallerIdentity", "input": {}},
        "alice": {"operation": "GetCallerIdentity", "input": {}, "caller": alice},
        "assume-role": {"operation": "AssumeRole", "input": assume, "caller": alice},
        "web-identity": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                         "input": {"RoleArn": gha, "RoleSessionName": "run-1", "WebIdentityToken": token,
                                   "DurationSeconds": 900}},
        "web-identity-refused": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                                 "input": {"RoleArn": gha, "RoleSessionName": "run-2", "WebIdentityToken": feature}},
        "web-identity-garbage": {"operation": "AssumeRoleWithWebIdentity", "caller": False,
                                 "input": {"RoleArn": gha, "RoleSessionName": "run-3",
                                           "WebIdentityToken": "not.a.jwt"}},
        "bad-session-policy": {"operation": "AssumeRole", "caller": alice,
                               "input": {"RoleArn": role, "RoleSessionName": "php", "Policy": "{not json"}},
        "root-assumes": {"operation": "AssumeRole", "input": {"RoleArn": role, "RoleSessionName": "root"}},
        "validation": {"operation": "AssumeRole", "input": {"RoleArn": role, "RoleSessionName": "bad name!"},
                       "caller": alice},
    })
    assert outcomes["root"]["output"] == {"UserId": ACCOUNT, "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root"}
    alice_iam = php.harness.client("iam").get_user(UserName="alice")["User"]
    assert outcomes["alice"]["output"] == {"UserId": alice_iam["UserId"], "Account": ACCOUNT,
                                           "Arn": alice_iam["Arn"]}
    session = outcomes["assume-role"]["output"]
    assert session["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/php"
    assert session["Credentials"]["AccessKeyId"].startswith("ASIA") and session["PackedPolicySize"] > 0
    web = outcomes["web-identity"]["output"]
    assert (web["SubjectFromWebIdentityToken"], web["Provider"], web["Audience"]) == (MAIN, GITHUB_PROVIDER,
                                                                                      "sts.amazonaws.com")
    assert web["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/run-1"
    assert [(outcomes[step]["code"], outcomes[step]["errorClass"]) for step in (
        "web-identity-refused", "web-identity-garbage", "bad-session-policy", "root-assumes", "validation")] == [
        ("AccessDenied", CLIENT_EXCEPTION), ("InvalidIdentityToken", EXCEPTION_CLASSES["InvalidIdentityToken"]),
        ("MalformedPolicyDocument", EXCEPTION_CLASSES["MalformedPolicyDocument"]),
        ("AccessDenied", CLIENT_EXCEPTION), ("ValidationError", CLIENT_EXCEPTION)]
    assert outcomes["root-assumes"]["message"] == "Roles may not be assumed by root accounts."

    # The sessions AsyncAws got work: GetCallerIdentity signed with them (the signer's session token path).
    for step, arn in (("assume-role", session["AssumedRoleUser"]), ("web-identity", web["AssumedRoleUser"])):
        whoami = compare(php, {step: {"operation": "GetCallerIdentity", "input": {},
                                      "caller": as_caller(outcomes[step]["output"]["Credentials"])}})[step]
        assert whoami["output"] == {"UserId": arn["AssumedRoleId"], "Account": ACCOUNT, "Arn": arn["Arn"]}


def test_async_aws_reads_refusals_as_its_client_exception_with_awss_code_and_message(php):
    nobody = user(php.harness, "nobody", None)
    alice = user(php.harness, "alice", allow("sts:AssumeRole"))
    role = deployer(php.harness, f"arn:aws:iam::{ACCOUNT}:root")
    session = php.harness.client("sts", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"]).assume_role(
        RoleArn=role, RoleSessionName="soon-gone")["Credentials"]
    forged = {**as_caller(session), "sessionToken": session["SessionToken"][:-4] + "AAAA"}
    refused = compare(php, {
        "denied": {"operation": "AssumeRole", "caller": nobody, "input": {"RoleArn": role, "RoleSessionName": "php"}},
        "unknown-key": {"operation": "GetCallerIdentity", "input": {},
                        "caller": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "wrong"}},
        "wrong-secret": {"operation": "GetCallerIdentity", "input": {},
                         "caller": {**alice, "secretAccessKey": "wrong"}},
        "forged-token": {"operation": "GetCallerIdentity", "input": {}, "caller": forged},
        "unsigned": {"operation": "GetCallerIdentity", "input": {}, "caller": False},
    })
    denied = refused["denied"]
    assert (denied["errorClass"], denied["code"], denied["status"]) == (CLIENT_EXCEPTION, "AccessDenied", 403)
    assert denied["message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: sts:AssumeRole on resource: {role}")
    assert denied["requestId"]
    assert [(refused[step]["code"], refused[step]["status"]) for step in (
        "unknown-key", "wrong-secret", "forged-token", "unsigned")] == [
        ("InvalidClientTokenId", 403), ("SignatureDoesNotMatch", 403), ("InvalidClientTokenId", 403),
        ("MissingAuthenticationToken", 403)]


# ------------------------------------------------------------------------------------ AsyncAws's credential providers
def test_async_aws_credential_providers_assume_roles(php):
    alice = user(php.harness, "alice", allow("sts:AssumeRole"))
    role = deployer(php.harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    assumed = php.ask({"provider": "ConfigurationProvider", "caller": alice,
                       "config": {"roleArn": role, "roleSessionName": "php-provider"}})
    assert assumed["ok"], assumed
    assert assumed["output"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/php-provider"
    assert assumed["credentials"]["accessKeyId"].startswith("ASIA")
    botocore = php.harness.client("sts", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"]).assume_role(
        RoleArn=role, RoleSessionName="php-provider")["Credentials"]
    assert abs(botocore["Expiration"].timestamp() * 1000 - assumed["credentials"]["expiration"]["$date"]) < \
        EXPIRATION_SLACK_MS
    assert php.harness.client_for(botocore, "sts").get_caller_identity()["UserId"] == assumed["output"]["UserId"]

    nobody = user(php.harness, "nobody", None)
    refused = php.ask({"provider": "ConfigurationProvider", "caller": nobody,
                       "config": {"roleArn": role, "roleSessionName": "php-provider"}})
    # The provider logs AWS's refusal (each time it is asked) and gives no credentials: the call goes unsigned.
    assert refused["credentials"] is None and (refused["ok"], refused["code"]) == (False, "MissingAuthenticationToken")
    assert {(entry["code"], entry["errorClass"]) for entry in refused["log"] if "code" in entry} == {
        ("AccessDenied", CLIENT_EXCEPTION)}


def test_async_aws_default_chain_assumes_a_role_with_a_web_identity_token_file(php):
    github_provider(php.harness)
    gha = deploy_role(php.harness, "gha", MAIN)
    token = mint(php.harness, github={"repository": "acme/web", "ref": "refs/heads/main"})
    federated = php.ask({"provider": "DefaultChain"}, AWS_ROLE_ARN=gha, AWS_ROLE_SESSION_NAME="php-web",
                        AWS_WEB_IDENTITY_TOKEN_FILE=php.token_file("token", token))
    assert federated["ok"], federated
    assert federated["output"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/php-web"
    assert federated["credentials"]["accessKeyId"].startswith("ASIA")
    expected = php.harness.client("iam").get_role(RoleName="gha")["Role"]["RoleId"]
    assert federated["output"]["UserId"] == f"{expected}:php-web"

    # A token the trust policy refuses: the provider logs AWS's refusal and gives no credentials; no other provider
    # of the chain has any (the instance metadata address is not loopback: refused), so the call goes unsigned.
    feature = mint(php.harness, github={"repository": "acme/web", "ref": "refs/heads/feature"})
    refused = php.ask({"provider": "DefaultChain"}, AWS_ROLE_ARN=gha, AWS_ROLE_SESSION_NAME="php-web",
                      AWS_WEB_IDENTITY_TOKEN_FILE=php.token_file("feature", feature))
    assert refused["credentials"] is None
    assert {(entry["code"], entry["awsMessage"]) for entry in refused["log"] if "code" in entry} == {
        ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")}
    assert any("169.254.169.254" in entry.get("exception", "") and "not the loopback server" in entry["exception"]
               for entry in refused["log"]), refused["log"]
    assert (refused["ok"], refused["code"]) == (False, "MissingAuthenticationToken")


# ------------------------------------------------------------- AsyncAws's SigV4 signer on IAM and App Runner requests
def iam_user(xml: str) -> dict:
    """The User of an IAM GetUser answer."""
    found = ElementTree.fromstring(xml).find(".//{https://iam.amazonaws.com/doc/2010-05-08/}User")
    return {element.tag.split("}")[1]: element.text for element in found}


def botocore_error(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_requests_signed_by_async_aws_reach_iam_and_app_runner(php):
    alice = user(php.harness, "alice", allow("iam:GetUser", "sts:AssumeRole", "apprunner:ListServices"))
    role = deployer(php.harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    iam = php.harness.client("iam")
    iam.put_role_policy(RoleName="deployer", PolicyName="read", PolicyDocument=allow("iam:GetUser"))
    session = php.ask({"operation": "AssumeRole", "caller": alice,
                       "input": {"RoleArn": role, "RoleSessionName": "php"}})["output"]["Credentials"]

    own = php.ask({"signed": "iam", "operation": "GetUser", "input": {}, "caller": alice})
    assert own["ok"] and own["requestId"], own
    expected = iam.get_user(UserName="alice")["User"]
    assert iam_user(own["output"]["xml"]) == {**{key: expected[key] for key in ("Path", "UserName", "UserId", "Arn")},
                                              "CreateDate": iam_user(own["output"]["xml"])["CreateDate"]}
    as_session = php.ask({"signed": "iam", "operation": "GetUser", "input": {"UserName": "alice"},
                          "caller": as_caller(session)})
    assert as_session["ok"] and iam_user(as_session["output"]["xml"])["Arn"] == expected["Arn"], as_session
    missing = php.ask({"signed": "iam", "operation": "GetUser", "input": {"UserName": "ghost"}, "caller": alice})
    assert (missing["code"], missing["message"], missing["status"]) == botocore_error(iam.get_user, UserName="ghost")
    assert missing["errorClass"] == CLIENT_EXCEPTION

    apprunner = php.harness.client("apprunner")
    arn = create(apprunner)["Service"]["ServiceArn"]
    listed = php.ask({"signed": "apprunner", "operation": "ListServices", "input": {}, "caller": alice})
    assert listed["ok"] and listed["requestId"], listed
    assert [(item["ServiceArn"], item["ServiceName"]) for item in listed["output"]["ServiceSummaryList"]] == [
        (arn, "web-app")]
    ghost = arn.rsplit("/", 1)[0] + "/" + "0" * 32
    missing = php.ask({"signed": "apprunner", "operation": "DescribeService", "input": {"ServiceArn": ghost},
                       "caller": {"accessKeyId": "test", "secretAccessKey": "test"}})
    assert (missing["code"], missing["message"], missing["status"]) == botocore_error(
        apprunner.describe_service, ServiceArn=ghost)
    denied = php.ask({"signed": "apprunner", "operation": "DescribeService", "input": {"ServiceArn": arn},
                      "caller": alice})
    alice_apprunner = php.harness.client("apprunner", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"])
    assert (denied["code"], denied["message"], denied["status"]) == botocore_error(
        alice_apprunner.describe_service, ServiceArn=arn)
    assert denied["code"] == "AccessDeniedException"
    tampered = php.ask({"signed": "apprunner", "operation": "ListServices", "input": {},
                        "caller": {**alice, "secretAccessKey": "wrong"}})
    wrong = php.harness.client("apprunner", access_key=alice["accessKeyId"], secret="wrong")
    assert (tampered["code"], tampered["message"], tampered["status"]) == botocore_error(wrong.list_services)
    assert tampered["code"] == "InvalidSignatureException"


# ----------------------------------------------------------------------- presigned GetCallerIdentity (EKS-style)
def fetch(url: str) -> tuple[int, str]:
    """A plain GET of a presigned URL, as a server checking a caller's identity does it (its request id left out)."""
    response = requests.get(url, headers={"x-k8s-aws-id": "cluster"}, timeout=10)
    return response.status_code, re.sub(r"<RequestId>[^<]*</RequestId>", "", response.text)


def tamper(url: str) -> str:
    """``url`` with another signature."""
    return re.sub(r"X-Amz-Signature=(\w)", lambda found: "X-Amz-Signature=" + "01"[found[1] == "0"], url)


@pytest.mark.parametrize("expires_in", [0, 60])
def test_presigned_get_caller_identity_urls_of_async_aws_identify_the_caller(php, expires_in):
    """X-Amz-Expires=0 as aws-iam-authenticator's EKS tokens had it: STS ignores it (docs/behaviour.md)."""
    alice = user(php.harness, "alice", allow("sts:AssumeRole"))
    role = deployer(php.harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    session = php.ask({"operation": "AssumeRole", "caller": alice,
                       "input": {"RoleArn": role, "RoleSessionName": "php"}})["output"]["Credentials"]
    for caller, arn in ((alice, f"arn:aws:iam::{ACCOUNT}:user/alice"),
                        (as_caller(session), f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/php")):
        url = php.ask({"presign": "GetCallerIdentity", "caller": caller, "expiresIn": expires_in})["url"]
        assert f"X-Amz-Expires={expires_in}&" in url
        keys = {"access_key": caller["accessKeyId"], "secret": caller["secretAccessKey"],
                "token": caller.get("sessionToken")}
        botocore = php.harness.client("sts", **keys).generate_presigned_url("get_caller_identity", ExpiresIn=60,
                                                                          HttpMethod="GET")
        time.sleep(1.1 if expires_in == 0 else 0)
        status, body = fetch(url)
        assert (status, body) == fetch(botocore) and status == 200 and f"<Arn>{arn}</Arn>" in body, body
        refused = fetch(tamper(url))
        assert refused == fetch(tamper(botocore)) and refused[0] == 403, refused
        assert "<Code>SignatureDoesNotMatch</Code>" in refused[1]
