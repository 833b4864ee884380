"""The two commands and the image install under ``constraints.txt``: the botocore it pins fixes the service models
the codecs and the "every operation has a handler" test are checked against, so an unconstrained install (a newer
botocore) serves operations mockrunner does not implement."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pip_installs(relative: str) -> list[str]:
    with open(os.path.join(ROOT, relative), encoding="utf-8") as handle:
        text = handle.read().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if re.search(r"\bpip install\b", line)
            and not line.lstrip().startswith("#") and "--upgrade pip" not in line]


@pytest.mark.parametrize("relative", ["scripts/serve", "scripts/test", "Dockerfile"])
def test_every_install_of_mockrunner_is_constrained(relative: str) -> None:
    installs = _pip_installs(relative)
    assert installs, f"{relative} installs nothing"
    for line in installs:
        assert "-c constraints.txt" in line, f"{relative}: {line}"


def test_serve_runs_the_server_where_it_is_called_so_relative_paths_are_the_callers(tmp_path) -> None:
    """Newcomer pass (session 17): ``scripts/serve`` changed to the checkout before starting the server, so
    ``/path/to/mockrunner/scripts/serve --seed seed.json`` run from a project looked for the checkout's
    ``seed.json``.  A copy of the script beside a stand-in ``.venv/bin/mockrunner`` (which prints where it runs
    and what it was given; nothing is installed) is run from another directory."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    script = checkout / "scripts" / "serve"
    with open(os.path.join(ROOT, "scripts", "serve"), encoding="utf-8") as handle:
        script.write_text(handle.read(), encoding="utf-8")
    stand_in = checkout / ".venv" / "bin" / "mockrunner"
    stand_in.write_text('#!/bin/sh\necho "$(pwd) $*"\n', encoding="utf-8")
    for path in (script, stand_in):
        path.chmod(0o755)
    project = tmp_path / "project"
    project.mkdir()
    run = subprocess.run([str(script), "--seed", "seed.json"], cwd=project, capture_output=True, text=True,
                         timeout=60, check=True)
    assert run.stdout.strip() == f"{project.resolve()} serve --seed seed.json"
