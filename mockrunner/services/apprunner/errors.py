"""App Runner's error answers, by the code its model declares."""
from __future__ import annotations

from mockrunner.errors import ServiceError


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message)


def invalid_state(message: str) -> ServiceError:
    return ServiceError("InvalidStateException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def quota_exceeded(message: str) -> ServiceError:
    return ServiceError("ServiceQuotaExceededException", message)
