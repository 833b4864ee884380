"""Verify a web identity token as STS does for ``AssumeRoleWithWebIdentity``, and derive its condition keys.

Checks, in order, each with STS's error (texts quoted from public reports where they exist; the others are
marked in ``docs/behaviour.md``):

1. a JWT at all (three base64url parts, a JSON header and payload);
2. the required claims ``iss``, ``sub``, ``aud`` (or ``azp``), ``iat`` and ``exp`` ("Missing a required claim:
   aud");
3. ``iss`` names an OIDC provider of the role's account ("No OpenIDConnect provider found in your account for
   <iss>");
4. a key for the token's ``kid`` among the issuer's keys ("Couldn't retrieve verification key from your identity
   provider,  please reference AssumeRoleWithWebIdentity documentation for requirements" — two spaces; so is a
   token without ``kid`` when the issuer publishes more than one key): a JWK without ``kid``, one whose ``use`` is
   not ``sig`` and one whose ``x5c`` certificate holds another key are no key, nor is any key of a type (``kty``)
   the issuer publishes more than :data:`MAX_KEYS_PER_TYPE` of;
5. an allowed algorithm (RSA / ECDSA; never ``none`` or HMAC) and a valid signature, checked with the last of the
   keys of the token's ``kid``; a JWK with ``key_ops`` verifies nothing ("The web identity token provided could not
   be validated. See the AssumeRoleWithWebIdentity documentation for requirements.").  Step 4's and 5's rules are
   recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5, internal/services/sts/testdata/oidc/
   aws-keys.json ("key-no-jwk-kid", "key-encryption-use", "key-x5c-conflict", "key-ops-sign", "key-ops-verify",
   "key-duplicate-wrong-first" and "-last");
6. a claims set naming a member twice with two values is "The web identity token provided could not be validated.
   ..." (:func:`_names_a_claim_twice`);
7. the audience: an ``azp`` decides it and must be one of the provider's client ids ("The web identity token
   provided could not be validated. ..." otherwise, an empty one too); without ``azp``, ``aud`` must name one
   audience ("Token audience contains more than one audience while authorized party is not present"; ``[]``:
   "Claim is not allowed to be empty: aud"; ``""``: the "could not be validated" answer) that is a client id
   ("Incorrect token audience");
8. the times against the store clock, with IAM's five minutes of clock skew: ``exp`` ("Token expired: current
   date/time <now less the skew> must be before the expiration date/time <exp>", ``ExpiredTokenException``),
   ``nbf`` ("Token not yet valid: current date/time <now> must be after or equal to the not-before date/time
   <nbf>") and ``iat`` ("Token issued in the future: <iat>").

Recorded from AWS (radkawar/stackd ``internal/services/sts/testdata/oidc/aws.json``, 2026-09-11): the required
claims, the audience rules of step 7, the time messages, a time claim as an integer or a string of digits
(``"1789123698"`` taken) while a fraction, ``null`` or other text is "Invalid timestamp in token claims."
(``InvalidIdentityToken``), an empty ``sub`` taken as it is and a numeric one as its decimal text, and a session tag
value that is not a one-string list "principal_tags passed in claim is not in correct format."
(``InvalidIdentityToken``).  A ``null`` ``sub`` was an ``InternalFailure`` (500) in AWS; here it stays a 400
``IDPRejectedClaim``.

Claims of another wrong JSON type (an ``iss`` or ``sub`` that is no string or integer, an ``aud`` that is no string
or list of strings, other malformed session-tags claims) are ``IDPRejectedClaim``, and so is a source identity
AssumeRole's ``SourceIdentity`` rules refuse (2 to 64 of ``[\\w+=,.@-]``, so never ``aws:``);
session tags the ``Tag`` rules refuse (:mod:`mockrunner.session_tag_rules`)
are ``ValidationError`` "Unable to validate tags" (:data:`TAGS_REFUSED`).
A header or claims set holding half a UTF-16 surrogate pair (a ``\\ud800`` escape) is not UTF-8 JSON, so not a JWT.
"""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt

from mockrunner import session_tag_rules
from mockrunner.errors import ServiceError
from mockrunner.iam_engine.strict_json import is_unicode_text
from mockrunner.oidc.keys import SIGNING_ALGORITHMS, jwks
from mockrunner.oidc.provider_claims import claim_value, keys_for

