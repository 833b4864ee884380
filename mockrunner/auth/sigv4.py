"""Server-side AWS Signature Version 4: parse what the client sent and recompute its signature.

The canonical request is built the way botocore's ``SigV4Auth.canonical_request`` builds it on the client
(same header trimming, same path quoting, same sorted ``key=value`` query), but from what arrived on the wire:
only the headers the client listed in ``SignedHeaders`` take part, and the payload hash is always that of the body
received (an ``X-Amz-Content-Sha256`` header claiming another hash, ``UNSIGNED-PAYLOAD`` included, is refused:
IAM, STS, App Runner and ECR hash what they receive).  ``host`` must be signed (and ``X-Amz-Target``, which
names the operation, when the request has one), and a request carries one
signature: the Authorization header or the presigned query, never both.  The query string is canonicalized as
AWS does (decode as the service reads it, a ``+`` being a space, then re-encode with RFC 3986 unreserved
characters), and only so: a signature over the query's own spelling when that is not canonical (a ``+`` for a
space, ``%7E``, lower-case hex: botocore's signer given such a URL, aws-requests-auth) fails, as on AWS
(docs/behaviour.md, "Through generic SigV4 signers (aws4, aws-requests-auth, boto 2, Ruby's aws-sigv4)").
The canonical URI is the path as sent, URI-encoded once more.  Nothing here knows about accounts or errors' wire
shapes: the authenticator turns :class:`SigV4Error` into the protocol's error.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, unquote_plus

from botocore.utils import normalize_url_path

from mockrunner.numerals import is_decimal

ALGORITHM = "AWS4-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600
PRESIGNED_LIFETIME_SECONDS = 15 * 60
"""How long a presigned URL of IAM, STS, App Runner or ECR is honoured after its X-Amz-Date, whatever its
X-Amz-Expires says (S3 alone honours X-Amz-Expires; see docs/behaviour.md, "Presigned URLs live 15 minutes")."""
QUERY_AUTH_PARAMETERS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
HOST_HEADERS = frozenset(("host", ":authority"))
_INTEGER = re.compile(r"-?[0-9]{1,30}")
# S3's wording (InvalidArgument there); the only text AWS is known to answer for two signatures in one request.
ONE_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter "
    "or the Authorization header should be specified"
)
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
# Unverified wording, modelled on the Host message: the JSON services' operation header must be signed too.
TARGET_NOT_SIGNED = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
    "and signing method. Consult the service documentation for details."
)


class SigV4Error(Exception):
    """``kind`` names the failure (``incomplete``, ``mismatch``, ``skew``, ``expired_url``); ``message``: AWS's text."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(slots=True)
