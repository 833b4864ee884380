"""aws-nuke (Debian's package) against a real mockrunner server: it lists every IAM and ECR resource of the
account, deletes them in whatever order works (retrying what fails on dependencies) and prints a summary.

aws-nuke reaches the server through its config's ``endpoints:`` (custom endpoints for a region, made for
LocalStack-style testing).  The custom region is ``us-east-1`` itself: aws-nuke's default region, where it asks
``sts GetCallerIdentity`` and ``iam ListAccountAliases`` before anything else, and a region the server signs for
(AWS refuses a credential scope naming an unknown region).  aws-nuke 2.16 creates that first session with an empty
service type, which it looks up among the region's services, so the config names the server once more under
``service: ""``.

Outside CI the tests skip when aws-nuke is not installed; in CI (``CI`` set) they must run, and the suite fails
if none did (``tests/conftest.py``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from tests.ecr.pushing import image_manifest, put_image
from tests.harness import Harness, without_authorization_id
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.iam.saml_federation import saml_provider

AWS_NUKE = shutil.which("aws-nuke")
if AWS_NUKE is None and not os.environ.get("CI"):
    pytest.skip("aws-nuke is not installed (CI installs it: .ci/run)", allow_module_level=True)

ACCOUNT = "123456789012"
ALIAS = "mock-sandbox"
TIMEOUT = 240
"""Seconds one aws-nuke run may take (it sleeps 5 s between its passes over what is left)."""
SUMMARY = re.compile(r"Nuke complete: (\d+) failed, (\d+) skipped, (\d+) finished\.")
SCAN = re.compile(r"Scan complete: (\d+) total, (\d+) nukeable, (\d+) filtered\.")
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
GAVE_UP = "There are resources in failed state, but none are ready for deletion, anymore."
FAILED_ITEM = re.compile(r"us-east-1 - (\w+) - (.+?)(?: - \[.*\])? - failed$")
ERROR_LINE = re.compile(r'time="[^"]+" level=error msg="(.*)"$')
ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


BATCH_ROLES = 100
"""Roles beyond the named ones: with them ListRoles answers in two pages (IAM's default MaxItems is 100)."""
EXPECTED_LISTED = {
    "IAMUser": 2, "IAMUserAccessKey": 2, "IAMLoginProfile": 1, "IAMUserSSHPublicKey": 1,
    "IAMServiceSpecificCredential": 1, "IAMUserPolicy": 2, "IAMUserPolicyAttachment": 4,
    "IAMUserGroupAttachment": 2, "IAMGroup": 1, "IAMGroupPolicy": 1, "IAMGroupPolicyAttachment": 2,
    "IAMVirtualMFADevice": 2, "IAMRole": BATCH_ROLES + 3, "IAMRolePolicy": 1, "IAMRolePolicyAttachment": 3,
    "IAMInstanceProfile": 1, "IAMInstanceProfileRole": 1, "IAMPolicy": 3, "IAMOpenIDConnectProvider": 1,
    "IAMSAMLProvider": 1, "IAMServerCertificate": 1, "ECRRepository": 3,
}
"""How many resources of each type aws-nuke lists in the world (the SLR's role and attachment included)."""


def policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions),
                                                                "Resource": "*"}]})


@dataclass
class Run:
    """One aws-nuke run: its exit status, its output, and the numbers of its scan and final summary lines."""

    returncode: int
    output: str

    @property
    def scan(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in SCAN.search(self.output).groups())

    @property
    def summary(self) -> tuple[int, int, int]:
        """(failed, skipped, finished) of ``Nuke complete``."""
        return tuple(int(n) for n in SUMMARY.search(self.output).groups())

    def failures(self) -> dict[str, str]:
        """What aws-nuke gave up on, ``"<type> - <name>"`` -> its error (first line): when no pass makes progress
        it prints the failed resources, the line :data:`GAVE_UP`, then one error per resource in the same order."""
        head, _, tail = self.output.partition(GAVE_UP)
        items = [f"{m.group(1)} - {m.group(2)}" for m in map(FAILED_ITEM.match, head.split("\n\n")[-1].splitlines())
                 if m]
        errors = [m.group(1).split("\\n")[0] for m in map(ERROR_LINE.match, tail.splitlines()) if m]
        assert len(items) == len(errors), self.output
        return dict(zip(items, errors, strict=True))

    def lines(self, resource_type: str) -> list[str]:
        return [line for line in self.output.splitlines() if f" - {resource_type} - " in line]


