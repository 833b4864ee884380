"""The AWS ``json`` protocol (1.0 App Runner, 1.1 ECR), walked from botocore shapes.

Requests are parsed strictly by JSON type, as Coral does: a value whose JSON type cannot be the shape's type
(a string where an integer or a structure belongs) is a ``SerializationException`` at parse time, so
:mod:`validation` only ever sees well-typed values.  Numbers are accepted for integers only when integral.
Unknown members and ``null`` values are dropped (AWS ignores both).

Responses drop ``None`` members and members the output shape does not declare, so a handler cannot leak internal
fields onto the wire.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from mockrunner import json_nesting
from mockrunner.errors import ServiceError
from mockrunner.protocol import specs, timestamps
from mockrunner.protocol.compiled import Memo

Parse = Callable[[Any], Any]

# Coral's names for JSON token types, used in its SerializationException messages.
_JSON_KIND = {str: "STRING_VALUE", int: "NUMBER_VALUE", float: "NUMBER_VALUE", bool: "BOOLEAN_VALUE",
              list: "START_ARRAY", dict: "START_OBJECT"}


def _mismatch(value: Any, wanted: str) -> ServiceError:
    kind = _JSON_KIND.get(type(value), type(value).__name__)
    return ServiceError("SerializationException", f"{kind} can not be converted to {wanted}", 400)


# --------------------------------------------------------------------------------------------- request parsing
def _parse_structure(shape: Shape) -> Parse:
    table = {name: _parser(member) for name, member in shape.members.items()}

    def parse(value: Any) -> dict:
        if type(value) is not dict:
            raise ServiceError("SerializationException", "Start of structure or map found where not expected.", 400)
        out = {}
        for key, item in value.items():
            fn = table.get(key)
            if fn is not None and item is not None:
                out[key] = fn(item)
        return out

    return parse


def _parse_list(shape: Shape) -> Parse:
    element = _parser(shape.member)

    def parse(value: Any) -> list:
        if type(value) is not list:
            raise _mismatch(value, "a List")
        return [element(item) for item in value]

    return parse


def _parse_map(shape: Shape) -> Parse:
    element = _parser(shape.value)

    def parse(value: Any) -> dict:
        if type(value) is not dict:
            raise _mismatch(value, "a Map")
        return {_check_text(key): element(item) for key, item in value.items() if item is not None}

    return parse


def _unpaired_surrogate(text: str) -> bool:
    """JSON's ``\\ud800`` escapes (and CESU bytes, which Python's decoder lets through) can spell half a UTF-16 pair.

    Such a string is not Unicode text: it cannot be measured, stored or echoed as UTF-8, so it is refused at the
    door, as a malformed request (AWS's wording for this case is unverified).
    """
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_text(value: str) -> str:
    if _unpaired_surrogate(value):
        raise ServiceError("SerializationException", "A string holds an unpaired UTF-16 surrogate.", 400)
    return value


def _parse_string(shape: Shape) -> Parse:
    def parse(value: Any) -> str:
        if type(value) is not str:
            raise _mismatch(value, "an String")
        return _check_text(value)

    return parse


def _parse_integer(shape: Shape) -> Parse:
    def parse(value: Any) -> int:
        if type(value) is int:
            return value
        if type(value) is float and value.is_integer():
            return int(value)
        raise _mismatch(value, "an Integer")

    return parse


SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
"""The strings awsJson sends for the floats JSON has no number for (Smithy's protocol tests, every SDK)."""


def _parse_float(shape: Shape) -> Parse:
    def parse(value: Any) -> float:
        if type(value) is float or type(value) is int:
            return value
        if type(value) is str and value in SPECIAL_FLOATS:
            return SPECIAL_FLOATS[value]
        raise _mismatch(value, "a Double")

    return parse


def _parse_boolean(shape: Shape) -> Parse:
    def parse(value: Any) -> bool:
        if type(value) is not bool:
            raise _mismatch(value, "a Boolean")
        return value

    return parse


def _parse_timestamp(shape: Shape) -> Parse:
    def parse(value: Any) -> datetime:
        try:
            if type(value) is int or type(value) is float:
                return timestamps.from_epoch(value)
            if type(value) is str:
                return timestamps.parse_text(value)
        except (ValueError, OverflowError, OSError, TypeError):
            pass
        raise _mismatch(value, "a Date")

    return parse


def _parse_blob(shape: Shape) -> Parse:
    def parse(value: Any) -> bytes:
        if type(value) is not str:
            raise _mismatch(value, "a ByteBuffer")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ServiceError("SerializationException", "Base64 encoded value could not be decoded.", 400) from None

    return parse


def _parse_document(shape: Shape) -> Parse:
    return lambda value: value


_PARSERS = {
    "structure": _parse_structure, "list": _parse_list, "map": _parse_map, "string": _parse_string,
    "integer": _parse_integer, "long": _parse_integer, "float": _parse_float, "double": _parse_float,
    "boolean": _parse_boolean, "timestamp": _parse_timestamp, "blob": _parse_blob,
}


def _compile_parser(shape: Shape) -> Parse:
    """A document (botocore: a structure with the ``document`` trait) is any JSON value, kept as sent."""
    if shape.metadata.get("document"):
        return _parse_document(shape)
    return _PARSERS.get(shape.type_name, _parse_document)(shape)


_parser = Memo(_compile_parser)


def parse_request(operation: OperationModel, body: bytes, query_params: Mapping[str, str] | None = None,
                  uri_params: Mapping[str, str] | None = None) -> dict:
    """The request document as the Python values the boto3 caller passed; ``query_params`` and ``uri_params`` are
    unused by json."""
    if not body or not body.strip():
        document: Any = {}
    else:
        try:
            document = json_nesting.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: thousands of nested arrays/objects exhaust the C decoder's stack guard.
            raise ServiceError("SerializationException", "Unable to parse the request body as JSON.", 400) from None
    if type(document) is not dict:
        raise ServiceError("SerializationException", "Start of structure or map found where not expected.", 400)
    shape = operation.input_shape
    if shape is None:
        return {}
    return _parser(shape)(document)


# ------------------------------------------------------------------------------------- response serialization
# A serializer of ``None`` means "the value is already its JSON form"; structures skip the call for those.
Serialize = Callable[[Any], Any] | None


def _serialize_structure(shape: Shape) -> Serialize:
    table = {name: _serializer(member) for name, member in shape.members.items()}

    def serialize(value: Mapping[str, Any]) -> dict:
        out = {}
        for key, item in value.items():
            if item is None or key not in table:
                continue
            fn = table[key]
            out[key] = item if fn is None else fn(item)
        return out

    return serialize


def _serialize_list(shape: Shape) -> Serialize:
    element = _serializer(shape.member)
    if element is None:
        return list
    return lambda value: [element(item) for item in value]


def _serialize_map(shape: Shape) -> Serialize:
    element = _serializer(shape.value)
    if element is None:
        return lambda value: {key: item for key, item in value.items() if item is not None}
    return lambda value: {key: element(item) for key, item in value.items() if item is not None}


def _serialize_timestamp(shape: Shape) -> Serialize:
    return timestamps.FORMATTERS[shape.serialization.get("timestampFormat", "unixTimestamp")]


def _serialize_blob(shape: Shape) -> Serialize:
    def serialize(value: bytes | str) -> str:
        if isinstance(value, str):
            value = value.encode("utf-8")
        return base64.b64encode(value).decode("ascii")

    return serialize


def _serialize_float(shape: Shape) -> Serialize:
    """NaN and the infinities as the strings awsJson carries them in (JSON has no number for them)."""
    def serialize(value: float) -> float | str:
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
        return value

    return serialize


_SERIALIZERS = {"structure": _serialize_structure, "list": _serialize_list, "map": _serialize_map,
                "timestamp": _serialize_timestamp, "blob": _serialize_blob, "float": _serialize_float,
                "double": _serialize_float}


def _compile_serializer(shape: Shape) -> Serialize:
    """A document is already its JSON form."""
    if shape.metadata.get("document"):
        return None
    return _SERIALIZERS.get(shape.type_name, lambda _shape: None)(shape)


_serializer = Memo(_compile_serializer)


def _content_type(service: ServiceModel) -> str:
    return f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"


def _dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def serialize_response(operation: OperationModel, result: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """200 with the result as the output shape's JSON document (``{}`` for operations without output)."""
    shape = operation.output_shape
    document = _serializer(shape)(result) if shape is not None else {}
    headers = {"Content-Type": _content_type(operation.service_model), "x-amzn-RequestId": request_id}
    return 200, headers, _dumps(document)


@specs.per_service
def _message_key(service: ServiceModel) -> str:
    """``Message`` or ``message``: the casing most of the service's error shapes use (App Runner vs ECR)."""
    votes = [name for shape in service.error_shapes for name in shape.members if name.lower() == "message"]
    return max(set(votes), key=votes.count) if votes else "message"


def serialize_error(service: ServiceModel, error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """``{"__type": code, "Message"|"message": text, ...extra}`` with the status the model declares for ``code``."""
    code = specs.wire_error_code(service, error.code)
    shape = specs.error_shapes(service).get(error.code)
    status, _sender = specs.error_status(service, error.code)
    if error.status is not None:
        status = error.status
    key = next((name for name in shape.members if name.lower() == "message"), None) if shape is not None else None
    document: dict[str, Any] = {"__type": code, key or _message_key(service): error.message}
    if error.extra:
        extra = _serializer(shape)(error.extra) if shape is not None else error.extra
        document.update(extra)
    headers = {"Content-Type": _content_type(service), "x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
    return status, headers, _dumps(document)
