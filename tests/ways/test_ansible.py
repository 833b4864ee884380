"""A declarative infrastructure client: Ansible's AWS collections (``amazon.aws`` and ``community.aws``, shipped in
the ``ansible`` package, a test dependency) run playbooks against a real server.

Their modules describe what exists, compare it with what the task asks for and change only the difference, so a
second identical run must report ``changed: false``.  That comparison reads the answers' shapes as AWS gives them
(URL-encoded policy documents, tag lists, paginated listings, waiters, the error codes a module catches such as
``NoSuchEntity`` or ``RepositoryNotFoundException``), which single SDK calls do not exercise.

Each test writes one or two playbooks into its directory and runs ``ansible-playbook`` on ``localhost`` with the
local connection, the test environment's Python (it has boto3) as the interpreter and every Ansible directory
inside the test's directory (the compiled module code excepted: ``BYTECODE_CACHING``); the ``ansible.posix.json``
callback reports each task's outcome.  Outside CI these tests skip when Ansible is not installed; in CI they must
run (``tests/conftest.py``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from tests.iam.helpers import ACCOUNT, allow, doc, user_with_key
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.iam.saml_federation import metadata

PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
BYTECODE_CACHING = Path(__file__).with_name("ansible_bytecode")
"""On the ``PYTHONPATH`` of Ansible's processes: its ``sitecustomize`` keeps the code of the modules Ansible sends
compiled across tasks (``ansible_bytecode/sitecustomize.py``)."""
TIMEOUT = 300
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"


def _ansible_installed() -> bool:
    try:
        import ansible_collections.amazon.aws  # noqa: F401
    except ImportError:
        return False
    return PLAYBOOK.exists()


@pytest.fixture
def aws(make_harness):
    """A fresh server (real HTTP; Ansible runs in its own processes)."""
    if not _ansible_installed():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            "Ansible is not installed (the test extra installs it: pip install -e '.[test]')")
    return make_harness("server")


class Outcomes:
    """The outcome of each task of a playbook run, by task name."""

    def __init__(self, report: dict, log: str) -> None:
        self.report = report
        self.log = log
        self.tasks: dict[str, dict] = {}
        for play in report["plays"]:
            for task in play["tasks"]:
                self.tasks[task["task"]["name"]] = task["hosts"]["localhost"]

    def __getitem__(self, name: str) -> dict:
        return self.tasks[name]

    def changed(self) -> dict[str, bool]:
        """Each task's ``changed`` (the ``assert`` and ``set_fact`` tasks of the playbook left out)."""
        return {name: bool(result.get("changed")) for name, result in self.tasks.items()
                if result.get("action") not in ("ansible.builtin.assert", "ansible.builtin.set_fact")}

    def failed(self) -> dict[str, str]:
        return {name: result.get("msg", "") for name, result in self.tasks.items() if result.get("failed")}


