"""Seed files: declare accounts, IAM users/roles/policies, ECR repositories/images and App Runner resources.

A seed is a JSON document (YAML is not supported: it would need a dependency).  Its top level describes the
default account; ``accounts`` describes others::

    {
      "managed_policies": [{"name": "Deploy", "document": {...}, "path": "/", "description": "..."}],
      "users": [{"name": "alice", "policies": [{"name": "inline", "document": {...}}],
                 "managed_policies": ["Deploy", "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"],
                 "access_keys": [{"access_key_id": "AKIAALICE00000000000", "secret_access_key": "..."}]}],
      "roles": [{"name": "build", "trust_policy": {...}, "policies": [...], "managed_policies": [...]}],
      "ecr": {"repositories": [{"name": "app", "region": "us-east-1", "policy": {...},
                                "images": [{"tags": ["latest"]}]}]},
      "apprunner": {"services": [{"region": "us-east-1", "ServiceName": "web", "SourceConfiguration": {...}}],
                    "auto_scaling_configurations": [{"AutoScalingConfigurationName": "small", ...}]},
      "oidc_providers": [{"url": "https://token.actions.githubusercontent.com",
                          "client_ids": ["sts.amazonaws.com"], "thumbprints": [...], "tags": {...}}],
      "identity_providers": [{"issuer": "https://idp.example.com", "jwks": {"keys": [...]}}],
      "accounts": [{"id": "111122223333", "root_credentials": {"access_key_id": "...",
                    "secret_access_key": "..."}, "users": [...], ...}]
    }

``identity_providers`` (top level only: issuers are not AWS entities) registers public keys tokens of your own
test identity provider are verified with; ``oidc_providers`` are IAM's OIDC provider entities.

Everything is applied through the same code paths as the API: each entry becomes the operation a user would
call (CreateUser, PutUserPolicy, CreateRole, CreateRepository, CreateService, ...) run through the operation's
own handler after the model validation a request gets, as the account's root.  So a seed can create nothing
the API could not, and an invalid seed fails with the API's own message, prefixed by the JSON path of the bad
field (``users[2].policies[0].document: Syntax errors in policy.``).  A seed is applied all-or-nothing.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockrunner import regions
from mockrunner.iam_engine import strict_json
from mockrunner.numerals import is_decimal

if TYPE_CHECKING:
    from mockrunner.model.store import Store


class SeedError(ValueError):
    """An invalid seed; the message starts with the JSON path of the offending field."""


@dataclass(frozen=True)
class Field:
    """One allowed key of a seed object: its JSON type(s) and whether it must be present."""

    types: tuple[type, ...]
    required: bool = False


_STR, _INT, _OBJ, _LIST = (str,), (int,), (dict,), (list,)
_DOC = (dict, str)
POLICY = {"name": Field(_STR, True), "document": Field(_DOC, True)}
MANAGED_POLICY = {"name": Field(_STR, True), "document": Field(_DOC, True), "path": Field(_STR),
                  "description": Field(_STR), "tags": Field(_OBJ)}
ACCESS_KEY = {"access_key_id": Field(_STR), "secret_access_key": Field(_STR), "status": Field(_STR)}
USER = {"name": Field(_STR, True), "path": Field(_STR), "tags": Field(_OBJ), "policies": Field(_LIST),
        "managed_policies": Field(_LIST), "access_keys": Field(_LIST), "permissions_boundary": Field(_STR)}
ROLE = {"name": Field(_STR, True), "trust_policy": Field(_DOC, True), "path": Field(_STR),
        "description": Field(_STR), "max_session_duration": Field(_INT), "tags": Field(_OBJ),
        "policies": Field(_LIST), "managed_policies": Field(_LIST), "permissions_boundary": Field(_STR)}
IMAGE = {"tags": Field(_LIST), "digest": Field(_STR), "manifest": Field(_DOC), "media_type": Field(_STR),
         "size": Field(_INT)}
REPOSITORY = {"name": Field(_STR, True), "region": Field(_STR), "policy": Field(_DOC), "images": Field(_LIST),
              "image_tag_mutability": Field(_STR), "tags": Field(_OBJ)}
ECR = {"repositories": Field(_LIST)}
APPRUNNER = {"services": Field(_LIST), "auto_scaling_configurations": Field(_LIST),
             "observability_configurations": Field(_LIST), "vpc_connectors": Field(_LIST),
             "connections": Field(_LIST)}
OIDC_PROVIDER = {"url": Field(_STR, True), "client_ids": Field(_LIST), "thumbprints": Field(_LIST), "tags": Field(_OBJ)}
IDENTITY_PROVIDER = {"issuer": Field(_STR, True), "jwks": Field(_OBJ, True)}
ROOT = {"access_key_id": Field(_STR, True), "secret_access_key": Field(_STR, True)}
ACCOUNT = {"id": Field(_STR), "root_credentials": Field(_OBJ), "managed_policies": Field(_LIST),
           "users": Field(_LIST), "roles": Field(_LIST), "ecr": Field(_OBJ), "apprunner": Field(_OBJ),
           "oidc_providers": Field(_LIST)}
DOCUMENT = {**ACCOUNT, "version": Field(_INT), "accounts": Field(_LIST), "description": Field(_STR),
            "identity_providers": Field(_LIST)}

APPRUNNER_CREATES = {
    "auto_scaling_configurations": "CreateAutoScalingConfiguration",
    "observability_configurations": "CreateObservabilityConfiguration",
    "vpc_connectors": "CreateVpcConnector",
    "connections": "CreateConnection",
    "services": "CreateService",
}
"""App Runner seed sections → the operation that creates each entry (its input members, PascalCase)."""


def load_seed_file(path: str) -> dict:
    """Read a seed file; unreadable files and bad JSON fail with the file name and position."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise SeedError(f"{path}: cannot read seed file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: not UTF-8 text (byte {error.start}): a seed file is JSON") from None
    if os.path.splitext(path)[1].lower() in (".yaml", ".yml"):
        raise SeedError(f"{path}: YAML seed files are not supported (mockrunner adds no YAML dependency); "
                        "use JSON")
    try:
        return strict_json.loads(text, unicode_only=True)
    except ValueError as error:
        raise SeedError(f"{path}: not valid JSON: {error}") from None


