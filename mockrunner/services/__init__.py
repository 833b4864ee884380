"""Service implementations: one function per operation, registered with ``registry.op``.

Which services exist, and which module implements each, is :data:`mockrunner.protocol.specs.SERVICES`.
"""

import importlib

from mockrunner.protocol.specs import SERVICES


def load_all() -> None:
    """Import every service module so their operations register (idempotent)."""
    for spec in SERVICES.values():
        for module in (spec.module, *spec.extra_modules):
            importlib.import_module(module)
