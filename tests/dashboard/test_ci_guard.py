"""CI fails when the browser tests did not run: a run with ``CI`` set and no browser test passing exits 1."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOME_TEST = "tests/suggest/test_suggest.py::test_reusable_names_app_runner_resources_by_name"


def _pytest(*args: str, ci: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_ci_run_without_browser_tests_fails_and_says_why() -> None:
    outside = _pytest(SOME_TEST, ci=False)
    assert outside.returncode == 0, outside.stdout
    inside = _pytest(SOME_TEST, ci=True)
    assert inside.returncode == 1 and "no browser test passed" in inside.stdout
