"""Another SDK than botocore: the AWS SDK for JavaScript v3 (its own serializers, XML/JSON parsers and SigV4
signer) runs one scenario through IAM, STS, ECR and App Runner against the server over HTTP.

The clients and how they are installed: ``js_sdk_clients.py``."""
from __future__ import annotations

import json
import subprocess

from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer
from tests.ways.js_sdk_clients import NODE, installed_clients


def test_the_javascript_sdk_drives_all_four_services():
    clients = installed_clients()
    with ThreadedServer(Settings(log_requests=False, operation_delay=0)) as server:
        run = subprocess.run([NODE, "scenario.mjs", server.endpoint_url], cwd=clients, capture_output=True,
                             text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    steps = {entry.pop("step"): entry for entry in map(json.loads, run.stdout.splitlines())}
    assert steps["whoami"]["arn"] == "arn:aws:iam::123456789012:root"
    assert json.loads(steps["role"]["trust"])["Statement"][0]["Action"] == "sts:AssumeRole"
    assert steps["policy"] == {"id": "ANPAILL3HVNFSB6DCOWYQ", "attachments": 1,
                               "description": "Provides read-only access to AWS services and resources."}
    assert steps["policies"] == {"count": 2, "truncated": True, "marker": True}
    assert steps["slr"]["name"] == "AWSServiceRoleForAppRunner"
    assert steps["simulate"]["decisions"] == ["allowed", "implicitDeny"]
    refused = steps["assume-refused"]
    assert (refused["error"], refused["status"]) == ("AccessDenied", 403)
    assert "is not authorized to perform: sts:AssumeRole" in refused["message"]
    assert steps["session"]["arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/js"
    assert steps["repository"]["uri"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"
    assert steps["token"]["endpoint"] == "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert (steps["ecr-missing"]["error"], steps["ecr-missing"]["status"]) == ("RepositoryNotFoundException", 400)
    assert steps["service"]["status"] == "OPERATION_IN_PROGRESS" and ":service/web-app/" in steps["service"]["arn"]
    assert steps["service-tags"]["tags"] == [{"Key": "env", "Value": "dev"}]
    assert steps["services"]["count"] == 1 and steps["service-read"]["name"] == "web-app"
    denied = steps["apprunner-refused"]
    assert (denied["error"], denied["status"]) == ("AccessDeniedException", 400)
    assert "apprunner:DeleteService" in denied["message"] and "assumed-role/deployer/js" in denied["message"]
