"""Settings for one mockrunner instance.

Everything that changes behaviour is explicit: an argument of the Python API, a ``mockrunner serve`` flag or a
``MOCKRUNNER_*`` environment variable.  Nothing switches by request count or hidden global state.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from mockrunner.numerals import is_decimal

ENFORCEMENT_MODES = ("on", "soft", "off")
DEFAULT_PORT = 4580
"""Clashes with neither LocalStack (4566) nor moto's server (5000)."""
MAX_SECONDS = 10 ** 9
"""The longest operation delay or retention a setting may name (as ``POST /_mockrunner/clock/advance`` allows):
finite, so that every due time the store computes is a date."""


@dataclass(frozen=True)
class AccountKeys:
    """Root credentials of one account."""

    account_id: str
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Quotas:
    """Limits per account (``MOCKRUNNER_QUOTAS`` / ``--quota NAME=VALUE``): the quotas AWS lets an account raise
    through Service Quotas, here raised or lowered by configuration.

    App Runner's, per account and region: confirmed values are 10 auto scaling configuration names with 5 revisions
    each, 5 custom domains per service, MaxSize 25; the others are unverified AWS defaults, chosen to be plausible
    (docs/behaviour.md, "App Runner: quotas").  IAM's, per account: the defaults of the IAM User Guide's "IAM and
    AWS STS quotas" (docs/behaviour.md, "IAM: account quotas").
    """

    apprunner_max_services: int = 30
    apprunner_max_connections: int = 10
    apprunner_max_vpc_connectors: int = 10
    apprunner_max_vpc_ingress_connections: int = 10
    apprunner_max_asc_names: int = 10
    apprunner_max_asc_revisions: int = 5
    apprunner_max_observability_names: int = 10
    apprunner_max_observability_revisions: int = 5
    apprunner_max_size_limit: int = 25
    apprunner_max_custom_domains: int = 5
    apprunner_max_tags: int = 50
    apprunner_deleted_retention: float = 3600.0
    """Seconds a deleted service / inactive configuration stays describable before it is forgotten."""
    iam_max_users: int = 5000
    iam_max_groups: int = 300
    iam_max_roles: int = 1000
    iam_max_policies: int = 1500
    """Customer managed policies."""
    iam_max_instance_profiles: int = 1000
    iam_max_server_certificates: int = 20
    iam_max_policies_per_user: int = 10
    """Managed policies attached to one user (AWS raises it to 20 on request; a group's 10 is fixed)."""
    iam_max_policies_per_role: int = 10
    iam_max_trust_policy_size: int = 2048
    """A role's trust policy, in characters without whitespace (``ACLSizePerRole``; AWS raises it to 4,096)."""


def parse_quotas(text: str, base: Quotas | None = None) -> Quotas:
    """Parse ``NAME=VALUE[,NAME=VALUE...]`` over ``base`` (the defaults); unknown names are an error."""
    base = base or Quotas()
    known = {f.name: f.type for f in fields(Quotas)}
    changes: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise ValueError(f"quota {item!r} is not NAME=VALUE with NAME one of {', '.join(sorted(known))}")
        try:
            number = float(value) if known[name] in (float, "float") else int(value)
        except ValueError:
            kind = "a number" if known[name] in (float, "float") else "a whole number"
            raise ValueError(f"quota {name} needs {kind}, not {value!r}") from None
        if not 0 <= number <= MAX_SECONDS:  # NaN fails both
            raise ValueError(f"quota {name} must be >= 0 and <= {MAX_SECONDS}, not {value.strip()!r}")
        changes[name] = number
    return replace(base, **changes)


