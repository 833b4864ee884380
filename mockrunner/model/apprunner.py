"""App Runner state of one account in one region."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AppRunnerState:
    services: dict = field(default_factory=dict)
