"""Who may see the dashboard: exactly who may call the admin API (:mod:`mockrunner.admin_access`).

A browser cannot add the admin token header to a page load, so the dashboard also reads the token from the
``mockrunner_admin_token`` cookie, which its login form sets (``HttpOnly``, ``SameSite=Strict``: other sites'
pages neither read it nor make the browser send it).  Every other check (loopback peer, ``Host``, ``Origin``,
``Sec-Fetch-Site``) applies unchanged, to the login form too.
"""
from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import Headers

from mockrunner.admin_access import TOKEN_HEADER, Refusal, refusal
from mockrunner.config import Settings

COOKIE = "mockrunner_admin_token"
COOKIE_PATH = "/_mockrunner/"


def ui_refusal(settings: Settings, remote_addr: str, headers: Mapping[str, str],
               cookies: Mapping[str, str]) -> Refusal | None:
    """The admin API's refusal for this request, the cookie's token counting as the header's."""
    token = cookies.get(COOKIE)
    if token and not headers.get(TOKEN_HEADER):
        headers = _with_token(headers, token)
    return refusal(settings, remote_addr, headers)


def only_token_missing(refused: Refusal | None) -> bool:
    """The request passed every network check and lacks only the token (the token check comes last)."""
    return refused is not None and refused.status == 401


def token_refusal(settings: Settings, remote_addr: str, headers: Mapping[str, str], token: str) -> Refusal | None:
    """Whether ``token``, given in the login form, would be accepted with this request's network facts."""
    return refusal(settings, remote_addr, _with_token(headers, token))


def _with_token(headers: Mapping[str, str], token: str) -> Headers:
    """``headers`` with ``token`` as the admin token header; a token no header can hold (a line break or other
    control character, which a form field or a quoted cookie can carry) is no token: it never matches one."""
    copied = Headers(list(headers.items()))
    if token.isprintable():
        copied[TOKEN_HEADER] = token
    return copied
