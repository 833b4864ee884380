"""Export and import the whole :class:`Store` as JSON, generically.

The model is plain data (dataclasses of str/int/float/bool/None/datetime/bytes/list/dict), so one walker can
turn any state into JSON and back without knowing the entities: a dataclass becomes an object tagged with its
class (``"$type": "mockrunner.model.iam:User"``), a datetime an ISO string under ``"$datetime"``, bytes base64
under ``"$bytes"``.  New fields with defaults can be added to entities without breaking older snapshots.

Importing is all-or-nothing: the whole document is decoded and checked into fresh objects first, and only
then swapped into the store under its lock, so a bad document never leaves a half-imported state behind.
"Checked" includes every policy document the state holds: each must pass the validator the API applies to it
(:mod:`mockrunner.model.policy_documents`), so an import cannot plant a policy the API would have refused; and
every value, request members stored as given included, must fit its botocore shape or be in the range the API
allows (:mod:`mockrunner.state_ranges`: the first one out of range,
in document order, refuses the import once the whole document has decoded, so a value of the wrong type is
named first).
Only classes defined under ``mockrunner.`` may be named by ``$type`` (a snapshot cannot make us import
arbitrary code), and only the store's state may be named under ``state`` (never its lock, clock or settings).
Values are held to what the code can compute with: integers within 64 bits, finite floats, datetimes with a time
zone, a clock offset of at most :data:`MAX_CLOCK_OFFSET`; a document nested deeper than the decoder goes is
refused.  The accounts the settings configure that the document lacks exist again, empty (as after a reset).
"""
from __future__ import annotations

import base64
import collections.abc
import dataclasses
import enum
import importlib
import types
import typing
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from mockrunner.iam_engine.strict_json import is_unicode_text
from mockrunner.model.clock import MAX_CLOCK_OFFSET
from mockrunner.model.iam_homes import case_twins, misplaced, shared_ids, shared_key_ids
from mockrunner.model.iam_references import dangling
from mockrunner.model.policy_documents import check_policy_documents
from mockrunner.model.unique_identifiers import twin_identifiers
from mockrunner.state_ranges import check_ranges, checking

if TYPE_CHECKING:
    from mockrunner.model.store import Store

FORMAT = "mockrunner-state"
VERSION = 1
NOT_STATE = frozenset({"settings", "lock", "clock", "decision_log", "authorization_details", "caches", "decisions",
                       "after_mutation", "blobs", "attempts"})
"""Store attributes that are configuration, machinery or a log rather than state."""
_ALLOWED_MODULE_PREFIX = "mockrunner."
_LARGEST_INTEGER = 2 ** 63 - 1


class SnapshotError(ValueError):
    """A snapshot that cannot be exported or imported; the message names the JSON path of the problem."""


def state_attributes(store: "Store") -> list[str]:
    """The store's state: every public attribute except configuration and machinery (``accounts`` first)."""
    exclude = NOT_STATE
    names = [name for name, value in vars(store).items()
             if not name.startswith("_") and name not in exclude and not callable(value)]
    return sorted(names, key=lambda name: (name != "accounts", name))


def export_state(store: "Store") -> dict[str, Any]:
    """A JSON-ready document of the whole state (taken under the store lock, so it is consistent)."""
    with store.lock:
        offset = store.clock.now() - datetime.now(UTC)
        state = {name: encode(getattr(store, name), name) for name in state_attributes(store)}
    return {
        "format": FORMAT,
        "version": VERSION,
        "clock_offset_seconds": max(offset.total_seconds(), 0.0),
        "state": state,
    }


def import_state(store: "Store", document: Any) -> None:
    """Replace the store's state with ``document`` (as :func:`export_state` makes it), or change nothing."""
    replace_state(store, read_state(store, document))


def restore_state(store: "Store", document: dict[str, Any]) -> None:
    """Put back a state this process exported itself (a rollback): decoded but not checked, since it was the store's
    own state; a check it would fail (a rule added since that state was reached) must not make the rollback fail."""
    decoded = {name: decode(value, f"$.state.{name}") for name, value in document["state"].items()}
    replace_state(store, Replacement(decoded, float(document.get("clock_offset_seconds", 0))))


@dataclasses.dataclass(frozen=True)
class Replacement:
    """A state document decoded and checked (:func:`read_state`), ready to replace a store's state."""

    decoded: dict[str, Any]
    offset: float


