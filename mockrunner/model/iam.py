"""IAM state of one account (global across regions), plus the STS sessions issued for it.

Entities are dataclasses of plain values; they refer to each other by name or ARN, never by identity, so the
state exports and imports generically.  AWS managed policies are not stored per account: they are the same
read-only documents everywhere (``mockrunner.model.managed_policies``).

``IamState.version`` changes on every mutation, which only the state's own methods make (``add``, ``remove``,
``update``, ``rename``); the authorizer keys its compiled-policy cache on it, so a cached policy set can never
outlive the IAM state it was compiled from.  Versions come from one process-wide counter, so two states (e.g.
before and after ``Store.reset()``) never share a number.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from mockrunner.model.key_ids import new_key_id

_VERSIONS = itertools.count(1)
E = TypeVar("E")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Unique-id prefixes IAM uses (IAM User Guide, "Unique identifiers": understanding unique ID prefixes).
USER_ID_PREFIX = "AIDA"
ROLE_ID_PREFIX = "AROA"
GROUP_ID_PREFIX = "AGPA"
POLICY_ID_PREFIX = "ANPA"
INSTANCE_PROFILE_ID_PREFIX = "AIPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"

USE_RESOLUTION = timedelta(minutes=1)
"""Last-used times (access keys, roles, users, services) are recorded to this resolution."""
PURGE_MIN = 256
MAX_TOMBSTONES = 10000


UNIQUE_ID_LENGTH = 21
"""Unique ids (users, roles, groups, policies, instance profiles, server certificates, service-specific
credentials) are a four-letter prefix and 17 characters: IAM User Guide, "IAM identifiers" (AIDAJQABLZS4A3QDU576Q,
AROAJ3UQRY75GDAKWTAA2)."""
KEY_ID_LENGTH = 20
"""Access key ids (AKIA, ASIA) and SSH public key ids (APKA) are a prefix and 16 characters (AKIAIOSFODNN7EXAMPLE,
APKAEIBAERJR2EXAMPLE); access key ids also carry their account (:mod:`mockrunner.model.key_ids`)."""


def new_id(prefix: str, length: int = UNIQUE_ID_LENGTH) -> str:
    """An IAM identifier of ``length`` characters: ``prefix`` and random base32 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


MAX_ACCOUNT_PROPERTIES = 100
"""Account properties (PutAccountProperties) one account may hold (unverified quota: it keeps the map, and every
answer, bounded)."""

USER_SESSION_KINDS = ("User", "FederatedUser")
"""The kinds of STS session an IAM user's credentials make (GetSessionToken, GetFederationToken): both name the user
in ``Session.entity_name`` and take their permissions from it."""

MAX_SCOPE_DOWN_POLICIES = 3
"""GetScopedCredentials scope-down policies one session may carry (STS API reference, ScopedPoliciesCount)."""


def new_session_token(minimum_size: int = 0) -> str:
    """Opaque, long and base64-looking like real session tokens (which clients never parse), and at least
    ``minimum_size`` bytes long (STS's ``MinimumSessionTokenSize``: the token is padded up to it)."""
    token = "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(180).replace("-", "+").replace("_", "/")
    if len(token) < minimum_size:
        token += secrets.token_urlsafe(minimum_size).replace("-", "+").replace("_", "/")[:minimum_size - len(token)]
    return token


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
    max_signin_session_duration: int | None = None
    """Seconds an AWS Sign-In session with the role may last (``None``: unset, the default sign-in behaviour)."""

    @property
    def account_id(self) -> str:
        return self.arn.split(":", 5)[4]


