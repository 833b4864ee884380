"""A built-in OpenID Connect identity provider for tests: issuers' keys, minted tokens, and their verification.

Tests cannot reach GitHub or a real IdP, so mockrunner holds a signing key per issuer, mints tokens
(``tokens``), serves the issuers' JWKS (``admin_routes``) and verifies web identity tokens for
``AssumeRoleWithWebIdentity`` (``verify``) against those keys and any JWKS users registered (``keys``).
"""
