from __future__ import annotations

import pytest

from tests.harness import MODES
from tests.suggest.helpers import soft_settings


@pytest.fixture(params=MODES)
def soft(request, make_harness):
    """A fresh mockrunner in soft mode (decisions recorded, nothing refused), once per way in."""
    return make_harness(request.param, soft_settings())
