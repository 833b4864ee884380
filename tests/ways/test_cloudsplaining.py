"""Cloudsplaining (Salesforce's IAM least-privilege scanner, the ``cloudsplaining`` package, a test dependency)
against a real server: ``cloudsplaining download`` pages ``GetAccountAuthorizationDetails`` once per ``Filter``
value through boto3's paginator and saves what it read as ``default.json``; ``cloudsplaining scan`` reads that file
and reports, policy by policy, privilege escalation, resource exposure, data exfiltration and infrastructure
modification.

Both run as separate processes reaching the server through ``AWS_ENDPOINT_URL`` with keys in the environment. The
download keeps the customer managed and AWS managed policies attached to something (``AttachmentCount > 0``) and,
of an AWS managed policy, only its default version; everything else it keeps as IAM answered.  Outside CI these
tests skip when cloudsplaining is not installed; in CI they must run (``tests/conftest.py``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Harness
from tests.iam.helpers import ACCOUNT, allow, doc

CLOUDSPLAINING = Path(sys.executable).with_name("cloudsplaining")
TIMEOUT = 180
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
ATTACHED_AWS = {READ_ONLY: 1, S3_READ_ONLY: 1, IAM_READ_ONLY: 2}
"""The AWS managed policies attached in the world, with how many entities each is attached to; PowerUserAccess is
only a permissions boundary."""
BATCH_ROLES = 120
"""Roles beyond the named ones: with them the ``Role`` filter answers in two pages (IAM's default MaxItems is 100)."""
RISKS = ("PrivilegeEscalation", "ResourceExposure", "DataExfiltration", "InfrastructureModification",
         "CredentialsExposure", "ServiceWildcard")


def trust(principal: dict) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


HARMLESS = doc(allow("s3:ListAllMyBuckets"))
CUSTOMER_VERSIONS = {
    # A default version that lets its holder write a new default version of any policy.
    "escalator": [(doc(allow("s3:ListAllMyBuckets")), False), (doc(allow("iam:CreatePolicyVersion")), True)],
    # Risky versions that are not the default: the scan reads the default only.
    "retired": [(doc(allow(["iam:PassRole", "ec2:RunInstances", "s3:PutBucketPolicy"])), False), (HARMLESS, True),
                (doc(allow("iam:*")), False)],
    # Object reads confined to one bucket's objects.
    "bucket-reader": [(doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")), True)],
    # Used only as a permissions boundary: attached to nothing.
    "boundary": [(doc(allow(["s3:*", "ec2:*", "ecr:*", "sts:*"])), True)],
}
"""Customer managed policy -> its versions v1, v2, ... as (document, is the default)."""
INLINE = {
    ("user", "alice"): {"self-service": doc(allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/people/alice")),
                        "assume-builder": doc(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/builder"))},
    ("group", "devs"): {"team-read": doc(allow(["ecr:Describe*", "ecr:List*"]))},
    ("group", "analysts"): {"exfil": doc(allow(["s3:GetObject", "secretsmanager:GetSecretValue"]))},
    ("role", "web"): {"exposure": doc(allow("s3:PutBucketPolicy"))},
    ("role", "builder"): {"infra": doc(allow(["ec2:TerminateInstances", "ec2:ModifyInstanceAttribute"]))},
}
"""(kind, name) -> its inline policies."""
RISKY = {"escalator": "PrivilegeEscalation", "exposure": "ResourceExposure", "exfil": "DataExfiltration",
         "infra": "InfrastructureModification"}
"""The planted risky policies and the risk each must be reported under."""
HARMLESS_POLICIES = ("retired", "bucket-reader", "self-service", "assume-builder", "team-read")


@pytest.fixture
def aws(make_harness) -> Harness:
    """A fresh server (real HTTP; cloudsplaining runs in its own processes)."""
    if not CLOUDSPLAINING.exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            "cloudsplaining is not installed (the test extra installs it: pip install -e '.[test]')")
    return make_harness("server")


def cloudsplaining(harness: Harness, tmp_path: Path, *args: str,
                   keys: tuple[str, str] = ("test", "test")) -> subprocess.CompletedProcess:
    """Run ``cloudsplaining ARGS`` against ``harness``'s server with the access key ``keys``, in ``tmp_path``
    (no AWS config or credentials file is read)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "AWS_ENDPOINT_URL": harness.endpoint_url, "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1],
           "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials")}
    return subprocess.run([str(CLOUDSPLAINING), *args], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def download(harness: Harness, tmp_path: Path) -> dict:
    done = cloudsplaining(harness, tmp_path, "download", "--output", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Saved results to {tmp_path / 'default.json'}" in done.stdout
    return json.loads((tmp_path / "default.json").read_text())


def build_world(harness: Harness) -> dict[str, Any]:
    """Users, groups, roles, customer managed policies with versions and attached AWS managed policies; returns the
    customer policies' ARNs by name."""
    iam = harness.client("iam")
    arns: dict[str, str] = {}
    for name, versions in CUSTOMER_VERSIONS.items():
        (first, _), *later = versions
        arns[name] = iam.create_policy(PolicyName=name, Path="/team/", PolicyDocument=first)["Policy"]["Arn"]
        for document, default in later:
            iam.create_policy_version(PolicyArn=arns[name], PolicyDocument=document, SetAsDefault=default)
        default_id = next(f"v{n}" for n, (_, default) in enumerate(versions, 1) if default)
        iam.set_default_policy_version(PolicyArn=arns[name], VersionId=default_id)
    for name in ("alice", "mallory"):
        iam.create_user(UserName=name, Path="/people/", Tags=[{"Key": "team", "Value": name}])
    iam.attach_user_policy(UserName="alice", PolicyArn=IAM_READ_ONLY)
    iam.attach_user_policy(UserName="mallory", PolicyArn=arns["escalator"])
    iam.put_user_permissions_boundary(UserName="mallory", PermissionsBoundary=POWER_USER)
    for name in ("devs", "analysts"):
        iam.create_group(GroupName=name)
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.add_user_to_group(GroupName="analysts", UserName="alice")
    iam.add_user_to_group(GroupName="analysts", UserName="mallory")
    iam.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)
    iam.attach_group_policy(GroupName="devs", PolicyArn=arns["retired"])
    iam.create_role(RoleName="app", Path="/apps/", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}),
                    PermissionsBoundary=arns["boundary"], Description="the web app",
                    Tags=[{"Key": "tier", "Value": "web"}])
    iam.attach_role_policy(RoleName="app", PolicyArn=arns["bucket-reader"])
    iam.attach_role_policy(RoleName="app", PolicyArn=S3_READ_ONLY)
    iam.attach_role_policy(RoleName="app", PolicyArn=IAM_READ_ONLY)
    iam.create_instance_profile(InstanceProfileName="app-profile", Path="/apps/")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.create_role(RoleName="builder", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    for (kind, name), policies in INLINE.items():
        put = getattr(iam, f"put_{kind}_policy")
        for policy_name, document in policies.items():
            put(**{f"{kind.title()}Name": name, "PolicyName": policy_name, "PolicyDocument": document})
    for index in range(BATCH_ROLES):
        iam.create_role(RoleName=f"batch-{index:03}", Path="/batch/",
                        AssumeRolePolicyDocument=trust({"Service": "ecs-tasks.amazonaws.com"}))
    # alice assumes builder and its session makes a request: builder has been used (RoleLastUsed).
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    session = harness.client_for(key, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/builder", RoleSessionName="build")["Credentials"]
    harness.client_for(session, "sts").get_caller_identity()
    return arns


def _attached(*arns: str) -> list[dict]:
    return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]


def _inline(kind: str, name: str) -> list[dict]:
    return [{"PolicyName": policy, "PolicyDocument": json.loads(document)}
            for policy, document in INLINE.get((kind, name), {}).items()]


def test_the_download_holds_every_entity_policy_and_version_of_the_account(aws, tmp_path):
    """Every user, group and role with its trust policy, inline and attached policies, boundary, tags, instance
    profiles and ``RoleLastUsed``; every attached customer managed policy with every version and which one is the
    default; the attached AWS managed policies with the document of their default version.  The 123 roles come in
    two pages of the ``Role`` filter, in the order a paginator with ``MaxItems=7`` reads them."""
    arns = build_world(aws)
    iam = aws.client("iam")
    details = download(aws, tmp_path)
    users = {user["UserName"]: user for user in details["UserDetailList"]}
    assert set(users) == {"alice", "mallory"}
    for name, user in users.items():
        assert {key: value for key, value in user.items() if key != "CreateDate"} == {
            k: v for k, v in {
                "Path": "/people/", "UserName": name, "UserId": iam.get_user(UserName=name)["User"]["UserId"],
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/people/{name}", "Tags": [{"Key": "team", "Value": name}],
                "GroupList": {"alice": ["devs", "analysts"], "mallory": ["analysts"]}[name],
                "AttachedManagedPolicies": {"alice": _attached(IAM_READ_ONLY),
                                            "mallory": _attached(arns["escalator"])}[name],
                "UserPolicyList": _inline("user", name) or None,
                "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": POWER_USER}
                if name == "mallory" else None,
            }.items() if v is not None}
    groups = {group["GroupName"]: group for group in details["GroupDetailList"]}
    assert set(groups) == {"devs", "analysts"}
    for name, group in groups.items():
        assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/{name}"
        assert group["GroupId"] == iam.get_group(GroupName=name)["Group"]["GroupId"]
        assert group["GroupPolicyList"] == _inline("group", name)
        assert group["AttachedManagedPolicies"] == (_attached(READ_ONLY, arns["retired"]) if name == "devs" else [])

    roles = {role["RoleName"]: role for role in details["RoleDetailList"]}
    assert set(roles) == {"app", "web", "builder"} | {f"batch-{index:03}" for index in range(BATCH_ROLES)}
    assert len(details["RoleDetailList"]) == BATCH_ROLES + 3
    app = roles["app"]
    assert app["AssumeRolePolicyDocument"] == json.loads(trust({"Service": "ec2.amazonaws.com"}))
    assert app["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": arns["boundary"]}
    assert app["Tags"] == [{"Key": "tier", "Value": "web"}]
    assert app["AttachedManagedPolicies"] == _attached(arns["bucket-reader"], S3_READ_ONLY, IAM_READ_ONLY)
    assert app["RolePolicyList"] == []
    profile, = app["InstanceProfileList"]
    assert (profile["InstanceProfileName"], profile["Path"], profile["Arn"]) == (
        "app-profile", "/apps/", f"arn:aws:iam::{ACCOUNT}:instance-profile/apps/app-profile")
    assert [(role["RoleName"], role["RoleId"]) for role in profile["Roles"]] == [("app", app["RoleId"])]
    for name in ("web", "builder"):
        assert roles[name]["RolePolicyList"] == _inline("role", name)
        assert roles[name]["InstanceProfileList"] == roles[name]["AttachedManagedPolicies"] == []
    assert set(roles["builder"]["RoleLastUsed"]) == {"LastUsedDate", "Region"}
    assert roles["builder"]["RoleLastUsed"]["Region"] == "us-east-1"
    assert all(role["RoleLastUsed"] == {} for name, role in roles.items() if name != "builder")
    # The Role filter read through a paginator of small pages gives the same roles in the same order.
    small = [role for page in iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role"], PaginationConfig={"PageSize": 7}) for role in page["RoleDetailList"]]
    assert [role["RoleName"] for role in small] == [role["RoleName"] for role in details["RoleDetailList"]]
    assert [role["RoleId"] for role in small] == [role["RoleId"] for role in details["RoleDetailList"]]

    policies = {policy["Arn"]: policy for policy in details["Policies"]}
    # The download keeps the policies attached to something: the boundaries alone are left out.
    assert set(policies) == {arns["escalator"], arns["retired"], arns["bucket-reader"], *ATTACHED_AWS}
    for name in ("escalator", "retired", "bucket-reader"):
        policy = policies[arns[name]]
        versions = CUSTOMER_VERSIONS[name]
        default_id = next(f"v{n}" for n, (_, default) in enumerate(versions, 1) if default)
        assert (policy["PolicyName"], policy["Path"], policy["DefaultVersionId"], policy["AttachmentCount"],
                policy["PermissionsBoundaryUsageCount"], policy["IsAttachable"]) == (
            name, "/team/", default_id, 1, 0, True)
        assert {v["VersionId"]: (v["Document"], v["IsDefaultVersion"]) for v in policy["PolicyVersionList"]} == {
            f"v{n}": (json.loads(document), default) for n, (document, default) in enumerate(versions, 1)}
    for arn, attachments in ATTACHED_AWS.items():
        policy = policies[arn]
        got = iam.get_policy(PolicyArn=arn)["Policy"]
        assert (policy["PolicyName"], policy["PolicyId"], policy["DefaultVersionId"], policy["AttachmentCount"]) == (
            got["PolicyName"], got["PolicyId"], got["DefaultVersionId"], attachments)
        version, = policy["PolicyVersionList"]
        assert (version["VersionId"], version["IsDefaultVersion"]) == (got["DefaultVersionId"], True)
        assert version["Document"] == iam.get_policy_version(
            PolicyArn=arn, VersionId=got["DefaultVersionId"])["PolicyVersion"]["Document"]


def _findings(results: dict) -> dict[str, dict[str, list]]:
    """Policy name -> risk -> findings, over the customer managed, AWS managed and inline policies of a scan."""
    out: dict[str, dict[str, list]] = {}
    for kind in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
        for policy in results[kind].values():
            out[policy["PolicyName"]] = {risk: policy[risk]["findings"] for risk in RISKS}
    return out


def test_the_scan_names_the_risky_policies_and_not_the_harmless_ones(aws, tmp_path):
    """The scan of the downloaded file reports each planted policy under its risk, reads a customer managed
    policy's default version only (``retired``'s risky old and newer versions are not reported), and reports
    nothing for the harmless policies; the principals are tied to what is attached to them."""
    arns = build_world(aws)
    download(aws, tmp_path)
    done = cloudsplaining(aws, tmp_path, "scan", "--input-file", str(tmp_path / "default.json"),
                          "--output", str(tmp_path), "--skip-open-report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "iam-report-default.html").stat().st_size > 0
    results = json.loads((tmp_path / "iam-findings-default.json").read_text())
    findings = _findings(results)
    assert {"type": "CreateNewPolicyVersion", "actions": ["iam:createpolicyversion"]} in findings["escalator"][
        "PrivilegeEscalation"]
    assert "s3:PutBucketPolicy" in findings["exposure"]["ResourceExposure"]
    assert {"s3:GetObject", "secretsmanager:GetSecretValue"} <= set(findings["exfil"]["DataExfiltration"])
    assert "ec2:TerminateInstances" in findings["infra"]["InfrastructureModification"]
    for name, risk in RISKY.items():
        assert findings[name][risk], (name, risk)
    for name in HARMLESS_POLICIES:
        assert findings[name] == dict.fromkeys(RISKS, []), name
    # The risky policies report nothing under the risks they were not planted for.
    assert findings["escalator"]["DataExfiltration"] == findings["exfil"]["PrivilegeEscalation"] == []
    # ReadOnlyAccess (attached to devs) reads objects and parameters: the scan read its real document.
    assert {"s3:GetObject", "ssm:GetParameter"} <= set(findings["ReadOnlyAccess"]["DataExfiltration"])
    customer = {policy["PolicyName"]: policy for policy in results["customer_managed_policies"].values()}
    assert customer["escalator"]["AttachedTo"] == {"users": ["mallory"], "groups": [], "roles": []}
    assert customer["escalator"]["Arn"] == arns["escalator"]
    users = {user["name"]: user for user in results["users"].values()}
    assert set(users["mallory"]["customer_managed_policies"].values()) == {"escalator"}
    assert set(users["mallory"]["groups"]) == {"analysts"}
    assert set(users["mallory"]["groups"]["analysts"]["inline_policies"].values()) == {"exfil"}
    roles = {role["name"]: role for role in results["roles"].values()}
    assert set(roles["app"]["aws_managed_policies"].values()) == {"AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess"}
    assert roles["builder"]["role_last_used"] is not None


def test_a_principal_without_the_permission_gets_aws_access_denied_through_the_tool(aws, tmp_path):
    """A user allowed to list users but not ``iam:GetAccountAuthorizationDetails``: the download fails on its first
    page with AWS's AccessDenied text, and writes no file."""
    iam = aws.client("iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    done = cloudsplaining(aws, tmp_path, "download", "--output", str(tmp_path),
                          keys=(key["AccessKeyId"], key["SecretAccessKey"]))
    assert done.returncode != 0
    assert ("An error occurred (AccessDenied) when calling the GetAccountAuthorizationDetails operation: User: "
            f"arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails "
            "on resource: * because no identity-based policy allows the iam:GetAccountAuthorizationDetails action"
            ) in done.stderr
    assert not (tmp_path / "default.json").exists()
