"""What aiobotocore (aiohttp) and httpx do on the wire that botocore's urllib3 does not, held over HTTP.

aiobotocore 3.10.0 pins botocore below 1.43.118, under the project's 1.44.8, so it is not a test dependency: the
sweep ran it from a virtual environment outside the repository (docs/behaviour.md, "Through aiobotocore"). These
tests write what it found those clients send, byte by byte on a socket:

- a body streamed with ``Transfer-Encoding: chunked`` (aiohttp and httpx send an async generator that way; neither
  names the payload hash in a header), in chunks of a few bytes, with and without ``Expect: 100-continue``, for
  each protocol (query: IAM, STS; JSON 1.1: ECR; JSON 1.0: App Runner): verified against the hash of the bytes
  that arrived, and a different body under the same signature is refused (``SignatureDoesNotMatch`` 403, JSON
  services' ``InvalidSignatureException`` 400);
- a task cancelled mid-body (the client closes its side with part of the body sent, under ``Content-Length`` or
  chunked framing): nothing changes; IAM's CreateUser creates no user, ECR's UploadLayerPart leaves the upload
  where it was, a registry ``PATCH`` (with or without ``Content-Range``) appends nothing;
- an event loop sending many calls at once against one quota: exactly the quota lands (tags per user, policy
  versions, managed policies per user), the rest are ``LimitExceeded``.

Every one of these held before this module was written; it keeps them held.
"""
from __future__ import annotations

import base64
import hashlib
import json
import socket
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.testing.server import ThreadedServer
from tests.robustness import wire

TIMEOUT = 10.0
ACCOUNT = "123456789012"
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921"


@pytest.fixture()
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(Settings(log_requests=False, operation_delay=0)) as running:
        yield running


def client(server: ThreadedServer, service: str, pool: int = 10):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=pool))