def read_state(store: "Store", document: Any) -> Replacement:
    """``document`` decoded and checked for ``store`` (its configuration and the names of its state; never its
    state): the costly part of an import (a large document took seconds), which holds no store lock.  Raises
    :class:`SnapshotError`."""
    if not isinstance(document, dict):
        raise SnapshotError("$: a state document must be a JSON object")
    if document.get("format") != FORMAT:
        raise SnapshotError(f"$.format: expected {FORMAT!r}, got {document.get('format')!r}")
    if document.get("version") != VERSION:
        raise SnapshotError(f"$.version: this mockrunner reads version {VERSION}, got {document.get('version')!r}")
    offset = document.get("clock_offset_seconds", 0)
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not 0 <= offset <= MAX_CLOCK_OFFSET:
        raise SnapshotError(f"$.clock_offset_seconds: must be a number from 0 to {MAX_CLOCK_OFFSET}")
    state = document.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("accounts"), dict):
        raise SnapshotError("$.state.accounts: missing or not an object")
    unknown = sorted(set(state) - set(state_attributes(store)))
    if unknown:
        raise SnapshotError(f"$.state.{unknown[0]}: not a part of the state (expected "
                            f"{', '.join(state_attributes(store))})")
    now = datetime.now(UTC) + timedelta(seconds=float(offset))
    try:
        with checking(now, store.settings.quotas, MAX_CLOCK_OFFSET) as limits:
            decoded = {name: decode(value, f"$.state.{name}") for name, value in state.items()}
    except RecursionError:
        raise SnapshotError("$.state: nested too deeply") from None
    if limits.problem is not None:
        raise SnapshotError(limits.problem)
    _check_state_types(store, decoded)
    _check_accounts(decoded["accounts"])
    _check_homes(decoded["accounts"])
    _check_policies(decoded["accounts"])
    problem = misplaced(decoded["accounts"]) or case_twins(decoded["accounts"]) or shared_ids(decoded["accounts"]) \
        or dangling(decoded["accounts"]) or twin_identifiers(decoded["accounts"]) \
        or root_key_clash(store, decoded["accounts"], decoded.get("seeded_root_keys", {}))
    if problem is not None:
        raise SnapshotError(problem)
    return Replacement(decoded, float(offset))


def root_key_clash(store: "Store", accounts: collections.abc.Mapping[str, Any], seeded_root_keys: Any) -> str | None:
    """What is wrong with a state's root keys and key ids, or ``None``: its ``seeded_root_keys`` must be root keys
    filed under their access key ids, of accounts the state has, that can sign a request and name no root key of
    the settings (unless they are that very key); and no key or session of ``accounts`` may have an access key id
    another has too, root keys included (:func:`mockrunner.model.iam_homes.shared_key_ids`)."""
    from mockrunner.config import AccountKeys, check_root_keys

    if not isinstance(seeded_root_keys, dict):
        return "$.state.seeded_root_keys: expected an object of root keys by access key id"
    configured = store.settings.root_accounts
    for key_id, keys in seeded_root_keys.items():
        where = f"$.state.seeded_root_keys[{str(key_id)[:200]!r}]"
        if not isinstance(keys, AccountKeys) or keys.access_key_id != key_id:
            return f"{where}: expected the root key (mockrunner.config:AccountKeys) of this access key id"
        if keys.account_id not in accounts:
            return f"{where}: account {keys.account_id[:40]!r} is not in $.state.accounts"
    seeded = tuple(keys for keys in seeded_root_keys.values() if keys not in configured)
    try:
        check_root_keys((*configured, *seeded))
    except ValueError as error:
        return f"$.state.seeded_root_keys: {error}"
    return shared_key_ids(accounts, {**{keys.access_key_id: "a root key of the settings" for keys in configured},
                                     **{keys.access_key_id: "a seeded root key of the state" for keys in seeded}})


def replace_state(store: "Store", replacement: Replacement) -> None:
    """Put a :func:`read_state` replacement in place of the store's state, in one hold of its lock.  Its key ids are
    checked again against the settings' root keys there: a seed may have registered one since :func:`read_state`
    (docs/behaviour.md, "Hostile input: forty-seventh pass"); raises :class:`SnapshotError`, nothing replaced."""
    from mockrunner.model.store import Account

    decoded, offset = dict(replacement.decoded), replacement.offset
    with store.lock:
        problem = root_key_clash(store, decoded["accounts"], decoded.get("seeded_root_keys", {}))
        if problem is not None:
            raise SnapshotError(problem)
        decoded.update(_empty_values(store, set(state_attributes(store)) - set(decoded)))
        for name, value in decoded.items():
            setattr(store, name, value)
        store.clock.reset()
        store.clock.advance(float(offset))
        for keys in store.settings.root_accounts:
            if keys.account_id not in store.accounts:
                store.accounts[keys.account_id] = Account(keys.account_id, created=store.clock.now())
        for account in store.accounts.values():
            account.iam.invalidate_caches()  # stored versions may collide with this process's
        store.decisions.clear()  # decided on the state just replaced: none can be found again (machinery)


