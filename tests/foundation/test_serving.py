"""The HTTP server over raw sockets: framing (keep-alive, chunked, 100-continue), and what it refuses.

Every test talks to the server ``mockrunner serve`` runs (:func:`mockrunner.serving.make_server`) on loopback.
Limits are lowered per test through :class:`mockrunner.serving.Limits` so that timeouts take a fraction of a
second; every loop is bounded in count and time.
"""
from __future__ import annotations

import resource
import selectors
import socket
import threading
import time
from contextlib import contextmanager

import pytest

from mockrunner.serving import Limits, make_server
from mockrunner.testing.server import ThreadedServer


def echo_app(environ, start_response):
    body = environ["wsgi.input"].read()
    text = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {environ['QUERY_STRING']} {len(body)} ".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [text + body]


@contextmanager
def running(**limits):
    """The shipped server with ``limits`` changed, serving :func:`echo_app` on a free loopback port."""
    with running_server(**limits) as server:
        yield server.server_port


@contextmanager
def running_server(app=echo_app, **limits):
    server = make_server("127.0.0.1", 0, app, Limits(**limits))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def server():
    with ThreadedServer(app=echo_app) as served:
        yield served


def exchange(port: int, payload: bytes, reads: int = 1, timeout: float = 5) -> bytes:
    """Send ``payload`` and read until ``reads`` complete responses arrived or the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused early; its answer is still to be read
        return read_responses(sock, reads)


def read_responses(sock: socket.socket, reads: int = 1) -> bytes:
    data = b""
    while not _complete(data, reads):
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    return data


def _complete(data: bytes, reads: int) -> bool:
    responses = data.split(b"HTTP/1.1 ")[1:]
    if len(responses) < reads:
        return False
    head, sep, body = responses[-1].partition(b"\r\n\r\n")
    if not sep:
        return False
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    return not length or len(body) >= length[0]


def closed_by_server(sock: socket.socket, wait: float | None = None) -> bool:
    """True when the server has closed its end (after any answer already read), waiting ``wait`` seconds for a
    read (the socket's own timeout when not given)."""
    if wait is not None:
        sock.settimeout(wait)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


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


def test_http_1_0_request_is_answered_and_closed(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        data = read_responses(sock)
        assert b"GET /old" in data
        assert closed_by_server(sock)


CHUNKED = b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("payload", [
    pytest.param(b"GARBAGE\r\n\r\n", id="request-line"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", id="header-line"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", id="content-length-text"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                 id="conflicting-content-lengths"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", id="content-length-signed"),
    pytest.param(CHUNKED.replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\n") + b"3\r\nabc\r\n0\r\n\r\n",
                 id="content-length-and-chunked"),
    pytest.param(CHUNKED + b"zz\r\n", id="chunk-size-not-hex"),
    pytest.param(CHUNKED + b"-1\r\n" + b"x" * 4096, id="chunk-size-negative"),
    pytest.param(CHUNKED + b"0x23\r\n" + b"x" * 35 + b"\r\n0\r\n\r\n", id="chunk-size-0x"),
    pytest.param(CHUNKED + b"+23\r\n" + b"x" * 35 + b"\r\n0\r\n\r\n", id="chunk-size-plus"),
    pytest.param(CHUNKED + b"2_3\r\n" + b"x" * 35 + b"\r\n0\r\n\r\n", id="chunk-size-underscore"),
    pytest.param(CHUNKED + b"4\r\nwikiX\n0\r\n\r\n", id="chunk-data-without-crlf"),
])
def test_malformed_http_gets_400_and_close_without_reaching_the_app(payload):
    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return echo_app(environ, start_response)

    with ThreadedServer(app=app) as served:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
            sock.sendall(payload)
            data = read_responses(sock)
            assert data.startswith(b"HTTP/1.1 400 Bad Request")
            assert b"Connection: close" in data
            assert closed_by_server(sock)
    assert seen == []


def test_short_body_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        sock.shutdown(socket.SHUT_WR)
        data = read_responses(sock)
    assert data.startswith(b"HTTP/1.1 400 Bad Request")


def test_header_block_is_capped_with_431(server):
    """Many header lines each well under any per-line limit: the head as a whole is refused (default limits)."""
    lines = b"".join(b"X-Filler-%d: %s\r\n" % (index, b"v" * 8000) for index in range(20))
    data = exchange(server.port, b"GET / HTTP/1.1\r\nHost: h\r\n" + lines + b"\r\n")
    assert data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large")


def test_endless_header_block_is_cut_off_and_closed():
    """A client that never ends its head is answered 431, long before it stops sending, and disconnected."""
    with running(max_head=4096) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n")
        lines_sent = 0
        while lines_sent < 1000:  # at most ~1 MB offered, at most ~10 s
            try:
                sock.sendall(b"X-Filler-%d: %s\r\n" % (lines_sent, b"v" * 1000))
            except (BrokenPipeError, ConnectionResetError):
                break
            lines_sent += 1
            if selectors.select.select([sock], [], [], 0.01)[0]:
                break
        assert lines_sent < 1000
        assert read_responses(sock).startswith(b"HTTP/1.1 431 ")
        assert closed_by_server(sock)


def test_long_request_target_gets_414(server):
    data = exchange(server.port, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: h\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 414 ")


def test_target_over_the_target_limit_within_the_head_limit_gets_414():
    with running(max_target=100) as port:
        data = exchange(port, b"GET /" + b"a" * 200 + b" HTTP/1.1\r\nHost: h\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 414 ")


def test_body_over_the_limit_gets_413_before_it_is_read():
    with running(max_body=1000) as port:
        data = exchange(port, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 413 ")
        assert b"Connection: close" in data
        assert b"200 OK" in exchange(port, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n"
                                           b"Connection: close\r\n\r\n" + b"x" * 1000)


def test_chunked_body_over_the_limit_gets_413():
    with running(max_body=1000) as port:
        data = exchange(port, CHUNKED + b"".join(b"100\r\n" + b"x" * 256 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 413 ")


def test_expect_100_continue_with_an_oversized_body_gets_413_and_no_100():
    with running(max_body=1000) as port:
        data = exchange(port, b"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in data


def test_a_head_trickled_byte_by_byte_gets_408_at_the_head_deadline():
    """One byte at a time keeps the connection busy, but the head as a whole must arrive within the deadline."""
    with running(head_timeout=0.5) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        answer = b""
        for byte in (b"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: " + b"z" * 100)[:100]:  # at most 100 × 0.1 s
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            ready, _, _ = selectors.select.select([sock], [], [], 0.1)
            if ready:
                answer = read_responses(sock)
                break
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
        assert closed_by_server(sock)


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout():
    with running(idle_timeout=0.3) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        assert b"200 OK" in read_responses(sock)
        assert closed_by_server(sock)


def test_200_simultaneous_connects_are_all_answered():
    """A burst of 200 connects (non-blocking, in one go) is queued by the listen backlog, not dropped."""
    request = b"GET /burst HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    with running() as port, selectors.DefaultSelector() as selector:
        pending = {}
        for _ in range(200):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            pending[sock] = b""
            selector.register(sock, selectors.EVENT_WRITE)
        answered = 0
        deadline = time.monotonic() + 2
        try:
            while pending and time.monotonic() < deadline:
                for key, events in selector.select(timeout=0.05):
                    sock = key.fileobj
                    if events & selectors.EVENT_WRITE:
                        sock.send(request)
                        selector.modify(sock, selectors.EVENT_READ)
                        continue
                    chunk = sock.recv(65536)
                    pending[sock] += chunk
                    if not chunk:
                        answered += pending[sock].startswith(b"HTTP/1.1 200 OK")
                        selector.unregister(sock)
                        sock.close()
                        del pending[sock]
        finally:
            for sock in pending:
                sock.close()
    assert answered == 200


def test_a_thousand_idle_keep_alive_connections_do_not_stop_a_fresh_client():
    connections = 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * connections + 200  # both ends live in this process
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"needs {needed} open files; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    idle = []
    try:
        with running() as port:
            for index in range(connections):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                idle.append(sock)
                if index % 2:  # half have been served once and now idle on keep-alive, half never spoke
                    sock.sendall(b"GET /idle HTTP/1.1\r\nHost: h\r\n\r\n")
                    assert b"200 OK" in read_responses(sock)
            data = exchange(port, b"GET /fresh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            assert b"GET /fresh" in data
    finally:
        for sock in idle:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def keep_alive_client(port: int) -> socket.socket:
    """A connection that has been served once and now idles on keep-alive."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /idle HTTP/1.1\r\nHost: h\r\n\r\n")
    assert b"200 OK" in read_responses(sock)
    return sock


def test_at_the_connection_limit_the_longest_idle_connection_makes_room():
    with running_server(max_connections=3) as server:
        port = server.server_port
        clients = []
        for _ in range(3):  # each idle on the server's side before the next connects, so their order is known
            clients.append(keep_alive_client(port))
            deadline = time.monotonic() + 5
            while server.slots.idle_count < len(clients) and time.monotonic() < deadline:
                time.sleep(0.005)
        first, second, third = clients
        try:
            data = exchange(port, b"GET /fresh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            assert b"GET /fresh" in data
            assert closed_by_server(first)
            for sock in (second, third):  # the others keep their connection and are still served on it
                sock.sendall(b"GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
                assert b"GET /again" in read_responses(sock)
        finally:
            for sock in (first, second, third):
                sock.close()


def test_at_the_connection_limit_with_none_idle_a_new_client_waits_for_a_slot():
    """Two connections are busy sending their heads; a third client is answered once they end (408), not before."""
    with running(max_connections=2, head_timeout=1.0) as port:
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        for sock in slow:
            sock.sendall(b"GET /slow HTTP/1.1\r\n")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as waiting:
                waiting.sendall(b"GET /fresh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                with selectors.DefaultSelector() as selector:
                    selector.register(waiting, selectors.EVENT_READ)
                    assert selector.select(timeout=0.3) == []
                assert b"GET /fresh" in read_responses(waiting)
            for sock in slow:
                assert read_responses(sock).startswith(b"HTTP/1.1 408 Request Timeout")
        finally:
            for sock in slow:
                sock.close()


def test_silent_connections_beyond_the_limit_do_not_each_hold_a_thread():
    limit = 4
    before = threading.active_count()
    silent = []
    with running(max_connections=limit) as port:
        try:
            for _ in range(40):
                silent.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            assert b"GET /fresh" in exchange(port, b"GET /fresh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            deadline = time.monotonic() + 5
            while threading.active_count() - before > 1 + limit and time.monotonic() < deadline:
                time.sleep(0.01)
            assert threading.active_count() - before <= 1 + limit  # the accepting thread and one per slot
            open_ones = [sock for sock in silent if not closed_by_server(sock, wait=0.1)]
            if len(open_ones) > limit:  # the slow look, only when the quick one did not find them closed
                open_ones = [sock for sock in open_ones if not closed_by_server(sock, wait=5)]
            assert len(open_ones) <= limit
        finally:
            for sock in silent:
                sock.close()


def trickle(sock: socket.socket, payload: bytes, pause: float) -> None:
    """Send ``payload`` a byte at a time, ``pause`` seconds apart, until it is sent or the server closes."""
    for byte in payload:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return
        time.sleep(pause)


def test_a_body_trickled_below_the_minimum_rate_is_answered_408():
    """Every byte arrives well within the idle timeout, but at 10 bytes/s against a minimum of 100 the body's
    deadline (0.5 s, plus 0.01 s per byte) passes: 408, where waiting per read alone would take the whole body."""
    with running(body_timeout=0.5, body_min_rate=100) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\n\r\n")
        trickle(sock, b"x" * 30, 0.1)
        answer = read_responses(sock)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
        assert b"request body not received in time" in answer


def test_a_body_at_the_minimum_rate_is_served_past_the_body_timeout():
    """40 bytes in four pieces 0.3 s apart: past the 0.5 s body timeout, within its extension of 1 s per 10 bytes."""
    with running(body_timeout=0.5, body_min_rate=10) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /steady HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n")
        for _ in range(4):
            time.sleep(0.3)
            sock.sendall(b"y" * 10)
        assert b"POST /steady  40 " + b"y" * 40 in read_responses(sock)


def read_to_the_end_app(environ, start_response):
    """Reads a streamed body to its end, as the registry does with a layer."""
    received = 0
    for _ in range(10_000):
        chunk = environ["wsgi.input"].read(65536)
        if not chunk:
            break
        received += len(chunk)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"%d" % received]


def test_a_streamed_body_has_the_same_deadline():
    with running_server(read_to_the_end_app, body_timeout=0.5, body_min_rate=100) as server, \
            socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as sock:
        sock.sendall(b"PATCH /v2/r/blobs/uploads/u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        trickle(sock, b"1\r\nz\r\n" * 10, 0.1)
        assert read_responses(sock).startswith(b"HTTP/1.1 408 Request Timeout")
