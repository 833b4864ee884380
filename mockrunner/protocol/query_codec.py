"""The AWS ``query`` protocol (IAM, STS), walked from botocore shapes.

Requests are form fields named the way botocore's ``QuerySerializer`` names them (``Tags.member.1.Key``,
``Map.entry.1.key``, flattened lists without ``.member``, ``locationName`` overrides) and the way the SDKs generated
from Smithy do (AWS's protocol tests: a flattened list is named after its structure member, ``Hi.1``, where botocore
uses its list member's ``locationName``); an empty list is sent as ``Name=`` and is parsed back to ``[]``.
Scalars arrive as text and are converted to the shape's type here.  As IAM answers (recorded from AWS, 2026-09-12:
radkawar/stackd, testdata/aws/iam/pagination_inputs.json, credential_inputs.json, query_collections.json):
an integer is decimal digits with an optional sign and leading zeros (``01``, ``+1``) within 32 bits (64 for a
long); anything else (`` 1 ``, ``1.0``, ``1e0``, ``2147483648``) is ``MalformedInput``; a boolean is ``true``,
``false``, ``1`` or ``0`` exactly (``True``, `` true``, ``null``, ``""`` are ``MalformedInput``).  A list index is
decimal digits (``01`` is 1): ``+1`` or ``one`` is "Start of list found where not expected", ``0`` "0 is not a valid
index", ``-1`` "Key -1 may not have a leading '-'", and an index more than ten past the list so far "Excessively
sparse input would skip <n> list elements" (``n`` the index less the list's length, at least one), all
``MalformedInput``; a smaller gap leaves null elements, a ``ValidationError``
(:func:`mockrunner.protocol.validation.null_elements`).  In a list of structures (recorded from AWS for TagUser's
``Tags``, 2026-09-12: radkawar/stackd, testdata/aws/iam/tag_inputs.json) a gap leaves empty elements, whose
required members are then null; ``Tags.member.one.Key`` (or ``+1``) is one such element; ``Tags.member.1.0.Key``
is "Two index elements may not occur back to back"; and an element's fields under two spellings of its index
(``01``, ``1``) make one element.  A map's ``entry.N`` indexes are read as a list's are; entries missing their key
or value are skipped, and a map left with no entry is absent (*unverified*: AWS's answers for such maps are not on
record).  The words of the scalar refusals are mockrunner's (Java's ``NumberFormatException`` text for numbers;
*unverified*) but for an empty number, "missing value for decimal type" (recorded from AWS STS: docs/behaviour.md,
"Query protocol: which parameters are read"); STS, on the same protocol, reads integers alike
(recorded from AWS, 2026-09-12: radkawar/stackd, testdata/aws/sts/query_inputs.json, GetSessionToken's
``DurationSeconds``) and is taken to answer the rest alike (*unverified*).

Responses are built as strings: ``<{Op}Response><{Op}Result>...`` with ``<member>`` lists and
``<entry><key/><value/></entry>`` maps, matching what botocore's ``QueryParser`` reads.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel, Shape

from mockrunner.errors import ServiceError
from mockrunner.protocol import specs, timestamps
from mockrunner.protocol.compiled import Memo
from mockrunner.protocol.validation import null_elements

_MISSING = object()
Parse = Callable[[dict, dict, str], Any]

MAX_FORM_FIELDS = 20_000
"""Fields a form body may carry (mockrunner's bound: AWS's is not public).  The largest real requests (50 tags,
a simulation with hundreds of actions and context values) stay far below; a body of millions of tiny fields would
otherwise take gigabytes to parse."""


def _coral_path(key: str) -> str:
    return ".".join(part[:1].lower() + part[1:] for part in key.split("."))


def _malformed(message: str) -> ServiceError:
    return ServiceError("MalformedInput", message, 400)


def _bad_value(key: str, text: str, wanted: str) -> ServiceError:
    if wanted in ("an integer", "a long", "a number"):
        return _malformed("missing value for decimal type" if text == "" else f'For input string: "{text}"')
    return _malformed(f"Value '{text}' at '{_coral_path(key)}' is not {wanted}")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _wire_name(shape: Shape, default: str) -> str:
    return shape.serialization.get("name", default)


# --------------------------------------------------------------------------------------------- request parsing
def _parse_structure(shape: Shape) -> Parse:
    table = [(name, _wire_name(member, name), _parser(member)) for name, member in shape.members.items()]

    def parse(flat: dict, prefixes: dict, key: str) -> Any:
        if key and key not in prefixes:
            return _MISSING
        out = {}
        for name, wire, fn in table:
            value = fn(flat, prefixes, f"{key}.{wire}" if key else wire)
            if value is not _MISSING:
                out[name] = value
        return out

    return parse


def _parse_list(shape: Shape) -> Parse:
    element = _parser(shape.member)
    structures = shape.member.type_name == "structure"
    flattened = shape.serialization.get("flattened", False)
    member_name = shape.member.serialization.get("name")

    def parse(flat: dict, prefixes: dict, key: str) -> Any:
        if not flattened:
            base = f"{key}.{member_name or 'member'}"
        elif key in prefixes or member_name is None:
            base = key  # Smithy's SDKs: ``Name.1`` under the structure member's (possibly xmlName'd) name
        else:
            base = ".".join(key.split(".")[:-1] + [member_name])  # botocore: the list member's locationName
        if base not in prefixes:
            # botocore sends ``Name=`` for an empty list.
            return [] if flat.get(key, _MISSING) == "" else _MISSING
        if structures and not any(token.isascii() and token.isdigit() for token in prefixes[base]) \
                and not any(token.startswith("-") for token in prefixes[base]):
            # ``Tags.member.one.Key``: one element holding nothing (recorded, module docstring).
            raise null_elements(shape, _coral_path(key), [1])
        spellings = _list_tokens(prefixes[base])
        indexes = [_index(tokens[0]) for tokens in spellings]
        if indexes[-1] != len(indexes):
            raise null_elements(shape, _coral_path(key), sorted(set(range(1, indexes[-1] + 1)) - set(indexes)))
        out = []
        for tokens in spellings:
            value: Any = _MISSING
            for token in tokens:
                below = prefixes.get(f"{base}.{token}", ())
                if structures and any(part.isascii() and part.isdigit() for part in below):
                    raise _malformed("Two index elements may not occur back to back")
                found = element(flat, prefixes, f"{base}.{token}")
                if found is not _MISSING:
                    value = {**found, **value} if structures and value is not _MISSING else \
                        (found if value is _MISSING else value)
            if value is _MISSING:
                return out  # fields below an element but not the element itself (``Names.member.1.x``)
            out.append(value)
        return out

    return parse


_MAX_SKIP = 10
"""How far past a list's end an index may land before IAM calls the input excessively sparse."""


