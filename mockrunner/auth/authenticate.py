"""Resolve a request's SigV4 credentials to a :class:`Caller`, verifying the signature on the way.

Order of checks, as AWS answers them: no signature at all (neither SigV4 nor, on a query-protocol service,
SigV2: :mod:`mockrunner.auth.sigv2`, checked the same way after its own parameters) → MissingAuthenticationToken;
malformed signature parameters, or an Authorization header together with presigned query parameters →
IncompleteSignature; ``host`` not signed → SignatureDoesNotMatch; unknown or inactive access key, or a session key
without its token (or with the wrong one) → InvalidClientTokenId; expired session → ExpiredToken; clock skew /
expired presigned URL; finally the signature itself, over the body received → SignatureDoesNotMatch.  The account
of a request is the account owning the access key — never a header, never a default.

Enforcement ``off`` skips all of this: any credentials act as the default account's root.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from mockrunner import admin_access
from mockrunner.auth import sigv2, sigv4
from mockrunner.auth.caller import Caller, anonymous_caller, principal_tags, root_caller
from mockrunner.errors import ServiceError
from mockrunner.protocol import query_codec

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.iam import AccessKey, IamState, Session
    from mockrunner.model.store import Store

# failure -> {protocol: (code, HTTP status)}.  Query codes/statuses: STS and IAM "Common Errors"; json codes:
# what JSON-protocol services answer, every one with 400
# (docs/behaviour.md, "ECR and App Runner denials are HTTP 400"):
# InvalidSignatureException from ECR (upmc-enterprises/registry-creds#24 and #47, "Signature expired", status code
# 400), ECS (teralytics/prometheus-ecs-discovery#7, a mismatch, 400), DynamoDB (aws/aws-sdk-js#284, #254); ECR's
# MissingAuthenticationTokenException (jenkinsci/aws-credentials-plugin#270, "Status Code: 400") and
# UnrecognizedClientException (aws/aws-sdk-php#1114, "400 Bad Request"); ExpiredTokenException from DynamoDB and
# SSM (400).  App Runner's own statuses are unverified and assumed to be the same.
_ERRORS = {
    "missing": {"query": ("MissingAuthenticationToken", 403), "json": ("MissingAuthenticationTokenException", 400)},
    "incomplete": {"query": ("IncompleteSignature", 400), "json": ("IncompleteSignatureException", 400)},
    "unknown_key": {"query": ("InvalidClientTokenId", 403), "json": ("UnrecognizedClientException", 400)},
    "expired_token": {"query": ("ExpiredToken", 403), "json": ("ExpiredTokenException", 400)},
    "mismatch": {"query": ("SignatureDoesNotMatch", 403), "json": ("InvalidSignatureException", 400)},
    "skew": {"query": ("SignatureDoesNotMatch", 403), "json": ("InvalidSignatureException", 400)},
    "expired_url": {"query": ("RequestExpired", 400), "json": ("InvalidSignatureException", 400)},
}
_MESSAGES = {
    ("missing", "query"): "Request is missing Authentication Token",
    ("missing", "json"): "Missing Authentication Token",
    ("unknown_key", "query"): "The security token included in the request is invalid.",
    # IAM's own text has no final period (raw IAM ErrorResponse quoted in aws/aws-cli#8918; aws-vault#15, #1056).
    ("unknown_key", "iam"): "The security token included in the request is invalid",
    ("unknown_key", "json"): "The security token included in the request is invalid.",
    ("expired_token", "query"): "The security token included in the request is expired",
    ("expired_token", "json"): "The security token included in the request is expired",
}


def authenticate(ctx: "RequestContext") -> None:
    """Set ``ctx.caller`` and ``ctx.account`` or raise the protocol's authentication error."""
    store = ctx.store
    settings = store.settings
    if ctx.operation is not None and ctx.operation.auth_type == "none":
        # Served without credentials (the STS API reference: "Calling AssumeRoleWithWebIdentity does not require
        # the use of AWS security credentials"); the token in the request is the identity, a signature is ignored.
        ctx.caller, ctx.account = anonymous_caller(), None
        return
    if settings.enforce == "off":
        # No signature is checked, so nothing stops a web page the developer visits from acting as root: one from
        # another site or host is refused (docs/behaviour.md, "Hostile input: forty-seventh pass").
        refused = admin_access.web_page_refusal(settings, ctx.headers)
        if refused is not None:
            raise _error(ctx, "missing", f"mockrunner, with enforcement off, {refused}")
        signed = _parse_quietly(ctx)
        ctx.caller = root_caller(settings.default_account, signed.access_key_id if signed else "")
        ctx.account = store.account(settings.default_account)
        return
    ahead = ctx.signature_ahead if isinstance(ctx.signature_ahead, sigv4.Digest) else None
    if ahead is not None:
        signed = ahead.signed  # what read_ahead parsed of these very headers: parse() answers the same again
    else:
        try:
            signed = sigv4.parse(ctx.headers, ctx.query, ctx.authorization)
        except sigv4.SigV4Error as error:
            raise _error(ctx, error.kind, error.message) from None
    if signed is None:
        _authenticate_sigv2(ctx)
        return
    secret, caller = resolve_key(ctx, signed.access_key_id, signed.security_token)
    try:
        sigv4.check_time(signed, datetime.now(UTC))
        sigv4.verify(signed, secret, ctx.method, _path(ctx), ctx.query_string, ctx.headers, ctx.body, ahead)
    except sigv4.SigV4Error as error:
        raise _error(ctx, error.kind, error.message) from None
    ctx.caller = caller
    ctx.account = store.account(caller.account_id)


