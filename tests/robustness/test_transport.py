"""Transport-level abuse against the real HTTP server (loopback): never a 500, never a hung connection.

Requests are written byte by byte on a socket, so nothing (requests, urllib3, botocore) tidies them up first.
Every read has a deadline: a server that stops answering fails the test instead of hanging it.
"""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders

from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer
from tests.robustness import wire

TIMEOUT = 5.0
JSON_HEADERS = {"X-Amz-Target": "AppRunner.ListServices", "Content-Type": "application/x-amz-json-1.0"}
QUERY_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
QUERY_BODY = b"Action=ListUsers&Version=2010-05-08"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool
    """The server closed the connection after this answer."""

    def reply(self) -> wire.Reply:
        return wire.Reply(self.status, self.headers, self.body)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(Settings(log_requests=False, operation_delay=0)) as running:
        yield running


def _read_answer(sock: socket.socket, buffer: bytearray, head_only: bool = False) -> Answer:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a full answer: {bytes(buffer[:200])!r}")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    lower = {name.lower(): value for name, value in headers.items()}
    length = 0 if head_only else int(lower.get("content-length", 0))
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    buffer[:] = body[length:]
    return Answer(status, headers, bytes(body[:length]), lower.get("connection", "").lower() == "close")


def exchange(server: ThreadedServer, raw: bytes, half_close: bool = False) -> Answer:
    """Send ``raw`` on a fresh connection and read one answer (within :data:`TIMEOUT`)."""
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return _read_answer(sock, bytearray(), head_only=raw.startswith(b"HEAD "))


