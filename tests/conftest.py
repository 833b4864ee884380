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