class SignedRequest:
    """The SigV4 parameters of one request, from the Authorization header or the presigned query."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool
    security_token: str | None = None


def parse(headers: Mapping[str, str], query: Mapping[str, str], split: Split | None = None) -> SignedRequest | None:
    """The request's signature parameters; ``None`` when it carries no signature at all.

    Raises ``SigV4Error('incomplete')`` for malformed parameters or for a request signed both ways, and
    ``SigV4Error('mismatch')`` when ``host`` is not among the signed headers, or an ``X-Amz-Target`` the request
    carries is not.  ``split``: the Authorization header as :func:`split_header` split it before (reused only when
    of this very header).
    """
    header = headers.get("authorization")
    presigned = is_presigned(query)
    if header is not None:
        if presigned:
            raise SigV4Error("incomplete", ONE_MECHANISM)
        signed = _parse_header(headers, split)
    elif presigned:
        signed = _parse_query(query)
    else:
        return None
    if HOST_HEADERS.isdisjoint(signed.signed_headers):
        raise SigV4Error("mismatch", HOST_NOT_SIGNED)
    if len(frozenset(signed.signed_headers)) != len(signed.signed_headers):
        # A signer lists each header once (botocore: sorted(set(...))); a name listed again would put its value in
        # the canonical request once per mention: 6,000 mentions of one 30 KB header, 180 MB to build and hash.
        # Refused before anything is built, as a signature AWS does not accept:
        # (docs/behaviour.md, "Hostile input: thirty-fifth pass")
        raise SigV4Error("mismatch", SIGNATURE_MISMATCH)
    if "x-amz-target" in headers and "x-amz-target" not in signed.signed_headers:
        # The target names the operation: unsigned, one captured request would replay as any other operation.
        raise SigV4Error("mismatch", TARGET_NOT_SIGNED)
    return signed


def scope(headers: Mapping[str, str], query: Mapping[str, str], split: Split | None = None
          ) -> tuple[str | None, str | None]:
    """The service and region of the credential scope, read exactly as :func:`parse` reads it (so a request is
    routed to the service and region its signature is verified for); ``(None, None)`` when there is none.
    ``split``: as :func:`parse` takes it."""
    split = split_header(headers, split)
    credential = split[2].get("Credential") if split is not None else query.get("X-Amz-Credential")
    parts = (credential or "").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None, None
    return parts[3], parts[2]


Split = tuple[str, str, dict[str, str]]
"""An Authorization header split once (:func:`split_header`): the header, its algorithm, its ``name=value`` fields."""


def split_header(headers: Mapping[str, str], known: Split | None = None) -> Split | None:
    """The request's Authorization header split into its algorithm and fields (``None`` without one).  ``known``: a
    split made before (a request's routing, then its verification, read the same header): returned as it is when
    it is of this very header (the same string object), so a request's header is split once; any other is ignored
    and the header split again.  The fields' dictionary is shared: read it, never change it."""
    header = headers.get("authorization")
    if header is None:
        return None
    if known is not None and known[0] is header:
        return known
    return (header, *_header_fields(header))


def is_presigned(query: Mapping[str, str]) -> bool:
    """Whether the query carries any of the presigned URL's signature parameters (:data:`QUERY_AUTH_PARAMETERS`)."""
    return bool(query) and not query.keys().isdisjoint(_QUERY_AUTH)  # a dict's keys: three look-ups, whatever its size


_QUERY_AUTH = frozenset(QUERY_AUTH_PARAMETERS)


def _header_fields(header: str) -> tuple[str, dict[str, str]]:
    """The Authorization header's algorithm and its ``name=value`` fields (a name given twice: the last)."""
    algorithm, _, rest = header.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value
    return algorithm, fields


def _parse_header(headers: Mapping[str, str], split: Split | None) -> SignedRequest:
    header, algorithm, fields = split_header(headers, split)
    if algorithm != ALGORITHM:
        raise SigV4Error("incomplete", f"Unsupported AWS 'algorithm': '{algorithm}'")
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if not fields.get(name)]
    if missing:
        # IncompleteSignature wording: one sentence per missing parameter, then the header itself.
        text = " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
        raise SigV4Error("incomplete", f"{text} Authorization={header}")
    amz_date = headers.get("x-amz-date") or _http_date(headers.get("date"))
    if not amz_date:
        raise SigV4Error(
            "incomplete",
            f"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={header}",
        )
    key, date, region, service = _credential(fields["Credential"])
    return SignedRequest(
        key, date, region, service, tuple(fields["SignedHeaders"].split(";")), fields["Signature"], amz_date,
        False, security_token=headers.get("x-amz-security-token"),
    )


