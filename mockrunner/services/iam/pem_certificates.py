"""Reading the PEM certificates and private keys IAM stores, with IAM's errors for what it cannot accept.

A certificate body (or each certificate of a chain) that is not a PEM X.509 certificate, is not valid yet or has
expired, is ``MalformedCertificate``, and so is a chain whose certificates did not each sign the one before them (the
first, the body); a private key that is not an unencrypted PEM key is ``MalformedCertificate`` too; a key that does
not belong to the certificate is ``KeyPairMismatch``.
"""
from __future__ import annotations

import re
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from mockrunner.errors import ServiceError
from mockrunner.key_material import UNREADABLE, certificate_key_readable

_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def malformed(message: str) -> ServiceError:
    return ServiceError("MalformedCertificate", message, 400)


#: IAM's answer to a server certificate past its notAfter (recorded from AWS, 2026-09-11: radkawar/stackd,
#: internal/services/iam/testdata/certificates_aws.json, "server:expired").
EXPIRED = "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed."


def certificate(body: str, now: datetime, what: str = "certificate", unreadable: str | None = None,
                expired: str | None = None) -> x509.Certificate:
    """The one certificate ``body`` holds, valid at ``now``; ``unreadable``: the message for a body that is no PEM
    certificate (by default "Unable to parse <what>. Please ensure the <what> is in PEM format."); ``expired``: the
    message for one past its notAfter (by default :data:`EXPIRED` for a certificate; mockrunner's words for a chain's,
    *unverified*)."""
    unreadable = unreadable or f"Unable to parse {what}. Please ensure the {what} is in PEM format."
    parsed = readable(body, unreadable)
    if parsed.not_valid_before_utc > now:
        # "a certificate whose validity period begins in the future will fail standard X509 certificate validation":
        # MalformedCertificate, "even though the error message for the exception is misleading in this case" (the
        # IAM team, relayed in aws/aws-sdk-go#2586); which message: *unverified*, the unreadable one here.
        raise malformed(unreadable)
    if parsed.not_valid_after_utc <= now:
        raise malformed(expired or (EXPIRED if what == "certificate" else
                                    f"The {what} has expired (not valid after "
                                    f"{parsed.not_valid_after_utc.isoformat()})."))
    return parsed


def readable(body: str, unreadable: str) -> x509.Certificate:
    """The one certificate ``body`` holds, whatever its validity period; ``unreadable``: the message for a body that
    is no PEM certificate."""
    try:
        return certificate_key_readable(x509.load_pem_x509_certificate(body.strip().encode("latin-1")))
    except UNREADABLE:
        raise malformed(unreadable) from None


#: IAM's answer to a chain holding anything but PEM certificates (quoted from AWS in aws/aws-cli#715: a chain file
#: with a certificate's text dump before its PEM blocks).
UNREADABLE_CHAIN = ("Unable to validate certificate chain. The certificate chain must start with the immediate "
                    "signing certificate, followed by any intermediaries in order.")


def chain(body: str, now: datetime, signed: x509.Certificate) -> list[x509.Certificate]:
    """Every certificate of a PEM chain (at least one), each the issuer of the one before it, the first of
    ``signed`` (the certificate body); anything else in the text is IAM's chain refusal, and so is a certificate
    its successor did not sign, named by its index (``-1``: the body; AWS's answer to a Let's Encrypt body sent with
    an intermediate that had not signed it: "... followed by any intermediaries in order. The index within the chain
    of the invalid certificate is: -1", quoted in mprahl/ansible-role-lets-encrypt-route-53#52)."""
    blocks = _PEM_CERTIFICATE.findall(body)
    if not blocks or _PEM_CERTIFICATE.sub("", body).strip():
        raise malformed(UNREADABLE_CHAIN)
    certificates = [certificate(block, now, "certificate chain") for block in blocks]
    for index, (child, issuer) in enumerate(zip([signed, *certificates[:-1]], certificates, strict=True), start=-1):
        try:
            child.verify_directly_issued_by(issuer)
        except (*UNREADABLE, InvalidSignature):
            raise malformed(f"{UNREADABLE_CHAIN} The index within the chain of the invalid certificate is: "
                            f"{index}") from None
    return certificates


def matching_private_key(body: str, cert: x509.Certificate) -> None:
    """Refuse ``body`` unless it is a readable, unencrypted PEM private key of ``cert``'s public key."""
    try:
        key = serialization.load_pem_private_key(body.strip().encode("latin-1"), password=None)
    except UNREADABLE:
        raise malformed("Unable to parse private key. Please ensure the private key is in PEM format and "
                        "not encrypted.") from None
    ours = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, ours) != \
            cert.public_key().public_bytes(serialization.Encoding.DER, ours):
        # Recorded from AWS, 2026-09-11: radkawar/stackd, internal/services/iam/testdata/certificates_aws.json,
        # "server:mismatch".
        raise ServiceError("KeyPairMismatch", "The private key did not match the public key provided. Please verify "
                           "the key material and try again.", 400)
