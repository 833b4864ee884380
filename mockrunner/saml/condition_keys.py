"""The ``saml:`` condition keys STS puts in the request context of ``AssumeRoleWithSAML``.

IAM User Guide, "Available keys for SAML-based AWS STS federation": ``saml:aud`` (the ``Recipient``, not the
``Audience``), ``saml:iss``, ``saml:sub``, ``saml:sub_type``, ``saml:namequalifier``, ``saml:doc``
(``<account>/<provider name>``), and the eduPerson / eduOrg attributes (and ``cn``) by their attribute names,
which are the attributes' OIDs (``urn:oid:...``, as the eduPerson specification names them).  The directory
attributes the Service Authorization Reference adds (``givenName``, ``surname``, ``mail``, ``uid``,
``commonName``, ``x500UniqueIdentifier``) come from their standard X.500 / LDAP OIDs.  Multi-valued keys are
lists; ``saml:edupersonprimaryaffiliation``, ``...orgdn``, ``...primaryorgunitdn`` and ``...principalname``
are single strings.  No other attribute is a key.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

ATTRIBUTE_KEYS: dict[str, str] = {
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "saml:edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": "saml:edupersonnickname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.3": "saml:edupersonorgdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.4": "saml:edupersonorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": "saml:edupersonprimaryaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "saml:edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "saml:edupersonentitlement",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.8": "saml:edupersonprimaryorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": "saml:edupersonscopedaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "saml:edupersonassurance",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.2": "saml:eduorghomepageuri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.3": "saml:eduorgidentityauthnpolicyuri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.4": "saml:eduorglegalname",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.5": "saml:eduorgsuperioruri",
    "urn:oid:1.3.6.1.4.1.5923.1.2.1.6": "saml:eduorgwhitepagesuri",
    "urn:oid:2.5.4.3": "saml:cn",
    "urn:oid:2.5.4.42": "saml:givenName",
    "urn:oid:2.5.4.4": "saml:surname",
    "urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
    "urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
    "urn:oid:2.5.4.45": "saml:x500UniqueIdentifier",
}
SINGLE_VALUED = frozenset({"saml:edupersonprimaryaffiliation", "saml:edupersonorgdn",
                           "saml:edupersonprimaryorgunitdn", "saml:edupersonprincipalname", "saml:givenName",
                           "saml:surname", "saml:x500UniqueIdentifier"})


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """``BASE64(SHA1(issuer + account + "/" + provider name))`` (STS API reference, AssumeRoleWithSAML)."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode()).digest()  # noqa: S324 - AWS's formula
    return base64.b64encode(digest).decode("ascii")


def condition_keys(*, issuer: str, subject: str, subject_type: str, recipient: str, account_id: str,
                   provider_name: str, attributes: Mapping[str, list[str]]) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "saml:aud": recipient, "saml:iss": issuer, "saml:sub": subject, "saml:sub_type": subject_type,
        "saml:namequalifier": name_qualifier(issuer, account_id, provider_name),
        "saml:doc": f"{account_id}/{provider_name}",
    }
    for name, key in ATTRIBUTE_KEYS.items():
        values = attributes.get(name)
        if values:
            keys[key] = values[0] if key in SINGLE_VALUED else list(values)
    if "saml:cn" in keys:
        keys["saml:commonName"] = keys["saml:cn"]
    return keys
