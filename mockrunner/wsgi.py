"""Running one request through a WSGI application and collecting its answer.

The HTTP server (:mod:`mockrunner.serving`) and the socket-less botocore hook (:mod:`mockrunner.testing.inprocess`)
both need the status and the headers before they answer, and both must close the app's iterable even when
reading it fails (PEP 3333): :func:`open_wsgi` does it for both; :func:`call_wsgi` also joins the body.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WSGIApp = Callable[[dict, Callable], Any]

SIGNED_TRANSFER_ENCODING = "mockrunner.transfer_encoding"
"""The environ key where the server keeps a request's ``Transfer-Encoding``: it has de-chunked the body, so the
header is not the application's to act on (no ``HTTP_TRANSFER_ENCODING``), but a SigV4 signature may cover it
(curl's ``--aws-sigv4`` signs every header it sends)."""


class Cause(StrEnum):
    """Why the server answers a request itself: refused before or while it was read, or the application failed."""

    MALFORMED = "malformed"
    """Not HTTP/1.x the server can frame: a bad request line or header, an invalid Host, both lengths (400)."""
    TARGET_TOO_LONG = "target-too-long"
    """The request target past the server's limit (414)."""
    HEAD_TOO_LARGE = "head-too-large"
    """The head past the server's size or field-count limit (431)."""
    UNSUPPORTED = "unsupported"
    """A ``Transfer-Encoding`` the server does not implement (h11's 501)."""
    LATE = "late"
    """The head or the body did not arrive in time (408)."""
    BODY_TOO_LARGE = "body-too-large"
    """The body past the server's limit (413)."""
    ABORTED = "aborted"
    """The client stopped sending before its body was complete (400)."""
    BUSY = "busy"
    """The bytes of request bodies held in memory at once are at their limit; a retry later can pass (503)."""
    UNFRAMABLE = "unframable"
    """The application's answer cannot be written as HTTP (500)."""
    FAILED = "failed"
    """The application raised before its answer's head was sent (500)."""


@dataclass(frozen=True)
class Refusal:
    """A request the server answers itself: ``status`` with ``message``, for ``cause``."""

    status: int
    cause: Cause
    message: str


Answer = tuple[int, list[tuple[str, str]], bytes]
"""``(status, headers, body)`` of an answer the server writes itself (it adds ``Content-Length``, ``Date`` and
``Connection: close``)."""

RefusalAnswerer = Callable[[dict | None, Refusal], Answer]
"""How an application shapes the server's refusals: given what the server read of the request (its WSGI environ
without ``wsgi.input``; ``None`` when the head was never read whole) and the refusal.  An application offers one
as its ``refusal_answer`` attribute; the server uses :func:`plain_answer` for any other."""


def plain_answer(environ: dict | None, refusal: Refusal) -> Answer:
    """The refusal's message as ``text/plain``: what the server answers when it cannot tell who the request is for."""
    return refusal.status, [("Content-Type", "text/plain; charset=utf-8")], refusal.message.encode("utf-8")


class BodyUnreadable(Exception):
    """``wsgi.input`` cannot give the rest of the request body: it did not arrive in time (``status`` 408) or the
    client stopped sending it (400).  Raised by the server's streamed input (:mod:`mockrunner.serving`); the
    application answers ``status`` with ``message`` in its own error shape (it is a failure of the request, not of
    the application) and the server closes the connection after the answer."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
        self.status = refusal.status
        self.message = refusal.message


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
