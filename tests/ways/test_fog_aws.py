"""fog-aws against a real server: Fog::AWS::IAM and Fog::AWS::STS (the distribution's ``ruby-fog-aws`` 3.15), whose
request methods build their own query requests, sign them with fog's own SigV4 signer, read the answers with
fog's SAX parsers and raise fog's error classes (``Fog::AWS::IAM::EntityAlreadyExists``, ``NotFound`` for
NoSuchEntity, ``ValidationError``, ``KeyPairMismatch``, ``MalformedCertificate``, and ``Error`` with
"CODE => message" for every other code).  fog-aws has no ECR nor App Runner client.

The driver is ``fog_aws/driver.rb``: one run makes a list of calls in order (a later call may use an earlier one's
answer: a marker, a key, a certificate id) and answers each call's outcome.  Every test then checks the state
through botocore too.  Outside CI these tests skip when Ruby or fog-aws is missing (Debian: ``ruby-fog-aws``); in
CI they must run (``tests/conftest.py``; ``.ci/run`` installs it).

Where fog itself misreads an answer, the test says so and asserts what fog does (its own bugs, as AWS would show
them too): ``get_instance_profile``'s parser never fills ``Roles`` (it pushes ``Role`` and looks for ``Roles``),
``get_account_password_policy`` sends DeleteAccountPasswordPolicy, ``create_role`` wants the trust policy as JSON
text while ``update_assume_role_policy`` encodes a Hash itself.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.iam.federation import GITHUB_PROVIDER, deploy_role, github_provider, mint
from tests.iam.keys_and_codes import enabled_mfa_device, private_pem, rsa_key, self_signed_certificate
from tests.ways.script_drivers import missing, probed, run_calls
from tests.ways.sts_outcomes import MAIN

RUBY = shutil.which("ruby")
DRIVER = Path(__file__).with_name("fog_aws") / "driver.rb"
ACCOUNT = "123456789012"
RUN_TIMEOUT_S = 120
PROBE = "require 'fog/aws'; print Fog::AWS::VERSION"
READ = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})
POLICY = json.loads(READ)
"""A policy document as fog's ``put_*_policy`` and ``create_policy`` take it (a Hash they encode themselves)."""
ROOT_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}


