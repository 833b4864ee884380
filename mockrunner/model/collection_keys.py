"""What each keyed collection of the state is keyed by, and where a state document files an entity wrongly.

The code finds an entity by its collection's key and then works with the entity's own identifier (a user's
``name``, a repository's ``name``, a rule's ``prefix``, a service's ``arn``): DeleteUser looks ``alice`` up, then
removes ``users[user.name]``.  A state document whose key and identifier differ (``"bob": {"name": "alice"}``)
would list one name and act on another, and answer 500 where the two meet; :func:`misfiled` finds such an entry
so that state import refuses it.
"""
from __future__ import annotations

from typing import Any

from mockrunner.model import apprunner as ar
from mockrunner.model import ecr, iam

KEYED_BY: dict[type, str] = {
    **{cls: key for cls, (_collection, key) in iam.HOMES.items()},
    iam.Session: "access_key_id",
    ecr.Repository: "name",
    ecr.Image: "digest",
    ecr.Layer: "digest",
    ecr.PullThroughCacheRule: "prefix",
    ecr.CreationTemplate: "prefix",
    ecr.ReplicationBackfill: "backfill_id",
    ar.Service: "arn",
    ar.AutoScalingConfiguration: "arn",
    ar.ObservabilityConfiguration: "arn",
    ar.Connection: "arn",
    ar.VpcConnector: "arn",
    ar.VpcIngressConnection: "arn",
    ar.CustomDomain: "domain_name",
}
"""Entity class -> the attribute that is its key in every collection holding it."""


PREFIX_KEYED = frozenset({ecr.PullThroughCacheRule, ecr.CreationTemplate})
"""Entities keyed by an ECR prefix, where ``prod`` and ``prod/`` are one prefix (the API refuses the second)."""


def misfiled(collection: dict[Any, Any]) -> str | None:
    """Why an entry of ``collection`` is filed under a key other than its entity's identifier, or is a second
    spelling of an ECR prefix another entry holds (the first such entry), or ``None``."""
    for key, value in collection.items():
        attribute = KEYED_BY.get(type(value))
        if attribute is not None and getattr(value, attribute) != key:
            return (f"[{str(key)[:200]!r}]: filed under a key that is not its {attribute} "
                    f"({str(getattr(value, attribute))[:200]!r})")
        if type(value) in PREFIX_KEYED and isinstance(key, str) and key.endswith("/") and key.rstrip("/") in collection:
            return f"[{str(key)[:200]!r}]: the same prefix as {key.rstrip('/')[:200]!r}"
    return None
