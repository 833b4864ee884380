"""The one WSGI application every way in serves: the server, the in-process hook and the test harness.

:class:`MockrunnerApp` looks at the path once: ``/_mockrunner/*`` goes to the Flask app that serves the admin
API and the dashboard (one per process, built on the first admin request: a Flask app costs milliseconds, and an
in-process mock that never calls the admin API should not pay for one; each request carries its store, see
:mod:`mockrunner.admin_environ`); ``/v2/*`` to ECR's registry endpoint
(:mod:`mockrunner.registry`); everything else is an AWS API call and goes straight to the gateway
(:func:`handle_environ`), with no Flask request context, URL routing or response object on that path.
:func:`create_app` is the one builder: it loads the state file or the seeds and returns the app.
"""
from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Response as TestResponse

from mockrunner import admin_environ, gateway, refusals
from mockrunner.config import Settings
from mockrunner.context import RequestContext, Response
from mockrunner.model import snapshot
from mockrunner.model.blobs import BlobStore, UnsafeDirectory
from mockrunner.model.store import Store
from mockrunner.persistence import StateFile, StateFileError
from mockrunner.registry import wsgi as registry
from mockrunner.seed import SeedError, apply_seed_file, load_seed_file, register_root_credentials
from mockrunner.services import apprunner, load_all
from mockrunner.services.ecr.push import collect_garbage
from mockrunner.wsgi import SIGNED_TRANSFER_ENCODING, Answer, Refusal, plain_answer

log = logging.getLogger("mockrunner.requests")

ADMIN_PREFIX = "/_mockrunner"
"""Paths of the admin API (and what else is mounted beside it); every other path is an AWS API call."""


class MockrunnerApp:
    """The WSGI app around one store (and its state file, when the store is persisted)."""

    def __init__(self, store: Store, state_file: StateFile | None = None) -> None:
        load_all()
        self.store = store
        self.state_file = state_file
        self.registry = registry.RegistryApp(store, state_file)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        if is_admin_path(path):
            admin_environ.carry(environ, self.store, self.state_file)
            return self.admin_app(environ, start_response)
        if registry.is_registry_path(path):
            return self.registry(environ, start_response)
        result = handle_environ(self.store, self.state_file, environ)
        start_response(f"{result.status} {HTTP_STATUS_CODES.get(result.status, 'UNKNOWN')}",
                       list(result.headers.items()))
        return [result.body]

    def refusal_answer(self, environ: dict[str, Any] | None, refusal: Refusal) -> Answer:
        """The HTTP server's own refusal of a request (:mod:`mockrunner.serving`), shaped as the part of mockrunner
        its path addresses answers errors (:mod:`mockrunner.refusals`); plain text when its head was never read."""
        if environ is None:
            return plain_answer(environ, refusal)
        path = environ.get("PATH_INFO") or "/"
        if is_admin_path(path):
            return refusals.admin(refusal)
        if registry.is_registry_path(path):
            return refusals.registry(refusal)
        return refusals.aws(_head_context(self.store, environ), refusal)

    @property
    def admin_app(self) -> Flask:
        """The Flask app of the admin API and the dashboard (the process's one, built on first use)."""
        return _shared_admin_app()

    def test_client(self) -> "TestClient":
        """A werkzeug test client of the whole app (admin API and AWS API alike)."""
        return TestClient(self)


class TestClient(Client):
    """werkzeug's test client with ``environ_base`` (as Flask's has): values every request's environ starts from."""

    def __init__(self, app: MockrunnerApp) -> None:
        super().__init__(app, TestResponse)
        self.environ_base: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1"}

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if not args or not isinstance(args[0], (dict, EnvironBuilder)):
            kwargs["environ_base"] = {**self.environ_base, **(kwargs.get("environ_base") or {})}
        return super().open(*args, **kwargs)


def create_app(settings: Settings | None = None, store: Store | None = None) -> MockrunnerApp:
    """The app around ``store`` (a new one from ``settings`` when not given), its state file or seeds loaded."""
    load_all()
    store = store or Store(settings or Settings())
    return MockrunnerApp(store, prepare_state(store))


_admin_app: Flask | None = None
_admin_app_lock = threading.Lock()


def _shared_admin_app() -> Flask:
    """The process's admin Flask app, built by the first caller (the others wait for it)."""
    global _admin_app
    if _admin_app is None:
        with _admin_app_lock:
            if _admin_app is None:
                _admin_app = _build_admin_app()
    return _admin_app


