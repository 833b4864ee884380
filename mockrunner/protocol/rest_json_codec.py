"""The AWS ``rest-json`` protocol (IAM Toolbox), walked from botocore shapes.

An operation is named by its HTTP method and path (the model's ``requestUri``, ``{label}`` segments matched one
path segment each); its input members are read from where the model locates them (``uri`` labels, the query
string, headers; the rest from the JSON body, parsed as :mod:`json_codec` parses awsJson).  Answers are the output
shape's body members as JSON; errors carry their code in ``x-amzn-ErrorType`` and ``{"message": ...}`` in the body.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel, Shape

from mockrunner.errors import ServiceError
from mockrunner.protocol import json_codec, specs

_LABEL = re.compile(r"\{([^}]+)\}")
_URI_LOCATIONS = frozenset({"uri", "querystring", "header", "headers", "statusCode"})


@functools.cache
def _routes(service_name: str) -> tuple[tuple[str, re.Pattern[str], OperationModel], ...]:
    """(method, path pattern, operation) of every operation of ``service_name``, longest literal path first."""
    service = specs.service_model(service_name)
    routes = []
    for name in service.operation_names:
        operation = service.operation_model(name)
        uri = operation.http["requestUri"].split("?", 1)[0]
        pattern, position = "", 0
        for label in _LABEL.finditer(uri):
            pattern += re.escape(uri[position:label.start()])
            member = label.group(1)
            greedy = member.endswith("+")
            pattern += f"(?P<{_group(member.rstrip('+'))}>{'.*' if greedy else '[^/]*'})"
            position = label.end()
        pattern += re.escape(uri[position:])
        routes.append((operation.http["method"], re.compile(pattern), operation))
    routes.sort(key=lambda route: -len(route[1].pattern))
    return tuple(routes)


def _group(label: str) -> str:
    return "l_" + re.sub(r"\W", "_", label)


def route(service: ServiceModel, method: str, path: str, raw_path: str | None = None
          ) -> tuple[OperationModel, dict[str, str]]:
    """The operation ``method path`` names and its URI labels' values, or the error an unknown route answers
    (404 ``UnknownOperationException``; for a known path with another method, 405: unverified).

    ``raw_path`` (the path as sent, percent-encoded) is matched first and each label decoded on its own, so an
    encoded ``/`` (``%2F``) stays inside its label as a client's serializer put it there; then ``path`` (decoded)."""
    path_matched = False
    tries = ((raw_path, unquote), (path, str)) if raw_path is not None and "%" in raw_path else ((path, str),)
    for candidate, decode in tries:
        for route_method, pattern, operation in _routes(service.service_name):
            found = pattern.fullmatch(candidate)
            if found is None:
                continue
            path_matched = True
            if route_method == method:
                labels = _LABEL.findall(operation.http["requestUri"].split("?", 1)[0])
                return operation, {label.rstrip("+"): decode(found.group(_group(label.rstrip("+"))))
                                   for label in labels}
        if path_matched:
            break
    if path_matched:
        raise ServiceError("UnknownOperationException", f"The method {method} is not allowed here.", 405)
    raise ServiceError("UnknownOperationException", f"No operation is addressed to {path}.", 404)


def parse_request(operation: OperationModel, body: bytes, query_params: Mapping[str, str] | None = None,
                  uri_params: Mapping[str, str] | None = None) -> dict:
    """The input members: URI labels and query-string members by their ``locationName``, body members from the
    JSON document (every input of IAM Toolbox is located in the URI)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    located = {name: member for name, member in shape.members.items()
               if member.serialization.get("location") in _URI_LOCATIONS}
    params: dict[str, Any] = {}
    if len(located) < len(shape.members) and body and body.strip():
        params = json_codec.parse_request(operation, body)
        params = {name: value for name, value in params.items() if name not in located}
    query_params = query_params or {}
    uri_params = uri_params or {}
    for name, member in located.items():
        location = member.serialization.get("location")
        key = member.serialization.get("name", name)
        source = uri_params if location == "uri" else query_params if location == "querystring" else None
        if source is not None and key in source:
            params[name] = _scalar(member, source[key])
    return params


def _scalar(shape: Shape, text: str) -> Any:
    """A URI or query value as its shape's type (text that is not a number where one belongs is refused)."""
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise ServiceError("SerializationException", f"'{text}' is not an integer.", 400) from None
    if shape.type_name == "boolean":
        if text not in ("true", "false"):
            raise ServiceError("SerializationException", f"'{text}' is not a boolean.", 400)
        return text == "true"
    return json_codec._check_text(text)


def serialize_response(operation: OperationModel, result: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """The model's response code with the output shape's body members as JSON."""
    shape = operation.output_shape
    document = json_codec._serializer(shape)(result) if shape is not None else {}
    status = operation.http.get("responseCode", 200)
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    return status, headers, json.dumps(document, separators=(",", ":")).encode("utf-8")


def serialize_error(service: ServiceModel, error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """``x-amzn-ErrorType: <code>`` and ``{"message": text}``, with the status the model declares for the code."""
    code = specs.wire_error_code(service, error.code)
    status, _sender = specs.error_status(service, error.code)
    if error.status is not None:
        status = error.status
    document: dict[str, Any] = {"message": error.message}
    if error.extra:
        document.update(error.extra)
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
    return status, headers, json.dumps(document, separators=(",", ":")).encode("utf-8")