def signed_head(server: ThreadedServer, service: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    """The headers of a SigV4 POST whose signature covers ``body`` (botocore's signer, no hash header)."""
    prepared = wire.signed_request(service, body, headers, endpoint=server.endpoint_url + "/")
    out = {name: (value.decode() if isinstance(value, bytes) else value) for name, value in prepared.headers.items()}
    out.pop("Content-Length", None)
    out["Host"] = f"{server.host}:{server.port}"
    return out


def head_bytes(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def _complete(data: bytes) -> bool:
    """Whether ``data`` holds a final (non-1xx) answer with all of its ``Content-Length`` body."""
    while data.startswith(b"HTTP/1.1 1") and b"\r\n\r\n" in data:
        data = data.split(b"\r\n\r\n", 1)[1]
    head, found, rest = data.partition(b"\r\n\r\n")
    if not found:
        return False
    lengths = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
               if line.lower().startswith(b"content-length:")]
    return len(rest) >= (lengths[0] if lengths else 0)


def read_status_lines(sock: socket.socket) -> tuple[list[int], bytes]:
    """Every status the server sent (interim answers included) until its final answer is complete or it closed."""
    data = b""
    while not _complete(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return [int(line.split(b" ")[1]) for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.")], data


PROTOCOLS = {
    "iam": ({"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            b"Action=ListUsers&Version=2010-05-08", b"<ListUsersResult>"),
    "sts": ({"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            b"Action=GetCallerIdentity&Version=2011-06-15", b"<Arn>arn:aws:iam::123456789012:root</Arn>"),
    "ecr": ({"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{ECR_TARGET}.DescribeRepositories"},
            b"{}", b'"repositories"'),
    "apprunner": ({"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AppRunner.ListServices"},
                  b"{}", b'"ServiceSummaryList"'),
}


@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect-100"])
@pytest.mark.parametrize("service", sorted(PROTOCOLS))
def test_a_chunked_body_in_small_chunks_is_verified_against_what_arrived(server, service, expect):
    headers, body, marker = PROTOCOLS[service]
    head = signed_head(server, service, headers, body) | {"Transfer-Encoding": "chunked"}
    if expect:
        head["Expect"] = "100-continue"
    refused = (403, b"SignatureDoesNotMatch") if service in ("iam", "sts") else (400, b"InvalidSignatureException")
    for size, sent, (status, expected) in ((3, body, (200, marker)), (1, body + b" ", refused)):
        with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
            sock.sendall(head_bytes("POST", "/", head))
            if expect:
                sock.settimeout(TIMEOUT)
                assert sock.recv(25).startswith(b"HTTP/1.1 100")
            sock.sendall(chunked(sent, size))
            statuses, data = read_status_lines(sock)
        assert statuses[-1] == status, data[:400]
        assert expected in data, data[:400]


def _cut(server: ThreadedServer, method: str, target: str, headers: dict[str, str], body: bytes,
         framing: str) -> list[int]:
    """Send the head and half of ``body`` (as framed), then close the sending side; the statuses answered."""
    if framing == "length":
        headers = headers | {"Content-Length": str(len(body))}
        wire_body = body
    else:
        headers = headers | {"Transfer-Encoding": "chunked"}
        wire_body = chunked(body, 4096)
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(head_bytes(method, target, headers) + wire_body[:len(wire_body) // 2])
        sock.shutdown(socket.SHUT_WR)
        statuses, _ = read_status_lines(sock)
    return statuses


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_a_create_user_cut_mid_body_creates_nothing(server, framing):
    body = b"Action=CreateUser&Version=2010-05-08&UserName=halfway&Path=%2F&Pad=" + b"y" * 100_000
    headers = signed_head(server, "iam", PROTOCOLS["iam"][0], body)
    assert _cut(server, "POST", "/", headers, body, framing) == [400]
    with pytest.raises(ClientError) as missing:
        client(server, "iam").get_user(UserName="halfway")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_an_upload_layer_part_cut_mid_body_leaves_the_upload_as_it_was(server, framing):
    ecr = client(server, "ecr")
    ecr.create_repository(repositoryName="cut")
    upload = ecr.initiate_layer_upload(repositoryName="cut")["uploadId"]
    part = hashlib.shake_256(b"part").digest(1024 * 1024)
    body = json.dumps({"repositoryName": "cut", "uploadId": upload, "partFirstByte": 0,
                       "partLastByte": len(part) - 1, "layerPartBlob": base64.b64encode(part).decode()}).encode()
    headers = signed_head(server, "ecr", {"Content-Type": "application/x-amz-json-1.1",
                                          "X-Amz-Target": f"{ECR_TARGET}.UploadLayerPart"}, body)
    assert _cut(server, "POST", "/", headers, body, framing) == [400]
    landed = ecr.upload_layer_part(repositoryName="cut", uploadId=upload, partFirstByte=0,
                                   partLastByte=len(part) - 1, layerPartBlob=part)
    assert landed["lastByteReceived"] == len(part) - 1


@pytest.mark.parametrize(("framing", "ranged"), [("length", False), ("chunked", False), ("chunked", True),
                                                 ("length", True)])
def test_a_registry_patch_cut_mid_body_appends_nothing(server, framing, ranged):
    ecr = client(server, "ecr")
    ecr.create_repository(repositoryName="cut")
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    auth = {"Host": f"{server.host}:{server.port}", "Authorization": f"Basic {token}"}
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(head_bytes("POST", "/v2/cut/blobs/uploads/", auth | {"Content-Length": "0"}))
        statuses, data = read_status_lines(sock)
    assert statuses == [202], data[:300]
    location = next(line.split(b": ", 1)[1].decode() for line in data.split(b"\r\n")
                    if line.lower().startswith(b"location:"))
    first = hashlib.shake_256(b"first").digest(6 * 1024 * 1024)
    headers = auth | {"Content-Type": "application/octet-stream"}
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(head_bytes("PATCH", location, headers | {"Content-Length": str(len(first))}) + first)
        statuses, data = read_status_lines(sock)
    assert statuses == [201] and b"Range: 0-6291455" in data, data[:300]
    rest = hashlib.shake_256(b"rest").digest(2 * 1024 * 1024)
    if ranged:
        headers = headers | {"Content-Range": f"{len(first)}-{len(first) + len(rest) - 1}"}
    assert _cut(server, "PATCH", location, headers, rest, framing) == [400]
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(head_bytes("GET", location, auth))
        statuses, data = read_status_lines(sock)
    assert statuses == [204] and b"Range: 0-6291455" in data, data[:300]


def test_many_calls_at_once_on_one_quota_land_exactly_the_quota(server):
    iam = client(server, "iam", pool=25)
    iam.create_user(UserName="busy")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    arn = iam.create_policy(PolicyName="versions", PolicyDocument=policy)["Policy"]["Arn"]
    managed = [iam.create_policy(PolicyName=f"m{i}", PolicyDocument=policy)["Policy"]["Arn"] for i in range(15)]

    def outcome(call, **params) -> str:
        try:
            call(**params)
            return "ok"
        except ClientError as error:
            return error.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=25) as pool:
        tags = Counter(pool.map(lambda i: outcome(iam.tag_user, UserName="busy",
                                                  Tags=[{"Key": f"k{i}", "Value": "v"}]), range(51)))
        versions = Counter(pool.map(lambda i: outcome(iam.create_policy_version, PolicyArn=arn,
                                                      PolicyDocument=policy.replace("GetUser", f"GetUser{i}")),
                                    range(20)))
        attached = Counter(pool.map(lambda p: outcome(iam.attach_user_policy, UserName="busy", PolicyArn=p),
                                    managed))
    assert tags == {"ok": 50, "LimitExceeded": 1}
    assert len(iam.list_user_tags(UserName="busy")["Tags"]) == 50
    assert versions == {"ok": 4, "LimitExceeded": 16}
    assert sorted(v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]) == \
        ["v1", "v2", "v3", "v4", "v5"]
    assert attached == {"ok": 10, "LimitExceeded": 5}
    assert len(iam.list_attached_user_policies(UserName="busy")["AttachedPolicies"]) == 10
