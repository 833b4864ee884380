"""One exception type for every AWS-shaped error mockrunner answers with.

Handlers, the authenticator and the codecs raise :class:`ServiceError`; the gateway catches it once and the
protocol codec of the target service serializes it.  The HTTP status and sender/receiver fault are read from
the service model when the code is a modeled error shape, so handlers only name the error and say what went
wrong, as AWS would.
"""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error answered to the client in the protocol of the service being called.

    ``status`` and ``sender_fault`` default to what the botocore model declares for ``code`` (or 400/True for
    codes the model does not declare, such as the authentication errors every AWS endpoint shares).
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        sender_fault: bool | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.extra = extra or {}
