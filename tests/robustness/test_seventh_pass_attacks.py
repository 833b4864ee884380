"""An attacker's seventh pass: what one request may cost the server while it holds the store lock.
Real clients throughout: boto3 against a real server in its own process (a regex match holds the interpreter lock,
so a server thread in the test's process would keep the client from timing out), each call under a client read
deadline well above what the request costs now; the unfixed server ran past it while every other client waited.

Findings (each has a test here that failed before its fix):

* Two model patterns backtracked super-linearly, and every request's strings meet their patterns (whatever their
  length) after authentication, before authorization, under the store lock.  ECR's
  ``ScanningRepositoryFilterValue`` (PutRegistryScanningConfiguration's filters) was exponential: a 24-character
  filter took 25 s, 30 characters hours.  App Runner's ``ImageIdentifier`` (CreateService, UpdateService) was
  quadratic in the number of ``/``: 30 KB took 4 s, 1 MB (bodies may be 64 MB) over an hour.  Both are matched in
  equivalent linear spellings now (``mockrunner.protocol.patterns.LINEAR_SPELLINGS``; the spelling is checked
  against the model's on half a million strings in tests/protocol/test_validation.py).

Probes that held (not pinned here: each answer is one an existing test already asserts, or a cost that grows
linearly):

* Every other pattern of the four served models against 3 KB and 12 KB runs of 30 adversarial units after 18
  prefixes and before 8 tails: linear (4x the input, at most 4x the time, tens of microseconds).
* JSON bodies nested a million deep (arrays, objects) from a user without permissions: SerializationException in
  milliseconds; a million-element ``imageIds`` list (17 MB) is read and refused in 2 s, linearly.
* Policy wildcards (``*aaaa...b*`` against a 160,000-character context value in the simulator: 64 ms, linear):
  the atomic groups of ``mockrunner.iam_engine.matching`` hold.  ECR's tag patterns and filters are matched by
  ``matches_wildcard`` (leftmost pieces, linear) and lifecycle tag patterns carry at most four wildcards.
* The simulator with one policy of 400 statements (39 KB) answers in 30 ms; 160 policies of 200 statements for a
  page of 100 pairs in 0.45 s, linear in both.
* SAML metadata and assertions with a DOCTYPE, entity declarations or deep nesting: refused by the parser
  (no DTD, no entities, no huge trees); registry manifests stop at 4 MB and deep JSON in them is refused.

Left as is (reported, not fixed): the simulator compares every value of a multi-valued context entry with every
value of a condition (1,600 x 1,600 ``StringLike`` values: 1.1 s, quadratic); ``ContextKeyValues`` has no length
limit in the model and none that AWS documents, so a caller allowed ``iam:Simulate*`` can hold the server.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.iam.helpers import ACCOUNT, user_with_key

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEADLINE = Config(read_timeout=20, connect_timeout=5, retries={"max_attempts": 0})
"""Far above what each request below costs now (milliseconds), far below what it cost before."""


class _ServerProcess:
    """``mockrunner serve`` on a free loopback port, in a process of its own; ``client`` as the harness's."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", "--operation-delay", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        match = re.search(r"http://127\.0\.0\.1:(\d+)", self.process.stdout.readline())
        if match is None:
            self.process.kill()
            raise AssertionError(f"server did not start: {self.process.stderr.read()}")
        self.endpoint_url = f"http://127.0.0.1:{match.group(1)}"

    def client(self, service: str, access_key: str = "test", secret: str = "test", config: Config = DEADLINE
               ) -> Any:
        return boto3.session.Session().client(service, region_name="us-east-1", endpoint_url=self.endpoint_url,
                                              aws_access_key_id=access_key, aws_secret_access_key=secret,
                                              config=config)

    def stop(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=10)


@pytest.fixture
def server() -> Iterator[_ServerProcess]:
    running = _ServerProcess()
    yield running
    running.stop()


def _powerless(server, service: str):
    """A client for a user without any permission, under the read deadline."""
    key = user_with_key(server, "nobody")
    return server.client(service, key["AccessKeyId"], key["SecretAccessKey"], config=DEADLINE)


def _answers_others(server) -> None:
    assert server.client("sts", config=DEADLINE).get_caller_identity()["Account"] == ACCOUNT


# ------------------------------------------------------------------------------------------------ model patterns
def test_a_scanning_filter_that_cannot_match_is_refused_at_once(server):
    """27 characters that almost fit ``^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$`` (minutes unfixed)."""
    ecr = _powerless(server, "ecr")
    rules = [{"scanFrequency": "SCAN_ON_PUSH",
              "repositoryFilters": [{"filter": "a" * 26 + "!", "filterType": "WILDCARD"}]}]
    with pytest.raises(ecr.exceptions.InvalidParameterException) as caught:
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=rules)
    assert "rules.1.member.repositoryFilters.1.member.filter" in caught.value.response["Error"]["Message"]
    _answers_others(server)


@pytest.mark.parametrize("identifier", [
    "public.ecr.aws/" * 12000 + "!",
    "public.ecr.aws/x/" + "a/" * 30000 + "!",
], ids=["repeated-host", "many-segments"])
def test_an_image_identifier_of_many_slashes_is_refused_at_once(server, identifier):
    """An identifier the public-registry branch of the pattern cannot match (over a minute unfixed)."""
    apprunner = _powerless(server, "apprunner")
    source = {"ImageRepository": {"ImageIdentifier": identifier, "ImageRepositoryType": "ECR_PUBLIC"},
              "AutoDeploymentsEnabled": False}
    with pytest.raises(apprunner.exceptions.InvalidRequestException) as caught:
        apprunner.create_service(ServiceName="service", SourceConfiguration=source)
    message = caught.value.response["Error"]["Message"]
    assert "sourceConfiguration.imageRepository.imageIdentifier" in message and "regular expression" in message
    _answers_others(server)
