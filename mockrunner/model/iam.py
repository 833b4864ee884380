"""IAM state of one account (global across regions)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IamState:
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
