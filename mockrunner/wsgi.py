"""Running one request through a WSGI application and collecting its whole answer.

The HTTP server (:mod:`mockrunner.serving`) and the socket-less botocore hook (:mod:`mockrunner.testing.inprocess`)
both need the status, the headers and the complete body before they answer, and both must close the app's
iterable even when reading it fails (PEP 3333): one function does it for both.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

WSGIApp = Callable[[dict, Callable], Any]


def call_wsgi(app: WSGIApp, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """``(status line, headers, body)`` of ``app``'s answer to ``environ``."""
    state: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        state["status"] = status
        state["headers"] = headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return state["status"], state["headers"], body
