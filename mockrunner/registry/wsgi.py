"""The registry endpoint as a WSGI app (:class:`mockrunner.app.MockrunnerApp` sends ``/v2/`` requests to it).

Bodies are streamed both ways: the app reads ``wsgi.input`` in chunks (a server that sets
``wsgi.input_terminated`` may pass chunked bodies of unknown length) and answers blobs with an iterable of
chunks, so neither a push nor a pull holds a layer in memory.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from werkzeug.http import HTTP_STATUS_CODES

from mockrunner.persistence import CHANGE_NOT_APPLIED
from mockrunner.registry import handlers
from mockrunner.registry.errors import API_VERSION_HEADER, RegistryError
from mockrunner.registry.request import RegistryRequest

if TYPE_CHECKING:
    from mockrunner.model.store import Store
    from mockrunner.persistence import StateFile

log = logging.getLogger("mockrunner.registry")
PREFIX = "/v2"


def is_registry_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def handle(store: "Store", state_file: "StateFile | None", environ: dict[str, Any]) -> handlers.Reply:
    """One registry request; always an answer (a registry JSON error for every failure, never a traceback).

    A change whose save failed (:class:`StateNotSavedError`, the change already undone) or that met a blob directory
    another user could write (:class:`UnsafeDirectory`) is a 500 ``UNKNOWN`` saying so and why, as the AWS gateway
    answers it in the service's own error shape."""
    request = RegistryRequest.from_environ(store, state_file, environ)
    try:
        if handlers.is_download_url(request):
            return handlers.download(request)
        request.authenticate()
        return handlers.route(request)
    except RegistryError as error:
        headers = {"Content-Type": error.content_type, **error.headers}
        body = error.body()
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return handlers.Reply(error.status, headers, [body])
    except CHANGE_NOT_APPLIED as error:  # an expected refusal (the change is undone), not a bug: no traceback
        log.error("%s %s undone: %s", request.method, request.path, error)
        refusal = RegistryError(500, "UNKNOWN", f"The change was not applied: {error}.")
        return handlers.Reply(500, {"Content-Type": refusal.content_type}, [refusal.body()])
    except Exception:  # noqa: BLE001 - the one place that turns bugs into a registry-shaped 500
        log.exception("internal error handling %s %s", request.method, request.path)
        error = RegistryError(500, "UNKNOWN", "unknown error")
        return handlers.Reply(500, {"Content-Type": error.content_type}, [error.body()])


class RegistryApp:
    """The registry endpoint of one store as a WSGI app."""

    def __init__(self, store: "Store", state_file: "StateFile | None" = None) -> None:
        self.store = store
        self.state_file = state_file

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        reply = handle(self.store, self.state_file, environ)
        headers = [API_VERSION_HEADER, *reply.headers.items()]
        if not any(name.lower() == "content-length" for name, _ in headers) and isinstance(reply.body, list):
            headers.append(("Content-Length", str(sum(len(part) for part in reply.body))))
        start_response(f"{reply.status} {HTTP_STATUS_CODES.get(reply.status, 'UNKNOWN')}", headers)
        return reply.body