def _build_admin_app() -> Flask:
    from mockrunner.admin import admin, refusal_response
    from mockrunner.admin_access import BROWSER_HEADERS
    from mockrunner.dashboard import routing_error, ui
    from mockrunner.oidc import admin_routes  # noqa: F401 - adds the /_mockrunner/oidc routes to the admin blueprint
    from mockrunner.saml import admin_routes as saml_routes  # noqa: F401 - adds the /_mockrunner/saml routes

    app = Flask("mockrunner")
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False  # "//" is no admin path: not a redirect (an HTML page, before the guard)
    app.register_blueprint(admin, url_prefix=ADMIN_PREFIX)
    app.register_blueprint(ui, url_prefix=ADMIN_PREFIX + "/ui")

    @app.after_request
    def _browser_headers(response: Any) -> Any:
        for name, value in BROWSER_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        """Unknown admin paths and wrong methods answer JSON like every other admin error, never HTML (the
        dashboard's paths answer its HTML pages)."""
        page = routing_error(error)
        if page is not None:
            return page
        refused = refusal_response()
        if refused is not None:
            return refused
        response = jsonify({"error": type(error).__name__, "message": error.description})
        response.status_code = error.code or 500
        return response

    return app


def handle_environ(store: Store, state_file: StateFile | None, environ: dict[str, Any]) -> Response:
    """One AWS API request: the gateway pipeline (a mutation saved before the lock is let go), then the log."""
    ctx = context_from_environ(store, environ)
    result = gateway.handle(ctx, state_file)
    if store.settings.log_requests:
        log.info(
            "%s %s.%s %s %s",
            ctx.remote_addr, ctx.service or "-", ctx.operation_name or "-", result.status,
            ctx.caller.arn if ctx.caller else "-",
        )
    return result


def prepare_state(store: Store) -> StateFile | None:
    """Load ``settings.state_file`` if it exists, else apply ``settings.seed_files`` (then persist them).

    A state file that exists already holds whatever the seeds created the first time, so seeds are not
    applied over it again.  A corrupt state file raises :class:`CorruptStateError`: refusing to start is
    better than silently starting empty.
    """
    settings = store.settings
    state_file = StateFile(store, settings.state_file) if settings.state_file else None
    if state_file is not None:
        try:
            store.blobs = BlobStore(state_file.path + ".blobs")  # image layers live beside the state file
        except UnsafeDirectory as error:
            raise StateFileError(f"state file {state_file.path} cannot be used: {error}") from None
    if state_file is not None and state_file.load():
        for path in settings.seed_files:
            register_root_credentials(store, load_seed_file(path))  # configuration, not state
        _refuse_taken_root_keys(store)
        with store.lock:
            collect_garbage(store)
            store.blobs.purge()  # what it drops is unreferenced in the durable state too
            # operations not yet due come due under this server's mode, not the one they were saved with
            apprunner.judge_pending_with(store, settings.enforce)
        return state_file
    for path in settings.seed_files:
        apply_seed_file(store, path)
    if state_file is not None:
        state_file.save()
    return state_file


def _refuse_taken_root_keys(store: Store) -> None:
    """Raise :class:`SeedError` when a root key registered from a seed at a restart has the access key id of a key
    or session in the loaded state: it would take that key over (requests signed with it act as root), and the
    state would no longer export into a server with these settings
    (docs/behaviour.md, "Hostile input: forty-seventh pass")."""
    problem = snapshot.root_key_clash(store, store.accounts, store.seeded_root_keys)
    if problem is not None:
        raise SeedError(f"a seed's root key cannot be used with state file {store.settings.state_file}: {problem}")


def _raw_path(environ: dict[str, Any]) -> str | None:
    """The request target's path before percent-decoding (``RAW_URI``, or ``REQUEST_URI`` as other servers name
    it; an absolute-form target's path); ``None`` when the server gave neither."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not target:
        return None
    if not target.startswith("/"):
        target = urlsplit(target).path
    return target.partition("?")[0] or "/"


def is_admin_path(path: str) -> bool:
    """Whether ``path`` (decoded) is the admin API's (:data:`ADMIN_PREFIX` or under it)."""
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def context_from_environ(store: Store, environ: dict[str, Any]) -> RequestContext:
    """Read a WSGI environ straight into a RequestContext (no per-request werkzeug parsing)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return _head_context(store, environ, body)


def _head_context(store: Store, environ: dict[str, Any], body: bytes = b"") -> RequestContext:
    """The RequestContext of a WSGI environ's head, with ``body``."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    if SIGNED_TRANSFER_ENCODING in environ:
        headers["transfer-encoding"] = environ[SIGNED_TRANSFER_ENCODING]
    return RequestContext(
        store=store,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/") or "/",
        raw_path=_raw_path(environ),
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        remote_addr=environ.get("REMOTE_ADDR", "127.0.0.1"),
        secure=environ.get("wsgi.url_scheme") == "https",
    )
