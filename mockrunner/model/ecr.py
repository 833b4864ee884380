"""ECR state of one account in one region (the slice App Runner pulls from)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EcrState:
    repositories: dict = field(default_factory=dict)