def _parse_query(query: Mapping[str, str]) -> SignedRequest:
    missing = [
        name for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders",
                          "X-Amz-Date")
        if not query.get(name)
    ]
    if missing:
        text = " ".join(f"AWS query-string parameters must include '{name}'." for name in missing)
        raise SigV4Error("incomplete", f"{text} Re-examine the query-string parameters.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise SigV4Error("incomplete", f"X-Amz-Algorithm only supports \"{ALGORITHM}\"")
    given = query.get("X-Amz-Expires") or str(MAX_PRESIGN_EXPIRES)
    if not _INTEGER.fullmatch(given):  # int() would also take "6_0", "+60", " 60" and non-ASCII digits
        raise SigV4Error("incomplete", "X-Amz-Expires should be a number")
    if not 0 <= int(given) <= MAX_PRESIGN_EXPIRES:
        raise SigV4Error("incomplete", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
    key, date, region, service = _credential(query["X-Amz-Credential"])
    return SignedRequest(
        key, date, region, service, tuple(query["X-Amz-SignedHeaders"].split(";")), query["X-Amz-Signature"],
        query["X-Amz-Date"], True, query.get("X-Amz-Security-Token"),
    )


def _credential(credential: str) -> tuple[str, str, str, str]:
    """Key id, date, region and service of a ``Credential`` (docs/behaviour.md, "Hostile input: forty-sixth pass")."""
    parts = credential.split("/")
    if len(parts) != 5:
        raise SigV4Error("incomplete", "Credential must have exactly 5 slash-delimited elements, e.g. "
                                       f"keyid/date/region/service/term, got '{credential}'")
    if parts[4] != "aws4_request":
        raise SigV4Error("mismatch", f"Credential should be scoped with a valid terminator: 'aws4_request', not "
                                     f"'{parts[4]}'.")
    return parts[0], parts[1], parts[2], parts[3]


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # asctime and "-0000" are UTC (RFC 9110 5.6.7, RFC 5322 3.3), not local time
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime(DATE_FORMAT)
    except (TypeError, ValueError, OverflowError):  # year 9999 west of UTC, or a year no C long holds
        return None


def check_time(signed: SignedRequest, now: datetime) -> None:
    """AWS's 15-minute window for header signatures; 15 minutes after their date for presigned URLs (whose
    X-Amz-Expires these services do not honour)."""
    try:
        moment, earliest, latest = _amz_window(signed.amz_date)
    except ValueError:
        raise SigV4Error("incomplete", f"Date must be in ISO-8601 'basic format'. Got '{signed.amz_date}'. "
                         "See http://en.wikipedia.org/wiki/ISO_8601") from None
    if signed.date != signed.amz_date[:8]:
        raise SigV4Error(
            "mismatch",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{signed.date}' != '{signed.amz_date[:8]}', from ISO-8601 string: '{signed.amz_date}'",
        )
    if earliest <= now <= latest:
        return  # within 15 minutes either way: every rule below holds (the windows are all 15 minutes)
    age = (now - moment).total_seconds()
    if signed.presigned:
        if age > PRESIGNED_LIFETIME_SECONDS:
            raise SigV4Error("expired_url", "Request has expired.")
        if age < -MAX_SKEW_SECONDS:
            raise SigV4Error("skew", _not_yet_current(moment, now))
        return
    if age > MAX_SKEW_SECONDS:
        # The text STS and IAM answer (SignatureDoesNotMatch), as quoted in countless clock-skew reports.
        earliest = datetime.fromtimestamp(now.timestamp() - MAX_SKEW_SECONDS, UTC)
        raise SigV4Error(
            "skew",
            f"Signature expired: {signed.amz_date} is now earlier than {earliest.strftime(DATE_FORMAT)} "
            f"({now.strftime(DATE_FORMAT)} - 15 min.)",
        )
    if age < -MAX_SKEW_SECONDS:
        raise SigV4Error("skew", _not_yet_current(moment, now))


@lru_cache(maxsize=256)
def _amz_window(text: str) -> tuple[datetime, datetime, datetime]:
    """The moment ``text`` names, and the moments 15 minutes before and after it (cached, as the requests of one
    second share it): a request checked between them is within both the skew and the presigned lifetime."""
    moment = _parse_amz_date(text)
    # Within 15 minutes of year 1 or of year 9999's end a bound is past what a datetime holds: the first or last
    # moment there is stands for it (a request checked now is never that close to either).
    earliest = moment - _WINDOW if moment >= _FIRST + _WINDOW else _FIRST
    latest = moment + _WINDOW if moment <= _LAST - _WINDOW else _LAST
    return moment, earliest, latest


_WINDOW = timedelta(seconds=min(MAX_SKEW_SECONDS, PRESIGNED_LIFETIME_SECONDS))
"""The span either side of a signature's date that every rule of :func:`check_time` accepts."""
_FIRST = datetime.min.replace(tzinfo=UTC)
_LAST = datetime.max.replace(tzinfo=UTC)


def _parse_amz_date(text: str) -> datetime:
    """``YYYYMMDDTHHMMSSZ`` without strptime; cached, as the requests of one second share it."""
    if len(text) != 16 or text[8] != "T" or text[15] != "Z" or not is_decimal(text[:8] + text[9:15]):
        raise ValueError(text)
    return datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]),
                    int(text[13:15]), tzinfo=UTC)


