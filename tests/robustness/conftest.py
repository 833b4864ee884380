"""``server``: one fresh mockrunner behind a real threaded HTTP server (the attacks are about the wire)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import Harness


@pytest.fixture
def server() -> Iterator[Harness]:
    harness = Harness("server")
    yield harness
    harness.close()
