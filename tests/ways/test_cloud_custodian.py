"""Cloud Custodian (``c7n``), the governance tool teams run against their accounts, against a real server: its
``custodian run`` CLI lists IAM and ECR resources, filters them (the credential report it parses, access keys, MFA
devices, login profiles, policies, the policy simulator, service last accessed...) and acts on what matched
(removing keys, deleting users with everything they own, tagging, boundaries, ECR lifecycle and scanning
settings...).  Each test runs a few policy files, each of several policies, then reads the server's state through
boto3.

c7n pins its own dependencies exactly (its boto3 and botocore differ from ours), so it cannot live in the test
environment: :func:`custodian` installs the version ``constraints.txt`` pins into its own virtual environment in
the machine's cache, once.  Outside CI a test skips when that is not possible; in CI (``CI`` set) it fails
instead, and the suite fails if none passed (``tests/conftest.py``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ecr.pushing import image_manifest, put_image
from tests.harness import Harness
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.ways.c7n_other_services import OtherServices
from tests.ways.cached_installs import installed_once, pinned

ACCOUNT = "123456789012"
TIMEOUT = 180
"""Seconds one ``custodian run`` may take."""
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


# --------------------------------------------------------------------------------------------- the installation
@pytest.fixture(scope="session")
def custodian() -> Path:
    """``custodian`` of the pinned c7n, in its own virtual environment under the machine's cache."""
    version = pinned("c7n")
    home = installed_once(f"c7n-{version}", lambda home: [
        [sys.executable, "-m", "venv", str(home)],
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--retries", "2", "--timeout", "30", f"c7n=={version}"]])
    return home / "bin" / "custodian"


# ------------------------------------------------------------------------------------------------------ running
@dataclass
class Run:
    """One ``custodian run``: its exit status, its log, and what each policy matched (its ``resources.json``)."""

    returncode: int
    log: str
    output: Path

    def matched(self, policy: str) -> list[dict]:
        return json.loads((self.output / policy / "resources.json").read_text())

    def names(self, policy: str, key: str) -> list[str]:
        return sorted(resource[key] for resource in self.matched(policy))


def run(custodian: Path, harness: Harness, tmp_path: Path, name: str, policies: list[dict],
        keys: tuple[str, str] = ("test", "test"), others: OtherServices | None = None) -> Run:
    """``custodian run`` of ``policies`` (one file) against ``harness``'s server with the access key ``keys``
    (and the services mockrunner does not serve against ``others``)."""
    work = tmp_path / name
    work.mkdir()
    path = work / "policies.yml"
    path.write_text(json.dumps({"policies": policies}, indent=1))  # JSON is YAML
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": harness.endpoint_url, "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1],
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(work / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "aws-credentials"), "AWS_MAX_ATTEMPTS": "1",
        **(others.environment if others else {}),
    }
    command = [str(custodian), "run", "--region", "us-east-1", "--cache-period", "0", "--output-dir",
               str(work / "out"), str(path)]
    done = subprocess.run(command, env=environment, cwd=work, capture_output=True, text=True, timeout=TIMEOUT)
    return Run(done.returncode, done.stdout + done.stderr, work / "out")


@pytest.fixture
def aws(custodian) -> Iterator[Harness]:
    harness = Harness("server")
    yield harness
    harness.close()


def enable_virtual_mfa(harness: Harness, user: str) -> str:
    iam = harness.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-phone")["VirtualMFADevice"]
    step = current_step(harness)
    iam.enable_mfa_device(UserName=user, SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], step - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], step))
    return device["SerialNumber"]


def named(*names: str, key: str = "UserName") -> dict:
    return {"type": "value", "key": key, "op": "in", "value": list(names)}


