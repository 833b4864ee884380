"""Requests built, and answers read, the way the AWS SDK for Java 2.x, the AWS SDK for .NET and the AWS SDK for Rust
build and read them, for IAM and STS (awsQuery), ECR (awsJson1_1) and App Runner (awsJson1_0).

None of the three can be installed here; each rule below is a small re-implementation of the SDK's own code, at the
path named beside it (aws/aws-sdk-java-v2, aws/aws-sdk-net, smithy-lang/smithy-rs and awslabs/aws-sdk-rust).  Used by
``tests/ways/test_other_sdk_wire.py``.  What each SDK sends and reads:
(docs/behaviour.md, "Sweep: the Java SDK v2, the .NET SDK and the Rust SDK on the wire").

Requests: a SigV4 signer of its own (:func:`sign`), so that each SDK's choice of signed headers is exactly its own,
and a transport that sends the bytes as built (``http.client`` with no headers of its own) or through the WSGI app in
process.  Answers: the query result's location (Java: the root's first child; Rust: ``{Op}Response`` then
``{Op}Result`` or an error; .NET: ``{Op}Result`` by path), the XML and JSON error envelopes, and the strictest of the
three SDKs' scalar rules (Rust's: ``true``/``false`` only, RFC 3339 timestamps, integers that are integers).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.model import Shape

from mockrunner.testing.inprocess import call_app

ACCESS_KEY, SECRET_KEY = "test", "test"
REGION = "us-east-1"
TIMEOUT = 10.0
JSON_TARGETS = {"ecr": "AmazonEC2ContainerRegistry_V20150921", "apprunner": "AppRunner"}
JSON_VERSIONS = {"ecr": "1.1", "apprunner": "1.0"}
QUERY_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}
_MODELS = botocore.session.get_session()


def model(service: str) -> Any:
    return _MODELS.get_service_model(service)


# ------------------------------------------------------------------------------------------------ what each SDK sends
@dataclass(frozen=True)
class Sdk:
    """What one SDK puts on the wire for these protocols.

    ``unsigned``: header names its signer leaves out of the signature (lower case).  ``sorts_query``: parameters sent
    in ordinal order of their names (.NET's ``ParameterCollection`` is a sorted dictionary: ``Tags.member.10`` before
    ``Tags.member.2``) rather than in the order the marshaller wrote them.  ``payload_header``: the signer sends the
    body's hash as ``X-Amz-Content-SHA256`` and signs it.  ``escapes_json``: the JSON writer escapes every non-ASCII
    character (and ``+<>&'``) as ``\\uXXXX``.
    """

    name: str
    query_content_type: str
    unsigned: frozenset[str]
    sorts_query: bool
    payload_header: bool
    escapes_json: bool
    extra: Callable[[str], dict[str, str]] = field(repr=False)


def _java_headers(service: str) -> dict[str, str]:
    return {"User-Agent": f"aws-sdk-java/2.31.0 md/io#sync md/http#Apache ua/2.1 api/{service}#2.31.0 os/Linux#6.1 "
                          "lang/java#21.0.5 md/OpenJDK_64-Bit_Server_VM#21.0.5 md/vendor#Eclipse_Adoptium m/D,N",
            "amz-sdk-invocation-id": str(uuid.uuid4()), "amz-sdk-request": "attempt=1; max=3"}


def _dotnet_headers(service: str) -> dict[str, str]:
    return {"User-Agent": f"aws-sdk-dotnet-coreclr/4.0.1.0 ua/2.1 os/linux#6.1 md/ARCH#X64 lang/.NET_Core#8.0.11 "
                          f"md/aws-sdk-dotnet-core#4.0.0.2 api/{service}#4.0.1.0 cfg/init-coll#1 m/a,b",
            "amz-sdk-invocation-id": str(uuid.uuid4()), "amz-sdk-request": "attempt=1; max=5"}


def _rust_headers(service: str) -> dict[str, str]:
    agent = f"aws-sdk-rust/1.3.9 ua/2.1 api/{service}/1.60.0 os/linux lang/rust/1.84.0"
    return {"user-agent": agent, "x-amz-user-agent": agent + " m/E,b",
            "amz-sdk-invocation-id": str(uuid.uuid4()), "amz-sdk-request": "attempt=1; max=3"}


JAVA = Sdk(
    # QueryParametersToBodyInterceptor (core/protocols/aws-query-protocol/.../interceptor): "charset=" + lower case;
    # signer ignore list: http-auth-aws V4CanonicalRequest / Aws4Signer LIST_OF_HEADERS_TO_IGNORE_IN_LOWER_CASE.
    "java-v2", "application/x-www-form-urlencoded; charset=utf-8",
    frozenset({"connection", "x-amzn-trace-id", "user-agent", "expect"}), False, False, False, _java_headers)
DOTNET = Sdk(
    # sdk/src/Core/Amazon.Runtime/Internal/Auth/AWS4Signer.cs: _headersToIgnoreWhenSigning, SetRequestBodyHash sets
    # X-Amz-Content-SHA256 on every request; generated marshallers (e.g. TagUserRequestMarshaller.cs) send an empty
    # list as "Tags=".
    ".net", "application/x-www-form-urlencoded; charset=utf-8",
    frozenset({"x-amzn-trace-id", "transfer-encoding", "amz-sdk-invocation-id", "amz-sdk-request", "user-agent",
               "x-amz-user-agent"}), True, True, True, _dotnet_headers)
RUST = Sdk(
    # sdk/sts/src/operation/get_caller_identity.rs: content type without charset, content_sha256_header = false;
    # aws-sigv4 settings: authorization, user-agent, x-amzn-trace-id, transfer-encoding are not signed.
    "rust", "application/x-www-form-urlencoded",
    frozenset({"authorization", "user-agent", "x-amzn-trace-id", "transfer-encoding"}), False, False, False,
    _rust_headers)
SDKS = (JAVA, DOTNET, RUST)


def form(action: str, version: str, fields: list[tuple[str, str]], sdk: Sdk) -> bytes:
    """The form body: ``Action`` and ``Version`` first (Java: QueryProtocolMarshaller; Rust: aws-smithy-query
    QueryWriter), then the fields; every name and value percent-encoded but for RFC 3986's unreserved characters (Java's
    SdkHttpUtils.urlEncode, Rust's urlencoding::encode, .NET's AWSSDKUtils.UrlEncode), a space as ``%20``."""
    pairs = [("Action", action), ("Version", version), *fields]
    if sdk.sorts_query:
        pairs.sort(key=lambda pair: pair[0].encode("utf-16-be"))  # StringComparer.Ordinal: UTF-16 code units
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs).encode("ascii")


_DOTNET_ESCAPED = str.maketrans({"+": "\\u002B", "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "'": "\\u0027"})


def json_body(document: dict, sdk: Sdk) -> bytes:
    """Compact JSON; .NET's writers escape every non-ASCII character (a pair of ``\\uD83D\\uDE00`` escapes for one
    outside the BMP) and, System.Text.Json's default encoder, ``+<>&'`` too."""
    if sdk.escapes_json:
        return json.dumps(document, separators=(",", ":"), ensure_ascii=True).translate(_DOTNET_ESCAPED).encode()
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _signing_key(date: str, service: str) -> bytes:
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (date, REGION, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(headers: dict[str, str], body: bytes, service: str, sdk: Sdk, when: datetime,
         access_key: str = ACCESS_KEY, secret: str | None = None, token: str | None = None) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` (and the session token, and .NET's payload hash) and ``Authorization``, every
    header signed but the ones ``sdk`` leaves out; header values trimmed with inner runs of spaces made one."""
    out = dict(headers)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    out["X-Amz-Date"] = amz_date
    if token is not None:
        out["X-Amz-Security-Token"] = token
    payload = hashlib.sha256(body).hexdigest()
    if sdk.payload_header:
        out["X-Amz-Content-SHA256"] = payload
    values = {name.lower(): " ".join(value.split()) for name, value in out.items()}
    signed = sorted(name for name in values if name not in sdk.unsigned)
    canonical = "\n".join(["POST", "/", "", "".join(f"{name}:{values[name]}\n" for name in signed), ";".join(signed),
                           payload])
    scope = f"{amz_date[:8]}/{REGION}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _signing_key(amz_date[:8], service) if secret is None else _key_for(secret, amz_date[:8], service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    out["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(signed)}, "
                            f"Signature={signature}")
    return out