if TYPE_CHECKING:
    from mockrunner.model.iam import IamState, OidcProvider
    from mockrunner.model.store import Store

CLOCK_SKEW = 300
"""IAM accepts a token up to five minutes after its ``exp`` (IAM User Guide, "OIDC federation")."""
MAX_TIME = 2 ** 63 - 1
"""The largest time claim read (a signed 64-bit number of seconds); a time claim beyond it either way (a string of
digits too), a fraction or any other value is "Invalid timestamp in token claims." (``InvalidIdentityToken``)."""
TAGS_CLAIM = "https://aws.amazon.com/tags"
TAGS_REFUSED = "Unable to validate tags"
"""STS's answer (``ValidationError``, 400) for session tags from a token it will not take (recorded in
hashicorp/terraform-provider-aws#44712, where the tags can only have come from the token; which rule they broke is
not stated): here, tags the ``Tag`` rules of :mod:`mockrunner.session_tag_rules` refuse."""
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
NO_KEY = ("Couldn't retrieve verification key from your identity provider,  please reference "
          "AssumeRoleWithWebIdentity documentation for requirements")
NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "exp")
"""Each recorded missing alone (radkawar/stackd oidc/aws.json "missing-*"); the order between them is mockrunner's."""
NOT_VALIDATED = ("The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity "
                 "documentation for requirements.")
INVALID_TIMESTAMP = "Invalid timestamp in token claims."
TAGS_MALFORMED = "principal_tags passed in claim is not in correct format."

AZP_AS_AUDIENCE = frozenset({"accounts.google.com"})
"""Issuers whose ``azp`` becomes ``<url>:aud`` (the original ``aud`` then ``<url>:oaud``), as AWS documents for
Google."""


@dataclass(frozen=True)
class BuiltInProvider:
    """A web identity provider STS knows without an IAM OIDC provider in the account: Amazon Cognito identity pools
    and Google.  A role's trust policy names it by its name (``{"Federated": "cognito-identity.amazonaws.com"}``),
    which is also its ``arn`` here and the ``Provider`` STS answers; any one audience is taken (the trust policy's
    ``<name>:aud`` condition, which IAM requires of it, decides which)
    (docs/behaviour.md, "Web identity federation without an IAM OIDC provider")."""

    url: str
    client_ids: None = None

    @property
    def arn(self) -> str:
        return self.url


BUILT_IN_ISSUERS = {"https://cognito-identity.amazonaws.com": BuiltInProvider("cognito-identity.amazonaws.com"),
                    "https://accounts.google.com": BuiltInProvider("accounts.google.com")}
"""Token issuers (``iss``, exactly) answered by a :class:`BuiltInProvider` when the account has no IAM OIDC provider
for them."""


@dataclass
class VerifiedToken:
    """A token STS accepted: its claims, the provider it came through, the audience that matched."""

    claims: dict[str, Any]
    provider: "OidcProvider | BuiltInProvider"
    audience: str
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return self.claims["sub"]

    @property
    def issuer(self) -> str:
        return self.claims["iss"]


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidIdentityToken", message, 400)


def _rejected(message: str) -> ServiceError:
    return ServiceError("IDPRejectedClaim", message, 403)


def verify(store: "Store", iam: "IamState", token: str) -> VerifiedToken:
    """The verified token, or the STS error it deserves (see the module doc for the order)."""
    from mockrunner.services.iam.oidc_providers import provider_for_issuer

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _invalid(NOT_A_JWT) from None
    if not is_unicode_text([header, claims]):  # half a surrogate pair: not UTF-8 JSON
        raise _invalid(NOT_A_JWT)
    for name in REQUIRED_CLAIMS:
        if name not in claims and not (name == "aud" and "azp" in claims):
            raise _invalid(f"Missing a required claim: {name}")
    claims = _read_types(claims)
    provider = provider_for_issuer(iam, claims["iss"]) or BUILT_IN_ISSUERS.get(claims["iss"])
    if provider is None:
        raise _invalid(f"No OpenIDConnect provider found in your account for {claims['iss']}")
    _check_signature(store, token, header, claims["iss"])
    if _names_a_claim_twice(token):
        raise _invalid(NOT_VALIDATED)
    audience = _matching_audience(claims, provider)
    _check_times(store, claims)
    return VerifiedToken(claims, provider, audience, header)