def _environment(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


class Fog:
    """The driver against ``harness``'s server, in an environment of its own (no ``~/.aws``, no ``AWS_*``)."""

    def __init__(self, harness: Harness, home: Path) -> None:
        home.mkdir()
        self.harness = harness
        self.environment = _environment(home)
        version = probed([RUBY, "-e", PROBE] if RUBY else None, self.environment, RUN_TIMEOUT_S)
        if version is None or not version.startswith("3."):
            missing("fog-aws 3.x is not installed (Debian: ruby-fog-aws; CI installs it: .ci/run)")
        self.version = version

    def run(self, *calls: dict) -> dict[str, dict]:
        """Each call's outcome by name (the calls made in order, in one process)."""
        return run_calls([RUBY, str(DRIVER), self.harness.endpoint_url], calls, self.environment, RUN_TIMEOUT_S)


@pytest.fixture
def fog(served: Harness, tmp_path: Path) -> Fog:
    return Fog(served, tmp_path / "home")


def iam(name: str, method: str, *args: Any, caller: Any = None) -> dict:
    return {"name": name, "service": "iam", "method": method, "args": list(args), "caller": caller}


def sts(name: str, method: str, *args: Any, caller: Any = None) -> dict:
    return {"name": name, "service": "sts", "method": method, "args": list(args), "caller": caller}


def ref(name: str, *path: str) -> dict:
    """An earlier call's answer (at ``path`` in its body) as an argument."""
    return {"$from": name, "path": list(path)}


def ok(outcome: dict) -> dict:
    assert outcome["ok"], outcome
    return outcome["body"]


def refused(outcome: dict) -> tuple[str, str]:
    assert not outcome["ok"], outcome
    return outcome["errorClass"], outcome["message"]


def _missing(call: Any, code: str = "NoSuchEntity") -> None:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == code


# ------------------------------------------------------------------------------------- IAM, entity by entity
def test_fog_creates_reads_updates_and_deletes_iam_entities(fog):
    managed = f"arn:aws:iam::{ACCOUNT}:policy/fog/readers"
    out = fog.run(
        iam("create-user", "create_user", "fog-user", "/fog/"),
        iam("get-user", "get_user", "fog-user"),
        iam("whoami", "get_user"),
        iam("update-user", "update_user", "fog-user", {"NewPath": "/moved/"}),
        iam("create-group", "create_group", "fog-group", "/teams/"),
        iam("add-to-group", "add_user_to_group", "fog-group", "fog-user"),
        iam("get-group", "get_group", "fog-group"),
        iam("groups-for-user", "list_groups_for_user", "fog-user"),
        iam("update-group", "update_group", "fog-group", {"NewGroupName": "fog-team"}),
        iam("put-user-policy", "put_user_policy", "fog-user", "inline", POLICY),
        iam("get-user-policy", "get_user_policy", "inline", "fog-user"),
        iam("list-user-policies", "list_user_policies", "fog-user"),
        iam("put-group-policy", "put_group_policy", "fog-team", "inline", POLICY),
        iam("get-group-policy", "get_group_policy", "inline", "fog-team"),
        iam("create-role", "create_role", "fog-role", json.dumps(ROOT_TRUST), "/svc/"),
        iam("update-trust", "update_assume_role_policy", {**ROOT_TRUST, "Statement": [
            {**ROOT_TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}]}, "fog-role"),
        iam("get-role", "get_role", "fog-role"),
        iam("put-role-policy", "put_role_policy", "fog-role", "inline", POLICY),
        iam("get-role-policy", "get_role_policy", "fog-role", "inline"),
        iam("create-profile", "create_instance_profile", "fog-profile", "/svc/"),
        iam("add-role", "add_role_to_instance_profile", "fog-role", "fog-profile"),
        iam("profiles-for-role", "list_instance_profiles_for_role", "fog-role"),
        iam("create-policy", "create_policy", "readers", POLICY, "/fog/", "reads IAM"),
        iam("get-policy", "get_policy", managed),
        iam("new-version", "create_policy_version", managed, POLICY, True),
        iam("versions", "list_policy_versions", managed),
        iam("get-version", "get_policy_version", managed, "v1"),
        iam("default-v1", "set_default_policy_version", managed, "v1"),
        iam("delete-v2", "delete_policy_version", managed, "v2"),
        iam("attach-user", "attach_user_policy", "fog-user", managed),
        iam("attach-group", "attach_group_policy", "fog-team", managed),
        iam("attach-role", "attach_role_policy", "fog-role", managed),
        iam("attached-to-role", "list_attached_role_policies", "fog-role"),
        iam("only-attached", "list_policies", {"OnlyAttached": True, "Scope": "Local"}),
        iam("create-key", "create_access_key", {"UserName": "fog-user"}),
        iam("deactivate-key", "update_access_key", ref("create-key", "AccessKey", "AccessKeyId"), "Inactive",
            {"UserName": "fog-user"}),
        iam("list-keys", "list_access_keys", {"UserName": "fog-user"}),
        iam("create-login", "create_login_profile", "fog-user", "Fog-passw0rd-1!"),
        iam("get-login", "get_login_profile", "fog-user"),
        iam("update-login", "update_login_profile", "fog-user", "Fog-passw0rd-2!"),
        iam("alias", "create_account_alias", "fog-account"),
        iam("aliases", "list_account_aliases"),
        iam("summary", "get_account_summary"),
    )
    user = ok(out["create-user"])["User"]
    assert (user["UserName"], user["Path"], user["Arn"]) == (
        "fog-user", "/fog/", f"arn:aws:iam::{ACCOUNT}:user/fog/fog-user")
    assert user["UserId"].startswith("AIDA") and ok(out["get-user"])["User"]["UserId"] == user["UserId"]
    assert ok(out["whoami"])["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    group = ok(out["get-group"])
    assert group["Group"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/teams/fog-group"
    assert [member["Arn"] for member in group["Users"]] == [f"arn:aws:iam::{ACCOUNT}:user/moved/fog-user"]
    assert [found["GroupName"] for found in ok(out["groups-for-user"])["GroupsForUser"]] == ["fog-group"]
    for policy in ("get-user-policy", "get-group-policy"):
        assert ok(out[policy])["Policy"]["PolicyDocument"] == POLICY, policy  # fog URL-decodes and parses it
    assert ok(out["get-role-policy"])["Policy"]["PolicyDocument"] == POLICY
    assert ok(out["list-user-policies"])["PolicyNames"] == ["inline"]
    role = ok(out["get-role"])["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/fog-role"
    assert "ec2.amazonaws.com" in role["AssumeRolePolicyDocument"]  # URL-encoded, as AWS sends it: fog keeps it so
    # fog's instance profile parser never fills Roles (its own bug), but the profile it names is the one created.
    profiles = ok(out["profiles-for-role"])["InstanceProfiles"]
    assert [profile["InstanceProfileName"] for profile in profiles] == ["fog-profile"]
    created = ok(out["create-policy"])["Policy"]
    assert (created["Arn"], created["DefaultVersionId"]) == (managed, "v1")
    assert ok(out["get-policy"])["Policy"]["Description"] == "reads IAM"
    assert ok(out["new-version"])["PolicyVersion"] == {"VersionId": "v2", "IsDefaultVersion": True}
    assert [(found["VersionId"], found["IsDefaultVersion"]) for found in ok(out["versions"])["Versions"]] == [
        ("v2", True), ("v1", False)]
    assert ok(out["get-version"])["PolicyVersion"]["Document"] == POLICY
    for step in ("default-v1", "delete-v2", "attach-user", "attach-group", "attach-role", "update-login", "alias"):
        assert ok(out[step])["RequestId"], step
    assert [found["PolicyArn"] for found in ok(out["attached-to-role"])["Policies"]] == [managed]
    attached = ok(out["only-attached"])["Policies"]
    assert [(found["Arn"], found["AttachmentCount"]) for found in attached] == [(managed, 3)]
    key = ok(out["create-key"])["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40
    assert [(found["AccessKeyId"], found["Status"]) for found in ok(out["list-keys"])["AccessKeys"]] == [
        (key["AccessKeyId"], "Inactive")]
    assert ok(out["get-login"])["LoginProfile"]["UserName"] == "fog-user"
    assert ok(out["aliases"])["AccountAliases"] == ["fog-account"]
    summary = ok(out["summary"])["Summary"]
    counted = ("Users", "Groups", "Roles", "Policies", "InstanceProfiles")
    assert [summary[name] for name in counted] == [1, 1, 1, 1, 1]

    # botocore sees what fog made.
    boto = fog.harness.client("iam")
    assert boto.get_user(UserName="fog-user")["User"]["Path"] == "/moved/"
    assert boto.get_group(GroupName="fog-team")["Group"]["GroupId"] == group["Group"]["GroupId"]
    assert [found["RoleName"] for found in boto.get_instance_profile(
        InstanceProfileName="fog-profile")["InstanceProfile"]["Roles"]] == ["fog-role"]
    assert boto.get_role(RoleName="fog-role")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"}
    assert boto.get_policy(PolicyArn=managed)["Policy"]["DefaultVersionId"] == "v1"

    out = fog.run(
        iam("delete-user-too-soon", "delete_user", "fog-user"),
        iam("delete-policy-too-soon", "delete_policy", managed),
        iam("delete-key", "delete_access_key", key["AccessKeyId"], {"UserName": "fog-user"}),
        iam("delete-login", "delete_login_profile", "fog-user"),
        iam("detach-user", "detach_user_policy", "fog-user", managed),
        iam("detach-group", "detach_group_policy", "fog-team", managed),
        iam("detach-role", "detach_role_policy", "fog-role", managed),
        iam("delete-user-policy", "delete_user_policy", "fog-user", "inline"),
        iam("delete-group-policy", "delete_group_policy", "fog-team", "inline"),
        iam("delete-role-policy", "delete_role_policy", "fog-role", "inline"),
        iam("remove-user", "remove_user_from_group", "fog-team", "fog-user"),
        iam("remove-role", "remove_role_from_instance_profile", "fog-role", "fog-profile"),
        iam("delete-profile", "delete_instance_profile", "fog-profile"),
        iam("delete-role", "delete_role", "fog-role"),
        iam("delete-group", "delete_group", "fog-team"),
        iam("delete-user", "delete_user", "fog-user"),
        iam("delete-policy", "delete_policy", managed),
        iam("delete-alias", "delete_account_alias", "fog-account"),
        iam("delete-user-again", "delete_user", "fog-user"),
    )
    assert refused(out["delete-user-too-soon"]) == (
        "Fog::AWS::IAM::Error", "DeleteConflict => Cannot delete entity, must delete login profile first.")
    assert refused(out["delete-policy-too-soon"]) == (
        "Fog::AWS::IAM::Error", "DeleteConflict => Cannot delete a policy attached to entities.")
    for step in list(out)[2:-1]:
        assert ok(out[step])["RequestId"], step
    assert refused(out["delete-user-again"]) == (
        "Fog::AWS::IAM::NotFound", "The user with name fog-user cannot be found.")
    _missing(lambda: boto.get_user(UserName="fog-user"))
    _missing(lambda: boto.get_policy(PolicyArn=managed))
    assert boto.list_account_aliases()["AccountAliases"] == []


def test_fog_pages_through_markers_and_reads_mfa_devices(fog):
    boto = fog.harness.client("iam")
    names = [f"pager-{index}" for index in range(5)]
    for name in names:
        boto.create_user(UserName=name, Path="/pages/")
    serial, _ = enabled_mfa_device(fog.harness, boto, "pager-0")
    aws_policies = sum(len(page["Policies"]) for page in boto.get_paginator("list_policies").paginate(Scope="AWS"))
    page = {"PathPrefix": "/pages/", "MaxItems": 2}
    out = fog.run(
        iam("page-1", "list_users", page),
        iam("page-2", "list_users", {**page, "Marker": ref("page-1", "Marker")}),
        iam("page-3", "list_users", {**page, "Marker": ref("page-2", "Marker")}),
        {"name": "every-user", "service": "iam", "collection": "users", "args": []},
        {"name": "every-policy", "service": "iam", "collection": "managed_policies", "args": []},
        iam("policies-page", "list_policies", {"Scope": "AWS", "MaxItems": 2}),
        iam("mfa", "list_mfa_devices", {"UserName": "pager-0"}),
        iam("no-mfa", "list_mfa_devices", {"UserName": "pager-1"}),
    )
    pages = [ok(out[f"page-{index}"]) for index in (1, 2, 3)]
    assert [[user["UserName"] for user in found["Users"]] for found in pages] == [names[:2], names[2:4], names[4:]]
    assert [found["IsTruncated"] for found in pages] == [True, True, False]
    assert "Marker" not in pages[2]
    assert ok(out["every-user"]) == names  # fog's Users#each follows the markers itself
    every_policy = ok(out["every-policy"])  # ManagedPolicies#each too (pages of 100)
    assert len(every_policy) == len(set(every_policy)) == aws_policies > 100
    first = ok(out["policies-page"])
    assert first["IsTruncated"] is True and first["Marker"] and len(first["Policies"]) == 2
    devices = ok(out["mfa"])["MFADevices"]
    assert [(device["SerialNumber"], device["UserName"]) for device in devices] == [(serial, "pager-0")]
    assert devices[0]["EnableDate"]
    assert ok(out["no-mfa"])["MFADevices"] == []


def test_fog_uploads_updates_and_deletes_certificates(fog):
    key = rsa_key()
    certificate, _ = self_signed_certificate(key, "fog.example.com")
    other, _ = self_signed_certificate(rsa_key(), "other.example.com")
    fog.harness.client("iam").create_user(UserName="signer")
    out = fog.run(
        iam("upload", "upload_server_certificate", certificate, private_pem(key), None,
            {"ServerCertificateName": "fog-cert", "Path": "/cloudfront/"}),
        iam("upload-again", "upload_server_certificate", certificate, private_pem(key), None,
            {"ServerCertificateName": "fog-cert"}),
        iam("mismatch", "upload_server_certificate", other, private_pem(key), None,
            {"ServerCertificateName": "fog-mismatch"}),
        iam("malformed", "upload_server_certificate", "not a certificate", private_pem(key), None,
            {"ServerCertificateName": "fog-malformed"}),
        iam("get", "get_server_certificate", "fog-cert"),
        iam("list", "list_server_certificates", {"PathPrefix": "/cloudfront/"}),
        iam("rename", "update_server_certificate", "fog-cert", {"NewServerCertificateName": "fog-renamed"}),
        iam("get-old-name", "get_server_certificate", "fog-cert"),
        iam("delete", "delete_server_certificate", "fog-renamed"),
        iam("signing", "upload_signing_certificate", certificate, {"UserName": "signer"}),
        iam("signing-list", "list_signing_certificates", {"UserName": "signer"}),
        iam("signing-off", "update_signing_certificate", ref("signing", "Certificate", "CertificateId"), "Inactive",
            {"UserName": "signer"}),
        iam("signing-delete", "delete_signing_certificate", ref("signing", "Certificate", "CertificateId"),
            {"UserName": "signer"}),
    )
    uploaded = ok(out["upload"])["Certificate"]
    assert uploaded["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cloudfront/fog-cert"
    assert uploaded["ServerCertificateId"].startswith("ASCA")
    assert refused(out["upload-again"]) == (
        "Fog::AWS::IAM::EntityAlreadyExists", "The Server Certificate with name fog-cert already exists.")
    assert refused(out["mismatch"])[0] == "Fog::AWS::IAM::KeyPairMismatch"
    assert refused(out["malformed"])[0] == "Fog::AWS::IAM::MalformedCertificate"
    got = ok(out["get"])["Certificate"]
    assert got["CertificateBody"].strip() == certificate.strip() and got["ServerCertificateId"] == uploaded[
        "ServerCertificateId"]
    assert [found["ServerCertificateName"] for found in ok(out["list"])["Certificates"]] == ["fog-cert"]
    assert refused(out["get-old-name"]) == (
        "Fog::AWS::IAM::NotFound", "The Server Certificate with name fog-cert cannot be found.")
    signing = ok(out["signing"])["Certificate"]
    assert (signing["UserName"], signing["Status"]) == ("signer", "Active")
    assert [found["CertificateId"] for found in ok(out["signing-list"])["SigningCertificates"]] == [
        signing["CertificateId"]]
    for step in ("rename", "delete", "signing-off", "signing-delete"):
        assert ok(out[step])["RequestId"], step
    boto = fog.harness.client("iam")
    assert boto.list_server_certificates()["ServerCertificateMetadataList"] == []
    assert boto.list_signing_certificates(UserName="signer")["Certificates"] == []


def test_fog_reads_iam_errors_as_its_error_classes(fog):
    boto = fog.harness.client("iam")
    boto.create_user(UserName="taken")
    boto.create_user(UserName="nobody")
    key = boto.create_access_key(UserName="nobody")["AccessKey"]
    nobody = {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}
    out = fog.run(
        iam("exists", "create_user", "taken"),
        iam("missing", "get_user", "ghost"),
        iam("missing-role", "get_role", "ghost"),
        iam("bad-name", "create_user", "bad name!"),
        iam("non-json-trust", "create_role", "r", "not json"),
        iam("denied", "list_users", caller=nobody),
        iam("wrong-secret", "list_users", caller={**nobody, "secretAccessKey": "wrong"}),
        iam("unknown-key", "list_users", caller={"accessKeyId": "AKIAUNKNOWNUNKNOWN00", "secretAccessKey": "x"}),
        iam("no-password-policy", "delete_account_password_policy"),
    )
    assert refused(out["exists"]) == ("Fog::AWS::IAM::EntityAlreadyExists", "User with name taken already exists.")
    assert refused(out["missing"]) == ("Fog::AWS::IAM::NotFound", "The user with name ghost cannot be found.")
    assert refused(out["missing-role"]) == ("Fog::AWS::IAM::NotFound", "The role with name ghost cannot be found.")
    assert refused(out["bad-name"])[0] == "Fog::AWS::IAM::ValidationError"
    assert "userName" in refused(out["bad-name"])[1]
    assert refused(out["non-json-trust"]) == ("Fog::AWS::IAM::Error",
                                              "MalformedPolicyDocument => This policy contains invalid Json")
    denied = refused(out["denied"])
    assert denied[0] == "Fog::AWS::IAM::Error"
    assert denied[1].startswith(f"AccessDenied => User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to "
                                "perform: iam:ListUsers on resource: ")
    assert refused(out["wrong-secret"])[1].startswith("SignatureDoesNotMatch => The request signature we calculated")
    assert refused(out["unknown-key"])[1].startswith("InvalidClientTokenId => ")
    assert refused(out["no-password-policy"]) == (
        "Fog::AWS::IAM::NotFound", "The account policy with name PasswordPolicy cannot be found.")


# --------------------------------------------------------------------------------------------------------- STS
def test_fog_sts_sessions_and_their_use(fog):
    boto = fog.harness.client("iam")
    boto.create_user(UserName="caller")
    boto.put_user_policy(UserName="caller", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:*", "iam:ListUsers"],
                                                 "Resource": "*"}]}))
    key = boto.create_access_key(UserName="caller")["AccessKey"]
    caller = {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}
    role = boto.create_role(RoleName="fog-target", AssumeRolePolicyDocument=json.dumps(ROOT_TRUST))["Role"]["Arn"]
    boto.put_role_policy(RoleName="fog-target", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
    github_provider(fog.harness)
    gha = deploy_role(fog.harness, "gha", MAIN)
    token = mint(fog.harness, github={"repository": "acme/web", "ref": "refs/heads/main"})
    narrow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
    out = fog.run(
        sts("session", "get_session_token", 900, caller=caller),
        sts("short", "get_session_token", 5, caller=caller),
        sts("assume", "assume_role", "fog-session", role, None, narrow, 900, caller=caller),
        sts("bad-session-name", "assume_role", "bad name", role, caller=caller),
        sts("bad-external-id", "assume_role", "fog", role, "has space", caller=caller),
        sts("unknown-role", "assume_role", "fog", f"arn:aws:iam::{ACCOUNT}:role/ghost", caller=caller),
        sts("federation", "get_federation_token", "fog-fed", narrow, 900, caller=caller),
        sts("web", "assume_role_with_web_identity", gha, token, "run-1", {"duration": 900}),
        sts("web-garbage", "assume_role_with_web_identity", gha, "not.a.jwt", "run-2"),
        iam("as-role", "list_users", {"MaxItems": 1}, caller={"from": "assume"}),
        iam("as-session", "list_users", caller={"from": "session"}),
        sts("session-again", "get_session_token", 900, caller={"from": "session"}),
    )
    session = ok(out["session"])
    assert session["AccessKeyId"].startswith("ASIA") and session["SessionToken"] and session["Expiration"]
    assert refused(out["short"]) == ("Fog::AWS::STS::ValidationError", (
        "1 validation error detected: Value '5' at 'durationSeconds' failed to satisfy constraint: Member must have "
        "value greater than or equal to 900"))
    assumed = ok(out["assume"])
    assert assumed["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/fog-target/fog-session"
    assert assumed["AssumedRoleId"].startswith("AROA") and assumed["AssumedRoleId"].endswith(":fog-session")
    assert refused(out["bad-session-name"])[0] == refused(out["bad-external-id"])[0] == "Fog::AWS::STS::ValidationError"
    assert "'roleSessionName'" in refused(out["bad-session-name"])[1]
    assert "'externalId'" in refused(out["bad-external-id"])[1]
    assert refused(out["unknown-role"]) == ("Fog::AWS::STS::Error", (
        f"AccessDenied => User: arn:aws:iam::{ACCOUNT}:user/caller is not authorized to perform: sts:AssumeRole on "
        f"resource: arn:aws:iam::{ACCOUNT}:role/ghost"))
    federated = ok(out["federation"])
    assert federated["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/fog-fed"
    assert federated["FederatedUserId"] == f"{ACCOUNT}:fog-fed"
    # An unsigned request (fog's request_unsigned); fog's parser keeps only leaf texts (of AssumedRoleUser and
    # Credentials, the text of their last member: the Arn and the Expiration).
    web = ok(out["web"])
    assert (web["Provider"], web["SubjectFromWebIdentityToken"], web["Audience"]) == (
        GITHUB_PROVIDER, MAIN, "sts.amazonaws.com")
    assert web["AssumedRoleUser"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/gha/run-1"
    assert refused(out["web-garbage"])[1].startswith("InvalidIdentityToken => ")
    assert ok(out["as-role"])["Users"][0]["UserName"] == "caller"
    # IAM refuses GetSessionToken credentials without MFA; STS refuses them a second GetSessionToken.
    assert refused(out["as-session"]) == ("Fog::AWS::IAM::Error", (
        "InvalidClientTokenId => The security token included in the request is invalid"))
    assert refused(out["session-again"]) == ("Fog::AWS::STS::Error", (
        "AccessDenied => Cannot call GetSessionToken with session credentials"))
    identity = fog.harness.client_for(assumed, "sts").get_caller_identity()
    assert identity["Arn"] == assumed["Arn"]
