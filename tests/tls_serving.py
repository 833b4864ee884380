"""``mockrunner serve`` with ``--tls-cert``/``--tls-key`` as a subprocess, for the tests that reach it over HTTPS."""
from __future__ import annotations

import signal
import subprocess
import sys

ROOT = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


def serve_tls(cert, key, *args: str) -> tuple[subprocess.Popen, int, str]:
    """Start the server on a free port with ``cert``/``key``: (process, port, its listening line), or (process, 0,
    its standard error) when it refused to start."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", "--tls-cert", str(cert),
         "--tls-key", str(key), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        return process, 0, process.stderr.read()
    words = line.split()
    assert words[:4] == ["mockrunner", "listening", "on", words[3]] and words[5].startswith("https://"), line
    return process, int(words[3].rsplit(":", 1)[1]), line


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
