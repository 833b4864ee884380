"""The built-in SAML identity provider for tests: IdP keys and metadata, and signed SAML responses.

An IdP is named by its entity id (any non-empty string, usually a URL).  Its key and self-signed certificate
(RSA 2048, SHA-256, made with ``cryptography`` on first use from the process's key for the entity id
(:mod:`mockrunner.identity_provider_keys`), valid ten years) live in the store's
``identity_providers.saml_keys`` so responses minted before a state export/import still verify after it; a user
may register their own key and certificate instead (:func:`register_key`).

:func:`mint` takes what ``POST /_mockrunner/saml/assertion`` takes::

    {"issuer": ENTITY_ID, "subject": "alice", "subjectType": "persistent",
     "roles": [[ROLE_ARN, PROVIDER_ARN], ...], "sessionName": "alice", "sessionDuration": 3600,
     "attributes": {NAME: [VALUE, ...]}, "tags": {KEY: VALUE}, "transitiveTagKeys": [KEY],
     "sourceIdentity": ..., "expiresIn": 300, "recipient": URL, "audience": URL, "sign": "assertion",
     "encryptWith": PEM}

and returns the base64 SAML response AWS's sign-in page would post: a ``samlp:Response`` whose assertion (or the
response itself, ``"sign": "response"``, which STS refuses as AWS does; or both, ``"sign": "both"``) is signed with
RSA-SHA256 and exclusive canonicalisation, times from the store clock.  ``encryptWith`` (the PEM of the SAML
provider's private key, its public key or a certificate) encrypts the signed assertion into a
``saml:EncryptedAssertion`` (:mod:`mockrunner.saml.encryption`).
"""
from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mockrunner.model.derived import DerivedCache
from mockrunner.model.identity_providers import SamlSigningKey

if TYPE_CHECKING:
    from mockrunner.model.store import Store

SIGNIN = "https://signin.aws.amazon.com/saml"
ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
NAME_ID_FORMATS = {
    "persistent": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "transient": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    "unspecified": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
}
MAX_LIFETIME = 10 ** 7
_FIELDS = frozenset({"issuer", "subject", "subjectType", "roles", "sessionName", "sessionDuration", "attributes",
                     "tags", "transitiveTagKeys", "sourceIdentity", "expiresIn", "recipient", "audience", "sign",
                     "encryptWith"})


class SamlIdpError(ValueError):
    """A request to the built-in IdP that cannot be served; the message says why."""


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry, even as references (C0 controls but tab/LF/CR, halves of surrogate pairs)."""


def _xml_text(value: str, name: str) -> str:
    """``value``, which goes into the response or metadata as XML text (raises SamlIdpError when it cannot)."""
    if _NOT_XML.search(value):
        raise SamlIdpError(f"{name}: holds a character XML cannot carry (a control character or half a UTF-16 "
                           "surrogate pair)")
    return value


def entity_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 1024:
        raise SamlIdpError(f"issuer must be a non-empty string (the IdP's entity id), not {value!r}")
    return _xml_text(value, "issuer")


def signing_key(store: "Store", issuer: str) -> SamlSigningKey:
    """The IdP's key and certificate, generated if it has none yet."""
    with store.lock:
        key = store.identity_providers.saml_keys.get(issuer)
        if key is None:
            key = store.identity_providers.saml_keys[issuer] = _new_key(store.clock.now(), issuer)
        return key


