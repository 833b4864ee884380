"""The HTTP server ``mockrunner serve`` and the threaded test server run: h11 framing under a thread per connection.

h11 (a maintained, strict HTTP/1.1 implementation) owns parsing and framing: the request line and headers,
``Content-Length`` and chunked bodies (hex chunk sizes only, the CRLF after each chunk checked), conflicting
lengths, keep-alive and pipelining, and the serialisation of responses.  This module owns only the socket and
the limits in :class:`Limits`:

- the head (request line and headers) is refused with 431 past ``max_head`` bytes or ``max_headers`` fields,
  and a request target past ``max_target`` bytes with 414; only HTTP/1.0 and HTTP/1.1 are answered;
- a body past ``max_body`` bytes gets 413 as soon as that is known (from ``Content-Length`` before any of the
  body is read and before ``100 Continue`` would be sent, or as chunks add up);
- the bodies read into memory before the application sees them (every request's but the streamed ones below) hold
  at most ``max_buffered_bodies`` bytes at once, across connections, counted as they arrive; a body that would
  take more gets 503 (a retryable answer) as soon as its ``Content-Length`` (against what is held then) or its
  bytes say so, since a body is read before anyone is authenticated (512 connections of 64 MB bodies held 32 GiB
  for a client without credentials);
- ``Expect: 100-continue`` gets ``100 Continue`` once the body is wanted: at once for the bodies read before the
  application sees them, when the application first reads a streamed one; a request answered without its body
  being asked for is answered with ``Connection: close`` (what the client sends anyway is drained for a moment, so
  that closing does not reset the answer away), as Go's net/http, which registries are built on, does;
- a request with both ``Content-Length`` and ``Transfer-Encoding`` gets 400 (RFC 9112 section 6.1 allows
  refusing it; answering it is how requests are smuggled past a proxy);
- a ``Host`` that is not a URI host with an optional port (RFC 3986 section 3.2.2) gets 400, as RFC 9112 section
  3.2 requires (h11 refuses a missing or repeated one): the application echoes the Host into ``Location`` and
  ``WWW-Authenticate``, where a quote or a space would end the value early;
- a header field whose name holds an underscore is not given to the application (gunicorn's, nginx's and Apache's
  rule): in a WSGI environ it would be the same variable as the name spelled with hyphens;
- an absolute-form request target (``GET http://host:port/path``) is served as its origin form with the
  target's authority as the ``Host``, as RFC 9112 section 3.2.2 requires of an origin server (the authority gets the
  ``Host`` rules above);
- once the first byte of a request has arrived, its head must be complete within ``head_timeout`` seconds or the
  client gets 408; a body must arrive within ``body_timeout`` seconds of its head, extended by a second for every
  ``body_min_rate`` bytes received (Apache's ``mod_reqtimeout`` rule), or the client gets 408, so a body trickled
  a byte at a time cannot hold its connection for ever; every read waits at most ``idle_timeout``, which is also
  how long an idle keep-alive connection is kept;
- with a TLS context, a connection whose first byte opens a TLS handshake is served over TLS (HTTPS) and any
  other over plain HTTP, on the same port; the handshake must end within ``head_timeout``;
- every answer carries a ``Date`` (RFC 9110 section 6.6.1: an origin server with a clock must send one), unless
  the application set its own: the AWS SDKs for Java 2.x, .NET and Rust read the server's time from it to correct
  a client clock that is off
  (docs/behaviour.md, "Sweep: the Java SDK v2, the .NET SDK and the Rust SDK on the wire");
- the listen backlog holds ``backlog`` connections, so a burst of clients is queued rather than refused;
- at most ``max_connections`` connections (each a thread) are open at once: at the limit, the connection idle
  longest (waiting for a request, or connected and silent) is closed to make room, and while none is idle new
  connections wait in the listen backlog until one ends, so silent clients cannot exhaust threads.

Requests under ``Limits.streamed_prefixes`` (the registry's ``/v2/``, whose layer uploads run to hundreds of
MB) get their body as a stream instead: ``wsgi.input`` reads h11's body events from the socket as the
application asks (``wsgi.input_terminated`` is set, ``max_body`` does not apply).  Any answer that declares its
``Content-Length`` is written chunk by chunk as the application yields it.

Malformed HTTP gets a 4xx with ``Connection: close`` and the connection is closed; the application never sees
it.  Every answer the server gives itself (those above, a body the application could not read, an application that
raised before its answer's head went out: 500) is shaped by the application's ``refusal_answer`` when it has one
(:data:`mockrunner.wsgi.RefusalAnswerer`; mockrunner's answers in the error shape of the service the head addresses,
:mod:`mockrunner.refusals`), from what was read of the request, else plain text.
``scripts/bench_protocol.py`` measures this server against moto's and a do-nothing floor.
"""
from __future__ import annotations

