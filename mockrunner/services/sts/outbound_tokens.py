"""``GetWebIdentityToken``: a JWT that says who the caller is, for services outside AWS (outbound federation).

The account must have enabled outbound web identity federation (``iam:EnableOutboundWebIdentityFederation``),
else ``OutboundWebIdentityFederationDisabledException`` (403).  The token is signed by the built-in OIDC identity
provider's key for the account's issuer URL (:mod:`mockrunner.oidc.keys`), so its JWKS is served like any issuer's
(``/_mockrunner/oidc/<issuer host>/.well-known/jwks.json``) and a test can verify it, or trust it as an OIDC
provider.  Claims: ``iss``, ``sub`` (the caller's ARN), ``aud`` (a string for one audience, else a list), ``iat``,
``nbf``, ``exp`` (``DurationSeconds``, 60 to 3600, default 300), ``jti``, and ``https://sts.amazonaws.com/`` with
the account, region, principal and request tags.  A token may not outlive the calling session
(``SessionDurationEscalationException``).  Authorized as ``sts:GetWebIdentityToken`` on ``*`` with
``sts:IdentityTokenAudience``, ``sts:DurationSeconds``, ``sts:SigningAlgorithm`` and the request tags.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.registry import op
from mockrunner.services.sts.core import refuse_federated_users

ALGORITHMS = ("RS256", "ES384")
DEFAULT_DURATION = 300
AWS_CLAIMS = "https://sts.amazonaws.com/"


def _authz(ctx: RequestContext) -> list[Check]:
    refuse_federated_users(ctx)
    params = ctx.params
    keys: dict[str, Any] = {"sts:IdentityTokenAudience": list(params["Audience"]),
                            "sts:SigningAlgorithm": params["SigningAlgorithm"],
                            "sts:DurationSeconds": str(params.get("DurationSeconds") or DEFAULT_DURATION)}
    for tag in params.get("Tags") or []:
        keys[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
    if params.get("Tags"):
        keys["aws:TagKeys"] = [tag["Key"] for tag in params["Tags"]]
    return [Check("sts:GetWebIdentityToken", "*", keys)]


@op("sts", "GetWebIdentityToken", authz=_authz)
def get_web_identity_token(ctx: RequestContext) -> dict:
    import jwt

    from mockrunner.oidc.keys import private_key, signing_key

    params, caller, store = ctx.params, ctx.caller, ctx.store
    iam = store.accounts[caller.account_id].iam
    if not iam.outbound_enabled or iam.outbound_issuer is None:
        raise ServiceError("OutboundWebIdentityFederationDisabledException", "The outbound web identity federation "
                           "feature is not enabled for this account. To use this feature, you must first enable it "
                           "through the AWS Management Console or API.", 403)
    algorithm = params["SigningAlgorithm"]
    if algorithm not in ALGORITHMS:
        raise ServiceError("ValidationError", f"1 validation error detected: Value '{algorithm}' at "
                           f"'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: "
                           f"[{', '.join(ALGORITHMS)}]", 400)
    now = store.clock.now()
    expires = now + timedelta(seconds=params.get("DurationSeconds") or DEFAULT_DURATION)
    if caller.expiration is not None and expires > caller.expiration:
        raise ServiceError("SessionDurationEscalationException", "The requested token duration would extend the "
                           "session beyond its original expiration time.", 403)
    audience = list(params["Audience"])
    tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []}
    with store.lock:
        key, _ = signing_key(store, iam.outbound_issuer, algorithm)
    payload = {"iss": iam.outbound_issuer, "sub": caller.arn, "aud": audience[0] if len(audience) == 1 else audience,
               "iat": int(now.timestamp()), "nbf": int(now.timestamp()), "exp": int(expires.timestamp()),
               "jti": str(uuid.uuid4()),
               AWS_CLAIMS: {"aws_account": caller.account_id, "source_region": ctx.region,
                            "principal_id": caller.arn, "request_tags": tags}}
    token = jwt.encode(payload, private_key(store, key), algorithm=algorithm, headers={"kid": key.kid, "typ": "JWT"})
    return {"WebIdentityToken": token, "Expiration": expires.replace(microsecond=0)}
