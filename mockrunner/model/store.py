"""The whole in-memory world: accounts, each with global IAM state and per-region service state.

One re-entrant lock guards every mutation (handlers run under it), so each API call sees and leaves a
consistent state and a failed call changes nothing: handlers validate first and mutate last.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from mockrunner.arns import split_arn
from mockrunner.config import AccountKeys, Settings
from mockrunner.iam_engine.memo import SharedMemos
from mockrunner.model.apprunner import AppRunnerState
from mockrunner.model.attempts import AttemptWindows
from mockrunner.model.authorization_details import AuthorizationDetails
from mockrunner.model.blobs import BlobStore
from mockrunner.model.clock import Clock
from mockrunner.model.decision_log import DecisionLog
from mockrunner.model.derived import DerivedCache, WeighedCache
from mockrunner.model.ecr import EcrState
from mockrunner.model.iam import IamState, Role
from mockrunner.model.identity_providers import IdentityProviders

T = TypeVar("T")


def under_lock(read: Callable[..., "T"]) -> Callable[..., "T"]:
    """``read(store, ...)`` made in one hold of the store's lock: for readers that run outside a request (the
    suggestion, the dashboard's explanation), which otherwise iterate the store's collections while a request
    changes them (``RuntimeError: dictionary changed size during iteration``, a 500)."""

    @functools.wraps(read)
    def locked(store: "Store", *args: Any, **kwargs: Any) -> "T":
        with store.lock:
            return read(store, *args, **kwargs)

    return locked


DECISIONS_KEPT = 8192
"""Decisions kept in a store, for all its principals together; past this many the decisions kept start over.  (Each
principal kept up to 1,024 of its own before, and 4,096 compiled principals are kept: one caller minting sessions
could make them hold four million decisions, gigabytes.)"""


@dataclass
class RegionState:
    apprunner: AppRunnerState = field(default_factory=AppRunnerState)
    ecr: EcrState = field(default_factory=EcrState)

    def blank(self) -> bool:
        """Whether the Region holds nothing a request made: no ECR state, and of App Runner's at most the provided
        configurations a first look at a Region seeds."""
        return self.ecr == EcrState() and self.apprunner.provided_only()


_REGIONS_MADE: ContextVar[list[tuple["Account", str]] | None] = ContextVar("regions_made", default=None)
"""The Regions' states :meth:`Account.region` made on this thread while :func:`record_regions_made` records
(else None)."""


def record_regions_made() -> tuple[list[tuple["Account", str]], Token]:
    """Start recording, on this thread, the Regions' states :meth:`Account.region` makes: around one request's work,
    so that when it is refused the ones still blank are dropped again (:func:`unmake_blank_regions`), and a refused
    request leaves the state as it found it, as a read does (:meth:`Account.region_to_read`).  Returns the list
    they are added to and the token :func:`stop_recording_regions` takes, in a ``finally``.  (The gateway's own
    ``try`` around a request's work, rather than a context manager: a generator-based one cost 1.5 µs a request.)"""
    made: list[tuple[Account, str]] = []
    return made, _REGIONS_MADE.set(made)


def unmake_blank_regions(made: list[tuple["Account", str]]) -> None:
    """Drop the Regions' states in ``made`` (:func:`record_regions_made`) that are still :meth:`RegionState.blank`:
    a Region made and filled meanwhile by what the store clock made due (a replication into it) is kept."""
    for account, name in made:
        state = account.regions.get(name)
        if state is not None and state.blank():
            del account.regions[name]


def stop_recording_regions(token: Token) -> None:
    """End the recording :func:`record_regions_made` started."""
    _REGIONS_MADE.reset(token)


@dataclass
class Account:
    id: str
    iam: IamState = field(default_factory=IamState)
    regions: dict[str, RegionState] = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the account (and so its root user) came to be: the root user's CreateDate."""

    def region(self, name: str) -> RegionState:
        """The Region's state, made (empty) and kept if the account has none yet: for a request that changes it."""
        state = self.regions.get(name)
        if state is None:
            state = self.regions[name] = RegionState()
            made = _REGIONS_MADE.get()
            if made is not None:
                made.append((self, name))
        return state

    def region_to_read(self, name: str) -> RegionState:
        """The Region's state, or, if the account has none yet, an empty one that is not kept: for a request that
        only reads (a read of a Region never written leaves the state, its snapshot and its export as they were;
        what is written to the empty one is lost, so a request that changes the state asks :meth:`region`)."""
        state = self.regions.get(name)
        return state if state is not None else RegionState()


class Store:
    """Accounts by id, plus the clock and lock shared by everything that reads or changes them."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.clock = Clock()
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.seeded_root_keys: dict[str, AccountKeys] = {}
        """Root keys ``POST /_mockrunner/seed`` registered in the running server, by access key id: state (saved,
        exported, forgotten by a reset, with the accounts they made), unlike the settings' root keys."""
        self.identity_providers = IdentityProviders()
        """Keys of the issuers whose web identity tokens STS verifies (``mockrunner.oidc``)."""
        self.decision_log = DecisionLog(maxlen=10000)
        """Every authorization decision (read as dicts, newest last), bounded; see ``auth/authorizer.py``."""
        self.authorization_details = AuthorizationDetails()
        """The Access Troubleshooter's records of denials by authorization id (bounded, 24 hours; not state)."""
        self.decisions = SharedMemos(DECISIONS_KEPT)
        """Decisions kept for requests made again, each in its compiled principal's table, bounded together here
        (machinery, not state: ``auth/authorizer.py``, ``CompiledPrincipal.serial``)."""
        self.caches: dict[str, DerivedCache | WeighedCache] = {}
        """Values derived from the state, one :class:`DerivedCache` per owner (see :meth:`derived`)."""
        self.blobs = BlobStore()
        """Image layers and configs by digest, outside the JSON state (a directory when the state is persisted)."""
        self.attempts: dict[str, AttemptWindows] = {}
        """Rate limits' counts of recent attempts, one :class:`AttemptWindows` per owner (see :meth:`attempt_windows`):
        machinery, not state."""
        self.reset()

    def reset(self) -> None:
        """Forget everything (state, keys, blobs, decisions, caches, attempts); the configured accounts exist again,
        empty."""
        with self.lock:
            self.clock.reset()
            now = self.clock.now()
            self.accounts = {keys.account_id: Account(keys.account_id, created=now)
                             for keys in self.settings.root_accounts}
            self.seeded_root_keys = {}
            self.identity_providers = IdentityProviders()
            self.blobs.clear()
            self.decision_log.clear()
            self.authorization_details.clear()
            self.caches.clear()
            self.decisions.clear()
            self.attempts.clear()

    @property
    def root_accounts(self) -> tuple[AccountKeys, ...]:
        """Every root key: the settings' (the default account's first), then those seeded into the state."""
        return (*self.settings.root_accounts, *self.seeded_root_keys.values())

    def root_key(self, access_key_id: str) -> AccountKeys | None:
        """The root key pair with this access key id, the settings' or a seeded one (checked on every
        authenticated request)."""
        return self.settings.root_key(access_key_id) or self.seeded_root_keys.get(access_key_id)

    def derived(self, owner: str, limit: int = 4096,
                make: Callable[[], DerivedCache | WeighedCache] | None = None) -> DerivedCache | WeighedCache:
        """The cache of derived values named ``owner`` (made on first use, by ``make`` if given; ``reset()``
        forgets them all)."""
        cache = self.caches.get(owner)
        if cache is None:
            cache = self.caches.setdefault(owner, make() if make is not None else DerivedCache(limit))
        return cache

    def attempt_windows(self, owner: str, width: int) -> AttemptWindows:
        """The attempt counts named ``owner``, in windows of ``width`` seconds (made on first use; ``reset()``
        forgets them all)."""
        windows = self.attempts.get(owner)
        if windows is None:
            windows = self.attempts.setdefault(owner, AttemptWindows(width))
        return windows

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def role_at(self, arn: str) -> Role | None:
        """The role whose ARN is ``arn``, character for character, in whichever account of the store it lives.

        No other spelling (another partition, a region, a missing or different path) names a role: ``arn`` is what
        policies are checked against, so a looser match would let a spelling slip past a Deny on the real ARN."""
        parsed = split_arn(arn)
        if parsed is None or parsed.service != "iam" or parsed.resource_type != "role":
            return None
        account = self.accounts.get(parsed.account)
        role = account.iam.roles.get(parsed.name) if account is not None else None
        return role if role is not None and role.arn == arn else None
