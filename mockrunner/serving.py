"""The HTTP server ``mockrunner serve`` runs."""
from __future__ import annotations

from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.serving import make_server as werkzeug_server


class _QuietHandler(WSGIRequestHandler):
    """The app logs one line per request itself; werkzeug's access log would double it."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def make_server(host: str, port: int, app: Any) -> BaseWSGIServer:
    return werkzeug_server(host, port, app, threaded=True, request_handler=_QuietHandler)
