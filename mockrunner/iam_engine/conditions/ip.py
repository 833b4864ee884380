"""IpAddress / NotIpAddress (User Guide, "IP address condition operators").

Policy values are IPv4 or IPv6 CIDR blocks or bare addresses (a bare address is a /32 or /128). An address
never matches a network of the other family. What AWS reads, recorded from AWS, 2026-09 (radkawar/stackd,
testdata/aws/iam/condition_ip.json, TagUser decided by session policies on ``aws:RequestTag/value``):

* IPv4 octets are decimal and may carry leading zeros (``192.000.002.1`` is ``192.0.2.1``, in a policy value
  and in a request value alike); a prefix length may carry leading zeros or a ``+`` (``/024``, ``/+24``);
* an IPv4 block with host bits set is its network (``192.0.2.5/24`` holds ``192.0.2.1``), but an IPv6 block
  with host bits set holds no address at all (``2001:db8::5/64`` holds neither ``::1`` nor ``::5``;
  ``2001:db8::1/0`` holds nothing), so NotIpAddress holds for every address;
* a request value ``::ffff:a.b.c.d`` (or ``::ffff:c000:201``) is the IPv4 address ``a.b.c.d``: inside
  ``192.0.2.0/24``, outside ``::/0`` and ``::ffff:192.0.2.0/120``;
* a request value with dotted-quad notation anywhere else (``::192.0.2.1``, ``2001:db8::192.0.2.1``) is no
  address.

A value AWS reads as no address makes AWS's comparison false for both operators (request values) or makes
that one policy value hold nothing (policy values). mockrunner keeps every value it cannot read *unknown*
instead, which never allows (fail closed); so do the spellings AWS's reader also takes (``2001:db8:::1``,
``:::``), which no address is written as.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from .base import Operator, Parts, family, text_context, text_value

_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})", re.ASCII)
_PREFIX = re.compile(r"\+?\d{1,3}", re.ASCII)
_MAPPED = "::ffff:"
_NOTHING = -1
"""The network of an IPv6 block with host bits set: no address ANDed with a mask is negative."""
_BITS = {4: 32, 6: 128}


def _ipv4(text: str) -> int:
    match = _IPV4.fullmatch(text)
    octets = [int(group) for group in match.groups()] if match else [256]
    if max(octets) > 255:
        raise ValueError(f"{text!r} is no IPv4 address")
    return int.from_bytes(bytes(octets), "big")


def _read(text: str) -> tuple[int, int]:
    """(IP version, address as an integer) of an address as AWS reads it; ``ValueError`` when it is none."""
    if ":" not in text:
        return 4, _ipv4(text)
    if "." in text:
        if not text.lower().startswith(_MAPPED):
            raise ValueError("dotted-quad notation outside ::ffff:")
        return 4, _ipv4(text[len(_MAPPED):])
    address = ipaddress.IPv6Address(text)
    if address.ipv4_mapped is not None:
        return 4, int(address.ipv4_mapped)
    return 6, int(address)


def _policy(parts: Parts) -> tuple[int, int, int]:
    """(IP version, network address, netmask) as integers: a membership test is then two integer operations."""
    text = text_value(parts).strip()
    address, slash, prefix = text.partition("/")
    if ":" in address and "." in address and not address.lower().startswith(_MAPPED):
        raise ValueError("dotted-quad notation outside ::ffff:")
    version, value = (6, int(ipaddress.IPv6Address(address))) if ":" in address else (4, _ipv4(address))
    bits = _BITS[version]
    length = int(prefix) if _PREFIX.fullmatch(prefix) else bits + 1 if slash else bits
    if length > bits:
        raise ValueError(f"{prefix!r} is no prefix length")
    mask = ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)
    if version == 6 and value & ~mask:
        return version, _NOTHING, mask
    return version, value & mask, mask


@lru_cache(maxsize=2048)
def _address(text: str) -> tuple[int, int]:
    return _read(text.strip())


def _context(value: Any) -> tuple[int, int]:
    # The same aws:SourceIp is compared by many statements of one request: parse it once.
    return _address(text_context(value))


def _within(address: tuple[int, int], network: tuple[int, int, int]) -> bool:
    return address[0] == network[0] and address[1] & network[2] == network[1]


OPERATORS = family(
    Operator("IpAddress", _policy, _context, _within, variables=False),
    Operator("NotIpAddress", _policy, _context, _within, negated=True, variables=False),
)