def apply_seed_file(store: "Store", path: str) -> dict[str, int]:
    try:
        return apply_seed(store, load_seed_file(path), source=path)
    except SeedError as error:
        message = str(error)
        raise SeedError(message if message.startswith(path) else f"{path}: {message}") from None


def apply_seed(store: "Store", document: Any, source: str = "seed", root_keys_in_state: bool = False) -> dict[str, int]:
    """Apply ``document`` to ``store`` all-or-nothing; returns how many entities of each kind it created.

    Its accounts' ``root_credentials`` are configuration of the server (``settings.extra_accounts``: given again
    at every start, kept by a reset), or, with ``root_keys_in_state`` (a seed given to a running server), state
    (``Store.seeded_root_keys``: saved and exported with the accounts they make, forgotten by a reset)."""
    _check_object(document, DOCUMENT, "")
    if not _is_unicode_text(document):
        # A seed given as a Python object (mock_apprunner(seed=...)) can hold what its JSON never could (the file and
        # the admin API refuse it as they parse): a name, a tag or a manifest there was an uncaught UnicodeEncodeError.
        raise SeedError("a string holds half a UTF-16 surrogate pair (not Unicode text)")
    if document.get("version", 1) != 1:
        raise SeedError("version: this mockrunner reads seed version 1")
    accounts = [("", document)] + [(f"accounts[{i}].", item) for i, item in enumerate(document.get("accounts", []))]
    for prefix, account in accounts[1:]:
        _check_object(account, ACCOUNT, prefix.rstrip("."))
    counts: dict[str, int] = {}
    with all_or_nothing(store):
        _identity_providers(store, document.get("identity_providers", []), counts)
        seeders = [_Seeder(store, account, prefix, counts, root_keys_in_state) for prefix, account in accounts]
        for seeder in seeders:
            seeder.run_principals()
        for seeder in seeders:
            seeder.run_rest()
    return counts


