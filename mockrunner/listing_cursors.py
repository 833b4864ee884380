"""Where the next page of a listing resumes, when the listing changed between pages.

Every paged listing (App Runner's ``NextToken``, ECR's ``nextToken``, IAM's ``Marker``) records in its token a
:class:`Place`: the offset of the next item, and names of that item, of the last one returned and (ECR's and IAM's)
of a few items after the next one.  A client that deletes each page before asking for the next (CDK's
``autoDeleteImages`` handler, cleanup scripts) shifts every later item down; a new item can shift them up.  The next
page starts at the item the token names, found again where it moved, or else just after the last one returned, or
else at the first still there of the later ones, so such a client sees every item that stays in the listing
(unless every item the token names is gone) and none twice.  A token naming none of them, or minted without
names, pages from its offset.  (AWS's tokens are opaque; whether they resume by key is not public.)

The names are what :func:`identity` makes of an item: its ARN, id, digest, prefix or name, the item itself for
strings and numbers, a policy version's id or a tag's key, or a canonical JSON text for other dictionaries.  Tokens
with a length bound (IAM's markers) carry :func:`short_name` instead, a short hash of the identity.
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
_NAMING_KEYS = ("VersionId", "Key")
"""The keys that name a listed dictionary whose other members change (a policy version's ``IsDefaultVersion``, a
tag's ``Value``); other dictionaries are named by all of their members."""
SHORT_NAME_LENGTH = 12
_SHORT_NAME = re.compile(f"[0-9a-f]{{{SHORT_NAME_LENGTH}}}")


LATER = 3
"""How many names of the items after the next one a token carries, for when the next one and the last one returned
are both gone: a client deleting the whole of each page deletes the last item returned, and one deleting an image
by digest deletes every ``ListImages`` entry of it (one per tag), the next one too."""


@dataclass(frozen=True)
class Place:
    """Where a token resumes: ``offset``, and the names of the next item, of the last one returned and of up to
    :data:`LATER` items after the next one (``next`` None: a token minted without them)."""

    offset: int
    next: str | None = None
    last: str | None = None
    later: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """``next``, ``last`` and ``later`` as a token writes them (none when it has no ``next`` or ``last``)."""
        if self.next is None or self.last is None:
            return []
        return [self.next, self.last, *self.later]

    @classmethod
    def named(cls, offset: int, names: Sequence[str]) -> "Place":
        """The place :meth:`names` wrote (``names`` empty, or 2 to 2 + :data:`LATER` of them)."""
        if not names:
            return cls(offset)
        return cls(offset, names[0], names[1], tuple(names[2:]))


def place_after(offset: int, following: Sequence, last: Any, name: Callable[[Any], str]) -> Place:
    """The place of a page that returned ``last`` (None: nothing) and is followed by ``following`` (the next item
    first; names of up to 1 + :data:`LATER` of them are kept), resuming at ``offset``."""
    if not following or last is None:
        return Place(offset)
    return Place(offset, name(following[0]), name(last), tuple(name(item) for item in following[1:1 + LATER]))


def identity(item: Any) -> str:
    """What names ``item`` within its listing."""
    if isinstance(item, str):
        return item
    if isinstance(item, int):
        return str(item)
    if isinstance(item, tuple):
        return "\x1f".join(identity(part) for part in item)
    if isinstance(item, Mapping):
        named = next((item[key] for key in _NAMING_KEYS if isinstance(item.get(key), str)), None)
        return named if named is not None else json.dumps(item, sort_keys=True, default=str)
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
    one it names (the common case: one lookup in a sequence, else a skip at C speed); else where that item is now,
    or else the one after the last returned, or else the first of the later ones still there (``name`` names items
    as the token did); else ``place``'s offset."""
    if place.next is None:
        return place.offset
    if isinstance(items, Sequence):
        found = items[place.offset] if place.offset < len(items) else None
    else:
        found = next(islice(items, place.offset, None), None)
    if found is not None and name(found) == place.next:
        return place.offset
    positions: dict[str, int] = {}
    for position, item in enumerate(items):
        positions.setdefault(name(item), position)
    if place.next in positions:
        return positions[place.next]
    if place.last is not None and place.last in positions:
        return positions[place.last] + 1
    return next((positions[later] for later in place.later if later in positions), place.offset)
