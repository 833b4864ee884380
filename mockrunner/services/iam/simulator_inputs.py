"""What the policy simulator accepts as its request's actions, resources and ``ContextEntries``, in IAM's words.

Every rule and message here was recorded from real AWS, 2026-09-11 (radkawar/stackd, commit 9dc356f5,
``testdata/aws/iam/simulation.json`` and ``simulation_inputs.json``; each rule names its case):

* An action without a ``:`` is refused ("action_no_colon"); ``s3:``, ``s3:Get Object``, unknown services and
  actions are simulated (and match nothing).
* A resource is an ARN with a partition, a service and a resource ("resource_not_arn", "resource_partial_arn",
  "input_resource_format_0..5"; ``arn:unknown:s3:::name`` and ``arn:aws:s3:region:account:name`` are accepted).
* A context entry with no name, type or values is ignored ("input_context_absent_all"); otherwise it needs a name,
  a type and at least one value, and a scalar type takes one value.  Names collide without regard to case
  ("context_duplicate_case").  Values are read as their type: numbers as decimal numerals with an optional sign
  and exponent (``01.00``, ``+1``, ``1e2``, ``1e9999``; not ``0x10``, `` 1 ``, ``Infinity``, ``NaN``), booleans as
  ``true`` in any case, anything else false (``yes`` is accepted), dates as the engine reads them, IP addresses
  without a prefix length or zone (IPv4 octets may have leading zeros), binary as canonical padded base64.
* A number or a date is then its canonical text, which is what string operators compare (simulation_inputs.json
  "input_canonical_numeric", "input_canonical_date", "input_canonical_date_zero", "_offset", "_fraction",
  "input_type_match_numeric_list_*"); an address and binary keep theirs ("input_canonical_ip", "_binary").
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.errors import ServiceError
from mockrunner.iam_engine.conditions.date import parse_date


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def check_actions(actions: Iterable[str]) -> None:
    """``ActionNames`` IAM will simulate: each names a service (``service:action``)."""
    for action in actions:
        if ":" not in action:
            raise invalid("The action is invalid since it is missing names")


def check_resources(resources: Iterable[str]) -> None:
    """``ResourceArns`` IAM will simulate: ``*`` or an ARN whose partition, service and resource are not empty."""
    for resource in resources:
        arn = split_arn(resource)
        if resource != "*" and (arn is None or not (arn.partition and arn.service and arn.resource)):
            raise invalid(f"ResourceNames are not in a valid ARN format: {resource}.")


# ------------------------------------------------------------------------------------------------ context entries
_NUMERAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_IPV4 = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")


def _numeric(value: str) -> str:
    """The number's canonical text (``01.00`` is ``1.00``, ``1e2`` ``1E+2``), which string operators compare and
    numeric ones read as the number."""
    if not _NUMERAL.fullmatch(value):
        raise ValueError(value)
    try:
        return str(Decimal(value))
    except InvalidOperation:  # an exponent past what a decimal holds
        raise ValueError(value) from None


def _boolean(value: str) -> bool:
    return value.lower() == "true"


def _date(value: str) -> str:
    """The moment's canonical text, UTC to the millisecond (``2035-01-02`` is ``2035-01-02T00:00:00.000Z``, ``0``
    ``1970-01-01T00:00:00.000Z``), which string operators compare and date ones read; a moment Python cannot place
    keeps its text."""
    seconds = parse_date(value)
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return value
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def _ip(value: str) -> str:
    """The address as given (``2001:0db8::1`` stays so for string operators); IPv4 octets without their leading
    zeros, so that the engine can read them (unverified: no recording compares such an address)."""
    octets = _IPV4.fullmatch(value)
    if octets:
        numbers = [int(octet) for octet in octets.groups()]
        if max(numbers) > 255:
            raise ValueError(value)
        return ".".join(map(str, numbers))
    if "%" in value or "/" in value:
        raise ValueError(value)
    ipaddress.IPv6Address(value)
    return value


def _binary(value: str) -> str:
    if base64.b64encode(base64.b64decode(value, validate=True)).decode() != value:
        raise ValueError(value)
    return value


_READ: dict[str, tuple[Callable[[str], Any], str | None]] = {
    "string": (str, None),
    "numeric": (_numeric, "numeric format"),
    "boolean": (_boolean, None),
    "date": (_date, "DateTime format"),
    "ip": (_ip, "IP address"),
    "binary": (_binary, "base-64 encoded binary format"),
}
"""Each scalar type's reader and what IAM says it expected when a value is not of the type."""


def _entry(entry: dict) -> tuple[str, Any] | None:
    """One context entry as (name, engine value); ``None`` for an empty entry, which IAM ignores."""
    name, kind, values = entry.get("ContextKeyName"), entry.get("ContextKeyType"), entry.get("ContextKeyValues")
    if not name and not kind and not values:
        return None
    if not name:
        raise invalid("ContextKeyName cannot be null or empty.")
    if not kind:
        raise invalid(f"Context key {name} has invalid type null.")
    if not values:
        raise invalid(f"Context values for context key {name} cannot be null or empty.")
    listed = kind.endswith("List")
    if not listed and len(values) != 1:
        raise invalid(f"Context key {kind} expected a single value, but received {len(values)}.")
    read, expected = _READ[kind.removesuffix("List")]
    try:
        converted = [read(value) for value in values]
    except (ValueError, binascii.Error):
        raise invalid(f"Invalid context value for key {name}: expected {expected}.") from None
    return name, converted if listed else converted[0]


def context(entries: Iterable[dict]) -> dict[str, Any]:
    """``ContextEntries`` as engine context values of their declared types (``...List`` types: lists)."""
    found: dict[str, Any] = {}
    seen: set[str] = set()
    for entry in entries:
        read = _entry(entry)
        if read is None:
            continue
        name, value = read
        if name.lower() in seen:
            raise invalid(f"Duplicate context key: {name}.")
        seen.add(name.lower())
        found[name] = value
    return found