_MAX_INDEX = (1 << 31) - 1


def _index(token: str) -> int:
    """A list index token (ASCII digits) as a number: leading zeros of any length are read (``0001`` is 1); an
    index past a 32-bit integer is ``MalformedInput`` 'For input string: "<token>"', Java's words for a number it
    cannot hold (*unverified*), never a digit string Python refuses to convert (more than 4,300 digits)."""
    significant = token.lstrip("0") or "0"
    if len(significant) > len(str(_MAX_INDEX)) or int(significant) > _MAX_INDEX:
        raise _malformed(f'For input string: "{token}"')
    return int(significant)


def _list_tokens(tokens: set[str]) -> list[list[str]]:
    """The index tokens of a list's fields in index order, each index's spellings together (``01`` and ``1``);
    IAM's ``MalformedInput`` for an index that is not one or leaves too wide a gap (module docstring)."""
    by_index: dict[int, list[str]] = {}
    for token in tokens:
        if token.startswith("-"):
            raise _malformed(f"Key {token} may not have a leading '-'")
        if not (token.isascii() and token.isdigit()):
            raise _malformed("Start of list found where not expected")
        index = _index(token)
        if index == 0:
            raise _malformed("0 is not a valid index")
        by_index.setdefault(index, []).append(token)
    ordered = sorted(by_index)
    length = 0
    for index in ordered:
        skip = index - max(length, 1)
        if skip > _MAX_SKIP:
            raise _malformed(f"Excessively sparse input would skip {skip} list elements")
        length = index
    return [sorted(by_index[index], key=len) for index in ordered]


