"""The private keys the built-in identity providers sign with: generated once per process for each provider and
algorithm, and shared by every store of the process (a leaf module).

An identity provider is outside any AWS account: GitHub's token issuer signs with the same key whichever account
trusts it.  Each store still records the key it signs with (in its state, under a key id and, for SAML, a
certificate of its own): a token one store minted does not verify in another (tokens name their key id), while a
SAML response verifies wherever a provider holds that entity id's metadata, as a real IdP's would.
Generating an RSA key takes 50 to 200 ms, and every store that minted a token or a SAML response paid it: the
test suites that start a fresh store per test most of all.
"""
from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mockrunner.model.derived import DerivedCache

CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
"""The curve of each ECDSA algorithm the providers sign with; the ``RS*`` algorithms sign with RSA 2048."""
_KEYS = DerivedCache(limit=256)


def provider_key(kind: str, provider: str, algorithm: str) -> Any:
    """The private key the ``kind`` (``oidc``, ``saml``) provider named ``provider`` signs with for ``algorithm``
    (an ``RS*`` or ``ES*`` name): RSA 2048 or the algorithm's curve.  Kept by a digest of the provider's name, so a
    long name is not held; past the cache's bound a provider gets a new key."""
    name = hashlib.sha256(provider.encode("utf-8", "surrogatepass")).digest()
    return _KEYS.get((kind, name, algorithm), None, lambda: _generate(algorithm))


def _generate(algorithm: str) -> Any:
    if algorithm.startswith("RS"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(CURVES[algorithm]())