def _not_yet_current(moment: datetime, now: datetime) -> str:
    latest = datetime.fromtimestamp(now.timestamp() + MAX_SKEW_SECONDS, UTC)
    return (
        f"Signature not yet current: {moment.strftime(DATE_FORMAT)} is still later than "
        f"{latest.strftime(DATE_FORMAT)} ({now.strftime(DATE_FORMAT)} + 15 min.)"
    )


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The derived key (AWS4 key derivation: date, region, service, ``aws4_request``)."""
    key = hmac.new(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


@lru_cache(maxsize=1024)
def _keyed_hashes(secret: str, date: str, region: str, service: str) -> tuple["hashlib._Hash", "hashlib._Hash"]:
    """HMAC-SHA256 under the signing key, precomputed (RFC 2104: the inner and outer pads already absorbed).

    The key changes daily per (secret, region, service); copying the two prepared hashes per request costs less
    than half of ``hmac.digest``, which sets the key up again each time.
    """
    key = signing_key(secret, date, region, service).ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _hmac_hex(keyed: tuple["hashlib._Hash", "hashlib._Hash"], message: bytes) -> str:
    inner, outer = keyed[0].copy(), keyed[1].copy()
    inner.update(message)
    outer.update(inner.digest())
    return outer.hexdigest()


_SHA256 = hashlib.sha256()


def _sha256_hex(data: bytes) -> str:
    """``hashlib.sha256(data).hexdigest()``, from a copy of an empty hash: copying costs less than OpenSSL's
    look-up of the algorithm by name that making a new hash does each time."""
    hashed = _SHA256.copy()
    hashed.update(data)
    return hashed.hexdigest()


@dataclass(slots=True, frozen=True)
class Digest:
    """What :func:`verify` computes of a request's bytes alone, whatever the key: the hash of its body and its
    string to sign (``None`` when the body's claimed hash is not its own, as the verification then stops there, or
    when it could not be built: :func:`verify` builds it again, and meets what stopped it).  Computed before the
    store lock is taken (:func:`digest`): hashing a 60 MB body held every other request up for 0.7 s."""

    signed: SignedRequest
    payload: str
    string_to_sign: str | None


def digest(signed: SignedRequest, method: str, path: str, query_string: str, headers: Mapping[str, str],
           body: bytes) -> Digest:
    """The :class:`Digest` of a request signed as ``signed`` (pure work on its bytes; raises nothing)."""
    payload = _sha256_hex(body) if body else EMPTY_SHA256
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != payload:
        return Digest(signed, payload, None)
    try:
        text = _string_to_sign(signed, method, path, query_string, headers, payload)
    except Exception:  # noqa: BLE001 - whatever it is, verify() meets it again and it is answered as before
        text = None
    return Digest(signed, payload, text)


def verify(signed: SignedRequest, secret: str, method: str, path: str, query_string: str,
           headers: Mapping[str, str], body: bytes, ahead: Digest | None = None) -> None:
    """Raise ``SigV4Error('mismatch')`` unless the signature is the one ``secret`` produces for this very body.

    ``path`` is the path as the request line sent it, still percent-encoded (see :func:`_path_of`); where the server
    did not give it, the decoded path stands for it (``RequestContext.raw_path``).  ``ahead``: the request's
    :func:`digest`, computed before (used only when made for this very ``signed``; the same bytes are assumed):
    the verification is the same, only its key-dependent part (an HMAC over a short text) is left to do."""
    if ahead is not None and ahead.signed is not signed and ahead.signed != signed:
        ahead = None
    payload = ahead.payload if ahead is not None else _sha256_hex(body) if body else EMPTY_SHA256
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != payload:
        raise SigV4Error("mismatch", SIGNATURE_MISMATCH)
    keyed = _keyed_hashes(secret, signed.date, signed.region, signed.service)
    given = signed.signature.encode("utf-8", "surrogateescape")  # as bytes: any characters compare, unequal
    string_to_sign = ahead.string_to_sign if ahead is not None else None
    if string_to_sign is None:
        string_to_sign = _string_to_sign(signed, method, path, query_string, headers, payload)
    expected = _hmac_hex(keyed, string_to_sign.encode("utf-8"))
    if not hmac.compare_digest(expected.encode(), given):
        raise SigV4Error("mismatch", SIGNATURE_MISMATCH)


def _string_to_sign(signed: SignedRequest, method: str, path: str, query_string: str, headers: Mapping[str, str],
                    payload: str) -> str:
    """Algorithm, date, credential scope, then the canonical request's hash."""
    head = f"{ALGORITHM}\n{signed.amz_date}\n{signed.date}/{signed.region}/{signed.service}/aws4_request\n"
    canonical = _canonical_request(signed, method, path, query_string, headers, payload)
    return head + _sha256_hex(canonical.encode("utf-8"))