def read_ahead(ctx: "RequestContext") -> None:
    """Do what :func:`authenticate` needs of the request's bytes alone before the store lock is taken, so that the
    lock's hold costs a key look-up and an HMAC over a short text whatever the request's size.  Raises nothing: a
    refusal is answered by :func:`authenticate`, in its order, as before.

    - A query request without a SigV4 signature has its parameters decoded and its SigV2 string to sign built
      (``ctx.sigv2``): read under the lock, a 64 MiB form body sent with no credentials at all held every other
      request up for seconds (docs/behaviour.md, "Hostile input: forty-first pass (this session's changes)").  Its
      HMAC, which needs the key's secret, is computed too, with the secret the key has now, looked up without the
      lock (:func:`_secret_ahead`); under the lock the key is resolved again, as always, and the HMAC's answer is
      taken only for that very secret (``ctx.signature_ahead``, :func:`mockrunner.auth.sigv2.verify`).
    - A SigV4-signed request has its body hashed and its string to sign built (``ctx.signature_ahead``,
      :func:`mockrunner.auth.sigv4.digest`): neither needs the key.
    (docs/behaviour.md, "Signature work outside the store lock (session 22)")"""
    if not _verifies(ctx):
        return
    if ctx.sigv2 is None and ctx.service_model.protocol == "query" and _carries_no_sigv4(ctx):
        ctx.sigv2 = _read_sigv2(ctx)
        if isinstance(ctx.sigv2, sigv2.Reading) and ctx.sigv2.signed is not None:
            ctx.signature_ahead = _checked_ahead(ctx, ctx.sigv2)
        return
    try:
        signed = sigv4.parse(ctx.headers, ctx.query, ctx.authorization)
    except sigv4.SigV4Error:
        return  # refused under the lock, in its order
    if signed is not None:
        ctx.signature_ahead = sigv4.digest(signed, ctx.method, _path(ctx), ctx.query_string, ctx.headers, ctx.body)


def _verifies(ctx: "RequestContext") -> bool:
    """Whether :func:`authenticate` checks a signature at all: credentials are checked and the operation needs
    them."""
    if ctx.store.settings.enforce == "off" or ctx.service_model is None:
        return False
    return ctx.operation is None or ctx.operation.auth_type != "none"


def _checked_ahead(ctx: "RequestContext", reading: "sigv2.Reading") -> "sigv2.Checked | None":
    """The SigV2 HMAC under the secret the request's key seems to have now (None when it has none, or the check
    fails: it is then done under the lock, and fails there as before)."""
    secret = _secret_ahead(ctx.store, reading.signed.access_key_id)
    if secret is None:
        return None
    try:
        return sigv2.check(reading, secret)
    except Exception:  # noqa: BLE001 - a secret HMAC cannot take (not UTF-8): verify() meets it again, in its order
        return None


def _secret_ahead(store: "Store", key_id: str) -> str | None:
    """The secret of the access key or session ``key_id``, as :func:`resolve_key` finds it, read without the store
    lock: a guess, never a decision.  Whatever a concurrent change makes of it (a key deleted, deactivated or
    rotated, a session gone, the state replaced, a dictionary changing size under the loop), the request's own
    hold resolves the key again, refuses as it always does, and takes an answer computed with this secret only
    when the key's secret is then this very one (an HMAC depends on the secret and the bytes alone); a wrong
    guess costs the HMAC again, under the lock, as before.  No check on the key's status, owner or token is
    made here: they are all made under the lock."""
    try:
        keys = store.root_key(key_id)
        if keys is not None:
            return keys.secret_access_key
        for account in list(store.accounts.values()):
            key = account.iam.access_keys.get(key_id) or account.iam.sessions.get(key_id)
            if key is not None:
                return key.secret_access_key
    except Exception:  # noqa: BLE001 - the state changing under an unlocked read: no guess
        return None
    return None


