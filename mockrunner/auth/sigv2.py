"""Server-side AWS Signature Version 2 for the query-protocol services (IAM, STS): read the signature parameters a
request carries and recompute its signature.

AWS's General Reference ("Signature Version 2 signing process") lists IAM among the services that take SigV2
query requests; boto 2 signed STS with it until 2014, and any client may still pin it (boto 2's ``sign-v2``
handler, Ruby's ``Aws::Sigv2``).  The parameters travel with the others, in the query string or the form body:
``AWSAccessKeyId``, ``SignatureVersion`` (``2``), ``SignatureMethod`` (``HmacSHA256`` or ``HmacSHA1``),
``Timestamp`` or ``Expires``, ``SecurityToken`` (a session's token) and ``Signature``, the base64 HMAC of::

    METHOD \\n host (lower case) \\n path as sent (``/`` when empty) \\n canonical query

where the canonical query is every parameter but ``Signature``, name and value RFC 3986-encoded (upper-case hex),
sorted, joined with ``&``.  The host is the ``Host`` header; the same host without its port is tried too, as
boto 2 signs the connection's host name alone (AWS's endpoints are on the default port, where both are one).
Nothing here knows about accounts or errors' wire shapes: :class:`SigV4Error` kinds are shared with SigV4's, and
the authenticator answers them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from mockrunner.auth.sigv4 import SIGNATURE_MISMATCH, SigV4Error

PARAMETERS = frozenset(("AWSAccessKeyId", "SignatureVersion", "SignatureMethod", "Signature"))
"""Any of these in a request without a SigV4 signature makes it a SigV2 request."""
METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
WINDOW = timedelta(minutes=15)
"""How far a ``Timestamp`` may be from the server's clock, either way (the SigV4 header window)."""


@dataclass(slots=True, frozen=True)
class SignedRequest:
    """The SigV2 parameters of one request."""

    access_key_id: str
    method: str
    signature: str
    security_token: str | None
    moment: datetime
    expires: bool
    """``moment`` is the signature's ``Expires`` (true) or the request's ``Timestamp`` (false)."""


def is_sigv2(fields: Sequence[tuple[str, str]]) -> bool:
    """Whether the request's parameters carry any SigV2 parameter."""
    return any(name in PARAMETERS for name, _ in fields)


def parse(fields: Sequence[tuple[str, str]]) -> SignedRequest:
    """The request's SigV2 parameters (``fields``: every query and form parameter, decoded, in order).

    Raises ``SigV4Error('incomplete')`` for a parameter missing, given twice, or of an unsupported version,
    method or time format.
    """
    given: dict[str, list[str]] = {}
    for name, value in fields:
        given.setdefault(name, []).append(value)
    twice = sorted(name for name in (*PARAMETERS, "Timestamp", "Expires", "SecurityToken")
                   if len(given.get(name, ())) > 1)
    if twice:
        raise SigV4Error("incomplete", f"The parameter {twice[0]} is given more than once.")
    one = {name: values[0] for name, values in given.items()}
    missing = [name for name in ("AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion")
               if not one.get(name)]
    if missing:
        raise SigV4Error("incomplete", f"Request is missing required parameter: {missing[0]}")
    if one["SignatureVersion"] != "2":
        raise SigV4Error("incomplete", f"Signature version {one['SignatureVersion']} is not supported; use "
                                       "AWS4-HMAC-SHA256 (Signature Version 4) or Signature Version 2.")
    if one["SignatureMethod"] not in METHODS:
        raise SigV4Error("incomplete", f"Unsupported SignatureMethod: {one['SignatureMethod']}; use HmacSHA256 or "
                                       "HmacSHA1.")
    if ("Timestamp" in one) == ("Expires" in one):
        raise SigV4Error("incomplete", "Request must contain either a Timestamp or an Expires parameter, not both.")
    text = one["Timestamp"] if "Timestamp" in one else one["Expires"]  # an empty one is no date (was a KeyError)
    moment = _iso_moment(text)
    if moment is None:
        raise SigV4Error("incomplete", f"Invalid date format: {text}; use ISO 8601 (2011-10-03T15:19:30Z).")
    return SignedRequest(one["AWSAccessKeyId"], one["SignatureMethod"], one["Signature"],
                         one.get("SecurityToken"), moment, "Expires" in one)


_ISO_MOMENT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)


