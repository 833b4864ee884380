"""Waiting, bounded, for a test's private daemon to answer."""
from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Protocol


class Daemon(Protocol):
    socket: str

    def log(self) -> str: ...

    def stop(self) -> None: ...


def wait_until_ready(daemon: Daemon, process: subprocess.Popen, probe: Callable[[], bool], timeout: float,
                     poll: float, unavailable: type[Exception], name: str) -> None:
    """Return once ``daemon``'s socket exists and ``probe()`` is true; if ``process`` exits or ``timeout`` seconds
    pass first, stop the daemon and raise ``unavailable`` with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if os.path.exists(daemon.socket) and probe():
            return
        time.sleep(poll)
    log_text = daemon.log()
    daemon.stop()
    raise unavailable(f"{name} did not start (exit {process.returncode}): {log_text[-2000:]}")
