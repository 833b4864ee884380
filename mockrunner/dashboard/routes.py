"""The dashboard's pages (server-rendered) and the one JSON endpoint its script polls for new decisions."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from mockrunner import __version__, admin_environ, suggest
from mockrunner.dashboard import access, decisions, explain, paging, state_views
from mockrunner.numerals import is_decimal
from mockrunner.suggest import recorded

ui = Blueprint("mockrunner_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
PREFIX = "/_mockrunner/ui"
OTHER_METHODS = ("POST", "PUT", "DELETE", "PATCH")
ERROR_NAMES = {404: "PageNotFound", 405: "MethodNotAllowed"}


_store = admin_environ.store


def _entries() -> list:
    return _store().decision_log.raw()


@ui.context_processor
def _common() -> dict[str, Any]:
    return {"enforce": _store().settings.enforce, "version": __version__, "page_url": _page_url}


def _page_url(shown: paging.Window, number: int) -> str:
    """This page with list ``shown`` at page ``number`` (every other list kept), at that list's heading.  The
    query is encoded here, never passed to ``url_for`` as keywords: there a parameter named ``endpoint``,
    ``_method``, ``_scheme``, ``_external`` or ``_anchor`` would be an argument of ``url_for`` itself."""
    query = urlencode(shown.query(request.args, number))
    return url_for(str(request.endpoint), **(request.view_args or {})) + (f"?{query}" if query else "") + \
        f"#{shown.param}"


_OPEN_WITHOUT_TOKEN = frozenset({"mockrunner_ui.login", "mockrunner_ui.static"})
"""Endpoints a client without the admin token may reach (every other check still applies): the login page and the
stylesheet, script and icon it shows itself with, which hold nothing secret."""


@ui.before_request
def _guard() -> Response | None:
    settings = _store().settings
    refused = access.ui_refusal(settings, request.remote_addr or "", request.headers, request.cookies)
    if refused is None or request.endpoint in _OPEN_WITHOUT_TOKEN and access.only_token_missing(refused):
        if request.method == "OPTIONS" and _page_methods() is None:
            raise NotFound()  # no page here: the 404 a GET gets, not the catch-all route's methods
        return None
    if access.only_token_missing(refused) and request.method == "GET":
        return Response(render_template("login.html", failed=False), status=401, headers=dict(refused.headers))
    if request_ctx.url_adapter is None:
        # A Host werkzeug binds no URLs under (an empty DNS label: "a..b"): no page's links can be built, so the
        # refusal is said in text (docs/behaviour.md, "Hostile input: forty-eighth pass").
        text = f"{refused.status} {refused.error}: {refused.message}\n"
        return Response(text, status=refused.status, headers=dict(refused.headers), mimetype="text/plain")
    page = render_template("error.html", status=refused.status, error=refused.error, message=refused.message)
    return Response(page, status=refused.status, headers=dict(refused.headers))


@ui.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method != "POST":  # GET, and HEAD answered as GET
        return render_template("login.html", failed=False)
    token = request.form.get("token", "")
    refused = access.token_refusal(_store().settings, request.remote_addr or "", request.headers, token)
    if refused is not None:
        return Response(render_template("login.html", failed=True), status=401)
    response = redirect(url_for("mockrunner_ui.index"))
    # Set over HTTPS, the token never goes back over plain HTTP, which the same port also answers (``Secure``).
    response.set_cookie(access.COOKIE, token, httponly=True, samesite="Strict", path=access.COOKIE_PATH,
                        secure=request.is_secure)
    return response


_OVERVIEW_PRINCIPALS = 50
"""The most active principals the overview lists (it says how many more there are)."""


@ui.get("/")
def index() -> str:
    entries = _entries()
    seen = decisions.principals(entries)
    shown = [{**row, "suggestible": _suggestible(row["arn"])} for row in seen[:_OVERVIEW_PRINCIPALS]]
    return render_template("index.html", accounts=sorted(_store().accounts), total=len(entries),
                           denied=sum(row["denied"] for row in seen), principals=shown, shown_count=len(shown),
                           more=len(seen) - len(shown))


def _suggestible(arn: str) -> bool:
    """Whether a least-privilege policy can be suggested for ``arn``: an IAM user, role or role session (not a
    root, a service principal or a federated user, for whom the suggestion page answers 400)."""
    try:
        recorded.identity_of(arn)
    except suggest.SuggestError:
        return False
    return True


@ui.get("/accounts")
def accounts() -> str:
    return render_template("accounts.html", accounts=state_views.accounts(_store(), request.args))


@ui.get("/apprunner")
def apprunner() -> str:
    return render_template("apprunner.html", listing=state_views.apprunner(_store(), request.args))


@ui.get("/ecr")
def ecr() -> Any:
    listing = state_views.ecr(_store(), request.args)
    if listing is None:
        return Response(render_template("error.html", status=404, error="RepositoryNotFound",
                                        message=f"no ECR repository {request.args['repository']}"), status=404)
    return render_template("ecr.html", listing=listing)


@ui.get("/decisions")
def decision_list() -> Any:
    filters = decisions.Filters.from_args(request.args)
    error = decisions.filter_error(request.args)
    if error:
        page = render_template("decisions.html", listing=None, filters=filters, choices=decisions.DECISIONS,
                               error=error)
        return Response(page, status=400)
    listing = decisions.page(_entries(), filters, request.args)
    return render_template("decisions.html", listing=listing, filters=filters, choices=decisions.DECISIONS,
                           error=None)


@ui.get("/decisions/rows")
def decision_rows() -> Response:
    """``{"html", "last", "count", "matching"}``: table rows for decisions newer than ``after`` (the live view polls
    this): ``count`` rows, of ``matching`` decisions newer than ``after`` that the filters keep."""
    error = decisions.filter_error(request.args)
    if error:
        return Response(json.dumps({"error": "InvalidFilter", "message": error}), status=400,
                        mimetype="application/json")
    after = request.args.get("after", "0")
    fresh = decisions.newer(_entries(), decisions.Filters.from_args(request.args),
                            int(after) if is_decimal(after) else 0)
    html = render_template("_rows.html", rows=fresh["rows"])
    body = json.dumps({"html": html, "last": fresh["last"], "count": len(fresh["rows"]),
                       "matching": fresh["matching"]})
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})


@ui.get("/decisions/<decision_id>")
def decision(decision_id: str) -> Any:
    """One decision explained: a path that is no number is no page (404 PageNotFound); a number that is no decision
    in the log, however many digits it has, is 404 DecisionNotFound (werkzeug's ``int`` converter raised a 500 for
    more digits than Python reads)."""
    if not (decision_id.isascii() and decision_id.isdigit()):
        raise NotFound()
    entry = decisions.find(_entries(), int(decision_id)) if is_decimal(decision_id) else None
    if entry is None:
        return Response(render_template("error.html", status=404, error="DecisionNotFound",
                                        message=f"no decision {decision_id} in the log (it keeps the most recent "
                                                "decisions only)"),
                        status=404)
    return render_template("decision.html", explanation=explain.explain(_store(), recorded.from_entry(entry)))


@ui.get("/suggest")
def suggested() -> Any:
    principal = request.args.get("principal", "").strip()
    exact = request.args.get("exact") == "1"
    answer, error = None, None
    if principal:
        try:
            answer = suggest.for_principal(_store(), principal, suggest.parse_time(request.args.get("since")),
                                           wildcards=not exact)
        except suggest.SuggestError as problem:
            error = str(problem)
    listed = [row for row in decisions.principals(_entries()) if _suggestible(row["arn"])]
    page = render_template("suggest.html", principal=principal, answer=answer, error=error, exact=exact,
                           principals=listed, as_json=lambda value: json.dumps(value, indent=2))
    return Response(page, status=400 if error else 200)


@ui.route("/", defaults={"rest": ""}, methods=OTHER_METHODS)
@ui.route("/<path:rest>", methods=("GET", *OTHER_METHODS))
def elsewhere(rest: str) -> Response:
    """A page the dashboard does not have (404), or a method its page does not take (405)."""
    methods = _page_methods()
    raise MethodNotAllowed(methods) if methods else NotFound()


@ui.errorhandler(HTTPException)
def error_page(error: HTTPException) -> Response:
    """An HTML page a browser shows, with a way back (never the admin API's JSON): 404 names the path, 405 the
    methods the page takes (also in ``Allow``; a method refused where no page is, is a 404)."""
    methods = _page_methods() if error.code == 405 else None
    status = 405 if methods else 404 if error.code == 405 else error.code or 500
    path = request.path[len(PREFIX):] or "/"
    message = {404: f"the dashboard has no page {path}",
               405: f"the dashboard page {path} takes {', '.join(methods or ())}, not {request.method}"}
    page = render_template("error.html", status=status, error=ERROR_NAMES.get(status, type(error).__name__),
                           message=message.get(status, error.description))
    return Response(page, status=status, headers={"Allow": ", ".join(methods)} if methods else None)


def routing_error(error: HTTPException) -> Response | None:
    """The dashboard's answer to an error met before any of its routes was chosen (a method no route takes, such
    as ``PROPFIND``) at a path under :data:`PREFIX`, the access checks first; None for other paths."""
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return None
    return _guard() or error_page(error)


@ui.after_request
def _honest_options(response: Response) -> Response:
    """``OPTIONS`` names the methods the page takes (not those of the catch-all routes sharing its path)."""
    methods = _page_methods() if request.method == "OPTIONS" else None
    if methods:
        response.headers["Allow"] = ", ".join(methods)
    return response


def _page_methods() -> list[str] | None:
    """The methods the dashboard page at this request's path takes, or None when no page is there."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, _ = adapter.match(method="GET", return_rule=True)
    except HTTPException:
        return None
    endpoint = str(rule.endpoint)
    if not endpoint.startswith(f"{ui.name}.") or endpoint == f"{ui.name}.elsewhere":
        return None
    return sorted(rule.methods or ())
