"""The dev stack without a Docker engine: compose structure, the image's command run locally, the example app."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import boto3
import pytest

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.seed import load_seed_file
from mockrunner.testing.server import ThreadedServer

yaml = pytest.importorskip("yaml", reason="PyYAML (installed with awscli) reads docker-compose.yml")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = os.path.join(ROOT, "examples", "seed.json")


@pytest.fixture(scope="module")
def compose() -> dict:
    with open(os.path.join(ROOT, "docker-compose.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _environment(service: dict) -> dict[str, str]:
    """A service's environment as compose passes it when the shell sets nothing (``${VAR:-default}``)."""
    return {name: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value)) for name, value in service["environment"].items()}


def _local(command: list[str], state_dir: str) -> list[str]:
    """The compose command with container paths mapped to this checkout and a free port."""
    mapping = {"/seed/seed.json": SEED, "/state/state.bin": os.path.join(state_dir, "state.bin"), "4580": "0"}
    return [sys.executable if part == "python" else mapping.get(part, part) for part in command]


def test_compose_services_build_command_volumes_and_env(compose) -> None:
    server, app = compose["services"]["mockrunner"], compose["services"]["example-app"]
    assert server["build"] == "." and os.path.exists(os.path.join(ROOT, "Dockerfile"))
    assert server["command"][:4] == ["python", "-m", "mockrunner", "serve"]
    assert server["command"][server["command"].index("--host") + 1] == "0.0.0.0"
    assert "./examples/seed.json:/seed/seed.json:ro" in server["volumes"]
    state = server["command"][server["command"].index("--state-file") + 1]
    named = [v for v in server["volumes"] if v.split(":")[0] in compose["volumes"]]
    assert named and state.startswith(named[0].split(":")[1] + "/")
    assert server["command"][server["command"].index("--seed") + 1] == "/seed/seed.json"
    health = server["healthcheck"]["test"]
    assert health[:2] == ["CMD", "python"] and "/_mockrunner/health" in health[-1]
    assert set(app["environment"]) == {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert app["environment"]["AWS_ENDPOINT_URL"] == "http://mockrunner:4580"
    assert app["depends_on"]["mockrunner"]["condition"] == "service_healthy"


def test_example_credentials_are_the_seeded_developer(compose) -> None:
    env = compose["services"]["example-app"]["environment"]
    keys = [key for user in load_seed_file(SEED)["users"] for key in user.get("access_keys", [])]
    assert {"access_key_id": env["AWS_ACCESS_KEY_ID"], "secret_access_key": env["AWS_SECRET_ACCESS_KEY"]} in keys


def test_dockerfile_runs_the_same_server(compose) -> None:
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as handle:
        dockerfile = handle.read()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert cmd[:4] == compose["services"]["mockrunner"]["command"][:4]
    assert "EXPOSE 4580" in dockerfile and "/_mockrunner/health" in dockerfile


def test_the_image_command_serves_health_locally(compose, tmp_path) -> None:
    command = _local(compose["services"]["mockrunner"]["command"], str(tmp_path))
    command[command.index("--host") + 1] = "127.0.0.1"  # never bind beyond loopback in tests
    env = {**os.environ, "PYTHONPATH": ROOT, **_environment(compose["services"]["mockrunner"])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        port = re.search(r":(\d+)$", process.stdout.readline().strip()).group(1)
        probe = compose["services"]["mockrunner"]["healthcheck"]["test"][1:]
        probe = [sys.executable if part == "python" else part.replace(":4580/", f":{port}/") for part in probe]
        assert subprocess.run(probe, env=env, timeout=20).returncode == 0
        assert subprocess.run(probe, env={**env, "MOCKRUNNER_ADMIN_TOKEN": "not-it"}, timeout=20,
                              capture_output=True).returncode != 0, "the probe's success rests on the token"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "state.bin").exists()


def test_compose_admin_api_from_the_host_needs_the_token(compose) -> None:
    """From the host, admin calls arrive from Docker's gateway address: remote mode, with a token required."""
    env = _environment(compose["services"]["mockrunner"])
    settings = Settings.from_env(env, log_requests=False)
    assert settings.admin_remote and settings.admin_token and "mockrunner" in settings.admin_hosts
    assert compose["services"]["mockrunner"]["environment"]["MOCKRUNNER_ADMIN_TOKEN"].startswith(
        "${MOCKRUNNER_ADMIN_TOKEN:-"), "the developer's own token (shell or .env) wins over the default"
    client = create_app(settings).test_client()
    client.environ_base["REMOTE_ADDR"] = "172.18.0.1"
    token = {"Authorization": f"Bearer {settings.admin_token}"}
    for host in ("localhost:4580", "127.0.0.1:4580", "mockrunner:4580"):
        assert client.get("/_mockrunner/health", headers={**token, "Host": host}).status_code == 200
    assert client.get("/_mockrunner/health", headers={"Host": "localhost:4580"}).status_code == 401
    assert client.get("/_mockrunner/state", headers={**token, "Host": "evil.example:4580"}).status_code == 403


def test_example_app_against_a_local_server(compose) -> None:
    settings = Settings(seed_files=(SEED,), log_requests=False, operation_delay=0.2)
    with ThreadedServer(settings) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(compose["services"]["example-app"]["environment"], AWS_ENDPOINT_URL=server.endpoint_url)
        run = [sys.executable, os.path.join(ROOT, "examples", "app.py")]
        first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
        assert first.returncode == 0, first.stderr
        assert "caller: arn:aws:iam::123456789012:user/developer" in first.stdout
        assert "created: arn:aws:apprunner:us-east-1:123456789012:service/hello-web/" in first.stdout
        assert "status: RUNNING" in first.stdout
        second = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
        assert "services: ['hello-web']" in second.stdout and "exists:" in second.stdout


def test_dockerfile_installs_the_package_and_runs_unprivileged() -> None:
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
    instructions = [line.split(None, 1)[0] for line in lines if line.split(None, 1)[0].isupper()]
    assert lines[0] == "FROM python:3.11-slim"  # the Python the project supports
    assert any("pip install" in line and " ." in line for line in lines), "the repo itself is pip-installed"
    assert "COPY mockrunner ./mockrunner" in lines and "COPY examples ./examples" in lines
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    assert instructions.index("USER") < instructions.index("CMD") and "HEALTHCHECK" in instructions
    assert 'VOLUME ["/state"]' in lines


@pytest.mark.skipif(shutil.which("skopeo") is None and not os.environ.get("CI"), reason="skopeo is not installed")
def test_push_and_deploy_example_against_a_local_server(compose) -> None:
    """The dev stack's push-and-deploy service: a registry client pushes, App Runner deploys, a second push
    redeploys (the compose service runs this same script)."""
    settings = Settings(seed_files=(SEED,), log_requests=False, operation_delay=0.2)
    with ThreadedServer(settings) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(compose["services"]["push-and-deploy"]["environment"], AWS_ENDPOINT_URL=server.endpoint_url)
        run = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "push_and_deploy.py")], env=env,
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert lines[0].startswith("pushed: shop-web:latest sha256:")
        assert lines[1].startswith("created: arn:aws:apprunner:us-east-1:123456789012:service/shop-web/")
        assert lines[2] == "status: RUNNING" and lines[3].startswith("pushed: shop-web:latest sha256:")
        assert lines[3] != lines[0] and lines[4] == "redeployed: SUCCEEDED, status: RUNNING"
        ecr = boto3.client("ecr", endpoint_url=server.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        images = ecr.describe_images(repositoryName="shop-web")["imageDetails"]
        latest = next(image["imageDigest"] for image in images if "latest" in image.get("imageTags", []))
        assert lines[3].split()[-1] == latest  # the digest printed is the one the registry stored
        assert lines[0].split()[-1] in {image["imageDigest"] for image in images}
