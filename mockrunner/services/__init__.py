"""Service implementations: one function per operation, registered with ``registry.op``."""

import importlib

SERVICE_MODULES = ("sts", "iam", "iam_oidc", "ecr", "apprunner")


def load_all() -> None:
    """Import every service module so their operations register (idempotent)."""
    for name in SERVICE_MODULES:
        importlib.import_module(f"mockrunner.services.{name}")
