"""Python packages the tests install once into the machine's cache (``$XDG_CACHE_HOME`` or ``~/.cache``, under
``mockrunner-tests/``), never into the test environment: clients pinning their own dependencies (Cloud Custodian)
or changing what every other test would run (``awscrt`` moves botocore onto another signer).  Their versions are
pinned in ``constraints.txt``.  Outside CI a test skips when its package is not pinned or cannot be installed; in CI
(``CI`` set) it fails instead."""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"


def unavailable(reason: str) -> None:
    """Skip the test (fail it in CI) for ``reason``."""
    (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


def pinned(package: str) -> str:
    """The version of ``package`` that ``constraints.txt`` pins (the test is unavailable without one)."""
    match = re.search(rf"^{re.escape(package)}==(\S+)$", CONSTRAINTS.read_text(), re.MULTILINE)
    if match is None:
        unavailable(f"constraints.txt pins no {package} version")
    return match.group(1)


def installed_once(name: str, steps: Callable[[Path], list[list[str]]]) -> Path:
    """The directory ``mockrunner-tests/<name>`` of the machine's cache, made once by running the commands
    ``steps(directory)`` gives (each at most 10 minutes); a lock keeps parallel workers from building it twice, and a
    half-built one is built again."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mockrunner-tests"
    home = cache / name
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / ".complete").exists():
            return home
        shutil.rmtree(home, ignore_errors=True)
        for step in steps(home):
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=600)
            except subprocess.TimeoutExpired:
                unavailable(f"installing {name} took more than 10 minutes")
            if done.returncode != 0:
                unavailable(f"{name} could not be installed: {done.stderr.strip()[-300:]}")
        (home / ".complete").write_text("ok")
    return home
