"""The served services, in one table, and their botocore models.

:data:`SERVICES` is the only place that says which AWS services mockrunner serves.  Each :class:`ServiceSpec`
names what botocore's model cannot say (the module implementing it, its internal-error shape, host names older
clients still use); everything the model's metadata does say (protocol, signing name, ``X-Amz-Target`` prefix,
endpoint prefix, botocore's event name) is derived from the model, loaded lazily on first use and cached for
the life of the process.  The models are mockrunner's own copies of the pinned botocore's
(``mockrunner/data/service_models``, made by ``scripts/gen_service_models.py``), not the installed botocore's: what
is served does not change with the botocore of the environment.  Adding a service: one row here, its module under
``mockrunner/services/``, and the generator run again.

Routing tables (target -> operation, action -> operation, error code -> error shape) are built once per model;
per-shape work is cached by the codecs themselves (see :mod:`mockrunner.protocol.compiled`).
"""
from __future__ import annotations

import functools
import gzip
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, TypeVar

from botocore.model import ServiceModel

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceSpec:
    """One served service.  ``name`` is botocore's model name, the key used everywhere in mockrunner."""

    name: str
    module: str
    """The module whose import registers the service's operations."""
    internal_error: str
    """The error code of an unexpected failure (the model's own server-fault shape where it has one)."""
    legacy_host_prefixes: tuple[str, ...] = ()
    """Host name prefixes besides the model's endpoint prefix that identify the service in unsigned requests."""
    path_prefixes: tuple[str, ...] = ()
    """Request paths that tell this rest service from another signed with the same name (IAM Toolbox and IAM both
    sign as ``iam``; IAM's query requests are addressed to ``/``)."""

    @property
    def model(self) -> ServiceModel:
        return service_model(self.name)

    @property
    def protocol(self) -> str:
        return self.model.protocol

    @property
    def signing_name(self) -> str:
        """The credential-scope service name (the model's ``signingName``, else its endpoint prefix)."""
        metadata = self.model.metadata
        return metadata.get("signingName") or metadata["endpointPrefix"]

    @property
    def action_prefix(self) -> str:
        """The IAM action prefix (``ecr`` in ``ecr:PutImage``): the signing name, for every service served."""
        return self.signing_name

    @property
    def target_prefix(self) -> str | None:
        """The ``X-Amz-Target`` prefix of json services (``AmazonEC2ContainerRegistry_V20150921``)."""
        return self.model.metadata.get("targetPrefix")

    @property
    def endpoint_prefix(self) -> str:
        """The host prefix (``api.ecr``) and botocore's ``Endpoint._endpoint_prefix``."""
        return self.model.metadata["endpointPrefix"]

    @property
    def event_name(self) -> str:
        """The service's part of botocore event names (``before-send.ecr.PutImage``)."""
        return self.model.service_id.hyphenize()

    @property
    def host_prefixes(self) -> tuple[str, ...]:
        return (self.endpoint_prefix, *self.legacy_host_prefixes)


SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (
    ServiceSpec("sts", "mockrunner.services.sts", internal_error="InternalFailure"),
    ServiceSpec("iam", "mockrunner.services.iam", internal_error="ServiceFailure"),
    ServiceSpec("ecr", "mockrunner.services.ecr", internal_error="ServerException", legacy_host_prefixes=("ecr",)),
    ServiceSpec("apprunner", "mockrunner.services.apprunner", internal_error="InternalServiceErrorException"),
    ServiceSpec("iam-toolbox", "mockrunner.services.iam_toolbox", internal_error="InternalServerException",
                path_prefixes=("/authorization-details",)),
)}
"""Served services by model name, in the order their modules are loaded."""

_lock = threading.Lock()
_models: dict[str, ServiceModel] = {}


def service_model(name: str) -> ServiceModel:
    """The model of ``name`` (a key of :data:`SERVICES`), read from mockrunner's copy on first use.

    Loaded under a lock so concurrent first requests share one model object (the per-model tables below and the
    codecs' compiled shapes are keyed on it).
    """
    model = _models.get(name)
    if model is not None:
        return model
    if name not in SERVICES:
        raise KeyError(f"mockrunner does not serve {name!r}")
    with _lock:
        if name not in _models:
            path = resources.files("mockrunner") / "data" / "service_models" / f"{name}.json.gz"
            text = gzip.decompress(path.read_bytes())
            _models[name] = ServiceModel(json.loads(text), service_name=name)
        return _models[name]


@functools.cache
def by_signing_name() -> dict[str, ServiceSpec]:
    """Credential-scope service name -> spec (the first served service signing with it: IAM for ``iam``)."""
    table: dict[str, ServiceSpec] = {}
    for spec in SERVICES.values():
        table.setdefault(spec.signing_name, spec)
    return table


def for_scope(signing_name: str, path: str) -> ServiceSpec | None:
    """The service a request signed for ``signing_name`` and addressed to ``path`` is for: one whose
    :attr:`ServiceSpec.path_prefixes` holds the path, else the service of :func:`by_signing_name`."""
    for spec in _path_routed().get(signing_name, ()):
        if _holds(spec, path):
            return spec
    return by_signing_name().get(signing_name)


def for_path(path: str) -> ServiceSpec | None:
    """The path-routed service whose prefixes hold ``path`` (an unsigned request), or None."""
    return next((spec for specs in _path_routed().values() for spec in specs if _holds(spec, path)), None)


def _holds(spec: ServiceSpec, path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in spec.path_prefixes)


@functools.cache
def _path_routed() -> dict[str, tuple[ServiceSpec, ...]]:
    table: dict[str, tuple[ServiceSpec, ...]] = {}
    for spec in SERVICES.values():
        if spec.path_prefixes:
            table[spec.signing_name] = (*table.get(spec.signing_name, ()), spec)
    return table


@functools.cache
def by_target_prefix() -> dict[str, ServiceSpec]:
    """``X-Amz-Target`` prefix -> spec (json services)."""
    return {spec.target_prefix: spec for spec in SERVICES.values() if spec.target_prefix}


@functools.cache
def by_host_prefix() -> dict[str, ServiceSpec]:
    """Host name prefix (``api.ecr`` in ``api.ecr.us-east-1.amazonaws.com``) -> spec."""
    return {prefix: spec for spec in SERVICES.values() for prefix in spec.host_prefixes}


@functools.cache
def by_event_name() -> dict[str, ServiceSpec]:
    """botocore event-name service part -> spec."""
    return {spec.event_name: spec for spec in SERVICES.values()}


@functools.cache
def endpoint_prefixes() -> frozenset[str]:
    """botocore ``Endpoint._endpoint_prefix`` values of the served services."""
    return frozenset(spec.endpoint_prefix for spec in SERVICES.values())


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
