"""The HTTP server ``mockrunner serve`` and the threaded test server run: a lean HTTP/1.1 WSGI server.

Why not werkzeug's development server: it parses every request with ``http.server``/``email`` machinery and
costs about 1.5 ms per call on a keep-alive connection, several times the whole of mockrunner's own work.  AWS
SDKs send small, well-formed requests over persistent connections, so a thread per connection that reads the
request line, headers and a ``Content-Length`` (or chunked) body and writes one response is enough, and it
costs a fraction of that (``scripts/bench_protocol.py`` measures both side by side).  Malformed HTTP gets a
400 and the connection is closed; the application itself never sees it.

Requests under ``streamed_prefixes`` (the registry's ``/v2/``, whose layer uploads run to hundreds of MB) get
their body as a stream instead (``wsgi.input`` reads from the socket, ``wsgi.input_terminated`` is set, no size
limit), and any answer that declares its ``Content-Length`` is written chunk by chunk as the app yields it.
"""
from __future__ import annotations

import io
import socket
import socketserver
import sys
from http import HTTPStatus

from mockrunner.wsgi import WSGIApp, open_wsgi

MAX_HEADER_LINE = 65536
MAX_HEADERS = 200
IDLE_TIMEOUT = 120.0
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class BadRequest(Exception):
    """The bytes on the connection are not an HTTP/1.x request we can answer."""


