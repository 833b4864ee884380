"""The answers the HTTP server gives itself (malformed HTTP, a head or body too large or too slow, the body budget
spent) come in the error shape of whoever the request addresses, so that an SDK reads a code.

Over real HTTP: raw sockets where the wire matters (which shape, which headers, ``Connection: close``), boto3 to show
the SDKs read the code and retry (or not) as intended, with a bounded retry configuration.  In-process there is no
server and so none of these answers; the choice of shape (:meth:`MockrunnerApp.refusal_answer`) is checked there
directly, signal by signal.  Limits are lowered per test (:class:`mockrunner.serving.Limits`).
"""
from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, TransientRetryableChecker

from mockrunner.app import MockrunnerApp, create_app
from mockrunner.config import Settings
from mockrunner.serving import Limits
from mockrunner.wsgi import Cause, Refusal
from tests.robustness import threaded_server

SIGNED_FOR = "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{}/aws4_request, " \
             "SignedHeaders=host, Signature=00\r\n"
ECR_TARGET = "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.ListImages\r\n" \
             "Content-Type: application/x-amz-json-1.1\r\n"


def serving(app: object = None, **limits: object):
    """mockrunner's app (or ``app``) behind the shipped server with ``limits``; its port."""
    return threaded_server.serving(app or create_app(Settings(log_requests=False)), Limits(**limits))


def exchange(port: int, payload: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``payload``, read until the server closes (every refusal closes): status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused early; the answer is still to be read
        data = b""
        for _ in range(1000):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    assert int(headers["content-length"]) == len(body)
    return int(status_line.split(" ")[1]), headers, body


def request(head: str, body: bytes = b"", path: str = "/", method: str = "POST") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{head}\r\n".encode() + body


def query_error(body: bytes) -> tuple[str, str, str]:
    """``(Type, Code, Message)`` of a query ``ErrorResponse``, its RequestId present."""
    root = ET.fromstring(body)
    error = root.find("{*}Error")
    assert root.tag.endswith("ErrorResponse") and root.findtext("{*}RequestId")
    return error.findtext("{*}Type"), error.findtext("{*}Code"), error.findtext("{*}Message")


# ----------------------------------------------------------------------------------------------- on the wire
def test_a_body_too_large_for_iam_is_an_iam_error_response() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request(SIGNED_FOR.format("iam") + "Content-Length: 5000\r\n"))
    assert status == 413 and headers["connection"] == "close" and headers["content-type"] == "text/xml"
    assert query_error(body) == ("Sender", "RequestEntityTooLargeException",
                                 "request body too large: more than 1000 bytes")
    assert b"iam.amazonaws.com/doc/2010-05-08" in body


def test_a_body_too_large_for_ecr_is_json_1_1_with_its_error_type() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request(ECR_TARGET + "Content-Length: 5000\r\n"))
    assert (status, headers["content-type"], headers["x-amzn-errortype"]) == (
        413, "application/x-amz-json-1.1", "RequestEntityTooLargeException")
    assert json.loads(body) == {"__type": "RequestEntityTooLargeException",
                                "message": "request body too large: more than 1000 bytes"}
    assert headers["x-amzn-requestid"] and headers["connection"] == "close"


def test_a_body_too_large_for_app_runner_is_json_1_0_with_message_capitalised() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request("X-Amz-Target: AppRunner.ListServices\r\n"
                                                       "Content-Length: 5000\r\n"))
    assert (status, headers["content-type"]) == (413, "application/x-amz-json-1.0")
    assert json.loads(body) == {"__type": "RequestEntityTooLargeException",
                                "Message": "request body too large: more than 1000 bytes"}


def test_the_body_budget_spent_is_sts_service_unavailable_a_receiver_fault() -> None:
    with serving(max_buffered_bodies=100) as port:
        status, headers, body = exchange(port, request("Content-Type: application/x-www-form-urlencoded\r\n"
                                                       "Content-Length: 500\r\n", path="/?Action=GetCallerIdentity"))
    assert status == 503 and headers["connection"] == "close"
    kind, code, message = query_error(body)
    assert (kind, code) == ("Receiver", "ServiceUnavailable") and "retry" in message
    assert b"sts.amazonaws.com/doc/2011-06-15" in body