def _read_types(claims: Mapping[str, Any]) -> dict[str, Any]:
    """``claims`` with a numeric ``sub`` as its text and the times as integers; refusals for the wrong types."""
    subject = claims["sub"]
    if isinstance(subject, int) and not isinstance(subject, bool):
        subject = str(subject)
    if not isinstance(claims["iss"], str) or not isinstance(subject, str):
        raise _rejected("The iss and sub claims must be strings.")
    audiences = claims.get("aud", [])
    if not isinstance(audiences, (str, list)) or not all(isinstance(a, str) for a in _as_list(audiences)):
        raise _rejected("The aud claim must be a string or a list of strings.")
    if audiences == [] and "azp" not in claims:  # with an azp, the azp decides (step 7)
        raise _invalid("Claim is not allowed to be empty: aud")
    times = {name: _timestamp(claims[name]) for name in ("exp", "nbf", "iat") if name in claims}
    return {**claims, "sub": subject, **times}


def _timestamp(value: Any) -> int:
    """A time claim as STS reads it: an integer, or a string of decimal digits; anything else is refused.  Leading
    zeros are read past (*unverified*), and a string of more digits than the largest time has is refused as a time
    out of range is, never read as a number (Python refuses more than 4,300 digits: a 500 before)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        digits = value.lstrip("0") or "0"
        value = int(digits) if len(digits) <= len(str(MAX_TIME)) else None
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_TIME <= value <= MAX_TIME:
        raise _invalid(INVALID_TIMESTAMP)
    return value


def _names_a_claim_twice(token: str) -> bool:
    """Whether the claims set (an object at any depth) holds a member twice with two different values.  Recorded
    from AWS, 2026-09-11 (radkawar/stackd commit 9dc356f5, internal/services/sts/testdata/oidc/aws-initial.json
    "duplicate-claim": ``aud`` ``client-a`` then ``other`` is :data:`NOT_VALIDATED`; oidc/aws.json
    "duplicate-same-claim": the same value twice is taken).  Nested objects are held to it too (*unverified*)."""

    def pairs(members: list[tuple[str, Any]]) -> dict:
        seen: dict[str, Any] = {}
        for name, value in members:
            if name in seen and (type(seen[name]) is not type(value) or seen[name] != value):
                raise _TwiceNamed
            seen[name] = value
        return seen

    segment = token.split(".")[1]
    try:
        json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)), object_pairs_hook=pairs)
    except _TwiceNamed:
        return True
    return False


class _TwiceNamed(Exception):
    """A member named twice with different values (see :func:`_names_a_claim_twice`)."""


MAX_KEYS_PER_TYPE = 100
"""More keys of one type (``kty``) than this in an issuer's JWKS and none of that type is read: recorded from AWS,
2026-09-11 (radkawar/stackd commit 9dc356f5, internal/services/sts/testdata/oidc/aws-keys.json "key-rsa-101": 101 RSA
keys and one EC key, an RS256 token "Couldn't retrieve verification key ..."; "key-rsa-101-ec-token": an ES256 token
of the same JWKS taken).  The bound of 100 is a public report's (spiffe/spire#4699); that it is per type, not the
last 100 keys, is mockrunner's reading of the two recordings (both fit either)."""


