"""What the cryptography library raises for a key or certificate it cannot read.

Besides ``ValueError`` and ``TypeError`` (malformed encodings) it raises ``UnsupportedAlgorithm`` for a key of an
algorithm it does not implement (an SM2 key, an unknown algorithm identifier) and ``x509.InvalidVersion`` for a
certificate whose version is not v1 to v3; neither is a ``ValueError``, and a caller catching only that answered such
input with a 500.  A certificate's public key is read when asked for, not when the certificate is loaded:
:func:`certificate_key_readable` asks at once, so a certificate whose key cannot be read is refused where it is given.
"""
from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

UNREADABLE = (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm, x509.InvalidVersion)
"""Catch these around any loading or reading of key material or certificates given from outside."""


def certificate_key_readable(certificate: Any) -> Any:
    """``certificate`` once its public key has been read (raises one of :data:`UNREADABLE` if it cannot be)."""
    certificate.public_key()
    return certificate
