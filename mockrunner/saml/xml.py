"""Parsing untrusted XML safely, and the SAML namespaces.

Documents come from requests, so the parser resolves no entities, loads no DTD, touches no network, and a
document that declares a DOCTYPE at all is refused (no entity expansion of any kind).
"""
from __future__ import annotations

from typing import Any

from lxml import etree

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
XENC = "http://www.w3.org/2001/04/xmlenc#"
NAMESPACES = {"md": MD, "ds": DS, "saml": SAML, "samlp": SAMLP, "xenc": XENC}


class UnsafeXml(ValueError):
    """Not well-formed XML, or XML with a DOCTYPE."""


def parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def parse(data: bytes | str) -> Any:
    """The root element of ``data`` (raises :class:`UnsafeXml`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise UnsafeXml(str(error)) from None
    if root is None or root.getroottree().docinfo.doctype:
        raise UnsafeXml("a DOCTYPE is not allowed")
    return root


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"
