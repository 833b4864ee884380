"""The admin API is not a door for web pages: Origin, Host and Sec-Fetch-Site checks, and the admin token.

Over real HTTP (requests with the headers a browser would send, raw sockets where a header must be missing)
and in-process through werkzeug's test client where the peer address matters (a non-loopback peer cannot be
produced on loopback).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
import requests

from mockrunner.app import create_app
from mockrunner.cli import bind_name
from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
SEED = {"users": [{"name": "alice", "access_keys": [{"access_key_id": "AKIAALICE00000000000",
                                                     "secret_access_key": SECRET}]}]}
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server():
    with ThreadedServer(Settings(log_requests=False, operation_delay=0, seed_files=())) as running:
        requests.post(f"{running.endpoint_url}/_mockrunner/seed", json=SEED, timeout=10).raise_for_status()
        yield running


def _url(server, path: str) -> str:
    return f"{server.endpoint_url}/_mockrunner/{path}"


def _refused(response: requests.Response, status: int = 403, error: str = "AdminForbidden") -> dict:
    """A refusal is JSON with the error and a message, never an HTML page."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error and body["message"]
    assert SECRET not in response.text
    return body


def test_a_cross_origin_simple_post_cannot_move_the_clock_or_reset(server) -> None:
    before = requests.get(_url(server, "clock"), timeout=10).json()["now"]
    simple = {"Origin": EVIL, "Content-Type": "text/plain"}  # what a form or fetch(no-cors) sends unasked
    body = _refused(requests.post(_url(server, "clock/advance"), data='{"seconds": 86400}', headers=simple,
                                  timeout=10))
    assert "'http://evil.example'" in body["message"] and "other origins" in body["message"]
    _refused(requests.post(_url(server, "reset"), headers=simple, timeout=10))
    assert requests.get(_url(server, "clock"), timeout=10).json()["now"][:16] == before[:16]
    assert SECRET in requests.get(_url(server, "state"), timeout=10).text, "the refused reset changed nothing"


def test_a_dns_rebinding_page_cannot_read_the_state(server) -> None:
    port = server.port
    for host in (f"evil.example:{port}", "evil.example", f"localhost.evil.example:{port}",
                 f"127.0.0.1.nip.io:{port}", ""):
        body = _refused(requests.get(_url(server, "state"), headers={"Host": host}, timeout=10))
        assert "DNS-rebinding" in body["message"], host
    for host in (f"127.0.0.1:{port}@evil.example", "local host"):  # not URI hosts: the server's own 400
        response = requests.get(_url(server, "state"), headers={"Host": host}, timeout=10)
        assert response.status_code == 400 and "Host" in response.text and SECRET not in response.text
    same_origin_rebound = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
    _refused(requests.get(_url(server, "state"), headers=same_origin_rebound, timeout=10))


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:{port}", "localhost.:{port}", "127.0.0.1:{port}",
                                  "127.1.2.3", "[::1]:{port}", "[::ffff:127.0.0.1]"])
def test_loopback_hosts_are_served(server, host) -> None:
    response = requests.get(_url(server, "health"), headers={"Host": host.format(port=server.port)}, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:{port}", "https://[::1]:8443",
                                    "http://LOCALHOST"])
