"""State import checks every stored policy document with the API's validator: a bad one refuses the whole
import (state unchanged), naming the JSON path of the field — over the admin API (HTTP and in-process), for
``snapshot.import_state`` and for ``--state-file`` at start."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.persistence import CorruptStateError, encode_file
from tests.harness import Harness
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key

BROKEN = '{"Version": "2012-10-17", "Statement": '
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
SYNTAX = "Syntax errors in policy."


def _populate(aws) -> str:
    """Every kind of stored policy document, made through the API; returns the STS session's access key id."""
    iam = aws.client("iam")
    # the boundary allows sts:AssumeRole: the trust naming alice is limited by it (IAM User Guide, "Update a role
    # trust policy")
    iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(allow(["iam:*", "sts:AssumeRole"])))
    key = user_with_key(aws, "alice", inline={"own": doc(allow("*"))})
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=BOUNDARY_ARN)
    iam.create_group(GroupName="devs")
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=doc(allow("iam:Get*")))
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(USER_ARN))
    iam.put_role_policy(RoleName="worker", PolicyName="r", PolicyDocument=doc(allow("*")))
    session = aws.client_for(key, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker", RoleSessionName="work",
        Policy=doc(allow("iam:ListUsers")))["Credentials"]["AccessKeyId"]
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    ecr.set_repository_policy(repositoryName="app", policyText=doc(
        {"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "ecr:*"}))
    return session


def _admin(aws, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """An admin call: over HTTP in server mode, through the WSGI app in-process."""
    if aws.server is not None:
        response = requests.request(method, f"{aws.endpoint_url}/_mockrunner{path}",
                                     data=None if body is None else json.dumps(body), timeout=10)
        return response.status_code, response.json()
    response = aws.app.test_client().open(f"/_mockrunner{path}", method=method, json=body)
    return response.status_code, response.json


def _at(document: dict, dotted: str) -> tuple[dict | list, str | int]:
    """The container and key of a ``$.state...`` path of the export (``versions[0]`` steps included)."""
    parts = dotted.removeprefix("$.").replace("[", ".[").split(".")
    keys: list[str | int] = [int(p[1:-1]) if p.startswith("[") else p for p in parts]
    node: object = document
    for key in keys[:-1]:
        node = node[key]  # type: ignore[index]
    return node, keys[-1]  # type: ignore[return-value]


def _cases(session: str) -> list[tuple[str, object, str]]:
    base = f"$.state.accounts.{ACCOUNT}"
    return [
        (f"{base}.iam.users.alice.inline_policies.own", BROKEN, f"an identity-based policy: {SYNTAX}"),
        (f"{base}.iam.groups.devs.inline_policies.g", BROKEN, f"an identity-based policy: {SYNTAX}"),
        (f"{base}.iam.roles.worker.inline_policies.r", trust(USER_ARN),
         "an identity-based policy: Policy document should not specify a principal."),
        (f"{base}.iam.roles.worker.assume_role_policy", doc(allow("sts:AssumeRole")), "a trust policy: Invalid "
         "principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement "
         "with no principals!"),
        (f"{base}.iam.policies.{BOUNDARY_ARN}.versions[0].document", BROKEN, f"an identity-based policy: {SYNTAX}"),
        (f"{base}.iam.policies.{BOUNDARY_ARN}.versions[0].document",
         json.dumps({"Version": "2008-10-17", "Statement": [allow("*")]}),
         "an identity-based policy: Policy document must be version 2012-10-17 or greater."),
        (f"{base}.iam.sessions.{session}.session_policies[0]", BROKEN, f"an identity-based policy: {SYNTAX}"),
        (f"{base}.regions.us-east-1.ecr.repositories.app.policy_text", doc(allow("ecr:*")),
         "a resource-based policy: Missing required field Principal"),
    ]


CASE_IDS = ["user-inline", "group-inline", "role-inline", "trust", "boundary-version", "managed-version-2008",
            "session-policy", "ecr-repository-policy"]


@pytest.fixture(scope="module")
def populated():
    harness = Harness("inprocess")
    session = _populate(harness)
    yield harness, session
    harness.close()


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_import_refuses_every_kind_of_bad_policy_document_naming_its_path(populated, index) -> None:
    harness, session = populated
    path, bad, why = _cases(session)[index]
    exported = json.loads(json.dumps(snapshot.export_state(harness.store)))
    before = json.loads(json.dumps(exported["state"]))
    container, key = _at(exported, path)
    assert isinstance(container[key], str) and container[key] != bad  # the path points at a stored document
    container[key] = bad
    with pytest.raises(snapshot.SnapshotError) as refused:
        snapshot.import_state(harness.store, exported)
    assert str(refused.value) == f"{path}: not a valid policy document for {why}"
    assert json.loads(json.dumps(snapshot.export_state(harness.store)["state"])) == before


def test_import_refuses_a_document_that_is_not_json_text(populated) -> None:
    harness, _ = populated
    exported = json.loads(json.dumps(snapshot.export_state(harness.store)))
    exported["state"]["accounts"][ACCOUNT]["iam"]["users"]["alice"]["inline_policies"]["own"] = {"Statement": []}
    # The field's declared type (dict[str, str]) refuses it before the policy check reads it.
    with pytest.raises(snapshot.SnapshotError, match=r"inline_policies\.own: expected str, got dict"):
        snapshot.import_state(harness.store, exported)


def test_put_state_with_a_broken_boundary_is_refused_whole(aws) -> None:
    _populate(aws)
    status, exported = _admin(aws, "GET", "/state")
    assert status == 200
    state = exported["state"]["accounts"][ACCOUNT]["iam"]
    state["users"]["carol"] = {**state["users"]["alice"], "name": "carol"}  # an addition the refusal must drop
    state["policies"][BOUNDARY_ARN]["versions"][0]["document"] = BROKEN
    status, body = _admin(aws, "PUT", "/state", exported)
    assert status == 400 and body["error"] == "InvalidState"
    assert body["message"] == (f"$.state.accounts.{ACCOUNT}.iam.policies.{BOUNDARY_ARN}.versions[0].document: "
                               f"not a valid policy document for an identity-based policy: {SYNTAX}")
    status, after = _admin(aws, "GET", "/state")
    assert "carol" not in after["state"]["accounts"][ACCOUNT]["iam"]["users"]
    assert after["state"]["accounts"][ACCOUNT]["iam"]["policies"][BOUNDARY_ARN]["versions"][0]["document"] == \
        doc(allow(["iam:*", "sts:AssumeRole"]))
    assert aws.client("iam").get_user(UserName="alice")["User"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"] == BOUNDARY_ARN


TRUST_PROBLEM = (f"$.state.accounts.{ACCOUNT}.iam.roles.worker.assume_role_policy: not a valid policy document "
                 f"for a trust policy: {SYNTAX}")


def _state_file_with_a_bad_trust_policy(tmp_path) -> tuple[object, bytes]:
    harness = Harness("inprocess")
    try:
        harness.client("iam").create_user(UserName=USER_ARN.rsplit("/", 1)[1])
        harness.client("iam").create_role(RoleName="worker", AssumeRolePolicyDocument=trust(USER_ARN))
        exported = snapshot.export_state(harness.store)
    finally:
        harness.close()
    exported["state"]["accounts"][ACCOUNT]["iam"]["roles"]["worker"]["assume_role_policy"] = BROKEN
    path = tmp_path / "state.bin"
    data = encode_file(json.dumps(exported).encode("utf-8"))
    path.write_bytes(data)
    return path, data


def test_a_state_file_holding_a_bad_trust_policy_is_refused_naming_the_path(tmp_path) -> None:
    path, data = _state_file_with_a_bad_trust_policy(tmp_path)
    with pytest.raises(CorruptStateError) as refused:
        create_app(Settings(log_requests=False, state_file=str(path)))
    assert str(refused.value).endswith(TRUST_PROBLEM)
    assert path.read_bytes() == data, "the refused file is left as it was"


def test_serve_stops_with_one_line_on_a_state_file_holding_a_bad_policy(tmp_path) -> None:
    path, data = _state_file_with_a_bad_trust_policy(tmp_path)
    done = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--state-file", str(path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.rstrip().endswith(TRUST_PROBLEM), done.stderr
    assert path.read_bytes() == data
