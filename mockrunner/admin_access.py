"""Who may call the admin API (``/_mockrunner/*``): the checks every admin request passes, in order.

The admin API can reset state, move the clock and export every secret key, so it must not be a door for the
web pages a developer's browser visits while the server runs on loopback:

- **peer**: the TCP peer is a loopback address, unless ``admin_remote`` (which requires an admin token);
- **Host**: a loopback address, ``localhost``, or a name in ``admin_hosts`` (``--admin-host``; ``serve`` adds
  the name it binds to).  A DNS-rebinding page reaches ``127.0.0.1`` under its own name, and that name is what
  its browser sends as ``Host``.  With ``admin_remote``, any IP-address ``Host`` is accepted too: a page's
  ``Host`` is the name in its own URL, which a rebinding attack can never make an IP address;
- **Origin**: when present (browsers send it with every cross-origin and every non-GET request), its host is a
  loopback address, ``localhost`` or an ``admin_hosts`` name, or it is the request's own ``Host`` (a page the
  server itself serves); ``null`` and other schemes are refused.  This stops "simple" cross-origin POSTs,
  which a browser sends without asking first;
- **Sec-Fetch-Site**: without an ``Origin``, a ``cross-site`` request (an ``<img>`` or ``<script>`` pointing at
  the server) is refused;
- **token**: when ``admin_token`` is set, ``X-Mockrunner-Admin-Token: T`` or ``Authorization: Bearer T``,
  compared in constant time.

The first four refuse with 403, a missing or wrong token with 401; refusals are ``(status, error, message,
headers)`` for the caller to answer as JSON.  With enforcement off the AWS API checks no signature either, so a
request there that carries a browser's headers passes the same Host, Origin and Sec-Fetch-Site checks
(:func:`web_page_refusal`).

Every answer under ``/_mockrunner/`` (the dashboard's pages too) carries :data:`BROWSER_HEADERS`: no content
sniffing, no framing by other pages (clickjacking in browsers that send no ``Sec-Fetch-Site``), a content
security policy allowing only the dashboard's own script, styles and fetches (no inline script, so markup that
ever slipped through escaping could not run), no referrer and no caching of pages that show keys.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable, Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from mockrunner.config import Settings
from mockrunner.numerals import is_decimal

TOKEN_HEADER = "X-Mockrunner-Admin-Token"
LOOPBACK_NAMES = frozenset({"localhost"})
ALLOWED_HOSTS_HINT = ("a loopback address, localhost or a name given with --admin-host / MOCKRUNNER_ADMIN_HOSTS")


BROWSER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Refusal(NamedTuple):
    status: int
    error: str
    message: str
    headers: Mapping[str, str] = {}


def ip_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``text`` spells (IPv6 possibly in brackets or with a zone), or None."""
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def is_loopback(address: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or an IPv4-mapped loopback address."""
    ip = ip_of(address)
    if ip is None:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def host_name(authority: str) -> str | None:
    """The host of a ``Host`` header value (``name[:port]``, ``[v6][:port]``), lower-cased; None if malformed."""
    authority = authority.strip().lower()
    if authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[:end + 1], authority[end + 1:]
        if end < 0 or ip_of(host) is None:
            return None
    else:
        host, _, port = authority.partition(":")
        rest = ":" + port if _ else ""
    if rest and not (rest.startswith(":") and is_decimal(rest[1:])):
        return None
    host = host.removesuffix(".") if not host.startswith("[") else host
    if not host or any(char in host for char in "@/\\?#% \t"):
        return None
    return host


def is_named_host(host: str, settings: Settings) -> bool:
    """A loopback address, ``localhost`` or one of the configured admin host names."""
    return is_loopback(host) or host in LOOPBACK_NAMES or host in settings.admin_hosts


def _peer(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    if settings.admin_remote or is_loopback(remote_addr):
        return None
    return Refusal(403, "AdminForbidden", "the admin API answers loopback clients only (start the server with "
                                          "--admin-remote and an admin token to allow others)")


def _host(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    given = headers.get("Host")
    host = host_name(given) if given else None
    if host is not None and (is_named_host(host, settings) or (settings.admin_remote and ip_of(host))):
        return None
    shown = "no Host header" if not given else f"Host {given[:100]!r}"
    return Refusal(403, "AdminForbidden", f"the admin API answers only under {ALLOWED_HOSTS_HINT}, not {shown} "
                                          "(this keeps DNS-rebinding web pages out)")


def origin_authority(origin: str) -> str | None:
    """``host[:port]`` of an ``http(s)://host[:port]`` origin, lower-cased; None for ``null``, other schemes, junk."""
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    return parts.netloc.lower() or None


def _cross_origin(settings: Settings, headers: Mapping[str, str]) -> str | None:
    """Why a request's ``Origin`` is another site's (``headers`` lower-case or case-insensitive), or None."""
    origin = headers.get("origin")
    if origin is None:
        return None
    authority = origin_authority(origin)
    host = host_name(authority) if authority else None
    same_origin = authority == (headers.get("host") or "").strip().lower()  # that Host passed the check before
    if host is not None and (is_named_host(host, settings) or same_origin):
        return None
    return f"refuses web pages from other origins (Origin {origin[:100]!r}); it answers pages served from " \
           f"{ALLOWED_HOSTS_HINT}"


def _cross_site(headers: Mapping[str, str]) -> str | None:
    """Why a request without ``Origin`` is a cross-site page's (an ``<img>``, a ``<script>``), or None."""
    if headers.get("origin") is None and (headers.get("sec-fetch-site") or "").strip().lower() == "cross-site":
        return "refuses cross-site requests from web pages (Sec-Fetch-Site: cross-site)"
    return None


def _origin(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    reason = _cross_origin(settings, headers)
    return None if reason is None else Refusal(403, "AdminForbidden", f"the admin API {reason}")


def _fetch_site(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    reason = _cross_site(headers)
    return None if reason is None else Refusal(403, "AdminForbidden", f"the admin API {reason}")


WEB_PAGE_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")
"""What browsers add to a page's requests (every fetch of a current browser carries ``Sec-Fetch-*``) and no SDK
sends."""


def web_page_refusal(settings: Settings, headers: Mapping[str, str]) -> str | None:
    """Why an AWS API request that no credentials guard (enforcement off) is refused as another web page's, or None.

    Only a request carrying a browser's own headers (:data:`WEB_PAGE_HEADERS`) is checked, as the admin API checks
    every request: its ``Host`` is a loopback address, ``localhost``, an ``--admin-host`` name or any IP address (a
    DNS-rebinding page's ``Host`` is its own name), its ``Origin`` such a host or its own, and without an ``Origin``
    it is not ``Sec-Fetch-Site: cross-site``.  ``headers``: keys lower-case or case-insensitive."""
    if not any(headers.get(name) is not None for name in WEB_PAGE_HEADERS):
        return None
    given = headers.get("host")
    host = host_name(given) if given else None
    if host is None or not (is_named_host(host, settings) or ip_of(host)):
        shown = "no Host header" if not given else f"Host {given[:100]!r}"
        return f"answers web pages only under {ALLOWED_HOSTS_HINT} or an IP address, not {shown} (this keeps " \
               "DNS-rebinding web pages out)"
    return _cross_origin(settings, headers) or _cross_site(headers)


def given_token(headers: Mapping[str, str]) -> str:
    """The token a request carries: ``X-Mockrunner-Admin-Token``, else ``Authorization: Bearer``; or ''."""
    token = headers.get(TOKEN_HEADER)
    if token:
        return token.strip()
    scheme, _, value = (headers.get("Authorization") or "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def tokens_match(given: str, expected: str) -> bool:
    """Constant-time comparison that reveals neither content nor length (both sides hashed first)."""
    digest = hashlib.sha256
    return hmac.compare_digest(digest(given.encode("utf-8", "surrogateescape")).digest(),
                               digest(expected.encode("utf-8")).digest())


def _token(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    if not settings.admin_token:
        return None
    given = given_token(headers)
    if given and tokens_match(given, settings.admin_token):
        return None
    reason = "missing" if not given else "wrong"
    return Refusal(401, "AdminTokenRequired",
                   f"the admin token is {reason}: this server requires it in {TOKEN_HEADER} or "
                   "Authorization: Bearer", {"WWW-Authenticate": 'Bearer realm="mockrunner-admin"'})


CHECKS: tuple[Callable[[Settings, str, Mapping[str, str]], Refusal | None], ...] = (
    _peer, _host, _origin, _fetch_site, _token,
)
"""In order: network facts first, so a client that may not call at all learns nothing about the token."""


def refusal(settings: Settings, remote_addr: str, headers: Mapping[str, str]) -> Refusal | None:
    """Why this admin request is refused, or None when it may proceed (``headers`` case-insensitive)."""
    for check in CHECKS:
        refused = check(settings, remote_addr, headers)
        if refused is not None:
            return refused
    return None
