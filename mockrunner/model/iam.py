"""IAM state of one account (global across regions), plus the STS sessions issued for it.

Entities are dataclasses of plain values; they refer to each other by name or ARN, never by identity, so the
state exports and imports generically.  AWS managed policies are not stored per account: they are the same
read-only documents everywhere (``mockrunner.model.managed_policies``).

``IamState.version`` changes on every mutation (``touch()``); the authorizer keys its compiled-policy cache on
it, so a cached policy set can never outlive the IAM state it was compiled from.  Versions come from one
process-wide counter, so two states (e.g. before and after ``Store.reset()``) never share a number.
"""
from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime

_VERSIONS = itertools.count(1)
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Unique-id prefixes IAM uses (IAM User Guide, "Unique identifiers": understanding unique ID prefixes).
USER_ID_PREFIX = "AIDA"
ROLE_ID_PREFIX = "AROA"
GROUP_ID_PREFIX = "AGPA"
POLICY_ID_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"


def new_id(prefix: str) -> str:
    """A 20-character IAM identifier (prefix + 16 random base32 characters)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def new_session_token() -> str:
    """Opaque, long and base64-looking like real session tokens (which clients never parse)."""
    return "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(180).replace("-", "+").replace("_", "/")


@dataclass
class PolicyVersion:
    version_id: str
    document: str
    create_date: datetime


@dataclass
class ManagedPolicy:
    """A customer managed policy (AWS managed ones share the shape but live outside the account)."""

    name: str
    policy_id: str
    path: str
    arn: str
    create_date: datetime
    update_date: datetime
    default_version_id: str
    versions: list[PolicyVersion] = field(default_factory=list)
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    next_version: int = 2

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    @property
    def default_document(self) -> str:
        version = self.version(self.default_version_id)
        return version.document if version else ""


@dataclass
class User:
    name: str
    user_id: str
    path: str
    arn: str
    create_date: datetime
    tags: dict[str, str] = field(default_factory=dict)
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached_policies: list[str] = field(default_factory=list)
    permissions_boundary: str | None = None


@dataclass
class Group:
    name: str
    group_id: str
    path: str
    arn: str
    create_date: datetime
    users: list[str] = field(default_factory=list)
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached_policies: list[str] = field(default_factory=list)


@dataclass
class Role:
    name: str
    role_id: str
    path: str
    arn: str
    create_date: datetime
    assume_role_policy: str
    description: str = ""
    max_session_duration: int = 3600
    tags: dict[str, str] = field(default_factory=dict)
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached_policies: list[str] = field(default_factory=list)
    permissions_boundary: str | None = None
    service_linked: bool = False


@dataclass
class AccessKey:
    access_key_id: str
    secret_access_key: str
    user_name: str
    status: str
    create_date: datetime


@dataclass
class Session:
    """Temporary credentials from STS: a role session (AssumeRole) or a user session (GetSessionToken)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    kind: str
    """``AssumedRole`` or ``User`` (GetSessionToken) or ``Account`` (root's GetSessionToken)."""
    arn: str
    user_id: str
    entity_name: str | None = None
    session_name: str | None = None
    role_arn: str | None = None
    session_policies: list[str] = field(default_factory=list)
    session_policy_arns: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    chained: bool = False
    source_identity: str | None = None
    issued_at: datetime | None = None


@dataclass
class DeletionTask:
    task_id: str
    role_name: str
    status: str
    reason: str | None = None
    usage: list[dict] = field(default_factory=list)


@dataclass
class IamState:
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)
    """Customer managed policies by ARN."""
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    deletion_tasks: dict[str, DeletionTask] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        self.version = next(_VERSIONS)

    def touch(self) -> None:
        """Record a mutation (invalidates every compiled policy set of this account)."""
        self.version = next(_VERSIONS)

    def groups_of(self, user_name: str) -> list[Group]:
        return [group for group in self.groups.values() if user_name in group.users]
