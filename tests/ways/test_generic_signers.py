"""Generic SigV4 signers from the distribution against a real server, each signing requests its own way on top of
an HTTP client: the ``aws4`` Node module 1.11 (Debian's ``node-aws4``, run with the machine's ``node``), Python's
``aws_requests_auth.AWSRequestsAuth`` 0.4.3 with requests (``python3-aws-requests-auth``) and boto 2.49's
IAMConnection/STSConnection with its ``hmac-v4`` handler (``python3-boto``), both run with the system Python, and
Ruby's standalone ``Aws::Sigv4::Signer`` 1.5.1 with Net::HTTP (``ruby-aws-sigv4``) and Faraday's
``faraday_middleware-aws-sigv4`` 0.3 (``ruby-faraday-middleware-aws-sigv4``): IAM and STS query requests (GET and
POST) with reserved characters, UTF-8, empty and repeated parameters and a policy document, ECR's JSON 1.1 and App
Runner's JSON 1.0 with ``X-Amz-Target``, session credentials from AssumeRole, presigned URLs (an EKS-style token
with a signed ``x-k8s-aws-id``), paths (empty, ``//``, dot segments, percent-encoded), ``X-Amz-Content-Sha256``,
wrong secrets and denials as each library's caller reads them.

The drivers are ``generic_signers/aws4_driver.js``, ``python_driver.py`` and ``ruby_driver.rb`` (one JSON array of
requests in, each answer out; one run per test and driver).  Outside CI these tests skip when an interpreter or
library is missing; in CI they must run (``tests/conftest.py``; ``.ci/run`` installs them).

Found and fixed: *a percent-encoded path failed every signature.*  Every signer but S3's URI-encodes the path it
sends once more for the canonical URI (AWS: "each path segment must be URI-encoded twice"; aws4's
``encodeRfc3986Full`` of each segment, aws-sigv4's ``uri_escape_path``, botocore's ``quote`` of the URL's path):
``/a%20b/`` is signed ``/a%2520b/``.  The server built the canonical URI from the decoded path, encoded once
(``/a%20b/``), so aws4's and aws-sigv4's requests to such a path were SignatureDoesNotMatch
(``test_aws4_signs_query_json_and_presigned_requests``'s ``encoded-path`` and the Ruby test's ``encoded-path``
failed before the fix; on the wire alone: ``tests/iam/test_sigv4_path_encoding.py``).  *Signature Version 2 was
not verified:* boto 2 pinned to its ``sign-v2`` handler (AWS's General Reference lists IAM among the services that
take SigV2) got MissingAuthenticationToken; IAM and STS now verify it (``mockrunner.auth.sigv2``; the ``sigv2-*``
calls failed before; on the wire alone: ``tests/iam/test_sigv2.py``).

*A signature over a query's own spelling verified*, when the query was not canonical: the server tried it after
AWS's canonical form, for botocore's signer given a pre-encoded URL.  AWS canonicalizes what it reads only (a space
is ``%20`` whatever the URL wrote), so a raw ``+`` signature fails there (boto/botocore#1354, requests-aws-sign#7,
faraday_middleware-aws-signers-v4#2); aws-requests-auth's and aws-sigv4's GETs with a space (``ara-get-space``,
``plus-for-space``) were accepted before and are refused now.

Held, as AWS's rules say: aws-sigv4 keeps runs of spaces inside a quoted header value (AWS collapses them: the
suite's ``get-header-value-trim``), so that signature fails; a presigned URL whose signed ``x-k8s-aws-id`` is not
sent fails; ``UNSIGNED-PAYLOAD`` is refused (these services hash the body).  aws-requests-auth signs only ``host``,
``x-amz-date`` and the token, so its ECR and App Runner requests leave ``X-Amz-Target`` unsigned and are refused
(mockrunner's fail-closed rule, docs/behaviour.md "SigV4").
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.harness import Harness
from tests.ways.script_drivers import missing, probed, run_calls
from tests.ways.sdk_principals import allow, user

HERE = Path(__file__).with_name("generic_signers")
NODE = shutil.which("node")
RUBY = shutil.which("ruby")
SYSTEM_PYTHON = "/usr/bin/python3"
NODE_MODULES = "/usr/share/nodejs"
ACCOUNT = "123456789012"
RUN_TIMEOUT_S = 120
IAM = [["Version", "2010-05-08"]]
STS = [["Version", "2011-06-15"]]
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."
ECR_JSON = [["Content-Type", "application/x-amz-json-1.1"]]
APPRUNNER_JSON = [["Content-Type", "application/x-amz-json-1.0"]]
READ = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iam:Get*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "équipe / a+b=c"}}}]}, ensure_ascii=False)
TRICKY = "a b+c/d=e~f ü&g%h*i'(j)!"
"""A value with every character the signers encode differently: space, ``+``, ``/``, ``=``, ``~``, UTF-8, ``&``,
``%`` and RFC 3986's sub-delimiters."""
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
ROLE_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/signers-role/generic"
DRIVERS = {
    "node": ([NODE, str(HERE / "aws4_driver.js")] if NODE else None,
             [NODE, "-e", "require('aws4'); process.stdout.write('yes')"] if NODE else None,
             "the aws4 Node module is not installed (Debian: node-aws4; CI installs it: .ci/run)"),
    "python": ([SYSTEM_PYTHON, str(HERE / "python_driver.py")] if Path(SYSTEM_PYTHON).exists() else None,
               [SYSTEM_PYTHON, "-c", "import aws_requests_auth.aws_auth, boto.iam.connection, boto.sts.connection; "
                                     "print('yes', end='')"] if Path(SYSTEM_PYTHON).exists() else None,
               "aws-requests-auth or boto 2 is not installed for the system Python (Debian: "
               "python3-aws-requests-auth, python3-boto; CI installs them: .ci/run)"),
    "ruby": ([RUBY, str(HERE / "ruby_driver.rb")] if RUBY else None,
             [RUBY, "-e", "require 'aws-sigv4'; require 'faraday'; require 'faraday_middleware/aws_sigv4'; "
                          "print 'yes'"] if RUBY else None,
             "Ruby's aws-sigv4 or faraday_middleware-aws-sigv4 is not installed (Debian: ruby-aws-sigv4, "
             "ruby-faraday-middleware-aws-sigv4; CI installs them: .ci/run)"),
}