def _key_for(secret: str, date: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, REGION, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


# ---------------------------------------------------------------------------------------------------- the transport
@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


class Wire:
    """Sends a request as built: over HTTP to ``server`` (no header but the ones given) or to ``app`` in process."""

    def __init__(self, server: Any = None, app: Any = None) -> None:
        self.server, self.app = server, app
        self.host = f"{server.host}:{server.port}" if server is not None else "localhost:4566"

    def send(self, headers: dict[str, str], body: bytes) -> Answer:
        if self.server is None:
            prepared = AWSRequest(method="POST", url=f"http://{self.host}/", data=body, headers=headers).prepare()
            response = call_app(self.app, prepared)
            return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)
        connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=TIMEOUT)
        try:
            connection.putrequest("POST", "/", skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()


@dataclass
class Client:
    """One SDK's client of one service over ``wire``, its clock ``offset`` from the real one."""

    wire: Wire
    sdk: Sdk
    service: str
    offset: timedelta = timedelta(0)
    access_key: str = ACCESS_KEY
    secret: str | None = None
    token: str | None = None

    def _send(self, headers: dict[str, str], body: bytes) -> Answer:
        base = {"Host": self.wire.host, **headers, "Content-Length": str(len(body)), **self.sdk.extra(self.service)}
        when = datetime.now(UTC) + self.offset
        headers = sign(base, body, self.service, self.sdk, when, self.access_key, self.secret, self.token)
        if self.sdk is RUST:  # the http crate keeps header names in lower case, and hyper writes them so
            headers = {name.lower(): value for name, value in headers.items()}
        return self.wire.send(headers, body)

    def query(self, action: str, fields: list[tuple[str, str]] | None = None) -> Answer:
        body = form(action, QUERY_VERSIONS[self.service], fields or [], self.sdk)
        return self._send({"Content-Type": self.sdk.query_content_type}, body)

    def json(self, operation: str, document: dict | None = None) -> Answer:
        headers = {"Content-Type": f"application/x-amz-json-{JSON_VERSIONS[self.service]}",
                   "X-Amz-Target": f"{JSON_TARGETS[self.service]}.{operation}"}
        return self._send(headers, json_body(document or {}, self.sdk))


# ------------------------------------------------------------------------------------------ scalar rules (strictest)
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)")
_LIMITS = {"integer": 31, "long": 63}