def _iso_moment(text: str) -> datetime | None:
    """An ISO 8601 date and time (``2011-10-03T15:19:30``, fractions of a second, then ``Z``, an offset or none:
    UTC), or None (another form, a date that does not exist, or one an offset takes out of the years 1-9999)."""
    found = _ISO_MOMENT.fullmatch(text)
    if found is None:
        return None
    base, fraction, zone = found.groups()
    micro = f".{(fraction + '000000')[:6]}" if fraction else ""  # fromisoformat takes at most microseconds
    try:
        return datetime.fromisoformat(base + micro + ("+00:00" if zone in (None, "Z") else zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def check_time(signed: SignedRequest, now: datetime) -> None:
    """``SigV4Error('expired_url')`` ("Request has expired.") for an ``Expires`` passed or a ``Timestamp`` more
    than 15 minutes from ``now`` either way; ``SigV4Error('incomplete')`` for an ``Expires`` more than 15 minutes
    ahead (a signed request is honoured 15 minutes, as SigV4's presigned URLs are here)."""
    if signed.expires and signed.moment - now > WINDOW:
        raise SigV4Error("incomplete", "Expires must be at most 15 minutes after the request.")
    late = now > signed.moment if signed.expires else abs(now - signed.moment) > WINDOW
    if late:
        raise SigV4Error("expired_url", "Request has expired.")


@dataclass(slots=True, frozen=True)
class Reading:
    """What a request's parameters say about its SigV2 signature, read before the store lock is taken (the
    parameters of a 64 MiB form body take seconds to decode and encode again: read under the lock, they held every
    other request up, even for a request with no signature at all).

    ``signed`` is None for a request with no SigV2 parameter; ``error`` the ``SigV4Error`` its parameters make
    (``signed`` is then None); ``heads`` the first three lines of its string to sign (method, host, path), one per
    spelling of the host tried, and ``tail`` the canonical query that ends it."""

    signed: SignedRequest | None
    error: SigV4Error | None
    heads: tuple[bytes, ...] = ()
    tail: bytes = b""


def read(fields: Sequence[tuple[str, str]], method: str, host: str, path: str) -> Reading:
    """The SigV2 reading of a request (``fields``: every query and form parameter, decoded, in order; ``host``:
    the ``Host`` header; ``path``: as the request line sent it).  Pure work on the request's bytes."""
    if not is_sigv2(fields):
        return Reading(None, None)
    try:
        signed = parse(fields)
    except SigV4Error as error:
        return Reading(None, error)
    query = "&".join(f"{name}={value}" for name, value in sorted(
        (_encode(name), _encode(value)) for name, value in fields if name != "Signature"))
    host = host.lower()
    hosts = [host]
    bare, colon, port = host.rpartition(":")
    if colon and port.isdigit() and (bare.endswith("]") or ":" not in bare):  # a port, not an IPv6 address's end
        hosts.append(bare)
    heads = tuple(f"{method.upper()}\n{name}\n{path or '/'}\n".encode("utf-8", "surrogatepass") for name in hosts)
    return Reading(signed, None, heads, query.encode("utf-8"))


@dataclass(slots=True, frozen=True)
class Checked:
    """A signature checked before the store lock was taken, with the secret the key seemed to have then: the key's
    secret as a fingerprint (SHA-256; never the secret itself, which a context's repr would show), and whether the
    signature is the one that secret makes."""

    fingerprint: bytes
    matches: bool


def check(reading: Reading, secret: str) -> Checked:
    """The costly part of :func:`verify` (an HMAC over every parameter: 0.76 s for a 60 MB form), done with a
    secret looked up ahead; :func:`verify` takes its answer only for that very secret."""
    return Checked(_fingerprint(secret), _matches(reading, secret))


def verify(reading: Reading, secret: str, checked: Checked | None = None) -> None:
    """``SigV4Error('mismatch')`` unless ``Signature`` is the one ``secret`` makes for the request ``reading``
    read (its string to sign with any spelling of its host tried).  ``checked``: :func:`check`'s answer for the
    same reading, used when it was made with ``secret`` itself (the HMAC is a function of the secret and the
    reading alone: the answer is the one computing it again gives); any other secret is checked anew."""
    if checked is not None and hmac.compare_digest(checked.fingerprint, _fingerprint(secret)):
        matches = checked.matches
    else:
        matches = _matches(reading, secret)
    if not matches:
        raise SigV4Error("mismatch", SIGNATURE_MISMATCH)


def _matches(reading: Reading, secret: str) -> bool:
    signed = reading.signed
    digest = METHODS[signed.method]
    given = signed.signature.encode("utf-8", "surrogateescape")
    for head in reading.heads:
        mac = hmac.new(secret.encode("utf-8"), head, digest)
        mac.update(reading.tail)
        if hmac.compare_digest(base64.b64encode(mac.digest()), given):
            return True
    return False


def _fingerprint(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")
