"""AWS App Runner: all 37 operations of the 2020-05-15 model, with a real lifecycle, authorized per action.

Importing this package registers every operation.  Public functions for the admin API:
:func:`settle` (complete every pending operation now), :func:`pending_operations`, :func:`failure_reasons`,
:func:`complete_handshake` (make a connection AVAILABLE, as the console handshake would),
:func:`instance_role_credentials` (what code running in a service gets for its instance role),
:func:`deployed_image` (the image digest a service runs), :func:`judge_pending_with` (hold pending operations to
an enforcement mode).  Pushes to ECR start automatic deployments
(:mod:`.auto_deploy`).
"""
from mockrunner.services.apprunner import (  # noqa: F401 - imported so that their operations register
    auto_deploy,
    autoscaling,
    connections,
    domains,
    observability,
    services,
    tags,
    vpc,
)
from mockrunner.services.apprunner.connections import complete_handshake
from mockrunner.services.apprunner.lifecycle import (
    deployed_image,
    failure_reasons,
    instance_role_credentials,
    judge_pending_with,
    pending_operations,
    settle,
)

__all__ = ["complete_handshake", "deployed_image", "failure_reasons", "instance_role_credentials",
           "judge_pending_with", "pending_operations", "settle"]
