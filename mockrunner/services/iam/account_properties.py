"""Account properties: GetAccountProperties, PutAccountProperties (account-wide IAM settings such as role manager).

Properties are ``Namespace/PropertyName`` -> string value.  A key holds exactly one ``/`` and neither starts nor ends
with one (the model's pattern adds: a letter first, then letters, digits, ``/ _ -``, at most 50 characters); all
keys of one request belong to one namespace (PutAccountProperties reference).  A put sets the given keys and leaves
the others as they are.  Violations are ``InvalidInput`` (wording unverified).  AWS does not publish the property
names it knows or their types, so every well-formed key is accepted and values are kept as given (unverified).
Since AWS knows only its own few properties, an account holds at most :data:`MAX_ACCOUNT_PROPERTIES` of them here;
a put that would store more is ``LimitExceeded`` and changes nothing (quota and wording unverified).
Both operations are authorized as ``iam:<Operation>`` on ``*`` (the resource is unverified; the IAM User Guide's
role manager pages name ``iam:PutAccountProperties`` as the permission that turns role manager on or off).
"""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import MAX_ACCOUNT_PROPERTIES
from mockrunner.services.iam.authz import anything
from mockrunner.services.iam.entities import iam_of
from mockrunner.services.registry import op


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def _namespace(key: str) -> str:
    namespace, slash, name = key.partition("/")
    if not slash or not namespace or not name or "/" in name:
        raise _invalid(f"Invalid property key {key}: a key must be Namespace/PropertyName, with exactly one '/' "
                       "that neither starts nor ends it.")
    return namespace


@op("iam", "GetAccountProperties", authz=anything)
def get_account_properties(ctx: RequestContext) -> dict:
    return {"Properties": dict(sorted(iam_of(ctx).account_properties.items()))}


@op("iam", "PutAccountProperties", authz=anything)
def put_account_properties(ctx: RequestContext) -> dict:
    properties = ctx.params["Properties"]
    if not properties:
        raise _invalid("Properties must contain at least one property.")
    namespaces = {_namespace(key) for key in properties}
    if len(namespaces) > 1:
        raise _invalid(f"All properties in a request must belong to the same namespace; got {sorted(namespaces)}.")
    iam = iam_of(ctx)
    merged = {**iam.account_properties, **properties}
    if len(merged) > MAX_ACCOUNT_PROPERTIES:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for AccountProperties: {MAX_ACCOUNT_PROPERTIES}",
                           409)
    iam.configure(account_properties=merged)
    return {}