@contextmanager
def all_or_nothing(store: "Store") -> Iterator[None]:
    """One hold of the store lock around seeding: when the body raises, the store's state and the settings' extra
    root accounts (which a seed registers) are put back as they were, the settings first (they decide which
    accounts exist: put back after the state, a failed seed's account came back empty).

    A seeded state is also held to every check a state import makes (:func:`mockrunner.model.snapshot.read_state`):
    a seed's own checks let through what an import refuses (a key id an STS session already has, a root key id a
    user's key has, a key id of non-ASCII letters), and the state file then no longer loaded, nor did the export
    every later rollback puts back (docs/behaviour.md, "Hostile input: forty-sixth pass")."""
    from mockrunner.model import snapshot

    with store.lock:
        before, extra_accounts = snapshot.export_state(store), store.settings.extra_accounts
        try:
            yield
            try:
                snapshot.read_state(store, snapshot.export_state(store))
            except snapshot.SnapshotError as problem:
                raise SeedError(f"the seeded state would not load again: {problem}") from None
        except BaseException:
            store.settings.extra_accounts = extra_accounts
            snapshot.restore_state(store, before)
            raise


def _identity_providers(store: "Store", entries: list, counts: dict[str, int]) -> None:
    from mockrunner.oidc.keys import OidcError, register_jwks

    for index, item in enumerate(entries):
        path = f"identity_providers[{index}]"
        _check_object(item, IDENTITY_PROVIDER, path)
        try:
            register_jwks(store, item["issuer"], item["jwks"])
        except OidcError as error:
            raise SeedError(f"{path}: {error}") from None
        counts["identity_providers"] = counts.get("identity_providers", 0) + 1


def register_root_credentials(store: "Store", document: Any) -> None:
    """Only the accounts' root keys of a seed: they are configuration, needed again after a state reload."""
    _check_object(document, DOCUMENT, "")
    for index, account in enumerate(document.get("accounts", [])):
        _check_object(account, ACCOUNT, f"accounts[{index}]")
        if "root_credentials" in account:
            _Seeder(store, account, f"accounts[{index}].", {}).register_root()