def _check_signature(store: "Store", token: str, header: Mapping[str, Any], issuer: str) -> None:
    algorithm = header.get("alg")
    if algorithm not in SIGNING_ALGORITHMS:
        raise _invalid(f"Unsupported token signing algorithm: {algorithm}")
    published = jwks(store, issuer)["keys"]
    per_type: dict[Any, int] = {}
    for jwk in published:
        per_type[str(jwk.get("kty"))] = per_type.get(str(jwk.get("kty")), 0) + 1
    readable = [jwk for jwk in published if per_type[str(jwk.get("kty"))] <= MAX_KEYS_PER_TYPE]
    kid = header.get("kid")
    if kid is None and len(published) > 1:
        # Recorded from AWS (radkawar/stackd oidc/aws.json "missing-key-id"): no kid against six keys is NO_KEY.  With
        # one key the token is still tried against it (oidc/aws-keys.json "key-no-header-kid": verified).
        raise _invalid(NO_KEY)
    # A JWK's "alg" does not restrict it: recorded from AWS, 2026-09-11 (radkawar/stackd commit 9dc356f5,
    # internal/services/sts/testdata/oidc/aws-keys.json "key-wrong-alg": an RS256 token verified by the issuer's one
    # RSA key labelled "RS512").  The key's type still decides what it verifies, and verifying needs its private half.
    candidates = [jwk for jwk in readable
                  if jwk.get("kid") is not None and (kid is None or jwk.get("kid") == kid)
                  and jwk.get("use", "sig") == "sig" and _x5c_agrees(jwk)]
    if not candidates:
        raise _invalid(NO_KEY)
    if kid is not None:
        candidates = candidates[-1:]  # the last key of the token's kid, as recorded; without a kid each is tried
    for jwk in candidates:
        if "key_ops" in jwk:
            continue
        try:
            key = jwt.PyJWK(jwk, algorithm=algorithm)
            jwt.decode(token, key.key, algorithms=[algorithm],
                       options={"verify_aud": False, "verify_exp": False, "verify_nbf": False,
                                "verify_iat": False, "verify_iss": False,
                                "verify_sub": False, "verify_jti": False})
            return
        except jwt.PyJWTError:
            continue
    raise _invalid(NOT_VALIDATED)


def _x5c_agrees(jwk: Mapping[str, Any]) -> bool:
    """Whether the JWK's ``x5c`` (if any) starts with a certificate of the JWK's own public key."""
    chain = jwk.get("x5c")
    if chain is None:
        return True
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from mockrunner.key_material import UNREADABLE

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        public = jwt.PyJWK(dict(jwk)).key
        form = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return bool(certificate.public_key().public_bytes(*form) == public.public_bytes(*form))
    except (*UNREADABLE, IndexError, KeyError, jwt.PyJWTError, AttributeError):
        return False


TWO_AUDIENCES = "Token audience contains more than one audience while authorized party is not present"


def _matching_audience(claims: Mapping[str, Any], provider: "OidcProvider | BuiltInProvider") -> str:
    """The token's audience, which must be one of the provider's client ids (any, for a built-in provider): its
    ``azp`` when it has one, else its one ``aud`` (module docstring, step 7)."""
    if "azp" in claims:
        azp = claims["azp"]
        if isinstance(azp, str) and azp and (provider.client_ids is None or azp in provider.client_ids):
            return azp
        raise _invalid(NOT_VALIDATED)
    audiences = _as_list(claims["aud"])
    if len(audiences) > 1:
        raise _invalid("Token audience contains more than one audience while authorized party is not present")
    if audiences[0] == "":
        raise _invalid(NOT_VALIDATED)
    if provider.client_ids is None or audiences[0] in provider.client_ids:
        return audiences[0]
    raise _invalid("Incorrect token audience")


def _check_times(store: "Store", claims: Mapping[str, Any]) -> None:
    now = int(store.clock.now().timestamp())
    expires = claims["exp"]
    if now >= expires + CLOCK_SKEW:
        # the time named is now less the skew (recorded, aws-initial.json "expired-301")
        raise ServiceError("ExpiredTokenException", f"Token expired: current date/time {now - CLOCK_SKEW} must be "
                           f"before the expiration date/time {expires}", 400)
    if "nbf" in claims and claims["nbf"] > now + CLOCK_SKEW:
        raise _invalid(f"Token not yet valid: current date/time {now} must be after or equal to the not-before "
                       f"date/time {claims['nbf']}")
    if claims["iat"] > now + CLOCK_SKEW:
        raise _invalid(f"Token issued in the future: {claims['iat']}")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------------------------------- condition keys
