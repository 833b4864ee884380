"""Which operations may change the state: those the persistence layer saves after, and those allowed to make a
Region's state (:mod:`mockrunner.services.region_state`).  A leaf module: pure data on operation names."""
from __future__ import annotations

_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "Simulate")
_MUTATING_READS = frozenset({("sts", "GetSessionToken"), ("sts", "GetFederationToken"),
                             ("sts", "GetScopedCredentials")})
"""Operations named like reads that create something a later call can use (credentials)."""
_READS_NAMED_OTHERWISE = frozenset({("ecr", "ValidatePullThroughCacheRule")})
"""Operations named like writes that only read (a validation answers what it found and keeps nothing)."""


def is_mutation(service: str | None, operation: str | None) -> bool:
    """Whether a successful call of ``service.operation`` may have changed the state."""
    if not service or not operation:
        return False
    if (service, operation) in _MUTATING_READS:
        return True
    if (service, operation) in _READS_NAMED_OTHERWISE:
        return False
    return not operation.startswith(_READ_PREFIXES)
