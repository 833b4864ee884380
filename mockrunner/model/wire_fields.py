"""Model fields that hold a service's wire form as plain data, each with the botocore shape it must fit.

Operations store some request members as given (a replication rule, a context provider, a backfill's destination
and results) and answer them back or compute with them later.  The API's front end has checked them against the
model; a state document (``PUT /_mockrunner/state``, ``--state-file``) has not, so state import checks every such
field here (:func:`check_wire_fields`) with botocore's own parameter validator: a field of the wrong shape would
otherwise fail every later request that reads it.  Counts the API bounds are held to the same bounds.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.model import Shape
from botocore.validate import ParamValidator

from mockrunner.model.iam import MAX_ACCOUNT_PROPERTIES, MAX_SCOPE_DOWN_POLICIES
from mockrunner.protocol import specs

if TYPE_CHECKING:
    from mockrunner.model.store import Account

BACKFILL_STATUSES = frozenset({"PREPARING", "IN_PROGRESS", "STOPPING", "COMPLETE", "FAILED", "STOPPED"})
_PLANNED_SHAPE = {"repositoryName": str, "imageDigest": str, "imageTags": list}
"""A backfill's planned image: not a wire shape of its own, checked member by member."""


@cache
def _shape(service: str, name: str) -> Shape:
    return specs.service_model(service).shape_for(name)


def _wire(path: str, value: Any, service: str, shape: str) -> str | None:
    report = ParamValidator().validate(value, _shape(service, shape))
    return f"{path}: not a valid {shape}: {report.generate_report()}" if report.has_errors() else None


def _planned(path: str, item: Any) -> str | None:
    if (not isinstance(item, dict) or set(item) != set(_PLANNED_SHAPE)
            or any(not isinstance(item[key], kind) for key, kind in _PLANNED_SHAPE.items())
            or any(not isinstance(tag, str) for tag in item["imageTags"])):
        return f"{path}: not a planned image (repositoryName, imageDigest, imageTags)"
    return None


def _checks(accounts: Mapping[str, "Account"]) -> Iterator[str | None]:
    for account_id, account in accounts.items():
        iam, base = account.iam, f"$.state.accounts.{account_id}"
        yield _wire(f"{base}.iam.account_properties", iam.account_properties, "iam", "accountPropertiesMapType")
        if len(iam.account_properties) > MAX_ACCOUNT_PROPERTIES:
            yield f"{base}.iam.account_properties: more than {MAX_ACCOUNT_PROPERTIES} properties"
        for collection in ("oidc_providers", "saml_providers"):
            for arn, provider in getattr(iam, collection).items():
                if provider.context_provider is not None:
                    yield _wire(f"{base}.iam.{collection}.{arn}.context_provider", provider.context_provider, "iam",
                                "ContextProvider")
        for key, session in iam.sessions.items():
            if len(session.scope_down_policies) > MAX_SCOPE_DOWN_POLICIES:
                yield f"{base}.iam.sessions.{key}.scope_down_policies: more than {MAX_SCOPE_DOWN_POLICIES}"
        for region_name, region in account.regions.items():
            ecr, where = region.ecr, f"{base}.regions.{region_name}.ecr"
            for index, rule in enumerate(ecr.replication_rules):
                yield _wire(f"{where}.replication_rules[{index}]", rule, "ecr", "ReplicationRule")
            for backfill_id, backfill in ecr.replication_backfills.items():
                at = f"{where}.replication_backfills.{backfill_id}"
                yield _wire(f"{at}.destination", backfill.destination, "ecr", "ReplicationDestination")
                if backfill.status not in BACKFILL_STATUSES:
                    yield f"{at}.status: not a backfill status"
                for index, result in enumerate(backfill.results):
                    yield _wire(f"{at}.results[{index}]", result, "ecr", "ReplicationBackfillResult")
                    if result.get("status") not in ("COMPLETE", "FAILED") or (
                            result["status"] == "FAILED" and "failureCode" not in result):
                        yield f"{at}.results[{index}]: a result is COMPLETE, or FAILED with a failureCode"
                for index, item in enumerate(backfill.planned or ()):
                    yield _planned(f"{at}.planned[{index}]", item)


def check_wire_fields(accounts: Mapping[str, "Account"]) -> str | None:
    """The first wire-form field of ``accounts`` that does not fit its shape, as ``<path>: <why>``; ``None``: all
    fit."""
    return next((problem for problem in _checks(accounts) if problem is not None), None)
