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
``GET  /clock``                             the store clock's time
``POST /clock/advance``                     ``{"seconds": N}``: move the clock forward
``GET  /decisions``                         the decision log; filters ``principal``, ``action``, ``decision``,
                                            ``limit`` (``*`` wildcards allowed in principal and action)
``DELETE /decisions``                       clear the decision log
``GET  /policies/suggest?principal=ARN``    least-privilege policies from the principal's logged requests, with
                                            their proof (``since=ISO8601``, ``exact=1``); ``?decision=ID``: the
                                            statement one logged decision needed, and where it goes
``GET  /enforce``, ``PUT /enforce``         the enforcement mode; ``{"mode": "on"|"soft"|"off"}`` changes it
``GET  /apprunner/failures?service_arn=``   why a service's operations failed
``GET  /apprunner/deployed-image?service_arn=``
                                            the image a service runs and the digest it last pulled
``GET  /apprunner/instance-role-credentials?service_arn=``
                                            the credentials code in the service would get for its role
``POST /apprunner/connections/complete-handshake``
                                            ``{"connection_arn": ARN}`` (or ``?connection_arn=``): make a
                                            PENDING_HANDSHAKE connection AVAILABLE, as the console would
``POST /ecr/scan-findings``                 ``{"digest", "findings": [...], "status"?, "account_id"?,
                                            "region"?}``: the findings an ECR image scan of that digest reports
                                            when it completes (``"status": "FAILED"``: the scan fails, an
                                            unsupported image)
==========================================  ===============================================================
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from mockrunner import __version__, admin_environ
from mockrunner.admin_access import TOKEN_HEADER, refusal
from mockrunner.config import ENFORCEMENT_MODES
from mockrunner.iam_engine import strict_json
from mockrunner.model import snapshot
from mockrunner.model.decision_log import as_dict, field, star_matches
from mockrunner.numerals import is_decimal
from mockrunner.persistence import StateNotSavedError
from mockrunner.services import apprunner
from mockrunner.services.apprunner import arns as apprunner_arns
from mockrunner.services.registry import run_clock_hooks

admin = Blueprint("mockrunner_admin", __name__)
__all__ = ["TOKEN_HEADER", "admin", "filter_decisions"]
DECISION_VALUES = ("allowed", "explicitDeny", "implicitDeny", "denied")


class AdminError(Exception):
    """A client error of the admin API, answered as JSON with ``status``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


_store = admin_environ.store


@contextmanager
def _mutation() -> Iterator[None]:
    """Admin mutations are acknowledged mutations too: the change (the ``with`` body) runs in one hold of the
    store lock, as API calls do (none sees it half made); with a state file its save happens in the same hold,
    and a change that cannot be saved is undone and answered 500 ``StateNotSaved``."""
    state_file = admin_environ.state_file()
    if state_file is None:
        with _store().lock:
            yield
        return
    try:
        with state_file.committing():
            yield
    except StateNotSavedError as error:
        raise AdminError(500, "StateNotSaved", f"the change was not applied: {error}") from None


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
        return strict_json.loads(data, unicode_only=True)
    except ValueError as error:
        raise AdminError(400, "MalformedJSON", f"the body is not valid JSON: {error}") from None


@admin.before_request
def _guard() -> Response | None:
    refused = refusal_response()
    if refused is None and request.method == "OPTIONS":
        return _options()
    return refused


def refusal_response() -> Response | None:
    """The admin API's refusal of this request's network facts and token (``None``: it may call), also for a path
    no route takes: a client that may not call at all learns nothing, not even that a path is unknown."""
    refused = refusal(_store().settings, request.remote_addr or "", request.headers)
    if refused is None:
        return None
    response = _json({"error": refused.error, "message": refused.message}, refused.status)
    response.headers.update(refused.headers)
    return response


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _options() -> Response:
    """``OPTIONS``: the methods the endpoint at this path takes, in ``Allow`` and as JSON (not the catch-all's,
    which answers every other method with UnknownAdminEndpoint); no endpoint there is that 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    methods = []
    for method in _METHODS:
        try:
            rule, _ = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if str(rule.endpoint).startswith(f"{admin.name}.") and rule.endpoint != f"{admin.name}.unknown":
            methods.append(method)
    if not methods:
        raise AdminError(404, "UnknownAdminEndpoint", f"no admin endpoint at {request.path} (see the README's admin "
                         "API table)")
    methods += ["HEAD", "OPTIONS"] if "GET" in methods else ["OPTIONS"]
    response = _json({"methods": methods})
    response.headers["Allow"] = ", ".join(methods)
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
    with _mutation():
        store.reset()
    return _json({"status": "reset"})


