"""The ``ecr`` client fixture of the ECR tests (modules needing a repository first override it)."""
from __future__ import annotations

import pytest


@pytest.fixture
def ecr(aws):
    return aws.client("ecr")