def _empty_values(store: "Store", names: set[str]) -> dict[str, Any]:
    """Fresh empty values for state the document does not mention (it predates that part of the model)."""
    empties = {}
    for name in names:
        try:
            empties[name] = type(getattr(store, name))()
        except TypeError:
            raise SnapshotError(f"$.state.{name}: missing from the document") from None
    return empties


def _check_state_types(store: "Store", decoded: dict[str, Any]) -> None:
    """Each part of the state decodes to the type the store holds it as: a tagged value (``{"$tuple": []}``,
    ``{"$datetime": ...}``) is a JSON object too, and one in place of the accounts or the identity providers was
    taken, failing every later call that used it."""
    for name, value in decoded.items():
        expected = type(getattr(store, name))
        if type(value) is not expected:
            what = "an object" if expected is dict else f"a {expected.__name__}"
            raise SnapshotError(f"$.state.{name}: expected {what}, got {type(value).__name__}")


def _check_accounts(accounts: dict) -> None:
    from mockrunner.model.store import Account

    for key, account in accounts.items():
        if not isinstance(account, Account):
            raise SnapshotError(f"$.state.accounts.{key}: expected an Account")
        if account.id != key:
            raise SnapshotError(f"$.state.accounts.{key}: account id {account.id!r} does not match its key")


_APPRUNNER_COLLECTIONS = ("services", "auto_scaling_configurations", "observability_configurations", "connections",
                          "vpc_connectors", "vpc_ingress_connections")


def _check_homes(accounts: dict) -> None:
    """Every repository and App Runner resource lies in the account and Region its identifiers name: a repository
    of account B filed under account A would be found through A and then acted on (deleted, written) in B.  So does
    every IAM entity and STS session (:func:`mockrunner.model.iam_homes.misplaced`; checked after the policy
    documents)."""
    for account_id, account in accounts.items():
        for region, region_state in account.regions.items():
            base = f"$.state.accounts.{account_id}.regions.{region}"
            for name, repo in region_state.ecr.repositories.items():
                if (repo.registry_id, repo.region) != (account_id, region):
                    raise SnapshotError(f"{base}.ecr.repositories[{name!r}]: registry {repo.registry_id!r} in "
                                        f"{repo.region!r} is not the account and Region holding it")
            home = f"arn:aws:apprunner:{region}:{account_id}:"
            for collection in _APPRUNNER_COLLECTIONS:
                for arn in getattr(region_state.apprunner, collection):
                    if not arn.startswith(home):
                        raise SnapshotError(f"{base}.apprunner.{collection}[{arn[:200]!r}]: not an ARN of the "
                                            "account and Region holding it")


def _check_policies(accounts: dict) -> None:
    problem = check_policy_documents(accounts)
    if problem is not None:
        raise SnapshotError(problem)


def encode(value: Any, path: str = "$") -> Any:
    """Turn a model value into JSON-ready data (tagged where JSON has no type of its own); a value that cannot be
    stored raises :class:`SnapshotError` naming its path below ``path``.

    Every mutation with a state file encodes the whole state, so the walk builds no path on the way: a value that
    cannot be stored raises :class:`_Unencodable`, and the containers it unwinds through add their steps."""
    try:
        return _encode(value)
    except _Unencodable as problem:
        raise SnapshotError(f"{path}{''.join(reversed(problem.steps))}: {problem.reason}") from None


class _Unencodable(Exception):
    """A value :func:`encode` cannot store: ``reason``, and the steps to it from the innermost container out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.steps: list[str] = []


def _encode(value: Any) -> Any:
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:
        return value
    encoder = _ENCODERS.get(cls) or _encoder_for(cls)
    return encoder(value)


def _at(step: str, value: Any) -> Any:
    """:func:`_encode` of a container's item, adding ``step`` to the path of a value it cannot store."""
    try:
        return _encode(value)
    except _Unencodable as problem:
        problem.steps.append(step)
        raise