@admin.post("/seed")
def seed() -> Response:
    from mockrunner.seed import SeedError, apply_seed

    document = _body()
    try:
        with _mutation():
            summary = apply_seed(_store(), document, source="request body", root_keys_in_state=True)
    except SeedError as error:
        raise AdminError(400, "InvalidSeed", str(error)) from None
    return _json({"status": "seeded", "created": summary})


@admin.get("/state")
def export_state() -> Response:
    return _json(snapshot.export_state(_store()))


@admin.route("/state", methods=["PUT", "POST"])
def import_state() -> Response:
    document = _body()
    try:
        replacement = snapshot.read_state(_store(), document)  # decoded and checked before the store lock is taken
        with _mutation():
            snapshot.replace_state(_store(), replacement)
            # operations not yet due come due under this server's mode, as after a restart
            apprunner.judge_pending_with(_store(), _store().settings.enforce)
    except snapshot.SnapshotError as error:
        raise AdminError(400, "InvalidState", str(error)) from None
    return _json({"status": "imported", "accounts": sorted(_store().accounts)})


@admin.post("/settle")
def settle() -> Response:
    store = _store()
    with _mutation():
        settled = apprunner.settle(store)
    return _json({"settled": settled})


@admin.get("/pending")
def pending() -> Response:
    return _json({"pending": apprunner.pending_operations(_store())})


@admin.get("/clock")
def clock() -> Response:
    store = _store()
    return _json({"now": store.clock.now().isoformat()})


MAX_CLOCK_ADVANCE = 10 ** 9  # seconds one clock/advance call may move the store clock (about 31 years)


@admin.post("/clock/advance")
def advance_clock() -> Response:
    body = _body()
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_CLOCK_ADVANCE:
        raise AdminError(400, "InvalidSeconds",
                         f'{{"seconds": N}} with N a number of seconds from 0 to {MAX_CLOCK_ADVANCE} is required')
    store = _store()
    try:
        with _mutation():
            now = store.clock.advance(float(seconds))
    except ValueError as error:  # past the clock's bound in all: nothing moved
        raise AdminError(400, "InvalidSeconds", str(error)) from None
    return _json({"now": now.isoformat()})


@admin.get("/decisions")
def decisions() -> Response:
    wanted = request.args.get("decision")
    if wanted is not None and wanted not in DECISION_VALUES:
        raise AdminError(400, "InvalidFilter", f"decision must be one of {', '.join(DECISION_VALUES)}")
    limit = request.args.get("limit")
    if limit is not None and not is_decimal(limit):
        raise AdminError(400, "InvalidFilter", "limit must be a non-negative integer")
    entries = filter_decisions(
        _store().decision_log.raw(), principal=request.args.get("principal"),
        action=request.args.get("action"), decision=wanted, limit=None if limit is None else int(limit),
    )
    return _json({"decisions": entries, "count": len(entries)})


@admin.delete("/decisions")
def clear_decisions() -> Response:
    _store().decision_log.clear()
    return _json({"status": "cleared"})


