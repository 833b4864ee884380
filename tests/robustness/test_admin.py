"""The admin API (``/_mockrunner/*``, the dashboard included) under hostile bodies and queries: never a 500,
failed calls change nothing."""
from __future__ import annotations

import itertools
import json

from werkzeug.test import Client

from mockrunner.model import snapshot
from tests.robustness.world import build_world

BODIES = [b"", b"{", b"[]", b"null", b"1", b'"x"', b'{"seconds":"abc"}', b'{"seconds":-1}', b'{"seconds":1e999}',
          b'{"seconds":NaN}',
          b'{"format":"mockrunner-state","version":1,"state":{"accounts":{"1":{"$type":"os:system"}}}}',
          b'{"format":"mockrunner-state","version":1,"clock_offset_seconds":1e308,"state":{"accounts":{}}}',
          b'{"format":"mockrunner-state","version":1,"state":{"accounts":{"123456789012":{"$type":"mockrunner.model.'
          b'store:Account","id":"123456789012","iam":{"$type":"builtins:dict"}}}}}',
          b'{"users":[{"name":1}]}', b'{"accounts":"x"}', b"[" * 100000, b"\xff\xfe"]
QUERIES = ["", "?limit=abc", "?limit=-1", "?limit=99999999999999999999", "?service_arn=garbage", "?decision=bogus",
           "?service_arn=%ff%fe&role_arn=%00"]
MUTATING = ("/reset", "/settle", "/clock/advance")


def test_admin_routes_never_fail_with_a_500_and_failed_calls_change_nothing():
    world = build_world()
    app = world.harness.app
    client = Client(app)
    routes = sorted({rule.rule.replace("<path:rest>", "nope") for rule in app.admin_app.url_map.iter_rules()
                     if rule.rule.startswith("/_mockrunner")})
    assert len(routes) >= 10
    checked = 0
    for route in routes:
        if route.endswith(MUTATING):
            continue  # these succeed on any input by design; their effects are covered in tests/ways
        cases = [("GET", b"", query) for query in QUERIES]
        cases += [(method, body, "") for method, body in itertools.product(("POST", "PUT", "DELETE"), BODIES)]
        cases += [("POST", b"{}", query) for query in QUERIES]
        for method, body, query in cases:
            before = snapshot.export_state(world.store)["state"]
            reply = client.open(route + query, method=method, data=body, headers={"Content-Type": "application/json"})
            checked += 1
            assert reply.status_code < 500, (method, route, query, body[:60], reply.data[:300])
            if reply.status_code >= 400:
                if not route.startswith("/_mockrunner/ui"):  # the dashboard answers browsers in HTML
                    assert isinstance(json.loads(reply.data), dict), reply.data[:200]
                assert snapshot.export_state(world.store)["state"] == before, (method, route, body[:60])
            else:
                world.restore()
    assert checked > 500