@dataclass
class AccessKey:
    """An IAM user's access key, or (``root``) one the account root created for itself with CreateAccessKey."""

    access_key_id: str
    secret_access_key: str
    user_name: str
    """The owning user's name; empty for a root key (IAM reports root keys without a UserName)."""
    status: str
    create_date: datetime
    root: bool = False


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
    transitive_tag_keys: list[str] = field(default_factory=list)
    """Session tag keys that pass on to sessions this one assumes (role chaining)."""
    mfa_authenticated_at: datetime | None = None
    """When the session's user signed in with an MFA code (STS ``SerialNumber``/``TokenCode``); ``None``: no MFA."""
    scope_down_policies: list[str] = field(default_factory=list)
    """The scope-down policies of the GetScopedCredentials calls that made these credentials, oldest first: each
    one limits them on its own (at most :data:`MAX_SCOPE_DOWN_POLICIES`)."""
    federated_provider: str | None = None
    """``aws:FederatedProvider`` of an AssumeRoleWithWebIdentity session: the IAM OIDC provider's URL (the token's
    issuer without ``https://``).  Sessions this one assumes do not carry it."""
    federated_subject: str | None = None
    """The user the federation named: a web identity token's ``sub`` (``<provider URL>:sub`` in the session's
    requests) or a SAML assertion's ``NameID`` (``saml:sub``).  Sessions this one assumes do not carry it."""
    saml_subject_type: str | None = None
    """A SAML session's ``saml:sub_type`` (``persistent``, ``transient`` or the ``NameID`` format URI)."""
    saml_name_qualifier: str | None = None
    """A SAML session's ``saml:namequalifier`` (its issuer, account and provider hashed, as STS returns it)."""


@dataclass
class OidcProvider:
    """An IAM OpenID Connect identity provider.

    ``url`` is kept as IAM reports it: the issuer URL without its ``https://`` (``host`` or ``host/path``); the
    ARN is ``arn:aws:iam::<account>:oidc-provider/<url>``.  ``client_ids`` are the audiences tokens may carry.
    """

    url: str
    arn: str
    create_date: datetime
    client_ids: list[str] = field(default_factory=list)
    thumbprints: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    context_provider: dict[str, Any] | None = None
    """The trusted identity propagation context provider, in its wire form (``None``: none)."""
    identity_center_instance_arn: str | None = None


@dataclass
class SamlPrivateKey:
    """A private key IAM decrypts a SAML provider's encrypted assertions with (PEM); only its id is ever shown."""

    key_id: str
    timestamp: datetime
    private_pem: str


@dataclass
class SamlProvider:
    """An IAM SAML 2.0 identity provider: ``arn:aws:iam::<account>:saml-provider/<name>``.

    ``metadata_document`` is the IdP's metadata as given (its entity id and signing certificates are read from it
    when a SAML response is checked); ``valid_until`` is a hundred years after creation, whatever
    ``validUntil`` the metadata states (as IAM answers).  ``assertion_encryption_mode`` is ``None`` until set
    (``Required`` or ``Allowed``).
    """

    name: str
    arn: str
    uuid: str
    metadata_document: str
    create_date: datetime
    valid_until: datetime
    tags: dict[str, str] = field(default_factory=dict)
    assertion_encryption_mode: str | None = None
    private_keys: list[SamlPrivateKey] = field(default_factory=list)
    context_provider: dict[str, Any] | None = None
    """The trusted identity propagation context provider, in its wire form (``None``: none)."""
    identity_center_instance_arn: str | None = None


@dataclass
class SshPublicKey:
    """An IAM user's SSH public key (CodeCommit): ``body`` as uploaded, ``fingerprint`` the MD5 one IAM shows."""

    key_id: str
    user_name: str
    body: str
    fingerprint: str
    status: str
    upload_date: datetime


@dataclass
class SigningCertificate:
    """An X.509 signing certificate of an IAM user (or, ``user_name`` empty, of the account root)."""

    certificate_id: str
    user_name: str
    body: str
    status: str
    upload_date: datetime


@dataclass
class ServerCertificate:
    """An SSL/TLS server certificate stored in IAM: ``arn:aws:iam::<acct>:server-certificate<path><name>``."""

    name: str
    certificate_id: str
    path: str
    arn: str
    body: str
    private_key: str
    chain: str | None
    upload_date: datetime
    expiration: datetime
    tags: dict[str, str] = field(default_factory=dict)
    tags_refused: bool = False
    """Set by an UpdateServerCertificate that changed nothing: IAM then refuses to tag or untag it."""


@dataclass
class ServiceSpecificCredential:
    """Credentials of an IAM user for one service (CodeCommit Git, Keyspaces, Bedrock API keys).

    ``service_user_name`` and ``password`` for CodeCommit/Keyspaces; ``alias`` and ``password`` (the secret) for
    Bedrock; ``expiration`` only when created with ``CredentialAgeDays``."""

    credential_id: str
    user_name: str
    service_name: str
    service_user_name: str
    password: str
    status: str
    create_date: datetime
    alias: str = ""
    expiration: datetime | None = None


