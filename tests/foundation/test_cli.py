"""The shipped commands: ``python -m mockrunner serve`` and the AWS CLI against it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest
import requests

from tests.harness import AWS_CLI_V1


def start_server(*args: str, address: str = "127.0.0.1") -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    assert line.startswith(f"mockrunner listening on http://{address}:"), line
    return process, line.split()[-1]


def test_serve_port_zero_health_logs_and_sigterm():
    process, url = start_server()
    try:
        assert requests.get(url + "/_mockrunner/health", timeout=10).json()["status"] == "ok"
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        result = subprocess.run([AWS_CLI_V1, "--endpoint-url", url, "sts", "get-caller-identity", "--output", "json"],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["Arn"] == "arn:aws:iam::123456789012:root"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "mockrunner stopped" in out
    assert "sts.GetCallerIdentity 200 arn:aws:iam::123456789012:root" in err


def test_ipv6_loopback_is_announced_as_a_url_clients_take():
    """``--host ::1``: the announced address is bracketed, as a URL needs, and boto3 reaches the server by it."""
    process, url = start_server("--host", "::1", "--quiet", address="[::1]")
    try:
        sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


def test_sigint_stops_cleanly():
    process, url = start_server("--quiet")
    time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "mockrunner stopped" in out


def test_bad_configuration_is_reported(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--account-id", "12"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "12 digits" in result.stderr


@pytest.mark.parametrize("port", ["65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(port):
    result = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", port],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"argument --port: a port is a number from 0 to 65535, not '{port}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_region_outside_the_partition_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--region", "mars-1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "argument --region: 'mars-1' is not a region of the aws partition" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"]])
def test_help(argv):
    result = subprocess.run([sys.executable, "-m", "mockrunner", *argv], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "mockrunner" in result.stdout


def test_quota_flag_and_port_in_use():
    process, url = start_server("--quiet", "--quota", "apprunner_max_services=7", "--quota", "iam_max_roles=2500")
    try:
        iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        assert iam.get_account_summary()["SummaryMap"]["RolesQuota"] == 2500
        port = url.rsplit(":", 1)[1]
        clash = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", port],
                               capture_output=True, text=True, timeout=30)
        assert clash.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in clash.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    bad = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--quota", "apprunner_max_bananas=1"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2
    assert "apprunner_max_services" in bad.stderr


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path):
    """``mockrunner policy ... | head``: when the reader closes the pipe first, the command stops quietly."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-m", "mockrunner", "policy", "validate", str(policy)],
                              stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (1, "")
