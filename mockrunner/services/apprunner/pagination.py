"""Pages of App Runner listings with ``MaxResults`` bounds and opaque ``NextToken`` values.

A token is base64 of ``{"o": offset, "n": next, "l": last, "f": fingerprint}``: the offset of the next item in the
underlying insertion-ordered collection, what names that item and the last one returned
(``listing_cursors.identity``), and a fingerprint of the operation and its filter parameters.  "All other
parameter values must be identical" (model docs): a token presented with different filters, to another operation,
or forged, is an ``InvalidRequestException``; so is an offset past :data:`MAX_OFFSET` (the fingerprint is no
secret, so anyone can mint a token: it is never more than a place in the caller's own collection).
Offsets index the raw collection (including items a filter skips), so a page is an ``islice`` of it: the first page
costs the same whatever the size of the account; deeper pages skip ``offset`` items at C speed.  The collection may
change between pages: deleted items are forgotten once their retention ends (a script deleting each service it lists
forgets them at once with no retention), and a newer operation heads ``ListOperations``; the next page resumes as
:mod:`mockrunner.listing_cursors` says.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from itertools import islice
from typing import Any, TypeVar

from mockrunner import json_nesting
from mockrunner.listing_cursors import Place, identity, resume
from mockrunner.services.apprunner.errors import invalid

T = TypeVar("T")

#: Operation -> max of MaxResults (min 1; docs/behaviour.md, "App Runner: pagination"); the default page size is
#: the maximum (unverified).
MAX_RESULTS = {
    "ListServices": 20,
    "ListOperations": 20,
    "DescribeCustomDomains": 5,
}
DEFAULT_MAX = 100

_TOKEN_MESSAGE = "The NextToken you provided isn't valid."  # unverified wording
MAX_OFFSET = 10 ** 12
"""The largest offset a token may carry (``islice`` takes none past ``sys.maxsize``; no collection comes near)."""


def page_size(operation: str, params: Mapping[str, Any]) -> int:
    limit = MAX_RESULTS.get(operation, DEFAULT_MAX)
    size = params.get("MaxResults")
    if size is None:
        return limit
    if not 1 <= size <= limit:
        bound = f"less than or equal to {limit}" if size > limit else "greater than or equal to 1"
        raise invalid(f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
                      f"Member must have value {bound}")
    return size


def _fingerprint(operation: str, filters: Mapping[str, Any]) -> str:
    text = json.dumps([operation, filters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(operation: str, filters: Mapping[str, Any], place: Place) -> str:
    document = json.dumps({"o": place.offset, "n": place.next, "l": place.last,
                           "f": _fingerprint(operation, filters)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode()


def decode_token(operation: str, filters: Mapping[str, Any], token: str | None) -> Place:
    if token is None:
        return Place(0)
    try:
        document = json_nesting.loads(base64.urlsafe_b64decode(token.encode()))
        offset, fingerprint = document["o"], document["f"]
        following, last = document.get("n"), document.get("l")
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError, AttributeError):
        raise invalid(_TOKEN_MESSAGE) from None
    if type(offset) is not int or not 0 <= offset <= MAX_OFFSET or fingerprint != _fingerprint(operation, filters) \
            or not all(name is None or isinstance(name, str) for name in (following, last)):
        raise invalid(_TOKEN_MESSAGE)
    return Place(offset, following, last)


def paginate(operation: str, params: Mapping[str, Any], items: Collection[T],
             filters: Mapping[str, Any] | None = None, keep: Callable[[T], bool] | None = None,
             size: int | None = None) -> tuple[list[T], str | None]:
    """One page of ``items`` (an insertion-ordered collection, iterated again when it changed since the token) and
    the token for the next, if any.

    ``keep`` filters items without changing offsets; ``filters`` are the request parameters the token is
    bound to.
    """
    filters = dict(filters or {})
    size = size if size is not None else page_size(operation, params)
    offset = resume(items, decode_token(operation, filters, params.get("NextToken")))
    found: list[T] = []
    position = offset
    iterator = islice(items, offset, None)
    for item in iterator:
        position += 1
        if keep is None or keep(item):
            found.append(item)
            if len(found) == size:
                break
    else:
        return found, None
    # A full page: there is a next page only if some later item would be kept.
    for item in iterator:
        if keep is None or keep(item):
            return found, encode_token(operation, filters, Place(position, identity(item), identity(found[-1])))
        position += 1
    return found, None
