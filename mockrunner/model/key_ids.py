"""Access key ids as AWS makes them: a four-letter prefix and 16 base32 characters that carry the account.

AWS documents the prefixes only (``AKIA`` an access key, ``ASIA`` temporary credentials: IAM User Guide, "IAM
identifiers").  Public analyses of the format (and every tool that decodes ids offline, such as ``sts
get-access-key-info``'s users, Pacu's ``iam__decode_accesskey_id``, LocalStack) agree on the rest for ids made
since 2019: the 16 characters decode (RFC 4648 base32, alphabet ``A-Z2-7``) to 10 bytes; of the first six read as
a big-endian 48-bit number, bit 47 is set and bits 7-46 are the account id; the other bits vary per key.  So the
eight characters after the prefix are the same for every key of one account.

:func:`new_key_id` makes such an id for an account (random elsewhere); :func:`account_of` reads the account back
from any well-formed ``AKIA``/``ASIA`` id, or returns ``None``.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Container

KEY_ID_PREFIXES = ("AKIA", "ASIA")
_ACCOUNT_SHIFT = 7
_ACCOUNT_MASK = 0x7FFFFFFFFF80
"""Bits 7-46 of the first six decoded bytes."""
_NEW_FORMAT_BIT = 1 << 47
_KEY_CHARACTERS = 16
"""Characters after the prefix: 80 bits, 10 bytes."""
_DRAWS = 64
"""Draws before giving up: with fewer than 2**38 ids taken, 64 collisions in a row are less likely than 2**-64."""


def new_key_id(prefix: str, account_id: str, taken: Container[str] = ()) -> str:
    """A fresh ``prefix`` + 16-character id that decodes to ``account_id`` (a 12-digit account), none of
    ``taken`` (the account's ids of that kind): the ids of one account differ only in 39 random bits, so a new id
    that would shadow a live one is drawn again."""
    for _ in range(_DRAWS):
        head = _NEW_FORMAT_BIT | (int(account_id) << _ACCOUNT_SHIFT) | secrets.randbits(_ACCOUNT_SHIFT)
        key_id = prefix + base64.b32encode(head.to_bytes(6, "big") + secrets.token_bytes(4)).decode()
        if key_id not in taken:
            return key_id
    raise RuntimeError(f"no free {prefix} key id for account {account_id} in {_DRAWS} draws")


def account_of(key_id: str) -> str | None:
    """The 12-digit account an ``AKIA``/``ASIA`` id of 20 characters encodes; ``None`` for anything else."""
    if key_id[:4] not in KEY_ID_PREFIXES or len(key_id) != 4 + _KEY_CHARACTERS:
        return None
    try:
        raw = base64.b32decode(key_id[4:])
    except (binascii.Error, ValueError):
        return None
    return f"{(int.from_bytes(raw[:6], 'big') & _ACCOUNT_MASK) >> _ACCOUNT_SHIFT:012d}"