def _parse_map(shape: Shape) -> Parse:
    key_parser, value_parser = _parser(shape.key), _parser(shape.value)
    key_name, value_name = _wire_name(shape.key, "key"), _wire_name(shape.value, "value")
    flattened = shape.serialization.get("flattened", False)

    def parse(flat: dict, prefixes: dict, key: str) -> Any:
        base = key if flattened else f"{key}.entry"
        if base not in prefixes:
            return _MISSING
        out = {}
        for tokens in _list_tokens(prefixes[base]):
            for token in tokens:
                entry_key = key_parser(flat, prefixes, f"{base}.{token}.{key_name}")
                value = value_parser(flat, prefixes, f"{base}.{token}.{value_name}")
                if entry_key is not _MISSING and value is not _MISSING:
                    out.setdefault(entry_key, value)
        return out or _MISSING

    return parse


def _scalar(convert: Callable[[str], Any], wanted: str) -> Callable[[Shape], Parse]:
    def compile_(shape: Shape) -> Parse:
        def parse(flat: dict, prefixes: dict, key: str) -> Any:
            text = flat.get(key, _MISSING)
            if text is _MISSING:
                return _MISSING
            try:
                return convert(text)
            except (ValueError, OverflowError, OSError, binascii.Error):
                raise _bad_value(key, text, wanted) from None

        return parse

    return compile_


_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _boolean(text: str) -> bool:
    if text not in _BOOLEANS:
        raise ValueError(text)
    return _BOOLEANS[text]


