"""The error format a client expects from a service mockrunner does not serve.

A request for another service (Lambda, S3, ...) is refused, and the refusal is only useful when its client can
read it: a JSON client (awsJson with ``X-Amz-Target``, restJson) reads the code from ``__type`` or
``x-amzn-ErrorType``, a query or REST-XML client from ``<Error><Code>``.  An error in the other format reaches
the user as a bare status ("An error occurred (400)") with the document as its message.
"""
from __future__ import annotations

from functools import cache

import botocore.loaders


def reads_json_errors(target: str | None, action: str | None, signing_name: str | None) -> bool:
    """Whether the client of a request for no served service reads JSON errors: yes when it sent an
    ``X-Amz-Target`` (awsJson), no when it named an ``Action`` (query, EC2); otherwise it used a REST protocol,
    which is REST-XML when the installed botocore's model of the signing name says so (S3, Route 53, CloudFront)
    and REST-JSON otherwise (most REST services; an unsigned request names no service)."""
    if target:
        return True
    if action:
        return False
    return signing_name not in _model_names() or "rest-xml" not in _protocols_of(signing_name)


@cache
def _model_names() -> frozenset[str]:
    """The services the installed botocore has models for (a bound on :func:`_protocols_of`'s cache)."""
    return frozenset(botocore.loaders.create_loader().list_available_services("service-2"))


@cache
def _protocols_of(name: str) -> tuple[str, ...]:
    """The protocols of the botocore service model ``name`` (a service has at most one REST protocol)."""
    metadata = botocore.loaders.create_loader().load_service_model(name, "service-2").get("metadata", {})
    return tuple(metadata.get("protocols") or [metadata.get("protocol")])
