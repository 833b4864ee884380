"""Driving a client written in another language: a script run once per batch of calls, JSON in and out."""
from __future__ import annotations

import json
import os
import subprocess

import pytest


def probed(command: list[str] | None, environment: dict[str, str], timeout: float) -> str | None:
    """What ``command`` (an interpreter asked to load the client and print something) printed, or None when the
    interpreter is missing (``command`` None) or failed."""
    if command is None:
        return None
    probe = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout)
    return probe.stdout if probe.returncode == 0 else None


def missing(reason: str) -> None:
    """A client the test needs is not installed: a failure in CI (which installs it), a skip elsewhere."""
    (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


def run_calls(command: list[str], calls: tuple[dict, ...], environment: dict[str, str], timeout: float) -> dict:
    """Run the driver ``command`` on ``calls`` (each with a unique ``name``, sent as a JSON list on its standard
    input); its answers by name, as the JSON object it printed (asserted to have exited 0)."""
    names = [call["name"] for call in calls]
    assert len(set(names)) == len(names), "call names must be unique"
    run = subprocess.run(command, input=json.dumps(list(calls)), env=environment, capture_output=True, text=True,
                         timeout=timeout)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)
