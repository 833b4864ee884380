"""Hostile input never escapes as a Python exception: it is parsed, or it is a ServiceError."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from botocore.model import OperationModel

from mockrunner.errors import ServiceError
from mockrunner.protocol import codecs, specs, validation

JUNK = [1, -1, 1.5, "s", "", [], [1, None], {}, {"a": 1}, True, None, "2024-01-01T00:00:00Z", "%%%"]


def _accepts_or_raises_service_error(operation, body: bytes) -> None:
    codec = codecs.codec_for(operation.service_model)
    try:
        params = codec.parse_request(operation, body)
    except ServiceError:
        return
    try:
        validation.validate(operation, params)
    except ServiceError:
        pass


def _members(service: str) -> Iterator[tuple[str, OperationModel, str]]:
    """``(operation name, operation, input member)`` for every input member of every operation of ``service``."""
    model = specs.service_model(service)
    for name in model.operation_names:
        operation = model.operation_model(name)
        if operation.input_shape is None:
            continue
        for member in operation.input_shape.members:
            yield name, operation, member


@pytest.mark.parametrize("service", ["apprunner", "ecr"])
def test_json_members_of_every_type_mismatch(service):
    for _, operation, member in _members(service):
        for junk in JUNK:
            _accepts_or_raises_service_error(operation, json.dumps({member: junk}).encode())
            _accepts_or_raises_service_error(operation, json.dumps({member: [junk]}).encode())
            _accepts_or_raises_service_error(operation, json.dumps({member: {"k": junk}}).encode())


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_query_members_of_every_shape_mismatch(service):
    for name, operation, member in _members(service):
        for suffix in ("=junk", "=", ".member.1=x", ".member.1.Key=k", ".entry.1.key=k&{m}.entry.1.value=v",
                       ".1=x", ".Nested.Deep=x", "=%E2%82", "=2024-13-45T99:99:99Z"):
            body = f"Action={name}&{member}{suffix.replace('{m}', member)}".encode()
            _accepts_or_raises_service_error(operation, body)