@dataclass
class LastAccessedJob:
    """A GenerateServiceLastAccessedDetails job: the report is computed when generated and kept as plain data."""

    job_id: str
    arn: str
    granularity: str
    created: datetime
    services: list[dict] = field(default_factory=list)
    """One dict per service an entity used: name, namespace, last authenticated (time, entity ARN, region), entities
    (ARN -> time, region), tracked actions (action -> time, entity ARN, region)."""
    unused: list[str] = field(default_factory=list)
    """The namespaces of the services the policies allow that no entity used (hundreds for ``"Action": "*"``: kept
    as names, not as a dict each).  A job saved before this field lists those in ``services`` too."""
    requester: str = ""
    """The ARN of the identity that generated the job (a user, the root, or a role session's assumed-role ARN):
    only it may read the report."""
    entities: list[str] = field(default_factory=list)
    """The ARNs (when generated) of the users and roles whose use the report counts (users, then roles, by name):
    the entities GetServiceLastAccessedDetailsWithEntities lists for each service of the report.  Empty in a job
    saved before it was kept (then the entities that used the service are listed)."""
    entity_ids: list[str] = field(default_factory=list)
    """The unique ids of ``entities``, in their order: an entity is listed as it is now (renamed, moved) and not
    once deleted."""
    requester_id: str = ""
    """The unique id of the identity that generated the job (``aws:userid``: ``AIDA...`` for a user, ``AROA...:<session
    name>`` for a role session, the account id for the root): a user deleted and created again under the same name is
    not the same user.  Empty in a job saved before it was kept (then the ARN alone decides)."""


@dataclass
class DeletionTask:
    task_id: str
    role_name: str
    status: str
    reason: str | None = None
    usage: list[dict] = field(default_factory=list)


@dataclass
class InstanceProfile:
    """An instance profile: ``arn:aws:iam::<account>:instance-profile<path><name>``, holding at most one role
    (by name)."""

    name: str
    instance_profile_id: str
    path: str
    arn: str
    create_date: datetime
    roles: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class LoginProfile:
    """A user's console password, kept only as salted digests (``password_digest``, and the digests of earlier
    passwords for the password policy's reuse prevention, newest first)."""

    user_name: str
    create_date: datetime
    password_digest: str
    password_reset_required: bool = False
    previous_digests: list[str] = field(default_factory=list)
    password_changed: datetime | None = None
    """When the password was last set after the profile was created (UpdateLoginProfile, ChangePassword)."""
    max_signin_session_duration: int | None = None
    """Seconds an AWS Sign-In session of the user may last (``None``: unset)."""


@dataclass
class PasswordPolicy:
    """The account password policy as UpdateAccountPasswordPolicy sets it (0: no expiry / no reuse rule; ``None``:
    HardExpiry not given)."""

    minimum_length: int = 6
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    max_age: int = 0
    reuse_prevention: int = 0
    hard_expiry: bool | None = None


@dataclass
class MfaDevice:
    """A virtual MFA device: ``serial_number`` is its ARN (``arn:aws:iam::<account>:mfa<path><name>``).

    ``seed`` is the base32 TOTP secret; ``user_name``/``enable_date`` are set while the device is enabled for a
    user; ``drift`` is the step offset EnableMFADevice or ResyncMFADevice measured; ``last_step`` the newest step
    IAM accepted a code pair for (a pair is never accepted twice); ``sts_steps`` the steps whose codes STS accepted
    lately (each once; STS and IAM keep apart which codes they took)."""

    serial_number: str
    name: str
    path: str
    seed: str
    create_date: datetime
    user_name: str | None = None
    enable_date: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    drift: int = 0
    last_step: int = -1
    sts_steps: list[int] = field(default_factory=list)


