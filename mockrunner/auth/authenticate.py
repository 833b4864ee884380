"""Resolve a request's credentials to a :class:`Caller`.

Foundation stage: the configured root key pairs resolve to their account's root; SigV4 verification and IAM
access keys / STS sessions plug in here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.auth.caller import root_caller
from mockrunner.errors import ServiceError

if TYPE_CHECKING:
    from mockrunner.gateway import RequestContext


def authenticate(ctx: "RequestContext") -> None:
    settings = ctx.store.settings
    key_id = _access_key_id(ctx)
    if settings.enforce == "off":
        ctx.caller = root_caller(settings.default_account, key_id or settings.root_access_key_id)
    else:
        if key_id is None:
            raise ServiceError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        for keys in settings.root_accounts:
            if keys.access_key_id == key_id:
                ctx.caller = root_caller(keys.account_id, key_id)
                break
        else:
            raise ServiceError(
                "InvalidClientTokenId", "The security token included in the request is invalid.", 403
            )
    ctx.account = ctx.store.account(ctx.caller.account_id)


def _access_key_id(ctx: "RequestContext") -> str | None:
    header = ctx.headers.get("authorization", "")
    marker = "Credential="
    start = header.find(marker)
    if start >= 0:
        return header[start + len(marker):].split("/", 1)[0]
    credential = ctx.query.get("X-Amz-Credential")
    return credential.split("/", 1)[0] if credential else None
