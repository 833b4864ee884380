"""``mockrunner policy evaluate|validate``: the engine as a command-line tool.

The main CLI calls :func:`add_policy_parser`; ``python -m mockrunner.iam_engine.cli`` runs it alone.
``evaluate`` reads a JSON array of requests and prints a JSON array of results in the same order; an
invalid document or request makes only that result ``error``. ``validate`` exits 0 for a valid
document and 1 (printing IAM's message) otherwise.  A file that cannot be read as UTF-8 text, or (``evaluate``) is
not JSON or nests deeper than :data:`mockrunner.json_nesting.MAX_DEPTH`, is exit status 2 with one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from mockrunner import json_nesting

from .cache import validate_policy
from .document import PolicyKind
from .evaluate import AuthzRequest, PolicyRef, evaluate
from .messages import MalformedPolicyError
from .principal import principal_from_arn
from .strict_json import unparsable_policy_message

_KINDS = {kind.value: kind for kind in PolicyKind}


def _document(value: Any) -> str | dict:
    """A document given as an object or as JSON text."""
    if isinstance(value, str | dict):
        return value
    raise MalformedPolicyError("Syntax errors in policy.")


def _refs(raw: Any, label: str, kind: PolicyKind = PolicyKind.IDENTITY) -> list[PolicyRef]:
    if not isinstance(raw, list):
        raise ValueError(f"{label} must be a JSON array of documents")
    return [PolicyRef(f"{label}[{i}]", _document(doc), kind) for i, doc in enumerate(raw)]


def request_from_json(item: dict, now: datetime) -> AuthzRequest:
    """Build an AuthzRequest from one CLI request object (see the module docstring)."""
    if not isinstance(item, dict):
        raise ValueError("each request must be a JSON object")
    for required in ("principal", "action", "resource"):
        if not isinstance(item.get(required), str):
            raise ValueError(f"request field {required!r} must be a string")
    if item.get("resourceAccount") is not None and not isinstance(item["resourceAccount"], str):
        raise ValueError("request field 'resourceAccount' must be a string (an account id)")
    tags = item.get("principalTags")
    if tags is not None and not (isinstance(tags, dict) and all(isinstance(value, str) for value in tags.values())):
        raise ValueError("request field 'principalTags' must be a JSON object of strings")
    principal = principal_from_arn(item["principal"], tags)
    context = item.get("context") or {}
    if not isinstance(context, dict):
        raise ValueError("context must be a JSON object")
    boundary = item.get("permissionsBoundary")
    sessions = item.get("sessionPolicies")
    resource_policy = item.get("resourcePolicy")
    kind_name = item.get("resourcePolicyKind", "resource")
    if kind_name not in (PolicyKind.RESOURCE.value, PolicyKind.TRUST.value):
        raise ValueError(f"resourcePolicyKind must be 'resource' or 'trust', not {kind_name!r}")
    resource_kind = _KINDS[kind_name]
    return AuthzRequest(
        principal=principal,
        action=item["action"],
        resource=item["resource"],
        context=context,
        identity_policies=_refs(item.get("identityPolicies", []), "identityPolicies"),
        permissions_boundary=None if boundary is None else PolicyRef("permissionsBoundary", _document(boundary)),
        session_policies=None if sessions is None else _refs(sessions, "sessionPolicies"),
        resource_policy=None
        if resource_policy is None
        else PolicyRef("resourcePolicy", _document(resource_policy), resource_kind),
        resource_account=item.get("resourceAccount"),
        now=now,
    )


def evaluate_batch(items: list, now: datetime) -> list[dict]:
    """Evaluate every request; failures become ``error`` results so the batch always completes."""
    results = []
    for item in items:
        ident = item.get("id") if isinstance(item, dict) else None
        try:
            result = evaluate(request_from_json(item, now)).to_dict()
        except MalformedPolicyError as exc:
            result = {"decision": "error", "matchedStatements": [], "message": exc.message}
        except (ValueError, TypeError) as exc:
            result = {"decision": "error", "matchedStatements": [], "message": str(exc)}
        results.append({"id": ident, **result})
    return results


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read(path: str) -> str:
    """The file's text; ``OSError`` when it cannot be read, or is not UTF-8 (a ``UnicodeDecodeError`` is a
    ``ValueError``, which the callers did not expect from a read: a traceback)."""
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise OSError(f"not UTF-8 text ({error})") from None


def _cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        now = _parse_now(args.now)
    except ValueError:
        print(f"invalid --now value: {args.now}", file=sys.stderr)
        return 2
    try:
        items = json_nesting.loads(_read(args.input))
    except (OSError, ValueError, RecursionError) as exc:
        print(f"cannot read requests: {exc}", file=sys.stderr)
        return 2
    if not isinstance(items, list):
        print("input must be a JSON array of requests", file=sys.stderr)
        return 2
    json.dump(evaluate_batch(items, now), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        text = _read(args.file)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        unparsable = unparsable_policy_message(text, args.managed)
        if unparsable is not None:
            raise MalformedPolicyError(unparsable)
        validate_policy(text, _KINDS[args.kind], require_current_version=args.managed)
    except MalformedPolicyError as exc:
        print(f"MalformedPolicyDocument: {exc.message}")
        return 1
    print("Policy document is valid.")
    return 0


def add_policy_parser(subparsers: Any) -> Any:
    """Register ``policy evaluate`` and ``policy validate`` on an argparse subparsers object; returns the
    ``policy`` command's own subparsers, for further ``policy`` commands."""
    policy = subparsers.add_parser("policy", help="evaluate or validate IAM policies")
    commands = policy.add_subparsers(dest="policy_command", required=True)
    ev = commands.add_parser("evaluate", help="decide a JSON array of requests")
    ev.add_argument("--input", required=True, help="JSON file of requests, or - for stdin")
    ev.add_argument("--now", help="evaluation time (ISO 8601) for aws:CurrentTime / aws:EpochTime")
    ev.set_defaults(func=_cmd_evaluate)
    va = commands.add_parser("validate", help="validate a policy document as IAM does")
    va.add_argument("file", help="policy document (JSON), or - for stdin")
    va.add_argument("--kind", choices=sorted(_KINDS), default="identity", help="grammar to apply")
    va.add_argument("--managed", action="store_true", help="also require Version 2012-10-17 (CreatePolicy)")
    va.set_defaults(func=_cmd_validate)
    return commands


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: the ``policy`` command and nothing else."""
    parser = argparse.ArgumentParser(prog="mockrunner")
    add_policy_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
