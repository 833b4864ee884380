"""The condition keys a resource's tags put in a request context (Service Authorization Reference)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

IDENTITY_KINDS = frozenset({"user", "role"})
"""IAM resource types whose tags are also ``iam:ResourceTag/*``: the SAR lists that key for the ``user`` and ``role``
resource types only, and the IAM User Guide ("Controlling access to and for IAM users and roles using tags") uses
it for users and roles; other IAM resources' tags are ``aws:ResourceTag/*`` alone."""


def resource_tag_keys(entity: Any, kind: str = "") -> dict[str, str]:
    """``aws:ResourceTag/<key>`` per tag of ``entity`` (anything with ``tags``; ``None`` for a resource that does not
    exist has none), and ``iam:ResourceTag/<key>`` too when ``kind`` is a user or role (after every ``aws:`` key)."""
    tags: Mapping[str, str] | None = getattr(entity, "tags", None)
    keys: dict[str, str] = {}
    if not tags:
        return keys
    # Plain loops: on every authorized request, cheaper than comprehensions (a function call each) or map/zip.
    for key, value in tags.items():
        keys["aws:ResourceTag/" + key] = value
    if kind in IDENTITY_KINDS:
        for key, value in tags.items():
            keys["iam:ResourceTag/" + key] = value
    return keys
