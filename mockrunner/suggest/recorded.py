"""The requests a principal made, read from decision-log entries (the log's stored tuples or exported dicts).

A principal is named by ARN: an IAM user (its own requests), a role (the requests of every session of it) or one
role session.  The policy a suggestion produces goes to the user or the role: :class:`Identity` says which.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, validate_policy
from mockrunner.model import decision_log
from mockrunner.numerals import is_decimal
from mockrunner.suggest.resources import literal


class SuggestError(ValueError):
    """A suggestion request that cannot be answered (bad principal ARN, bad time, unknown decision)."""


@dataclass(frozen=True)
class Identity:
    """The IAM entity a suggested policy is attached to, and which logged principals act as it."""

    kind: str  # "user" | "role"
    account: str
    name: str
    arn: str
    session: str | None = None
    """Only this session of the role (the principal was given as a session ARN)."""

    def acts_as(self, principal: str) -> bool:
        if self.kind == "user":
            return principal == self.arn
        prefix = f"arn:aws:sts::{self.account}:assumed-role/{self.name}/"
        if not principal.startswith(prefix):
            return False
        return self.session is None or principal[len(prefix):] == self.session


@dataclass(frozen=True)
class Recorded:
    """One logged authorization decision, as the suggestion and its proof use it."""

    id: int | None
    time: datetime | None
    principal: str
    action: str
    resource: str
    context: Mapping[str, Any]
    decision: str
    decided_by: str
    boundary: str | None
    resource_policy: str | None
    matched: tuple[Mapping[str, Any], ...]
    message: str


def identity_of(arn: str) -> Identity:
    """The entity ``arn`` names: ``arn:aws:iam::A:user/[path/]N``, ``arn:aws:iam::A:role/[path/]N`` or
    ``arn:aws:sts::A:assumed-role/N/S``; anything else is a :class:`SuggestError`."""
    parsed = split_arn(arn)
    if parsed is None or not is_decimal(parsed.account) or len(parsed.account) != 12:
        raise SuggestError(f"principal must be an IAM user, role or role session ARN, not {arn!r}")
    service, account, kind, rest = parsed.service, parsed.account, parsed.resource_type, parsed.resource_path
    if service == "iam" and kind in ("user", "role") and rest and not rest.endswith("/"):
        return Identity(kind, account, parsed.name, arn)
    if service == "sts" and kind == "assumed-role" and rest.count("/") == 1:
        role, session = rest.split("/")
        if role and session:
            return Identity("role", account, role, f"arn:aws:iam::{account}:role/{role}", session)
    raise SuggestError(f"principal must be an IAM user, role or role session ARN, not {arn!r}")


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed; no zone means UTC), or None for no text."""
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except (TypeError, ValueError):
        raise SuggestError(f"since must be an ISO 8601 time such as 2024-05-01T12:00:00Z, not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select(entries: Iterable[dict | tuple], identity: Identity, since: datetime | None = None) -> list[Recorded]:
    """The entries of principals acting as ``identity`` (oldest first), at or after ``since``.

    Entries are filtered on their stored fields first and rendered only when chosen, so reading a full log for
    one principal costs little more than walking it.
    """
    chosen: list[Recorded] = []
    for entry in entries:
        if not identity.acts_as(str(decision_log.field(entry, "principal"))):
            continue
        record = from_entry(entry)
        if since is not None and (record.time is None or record.time < since):
            continue
        chosen.append(record)
    return chosen


def from_entry(entry: dict | tuple) -> Recorded:
    """A stored or exported entry as a :class:`Recorded`."""
    rendered = decision_log.as_dict(entry)
    time = rendered.get("time")
    try:
        moment = parse_time(time) if isinstance(time, str) else time
    except SuggestError:
        moment = None
    return Recorded(
        id=rendered.get("id"), time=moment, principal=str(rendered.get("principal", "")),
        action=str(rendered.get("action", "")), resource=str(rendered.get("resource", "*")),
        context=dict(rendered.get("context") or {}), decision=str(rendered.get("decision", "")),
        decided_by=str(rendered.get("decidedBy") or ""), boundary=rendered.get("boundary"),
        resource_policy=rendered.get("resourcePolicy"), matched=tuple(rendered.get("matchedStatements") or ()),
        message=str(rendered.get("message", "")),
    )


ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9]+")
"""An action as requests are logged: ``service:Operation``."""
_EXPORTED_TYPES: dict[str, tuple[type, ...]] = {
    "id": (int,), "time": (str,), "principal": (str,), "action": (str,), "resource": (str,), "decision": (str,),
    "message": (str,), "decidedBy": (str, type(None)), "boundary": (str, type(None)),
    "resourcePolicy": (str, type(None)), "context": (dict,), "matchedStatements": (list,),
}
"""The fields of an exported entry (``GET /_mockrunner/decisions``) a suggestion reads, with their types there."""


def exported_entry_problem(entry: Any) -> str | None:
    """What makes ``entry`` no entry of a decision log export (as a file given to ``mockrunner policy suggest``
    holds it, perhaps edited), or None.  A suggestion read every field as the server writes it: another type was a
    traceback, an action without its service (``s3``) or a resource that is no ARN a suggested policy IAM would
    refuse (an ``AssertionError``)."""
    if not isinstance(entry, dict):
        return "an entry is not a JSON object"
    for name, types in _EXPORTED_TYPES.items():
        if name in entry and (not isinstance(entry[name], types) or isinstance(entry[name], bool)):
            return f"an entry's {name} is {type(entry[name]).__name__}, not {types[0].__name__}"
    if not all(isinstance(statement, dict) for statement in entry.get("matchedStatements") or ()):
        return "an entry's matchedStatements are not JSON objects"
    if not ACTION.fullmatch(entry.get("action", "")):
        return f"an entry's action {entry.get('action')!r} is not service:Operation"
    resource = entry.get("resource", "*")
    statement = {"Effect": "Allow", "Action": entry["action"], "Resource": literal(resource)}
    try:
        validate_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), PolicyKind.IDENTITY)
    except MalformedPolicyError:
        return f"an entry's resource {resource!r} is neither * nor an ARN a policy can name"
    return None


def find(entries: Iterable[dict | tuple], decision_id: int) -> Recorded | None:
    """The entry with this ``id``, or None."""
    for entry in entries:
        if decision_log.field(entry, "id") == decision_id:
            return from_entry(entry)
    return None
