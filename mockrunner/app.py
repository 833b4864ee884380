"""The WSGI application every mode serves: AWS API calls go to the gateway, ``/_mockrunner/*`` to admin."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request

from mockrunner import gateway
from mockrunner.admin import admin
from mockrunner.config import Settings
from mockrunner.model.store import Store
from mockrunner.services import load_all

log = logging.getLogger("mockrunner.requests")


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the app around ``store`` (a new one from ``settings`` when not given)."""
    load_all()
    store = store or Store(settings or Settings())
    app = Flask("mockrunner")
    app.config["MOCKRUNNER_STORE"] = store
    app.url_map.strict_slashes = False
    app.register_blueprint(admin, url_prefix="/_mockrunner")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    def aws_api(path: str) -> Response:
        ctx = context_from_environ(store, request.environ)
        result = gateway.handle(ctx)
        if store.settings.log_requests:
            log.info(
                "%s %s.%s %s %s",
                ctx.remote_addr, ctx.service or "-", ctx.operation_name or "-", result.status,
                ctx.caller.arn if ctx.caller else "-",
            )
        return Response(result.body, status=result.status, headers=result.headers)

    return app


def context_from_environ(store: Store, environ: dict[str, Any]) -> gateway.RequestContext:
    """Read a WSGI environ straight into a RequestContext (no per-request werkzeug parsing)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return gateway.RequestContext(
        store=store,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/") or "/",
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        remote_addr=environ.get("REMOTE_ADDR", "127.0.0.1"),
        secure=environ.get("wsgi.url_scheme") == "https",
    )