def _path(ctx: "RequestContext") -> str:
    """The request's path as its request line sent it (still percent-encoded), what a signature covers; the
    decoded path where the server did not give it."""
    return ctx.raw_path if ctx.raw_path is not None else ctx.path


def _carries_no_sigv4(ctx: "RequestContext") -> bool:
    """Whether the request carries no SigV4 signature: no Authorization header, no presigned query parameters."""
    return "authorization" not in ctx.headers and not sigv4.is_presigned(ctx.query)


def _read_sigv2(ctx: "RequestContext") -> "sigv2.Reading | ServiceError":
    try:
        fields = _sigv2_fields(ctx)
    except ServiceError as refusal:
        return refusal
    return sigv2.read(fields, ctx.method, ctx.headers.get("host", ""), _path(ctx))


def _authenticate_sigv2(ctx: "RequestContext") -> None:
    """A request without a SigV4 signature: a query-protocol request signed with Signature Version 2, which IAM
    and STS take, or MissingAuthenticationToken.
    (docs/behaviour.md, "Through generic SigV4 signers (aws4, aws-requests-auth, boto 2, Ruby's aws-sigv4)")"""
    reading = ctx.sigv2 if ctx.sigv2 is not None else _read_sigv2(ctx)
    if isinstance(reading, ServiceError):
        raise reading
    if reading.error is not None:
        raise _error(ctx, reading.error.kind, reading.error.message)
    if reading.signed is None:
        raise _error(ctx, "missing")
    signed = reading.signed
    secret, caller = resolve_key(ctx, signed.access_key_id, signed.security_token)
    try:
        sigv2.check_time(signed, datetime.now(UTC))
        checked = ctx.signature_ahead if isinstance(ctx.signature_ahead, sigv2.Checked) else None
        sigv2.verify(reading, secret, checked)
    except sigv4.SigV4Error as error:
        raise _error(ctx, error.kind, error.message) from None
    ctx.caller = caller
    ctx.account = ctx.store.account(caller.account_id)


def _sigv2_fields(ctx: "RequestContext") -> list[tuple[str, str]]:
    """Every query and form parameter of a query-protocol request, decoded, in order; none for other protocols
    (SigV2 is for query APIs alone).  The body is read whatever the method, as the codec reads it (SigV2 signs no
    body hash: a body it did not cover would add parameters to a replayed GET), and one that is not form encoding
    is refused here as the codec refuses it (MalformedQueryString)."""
    if ctx.service_model is None or ctx.service_model.protocol != "query":
        return []
    fields = parse_qsl(ctx.query_string, keep_blank_values=True)
    if ctx.body:
        fields += query_codec.form_fields(ctx.body)
    return fields


def _parse_quietly(ctx: "RequestContext") -> sigv4.SignedRequest | None:
    try:
        return sigv4.parse(ctx.headers, ctx.query, ctx.authorization)
    except sigv4.SigV4Error:
        return None


def resolve_key(ctx: "RequestContext", key_id: str, security_token: str | None) -> tuple[str, Caller]:
    """The secret to verify with and who the key belongs to (raises InvalidClientTokenId / ExpiredToken).

    Also what an ECR registry token is checked with: it carries the key id and session token it was issued to.
    """
    store = ctx.store
    keys = store.root_key(key_id)
    if keys is not None:
        if security_token:
            raise _error(ctx, "unknown_key")
        return keys.secret_access_key, root_caller(keys.account_id, key_id)
    for account in store.accounts.values():
        iam = account.iam
        key = iam.access_keys.get(key_id)
        if key is not None:
            return key.secret_access_key, _user_caller(ctx, account.id, iam, key, security_token)
        session = iam.sessions.get(key_id)
        if session is not None:
            return session.secret_access_key, _session_caller(ctx, account.id, session, security_token)
        if iam.expired_session(key_id, security_token):
            # A purged session: it expired, so it still answers ExpiredToken (see IamState.purge_sessions).
            raise _error(ctx, "expired_token")
    raise _error(ctx, "unknown_key")


