"""Which functions run while the store lock is held: a profile hook watching the request ``send()`` makes on this
thread (in process, the request runs on the caller's thread)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def watched_calls(lock: Any, watched: dict[str, Callable], send: Callable[[], Any]) -> list[tuple[str, bool]]:
    """Each call of a ``watched`` function during ``send()``, in order: its name, and whether this thread held
    ``lock`` then."""
    codes = {function.__code__: name for name, function in watched.items()}
    calls: list[tuple[str, bool]] = []

    def profile(frame, event, arg):  # noqa: ARG001 - the profiler's signature
        if event == "call" and frame.f_code in codes:
            calls.append((codes[frame.f_code], lock._is_owned()))  # noqa: SLF001

    sys.setprofile(profile)
    try:
        send()
    finally:
        sys.setprofile(None)
    return calls


def called_under_the_lock(lock: Any, watched: dict[str, Callable], send: Callable[[], Any]) -> list[str]:
    """The names of the ``watched`` functions called while this thread holds ``lock`` during ``send()``, in order."""
    return [name for name, held in watched_calls(lock, watched, send) if held]
