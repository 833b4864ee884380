"""``--state-file`` survives ``kill -9`` mid-load: every acknowledged mutation is there after restart."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.ways.state_server import ROOT, client, start_server


def _ecr(endpoint: str):
    return client(endpoint, "ecr")


def _repository_names(endpoint: str) -> set[str]:
    pages = _ecr(endpoint).get_paginator("describe_repositories").paginate()
    return {repo["repositoryName"] for page in pages for repo in page["repositories"]}


def test_every_acknowledged_mutation_survives_kill_9(tmp_path) -> None:
    state_file = str(tmp_path / "state.bin")
    process, endpoint = start_server(state_file)
    acknowledged: list[str] = []
    stop = threading.Event()

    users: list[str] = []

    def load(worker: int) -> None:
        ecr, iam = _ecr(endpoint), client(endpoint, "iam")
        for index in range(400):  # bounded
            if stop.is_set():
                return
            name = f"repo-{worker}-{index}"
            try:
                if index % 2:
                    iam.create_user(UserName=name)
                else:
                    ecr.create_repository(repositoryName=name)
            except Exception:  # noqa: BLE001 - the kill interrupts calls in flight; those were never acknowledged
                return
            (users if index % 2 else acknowledged).append(name)

    workers = [threading.Thread(target=load, args=(n,)) for n in range(3)]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) + len(users) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # mid-load: the workers are still sending
        process.wait(timeout=10)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        if process.poll() is None:
            process.kill()
    assert len(acknowledged) + len(users) >= 40, "the load did not get going"
    assert all(worker.is_alive() is False for worker in workers)
    restarted, endpoint = start_server(state_file)
    try:
        survived = _repository_names(endpoint)
        pages = client(endpoint, "iam").get_paginator("list_users").paginate()
        survived |= {user["UserName"] for page in pages for user in page["Users"]}
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    assert os.listdir(tmp_path) == ["state.bin"], "no temporary file is left behind after the restart"
    missing = set(acknowledged + users) - survived
    assert not missing, f"{len(missing)} acknowledged mutations lost: {sorted(missing)[:5]}"


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) - 7], "truncated or half-written"),
    (lambda data: data.replace(b"precious", b"precioux"), "checksum mismatch"),
    (lambda data: b"", "no valid mockrunner header"),
    (lambda data: data[:20], "no valid mockrunner header"),
])
def test_a_corrupt_state_file_stops_the_server_loudly(tmp_path, damage, message) -> None:
    state_file = tmp_path / "state.bin"
    process, endpoint = start_server(str(state_file))
    try:
        _ecr(endpoint).create_repository(repositoryName="precious")
    finally:
        process.terminate()
        process.wait(timeout=10)
    damaged = damage(state_file.read_bytes())
    state_file.write_bytes(damaged)
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--state-file", str(state_file)],
        capture_output=True, text=True, timeout=20, env=env, cwd=ROOT,
    )
    assert result.returncode == 1
    assert message in result.stderr and str(state_file) in result.stderr
    assert "listening" not in result.stdout
    assert state_file.read_bytes() == damaged, "the damaged file is left untouched for the user to inspect"


TRUST_ACCOUNT = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
                 '"Principal":{"AWS":"arn:aws:iam::123456789012:root"}}]}')


def test_a_restart_keeps_services_mid_operation_and_sessions(tmp_path) -> None:
    """State written by one run loads in the next: an App Runner create still in progress, STS sessions, keys."""
    state_file = str(tmp_path / "state.bin")
    args = ("--seed", os.path.join(ROOT, "examples", "seed.json"), "--operation-delay", "3600")
    process, endpoint = start_server(state_file, *args)
    try:
        account = "123456789012"
        iam = client(endpoint, "iam")
        iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=TRUST_ACCOUNT)
        iam.create_user(UserName="carol")
        iam.put_user_policy(UserName="carol", PolicyName="assume", PolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'))
        key = iam.create_access_key(UserName="carol")["AccessKey"]
        carol_sts = client(endpoint, "sts", key["AccessKeyId"], key["SecretAccessKey"])
        credentials = carol_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/deployer",
                                            RoleSessionName="kept")["Credentials"]
        arn = client(endpoint, "apprunner").create_service(ServiceName="midway", SourceConfiguration={
            "ImageRepository": {"ImageIdentifier": f"{account}.dkr.ecr.us-east-1.amazonaws.com/hello-web:latest",
                                "ImageRepositoryType": "ECR"},
            "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{account}:role/AppRunnerECRAccessRole"},
            "AutoDeploymentsEnabled": False})["Service"]["ServiceArn"]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    restarted, endpoint = start_server(state_file, *args)
    try:
        apprunner = client(endpoint, "apprunner")
        assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
        assert [p["target_arn"] for p in requests.get(f"{endpoint}/_mockrunner/pending", timeout=10).json()[
            "pending"]] == [arn]
        session = client(endpoint, "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"])
        assert session.get_caller_identity()["Arn"] == f"arn:aws:sts::{account}:assumed-role/deployer/kept"
        assert carol_sts.meta.endpoint_url != endpoint  # a new port: use a fresh client with carol's key
        carol = client(endpoint, "sts", key["AccessKeyId"], key["SecretAccessKey"])
        assert carol.get_caller_identity()["Arn"].endswith(":user/carol")
        names = {s["ServiceName"] for s in apprunner.list_services()["ServiceSummaryList"]}
        assert names == {"midway"}, "the seed was not applied a second time over the loaded state"
        assert requests.post(f"{endpoint}/_mockrunner/settle", timeout=10).json()["settled"] == 1
        assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