def _check_object(value: Any, schema: dict[str, Field], path: str) -> None:
    """Structural check before anything is applied: unknown keys (typos), missing keys, wrong JSON types."""
    if not isinstance(value, dict):
        raise SeedError(f"{path or '$'}: expected an object, got {_json_type(value)}")
    for key in value:
        if key not in schema:
            raise SeedError(f"{_join(path, key)}: unknown field (expected one of {', '.join(sorted(schema))})")
    for key, spec in schema.items():
        if key not in value:
            if spec.required:
                raise SeedError(f"{_join(path, key)}: required field is missing")
            continue
        item = value[key]
        if isinstance(item, bool) and bool not in spec.types or not isinstance(item, spec.types):
            expected = " or ".join(_TYPE_NAMES[t] for t in spec.types)
            raise SeedError(f"{_join(path, key)}: expected {expected}, got {_json_type(item)}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_TYPE_NAMES = {str: "a string", int: "an integer", dict: "an object", list: "a list", bool: "a boolean"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _is_unicode_text(document: Any) -> bool:
    """Whether no string in ``document`` holds half a UTF-16 surrogate pair (a value JSON cannot hold is left to
    the checks of its field)."""
    from mockrunner.iam_engine.strict_json import is_unicode_text

    try:
        return is_unicode_text(document)
    except (TypeError, ValueError, RecursionError):
        return True


def _document_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class _Seeder:
    """Applies one account's part of a seed, entry by entry, through the operation handlers."""

    def __init__(self, store: "Store", spec: dict, prefix: str, counts: dict[str, int],
                 root_keys_in_state: bool = False) -> None:
        self.store, self.spec, self.prefix, self.counts = store, spec, prefix, counts
        self.root_keys_in_state = root_keys_in_state
        self.account_id = spec.get("id") or store.settings.default_account
        self.region = store.settings.default_region

    def path(self, *parts: str | int) -> str:
        text = self.prefix.rstrip(".")
        for part in parts:
            text = f"{text}[{part}]" if isinstance(part, int) else _join(text, part)
        return text

    def count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def run_principals(self) -> None:
        """The account, its managed policies, OIDC providers and users: what other accounts' roles may trust."""
        self.ensure_account()
        for step in (self.managed_policies, self.oidc_providers, self.users):
            step()

    def run_rest(self) -> None:
        """Roles (IAM refuses a trust policy naming a user or role that does not exist yet), then ECR and App
        Runner, which name roles."""
        for step in (self.roles, self.repositories, self.apprunner):
            step()

    def ensure_account(self) -> None:
        from mockrunner.model.store import Account

        root = self.register_root()
        account_id = self.account_id
        if account_id not in self.store.accounts:
            if root is None and account_id not in {k.account_id for k in self.store.root_accounts}:
                raise SeedError(f"{self.path('id')}: account {account_id} is not configured; give its "
                                "root_credentials to create it")
            self.store.accounts[account_id] = Account(account_id, created=self.store.clock.now())
            self.count("accounts")

    def register_root(self) -> dict | None:
        """Register the account's ``root_credentials``: as state (``Store.seeded_root_keys``) for a seed given to a
        running server, else as configuration (``settings.extra_accounts``), even when the state already holds the
        very same key (configuration is kept by a reset; state is not).  A key id another account has, or this
        account with another secret, is refused."""
        from mockrunner.config import AccountKeys, check_root_keys

        account_id = self.account_id
        if not (len(account_id) == 12 and is_decimal(account_id)):
            raise SeedError(f"{self.path('id')}: an account id is 12 digits, not {account_id!r}")
        root = self.spec.get("root_credentials")
        if root is None:
            return None
        _check_object(root, ROOT, self.path("root_credentials"))
        keys = AccountKeys(account_id, root["access_key_id"], root["secret_access_key"])
        known = self.store.root_key(keys.access_key_id)
        if known is not None and known.account_id != account_id:
            raise SeedError(f"{self.path('root_credentials', 'access_key_id')}: already the root key of "
                            f"account {known.account_id}")
        if known is not None and known != keys:
            raise SeedError(f"{self.path('root_credentials', 'secret_access_key')}: the root key "
                            f"{keys.access_key_id} of account {account_id} already has another secret")
        try:
            check_root_keys((keys,))
        except ValueError as error:
            raise SeedError(f"{self.path('root_credentials')}: {error}") from None
        if self.root_keys_in_state:
            if known is None:
                self.store.seeded_root_keys[keys.access_key_id] = keys
        elif self.store.settings.root_key(keys.access_key_id) is None:
            self.store.settings.extra_accounts = (*self.store.settings.extra_accounts, keys)
        return root

    def call(self, service: str, operation: str, params: dict, path: str, document_path: str | None = None,
             region: str | None = None) -> dict:
        """The operation's answer, called as the API would be; a ``region`` the API would refuse is refused."""
        if region is not None and not regions.is_valid(region):
            raise SeedError(f"{path}.region: {region[:40]!r} is not a region the API serves")
        return call_operation(self.store, self.account_id, region or self.region, service, operation, params,
                              path, document_path)

    def policy_arn(self, name_or_arn: str) -> str:
        """An ARN as given, or the ARN of the managed policy of that name (declared in this seed with its
        ``path``, or ``/``)."""
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        paths = {item.get("name"): item.get("path", "/") for item in self.spec.get("managed_policies", [])
                 if isinstance(item, dict)}
        path = paths.get(name_or_arn, "/")
        return f"arn:aws:iam::{self.account_id}:policy{path if isinstance(path, str) else '/'}{name_or_arn}"

    def managed_policies(self) -> None:
        for index, item in enumerate(self.spec.get("managed_policies", [])):
            path = self.path("managed_policies", index)
            _check_object(item, MANAGED_POLICY, path)
            params = {"PolicyName": item["name"], "PolicyDocument": _document_text(item["document"])}
            params.update(_optional(item, path=("path", "Path"), description=("description", "Description")))
            if "tags" in item:
                params["Tags"] = _tags(item["tags"], _join(path, "tags"))
            self.call("iam", "CreatePolicy", params, path, _join(path, "document"))
            self.count("managed_policies")

    def principal_policies(self, kind: str, name: str, item: dict, path: str) -> None:
        """Inline and managed policies and the permissions boundary of a user or role."""
        name_key = f"{kind}Name"
        for index, policy in enumerate(item.get("policies", [])):
            where = _join(path, "policies") + f"[{index}]"
            _check_object(policy, POLICY, where)
            self.call("iam", f"Put{kind}Policy", {name_key: name, "PolicyName": policy["name"],
                                                  "PolicyDocument": _document_text(policy["document"])},
                      where, _join(where, "document"))
        for index, arn in enumerate(item.get("managed_policies", [])):
            where = _join(path, "managed_policies") + f"[{index}]"
            if not isinstance(arn, str):
                raise SeedError(f"{where}: expected a policy name or ARN, got {_json_type(arn)}")
            self.call("iam", f"Attach{kind}Policy", {name_key: name, "PolicyArn": self.policy_arn(arn)}, where)
        if "permissions_boundary" in item:
            self.call("iam", f"Put{kind}PermissionsBoundary",
                      {name_key: name, "PermissionsBoundary": self.policy_arn(item["permissions_boundary"])},
                      _join(path, "permissions_boundary"))

    def oidc_providers(self) -> None:
        for index, item in enumerate(self.spec.get("oidc_providers", [])):
            path = self.path("oidc_providers", index)
            _check_object(item, OIDC_PROVIDER, path)
            params = {"Url": item["url"], **_optional(item, client_ids=("client_ids", "ClientIDList"),
                                                      thumbprints=("thumbprints", "ThumbprintList"))}
            if "tags" in item:
                params["Tags"] = _tags(item["tags"], _join(path, "tags"))
            self.call("iam", "CreateOpenIDConnectProvider", params, path)
            self.count("oidc_providers")

    def roles(self) -> None:
        for index, item in enumerate(self.spec.get("roles", [])):
            path = self.path("roles", index)
            _check_object(item, ROLE, path)
            params = {"RoleName": item["name"], "AssumeRolePolicyDocument": _document_text(item["trust_policy"])}
            params.update(_optional(item, path=("path", "Path"), description=("description", "Description"),
                                    max_session_duration=("max_session_duration", "MaxSessionDuration")))
            if "tags" in item:
                params["Tags"] = _tags(item["tags"], _join(path, "tags"))
            self.call("iam", "CreateRole", params, path, _join(path, "trust_policy"))
            self.principal_policies("Role", item["name"], item, path)
            self.count("roles")

    def users(self) -> None:
        for index, item in enumerate(self.spec.get("users", [])):
            path = self.path("users", index)
            _check_object(item, USER, path)
            params = {"UserName": item["name"], **_optional(item, path=("path", "Path"))}
            if "tags" in item:
                params["Tags"] = _tags(item["tags"], _join(path, "tags"))
            self.call("iam", "CreateUser", params, path)
            self.principal_policies("User", item["name"], item, path)
            for key_index, key in enumerate(item.get("access_keys", [])):
                self.access_key(item["name"], key, _join(path, "access_keys") + f"[{key_index}]")
            self.count("users")

    def access_key(self, user: str, spec: Any, path: str) -> None:
        _check_object(spec, ACCESS_KEY, path)
        created = self.call("iam", "CreateAccessKey", {"UserName": user}, path)["AccessKey"]
        key_id = spec.get("access_key_id")
        if key_id is not None:
            self.fix_access_key(created["AccessKeyId"], key_id, spec.get("secret_access_key"), path)
            created["AccessKeyId"] = key_id
        if spec.get("status", "Active") != "Active":
            self.call("iam", "UpdateAccessKey", {"UserName": user, "AccessKeyId": created["AccessKeyId"],
                                                 "Status": spec["status"]}, _join(path, "status"))
        self.count("access_keys")

    def fix_access_key(self, generated: str, key_id: str, secret: str | None, path: str) -> None:
        """Give a key CreateAccessKey made the id (and secret) the seed asks for, checked like IAM's ids."""
        from mockrunner.model.iam import ACCESS_KEY_PREFIX

        if not (16 <= len(key_id) <= 128 and key_id.isalnum() and key_id.isupper()):
            raise SeedError(f"{path}.access_key_id: must be 16-128 upper-case letters and digits, like "
                            f"{ACCESS_KEY_PREFIX}EXAMPLE00000000000")
        if secret is not None and not 1 <= len(secret) <= 128:
            raise SeedError(f"{path}.secret_access_key: must be 1-128 characters")
        taken = {keys.access_key_id for keys in self.store.root_accounts}
        for account in self.store.accounts.values():
            taken.update(account.iam.access_keys)
        if key_id in taken:
            raise SeedError(f"{path}.access_key_id: {key_id} is already in use")
        iam = self.store.accounts[self.account_id].iam
        record = iam.access_keys[generated]
        iam.rename(record, access_key_id=key_id, secret_access_key=secret or record.secret_access_key)

    def repositories(self) -> None:
        ecr = self.spec.get("ecr")
        if ecr is None:
            return
        _check_object(ecr, ECR, self.path("ecr"))
        for index, item in enumerate(ecr.get("repositories", [])):
            path = self.path("ecr", "repositories") + f"[{index}]"
            _check_object(item, REPOSITORY, path)
            region = item.get("region", self.region)
            params = {"repositoryName": item["name"],
                      **_optional(item, image_tag_mutability=("image_tag_mutability", "imageTagMutability"))}
            if "tags" in item:
                params["tags"] = [{"Key": k, "Value": v} for k, v in _tags_map(item["tags"], _join(path, "tags"))]
            self.call("ecr", "CreateRepository", params, path, region=region)
            if "policy" in item:
                self.call("ecr", "SetRepositoryPolicy", {"repositoryName": item["name"],
                                                         "policyText": _document_text(item["policy"])},
                          _join(path, "policy"), _join(path, "policy"), region=region)
            for image_index, image in enumerate(item.get("images", [])):
                self.image(item["name"], region, image, _join(path, "images") + f"[{image_index}]")
            self.count("repositories")

    def image(self, repository: str, region: str, spec: Any, path: str) -> None:
        from mockrunner.model.ecr import digest_mismatch
        from mockrunner.services.ecr import put_image_record
        from mockrunner.state_ranges import out_of_range

        _check_object(spec, IMAGE, path)
        tags = spec.get("tags", [])
        if not all(isinstance(tag, str) and 1 <= len(tag) <= 300 for tag in tags):
            raise SeedError(f"{path}.tags: expected a list of image tags (strings of 1-300 characters)")
        manifest = spec.get("manifest")
        text = None if manifest is None else _document_text(manifest)
        digest = spec.get("digest")
        # The rule a state file's image is held to (state_ranges.WHOLE), checked here on what the seed gives rather
        # than left to out_of_range below: a digest already in the repository would find that image, not this one.
        computed = digest_mismatch(text, digest) if text is not None and isinstance(digest, str) else None
        if computed is not None:
            raise SeedError(f"{path}.digest: {digest} is not the digest of the image's manifest as stored "
                            f"({computed}; a manifest given as a JSON object is stored with a space "
                            "after each ',' and ':'): give the manifest as a string to choose its bytes, or leave "
                            "the digest out")
        options = {"tags": tags, "digest": digest, "manifest": text, "size": spec.get("size", 0)}
        if "media_type" in spec:
            options["media_type"] = spec["media_type"]
        try:
            image = put_image_record(self.store, self.account_id, region, repository, create_repository=False,
                                     **options)
        except ValueError as error:
            raise SeedError(f"{path}: {error}") from None
        # What a state file holds must load again (a digest PutImage could compute, a format ECR stores, ...).
        problem = out_of_range(image, path, self.store.clock.now(), self.store.settings.quotas)
        if problem is not None:
            raise SeedError(problem)
        self.count("images")

    def apprunner(self) -> None:
        section = self.spec.get("apprunner")
        if section is None:
            return
        _check_object(section, APPRUNNER, self.path("apprunner"))
        for key, operation in APPRUNNER_CREATES.items():
            for index, item in enumerate(section.get(key, [])):
                path = self.path("apprunner", key) + f"[{index}]"
                if not isinstance(item, dict):
                    raise SeedError(f"{path}: expected an object, got {_json_type(item)}")
                params = {name: value for name, value in item.items() if name != "region"}
                region = item.get("region", self.region)
                if not isinstance(region, str):
                    raise SeedError(f"{path}.region: expected a string")
                self.call("apprunner", operation, params, path, region=region)
                self.count(f"apprunner_{key}")


def _optional(item: dict, **names: tuple[str, str]) -> dict[str, Any]:
    return {param: item[key] for key, param in names.values() if key in item}


def _tags_map(tags: dict, path: str) -> list[tuple[str, str]]:
    for key, value in tags.items():
        if not isinstance(value, str):
            raise SeedError(f"{path}.{key}: a tag value is a string, got {_json_type(value)}")
    return list(tags.items())


def _tags(tags: dict, path: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in _tags_map(tags, path)]


def call_operation(store: "Store", account_id: str, region: str, service: str, operation: str, params: dict,
                   path: str, document_path: str | None = None) -> dict:
    """Run one API operation as ``account_id``'s root through the gateway's pipeline (:func:`gateway.execute`:
    validation, authorization, the handler), as a request of that caller would run.

    Errors come back as :class:`SeedError` with the API's message, prefixed by the seed path they concern
    (``document_path`` for malformed policy documents).
    """
    from mockrunner import gateway
    from mockrunner.auth.caller import root_caller
    from mockrunner.context import RequestContext
    from mockrunner.errors import ServiceError
    from mockrunner.protocol import specs
    from mockrunner.services import load_all

    load_all()
    service_model = specs.service_model(service)
    operation_model = service_model.operation_model(operation)
    keys = next((k for k in store.root_accounts if k.account_id == account_id), None)
    caller = root_caller(account_id, keys.access_key_id if keys else "seed")
    ctx = RequestContext(store=store, method="POST", path="/", query_string="", headers={}, body=b"",
                         service=service, service_model=service_model, region=region, operation=operation_model,
                         params=params, caller=caller, account=store.account(account_id))
    try:
        with store.lock:
            return gateway.execute(ctx)
    except ServiceError as error:
        if error.code == "NotImplemented":
            raise SeedError(f"{path}: mockrunner does not implement {service}:{operation}, which this entry "
                            "needs") from None
        where = document_path if document_path and "Policy" in error.code else path
        raise SeedError(f"{where}: {error.message or error.code}") from None

