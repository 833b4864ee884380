"""The ``world`` fixture: root clients of the default account and builders (see ``helpers``)."""
from __future__ import annotations

import pytest

from tests.roles.helpers import World


@pytest.fixture
def world(aws) -> World:
    return World(aws)
