"""The Access Troubleshooter's records: what the engine decided for a denied request, under its authorization id.

AWS keeps a denial's authorization details for 24 hours (IAM User Guide, "Troubleshoot access denied error messages
with authorization ID (Preview)"); here a record is kept :data:`RETENTION` of the store clock, at most :data:`LIMIT`
records are held (the oldest of the account holding the most goes first), and what they hold weighs at most
:data:`WEIGHT` (the oldest of the account whose records weigh the most goes first).  A log, not state: records are
not written to the state file and ``reset()`` forgets them.  See
(docs/behaviour.md, "IAM Access Troubleshooter (Preview)") and
(docs/behaviour.md, "Compiled principals and authorization records bounded by weight (session 20)").
"""
from __future__ import annotations

import collections
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mockrunner.model.decision_log import details_size

RETENTION = timedelta(hours=24)
LIMIT = 2000
WEIGHT = 16_000_000
"""What the records held may weigh together, about in bytes (:func:`~mockrunner.model.decision_log.details_size`:
each string's characters and 64 an item): each record's own values (its context, evaluations and policy list, about
6,000 for a user with a few policies) and the policy documents it refers to, a document several records of one
account refer to counted once for that account.  A record refers to the texts in force at its denial: by number
alone, a caller rewriting its own policies between denials kept every old text alive, about 80 KB a record at IAM's
quotas (160 MB for 2,000 records).  2,000 records of principals with a few policies each, unchanged between
denials (sharing their texts), fit."""
ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 25
"""Real ids are 25 characters of ``[0-9a-z]`` (``d3xbfwcsdoam45n7ms6nv5pl0``)."""


@dataclass(frozen=True)
class AuthorizationRecord:
    """One denied request as the troubleshooter explains it (JSON-ready values, made once at the denial)."""

    authorization_id: str
    time: datetime
    region: str
    account_id: str
    """The denied principal's account: only its principals may read the record."""
    request_context: dict[str, Any]
    evaluations: list[dict[str, Any]]
    policies: list[dict[str, Any]]
    documents: dict[str, Any] = field(default_factory=dict)
    """Policy URI -> the policy document as it was at the denial (GetRequestAuthorizationPolicy): the text the store
    held (shared with it, never copied), a resource policy's object, or ``None``."""
    decision_id: int | None = None
    """The decision log's entry of the denied check (the dashboard's explanation names the id)."""


def new_id() -> str:
    """A fresh authorization id (25 random characters of ``[0-9a-z]``)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


class AuthorizationDetails:
    """Records by id, at most ``limit`` in all, weighing at most ``weight`` together (:data:`WEIGHT` by default); a
    record older than :data:`RETENTION` is never returned.

    When a new record would exceed the number, the oldest record of the account holding the most records goes; when
    it would exceed the weight, the oldest record of the account whose records weigh the most (the new record
    itself never: at IAM's quotas one record weighs far less than the budget).  An account's denials never push
    another account's records out while it holds more of them (before, any signed principal of one account,
    permitted nothing, flushed every other account's records with 2,000 denials)."""

    def __init__(self, limit: int = LIMIT, weight: int | None = None) -> None:
        self._records: dict[str, AuthorizationRecord] = {}
        self._by_account: dict[str, collections.OrderedDict[str, None]] = {}
        self._by_decision: dict[int, str] = {}
        self._held: dict[str, _Held] = {}
        self._limit, self._budget, self._weight = limit, WEIGHT if weight is None else weight, 0

    def add(self, record: AuthorizationRecord, now: datetime) -> None:
        self._expire(now)
        self._records[record.authorization_id] = record
        self._by_account.setdefault(record.account_id, collections.OrderedDict())[record.authorization_id] = None
        if record.decision_id is not None:
            self._by_decision[record.decision_id] = record.authorization_id
        self._weight += self._held.setdefault(record.account_id, _Held()).hold(record)
        while len(self._records) > self._limit:
            fullest = max(self._by_account.values(), key=len)
            self._forget(next(iter(fullest)))
        while self._weight > self._budget:
            heaviest = max(self._held, key=lambda account: self._held[account].weight)
            oldest = next(iter(self._by_account[heaviest]))
            if oldest == record.authorization_id:
                break
            self._forget(oldest)

    def weight(self) -> int:
        """What the records held weigh now (at most the budget, but for a newest record alone over it)."""
        return self._weight

    def get(self, authorization_id: str, now: datetime) -> AuthorizationRecord | None:
        record = self._records.get(authorization_id)
        if record is None or not _fresh(record, now):
            return None
        return record

    def for_decision(self, decision_id: int | None, now: datetime) -> AuthorizationRecord | None:
        """The fresh record of the decision log's entry ``decision_id``, if its denial has one."""
        found = self._by_decision.get(decision_id) if decision_id is not None else None
        return self.get(found, now) if found is not None else None

    def clear(self) -> None:
        self._records.clear()
        self._by_account.clear()
        self._by_decision.clear()
        self._held.clear()
        self._weight = 0

    def __len__(self) -> int:
        return len(self._records)

    def _expire(self, now: datetime) -> None:
        """Drop the records past retention (the clock may be moved back, so each is checked)."""
        for key in [key for key, record in self._records.items() if not _fresh(record, now)]:
            self._forget(key)

    def _forget(self, authorization_id: str) -> None:
        record = self._records.pop(authorization_id)
        held = self._by_account[record.account_id]
        del held[authorization_id]
        if not held:
            del self._by_account[record.account_id]
        if record.decision_id is not None:
            self._by_decision.pop(record.decision_id, None)
        self._weight -= self._held[record.account_id].release(record)
        if record.account_id not in self._by_account:
            del self._held[record.account_id]


class _Held:
    """What one account's records hold: each record's own values, and the documents they refer to, each counted
    once while any of them refers to it (by its id: a document is alive while a record refers to it)."""

    __slots__ = ("documents", "own", "weight")

    def __init__(self) -> None:
        self.documents: dict[int, list[int]] = {}
        """``id(document) -> [records referring to it, its weight]``."""
        self.own: dict[str, int] = {}
        """Each record's own weight, by its id."""
        self.weight = 0

    def hold(self, record: AuthorizationRecord) -> int:
        """Count ``record`` in; what it added to the weight."""
        added = self.own[record.authorization_id] = details_size(
            (record.request_context, record.evaluations, record.policies))
        for document in _documents(record):
            held = self.documents.get(id(document))
            if held is None:
                held = self.documents[id(document)] = [0, details_size(document)]
                added += held[1]
            held[0] += 1
        self.weight += added
        return added

    def release(self, record: AuthorizationRecord) -> int:
        """Count ``record`` out; what it took from the weight."""
        taken = self.own.pop(record.authorization_id)
        for document in _documents(record):
            held = self.documents[id(document)]
            held[0] -= 1
            if not held[0]:
                del self.documents[id(document)]
                taken += held[1]
        self.weight -= taken
        return taken


def _documents(record: AuthorizationRecord) -> list[Any]:
    """The documents ``record`` refers to, each once (two URIs may name one text)."""
    return list({id(document): document for document in record.documents.values() if document is not None}.values())


def _fresh(record: AuthorizationRecord, now: datetime) -> bool:
    return now < record.time + RETENTION
