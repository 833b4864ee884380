"""ECR authorization tokens: what ``GetAuthorizationToken`` issues and the registry endpoint accepts.

The password of ``AWS:<password>`` names the credentials it was issued to (access key id and, for temporary
credentials, the session token), the registry and region it was issued for and when it expires, signed with
HMAC-SHA256 under the secret of those credentials and the server's own key (:func:`_key`).  So a token identifies
its principal exactly as the SigV4 request that obtained it did, stops working when those credentials do (a deleted
or deactivated key, an expired session) and after :data:`LIFETIME`, and cannot be forged or altered: not without the
secret, and not by the holder of the secret either, who could otherwise write itself the token GetAuthorizationToken
refused it (a Deny on ``ecr:GetAuthorizationToken`` escaped), for any registry, Region or lifetime.  Nothing about it
is stored: it survives a restart as the credentials and the server's key (kept beside a state file) do.

With enforcement ``off`` every token acts as the default account's root, as every signed request does: the tokens
issued then, and those issued while enforcement was on (a ``docker login`` made before switching it off goes on
working).  A token issued while enforcement was off is refused once it is on again: nothing authenticated it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from mockrunner import json_nesting
from mockrunner.auth import authenticate
from mockrunner.auth.caller import Caller, root_caller
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.protocol import specs

if TYPE_CHECKING:
    from mockrunner.model.store import Store

LIFETIME = timedelta(hours=12)
USER = "AWS"
_UNENFORCED_KEY = b"mockrunner-enforcement-off"


class TokenRefused(Exception):
    """A token the registry does not accept; ``expired`` tells an expired one from an invalid one."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class TokenIdentity:
    """Who a valid token speaks for, and for which registry and region it was issued."""

    caller: Caller
    registry_id: str
    region: str
    expires_at: datetime


def issue(ctx: RequestContext, registry_id: str, expires_at: datetime) -> str:
    """The ``authorizationToken`` (base64 of ``AWS:<password>``) for the request's caller."""
    session_token = ctx.headers.get("x-amz-security-token") or ctx.query.get("X-Amz-Security-Token")
    payload = {"k": ctx.caller.access_key_id, "t": session_token, "a": registry_id, "r": ctx.region,
               "e": int(expires_at.timestamp()), "n": secrets.token_hex(8)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _signature(ctx.store, _secret(ctx, payload), body)
    return base64.b64encode(f"{USER}:{body}.{signature}".encode()).decode()


def verify(store: "Store", password: str) -> TokenIdentity:
    """The identity behind a registry password; :class:`TokenRefused` when it is not one we issued, its
    credentials no longer authenticate, or it has expired."""
    body, _, signature = password.partition(".")
    try:
        payload = json_nesting.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        key_id, session_token = payload["k"], payload["t"]
        registry_id, region, expires = str(payload["a"]), str(payload["r"]), int(payload["e"])
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError, OverflowError):
        raise TokenRefused(expired=False) from None
    ctx = RequestContext(store=store, method="GET", path="/v2/", query_string="", headers={}, body=b"",
                         service="ecr", service_model=specs.service_model("ecr"), region=region)
    given = signature.encode("utf-8", "surrogateescape")
    if store.settings.enforce == "off":
        # A token issued while enforcement was on stays usable once it is switched off (its credentials' secret
        # still signs it); one issued while off never authenticated anyone, so it does not outlive the switch on.
        caller = root_caller(store.settings.default_account, str(key_id))
        if not _signed(store, body, given, _UNENFORCED_KEY):
            try:
                secret = authenticate.resolve_key(ctx, str(key_id), session_token)[0].encode()
            except ServiceError:
                raise TokenRefused(expired=False) from None
            if not _signed(store, body, given, secret):
                raise TokenRefused(expired=False)
    else:
        try:
            secret_text, caller = authenticate.resolve_key(ctx, str(key_id), session_token)
        except ServiceError as error:
            raise TokenRefused(expired=error.code.startswith("ExpiredToken")) from None
        if not _signed(store, body, given, secret_text.encode()):
            raise TokenRefused(expired=False)
    try:
        expires_at = datetime.fromtimestamp(expires, UTC)
    except (OverflowError, OSError, ValueError):  # a time no date can hold: not a token this server issued
        raise TokenRefused(expired=False) from None
    if store.clock.now() >= expires_at:
        raise TokenRefused(expired=True)
    return TokenIdentity(caller, registry_id, region, expires_at)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic ...`` header, or ``None``."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (ValueError, binascii.Error):
        return None
    return (user, password) if sep else None


def _signature(store: "Store", secret: bytes, body: str) -> str:
    return _b64(hmac.new(_key(store, secret), body.encode(), hashlib.sha256).digest())


def _signed(store: "Store", body: str, given: bytes, secret: bytes) -> bool:
    return hmac.compare_digest(_signature(store, secret, body).encode(), given)


def _key(store: "Store", secret: bytes) -> bytes:
    """A token's HMAC key: the credentials' secret and the server's key (the one signing blob download URLs:
    random per process in memory, kept beside a state file), so only this server mints tokens."""
    return hashlib.sha256(store.blobs.signing_key + b"\0" + secret).digest()


def _secret(ctx: RequestContext, payload: dict) -> bytes:
    if ctx.store.settings.enforce == "off":
        return _UNENFORCED_KEY
    secret, _caller = authenticate.resolve_key(ctx, payload["k"], payload["t"])
    return secret.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