class Unreadable(AssertionError):
    """What an SDK's deserializer would fail on."""


def _xml_scalar(shape: Shape, text: str) -> Any:
    """A query answer's text as the SDKs read it: Rust's ``parse_smithy_primitive`` (``true``/``false`` only; integers
    that fit), ``DateTime::from_str(.., Format::DateTime)`` (RFC 3339), base64 blobs; Java's ``Double.parseDouble``
    reads no ``inf``/``nan``, only ``Infinity``/``NaN``."""
    kind = shape.type_name
    if kind in _LIMITS:
        if not re.fullmatch(r"[+-]?\d+", text) or not -(1 << _LIMITS[kind]) <= int(text) < 1 << _LIMITS[kind]:
            raise Unreadable(f"{kind} {text!r}")
        return int(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise Unreadable(f"boolean {text!r}")
        return text == "true"
    if kind == "timestamp":
        if not _RFC3339.fullmatch(text):
            raise Unreadable(f"timestamp {text!r}")
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    if kind == "blob":
        return base64.b64decode(text, validate=True)
    if kind in ("float", "double"):
        if text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        if not _DECIMAL.fullmatch(text):
            raise Unreadable(f"{kind} {text!r}")
        return float(text)
    return text


def xml_value(shape: Shape, element: ET.Element) -> Any:
    """``element`` read as ``shape`` (members by their wire names; unknown elements ignored, as all three do)."""
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            found = element.find(wire_name)
            if found is not None:
                out[name] = xml_value(member, found)
        return out
    if kind == "list":
        tag = shape.member.serialization.get("name", "member")
        return [xml_value(shape.member, child) for child in element.findall(tag)]
    if kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        return {entry.findtext(key_tag): xml_value(shape.value, entry.find(value_tag))
                for entry in element.findall("entry")}
    return _xml_scalar(shape, element.text or "")


def _json_scalar(shape: Shape, value: Any) -> Any:
    """Rust's awsJson deserializers: ``expect_string_or_null``, ``expect_bool_or_null``, numbers converted losslessly
    (aws-smithy-types ``Number``: a float only when integral), ``expect_timestamp_or_null(EpochSeconds)`` (a
    number), base64 blobs; NaN and the infinities as strings."""
    kind = shape.type_name
    if kind in ("string",):
        if type(value) is not str:
            raise Unreadable(f"string {value!r}")
        return value
    if kind in _LIMITS:
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int or not -(1 << _LIMITS[kind]) <= value < 1 << _LIMITS[kind]:
            raise Unreadable(f"{kind} {value!r}")
        return value
    if kind == "boolean":
        if type(value) is not bool:
            raise Unreadable(f"boolean {value!r}")
        return value
    if kind == "timestamp":
        if type(value) not in (int, float) or not math.isfinite(value):
            raise Unreadable(f"timestamp {value!r}")
        return datetime.fromtimestamp(value, UTC)
    if kind == "blob":
        return base64.b64decode(value, validate=True)
    if kind in ("float", "double"):
        if value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        if type(value) not in (int, float):
            raise Unreadable(f"{kind} {value!r}")
        return value
    return value


def json_value(shape: Shape, value: Any) -> Any:
    """A JSON answer read as ``shape``: ``null`` is absent, unknown members ignored."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        if type(value) is not dict:
            raise Unreadable(f"structure {value!r}")
        return {name: json_value(member, value[name]) for name, member in shape.members.items()
                if value.get(name) is not None}
    if kind == "list":
        if type(value) is not list:
            raise Unreadable(f"list {value!r}")
        return [json_value(shape.member, item) for item in value if item is not None]
    if kind == "map":
        if type(value) is not dict:
            raise Unreadable(f"map {value!r}")
        return {key: json_value(shape.value, item) for key, item in value.items() if item is not None}
    return _json_scalar(shape, value)


# --------------------------------------------------------------------------------------------- successful answers
_ENTITY = re.compile(rb"&([^;&]*);?")


def _rust_unescapable(body: bytes) -> None:
    """aws-smithy-xml ``unescape``: only the five named entities and numeric ones (``&#xD;``)."""
    for match in _ENTITY.finditer(body):
        entity = match.group(1)
        if not match.group(0).endswith(b";") or not (
                entity in (b"lt", b"gt", b"amp", b"quot", b"apos") or re.fullmatch(rb"#x[0-9A-Fa-f]+|#[0-9]+", entity)):
            raise Unreadable(f"escape {match.group(0)!r}")


def _strip(element: ET.Element) -> ET.Element:
    """The document without namespaces (all three match local names)."""
    for node in element.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    return element


def read_query(sdk: Sdk, service: str, operation: str, answer: Answer) -> tuple[dict, str | None]:
    """(result, request id) of a 2xx query answer as ``sdk`` reads it.

    Java (QueryProtocolUnmarshaller): the result is the root's *first child*, the request id ``ResponseMetadata``'s
    ``RequestId``.  Rust (generated ``de_*`` of sdk/sts, sdk/iam): the root must be ``{Op}Response`` and its first
    element ``{Op}Result`` ("invalid root, expected ..."), the request id the ``x-amzn-requestid`` header.  .NET
    (generated ``*ResponseUnmarshaller``): ``{Op}Result`` at depth 2 by name and ``ResponseMetadata/RequestId``.
    """
    assert 200 <= answer.status < 300, (answer.status, answer.body[:500])
    _rust_unescapable(answer.body)
    root = _strip(ET.fromstring(answer.body))
    op = model(service).operation_model(operation)
    wrapper = (op.output_shape.serialization.get("resultWrapper") if op.output_shape is not None else None) \
        or f"{operation}Result"
    children = list(root)
    if sdk is JAVA:
        result = children[0] if children else None
        request_id = root.findtext("ResponseMetadata/RequestId")
    elif sdk is RUST:
        if root.tag != f"{operation}Response":
            raise Unreadable(f"invalid root, expected {operation}Response got {root.tag}")
        if op.output_shape is not None and (not children or children[0].tag != wrapper):
            raise Unreadable(f"expected {wrapper} tag")
        result = children[0] if children else None
        request_id = answer.headers.get("x-amzn-requestid")
    else:
        result = root.find(wrapper)
        request_id = root.findtext("ResponseMetadata/RequestId")
    if op.output_shape is None or result is None:
        return {}, request_id
    assert result.tag == wrapper, result.tag
    return xml_value(op.output_shape, result), request_id


def read_json(sdk: Sdk, service: str, operation: str, answer: Answer) -> tuple[dict, str | None]:
    """(result, request id) of a 2xx JSON answer: the document read as the output shape, the request id the
    ``x-amzn-RequestId`` header (all three: Java's AwsJsonProtocolErrorUnmarshaller/response metadata, .NET's
    ``HeaderKeys.RequestIdHeader``, Rust's ``x-amzn-requestid``)."""
    assert 200 <= answer.status < 300, (answer.status, answer.body[:500])
    op = model(service).operation_model(operation)
    document = json.loads(answer.body) if answer.body.strip() else {}
    result = json_value(op.output_shape, document) if op.output_shape is not None else {}
    return result, answer.headers.get("x-amzn-requestid")


# ------------------------------------------------------------------------------------------------------ errors
@dataclass
class Failure:
    code: str | None
    message: str | None
    request_id: str | None
    kind: str | None = None  # .NET's ErrorType (Sender, Receiver, Unknown) of a query error


def read_query_error(sdk: Sdk, answer: Answer) -> Failure:
    """An awsQuery error as ``sdk`` reads it.

    Java (AwsXmlErrorProtocolUnmarshaller): ``Error``'s ``Code`` and ``Message``; the request id the document's
    top-level ``RequestId`` (or ``RequestID``), else the ``x-amzn-RequestId`` header.  .NET (ErrorResponseUnmarshaller):
    the paths ``Error/Type`` (an ErrorType, Unknown when it is not one), ``Error/Code``, ``Error/Message``,
    ``RequestId``.  Rust (rest_xml_wrapped_errors.rs ``parse_error_metadata``): ``Code`` and ``Message`` of the root's
    ``Error`` children; the request id from the ``x-amzn-requestid`` header (aws-runtime request_id.rs).
    """
    assert answer.status >= 400, answer.status
    _rust_unescapable(answer.body)
    root = _strip(ET.fromstring(answer.body))
    error = root.find("Error")
    if sdk is RUST:
        if root.tag != "ErrorResponse":
            raise Unreadable("expected ErrorResponse as root")
        return Failure(error.findtext("Code"), error.findtext("Message"), answer.headers.get("x-amzn-requestid"))
    if sdk is JAVA:
        request_id = root.findtext("RequestId") or root.findtext("RequestID") or answer.headers.get("x-amzn-requestid")
        return Failure(error.findtext("Code") if error is not None else None,
                       error.findtext("Message") if error is not None else None, request_id)
    kind = error.findtext("Type") if error is not None else None
    kind = next((name for name in ("Sender", "Receiver", "Unknown") if (kind or "").lower() == name.lower()),
                "Unknown")
    return Failure(error.findtext("Code"), error.findtext("Message"), root.findtext("RequestId"), kind)


def _after_hash_before_colon(code: str) -> str:
    """Smithy's rule for ``__type`` (and the header): what precedes the first ``:``, after the first ``#``."""
    code = code.split(":", 1)[0]
    return code.split("#", 1)[1] if "#" in code else code


def read_json_error(sdk: Sdk, answer: Answer) -> Failure:
    """An awsJson error as ``sdk`` reads it.

    Java (JsonErrorCodeParser): the ``x-amzn-ErrorType`` header first (cut at ``:``), else ``__type`` then ``code``
    in the body (``:`` and ``#`` rules); message ``message``, ``Message`` or ``errorMessage``
    (SdkJsonErrorMessageParser).  .NET (JsonErrorResponseUnmarshaller.cs): ``__type`` first, the header only when
    the body has none, ``code`` last; ``message`` at depth one (UnmarshallerContext.TestExpression: the path ends with
    the name, ignoring case).  Rust (json_errors.rs ``parse_generic_error``): the
    ``X-Amzn-Errortype`` header first, else ``code`` then ``__type``; ``message``, ``Message`` or ``errorMessage``.
    """
    assert answer.status >= 400, answer.status
    document = json.loads(answer.body)
    header = answer.headers.get("x-amzn-errortype")
    request_id = answer.headers.get("x-amzn-requestid")
    if sdk is JAVA:
        code = header.split(":", 1)[0] if header is not None else \
            _after_hash_before_colon(document.get("__type") or document.get("code") or "")
        message = next((document[key] for key in ("message", "Message", "errorMessage") if key in document), None)
    elif sdk is DOTNET:  # TestExpression: the path ends with the name, ignoring case; the last match wins
        found = {name: value for key, value in document.items() for name in ("__type", "message", "code")
                 if key.lower().endswith(name) and type(value) is str}
        raw = found.get("__type") or (header if header else None) or found.get("code")
        code = _after_hash_before_colon(raw.rsplit("#", 1)[-1]) if raw else None
        message = found.get("message")
    else:
        raw = header if header is not None else document.get("code") or document.get("__type")
        code = _after_hash_before_colon(raw) if raw else None
        message = next((document[key] for key in ("message", "Message", "errorMessage") if key in document), None)
    return Failure(code, message, request_id)


# ------------------------------------------------------------------------------------ retries and clock correction
THROTTLING = {
    # core/aws-core/.../internal/AwsErrorCode.java THROTTLING_ERROR_CODES (status 429 is throttling too)
    JAVA: {"Throttling", "ThrottlingException", "ThrottledException", "ProvisionedThroughputExceededException",
           "SlowDown", "TooManyRequestsException", "RequestLimitExceeded", "BandwidthLimitExceeded",
           "RequestThrottled"},
    # sdk/src/Core/Amazon.Runtime/Pipeline/RetryHandler/RetryPolicy.cs ThrottlingErrorCodes (case-insensitive)
    DOTNET: {"throttling", "throttlingexception", "throttledexception", "requestthrottledexception",
             "toomanyrequestsexception", "provisionedthroughputexceededexception", "transactioninprogressexception",
             "requestlimitexceeded", "bandwidthlimitexceeded", "limitexceededexception", "requestthrottled",
             "slowdown", "priorrequestnotcomplete"},
    # sdk/aws-runtime/src/retries/classifiers.rs THROTTLING_ERRORS
    RUST: {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
           "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
           "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
           "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"},
}
TRANSIENT_STATUSES = {500, 502, 503, 504}  # all three: SdkDefaultRetrySetting, HttpStatusCodesToRetryOn, classifiers
TRANSIENT_CODES = {
    JAVA: {"PriorRequestNotComplete"},  # AwsErrorCode.RETRYABLE_ERROR_CODES
    DOTNET: {"RequestTimeout", "RequestTimeoutException"},  # RetryPolicy.TimeoutErrorCodesToRetryOn
    RUST: {"RequestTimeout", "RequestTimeoutException"},  # classifiers.rs TRANSIENT_ERRORS
}


def retried(sdk: Sdk, failure: Failure, status: int) -> bool:
    """Whether ``sdk`` retries this answer (other than for clock skew): throttling and transient codes, transient
    statuses."""
    code = failure.code or ""
    throttled = (code.lower() if sdk is DOTNET else code) in THROTTLING[sdk] or (sdk is JAVA and status == 429)
    return throttled or code in TRANSIENT_CODES[sdk] or status in TRANSIENT_STATUSES


CLOCK_SKEW_CODES = {
    JAVA: {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
           "AuthFailure", "RequestInTheFuture"},  # AwsErrorCode.CLOCK_SKEW_ERROR_CODES
    DOTNET: {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException",
             "AuthFailure", "SignatureDoesNotMatch"},  # definite and possible clock skew codes
}
_DOTNET_GMT = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                         r"\d{4} \d\d:\d\d:\d\d GMT")
_SKEW_MESSAGE = re.compile(r"\((\d{8}T\d{6}Z) [+-] ")


def server_time(sdk: Sdk, answer: Answer, failure: Failure | None) -> datetime | None:
    """The server's time as ``sdk`` finds it in an answer.

    Java (core/retry/ClockSkew.getServerTime): the ``Date`` header, RFC 1123, or none ("Service did not return a Date
    header, so clock skew adjustments will not be applied").  Rust (aws-runtime service_clock_skew.rs): the ``date``
    header as an HTTP date, on every answer.  .NET (RetryPolicy.TryParseDateHeader, then TryParseExceptionMessage):
    the ``Date`` header in exactly ``ddd, dd MMM yyyy HH:mm:ss GMT``, else the time between ``(`` and `` - ``/`` + ``
    in the error message (``... (20260101T000000Z - 15 min.)``).
    """
    date = answer.headers.get("date")
    if date is not None and (sdk is not DOTNET or _DOTNET_GMT.fullmatch(date)):
        return datetime.strptime(date, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    if sdk is DOTNET and failure is not None and failure.message:
        found = _SKEW_MESSAGE.search(failure.message)
        if found:
            return datetime.strptime(found.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return None


def corrected_offset(sdk: Sdk, client: Client, answer: Answer, failure: Failure, sent_at: datetime,
                     received_at: datetime) -> timedelta | None:
    """The clock offset ``sdk`` signs its next attempt with after ``answer`` (None: it corrects nothing).

    Offsets are from the real time.  Java (ClockSkewAdjuster / ClockSkew.isClockSkewed): a clock-skew code and
    ``|client time - server time|`` at least 4 minutes: the offset becomes server time minus time received.  .NET
    (RetryPolicy.IsClockskew): a clock-skew code, a server time, and more than 5 minutes between the signing time and
    it: the same.  Rust (ServiceClockSkewInterceptor): every answer's ``date``; the skew is ``max(server time - time
    received by the client's clock, 0)``, added to the client's clock for later requests (a fast clock is never
    corrected).
    """
    server = server_time(sdk, answer, failure)
    if server is None:
        return None
    client_time = sent_at + client.offset
    if sdk is RUST:  # time received by the client's own (offset) clock
        return client.offset + max(server - (received_at + client.offset), timedelta(0))
    threshold = timedelta(minutes=4) if sdk is JAVA else timedelta(minutes=5)
    if failure.code not in CLOCK_SKEW_CODES[sdk] or abs(client_time - server) < threshold:
        return None
    return server - received_at
