"""``--state-file`` survives ``kill -9`` mid-load: every acknowledged mutation is there after restart."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import boto3
import pytest
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_NO_RETRY = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10)


def _start(state_file: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", "--operation-delay", "0",
         "--state-file", state_file],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if match is None:
        process.kill()
        raise AssertionError(f"server did not start: {line!r} {process.stderr.read()}")
    return process, f"http://127.0.0.1:{match.group(1)}"


def _ecr(endpoint: str):
    return boto3.client("ecr", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=_NO_RETRY)


def _repository_names(endpoint: str) -> set[str]:
    pages = _ecr(endpoint).get_paginator("describe_repositories").paginate()
    return {repo["repositoryName"] for page in pages for repo in page["repositories"]}


def test_every_acknowledged_mutation_survives_kill_9(tmp_path) -> None:
    state_file = str(tmp_path / "state.bin")
    process, endpoint = _start(state_file)
    acknowledged: list[str] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        ecr = _ecr(endpoint)
        for index in range(400):  # bounded
            if stop.is_set():
                return
            name = f"repo-{worker}-{index}"
            try:
                ecr.create_repository(repositoryName=name)
            except Exception:  # noqa: BLE001 - the kill interrupts calls in flight; those were never acknowledged
                return
            acknowledged.append(name)

    workers = [threading.Thread(target=load, args=(n,)) for n in range(3)]
    try:
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # mid-load: the workers are still sending
        process.wait(timeout=10)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        if process.poll() is None:
            process.kill()
    assert len(acknowledged) >= 40, "the load did not get going"
    restarted, endpoint = _start(state_file)
    try:
        survived = _repository_names(endpoint)
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    missing = set(acknowledged) - survived
    assert not missing, f"{len(missing)} acknowledged mutations lost: {sorted(missing)[:5]}"


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) - 7], "truncated or half-written"),
    (lambda data: data.replace(b"precious", b"precioux"), "checksum mismatch"),
])
def test_a_corrupt_state_file_stops_the_server_loudly(tmp_path, damage, message) -> None:
    state_file = tmp_path / "state.bin"
    process, endpoint = _start(str(state_file))
    try:
        _ecr(endpoint).create_repository(repositoryName="precious")
    finally:
        process.terminate()
        process.wait(timeout=10)
    state_file.write_bytes(damage(state_file.read_bytes()))
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--state-file", str(state_file)],
        capture_output=True, text=True, timeout=20, env=env, cwd=ROOT,
    )
    assert result.returncode == 1
    assert message in result.stderr and str(state_file) in result.stderr
    assert "listening" not in result.stdout
    assert state_file.read_bytes() != b"", "the damaged file is left for the user to inspect"
