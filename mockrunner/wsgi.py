"""Running one request through a WSGI application and collecting its answer.

The HTTP server (:mod:`mockrunner.serving`) and the socket-less botocore hook (:mod:`mockrunner.testing.inprocess`)
both need the status and the headers before they answer, and both must close the app's iterable even when
reading it fails (PEP 3333): :func:`open_wsgi` does it for both; :func:`call_wsgi` also joins the body.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

WSGIApp = Callable[[dict, Callable], Any]

SIGNED_TRANSFER_ENCODING = "mockrunner.transfer_encoding"
"""The environ key where the server keeps a request's ``Transfer-Encoding``: it has de-chunked the body, so the
header is not the application's to act on (no ``HTTP_TRANSFER_ENCODING``), but a SigV4 signature may cover it
(curl's ``--aws-sigv4`` signs every header it sends)."""


class BodyUnreadable(Exception):
    """``wsgi.input`` cannot give the rest of the request body: it did not arrive in time (``status`` 408) or the
    client stopped sending it (400).  Raised by the server's streamed input (:mod:`mockrunner.serving`); the
    application answers ``status`` with ``message`` in its own error shape (it is a failure of the request, not of
    the application) and the server closes the connection after the answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@contextmanager
def open_wsgi(app: WSGIApp, environ: dict) -> Iterator[tuple[str, list[tuple[str, str]], Iterable[bytes]]]:
    """``(status line, headers, body chunks)`` of ``app``'s answer; the app's iterable is closed on exit."""
    state: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        state["status"] = status
        state["headers"] = headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        chunks = iter(result)
        if "status" not in state:  # an app may call start_response when its first chunk is asked for
            first = next(chunks, b"")
            chunks = itertools.chain((first,), chunks)
        yield state["status"], state["headers"], chunks
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def call_wsgi(app: WSGIApp, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """``(status line, headers, body)`` of ``app``'s answer to ``environ``."""
    with open_wsgi(app, environ) as (status, headers, chunks):
        return status, headers, b"".join(chunks)