def _encode_float(value: float) -> Any:
    if value != value or value in (float("inf"), float("-inf")):
        raise _Unencodable(f"{value!r} cannot be stored as JSON")
    return value


def _encode_items(items: Any) -> list:
    """The encoded items of a list, tuple or deque (a failing item's step is its index)."""
    try:
        return [_encode(item) for item in items]
    except _Unencodable:
        for index, item in enumerate(items):  # again, to name the index (an error is rare; the walk is not)
            _at(f"[{index}]", item)
        raise


def _encode_dict(value: dict) -> Any:
    for key in value:
        if not isinstance(key, str) or key.startswith("$"):
            return {"$dict": [[_at("", key), _at(f"[{key!r}]", item)] for key, item in value.items()]}
    try:
        return {key: _encode(item) for key, item in value.items()}
    except _Unencodable:
        for key, item in value.items():
            _at(f".{key}", item)
        raise


def _encode_dataclass(value: Any) -> dict:
    cls = value.__class__
    encoded = {"$type": _class_name(cls)}
    for name in _field_names(cls):
        try:
            encoded[name] = _encode(getattr(value, name))
        except _Unencodable as problem:
            problem.steps.append(f".{name}")
            raise
    return encoded


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(cls))


def _encode_set(value: set | frozenset) -> dict:
    items = sorted((_encode(item) for item in value), key=repr)
    return {"$frozenset" if isinstance(value, frozenset) else "$set": items}


_BY_KIND: tuple[tuple[Any, Any], ...] = (
    ((bool, str, int), lambda value: value),  # subclasses (a str or int enum) as their base value
    (float, _encode_float),
    (enum.Enum, lambda value: {"$enum": _class_name(type(value)), "value": _encode(value.value)}),
    (datetime, lambda value: {"$datetime": value.isoformat()}),
    (date, lambda value: {"$date": value.isoformat()}),
    (timedelta, lambda value: {"$timedelta": value.total_seconds()}),
    ((bytes, bytearray), lambda value: {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}),
    (dict, _encode_dict),
    (list, _encode_items),
    (tuple, lambda value: {"$tuple": _encode_items(value)}),
    (deque, lambda value: {"$deque": _encode_items(value), "maxlen": value.maxlen}),
    ((set, frozenset), _encode_set),
)
"""How each kind of value is encoded, in the order its kinds are tried (a dataclass before dict and the rest)."""
_ENCODERS: dict[type, Any] = {}
"""The encoder of each class met so far (:func:`_encoder_for`)."""


def _encoder_for(cls: type) -> Any:
    """The encoder of values of ``cls`` (remembered by class), or one raising :class:`_Unencodable`."""
    if dataclasses.is_dataclass(cls) and not issubclass(cls, (bool, str, int, float, enum.Enum)):
        encoder = _encode_dataclass
    else:
        encoder = next((encoder for kind, encoder in _BY_KIND if issubclass(cls, kind)), None)
    if encoder is None:
        def encoder(value: Any) -> Any:
            raise _Unencodable(f"values of type {type(value).__name__} cannot be exported")
    _ENCODERS[cls] = encoder
    return encoder


def decode(data: Any, path: str = "$") -> Any:
    """The inverse of :func:`encode`; raises :class:`SnapshotError` naming the path of anything invalid."""
    if isinstance(data, str):
        return _unicode_text(data, path)
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, (int, float)):
        if not -_LARGEST_INTEGER <= data <= _LARGEST_INTEGER:  # NaN and the infinities fail this too
            raise SnapshotError(f"{path}: {str(data)[:40]} is not a number this model holds (64-bit, finite)")
        return data
    if isinstance(data, list):
        return [decode(item, f"{path}[{index}]") for index, item in enumerate(data)]
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: unexpected JSON value {data!r}")
    if "$type" in data:
        return _decode_dataclass(data, path)
    tags = [key for key in data if key.startswith("$")]
    if not tags:
        return {_unicode_text(key, path): decode(item, f"{path}.{key}") for key, item in data.items()}
    tag = tags[0]
    decoder = _TAGGED.get(tag)
    if decoder is None:
        raise SnapshotError(f"{path}: unknown tag {tag!r}")
    try:
        return decoder(data, path)
    except SnapshotError:
        raise
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise SnapshotError(f"{path}: invalid {tag} value ({error})") from None