def test_a_body_too_slow_is_request_timeout_exception_in_the_services_shape() -> None:
    with serving(body_timeout=0.5, body_min_rate=10 ** 9) as port:
        status, headers, body = exchange(port, request(ECR_TARGET + "Content-Length: 100\r\n", b"{"))
    assert (status, headers["x-amzn-errortype"]) == (408, "RequestTimeoutException")
    assert json.loads(body)["message"] == "request body not received in time"


def test_too_many_header_fields_once_the_head_is_read_is_shaped() -> None:
    with serving(max_headers=10) as port:
        status, headers, body = exchange(port, request(SIGNED_FOR.format("sts") + "X-Pad: 1\r\n" * 20))
    assert status == 431
    assert query_error(body)[:2] == ("Sender", "MalformedHttpRequestException")


def test_content_length_with_transfer_encoding_is_malformed_in_the_services_shape() -> None:
    with serving() as port:
        status, headers, body = exchange(port, request(
            "X-Amz-Target: AppRunner.ListServices\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            b"0\r\n\r\n"))
    assert (status, headers["x-amzn-errortype"]) == (400, "MalformedHttpRequestException")
    assert json.loads(body)["Message"] == "both Content-Length and Transfer-Encoding"


def test_a_registry_request_is_refused_in_the_distribution_error_shape() -> None:
    with serving() as port:
        status, headers, body = exchange(port, b"POST /v2/app/blobs/uploads/ HTTP/1.1\r\nHost: a b\r\n"
                                               b"Content-Length: 0\r\n\r\n")
    assert status == 400 and headers["docker-distribution-api-version"] == "registry/2.0"
    assert json.loads(body) == {"errors": [{"code": "UNKNOWN", "message": "invalid Host header"}]}


def test_an_admin_request_is_refused_in_the_admin_error_shape() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request("Content-Length: 5000\r\n", path="/_mockrunner/seed"))
    assert (status, headers["content-type"], headers["x-content-type-options"]) == (413, "application/json", "nosniff")
    assert json.loads(body) == {"error": "RequestEntityTooLarge",
                                "message": "request body too large: more than 1000 bytes"}


def test_a_request_naming_no_service_and_no_protocol_gets_plain_text() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request("Content-Length: 5000\r\n", path="/elsewhere"))
    assert (status, headers["content-type"], body) == (413, "text/plain; charset=utf-8",
                                                        b"request body too large: more than 1000 bytes")


def test_an_unknown_service_speaking_json_1_1_gets_json_1_1() -> None:
    with serving(max_body=1000) as port:
        status, headers, body = exchange(port, request("X-Amz-Target: Logs_20140328.PutLogEvents\r\n"
                                                       "Content-Type: application/x-amz-json-1.1\r\n"
                                                       "Content-Length: 5000\r\n"))
    assert (status, headers["content-type"], json.loads(body)["__type"]) == (
        413, "application/x-amz-json-1.1", "RequestEntityTooLargeException")


def test_a_head_never_read_whole_gets_plain_text() -> None:
    with serving(max_head=2000) as port:
        status, headers, body = exchange(port, b"POST / HTTP/1.1\r\nX-Amz-Target: AppRunner.ListServices\r\n"
                                               + b"X-Pad: " + b"a" * 5000)
    assert (status, headers["content-type"], body) == (431, "text/plain; charset=utf-8",
                                                        b"request head too large: more than 2000 bytes")


def test_a_head_request_refused_gets_the_length_and_no_body() -> None:
    with serving(max_body=1000) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request("Content-Length: 5000\r\n", path="/?Action=GetCallerIdentity", method="HEAD"))
            data = b""
            for _ in range(100):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"Content-Type: text/xml" in head and body == b""
    assert int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0]) > 100


class _Shaping:
    """A WSGI app whose ``refusal_answer`` misbehaves as ``shape`` does."""

    def __init__(self, shape: object) -> None:
        self.refusal_answer = shape

    def __call__(self, environ: dict, start_response: object) -> list[bytes]:
        raise AssertionError("never reached: the server refuses first")


def _raises(environ: dict | None, refusal: Refusal) -> object:
    raise RuntimeError("a bug in the shaping")


