"""IpAddress / NotIpAddress (User Guide, "IP address condition operators").

Policy values are IPv4 or IPv6 CIDR blocks or bare addresses (a bare address is a /32 or /128). An
address never matches a network of the other family, and an IPv4-mapped IPv6 context address matches
none: the condition is unknown.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from .base import Operator, Parts, family, text_context, text_value


def _policy(parts: Parts) -> tuple[int, int, int]:
    """(IP version, network address, netmask) as integers: a membership test is then two integer operations."""
    network = ipaddress.ip_network(text_value(parts).strip(), strict=False)
    return network.version, int(network.network_address), int(network.netmask)


@lru_cache(maxsize=2048)
def _address(text: str) -> tuple[int, int]:
    address = ipaddress.ip_address(text.strip())
    if address.version == 6 and address.ipv4_mapped is not None:
        # ``::ffff:a.b.c.d`` is an IPv4 client seen through an IPv6 socket, never an address on the wire; AWS does
        # not say which family it compares as, so neither IpAddress nor NotIpAddress holds (unknown: fail closed).
        raise ValueError("an IPv4-mapped IPv6 address")
    return address.version, int(address)


def _context(value: Any) -> tuple[int, int]:
    # The same aws:SourceIp is compared by many statements of one request: parse it once.
    return _address(text_context(value))


def _within(address: tuple[int, int], network: tuple[int, int, int]) -> bool:
    return address[0] == network[0] and address[1] & network[2] == network[1]


OPERATORS = family(
    Operator("IpAddress", _policy, _context, _within, variables=False),
    Operator("NotIpAddress", _policy, _context, _within, negated=True, variables=False),
)
