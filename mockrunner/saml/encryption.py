"""XML Encryption of SAML assertions (``saml:EncryptedAssertion``): decrypt for STS, encrypt for the built-in IdP.

The content key is wrapped with RSA-OAEP (``xmlenc#rsa-oaep-mgf1p``, or ``xmlenc11#rsa-oaep`` with SHA-1 MGF) under
the SAML provider's public key; the assertion is encrypted with AES-GCM (``xmlenc11#aes128-gcm``/``aes256-gcm``:
12-byte IV first, 16-byte tag last) or AES-CBC (``xmlenc#aes128-cbc``/``aes256-cbc``: 16-byte IV first, XML
Encryption padding) — what IAM documents the private key decrypts ("AES-GCM or AES-CBC").
"""
from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mockrunner.key_material import UNREADABLE
from mockrunner.saml.xml import DS, NAMESPACES, SAML, XENC, UnsafeXml, parse, tag

XENC11 = "http://www.w3.org/2009/xmlenc11#"
GCM = {f"{XENC11}aes128-gcm", f"{XENC11}aes256-gcm"}
CBC = {f"{XENC}aes128-cbc", f"{XENC}aes256-cbc"}
KEY_TRANSPORT = {f"{XENC}rsa-oaep-mgf1p", f"{XENC11}rsa-oaep"}
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303 - XML-Enc's


def decrypt(encrypted: Any, private_pems: list[str]) -> Any | None:
    """The ``saml:Assertion`` inside ``encrypted``, or ``None`` if none of the keys decrypts it."""
    data = encrypted.find("xenc:EncryptedData", NAMESPACES)
    if data is None:
        return None
    method = data.find("xenc:EncryptionMethod", NAMESPACES)
    algorithm = method.get("Algorithm") if method is not None else None
    cipher_text = _cipher_value(data)
    wrapped_keys = [_cipher_value(key) for key in encrypted.iter(tag(XENC, "EncryptedKey"))
                    if _transport(key) in KEY_TRANSPORT]
    if cipher_text is None or algorithm not in GCM | CBC:
        return None
    for private in _rsa_keys(private_pems):
        for wrapped in wrapped_keys:
            try:
                content_key = private.decrypt(wrapped, _OAEP)
                plain = _decrypt_content(algorithm, content_key, cipher_text)
                assertion = parse(plain)
            except (ValueError, UnsafeXml):
                continue
            if assertion.tag == tag(SAML, "Assertion"):
                return assertion
    return None


def _rsa_keys(private_pems: list[str]) -> list[rsa.RSAPrivateKey]:
    """The RSA keys among ``private_pems``; one that is not (an EC key, which IAM's AddPrivateKey takes, or an
    imported state's) decrypts nothing, so the call fails closed instead of failing."""
    keys = []
    for pem in private_pems:
        try:
            private = serialization.load_pem_private_key(pem.encode("utf-8"), None)
        except UNREADABLE:
            continue
        if isinstance(private, rsa.RSAPrivateKey):
            keys.append(private)
    return keys


def _transport(key: Any) -> str | None:
    method = key.find("xenc:EncryptionMethod", NAMESPACES)
    return method.get("Algorithm") if method is not None else None


def _cipher_value(element: Any) -> bytes | None:
    value = element.find("xenc:CipherData/xenc:CipherValue", NAMESPACES)
    try:
        return base64.b64decode("".join((value.text or "").split()), validate=True) if value is not None else None
    except ValueError:
        return None


def _decrypt_content(algorithm: str, key: bytes, data: bytes) -> bytes:
    if algorithm in GCM:
        try:
            return AESGCM(key).decrypt(data[:12], data[12:], None)
        except InvalidTag:  # not a ValueError: a tampered or truncated cipher text is no assertion, never a 500
            raise ValueError("the content does not authenticate") from None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    plain = decryptor.update(data[16:]) + decryptor.finalize()
    if not plain or not 1 <= plain[-1] <= 16:
        raise ValueError("bad padding")
    return plain[:-plain[-1]]


def encrypt(assertion_xml: bytes, public_pem: str) -> Any:
    """``saml:EncryptedAssertion`` of ``assertion_xml`` for the holder of ``public_pem``'s private key (AES-256-GCM,
    RSA-OAEP-MGF1P); ``public_pem`` is a certificate, a public key or a private key (its public half is used)."""
    from lxml import etree

    public = _public_key(public_pem)
    key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    cipher_text = iv + AESGCM(key).encrypt(iv, assertion_xml, None)
    nsmap = {"saml": SAML, "xenc": XENC, "ds": DS}
    encrypted = etree.Element(tag(SAML, "EncryptedAssertion"), nsmap=nsmap)
    data = etree.SubElement(encrypted, tag(XENC, "EncryptedData"), Type=f"{XENC}Element")
    etree.SubElement(data, tag(XENC, "EncryptionMethod"), Algorithm=f"{XENC11}aes256-gcm")
    key_info = etree.SubElement(data, tag(DS, "KeyInfo"))
    encrypted_key = etree.SubElement(key_info, tag(XENC, "EncryptedKey"))
    etree.SubElement(encrypted_key, tag(XENC, "EncryptionMethod"), Algorithm=f"{XENC}rsa-oaep-mgf1p")
    _cipher_data(encrypted_key, public.encrypt(key, _OAEP))
    _cipher_data(data, cipher_text)
    return encrypted


def _cipher_data(parent: Any, value: bytes) -> None:
    from lxml import etree

    cipher = etree.SubElement(parent, tag(XENC, "CipherData"))
    etree.SubElement(cipher, tag(XENC, "CipherValue")).text = base64.b64encode(value).decode("ascii")


def _public_key(pem: str) -> rsa.RSAPublicKey:
    from cryptography import x509

    raw = pem.encode("utf-8")
    loaders = (lambda: x509.load_pem_x509_certificate(raw).public_key(),
               lambda: serialization.load_pem_public_key(raw),
               lambda: serialization.load_pem_private_key(raw, None).public_key())
    for load in loaders:
        try:
            key = load()
        except UNREADABLE:
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return key
    raise ValueError("not an RSA certificate, public key or private key in PEM")