def play(aws, tmp_path: Path, name: str, tasks: list[dict], variables: dict | None = None,
         key: dict | None = None) -> Outcomes:
    """Run ``tasks`` as one play on localhost against ``aws``'s server with the access key ``key`` (an IAM
    ``AccessKey``; the account's root, ``test``/``test``, when not given) in the environment."""
    key = key or {"AccessKeyId": "test", "SecretAccessKey": "test"}
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "vars": variables or {},
                                     "tasks": tasks}], indent=1))  # JSON is YAML
    home = tmp_path / "ansible"
    bytecode = tmp_path.parent / "ansible-bytecode"  # shared by the tests of this run (of this worker)
    bytecode.mkdir(exist_ok=True)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": aws.endpoint_url, "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"), "AWS_MAX_ATTEMPTS": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_PIPELINING": "1", "ANSIBLE_DEPRECATION_WARNINGS": "0", "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "PYTHONPATH": str(BYTECODE_CACHING), "ANSIBLE_BYTECODE_CACHE": str(bytecode),
    }
    run = subprocess.run([str(PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook)], env=environment,
                         cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert run.stdout.lstrip().startswith("{"), (run.stdout, run.stderr)
    assert any(bytecode.iterdir()), f"no module code was kept compiled ({BYTECODE_CACHING}): {run.stderr}"
    return Outcomes(json.loads(run.stdout), run.stderr)


def task(title: str, module: str, arguments: dict, **keywords: Any) -> dict:
    """A task named ``title`` calling ``module``; ``keywords`` are the task's own (``register``...)."""
    return {"name": title, module: arguments, **keywords}


def twice(title: str, module: str, arguments: dict) -> list[dict]:
    """The task and the same task again (``<title> again``), which must change nothing."""
    return [task(title, module, arguments), task(f"{title} again", module, arguments)]


def failing(title: str, module: str, arguments: dict) -> dict:
    """A task expected to fail: the play goes on."""
    return task(title, module, arguments, ignore_errors=True)


def error_code(call, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def trust_of(service: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


# ------------------------------------------------------------------------------------------------------ iam_role
def test_iam_role_converges_changes_each_attribute_and_reruns_unchanged(aws, tmp_path):
    role = {"name": "app-role", "path": "/app/", "assume_role_policy_document": trust_of("ec2.amazonaws.com"),
            "description": "first", "managed_policies": [READ_ONLY], "tags": {"team": "a", "env": "dev"},
            "create_instance_profile": True, "max_session_duration": 3600}
    lambda_trust = {**role, "assume_role_policy_document": trust_of("lambda.amazonaws.com")}
    described = {**lambda_trust, "description": "second"}
    longer = {**described, "max_session_duration": 7200}
    retagged = {**longer, "tags": {"team": "b"}}
    bounded = {**retagged, "boundary": "{{ boundary.policy.arn }}", "create_instance_profile": False}
    purged = {**bounded, "managed_policies": [], "purge_policies": True}
    outcomes = play(aws, tmp_path, "role", [
        task("boundary policy", "amazon.aws.iam_managed_policy", {"name": "boundary", "policy": doc(allow("s3:*"))},
             register="boundary"),
        *twice("create", "amazon.aws.iam_role", role),
        *twice("trust policy", "amazon.aws.iam_role", lambda_trust),
        task("description", "amazon.aws.iam_role", described),
        task("max session duration", "amazon.aws.iam_role", longer),
        *twice("tags", "amazon.aws.iam_role", retagged),
        *twice("boundary", "amazon.aws.iam_role", bounded),
        task("info", "amazon.aws.iam_role_info", {"name": "app-role"}),
        *twice("purge policies", "amazon.aws.iam_role", purged),
        task("delete", "amazon.aws.iam_role", {"name": "app-role", "state": "absent", "delete_instance_profile": True}),
        task("delete again", "amazon.aws.iam_role", {"name": "app-role", "state": "absent"}),
    ])
    assert outcomes.failed() == {}, outcomes.log
    assert outcomes.changed() == {
        "boundary policy": True, "create": True, "create again": False, "trust policy": True,
        "trust policy again": False, "description": True, "max session duration": True, "tags": True,
        "tags again": False, "boundary": True, "boundary again": False, "info": False, "purge policies": True,
        "purge policies again": False, "delete": True, "delete again": False}
    [described_role] = outcomes["info"]["iam_roles"]
    assert described_role["assume_role_policy_document"] == trust_of("lambda.amazonaws.com")
    assert described_role["description"] == "second"
    assert described_role["max_session_duration"] == 7200
    assert described_role["tags"] == {"team": "b"}
    assert described_role["permissions_boundary"]["permissions_boundary_arn"] == (
        f"arn:aws:iam::{ACCOUNT}:policy/boundary")
    assert described_role["managed_policies"] == [{"policy_arn": READ_ONLY, "policy_name": "ReadOnlyAccess"}]
    assert [profile["instance_profile_name"] for profile in described_role["instance_profiles"]] == ["app-role"]
    iam = aws.client("iam")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []


# ------------------------------------------------------------------- users, groups, policies, keys, profiles
def test_iam_users_groups_policies_keys_and_profiles_converge_and_rerun_unchanged(aws, tmp_path):
    aws.client("iam").create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(
        trust_of("ec2.amazonaws.com")))
    first_policy = doc(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))
    second_policy = doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::bucket/*"))
    managed = {"name": "deploy", "path": "/team/", "description": "deploys", "policy": first_policy,
               "tags": {"owner": "ci"}}
    managed_v2 = {**managed, "policy": second_policy}
    managed_retagged = {**managed_v2, "tags": {"owner": "ops", "tier": "1"}}
    user = {"name": "alice", "state": "present", "path": "/people/", "managed_policies": ["deploy"],
            "tags": {"team": "a"}, "password": "Correct-Horse-9", "update_password": "on_create"}
    retagged_user = {**user, "tags": {"team": "b", "level": "2"}}
    group = {"name": "devs", "state": "present", "users": ["alice"], "managed_policies": [IAM_READ_ONLY]}
    inline = {"policy_name": "inline", "policy_json": first_policy}
    password_policy = {"state": "present", "min_pw_length": 12, "require_symbols": True, "require_numbers": True,
                       "pw_max_age": 90, "pw_reuse_prevent": 3, "allow_pw_change": True}
    profile = {"name": "worker-profile", "path": "/app/", "role": "worker", "tags": {"app": "worker"}}
    retagged_profile = {**profile, "tags": {"app": "worker", "env": "prod"}}
    outcomes = play(aws, tmp_path, "identities", [
        *twice("policy", "amazon.aws.iam_managed_policy", managed),
        *twice("policy version", "amazon.aws.iam_managed_policy", managed_v2),
        *twice("policy tags", "amazon.aws.iam_managed_policy", managed_retagged),
        *twice("user", "amazon.aws.iam_user", user),
        task("user tags", "amazon.aws.iam_user", retagged_user),
        *twice("group", "amazon.aws.iam_group", group),
        task("role inline policy", "amazon.aws.iam_policy", {"iam_type": "role", "iam_name": "worker", **inline}),
        task("user inline policy", "amazon.aws.iam_policy", {"iam_type": "user", "iam_name": "alice", **inline}),
        task("group inline policy", "amazon.aws.iam_policy", {"iam_type": "group", "iam_name": "devs", **inline}),
        task("role inline policy again", "amazon.aws.iam_policy",
             {"iam_type": "role", "iam_name": "worker", **inline}),
        task("role inline policy changed", "amazon.aws.iam_policy",
             {"iam_type": "role", "iam_name": "worker", "policy_name": "inline", "policy_json": second_policy}),
        task("access key", "amazon.aws.iam_access_key", {"user_name": "alice", "state": "present"},
             register="key"),
        task("access key inactive", "amazon.aws.iam_access_key",
             {"user_name": "alice", "id": "{{ key.access_key_id }}", "active": False}),
        task("access key inactive again", "amazon.aws.iam_access_key",
             {"user_name": "alice", "id": "{{ key.access_key_id }}", "active": False}),
        *twice("password policy", "amazon.aws.iam_password_policy", password_policy),
        failing("user with a short password", "amazon.aws.iam_user",
                {"name": "bob", "state": "present", "password": "Short-1"}),
        *twice("instance profile", "amazon.aws.iam_instance_profile", profile),
        task("instance profile tags", "amazon.aws.iam_instance_profile", retagged_profile),
        task("user info", "amazon.aws.iam_user_info", {"name": "alice"}),
        task("group members info", "amazon.aws.iam_user_info", {"group": "devs"}),
        task("role policy info", "amazon.aws.iam_policy_info", {"iam_type": "role", "iam_name": "worker"}),
        task("access key info", "amazon.aws.iam_access_key_info", {"user_name": "alice"}),
        task("instance profile info", "amazon.aws.iam_instance_profile_info", {"name": "worker-profile"}),
        task("remove password", "amazon.aws.iam_user", {"name": "alice", "state": "present", "remove_password": True}),
        task("remove password again", "amazon.aws.iam_user",
             {"name": "alice", "state": "present", "remove_password": True}),
        task("user info without password", "amazon.aws.iam_user_info", {"name": "alice"}),
        task("purge group users", "amazon.aws.iam_group", {**group, "users": [], "purge_users": True}),
        task("delete access key", "amazon.aws.iam_access_key",
             {"user_name": "alice", "id": "{{ key.access_key_id }}", "state": "absent"}),
        task("delete group inline policy", "amazon.aws.iam_policy",
             {"iam_type": "group", "iam_name": "devs", "policy_name": "inline", "state": "absent"}),
        task("delete group inline policy again", "amazon.aws.iam_policy",
             {"iam_type": "group", "iam_name": "devs", "policy_name": "inline", "state": "absent"}),
        task("delete user", "amazon.aws.iam_user", {"name": "alice", "state": "absent"}),
        task("delete user again", "amazon.aws.iam_user", {"name": "alice", "state": "absent"}),
        task("delete group", "amazon.aws.iam_group", {"name": "devs", "state": "absent"}),
        task("delete policy", "amazon.aws.iam_managed_policy", {"name": "deploy", "state": "absent"}),
        task("delete policy again", "amazon.aws.iam_managed_policy", {"name": "deploy", "state": "absent"}),
        task("delete instance profile", "amazon.aws.iam_instance_profile",
             {"name": "worker-profile", "state": "absent"}),
        task("delete password policy", "amazon.aws.iam_password_policy", {"state": "absent"}),
        task("delete password policy again", "amazon.aws.iam_password_policy", {"state": "absent"}),
    ])
    failed = outcomes.failed()
    assert list(failed) == ["user with a short password"], outcomes.log
    assert "PasswordPolicyViolation" in failed["user with a short password"]
    changes = outcomes.changed()
    assert [name for name, changed in changes.items() if not changed] == [
        "policy again", "policy version again", "policy tags again", "user again", "group again",
        "role inline policy again", "access key inactive again", "password policy again", "user with a short password",
        "instance profile again", "user info", "group members info", "role policy info", "access key info",
        "instance profile info", "remove password again", "user info without password",
        "delete group inline policy again", "delete user again", "delete policy again",
        "delete password policy again"]

    assert outcomes["policy version"]["policy"]["default_version_id"] == "v2"
    assert outcomes["policy tags again"]["policy"]["tags"] == {"owner": "ops", "tier": "1"}
    [alice] = outcomes["user info"]["iam_users"]
    assert alice["path"] == "/people/" and alice["tags"] == {"team": "b", "level": "2"}
    assert alice["login_profile"]["password_reset_required"] is False
    assert [user["user_name"] for user in outcomes["group members info"]["iam_users"]] == ["alice"]
    assert outcomes["group"]["iam_group"]["attached_policies"] == [
        {"policy_arn": IAM_READ_ONLY, "policy_name": "IAMReadOnlyAccess"}]
    assert outcomes["user tags"]["user"]["attached_policies"] == [
        {"policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/team/deploy", "policy_name": "deploy"}]
    assert outcomes["role policy info"]["policies"] == [
        {"policy_name": "inline", "policy_document": json.loads(second_policy)}]
    [key] = outcomes["access key info"]["access_keys"]
    assert key["status"] == "Inactive" and key["access_key_id"] == outcomes["access key"]["access_key_id"]
    [instance_profile] = outcomes["instance profile info"]["iam_instance_profiles"]
    assert instance_profile["path"] == "/app/" and instance_profile["tags"] == {"app": "worker", "env": "prod"}
    assert [role["role_name"] for role in instance_profile["roles"]] == ["worker"]
    assert outcomes["password policy"]["policy"]["minimum_password_length"] == 12
    assert outcomes["user info without password"]["iam_users"][0]["login_profile"] == {}  # NoSuchEntity read as none
    iam = aws.client("iam")
    # the module creates the user, then its login profile: the user the password policy refused a password stays
    assert [user["UserName"] for user in iam.list_users()["Users"]] == ["bob"]
    assert error_code(iam.get_login_profile, UserName="bob") == "NoSuchEntity"
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_role_policies(RoleName="worker")["PolicyNames"] == ["inline"]



# ------------------------------------------------------------------- paging, version limits, every credential
def _carol_with_every_credential(aws) -> list[str]:
    """User ``carol`` with a password, two access keys, an SSH key, a signing certificate, an enabled virtual MFA
    device, a managed and an inline policy and a group: all that stops DeleteUser; and user ``dave`` with a
    service-specific credential.  Returns carol's access key ids, oldest first."""
    iam = aws.client("iam")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Correct-Horse-9")
    keys = [iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"] for _ in range(2)]
    key = rsa_key()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    iam.upload_ssh_public_key(UserName="carol", SSHPublicKeyBody=public.decode())
    iam.upload_signing_certificate(UserName="carol", CertificateBody=self_signed_certificate(key)[0])
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"]
    now = current_step(aws)
    iam.enable_mfa_device(UserName="carol", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], now - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], now))
    iam.attach_user_policy(UserName="carol", PolicyArn=READ_ONLY)
    iam.put_user_policy(UserName="carol", PolicyName="inline", PolicyDocument=doc(allow("s3:ListBucket")))
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="carol")
    iam.create_user(UserName="dave")
    iam.create_service_specific_credential(UserName="dave", ServiceName="codecommit.amazonaws.com")
    return keys


def test_listings_page_policy_versions_rotate_and_a_user_with_every_credential_is_deleted(aws, tmp_path):
    iam = aws.client("iam")
    trust = json.dumps(trust_of("ec2.amazonaws.com"))
    for number in range(105):  # more than one page of ListRoles (100)
        iam.create_role(RoleName=f"bulk-{number:03}", Path="/bulk/", AssumeRolePolicyDocument=trust)
    oldest, newer = _carol_with_every_credential(aws)
    documents = [doc(allow(f"s3:GetObject{number}")) for number in range(7)]
    outcomes = play(aws, tmp_path, "limits", [
        task("bulk roles", "amazon.aws.iam_role_info", {"path_prefix": "/bulk/"}),
        task("policy", "amazon.aws.iam_managed_policy", {"name": "rolling", "policy": "{{ item }}"},
             loop=documents),
        task("back to an old version", "amazon.aws.iam_managed_policy", {"name": "rolling", "policy": documents[4]}),
        task("only version", "amazon.aws.iam_managed_policy", {"name": "rolling", "policy": documents[4],
                                                               "only_version": True}),
        task("only version again", "amazon.aws.iam_managed_policy", {"name": "rolling", "policy": documents[4],
                                                                     "only_version": True}),
        task("rotate keys", "amazon.aws.iam_access_key", {"user_name": "carol", "rotate_keys": True}),
        task("carol's keys", "amazon.aws.iam_access_key_info", {"user_name": "carol"}),
        task("delete carol", "amazon.aws.iam_user", {"name": "carol", "state": "absent"}),
        task("delete ops", "amazon.aws.iam_group", {"name": "ops", "state": "absent"}),
        failing("delete dave", "amazon.aws.iam_user", {"name": "dave", "state": "absent"}),
    ])
    # The module deletes a service-specific credential with DeleteSSHPublicKey (its own bug): IAM answers that no
    # SSH key has that id, which the module ignores, and then refuses to delete the user that still owns it.
    assert outcomes.failed() == {"delete dave": (
        "Failed to delete user: An error occurred (DeleteConflict) when calling the DeleteUser operation (reached "
        "max retries: 0): Cannot delete entity, must remove referenced objects first.")}
    assert outcomes.changed() == {
        "bulk roles": False, "policy": True, "back to an old version": True, "only version": True,
        "only version again": False, "rotate keys": True, "carol's keys": False, "delete carol": True,
        "delete ops": True, "delete dave": False}
    assert sorted(role["role_name"] for role in outcomes["bulk roles"]["iam_roles"]) == [
        f"bulk-{number:03}" for number in range(105)]
    assert [result["changed"] for result in outcomes["policy"]["results"]] == [True] * 7
    # the sixth and seventh versions did not fit (five versions at most): the module deleted the oldest each time
    assert [version["VersionId"] for version in iam.list_policy_versions(
        PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/rolling")["Versions"]] == ["v5"]
    assert outcomes["rotate keys"]["deleted_access_key_id"] == oldest
    assert sorted(key["access_key_id"] for key in outcomes["carol's keys"]["access_keys"]) == sorted(
        [newer, outcomes["rotate keys"]["access_key_id"]])
    assert error_code(iam.get_user, UserName="carol") == "NoSuchEntity"
    assert [device["User"]["UserName"] for device in iam.list_virtual_mfa_devices()["VirtualMFADevices"]
            if "User" in device] == []


# ------------------------------------------------------------------------------------------ STS and IAM's denials
def test_sts_assume_role_credentials_allow_what_the_role_may_do_and_deny_the_rest(aws, tmp_path):
    admin = user_with_key(aws, "admin", policies=(ADMINISTRATOR,))  # roles may not be assumed by root accounts
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    session = {"aws_access_key": "{{ assumed.sts_creds.access_key }}",
               "aws_secret_key": "{{ assumed.sts_creds.secret_key }}",
               "session_token": "{{ assumed.sts_creds.session_token }}"}
    outcomes = play(aws, tmp_path, "assume", [
        task("reader role", "amazon.aws.iam_role", {"name": "reader", "assume_role_policy_document": trust,
                                                    "create_instance_profile": False}),
        task("reader policy", "amazon.aws.iam_policy", {"iam_type": "role", "iam_name": "reader",
                                                        "policy_name": "read", "policy_json": doc(allow(
                                                            ["iam:Get*", "iam:List*"]))}),
        task("assume", "amazon.aws.sts_assume_role", {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/reader",
                                                      "role_session_name": "ansible", "duration_seconds": 900},
             register="assumed"),
        task("read as the role", "amazon.aws.iam_role_info", {"name": "reader", **session}),
        failing("create a user as the role", "amazon.aws.iam_user", {"name": "mallory", "state": "present",
                                                                      **session}),
        failing("assume a missing role", "amazon.aws.sts_assume_role", {
            "role_arn": f"arn:aws:iam::{ACCOUNT}:role/missing", "role_session_name": "ansible"}),
    ], key=admin)
    assert list(outcomes.failed()) == ["create a user as the role", "assume a missing role"], outcomes.failed()
    credentials = outcomes["assume"]["sts_creds"]
    assert credentials["access_key"].startswith("ASIA") and credentials["session_token"]
    assert outcomes["assume"]["sts_user"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/ansible"
    [reader] = outcomes["read as the role"]["iam_roles"]
    assert reader["inline_policies"] == ["read"]
    denial = outcomes["create a user as the role"]["msg"]
    assert "AccessDenied" in denial
    assert (f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/ansible is not authorized to perform: iam:CreateUser on "
            f"resource: arn:aws:iam::{ACCOUNT}:user/mallory") in denial
    assert "AccessDenied" in outcomes["assume a missing role"]["msg"]
    assert [user["UserName"] for user in aws.client("iam").list_users()["Users"]] == ["admin"]


def test_a_restricted_user_s_playbook_fails_with_access_denied_naming_the_action(aws, tmp_path):
    key = user_with_key(aws, "auditor", policies=(IAM_READ_ONLY,))
    outcomes = play(aws, tmp_path, "restricted", [
        task("read", "amazon.aws.iam_role_info", {}),
        task("create a role", "amazon.aws.iam_role", {"name": "escalate", "assume_role_policy_document": trust_of(
            "ec2.amazonaws.com"), "managed_policies": [ADMINISTRATOR]}),
        task("never reached", "amazon.aws.iam_role_info", {}),
    ], key=key)
    assert outcomes["read"]["iam_roles"] == []
    failed = outcomes.failed()
    assert list(failed) == ["create a role"]
    assert "AccessDenied" in failed["create a role"]
    assert (f"User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: iam:CreateRole on resource: "
            f"arn:aws:iam::{ACCOUNT}:role/escalate") in failed["create a role"]
    assert "never reached" not in outcomes.tasks
    assert outcomes.report["stats"]["localhost"]["failures"] == 1
    assert aws.client("iam").list_roles()["Roles"] == []


# ------------------------------------------------------------------------------------------------------ ECR
def test_ecs_ecr_repository_settings_and_policies_converge_and_rerun_unchanged(aws, tmp_path):
    pull = {"Version": "2012-10-17", "Statement": [{
        "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    expire = {"rules": [{"rulePriority": 1, "description": "expire untagged", "selection": {
        "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
        "action": {"type": "expire"}}]}
    repository = {"name": "team/web"}  # the module's default encryption: AES256
    immutable = {**repository, "image_tag_mutability": "immutable"}
    scanned = {**immutable, "scan_on_push": True}
    with_policies = {**scanned, "lifecycle_policy": expire, "policy": pull}
    reordered = {**with_policies, "policy": {**pull, "Statement": [
        {**pull["Statement"][0], "Action": sorted(pull["Statement"][0]["Action"], reverse=True)}]}}
    purged = {**scanned, "purge_policy": True, "purge_lifecycle_policy": True}
    outcomes = play(aws, tmp_path, "ecr", [
        *twice("create", "community.aws.ecs_ecr", repository),
        task("immutable", "community.aws.ecs_ecr", immutable),
        *twice("scan on push", "community.aws.ecs_ecr", scanned),
        *twice("policies", "community.aws.ecs_ecr", with_policies),
        task("policies reordered", "community.aws.ecs_ecr", reordered),
        *twice("purge policies", "community.aws.ecs_ecr", purged),
        failing("other encryption", "community.aws.ecs_ecr", {**scanned, "encryption_configuration": {
            "encryption_type": "KMS", "kms_key": "alias/aws/ecr"}}),
        task("delete", "community.aws.ecs_ecr", {"name": "team/web", "state": "absent"}),
        task("delete again", "community.aws.ecs_ecr", {"name": "team/web", "state": "absent"}),
    ])
    assert list(outcomes.failed()) == ["other encryption"], outcomes.failed()
    assert outcomes.failed()["other encryption"] == "Cannot modify repository encryption type"
    assert outcomes.changed() == {
        "create": True, "create again": False, "immutable": True, "scan on push": True, "scan on push again": False,
        "policies": True, "policies again": False, "policies reordered": False, "purge policies": True,
        "purge policies again": False, "other encryption": False, "delete": True, "delete again": False}
    created = outcomes["create"]["repository"]
    assert created["repositoryUri"].endswith("/team/web") and created["imageTagMutability"] == "MUTABLE"
    assert outcomes["scan on push again"]["repository"]["imageScanningConfiguration"] == {"scanOnPush": True}
    assert outcomes["policies again"]["repository"]["imageTagMutability"] == "IMMUTABLE"
    assert outcomes["policies again"]["policy"] == pull  # the module sorts lists of strings
    assert outcomes["policies again"]["lifecycle_policy"] == expire
    assert aws.client("ecr").describe_repositories()["repositories"] == []


# -------------------------------------------------------------------------- SAML providers, server certificates
def test_saml_providers_and_server_certificates_converge_and_rerun_unchanged(aws, tmp_path):
    first, second = metadata(aws), metadata(aws, "https://other-idp.example.com/saml")
    key = rsa_key()
    # As the module's examples pass them, through Ansible's file lookup, which strips the trailing newline: IAM
    # returns bodies trimmed, and the module's comparison (meant to ignore whitespace) compares them exactly.
    body = self_signed_certificate(key, "www.example.com")[0].rstrip("\n")
    other_body = self_signed_certificate(key, "api.example.com")[0].rstrip("\n")
    certificate = {"name": "web", "state": "present", "cert": body, "key": private_pem(key)}
    outcomes = play(aws, tmp_path, "federation", [
        task("provider", "community.aws.iam_saml_federation", {"name": "Okta", "saml_metadata_document": first}),
        task("provider again", "community.aws.iam_saml_federation", {"name": "Okta",
                                                                     "saml_metadata_document": first}),
        task("new metadata", "community.aws.iam_saml_federation", {"name": "Okta",
                                                                   "saml_metadata_document": second}),
        *twice("certificate", "community.aws.iam_server_certificate", certificate),
        failing("another body", "community.aws.iam_server_certificate", {**certificate, "cert": other_body}),
        failing("the same body under another name", "community.aws.iam_server_certificate", {
            **certificate, "name": "copy", "dup_ok": False}),
        task("rename", "community.aws.iam_server_certificate", {"name": "web", "state": "present",
                                                                "new_name": "www", "new_path": "/tls/"}),
        task("rename again", "community.aws.iam_server_certificate", {"name": "web", "state": "present",
                                                                      "new_name": "www", "new_path": "/tls/"}),
        task("certificate info", "community.aws.iam_server_certificate_info", {"name": "www"}),
        task("delete certificate", "community.aws.iam_server_certificate", {"name": "www", "state": "absent"}),
        task("delete certificate again", "community.aws.iam_server_certificate",
             {"name": "www", "state": "absent"}),
        task("delete provider", "community.aws.iam_saml_federation", {"name": "Okta", "state": "absent"}),
        task("delete provider again", "community.aws.iam_saml_federation", {"name": "Okta", "state": "absent"}),
    ])
    assert outcomes.failed() == {
        "another body": "Modifying the certificate body is not supported by AWS",
        "the same body under another name": "This certificate already exists under the name web and dup_ok=False"}
    assert outcomes.changed() == {
        "provider": True, "provider again": False, "new metadata": True, "certificate": True,
        "certificate again": False, "another body": False, "the same body under another name": False,
        "rename": True, "rename again": False, "certificate info": False, "delete certificate": True,
        "delete certificate again": False, "delete provider": True, "delete provider again": False}
    provider = outcomes["new metadata"]["saml_provider"]
    assert provider["arn"] == f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    assert provider["metadata_document"] == second
    renamed = outcomes["rename"]["server_certificate"]["server_certificate_metadata"]
    info = outcomes["certificate info"]["ansible_module_results"]["www"]  # Ansible renames a module's "results"
    assert info["path"] == "/tls/" and info["certificate_body"] == body
    assert info["arn"] == renamed["arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/tls/www"
    assert info["server_certificate_id"] == renamed["server_certificate_id"]
    iam = aws.client("iam")
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    assert iam.list_saml_providers()["SAMLProviderList"] == []