@admin.get("/policies/suggest")
def suggest_policy() -> Response:
    from mockrunner import suggest

    args = request.args
    try:
        if args.get("decision") is not None:
            if not is_decimal(args["decision"]):
                raise suggest.SuggestError("decision must be a decision id (the log's id field)")
            return _json(suggest.for_decision(_store(), int(args["decision"])))
        if not args.get("principal"):
            raise suggest.SuggestError("principal=ARN (an IAM user, role or role session) or decision=ID is required")
        return _json(suggest.for_principal(_store(), args["principal"], suggest.parse_time(args.get("since")),
                                           wildcards=args.get("exact", "") not in ("1", "true")))
    except suggest.SuggestError as error:
        raise AdminError(400, "InvalidSuggestRequest", str(error)) from None


@admin.get("/enforce")
def enforcement() -> Response:
    return _json({"mode": _store().settings.enforce})


@admin.route("/enforce", methods=["PUT", "POST"])
def set_enforcement() -> Response:
    body = _body()
    mode = body.get("mode") if isinstance(body, dict) else None
    if mode not in ENFORCEMENT_MODES:
        raise AdminError(400, "InvalidMode", f'{{"mode": M}} with M one of {", ".join(ENFORCEMENT_MODES)} is required')
    store = _store()
    # The mode is not state (the file does not keep it), but the App Runner operations it decides are: those already
    # due complete under the mode they were due in, those still pending are held to the new one, and both are saved
    # (docs/behaviour.md, "Hostile input: forty-sixth pass").
    with _mutation():
        run_clock_hooks(store)
        apprunner.judge_pending_with(store, mode)
        store.settings = replace(store.settings, enforce=mode)
    return _json({"mode": mode})


@admin.get("/apprunner/failures")
def failures() -> Response:
    arn, found = _about_service(apprunner.failure_reasons)
    return _json({"service_arn": arn, "failures": found})


@admin.get("/apprunner/deployed-image")
def deployed_image() -> Response:
    arn, found = _about_service(apprunner.deployed_image)
    return _json({"service_arn": arn, **found})


def _about_service(read: Callable[[Any, str], Any]) -> tuple[str, Any]:
    """The ``service_arn`` query parameter and what ``read(store, arn)`` says of that service (404 if none)."""
    arn = _service_arn()
    store = _store()
    with store.lock:
        found = read(store, arn)
    if found is None:
        raise AdminError(404, "ServiceNotFound", f"no App Runner service {arn}")
    return arn, found


@admin.get("/apprunner/instance-role-credentials")
def instance_role_credentials() -> Response:
    from mockrunner.errors import ServiceError

    arn = _service_arn()
    store = _store()
    try:
        with _mutation():
            credentials = apprunner.instance_role_credentials(store, arn)
    except ServiceError as error:
        raise AdminError(error.status or 400, error.code, error.message) from None
    return _json({"service_arn": arn, "credentials": credentials})


@admin.post("/apprunner/connections/complete-handshake")
def complete_handshake() -> Response:
    """A connection is created PENDING_HANDSHAKE; on AWS a human finishes the OAuth handshake in the console."""
    body = _body(required=False)
    arn = request.args.get("connection_arn") or (body.get("connection_arn") if isinstance(body, dict) else None)
    if not _names(arn, "connection"):
        raise AdminError(400, "InvalidConnectionArn", "connection_arn must be an App Runner connection ARN "
                                                      "(arn:aws:apprunner:<region>:<account>:connection/<name>/<id>)")
    with _mutation():
        completed = apprunner.complete_handshake(_store(), arn)
    if not completed:
        raise AdminError(404, "ConnectionNotFound", f"no App Runner connection {arn}")
    return _json({"connection_arn": arn, "status": "AVAILABLE"})


