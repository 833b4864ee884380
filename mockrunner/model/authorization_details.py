"""The Access Troubleshooter's records: what the engine decided for a denied request, under its authorization id.

AWS keeps a denial's authorization details for 24 hours (IAM User Guide, "Troubleshoot access denied error messages
with authorization ID (Preview)"); here a record is kept :data:`RETENTION` of the store clock, and at most
:data:`LIMIT` records are held (the oldest of the account holding the most goes first).  A log, not state: records
are not written to the state file and ``reset()`` forgets them
(docs/behaviour.md, "IAM Access Troubleshooter (Preview)").
"""
from __future__ import annotations

import collections
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

RETENTION = timedelta(hours=24)
LIMIT = 2000
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
    """Records by id, at most ``limit`` in all; a record older than :data:`RETENTION` is never returned.

    When a new record would exceed the bound, the oldest record of the account holding the most records goes: an
    account's denials never push another account's records out while it holds more of them (before, any signed
    principal of one account, permitted nothing, flushed every other account's records with 2,000 denials)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._records: dict[str, AuthorizationRecord] = {}
        self._by_account: dict[str, collections.OrderedDict[str, None]] = {}
        self._by_decision: dict[int, str] = {}
        self._limit = limit

    def add(self, record: AuthorizationRecord, now: datetime) -> None:
        self._expire(now)
        self._records[record.authorization_id] = record
        self._by_account.setdefault(record.account_id, collections.OrderedDict())[record.authorization_id] = None
        if record.decision_id is not None:
            self._by_decision[record.decision_id] = record.authorization_id
        while len(self._records) > self._limit:
            fullest = max(self._by_account.values(), key=len)
            self._forget(next(iter(fullest)))

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


def _fresh(record: AuthorizationRecord, now: datetime) -> bool:
    return now < record.time + RETENTION
