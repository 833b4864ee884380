"""boto3 with the AWS Common Runtime (``pip install boto3[crt]``, as the AWS CLI v2 ships): when ``awscrt`` can be
imported, botocore signs every request, and presigns every URL, with the runtime's C signer
(``botocore.crt.auth.CrtSigV4Auth``: its own URI normalisation and encoding) instead of its Python one.  The
scenario of ``tests/ways/scenario_driver.py`` runs in a process whose path holds the ``awscrt`` that
``constraints.txt`` pins (botocore's ``crt`` extra pins that version), in-process under ``mock_apprunner`` and
against a server: signatures verify, a wrong secret and a denial are refused as usual, tags and paths with
``+``, ``/`` and non-ASCII letters survive, and presigned URLs (an EKS-style token with its signed
``x-k8s-aws-id`` header, a listing with a path prefix, a session's) identify their signer.

``awscrt`` is not in the test environment (it would move every other test onto the runtime's signer): the fixture
installs it once into the machine's cache.  Outside CI a test skips when that is not possible; in CI it fails, and
the suite fails if none passed (``tests/conftest.py``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.harness import Harness
from tests.ways.cached_installs import installed_once, pinned
from tests.ways.scenario_runs import check_presigned, check_scenario, run_scenario


@pytest.fixture(scope="module")
def awscrt_path() -> Path:
    """A directory holding the pinned ``awscrt`` alone, under the machine's cache."""
    version = pinned("awscrt")
    return installed_once(f"awscrt-{version}", lambda home: [
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--retries", "2", "--timeout", "30", "--target", str(home), f"awscrt=={version}"]])


CRT_SIGNER = "botocore.crt.auth.CrtSigV4Auth"
"""The runtime's signer: every request of the scenario was signed by it."""


def test_boto3_crt_in_process_under_mock_apprunner(awscrt_path):
    out = run_scenario(sys.executable, [awscrt_path], "inprocess")
    assert out["signer"] == CRT_SIGNER
    check_scenario(out)
    assert "presigned" not in out


def test_boto3_crt_against_a_server_including_presigned_urls(awscrt_path, served: Harness):
    out = run_scenario(sys.executable, [awscrt_path], served.endpoint_url)
    assert out["signer"] == CRT_SIGNER
    check_scenario(out)
    check_presigned(out)
