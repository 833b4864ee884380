"""An endpoint whose ``before-send`` is answered by mockrunner, not by whichever handler comes first.

botocore's ``Endpoint._do_get_response`` emits ``before-send`` to every registered handler and keeps the first
answer.  While a mock is active, a request for one of mockrunner's services must be answered by mockrunner once:
not also run by the handlers after it (moto's, with ``mock_aws`` active beside ``mock_apprunner``: a CreateUser was
made twice), and not answered by a handler *before* it (a client made before the first mock was entered has moto's
handler, which ``import moto`` puts in botocore's built-in handlers, and not mockrunner's: moto answered it, with no
authentication and no policy checked).  :func:`answered_by` gives ``_do_get_response`` a view of the endpoint whose
``before-send`` stops at the first answer and, for a client whose emitter does not carry the hook (attached to that
client by the test harness, else the active mock's), asks that hook first.  A view is made per call: the endpoint and
its emitter, which threads share, are not changed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

ATTACHED_HOOK = "_mockrunner_hook"
"""Attribute of a client's event emitter naming the ``before-send`` hook attached to that client."""


def answered_by(endpoint: Any, hook: Callable[..., Any]) -> Any:
    """``endpoint`` as ``_do_get_response`` reads it, its ``before-send`` answered by the client's attached hook or
    ``hook`` first, then by its own handlers until one answers."""
    return _FirstAnswer(endpoint, hook)


class _FirstAnswer:
    """An endpoint as ``_do_get_response`` sees it (one per call: the endpoint and its emitter are not changed)."""

    def __init__(self, endpoint: Any, hook: Callable[..., Any]) -> None:
        self._endpoint = endpoint
        self._event_emitter = _AnsweredBy(endpoint._event_emitter, hook)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)


class _AnsweredBy:
    """An event emitter whose ``emit`` of a ``before-send`` event asks the hook first, then the handlers until one
    answers (``emit_until_response``); any other event as is."""

    def __init__(self, emitter: Any, hook: Callable[..., Any]) -> None:
        self._emitter = emitter
        self._hook = getattr(emitter, ATTACHED_HOOK, None) or hook

    def emit(self, event_name: str, **kwargs: Any) -> list:
        if not event_name.startswith("before-send."):
            return self._emitter.emit(event_name, **kwargs)
        if not _carries(self._emitter, event_name, self._hook):
            # a client whose emitter lacks the hook (its session predates the first mock): the hook answers first
            response = self._hook(event_name=event_name, **kwargs)
            if response is not None:
                return [(self._hook, response)]
        # in botocore's order (a user's handler for this service before the generic ones), stopping at the first answer
        handler, response = self._emitter.emit_until_response(event_name, **kwargs)
        return [] if response is None else [(handler, response)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._emitter, name)


def _carries(emitter: Any, event_name: str, hook: Callable[..., Any]) -> bool:
    """Whether ``hook`` is among the handlers ``emitter`` calls for ``event_name`` (botocore's ``EventAliaser`` wraps a
    ``HierarchicalEmitter`` whose ``_handlers`` trie answers ``prefix_search``; an emitter of another shape is taken
    not to carry it, so the hook answers first)."""
    inner = getattr(emitter, "_emitter", emitter)
    try:
        handlers = inner._handlers.prefix_search(event_name)
    except AttributeError:
        return False
    return any(handler is hook for handler in handlers)
