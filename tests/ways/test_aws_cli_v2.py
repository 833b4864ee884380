"""The AWS CLI v2, the client most people drive AWS with, against a real server: a separate client from the pip
CLI v1 the other CLI tests run (its own fork of botocore and models, standard retries, base64 blobs, auto
pagination, its own error output), run as the distribution installs it (``/usr/bin/aws``, never the .venv's v1).

Each test runs whole workflows as a user types them: credentials in the environment, an isolated ``HOME`` and
config file, ``--endpoint-url`` on every call (v2.9 predates ``AWS_ENDPOINT_URL`` and would call AWS itself),
documents from ``file://``.  ``test_every_operation_of_the_cli_models_is_served`` calls every operation of the
CLI's own bundled models once, and ``test_every_paginator_of_the_cli_models_walks_one_item_pages`` runs its
paginators over a populated account (``cli_v2_sweep.py``, run by the CLI's Python).  Outside CI these tests skip when
the CLI v2 is not installed; in CI they must run (``tests/conftest.py``; ``.ci/run`` installs it).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mockrunner.config import Settings
from mockrunner.protocol import specs
from mockrunner.testing.oci import OCI_MANIFEST, build_image, digest_of
from tests.harness import Harness
from tests.iam.federation import GITHUB, GITHUB_HOST, GITHUB_PROVIDER, mint
from tests.registry.images import Registry
from tests.ways import sdk_sweep
from tests.ways.js_sdk_world import build_full_world

AWS_V2 = "/usr/bin/aws"
SYSTEM_PYTHON = "/usr/bin/python3"
ACCOUNT = "123456789012"
SWEEP = Path(__file__).with_name("cli_v2_sweep.py")


def _version() -> str:
    if not os.path.exists(AWS_V2):
        return ""
    return subprocess.run([AWS_V2, "--version"], capture_output=True, text=True, timeout=60).stdout


VERSION = _version()
if not VERSION.startswith("aws-cli/2.") and not os.environ.get("CI"):
    pytest.skip(f"the AWS CLI v2 is not installed as {AWS_V2} (CI installs it: .ci/run)", allow_module_level=True)

DENIED_EXIT = 254
"""The CLI v2's exit code when the service answered an error (252: the CLI refused the input itself)."""


class Cli:
    """``/usr/bin/aws`` against ``harness``'s server as a user runs it: keys in the environment, a config file of
    its own under an isolated ``HOME``, no pager."""

    def __init__(self, harness: Harness, home: Path) -> None:
        if not VERSION.startswith("aws-cli/2."):
            pytest.fail(f"{AWS_V2} must be the AWS CLI v2 in CI, it is: {VERSION!r} ({shutil.which('aws')} on PATH)")
        self.harness = harness
        self.home = home
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\noutput = json\n")
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "AWS_PAGER": "",
                    "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}

    def run(self, *args: str, keys: dict | None = None) -> subprocess.CompletedProcess:
        """One command; ``keys`` (a ``Credentials`` or ``AccessKey`` dict) replaces the root's keys."""
        env = dict(self.env)
        if keys is not None:
            env.update(AWS_ACCESS_KEY_ID=keys["AccessKeyId"], AWS_SECRET_ACCESS_KEY=keys["SecretAccessKey"])
            if keys.get("SessionToken"):
                env["AWS_SESSION_TOKEN"] = keys["SessionToken"]
        return subprocess.run([AWS_V2, "--endpoint-url", self.harness.endpoint_url, *args], env=env, cwd=self.home,
                              capture_output=True, text=True, timeout=60)

    def __call__(self, *args: str, keys: dict | None = None) -> Any:
        """A command that must succeed: its JSON output (``None`` when it prints nothing)."""
        result = self.run(*args, keys=keys)
        assert result.returncode == 0, f"aws {' '.join(args)}: {result.stderr}"
        return json.loads(result.stdout) if result.stdout.strip() else None

    def fails(self, *args: str, keys: dict | None = None) -> str:
        """A command the service refuses: exit code 254 and AWS's error line; returns that line."""
        result = self.run(*args, keys=keys)
        assert (result.returncode, result.stdout) == (DENIED_EXIT, ""), result
        return result.stderr.strip()

    def file(self, name: str, content: Any) -> str:
        """``file://`` of a document written into ``HOME`` (bytes as they are; anything else as JSON)."""
        path = self.home / name
        if isinstance(content, bytes):
            path.write_bytes(content)
            return f"fileb://{path}"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return f"file://{path}"