def http(method: str, headers: dict[str, str], body: bytes = b"", target: str = "/",
         version: str = "HTTP/1.1") -> bytes:
    lines = [f"{method} {target} {version}", *(f"{name}: {value}" for name, value in headers.items())]
    if body and not any(name.lower() in ("content-length", "transfer-encoding") for name in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def signed(server: ThreadedServer, service: str, headers: dict[str, str], body: bytes, method: str = "POST",
           region: str = "us-east-1", signing_name: str | None = None, secret: str = "test") -> bytes:
    """A correctly signed request as raw bytes (then tampered with by the tests)."""
    from botocore.credentials import Credentials

    prepared = wire.signed_request(service, body, headers, Credentials("test", secret), region, signing_name,
                                   method, endpoint=server.endpoint_url + "/")
    all_headers = {name: (value.decode() if isinstance(value, bytes) else value)
                   for name, value in prepared.headers.items()}
    all_headers.setdefault("Host", f"{server.host}:{server.port}")
    return http(method, all_headers, body)


def assert_aws_error(answer: Answer, status: int | None = None, code: str | None = None) -> None:
    assert answer.status < 500, answer.body[:300]
    assert answer.status >= 400, answer.body[:300]
    assert wire.problems_with(answer.reply(), True, "any") == []
    if status is not None:
        assert answer.status == status, answer.body[:300]
    if code is not None:
        assert answer.reply().code == code, answer.body[:300]


# ---------------------------------------------------------------------------------------------- signatures
def test_a_correct_request_is_answered(server):
    answer = exchange(server, signed(server, "apprunner", JSON_HEADERS, b"{}"))
    assert answer.status == 200 and json.loads(answer.body) == {"ServiceSummaryList": []}


@pytest.mark.parametrize(("service", "headers", "body", "status", "code"), [
    ("apprunner", JSON_HEADERS, b"{}", 400, "MissingAuthenticationTokenException"),
    ("iam", QUERY_HEADERS, QUERY_BODY, 403, "MissingAuthenticationToken"),
])
def test_unsigned_requests_are_missing_authentication_token(server, service, headers, body, status, code):
    host = {"Host": wire.HOSTS[service].format(region="us-east-1")}
    assert_aws_error(exchange(server, http("POST", {**host, **headers}, body)), status, code)


@pytest.mark.parametrize(("service", "headers", "body", "status", "code"), [
    ("apprunner", JSON_HEADERS, b"{}", 400, "InvalidSignatureException"),
    ("iam", QUERY_HEADERS, QUERY_BODY, 403, "SignatureDoesNotMatch"),
])
def test_wrong_secret_and_tampered_bodies_are_signature_mismatches(server, service, headers, body, status, code):
    assert_aws_error(exchange(server, signed(server, service, headers, body, secret="wrong")), status, code)
    tampered = signed(server, service, headers, body).replace(body, body.replace(b"{}", b"[]").replace(b"List",
                                                                                                     b"Lost"))
    assert_aws_error(exchange(server, tampered))


@pytest.mark.parametrize("region", ["eu-west-1", "mars-north-9", "x", "us-east-1<script>", "a" * 300])
def test_any_region_in_the_scope_is_answered_without_a_500(server, region):
    answer = exchange(server, signed(server, "apprunner", JSON_HEADERS, b"{}", region=region))
    assert answer.status < 500 and answer.headers.get("x-amzn-RequestId"), answer.body[:300]
    answer = exchange(server, signed(server, "sts", QUERY_HEADERS, b"Action=GetCallerIdentity&Version=2011-06-15",
                                     region=region))
    assert answer.status < 500 and answer.headers.get("x-amzn-RequestId"), answer.body[:300]


@pytest.mark.parametrize(("signing_name", "headers", "body"), [
    ("lambda", QUERY_HEADERS, QUERY_BODY), ("s3", JSON_HEADERS, b"{}"), ("dynamodb", JSON_HEADERS, b"{}"),
    ("iam", JSON_HEADERS, b"{}"), ("apprunner", QUERY_HEADERS, QUERY_BODY), ("", JSON_HEADERS, b"{}"),
])
def test_unknown_or_mismatched_service_in_the_scope(server, signing_name, headers, body):
    """A scope naming a service mockrunner lacks, or a json target signed for a query service (and back)."""
    answer = exchange(server, signed(server, "apprunner", headers, body, signing_name=signing_name))
    assert_aws_error(answer)


GARBAGE_AUTHORIZATION = [
    "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=", "Basic dXNlcjpwYXNz", "Bearer x.y.z",
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=test/2024/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=test//us-east-1/apprunner/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
    "AWS4-HMAC-SHA256 Credential=/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=ab",
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=nothere;host, "
    "Signature=" + "0" * 64,
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apprunner/aws4_request,,,,SignedHeaders=host,Signature",
    "AWS4-HMAC-SHA256 Credential=unknownkey/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host, "
    "Signature=" + "f" * 64,
    "AWS4-HMAC-SHA512 Credential=test/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=ab",
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=ab, "
    "Credential=other/20240101/eu-west-1/iam/aws4_request",
    "AWS4-HMAC-SHA256 Credential=t\xe9st/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=ab",
    "AWS4-HMAC-SHA256 Credential=" + "k" * 40000 + "/20240101/us-east-1/apprunner/aws4_request, SignedHeaders=host",
]


@pytest.mark.parametrize("authorization", GARBAGE_AUTHORIZATION, ids=range(len(GARBAGE_AUTHORIZATION)))
def test_garbage_authorization_headers_are_aws_errors(server, authorization):
    for headers, body in ((JSON_HEADERS, b"{}"), (QUERY_HEADERS, QUERY_BODY)):
        raw = http("POST", {"Host": "127.0.0.1", "X-Amz-Date": "20240101T000000Z", "Authorization": authorization,
                            **headers}, body)
        assert_aws_error(exchange(server, raw))


@pytest.mark.parametrize("query", [
    "X-Amz-Credential=garbage", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b/c/d/e",
    "Action=ListUsers&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fiam%2F"
    "aws4_request&X-Amz-Date=notadate&X-Amz-Expires=-5&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    "Action=ListUsers&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fiam%2F"
    "aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=99999999999999999999&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=00",
    "Action=ListUsers&X-Amz-Credential=%FF%FE", "Action=%00&Version=%ZZ",
])
def test_garbage_presigned_query_strings_are_aws_errors(server, query):
    assert_aws_error(exchange(server, http("GET", {"Host": "iam.amazonaws.com"}, target=f"/?{query}")))


# -------------------------------------------------------------------------------------------- HTTP framing
def test_huge_and_numerous_headers_are_refused_cleanly(server):
    too_long = exchange(server, http("POST", {"Host": "x", "X-Big": "a" * 70000, **JSON_HEADERS}, b"{}"))
    assert too_long.status == 431 and too_long.closed
    many = exchange(server, http("POST", {"Host": "x", **{f"X-H{i}": "v" for i in range(300)}}, b"{}"))
    assert many.status == 431 and many.closed
    # Large but legal: a 60 KB header on a signed request is read and answered by the application.
    big = signed(server, "apprunner", {**JSON_HEADERS, "X-Padding": "p" * 60000}, b"{}")
    assert exchange(server, big).status == 200


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n\r\n",
    b"POST / HTTP/2.0\r\n\r\n", b"POST /\r\n\r\n", b"POST / HTTP/1.1\r\nNoColonHere\r\n\r\n",
    b"POST / HTTP/1.1\r\n : empty name\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: \x00\x01\x02\r\n\r\n",  # control characters in a field value
    b"GET /v2/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", b"GET /v2/ HTTP/1.1\r\n\r\n",  # two Hosts, none (RFC 9112)
])
def test_malformed_http_gets_a_400_and_a_closed_connection(server, raw):
    answer = exchange(server, raw, half_close=True)
    assert answer.status == 400 and answer.closed


