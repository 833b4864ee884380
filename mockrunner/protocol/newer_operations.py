"""Operations the installed botocore knows and mockrunner's models do not: the client is newer than the botocore
whose models mockrunner serves (``mockrunner/data/service_models``), and the request names an operation AWS added
since.  Such a request is answered ``NotImplemented`` (501, not retried) naming the operation, rather than the
"unknown operation" AWS answers a name it has never had (``InvalidAction``, ``UnknownOperationException``): the
operation exists, mockrunner does not serve it yet.  The installed botocore's model is read only for such a request,
once per service."""
from __future__ import annotations

import os
from functools import cache

import botocore.exceptions
import botocore.loaders


def known_to_installed_botocore(service: str, protocol: str, name: str) -> str | None:
    """The operation the installed botocore's model of ``service`` has for ``name`` (an ``X-Amz-Target`` of a json
    service, an ``Action`` of a query one), or None."""
    if protocol == "json":
        prefix, _, operation = name.partition(".")
        target_prefix, operations = _installed(service)
        return operation if prefix and prefix == target_prefix and operation in operations else None
    return name if name in _installed(service)[1] else None


@cache
def _installed(service: str) -> tuple[str | None, frozenset[str]]:
    """The installed botocore's ``X-Amz-Target`` prefix and operation names for ``service`` (none if it has no
    model of it), found where botocore's sessions look: ``AWS_DATA_PATH``, ``~/.aws/models``, botocore's own."""
    try:
        model = botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH")).load_service_model(service, "service-2")
    except botocore.exceptions.DataNotFoundError:
        return None, frozenset()
    return model.get("metadata", {}).get("targetPrefix"), frozenset(model.get("operations", {}))
