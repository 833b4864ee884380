"""What a newcomer following the README tripped on, fixed (docs/behaviour.md, "Newcomer pass (session 23)").

- ``POST /_mockrunner/ecr/scan-findings`` took any string as the digest (``"nope"``, a digest without its
  ``sha256:``, upper-case hex) and answered 200, though no image ever has such a digest: the findings were never
  reported and nothing said why. Now 400 ``InvalidFindings``, nothing seeded; both modes.
- ``scripts/bench_protocol.py`` and ``scripts/bench_ways.py`` said "moto not installed" and dropped every moto row
  when moto was installed but its server's dependencies (the ``bench`` extra) were not; the ``mock_aws`` rows, the
  README's in-process headline, need moto alone. Now the in-process rows run and the message names what is missing.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize("digest", ["nope", "ab" * 32, "SHA256:" + "AB" * 32, "sha256:" + "AB" * 32,
                                    "sha256:" + "ab" * 31, "sha512:" + "ab" * 64, ""])
def test_scan_findings_for_what_is_no_image_digest_are_refused(aws, digest):
    finding = {"name": "CVE-2024-0001", "severity": "HIGH"}
    status, answer = aws.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": [finding]})
    assert (status, answer) == (400, {"error": "InvalidFindings", "message": "digest is an image digest as ECR "
                                      "reports it: sha256: and 64 lower-case hex digits"})
    assert aws.store.account(ACCOUNT).region("us-east-1").ecr.seeded_findings == {}
    status, answer = aws.admin("POST", "/ecr/scan-findings", {"digest": DIGEST, "findings": [finding]})
    assert (status, answer) == (200, {"digest": DIGEST, "findings": 1})
    assert aws.store.account(ACCOUNT).region("us-east-1").ecr.seeded_findings == {DIGEST: [finding]}


def _bench_without_moto_server(script: str, *args: str, statuses: tuple[int, ...] = (0,)) -> str:
    """The script's output with ``moto`` importable and ``moto.server`` not (as without the bench extra); it ran to
    its end (``statuses``: ``bench_ways.py`` exits 1 when a busy machine missed one of its time targets)."""
    pytest.importorskip("moto")
    code = ("import runpy, sys; sys.modules['moto.server'] = None; "
            f"sys.argv = [{script!r}, *{list(args)!r}]; runpy.run_path({script!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode in statuses and "ImportError" not in result.stderr, result.stderr
    return result.stdout


def test_bench_ways_keeps_the_mock_aws_rows_without_moto_server():
    out = _bench_without_moto_server("scripts/bench_ways.py", "--repeat", "1", statuses=(0, 1))
    assert "moto not installed" not in out
    assert "moto's server cannot be imported" in out and "'.[bench]'" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("enter+leave", "small"))}
    assert rows["enter+leave"][2].replace(".", "", 1).isdigit()  # moto's column holds a time
    assert rows["enter+leave"][3].endswith("x")
    server_row = next(line for line in out.splitlines() if line.startswith("server start+stop"))
    assert server_row.split()[3] == "-"  # no moto server measured


def test_bench_protocol_keeps_the_mock_aws_row_without_moto_server():
    out = _bench_without_moto_server("scripts/bench_protocol.py", "--calls", "5", "--round-calls", "3",
                                     "--repeats", "1", "--seconds", "0.2", "--threads", "1")
    assert "moto not installed" not in out
    assert "moto's server cannot be imported" in out and "skipping the moto server rows" in out
    assert any(line.startswith("moto mock_aws ") for line in out.splitlines())
    assert "moto mock_aws / mockrunner in-process" in out
    assert not any(line.startswith("moto server") for line in out.splitlines())
