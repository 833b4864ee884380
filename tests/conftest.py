"""Shared fixtures: ``aws`` runs a test once per mode (in-process and real HTTP server)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import MODES, Harness


@pytest.fixture(params=MODES)
def aws(request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness = Harness(request.param)
    yield harness
    harness.close()


@pytest.fixture
def make_harness() -> Iterator:
    """Build harnesses with custom settings: ``make_harness("server", Settings(...))``."""
    made: list[Harness] = []

    def make(mode: str = "inprocess", settings=None) -> Harness:
        harness = Harness(mode, settings)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


# ------------------------------------------------------------------------------------------- registry client
SKOPEO_TESTS = "tests/registry/test_skopeo.py"
_skopeo_passed: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and report.nodeid.startswith(SKOPEO_TESTS):
        _skopeo_passed.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a run that includes the skopeo tests fails unless at least one of them passed (they skip, outside
    CI, where skopeo is not installed: CI must never pass because the registry client was missing)."""
    import os
    from pathlib import Path

    if not os.environ.get("CI") or hasattr(session.config, "workerinput"):
        return
    root = Path(session.config.rootpath)
    target = (root / SKOPEO_TESTS).resolve()
    selected = [Path(arg.split("::", 1)[0]) for arg in session.config.args] or [root / "tests"]
    covers = any(target == (root / path).resolve() or (root / path).resolve() in target.parents for path in selected)
    if covers and not _skopeo_passed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nCI: none of the skopeo tests ({SKOPEO_TESTS}) ran; the registry is untested by a real client")
