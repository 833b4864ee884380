"""The WSGI application every mode serves: AWS API calls go to the gateway, ``/_mockrunner/*`` to admin, ``/v2/``
to ECR's registry endpoint."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.http import HTTP_STATUS_CODES

from mockrunner import gateway
from mockrunner.admin import admin
from mockrunner.config import Settings
from mockrunner.context import RequestContext
from mockrunner.context import Response as GatewayResponse
from mockrunner.model.blobs import BlobStore
from mockrunner.model.store import Store
from mockrunner.persistence import StateFile, is_mutation
from mockrunner.registry import wsgi as registry
from mockrunner.seed import apply_seed_file, load_seed_file, register_root_credentials
from mockrunner.services import load_all
from mockrunner.services.ecr_push import collect_garbage

log = logging.getLogger("mockrunner.requests")


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the app around ``store`` (a new one from ``settings`` when not given)."""
    load_all()
    store = store or Store(settings or Settings())
    state_file = prepare_state(store)
    app = Flask("mockrunner")
    app.config["MOCKRUNNER_STORE"] = store
    app.config["MOCKRUNNER_STATE_FILE"] = state_file
    app.url_map.strict_slashes = False
    app.register_blueprint(admin, url_prefix="/_mockrunner")
    app.wsgi_app = registry.mount(app.wsgi_app, store, state_file)  # type: ignore[method-assign]

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    def aws_api(path: str) -> Response:
        result = handle_environ(store, state_file, request.environ)
        return Response(result.body, status=result.status, headers=result.headers)

    return app


def handle_environ(store: Store, state_file: StateFile | None, environ: dict[str, Any]) -> GatewayResponse:
    """One AWS API request: the gateway pipeline, then persistence (before the answer leaves), then the log."""
    ctx = context_from_environ(store, environ)
    result = gateway.handle(ctx)
    if state_file is not None and result.status < 300 and is_mutation(ctx.service, ctx.operation_name):
        state_file.save()  # what the client sees acknowledged is on disk
    if store.settings.log_requests:
        log.info(
            "%s %s.%s %s %s",
            ctx.remote_addr, ctx.service or "-", ctx.operation_name or "-", result.status,
            ctx.caller.arn if ctx.caller else "-",
        )
    return result


class GatewayApp:
    """The AWS API alone as a bare WSGI app (no Flask routing, no admin routes) around one store.

    The in-process decorator uses it: building it costs microseconds where a Flask app costs milliseconds,
    and every request still takes exactly the path the server's catch-all route takes (:func:`handle_environ`).
    """

    def __init__(self, store: Store, state_file: StateFile | None = None) -> None:
        load_all()
        self.store = store
        self.state_file = state_file
        self.registry = registry.RegistryApp(store, state_file)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if registry.is_registry_path(environ.get("PATH_INFO", "")):
            return self.registry(environ, start_response)
        result = handle_environ(self.store, self.state_file, environ)
        start_response(f"{result.status} {HTTP_STATUS_CODES.get(result.status, 'UNKNOWN')}",
                       list(result.headers.items()))
        return [result.body]


def prepare_state(store: Store) -> StateFile | None:
    """Load ``settings.state_file`` if it exists, else apply ``settings.seed_files`` (then persist them).

    A state file that exists already holds whatever the seeds created the first time, so seeds are not
    applied over it again.  A corrupt state file raises :class:`CorruptStateError`: refusing to start is
    better than silently starting empty.
    """
    settings = store.settings
    state_file = StateFile(store, settings.state_file) if settings.state_file else None
    if state_file is not None:
        store.blobs = BlobStore(state_file.path + ".blobs")  # image layers live beside the state file
    if state_file is not None and state_file.load():
        for path in settings.seed_files:
            register_root_credentials(store, load_seed_file(path))  # configuration, not state
        with store.lock:
            collect_garbage(store)
        return state_file
    for path in settings.seed_files:
        apply_seed_file(store, path)
    if state_file is not None:
        state_file.save()
    return state_file


def context_from_environ(store: Store, environ: dict[str, Any]) -> RequestContext:
    """Read a WSGI environ straight into a RequestContext (no per-request werkzeug parsing)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return RequestContext(
        store=store,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/") or "/",
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        remote_addr=environ.get("REMOTE_ADDR", "127.0.0.1"),
        secure=environ.get("wsgi.url_scheme") == "https",
    )
