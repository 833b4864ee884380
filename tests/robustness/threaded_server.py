"""The shipped HTTP server (:func:`mockrunner.serving.make_server`) on a loopback port in a background thread, for
tests that need its framing with an app or limits of their own."""
from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mockrunner.serving import Limits, make_server


@contextmanager
def serving(app: object, limits: Limits, context: ssl.SSLContext | None = None) -> Iterator[int]:
    """Serve ``app`` with ``limits`` (over TLS with ``context``) until the block ends; its port."""
    server = make_server("127.0.0.1", 0, app, limits, context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