def _splits_the_head(environ: dict | None, refusal: Refusal) -> object:
    return refusal.status, [("X-Injected", "a\r\nSet-Cookie: b")], b"shaped"


@pytest.mark.parametrize("shape", [_raises, _splits_the_head])
def test_a_refusal_whose_shaping_fails_is_still_answered_in_plain_text(shape: object) -> None:
    with serving(_Shaping(shape), max_body=1000) as port:
        status, headers, body = exchange(port, request("Content-Length: 5000\r\n"))
    assert (status, headers["content-type"], body) == (413, "text/plain; charset=utf-8",
                                                        b"request body too large: more than 1000 bytes")
    assert "set-cookie" not in headers and "x-injected" not in headers


# ----------------------------------------------------------------------------------------------- through boto3
def _client(service: str, port: int, retries: dict) -> object:
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries=retries, connect_timeout=5, read_timeout=10))


def _refused(call: object) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response


@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_boto3_reads_request_entity_too_large_and_does_not_retry_it(mode: str) -> None:
    retries = {"mode": mode, "total_max_attempts": 3}
    with serving(max_body=2000) as port:
        iam = _refused(lambda: _client("iam", port, retries).create_policy(
            PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Pad": "x" * 3000})))
        ecr = _refused(lambda: _client("ecr", port, retries).put_lifecycle_policy(
            repositoryName="repo", lifecyclePolicyText="x" * 3000))
        apprunner = _refused(lambda: _client("apprunner", port, retries).tag_resource(
            ResourceArn="arn:aws:apprunner:us-east-1:123456789012:service/s/0123456789abcdef0123456789abcdef",
            Tags=[{"Key": f"k{index}", "Value": "v" * 200} for index in range(20)]))
    for answer in (iam, ecr, apprunner):
        assert answer["Error"]["Code"] == "RequestEntityTooLargeException"
        assert answer["Error"]["Message"] == "request body too large: more than 2000 bytes"
        assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["ResponseMetadata"]["RetryAttempts"]) == (413, 0)


@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_boto3_retries_the_body_budget_refusal(mode: str) -> None:
    with serving(max_buffered_bodies=10) as port:
        answer = _refused(lambda: _client("sts", port, {"mode": mode, "total_max_attempts": 2}).get_caller_identity())
    assert (answer["Error"]["Code"], answer["Error"]["Type"]) == ("ServiceUnavailable", "Receiver")
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["ResponseMetadata"]["RetryAttempts"]) == (503, 1)


def test_boto3_reads_a_head_too_large_and_does_not_retry_it() -> None:
    with serving(max_headers=3) as port:
        answer = _refused(lambda: _client("ecr", port, {"mode": "standard", "total_max_attempts": 3})
                          .describe_repositories())
    assert answer["Error"]["Code"] == "MalformedHttpRequestException"
    assert "too many header fields" in answer["Error"]["Message"]
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["ResponseMetadata"]["RetryAttempts"]) == (431, 0)


def test_botocore_standard_mode_holds_a_late_body_transient() -> None:
    """A slow body cannot be sent through boto3 on purpose; its answer is parsed by botocore's own parser and
    judged by the standard retry mode's transient check (which RequestTimeoutException is in)."""
    from botocore.parsers import create_parser

    with serving(body_timeout=0.5, body_min_rate=10 ** 9) as port:
        status, headers, body = exchange(port, request(SIGNED_FOR.format("sts") + "Content-Length: 100\r\n", b"A"))
    model = boto3.session.Session().client("sts", region_name="us-east-1")._service_model
    operation = model.operation_model("GetCallerIdentity")
    parsed = create_parser("query").parse({"status_code": status, "headers": headers, "body": body},
                                          operation.output_shape)
    assert (status, parsed["Error"]["Code"]) == (408, "RequestTimeoutException")
    assert TransientRetryableChecker().is_retryable(RetryContext(1, operation, parsed_response=parsed))


# ----------------------------------------------------------------------------------------------- which shape
_IAM_SCOPE = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=0"