@pytest.mark.parametrize("host", ['a"b', "a b", "x/y", "user@x", "x:80a", "[::1", "%zz", "x\\y"])
def test_a_host_that_is_not_a_uri_host_gets_a_400(server, host):
    """RFC 9112 section 3.2: an invalid Host is a 400 from the server; the registry would echo it into
    ``WWW-Authenticate``'s quoted realm and a blob redirect's ``Location``."""
    raw = http("GET", {"Host": host}, target="/v2/")
    answer = exchange(server, raw, half_close=True)
    assert answer.status == 400 and answer.closed and b"Host" in answer.body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:4566", "[::1]:80", "123456789012.dkr.ecr.us-east-1.localhost",
                                  "x:", "my_host"])
def test_hosts_of_every_uri_form_reach_the_registry(server, host):
    answer = exchange(server, http("GET", {"Host": host}, target="/v2/"))
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == f'Basic realm="http://{host}/",service="ecr.amazonaws.com"'


def test_a_body_shorter_than_its_content_length_is_not_a_hang(server):
    raw = signed(server, "apprunner", JSON_HEADERS, b"{}").replace(b"Content-Length: 2", b"Content-Length: 50")
    answer = exchange(server, raw, half_close=True)
    assert answer.status == 400 and answer.closed


def test_chunked_bodies_and_expect_continue_are_understood(server):
    raw = signed(server, "apprunner", JSON_HEADERS, b"{}")
    chunked = raw.replace(b"Content-Length: 2\r\n", b"Transfer-Encoding: chunked\r\n").replace(
        b"\r\n\r\n{}", b"\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    assert exchange(server, chunked).status == 200
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(raw.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n", 1))
        buffer = bytearray()
        first = _read_answer(sock, buffer)
        second = first if first.status != 100 else _read_answer(sock, buffer)
        assert second.status == 200



class _SignerOfEveryHeader(SigV4Auth):
    """Signs every header it is given, ``Transfer-Encoding`` included, as curl's ``--aws-sigv4`` does (botocore
    leaves that header out of its signatures)."""

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        every = HTTPHeaders()
        for name, value in request.headers.items():
            every[name.lower()] = value
        return every


def test_a_signature_covering_transfer_encoding_is_verified(server):
    """The server de-chunks a chunked body, yet a signature over the ``Transfer-Encoding`` header still matches
    (curl 7.88's ``--aws-sigv4`` sends ``SignedHeaders=content-type;host;transfer-encoding;x-amz-date``); the same
    signature on the body sent with ``Content-Length`` instead does not."""
    from botocore.credentials import Credentials
    headers = {**QUERY_HEADERS, "Transfer-Encoding": "chunked", "Host": f"{server.host}:{server.port}"}
    request = AWSRequest(method="POST", url=server.endpoint_url + "/", data=QUERY_BODY, headers=headers)
    _SignerOfEveryHeader(Credentials("test", "test"), "iam", "us-east-1").add_auth(request)
    assert "transfer-encoding" in request.headers["Authorization"]
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(QUERY_BODY), QUERY_BODY)
    raw = http("POST", dict(request.headers.items()), body)
    answer = exchange(server, raw)
    assert answer.status == 200, answer.body[:300]
    assert b"<ListUsersResult>" in answer.body
    unchunked = {name: value for name, value in request.headers.items() if name != "Transfer-Encoding"}
    tampered = exchange(server, http("POST", unchunked, QUERY_BODY))
    assert tampered.status == 403 and b"SignatureDoesNotMatch" in tampered.body

@pytest.mark.parametrize(("headers", "body"), [
    (JSON_HEADERS, b"\xff\xfe\xfd{}"), (JSON_HEADERS, "{\"NextToken\": \"\u00e9\"}".encode("latin-1")),
    (QUERY_HEADERS, b"Action=ListUsers&Version=2010-05-08&Marker=\xff\xfe"), (QUERY_HEADERS, b"\x80\x81"),
])
def test_non_utf8_bodies_are_aws_errors(server, headers, body):
    service = "apprunner" if "X-Amz-Target" in headers else "iam"
    assert_aws_error(exchange(server, signed(server, service, headers, body)))


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/xml", "", "multipart/x",
                                          "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_never_a_500(server, content_type):
    for service, headers, body in (("apprunner", JSON_HEADERS, b"{}"), ("iam", QUERY_HEADERS, QUERY_BODY)):
        answer = exchange(server, signed(server, service, {**headers, "Content-Type": content_type}, body))
        assert answer.status < 500 and answer.headers.get("x-amzn-RequestId"), answer.body[:300]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"])
def test_other_methods_on_json_and_query_services(server, method):
    for service, headers, body in (("apprunner", JSON_HEADERS, b"{}"), ("iam", QUERY_HEADERS, QUERY_BODY)):
        answer = exchange(server, signed(server, service, headers, body, method=method))
        assert answer.status < 500, (method, service, answer.status, answer.body[:300])


def test_http_1_0_is_answered_and_closed(server):
    raw = signed(server, "apprunner", JSON_HEADERS, b"{}").replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
    answer = exchange(server, raw)
    assert answer.status == 200 and answer.closed


def test_one_connection_survives_errors_and_pipelining(server):
    """Keep-alive: an error answer does not poison the connection; pipelined requests are answered in order."""
    good = signed(server, "apprunner", JSON_HEADERS, b"{}")
    bad_json = signed(server, "apprunner", JSON_HEADERS, b"{")
    unsigned = http("POST", {"Host": "x", **JSON_HEADERS}, b"{}")
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(good + bad_json + unsigned + good)
        buffer = bytearray()
        statuses = [_read_answer(sock, buffer).status for _ in range(4)]
    assert statuses == [200, 400, 400, 200]


def test_paths_and_targets_with_odd_bytes(server):
    for target in ("/%ZZ", "/%ff%fe", "/..%2f..%2fetc", "/" + "a" * 5000, "/?%", "/?&&=&=="):
        answer = exchange(server, signed(server, "apprunner", JSON_HEADERS, b"{}").replace(
            b"POST / ", f"POST {target} ".encode(), 1))
        assert answer.status < 500, (target, answer.body[:200])
    for target_header in ("AppRunner.", ".ListServices", "AppRunner.ListServices.Extra", "\xe9", ""):
        answer = exchange(server, signed(server, "apprunner", {**JSON_HEADERS, "X-Amz-Target": target_header}, b"{}"))
        assert_aws_error(answer)


def test_the_server_still_answers_after_the_abuse(server):
    answer = exchange(server, signed(server, "sts", QUERY_HEADERS, b"Action=GetCallerIdentity&Version=2011-06-15"))
    assert answer.status == 200 and b"<Account>123456789012</Account>" in answer.body


def test_a_scope_for_another_service_is_refused_with_aws_wording(server):
    """Signed for ``lambda`` but addressed to IAM / App Runner: refused, not served (it used to be served)."""
    answer = exchange(server, signed(server, "iam", QUERY_HEADERS, QUERY_BODY, signing_name="lambda"))
    assert_aws_error(answer, 403, "SignatureDoesNotMatch")
    assert b"Credential should be scoped to correct service: &apos;iam&apos;" in answer.body or \
        b"Credential should be scoped to correct service: 'iam'. " in answer.body
    answer = exchange(server, signed(server, "apprunner", JSON_HEADERS, b"{}", signing_name="dynamodb"))
    assert_aws_error(answer, 400, "InvalidSignatureException")
    assert json.loads(answer.body)["Message"] == "Credential should be scoped to correct service: 'apprunner'. "
