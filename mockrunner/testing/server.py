"""A real HTTP server on a background thread, for tests that need an endpoint URL."""
from __future__ import annotations

import threading
from typing import Any

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.serving import make_server


class ThreadedServer:
    """Serve a mockrunner app on ``host:port`` (port 0 picks a free one) until :meth:`stop`.

    The same HTTP server ``mockrunner serve`` runs (:func:`mockrunner.serving.make_server`).  Usable as a
    context manager.  ``poll_interval`` is short so that stopping takes milliseconds rather than
    the half second socketserver's default poll would cost every test.
    """

    def __init__(self, settings: Settings | None = None, host: str = "127.0.0.1", port: int = 0,
                 app: Any = None, poll_interval: float = 0.01) -> None:
        self.app = app or create_app(settings or Settings(log_requests=False))
        self.host = host
        self._requested_port = port
        self._poll_interval = poll_interval
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def store(self):
        return self.app.store

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return self._server.server_port

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "ThreadedServer":
        self._server = make_server(self.host, self._requested_port, self.app)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": self._poll_interval},
            name="mockrunner-server", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
