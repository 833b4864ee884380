"""The AWS SDK for JavaScript packages the ``test_js_sdk*`` tests drive: the v3 clients pinned in
``js_sdk/package.json``, the legacy v2 SDK in ``js_sdk_v2/package.json``; each installed with npm once per machine
into a cache directory.

Outside CI a test skips when Node.js 20+ or the install is not available; in CI (``CI`` set) it fails instead,
and the suite fails if a real-client test did not pass (``tests/conftest.py``)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "js_sdk"
V2 = HERE.with_name("js_sdk_v2")
NODE, NPM = shutil.which("node"), shutil.which("npm")


def _unavailable(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{reason} (the JavaScript SDK tests need it)")


def installed_clients(sources: Path = HERE) -> Path:
    """A directory with the packages pinned in ``sources/package.json`` installed (reused while that file stays
    the same) and the node scripts of ``sources`` copied beside them."""
    if NODE is None or NPM is None:
        _unavailable("Node.js and npm are not installed")
    major = subprocess.run([NODE, "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True,
                           timeout=30).stdout.strip()
    if not major.isdigit() or int(major) < 20:
        _unavailable(f"Node.js 20 or newer is required, found {major or 'none'}")
    manifest = (sources / "package.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = sources.name.replace("_", "-")
    target = cache / "mockrunner-tests" / f"{name}-{hashlib.sha256(manifest).hexdigest()[:12]}"
    if not (target / "node_modules" / ".installed").exists():
        target.mkdir(parents=True, exist_ok=True)
        (target / "package.json").write_bytes(manifest)
        installed = subprocess.run([NPM, "install", "--no-audit", "--no-fund", "--package-lock=false",
                                    "--loglevel=error"], cwd=target, capture_output=True, text=True, timeout=600)
        if installed.returncode != 0:
            _unavailable(f"npm install failed: {installed.stderr.strip()[-500:]}")
        (target / "node_modules" / ".installed").write_text("ok")
    for script in sources.glob("*.mjs"):
        shutil.copy(script, target / script.name)
    return target