class Signers:
    """The drivers against ``harness``'s server, in an environment of their own (no ``AWS_*``, no proxy
    variables; ``NODE_PATH`` names Debian's Node modules, as the machine's ``node`` is not Debian's)."""

    def __init__(self, harness: Harness, home: Path) -> None:
        home.mkdir()
        self.harness = harness
        self.environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "NODE_PATH": NODE_MODULES}

    def run(self, driver: str, *calls: dict) -> dict[str, dict]:
        command, probe, why = DRIVERS[driver]
        if probed(probe, self.environment, RUN_TIMEOUT_S) != "yes" or command is None:
            missing(why)
        answers = run_calls([*command, self.harness.endpoint_url], calls, self.environment, RUN_TIMEOUT_S)
        assert not [name for name, answer in answers.items() if answer["status"] == 0], answers
        return answers


@pytest.fixture
def signers(served: Harness, tmp_path: Path) -> Signers:
    return Signers(served, tmp_path / "home")


def call(name: str, **request: Any) -> dict:
    return {"name": name, **request}


def signed_by(signer: str) -> Callable[..., dict]:
    """A maker of ``signer``'s calls, to IAM unless ``service`` says otherwise."""
    def signed(name: str, service: str = "iam", **request: Any) -> dict:
        return call(name, signer=signer, service=service, **request)

    return signed


def ok(answer: dict) -> str:
    assert answer["status"] == 200, answer
    return answer["body"]


