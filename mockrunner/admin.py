"""The admin API under ``/_mockrunner/``: JSON in, JSON out, for tests and the dev stack.

Who may call it is :mod:`mockrunner.admin_access`'s decision (loopback peer, ``Host`` and ``Origin`` checks, the
admin token).  Refusals and bad input get a 4xx with a JSON ``{"error": ..., "message": ...}`` body, never a 500
or an HTML page.

Endpoints (all JSON):

==========================================  ===============================================================
``GET  /health``                            ready, version, enforcement mode, accounts
``POST /reset``                             forget all state
``POST /seed``                              apply a seed document (the body) — see :mod:`mockrunner.seed`
``GET  /state``                             export the whole state
``PUT  /state`` (or ``POST``)               import a state export (all-or-nothing)
``POST /settle``                            complete every pending App Runner operation now
``GET  /pending``                           the App Runner operations still in progress
``GET  /clock``                             the store clock's time and offset
``POST /clock/advance``                     ``{"seconds": N}``: move the clock forward
``GET  /decisions``                         the decision log; filters ``principal``, ``action``, ``decision``,
                                            ``limit`` (``*`` wildcards allowed in principal and action)
``DELETE /decisions``                       clear the decision log
``GET  /apprunner/failures?service_arn=``   why a service's operations failed
``GET  /apprunner/instance-role-credentials?service_arn=``
                                            the credentials code in the service would get for its role
``POST /apprunner/connections/complete-handshake``
                                            ``{"connection_arn": ARN}`` (or ``?connection_arn=``): make a
                                            PENDING_HANDSHAKE connection AVAILABLE, as the console would
==========================================  ===============================================================
"""
from __future__ import annotations

import fnmatch
import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from mockrunner import __version__
from mockrunner.admin_access import TOKEN_HEADER, refusal
from mockrunner.model import snapshot
from mockrunner.services import apprunner

admin = Blueprint("mockrunner_admin", __name__)
__all__ = ["TOKEN_HEADER", "admin", "apprunner_function", "filter_decisions"]
DECISION_VALUES = ("allowed", "explicitDeny", "implicitDeny", "denied")


