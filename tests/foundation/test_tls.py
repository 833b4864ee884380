"""``mockrunner serve --tls-cert --tls-key``: HTTPS and plain HTTP on one port, with a certificate made once.

Real clients verify the certificate (boto3 and requests with the certificate file as their CA, the AWS CLI with
``--ca-bundle``); the registry over HTTPS with skopeo is in ``tests/registry/test_skopeo.py``.
"""
from __future__ import annotations

import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time

import boto3
import pytest
import requests
from cryptography import x509

from mockrunner.serving import Limits, make_server
from mockrunner.tls import TLSSetupError, server_context
from tests.harness import AWS_CLI_V1
from tests.tls_serving import ROOT, serve_tls, stop


@pytest.fixture
def pair(tmp_path):
    return tmp_path / "certs" / "cert.pem", tmp_path / "certs" / "key.pem"


def test_https_and_http_on_one_port_with_a_certificate_made_at_first_start(pair):
    cert, key = pair
    process, port, line = serve_tls(cert, key, "--tls-name", "mockrunner.test", "--tls-name", "10.1.2.3")
    try:
        assert f"(certificate {cert})" in line
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "mockrunner.test"}
        assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1", "10.1.2.3"}
        for url in (f"https://localhost:{port}", f"https://127.0.0.1:{port}", f"http://127.0.0.1:{port}"):
            sts = boto3.client("sts", endpoint_url=url, verify=str(cert), **ROOT)
            assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        answer = requests.get(f"https://localhost:{port}/v2/", verify=str(cert), timeout=10)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith(f'Basic realm="https://localhost:{port}/"')
        with pytest.raises(requests.exceptions.SSLError):  # not a certificate anyone trusts by default
            requests.get(f"https://localhost:{port}/v2/", timeout=10)
    finally:
        stop(process)


def test_the_aws_cli_verifies_the_certificate_with_its_ca_bundle(pair):
    cert, key = pair
    process, port, _ = serve_tls(cert, key)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    try:
        result = subprocess.run([AWS_CLI_V1, "--endpoint-url", f"https://localhost:{port}", "--ca-bundle", str(cert),
                                 "iam", "create-user", "--user-name", "over-tls", "--output", "json"],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["User"]["UserName"] == "over-tls"
    finally:
        stop(process)


def test_a_restart_serves_the_same_certificate(pair):
    cert, key = pair
    process, port, _ = serve_tls(cert, key)
    stop(process)
    made = cert.read_bytes()
    process, port, _ = serve_tls(cert, key)
    try:
        assert cert.read_bytes() == made
        served = ssl.get_server_certificate(("127.0.0.1", port))
        assert x509.load_pem_x509_certificate(served.encode()) == x509.load_pem_x509_certificate(made)
    finally:
        stop(process)


def test_half_a_pair_or_an_unreadable_certificate_refuses_to_start(pair, tmp_path):
    cert, key = pair
    cert.parent.mkdir()
    cert.write_text("not a certificate\n")
    process, _, error = serve_tls(cert, key)
    assert process.returncode == 2
    assert f"{cert} exists but {key} does not" in error
    key.write_text("not a key\n")
    process, _, error = serve_tls(cert, key)
    assert process.returncode == 2
    assert f"cannot serve {cert} with {key}" in error
    result = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--tls-cert", str(cert)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--tls-cert and --tls-key go together" in result.stderr
    with pytest.raises(TLSSetupError, match="is not a host name or an IP address"):
        server_context(str(tmp_path / "c.pem"), str(tmp_path / "k.pem"), ["bad name\u0000"])


def hello_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]


def test_a_broken_handshake_closes_only_its_connection_and_idle_tls_connections_make_room(pair):
    """A ClientHello that is garbage ends its own connection; a connection that made its handshake and then says
    nothing is idle, and at the connection limit the longest-idle TLS connection is closed to make room, as a plain
    one is."""
    cert, key = pair
    context = server_context(str(cert), str(key))
    server = make_server("127.0.0.1", 0, hello_app, Limits(max_connections=2, head_timeout=2), context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    port = server.server_port

    def keep_alive_tls_client() -> ssl.SSLSocket:
        client = ssl.create_default_context(cafile=str(cert)).wrap_socket(
            socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
        client.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert client.recv(1000).endswith(b"https")
        return client

    def wait_until_idle(count: int) -> None:
        deadline = time.monotonic() + 5
        while server.slots.idle_count < count and time.monotonic() < deadline:
            time.sleep(0.005)

    def fresh_plain_request() -> str:
        return requests.get(f"http://127.0.0.1:{port}/", headers={"Connection": "close"}, timeout=5).text

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as garbage:
            garbage.sendall(b"\x16\x03\x01\x00\x05hello")
            received = b""
            for _ in range(10):  # at most a TLS alert, then the close
                chunk = garbage.recv(100)
                if not chunk:
                    break
                received += chunk
            assert received == b"" or received.startswith(b"\x15")
        older = ssl.create_default_context(cafile=str(cert)).wrap_socket(  # a handshake, then silence
            socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost")
        wait_until_idle(1)
        newer = keep_alive_tls_client()
        wait_until_idle(2)
        assert fresh_plain_request() == "http"
        assert older.recv(1000) == b""  # closed to make room
        newer.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert newer.recv(1000).endswith(b"https")  # still served on its connection
        older.close()
        newer.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
