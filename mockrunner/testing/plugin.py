"""pytest plugin (registered through the ``pytest11`` entry point): the ``mockrunner`` fixtures.

- ``mockrunner``: an in-process mock (no sockets) active for the test — plain ``boto3.client(...)`` calls for
  apprunner/iam/sts/ecr reach it — with ``store``, ``session(...)``, ``client(...)``, ``decision_log``,
  ``decisions(...)``, ``settle()``, ``advance(seconds)``, ``seed(...)``, ``oidc_token(...)``,
  ``saml_metadata(...)``, ``saml_assertion(...)`` and
  ``register_jwks(...)`` (see :class:`MockAppRunner`).
- ``mockrunner_server``: a real HTTP server on a free loopback port for code that takes an endpoint URL or
  starts subprocesses: ``endpoint_url``, ``store``, and ``AWS_ENDPOINT_URL`` plus root credentials and a
  region in the environment for the test's duration.

Both are fresh per test.  ``@pytest.mark.mockrunner(seed=..., **settings)`` configures them: ``seed`` is a
seed file path, a seed dict or a list of them; other keywords are :class:`mockrunner.config.Settings` fields.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

MARKER = "mockrunner"
_OVERRIDING_VARIABLES = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
                         "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ENDPOINT_URL_APPRUNNER", "AWS_ENDPOINT_URL_IAM",
                         "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_ECR")
"""What would take the server fixture's clients elsewhere, or sign them with other credentials: a session token
(botocore still reads the old ``AWS_SECURITY_TOKEN``), a profile, a service's own endpoint (it overrides
``AWS_ENDPOINT_URL``), or the switch that ignores configured endpoints."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(seed=None, **settings): seed files/documents and Settings for the mockrunner fixtures"
    )


def _options(request: pytest.FixtureRequest) -> tuple[Any, list]:
    from mockrunner.config import Settings

    options: dict[str, Any] = {"log_requests": False, "operation_delay": 0}
    seeds: list = []
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # closest marker wins
        kwargs = dict(marker.kwargs)
        seed = kwargs.pop("seed", None)
        if seed is not None:
            seeds = list(seed) if isinstance(seed, (list, tuple)) else [seed]
        options.update(kwargs)
    return Settings(**options), seeds


@pytest.fixture
def mockrunner(request: pytest.FixtureRequest) -> Iterator[Any]:
    """An isolated in-process mockrunner, active for this test."""
    from mockrunner.testing.mock import MockAppRunner

    settings, seeds = _options(request)
    with MockAppRunner(settings=settings, seed=seeds) as mock:
        yield mock


@pytest.fixture
def mockrunner_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real HTTP server on a free loopback port, with its own empty (or seeded) state."""
    from mockrunner.seed import apply_seed, apply_seed_file
    from mockrunner.testing.server import ThreadedServer

    settings, seeds = _options(request)
    server = ThreadedServer(settings=settings)
    for seed in seeds:
        if isinstance(seed, dict):
            apply_seed(server.store, seed)
        else:
            apply_seed_file(server.store, str(seed))
    with server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint_url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.root_access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.root_secret_access_key)
        monkeypatch.setenv("AWS_DEFAULT_REGION", settings.default_region)
        for name in _OVERRIDING_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        yield server
