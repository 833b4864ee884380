"""Perl's SigV4 signers against a real server: AWS::Signature4 (Debian's ``libaws-signature4-perl`` 1.02) and
Net::Amazon::Signature::V4 (``libnet-amazon-signature-v4-perl`` 0.21), each with its own canonicalization, sending
with LWP: IAM and STS query requests (GET and POST, a presigned URL), ECR's JSON 1.1 and App Runner's JSON 1.0 with
``X-Amz-Target``, session credentials.

AWS::Signature4 takes the service and Region from the URL's host alone, so its requests name AWS's hosts and LWP
sends them to the server as an HTTP proxy (an absolute-form request line); Net::Amazon::Signature::V4 is told its
service and Region and sends to the server directly.  The driver is ``perl_signers/driver.pl`` (one JSON array of
requests in, each answer out).  Outside CI these tests skip when Perl or either module is missing; in CI they must
run (``tests/conftest.py``; ``.ci/run`` installs them).

Found and fixed: both signers send a space in a query string as ``+`` (URI's ``query_form``) and sign it as
``%20``, as the SigV4 rules write a space; the server read the ``+`` as a space but signed it as a literal plus, so
every GET with a space in a value failed with SignatureDoesNotMatch
(the signers' GETs with spaces below; on the wire alone: ``tests/iam/test_sigv4_query_encoding.py``).
Held, as AWS's own rules say: a header value's runs of spaces are one space even inside quotes (AWS::Signature4
keeps them there) and inside a value (Net::Amazon::Signature::V4 only trims its ends), and a header sent twice is
its values in the order sent (Net::Amazon::Signature::V4 sorts them), so those signatures fail.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.harness import Harness
from tests.ways.script_drivers import missing, probed, run_calls
from tests.ways.sdk_principals import allow, user

PERL = shutil.which("perl")
DRIVER = Path(__file__).with_name("perl_signers") / "driver.pl"
ACCOUNT = "123456789012"
RUN_TIMEOUT_S = 120
S4 = "AWS::Signature4"
NAS = "Net::Amazon::Signature::V4"
PROBE = "use AWS::Signature4; use Net::Amazon::Signature::V4; use LWP::UserAgent; use JSON::PP; print 'yes'"
IAM = [["Version", "2010-05-08"]]
STS = [["Version", "2011-06-15"]]
MISMATCH = "<Code>SignatureDoesNotMatch</Code>"
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."
READ = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iam:Get*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "équipe"}}}]}, ensure_ascii=False)
"""A policy with a Latin-1 letter (IAM allows U+0020 to U+00FF in a policy document)."""


class Perl:
    """The driver against ``harness``'s server, in an environment of its own (no ``AWS_*``, no proxy variables)."""

    def __init__(self, harness: Harness, home: Path) -> None:
        home.mkdir()
        self.harness = harness
        self.environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
        if probed([PERL, "-e", PROBE] if PERL else None, self.environment, RUN_TIMEOUT_S) != "yes":
            missing("Perl's SigV4 signers are not installed (Debian: libaws-signature4-perl, "
                    "libnet-amazon-signature-v4-perl; CI installs them: .ci/run)")

    def run(self, *calls: dict) -> dict[str, dict]:
        answers = run_calls([PERL, str(DRIVER), self.harness.endpoint_url], calls, self.environment, RUN_TIMEOUT_S)
        assert not [name for name, answer in answers.items() if answer["status"] == 0], answers
        return answers


@pytest.fixture
def perl(served: Harness, tmp_path: Path) -> Perl:
    return Perl(served, tmp_path / "home")


def s4(name: str, host: str, **request: Any) -> dict:
    """An AWS::Signature4 request to AWS's ``host`` (service and Region read from it)."""
    return {"name": name, "signer": S4, "host": host, **request}


def nas(name: str, service: str, **request: Any) -> dict:
    """A Net::Amazon::Signature::V4 request for ``service`` in us-east-1."""
    return {"name": name, "signer": NAS, "service": service, "region": "us-east-1", **request}


def ok(answer: dict) -> str:
    assert answer["status"] == 200, answer
    return answer["body"]


def mismatched(answer: dict) -> bool:
    return answer["status"] == 403 and MISMATCH in answer["body"]


def xml_text(body: str, tag: str) -> list[str]:
    """The texts of every element named ``tag`` in an XML answer."""
    return [element.text or "" for element in ElementTree.fromstring(body).iter()
            if element.tag.rpartition("}")[2] == tag]


