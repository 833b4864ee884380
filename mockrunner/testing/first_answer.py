"""An endpoint whose ``before-send`` stops at the first handler that answers.

botocore's ``Endpoint._do_get_response`` emits ``before-send`` to every registered handler and keeps the first
answer; :func:`until_answered` gives it a view of the endpoint whose emitter calls handlers only until one answers
(``emit_until_response``), so a request one handler answered is not also run by the handlers after it (moto's, with
``mock_aws`` active beside ``mock_apprunner``).  A view is made per call: the endpoint and its emitter, which
threads share, are not changed.
"""
from __future__ import annotations

from typing import Any


def until_answered(endpoint: Any) -> Any:
    """``endpoint`` as ``_do_get_response`` reads it, its ``before-send`` stopping at the first answer."""
    return _FirstAnswer(endpoint)


class _FirstAnswer:
    """An endpoint as ``_do_get_response`` sees it, whose emitter stops a ``before-send`` at the first answer
    (one per call: the endpoint and its emitter, shared by threads, are not changed)."""

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint
        self._event_emitter = _UntilAnswered(endpoint._event_emitter)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)


class _UntilAnswered:
    """An event emitter whose ``emit`` of a ``before-send`` event is ``emit_until_response``; any other as is."""

    def __init__(self, emitter: Any) -> None:
        self._emitter = emitter

    def emit(self, event_name: str, **kwargs: Any) -> list:
        if not event_name.startswith("before-send."):
            return self._emitter.emit(event_name, **kwargs)
        handler, response = self._emitter.emit_until_response(event_name, **kwargs)
        return [] if response is None else [(handler, response)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._emitter, name)
