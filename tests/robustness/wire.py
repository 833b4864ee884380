"""Raw signed AWS requests, built by hand and sent through the whole WSGI pipeline in-process.

botocore's client validates parameters before sending; the fuzzer must not be stopped there, so requests are
serialized here (json bodies as given, query forms flattened from any value, matching shapes or not) and only
signed by botocore's ``SigV4Auth``.  :func:`check_error_shape` holds what every error must look like.
"""
from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus, urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel, Shape

from mockrunner.protocol import specs
from mockrunner.testing.inprocess import call_app

HOSTS = {"apprunner": "apprunner.{region}.amazonaws.com", "ecr": "api.ecr.{region}.amazonaws.com",
         "iam": "iam.amazonaws.com", "sts": "sts.{region}.amazonaws.com"}
ROOT = Credentials("test", "test")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def code(self) -> str | None:
        """The error code of an error body (json ``__type`` or query ``Code``), None when there is none."""
        try:
            return error_fields(self)[0]
        except (ValueError, ET.ParseError, KeyError):
            return None


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(type(value).__name__)


def json_body(params: Any) -> bytes:
    """Any Python value as JSON (NaN/Infinity allowed: Python's parser accepts them, so a client can send them)."""
    return json.dumps(params, default=_json_default).encode("utf-8")


def _text(value: Any) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value)
    if isinstance(value, datetime):
        return value.isoformat().encode()
    return str(value).encode("utf-8", "surrogatepass")  # lone surrogates become invalid UTF-8 on the wire


def flatten(shape: Shape | None, value: Any, prefix: str, out: list[tuple[str, bytes]]) -> None:
    """Form fields for ``value`` the way botocore's QuerySerializer names them, whatever the value's type.

    Values that do not fit the shape are still sent (a dict under a scalar becomes ``Name.key=...``, a list
    ``Name.member.N=...``), which is how a hostile or buggy client reaches the server's query parser.
    """
    kind = shape.type_name if shape is not None else None
    if value is None:
        return
    if isinstance(value, dict):
        if kind == "map":
            for index, (key, item) in enumerate(value.items(), 1):
                base = f"{prefix}.{index}" if shape.serialization.get("flattened") else f"{prefix}.entry.{index}"
                flatten(shape.key, key, f"{base}.{shape.key.serialization.get('name', 'key')}", out)
                flatten(shape.value, item, f"{base}.{shape.value.serialization.get('name', 'value')}", out)
            return
        members = shape.members if kind == "structure" else {}
        for key, item in value.items():
            member = members.get(key)
            wire = member.serialization.get("name", key) if member is not None else key
            flatten(member, item, f"{prefix}.{wire}" if prefix else wire, out)
        return
    if isinstance(value, list):
        if not value:
            out.append((prefix, b""))
            return
        element = shape.member if kind == "list" else None
        if kind == "list" and shape.serialization.get("flattened"):
            name = element.serialization.get("name")
            base = prefix if name is None else ".".join(prefix.split(".")[:-1] + [name])
        else:
            base = f"{prefix}.member"
        for index, item in enumerate(value, 1):
            flatten(element, item, f"{base}.{index}", out)
        return
    out.append((prefix, _text(value)))


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
_UNRESERVED_BYTES = re.compile(rb"[A-Za-z0-9_.~-]*")


def _quote_plus(value: str | bytes, safe: str = "", encoding: str | None = None, errors: str | None = None) -> str:
    """``quote_plus``, answering text of unreserved characters only (most names and values) without its
    per-character work: the fuzzer's hostile lists are hundreds of fields a request."""
    if isinstance(value, bytes):
        if _UNRESERVED_BYTES.fullmatch(value):
            return value.decode("ascii")
    elif _UNRESERVED.fullmatch(value):
        return value
    return quote_plus(value, safe, encoding, errors)


