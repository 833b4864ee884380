"""Which operations may change the state: those the persistence layer saves after, and those allowed to make a
Region's state (:mod:`mockrunner.services.region_state`).  A leaf module: pure data on operation names."""
from __future__ import annotations

_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "Simulate")
_MUTATING_READS = frozenset({("sts", "GetSessionToken"), ("sts", "GetFederationToken"),
                             ("sts", "GetScopedCredentials")})
"""Operations named like reads that create something a later call can use (credentials)."""
_READS_NAMED_OTHERWISE = frozenset({("ecr", "ValidatePullThroughCacheRule")})
"""Operations named like writes that only read (a validation answers what it found and keeps nothing)."""


MEMO_LIMIT = 2048
"""The most ``(service, operation)`` answers :func:`is_mutation` keeps: more than every served operation (about 400),
and a bound whatever names a caller passes (past it, answers are computed each time, never kept)."""
_MEMO: dict[tuple[str, str], bool] = {}


def is_mutation(service: str | None, operation: str | None) -> bool:
    """Whether a successful call of ``service.operation`` may have changed the state (kept per pair, within
    :data:`MEMO_LIMIT`: the gateway and the Region bookkeeping ask it of every request)."""
    if not service or not operation:
        return False
    answer = _MEMO.get((service, operation))
    if answer is None:
        answer = _is_mutation(service, operation)
        if len(_MEMO) < MEMO_LIMIT:
            _MEMO[service, operation] = answer
    return answer


def _is_mutation(service: str, operation: str) -> bool:
    if (service, operation) in _MUTATING_READS:
        return True
    if (service, operation) in _READS_NAMED_OTHERWISE:
        return False
    return not operation.startswith(_READ_PREFIXES)
