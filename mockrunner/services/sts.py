"""STS operations."""
from __future__ import annotations

from mockrunner.gateway import RequestContext
from mockrunner.services.registry import no_checks, op


@op("sts", "GetCallerIdentity", authz=no_checks)
def get_caller_identity(ctx: RequestContext) -> dict:
    """Never denied, whatever the caller's policies say (STS API reference)."""
    caller = ctx.caller
    return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}
