"""AWS App Runner: all 37 operations of the 2020-05-15 model, with a real lifecycle, authorized per action.

Importing this package registers every operation.  Public functions for the admin API:
:func:`settle` (complete every pending operation now), :func:`pending_operations`, :func:`failure_reasons`,
:func:`complete_handshake` (make a connection AVAILABLE, as the console handshake would).
"""
from mockrunner.services.apprunner import (  # noqa: F401 - imported so that their operations register
    autoscaling,
    connections,
    domains,
    observability,
    services,
    tags,
    vpc,
)
from mockrunner.services.apprunner.connections import complete_handshake
from mockrunner.services.apprunner.operations import failure_reasons, pending_operations, settle

__all__ = ["complete_handshake", "failure_reasons", "pending_operations", "settle"]
