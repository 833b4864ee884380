"""An IdP's SAML 2.0 metadata as IAM reads it for a SAML provider.

The document must be one ``md:EntityDescriptor`` (alone, or the only one in an ``md:EntitiesDescriptor``) with an
``entityID`` and an ``md:IDPSSODescriptor``; the X.509 certificates of its ``md:KeyDescriptor`` elements must parse.
Only signing certificates (``use="signing"`` or no ``use``) verify assertions: metadata whose keys are all for
encryption, or that holds no certificate at all, is taken, and no assertion of it verifies ("Response signature
invalid", fail closed).  An ``EntityDescriptor`` with no ``IDPSSODescriptor`` is
:class:`NoIssuer`; anything else is IAM's ``InvalidInput`` "Could not parse metadata" (raised by the caller from
:class:`MetadataError`).  Recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5,
internal/services/iam/testdata/federation/saml-validation.json (a wrapped and an encryption-only document taken, an
empty ``EntityDescriptor`` refused as naming no assertion issuer, no ``entityID`` or another root unparseable) and
federation/saml.json ("-no-cert": an ``IDPSSODescriptor`` without ``KeyDescriptor`` taken; "-no-sso": one without
``SingleSignOnService`` taken).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from mockrunner.key_material import UNREADABLE, certificate_key_readable
from mockrunner.saml.xml import DS, MD, NAMESPACES, UnsafeXml, parse, tag


class MetadataError(ValueError):
    """A metadata document IAM would not accept; the message says why (for logs, not for IAM's answer)."""


class NoIssuer(MetadataError):
    """An ``EntityDescriptor`` with an ``entityID`` and no ``IDPSSODescriptor``: no SAML assertion issuer."""


@dataclass(frozen=True)
class Metadata:
    entity_id: str
    certificates: tuple[x509.Certificate, ...]
    valid_until: datetime | None


def read(document: str) -> Metadata:
    """The entity id, signing certificates and ``validUntil`` of ``document`` (raises :class:`MetadataError`)."""
    try:
        root = parse(document)
    except UnsafeXml as error:
        raise MetadataError(f"not XML: {error}") from None
    if root.tag == tag(MD, "EntitiesDescriptor"):
        entities = root.findall("md:EntityDescriptor", NAMESPACES)
        if len(entities) != 1:
            # one wrapped EntityDescriptor is recorded; which of several IAM reads is not: fail closed
            raise MetadataError("an md:EntitiesDescriptor that holds other than one md:EntityDescriptor")
        root = entities[0]
    if root.tag != tag(MD, "EntityDescriptor"):
        raise MetadataError("the root element is not md:EntityDescriptor")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("no entityID")
    descriptors = root.findall("md:IDPSSODescriptor", NAMESPACES)
    if not descriptors:
        raise NoIssuer("no md:IDPSSODescriptor")
    certificates = []
    for descriptor in descriptors:
        for key in descriptor.findall("md:KeyDescriptor", NAMESPACES):
            for element in key.iter(tag(DS, "X509Certificate")):
                certificate = _certificate(element.text or "")
                if key.get("use") in (None, "signing"):
                    certificates.append(certificate)
    return Metadata(entity_id, tuple(certificates), _instant(root.get("validUntil")))


def _certificate(text: str) -> x509.Certificate:
    try:
        return certificate_key_readable(x509.load_der_x509_certificate(
            base64.b64decode("".join(text.split()), validate=True)))
    except UNREADABLE as error:
        raise MetadataError(f"an X509Certificate that does not parse ({error})") from None


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return instant(text)
    except ValueError:
        raise MetadataError(f"validUntil {text!r} is not an xs:dateTime") from None


def instant(text: str) -> datetime:
    """An ``xs:dateTime`` as SAML writes it (UTC, ``Z``, optional fraction); raises ValueError."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value