import logging
import re
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from io import BytesIO
from urllib.parse import unquote_to_bytes

import h11

from mockrunner.wsgi import (
    SIGNED_TRANSFER_ENCODING,
    Answer,
    BodyUnreadable,
    Cause,
    Refusal,
    RefusalAnswerer,
    WSGIApp,
    open_wsgi,
    plain_answer,
)

log = logging.getLogger("mockrunner.serving")
_REASONS = {status.value: status.phrase.encode("latin-1") for status in HTTPStatus}
RECV_SIZE = 65536
TLS_HANDSHAKE = b"\x16"  # the content type of the TLS record every ClientHello comes in
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024
# RFC 3986 host (IP-literal, IPv4address or reg-name) and optional port: ``authority`` without userinfo.
_ABSOLUTE_FORM = re.compile(rb"(?i)https?://([^/?#]*)([/?].*)?")
_HOST = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|\[v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+\]"
                   rb"|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?")


@dataclass(frozen=True)
class Limits:
    """What one connection may cost the server: sizes in bytes, times in seconds."""

    max_body: int = 64 * 1024 * 1024
    max_head: int = 64 * 1024
    max_target: int = 16 * 1024
    max_headers: int = 200
    head_timeout: float = 10.0
    idle_timeout: float = 120.0
    body_timeout: float = 20.0
    body_min_rate: int = 500
    """The body's deadline moves on by one second for every ``body_min_rate`` bytes received."""
    backlog: int = 1024
    max_connections: int = 512
    """Connections open at once; past it the longest-idle one is closed, or new ones wait in the backlog."""
    max_buffered_bodies: int = 512 * 1024 * 1024
    """Bytes of (non-streamed) request bodies held in memory at once, across connections; past it, 503."""
    streamed_prefixes: tuple[str, ...] = ("/v2/",)
    """Paths whose request bodies are streamed to the application (no ``max_body``)."""
    stream_drain: int = 1024 * 1024
    """After answering a streamed request, at most this much of a body the application left unread is read and
    dropped to keep the connection; past it the connection is closed."""


BODIES_HELD = "too many request bodies are being received at once; retry"
BODY_INCOMPLETE = "request body incomplete"


class HTTPError(Exception):
    """The request cannot be answered by the application: answer ``status`` with ``message`` (for ``cause``) and
    close."""

    def __init__(self, status: int, cause: Cause, message: str) -> None:
        super().__init__(message)
        self.refusal = Refusal(status, cause, message)


class _Closed(Exception):
    """The peer went away or stayed silent past the idle timeout: close without answering."""


