"""boto3 with the AWS Common Runtime (``pip install boto3[crt]``, as the AWS CLI v2 ships): when ``awscrt`` can be
imported, botocore signs every request, and presigns every URL, with the runtime's C signer
(``botocore.crt.auth.CrtSigV4Auth``: its own URI normalisation and encoding) instead of its Python one.  The
scenario of ``tests/ways/boto3_crt_driver.py`` runs in a process whose path holds the ``awscrt`` that
``constraints.txt`` pins (botocore's ``crt`` extra pins that version), in-process under ``mock_apprunner`` and
against a server: signatures verify, a wrong secret and a denial are refused as usual, tags and paths with
``+``, ``/`` and non-ASCII letters survive, and presigned URLs (an EKS-style token with its signed
``x-k8s-aws-id`` header, a listing with a path prefix, a session's) identify their signer.

``awscrt`` is not in the test environment (it would move every other test onto the runtime's signer): the fixture
installs it once into the machine's cache.  Outside CI a test skips when that is not possible; in CI it fails, and
the suite fails if none passed (``tests/conftest.py``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import Harness
from tests.ways.cached_installs import installed_once, pinned

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("boto3_crt_driver.py")


@pytest.fixture(scope="module")
def awscrt_path() -> Path:
    """A directory holding the pinned ``awscrt`` alone, under the machine's cache."""
    version = pinned("awscrt")
    return installed_once(f"awscrt-{version}", lambda home: [
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--retries", "2", "--timeout", "30", "--target", str(home), f"awscrt=={version}"]])


def _run(awscrt_path: Path, mode: str) -> dict:
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("AWS_") and name != "BOTO_DISABLE_CRT"}
    environment["PYTHONPATH"] = os.pathsep.join([str(awscrt_path), str(ROOT)])
    done = subprocess.run([sys.executable, str(DRIVER), mode], capture_output=True, text=True, timeout=120,
                          env=environment, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _check_scenario(out: dict) -> None:
    assert out["signer"] == "botocore.crt.auth.CrtSigV4Auth"  # the runtime signed every request below
    assert out["user_path"] == "/team+ops/"
    assert out["user_tags"] == [{"Key": "team name", "Value": "ops dev / é ü = + @ :"}]
    assert out["user_arn"] == "arn:aws:iam::123456789012:user/team+ops/crt-user"
    assert out["user_denied"] == {"code": "AccessDenied", "status": 403}
    assert out["wrong_secret"] == {"code": "SignatureDoesNotMatch", "status": 403}
    assert out["role_arn"] == "arn:aws:sts::123456789012:assumed-role/crt-role/crt-session"
    assert out["image_digest_matches"] is True
    assert out["asc_tags"] == [{"Key": "owner", "Value": "é/ü"}]


def test_boto3_crt_in_process_under_mock_apprunner(awscrt_path):
    out = _run(awscrt_path, "inprocess")
    _check_scenario(out)
    assert "presigned" not in out


def test_boto3_crt_against_a_server_including_presigned_urls(awscrt_path, served: Harness):
    out = _run(awscrt_path, served.endpoint_url)
    _check_scenario(out)
    presigned = out["presigned"]
    for name, arn in (("plain", "arn:aws:iam::123456789012:user/team+ops/crt-user"),
                      ("token", "arn:aws:iam::123456789012:user/team+ops/crt-user"),
                      ("session", "arn:aws:sts::123456789012:assumed-role/crt-role/crt-session")):
        assert presigned[name]["status"] == 200, (name, presigned[name]["body"])
        assert f"<Arn>{arn}</Arn>" in presigned[name]["body"]
    assert presigned["listing"]["status"] == 200
    assert "<UserName>crt-user</UserName>" in presigned["listing"]["body"]
    for name in ("token_without_header", "token_other_cluster", "tampered"):
        assert presigned[name]["status"] == 403, name
        assert "<Code>SignatureDoesNotMatch</Code>" in presigned[name]["body"], name
