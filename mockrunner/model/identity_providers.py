"""Identity providers outside AWS that mockrunner stands in for: the keys their tokens are verified with.

Global, not per account (an issuer is not an AWS entity).  ``signing_keys`` are the keys of the built-in
identity provider, generated per issuer on first use and kept so tokens minted earlier still verify after a
state export/import; ``registered_jwks`` are public keys users registered for their own issuers.  ``saml_keys``
are the built-in SAML identity provider's signing keys and certificates, one per IdP entity id (generated, or
supplied by the user).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SigningKey:
    """A private key the built-in identity provider signs an issuer's tokens with (PEM, PKCS#8)."""

    kid: str
    algorithm: str
    private_pem: str


@dataclass
class SamlSigningKey:
    """The key and self-signed certificate a SAML IdP signs its responses with (PEM: PKCS#8 and X.509)."""

    private_pem: str
    certificate_pem: str


@dataclass
class IdentityProviders:
    signing_keys: dict[str, list[SigningKey]] = field(default_factory=dict)
    """Issuer URL -> its keys (at most one per algorithm)."""
    registered_jwks: dict[str, dict] = field(default_factory=dict)
    """Issuer URL -> a JWKS document (``{"keys": [...]}``) a user registered."""
    saml_keys: dict[str, SamlSigningKey] = field(default_factory=dict)
    """SAML IdP entity id -> the key and certificate the built-in SAML identity provider signs its responses with."""