# ---------------------------------------------------------------------------------------- query: IAM and STS
def test_perl_signers_sign_iam_and_sts_query_requests(perl):
    name = "perl.user+1@x=y,z"
    tag = "日本 équipe / a+b=c"
    description = "déploiement: a+b=c & 100% ~ (ok)"
    out = perl.run(
        s4("create-user", "iam.amazonaws.com", form=[["Action", "CreateUser"], *IAM, ["UserName", name],
                                                     ["Path", "/perl/"], ["Tags.member.1.Key", "team"],
                                                     ["Tags.member.1.Value", tag]]),
        s4("list-users", "iam.amazonaws.com", query=[["Action", "ListUsers"], *IAM, ["PathPrefix", "/perl/"]]),
        nas("user-tags", "iam", query=[["Action", "ListUserTags"], *IAM, ["UserName", name]]),
        nas("create-policy", "iam", form=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "perl-policy"],
                                          ["Description", description], ["PolicyDocument", READ]]),
        s4("get-space", "iam.amazonaws.com", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "s4-get"],
                                                    ["Description", "read only: a+b c"], ["PolicyDocument", READ]]),
        nas("nas-get-space", "iam", query=[["Action", "CreatePolicy"], *IAM, ["PolicyName", "nas-get"],
                                           ["Description", "two  spaces, a+b"], ["PolicyDocument", READ]]),
        s4("presigned", "sts.amazonaws.com", presign=300, query=[["Action", "GetCallerIdentity"], *STS]),
        s4("wrong-secret", "iam.amazonaws.com", credentials={"accessKeyId": "test", "secretAccessKey": "nope"},
           form=[["Action", "ListUsers"], *IAM]),
    )
    created = ok(out["create-user"])
    assert xml_text(created, "Arn") == [f"arn:aws:iam::{ACCOUNT}:user/perl/{name}"]
    assert xml_text(ok(out["list-users"]), "UserName") == [name]
    assert xml_text(ok(out["user-tags"]), "Value") == [tag]
    assert xml_text(ok(out["create-policy"]), "PolicyName") == ["perl-policy"]
    for step in ("get-space", "nas-get-space"):
        assert not mismatched(out[step]), step  # a space sent as '+', signed as %20
    assert xml_text(ok(out["presigned"]), "Arn") == [f"arn:aws:iam::{ACCOUNT}:root"]
    assert mismatched(out["wrong-secret"])

    boto = perl.harness.client("iam")
    assert boto.list_user_tags(UserName=name)["Tags"] == [{"Key": "team", "Value": tag}]
    policies = {policy["PolicyName"]: policy["Arn"] for policy in boto.list_policies(Scope="Local")["Policies"]}
    assert sorted(policies) == ["nas-get", "perl-policy", "s4-get"]
    descriptions = {key: boto.get_policy(PolicyArn=arn)["Policy"].get("Description") for key, arn in policies.items()}
    assert descriptions == {"perl-policy": description, "s4-get": "read only: a+b c", "nas-get": "two  spaces, a+b"}
    document = boto.get_policy_version(PolicyArn=policies["perl-policy"], VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalTag/team": "équipe"}}


def test_header_whitespace_is_canonicalized_as_aws_does(perl):
    def get_user(name: str, signer: str, header: str, *values: str) -> dict:
        request = {"form": [["Action", "GetUser"], *IAM], "headers": [[header, value] for value in values]}
        return s4(name, "iam.amazonaws.com", **request) if signer == S4 else nas(name, "iam", **request)

    out = perl.run(
        get_user("s4-runs", S4, "X-Odd-Spacing", "  a   b   c  "),
        get_user("s4-mixed-case", S4, "X-MiXeD-CaSe", "Value"),
        get_user("s4-quoted", S4, "X-Quoted", '"x   y"'),
        get_user("nas-ends", NAS, "X-Odd-Spacing", "  a b  "),
        get_user("nas-mixed-case", NAS, "X-MiXeD-CaSe", "Value"),
        get_user("nas-inner-run", NAS, "X-Odd-Spacing", "a  b"),
        get_user("s4-twice", S4, "X-Twice", "two", "one"),
        get_user("nas-twice-in-order", NAS, "X-Twice", "one", "two"),
        get_user("nas-twice-sorted", NAS, "X-Twice", "two", "one"),
    )
    for step in ("s4-runs", "s4-mixed-case", "nas-ends", "nas-mixed-case", "s4-twice", "nas-twice-in-order"):
        assert xml_text(ok(out[step]), "Arn") == [f"arn:aws:iam::{ACCOUNT}:root"], step
    # AWS's suite (get-header-value-trim) makes `"a   b   c"` `"a b c"`: runs are one space inside quotes and
    # inside a value, which AWS::Signature4 (quotes) and Net::Amazon::Signature::V4 (inner runs) do not do.
    assert mismatched(out["s4-quoted"]) and mismatched(out["nas-inner-run"])
    # A header sent twice is its values joined by commas in the order sent (the suite's get-header-key-duplicate:
    # value2,value2,value1); Net::Amazon::Signature::V4 sorts them, so only values already in order verify.
    assert mismatched(out["nas-twice-sorted"])


def test_perl_signers_use_session_credentials(perl):
    alice = user(perl.harness, "alice", allow("sts:GetSessionToken", "sts:AssumeRole", "iam:ListUsers"))
    role = perl.harness.client("iam").create_role(RoleName="perl-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    out = perl.run(
        nas("assume", "sts", credentials=alice, form=[["Action", "AssumeRole"], *STS, ["RoleArn", role],
                                                      ["RoleSessionName", "perl"], ["DurationSeconds", "900"]]),
        s4("as-role", "sts.amazonaws.com", credentials={"from": "assume"},
           form=[["Action", "GetCallerIdentity"], *STS]),
        nas("as-role-nas", "sts", credentials={"from": "assume"}, query=[["Action", "GetCallerIdentity"], *STS]),
        s4("as-role-presigned", "sts.amazonaws.com", credentials={"from": "assume"}, presign=300,
           query=[["Action", "GetCallerIdentity"], *STS]),
        s4("denied", "iam.amazonaws.com", credentials={"from": "assume"}, form=[["Action", "ListUsers"], *IAM]),
    )
    assert xml_text(ok(out["assume"]), "Arn") == [f"arn:aws:sts::{ACCOUNT}:assumed-role/perl-role/perl"]
    for step in ("as-role", "as-role-nas", "as-role-presigned"):
        assert xml_text(ok(out[step]), "Arn") == [f"arn:aws:sts::{ACCOUNT}:assumed-role/perl-role/perl"], step
    assert out["denied"]["status"] == 403 and xml_text(out["denied"]["body"], "Code") == ["AccessDenied"]


# ------------------------------------------------------------------------------- JSON: ECR and App Runner
def test_perl_signers_sign_json_requests_with_a_target(perl):
    def ecr(name: str, signer: str, operation: str, body: dict, **extra: Any) -> dict:
        host = extra.pop("host", "ecr.us-east-1.amazonaws.com")
        request = {"json": json.dumps(body), "headers": [["Content-Type", "application/x-amz-json-1.1"],
                                                         ["X-Amz-Target", ECR_TARGET + operation]], **extra}
        return s4(name, host, **request) if signer == S4 else nas(name, "ecr", **request)

    def apprunner(name: str, signer: str, operation: str, body: dict) -> dict:
        request = {"json": json.dumps(body), "headers": [["Content-Type", "application/x-amz-json-1.0"],
                                                         ["X-Amz-Target", f"AppRunner.{operation}"]]}
        return (s4(name, "apprunner.us-east-1.amazonaws.com", region="us-east-1", **request) if signer == S4
                else nas(name, "apprunner", **request))

    out = perl.run(
        ecr("create", NAS, "CreateRepository", {"repositoryName": "perl/nas"}),
        ecr("create-again", NAS, "CreateRepository", {"repositoryName": "perl/nas"}),
        ecr("describe", S4, "DescribeRepositories", {}),
        ecr("api-host", S4, "DescribeRepositories", {}, host="api.ecr.us-east-1.amazonaws.com"),
        ecr("wrong-secret", NAS, "DescribeRepositories", {},
            credentials={"accessKeyId": "test", "secretAccessKey": "nope"}),
        apprunner("services", NAS, "ListServices", {}),
        apprunner("connections", S4, "ListConnections", {}),
        apprunner("missing", S4, "DescribeService", {
            "ServiceArn": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/ghost/0123456789abcdef0123456789abcdef"}),
    )
    repository = json.loads(ok(out["create"]))["repository"]
    assert repository["repositoryArn"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/perl/nas"
    again = out["create-again"]
    assert again["status"] == 400 and json.loads(again["body"])["__type"] == "RepositoryAlreadyExistsException"
    assert [found["repositoryName"] for found in json.loads(ok(out["describe"]))["repositories"]] == ["perl/nas"]
    # AWS::Signature4 reads no service from ECR's other host name, api.ecr.REGION.amazonaws.com: its scope names
    # none AWS would take either.
    scoped = out["api-host"]
    assert scoped["status"] == 400 and json.loads(scoped["body"]) == {
        "__type": "InvalidSignatureException", "message": "Credential should be scoped to correct service: 'ecr'. "}
    refused = out["wrong-secret"]  # JSON services answer a wrong signature 400 (mockrunner.auth.authenticate)
    assert refused["status"] == 400 and json.loads(refused["body"])["__type"] == "InvalidSignatureException"
    assert json.loads(ok(out["services"])) == {"ServiceSummaryList": []}
    assert json.loads(ok(out["connections"])) == {"ConnectionSummaryList": []}
    missing = out["missing"]
    assert missing["status"] == 400 and json.loads(missing["body"])["__type"] == "ResourceNotFoundException"
