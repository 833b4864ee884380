"""One authorization question, as service handlers ask it of the authorizer (a leaf module)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Check:
    """One authorization question: may the caller perform ``action`` on ``resource`` in this context?

    ``resource_policy`` is the target's resource-based (or trust) policy document, if it has one;
    ``resource_account`` the account owning the resource when the ARN does not say (e.g. ``*``);
    ``named_by_arn`` makes a denial name the resource by its ARN where IAM would name an existing user, role or group
    as ``<kind> <name>`` (the entity a Create* with tags is tagging does not exist yet); ``shown_as``, when set, is
    how a denial names the resource instead (IAM's words for a resource one operation checks for another);
    ``granted_by``, when set, names an account setting that grants the action: no policy need allow it, and only an
    explicit deny takes it away.
    """

    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_policy: Any = None
    resource_policy_id: str | None = None
    resource_account: str | None = None
    named_by_arn: bool = False
    shown_as: str | None = None
    granted_by: str | None = None