def test_pages_served_from_loopback_are_served(server, origin) -> None:
    headers = {"Origin": origin.format(port=server.port), "Content-Type": "application/json"}
    response = requests.post(_url(server, "clock/advance"), json={"seconds": 0}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("origin", ["null", "file://", "chrome-extension://abcdefgh", "http://localhost.evil.example",
                                    "http://127.0.0.1.evil.example", "http://user@localhost", "http://localhost/path",
                                    "ftp://localhost", "http://[::1", "http://10.0.0.5:{port}", ""])
def test_other_origins_are_refused(server, origin) -> None:
    response = requests.get(_url(server, "state"), headers={"Origin": origin.format(port=server.port)}, timeout=10)
    _refused(response)


def test_cross_site_requests_without_origin_are_refused(server) -> None:
    """An ``<img src=...>`` or ``<script src=...>`` GET: no Origin, but the browser says it is cross-site."""
    _refused(requests.get(_url(server, "state"), headers={"Sec-Fetch-Site": "cross-site"}, timeout=10))
    for site in ("same-origin", "none"):
        assert requests.get(_url(server, "health"), headers={"Sec-Fetch-Site": site}, timeout=10).status_code == 200


def test_preflight_from_another_origin_is_refused(server) -> None:
    response = requests.options(_url(server, "state"), headers={
        "Origin": EVIL, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"},
        timeout=10)
    _refused(response)
    assert "Access-Control-Allow-Origin" not in response.headers


def _raw(server, request: bytes) -> tuple[int, dict]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_request_without_host_is_refused(server) -> None:
    status, body = _raw(server, b"GET /_mockrunner/state HTTP/1.0\r\n\r\n")
    assert status == 403 and body["error"] == "AdminForbidden" and "no Host header" in body["message"]
    status, body = _raw(server, b"GET /_mockrunner/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    assert status == 200 and body["status"] == "ok"


def test_configured_names_are_served() -> None:
    settings = Settings(log_requests=False, admin_hosts=("MockRunner.", "dev.test"))
    assert settings.admin_hosts == ("mockrunner", "dev.test")
    with ThreadedServer(settings) as running:
        for name in ("mockrunner:4580", "dev.test"):
            headers = {"Host": name, "Origin": f"http://{name}"}
            assert requests.get(_url(running, "health"), headers=headers, timeout=10).status_code == 200
        _refused(requests.get(_url(running, "health"), headers={"Host": "other.test"}, timeout=10))


def test_the_token_is_accepted_as_bearer_or_its_own_header_and_compared_whole() -> None:
    with ThreadedServer(Settings(log_requests=False, admin_token="tok-3141592653")) as running:
        url = _url(running, "health")
        for headers in ({"Authorization": "Bearer tok-3141592653"}, {"authorization": "bearer tok-3141592653"},
                        {"X-Mockrunner-Admin-Token": "tok-3141592653"}):
            assert requests.get(url, headers=headers, timeout=10).status_code == 200, headers
        missing = _refused(requests.get(url, timeout=10), 401, "AdminTokenRequired")
        assert "missing" in missing["message"]
        for wrong in ("Bearer tok-314159265", "Bearer tok-31415926534", "Basic dG9rLTMxNDE1OTI2NTM=",
                      "Bearer TOK-3141592653"):
            response = requests.get(url, headers={"Authorization": wrong}, timeout=10)
            _refused(response, 401, "AdminTokenRequired")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        # the Origin/Host checks come first: a web page learns nothing about the token
        _refused(requests.get(url, headers={"Origin": EVIL, "Authorization": "Bearer tok-3141592653"}, timeout=10))


def _in_process(remote: str, **settings):
    client = create_app(Settings(log_requests=False, **settings)).test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    return client


def test_remote_mode_needs_the_token_and_still_checks_host_and_origin() -> None:
    with pytest.raises(ValueError, match="admin_remote needs an admin token"):
        Settings(admin_remote=True)
    client = _in_process("172.18.0.1", admin_remote=True, admin_token="tok-remote", admin_hosts=("mockrunner",))
    token = {"Authorization": "Bearer tok-remote"}
    for host in ("localhost:4580", "mockrunner:4580", "192.168.1.5:4580", "[2001:db8::1]:4580"):
        assert client.get("/_mockrunner/health", headers={**token, "Host": host}).status_code == 200, host
    assert client.get("/_mockrunner/health", headers={"Host": "localhost:4580"}).status_code == 401
    refused = client.get("/_mockrunner/state", headers={**token, "Host": "evil.example:4580"})
    assert refused.status_code == 403 and refused.json["error"] == "AdminForbidden"
    page = {**token, "Host": "192.168.1.5:4580"}
    assert client.get("/_mockrunner/health", headers={**page, "Origin": "http://192.168.1.5:4580"}).status_code == 200
    assert client.get("/_mockrunner/health", headers={**page, "Origin": "http://192.168.1.9:4580"}).status_code == 403


def test_without_remote_mode_a_non_loopback_peer_is_refused_even_with_the_token() -> None:
    client = _in_process("10.1.2.3", admin_token="tok-local")
    refused = client.get("/_mockrunner/health", headers={"Authorization": "Bearer tok-local"})
    assert refused.status_code == 403 and "--admin-remote" in refused.json["message"]


@pytest.mark.parametrize("settings, message", [
    ({"admin_token": "has space"}, "printable ASCII"),
    ({"admin_token": "tab\there"}, "printable ASCII"),
    ({"admin_token": ""}, "printable ASCII"),
    ({"admin_hosts": ("http://mockrunner",)}, "not a host name"),
    ({"admin_hosts": ("mockrunner:4580",)}, "not a host name"),
    ({"admin_hosts": "mockrunner"}, "not one string"),
])
def test_bad_admin_settings_are_refused(settings, message) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**settings)


def test_admin_settings_from_the_environment() -> None:
    settings = Settings.from_env({"MOCKRUNNER_ADMIN_TOKEN": "tok-env", "MOCKRUNNER_ADMIN_REMOTE": "1",
                                  "MOCKRUNNER_ADMIN_HOSTS": "mockrunner, Dev.Test"})
    assert (settings.admin_token, settings.admin_remote, settings.admin_hosts) == (
        "tok-env", True, ("mockrunner", "dev.test"))


def test_bind_names_are_admin_hosts_and_addresses_need_none() -> None:
    assert bind_name("devbox.internal") == ("devbox.internal",)
    assert bind_name("0.0.0.0") == bind_name("::") == bind_name("127.0.0.1") == ()


def _serve(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_serve_admin_remote_without_a_token_refuses_to_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRUNNER_")}
    process = _serve("--admin-remote", env=env)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "admin_remote needs an admin token" in err and "Traceback" not in err


def test_serve_takes_the_token_from_the_environment_so_ps_does_not_show_it() -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MOCKRUNNER_")},
           "MOCKRUNNER_ADMIN_TOKEN": "tok-from-env-0271828"}
    process = _serve("--admin-remote", env=env)
    try:
        url = process.stdout.readline().split()[-1]
        assert "tok-from-env" not in " ".join(process.args)
        health = f"{url}/_mockrunner/health"
        assert requests.get(health, headers={"Authorization": "Bearer tok-from-env-0271828"}, timeout=10).json()[
            "status"] == "ok"
        _refused(requests.get(health, timeout=10), 401, "AdminTokenRequired")
    finally:
        process.terminate()
        process.communicate(timeout=10)
