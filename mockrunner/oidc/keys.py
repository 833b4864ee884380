"""Issuers' keys: the built-in identity provider's signing keys and the public keys (JWKS) tokens verify with.

An issuer's JWKS is the union of the public halves of the keys mockrunner signs its tokens with and the JWKS a
user registered for it.  Keys are made on first use (RSA 2048 for ``RS*``, P-256 / P-384 / P-521 for
``ES*``), one per issuer and algorithm, from the material the process holds for them
(:mod:`mockrunner.identity_provider_keys`).  Loaded key objects are cached with ``store.derived("oidc_keys")`` by
key id and algorithm (whether a PEM is usable depends on the algorithm it is named for): parsing a PEM costs more
than signing.
"""
from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mockrunner.identity_provider_keys import CURVES, provider_key
from mockrunner.key_material import UNREADABLE
from mockrunner.model.identity_providers import SigningKey

if TYPE_CHECKING:
    from mockrunner.model.store import Store

SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
"""What the built-in provider signs with, and what STS accepts (RSA and ECDSA signatures)."""


class OidcError(ValueError):
    """A JWKS or issuer the caller supplied that cannot be used; the message says why."""


def issuer_url(issuer: Any) -> str:
    """An issuer as tokens name it: an ``https://`` URL with a host, no query, no spaces and no control characters
    or halves of surrogate pairs (raises OidcError)."""
    if not isinstance(issuer, str) or not issuer.startswith("https://") or len(issuer) <= len("https://") \
            or "?" in issuer or "#" in issuer or any(c.isspace() for c in issuer) or not issuer.isprintable():
        raise OidcError(f"issuer must be an https:// URL with a host and no query, not {issuer!r}")
    return issuer


def signing_key(store: "Store", issuer: str, algorithm: str = "RS256",
                kid: str | None = None) -> tuple[SigningKey, bool]:
    """The issuer's key for ``algorithm``, made if it has none yet (named ``kid`` when given, else a random id, from
    the process's key for the issuer and algorithm); and whether it was made now."""
    if algorithm not in SIGNING_ALGORITHMS:
        raise OidcError(f"algorithm must be one of {', '.join(SIGNING_ALGORITHMS)}, not {algorithm!r}")
    with store.lock:
        keys = store.identity_providers.signing_keys.setdefault(issuer, [])
        for key in keys:
            if key.algorithm == algorithm and _loaded(store, key) is not None:
                return key, False
        private = provider_key("oidc", issuer, algorithm)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode("ascii")
        key = SigningKey(kid=kid or f"mockrunner-{algorithm.lower()}-{secrets.token_hex(8)}", algorithm=algorithm,
                         private_pem=pem)
        keys.append(key)
        store.derived("oidc_keys").get((key.kid, algorithm), pem, lambda: private)  # not parsed back from its PEM
        return key, True


def private_key(store: "Store", key: SigningKey) -> Any:
    """The key object of ``key`` (one :func:`signing_key` returned, so a usable one), parsed once per key."""
    return _loaded(store, key)


def _loaded(store: "Store", key: SigningKey) -> Any | None:
    """The key object of ``key``, parsed once per key (its PEM is the version: a key id names fixed material); None
    for a PEM that is no private key of the key's algorithm (RSA, or EC on that algorithm's curve).  Only an imported
    state can hold one: it signs nothing and is left out of the JWKS (fail closed), and :func:`signing_key` makes
    a fresh key for its algorithm.  Kept by key id *and* algorithm: one PEM under one key id may be named for two
    algorithms (an imported state), usable for one and not the other (thirty-seventh pass)."""
    def load() -> Any | None:
        try:
            private = serialization.load_pem_private_key(key.private_pem.encode("utf-8"), None)
        except UNREADABLE:
            return None
        if key.algorithm.startswith("RS"):
            return private if isinstance(private, rsa.RSAPrivateKey) else None
        curve = CURVES.get(key.algorithm)
        usable = isinstance(private, ec.EllipticCurvePrivateKey) and curve is not None \
            and private.curve.name == curve.name
        return private if usable else None

    return store.derived("oidc_keys").get((key.kid, key.algorithm), key.private_pem, load)


def jwks(store: "Store", issuer: str) -> dict:
    """The issuer's public keys as a JWKS document (empty ``keys`` for an issuer nobody holds keys for)."""
    keys = []
    for key in store.identity_providers.signing_keys.get(issuer, []):
        private = _loaded(store, key)
        if private is None:
            continue
        public = private.public_key()
        algorithm = jwt.algorithms.RSAAlgorithm if key.algorithm.startswith("RS") else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(public))
        jwk.pop("key_ops", None)  # PyJWT writes it for RSA keys; STS verifies with no key that has it (aws-keys.json)
        keys.append({**jwk, "kid": key.kid, "alg": key.algorithm, "use": "sig"})
    keys.extend(store.identity_providers.registered_jwks.get(issuer, {}).get("keys", []))
    return {"keys": keys}


def check_jwks(document: Any) -> dict:
    """A JWKS a user registers: ``{"keys": [JWK, ...]}`` with public RSA or EC keys PyJWT can read."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list) or not document["keys"]:
        raise OidcError('a JWKS is an object {"keys": [JWK, ...]} with at least one key')
    keys = []
    for index, jwk in enumerate(document["keys"]):
        if not isinstance(jwk, dict):
            raise OidcError(f"keys[{index}]: a JWK is an object, not {type(jwk).__name__}")
        try:
            parsed = jwt.PyJWK(jwk)
        except (jwt.PyJWKError, jwt.InvalidKeyError, TypeError, ValueError) as error:
            raise OidcError(f"keys[{index}]: not a usable JWK ({error})") from None
        if any(name in jwk for name in ("d", "p", "q")):
            raise OidcError(f"keys[{index}]: a private key; register the public key only")
        if parsed.key_type not in ("RSA", "EC"):
            raise OidcError(f"keys[{index}]: key type {parsed.key_type} is not RSA or EC")
        keys.append(dict(jwk))
    return {"keys": keys}


def register_jwks(store: "Store", issuer: Any, document: Any) -> int:
    """Register ``document`` (validated) as ``issuer``'s public keys, replacing any registered before."""
    url = issuer_url(issuer)
    checked = check_jwks(document)
    with store.lock:
        store.identity_providers.registered_jwks[url] = checked
    return len(checked["keys"])