# ------------------------------------------------------------------------------------------------------ iam-user
def build_users(harness: Harness) -> dict[str, Any]:
    """alice: two keys (one inactive), a password, MFA, the devs group, READ_ONLY attached, tagged; bob: a key, a
    password, MFA, a group, inline and attached policies (to be deleted with all of it); carol: one key, no
    password; dave: nothing (groups, boundary and tags get set on him)."""
    iam = harness.client("iam")
    made: dict[str, Any] = {}
    made["boundary"] = iam.create_policy(PolicyName="boundary", PolicyDocument=document(allow("s3:*")))[
        "Policy"]["Arn"]
    iam.create_group(GroupName="devs")
    iam.create_group(GroupName="auditors")
    iam.attach_group_policy(GroupName="auditors", PolicyArn=READ_ONLY)
    for user in ("alice", "bob", "carol", "dave"):
        iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "core"}])
    made["alice_key"] = iam.create_access_key(UserName="alice")["AccessKey"]
    made["alice_keys"] = [made["alice_key"]["AccessKeyId"],
                          iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]]
    iam.update_access_key(UserName="alice", AccessKeyId=made["alice_keys"][1], Status="Inactive")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9")
    enable_virtual_mfa(harness, "alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=READ_ONLY)
    iam.create_access_key(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-9")
    made["bob_mfa"] = enable_virtual_mfa(harness, "bob")
    iam.add_user_to_group(GroupName="auditors", UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="own", PolicyDocument=document(allow("iam:GetUser")))
    iam.attach_user_policy(UserName="bob", PolicyArn=made["boundary"])
    made["carol_key"] = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    return made


def test_iam_user_filters_and_actions(aws, custodian, tmp_path):
    made = build_users(aws)
    iam = aws.client("iam")
    aws.client_for(made["alice_key"], "iam").list_users()  # alice has used IAM (ReadOnlyAccess lets her)
    done = run(custodian, aws, tmp_path, "users", [
        # The credential report, parsed by c7n: who has a password, who has MFA, whose keys are active.
        {"name": "console-users", "resource": "iam-user",
         "filters": [{"type": "credential", "key": "password_enabled", "value": True, "report_delay": 0}]},
        {"name": "mfa-in-report", "resource": "iam-user",
         "filters": [{"type": "credential", "key": "mfa_active", "value": True, "report_delay": 0}]},
        {"name": "active-key-in-report", "resource": "iam-user",
         "filters": [{"type": "credential", "key": "access_keys.active", "value": True, "report_delay": 0}]},
        {"name": "never-logged-in", "resource": "iam-user",
         "filters": [{"type": "credential", "key": "password_last_used", "value": "absent", "report_delay": 0},
                     {"type": "credential", "key": "password_enabled", "value": True, "report_delay": 0}]},
        # Per-user listings.
        {"name": "inactive-keys", "resource": "iam-user",
         "filters": [{"type": "access-key", "key": "Status", "value": "Inactive"}]},
        {"name": "with-mfa", "resource": "iam-user",
         "filters": [{"type": "mfa-device", "value": "not-null"}]},
        {"name": "without-mfa", "resource": "iam-user", "filters": [{"type": "mfa-device", "value": "empty"}]},
        {"name": "with-password", "resource": "iam-user", "filters": [{"type": "login-profile"}]},
        {"name": "read-only", "resource": "iam-user",
         "filters": [{"type": "policy", "key": "PolicyName", "value": "ReadOnlyAccess", "include-via": True}]},
        {"name": "devs", "resource": "iam-user", "filters": [{"type": "group", "key": "GroupName", "value": "devs"}]},
        # Service last accessed: c7n reads one page of it (no MaxItems, no Marker).
        {"name": "used-iam", "resource": "iam-user",
         "filters": [{"type": "usage", "match-operator": "any", "ServiceNamespace": "iam",
                      "TotalAuthenticatedEntities": 1, "poll-delay": 0}]},
        # Actions.
        {"name": "carol-keys", "resource": "iam-user", "filters": [named("carol")],
         "actions": [{"type": "remove-keys", "disable": True}]},
        {"name": "delete-bob", "resource": "iam-user", "filters": [named("bob")], "actions": ["delete"]},
        {"name": "dave-settings", "resource": "iam-user", "filters": [named("dave")],
         "actions": [{"type": "set-groups", "state": "add", "group": "devs"},
                     {"type": "set-boundary", "policy": "boundary"},
                     {"type": "tag", "key": "owner", "value": "platform"},
                     {"type": "remove-tag", "tags": ["team"]},
                     {"type": "mark-for-op", "op": "delete", "days": 7}]},
    ])
    assert done.returncode == 0, done.log
    assert "Traceback" not in done.log and "ERROR" not in done.log, done.log
    assert done.names("console-users", "UserName") == ["alice", "bob"]
    assert done.names("mfa-in-report", "UserName") == ["alice", "bob"]
    assert done.names("active-key-in-report", "UserName") == ["alice", "bob", "carol"]
    assert done.names("never-logged-in", "UserName") == ["alice", "bob"]
    report = {user["UserName"]: user["c7n:credential-report"] for user in done.matched("console-users")}
    assert report["alice"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert [key["active"] for key in report["alice"]["access_keys"]] == [True, False]
    assert report["alice"]["password_last_changed"] is not None
    assert done.names("inactive-keys", "UserName") == ["alice"]
    [matched] = done.matched("inactive-keys")
    assert [key["AccessKeyId"] for key in matched["c7n:matched-keys"]] == [made["alice_keys"][1]]
    assert done.names("with-mfa", "UserName") == ["alice", "bob"]
    assert done.names("without-mfa", "UserName") == ["carol", "dave"]
    assert done.names("with-password", "UserName") == ["alice", "bob"]
    assert done.names("read-only", "UserName") == ["alice", "bob"]  # alice's own attachment, bob's via auditors
    assert done.names("devs", "UserName") == ["alice"]
    # ReadOnlyAccess grants far more than 100 namespaces: iam is on the one page only if it holds them all.
    assert done.names("used-iam", "UserName") == ["alice"]
    assert iam.get_credential_report()["GeneratedTime"].microsecond == 0  # whole seconds, as AWS reports it
    # remove-keys disable: carol's key is kept, inactive.
    assert [(k["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]] \
        == [(made["carol_key"], "Inactive")]
    # delete: bob and everything he owned are gone; his MFA device stays, unassigned.
    assert "bob" not in [u["UserName"] for u in iam.list_users()["Users"]]
    assert iam.get_group(GroupName="auditors")["Users"] == []
    devices = {d["SerialNumber"]: d.get("User") for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]}
    assert devices[made["bob_mfa"]] is None
    assert iam.get_policy(PolicyArn=made["boundary"])["Policy"]["AttachmentCount"] == 0
    # dave: in devs, bounded, retagged and marked.
    dave = iam.get_user(UserName="dave")["User"]
    assert dave["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy",
                                           "PermissionsBoundaryArn": made["boundary"]}
    tags = {tag["Key"]: tag["Value"] for tag in iam.list_user_tags(UserName="dave")["Tags"]}
    assert tags.pop("owner") == "platform"
    assert list(tags) == ["maid_status"] and tags["maid_status"].startswith("Resource does not meet policy: delete@")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="dave")["Groups"]] == ["devs"]


# ------------------------------------------- iam-role, iam-policy, iam-group, iam-profile, iam-certificate
def build_roles(harness: Harness) -> dict[str, Any]:
    """worker: used by a Lambda function, an inline policy, ``shared`` attached, in an instance profile; idle: an
    inline policy, READ_ONLY attached, in an instance profile; admin: AdministratorAccess.  Customer policies
    ``shared`` (attached), ``stale`` (unattached, three versions), ``allow-all`` (unattached, Action and Resource
    ``*``); groups ``empty`` (an inline policy, no users) and ``staff`` (a user); a server certificate."""
    iam = harness.client("iam")
    made: dict[str, Any] = {}
    for name, statement in (("shared", allow("s3:GetObject")), ("stale", allow("s3:ListBucket")),
                            ("allow-all", allow("*")), ("extra", allow("sqs:*"))):
        made[name] = iam.create_policy(PolicyName=name, PolicyDocument=document(statement))["Policy"]["Arn"]
    for action in ("s3:PutObject", "s3:DeleteObject"):
        iam.create_policy_version(PolicyArn=made["stale"], PolicyDocument=document(allow(action)),
                                  SetAsDefault=True)
    for role in ("worker", "idle", "admin"):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=ASSUME)
    for role in ("worker", "idle"):
        iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=document(allow("sqs:SendMessage")))
        iam.create_instance_profile(InstanceProfileName=f"{role}-profile")
        iam.add_role_to_instance_profile(InstanceProfileName=f"{role}-profile", RoleName=role)
    iam.attach_role_policy(RoleName="worker", PolicyArn=made["shared"])
    iam.attach_role_policy(RoleName="idle", PolicyArn=READ_ONLY)
    iam.attach_role_policy(RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_group(GroupName="empty")
    iam.put_group_policy(GroupName="empty", PolicyName="inline", PolicyDocument=document(allow("s3:*")))
    iam.create_group(GroupName="staff")
    iam.create_user(UserName="erin")
    iam.add_user_to_group(GroupName="staff", UserName="erin")
    key = rsa_key()
    iam.upload_server_certificate(ServerCertificateName="old-cert", CertificateBody=self_signed_certificate(key)[0],
                                  PrivateKey=private_pem(key))
    return made


@pytest.fixture
def other_services() -> Iterator[OtherServices]:
    services = OtherServices(ACCOUNT, {"worker-fn": "worker"})
    yield services
    services.close()


def test_iam_roles_policies_groups_profiles_and_certificates(aws, custodian, tmp_path, other_services):
    made = build_roles(aws)
    iam = aws.client("iam")
    done = run(custodian, aws, tmp_path, "roles", [
        {"name": "used-roles", "resource": "iam-role", "filters": [{"type": "used"}]},
        {"name": "unused-roles", "resource": "iam-role", "filters": [{"type": "unused"}]},
        {"name": "inline-roles", "resource": "iam-role", "filters": [{"type": "has-inline-policy", "value": True}]},
        {"name": "read-only-roles", "resource": "iam-role",
         "filters": [{"type": "has-specific-managed-policy", "value": "ReadOnlyAccess"}]},
        {"name": "can-create-users", "resource": "iam-role",
         "filters": [{"type": "check-permissions", "match": "allowed", "actions": ["iam:CreateUser"]}]},
        {"name": "never-used", "resource": "iam-role",
         "filters": [{"type": "usage", "match-operator": "all", "LastAuthenticated": None, "poll-delay": 0}]},
        {"name": "worker-settings", "resource": "iam-role", "filters": [named("worker", key="RoleName")],
         "actions": [{"type": "set-policy", "state": "attached", "arn": "extra"},
                     {"type": "set-policy", "state": "detached", "arn": made["shared"]},
                     {"type": "set-boundary", "policy": made["extra"]},
                     {"type": "tag", "key": "owner", "value": "platform"}]},
        {"name": "delete-idle", "resource": "iam-role", "filters": [named("idle", key="RoleName")],
         "actions": [{"type": "delete", "force": True}]},
        {"name": "used-policies", "resource": "iam-policy", "filters": [{"type": "used"}]},
        {"name": "allow-all", "resource": "iam-policy", "filters": [{"type": "has-allow-all"}]},
        {"name": "delete-stale", "resource": "iam-policy",
         "filters": [{"type": "unused"}, named("stale", key="PolicyName")], "actions": ["delete"]},
        {"name": "groups-without-users", "resource": "iam-group", "filters": [{"type": "has-users", "value": False}],
         "actions": ["delete-inline-policies", "delete"]},
        {"name": "profiles", "resource": "iam-profile", "filters": [{"type": "unused"}]},
        {"name": "certificates", "resource": "iam-certificate", "actions": ["delete"]},
    ], others=other_services)
    assert done.returncode == 0, done.log
    assert "Traceback" not in done.log and "ERROR" not in done.log, done.log
    assert other_services.unknown == []
    assert done.names("used-roles", "RoleName") == ["worker"]
    assert done.names("unused-roles", "RoleName") == ["admin", "idle"]
    assert done.names("inline-roles", "RoleName") == ["idle", "worker"]
    assert done.names("read-only-roles", "RoleName") == ["idle"]
    assert done.names("can-create-users", "RoleName") == ["admin"]
    [evaluation] = done.matched("can-create-users")[0]["c7n:perm-matches"]
    assert (evaluation["EvalActionName"], evaluation["EvalDecision"]) == ("iam:CreateUser", "allowed")
    assert done.names("never-used", "RoleName") == ["admin", "idle", "worker"]
    # Policies run in order: by now worker has ``extra`` (attached and its boundary) instead of ``shared``.
    assert done.names("used-policies", "PolicyName") == ["extra"]
    assert done.names("allow-all", "PolicyName") == ["allow-all"]
    assert done.names("delete-stale", "PolicyName") == ["stale"]
    assert done.names("groups-without-users", "GroupName") == ["empty"]
    assert done.names("profiles", "InstanceProfileName") == ["worker-profile"]  # idle's went with idle
    assert done.names("certificates", "ServerCertificateName") == ["old-cert"]
    # The actions' effects.
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="worker")["AttachedPolicies"]]
    assert attached == [made["extra"]]
    worker = iam.get_role(RoleName="worker")["Role"]
    assert worker["PermissionsBoundary"]["PermissionsBoundaryArn"] == made["extra"]
    assert {"Key": "owner", "Value": "platform"} in worker["Tags"]
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["admin", "worker"]
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]] == ["worker-profile"]
    assert made["stale"] not in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["staff"]
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []


