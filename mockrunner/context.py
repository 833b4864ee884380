"""The vocabulary of one AWS API request: what the pipeline reads and writes, and what it answers.

A leaf module: the gateway, the authenticator, the authorizer and every service handler speak in these types,
so none of them needs to import another to name them.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel

    from mockrunner.auth.caller import Caller
    from mockrunner.model.store import Account, Store


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class RequestContext:
    """One request on its way through the pipeline. ``headers`` keys are lower-case."""

    store: "Store"
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    remote_addr: str = "127.0.0.1"
    raw_path: str | None = None
    """The path as the request line gave it, percent-encoding and all (latin-1 text of its bytes), which SigV4's
    canonical URI is made from; ``None`` where the server did not say (``path`` stands for it)."""
    secure: bool = False
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    service: str | None = None
    service_model: "ServiceModel | None" = None
    region: str | None = None
    operation: "OperationModel | None" = None
    query: dict[str, str] = field(default_factory=dict)
    api_version: str | None = None
    """A query-protocol request's ``Version`` parameter as routing read it (None: not sent, or not that protocol)."""
    uri_params: dict[str, str] = field(default_factory=dict)
    """A rest service's URI labels (``{authorizationId}``) as the request's path gave them."""
    params: dict[str, Any] = field(default_factory=dict)
    caller: "Caller | None" = None
    account: "Account | None" = None
    decisions: list = field(default_factory=list)
    sigv2: Any = None
    """What :func:`mockrunner.auth.authenticate.read_ahead` read of a request without a SigV4 signature before the
    store lock was taken (its SigV2 reading, or the refusal its body makes); ``None`` when it was not read."""
    authorization: Any = field(default=None, repr=False)
    """The Authorization header as :func:`mockrunner.auth.sigv4.split_header` split it, kept by the first step that
    read it (routing, for the credential scope) for the others (the signature's parse, before the lock and under
    it), so a request's header is split once; reused only for this very header string.  ``None`` until read."""
    signature_ahead: Any = field(default=None, repr=False)
    """The costly, key-independent (or optimistically keyed) part of verifying the request's signature, done by
    :func:`mockrunner.auth.authenticate.read_ahead` before the store lock was taken: a SigV4 request's
    :class:`mockrunner.auth.sigv4.Digest` (its body's hash and its string to sign) or a SigV2 request's
    :class:`mockrunner.auth.sigv2.Checked` (its HMAC under the secret its key had then); ``None`` when not done."""
    prepared: Any = None
    """What the operation's ``prepare`` made of the parameters before the store lock was taken (see
    :mod:`mockrunner.services.registry`); ``None`` when it has none or was not run."""
    state_changed: bool = False
    """Set when a read operation changed durable state (an image pull's ``lastRecordedPullTime``, a last-used
    record): the request is committed like a mutation."""
    undo: list[Callable[[], None]] = field(default_factory=list)
    """What takes back the request's changes outside the state (a layer part appended to an upload) when its
    change is not applied (its save failed): run in reverse order, in the request's hold of the store lock."""

    @property
    def operation_name(self) -> str | None:
        return self.operation.name if self.operation is not None else None