def nuke(harness: Harness, tmp_path: Path, *, filters: dict | None = None, dry_run: bool = True,
         keys: tuple[str, str] = ("test", "test")) -> Run:
    """Run aws-nuke against ``harness``'s server with the account's config (``filters`` per resource type),
    credentials ``keys`` in the environment, as a dry run unless ``dry_run`` is false."""
    url = harness.endpoint_url
    services = [{"service": name, "url": url} for name in ("sts", "iam", "ecr", "")]
    config = {
        "regions": ["us-east-1"],
        "account-blocklist": ["999999999999"],
        "accounts": {ACCOUNT: {"filters": filters or {}}},
        "endpoints": [{"region": "us-east-1", "services": services}],
    }
    path = tmp_path / "nuke.yaml"
    path.write_text(json.dumps(config))  # YAML is a superset of JSON
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1]}
    command = [AWS_NUKE, "--config", str(path), "--force", "--force-sleep", "3"]
    command += [] if dry_run else ["--no-dry-run"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return Run(done.returncode, done.stdout + done.stderr)


def openssh(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode() + " dev@host"


def build_world(harness: Harness) -> dict[str, Any]:
    """Every IAM kind aws-nuke knows, and ECR repositories holding images; returns the ids made on the way."""
    iam, ecr = harness.client("iam"), harness.client("ecr")
    made: dict[str, Any] = {}
    iam.create_account_alias(AccountAlias=ALIAS)
    # Customer managed policies with several versions (a kept one too), and one used only as a boundary.
    for name, path in (("shared", "/"), ("keep-me", "/kept/")):
        arn = iam.create_policy(PolicyName=name, Path=path, PolicyDocument=policy("s3:ListAllMyBuckets"))[
            "Policy"]["Arn"]
        for action in ("s3:GetObject", "s3:PutObject"):
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(action), SetAsDefault=True)
        made[name] = arn
    shared = made["shared"]
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=policy("s3:*", "ecr:*"))["Policy"]["Arn"]
    # Users: keys, login profile, SSH key, service-specific credential, inline + attached policies, a boundary.
    for name in ("alice", "bob"):
        iam.create_user(UserName=name, Path="/people/")
        iam.put_user_policy(UserName=name, PolicyName="own", PolicyDocument=policy("iam:GetUser"))
        iam.attach_user_policy(UserName=name, PolicyArn=shared)
        iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY)
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=boundary)
    iam.create_access_key(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Sandbox-Pass-123!")
    iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh(rsa_key()))
    iam.create_service_specific_credential(UserName="bob", ServiceName="codecommit.amazonaws.com")
    # A group with both users as members, an inline and attached policies.
    iam.create_group(GroupName="devs")
    iam.put_group_policy(GroupName="devs", PolicyName="team", PolicyDocument=policy("ecr:Describe*"))
    iam.attach_group_policy(GroupName="devs", PolicyArn=shared)
    iam.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)
    for name in ("alice", "bob"):
        iam.add_user_to_group(GroupName="devs", UserName=name)
    # A virtual MFA device enabled for bob, and one assigned to nobody.
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")["VirtualMFADevice"]
    step = current_step(harness)
    iam.enable_mfa_device(UserName="bob", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], step - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], step))
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare", Path="/spare/")  # assigned to nobody
    # Roles: one with inline and attached policies and a boundary, in an instance profile; enough more that
    # ListRoles takes two pages; a kept one; a service-linked role.
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=ASSUME, Path="/apps/", PermissionsBoundary=boundary)
    iam.put_role_policy(RoleName="app", PolicyName="inline", PolicyDocument=policy("s3:GetObject"))
    iam.attach_role_policy(RoleName="app", PolicyArn=shared)
    iam.attach_role_policy(RoleName="app", PolicyArn=READ_ONLY)
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    for index in range(BATCH_ROLES):
        iam.create_role(RoleName=f"batch-{index:03}", Path="/batch/", AssumeRolePolicyDocument=ASSUME)
    iam.create_role(RoleName="kept-role", AssumeRolePolicyDocument=ASSUME)
    made["slr"] = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]["RoleName"]
    # Identity providers and a server certificate.
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
    saml_provider(harness, "corp-idp")
    key = rsa_key()
    iam.upload_server_certificate(ServerCertificateName="web-cert", CertificateBody=self_signed_certificate(key)[0],
                                  PrivateKey=private_pem(key))
    # ECR repositories: one holding two images, an empty one, a kept one.
    for repository in ("web", "team/empty", "kept/base"):
        ecr.create_repository(repositoryName=repository)
    for tag in ("v1", "v2"):
        put_image(ecr, "web", image_manifest(tag), imageTag=tag)
    put_image(ecr, "kept/base", image_manifest("base"), imageTag="latest")
    return made


