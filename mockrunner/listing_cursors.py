"""Where the next page of a listing resumes, when the listing changed between pages.

Every paged listing (App Runner's ``NextToken``, ECR's ``nextToken``, IAM's ``Marker``) records in its token a
:class:`Place`: the offset of the next item, and names of that item and of the last one returned.  A client that
deletes each page before asking for the next (CDK's ``autoDeleteImages`` handler, cleanup scripts) shifts every
later item down; a new item can shift them up.  The next page starts at the item the token names, found again where
it moved, or else just after the last one returned, so an item present throughout the listing is never skipped and
none is listed twice (AWS's tokens are cursors, not offsets: a script deleting as it pages sees every item).  A token
naming neither item, or minted without names, pages from its offset.

The names are what :func:`identity` makes of an item: its ARN, id, digest, prefix or name, or the item itself for
strings and numbers, or a canonical JSON text for the dictionaries some listings hold.  Tokens with a length bound
(IAM's markers) carry :func:`short_name` instead, a short hash of the identity.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

_NAMING_ATTRIBUTES = ("arn", "id", "domain_name", "digest", "prefix", "backfill_id", "access_key_id", "key_id",
                      "certificate_id", "credential_id", "serial_number", "name")
"""The attributes that name a listed object, first found first: each names one item within its listing."""
SHORT_NAME_LENGTH = 12
_SHORT_NAME = re.compile(f"[0-9a-f]{{{SHORT_NAME_LENGTH}}}")


@dataclass(frozen=True)
class Place:
    """Where a token resumes: ``offset``, and the names of the next item and of the last one returned (None: a
    token minted without them)."""

    offset: int
    next: str | None = None
    last: str | None = None


def identity(item: Any) -> str:
    """What names ``item`` within its listing."""
    if isinstance(item, str):
        return item
    if isinstance(item, int):
        return str(item)
    if isinstance(item, tuple):
        return "\x1f".join(identity(part) for part in item)
    if isinstance(item, Mapping):
        return json.dumps(item, sort_keys=True, default=str)
    for attribute in _NAMING_ATTRIBUTES:
        value = getattr(item, attribute, None)
        if isinstance(value, str):
            return value
    return repr(item)


def short_name(item: Any) -> str:
    """:func:`identity` hashed to :data:`SHORT_NAME_LENGTH` hexadecimal digits, for tokens of bounded length."""
    return hashlib.sha256(identity(item).encode("utf-8", "surrogatepass")).hexdigest()[:SHORT_NAME_LENGTH]


def is_short_name(text: str) -> bool:
    """Whether ``text`` is a :func:`short_name` (as a token read back must carry)."""
    return _SHORT_NAME.fullmatch(text) is not None


def resume(items: Collection, place: Place, name: Callable[[Any], str] = identity) -> int:
    """The offset in ``items`` (in listing order) the next page starts at: ``place``'s, while the item there is the
    one it names (the common case: one lookup in a sequence, else a skip at C speed); else where that item, or else
    the one after the last returned, is now (``name`` names items as the token did); else ``place``'s offset."""
    if place.next is None:
        return place.offset
    if isinstance(items, Sequence):
        found = items[place.offset] if place.offset < len(items) else None
    else:
        found = next(islice(items, place.offset, None), None)
    if found is not None and name(found) == place.next:
        return place.offset
    names = [name(item) for item in items]
    if place.next in names:
        return names.index(place.next)
    if place.last is not None and place.last in names:
        return names.index(place.last) + 1
    return place.offset