def query_body(operation: OperationModel, params: Any) -> bytes:
    fields: list[tuple[str, bytes]] = [("Action", operation.name.encode()),
                                       ("Version", operation.service_model.api_version.encode())]
    flatten(operation.input_shape, params, "", fields)
    return urlencode(fields, quote_via=_quote_plus).encode("ascii")


def encode(operation: OperationModel, params: Any) -> bytes:
    if operation.service_model.protocol == "json":
        return json_body(params)
    return query_body(operation, params)


def headers_for(operation: OperationModel) -> dict[str, str]:
    service = operation.service_model
    if service.protocol == "json":
        version = service.metadata.get("jsonVersion", "1.0")
        return {"X-Amz-Target": f"{service.metadata['targetPrefix']}.{operation.name}",
                "Content-Type": f"application/x-amz-json-{version}"}
    return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def signed_request(service: str, body: bytes, headers: dict[str, str], credentials: Credentials = ROOT,
                   region: str = "us-east-1", signing_name: str | None = None, method: str = "POST",
                   endpoint: str | None = None) -> Any:
    """A prepared request signed with SigV4 for ``service`` (or ``signing_name``) in ``region``."""
    url = endpoint or "https://" + HOSTS.get(service, "{region}.example.com").format(region=region) + "/"
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(credentials, service if signing_name is None else signing_name, region).add_auth(request)
    return request.prepare()


def send(app: Any, operation: OperationModel, body: bytes, credentials: Credentials = ROOT) -> Reply:
    """Sign ``body`` as a call of ``operation`` and run it through ``app`` (a WSGI app)."""
    service = operation.service_model.service_name
    prepared = signed_request(service, body, headers_for(operation), credentials)
    response = call_app(app, prepared)
    return Reply(response.status_code, dict(response.headers), response.content)


def error_fields(reply: Reply) -> tuple[str, str]:
    """(code, message) of an error body in either protocol; raises when the body is not that shape."""
    content_type = reply.headers.get("Content-Type", "")
    if "json" in content_type:
        document = json.loads(reply.body)
        message = document.get("message", document.get("Message"))
        if not isinstance(document["__type"], str) or not isinstance(message, str):
            raise ValueError("__type and message must be strings")
        return document["__type"], message
    root = ET.fromstring(reply.body)
    if not root.tag.endswith("ErrorResponse"):
        raise ValueError(f"root element {root.tag}")
    ns = root.tag[: -len("ErrorResponse")]
    error = root.find(f"{ns}Error")
    # Error/Message may be absent: IAM's ReportNotPresent has none (recorded from AWS: LocalStack snapshot
    # tests/aws/services/iam/test_iam_credential_report.snapshot.json).
    code, message = error.find(f"{ns}Code"), error.find(f"{ns}Message")
    if code is None or not code.text or root.find(f"{ns}RequestId") is None:
        raise ValueError("Error/Code and RequestId are required")
    return code.text, (message.text or "") if message is not None else ""


def problems_with(reply: Reply, implemented: bool, protocol: str) -> list[str]:
    """What is wrong with ``reply`` as an answer to any request (empty when it is a proper AWS answer)."""
    problems = []
    if not reply.headers.get("x-amzn-RequestId"):
        problems.append("no x-amzn-RequestId header")
    if reply.status >= 500 and not (reply.status == 501 and not implemented):
        problems.append(f"status {reply.status}: {reply.body[:300]!r}")
    if reply.status >= 400:
        try:
            code, _message = error_fields(reply)
        except Exception as error:  # noqa: BLE001 - any parse failure is the finding
            problems.append(f"error body is not the {protocol} error shape ({error!r}): {reply.body[:200]!r}")
        else:
            if reply.status == 501 and code != "NotImplemented":
                problems.append(f"501 with code {code}")
            if implemented and code == "NotImplemented":
                problems.append("NotImplemented for an implemented operation")
    return problems


def service_of(operation: OperationModel) -> str:
    return operation.service_model.service_name


def model(service: str):
    return specs.service_model(service)