@dataclass
class IamState:
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)
    """Customer managed policies by ARN."""
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    expired_sessions: dict[str, str] = field(default_factory=dict)
    """Tombstones of purged sessions: access key id -> digest of the session token (oldest first).  They keep an
    expired token answering ``ExpiredToken`` (not ``InvalidClientTokenId``) after its session is dropped."""
    deletion_tasks: dict[str, DeletionTask] = field(default_factory=dict)
    oidc_providers: dict[str, OidcProvider] = field(default_factory=dict)
    """OpenID Connect identity providers by ARN."""
    saml_providers: dict[str, SamlProvider] = field(default_factory=dict)
    """SAML identity providers by ARN."""
    outbound_issuer: str | None = None
    """The account's issuer URL for GetWebIdentityToken, made when outbound web identity federation is first
    enabled (kept when it is disabled, as AWS keeps it)."""
    outbound_enabled: bool = False
    instance_profiles: dict[str, InstanceProfile] = field(default_factory=dict)
    """Instance profiles by name."""
    login_profiles: dict[str, LoginProfile] = field(default_factory=dict)
    """Console passwords by user name."""
    mfa_devices: dict[str, MfaDevice] = field(default_factory=dict)
    """Virtual MFA devices by serial number (ARN)."""
    password_policy: PasswordPolicy | None = None
    """The account password policy; ``None``: AWS's default policy applies."""
    account_aliases: list[str] = field(default_factory=list)
    """The account's alias (IAM allows one)."""
    account_properties: dict[str, str] = field(default_factory=dict)
    """PutAccountProperties' settings: ``Namespace/PropertyName`` -> value."""
    ssh_keys: dict[str, SshPublicKey] = field(default_factory=dict)
    """SSH public keys by key id."""
    signing_certificates: dict[str, SigningCertificate] = field(default_factory=dict)
    """Signing certificates by certificate id."""
    server_certificates: dict[str, ServerCertificate] = field(default_factory=dict)
    """Server certificates by name."""
    service_credentials: dict[str, ServiceSpecificCredential] = field(default_factory=dict)
    """Service-specific credentials by credential id."""
    last_accessed_jobs: dict[str, LastAccessedJob] = field(default_factory=dict)
    """Service last accessed reports by job id."""
    credential_report_time: datetime | None = None
    """When GenerateCredentialReport last generated the report (None: never)."""
    credential_report: str = ""
    """The last credential report (CSV), as generated at ``credential_report_time``."""
    sts_global_token_version: str | None = None
    """SetSecurityTokenServicePreferences: ``v1Token`` or ``v2Token`` (None: never set, v1 tokens)."""
    last_used: dict[str, dict[str, tuple]] = field(default_factory=dict)
    """Who used what, recorded as requests are authorized: an entity ARN or access key id -> service namespace ->
    (time, region).  Added to only by :meth:`record_use`, which leaves ``version`` alone (nothing authorized
    depends on it); a user's, role's or access key's record goes with it (:meth:`remove`, :data:`USE_KEYS`), so a
    namesake created later starts with none and the records never outnumber the entities."""
    next_purge: int = PURGE_MIN
    """Purge expired sessions when ``len(sessions)`` reaches this (then: twice the live sessions left)."""
    version: int = 0

    def __post_init__(self) -> None:
        self.version = next(_VERSIONS)

    # ------------------------------------------------------------------------------------------- mutations
    # Every change of an entity goes through add / remove / update (or rename), which advance ``version``: the
    # compiled policy sets and resolved callers cached for this account can never outlive what they were built
    # from.  Handlers never assign to an entity's fields or collections themselves.
    def add(self, entity: E) -> E:
        """Store a new ``entity`` in its collection (by its key: name, ARN, key id or task id)."""
        collection, key = self._home(entity)
        collection[key] = entity
        self._changed()
        return entity

    def remove(self, entity: Any) -> None:
        """Drop ``entity`` from its collection, and the record of its use with it."""
        collection, key = self._home(entity)
        del collection[key]
        self.last_used.pop(_use_key(entity), None)
        self._changed()

    def update(self, entity: E, **changes: Any) -> E:
        """Set fields of a stored ``entity`` (whole values: pass a new list or dict, never mutate one in place)."""
        for name, value in changes.items():
            if name not in entity.__dataclass_fields__:
                raise TypeError(f"{type(entity).__name__} has no field {name!r}")
            setattr(entity, name, value)
        self._changed()
        return entity

    def rename(self, entity: E, **changes: Any) -> E:
        """``update`` for changes of the field the entity is stored under (a user's name, say); the record of its
        use follows it to its new ARN."""
        uses = self.last_used.get(_use_key(entity))
        self.remove(entity)
        self.update(entity, **changes)
        self.add(entity)
        if uses is not None:
            self.last_used[_use_key(entity)] = uses
        return entity

    def configure(self, **changes: Any) -> None:
        """Set account-wide settings of the state itself (outbound identity federation, say)."""
        self.update(self, **changes)

    def record_use(self, who: str, service: str, region: str, when: datetime) -> bool:
        """Note that ``who`` (an entity ARN or access key id) just made a request to ``service``; whether the
        record changed.  It changes on a first use of the service or one at least :data:`USE_RESOLUTION` after the
        recorded one (with the region of that use); closer uses leave it as it is, from another region too, so that
        every change can be saved with the request that made it without saving every request (a caller that
        alternated regions made every request of its, GetCallerIdentity included, save the whole state)."""
        uses = self.last_used.get(who)
        if uses is None:
            uses = self.last_used[who] = {}
        recorded = uses.get(service)
        if recorded is not None and when - recorded[0] < USE_RESOLUTION:
            return False
        uses[service] = (when, region)
        return True

    def end_sessions(self, kinds: tuple[str, ...], entity_name: str) -> None:
        """Forget the STS sessions of an entity that no longer exists (a deleted user's GetSessionToken and
        GetFederationToken credentials, and the scoped credentials made from them)."""
        self.sessions = {key: session for key, session in self.sessions.items()
                         if not (session.kind in kinds and session.entity_name == entity_name)}
        self._changed()

    def rename_sessions(self, kinds: tuple[str, ...], old_name: str, new_name: str, old_arn: str,
                        new_arn: str) -> None:
        """The STS sessions of a renamed (or moved) entity name it by its new name, and those that are the entity
        itself (GetSessionToken's) by its new ARN: they keep its permissions, and a new entity that takes the old
        name is another principal, which resource and trust policies naming it never confuse with them."""
        self.sessions = {key: dataclasses.replace(session, entity_name=new_name,
                                                  arn=new_arn if session.arn == old_arn else session.arn)
                         if session.kind in kinds and session.entity_name == old_name else session
                         for key, session in self.sessions.items()}
        self._changed()

    def invalidate_caches(self) -> None:
        """Advance the version without a change (after the state was imported wholesale)."""
        self._changed()

    def _changed(self) -> None:
        self.version = next(_VERSIONS)

    def _home(self, entity: Any) -> tuple[dict, str]:
        collection_name, key_field = HOMES[type(entity)]
        return getattr(self, collection_name), getattr(entity, key_field)

    def groups_of(self, user_name: str) -> list[Group]:
        return [group for group in self.groups.values() if user_name in group.users]

    def group_names_by_member(self) -> dict[str, list[str]]:
        """Each user's groups' names (as :meth:`groups_of` orders them) in one pass over the groups: for a listing
        of many users, where a lookup per user reads every group each time."""
        names: dict[str, list[str]] = {}
        for group in self.groups.values():
            for member in dict.fromkeys(group.users):
                names.setdefault(member, []).append(group.name)
        return names

    def session_role(self, role_name: str | None, session_user_id: str | None) -> Role | None:
        """The role a role session was issued for while it exists: same name and same unique id (the ``AROA...``
        before the ``:`` of the session's user id).  A new role that reuses a deleted role's name is another role
        and gives the old role's sessions nothing."""
        role = self.roles.get(role_name or "")
        if role is None or (session_user_id or "").split(":", 1)[0] != role.role_id:
            return None
        return role

    # ------------------------------------------------------------------------------------------- sessions
    def add_session(self, session: Session, now: datetime) -> None:
        """Record STS credentials; expired sessions are purged now and then (amortised O(1) per session), so
        memory stays bounded by the live sessions plus :data:`MAX_TOMBSTONES` small tombstones."""
        if len(self.sessions) >= self.next_purge:
            self.purge_sessions(now)
        self.sessions[session.access_key_id] = session

    def purge_sessions(self, now: datetime) -> int:
        """Drop every expired session, leaving a tombstone; returns how many were dropped."""
        expired = [key for key, session in self.sessions.items() if session.expiration <= now]
        for key in expired:
            self.expired_sessions[key] = token_digest(self.sessions.pop(key).session_token)
        while len(self.expired_sessions) > MAX_TOMBSTONES:
            del self.expired_sessions[next(iter(self.expired_sessions))]
        self.next_purge = max(PURGE_MIN, 2 * len(self.sessions))
        return len(expired)

    def expired_session(self, access_key_id: str, session_token: str | None) -> bool:
        """Whether ``access_key_id`` + ``session_token`` are the credentials of a purged (hence expired) session."""
        digest = self.expired_sessions.get(access_key_id)
        return digest is not None and session_token is not None and digest == token_digest(session_token)


