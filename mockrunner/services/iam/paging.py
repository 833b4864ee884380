"""IAM listings whose cost is the page they return, not the size of the account.

* :func:`page` slices first and builds the wire form of the returned items only (``Marker``/``MaxItems``).  A
  marker is opaque: base64 of the place it resumes at (:mod:`mockrunner.listing_cursors`: a listing changed
  between pages, as by a script deleting each page before asking for the next, skips none of its items) and a
  fingerprint of the listing that gave it (the operation, and the scope a listing names, such as
  GetAccountAuthorizationDetails' filter), so a marker of one listing given to another is refused as AWS refuses it
  (trek10inc/awsets#21: a ListUsers marker given to ListAccessKeys is "Invalid Marker").  The fingerprint is no
  secret: a minted marker is a place in the caller's own listing, nothing more.
* :func:`listing` keeps a listing's sorted, filtered items per account and request filters until the account's
  IAM state changes (``IamState.version`` moves on every mutation), so paging through 10,000 roles sorts once.
* :func:`url_encoded` keeps the URL-encoded form of the documents IAM returns (trust policies in every
  ``ListRoles`` page, policy versions), keyed by the document text.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from mockrunner.errors import ServiceError
from mockrunner.listing_cursors import LATER, Place, is_short_name, place_after, resume, short_name
from mockrunner.numerals import is_decimal

if TYPE_CHECKING:
    from mockrunner.context import RequestContext

T = TypeVar("T")
DEFAULT_PAGE = 100
_VIEWS = "iam-listings"
_MAX_VIEWS = 256
_ENCODED: dict[str, str] = {}
_MAX_ENCODED = 4096
_MAX_ENCODED_SIZE = 16384  # larger documents are rare and returned rarely: not worth the memory
_FINGERPRINT_LENGTH = 16
_MAX_MARKER = 320  # IAM's Marker is at most 320 characters (botocore's model: markerType)


def page(items: Sequence[T], ctx: "RequestContext", key: str, out: Callable[[T], Any] | None = None,
         default_size: int = DEFAULT_PAGE, bad_marker: str = "Invalid Marker.",
         bad_marker_code: str = "ValidationError", scope: Hashable = None) -> dict:
    """IAM's Marker/MaxItems pagination (the marker is opaque, bound to the operation and ``scope``); ``out``
    renders the page's items; ``default_size`` items per page when the request has no MaxItems;
    ``bad_marker``/``bad_marker_code``: IAM's answer to a marker this listing never gave."""
    listing_id = listing_fingerprint(ctx.operation_name, scope)
    start, size = _window(ctx, items, listing_id, default_size, bad_marker, bad_marker_code)
    chosen = items[start:start + size]
    return _answer(key, [out(item) for item in chosen] if out else list(chosen), items, start, listing_id)


def page_within(items: Sequence[T], ctx: "RequestContext", key: str, out: Callable[[T], tuple[Any, int]],
                budget: int, expected: int, default_size: int = DEFAULT_PAGE, bad_marker: str = "Invalid Marker.",
                bad_marker_code: str = "ValidationError") -> dict:
    """:func:`page` for items whose rendering costs work known only once done: ``out`` answers an item's wire form
    and what it cost, each item costs at least ``expected``; the page takes the first item, then each next one
    while what the page spent plus ``expected`` stays within ``budget`` (so a page never costs more than
    ``budget`` plus one item's cost), and never more than MaxItems ("IAM might return fewer than the MaxItems
    number of results even when there are more results available", every IAM listing's ``IsTruncated``)."""
    listing_id = listing_fingerprint(ctx.operation_name)
    start, size = _window(ctx, items, listing_id, default_size, bad_marker, bad_marker_code)
    rendered: list[Any] = []
    spent = 0
    for item in items[start:start + size]:
        if rendered and spent + expected > budget:
            break
        wire, cost = out(item)
        rendered.append(wire)
        spent += cost
    return _answer(key, rendered, items, start, listing_id)


def listing_fingerprint(operation: str, scope: Hashable = None) -> str:
    """The fingerprint a marker carries: the operation's name and ``scope`` (its ``repr``, so a scope whose
    ``repr`` is the same in every process: no sets, whose order follows the process's string hashing), hashed."""
    return hashlib.sha256(repr((operation, scope)).encode()).hexdigest()[:_FINGERPRINT_LENGTH]


def _window(ctx: "RequestContext", items: Sequence, listing_id: str, default_size: int, bad_marker: str,
            bad_marker_code: str) -> tuple[int, int]:
    """The page's first position (where ``Marker`` resumes ``items``: :mod:`mockrunner.listing_cursors`) and its
    size (``MaxItems``, else ``default_size``).  A marker past the end of the listing is refused unless it names
    items (one IAM gave, of a listing that shrank since): that one resumes at the end."""
    start = 0
    given = ctx.params.get("Marker")
    if given:
        place = _place(given, listing_id)
        if place is None:
            raise ServiceError(bad_marker_code, bad_marker, 400)
        start = resume(items, place, short_name)
        if start > len(items):
            if place.next is None:
                raise ServiceError(bad_marker_code, bad_marker, 400)
            start = len(items)
    return start, ctx.params.get("MaxItems") or default_size


def marker(position: int, listing_id: str, place: Place | None = None) -> str:
    """The marker resuming the listing of fingerprint ``listing_id`` (:func:`listing_fingerprint`) at
    ``position``, or where ``place`` (of ``short_name``s) resumes it."""
    names = "".join(f":{name}" for name in place.names()) if place is not None else ""
    return base64.b64encode(f"{listing_id}{position}{names}".encode("ascii")).decode("ascii")


def _place(given: str, listing_id: str) -> Place | None:
    """Where the marker ``given`` resumes ``listing_id``, or ``None`` when it is no marker of that listing."""
    if not given.isascii() or len(given) > _MAX_MARKER:
        return None
    try:
        text = base64.b64decode(given.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    position, *names = text[_FINGERPRINT_LENGTH:].split(":")
    if text[:_FINGERPRINT_LENGTH] != listing_id or not is_decimal(position) or len(position) > 12 \
            or not (names == [] or 2 <= len(names) <= 2 + LATER) or not all(is_short_name(name) for name in names):
        return None
    return Place.named(int(position), names)


def _answer(key: str, rendered: list[Any], items: Sequence, start: int, listing_id: str) -> dict:
    following = start + len(rendered)
    result: dict[str, Any] = {key: rendered, "IsTruncated": following < len(items)}
    if result["IsTruncated"]:
        last = items[following - 1] if rendered else None
        place = place_after(following, items[following:following + 1 + LATER], last, short_name)
        result["Marker"] = marker(following, listing_id, place)
    return result


def listing(ctx: "RequestContext", name: Hashable, build: Callable[[], list[T]]) -> list[T]:
    """``build()``'s items for listing ``name`` (which must include the request's filters) in the caller's
    account, rebuilt only after the account's IAM state changed."""
    return ctx.store.derived(_VIEWS, _MAX_VIEWS).get((ctx.account.id, name), ctx.account.iam.version, build)


def url_encoded(document: str) -> str:
    """``document`` URL-encoded as IAM returns policy documents (RFC 3986); botocore unquotes and parses them."""
    hit = _ENCODED.get(document)
    if hit is None:
        hit = quote(document, safe="")
        if len(document) <= _MAX_ENCODED_SIZE:
            if len(_ENCODED) >= _MAX_ENCODED:
                _ENCODED.clear()
            _ENCODED[document] = hit
    return hit
