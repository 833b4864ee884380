"""Shared fixtures: ``aws`` runs a test once per mode (in-process and real HTTP server)."""
from __future__ import annotations

import os
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


# ---------------------------------------------------------------------------------------------- CI: browser tests
BROWSER_TESTS = "tests/dashboard/test_browser.py::"
_browser_passed: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the browser tests that passed (under xdist the controller sees every worker's reports)."""
    if report.when == "call" and report.passed and report.nodeid.startswith(BROWSER_TESTS):
        _browser_passed.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``CI`` set) a run in which no browser test passed fails, whatever else passed."""
    if not os.environ.get("CI") or hasattr(session.config, "workerinput") or _browser_passed:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"CI: no browser test passed ({BROWSER_TESTS}*): the dashboard was not tested in a "
                            "browser", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