def _new_key(now: datetime, issuer: str) -> SamlSigningKey:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    from mockrunner.identity_provider_keys import provider_key

    private = provider_key("saml", issuer, "RS256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockrunner SAML IdP"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, issuer[:64])])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=3650)).sign(private, hashes.SHA256()))
    key = SamlSigningKey(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode("ascii"),
        certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    _KEY_OBJECTS.get(key.private_pem, None, lambda: private)  # not parsed back from its PEM
    return key


def check_key(private_pem: Any, certificate_pem: Any) -> None:
    """Raise SamlIdpError unless the two are PEM strings of an RSA private key and a certificate of its public key
    (what the IdP signs with and puts in its metadata; a state import is held to it too)."""
    if not isinstance(private_pem, str) or not isinstance(certificate_pem, str):
        raise SamlIdpError("privateKey and certificate are PEM strings")
    _check_pem_pair(private_pem, certificate_pem)


@lru_cache(maxsize=64)
def _check_pem_pair(private_pem: str, certificate_pem: str) -> None:
    """:func:`check_key` of two strings; a pair found good is not checked again (a refused pair raises, and
    ``lru_cache`` keeps no exception)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    from mockrunner.key_material import UNREADABLE, certificate_key_readable

    try:
        private = _private_key(private_pem)
        certificate = certificate_key_readable(x509.load_pem_x509_certificate(certificate_pem.encode("ascii")))
    except UNREADABLE as error:
        raise SamlIdpError(f"not a PEM private key and certificate ({error})") from None
    if not isinstance(private, rsa.RSAPrivateKey) or certificate.public_key() != private.public_key():
        raise SamlIdpError("the certificate is not the RSA private key's")


_KEY_OBJECTS = DerivedCache(limit=64)
"""Key objects by PEM: the ones this process generated, and the ones it loaded."""


def _private_key(private_pem: str) -> Any:
    """The key object of a PEM private key, loaded once: loading an RSA private key checks it, about 70 ms, which
    every state import of a world holding an IdP key and every signed response paid (the test suite's sweeps
    hundreds of times).  A key this process generated is never parsed back from its PEM."""
    from cryptography.hazmat.primitives import serialization

    return _KEY_OBJECTS.get(private_pem, None, lambda: serialization.load_pem_private_key(
        private_pem.encode("ascii"), None))


def register_key(store: "Store", issuer: Any, private_pem: Any, certificate_pem: Any) -> None:
    """Sign ``issuer``'s responses with the user's key and certificate (checked to be a pair) from now on."""
    issuer = entity_id(issuer)
    check_key(private_pem, certificate_pem)
    with store.lock:
        store.identity_providers.saml_keys[issuer] = SamlSigningKey(private_pem, certificate_pem)


def metadata(store: "Store", issuer: Any) -> str:
    """The IdP's metadata document (what ``CreateSAMLProvider`` takes), its certificate inside."""
    from xml.sax.saxutils import quoteattr

    issuer = entity_id(issuer)
    key = signing_key(store, issuer)
    body = "".join(line for line in key.certificate_pem.splitlines() if not line.startswith("-----"))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID={quoteattr(issuer)}>\n'
            f'  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n'
            f'    <md:KeyDescriptor use="signing">\n'
            f'      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
            f'{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n'
            f'    </md:KeyDescriptor>\n'
            f'    <md:NameIDFormat>{NAME_ID_FORMATS["persistent"]}</md:NameIDFormat>\n'
            f'    <md:NameIDFormat>{NAME_ID_FORMATS["transient"]}</md:NameIDFormat>\n'
            f'    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="https://idp.mockrunner.invalid/sso"/>\n'
            f'  </md:IDPSSODescriptor>\n'
            f'</md:EntityDescriptor>\n')