class AdminError(Exception):
    """A client error of the admin API, answered as JSON with ``status``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _store():
    return current_app.config["MOCKRUNNER_STORE"]


def _mutated() -> None:
    """Admin mutations are acknowledged mutations too: persist them when a state file is configured."""
    state_file = current_app.config.get("MOCKRUNNER_STATE_FILE")
    if state_file is not None:
        state_file.save()


def _json(payload: Any, status: int = 200) -> Response:
    body = json.dumps(payload, default=_json_default, indent=None)
    return Response(body, status=status, mimetype="application/json")


def _json_default(value: Any) -> Any:
    """Decision entries and credentials may hold datetimes or dataclasses: show them as the snapshot does."""
    encoded = snapshot.encode(value)
    if isinstance(encoded, dict) and "$datetime" in encoded:
        return encoded["$datetime"]
    return encoded


def _body(required: bool = True) -> Any:
    data = request.get_data(cache=True)
    if not data.strip():
        if required:
            raise AdminError(400, "MissingBody", "this endpoint needs a JSON body")
        return {}
    try:
        return json.loads(data)
    except ValueError as error:
        raise AdminError(400, "MalformedJSON", f"the body is not valid JSON: {error}") from None


@admin.before_request
def _guard() -> Response | None:
    refused = refusal(_store().settings, request.remote_addr or "", request.headers)
    if refused is None:
        return None
    response = _json({"error": refused.error, "message": refused.message}, refused.status)
    response.headers.update(refused.headers)
    return response


@admin.errorhandler(AdminError)
def _admin_error(error: AdminError) -> Response:
    return _json({"error": error.error, "message": error.message}, error.status)


@admin.get("/health")
def health() -> Response:
    store = _store()
    return _json({"status": "ok", "version": __version__, "enforce": store.settings.enforce,
                  "accounts": sorted(store.accounts)})


@admin.post("/reset")
def reset() -> Response:
    store = _store()
    store.reset()
    log = getattr(store, "decision_log", None)
    if log is not None:
        log.clear()
    _mutated()
    return _json({"status": "reset"})


@admin.post("/seed")
def seed() -> Response:
    from mockrunner.seed import SeedError, apply_seed

    document = _body()
    try:
        summary = apply_seed(_store(), document, source="request body")
    except SeedError as error:
        raise AdminError(400, "InvalidSeed", str(error)) from None
    _mutated()
    return _json({"status": "seeded", "created": summary})


@admin.get("/state")
def export_state() -> Response:
    return _json(snapshot.export_state(_store()))


@admin.route("/state", methods=["PUT", "POST"])
def import_state() -> Response:
    document = _body()
    try:
        snapshot.import_state(_store(), document)
    except snapshot.SnapshotError as error:
        raise AdminError(400, "InvalidState", str(error)) from None
    _mutated()
    return _json({"status": "imported", "accounts": sorted(_store().accounts)})


@admin.post("/settle")
def settle() -> Response:
    store = _store()
    with store.lock:
        settled = apprunner.settle(store)
    _mutated()
    return _json({"settled": settled})


@admin.get("/pending")
def pending() -> Response:
    return _json({"pending": apprunner.pending_operations(_store())})


@admin.get("/clock")
def clock() -> Response:
    store = _store()
    return _json({"now": store.clock.now().isoformat()})


@admin.post("/clock/advance")
def advance_clock() -> Response:
    body = _body()
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 10 ** 9:
        raise AdminError(400, "InvalidSeconds", '{"seconds": N} with N a number of seconds >= 0 is required')
    store = _store()
    now = store.clock.advance(float(seconds))
    _mutated()
    return _json({"now": now.isoformat()})


@admin.get("/decisions")
def decisions() -> Response:
    wanted = request.args.get("decision")
    if wanted is not None and wanted not in DECISION_VALUES:
        raise AdminError(400, "InvalidFilter", f"decision must be one of {', '.join(DECISION_VALUES)}")
    limit = request.args.get("limit")
    if limit is not None and not limit.isdigit():
        raise AdminError(400, "InvalidFilter", "limit must be a non-negative integer")
    entries = filter_decisions(
        list(getattr(_store(), "decision_log", ())), principal=request.args.get("principal"),
        action=request.args.get("action"), decision=wanted,
    )
    if limit is not None:
        entries = entries[-int(limit):] if int(limit) else []
    return _json({"decisions": entries, "count": len(entries)})


@admin.delete("/decisions")
def clear_decisions() -> Response:
    log = getattr(_store(), "decision_log", None)
    if log is not None:
        log.clear()
    return _json({"status": "cleared"})


@admin.get("/apprunner/failures")
def failures() -> Response:
    arn = _service_arn()
    store = _store()
    with store.lock:
        found = apprunner.failure_reasons(store, arn)
    if found is None:
        raise AdminError(404, "ServiceNotFound", f"no App Runner service {arn}")
    return _json({"service_arn": arn, "failures": found})


@admin.get("/apprunner/deployed-image")
def deployed_image() -> Response:
    arn = _service_arn()
    store = _store()
    with store.lock:
        found = apprunner.deployed_image(store, arn)
    if found is None:
        raise AdminError(404, "ServiceNotFound", f"no App Runner service {arn}")
    return _json({"service_arn": arn, **found})


@admin.get("/apprunner/instance-role-credentials")
def instance_role_credentials() -> Response:
    from mockrunner.errors import ServiceError

    arn = _service_arn()
    store = _store()
    try:
        with store.lock:
            credentials = apprunner.instance_role_credentials(store, arn)
    except ServiceError as error:
        raise AdminError(error.status or 400, error.code, error.message) from None
    _mutated()
    return _json({"service_arn": arn, "credentials": credentials})


@admin.post("/apprunner/connections/complete-handshake")
def complete_handshake() -> Response:
    """A connection is created PENDING_HANDSHAKE; on AWS a human finishes the OAuth handshake in the console."""
    body = _body(required=False)
    arn = request.args.get("connection_arn") or (body.get("connection_arn") if isinstance(body, dict) else None)
    if not isinstance(arn, str) or not arn.startswith("arn:") or ":apprunner:" not in arn \
            or ":connection/" not in arn:
        raise AdminError(400, "InvalidConnectionArn", "connection_arn must be an App Runner connection ARN "
                                                      "(arn:aws:apprunner:<region>:<account>:connection/<name>/<id>)")
    if not apprunner.complete_handshake(_store(), arn):
        raise AdminError(404, "ConnectionNotFound", f"no App Runner connection {arn}")
    _mutated()
    return _json({"connection_arn": arn, "status": "AVAILABLE"})


@admin.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@admin.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown(rest: str) -> Response:
    raise AdminError(404, "UnknownAdminEndpoint",
                     f"no admin endpoint {request.method} /_mockrunner/{rest} (see the README's admin API table)")


def filter_decisions(entries: list[dict], principal: str | None = None, action: str | None = None,
                     decision: str | None = None) -> list[dict]:
    """Entries matching every given filter; ``*`` in principal/action is a wildcard, action ignores case."""

    def keep(entry: dict) -> bool:
        if principal is not None and not fnmatch.fnmatchcase(str(_principal_of(entry)), principal):
            return False
        if action is not None and not fnmatch.fnmatchcase(str(entry.get("action", "")).lower(), action.lower()):
            return False
        if decision is not None:
            value = entry.get("decision")
            if decision == "denied":
                return value in ("explicitDeny", "implicitDeny")
            return value == decision
        return True

    return [entry for entry in entries if keep(entry)]


def _principal_of(entry: dict) -> Any:
    principal = entry.get("principal")
    if isinstance(principal, dict):
        return principal.get("arn", "")
    return principal if principal is not None else entry.get("principal_arn", "")


def _service_arn() -> str:
    arn = request.args.get("service_arn", "")
    if not arn.startswith("arn:") or ":apprunner:" not in arn or ":service/" not in arn:
        raise AdminError(400, "InvalidServiceArn", "service_arn must be an App Runner service ARN "
                                                   "(arn:aws:apprunner:<region>:<account>:service/<name>/<id>)")
    return arn


