"""What the tests' private daemons (dockerd, containerd) share: a directory of their own, a log, an API socket,
and a bounded wait for them to answer."""
from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar


@dataclass
class PrivateDaemon:
    """A daemon started as ``process`` with its files under ``base``: its socket is ``base/SOCKET``, its log
    ``base/LOG``.  Subclasses name those files and say how to stop the daemon."""

    SOCKET: ClassVar[str]
    LOG: ClassVar[str]

    base: str
    process: subprocess.Popen

    @property
    def socket(self) -> str:
        return os.path.join(self.base, self.SOCKET)

    def log(self) -> str:
        with open(os.path.join(self.base, self.LOG), errors="replace") as handle:
            return handle.read()

    def stop(self) -> None:
        raise NotImplementedError

    def wait_until_ready(self, probe: Callable[[], bool], timeout: float, poll: float,
                         unavailable: type[Exception]) -> None:
        """Return once the socket exists and ``probe()`` is true; if the process exits or ``timeout`` seconds pass
        first, stop the daemon and raise ``unavailable`` with the end of its log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if os.path.exists(self.socket) and probe():
                return
            time.sleep(poll)
        log_text = self.log()
        self.stop()
        raise unavailable(f"{self.LOG.removesuffix('.log')} did not start (exit {self.process.returncode}): "
                          f"{log_text[-2000:]}")
