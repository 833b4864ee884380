"""Helpers for tests of ``--state-file``: the shipped CLI as a subprocess, boto3 clients without retries."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_NO_RETRY = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10)


def start_server(state_file: str, *extra: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", "--operation-delay", "0",
         "--state-file", state_file, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if match is None:
        process.kill()
        raise AssertionError(f"server did not start: {line!r} {process.stderr.read()}")
    return process, f"http://127.0.0.1:{match.group(1)}"


def client(endpoint: str, service: str, key: str = "test", secret: str = "test", token: str | None = None):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token, config=_NO_RETRY)