def _blob(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")


def _integer(text: str, bits: int = 32) -> int:
    """A decimal integer as SDKs write one (``-12``) that fits ``bits`` signed bits; not Python's other spellings
    (``1_000``, `` 7 ``)."""
    if not _INTEGER.fullmatch(text):
        raise ValueError(text)
    sign, digits = (text[0], text[1:]) if text[0] in "+-" else ("", text)
    value = int(sign + (digits.lstrip("0") or "0"))  # 5,000 leading zeros are read, as Java's parseInt reads them
    if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
        raise ValueError(text)
    return value


def _long(text: str) -> int:
    return _integer(text, 64)


def _number(text: str) -> float:
    """A decimal number as SDKs write one, ``NaN`` and ``Infinity`` included (AWS's protocol tests); not Python's
    other spellings (``inf``, ``nan``, ``1_0``, surrounding spaces)."""
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    return float(text)


_PARSERS = {
    "structure": _parse_structure, "list": _parse_list, "map": _parse_map,
    "string": _scalar(str, "a string"), "integer": _scalar(_integer, "an integer"),
    "long": _scalar(_long, "a long"), "float": _scalar(_number, "a number"), "double": _scalar(_number, "a number"),
    "boolean": _scalar(_boolean, "a boolean"), "timestamp": _scalar(timestamps.parse_text, "a timestamp"),
    "blob": _scalar(_blob, "base64-encoded binary data"),
}
_parser = Memo(lambda shape: _PARSERS.get(shape.type_name, _PARSERS["string"])(shape))


_RECURSIVE_DEPTH = 64
"""The depth read for a shape that contains itself (no query API has one): a bound, not a limit anyone meets."""
_CONTAINER_SEGMENTS = {("list", False): 2, ("list", True): 1, ("map", False): 3, ("map", True): 2}
"""Name segments a list or map adds below its own name: ``.member.N`` / ``.N``, ``.entry.N.key`` / ``.N.key``."""


def _depth(shape: Shape, seen: frozenset[str] = frozenset()) -> int:
    """The most name segments a field read for ``shape`` has below its own name."""
    if shape.name in seen:
        return _RECURSIVE_DEPTH
    seen = seen | {shape.name}
    kind = shape.type_name
    if kind == "structure":
        return max((1 + _depth(member, seen) for member in shape.members.values()), default=0)
    if kind in ("list", "map"):
        below = _depth(shape.member, seen) if kind == "list" else max(_depth(shape.key, seen),
                                                                      _depth(shape.value, seen))
        return _CONTAINER_SEGMENTS[kind, bool(shape.serialization.get("flattened"))] + below
    return 0


_input_depth = Memo(_depth)


def _prefixes(flat: Mapping[str, str], depth: int) -> dict[str, set[str]]:
    """The dotted prefixes of every key a parser may ask about ("is anything under ``Tags.member.3``?", in O(1)):
    those ending at one of the key's first ``depth`` dots, each with the segments that follow it (a list's index
    tokens).  A key nested deeper than the input shape reads is never asked about below that, so ``a.a.a...``
    (50,000 segments) costs ``depth`` prefixes, not 50,000 of up to 100 KB each."""
    found: dict[str, set[str]] = {}
    for key in flat:
        end, count = key.find("."), 0
        while end != -1 and count < depth:
            following = key.find(".", end + 1)
            found.setdefault(key[:end], set()).add(key[end + 1:following if following != -1 else len(key)])
            end, count = following, count + 1
    return found


def check_field_count(body: bytes) -> None:
    """``MalformedQueryString`` for a form body of more than :data:`MAX_FORM_FIELDS` fields (counted, not parsed)."""
    if body.count(b"&") >= MAX_FORM_FIELDS:
        raise ServiceError("MalformedQueryString", f"The request has more than {MAX_FORM_FIELDS} parameters.", 400)


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """The fields of a form body, decoded; ``MalformedQueryString`` for a body that is not UTF-8 form encoding
    or has too many fields (:func:`check_field_count`)."""
    check_field_count(body)
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        message = "The request body is not a valid UTF-8 form-encoded query string."
        raise ServiceError("MalformedQueryString", message, 400) from None


EMPTY_LIST_IS_ABSENT = frozenset({"sts"})
"""Services that read a top-level list sent as ``Name=`` (botocore's empty list) as no value: STS answered
GetWebIdentityToken's ``Audience=[]`` "Value null at 'audience' failed to satisfy constraint: Member must not be
null" (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/outbound_identity.json,
"original_audience_empty_list"), where IAM reads ``Tags=`` as an empty list (TagUser: "The provided tag map must not
be null/empty.", tests/iam/test_stackd_recordings.py).  STS's other lists are taken to read alike (*unverified*)."""


def first_values(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``fields`` as a mapping holding each name's first value: IAM and STS read a parameter sent twice by its first
    value (docs/behaviour.md, "Query protocol: which parameters are read")."""
    values: dict[str, str] = {}
    for name, value in fields:
        values.setdefault(name, value)
    return values


def is_form_encoded(content_type: str) -> bool:
    """Whether a ``Content-Type`` header says the body is form encoding, the only body IAM and STS read."""
    return content_type.partition(";")[0].strip().lower() == "application/x-www-form-urlencoded"


def parse_request(operation: OperationModel, body: bytes, query_params: Mapping[str, str] | None = None,
                  uri_params: Mapping[str, str] | None = None) -> dict:
    """Form body (merged over URL ``query_params``) as the Python values the boto3 caller passed, each parameter by
    its first value (``uri_params``: unused by query)."""
    flat: dict[str, str] = dict(query_params or {})
    if body:
        flat.update(first_values(form_fields(body)))
    shape = operation.input_shape
    if shape is None:
        return {}
    params = _parser(shape)(flat, _prefixes(flat, _input_depth(shape)), "")
    if operation.service_model.service_name in EMPTY_LIST_IS_ABSENT:
        params = {name: value for name, value in params.items() if not (value == [] and flat.get(name) == "")}
    return params


# ------------------------------------------------------------------------------------- response serialization
Serialize = Callable[[Any, list, str], None]
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
# Characters XML 1.0 forbids even as references (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates):
# echoing one (a NUL in a rejected name, say) would make the whole answer unparseable for every SDK.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """Text content for XML; characters XML cannot carry become U+FFFD (AWS's exact rendering is unverified)."""
    text = text.translate(_ESCAPES)
    return _NOT_XML.sub("\ufffd", text) if not text.isprintable() else text


def _member_tag(member: Shape, name: str) -> str:
    """The element name botocore's XML parser looks for (``BaseXMLResponseParser._member_key_name``)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner is not None:
            return inner
    return member.serialization.get("name", name)


def _serialize_structure(shape: Shape) -> Serialize:
    table = {name: (_member_tag(member, name), _serializer(member)) for name, member in shape.members.items()}

    def body(value: Mapping[str, Any], out: list) -> None:
        for name, item in value.items():
            if item is None or name not in table:
                continue
            tag, fn = table[name]
            fn(item, out, tag)

    def serialize(value: Mapping[str, Any], out: list, tag: str) -> None:
        out.append(f"<{tag}>")
        body(value, out)
        out.append(f"</{tag}>")

    serialize.body = body  # type: ignore[attr-defined]
    return serialize


def _serialize_list(shape: Shape) -> Serialize:
    element = _serializer(shape.member)
    if shape.serialization.get("flattened"):
        def flattened(value: list, out: list, tag: str) -> None:
            for item in value:
                element(item, out, tag)

        return flattened
    inner = _wire_name(shape.member, "member")

    def serialize(value: list, out: list, tag: str) -> None:
        out.append(f"<{tag}>")
        for item in value:
            element(item, out, inner)
        out.append(f"</{tag}>")

    return serialize


def _serialize_map(shape: Shape) -> Serialize:
    key_fn, value_fn = _serializer(shape.key), _serializer(shape.value)
    key_tag, value_tag = _wire_name(shape.key, "key"), _wire_name(shape.value, "value")

    def entries(value: Mapping[str, Any], out: list, tag: str) -> None:
        for key, item in value.items():
            out.append(f"<{tag}>")
            key_fn(key, out, key_tag)
            if item is not None:
                value_fn(item, out, value_tag)
            out.append(f"</{tag}>")

    if shape.serialization.get("flattened"):
        return entries

    def serialize(value: Mapping[str, Any], out: list, tag: str) -> None:
        out.append(f"<{tag}>")
        entries(value, out, "entry")
        out.append(f"</{tag}>")

    return serialize


def _text(render: Callable[[Any], str]) -> Callable[[Shape], Serialize]:
    def compile_(shape: Shape) -> Serialize:
        def serialize(value: Any, out: list, tag: str) -> None:
            out.append(f"<{tag}>{render(value)}</{tag}>")

        return serialize

    return compile_


def _render_string(value: Any) -> str:
    return _escape(value if isinstance(value, str) else str(value))


def _render_blob(value: bytes | str) -> str:
    return base64.b64encode(value.encode("utf-8") if isinstance(value, str) else value).decode("ascii")


def _serialize_timestamp(shape: Shape) -> Serialize:
    return _text(timestamps.FORMATTERS[shape.serialization.get("timestampFormat", "iso8601")])(shape)


_SERIALIZERS = {
    "structure": _serialize_structure, "list": _serialize_list, "map": _serialize_map,
    "string": _text(_render_string), "integer": _text(str), "long": _text(str),
    "float": _text(repr), "double": _text(repr),
    "boolean": _text(lambda value: "true" if value else "false"),
    "timestamp": _serialize_timestamp, "blob": _text(_render_blob),
}
_serializer = Memo(lambda shape: _SERIALIZERS.get(shape.type_name, _SERIALIZERS["string"])(shape))


def _xmlns(service: ServiceModel) -> str:
    return service.metadata.get("xmlNamespace") or f"https://{service.endpoint_prefix}.amazonaws.com/doc/" \
        f"{service.api_version}/"


def serialize_response(operation: OperationModel, result: dict, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """200 with ``<{Op}Response><{Op}Result>...</{Op}Result><ResponseMetadata>...``."""
    name = operation.name
    out = [f'<{name}Response xmlns="{_xmlns(operation.service_model)}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        out.append(f"<{wrapper}>")
        _serializer(shape).body(result, out)
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{_escape(request_id)}</RequestId></ResponseMetadata></{name}Response>")
    return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, "".join(out).encode("utf-8")


FAULT_NAMESPACES = {"InvalidAction": "http://webservices.amazon.com/AWSFault/2005-15-09"}
"""Errors the query front end answers in a namespace of its own rather than the service's (recorded from AWS STS:
docs/behaviour.md, "Query protocol: which parameters are read")."""


def serialize_error(service: ServiceModel, error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`` (IAM and STS alike);
    an error with an empty message has no ``<Message>``, as IAM's ReportNotPresent (clients then see no Message)."""
    code = specs.wire_error_code(service, error.code)
    status, sender = specs.error_status(service, error.code)
    if error.status is not None:
        status = error.status
    if error.sender_fault is not None:
        sender = error.sender_fault
    out = [
        f'<ErrorResponse xmlns="{FAULT_NAMESPACES.get(code) or _xmlns(service)}"><Error>'
        f'<Type>{"Sender" if sender else "Receiver"}</Type>',
        f"<Code>{_escape(code)}</Code>",
    ]
    if error.message:
        out.append(f"<Message>{_escape(error.message)}</Message>")
    if error.extra:
        shape = specs.error_shapes(service).get(error.code)
        if shape is not None:
            _serializer(shape).body(error.extra, out)
        else:
            out.extend(f"<{key}>{_render_string(value)}</{key}>" for key, value in error.extra.items())
    out.append(f"</Error><RequestId>{_escape(request_id)}</RequestId></ErrorResponse>")
    return status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, "".join(out).encode("utf-8")