def _strings(value: Any, name: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        raise SamlIdpError(f"{name}: expected a string or a list of strings")
    _xml_text(name, "a name")  # an attribute's or tag's name (``attributes.<name>``) goes into the XML too
    return [_xml_text(item, name) for item in values]


def _first(value: Any, name: str) -> str:
    """A field that holds one string (a one-string list is taken too; an empty list is not)."""
    values = _strings(value, name)
    if not values:
        raise SamlIdpError(f"{name}: expected a string")
    return values[0]


def _attributes(request: dict) -> dict[str, list[str]]:
    """Every attribute of the response: AWS's (roles, session name, duration, tags...) then the given ones."""
    attributes: dict[str, list[str]] = {}
    roles = request.get("roles", [])
    if not isinstance(roles, list):
        raise SamlIdpError("roles: expected a list of [roleArn, providerArn] pairs or 'roleArn,providerArn' strings")
    attributes[ATTRIBUTE_PREFIX + "Role"] = [
        ",".join(_strings(pair, "roles[]")) if isinstance(pair, list) else _first(pair, "roles[]")
        for pair in roles]
    simple = {"sessionName": "RoleSessionName", "sessionDuration": "SessionDuration",
              "sourceIdentity": "SourceIdentity"}
    for field, attribute in simple.items():
        if field in request:
            value = request[field]
            attributes[ATTRIBUTE_PREFIX + attribute] = [str(value) if isinstance(value, int) else
                                                        _first(value, field)]
    tags = request.get("tags", {})
    if not isinstance(tags, dict):
        raise SamlIdpError("tags: expected an object of key -> value")
    for key, value in tags.items():
        attributes[f"{ATTRIBUTE_PREFIX}PrincipalTag:{key}"] = _strings(value, f"tags.{key}")
    if "transitiveTagKeys" in request:
        attributes[ATTRIBUTE_PREFIX + "TransitiveTagKeys"] = _strings(request["transitiveTagKeys"],
                                                                      "transitiveTagKeys")
    extra = request.get("attributes", {})
    if not isinstance(extra, dict):
        raise SamlIdpError("attributes: expected an object of name -> [values]")
    for name, values in extra.items():
        attributes[name] = _strings(values, f"attributes.{name}")
    if not attributes[ATTRIBUTE_PREFIX + "Role"]:
        del attributes[ATTRIBUTE_PREFIX + "Role"]
    return attributes


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def mint(store: "Store", request: Any) -> str:
    """A base64 SAML response for ``request`` (see the module doc), signed by the issuer's key."""
    from lxml import etree

    from mockrunner.saml.xml import SAML, SAMLP, tag

    if not isinstance(request, dict):
        raise SamlIdpError("the body must be a JSON object")
    unknown = sorted(set(request) - _FIELDS)
    if unknown:
        raise SamlIdpError(f"{unknown[0]}: unknown field (expected one of {', '.join(sorted(_FIELDS))})")
    issuer = entity_id(request.get("issuer"))
    subject = _first(request.get("subject", "mockrunner-user"), "subject")
    subject_type = _first(request.get("subjectType", "persistent"), "subjectType")
    name_format = NAME_ID_FORMATS.get(subject_type, subject_type)
    lifetime = request.get("expiresIn", 300)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 0 < lifetime <= MAX_LIFETIME:
        raise SamlIdpError(f"expiresIn: a number of seconds from 1 to {MAX_LIFETIME}")
    recipient = _first(request.get("recipient", SIGNIN), "recipient")
    audience = _first(request.get("audience", SIGNIN), "audience")
    sign = request.get("sign", "assertion")
    if sign not in ("assertion", "response", "both"):
        raise SamlIdpError('sign: "assertion", "response" or "both"')
    attributes = _attributes(request)
    now = store.clock.now()
    issued, until = _time(now), _time(now + timedelta(seconds=lifetime))
    nsmap = {"saml": SAML}
    assertion_id = f"_{uuid.uuid4().hex}"
    assertion = etree.Element(tag(SAML, "Assertion"), nsmap=nsmap, ID=assertion_id, IssueInstant=issued,
                              Version="2.0")
    etree.SubElement(assertion, tag(SAML, "Issuer")).text = issuer
    subject_element = etree.SubElement(assertion, tag(SAML, "Subject"))
    etree.SubElement(subject_element, tag(SAML, "NameID"), Format=name_format).text = subject
    confirmation = etree.SubElement(subject_element, tag(SAML, "SubjectConfirmation"),
                                    Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
    etree.SubElement(confirmation, tag(SAML, "SubjectConfirmationData"), NotOnOrAfter=until, Recipient=recipient)
    conditions = etree.SubElement(assertion, tag(SAML, "Conditions"), NotBefore=issued, NotOnOrAfter=until)
    restriction = etree.SubElement(conditions, tag(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, tag(SAML, "Audience")).text = audience
    authn = etree.SubElement(assertion, tag(SAML, "AuthnStatement"), AuthnInstant=issued,
                             SessionIndex=assertion_id)
    context = etree.SubElement(authn, tag(SAML, "AuthnContext"))
    etree.SubElement(context, tag(SAML, "AuthnContextClassRef")).text = \
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    if attributes:
        statement = etree.SubElement(assertion, tag(SAML, "AttributeStatement"))
        for name, values in attributes.items():
            attribute = etree.SubElement(statement, tag(SAML, "Attribute"), Name=name)
            for value in values:
                etree.SubElement(attribute, tag(SAML, "AttributeValue")).text = value
    key = signing_key(store, issuer)
    if sign in ("assertion", "both"):
        assertion = _signed(assertion, key, 1)
    if request.get("encryptWith") is not None:
        from mockrunner.saml.encryption import encrypt

        try:
            assertion = encrypt(etree.tostring(assertion), _first(request["encryptWith"], "encryptWith"))
        except ValueError as error:
            raise SamlIdpError(f"encryptWith: {error}") from None
    response_id = f"_{uuid.uuid4().hex}"
    response = etree.Element(tag(SAMLP, "Response"), nsmap={"samlp": SAMLP, "saml": SAML}, ID=response_id,
                             IssueInstant=issued, Version="2.0", Destination=recipient)
    etree.SubElement(response, tag(SAML, "Issuer")).text = issuer
    status = etree.SubElement(response, tag(SAMLP, "Status"))
    etree.SubElement(status, tag(SAMLP, "StatusCode"), Value="urn:oasis:names:tc:SAML:2.0:status:Success")
    response.append(assertion)
    if sign in ("response", "both"):
        response = _signed(response, key, 1)
    return base64.b64encode(etree.tostring(response)).decode("ascii")


def _signed(element: Any, key: SamlSigningKey, position: int) -> Any:
    """``element`` signed (enveloped, RSA-SHA256, exclusive c14n), the signature placed after its Issuer."""
    from lxml import etree
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod

    from mockrunner.saml.xml import DS, tag

    placeholder = etree.Element(tag(DS, "Signature"), nsmap={"ds": DS}, Id="placeholder")
    element.insert(position, placeholder)
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    return signer.sign(element, key=_private_key(key.private_pem), cert=key.certificate_pem,
                       reference_uri=element.get("ID"), id_attribute="ID")
