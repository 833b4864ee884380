"""Amazon Resource Names taken apart: the one splitter every service, the engine and the tools share.

``arn:partition:service:region:account:resource``; the resource keeps its own colons and slashes.  Whether a given
ARN is *acceptable* where it appears (an IAM role, a policy, an App Runner service, ...) and the error each service
answers are the caller's business; this module only says what the six fields are.  (The policy engine,
``iam_engine``, uses the standard library only and reads the account of a resource ARN itself.)
"""
from __future__ import annotations

from typing import NamedTuple


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """``user`` in ``user/path/name``, ``root`` in ``root``."""
        return self.resource.partition("/")[0]

    @property
    def resource_path(self) -> str:
        """What follows the resource type: ``path/name`` in ``user/path/name`` (empty when nothing does)."""
        return self.resource.partition("/")[2]

    @property
    def name(self) -> str:
        """The last segment of the resource path: an IAM entity's name, whatever its path (``b`` in
        ``role/a/b``; empty when the resource has no path, as in ``root``)."""
        return self.resource_path.rsplit("/", 1)[-1]


def split_arn(text: object) -> Arn | None:
    """The fields of ``text`` when it starts with ``arn:`` and has all six (empty fields allowed); else ``None``."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    return Arn(*parts[1:]) if len(parts) == 6 else None


def account_of(text: object) -> str | None:
    """The account field of an ARN; ``None`` when ``text`` is no ARN or names no account (``arn:aws:s3:::b``)."""
    arn = split_arn(text)
    return arn.account if arn is not None and arn.account else None
