"""The bounded log of authorization decisions, read by the admin API, the fixtures and tests.

Recording happens for every check of every call and reading is rare, so an entry is recorded as one flat tuple
of plain values and rendered into its dict only when read.  The collector untracks a tuple holding only strings,
numbers, datetimes and untracked tuples at its first pass; thousands of retained entries then never make it
rescan the heap, which an object (or a dict inside a tuple) per entry did: a full collection every few thousand
calls, about 15% of an in-process call's time.
"""
from __future__ import annotations

import collections
import fnmatch
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

FIELDS = ("time", "requestId", "principal", "action", "resource", "decision", "message", "enforce", "id", "decidedBy",
          "boundary", "resourcePolicy")
"""``id``: increasing, unique across restarts (:data:`_IDS`); ``decidedBy``: the engine's deciding layer
(``identity``, ``permissionsBoundary``, ``session``, ``resource``) or ``allowed``; ``boundary``: the permissions
boundary's ARN then in force; ``resourcePolicy``: the id of the resource or trust policy evaluated (None: none)."""
MATCH_FIELDS = ("policyId", "policyKind", "index", "sid", "effect")
ERROR_FIELDS = ("policyId", "policyKind", "reason")
"""A policy that took part in the decision but could not be read (the engine's ``PolicyError``)."""
_IDS = itertools.count(time.time_ns() // 1000)
"""Ids go on from the microseconds since the epoch at start, so a restarted server's ids follow the last one's: a
page polling for newer decisions sees the new ones, a link to an old decision finds nothing rather than another
(docs/behaviour.md, "Hostile input: forty-eighth pass")."""
_PLAIN = frozenset({str, int, float, bool, type(None)})
_UNNUMBERED = frozenset({str, bool, type(None)})


def record(time: datetime, request_id: str | None, principal: str, action: str, resource: str, decision: str,
           message: str, enforce: str, context: Mapping[str, Any], matched: Iterable[Sequence[Any]],
           errors: Iterable[Sequence[str]] = (), decided_by: str = "", boundary: str | None = None,
           resource_policy: str | None = None) -> tuple:
    """One entry: :data:`FIELDS` (the ``id`` drawn here), then the context as one flat tuple of its keys then
    their values (a sequence value as a tuple), then the matched statements' :data:`MATCH_FIELDS` as one flat
    tuple, then the unreadable policies' :data:`ERROR_FIELDS` as one flat tuple.

    Plain tuples because the collector untracks a tuple whose items are all atomic or untracked tuples; a dict or
    an object inside would keep it (and its rescanning) alive as long as the log holds it.
    """
    return entry(time, request_id, principal, action, resource, decision, message, enforce,
                 fields_of(context, matched, errors), decided_by, boundary, resource_policy)


def star_matches(value: str, pattern: str) -> bool:
    """Whether ``pattern`` matches ``value`` whole, ``*`` matching any run of characters: the log's filters' one
    wildcard (``[``, ``]`` and ``?`` are themselves, as IAM paths and names may hold them)."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


def fields_of(context: Mapping[str, Any], matched: Iterable[Sequence[Any]],
              errors: Iterable[Sequence[str]] = ()) -> tuple[tuple, tuple, tuple]:
    """The context, matched statements and unreadable policies as an entry holds them (see :func:`record`): what a
    caller deciding the same request again may keep and hand to :func:`entry` instead of making them anew."""
    # A context holding numbers is kept as is: 1, 1.0 and True are equal keys, and sharing must not turn one
    # request's value into another's.  (Statement fields are strings and statement indexes.)
    values = tuple(context.values())
    if set(map(type, values)) <= _UNNUMBERED:
        # The common case, without a loop in Python: every value is text, a flag or None.
        pairs = _SHARED.get(flat := tuple(context) + values) or _shared(flat)
    else:
        pairs = _flattened(context)
    statements = tuple(itertools.chain.from_iterable(matched))
    problems = tuple(itertools.chain.from_iterable(errors)) if errors else ()
    # ``_SHARED.get(x) or _shared(x)``: the lookup inline, the function only for a value not yet kept.
    return pairs, _SHARED.get(statements) or _shared(statements), problems


def entry(time: datetime, request_id: str | None, principal: str, action: str, resource: str, decision: str,
          message: str, enforce: str, fields: tuple[tuple, tuple, tuple], decided_by: str = "",
          boundary: str | None = None, resource_policy: str | None = None) -> tuple:
    """:func:`record` of the ``fields`` :func:`fields_of` made of the context, matched statements and errors."""
    return (time, request_id, principal, _SHARED.get(action) or _shared(action),
            _SHARED.get(resource) or _shared(resource), decision, _SHARED.get(message) or _shared(message), enforce,
            next(_IDS), decided_by, boundary, resource_policy, *fields)


def _flattened(context: Mapping[str, Any]) -> tuple:
    """The context as one flat tuple, its keys then their values, any value (a sequence as a tuple of plain
    values)."""
    values = []
    numeric = False
    for value in context.values():
        cls = value.__class__
        numeric = numeric or cls is int or cls is float
        values.append(value if cls in _PLAIN else _frozen(value))
    flat = tuple(context) + tuple(values)
    return flat if numeric else _shared(flat)


def with_details(entry: tuple, details: Mapping[str, Any]) -> dict[str, Any]:
    """A :func:`record` entry rendered as its dict, with ``details`` (JSON-ready values) added under "details".

    For the rare decisions that carry more than the context (a federated call's token claims); a dict is kept
    as it is, so these few entries cost the collector a tracked object each.
    """
    return {**_as_dict(entry), "details": dict(details)}


def _shared(value: Any) -> Any:
    """One retained copy of each recurring value (ARNs, actions, messages, whole contexts and statement lists).

    Every request builds these anew; keeping the request's own copies alive in the log means each call leaves
    objects behind, and the memory they pin costs the next calls more in cache misses (about 10 us of an
    in-process call, measured) than recording them does.
    """
    kept = _SHARED.get(value)
    if kept is None:
        if len(_SHARED) >= _SHARED_SIZE:
            _SHARED.clear()
        _SHARED[value] = kept = value
    return kept


_SHARED: dict[Any, Any] = {}
_SHARED_SIZE = 8192


DETAILS_KEPT = 16_000_000
"""About the bytes (:func:`details_size`) of ``details`` the log keeps over all its entries.  A federated call's
details hold what its token or assertion says (a 100,000-character SAML assertion of 1,100 attribute values is
about 75 KB of claims and keys): 10,000 such entries held 770 MB for whoever can present an assertion.  Past the
budget the oldest entries' details are replaced by :data:`DETAILS_DROPPED` (the decisions themselves stay)."""


class DecisionLog:
    """A deque of decisions (newest last) holding at most ``maxlen``; reads always see dicts.  The ``details`` of
    entries (:meth:`append_detailed`) are kept within :data:`DETAILS_KEPT`, the newest first."""

    def __init__(self, maxlen: int, details_kept: int | None = None) -> None:
        self._entries: collections.deque[dict | tuple] = collections.deque(maxlen=maxlen)
        self.append: Callable[[dict | tuple], None] = self._entries.append
        """Record a dict, or a tuple made by :func:`record` (the deque's own append: one per decision)."""
        self._detailed: collections.deque[tuple[dict, int]] = collections.deque()
        self._details_held = 0
        self._details_kept = DETAILS_KEPT if details_kept is None else details_kept
        self._lock = threading.Lock()

    def append_detailed(self, entry: dict) -> None:
        """Record a :func:`with_details` entry; older entries' details are dropped while all the details kept weigh
        more than the budget (this one's too, if it alone does)."""
        size = details_size(entry["details"])
        with self._lock:
            self._entries.append(entry)
            self._detailed.append((entry, size))
            self._details_held += size
            while self._details_held > self._details_kept and self._detailed:
                dropped, weight = self._detailed.popleft()
                dropped["details"] = DETAILS_DROPPED
                self._details_held -= weight

    def details_held(self) -> tuple[int, int]:
        """``(entries whose details are kept, their size)``."""
        with self._lock:
            return len(self._detailed), self._details_held

    def extend(self, entries: Iterable[dict | tuple]) -> None:
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("details"), dict) and entry["details"] is not \
                    DETAILS_DROPPED:
                self.append_detailed(entry)
            else:
                self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._detailed.clear()
            self._details_held = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (_as_dict(entry) for entry in list(self._entries))

    def __getitem__(self, index: int) -> dict[str, Any]:
        return _as_dict(self._entries[index])

    def raw(self) -> list[dict | tuple]:
        """The entries as stored (oldest first), for readers that filter many before rendering a few: read
        their fields with :func:`field` and render the chosen ones with :func:`as_dict`."""
        return list(self._entries)


_INDEX = {name: index for index, name in enumerate(FIELDS)}


def field(entry: dict | tuple, name: str) -> Any:
    """One of :data:`FIELDS` of a stored entry, unrendered (``time`` stays a datetime in a tuple entry)."""
    if isinstance(entry, dict):
        return entry.get(name)
    return entry[_INDEX[name]]


def as_dict(entry: dict | tuple) -> dict[str, Any]:
    """A stored entry as the admin API shows it."""
    return _as_dict(entry)


def _as_dict(entry: dict | tuple) -> dict[str, Any]:
    if isinstance(entry, dict):
        return entry
    count = len(FIELDS)
    rendered = dict(zip(FIELDS, entry[:count], strict=True))
    rendered["time"] = rendered["time"].isoformat()
    pairs, statements = entry[count], entry[count + 1]
    half = len(pairs) // 2
    rendered["context"] = {pairs[i]: _plain(pairs[half + i]) for i in range(half)}
    width = len(MATCH_FIELDS)
    rendered["matchedStatements"] = [dict(zip(MATCH_FIELDS, statements[i:i + width], strict=True))
                                     for i in range(0, len(statements), width)]
    problems, width = entry[count + 2], len(ERROR_FIELDS)
    rendered["errors"] = [dict(zip(ERROR_FIELDS, problems[i:i + width], strict=True))
                          for i in range(0, len(problems), width)]
    return rendered


def _frozen(value: Any) -> Any:
    """A context value the log can keep untracked: sequences as tuples of plain values, anything else as text."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(item if item.__class__ in _PLAIN else str(item) for item in value)
    return value if isinstance(value, datetime) else str(value)


def _plain(value: Any) -> Any:
    """JSON-ready: tuples as lists, datetimes in ISO 8601."""
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, datetime) else value


DETAILS_DROPPED: dict[str, Any] = {"dropped": "the details of this decision are no longer kept (newer ones are)"}
"""What an entry's ``details`` become once newer entries' details fill :data:`DETAILS_KEPT`."""
_ITEM = 64
"""About the bytes of one object inside details beyond its characters (a str's header, a list or dict slot)."""


def details_size(details: Any) -> int:
    """About the bytes ``details`` hold: each string's characters plus :data:`_ITEM` per string, number, list or
    dict item (a walk with its own stack: however deeply a token's claims nest)."""
    size, stack = 0, [details]
    while stack:
        value = stack.pop()
        size += _ITEM
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(value)
    return size