OPERATION_DELAY = 60.0
"""App Runner operations take this long on the store clock: they finish when a test moves the clock (:func:`settled`),
never while a CLI process starts, however loaded the machine is."""


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[Cli]:
    """The CLI against a fresh server whose App Runner operations take :data:`OPERATION_DELAY`."""
    harness = Harness("server", Settings(log_requests=False, operation_delay=OPERATION_DELAY))
    yield Cli(harness, tmp_path / "home")
    harness.close()


def trust(principal: dict) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


def allow(action: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


def error_line(code: str, operation: str, message: str) -> str:
    return f"An error occurred ({code}) when calling the {operation} operation: {message}"


# ------------------------------------------------------------------------------------------------------------- IAM
def test_iam_users_roles_managed_policies_and_the_simulator(aws):
    names = [f"dev{index}" for index in range(5)]
    for name in names:
        assert aws("iam", "create-user", "--user-name", name, "--tags", "Key=team,Value=web")["User"]["Arn"] == \
            f"arn:aws:iam::{ACCOUNT}:user/{name}"
    listed = aws("iam", "list-users", "--page-size", "2")  # three pages, merged by the CLI
    assert [user["UserName"] for user in listed["Users"]] == names and "Marker" not in listed
    first = aws("iam", "list-users", "--max-items", "3", "--page-size", "2")
    rest = aws("iam", "list-users", "--starting-token", first["NextToken"], "--page-size", "2")
    assert [user["UserName"] for user in first["Users"] + rest["Users"]] == names

    role = aws("iam", "create-role", "--role-name", "deployer", "--description", "CI deploys",
               "--assume-role-policy-document", aws.file("trust.json", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    assert role["Role"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/deployer"
    readonly = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    assert aws("iam", "attach-role-policy", "--role-name", "deployer", "--policy-arn", readonly) is None
    assert aws("iam", "list-attached-role-policies", "--role-name", "deployer")["AttachedPolicies"] == [
        {"PolicyName": "AmazonEC2ContainerRegistryReadOnly", "PolicyArn": readonly}]
    got = aws("iam", "get-role", "--role-name", "deployer")["Role"]
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert aws("iam", "get-policy", "--policy-arn", readonly)["Policy"]["AttachmentCount"] == 1

    aws_policies = aws("iam", "list-policies", "--scope", "AWS", "--page-size", "400",
                       "--query", "Policies[].PolicyName")
    every = [policy["PolicyName"] for page in aws.harness.client("iam").get_paginator("list_policies").paginate(
        Scope="AWS") for policy in page["Policies"]]
    assert aws_policies == every and len(every) > 800 and "AWSAppRunnerServicePolicyForECRAccess" in every

    decisions = aws("iam", "simulate-principal-policy", "--policy-source-arn", role["Role"]["Arn"],
                    "--action-names", "ecr:BatchGetImage", "ecr:DeleteRepository",
                    "--query", "EvaluationResults[].[EvalActionName,EvalDecision]")
    assert decisions == [["ecr:BatchGetImage", "allowed"], ["ecr:DeleteRepository", "implicitDeny"]]

    details = aws("iam", "get-account-authorization-details", "--filter", "User", "Role", "--page-size", "1")
    assert [user["UserName"] for user in details["UserDetailList"]] == names
    assert details["UserDetailList"][0]["Tags"] == [{"Key": "team", "Value": "web"}]
    (deployer,) = details["RoleDetailList"]
    assert deployer["AttachedManagedPolicies"] == [
        {"PolicyName": "AmazonEC2ContainerRegistryReadOnly", "PolicyArn": readonly}]
    assert deployer["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"


# ------------------------------------------------------------------------------------------------------------- STS
def test_a_user_assumes_a_role_and_works_with_the_session(aws):
    assert aws("sts", "get-caller-identity") == {"UserId": ACCOUNT, "Account": ACCOUNT,
                                                 "Arn": f"arn:aws:iam::{ACCOUNT}:root"}
    aws("iam", "create-user", "--user-name", "alice")
    aws("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "assume",
        "--policy-document", aws.file("assume.json", allow("sts:AssumeRole")))
    alice = aws("iam", "create-access-key", "--user-name", "alice")["AccessKey"]
    assert aws("sts", "get-caller-identity", keys=alice)["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    aws("iam", "create-role", "--role-name", "deployer",
        "--assume-role-policy-document", aws.file("trust.json", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})))
    aws("iam", "attach-role-policy", "--role-name", "deployer",
        "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
    role = f"arn:aws:iam::{ACCOUNT}:role/deployer"

    refused = aws.fails("sts", "assume-role", "--role-arn", role, "--role-session-name", "ci")
    assert refused.startswith(error_line("AccessDenied", "AssumeRole", "Roles may not be assumed by root accounts."))
    session = aws("sts", "assume-role", "--role-arn", role, "--role-session-name", "ci", "--duration-seconds", "900",
                  keys=alice)
    credentials = session["Credentials"]
    assert session["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci"
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["Expiration"].endswith("+00:00")
    assert aws("sts", "get-caller-identity", keys=credentials)["Arn"] == session["AssumedRoleUser"]["Arn"]
    assert aws("ecr", "describe-repositories", keys=credentials) == {"repositories": []}
    denied = aws.fails("ecr", "create-repository", "--repository-name", "web", keys=credentials)
    assert denied == error_line(
        "AccessDeniedException", "CreateRepository",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci is not authorized to perform: ecr:CreateRepository "
        f"on resource: arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web because no identity-based policy allows the "
        "ecr:CreateRepository action")
    denied = aws.fails("iam", "list-users", keys=alice)
    assert denied == error_line(
        "AccessDenied", "ListUsers",
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: iam:ListUsers on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action")


def test_a_ci_job_assumes_a_role_with_its_web_identity_token(aws):
    provider = aws("iam", "create-open-id-connect-provider", "--url", GITHUB, "--client-id-list", "sts.amazonaws.com",
                   "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1")["OpenIDConnectProviderArn"]
    assert provider == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"
    conditions = {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com",
                                   f"{GITHUB_HOST}:sub": "repo:acme/web:ref:refs/heads/main"}}
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
                                                        "Action": "sts:AssumeRoleWithWebIdentity",
                                                        "Condition": conditions}]}
    role = aws("iam", "create-role", "--role-name", "gha", "--assume-role-policy-document",
               aws.file("gha.json", document))["Role"]["Arn"]
    token = aws.file("token", mint(aws.harness, github={"repository": "acme/web", "ref": "refs/heads/main"}))
    session = aws("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "run-1",
                  "--web-identity-token", token)
    assert session["SubjectFromWebIdentityToken"] == "repo:acme/web:ref:refs/heads/main"
    assert session["Provider"] == GITHUB_PROVIDER and session["Audience"] == "sts.amazonaws.com"
    assert aws("sts", "get-caller-identity", keys=session["Credentials"])["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/run-1"
    feature = aws.file("feature", mint(aws.harness, github={"repository": "acme/web", "ref": "refs/heads/feature"}))
    refused = aws.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "run-2",
                        "--web-identity-token", feature)
    assert refused == error_line("AccessDenied", "AssumeRoleWithWebIdentity",
                                 "Not authorized to perform sts:AssumeRoleWithWebIdentity")


# ------------------------------------------------------------------------------------------------------------- ECR
def push_with_the_cli(aws: Cli, repository: str, tag: str, text: str) -> Any:
    """Push an image's blobs and manifest with ECR's layer-upload API, as tools without docker do."""
    image = build_image(text)
    for blob in (image.layer, image.config):
        upload = aws("ecr", "initiate-layer-upload", "--repository-name", repository)["uploadId"]
        part = aws("ecr", "upload-layer-part", "--repository-name", repository, "--upload-id", upload,
                   "--part-first-byte", "0", "--part-last-byte", str(len(blob) - 1),
                   "--layer-part-blob", aws.file("blob", blob))
        assert part["lastByteReceived"] == len(blob) - 1
        done = aws("ecr", "complete-layer-upload", "--repository-name", repository, "--upload-id", upload,
                   "--layer-digests", digest_of(blob))
        assert done["layerDigest"] == digest_of(blob)
    put = aws("ecr", "put-image", "--repository-name", repository, "--image-tag", tag,
              "--image-manifest", aws.file("manifest.json", image.manifest.decode()))
    assert put["image"]["imageId"] == {"imageDigest": image.digest, "imageTag": tag}
    return image


def test_ecr_push_with_the_cli_pull_with_its_login_password_and_delete(aws):
    created = aws("ecr", "create-repository", "--repository-name", "web", "--image-scanning-configuration",
                  "scanOnPush=true")["repository"]
    assert created["repositoryUri"] == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web"
    assert created["imageScanningConfiguration"] == {"scanOnPush": True}
    image = push_with_the_cli(aws, "web", "v1", "hello from the CLI v2")

    password = aws.run("ecr", "get-login-password")
    assert password.returncode == 0 and password.stdout.endswith("\n"), password.stderr
    registry = Registry(aws.harness.endpoint_url, password.stdout.strip())
    pulled = registry.call("GET", "/v2/web/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert (pulled.status_code, pulled.content) == (200, image.manifest)
    assert Registry(aws.harness.endpoint_url, "not-" + password.stdout.strip()).call(
        "GET", "/v2/web/tags/list").status_code == 401
    token = aws("ecr", "get-authorization-token")["authorizationData"][0]
    user, _, other_password = base64.b64decode(token["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and token["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert Registry(aws.harness.endpoint_url, other_password).call("GET", "/v2/web/tags/list").json() == {
        "name": "web", "tags": ["v1"]}

    got = aws("ecr", "batch-get-image", "--repository-name", "web", "--image-ids", "imageTag=v1", "imageTag=v9")
    assert [found["imageManifest"] for found in got["images"]] == [image.manifest.decode()]
    assert got["failures"] == [{"imageId": {"imageTag": "v9"}, "failureCode": "ImageNotFound",
                                "failureReason": "Requested image not found"}]
    (described,) = aws("ecr", "describe-images", "--repository-name", "web")["imageDetails"]
    assert (described["imageDigest"], described["imageTags"]) == (image.digest, ["v1"])
    assert described["imageSizeInBytes"] == len(image.layer) + len(image.config)  # the layers' and the config's
    assert described["imageManifestMediaType"] == OCI_MANIFEST

    deleted = aws("ecr", "batch-delete-image", "--repository-name", "web", "--image-ids", "imageTag=v1")
    assert deleted == {"imageIds": [{"imageDigest": image.digest, "imageTag": "v1"}], "failures": []}
    missing = aws.fails("ecr", "describe-images", "--repository-name", "web", "--image-ids", "imageTag=v1")
    assert missing == error_line("ImageNotFoundException", "DescribeImages",
                                 f"The image with imageId {{imageDigest:'null', imageTag:'v1'}} does not exist "
                                 f"within the repository with name 'web' in the registry with id '{ACCOUNT}'")


# ------------------------------------------------------------------------------------------------------ App Runner
def settled(aws: Cli, arn: str) -> dict:
    """``describe-service`` once the operation in progress is done (the store clock moved past its delay)."""
    aws.harness.store.clock.advance(OPERATION_DELAY + 1)
    return aws("apprunner", "describe-service", "--service-arn", arn)["Service"]


def test_app_runner_runs_a_private_ecr_image_through_its_access_role(aws):
    aws("ecr", "create-repository", "--repository-name", "web")
    push_with_the_cli(aws, "web", "v1", "an app")
    access = aws("iam", "create-role", "--role-name", "apprunner-ecr", "--assume-role-policy-document",
                 aws.file("trust.json", trust({"Service": "build.apprunner.amazonaws.com"})))["Role"]["Arn"]
    aws("iam", "attach-role-policy", "--role-name", "apprunner-ecr",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    source = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:v1",
                                  "ImageRepositoryType": "ECR", "ImageConfiguration": {"Port": "8080"}},
              "AuthenticationConfiguration": {"AccessRoleArn": access}, "AutoDeploymentsEnabled": False}
    created = aws("apprunner", "create-service", "--service-name", "web-app",
                  "--source-configuration", aws.file("source.json", source),
                  "--instance-configuration", "Cpu=1 vCPU,Memory=2 GB", "--tags", "Key=env,Value=dev")
    arn = created["Service"]["ServiceArn"]
    assert created["Service"]["Status"] == "OPERATION_IN_PROGRESS" and created["OperationId"]
    service = settled(aws, arn)
    assert service["Status"] == "RUNNING"
    assert service["InstanceConfiguration"]["Cpu"] == "1024" and service["InstanceConfiguration"]["Memory"] == "2048"
    assert service["SourceConfiguration"]["AuthenticationConfiguration"] == {"AccessRoleArn": access}
    assert aws("apprunner", "list-services", "--query", "ServiceSummaryList[].ServiceName") == ["web-app"]

    assert aws("apprunner", "pause-service", "--service-arn", arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    busy = aws.fails("apprunner", "resume-service", "--service-arn", arn)
    assert busy.startswith("An error occurred (InvalidStateException) when calling the ResumeService operation: ")
    assert settled(aws, arn)["Status"] == "PAUSED"
    aws("apprunner", "resume-service", "--service-arn", arn)
    assert settled(aws, arn)["Status"] == "RUNNING"
    aws("apprunner", "delete-service", "--service-arn", arn)
    assert settled(aws, arn)["Status"] == "DELETED"
    operations = aws("apprunner", "list-operations", "--service-arn", arn, "--max-results", "10")
    assert [(operation["Type"], operation["Status"]) for operation in operations["OperationSummaryList"]] == [
        ("DELETE_SERVICE", "SUCCEEDED"), ("RESUME_SERVICE", "SUCCEEDED"), ("PAUSE_SERVICE", "SUCCEEDED"),
        ("CREATE_SERVICE", "SUCCEEDED")]


def test_an_app_runner_service_of_a_missing_image_fails_to_create(aws):
    aws("ecr", "create-repository", "--repository-name", "web")
    access = aws("iam", "create-role", "--role-name", "apprunner-ecr", "--assume-role-policy-document",
                 aws.file("trust.json", trust({"Service": "build.apprunner.amazonaws.com"})))["Role"]["Arn"]
    aws("iam", "attach-role-policy", "--role-name", "apprunner-ecr",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    source = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:nope",
                                  "ImageRepositoryType": "ECR"},
              "AuthenticationConfiguration": {"AccessRoleArn": access}}
    arn = aws("apprunner", "create-service", "--service-name", "broken",
              "--source-configuration", aws.file("source.json", source))["Service"]["ServiceArn"]
    assert settled(aws, arn)["Status"] == "CREATE_FAILED"


# --------------------------------------------------------------------------------------------------------- errors
def test_errors_as_the_cli_prints_them(aws):
    assert aws.fails("iam", "get-role", "--role-name", "nope") == error_line(
        "NoSuchEntity", "GetRole", "The role with name nope cannot be found.")
    assert aws.fails("iam", "create-user", "--user-name", "bad name!") == error_line(
        "ValidationError", "CreateUser", "The specified value for userName is invalid. It must contain only "
        "alphanumeric characters and/or the following: +=,.@_-")
    assert aws.fails("ecr", "describe-repositories", "--repository-names", "nope") == error_line(
        "RepositoryNotFoundException", "DescribeRepositories",
        f"The repository with name 'nope' does not exist in the registry with id '{ACCOUNT}'")
    missing = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/nope/0123456789abcdef0123456789abcdef"
    assert aws.fails("apprunner", "describe-service", "--service-arn", missing).startswith(
        "An error occurred (ResourceNotFoundException) when calling the DescribeService operation: ")
    wrong = aws.fails("iam", "list-users", keys={"AccessKeyId": "test", "SecretAccessKey": "wrong"})
    assert wrong.startswith(error_line("SignatureDoesNotMatch", "ListUsers", "The request signature we calculated "
                                       "does not match the signature you provided."))
    refused = aws.run("ecr", "create-repository", "--repository-name", "x")
    assert refused.returncode == 252 and "valid min length: 2" in refused.stderr  # the CLI's own check


# ---------------------------------------------------------------------------------------------- every operation
SERVER_FAILURES = frozenset({"InvalidAction", "UnknownOperationException", "InternalFailure", "InternalError",
                             "ServiceUnavailable", "ServiceFailure", "NotImplemented"})
"""Answers meaning the server does not know or cannot serve an operation."""


def test_every_operation_of_the_cli_models_is_served(aws):
    run = subprocess.run([SYSTEM_PYTHON, str(SWEEP), aws.harness.endpoint_url], env={"PATH": "/usr/bin:/bin"},
                         cwd=aws.home, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    outcomes = [json.loads(line) for line in run.stdout.splitlines()]
    called = {(outcome["service"], outcome["operation"]) for outcome in outcomes}
    ours = {(service, name) for service in specs.SERVICES for name in specs.service_model(service).operation_names}
    assert called <= ours, f"in the CLI v2's models, not in ours: {sorted(called - ours)}"
    assert {service for service, _ in called} == set(sdk_sweep.SDK_SERVICES) and len(called) > 200
    broken = [outcome for outcome in outcomes if outcome["error"] or outcome["status"] >= 500
              or outcome["code"] in SERVER_FAILURES or (outcome["status"] >= 300) != bool(outcome["code"])]
    assert not broken, "\n".join(map(json.dumps, broken))
    assert sum(outcome["code"] is None for outcome in outcomes) > 40, "minimal inputs of list/create calls succeed"


ROOT_REFUSED = {("iam", "ListSSHPublicKeys"): "the root has no SSH keys; mockrunner refuses it without UserName as "
                                              "it refuses role sessions (AWS's answer to the root is not public)"}
"""Paginators whose call with no input the root's keys cannot make, and why."""


def test_every_paginator_of_the_cli_models_walks_one_item_pages(aws):
    world = build_full_world()
    restored = requests.post(f"{aws.harness.endpoint_url}/_mockrunner/state", json=world.pristine, timeout=60)
    assert restored.status_code == 200, restored.text
    run = subprocess.run([SYSTEM_PYTHON, str(SWEEP), aws.harness.endpoint_url, "pages"], env={"PATH": "/usr/bin:/bin"},
                         cwd=aws.home, capture_output=True, text=True, timeout=120)
    world.harness.close()
    assert run.returncode == 0, run.stderr[-3000:]
    walked = {(row["service"], row["operation"]): row for row in map(json.loads, run.stdout.splitlines())}
    refused = {key for key, row in walked.items() if row["error"]}
    assert refused == set(ROOT_REFUSED), [walked[key]["error"] for key in refused]
    wrong = [row for key, row in walked.items() if key not in refused and (
        not row["same"] or row["pages"] < max(row["items"], 1))]
    assert not wrong, "\n".join(map(json.dumps, wrong))
    several = {key[1] for key, row in walked.items() if row["items"] > 1}
    assert {"ListPolicies", "ListRoles", "ListUsers", "DescribeRepositories", "GetAccountAuthorizationDetails"} <= \
        several