def _unicode_text(text: str, path: str) -> str:
    """``text`` when it is Unicode text; a JSON ``\\ud800`` escape spells half a UTF-16 surrogate pair, which no
    page, answer or file can encode as UTF-8 (a name holding one made every later use of it a 500)."""
    if not text.isascii() and not is_unicode_text(text):
        raise SnapshotError(f"{path}: a string holds half a UTF-16 surrogate pair ({text[:40]!r})")
    return text


def _decode_dataclass(data: dict, path: str) -> Any:
    cls = _resolve_class(data["$type"], path)
    if not dataclasses.is_dataclass(cls):
        raise SnapshotError(f"{path}.$type: {data['$type']} is not a model class")
    fields, names, checks = _dataclass_reading(cls)
    unknown = sorted(set(data) - names)
    if unknown:
        raise SnapshotError(f"{path}: {data['$type']} has no field {unknown[0]!r}")
    instance = cls.__new__(cls)
    for name, spec in fields.items():
        if name in data:
            at = f"{path}.{name}"
            value = decode(data[name], at)
            problem = checks[name](value)
            if problem is not None:
                raise SnapshotError(_mismatch_text(problem, at))
        elif spec.default is not dataclasses.MISSING:
            value = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            value = spec.default_factory()
        else:
            raise SnapshotError(f"{path}.{name}: required field of {data['$type']} is missing")
        object.__setattr__(instance, name, value)  # frozen dataclasses too, without re-running __post_init__
    check_ranges(instance, path)
    return instance


@cache
def _dataclass_reading(cls: type) -> tuple[dict[str, dataclasses.Field], frozenset[str], dict[str, Callable]]:
    """What reading a model class takes, worked out once per class: its fields by name, the keys its encoding may
    hold (the fields and ``$type``), and the type check of each field's declared type."""
    fields = {item.name: item for item in dataclasses.fields(cls)}
    hints = _field_types(cls)
    return fields, frozenset(fields) | {"$type"}, {name: _checker(hints.get(name, Any)) for name in fields}


@cache
def _field_types(cls: type) -> dict[str, Any]:
    """The declared type of each field of a model class (annotations resolved)."""
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation this checker cannot resolve is not checked
        return {}


_SEQUENCES = {list: list, tuple: tuple, set: set, frozenset: frozenset, deque: deque,
              collections.abc.Sequence: (list, tuple), collections.abc.Set: (set, frozenset)}
_MAPPINGS = (dict, collections.abc.Mapping)


_Problem = list
"""``[hint, value, step, ...]``: the innermost value that is not of its hint, then the steps (``.name``, ``[2]``)
from it out to the value checked, innermost first; the path is written only for a value that fails."""
_CHECKERS: dict[Any, Callable[[Any], _Problem | None]] = {}


def _mismatch_text(problem: _Problem, path: str) -> str:
    """Where and how a value at ``path`` failed its check."""
    wanted, found, *steps = problem
    return _expected(wanted, found, path + "".join(reversed(steps)))


def _checker(hint: Any) -> Callable[[Any], _Problem | None]:
    """The check that a decoded value is of the declared type ``hint`` (element types included): ``None``, or the
    :data:`_Problem`.  A snapshot cannot plant a value of another kind where the code expects one (a number where
    a list of digests goes); a kind of annotation this checker does not know is not checked.  Built once per hint:
    a state holds thousands of values of a few dozen hints, and working out each hint's shape again for every
    value was a third of reading a state."""
    try:
        return _CHECKERS[hint]
    except KeyError:
        made = _CHECKERS[hint] = _build_checker(hint)
        return made
    except TypeError:  # an unhashable annotation
        return _build_checker(hint)


def _accept(value: Any) -> None:
    return None


def _build_checker(hint: Any) -> Callable[[Any], _Problem | None]:
    if hint is Any or isinstance(hint, typing.TypeVar):
        return _accept
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union_checker(hint)
    if hint is None or hint is type(None):
        return lambda value: None if value is None else [hint, value]
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda value: None if value in allowed else [hint, value]
    args = typing.get_args(hint)
    if origin in _MAPPINGS or hint in _MAPPINGS:
        return _mapping_checker(hint, args)
    if origin in _SEQUENCES or hint in _SEQUENCES:
        return _sequence_checker(hint, origin, args)
    if origin is not None or not isinstance(hint, type):
        return _accept
    if hint is float:
        return lambda value: None if isinstance(value, (int, float)) and not isinstance(value, bool) else [hint, value]
    if hint is int:
        return lambda value: None if isinstance(value, int) and not isinstance(value, bool) else [hint, value]
    return lambda value: None if isinstance(value, hint) else [hint, value]