# ------------------------------------------------------------------------------------------- account and ECR
def repository_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def pull(sid: str, principal: str) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": principal},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}


def build_registry(harness: Harness) -> None:
    """web: two tagged images and an untagged one, a repository policy letting another account pull; api: a
    lifecycle policy expiring untagged images; base: nothing."""
    ecr = harness.client("ecr")
    for name in ("web", "api", "base"):
        ecr.create_repository(repositoryName=name)
    for tag in ("v1", "v2"):
        put_image(ecr, "web", image_manifest(tag), imageTag=tag)
    put_image(ecr, "web", image_manifest("untagged"))
    ecr.set_repository_policy(repositoryName="web", policyText=repository_policy(
        pull("Partner", "arn:aws:iam::210987654321:root"), pull("Own", f"arn:aws:iam::{ACCOUNT}:root")))
    ecr.put_lifecycle_policy(repositoryName="api", lifecyclePolicyText=json.dumps({"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                          "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}))


EXPIRE_UNTAGGED = {"rulePriority": 1, "description": "untagged",
                   "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
                   "action": {"type": "expire"}}


def test_account_iam_filters_and_ecr_repositories_and_images(aws, custodian, tmp_path):
    iam = aws.client("iam")
    iam.create_user(UserName="frank")
    build_registry(aws)
    ecr = aws.client("ecr")
    done = run(custodian, aws, tmp_path, "account-ecr", [
        {"name": "no-password-policy", "resource": "account",
         "filters": [{"type": "password-policy", "key": "PasswordPolicyConfigured", "value": False}],
         "actions": [{"type": "set-password-policy", "policy": {"MinimumPasswordLength": 14, "RequireSymbols": True}}]},
        {"name": "root-without-mfa", "resource": "account",
         "filters": [{"type": "credential", "key": "mfa_active", "value": False, "report_delay": 0}]},
        {"name": "no-root-virtual-mfa", "resource": "account",
         "filters": [{"type": "has-virtual-mfa", "value": False}]},
        {"name": "one-user", "resource": "account", "filters": [{"type": "iam-summary", "key": "Users", "value": 1},
                                                                 {"type": "iam-summary", "key": "AccountMFAEnabled",
                                                                  "value": 0}]},
        {"name": "without-lifecycle", "resource": "ecr", "filters": [{"type": "lifecycle-rule", "state": False}],
         "actions": [{"type": "set-lifecycle", "rules": [EXPIRE_UNTAGGED]}]},
        {"name": "expiring-untagged", "resource": "ecr",
         "filters": [{"type": "lifecycle-rule", "state": True, "match": [{"selection.tagStatus": "untagged"}]}]},
        {"name": "cross-account", "resource": "ecr", "filters": [{"type": "cross-account"}],
         "actions": [{"type": "remove-statements", "statement_ids": "matched"}]},
        {"name": "settings", "resource": "ecr", "filters": [named("base", key="repositoryName")],
         "actions": [{"type": "set-immutability"}, {"type": "set-scanning"},
                     {"type": "tag", "key": "owner", "value": "platform"}]},
        {"name": "tagged-images", "resource": "ecr-image", "filters": [{"type": "value", "key": "imageTags",
                                                                          "value": "not-null"}]},
    ])
    assert done.returncode == 0, done.log
    assert "Traceback" not in done.log and "ERROR" not in done.log, done.log
    for policy in ("no-password-policy", "root-without-mfa", "no-root-virtual-mfa", "one-user"):
        assert [account["account_id"] for account in done.matched(policy)] == [ACCOUNT], policy
    root = done.matched("root-without-mfa")[0]["c7n:credential-report"]
    assert (root["user"], root["arn"], root["password_enabled"]) == (
        "<root_account>", f"arn:aws:iam::{ACCOUNT}:root", "not_supported")
    assert done.matched("one-user")[0]["c7n:iam_summary"]["Users"] == 1
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireSymbols"]) == (14, True)
    assert done.names("without-lifecycle", "repositoryName") == ["base", "web"]
    # Policies run in order: by now every repository expires untagged images.
    assert done.names("expiring-untagged", "repositoryName") == ["api", "base", "web"]
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="web")["lifecyclePolicyText"]) == {
        "rules": [EXPIRE_UNTAGGED]}
    assert done.names("cross-account", "repositoryName") == ["web"]
    [matched] = done.matched("cross-account")
    assert [s["Sid"] for s in matched["CrossAccountViolations"]] == ["Partner"]
    kept = json.loads(ecr.get_repository_policy(repositoryName="web")["policyText"])["Statement"]
    assert [statement["Sid"] for statement in kept] == ["Own"]
    [base] = ecr.describe_repositories(repositoryNames=["base"])["repositories"]
    assert (base["imageTagMutability"], base["imageScanningConfiguration"]) == ("IMMUTABLE", {"scanOnPush": True})
    assert ecr.list_tags_for_resource(resourceArn=base["repositoryArn"])["tags"] == [
        {"Key": "owner", "Value": "platform"}]
    images = done.matched("tagged-images")
    assert sorted(tag for image in images for tag in image["imageTags"]) == ["v1", "v2"]
    assert {image["imageArn"].rsplit("/", 1)[0] for image in images} == {
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web"}


# ---------------------------------------------------------------------------------------- a restricted principal
def test_a_read_only_principal_filters_but_its_actions_are_denied(aws, custodian, tmp_path):
    iam, ecr = aws.client("iam"), aws.client("ecr")
    iam.create_user(UserName="auditor")
    iam.attach_user_policy(UserName="auditor", PolicyArn=READ_ONLY)
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    iam.create_user(UserName="victim")
    iam.create_access_key(UserName="victim")
    ecr.create_repository(repositoryName="web")
    done = run(custodian, aws, tmp_path, "denied", [
        {"name": "delete-victim", "resource": "iam-user", "filters": [named("victim")], "actions": ["delete"]},
        {"name": "keys-of-victim", "resource": "iam-user", "filters": [named("victim"),
                                                                      {"type": "access-key", "key": "Status",
                                                                       "value": "Active"}]},
        {"name": "tag-repository", "resource": "ecr", "actions": [{"type": "tag", "key": "owner", "value": "x"}]},
    ], keys=(key["AccessKeyId"], key["SecretAccessKey"]))
    assert done.returncode != 0
    user = f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert ("An error occurred (AccessDenied) when calling the DeleteLoginProfile operation: User: "
            f"{user} is not authorized to perform: iam:DeleteLoginProfile on resource: user victim because no "
            "identity-based policy allows the iam:DeleteLoginProfile action") in done.log, done.log
    assert ("An error occurred (AccessDeniedException) when calling the TagResource operation: User: "
            f"{user} is not authorized to perform: ecr:TagResource on resource: "
            f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web because no identity-based policy allows the "
            "ecr:TagResource action") in done.log, done.log
    # What it may read it read; nothing changed.
    assert done.names("keys-of-victim", "UserName") == ["victim"]
    assert [k["Status"] for k in iam.list_access_keys(UserName="victim")["AccessKeyMetadata"]] == ["Active"]
    [repository] = ecr.describe_repositories()["repositories"]
    assert ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"] == []