def _all(iam: Any, operation: str, key: str, **params: Any) -> list[dict]:
    return [item for page in iam.get_paginator(operation).paginate(**params) for item in page[key]]


def inventory(harness: Harness) -> dict[str, Any]:
    """What the account holds, read back through boto3: every kind aws-nuke lists, with what hangs off it."""
    iam, ecr = harness.client("iam"), harness.client("ecr")
    users = {user["UserName"]: user for user in _all(iam, "list_users", "Users")}
    roles = {role["RoleName"]: role for role in _all(iam, "list_roles", "Roles")}
    groups = [group["GroupName"] for group in _all(iam, "list_groups", "Groups")]

    def login_profile(name: str) -> bool:
        try:
            iam.get_login_profile(UserName=name)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "NoSuchEntity"
            return False
        return True

    return {
        "users": {name: {
            "keys": sorted(k["AccessKeyId"] for k in _all(iam, "list_access_keys", "AccessKeyMetadata",
                                                           UserName=name)),
            "login_profile": login_profile(name),
            "ssh": [k["SSHPublicKeyId"] for k in iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]],
            "service_credentials": [c["ServiceSpecificCredentialId"] for c in iam.list_service_specific_credentials(
                UserName=name)["ServiceSpecificCredentials"]],
            "mfa": [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=name)["MFADevices"]],
            "inline": iam.list_user_policies(UserName=name)["PolicyNames"],
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=name)[
                "AttachedPolicies"]),
            "groups": [g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"]],
            "boundary": iam.get_user(UserName=name)["User"].get("PermissionsBoundary"),
        } for name in users},
        "groups": {name: {
            "members": [u["UserName"] for u in iam.get_group(GroupName=name)["Users"]],
            "inline": iam.list_group_policies(GroupName=name)["PolicyNames"],
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName=name)[
                "AttachedPolicies"]),
        } for name in groups},
        "roles": {name: {
            "id": role["RoleId"],
            "inline": iam.list_role_policies(RoleName=name)["PolicyNames"],
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)[
                "AttachedPolicies"]),
            "boundary": iam.get_role(RoleName=name)["Role"].get("PermissionsBoundary"),
        } for name, role in roles.items()},
        "instance_profiles": {p["InstanceProfileName"]: [r["RoleName"] for r in p["Roles"]]
                              for p in _all(iam, "list_instance_profiles", "InstanceProfiles")},
        "policies": {p["Arn"]: sorted(v["VersionId"] for v in iam.list_policy_versions(PolicyArn=p["Arn"])[
            "Versions"]) for p in _all(iam, "list_policies", "Policies", Scope="Local")},
        "aws_policies": len(_all(iam, "list_policies", "Policies", Scope="AWS")),
        "oidc": [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]],
        "saml": [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]],
        "certificates": [c["ServerCertificateName"] for c in _all(iam, "list_server_certificates",
                                                                   "ServerCertificateMetadataList")],
        "mfa_devices": {d["SerialNumber"]: d.get("User", {}).get("UserName")
                        for d in _all(iam, "list_virtual_mfa_devices", "VirtualMFADevices")},
        "aliases": iam.list_account_aliases()["AccountAliases"],
        "repositories": {r["repositoryName"]: sorted(
            (i.get("imageTag", ""), i["imageDigest"]) for i in _all(ecr, "list_images", "imageIds",
                                                                     repositoryName=r["repositoryName"]))
            for r in _all(ecr, "describe_repositories", "repositories")},
    }


