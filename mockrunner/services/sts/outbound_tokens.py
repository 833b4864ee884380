"""``GetWebIdentityToken``: a JWT that says who the caller is, for services outside AWS (outbound federation).

The account must have enabled outbound web identity federation (``iam:EnableOutboundWebIdentityFederation``),
else ``OutboundWebIdentityFederationDisabledException`` (403) "OutboundWebIdentityFederation is disabled.".  The
token is signed by the built-in OIDC identity provider's key for the account's issuer URL
(:mod:`mockrunner.oidc.keys`), so its JWKS is served like any issuer's
(``/_mockrunner/oidc/<issuer host>/.well-known/jwks.json``) and a test can verify it, or trust it as an OIDC
provider.  Claims, as in the IAM User Guide's sample token and tokens recorded from AWS: ``iss``, ``sub`` (the
caller's ARN, a role's own ARN for its sessions), ``aud`` (a string for one audience, else a list), ``iat``, ``exp``
(``DurationSeconds``, 60 to 3600, default 300), ``jti``, and ``https://sts.amazonaws.com/`` (:func:`aws_claims`).
A token may not outlive the calling session (``SessionDurationEscalationException``); ``Tags`` naming one key twice,
in any case, are ``InvalidParameterValue`` as AssumeRole's are.  Authorized as
``sts:GetWebIdentityToken`` on ``arn:aws:sts::<account>:self`` with ``sts:IdentityTokenAudience``,
``sts:DurationSeconds``, ``sts:SigningAlgorithm``, ``sts:SubjectMode`` and the request tags, and, when the request
has ``Tags``, as ``sts:TagGetWebIdentityToken`` on the same resource.

Recorded from AWS (radkawar/stackd ``testdata/aws/iam/outbound_identity.json``, 2026-09-11, an account without
outbound federation): denials name ``on resource: arn:aws:sts::<account>:self``, a policy on that ARN allows and one
on the user's ARN does not; ``Tags`` without ``sts:TagGetWebIdentityToken`` are refused naming that action (and its
``aws:RequestTag``/``aws:TagKeys`` conditions decide); a federated user is refused "GetWebIdentityToken does not
support federated user sessions"; the checks run in this order: duplicate tag keys, authorization, a five-letter
algorithm other than ``RS256``/``ES384`` ("Requested SigningAlgorithm is not supported. See the GetWebIdentityToken
documentation for supported algorithms", ``rs256`` included), a token outliving the session ("Requested token
expiry time must be before the original session's expiry time."), and only then the disabled feature.  Whether the
algorithm is checked before authorization is not recorded (here after).  Also recorded
(``outbound_issuance.json``): the keys' ids (``RSA_0``, ``EC384_0``) and an ``Expiration`` to the millisecond.

``SubjectMode`` (STS API reference, GetWebIdentityToken): ``AWSIdentity`` (the default) puts the caller's ARN in
``sub`` (a role's ARN for its sessions); ``OriginIdentity`` puts the ``aws:OriginIdentity/Subject`` of the calling
session's trusted identity propagation context there, and STS answers a validation error when the session has no
such context.  mockrunner models no trusted identity propagation, so no session has one: ``OriginIdentity`` always
ends in that validation error (after authorization).  ``Scope`` is allowed only with ``OriginIdentity`` and exactly
one audience, its values (space separated) may not repeat, and it needs ``sts:SetWebIdentityTokenScope`` too (with
the multivalued ``sts:IdentityTokenScope`` key).  The wording of these validation errors is not public
(*unverified*).
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from mockrunner.auth.caller import Caller
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.registry import op
from mockrunner.services.sts.core import FEDERATION_TOKEN, refuse_duplicate_tag_keys

ALGORITHMS = ("RS256", "ES384")
KEY_IDS = {"RS256": "RSA_0", "ES384": "EC384_0"}
"""The ids of an account's outbound signing keys (recorded: the token headers and the issuer's JWKS)."""
AWS_IDENTITY, ORIGIN_IDENTITY = "AWSIdentity", "OriginIdentity"
DEFAULT_DURATION = 300
AWS_CLAIMS = "https://sts.amazonaws.com/"


def aws_claims(caller: Caller, region: str, principal: str, request_tags: dict[str, str]) -> dict[str, Any]:
    """The ``https://sts.amazonaws.com/`` claims: account, region and principal always; the calling session's
    expiry, source identity and federated provider when it has them; principal and request tags when there are
    some.  No organization claims: mockrunner models no AWS Organizations."""
    claims: dict[str, Any] = {"aws_account": caller.account_id, "source_region": region, "principal_id": principal}
    if caller.expiration is not None:
        claims["original_session_exp"] = caller.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    optional = {"source_identity": caller.source_identity, "federated_provider": caller.federated_provider,
                "principal_tags": caller.tags, "request_tags": request_tags}
    claims.update((name, value) for name, value in optional.items() if value)
    return claims


def _scope_values(params: dict) -> list[str] | None:
    """The request's scope values, after the rules STS states for ``Scope`` (``None``: no ``Scope``)."""
    scope = params.get("Scope")
    if scope is None:
        return None
    if params.get("SubjectMode") != ORIGIN_IDENTITY or len(params["Audience"]) != 1:
        raise ServiceError("ValidationError", "Scope can be specified only when SubjectMode is OriginIdentity and "
                           "exactly one audience is requested.", 400)
    values = scope.split(" ")
    if len(set(values)) < len(values):
        raise ServiceError("ValidationError", "Scope must not repeat a scope value.", 400)
    return values


