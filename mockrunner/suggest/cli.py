"""``mockrunner policy suggest``: the suggestion from a running server, or from a state export and its decision log.

- ``--url http://127.0.0.1:4580`` asks the server's admin API (``--admin-token`` or ``MOCKRUNNER_ADMIN_TOKEN``
  when it requires one);
- ``--state state.json --decisions decisions.json`` (what ``GET /_mockrunner/state`` and ``GET
  /_mockrunner/decisions`` return) works offline.

``--principal ARN`` (``--since``, ``--exact``) prints the suggested policies with their proof; ``--decision ID``
the statement one denied decision needed.  Exit status: 0 answered (every recorded request covered), 1 some
recorded request is not covered (listed under ``proof.uncovered``), 2 bad arguments, input or server answer.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from mockrunner.admin_access import TOKEN_HEADER


def add_suggest_command(policy_commands: Any) -> None:
    """Register ``suggest`` on the ``policy`` command's subparsers."""
    command = policy_commands.add_parser("suggest", help="least-privilege policies from recorded requests")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="a running mockrunner, e.g. http://127.0.0.1:4580")
    source.add_argument("--state", help="a state export (GET /_mockrunner/state)")
    command.add_argument("--decisions", help="its decision log export (GET /_mockrunner/decisions); with --state")
    wanted = command.add_mutually_exclusive_group(required=True)
    wanted.add_argument("--principal", help="IAM user, role or role session ARN")
    wanted.add_argument("--decision", type=int, help="one decision's id: the statement it needed")
    command.add_argument("--since", help="only requests at or after this ISO 8601 time")
    command.add_argument("--exact", action="store_true", help="list every recorded resource, no shared-prefix *")
    command.add_argument("--admin-token", default=os.environ.get("MOCKRUNNER_ADMIN_TOKEN"),
                         help="the server's admin token (default: MOCKRUNNER_ADMIN_TOKEN)")
    command.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    try:
        answer = _from_server(args) if args.url else _from_files(args)
    except (OSError, ValueError) as error:
        print(f"mockrunner policy suggest: {error}", file=sys.stderr)
        return 2
    json.dump(answer, sys.stdout, indent=2)
    sys.stdout.write("\n")
    proof = answer.get("proof")
    return 0 if proof is None or proof.get("allAllowed") else 1


def _from_server(args: argparse.Namespace) -> dict:
    import requests

    params = {"decision": str(args.decision)} if args.decision is not None else {"principal": args.principal}
    if args.since:
        params["since"] = args.since
    if args.exact:
        params["exact"] = "1"
    headers = {TOKEN_HEADER: args.admin_token} if args.admin_token else {}
    try:
        response = requests.get(args.url.rstrip("/") + "/_mockrunner/policies/suggest", params=params,
                                headers=headers, timeout=30)
    except requests.RequestException as error:
        raise ValueError(f"cannot reach {args.url}: {error}") from None
    try:
        body = response.json()
    except ValueError:
        raise ValueError(f"{args.url} answered {response.status_code} without JSON") from None
    if response.status_code != 200:
        raise ValueError(f"{body.get('error')}: {body.get('message')}")
    return body


def _from_files(args: argparse.Namespace) -> dict:
    from mockrunner import suggest
    from mockrunner.model import snapshot
    from mockrunner.model.store import Store

    if not args.decisions:
        raise ValueError("--state needs --decisions (the decision log export)")
    state, log = _read_json(args.state), _read_json(args.decisions)
    entries = log.get("decisions") if isinstance(log, dict) else log
    if not isinstance(entries, list):
        raise ValueError(f"{args.decisions} is not a decision log export ({{\"decisions\": [...]}})")
    for entry in entries:
        problem = suggest.recorded.exported_entry_problem(entry)
        if problem is not None:
            raise ValueError(f"{args.decisions} is not a decision log export: {problem}")
    store = Store()
    try:
        snapshot.import_state(store, state)
    except snapshot.SnapshotError as error:
        raise ValueError(f"{args.state}: {error}") from None
    if args.decision is not None:
        return suggest.for_decision(store, args.decision, entries)
    return suggest.for_principal(store, args.principal, suggest.parse_time(args.since), entries, not args.exact)


def _read_json(path: str) -> Any:
    from mockrunner import json_nesting

    with open(path, encoding="utf-8") as handle:
        try:
            return json_nesting.loads(handle.read())
        except (ValueError, RecursionError) as error:  # not UTF-8 or not JSON; nested too deeply: a traceback
            raise ValueError(f"{path} is not JSON: {error}") from None
