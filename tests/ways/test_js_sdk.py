"""Another SDK than botocore: the AWS SDK for JavaScript v3 (its own serializers, XML/JSON parsers and SigV4
signer) runs one scenario through IAM, STS, ECR and App Runner against the server over HTTP.

The clients are pinned in ``js_sdk/package.json`` and installed with npm once per machine into a cache directory.
Outside CI the test skips when Node.js 20+ or the install is not available; in CI (``CI`` set) it must run, and the
suite fails if it did not (``tests/conftest.py``)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer

HERE = Path(__file__).resolve().parent / "js_sdk"
NODE, NPM = shutil.which("node"), shutil.which("npm")


def _unavailable(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{reason} (the JavaScript SDK test needs it)")


def _clients() -> Path:
    """A directory with the pinned clients installed (reused while package.json stays the same)."""
    if NODE is None or NPM is None:
        _unavailable("Node.js and npm are not installed")
    major = subprocess.run([NODE, "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True,
                           timeout=30).stdout.strip()
    if not major.isdigit() or int(major) < 20:
        _unavailable(f"Node.js 20 or newer is required, found {major or 'none'}")
    manifest = (HERE / "package.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = cache / "mockrunner-tests" / f"js-sdk-{hashlib.sha256(manifest).hexdigest()[:12]}"
    if not (target / "node_modules" / ".installed").exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / "package.json").write_bytes(manifest)
        installed = subprocess.run([NPM, "install", "--no-audit", "--no-fund", "--package-lock=false",
                                    "--loglevel=error"], cwd=target, capture_output=True, text=True, timeout=600)
        if installed.returncode != 0:
            _unavailable(f"npm install failed: {installed.stderr.strip()[-500:]}")
        (target / "node_modules" / ".installed").write_text("ok")
    shutil.copy(HERE / "scenario.mjs", target / "scenario.mjs")
    return target


def test_the_javascript_sdk_drives_all_four_services():
    clients = _clients()
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
    assert (denied["error"], denied["status"]) == ("AccessDeniedException", 403)
    assert "apprunner:DeleteService" in denied["message"] and "assumed-role/deployer/js" in denied["message"]