HOMES: dict[type, tuple[str, str]] = {
    User: ("users", "name"),
    Group: ("groups", "name"),
    Role: ("roles", "name"),
    ManagedPolicy: ("policies", "arn"),
    AccessKey: ("access_keys", "access_key_id"),
    DeletionTask: ("deletion_tasks", "task_id"),
    OidcProvider: ("oidc_providers", "arn"),
    SamlProvider: ("saml_providers", "arn"),
    InstanceProfile: ("instance_profiles", "name"),
    LoginProfile: ("login_profiles", "user_name"),
    MfaDevice: ("mfa_devices", "serial_number"),
    SshPublicKey: ("ssh_keys", "key_id"),
    SigningCertificate: ("signing_certificates", "certificate_id"),
    ServerCertificate: ("server_certificates", "name"),
    ServiceSpecificCredential: ("service_credentials", "credential_id"),
    LastAccessedJob: ("last_accessed_jobs", "job_id"),
}
"""Entity type -> (the ``IamState`` collection holding it, the field it is keyed by)."""

USE_KEYS: dict[type, str] = {User: "arn", Role: "arn", AccessKey: "access_key_id"}
"""Entity types whose use ``IamState.last_used`` records -> the field that names them there."""


def _use_key(entity: Any) -> str | None:
    field_name = USE_KEYS.get(type(entity))
    return getattr(entity, field_name) if field_name else None


