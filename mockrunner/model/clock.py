"""The store's clock: wall time plus an offset that the admin API can advance.

Everything time-dependent (operation completion, session expiry, aws:CurrentTime) reads this clock, so a test
can jump ahead instead of sleeping.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

MAX_CLOCK_OFFSET = 10 ** 10
"""Seconds (about 300 years) the clock may run ahead of wall time: it stays a date Python can hold and compute with,
and a state file holding it loads again."""


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock ``seconds`` forward; ``ValueError`` (and the clock unchanged) for a move backwards or one
        taking it past :data:`MAX_CLOCK_OFFSET` ahead of wall time in all."""
        if not seconds >= 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._offset.total_seconds() + seconds > MAX_CLOCK_OFFSET:
                raise ValueError(f"the clock may run at most {MAX_CLOCK_OFFSET} seconds ahead of wall time in all; it "
                                 f"is {self._offset.total_seconds():.0f} ahead")
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()