@admin.post("/ecr/scan-findings")
def ecr_scan_findings() -> Response:
    """Seed what a scan of an image digest finds (ImageScanFinding objects); none by default."""
    from mockrunner.services.ecr import scanning
    from mockrunner.services.ecr.push import is_sha256

    body = _body()
    store = _store()
    if not isinstance(body, dict) or not isinstance(body.get("digest"), str) or \
            not isinstance(body.get("findings"), list) or \
            body.get("status", "COMPLETE") not in scanning.SEEDED_STATUSES or \
            (body.get("status") == "FAILED" and body["findings"]):
        raise AdminError(400, "InvalidFindings", "the body is {\"digest\": \"sha256:...\", \"findings\": [...]} "
                                                 "with optional status (COMPLETE, or FAILED with no findings), "
                                                 "account_id and region")
    if not is_sha256(body["digest"]):  # no image ever has another digest: findings for it were never reported
        raise AdminError(400, "InvalidFindings", "digest is an image digest as ECR reports it: sha256: and 64 "
                                                 "lower-case hex digits")
    for finding in body["findings"]:
        problem = scanning.finding_problem(finding)
        if problem is not None:
            raise AdminError(400, "InvalidFindings", problem)
    for name in ("account_id", "region"):  # 0, "" or false named the default account or Region, silently
        if name in body and (not isinstance(body[name], str) or not body[name]):
            raise AdminError(400, "InvalidFindings", f"{name}, when given, is a non-empty string")
    account_id = body.get("account_id", store.settings.root_accounts[0].account_id)
    region = body.get("region", store.settings.default_region)
    from mockrunner import regions
    if not regions.is_valid(str(region)):
        raise AdminError(400, "InvalidRegion", f"unknown region {region!r}")
    try:
        with _mutation():
            scanning.seed_findings(store, str(account_id), str(region), body["digest"], body["findings"],
                                   body.get("status", "COMPLETE"))
    except ValueError as error:
        raise AdminError(404, "AccountNotFound", str(error)) from None
    return _json({"digest": body["digest"], "findings": len(body["findings"])})


@admin.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@admin.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown(rest: str) -> Response:
    raise AdminError(404, "UnknownAdminEndpoint",
                     f"no admin endpoint {request.method} /_mockrunner/{rest} (see the README's admin API table)")


def filter_decisions(entries: Iterable[dict | tuple], principal: str | None = None, action: str | None = None,
                     decision: str | None = None, limit: int | None = None) -> list[dict]:
    """The entries (rendered, as the admin API shows them) matching every given filter, the last ``limit`` of
    them when given; ``*`` in principal/action is a wildcard, action ignores case.  ``entries`` are the log's as
    stored (:meth:`DecisionLog.raw`) or rendered: only the entries kept are rendered."""

    def keep(entry: dict | tuple) -> bool:
        if principal is not None and not star_matches(str(_principal_of(entry)), principal):
            return False
        if action is not None and not star_matches(str(field(entry, "action") or "").lower(), action.lower()):
            return False
        if decision is not None:
            value = field(entry, "decision")
            if decision == "denied":
                return value in ("explicitDeny", "implicitDeny")
            return value == decision
        return True

    kept = [entry for entry in entries if keep(entry)]
    if limit is not None:
        kept = kept[-limit:] if limit else []
    return [as_dict(entry) for entry in kept]


def _principal_of(entry: dict | tuple) -> Any:
    principal = field(entry, "principal")
    if isinstance(principal, dict):
        return principal.get("arn", "")
    if principal is None and isinstance(entry, dict):
        return entry.get("principal_arn", "")
    return principal if principal is not None else ""


def _names(arn: object, resource_type: str) -> bool:
    """Whether ``arn`` is an App Runner ARN of ``resource_type`` (``service``, ``connection``)."""
    parsed = apprunner_arns.parse(arn) if isinstance(arn, str) else None
    return parsed is not None and parsed.resource_type == resource_type


def _service_arn() -> str:
    arn = request.args.get("service_arn", "")
    if not _names(arn, "service"):
        raise AdminError(400, "InvalidServiceArn", "service_arn must be an App Runner service ARN "
                                                   "(arn:aws:apprunner:<region>:<account>:service/<name>/<id>)")
    return arn