def _user_caller(ctx: "RequestContext", account_id: str, iam: "IamState", key: "AccessKey",
                 security_token: str | None) -> Caller:
    if key.root:
        # A key the root created with CreateAccessKey (no UserName): it authenticates as the account root.
        if key.status != "Active" or security_token:
            raise _error(ctx, "unknown_key")
        return root_caller(account_id, key.access_key_id)
    user = iam.users.get(key.user_name)
    if key.status != "Active" or user is None or security_token:
        raise _error(ctx, "unknown_key")
    return _cached(ctx.store, iam, account_id, key.access_key_id, lambda: Caller(
        account_id=account_id, arn=user.arn, user_id=user.user_id, kind="User", access_key_id=key.access_key_id,
        entity_name=user.name, tags=dict(user.tags),
    ))


def _session_caller(ctx: "RequestContext", account_id: str, session: "Session", security_token: str | None) -> Caller:
    store = ctx.store
    if security_token != session.session_token:
        raise _error(ctx, "unknown_key")
    if session.kind != "AssumedRole" and ctx.service == "iam" and session.mfa_authenticated_at is None:
        # GetSessionToken credentials "cannot call any IAM API operations unless MFA authentication information
        # is included in the request" (STS API reference, GetSessionToken); IAM answers as if the token were
        # unknown: InvalidClientTokenId (aws/aws-sdk-js#460, aws/aws-cli#8918, 99designs/aws-vault#15 and #1056).
        raise _error(ctx, "unknown_key")
    if store.clock.now() >= session.expiration:
        raise _error(ctx, "expired_token")
    iam = store.accounts[account_id].iam
    return _cached(store, iam, account_id, session.access_key_id, lambda: _session_identity(iam, account_id, session))


def _session_identity(iam: "IamState", account_id: str, session: "Session") -> Caller:
    if session.kind == "AssumedRole":
        role = iam.session_role(session.entity_name, session.user_id)
        tags = principal_tags(role.tags if role else {}, session.tags)
        source = "AssumeRole"
    else:
        user = iam.users.get(session.entity_name or "")
        tags = principal_tags(user.tags if user else {}, session.tags)
        source = "GetFederationToken" if session.kind == "FederatedUser" else "GetSessionToken"
    return Caller(
        account_id=account_id, arn=session.arn, user_id=session.user_id, kind=session.kind,
        access_key_id=session.access_key_id, entity_name=session.entity_name, session_name=session.session_name,
        role_arn=session.role_arn, session_policies=tuple(session.session_policies),
        session_policy_arns=tuple(session.session_policy_arns),
        # A federated user's permissions are always cut down to its session policies, none meaning none
        # (STS API reference, GetFederationToken).
        has_session_policy=bool(session.session_policies or session.session_policy_arns)
        or session.kind == "FederatedUser",
        scope_down_policies=tuple(session.scope_down_policies),
        session_tags=dict(session.tags), expiration=session.expiration, source_identity=session.source_identity,
        transitive_tag_keys=tuple(session.transitive_tag_keys),
        credential_source=source, tags=tags, mfa_authenticated_at=session.mfa_authenticated_at,
        token_issued_at=session.issued_at, federated_provider=session.federated_provider,
        federated_subject=session.federated_subject, saml_subject_type=session.saml_subject_type,
        saml_name_qualifier=session.saml_name_qualifier,
    )


def _cached(store: "Store", iam: "IamState", account_id: str, key_id: str, build: Callable[[], Caller]) -> Caller:
    """A Caller is built from IAM state (the user's or role's tags) that only an IAM mutation changes; the checks
    that depend on the request or the clock (status, token, expiry) run before the cache is consulted."""
    return store.derived("callers").get((account_id, key_id), iam.version, build)


def _error(ctx: "RequestContext", kind: str, message: str | None = None) -> ServiceError:
    protocol = ctx.service_model.protocol if ctx.service_model is not None else "query"
    rest = protocol == "rest-json"
    protocol = "json" if protocol in ("json", "rest-json") else "query"
    code, status = _ERRORS[kind][protocol]
    if rest:
        # rest services answer the json codes with 403 (API Gateway fronted services' form; IAM Toolbox's own
        # statuses are unverified: docs/behaviour.md, "IAM Access Troubleshooter (Preview)").
        status = 403
    text = message or _MESSAGES.get((kind, ctx.service), None) or _MESSAGES.get((kind, protocol), "")
    return ServiceError(code, text, status, True)