def _union_checker(hint: Any) -> Callable[[Any], _Problem | None]:
    options = typing.get_args(hint)
    checks = [_checker(option) for option in options]
    plain = [option for option in options if option is not type(None)]
    only = _checker(plain[0]) if len(plain) == 1 else None

    def check(value: Any) -> _Problem | None:
        if any(option(value) is None for option in checks):
            return None
        if value is not None and only is not None:
            return only(value)  # X | None given an X that is wrong inside: say where
        return [hint, value]
    return check


def _mapping_checker(hint: Any, args: tuple) -> Callable[[Any], _Problem | None]:
    if len(args) != 2:
        return lambda value: None if isinstance(value, dict) else [hint, value]
    key_check, item_check = _checker(args[0]), _checker(args[1])

    def check(value: Any) -> _Problem | None:
        if not isinstance(value, dict):
            return [hint, value]
        for key, item in value.items():
            problem = key_check(key)
            if problem is not None:
                problem.append(f"[{key!r}]")
                return problem
            problem = item_check(item)
            if problem is not None:
                problem.append(f".{key}")
                return problem
        return None
    return check


def _sequence_checker(hint: Any, origin: Any, args: tuple) -> Callable[[Any], _Problem | None]:
    kinds = _SEQUENCES[origin or hint]
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        positions = [_checker(arg) for arg in args]
    else:
        positions = None
    each = _checker(args[0]) if args and positions is None else None

    def check(value: Any) -> _Problem | None:
        if not isinstance(value, kinds):
            return [hint, value]
        if positions is not None:
            if len(value) != len(positions):
                return [hint, value]
            pairs: Iterable = zip(value, positions, strict=True)
        elif each is not None:
            pairs = ((item, each) for item in value)
        else:
            return None
        for index, (item, item_check) in enumerate(pairs):
            problem = item_check(item)
            if problem is not None:
                problem.append(f"[{index}]")
                return problem
        return None
    return check


def _expected(hint: Any, value: Any, path: str) -> str:
    return f"{path}: expected {_type_name(hint)}, got {type(value).__name__} {value!r}"[:300]


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) if isinstance(hint, type) else str(hint).replace("typing.", "")


def _resolve_class(name: Any, path: str) -> type:
    if not isinstance(name, str) or ":" not in name:
        raise SnapshotError(f"{path}.$type: expected 'module:Class', got {name!r}")
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(_ALLOWED_MODULE_PREFIX):
        raise SnapshotError(f"{path}.$type: only mockrunner classes may be named, not {name!r}")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        raise SnapshotError(f"{path}.$type: no class {name!r} in this mockrunner") from None
    if not isinstance(target, type):
        raise SnapshotError(f"{path}.$type: {name!r} is not a class")
    return target


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _decode_datetime(data: dict, path: str) -> datetime:
    value = datetime.fromisoformat(data["$datetime"])
    if value.tzinfo is None:
        raise ValueError("a datetime without a time zone")  # it could not be compared with the clock's
    return value


def _decode_enum(data: dict, path: str) -> enum.Enum:
    cls = _resolve_class(data["$enum"], path)
    if not issubclass(cls, enum.Enum):
        raise SnapshotError(f"{path}.$enum: {data['$enum']} is not an enumeration")
    return cls(decode(data["value"], f"{path}.value"))


def _decode_dict(data: dict, path: str) -> dict:
    return {decode(key, path): decode(value, f"{path}[{index}]") for index, (key, value) in enumerate(data["$dict"])}


_TAGGED = {
    "$datetime": _decode_datetime,
    "$date": lambda data, path: date.fromisoformat(data["$date"]),
    "$timedelta": lambda data, path: timedelta(seconds=float(data["$timedelta"])),
    "$bytes": lambda data, path: base64.b64decode(data["$bytes"].encode("ascii"), validate=True),
    "$enum": _decode_enum,
    "$dict": _decode_dict,
    "$tuple": lambda data, path: tuple(decode(data["$tuple"], path)),
    "$deque": lambda data, path: deque(decode(data["$deque"], path), data.get("maxlen")),
    "$set": lambda data, path: set(decode(data["$set"], path)),
    "$frozenset": lambda data, path: frozenset(decode(data["$frozenset"], path)),
}