def condition_keys(verified: VerifiedToken) -> dict[str, Any]:
    """The web identity keys STS puts in the request context: ``<url>:sub``, ``<url>:aud`` and the issuer's
    documented provider-specific claims (:data:`mockrunner.oidc.provider_claims.PROVIDER_CLAIMS`), ``<url>``
    being the provider's URL without ``https://``."""
    claims, url = verified.claims, verified.provider.url
    keys: dict[str, Any] = {f"{url}:sub": claims["sub"], f"{url}:aud": verified.audience}
    host = url.split("/", 1)[0]
    if host in AZP_AS_AUDIENCE and isinstance(claims.get("azp"), str):
        keys[f"{url}:aud"] = claims["azp"]
        keys[f"{url}:oaud"] = claims.get("aud") if isinstance(claims.get("aud"), str) else verified.audience
    for name, path in keys_for(url):
        value = claim_value(claims, path)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            keys[f"{url}:{name}"] = str(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            keys[f"{url}:{name}"] = list(value)
    return keys


def session_tags(claims: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Session tags and transitive keys from the ``https://aws.amazon.com/tags`` claim (IAM User Guide,
    "Passing session tags using AssumeRoleWithWebIdentity": ``principal_tags`` maps a key to a one-value list)."""
    claim = claims.get(TAGS_CLAIM)
    if claim is None:
        return {}, []
    principal_tags = claim.get("principal_tags", {}) if isinstance(claim, dict) else None
    transitive = claim.get("transitive_tag_keys", []) if isinstance(claim, dict) else None
    if not isinstance(principal_tags, dict) or not isinstance(transitive, list):
        raise _rejected(f"The {TAGS_CLAIM} claim must hold principal_tags (an object) and transitive_tag_keys "
                        "(a list).")
    tags: dict[str, str] = {}
    lowered: set[str] = set()
    for key, values in principal_tags.items():
        if not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], str):
            raise _invalid(TAGS_MALFORMED)
        if key.lower() in lowered:
            # Session tag keys are case-insensitive (AssumeRole and AssumeRoleWithSAML refuse the same).
            raise _rejected(f"The session tag {key} is set more than once.")
        lowered.add(key.lower())
        if session_tag_rules.refusal(key, values[0]) is not None:
            raise ServiceError("ValidationError", TAGS_REFUSED, 400)
        tags[key] = values[0]
    if not all(isinstance(key, str) and key.lower() in lowered for key in transitive):
        raise _rejected("Every transitive tag key must be one of the principal_tags.")
    return tags, list(transitive)


ROLES_CLAIM = "https://aws.amazon.com/roles"
ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]+")
"""A role ARN the roles claim may name: written out exactly, in lower case, no wildcard."""


def role_authorized_by_idp(claims: Mapping[str, Any], role_arn: str) -> bool:
    """``sts:RoleAuthorizedByIdp``: whether the token's ``https://aws.amazon.com/roles`` claim names ``role_arn``
    (``False`` without the claim, or with ``null``); a claim naming other roles only, or no role ARN at all, or of
    another JSON type, is refused.

    Recorded from AWS (radkawar/stackd ``internal/services/sts/testdata/oidc/aws-roles.json``, 2026-09-11): the
    claim is a string (role ARNs separated by ``;``, each trimmed, empty pieces skipped) or a list (entries that are
    no string skipped); an entry that is no role ARN as written out in lower case (``role/*``, upper case, two ARNs
    joined by a comma) does not count; "The roles claim contains no valid role ARNs" when none is left, "The target
    role ARN is not present in the roles claim of the identity token" when the role is not among them, "The roles
    claim is not in a supported format" for an object (all ``InvalidIdentityToken``)."""
    value = claims.get(ROLES_CLAIM)
    if value is None:
        return False
    if isinstance(value, str):
        entries = [piece.strip() for piece in value.split(";")]
    elif isinstance(value, list):
        entries = [item.strip() for item in value if isinstance(item, str)]
    else:
        raise _invalid("The roles claim is not in a supported format")
    roles = {entry for entry in entries if ROLE_ARN.fullmatch(entry)}
    if not roles:
        raise _invalid("The roles claim contains no valid role ARNs")
    if role_arn not in roles:
        raise _invalid("The target role ARN is not present in the roles claim of the identity token")
    return True


def source_identity(claims: Mapping[str, Any]) -> str | None:
    """The ``https://aws.amazon.com/source_identity`` claim, held to AssumeRole's ``SourceIdentity`` rules (a claim
    of another JSON type, or one those rules refuse, is ``IDPRejectedClaim``)."""
    value = claims.get(SOURCE_IDENTITY_CLAIM)
    if value is None:
        return None
    if not isinstance(value, str) or not session_tag_rules.SESSION_NAME.fullmatch(value):
        raise _rejected(f'The {SOURCE_IDENTITY_CLAIM} claim must match [a-zA-Z_0-9+=,.@-]{{2,64}} and not begin with '
                        '"aws:".')
    return value
