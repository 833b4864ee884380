"""The AWS SDK for Go v2 driver (``go_sdk/main.go``) the Go SDK sweep runs: built offline, in GOPATH mode, against
the distribution's packaged SDK sources (Debian's ``golang-github-aws-aws-sdk-go-v2-dev`` under
``/usr/share/gocode``), once per version of the source, into a cache directory.

Outside CI a test skips when Go or the SDK's sources are missing; in CI (``CI`` set) it fails instead, and the
suite fails if a real-client test did not pass (``tests/conftest.py``).  A driver that does not build fails."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "go_sdk" / "main.go"
GOCODE = Path("/usr/share/gocode")
SERVICES = ("apprunner", "ecr", "iam", "sts")
GO = shutil.which("go")


def _unavailable(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{reason} (the Go SDK test needs it)")


def built_driver() -> Path:
    """The driver's binary (rebuilt only when ``main.go`` or the Go version changes)."""
    sdk = GOCODE / "src" / "github.com" / "aws" / "aws-sdk-go-v2"
    if GO is None:
        _unavailable("Go is not installed (Debian: golang-go)")
    if not all((sdk / "service" / service).is_dir() for service in SERVICES):
        _unavailable(f"the AWS SDK for Go v2 sources are not in {GOCODE} (Debian: golang-github-aws-aws-sdk-go-v2-dev)")
    version = subprocess.run([GO, "version"], capture_output=True, text=True, timeout=60).stdout
    key = hashlib.sha256(SOURCE.read_bytes() + version.encode()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mockrunner-tests"
    binary = cache / f"go-sdk-{key}" / "go_sdk"
    if binary.exists():
        return binary
    gopath = cache / "go-sdk-gopath"
    package = gopath / "src" / "mockrunner-go-sdk"
    package.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE, package / "main.go")
    environment = {**os.environ, "GO111MODULE": "off", "GOPATH": f"{gopath}:{GOCODE}", "GOFLAGS": "",
                   "GOPROXY": "off", "GOCACHE": str(cache / "go-build"), "CGO_ENABLED": "0"}
    partial = binary.with_name(f"go_sdk.{os.getpid()}.partial")
    binary.parent.mkdir(parents=True, exist_ok=True)
    build = subprocess.run([GO, "build", "-o", str(partial), "."], cwd=package, env=environment,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, f"building the Go SDK driver failed: {build.stderr.strip()[-3000:]}"
    partial.rename(binary)
    return binary
