"""pytest plugin (registered through the ``pytest11`` entry point): mockrunner fixtures."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockrunner.testing.server import ThreadedServer


@pytest.fixture
def mockrunner_server() -> Iterator[ThreadedServer]:
    """A real HTTP server on a free loopback port, with its own empty state."""
    with ThreadedServer() as server:
        yield server