class _Connection(socketserver.BaseRequestHandler):
    server: "LeanWSGIServer"

    def setup(self) -> None:
        self.held = 0  # bytes of the request's body counted against the server's BodyBudget
        self.connection: socket.socket = self.request  # becomes the TLS socket once a handshake is made
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.limits = self.server.limits
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head)
        self.secure = False
        self.awaiting_first_byte = self.server.tls_context is not None
        self.head_sent = False
        """Whether the head of the application's answer went out (a refusal after that would be a second answer)."""
        self.seen: dict | None = None
        """The environ of the request being read (without ``wsgi.input``), once its head is read whole: what the
        application's ``refusal_answer`` is told of a request the server refuses."""

    def handle(self) -> None:
        while not self.server.stopping:
            self.seen = None
            self.head_sent = False
            try:
                environ = self._read_request()
                if environ is None:
                    return
                self._respond(environ)
                self._give_back_body()
            except HTTPError as error:
                self._send_error(error.refusal)
                return
            except BodyUnreadable as error:  # the application let it pass: the server answers it
                self._send_error(error.refusal)
                return
            except h11.LocalProtocolError:  # the application's answer cannot be framed (e.g. a CR in a header)
                self._send_error(Refusal(500, Cause.UNFRAMABLE, "the application's response is not valid HTTP"))
                return
            except (_Closed, OSError):
                return
            except Exception:  # noqa: BLE001 - a bug in the application: answered if its head was not sent yet
                self._failed()
                return
            if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
                return
            self.h11.start_next_cycle()

    def finish(self) -> None:
        self._give_back_body()  # however the connection ended (an error answered, the peer gone)

    def _failed(self) -> None:
        """The application raised: logged, and answered 500 unless its answer's head went out already (then the
        connection is just closed, which the client sees as an answer cut short).  Without this the connection
        closed unanswered (a retry for an SDK, a reset for anyone else) and socketserver printed the traceback."""
        log.exception("the application failed on %s %s", *_named(self.seen))
        if self.h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            self._send_error(Refusal(500, Cause.FAILED, "the application failed to answer"))

    def _give_back_body(self) -> None:
        self.server.bodies.give_back(self.held)
        self.held = 0

    def _hold(self, size: int) -> None:
        """Count ``size`` more bytes of the body against the server's budget, or refuse the request (503)."""
        if not self.server.bodies.take(size):
            raise HTTPError(503, Cause.BUSY, BODIES_HELD)
        self.held += size

    def _receive(self, deadline: float | None, idle: bool = False, late: str = "request head not received in time"
                 ) -> int:
        """Feed the next bytes from the socket to h11, waiting at most the idle timeout and until ``deadline`` (past
        which the client gets 408 with ``late``); the number of bytes received.

        ``idle``: no byte of the next request has arrived, so the connection may be closed to make room for a new
        one; whatever arrives after that happened is dropped unanswered, as on any keep-alive connection closed.
        Once bytes arrive the head deadline runs: over TLS they may be part of a record, which ``recv`` waits for
        whole (a record cut short held its busy connection for the idle timeout, 120 s, not the head's 10 s).
        """
        started = idle
        while idle:  # marked busy before anything is read, so a connection closed to make room had nothing unread
            if not self.server.slots.idle(self.request):
                raise _Closed()
            if not _readable(self.connection, self.limits.idle_timeout) or not self.server.slots.busy(self.request):
                raise _Closed()
            # a TLS handshake is not a request: once it is made, the connection waits for one as an idle one does
            idle = self.awaiting_first_byte and self._start_tls_if_asked()
        if started:
            deadline = time.monotonic() + self.limits.head_timeout
        remaining = self.limits.idle_timeout if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise HTTPError(408, Cause.LATE, late)
        self.connection.settimeout(min(remaining, self.limits.idle_timeout))
        try:
            data = self.connection.recv(RECV_SIZE)
        except TimeoutError:  # a request past its deadline is answered; a silent connection is just closed
            if remaining <= self.limits.idle_timeout and deadline is not None:
                raise HTTPError(408, Cause.LATE, late) from None
            raise _Closed() from None
        self.h11.receive_data(data)
        return len(data)

    def _start_tls_if_asked(self) -> bool:
        """Make the TLS handshake when the connection's first byte opens one (else it speaks plain HTTP); whether
        it did."""
        self.awaiting_first_byte = False
        self.request.settimeout(self.limits.head_timeout)
        if self.request.recv(1, socket.MSG_PEEK) != TLS_HANDSHAKE:
            return False
        secure = self.server.tls_context.wrap_socket(self.request, server_side=True, do_handshake_on_connect=False)
        self.server.slots.adopt(self.request, secure)
        self.connection = secure
        secure.settimeout(self.limits.head_timeout)
        secure.do_handshake()  # a failed or slow handshake raises OSError: the connection closes unanswered
        self.secure = True
        return True

    def _next_event(self, head: bool = False) -> object:
        """The next h11 event; while reading a head, the head deadline runs from its first byte on, and while
        reading a body, the body deadline (see :meth:`_start_body`)."""
        deadline = None
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise self._protocol_error(error) from None
            if event is not h11.NEED_DATA:
                return event
            if not head:
                received = self._receive(self._body_deadline, late="request body not received in time")
                self._body_deadline += received / self.limits.body_min_rate
                continue
            if deadline is None and self.h11.trailing_data[0]:
                deadline = time.monotonic() + self.limits.head_timeout
            self._receive(deadline, idle=deadline is None)
            if deadline is None:
                deadline = time.monotonic() + self.limits.head_timeout

    def _invite_body(self) -> None:
        """Send ``100 Continue`` if the client waits for it before sending its body, and start the body's clock."""
        if self.h11.they_are_waiting_for_100_continue:
            interim = h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
            self.connection.sendall(self.h11.send(interim))
            self._start_body()

    def _start_body(self) -> None:
        """The body's clock starts: it must arrive within ``body_timeout`` plus a second per ``body_min_rate`` bytes."""
        self._body_deadline = time.monotonic() + self.limits.body_timeout

    def _protocol_error(self, error: h11.RemoteProtocolError) -> HTTPError:
        status = error.error_status_hint
        if status == 431:
            first_line_end = self.h11.trailing_data[0].find(b"\n")
            if first_line_end < 0 or first_line_end > self.limits.max_target:
                return HTTPError(414, Cause.TARGET_TOO_LONG, self._too_long())
            return HTTPError(431, Cause.HEAD_TOO_LARGE, self._head_too_large())
        cause = Cause.UNSUPPORTED if status == 501 else Cause.MALFORMED
        return HTTPError(status, cause, _without_repr(str(error)) or "malformed request")

    def _too_long(self) -> str:
        return f"request line too long: more than {self.limits.max_target} bytes"

    def _head_too_large(self) -> str:
        return f"request head too large: more than {self.limits.max_head} bytes"

    def _body_too_large(self) -> str:
        return f"request body too large: more than {self.limits.max_body} bytes"

    def _read_request(self) -> dict | None:
        event = self._next_event(head=True)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise HTTPError(400, Cause.MALFORMED, "malformed request")
        absolute = _ABSOLUTE_FORM.fullmatch(event.target)
        # read whole (h11 bounds an incomplete head, a complete one came in one read): a refusal from here on is
        # answered in the shape of whoever the head addresses (the application's ``refusal_answer``)
        self.seen = self._environ(event, absolute)
        if event.http_version not in (b"1.0", b"1.1"):
            raise HTTPError(400, Cause.MALFORMED, "unsupported HTTP version")
        if not all(_HOST.fullmatch(value) for name, value in event.headers if name == b"host"):
            raise HTTPError(400, Cause.MALFORMED, "invalid Host header")
        if absolute and not _HOST.fullmatch(absolute.group(1)):
            raise HTTPError(400, Cause.MALFORMED, "invalid authority in the request target")
        if len(event.target) > self.limits.max_target:
            raise HTTPError(414, Cause.TARGET_TOO_LONG, self._too_long())
        if len(event.headers) > self.limits.max_headers:
            raise HTTPError(431, Cause.HEAD_TOO_LARGE, f"too many header fields: more than {self.limits.max_headers}")
        # h11 bounds only an incomplete head; one that arrived whole in a large read is measured here
        if len(event.target) + sum(len(name) + len(value) + 4 for name, value in event.headers) > self.limits.max_head:
            raise HTTPError(431, Cause.HEAD_TOO_LARGE, self._head_too_large())
        environ = dict(self.seen)
        length = environ.get("CONTENT_LENGTH")
        if length is not None and self.h11.their_state is h11.SEND_BODY and _is_chunked(event):
            # a request smuggling shape
            raise HTTPError(400, Cause.MALFORMED, "both Content-Length and Transfer-Encoding")
        streamed = environ["PATH_INFO"].startswith(self.limits.streamed_prefixes)
        if length is not None and int(length) > self.limits.max_body and not streamed:
            raise HTTPError(413, Cause.BODY_TOO_LARGE, self._body_too_large())
        if length is not None and not streamed and not self.server.bodies.fits(int(length)):
            # before ``100 Continue``; nothing is held for a body announced, only for bytes received (else a few
            # heads announcing 64 MiB each, and no body, would have every request's body refused)
            raise HTTPError(503, Cause.BUSY, BODIES_HELD)
        if not streamed or length == "0":  # nothing to wait for in an empty body
            self._invite_body()
        self._start_body()
        if streamed:  # ``100 Continue`` once the application reads the body (:class:`_BodyStream`)
            if length is None:
                environ.pop("CONTENT_LENGTH", None)
            environ["wsgi.input"] = _BodyStream(self)
            environ["wsgi.input_terminated"] = True
            return environ
        body = self._read_body()
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = BytesIO(body)
        return environ

    def _environ(self, request: h11.Request, absolute: re.Match | None) -> dict:
        """The WSGI environ of ``request``; ``absolute``: its target's absolute form, whose authority is the Host.

        A header field whose name holds an underscore is left out, as gunicorn (22 on), nginx and Apache do: WSGI
        names headers with underscores for hyphens, so ``Content_Length`` would become the ``CONTENT_LENGTH`` h11
        did not frame the body by (``abc`` there was an uncaught ``ValueError``, the connection dropped unanswered;
        a large one a 413 for a small body) and ``X_Amz_Date`` one variable with ``X-Amz-Date``.  A client that
        signs such a header gets SignatureDoesNotMatch (its value reads as empty)."""
        target = (_origin_form(absolute) if absolute else request.target).decode("latin-1")
        path, _, query = target.partition("?")
        environ = self.server.base_environ.copy()
        if self.secure:
            environ.update({"wsgi.url_scheme": "https", "HTTPS": "on"})
        environ.update({
            "REQUEST_METHOD": request.method.decode("latin-1"),
            "PATH_INFO": _unquote_path(path),
            "QUERY_STRING": query,
            "RAW_URI": target,
            "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("latin-1"),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
        })
        for raw_name, raw_value in request.headers.raw_items():
            if b"_" in raw_name:
                continue  # see _environ's docstring: never the same variable as a header spelled with hyphens
            key = raw_name.decode("latin-1").upper().replace("-", "_")
            value = raw_value.decode("latin-1")
            if key == "TRANSFER_ENCODING":  # h11 de-chunks the body; the application sees a plain CONTENT_LENGTH
                environ[SIGNED_TRANSFER_ENCODING] = value  # and the header only where a signature may cover it
                continue
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
            else:
                key = "HTTP_" + key
                environ[key] = environ[key] + "," + value if key in environ else value
        if absolute:
            environ["HTTP_HOST"] = absolute.group(1).decode("latin-1")
        return environ

    def _read_body(self) -> bytes:
        chunks = []
        total = 0
        while True:
            event = self._next_event()
            if isinstance(event, h11.Data):
                total += len(event.data)
                if total > self.limits.max_body:
                    raise HTTPError(413, Cause.BODY_TOO_LARGE, self._body_too_large())
                self._hold(len(event.data))  # held as it arrives
                chunks.append(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return b"".join(chunks)
            else:  # ConnectionClosed before the body was complete
                raise HTTPError(400, Cause.ABORTED, BODY_INCOMPLETE)

    def _respond(self, environ: dict) -> None:
        """Run the application and send its answer (streamed when it declares its ``Content-Length``)."""
        with open_wsgi(self.server.app, environ) as (status, headers, chunks):
            code, _, reason = status.partition(" ")
            head = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
                    if code not in _NO_CONTENT or name.lower() != "content-length"]
            if not any(name.lower() == b"date" for name, _ in head):
                head.append((b"Date", http_date()))
            declared = any(name.lower() == b"content-length" for name, _ in head)
            body = b"" if declared else b"".join(chunks)
            if not declared and code not in _NO_CONTENT:
                head.append((b"Content-Length", str(len(body)).encode("ascii")))
            stream = environ["wsgi.input"]
            uninvited = self.h11.they_are_waiting_for_100_continue  # the body was not asked for: none is read
            if uninvited or isinstance(stream, _BodyStream) and not stream.finish(self.limits.stream_drain):
                head.append((b"Connection", b"close"))  # the unread rest of the body is still on the connection
            elif self.server.stopping:
                head.append((b"Connection", b"close"))
            response = h11.Response(status_code=int(code), headers=head, reason=reason.encode("latin-1"))
            self.connection.settimeout(self.limits.idle_timeout)
            if environ["REQUEST_METHOD"] == "HEAD" or not declared:
                payload = b"" if environ["REQUEST_METHOD"] == "HEAD" else body
                self.connection.sendall(self.h11.send(response) + self.h11.send(h11.Data(data=payload))
                                        + self.h11.send(h11.EndOfMessage()))
            else:
                self.connection.sendall(self.h11.send(response))
                self.head_sent = True
                for chunk in chunks:
                    if chunk:
                        self.connection.sendall(self.h11.send(h11.Data(data=chunk)))
                self.connection.sendall(self.h11.send(h11.EndOfMessage()))
            if uninvited:  # a client that sends its body anyway (after its wait) must not reset the answer away
                self.connection.shutdown(socket.SHUT_WR)
                self._drain()

    def _send_error(self, refusal: Refusal) -> None:
        """Answer ``refusal`` with ``Connection: close``, in the shape the application's ``refusal_answer`` gives it
        (plain text without one, or when it fails), then linger so that closing does not reset the answer away.

        Once the head of the application's answer went out nothing is sent: a second answer would land inside the
        first one's body (the client read ``abcHTTP/1.`` as a ``200``'s body); the connection is just closed, which
        the client sees as an answer cut short."""
        if self.head_sent:
            log.error("the answer to %s %s was cut short: %s", *_named(self.seen), refusal.message)
            return
        status, headers, body = _shaped(getattr(self.server.app, "refusal_answer", plain_answer), self.seen, refusal)
        lines = [b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b""))]
        lines += [b"%s: %s" % (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        lines += [b"Content-Length: %d" % len(body), b"Date: " + http_date(), b"Connection: close", b"", b""]
        if self.seen is not None and self.seen["REQUEST_METHOD"] == "HEAD":
            body = b""  # the length a GET would have been answered with, and no body (RFC 9110 section 9.3.2)
        head = b"\r\n".join(lines)
        try:
            self.connection.settimeout(self.limits.idle_timeout)
            self.connection.sendall(head + body)
            self.connection.shutdown(socket.SHUT_WR)
            self._drain()
        except OSError:
            return

    def _drain(self) -> None:
        """Read and drop what the client still sends, for at most ``LINGER_SECONDS`` and ``LINGER_BYTES``.

        Closing a socket with unread input makes the kernel send a reset, which can destroy the error answer
        before the client has read it; a bounded drain lets the client see why it was refused.
        """
        deadline = time.monotonic() + LINGER_SECONDS
        received = 0
        while received < LINGER_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.connection.settimeout(remaining)
            data = self.connection.recv(RECV_SIZE)
            if not data:
                return
            received += len(data)


class _BodyStream:
    """A request body read from the connection as the application asks for it (h11 de-frames it); a body that does
    not arrive in time or whose client stops sending raises :class:`BodyUnreadable` (the application answers it:
    a registry upload whose body deadline passed was a 500 with a traceback logged)."""

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection
        self._buffer = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = RECV_SIZE
        if not self._done and not self._buffer:
            self._connection._invite_body()
        while not self._buffer and not self._done:
            try:
                event = self._connection._next_event()
            except HTTPError as error:
                raise BodyUnreadable(error.refusal) from None
            except OSError:  # the connection broke (reset, a TLS error): no answer will reach the client
                raise BodyUnreadable(Refusal(400, Cause.ABORTED, BODY_INCOMPLETE)) from None
            if isinstance(event, h11.Data):
                self._buffer = bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
            else:  # ConnectionClosed before the body was complete
                raise BodyUnreadable(Refusal(400, Cause.ABORTED, BODY_INCOMPLETE))
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def finish(self, limit: int) -> bool:
        """Read and drop what the application left unread (at most ``limit`` bytes); whether the body is done."""
        try:
            while not self._done and limit > 0:
                limit -= len(self.read(min(limit, RECV_SIZE)))
        except BodyUnreadable:
            return False
        return self._done and not self._buffer


def _shaped(answerer: RefusalAnswerer, seen: dict | None, refusal: Refusal) -> Answer:
    """``answerer``'s answer to ``refusal``, or the plain one if it fails: a refusal is always answered.  A header
    with a CR, LF or NUL (which would end the head early) or outside latin-1 fails it too."""
    try:
        status, headers, body = answerer(seen, refusal)
        for name, value in headers:
            if _UNSAFE.search(name + value):
                raise ValueError("a header of the refusal cannot be written")
            (name + value).encode("latin-1")
        return int(status), headers, bytes(body)
    except Exception:  # noqa: BLE001 - the refusal goes out whatever the application's shaping did
        log.exception("the refusal %s could not be shaped; answered in plain text", refusal.status)
        return plain_answer(seen, refusal)


_UNSAFE = re.compile(r"[\r\n\x00]")
_REPR = re.compile(r": (?:bytearray\()?b['\"].*", re.DOTALL)


def _without_repr(message: str) -> str:
    """h11's message without the Python ``repr`` of the offending bytes it ends with (``illegal chunk header:
    bytearray(b'zz')``): an internal detail, and up to 64 KiB of the client's own bytes echoed back."""
    return _REPR.sub("", message)


def _named(seen: dict | None) -> tuple[str, str]:
    """The method and path of the request ``seen`` (``-`` for what was not read), as the log names it."""
    seen = seen or {}
    return seen.get("REQUEST_METHOD", "-"), repr(seen.get("PATH_INFO", "-"))


def http_date() -> bytes:
    """The current time as an HTTP ``Date`` value (IMF-fixdate: ``Wed, 02 Dec 2026 07:34:11 GMT``), the one form
    every SDK's parser reads (.NET's is an exact ``ddd, dd MMM yyyy HH:mm:ss GMT``)."""
    return formatdate(usegmt=True).encode("ascii")


def _origin_form(absolute: re.Match) -> bytes:
    """The path and query of an absolute-form target (``http://host`` alone is ``/``)."""
    rest = absolute.group(2) or b""
    return rest if rest.startswith(b"/") else b"/" + rest


_NO_CONTENT = ("204", "304")
"""Statuses whose answer has no body and, from this server, no ``Content-Length``, whatever the application gave
(RFC 9110 section 8.6: a server MUST NOT send one with a 204; a 304's would have to be the one a 200 would carry)."""


def _is_chunked(request: h11.Request) -> bool:
    return any(name == b"transfer-encoding" for name, _ in request.headers)


def _unquote_path(path: str) -> str:
    """WSGI wants PATH_INFO percent-decoded and carried as latin-1 text of the UTF-8 bytes (PEP 3333)."""
    if "%" not in path:
        return path
    return unquote_to_bytes(path).decode("latin-1")


class BodyBudget:
    """Bytes of request bodies held in memory at once, across connections: at most ``limit``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        with self._lock:
            return self._held

    def fits(self, size: int) -> bool:
        """Whether ``size`` more bytes would fit now (nothing is counted)."""
        with self._lock:
            return self._held + size <= self._limit

    def take(self, size: int) -> bool:
        """Count ``size`` more bytes if they fit in the budget; whether they did."""
        with self._lock:
            if self._held + size > self._limit:
                return False
            self._held += size
            return True

    def give_back(self, size: int) -> None:
        with self._lock:
            self._held -= size


class _ConnectionSlots:
    """At most ``limit`` open connections.  At the limit the longest-idle one is closed to make room; while none
    is idle, the accepting thread waits for one to end (new clients queue in the listen backlog meanwhile).

    A connection is known by the socket ``accept`` returned; :meth:`adopt` records the TLS socket that took it over.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._open: set[socket.socket] = set()
        self._speaking: dict[socket.socket, socket.socket] = {}  # accepted socket -> the TLS socket on it
        self._idle: dict[socket.socket, None] = {}  # waiting for the first byte of a request, longest-idle first
        self._changed = threading.Condition()

    @property
    def idle_count(self) -> int:
        """Connections waiting for a request (the ones that would be closed first to make room)."""
        with self._changed:
            return len(self._idle)

    def acquire(self, connection: socket.socket, stopping: Callable[[], bool]) -> bool:
        """Give ``connection`` a slot, waiting for one if need be; False if the server stopped meanwhile."""
        with self._changed:
            while len(self._open) >= self._limit and not self._close_longest_idle():
                if stopping():
                    return False
                self._changed.wait(0.25)
            self._open.add(connection)
            return True

    def adopt(self, connection: socket.socket, speaking: socket.socket) -> None:
        """``speaking`` (a TLS socket) now speaks on ``connection``."""
        with self._changed:
            self._speaking[connection] = speaking

    def _close_longest_idle(self) -> bool:
        """Close the longest-idle connection that has nothing unread (bytes that arrived make it busy)."""
        for connection in self._idle:
            speaking = self._speaking.get(connection, connection)
            if _readable(speaking, 0):
                continue  # a request (or the peer's close) arrived; its thread is about to read it
            del self._idle[connection]
            self._open.discard(connection)
            try:  # wakes its thread; the socket is still open, as only release() precedes closing it
                socket.socket.shutdown(speaking, socket.SHUT_RDWR)  # TCP's, not TLS's: nothing is sent on it
            except OSError:
                pass
            return True
        return False

    def idle(self, connection: socket.socket) -> bool:
        """``connection`` waits for a request; False if it was closed to make room already."""
        with self._changed:
            if connection not in self._open:
                return False
            self._idle[connection] = None
            return True

    def busy(self, connection: socket.socket) -> bool:
        """A request started arriving on ``connection``; False if it was closed to make room first."""
        with self._changed:
            self._idle.pop(connection, None)
            return connection in self._open

    def release(self, connection: socket.socket) -> socket.socket:
        """Free ``connection``'s slot; the socket that spoke on it (to close)."""
        with self._changed:
            self._idle.pop(connection, None)
            self._open.discard(connection)
            speaking = self._speaking.pop(connection, connection)
            self._changed.notify_all()
            return speaking


def _readable(connection: socket.socket, timeout: float) -> bool:
    """Whether ``connection`` has bytes (or the peer's close) to read within ``timeout`` seconds, reading nothing."""
    if isinstance(connection, ssl.SSLSocket) and connection.pending():
        return True  # decrypted bytes TLS holds already
    poll = select.poll()
    poll.register(connection, select.POLLIN)
    return bool(poll.poll(timeout * 1000))


class LeanWSGIServer(socketserver.ThreadingTCPServer):
    """A thread per connection, at most ``Limits.max_connections``; ``shutdown()`` returns within one poll interval."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, host: str, port: int, app: WSGIApp, limits: Limits | None = None,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.app = app
        self.limits = limits or Limits()
        self.tls_context = tls_context
        self.request_queue_size = self.limits.backlog
        self.slots = _ConnectionSlots(self.limits.max_connections)
        self.bodies = BodyBudget(self.limits.max_buffered_bodies)
        self.stopping = False
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Connection)
        self.server_port = self.server_address[1]
        self.base_environ = {
            "SCRIPT_NAME": "",
            "SERVER_NAME": host,
            "SERVER_PORT": str(self.server_port),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }

    def process_request(self, request: socket.socket, client_address: object) -> None:
        if not self.slots.acquire(request, lambda: self.stopping):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        speaking = self.slots.release(request)  # first: a socket is only shut down to make room while it has a slot
        if speaking is not request:
            speaking.close()  # the TLS socket took the connection over from ``request``
        super().shutdown_request(request)

    def shutdown(self) -> None:
        self.stopping = True
        super().shutdown()


def make_server(host: str, port: int, app: WSGIApp, limits: Limits | None = None,
                tls_context: ssl.SSLContext | None = None) -> LeanWSGIServer:
    """The server ``mockrunner serve`` runs; with ``tls_context`` it answers HTTPS and plain HTTP on one port."""
    return LeanWSGIServer(host, port, app, limits, tls_context)
