"""The lean HTTP server: keep-alive, chunked bodies, 100-continue, and malformed HTTP answered with a 400."""
from __future__ import annotations

import socket

import pytest

from mockrunner.testing.server import ThreadedServer


def echo_app(environ, start_response):
    body = environ["wsgi.input"].read()
    text = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {environ['QUERY_STRING']} {len(body)} ".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [text + body]


@pytest.fixture
def server():
    with ThreadedServer(app=echo_app) as running:
        yield running


def exchange(port: int, payload: bytes, reads: int = 1) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
            if data.count(b"HTTP/1.1 ") >= reads and _complete(data, reads):
                return data


def _complete(data: bytes, reads: int) -> bool:
    responses = data.split(b"HTTP/1.1 ")[1:]
    if len(responses) < reads:
        return False
    last = responses[-1]
    head, sep, body = last.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    return not length or len(body) >= length[0]


def test_keep_alive_serves_two_requests_on_one_connection(server):
    request = b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
    data = exchange(server.port, request + request.replace(b"/a", b"/b"), reads=2)
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert b"POST /a x=1 3 abc" in data and b"POST /b x=1 3 abc" in data


def test_chunked_body_is_reassembled(server):
    request = (b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               b"4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n")
    data = exchange(server.port, request)
    assert b"POST /c  9 wikipedia" in data
    assert b"Connection: close" in data


def test_expect_100_continue_gets_an_interim_response(server):
    request = b"PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    data = exchange(server.port, request, reads=2)
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert b"PUT /e  2 ok" in data


def test_percent_encoded_path_is_decoded(server):
    data = exchange(server.port, b"GET /a%20b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert b"GET /a b" in data


def test_head_has_no_body(server):
    data = exchange(server.port, b"HEAD /h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == b""


@pytest.mark.parametrize("payload, reason", [
    (b"GARBAGE\r\n\r\n", b"malformed request line"),
    (b"GET / HTTP/1.1\r\nNoColonHere\r\n\r\n", b"malformed header line"),
    (b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", b"invalid Content-Length"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"malformed chunk size"),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"request line too long"),
])
def test_malformed_http_gets_400_and_close(server, payload, reason):
    data = exchange(server.port, payload)
    assert data.startswith(b"HTTP/1.1 400 Bad Request")
    assert reason in data
    assert b"Connection: close" in data


def test_short_body_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        sock.shutdown(socket.SHUT_WR)
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 400 Bad Request")
    assert b"shorter than Content-Length" in data