def xml_text(body: str, tag: str) -> list[str]:
    """The texts of every element named ``tag`` in an XML answer."""
    return [element.text or "" for element in ElementTree.fromstring(body).iter()
            if element.tag.rpartition("}")[2] == tag]


def query_error(answer: dict) -> tuple[int, str, str]:
    """A query-protocol error answer: its status, code and message."""
    body = answer["body"]
    return answer["status"], xml_text(body, "Code")[0], xml_text(body, "Message")[0]


def json_error(answer: dict) -> tuple[int, str, str]:
    """A JSON-protocol error answer: its status, ``__type`` and message."""
    found = json.loads(answer["body"])
    return answer["status"], found["__type"], found.get("message", found.get("Message", ""))


def caller_arn(answer: dict) -> str:
    return xml_text(ok(answer), "Arn")[0]


def assumable_role(harness: Harness) -> str:
    """A role the account's users may assume, allowed ECR's reads (AWS's managed read-only policy) and nothing else."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                                                     "Action": "sts:AssumeRole"}]}
    iam = harness.client("iam")
    arn = iam.create_role(RoleName="signers-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="signers-role",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
    return arn


def assume(role: str, **request: Any) -> dict:
    return call("assume", form=[["Action", "AssumeRole"], *STS, ["RoleArn", role], ["RoleSessionName", "generic"],
                                ["DurationSeconds", "900"]], **request)


def assert_stored_policies(harness: Harness, expected: dict[str, str]) -> None:
    """The customer managed policies by name, with the descriptions botocore reads back, and each one's document."""
    boto = harness.client("iam")
    policies = {found["PolicyName"]: found["Arn"] for found in boto.list_policies(Scope="Local")["Policies"]}
    assert {name: boto.get_policy(PolicyArn=arn)["Policy"].get("Description", "") for name, arn in
            policies.items()} == expected
    for arn in policies.values():
        document = boto.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
        assert document == json.loads(READ)


