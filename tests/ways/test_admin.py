"""The admin API: JSON endpoints, input errors as 4xx JSON, loopback/token rules."""
from __future__ import annotations

import json
import pathlib
import re
import threading

import pytest

from mockrunner.app import create_app
from mockrunner.config import Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = {"ecr": {"repositories": [{"name": "web", "images": [{"tags": ["latest"]}]}]}}


def _client(remote: str = "127.0.0.1", **settings):
    app = create_app(Settings(log_requests=False, operation_delay=0, **settings))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote  # werkzeug's test client: no traffic leaves the process
    return app, client


def test_health_reset_and_unknown_endpoint() -> None:
    app, client = _client()
    health = client.get("/_mockrunner/health")
    assert health.status_code == 200 and health.json["status"] == "ok"
    assert health.json["accounts"] == ["123456789012"]
    assert client.post("/_mockrunner/reset").json == {"status": "reset"}
    unknown = client.get("/_mockrunner/nope")
    assert unknown.status_code == 404 and unknown.json["error"] == "UnknownAdminEndpoint"


def test_seed_export_import_round_trip() -> None:
    app, client = _client()
    seeded = client.post("/_mockrunner/seed", json=SEED)
    assert seeded.status_code == 200, seeded.json
    assert seeded.json["created"] == {"images": 1, "repositories": 1}
    exported = client.get("/_mockrunner/state").json
    assert client.post("/_mockrunner/reset").status_code == 200
    store = app.store
    assert store.accounts["123456789012"].regions == {}
    imported = client.put("/_mockrunner/state", json=exported)
    assert imported.status_code == 200, imported.json
    repo = store.accounts["123456789012"].region("us-east-1").ecr.repositories["web"]
    assert repo.image_by_tag("latest") is not None


@pytest.mark.parametrize("method, path, body, status, error", [
    ("post", "/_mockrunner/seed", b"{not json", 400, "MalformedJSON"),
    ("post", "/_mockrunner/seed", b"", 400, "MissingBody"),
    ("post", "/_mockrunner/seed", json.dumps({"users": [{"nme": "x"}]}).encode(), 400, "InvalidSeed"),
    ("put", "/_mockrunner/state", json.dumps({"format": "x"}).encode(), 400, "InvalidState"),
    ("post", "/_mockrunner/clock/advance", json.dumps({"seconds": -5}).encode(), 400, "InvalidSeconds"),
    ("post", "/_mockrunner/clock/advance", json.dumps({"seconds": "5"}).encode(), 400, "InvalidSeconds"),
    ("get", "/_mockrunner/decisions?decision=maybe", None, 400, "InvalidFilter"),
    ("get", "/_mockrunner/decisions?limit=-1", None, 400, "InvalidFilter"),
    ("get", "/_mockrunner/apprunner/failures?service_arn=nope", None, 400, "InvalidServiceArn"),
    ("get", "/_mockrunner/apprunner/instance-role-credentials", None, 400, "InvalidServiceArn"),
])
def test_bad_input_gets_a_json_4xx(method, path, body, status, error) -> None:
    app, client = _client()
    response = getattr(client, method)(path, data=body, content_type="application/json")
    assert response.status_code == status
    assert response.json["error"] == error and response.json["message"]


def test_seed_error_names_the_bad_field() -> None:
    app, client = _client()
    response = client.post("/_mockrunner/seed", json={"ecr": {"repositories": [{"name": "aa"}, {"nam": "b"}]}})
    assert response.status_code == 400
    assert response.json["message"].startswith("ecr.repositories[1].nam: unknown field")
    assert app.store.accounts["123456789012"].regions == {}, "seeds are all-or-nothing"


@pytest.mark.parametrize("seconds", [-5, 10 ** 9 + 1])
def test_clock_advance_out_of_range_names_the_range(seconds) -> None:
    app, client = _client()
    response = client.post("/_mockrunner/clock/advance", json={"seconds": seconds})
    assert response.status_code == 400
    assert response.json == {"error": "InvalidSeconds",
                             "message": '{"seconds": N} with N a number of seconds from 0 to 1000000000 is required'}


