"""Every runnable script in ``scripts/`` (the README and docs cite them) answers ``--help`` with its usage and
exit status 0, and does nothing else: a generator must not regenerate its data when asked for help."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
#: Where the generators write: the package's data, the authorization reference beside the architecture tests.
OUTPUTS = (SCRIPTS.parent / "mockrunner" / "data", SCRIPTS.parent / "tests" / "architecture", SCRIPTS)
RUNNABLE = sorted(path.name for path in SCRIPTS.glob("*.py") if 'if __name__ == "__main__":' in path.read_text())


def test_the_generators_and_benchmarks_are_found():
    assert {"gen_authorization_reference.py", "gen_service_linked_roles.py", "bench_protocol.py"} <= set(RUNNABLE)


def _written() -> dict[str, int]:
    """Each file under the generators' outputs with its modification time."""
    return {str(path): path.stat().st_mtime_ns for root in OUTPUTS for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


@pytest.mark.parametrize("script", RUNNABLE)
def test_a_script_answers_help_with_its_usage(script):
    before = _written()
    result = subprocess.run([sys.executable, str(SCRIPTS / script), "--help"], capture_output=True, text=True,
                            timeout=120, cwd=SCRIPTS.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {script}"), result.stdout[:300]
    assert _written() == before  # asked for help, it wrote nothing
