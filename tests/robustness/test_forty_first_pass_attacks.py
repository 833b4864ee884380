"""An attacker's forty-first pass: the surface this session added (SigV2 on IAM and STS; the canonical URI from the
path as sent and AWS's canonical query only; the bound on request bodies held; ``mock_apprunner``'s first-answer
view; a ``Date`` on every answer and header names with underscores dropped; the seed digest check and reads that
save nothing).  Real clients: boto3 in both modes, raw sockets where the wire matters.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
an IAM request with no credentials at all and a large     **fixed (medium).** Looking for a SigV2 signature decoded
form body (18 MiB), beside other clients' requests        every parameter of the body, and encoded them again, under
                                                           the store lock: each such request held every other request
                                                           of every service up for seconds (1.7 s for 18 MiB,
                                                           growing with the body up to 64 MiB).  The SigV2
                                                           reading (parameters, string to sign) is now made before
                                                           the lock is taken (``authenticate.read_ahead``), as the
                                                           codec's; the lock's hold costs a key look-up and an HMAC.
SigV2 with ``Timestamp=`` (empty)                          **fixed (low).** A 500 ``InternalFailure`` (a KeyError on
                                                           ``Expires``) for a request anyone can send; now
                                                           IncompleteSignature "Invalid date format".
``PUT /_mockrunner/state`` holding an image whose          **fixed (low).** Imported (and loaded from a state file)
manifest is not the one its digest names (one space        as is: every pull of it was refused by its client
added to the manifest)                                     (``Docker-Content-Digest`` is not the body's SHA-256), the
                                                           mismatch the seed check refuses since this session.  The
                                                           import refuses it (400 InvalidState naming both digests).
``mock_apprunner(seed=...)`` or ``apply_seed`` with a      **fixed (low).** A seed given as a Python object can hold
Python seed holding half a UTF-16 surrogate pair (in a     what its JSON never could: an uncaught
manifest with its digest, a tag, a policy, a name)         ``UnicodeEncodeError`` (nothing applied), and root
                                                           credentials holding one were taken.  A ``SeedError``
                                                           names it, as the file and the admin API refuse it.
=========================================================  ==========================================================

Probed and held:

* SigV2 never authenticates where it is not read: an ECR or App Runner request (JSON), an IAM Toolbox path, the
  registry under ``/v2/`` and its catalog answer as unsigned; a valid SigV4 ``Authorization`` header beside valid
  SigV2 parameters is the SigV4 caller, an invalid one is refused whatever the SigV2 parameters say.
  ``Signature`` given in the query and in the body (IncompleteSignature); the signed parameters split between the
  query and the body (verified: both are read, and signed); a parameter added to the query of a signed POST,
  or removed from it (SignatureDoesNotMatch); ``SignatureVersion`` ``0``, ``1``, ``02``, `` 2`` and
  ``SignatureMethod`` ``hmacsha256`` (IncompleteSignature: SigV1's case-insensitive sort is never read); a
  signature made with HmacSHA1 sent as HmacSHA256 (SignatureDoesNotMatch); a signature for the host without its
  port (verified, as boto 2 signs; the ``Host`` is not bound to the server anyway: SigV4 signs whatever ``Host`` the
  client sends); another host (SignatureDoesNotMatch); every SigV2 parameter empty, NUL, 100 KB, non-ASCII, with
  odd dates (year 1, 9999, a 30-digit fraction, ``+24:00``, month 13, February 30): no 5xx.  A session's token
  of another session is InvalidClientTokenId.
* The path: ``%zz``, ``%``, ``%2``, ``%C0%AF``, ``%c0%ae%c0%ae``, ``%00``, ``//``, ``/a/%2e%2e/``, ``*`` and an
  absolute-form target with ``%zz``, raw bytes above 0x7F (400 from h11), on STS and on the IAM Toolbox path, signed
  by botocore: each verified or refused by its signature, never a 5xx; ``REQUEST_URI`` and ``RAW_URI`` cannot be set
  by a header (a ``Raw-Uri`` header is ``HTTP_RAW_URI``).
* The body budget (``Limits.max_buffered_bodies`` of 1000 bytes, raw sockets): a client reset in the middle of a
  body, a body refused 503 beside another held, a body past its deadline (408), pipelined requests with the last one
  cut short, ``100 Continue`` then the client gone, a chunked body past the budget, twenty clients at once, and a
  streamed ``/v2/`` body: each time everything is given back (``held`` returns to 0, never below).
* ``Date`` exactly once on HEAD, registry answers, the admin API, and the server's own 400s.
* ``mock_apprunner``: a ``before-send`` handler a user registers for another service (S3) still runs, and so does
  one registered on ``before-send.iam`` (a more specific event comes before mockrunner's); ``before-parse``,
  ``needs-retry`` and ``after-call`` handlers run for our services; eight threads each entering a mock at once.
* Reads that change state: every read-named operation of IAM, STS, ECR and App Runner called with valid input as
  root and as a user changed nothing but the last-used records, and each of those marked the request to be saved
  (``state_changed``); the registry saves a pull's time.  Seeds: manifests with a BOM, CRLF, escapes, as objects
  (their ``json.dumps`` text) verify against their digests, and the image pulled back has the digest of its bytes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import boto3
import pytest
import requests

from mockrunner.config import Settings
from mockrunner.protocol import query_codec
from mockrunner.seed import SeedError, apply_seed
from mockrunner.serving import Limits, make_server
from mockrunner.testing.inprocess import call_app
from mockrunner.testing.mock import MockAppRunner, mock_apprunner
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import MODES, UNREACHABLE, Harness
from tests.robustness.lock_watch import called_under_the_lock
from tests.robustness.wire import signed_request
from tests.ways.sdk_principals import allow, user

ACCOUNT = "123456789012"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(params=MODES)
def harness(request) -> Iterator[Harness]:
    made = Harness(request.param, Settings(log_requests=False))
    try:
        yield made
    finally:
        made.close()


# -- SigV2 helpers ----------------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _v2(action: str = "GetCallerIdentity", version: str = "2011-06-15", **extra: str) -> list[tuple[str, str]]:
    fields = {"Action": action, "Version": version, "AWSAccessKeyId": "test", "SignatureVersion": "2",
              "SignatureMethod": "HmacSHA256", "Timestamp": _now(), **extra}
    return list(fields.items())


def _encoded(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in fields)


def _signature(fields: list[tuple[str, str]], host: str, method: str = "POST", path: str = "/", secret: str = "test",
               digest=hashlib.sha256) -> str:
    query = "&".join(sorted(_encoded([pair]) for pair in fields if pair[0] != "Signature"))
    text = f"{method}\n{host}\n{path}\n{query}"
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), digest).digest()).decode()


def _host(harness: Harness) -> str:
    return harness.endpoint_url.partition("://")[2] if harness.server else "localhost"


def _send(harness: Harness, query: str, body: str, method: str = "POST", path: str = "/",
          headers: dict | None = None) -> tuple[int, str]:
    """Status and the error code (``""`` for a success) of a request to ``harness`` in its mode."""
    target = path + (f"?{query}" if query else "")
    headers = {"Content-Type": FORM, **(headers or {})}
    if harness.server:
        answer = requests.request(method, harness.endpoint_url + target, data=body.encode(), headers=headers,
                                  timeout=30)
        status, text = answer.status_code, answer.text
    else:
        reply = harness.app.test_client().open(target, method=method, data=body.encode(), headers=headers)
        status, text = reply.status_code, reply.get_data(as_text=True)
    if status == 200:
        return status, ""
    if text.startswith("{"):
        document = json.loads(text)
        return status, document.get("__type") or document.get("message") or document.get("errors", [{}])[0].get(
            "code", "")
    return status, text.partition("<Code>")[2].partition("</Code>")[0] or text[:80].strip()


# -- finding: the SigV2 reading under the store lock ------------------------------------------------------------

def _parsed_under_the_lock(harness: Harness, send) -> list[str]:
    """The body and query parsers called while this thread holds the store lock during ``send()``."""
    return called_under_the_lock(harness.store.lock,
                                 {"parse_qsl": parse_qsl, "form_fields": query_codec.form_fields}, send)


def test_a_query_request_is_decoded_before_the_store_lock_is_taken() -> None:
    harness = Harness("inprocess", Settings(log_requests=False))
    try:
        host = _host(harness)
        padding = "x" * 5000
        unsigned = _encoded([("Action", "ListUsers"), ("Version", "2010-05-08"), ("Padding", padding)])
        signed = _v2("ListUsers", "2010-05-08", Padding=padding)
        signed.append(("Signature", _signature(signed, host)))
        unknown = _v2("ListUsers", "2010-05-08", AWSAccessKeyId="AKIAIOSFODNN7EXAMPLE")
        unknown.append(("Signature", _signature(unknown, host)))
        query_signed = _v2()
        query_signed.append(("Signature", _signature(query_signed, host, method="GET")))
        cases = [("no credentials", lambda: _send(harness, "", unsigned), (403, "MissingAuthenticationToken")),
                 ("SigV2", lambda: _send(harness, "", _encoded(signed)), (200, "")),
                 ("unknown key", lambda: _send(harness, "", _encoded(unknown)), (403, "InvalidClientTokenId")),
                 ("SigV2 GET", lambda: _send(harness, _encoded(query_signed), "", method="GET"), (200, ""))]
        for name, send, expected in cases:
            answers: list = []
            under_lock = _parsed_under_the_lock(harness, lambda send=send, answers=answers: answers.append(send()))
            assert under_lock == [], name
            assert answers == [expected], name
    finally:
        harness.close()


# -- finding: an empty Timestamp --------------------------------------------------------------------------------

@pytest.mark.parametrize("empty", ["Timestamp", "Expires"])
def test_an_empty_sigv2_date_is_incomplete_signature_not_a_500(harness: Harness, empty: str) -> None:
    fields = [(name, value) for name, value in _v2() if name != "Timestamp"] + [(empty, "")]
    fields.append(("Signature", _signature(fields, _host(harness))))
    assert _send(harness, "", _encoded(fields)) == (400, "IncompleteSignature")


# -- finding: an imported image whose digest is not its manifest's ----------------------------------------------

def test_an_imported_image_whose_manifest_is_not_its_digests_is_refused(harness: Harness) -> None:
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="web")
    manifest = image_manifest("a")
    put_image(ecr, repositoryName="web", imageManifest=manifest, imageTag="v1")
    status, state = harness.admin("GET", "/state")
    assert status == 200
    images = state["state"]["accounts"][ACCOUNT]["regions"]["us-east-1"]["ecr"]["repositories"]["web"]["images"]
    (digest, image), = images.items()
    assert image["manifest"] == manifest
    image["manifest"] = manifest.replace("{", "{ ", 1)  # one byte more: another SHA-256
    status, answer = harness.admin("PUT", "/state", state)
    assert status == 400 and answer["error"] == "InvalidState", answer
    assert f"{digest} is not the digest of the image's manifest" in answer["message"]
    pulled = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert pulled["imageManifest"] == manifest  # nothing applied


# -- finding: a Python seed holding half a surrogate pair -------------------------------------------------------

@pytest.mark.parametrize("account", [
    {"ecr": {"repositories": [{"name": "web", "images": [{"tags": ["v1"], "manifest": "{\ud800}",
                                                          "digest": "sha256:" + "0" * 64}]}]}},
    {"users": [{"name": "alice", "tags": {"team": "a\udc00"}}]},
    {"root_credentials": {"access_key_id": "AKIA\ud800", "secret_access_key": "x"}},
], ids=["manifest", "tag", "root credentials"])
def test_a_python_seed_holding_half_a_surrogate_pair_is_a_seed_error(account: dict) -> None:
    harness = Harness("inprocess")
    try:
        with pytest.raises(SeedError, match="half a UTF-16 surrogate pair"):
            apply_seed(harness.store, {"accounts": [account]})
    finally:
        harness.close()
    mock = MockAppRunner(seed={"accounts": [account]})
    with pytest.raises(SeedError):
        mock.start()
    assert not mock.active


# -- held: SigV2 where it is not read, and beside SigV4 ---------------------------------------------------------

def test_sigv2_never_authenticates_where_it_is_not_read(harness: Harness) -> None:
    host = _host(harness)
    for path, headers in [("/", {"X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
                                 "Content-Type": "application/x-amz-json-1.1"}),
                          ("/", {"X-Amz-Target": "AppRunner.ListServices",
                                 "Content-Type": "application/x-amz-json-1.0"}),
                          ("/authorization-details/x", {}), ("/v2/_catalog", {}), ("/v2/", {})]:
        fields = _v2()
        fields.append(("Signature", _signature(fields, host, method="GET", path=path)))
        status, code = _send(harness, _encoded(fields), "", method="GET", path=path, headers=headers)
        assert (status, code) in ((400, "MissingAuthenticationTokenException"), (401, "Not Authorized"),
                                  (403, "Missing Authentication Token")), (path, status, code)


def test_sigv2_parameters_bind_what_they_sign(harness: Harness) -> None:
    host = _host(harness)
    fields = _v2("ListUsers", "2010-05-08", PathPrefix="/")
    signature = ("Signature", _signature(fields, host))
    # split between the query and the body: both are read, both are signed
    assert _send(harness, _encoded(fields[:3]), _encoded([*fields[3:], signature])) == (200, "")
    assert _send(harness, _encoded([signature]), _encoded([*fields, signature])) == (400, "IncompleteSignature")
    assert _send(harness, "MaxItems=1", _encoded([*fields, signature])) == (403, "SignatureDoesNotMatch")
    assert _send(harness, "", _encoded([*fields[:-1], signature])) == (403, "SignatureDoesNotMatch")
    sha1 = _v2()
    sha1.append(("Signature", _signature(sha1, host, digest=hashlib.sha1)))  # HmacSHA1 named HmacSHA256
    assert _send(harness, "", _encoded(sha1)) == (403, "SignatureDoesNotMatch")
    for name, value in [("SignatureVersion", "1"), ("SignatureVersion", "0"), ("SignatureVersion", "02"),
                        ("SignatureVersion", " 2"), ("SignatureMethod", "hmacsha256")]:
        bad = [(key, value if key == name else given) for key, given in _v2()]
        bad.append(("Signature", _signature(bad, host)))
        assert _send(harness, "", _encoded(bad)) == (400, "IncompleteSignature"), (name, value)
    other = _v2()
    other.append(("Signature", _signature(other, "iam.amazonaws.com")))
    assert _send(harness, "", _encoded(other)) == (403, "SignatureDoesNotMatch")


def _sigv4(harness: Harness, body: str, tamper: bool = False) -> tuple[int, bytes]:
    """Status and body of a POST of ``body`` signed with SigV4 (root) for STS; ``tamper``: its signature broken."""
    endpoint = harness.endpoint_url + "/" if harness.server else None
    prepared = signed_request("sts", body.encode(), {"Content-Type": FORM}, endpoint=endpoint)
    if tamper:
        prepared.headers["Authorization"] = prepared.headers["Authorization"][:-4] + "0000"
    if harness.server:
        answer = requests.post(prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=30)
        return answer.status_code, answer.content
    answer = call_app(harness.app, prepared)
    return answer.status_code, answer.content


def test_a_sigv4_header_beside_sigv2_parameters_is_the_one_verified(harness: Harness) -> None:
    host = _host(harness)
    stranger = _v2(AWSAccessKeyId="AKIAIOSFODNN7EXAMPLE")  # SigV2 alone: InvalidClientTokenId
    stranger.append(("Signature", _signature(stranger, host, secret="nope")))
    status, body = _sigv4(harness, _encoded(stranger))
    assert status == 200 and f"arn:aws:iam::{ACCOUNT}:root".encode() in body
    valid = _v2()
    valid.append(("Signature", _signature(valid, host)))
    status, body = _sigv4(harness, _encoded(valid), tamper=True)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


# -- held: the body budget is always given back -----------------------------------------------------------------

def _head(length: int, extra: bytes = b"") -> bytes:
    return (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
            b"%s\r\n" % (length, extra))


def _given_back(server) -> int:
    """What the server still holds once it settles (polled at most 200 times, 10 s)."""
    deadline = time.monotonic() + 10
    for _ in range(200):
        if server.bodies.held == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return server.bodies.held


def _first_line(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    try:
        return sock.recv(200).split(b"\r\n", 1)[0]
    except (TimeoutError, ConnectionResetError):
        return b""


def test_the_bodies_budget_is_given_back_however_a_request_ends() -> None:
    harness = Harness("inprocess")
    limits = Limits(max_buffered_bodies=1000, body_timeout=1, head_timeout=2, idle_timeout=3)
    server = make_server("127.0.0.1", 0, harness.app, limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def connect() -> socket.socket:
        return socket.create_connection(("127.0.0.1", server.server_port), timeout=10)

    try:
        reset = connect()  # a client reset in the middle of its body
        reset.sendall(_head(900) + b"a" * 500)
        for _ in range(100):
            if server.bodies.held:
                break
            time.sleep(0.02)
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        reset.close()
        assert _given_back(server) == 0
        with connect() as holding, connect() as refused:  # one holds 800; the other is 503
            holding.sendall(_head(900) + b"a" * 800)
            for _ in range(100):
                if server.bodies.held == 800:
                    break
                time.sleep(0.02)
            refused.sendall(_head(900) + b"b" * 300)
            assert _first_line(refused) == b"HTTP/1.1 503 Service Unavailable"
        assert _given_back(server) == 0
        with connect() as late:  # past the body's deadline
            late.sendall(_head(900) + b"a" * 100)
            assert _first_line(late) == b"HTTP/1.1 408 Request Timeout"
        assert _given_back(server) == 0
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        with connect() as pipelined:  # three whole requests, the fourth cut short
            pipelined.sendall((_head(len(body)) + body) * 3 + _head(len(body)) + body[:10])
            assert _first_line(pipelined).startswith(b"HTTP/1.1 403")
        assert _given_back(server) == 0
        with connect() as waiting:  # 100 Continue, part of the body, gone
            waiting.sendall(_head(900, b"Expect: 100-continue\r\n"))
            assert _first_line(waiting) == b"HTTP/1.1 100 Continue"
            waiting.sendall(b"x" * 400)
        assert _given_back(server) == 0
        with connect() as chunked:
            chunked.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + b"a" * 1000
                            + b"\r\n1\r\na\r\n0\r\n\r\n")
            assert _first_line(chunked) == b"HTTP/1.1 503 Service Unavailable"
        assert _given_back(server) == 0
        lines: list[bytes] = []

        def one() -> None:
            with connect() as sock:
                sock.sendall(_head(len(body)) + body)
                lines.append(_first_line(sock))

        threads = [threading.Thread(target=one) for _ in range(20)]
        for worker in threads:
            worker.start()
        for worker in threads:
            worker.join(30)
        assert len(lines) == 20 and all(line.startswith(b"HTTP/1.1 ") for line in lines)
        assert _given_back(server) == 0
    finally:
        server.shutdown()
        server.server_close()
        harness.close()


# -- held: one Date on every answer ------------------------------------------------------------------------------

def test_one_date_on_every_answer(server: Harness) -> None:
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    for request in [b"HEAD /v2/ HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /_mockrunner/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\nDate: Mon, 01 Jan 2001 00:00:00 GMT\r\n\r\n",
                    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", b"GARBAGE\r\n\r\n"]:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request)
            received = b""
            for _ in range(20):
                chunk = sock.recv(65536)
                received += chunk
                if not chunk or b"\r\n\r\n" in received:
                    break
        head = received.partition(b"\r\n\r\n")[0].lower()
        assert head.count(b"\r\ndate: ") == 1, (request, head)


# -- held: other handlers still run beside the first answer -----------------------------------------------------

def test_handlers_users_register_still_run_beside_the_first_answer() -> None:
    seen: list[str] = []
    with mock_apprunner():
        iam = boto3.client("iam", endpoint_url=UNREACHABLE)
        for event in ("before-send.iam", "before-parse.iam", "needs-retry.iam", "after-call.iam"):
            iam.meta.events.register(event, lambda event_name, **kwargs: seen.append(event_name.split(".")[0]))
        iam.list_users()
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=UNREACHABLE)
        s3.meta.events.register("before-send.s3", lambda **kwargs: seen.append("s3 before-send"))
        with pytest.raises(Exception):  # noqa: B017 - nothing answers S3 here: the handler ran, then the send failed
            s3.list_buckets()
    assert seen[:4] == ["before-send", "before-parse", "needs-retry", "after-call"]
    assert seen[-1] == "s3 before-send"


# -- held: a SigV2 caller is authorized as its SigV4 self -------------------------------------------------------

def test_a_sigv2_caller_meets_the_same_conditions_as_its_sigv4_self(harness: Harness) -> None:
    """A session with a tag: its policy allows ListUsers only with that principal tag and GetUser only over TLS
    (these requests are plain HTTP), and ListRoles for another user agent; SigV2 and SigV4 decide alike."""
    iam = harness.client("iam")
    statements = [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}},
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"StringEquals": {"aws:UserAgent": "not-this-one"}}},
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    role = iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="tagged", PolicyName="p", PolicyDocument=policy)
    alice = user(harness, "alice", allow("sts:AssumeRole", "sts:TagSession"))
    sts = harness.client("sts", access_key=alice["accessKeyId"], secret=alice["secretAccessKey"])
    keys = sts.assume_role(RoleArn=role, RoleSessionName="session",
                                             Tags=[{"Key": "team", "Value": "blue"}])["Credentials"]
    v4 = harness.client_for(keys, "iam")
    host = _host(harness)

    def v2(action: str) -> tuple[int, str]:
        fields = _v2(action, "2010-05-08", AWSAccessKeyId=keys["AccessKeyId"], SecurityToken=keys["SessionToken"])
        fields.append(("Signature", _signature(fields, host, secret=keys["SecretAccessKey"])))
        return _send(harness, "", _encoded(fields))

    def sigv4(call) -> tuple[int, str]:
        try:
            call()
        except v4.exceptions.ClientError as error:
            return error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]
        return 200, ""

    assert v2("ListUsers") == sigv4(v4.list_users) == (200, "")
    assert v2("GetUser") == sigv4(v4.get_user) == (403, "AccessDenied")
    assert v2("ListRoles") == sigv4(v4.list_roles) == (403, "AccessDenied")
    other = _v2("ListUsers", "2010-05-08", AWSAccessKeyId=keys["AccessKeyId"], SecurityToken="another-token")
    other.append(("Signature", _signature(other, host, secret=keys["SecretAccessKey"])))
    assert _send(harness, "", _encoded(other)) == (403, "InvalidClientTokenId")
