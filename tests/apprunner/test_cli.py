"""The AWS CLI drives a create -> describe -> pause -> resume -> delete cycle against a real server."""
from __future__ import annotations

import json
import os
import subprocess

from tests.apprunner.helpers import PUBLIC_SOURCE
from tests.harness import AWS_CLI_V1


def cli(harness, *args: str) -> dict:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    command = [AWS_CLI_V1, "--endpoint-url", harness.endpoint_url, "--output", "json", "apprunner", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_cli_lifecycle(make_harness):
    server = make_harness("server")
    created = cli(server, "create-service", "--service-name", "cli-svc", "--source-configuration",
                  json.dumps(PUBLIC_SOURCE))
    arn = created["Service"]["ServiceArn"]
    assert created["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    assert cli(server, "describe-service", "--service-arn", arn)["Service"]["Status"] == "RUNNING"
    cli(server, "pause-service", "--service-arn", arn)
    assert cli(server, "describe-service", "--service-arn", arn)["Service"]["Status"] == "PAUSED"
    cli(server, "resume-service", "--service-arn", arn)
    assert cli(server, "describe-service", "--service-arn", arn)["Service"]["Status"] == "RUNNING"
    deleted = cli(server, "delete-service", "--service-arn", arn)
    assert deleted["OperationId"]
    assert cli(server, "describe-service", "--service-arn", arn)["Service"]["Status"] == "DELETED"
    types = [op["Type"] for op in cli(server, "list-operations", "--service-arn", arn)["OperationSummaryList"]]
    assert types == ["DELETE_SERVICE", "RESUME_SERVICE", "PAUSE_SERVICE", "CREATE_SERVICE"]