def test_clock_advance_moves_the_store_clock() -> None:
    app, client = _client()
    before = app.store.clock.now()
    response = client.post("/_mockrunner/clock/advance", json={"seconds": 7200})
    assert response.status_code == 200
    assert (app.store.clock.now() - before).total_seconds() >= 7200
    assert client.get("/_mockrunner/clock").json["now"] >= response.json["now"]


def test_decision_log_filters() -> None:
    app, client = _client()
    store = app.store
    if not hasattr(store, "decision_log"):
        pytest.skip("store.decision_log (the authorizer's decision log) has not landed yet")
    entries = [
        {"principal": "arn:aws:iam::123456789012:user/alice", "action": "apprunner:CreateService",
         "decision": "implicitDeny"},
        {"principal": "arn:aws:iam::123456789012:user/bob", "action": "iam:PassRole", "decision": "allowed"},
        {"principal": "arn:aws:iam::123456789012:user/alice", "action": "iam:PassRole", "decision": "explicitDeny"},
    ]
    store.decision_log.extend(entries)
    assert client.get("/_mockrunner/decisions").json["count"] == 3
    alice = client.get("/_mockrunner/decisions?principal=*:user/alice").json["decisions"]
    assert [e["action"] for e in alice] == ["apprunner:CreateService", "iam:PassRole"]
    assert client.get("/_mockrunner/decisions?action=IAM:passrole&decision=allowed").json["decisions"] == [entries[1]]
    assert client.get("/_mockrunner/decisions?decision=denied").json["count"] == 2
    assert client.get("/_mockrunner/decisions?limit=1").json["decisions"] == [entries[2]]
    assert client.delete("/_mockrunner/decisions").status_code == 200
    assert client.get("/_mockrunner/decisions").json["count"] == 0


def test_remote_clients_are_refused_unless_allowed() -> None:
    _, remote = _client(remote="10.1.2.3")
    refused = remote.get("/_mockrunner/health")
    assert refused.status_code == 403 and refused.json["error"] == "AdminForbidden"
    assert remote.post("/_mockrunner/reset").status_code == 403
    _, allowed = _client(remote="10.1.2.3", admin_remote=True, admin_token="s3cret")
    assert allowed.get("/_mockrunner/health", headers={"X-Mockrunner-Admin-Token": "s3cret"}).status_code == 200
    _, v6 = _client(remote="::1")
    assert v6.get("/_mockrunner/health").status_code == 200


def test_token_is_required_everywhere_once_set() -> None:
    _, local = _client(admin_token="s3cret")
    missing = local.get("/_mockrunner/health")
    assert missing.status_code == 401 and "missing" in missing.json["message"]
    wrong = local.get("/_mockrunner/health", headers={"X-Mockrunner-Admin-Token": "nope"})
    assert wrong.status_code == 401 and "wrong" in wrong.json["message"]
    assert local.get("/_mockrunner/health", headers={"X-Mockrunner-Admin-Token": "s3cret"}).status_code == 200
    _, remote = _client(remote="10.1.2.3", admin_token="s3cret", admin_remote=True)
    assert remote.get("/_mockrunner/health", headers={"X-Mockrunner-Admin-Token": "s3cret"}).status_code == 200
    _, remote_no = _client(remote="10.1.2.3", admin_token="s3cret")
    assert remote_no.get("/_mockrunner/health",
                         headers={"X-Mockrunner-Admin-Token": "s3cret"}).status_code == 403


