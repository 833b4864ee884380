"""The built-in identity provider's admin endpoints, under ``/_mockrunner/oidc/`` (same guard as the admin API).

==================================================================  =========================================
``POST /oidc/token``                                                mint a token: ``{"issuer", "claims",
                                                                    "expiresIn", "algorithm", "github"}`` →
                                                                    ``{"token": JWT, "issuer", "kid"}``
``GET  /oidc/jwks?issuer=URL``                                      the issuer's JWKS
``GET  /oidc/<host/path>/.well-known/jwks.json``                    the same, by the issuer's URL minus https://
``GET  /oidc/<host/path>/.well-known/openid-configuration``         an OIDC discovery document pointing there
``PUT  /oidc/jwks`` (or ``POST``)                                   register ``{"issuer": URL, "jwks": {...}}``
==================================================================  =========================================

Imported by ``mockrunner.app`` before the admin blueprint is registered, so the routes join that blueprint; the
key and token modules (cryptography, PyJWT) are imported on first use, so serving AWS calls never pays for them.
"""
from __future__ import annotations

from flask import Response, request

from mockrunner.admin import AdminError, _body, _json, _mutation, _store, admin


@admin.post("/oidc/token")
def mint_token() -> Response:
    import jwt

    from mockrunner.oidc import keys, tokens

    store = _store()
    body = _body()
    try:
        with _mutation():
            token, _ = tokens.mint(store, body)
    except keys.OidcError as error:
        raise AdminError(400, "InvalidTokenRequest", str(error)) from None
    header = jwt.get_unverified_header(token)
    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    return _json({"token": token, "issuer": issuer, "kid": header["kid"]})


def _issuer_jwks(issuer: str) -> Response:
    from mockrunner.oidc import keys

    try:
        url = keys.issuer_url(issuer)
    except keys.OidcError as error:
        raise AdminError(400, "InvalidIssuer", str(error)) from None
    document = keys.jwks(_store(), url)
    if not document["keys"]:
        raise AdminError(404, "UnknownIssuer", f"no keys for issuer {url}: mint a token for it or register its JWKS")
    return _json(document)


@admin.get("/oidc/jwks")
def issuer_jwks() -> Response:
    return _issuer_jwks(request.args.get("issuer", ""))


@admin.get("/oidc/<path:issuer>/.well-known/jwks.json")
def well_known_jwks(issuer: str) -> Response:
    return _issuer_jwks(f"https://{issuer}")


@admin.get("/oidc/<path:issuer>/.well-known/openid-configuration")
def discovery(issuer: str) -> Response:
    from mockrunner.oidc import keys

    url = f"https://{issuer}"
    return _json({"issuer": url, "jwks_uri": f"{request.host_url}_mockrunner/oidc/{issuer}/.well-known/jwks.json",
                  "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                  "id_token_signing_alg_values_supported": list(keys.SIGNING_ALGORITHMS)})


@admin.route("/oidc/jwks", methods=["PUT", "POST"])
def register_jwks() -> Response:
    from mockrunner.oidc import keys

    body = _body()
    if not isinstance(body, dict) or set(body) != {"issuer", "jwks"}:
        raise AdminError(400, "InvalidJwks", 'the body is {"issuer": URL, "jwks": {"keys": [...]}}')
    store = _store()
    try:
        with _mutation():
            count = keys.register_jwks(store, body["issuer"], body["jwks"])
    except keys.OidcError as error:
        raise AdminError(400, "InvalidJwks", str(error)) from None
    return _json({"issuer": body["issuer"], "keys": count})