@pytest.mark.parametrize(("environ", "content_type", "code_at"), [
    ({"HTTP_AUTHORIZATION": _IAM_SCOPE.format("sts")}, "text/xml", "xml"),
    ({"HTTP_AUTHORIZATION": _IAM_SCOPE.format("iam"), "PATH_INFO": "/authorization-details/x"},
     "application/json", "header"),
    ({"HTTP_X_AMZ_TARGET": "AmazonEC2ContainerRegistry_V20150921.ListImages"}, "application/x-amz-json-1.1", "json"),
    ({"HTTP_HOST": "apprunner.us-east-1.amazonaws.com"}, "application/x-amz-json-1.0", "json"),
    ({"QUERY_STRING": "Action=ListUsers&Version=2010-05-08"}, "text/xml", "xml"),
    ({"QUERY_STRING": "Action=DescribeInstances"}, "text/xml", "xml"),
    ({"CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8"}, "text/xml", "xml"),
    ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem"}, "application/x-amz-json-1.0", "json"),
    ({}, "text/plain; charset=utf-8", None),
])
def test_the_shape_follows_what_the_head_says(environ: dict, content_type: str, code_at: str | None) -> None:
    app = create_app(Settings(log_requests=False))
    refusal = Refusal(413, Cause.BODY_TOO_LARGE, "too large")
    status, headers, body = app.refusal_answer({"REQUEST_METHOD": "POST", "PATH_INFO": "/", **environ}, refusal)
    headers = dict(headers)
    assert (status, headers["Content-Type"]) == (413, content_type)
    code = {"xml": lambda: query_error(body)[1], "json": lambda: json.loads(body)["__type"],
            "header": lambda: headers["x-amzn-ErrorType"], None: lambda: None}[code_at]()
    assert code == (None if code_at is None else "RequestEntityTooLargeException")


@pytest.mark.parametrize(("service_head", "code"), [
    ({"HTTP_X_AMZ_TARGET": "AmazonEC2ContainerRegistry_V20150921.ListImages"}, "ServerException"),
    ({"HTTP_AUTHORIZATION": _IAM_SCOPE.format("iam")}, "ServiceFailure"),
    ({"HTTP_X_AMZ_TARGET": "AppRunner.ListServices"}, "InternalServiceErrorException"),
])
def test_an_answer_that_cannot_be_framed_is_the_services_internal_error(service_head: dict, code: str) -> None:
    app: MockrunnerApp = create_app(Settings(log_requests=False))
    status, headers, body = app.refusal_answer({"REQUEST_METHOD": "POST", "PATH_INFO": "/", **service_head},
                                               Refusal(500, Cause.UNFRAMABLE, "not valid HTTP"))
    text = body.decode()
    assert status == 500 and code in text


def test_a_head_never_read_is_plain_text_whatever_the_app() -> None:
    app = create_app(Settings(log_requests=False))
    assert app.refusal_answer(None, Refusal(400, Cause.MALFORMED, "malformed request")) == (
        400, [("Content-Type", "text/plain; charset=utf-8")], b"malformed request")


class _Failing:
    """A WSGI app that raises (a bug), its refusals shaped by mockrunner's own ``refusal_answer``."""

    def __init__(self) -> None:
        self.refusal_answer = create_app(Settings(log_requests=False)).refusal_answer

    def __call__(self, environ: dict, start_response: object) -> list[bytes]:
        raise RuntimeError("a bug")


def _plain_failing(environ: dict, start_response: object) -> list[bytes]:
    raise RuntimeError("a bug")


def test_an_application_that_raises_is_answered_in_the_services_internal_error() -> None:
    """It was a connection closed unanswered (an SDK retried it as a connection error) and a traceback on stderr."""
    with serving(_Failing()) as port:
        status, headers, body = exchange(port, request(ECR_TARGET + "Content-Length: 2\r\n", b"{}"))
    assert (status, headers["x-amzn-errortype"], headers["connection"]) == (500, "ServerException", "close")
    assert json.loads(body) == {"__type": "ServerException", "message": "the application failed to answer"}


def test_an_application_without_shaping_that_raises_is_answered_in_plain_text() -> None:
    with serving(_plain_failing) as port:
        status, headers, body = exchange(port, request("Content-Length: 0\r\n"))
    assert (status, headers["content-type"], body) == (500, "text/plain; charset=utf-8",
                                                        b"the application failed to answer")
