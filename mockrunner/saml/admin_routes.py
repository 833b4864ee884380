"""The built-in SAML identity provider's admin endpoints, under ``/_mockrunner/saml/`` (same guard as the admin API).

=========================================  ===========================================================================
``POST /saml/metadata``                    ``{"issuer": ENTITY_ID}`` → ``{"issuer", "metadata": XML}`` (the IdP's key
                                           and self-signed certificate are generated on first use)
``GET  /saml/metadata?issuer=ENTITY_ID``   the same document, as XML
``POST /saml/assertion``                   mint a signed SAML response (see :mod:`mockrunner.saml.idp`) →
                                           ``{"samlResponse": BASE64, "issuer"}``
``PUT  /saml/keys`` (or ``POST``)          ``{"issuer", "privateKey": PEM, "certificate": PEM}``: sign that IdP's
                                           responses with your own key
=========================================  ===========================================================================

Imported by ``mockrunner.app`` before the admin blueprint is registered, so the routes join that blueprint.
"""
from __future__ import annotations

from flask import Response, request

from mockrunner.admin import AdminError, _body, _json, _mutation, _store, admin


def _idp_error(error: Exception) -> AdminError:
    return AdminError(400, "InvalidSamlRequest", str(error))


@admin.post("/saml/metadata")
def generate_metadata() -> Response:
    from mockrunner.saml import idp

    body, store = _body(), _store()
    if not isinstance(body, dict) or set(body) != {"issuer"}:
        raise AdminError(400, "InvalidSamlRequest", 'the body is {"issuer": ENTITY_ID}')
    try:
        with _mutation():
            document = idp.metadata(store, body["issuer"])
    except idp.SamlIdpError as error:
        raise _idp_error(error) from None
    return _json({"issuer": body["issuer"], "metadata": document})


@admin.get("/saml/metadata")
def metadata_document() -> Response:
    from mockrunner.saml import idp

    store = _store()
    try:
        with _mutation():
            document = idp.metadata(store, request.args.get("issuer"))
    except idp.SamlIdpError as error:
        raise _idp_error(error) from None
    return Response(document, mimetype="application/samlmetadata+xml")


@admin.post("/saml/assertion")
def mint_assertion() -> Response:
    from mockrunner.saml import idp

    body, store = _body(), _store()
    try:
        with _mutation():
            encoded = idp.mint(store, body)
    except idp.SamlIdpError as error:
        raise _idp_error(error) from None
    return _json({"samlResponse": encoded, "issuer": body["issuer"]})


@admin.route("/saml/keys", methods=["PUT", "POST"])
def register_key() -> Response:
    from mockrunner.saml import idp

    body, store = _body(), _store()
    if not isinstance(body, dict) or set(body) != {"issuer", "privateKey", "certificate"}:
        raise AdminError(400, "InvalidSamlRequest", 'the body is {"issuer", "privateKey": PEM, "certificate": PEM}')
    try:
        with _mutation():
            idp.register_key(store, body["issuer"], body["privateKey"], body["certificate"])
    except idp.SamlIdpError as error:
        raise _idp_error(error) from None
    return _json({"issuer": body["issuer"]})
