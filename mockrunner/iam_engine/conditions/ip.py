"""IpAddress / NotIpAddress (User Guide, "IP address condition operators").

Policy values are IPv4 or IPv6 CIDR blocks or bare addresses (a bare address is a /32 or /128). An
address never matches a network of the other family.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from .base import Operator, Parts, family, text_context, text_value


def _policy(parts: Parts) -> Any:
    return ipaddress.ip_network(text_value(parts).strip(), strict=False)


@lru_cache(maxsize=2048)
def _address(text: str) -> Any:
    return ipaddress.ip_address(text.strip())


def _context(value: Any) -> Any:
    # The same aws:SourceIp is compared by many statements of one request: parse it once.
    return _address(text_context(value))


def _within(address: Any, network: Any) -> bool:
    return address.version == network.version and address in network


OPERATORS = family(
    Operator("IpAddress", _policy, _context, _within),
    Operator("NotIpAddress", _policy, _context, _within, negated=True),
)