def test_admin_token_does_not_affect_the_aws_api() -> None:
    _, client = _client(admin_token="s3cret")
    response = client.post("/", data="Action=GetCallerIdentity&Version=2011-06-15",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403  # unsigned: the AWS API's own answer, not the admin guard's 401
    assert b"MissingAuthenticationToken" in response.data


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/_mockrunner/clock/advance", {"seconds": 5}),
    ("put", "/_mockrunner/enforce", {"mode": "soft"}),
    ("post", "/_mockrunner/seed", SEED),
])
def test_an_admin_change_waits_for_the_call_in_progress(method, path, body) -> None:
    """Without a state file too, an admin change is made under the store lock, as API calls run: a call in progress
    (here: the lock held by the test) never sees the clock jump, the mode change or a seed half made."""
    app, client = _client()
    answered = threading.Event()

    def change() -> None:
        assert getattr(client, method)(path, json=body).status_code == 200
        answered.set()

    worker = threading.Thread(target=change, daemon=True)
    with app.store.lock:
        worker.start()
        assert not answered.wait(0.5), f"{path} changed the store while a call held its lock"
    assert answered.wait(30)
    worker.join(30)


def _section(path: str, heading: str) -> str:
    """The text of ``path`` from the ``## heading`` line to the next ``## `` heading."""
    text = (ROOT / path).read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def _shape(path: str) -> str:
    """A path with every placeholder (``<path:issuer>``, ``<host>``) the same."""
    return re.sub(r"<[^>]+>", "<>", path.rstrip("/"))


def test_every_admin_endpoint_is_in_the_readme_and_ways_in_tables() -> None:
    """Newcomer pass (session 17): ``POST /_mockrunner/ecr/scan-findings``, the OIDC discovery document, ``GET
    oidc/jwks?issuer=`` and ``GET saml/metadata`` were served but in neither admin table, so a reader could not
    find them.  Every route of the admin blueprint (but the catch-all and the dashboard) is listed: its path in the
    README's table, its method and path in docs/ways-in.md's."""
    app = create_app(Settings(log_requests=False))
    routes = {(method, _shape(rule.rule[len("/_mockrunner/"):]))
              for rule in app.admin_app.url_map.iter_rules()
              if rule.rule.startswith("/_mockrunner/") and not rule.rule.startswith("/_mockrunner/ui")
              and rule.endpoint != "static" and "<path:rest>" not in rule.rule and rule.rule != "/_mockrunner/"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(routes) >= 30
    readme = {_shape(found) for found in re.findall(r"/_mockrunner/([^\s`?]+)", _section("README.md", "Admin API"))}
    assert sorted(path for _, path in routes if path not in readme) == []
    ways_in = set()
    for method, path, also in re.findall(r"`(GET|POST|PUT|DELETE) ([^`?\s]+)[^`]*`(?: \(or `(GET|POST)`)?",
                                         _section("docs/ways-in.md", "Admin API")):
        ways_in |= {(method, _shape(path)), *([(also, _shape(path))] if also else [])}
    assert sorted(routes - ways_in) == []


@pytest.mark.parametrize("mode", ["inprocess", "server"])
def test_servers_in_one_process_each_answer_admin_calls_from_their_own_store(make_harness, mode) -> None:
    """One Flask app serves every store's admin API in a process (``mockrunner/admin_environ.py``): each request
    reads the store and settings of the app it reached, never another's, whichever app built the Flask app."""
    first = make_harness(mode)
    second = make_harness(mode, Settings(log_requests=False, operation_delay=0, admin_token="second-token"))
    first.client("iam").create_user(UserName="only-in-first")
    assert first.admin("GET", "/health")[0] == 200
    status, refused = second.admin("GET", "/health")
    assert (status, refused["error"]) == (401, "AdminTokenRequired")  # the second store's rule, not the first's
    exported = first.admin("GET", "/state")[1]["state"]
    assert any("only-in-first" in json.dumps(account) for account in exported["accounts"].values())
    assert first.admin("POST", "/reset")[0] == 200
    assert "only-in-first" not in json.dumps(first.admin("GET", "/state")[1])
