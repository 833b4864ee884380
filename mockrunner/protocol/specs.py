"""Load botocore's service models once and answer routing questions about them.

Loading a model costs tens of milliseconds, so models are loaded lazily and cached for the life of the process.
Routing tables (target -> operation, action -> operation, error code -> error shape) are built once per model;
per-shape work is cached by the codecs themselves (see :mod:`mockrunner.protocol.compiled`).
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import botocore.session

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

T = TypeVar("T")

SERVICES = ("apprunner", "ecr", "iam", "sts")

#: SigV4 credential-scope service name -> model name.  All four sign with their own endpoint prefix.
SIGNING_NAME_TO_SERVICE: dict[str, str] = {name: name for name in SERVICES}

_lock = threading.Lock()
_session: botocore.session.Session | None = None


_models: dict[str, ServiceModel] = {}


def service_model(name: str) -> ServiceModel:
    """The botocore model of ``name`` (one of :data:`SERVICES`), loaded on first use.

    Loaded under a lock so concurrent first requests share one model object (the per-model tables below and the
    codecs' compiled shapes are keyed on it).
    """
    model = _models.get(name)
    if model is not None:
        return model
    if name not in SERVICES:
        raise KeyError(f"mockrunner does not serve {name!r}")
    global _session
    with _lock:
        if name not in _models:
            if _session is None:
                _session = botocore.session.get_session()
            _models[name] = _session.get_service_model(name)
        return _models[name]


@functools.cache
def _targets(service_name: str) -> dict[str, OperationModel]:
    service = service_model(service_name)
    prefix = service.metadata.get("targetPrefix", "")
    return {f"{prefix}.{op}": service.operation_model(op) for op in service.operation_names}


@functools.cache
def _actions(service_name: str) -> dict[str, OperationModel]:
    service = service_model(service_name)
    return {op: service.operation_model(op) for op in service.operation_names}


def operation_for_target(service: ServiceModel, target: str) -> OperationModel | None:
    """The operation named by a json ``X-Amz-Target`` header (``AppRunner.CreateService``), or None."""
    return _targets(service.service_name).get(target)


def operation_for_action(service: ServiceModel, action: str) -> OperationModel | None:
    """The operation named by a query ``Action`` parameter, or None."""
    return _actions(service.service_name).get(action)


def codec_for(service: ServiceModel) -> ModuleType:
    """The codec module for the service's protocol (``json_codec`` or ``query_codec``)."""
    codec = _CODECS.get(service.protocol)
    if codec is None:
        codec = _load_codecs()[service.protocol]
    return codec


_CODECS: dict[str, ModuleType] = {}
_codecs_lock = threading.Lock()


def _load_codecs() -> dict[str, ModuleType]:
    """Import the codecs on first use (they import this module), once, however many threads ask at once."""
    with _codecs_lock:
        if not _CODECS:
            from mockrunner.protocol import json_codec, query_codec

            _CODECS.update({"json": json_codec, "query": query_codec})
    return _CODECS


def error_shapes(service: ServiceModel) -> dict[str, Shape]:
    """Error shapes of ``service`` by shape name *and* by wire code alias (query ``error.code``)."""
    return _error_shapes(service.service_name)


@functools.cache
def _error_shapes(service_name: str) -> dict[str, Shape]:
    table: dict[str, Shape] = {}
    for shape in service_model(service_name).error_shapes:
        table[shape.name] = shape
        alias = shape.metadata.get("error", {}).get("code")
        if alias:
            table.setdefault(alias, shape)
    return table


def wire_error_code(service: ServiceModel, code: str) -> str:
    """The code AWS puts on the wire for ``code``: query services answer the alias (``NoSuchEntity``) even when the
    handler named the shape (``NoSuchEntityException``); json services answer the shape name."""
    shape = error_shapes(service).get(code)
    if shape is None:
        return code
    return shape.metadata.get("error", {}).get("code", shape.name)


def error_status(service: ServiceModel, code: str) -> tuple[int, bool]:
    """HTTP status and sender fault the model declares for ``code``; 400/sender when undeclared, 500/receiver for
    ``fault`` shapes (Smithy's defaults for client and server errors)."""
    shape = error_shapes(service).get(code)
    if shape is None:
        return 400, True
    error = shape.metadata.get("error", {})
    # ``fault`` is not one of botocore's METADATA_ATTRS, so read it from the raw shape.
    sender = error.get("senderFault", error.get("httpStatusCode", 400) < 500)
    fault = bool(shape._shape_model.get("fault")) or not sender
    status = error.get("httpStatusCode", 500 if fault else 400)
    return status, not fault


def per_service(compute: Callable[[ServiceModel], T]) -> Callable[[ServiceModel], T]:
    """Cache ``compute(service)`` per service name (models are singletons, their derived tables can be too)."""
    cache: dict[str, T] = {}

    def cached(service: ServiceModel) -> T:
        name = service.service_name
        if name not in cache:
            cache[name] = compute(service)
        return cache[name]

    cached.__doc__ = compute.__doc__
    return cached
