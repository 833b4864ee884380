"""The per-Region state a request works on: kept for a request that may change the state, never made for a read.

A read of a Region the account never wrote in used to make (and so export and save, with the next change) an empty
per-Region state: a read must leave the state as it found it.  Which requests may change the state is what the
persistence layer saves after (:func:`mockrunner.mutations.is_mutation`), so a read never writes a state that is
not saved either.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.mutations import is_mutation

if TYPE_CHECKING:
    from mockrunner.context import RequestContext
    from mockrunner.model.store import Account, RegionState


def request_region(ctx: "RequestContext", account: "Account") -> "RegionState":
    """``account``'s state in the request's Region: made and kept for a request that may change the state
    (:func:`writes`); for a read, the Region's state or an empty one that is not kept."""
    return account.region(ctx.region) if writes(ctx) else account.region_to_read(ctx.region)


def writes(ctx: "RequestContext") -> bool:
    """Whether ``ctx``'s operation may change the state (and so may make a Region's state)."""
    return is_mutation(ctx.service, ctx.operation_name)