def self_arn(account_id: str) -> str:
    """The resource GetWebIdentityToken is authorized on: the calling principal itself."""
    return f"arn:aws:sts::{account_id}:self"


def _authz(ctx: RequestContext) -> list[Check]:
    if ctx.caller.credential_source == FEDERATION_TOKEN:
        raise ServiceError("AccessDenied", "GetWebIdentityToken does not support federated user sessions", 403)
    params = ctx.params
    # The request tags become the token's request_tags claim; keys differing only in case are refused as
    # AssumeRole's and GetFederationToken's tags (the same STS Tag type) are (unverified for this operation).
    refuse_duplicate_tag_keys(params.get("Tags") or [])
    scope = _scope_values(params)
    keys: dict[str, Any] = {"sts:IdentityTokenAudience": list(params["Audience"]),
                            "sts:SigningAlgorithm": params["SigningAlgorithm"],
                            "sts:DurationSeconds": str(params.get("DurationSeconds") or DEFAULT_DURATION),
                            "sts:SubjectMode": params.get("SubjectMode") or AWS_IDENTITY}
    tag_keys: dict[str, Any] = {f"aws:RequestTag/{tag['Key']}": tag["Value"] for tag in params.get("Tags") or []}
    if params.get("Tags"):
        tag_keys["aws:TagKeys"] = [tag["Key"] for tag in params["Tags"]]
    keys.update(tag_keys)
    if scope is not None:
        keys["sts:IdentityTokenScope"] = scope
    resource = self_arn(ctx.caller.account_id)
    checks = [Check("sts:GetWebIdentityToken", resource, keys)]
    if params.get("Tags"):
        # The keys the Service Authorization Reference lists for it: the request tags.
        checks.append(Check("sts:TagGetWebIdentityToken", resource, tag_keys))
    if scope is not None:
        # On the same resource as the token's own action (*unverified*: no denial of it is recorded).
        checks.append(Check("sts:SetWebIdentityTokenScope", resource, keys))
    return checks


@op("sts", "GetWebIdentityToken", authz=_authz)
def get_web_identity_token(ctx: RequestContext) -> dict:
    import jwt

    from mockrunner.oidc.keys import private_key, signing_key

    params, caller, store = ctx.params, ctx.caller, ctx.store
    iam = store.accounts[caller.account_id].iam
    algorithm = params["SigningAlgorithm"]
    if algorithm not in ALGORITHMS:
        raise ServiceError("ValidationError", "Requested SigningAlgorithm is not supported. See the "
                           "GetWebIdentityToken documentation for supported algorithms", 400)
    if (params.get("SubjectMode") or AWS_IDENTITY) == ORIGIN_IDENTITY:
        # No session here carries a trusted identity propagation context (module docstring).
        raise ServiceError("ValidationError", "SubjectMode OriginIdentity requires the aws:OriginIdentity/Subject "
                           "key and the aws:OriginIdentity/Issuer or aws:OriginIdentity/FederatedProviderArn key in "
                           "the trusted identity propagation context of the calling session.", 400)
    now = store.clock.now()
    expires = now + timedelta(seconds=params.get("DurationSeconds") or DEFAULT_DURATION)
    if caller.expiration is not None and expires > caller.expiration:
        raise ServiceError("SessionDurationEscalationException", "Requested token expiry time must be before the "
                           "original session's expiry time.", 403)
    if not iam.outbound_enabled or iam.outbound_issuer is None:
        raise ServiceError("OutboundWebIdentityFederationDisabledException",
                           "OutboundWebIdentityFederation is disabled.", 403)
    audience = list(params["Audience"])
    tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []}
    with store.lock:
        key, generated = signing_key(store, iam.outbound_issuer, algorithm, KEY_IDS[algorithm])
    ctx.state_changed |= generated  # the issuer's first key of this algorithm: saved with the token it signed
    principal = caller.role_arn or caller.arn
    payload = {"iss": iam.outbound_issuer, "sub": principal, "aud": audience[0] if len(audience) == 1 else audience,
               "iat": int(now.timestamp()), "exp": int(expires.timestamp()), "jti": str(uuid.uuid4()),
               AWS_CLAIMS: aws_claims(caller, ctx.region, principal, tags)}
    token = jwt.encode(payload, private_key(store, key), algorithm=algorithm, headers={"kid": key.kid, "typ": "JWT"})
    return {"WebIdentityToken": token, "Expiration": expires.replace(microsecond=expires.microsecond // 1000 * 1000)}