@pytest.fixture
def world() -> Iterator[tuple[Harness, dict[str, Any]]]:
    harness = Harness("server")
    made = build_world(harness)
    yield harness, made
    harness.close()


KEEP = {
    "IAMRole": ["kept-role"],
    "ECRRepository": ["Repository: kept/base"],
    "IAMPolicy": [{"property": "Name", "value": "keep-me"}],
}
"""The config's filters: what aws-nuke must leave alone besides what it never deletes."""


# ------------------------------------------------------------------------------------------------ dry run
def test_dry_run_lists_every_kind_and_changes_nothing(world, tmp_path):
    harness, made = world
    before = inventory(harness)
    run = nuke(harness, tmp_path, filters=KEEP)
    assert run.returncode == 0, run.output
    assert "level=" not in run.output, run.output  # no listing failed, no answer it could not read
    assert "Do you really want to nuke the account with the ID 123456789012 and the alias 'mock-sandbox'?" in run.output
    assert "The above resources would be deleted with the supplied configuration." in run.output
    assert inventory(harness) == before
    counts = {kind: len(run.lines(kind)) for kind in EXPECTED_LISTED}
    assert counts == EXPECTED_LISTED
    # The service-linked role and its AWS managed policy are listed but never candidates, as on AWS.
    assert [line for line in run.lines("IAMRole") if line.endswith(" - cannot delete service roles")] == [
        f'us-east-1 - IAMRole - {made["slr"]} - [Name: "{made["slr"]}", '
        'Path: "/aws-service-role/autoscaling.amazonaws.com/"] - cannot delete service roles']
    assert any(line.endswith(" - cannot detach from service roles") for line in run.lines("IAMRolePolicyAttachment"))
    filtered = [line for line in run.output.splitlines() if line.endswith(" - filtered by config")]
    assert len(filtered) == 3
    total = sum(EXPECTED_LISTED.values())
    assert run.scan == (total, total - 5, 5)  # 3 filtered by config, the service-linked role and its attachment


# ------------------------------------------------------------------------------------------------ nuke
def test_nuke_deletes_everything_but_the_filtered_and_what_aws_protects(world, tmp_path):
    harness, made = world
    before = inventory(harness)
    run = nuke(harness, tmp_path, filters=KEEP, dry_run=False)
    assert run.returncode == 0 and "level=" not in run.output, run.output
    total = sum(EXPECTED_LISTED.values())
    assert run.summary == (0, 5, total - 5), run.output
    after = inventory(harness)
    assert after["users"] == {} and after["groups"] == {} and after["instance_profiles"] == {}
    assert sorted(after["roles"]) == [made["slr"], "kept-role"]
    assert after["roles"][made["slr"]] == before["roles"][made["slr"]]
    assert after["roles"]["kept-role"] == before["roles"]["kept-role"]
    assert after["policies"] == {made["keep-me"]: ["v1", "v2", "v3"]}
    assert after["aws_policies"] == before["aws_policies"]
    assert after["oidc"] == after["saml"] == after["certificates"] == []
    assert after["mfa_devices"] == {}
    assert after["repositories"] == {"kept/base": before["repositories"]["kept/base"]}
    assert after["aliases"] == [ALIAS]
    # What is left is exactly what the next run lists, and none of it is a candidate.
    again = nuke(harness, tmp_path, filters=KEEP)
    assert again.returncode == 0 and "No resource to delete." in again.output
    assert again.scan == (5, 0, 5)


# ------------------------------------------------------------------------------------------------ restricted user
NUKER_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Resource": "*", "Action": [
        "iam:Get*", "iam:List*", "iam:Delete*", "iam:Detach*", "iam:Remove*", "iam:DeactivateMFADevice",
        "ecr:Describe*", "ecr:List*", "ecr:DeleteRepository"]},
    {"Effect": "Deny", "Action": "iam:DeleteRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/apps/*"},
    {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": f"arn:aws:iam::{ACCOUNT}:user/people/alice"},
    {"Effect": "Deny", "Action": "iam:DeleteServerCertificate", "Resource": "*"},
    {"Effect": "Deny", "Action": "ecr:DeleteRepository",
     "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web"},
    # AWS answers GetCallerIdentity whatever a policy says, so aws-nuke still learns the account.
    {"Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"},
]})
NUKER = f"User: arn:aws:iam::{ACCOUNT}:user/nuker is not authorized to perform:"
EXPLICIT = "with an explicit deny in an identity-based policy"


