"""GetAuthorizationToken: the registry credentials ``docker login`` uses."""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.auth import registry_tokens
from mockrunner.context import RequestContext
from mockrunner.services.registry import op

if TYPE_CHECKING:
    pass
from mockrunner.services.ecr.core import authz_token


@op("ecr", "GetAuthorizationToken", authz=authz_token)
def get_authorization_token(ctx: RequestContext) -> dict:
    """A docker login token per registry: base64 of ``AWS:<password>``, valid 12 hours, accepted by the registry
    endpoint (``/v2/``) as the caller's identity (see :mod:`mockrunner.auth.registry_tokens`)."""
    registry_ids = ctx.params.get("registryIds") or [ctx.caller.account_id]
    expires = ctx.store.clock.now() + registry_tokens.LIFETIME
    data = []
    for registry_id in registry_ids:
        data.append({
            "authorizationToken": registry_tokens.issue(ctx, registry_id, expires),
            "expiresAt": expires,
            "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{ctx.region}.amazonaws.com",
        })
    return {"authorizationData": data}
