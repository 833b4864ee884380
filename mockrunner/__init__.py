"""mockrunner: a local, faithful mock of AWS App Runner, IAM, STS and the ECR pull path that enforces IAM.

``from mockrunner import mock_apprunner`` imports the decorator lazily, so ``import mockrunner`` stays cheap.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "mock_apprunner", "MockAppRunner"]


def __getattr__(name: str) -> Any:
    if name in ("mock_apprunner", "MockAppRunner"):
        from mockrunner.testing import mock

        return getattr(mock, name)
    raise AttributeError(f"module 'mockrunner' has no attribute {name!r}")
