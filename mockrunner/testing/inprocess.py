"""Serve botocore requests from the WSGI app without sockets.

A ``before-send`` handler receives botocore's prepared request, runs it through the very same WSGI app the
server runs (so signing, routing, auth and serialization are exercised exactly as over HTTP) and hands back an
``AWSResponse``; botocore then parses it as if it came off the wire.
"""
from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from mockrunner.protocol import specs
from mockrunner.testing.first_answer import ATTACHED_HOOK
from mockrunner.wsgi import WSGIApp, call_wsgi


class _Raw:
    """The ``raw`` object AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def environ_for(request: AWSPreparedRequest) -> dict[str, Any]:
    url = urlsplit(request.url)
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, (bytes, bytearray)):
        body = body.read()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(url.path) or "/",
        "QUERY_STRING": url.query,
        "RAW_URI": (url.path or "/") + (f"?{url.query}" if url.query else ""),
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        if "_" in name:
            continue  # as the HTTP server leaves it out (mockrunner.serving: one WSGI variable with a hyphenated name)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ["HTTP_" + key] = value
    if "HTTP_HOST" not in environ and url.netloc:
        environ["HTTP_HOST"] = url.netloc
    return environ


def call_app(app: WSGIApp, request: AWSPreparedRequest) -> AWSResponse:
    """Run one prepared request through ``app`` and return botocore's response object."""
    status, headers, body = call_wsgi(app, environ_for(request))
    return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(headers), _Raw(body))


class BeforeSendHook:
    """The in-process hook: a botocore ``before-send`` handler that answers mockrunner's services from a WSGI app.

    ``app_for()`` names the app that answers now (``None``: let botocore send the request as usual).  Requests of
    services mockrunner does not serve are left alone, and a request is answered once even by an emitter that
    carries the hook twice (botocore calls every registered copy; a retry prepares a new request).  The test
    harness attaches one to each client; ``mock_apprunner`` registers one for the whole process.
    """

    def __init__(self, app_for: Callable[[], WSGIApp | None]) -> None:
        self.app_for = app_for

    def __call__(self, request: AWSPreparedRequest, event_name: str = "", **_: Any) -> AWSResponse | None:
        app = self.app_for()
        if app is None or getattr(request, _ANSWERED, False):
            return None
        dot = event_name.find(".")
        if event_name[dot + 1:event_name.find(".", dot + 1)] not in specs.by_event_name():
            return None
        setattr(request, _ANSWERED, True)
        return call_app(app, request)

    def attach(self, client: Any) -> Any:
        """Route one boto3/botocore client's calls to the app; returns the client for chaining.  The client's
        emitter names the hook too, so that it answers first while a ``mock_apprunner`` is active
        (:mod:`mockrunner.testing.first_answer`)."""
        client.meta.events.register_first("before-send", self)
        setattr(client.meta.events, ATTACHED_HOOK, self)
        return client


_ANSWERED = "_mockrunner_answered"
"""Set on a prepared request once a hook has answered it."""
