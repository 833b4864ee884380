"""The AWS SDK for Go drivers the Go SDK sweeps run (``go_sdk/main.go`` for v2, ``go_sdk_v1/main.go`` for v1, both
on the shared package ``go_sdk_sweepio``): built offline, in GOPATH mode, against the distribution's packaged SDK
sources (Debian's ``golang-github-aws-aws-sdk-go-v2-dev`` and ``golang-github-aws-aws-sdk-go-dev`` under
``/usr/share/gocode``), once per version of the sources, into a cache directory; and run, one process a sweep.

Outside CI a test skips when Go or the SDK's sources are missing; in CI (``CI`` set) it fails instead, and the
suite fails if a real-client test did not pass (``tests/conftest.py``).  A driver that does not build fails."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SHARED = HERE / "go_sdk_sweepio" / "sweepio.go"
SHARED_PACKAGE = "mockrunner-sweepio"
"""The import path of the drivers' shared package in the build's GOPATH."""
GOCODE = Path("/usr/share/gocode")
SERVICES = ("apprunner", "ecr", "iam", "sts")
GO = shutil.which("go")


@dataclass(frozen=True)
class GoSdk:
    """One AWS SDK for Go: its driver's directory (and binary name), its sources' path under ``GOCODE/src`` and
    the Debian package that installs them."""

    name: str
    driver: str
    sources: str
    package: str

    @property
    def source(self) -> Path:
        return HERE / self.driver / "main.go"


GO_V2 = GoSdk("the AWS SDK for Go v2", "go_sdk", "github.com/aws/aws-sdk-go-v2", "golang-github-aws-aws-sdk-go-v2-dev")
GO_V1 = GoSdk("the AWS SDK for Go v1", "go_sdk_v1", "github.com/aws/aws-sdk-go", "golang-github-aws-aws-sdk-go-dev")


def _unavailable(sdk: GoSdk, reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{reason} (the test of {sdk.name} needs it)")


def built_driver(sdk: GoSdk) -> Path:
    """The driver's binary (rebuilt only when its sources or the Go version change)."""
    if GO is None:
        _unavailable(sdk, "Go is not installed (Debian: golang-go)")
    if not all((GOCODE / "src" / sdk.sources / "service" / service).is_dir() for service in SERVICES):
        _unavailable(sdk, f"the sources of {sdk.name} are not in {GOCODE} (Debian: {sdk.package})")
    version = subprocess.run([GO, "version"], capture_output=True, text=True, timeout=60).stdout
    key = hashlib.sha256(sdk.source.read_bytes() + SHARED.read_bytes() + version.encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mockrunner-tests"
    binary = cache / f"{sdk.driver}-{key}" / sdk.driver
    if binary.exists():
        return binary
    gopath = cache / f"{sdk.driver}-gopath.{os.getpid()}"
    package = gopath / "src" / f"mockrunner-{sdk.driver}"
    for source, target in ((sdk.source, package), (SHARED, gopath / "src" / SHARED_PACKAGE)):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / source.name)
    environment = {**os.environ, "GO111MODULE": "off", "GOPATH": f"{gopath}:{GOCODE}", "GOFLAGS": "",
                   "GOPROXY": "off", "GOCACHE": str(cache / "go-build"), "CGO_ENABLED": "0"}
    partial = binary.with_name(f"{sdk.driver}.{os.getpid()}.partial")
    binary.parent.mkdir(parents=True, exist_ok=True)
    try:
        build = subprocess.run([GO, "build", "-o", str(partial), "."], cwd=package, env=environment,
                               capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(gopath, ignore_errors=True)
    assert build.returncode == 0, f"building the driver of {sdk.name} failed: {build.stderr.strip()[-3000:]}"
    partial.rename(binary)
    return binary


class Driver:
    """A running driver: one JSON request per line in, one JSON answer per line out (``command``: the driver's
    command line before the endpoint, a binary or an interpreter and its script; ``env``: its environment)."""

    def __init__(self, command: Any, endpoint: str, env: dict | None = None) -> None:
        argv = [str(part) for part in (command if isinstance(command, (list, tuple)) else [command])]
        self.process = subprocess.Popen([*argv, endpoint], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)

    def ask(self, request: dict) -> Any:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the driver stopped: {self.process.stderr.read()[-2000:]}"
        return json.loads(line)

    def close(self) -> None:
        """End the driver (it stops at the end of its input; killed if it does not within 30 s)."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        finally:
            self.process.kill()
            self.process.stdout.close()
            self.process.stderr.close()