def token_digest(session_token: str) -> str:
    return hashlib.sha256(session_token.encode("utf-8")).hexdigest()[:32]


def new_role_session(
    iam: "IamState",
    now: datetime,
    role: Role,
    session_name: str,
    duration_seconds: int,
    *,
    policies: list[str] | None = None,
    policy_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    chained: bool = False,
    source_identity: str | None = None,
    transitive_tag_keys: list[str] | None = None,
    mfa_authenticated_at: datetime | None = None,
    minimum_token_size: int = 0,
    federated_provider: str | None = None,
    federated_subject: str | None = None,
    saml_subject_type: str | None = None,
    saml_name_qualifier: str | None = None,
) -> Session:
    """Issue and record a session of ``role`` (what AssumeRole returns, and what App Runner's instance role gets).

    The caller has already decided that the session may exist (trust policy, duration rules); this only builds
    it and records it in ``iam`` (the role's account's state): ``ASIA`` key, secret, token, expiration ``now`` +
    duration, and the session ARN / user id IAM derives from the role
    (``arn:aws:sts::<acct>:assumed-role/<role>/<session>``, ``<role id>:<session>``).
    """
    account_id = role.account_id
    session = Session(
        access_key_id=new_key_id(SESSION_KEY_PREFIX, account_id, iam.sessions), secret_access_key=new_secret(),
        session_token=new_session_token(minimum_token_size),
        expiration=now + timedelta(seconds=duration_seconds), kind="AssumedRole",
        arn=f"arn:aws:sts::{account_id}:assumed-role/{role.name}/{session_name}",
        user_id=f"{role.role_id}:{session_name}", entity_name=role.name, session_name=session_name,
        role_arn=role.arn, session_policies=list(policies or []), session_policy_arns=list(policy_arns or []),
        tags=dict(tags or {}), chained=chained, source_identity=source_identity, issued_at=now,
        transitive_tag_keys=list(transitive_tag_keys or []), mfa_authenticated_at=mfa_authenticated_at,
        federated_provider=federated_provider, federated_subject=federated_subject,
        saml_subject_type=saml_subject_type, saml_name_qualifier=saml_name_qualifier,
    )
    iam.add_session(session, now)
    return session


def session_credentials(session: Session) -> dict:
    """The ``Credentials`` structure STS returns for a session.  ``Expiration`` is in whole seconds, as every STS
    answer AWS's documentation shows it; the session itself lives to its exact time, so the credentials never stop
    working before the time they announce.  Evidence:
    (docs/behaviour.md, "Sweep: credential clients' expectations")."""
    return {"AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token, "Expiration": session.expiration.replace(microsecond=0)}