def _canonical_request(signed: SignedRequest, method: str, path: str, query_string: str,
                       headers: Mapping[str, str], payload: str) -> str:
    """The canonical request AWS computes from what arrived."""
    names = signed.signed_headers
    head = f"{method.upper()}\n{_canonical_path(path) if len(path) <= _CACHED_SIZE else _path_of(path)}\n"
    values = tuple(map(headers.get, names))
    block = (_canonical_headers(names, values) if sum(len(value or "") for value in values) <= _CACHED_SIZE
             else _headers_of(names, values))
    tail = "\n" + block + payload
    if not query_string:
        return head + tail
    pairs = [pair for pair in query_string.split("&") if pair]
    if signed.presigned:
        pairs = _without_signature(pairs)
    return head + _aws_query(pairs) + tail


_CACHED_SIZE = 4096
"""The most characters of header values (or of a path) whose canonical form is cached: a client's own requests
carry far less, and larger ones, which only a hand-made request sends, are built each time rather than kept (256
kept blocks of a 64 KB head each would hold 30 MB for whoever knows an access key id)."""


def _headers_of(names: tuple[str, ...], values: tuple[str | None, ...]) -> str:
    """The canonical headers (each ``name:value`` with its whitespace runs made one space, a header the request
    lacks as empty), then the signed header list, each block ending in a newline."""
    lines = "".join([f"{name}:{' '.join((value or '').split())}\n" for name, value in zip(names, values, strict=True)])
    return f"{lines}\n{';'.join(names)}\n"


_canonical_headers = lru_cache(maxsize=256)(_headers_of)
""":func:`_headers_of`, cached for values of at most :data:`_CACHED_SIZE` characters: a client's requests carry the
same header values (the date changes once a second), so most requests find their block made."""


def _without_signature(pairs: list[str]) -> list[str]:
    """The query's pairs but the one ``X-Amz-Signature``: a second one stays in, so the signature cannot match
    (which of two a parser reads is then never a question)."""
    signatures = [index for index, pair in enumerate(pairs) if pair.startswith("X-Amz-Signature=")]
    return pairs if len(signatures) != 1 else pairs[:signatures[0]] + pairs[signatures[0] + 1:]


def _path_of(path: str) -> str:
    """The canonical URI of ``path`` as the request line gave it (percent-encoding and all, latin-1 text of its
    bytes): normalized, then URI-encoded once more, as every SigV4 signer but S3's does (AWS's "each path segment
    must be URI-encoded twice", botocore's ``quote`` of the URL's own path): a path sent ``/a%20b/`` is signed
    ``/a%2520b/``."""
    normalized = normalize_url_path(path or "/")
    try:
        raw = normalized.encode("latin-1")
    except UnicodeEncodeError:  # text that never was a request line's bytes (a foreign server's PATH_INFO)
        raw = normalized.encode("utf-8")
    return quote(raw, safe="/~")


_canonical_path = lru_cache(maxsize=1024)(_path_of)
""":func:`_path_of`, cached for paths of at most :data:`_CACHED_SIZE` characters."""


def _aws_query(pairs: list[str]) -> str:
    """The canonical query of the names and values the request's query parameters are read as (form decoding, as
    the gateway's ``parse_qsl``: a ``+`` is a space, signed ``%20``; a literal plus arrives as ``%2B``): so the
    signature covers what the service acts on, and a client that sends a space as ``+`` and signs ``%20`` (both Perl
    SigV4 signers through URI's ``query_form``, the AWS SDK for Java v1) verifies, as AWS accepts it."""
    encoded = []
    for pair in pairs:
        key, _, value = pair.partition("=")
        encoded.append((quote(unquote_plus(key), safe="-_.~"), quote(unquote_plus(value), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(encoded))