@dataclass
class Settings:
    enforce: str = "on"
    default_account: str = "123456789012"
    root_access_key_id: str = "test"
    root_secret_access_key: str = "test"
    extra_accounts: tuple[AccountKeys, ...] = ()
    default_region: str = "us-east-1"
    operation_delay: float = 1.0
    """Seconds an App Runner operation stays in progress before it completes (0 = on the next read)."""
    admin_token: str | None = None
    """When set, every admin call must carry it (``X-Mockrunner-Admin-Token`` or ``Authorization: Bearer``)."""
    admin_remote: bool = False
    """Serve ``/_mockrunner/*`` to non-loopback clients too; requires ``admin_token``."""
    admin_hosts: tuple[str, ...] = ()
    """``Host`` names (besides loopback addresses and ``localhost``) the admin API answers under."""
    state_file: str | None = None
    seed_files: tuple[str, ...] = field(default_factory=tuple)
    log_requests: bool = True
    quotas: Quotas = field(default_factory=Quotas)

    def __post_init__(self) -> None:
        for name, check in _FIELD_CHECKS.items():
            check(getattr(self, name))
        if self.admin_remote and not self.admin_token:
            raise ValueError("admin_remote needs an admin token (--admin-remote, MOCKRUNNER_ADMIN_REMOTE): the admin "
                             "API exports every secret key (set MOCKRUNNER_ADMIN_TOKEN, or --admin-token)")
        if isinstance(self.admin_hosts, str):
            raise ValueError("admin_hosts is a sequence of host names, not one string")
        check_root_keys(self.root_accounts)
        self.admin_hosts = tuple(_host_name(name) for name in self.admin_hosts)

    @property
    def root_accounts(self) -> tuple[AccountKeys, ...]:
        default = AccountKeys(self.default_account, self.root_access_key_id, self.root_secret_access_key)
        return (default, *self.extra_accounts)

    def root_key(self, access_key_id: str) -> AccountKeys | None:
        """The root key pair with this access key id, if any (checked on every authenticated request)."""
        if access_key_id == self.root_access_key_id:
            return AccountKeys(self.default_account, self.root_access_key_id, self.root_secret_access_key)
        for keys in self.extra_accounts:
            if keys.access_key_id == access_key_id:
                return keys
        return None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Read ``MOCKRUNNER_*`` variables; keyword overrides (e.g. CLI flags that were given) win."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for name, (var, convert) in _ENV_VARIABLES.items():
            if var in env and env[var] != "":
                try:
                    values[name] = convert(env[var])
                    if overrides.get(name) is None:
                        _FIELD_CHECKS.get(name, _any)(values[name])
                except ValueError as error:
                    raise ValueError(f"{var}: {error}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _enforce(mode: str) -> None:
    if mode not in ENFORCEMENT_MODES:
        raise ValueError(f"enforce must be one of {', '.join(ENFORCEMENT_MODES)}, not {mode!r}")


def _account_id(account: str) -> None:
    if not (len(account) == 12 and is_decimal(account)):
        raise ValueError(f"default account must be 12 digits, not {account!r}")


def _operation_delay(seconds: float) -> None:
    if not 0 <= seconds <= MAX_SECONDS:  # NaN fails both
        raise ValueError(f"operation delay must be >= 0 and <= {MAX_SECONDS} seconds, not {seconds}")


def _admin_token(token: str | None) -> None:
    if token is not None and not _is_header_token(token):
        raise ValueError("the admin token must be printable ASCII without spaces (it travels in a header)")


def _any(value: object) -> None:
    """Fields whose type is their only rule."""


_FIELD_CHECKS = {"enforce": _enforce, "default_account": _account_id, "operation_delay": _operation_delay,
                 "admin_token": _admin_token}
"""Each field's own rule: ``Settings`` applies them, and ``from_env`` applies them to a variable's value first so
that a refusal names the variable (``MOCKRUNNER_ENFORCE: enforce must be one of ...``)."""


_KEY_ID_SEPARATORS = frozenset("/,=")
"""Characters that end an access key id inside SigV4's ``Credential=<key>/<date>/...`` field."""


def check_root_keys(accounts: tuple[AccountKeys, ...]) -> None:
    """Every root key can sign a request (its id fits SigV4's ``Credential`` field, its secret is not empty) and
    names one key: a second account given a key id already in use could never authenticate."""
    seen: set[str] = set()
    for keys in accounts:
        key_id = keys.access_key_id
        if not _is_header_token(key_id) or _KEY_ID_SEPARATORS & set(key_id):
            raise ValueError(f"access key id {key_id!r} of account {keys.account_id} cannot be signed with: use "
                             "printable ASCII without spaces, '/', ',' or '='")
        if not keys.secret_access_key:
            raise ValueError(f"the secret access key of {key_id!r} (account {keys.account_id}) is empty")
        if key_id in seen:
            raise ValueError(f"access key id {key_id!r} is given to more than one root key (account "
                             f"{keys.account_id}); each key id names one key pair")
        seen.add(key_id)


def parse_accounts(text: str) -> tuple[AccountKeys, ...]:
    """Parse ``ACCOUNT:KEY:SECRET[,ACCOUNT:KEY:SECRET...]`` (the ``MOCKRUNNER_ACCOUNTS`` format)."""
    accounts = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        parts = item.split(":")
        if len(parts) != 3 or not (len(parts[0]) == 12 and is_decimal(parts[0])) or not all(parts):
            raise ValueError(f"account entry {item!r} is not ACCOUNT_ID:ACCESS_KEY_ID:SECRET_ACCESS_KEY")
        accounts.append(AccountKeys(*parts))
    return tuple(accounts)


def _is_header_token(text: str) -> bool:
    return bool(text) and all("!" <= char <= "~" for char in text)


def _host_name(name: str) -> str:
    """A ``Host`` name as the admin guard compares it: lower case, no trailing dot, no port."""
    host = name.strip().lower().removesuffix(".")
    if not host or any(char in host for char in ":/@ \t"):
        raise ValueError(f"admin host {name!r} is not a host name (no port, scheme or path)")
    return host


def parse_names(text: str) -> tuple[str, ...]:
    """``NAME[,NAME...]`` (the ``MOCKRUNNER_ADMIN_HOSTS`` format)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _bool(text: str) -> bool:
    """A yes/no variable: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off`` (any case); anything
    else is refused rather than read as off."""
    try:
        return _BOOLEANS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"expected one of {', '.join(_BOOLEANS)}, not {text!r}") from None


def region_name(text: str) -> str:
    """A region of the commercial partition (botocore's list, or shaped like one): requests signed for any other
    are refused, so a server defaulting to it could answer nothing."""
    from mockrunner import regions  # botocore's endpoint data, read only when a region is configured

    if not regions.is_valid(text):
        raise ValueError(f"{text!r} is not a region of the aws partition")
    return text


_ENV_VARIABLES = {
    "enforce": ("MOCKRUNNER_ENFORCE", str.lower),
    "default_account": ("MOCKRUNNER_ACCOUNT_ID", str),
    "root_access_key_id": ("MOCKRUNNER_ROOT_ACCESS_KEY_ID", str),
    "root_secret_access_key": ("MOCKRUNNER_ROOT_SECRET_ACCESS_KEY", str),
    "extra_accounts": ("MOCKRUNNER_ACCOUNTS", parse_accounts),
    "default_region": ("MOCKRUNNER_REGION", region_name),
    "operation_delay": ("MOCKRUNNER_OPERATION_DELAY", float),
    "admin_token": ("MOCKRUNNER_ADMIN_TOKEN", str),
    "admin_remote": ("MOCKRUNNER_ADMIN_REMOTE", _bool),
    "admin_hosts": ("MOCKRUNNER_ADMIN_HOSTS", lambda text: tuple(_host_name(name) for name in parse_names(text))),
    "state_file": ("MOCKRUNNER_STATE_FILE", str),
    "seed_files": ("MOCKRUNNER_SEED", lambda text: tuple(p for p in text.split(os.pathsep) if p)),
    "log_requests": ("MOCKRUNNER_LOG_REQUESTS", _bool),
    "quotas": ("MOCKRUNNER_QUOTAS", parse_quotas),
}