def test_restricted_user_fails_on_what_it_is_denied_and_leaves_it(world, tmp_path):
    """A user whose policy denies some deletions: aws-nuke deletes the rest, retries the denied ones until no
    pass makes progress, then exits non-zero naming each with AWS's AccessDenied; the boundary policy of the
    role it could not delete stays attached (aws-nuke 2.16 deletes no role boundary), so DeletePolicy conflicts."""
    harness, made = world
    iam = harness.client("iam")
    iam.create_user(UserName="nuker")
    iam.put_user_policy(UserName="nuker", PolicyName="nuke", PolicyDocument=NUKER_POLICY)
    key = iam.create_access_key(UserName="nuker")["AccessKey"]
    before = inventory(harness)
    filters = {**KEEP, "IAMUser": ["nuker"], "IAMUserPolicy": ["nuker -> nuke"],
               "IAMUserAccessKey": [{"property": "UserName", "value": "nuker"}]}
    run = nuke(harness, tmp_path, filters=filters, dry_run=False, keys=(key["AccessKeyId"], key["SecretAccessKey"]))
    assert run.returncode == 255 and run.output.rstrip().endswith("Error: failed"), run.output
    assert "Nuke complete" not in run.output
    failures = {resource: ("AccessDenied: " + without_authorization_id(error.removeprefix("AccessDenied: "))
                           if error.startswith("AccessDenied: ") else error)
                for resource, error in run.failures().items()}  # IAM's denials name an authorization id
    assert failures == {
        "IAMRole - app": f"AccessDenied: {NUKER} iam:DeleteRole on resource: role app {EXPLICIT}",
        "IAMUser - alice": f"AccessDenied: {NUKER} iam:DeleteUser on resource: user alice {EXPLICIT}",
        "IAMServerCertificate - web-cert": f"AccessDenied: {NUKER} iam:DeleteServerCertificate on resource: "
                                           f"arn:aws:iam::{ACCOUNT}:server-certificate/web-cert {EXPLICIT}",
        "ECRRepository - Repository: web": f"AccessDeniedException: {NUKER} ecr:DeleteRepository on resource: "
                                           f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web {EXPLICIT}",
        f"IAMPolicy - arn:aws:iam::{ACCOUNT}:policy/boundary": "DeleteConflict: Cannot delete a policy attached "
                                                               "to entities.",
    }, run.output
    after = inventory(harness)
    # What it was denied is still there: the role (its policies detached, out of its instance profile), the user
    # (stripped of everything it owned), the certificate, the repository with its images.
    assert sorted(after["users"]) == ["alice", "nuker"]
    assert after["users"]["nuker"] == before["users"]["nuker"]
    assert after["users"]["alice"] == {"keys": [], "login_profile": False, "ssh": [], "service_credentials": [],
                                       "mfa": [], "inline": [], "attached": [], "groups": [], "boundary": None}
    assert after["roles"]["app"] == {**before["roles"]["app"], "inline": [], "attached": []}
    assert after["instance_profiles"] == {}
    assert after["certificates"] == ["web-cert"]
    assert after["repositories"] == {name: before["repositories"][name] for name in ("web", "kept/base")}
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    assert after["policies"] == {boundary: before["policies"][boundary], made["keep-me"]: ["v1", "v2", "v3"]}
    assert sorted(after["roles"]) == sorted([made["slr"], "kept-role", "app"])


# ------------------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize("alias, refusal", [
    (None, "The specified account doesn't have an alias."),
    ("team-prod-sandbox", "'prod'"),
])
def test_refuses_an_account_without_alias_or_with_prod_in_it(tmp_path, alias, refusal):
    harness = Harness("server")
    try:
        iam = harness.client("iam")
        if alias:
            iam.create_account_alias(AccountAlias=alias)
        iam.create_user(UserName="survivor")
        run = nuke(harness, tmp_path, dry_run=False)
        assert run.returncode != 0 and refusal in run.output, run.output
        assert "Scan complete" not in run.output
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["survivor"]
    finally:
        harness.close()
