"""A real server per test, an ECR client and a registry client logged in as the account root."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.harness import Harness
from tests.registry.images import Registry, login_password


@dataclass
class Endpoint:
    harness: Harness
    ecr: Any
    registry: Registry

    @property
    def host(self) -> str:
        return self.harness.endpoint_url.removeprefix("http://")

    def registry_as(self, ecr: Any) -> Registry:
        return Registry(self.harness.endpoint_url, login_password(ecr))


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    harness = Harness("server")
    ecr = harness.client("ecr")
    yield Endpoint(harness, ecr, Registry(harness.endpoint_url, login_password(ecr)))
    harness.close()
