"""Cloud Copilot's ``@cloud-copilot/iam-simulate`` (a maintained TypeScript simulator of AWS request authorization),
pinned in ``iam_simulate/package.json`` and installed with npm once per machine into a cache directory, and
``decide``: many simulations through its ``runSimulation`` in one node process (``iam_simulate/decide.mjs``).

Outside CI the caller skips when Node.js 20+ or npm is not available; in CI (``CI`` set) it fails instead, and the
suite fails if the comparison did not pass (``REAL_CLIENT_TESTS`` in ``tests/conftest.py``)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.ways.js_sdk_clients import NODE, installed_clients

SOURCES = Path(__file__).resolve().parent / "iam_simulate"


def decide(simulations: list[dict], timeout: float = 120) -> list[dict]:
    """iam-simulate's answer for each simulation (its ``Simulation`` shape), in order: ``{"decision": "allowed" |
    "explicitDeny" | "implicitDeny" | "error", "ignored": [context keys it dropped], "error": ...}``."""
    target = installed_clients(SOURCES)
    ran = subprocess.run([NODE, str(target / "decide.mjs")], input=json.dumps(simulations), capture_output=True,
                         text=True, timeout=timeout, cwd=target)
    if ran.returncode != 0:
        raise RuntimeError(f"iam-simulate's driver failed: {ran.stderr.strip()[-2000:]}")
    answers = [json.loads(line) for line in ran.stdout.splitlines() if line.strip()]
    if len(answers) != len(simulations):
        raise RuntimeError(f"iam-simulate answered {len(answers)} of {len(simulations)} simulations")
    return answers