class _Connection(socketserver.StreamRequestHandler):
    server: "LeanWSGIServer"
    rbufsize = 65536
    timeout = IDLE_TIMEOUT

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        while not self.server.stopping:
            try:
                request = self._read_request()
            except BadRequest as error:
                self._write_plain(400, str(error))
                return
            except (OSError, ValueError):
                return
            if request is None:
                return
            keep_alive = self._respond(*request)
            if not keep_alive:
                return

    def _read_request(self) -> tuple[dict, bool] | None:
        line = self.rfile.readline(MAX_HEADER_LINE + 1)
        while line in (b"\r\n", b"\n"):
            line = self.rfile.readline(MAX_HEADER_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_HEADER_LINE:
            raise BadRequest("request line too long")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("malformed request line")
        method, target, version = parts
        headers = self._read_headers()
        path, _, query = target.partition("?")
        environ = self.server.base_environ.copy()
        environ.update({
            "REQUEST_METHOD": method,
            "PATH_INFO": _unquote_path(path),
            "QUERY_STRING": query,
            "RAW_URI": target,
            "SERVER_PROTOCOL": version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
        })
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
            else:
                key = "HTTP_" + key
                environ[key] = environ[key] + "," + value if key in environ else value
        if environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if path.startswith(self.server.streamed_prefixes):
            environ["wsgi.input"] = self._body_stream(environ)
            environ["wsgi.input_terminated"] = True
        else:
            body = self._read_body(environ)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(body)
        connection = environ.get("HTTP_CONNECTION", "").lower()
        keep_alive = version == "HTTP/1.1" and connection != "close" or connection == "keep-alive"
        return environ, keep_alive

    def _read_headers(self) -> list[tuple[str, str]]:
        headers = []
        while True:
            line = self.rfile.readline(MAX_HEADER_LINE + 1)
            if len(line) > MAX_HEADER_LINE:
                raise BadRequest("header line too long")
            if line in (b"\r\n", b"\n", b""):
                return headers
            if len(headers) >= MAX_HEADERS:
                raise BadRequest("too many headers")
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise BadRequest("malformed header line")
            headers.append((name, value.strip()))

    def _read_body(self, environ: dict) -> bytes:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ.pop("HTTP_TRANSFER_ENCODING")
            return self._read_chunked()
        length_text = environ.get("CONTENT_LENGTH") or "0"
        if not length_text.isdigit():
            raise BadRequest("invalid Content-Length")
        length = int(length_text)
        if length > self.server.max_body:
            raise BadRequest("request body too large")
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise BadRequest("request body shorter than Content-Length")
        return body

    def _body_stream(self, environ: dict) -> "_BodyStream":
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            environ.pop("HTTP_TRANSFER_ENCODING")
            environ.pop("CONTENT_LENGTH", None)
            return _BodyStream(self, None)
        length_text = environ.get("CONTENT_LENGTH") or "0"
        if not length_text.isdigit():
            raise BadRequest("invalid Content-Length")
        return _BodyStream(self, int(length_text))

    def _read_chunked(self) -> bytes:
        chunks = []
        total = 0
        while True:
            size_line = self.rfile.readline(MAX_HEADER_LINE + 1).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BadRequest("malformed chunk size") from None
            if size == 0:
                self._read_headers()
                return b"".join(chunks)
            total += size
            if total > self.server.max_body:
                raise BadRequest("request body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _respond(self, environ: dict, keep_alive: bool) -> bool:
        with open_wsgi(self.server.app, environ) as (status, headers, chunks):
            head = [f"HTTP/1.1 {status}"]
            length = None
            for name, value in headers:
                lower = name.lower()
                if lower == "content-length":
                    length = value
                elif lower == "connection" and value.lower() == "close":
                    keep_alive = False
                head.append(f"{name}: {value}")
            stream = environ["wsgi.input"]
            if isinstance(stream, _BodyStream) and not stream.finish():
                keep_alive = False  # the unread rest of the body is still on the connection
            body = b"" if length is not None else b"".join(chunks)
            if length is None:
                head.append(f"Content-Length: {len(body)}")
            if not keep_alive:
                head.append("Connection: close")
            payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
            if environ["REQUEST_METHOD"] == "HEAD":
                self.wfile.write(payload)
            elif length is None:
                self.wfile.write(payload + body)
            else:
                self.wfile.write(payload)
                for chunk in chunks:
                    self.wfile.write(chunk)
        return keep_alive

    def _write_plain(self, status: int, message: str) -> None:
        body = message.encode("utf-8")
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        try:
            self.wfile.write(head.encode("latin-1") + body)
        except OSError:
            return


class _BodyStream:
    """A request body read from the connection as the app asks for it (``Content-Length`` or chunked)."""

    def __init__(self, connection: _Connection, length: int | None) -> None:
        self._rfile = connection.rfile
        self._remaining = length
        self._chunk_left = 0
        self._done = length == 0

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        if size is None or size < 0:
            size = 1 << 20
        if self._remaining is not None:
            data = self._rfile.read(min(size, self._remaining))
            if not data:
                raise BadRequest("request body shorter than Content-Length")
            self._remaining -= len(data)
            self._done = self._remaining == 0
            return data
        if self._chunk_left == 0:
            size_line = self._rfile.readline(MAX_HEADER_LINE + 1).split(b";", 1)[0].strip()
            try:
                self._chunk_left = int(size_line, 16)
            except ValueError:
                raise BadRequest("malformed chunk size") from None
            if self._chunk_left == 0:
                while self._rfile.readline(MAX_HEADER_LINE + 1) not in (b"\r\n", b"\n", b""):
                    continue
                self._done = True
                return b""
        data = self._rfile.read(min(size, self._chunk_left))
        if not data:
            raise BadRequest("chunked body ended early")
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self._rfile.readline(3)
        return data

    def finish(self, limit: int = 1 << 20) -> bool:
        """Read what the app left unread (up to ``limit`` bytes); whether the body is now fully read."""
        try:
            while not self._done and limit > 0:
                data = self.read(min(limit, 65536))
                limit -= len(data)
        except (BadRequest, OSError):
            return False
        return self._done


def _unquote_path(path: str) -> str:
    """WSGI wants PATH_INFO percent-decoded and carried as latin-1 text of the UTF-8 bytes (PEP 3333)."""
    if "%" not in path:
        return path
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(path).decode("latin-1")


class LeanWSGIServer(socketserver.ThreadingTCPServer):
    """A thread per connection; ``shutdown()`` returns within one poll interval."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, host: str, port: int, app: WSGIApp, max_body: int = 64 * 1024 * 1024,
                 streamed_prefixes: tuple[str, ...] = ("/v2/",)) -> None:
        self.app = app
        self.max_body = max_body
        self.streamed_prefixes = streamed_prefixes
        self.stopping = False
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
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

    def shutdown(self) -> None:
        self.stopping = True
        super().shutdown()


def make_server(host: str, port: int, app: WSGIApp) -> LeanWSGIServer:
    return LeanWSGIServer(host, port, app)
