"""The decision log as the dashboard lists it: filtered on stored fields, newest first, a page at a time.

Only the entries on the page are rendered, so a page costs one pass over the stored tuples (no rendering) plus
:data:`PAGE_SIZE` renderings, whatever the log holds.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockrunner.dashboard import paging
from mockrunner.model import decision_log

PAGE_SIZE = 50
DECISIONS = ("allowed", "denied", "explicitDeny", "implicitDeny")
_DENIED = frozenset({"explicitDeny", "implicitDeny"})


@dataclass(frozen=True)
class Filters:
    """Principal and action: a case-insensitive substring, or a pattern in which only ``*`` is special; the principal
    as it is, whole, with ``exact`` (``"1"``: the overview's link to one principal's decisions); service: the
    action's prefix."""

    principal: str = ""
    action: str = ""
    service: str = ""
    decision: str = ""
    exact: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "Filters":
        decision = args.get("decision", "")
        return cls(args.get("principal", "").strip(), args.get("action", "").strip(),
                   args.get("service", "").strip().lower(), decision if decision in DECISIONS else "",
                   "1" if args.get("exact") == "1" else "")

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    def keeps(self, entry: Any) -> bool:
        field = decision_log.field
        if self.decision:
            value = field(entry, "decision")
            if not (value in _DENIED if self.decision == "denied" else value == self.decision):
                return False
        action = str(field(entry, "action")).lower()
        if self.service and action.partition(":")[0] != self.service:
            return False
        if self.action and not _like(action, self.action):
            return False
        if self.exact:
            return field(entry, "principal") == self.principal
        return not self.principal or _like(str(field(entry, "principal")).lower(), self.principal)


def filter_error(args: Mapping[str, str]) -> str | None:
    """Why the query's filters cannot be applied (a decision outside :data:`DECISIONS`), or None."""
    decision = args.get("decision", "")
    if decision and decision not in DECISIONS:
        return f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}"
    return None


def _like(value: str, wanted: str) -> bool:
    """``wanted`` (lower-cased) is in ``value``, or matches it whole when it holds ``*``, the one special character:
    ``[``, ``]`` and ``?`` are themselves, as IAM paths and names may hold them."""
    wanted = wanted.lower()
    if "*" not in wanted:
        return wanted in value
    return decision_log.star_matches(value, wanted)


def page(entries: list, filters: Filters, args: Mapping[str, str]) -> dict[str, Any]:
    """``{"rows", "total", "page", "pages", "last"}``: the page of the matching entries that ``args``' ``page``
    asks for (1 = newest; read as :func:`paging.window` reads every list's page)."""
    matching = [entry for entry in entries if filters.keeps(entry)] if filters.as_args() else entries
    shown = paging.window(args, "page", len(matching), PAGE_SIZE)
    end = shown.total - shown.start
    chosen = matching[max(0, end - PAGE_SIZE):end][::-1]
    last = decision_log.field(entries[-1], "id") if entries else 0
    return {"rows": [row(entry) for entry in chosen], "total": shown.total, "page": shown.number,
            "pages": shown.pages, "last": last or 0}


def newer(entries: list, filters: Filters, after: int) -> dict[str, Any]:
    """``{"rows", "matching", "last"}`` for the live view: the matching entries with an id above ``after`` (newest
    first, at most a page), how many match in all (a burst may hold more than a page) and the newest id."""
    fresh: list = []
    matching = 0
    for entry in reversed(entries):
        entry_id = decision_log.field(entry, "id")
        if entry_id is None or entry_id <= after:
            break
        if filters.keeps(entry):
            matching += 1
            if len(fresh) < PAGE_SIZE:
                fresh.append(entry)
    last = decision_log.field(entries[-1], "id") if entries else after
    return {"rows": [row(entry) for entry in fresh], "matching": matching, "last": max(after, last or 0)}


def row(entry: Any) -> dict[str, Any]:
    """The few fields a table row shows."""
    field = decision_log.field
    time = field(entry, "time")
    shown = time if isinstance(time, datetime) else _parsed(time)
    return {"id": field(entry, "id"), "time": shown.strftime("%H:%M:%S.%f")[:-3] if shown else str(time),
            "iso": shown.isoformat() if shown else str(time), "principal": field(entry, "principal"),
            "action": field(entry, "action"), "resource": field(entry, "resource"),
            "decision": field(entry, "decision"), "enforce": field(entry, "enforce")}


def _parsed(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def find(entries: list, decision_id: int) -> Any:
    """The stored entry with this id (ids increase along the log: a binary search), or None."""
    low, high = 0, len(entries)
    while low < high:
        middle = (low + high) // 2
        value = decision_log.field(entries[middle], "id") or 0
        if value < decision_id:
            low = middle + 1
        else:
            high = middle
    if low < len(entries) and decision_log.field(entries[low], "id") == decision_id:
        return entries[low]
    return None


def principals(entries: list) -> list[dict[str, Any]]:
    """Each principal in the log with its decision counts, most active first."""
    allowed: Counter[str] = Counter()
    denied: Counter[str] = Counter()
    for entry in entries:
        who = str(decision_log.field(entry, "principal"))
        (allowed if decision_log.field(entry, "decision") == "allowed" else denied)[who] += 1
    names = sorted(set(allowed) | set(denied), key=lambda name: (-(allowed[name] + denied[name]), name))
    return [{"arn": name, "allowed": allowed[name], "denied": denied[name]} for name in names]