# ------------------------------------------------------------------------------------------------------ aws4
def test_aws4_signs_query_json_and_presigned_requests(signers):
    def iam(name: str, **request: Any) -> dict:
        return call(name, service="iam", region="us-east-1", **request)

    listing = [["Action", "ListUsers"], *IAM]
    out = signers.run(
        "node",
        iam("create-user", form=[["Action", "CreateUser"], *IAM, ["UserName", "aws4+1@x=y,z"], ["Path", "/aws4/"]]),
        iam("create-policy", form=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "form"], ["Description", TRICKY],
                                   ["PolicyDocument", READ]]),
        call("get-policy", host="iam.amazonaws.com", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "get"],
                                                             ["Description", TRICKY], ["PolicyDocument", READ]]),
        iam("repeated", query=[*listing, ["PathPrefix", "/aws4/"], ["Zeta", "2"], ["Zeta", "1"], ["Zeta", ""],
                               ["empty", ""]]),
        iam("empty-path", path="", query=listing),
        iam("double-slash", path="//", query=listing),
        iam("dot-segments", path="/x/../", query=listing),
        iam("encoded-path", path="/a%20b/%C3%A9/", query=listing),
        iam("content-sha256", query=listing, headers=[["X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae"
                                                                                "41e4649b934ca495991b7852b855"]]),
        iam("unsigned-payload", query=listing, headers=[["X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"]]),
        call("eks-token", host="sts.amazonaws.com", signQuery=True, headers=[["x-k8s-aws-id", "my-cluster"]],
             query=[["Action", "GetCallerIdentity"], *STS]),
        call("eks-token-without-id", host="sts.amazonaws.com", signQuery=True, unsend=["x-k8s-aws-id"],
             headers=[["x-k8s-aws-id", "my-cluster"]], query=[["Action", "GetCallerIdentity"], *STS]),
        call("ecr-create", host="ecr.us-east-1.amazonaws.com", json=json.dumps({"repositoryName": "aws4/app"}),
             headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "CreateRepository"]]),
        call("ecr-again", service="ecr", region="us-east-1", json=json.dumps({"repositoryName": "aws4/app"}),
             headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "CreateRepository"]]),
        call("apprunner", host="apprunner.us-east-1.amazonaws.com", json="{}",
             headers=[*APPRUNNER_JSON, ["X-Amz-Target", "AppRunner.ListServices"]]),
        iam("wrong-secret", credentials={"accessKeyId": "test", "secretAccessKey": "nope"}, query=listing),
        call("ecr-wrong-secret", service="ecr", region="us-east-1", json="{}",
             credentials={"accessKeyId": "test", "secretAccessKey": "nope"},
             headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "DescribeRepositories"]]),
    )
    assert xml_text(ok(out["create-user"]), "Arn") == [f"arn:aws:iam::{ACCOUNT}:user/aws4/aws4+1@x=y,z"]
    # aws4 re-encodes the query it is given (a '+' from URLSearchParams is a space to it) and sorts repeated
    # values: what it signs is what AWS canonicalizes.
    assert "Description=a%20b%2Bc%2Fd%3De~f%20%C3%BC%26g%25h%2Ai%27%28j%29%21" in out["get-policy"]["signedPath"]
    assert_stored_policies(signers.harness, {"form": TRICKY, "get": TRICKY})
    assert xml_text(ok(out["repeated"]), "UserName") == ["aws4+1@x=y,z"]
    for step in ("empty-path", "double-slash", "dot-segments", "encoded-path", "content-sha256"):
        assert xml_text(ok(out[step]), "UserName") == ["aws4+1@x=y,z"], step
    assert query_error(out["unsigned-payload"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert caller_arn(out["eks-token"]) == ROOT_ARN
    assert "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id" in out["eks-token"]["signedPath"]
    assert query_error(out["eks-token-without-id"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert json.loads(ok(out["ecr-create"]))["repository"]["repositoryName"] == "aws4/app"
    assert json_error(out["ecr-again"])[:2] == (400, "RepositoryAlreadyExistsException")
    assert json.loads(ok(out["apprunner"])) == {"ServiceSummaryList": []}
    assert query_error(out["wrong-secret"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert json_error(out["ecr-wrong-secret"]) == (400, "InvalidSignatureException", MISMATCH)


def test_aws4_uses_session_credentials_and_reads_denials(signers):
    alice = user(signers.harness, "alice", allow("sts:AssumeRole"))
    role = assumable_role(signers.harness)
    session = {"from": "assume"}
    out = signers.run(
        "node",
        call("alice-denied", service="iam", region="us-east-1", credentials=alice,
             query=[["Action", "ListUsers"], *IAM]),
        assume(role, service="sts", region="us-east-1", credentials=alice),
        call("as-role", service="sts", region="us-east-1", credentials=session,
             form=[["Action", "GetCallerIdentity"], *STS]),
        call("as-role-presigned", host="sts.amazonaws.com", signQuery=True, credentials=session,
             headers=[["x-k8s-aws-id", "my-cluster"]], query=[["Action", "GetCallerIdentity"], *STS]),
        call("role-denied-iam", service="iam", region="us-east-1", credentials=session,
             query=[["Action", "ListRoles"], *IAM]),
        call("role-ecr", host="ecr.us-east-1.amazonaws.com", json="{}", credentials=session,
             headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "DescribeRepositories"]]),
        call("role-denied-ecr", service="ecr", region="us-east-1", credentials=session,
             json=json.dumps({"repositoryName": "denied"}),
             headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "CreateRepository"]]),
        call("role-denied-apprunner", service="apprunner", region="us-east-1", credentials=session, json="{}",
             headers=[*APPRUNNER_JSON, ["X-Amz-Target", "AppRunner.ListServices"]]),
    )
    status, code, message = query_error(out["alice-denied"])
    assert (status, code) == (403, "AccessDenied")
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: iam:ListUsers")
    assert xml_text(ok(out["assume"]), "Arn") == [ROLE_ARN]
    assert caller_arn(out["as-role"]) == ROLE_ARN
    assert caller_arn(out["as-role-presigned"]) == ROLE_ARN
    assert query_error(out["role-denied-iam"])[:2] == (403, "AccessDenied")
    assert json.loads(ok(out["role-ecr"])) == {"repositories": []}
    for step, action in (("role-denied-ecr", "ecr:CreateRepository"), ("role-denied-apprunner",
                                                                       "apprunner:ListServices")):
        status, kind, message = json_error(out[step])
        assert (status, kind) == (400, "AccessDeniedException"), step
        assert message.startswith(f"User: {ROLE_ARN} is not authorized to perform: {action}"), message


# ----------------------------------------------------------------------------- aws-requests-auth and boto 2
def test_python_signers_sign_query_requests_and_sessions(signers):
    ara, boto2 = signed_by("aws-requests-auth"), signed_by("boto2")

    alice = user(signers.harness, "alice", allow("sts:AssumeRole"))
    role = assumable_role(signers.harness)
    session = {"from": "assume"}
    out = signers.run(
        "python",
        ara("ara-create-user", form=[["Action", "CreateUser"], *IAM, ["UserName", "ara+1@x=y,z"], ["Path", "/py/"]]),
        ara("ara-create-policy", form=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "ara"],
                                       ["Description", TRICKY], ["PolicyDocument", READ]]),
        ara("ara-list", query=[["Action", "ListUsers"], *IAM, ["PathPrefix", "/py/"]]),
        ara("ara-get-space", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "ara-get"],
                                    ["Description", "read only"], ["PolicyDocument", READ]]),
        ara("ara-ecr", service="ecr", json="{}",
            headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "DescribeRepositories"]]),
        ara("ara-wrong-secret", credentials={"accessKeyId": "test", "secretAccessKey": "nope"},
            query=[["Action", "ListUsers"], *IAM]),
        boto2("boto2-create-user", call=["create_user", "boto+2@x=y,z", "/py/"]),
        boto2("boto2-create-policy", call=["create_policy", "boto2", READ, "/", TRICKY]),
        boto2("boto2-get-policy", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "boto2-get"],
                                         ["Description", TRICKY], ["PolicyDocument", READ]]),
        boto2("boto2-users", call=["get_all_users", "/py/"]),
        boto2("boto2-wrong-secret", credentials={"accessKeyId": "test", "secretAccessKey": "nope"},
              call=["get_all_users"]),
        boto2("assume", service="sts", credentials=alice, form=[["Action", "AssumeRole"], *STS, ["RoleArn", role],
                                                                ["RoleSessionName", "generic"]]),
        boto2("boto2-as-role", service="sts", credentials=session, form=[["Action", "GetCallerIdentity"], *STS]),
        boto2("boto2-role-denied", credentials=session, call=["get_all_users"]),
        ara("ara-as-role", service="sts", credentials=session, query=[["Action", "GetCallerIdentity"], *STS]),
        ara("ara-role-denied", credentials=session, form=[["Action", "ListUsers"], *IAM]),
        call("sigv2-users", signer="boto2-sigv2", service="iam", call=["get_all_users", "/py/"]),
        call("sigv2-get-policy", signer="boto2-sigv2", service="iam",
             query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "sigv2-get"], ["Description", TRICKY],
                    ["PolicyDocument", READ]]),
        call("sigv2-as-role", signer="boto2-sigv2", service="sts", credentials=session,
             form=[["Action", "GetCallerIdentity"], *STS]),
        call("sigv2-role-denied", signer="boto2-sigv2", service="iam", credentials=session, call=["get_all_users"]),
        call("sigv2-wrong-secret", signer="boto2-sigv2", service="iam",
             credentials={"accessKeyId": "test", "secretAccessKey": "nope"}, call=["get_all_users"]),
    )
    assert xml_text(ok(out["ara-create-user"]), "Arn") == [f"arn:aws:iam::{ACCOUNT}:user/py/ara+1@x=y,z"]
    ok(out["ara-create-policy"])
    assert xml_text(ok(out["ara-list"]), "UserName") == ["ara+1@x=y,z"]
    # requests writes a space '+' and aws-requests-auth signs the query as written; AWS signs the space it reads
    # as %20, so the signature fails there as here (accepted before the raw-query variant went).
    assert query_error(out["ara-get-space"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    # aws-requests-auth signs host, x-amz-date and the token only: the JSON services' target is left unsigned.
    assert json_error(out["ara-ecr"]) == (400, "InvalidSignatureException",
                                          "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
    assert query_error(out["ara-wrong-secret"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    created = json.loads(ok(out["boto2-create-user"]))["create_user_response"]["create_user_result"]["user"]
    assert created["arn"] == f"arn:aws:iam::{ACCOUNT}:user/py/boto+2@x=y,z"
    ok(out["boto2-create-policy"])
    ok(out["boto2-get-policy"])
    ok(out["sigv2-get-policy"])
    assert_stored_policies(signers.harness, {"ara": TRICKY, "boto2": TRICKY, "boto2-get": TRICKY,
                                             "sigv2-get": TRICKY})
    listed = json.loads(ok(out["boto2-users"]))["list_users_response"]["list_users_result"]["users"]
    assert sorted(found["user_name"] for found in listed) == ["ara+1@x=y,z", "boto+2@x=y,z"]
    wrong = out["boto2-wrong-secret"]  # boto 2 raises BotoServerError with the code and the status
    assert (wrong["status"], wrong["errorCode"]) == (403, "SignatureDoesNotMatch")
    assert caller_arn(out["boto2-as-role"]) == ROLE_ARN
    denied = out["boto2-role-denied"]
    assert (denied["status"], denied["errorCode"]) == (403, "AccessDenied")
    assert caller_arn(out["ara-as-role"]) == ROLE_ARN
    assert query_error(out["ara-role-denied"])[:2] == (403, "AccessDenied")
    # boto 2 pinned to its Signature Version 2 handler (HmacSHA256, the host without its port): IAM takes SigV2.
    listed = json.loads(ok(out["sigv2-users"]))["list_users_response"]["list_users_result"]["users"]
    assert sorted(found["user_name"] for found in listed) == ["ara+1@x=y,z", "boto+2@x=y,z"]
    assert caller_arn(out["sigv2-as-role"]) == ROLE_ARN
    for step, code in (("sigv2-role-denied", "AccessDenied"), ("sigv2-wrong-secret", "SignatureDoesNotMatch")):
        assert (out[step]["status"], out[step]["errorCode"]) == (403, code), step


# ------------------------------------------------------------------------------- aws-sigv4 and Faraday
def test_ruby_signers_sign_query_json_and_presigned_requests(signers):
    sigv4, faraday = signed_by("aws-sigv4"), signed_by("faraday")

    alice = user(signers.harness, "alice", allow("sts:AssumeRole"))
    role = assumable_role(signers.harness)
    session = {"from": "assume"}
    listing = [["Action", "ListUsers"], *IAM]
    out = signers.run(
        "ruby",
        sigv4("create-user", form=[["Action", "CreateUser"], *IAM, ["UserName", "rb+1@x=y,z"], ["Path", "/rb/"]]),
        sigv4("create-policy", form=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "sigv4"],
                                     ["Description", TRICKY], ["PolicyDocument", READ]]),
        faraday("faraday-get-policy", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "faraday"],
                                             ["Description", TRICKY], ["PolicyDocument", READ]]),
        faraday("faraday-list", query=[*listing, ["PathPrefix", "/rb/"]]),
        sigv4("encoded-path", path="/a%20b/%C3%A9/", query=[*listing, ["PathPrefix", "/rb/"]]),
        sigv4("plus-for-space", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "plus"],
                                       ["Description", "read only"], ["PolicyDocument", READ]]),
        sigv4("no-checksum-header", query=[*listing, ["PathPrefix", "/rb/"]], options={"apply_checksum_header": False}),
        sigv4("quoted-header", query=listing, headers=[["X-Quoted", '"x   y"']]),
        sigv4("ecr", service="ecr", json=json.dumps({"repositoryName": "ruby/app"}),
              headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "CreateRepository"]]),
        faraday("apprunner", service="apprunner", json="{}",
                headers=[*APPRUNNER_JSON, ["X-Amz-Target", "AppRunner.ListConnections"]]),
        sigv4("eks-token", service="sts", presign=60, headers=[["x-k8s-aws-id", "my-cluster"]],
              query=[["Action", "GetCallerIdentity"], *STS]),
        sigv4("wrong-secret", credentials={"accessKeyId": "test", "secretAccessKey": "nope"}, form=listing),
        faraday("ecr-wrong-secret", service="ecr", json="{}",
                credentials={"accessKeyId": "test", "secretAccessKey": "nope"},
                headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "DescribeRepositories"]]),
        assume(role, signer="aws-sigv4", service="sts", credentials=alice),
        faraday("as-role", service="sts", credentials=session, form=[["Action", "GetCallerIdentity"], *STS]),
        sigv4("as-role-presigned", service="sts", presign=60, credentials=session,
              query=[["Action", "GetCallerIdentity"], *STS]),
        sigv4("role-ecr", service="ecr", json="{}", credentials=session,
              headers=[*ECR_JSON, ["X-Amz-Target", ECR_TARGET + "DescribeRepositories"]]),
        faraday("role-denied-apprunner", service="apprunner", json="{}", credentials=session,
                headers=[*APPRUNNER_JSON, ["X-Amz-Target", "AppRunner.ListConnections"]]),
    )
    assert xml_text(ok(out["create-user"]), "Arn") == [f"arn:aws:iam::{ACCOUNT}:user/rb/rb+1@x=y,z"]
    ok(out["create-policy"])
    ok(out["faraday-get-policy"])  # Faraday sends a space as '+'; the middleware signs it as %20
    assert_stored_policies(signers.harness, {"sigv4": TRICKY, "faraday": TRICKY})
    assert xml_text(ok(out["faraday-list"]), "UserName") == ["rb+1@x=y,z"]
    for step in ("encoded-path", "no-checksum-header"):
        assert xml_text(ok(out[step]), "UserName") == ["rb+1@x=y,z"], step
    # URI.encode_www_form writes a space '+' and aws-sigv4 signs the query as given: AWS (a space is %20 in its
    # canonical query) refuses it; Faraday's middleware re-encodes the query it signs for exactly this.
    assert query_error(out["plus-for-space"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    # aws-sigv4 keeps a quoted value's runs of spaces; AWS makes them one (the suite's get-header-value-trim).
    assert query_error(out["quoted-header"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert json.loads(ok(out["ecr"]))["repository"]["repositoryName"] == "ruby/app"
    assert json.loads(ok(out["apprunner"])) == {"ConnectionSummaryList": []}
    assert caller_arn(out["eks-token"]) == ROOT_ARN
    assert query_error(out["wrong-secret"]) == (403, "SignatureDoesNotMatch", MISMATCH)
    assert json_error(out["ecr-wrong-secret"]) == (400, "InvalidSignatureException", MISMATCH)
    assert caller_arn(out["as-role"]) == ROLE_ARN
    assert caller_arn(out["as-role-presigned"]) == ROLE_ARN
    assert [found["repositoryName"] for found in json.loads(ok(out["role-ecr"]))["repositories"]] == ["ruby/app"]
    status, kind, message = json_error(out["role-denied-apprunner"])
    assert (status, kind) == (400, "AccessDeniedException")
    assert message.startswith(f"User: {ROLE_ARN} is not authorized to perform: apprunner:ListConnections")
