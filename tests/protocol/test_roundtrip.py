"""Round-trip proofs against botocore itself, for every operation of the four served models.

Requests: random valid input -> botocore's client serializer -> our ``parse_request`` -> equal to the input.
Responses: random output -> our ``serialize_response`` -> botocore's response parser -> equal to the output.
Errors: every modeled error shape -> our ``serialize_error`` -> botocore's parser -> code, message, status.
"""
from __future__ import annotations

from urllib.parse import unquote, urlencode

import botocore.parsers
import botocore.serialize
import pytest
from botocore.awsrequest import HeadersDict

from mockrunner.errors import ServiceError
from mockrunner.protocol import codecs, rest_json_codec, specs, validation
from tests.protocol.generate import Generator, normalize

SEEDS = (1, 2, 3)


def _operations():
    for service in specs.SERVICES:
        model = specs.service_model(service)
        for name in model.operation_names:
            yield service, name


def _wire_body(protocol: str, request: dict) -> bytes:
    body = request["body"]
    return urlencode(body).encode("utf-8") if protocol == "query" else body


def roundtrip_request(operation, params: dict) -> dict:
    protocol = operation.service_model.protocol
    request = botocore.serialize.create_serializer(protocol).serialize_to_request(params, operation)
    if protocol == "rest-json":  # the operation and its URI labels from the method and path, as the gateway reads them
        routed, labels = rest_json_codec.route(operation.service_model, request["method"], unquote(request["url_path"]))
        assert routed.name == operation.name
        query = {key: value for key, value in request["query_string"].items()}
        return rest_json_codec.parse_request(operation, request["body"], query, labels)
    return codecs.codec_for(operation.service_model).parse_request(operation, _wire_body(protocol, request))


def roundtrip_response(operation, result: dict) -> dict:
    status, headers, body = codecs.codec_for(operation.service_model).serialize_response(operation, result, "req-1")
    assert status == 200
    assert headers["x-amzn-RequestId"] == "req-1"
    parser = botocore.parsers.create_parser(operation.service_model.protocol)
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    parsed = parser.parse(response, operation.output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    return parsed


@pytest.mark.parametrize("service,name", list(_operations()))
def test_every_request_round_trips_through_botocore_serializer(service, name):
    model = specs.service_model(service)
    operation = model.operation_model(name)
    if operation.input_shape is None:
        assert codecs.codec_for(model).parse_request(operation, b"") == {}
        return
    for seed in SEEDS:
        generator = Generator(seed)
        params = generator.value(operation.input_shape)
        assert not generator.failures
        assert validation.errors_for(operation, params) == []
        validation.validate(operation, params)
        parsed = roundtrip_request(operation, params)
        assert normalize(parsed) == normalize(params, drop_empty_maps=model.protocol == "query")


@pytest.mark.parametrize("service,name", list(_operations()))
def test_every_response_round_trips_through_botocore_parser(service, name):
    operation = specs.service_model(service).operation_model(name)
    if operation.output_shape is None:
        assert roundtrip_response(operation, {}) == {}
        return
    for seed in SEEDS:
        result = Generator(seed).value(operation.output_shape)
        assert normalize(roundtrip_response(operation, result)) == normalize(result)


def _errors():
    for service in specs.SERVICES:
        for shape in specs.service_model(service).error_shapes:
            yield service, shape.name


@pytest.mark.parametrize("service,shape_name", list(_errors()))
def test_every_modeled_error_round_trips_through_botocore_parser(service, shape_name):
    model = specs.service_model(service)
    message = "Role <x> & 'y' — not found: 中"
    status, headers, body = codecs.codec_for(model).serialize_error(model, ServiceError(shape_name, message), "req-9")
    parser = botocore.parsers.create_parser(model.protocol)
    parsed = parser.parse({"status_code": status, "headers": HeadersDict(headers), "body": body}, None)
    shape = model.shape_for(shape_name)
    wire = shape.metadata.get("error", {})
    assert parsed["Error"]["Code"] == wire.get("code", shape_name)
    assert parsed["Error"]["Message"] == message
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"
    expected_status = wire.get("httpStatusCode") or (500 if shape._shape_model.get("fault") else 400)
    assert status == parsed["ResponseMetadata"]["HTTPStatusCode"] == expected_status
    if model.protocol == "query":
        assert parsed["Error"]["Type"] == ("Sender" if expected_status < 500 else "Receiver")
    else:
        assert headers["x-amzn-ErrorType"] == shape_name
