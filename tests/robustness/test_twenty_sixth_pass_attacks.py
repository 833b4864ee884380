"""An attacker's twenty-sixth pass: ECR (the API's operations, the registry endpoint under ``/v2/``) and the HTTP
server under it (its connection limit, its head and body deadlines, HTTPS).  Real clients throughout: boto3 in both
modes, ``requests`` and raw sockets (plain and TLS) against the server ``mockrunner serve`` runs.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
TagResource / CreateRepository with a million tags, as a   **fixed (medium).** The model sets no bound on ``TagList``;
caller with no permission at all                           every tag went into the authorization context
                                                           (``aws:RequestTag/<key>``, ``aws:TagKeys``) under the store
                                                           lock: 1.5 s (CreateRepository 1.5 s) while every other
                                                           request waited, then AccessDenied.  The 51st distinct key
                                                           is now ECR's TooManyTagsException (the model's own text,
                                                           quota included), before authorization; a key repeated
                                                           counts once (``aws:TagKeys`` names it once).
CreateRepositoryCreationTemplate with 60 ``resourceTags``  **fixed (low).** Taken (50 distinct keys) and kept as 60
naming 50 keys (a key given twice)                         entries: the state then exported did not import again
                                                           (a template holds at most 50 tags), so a server with a
                                                           state file would not restart.  The template keeps each key
                                                           once (its last value), as a repository does.
HTTPS: a handshake, then the first bytes of a TLS record   **fixed (medium).** The head deadline (10 s) started only
and silence                                                once ``recv`` returned, and over TLS ``recv`` waits for a
                                                           whole record: the connection, busy and so never closed to
                                                           make room, was held for the idle timeout (120 s), so 512
                                                           such clients shut the server out for two minutes (a plain
                                                           client sending a byte is answered 408 after 10 s).  Now the
                                                           head deadline runs from the first byte's arrival: 408, over
                                                           TLS, as over plain HTTP.
a layer ``PATCH`` (or a chunked one, or a manifest         **fixed (low).** The body deadline (20 s plus 1 s per 500
``PUT``) whose body stops coming mid-way, past the body    bytes) is met inside the application for streamed bodies:
deadline; or whose client stops sending (half-close)       the registry answered 500 ``UNKNOWN`` and logged a
                                                           traceback.  Now 408 (``UNKNOWN`` "request body not received
                                                           in time") or 400 ``SIZE_INVALID``, registry-shaped, with
                                                           ``Connection: close``; the upload keeps what it had (the
                                                           part is not kept) and resumes and completes.
=========================================================  ==========================================================

Probed and held (checked by hand unless a test below says so):

* Lists the model does not bound, as a caller with no permission: UntagResource with a million ``tagKeys`` (0.06 s
  under the store lock), CreateRepositoryCreationTemplate with a million ``appliedFor`` (0.01 s; an allowed caller's
  is kept once per purpose), DescribeRepositoryCreationTemplates with a million ``prefixes`` (0.09 s allowed, 0.01 s
  denied).  Every other list of an ECR input (``imageIds``, ``layerDigests``, ``repositoryNames``, replication rules,
  destinations and filters, scanning rules and filters, exclusion filters) has a bound in the model, which the
  gateway checks before the lock is taken.
* Replication: 25 rules of 100 destinations each are deduplicated per push (one copy per destination); a destination
  account mockrunner does not hold is ``DESTINATION_NOT_FOUND`` at once.
* The upload of a registry ``PATCH`` cut by the deadline is all or nothing, in memory and on disk with
  ``--state-file`` (no ``uploads/`` file left once it completes); the blob's ``Range`` is unchanged, a retried
  ``PATCH`` from the same offset is taken.
* HTTPS: garbage after ``0x16``, a handshake cut short and renegotiation end only their connection (as
  ``tests/foundation/test_tls.py`` pins); the ``WWW-Authenticate`` realm is the ``Host`` as a quoted-string.
* Six threads of CreateRepository, pushes (layer API and PutImage), BatchDeleteImage, DeleteRepository ``force``,
  PutLifecyclePolicy and DescribeImages on three repositories over a real server with a state file (240 calls): no
  5xx; the refusals are those a race explains (RepositoryNotFound 109, RepositoryAlreadyExists 16, UploadNotFound 1
  for an upload whose repository was deleted meanwhile, LayersNotFound 1 for one recreated meanwhile), and the state
  saves and loads again.
* A key given twice in a CreateRepository ``tags``: ``aws:TagKeys`` names it once, so a ``ForAllValues`` condition
  on the keys is judged on the keys given (pinned below; it held before the fix too).
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import ssl
from collections.abc import Iterator

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from mockrunner.serving import Limits
from mockrunner.tls import server_context
from tests.apprunner.helpers import user_client
from tests.robustness import threaded_server

_NO_CHECKS = Config(parameter_validation=False, retries={"total_max_attempts": 1})
TOO_MANY = ("TooManyTagsException", "The list of tags on the repository is over the limit. The maximum number of "
            "tags that can be applied to a repository is 50.")


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def _tags(count: int, distinct: int | None = None) -> list[dict[str, str]]:
    return [{"Key": f"k{index % (distinct or count)}", "Value": f"v{index}"} for index in range(count)]


# ----------------------------------------------------------------------------------------------------- tags
def test_more_tags_than_a_repository_may_have_are_refused_before_authorization(aws):
    ecr = aws.client("ecr", config=_NO_CHECKS)
    arn = ecr.create_repository(repositoryName="tagged")["repository"]["repositoryArn"]
    nobody = user_client(aws, "nobody", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}, service="ecr")
    assert _error(lambda: nobody.tag_resource(resourceArn=arn, tags=_tags(51))) == TOO_MANY
    assert _error(lambda: nobody.tag_resource(resourceArn=arn, tags=_tags(100_000))) == TOO_MANY
    assert _error(lambda: nobody.create_repository(repositoryName="many", tags=_tags(100_000))) == TOO_MANY
    assert _error(lambda: nobody.tag_resource(resourceArn=arn, tags=_tags(50)))[0] == "AccessDeniedException"
    assert _error(lambda: nobody.tag_resource(resourceArn=arn, tags=_tags(60, distinct=50)))[0] == (
        "AccessDeniedException")
    # A key given again counts once; the repository keeps its last value.
    ecr.tag_resource(resourceArn=arn, tags=_tags(60, distinct=50))
    tags = {tag["Key"]: tag["Value"] for tag in ecr.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert len(tags) == 50 and tags["k0"] == "v50"
    assert _error(lambda: ecr.tag_resource(resourceArn=arn, tags=[{"Key": "one-more", "Value": "v"}])) == TOO_MANY
    # a template's operations declare no TooManyTagsException (docs/behaviour.md, "Hostile input: forty-seventh pass")
    assert _error(lambda: ecr.create_repository_creation_template(
        prefix="many", appliedFor=["CREATE_ON_PUSH"], resourceTags=_tags(100_000))) == (
        "InvalidParameterException", "Invalid parameter at 'resourceTags' failed to satisfy constraint: 'The maximum "
        "number of tags that can be applied to a repository is 50.'")


def test_a_repeated_key_counts_once_in_aws_tag_keys(aws):
    """``aws:TagKeys`` names each key once: a ``ForAllValues`` limit on the keys is judged on the keys given."""
    ecr = aws.client("ecr")
    allowed = user_client(aws, "tagger", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:CreateRepository", "ecr:TagResource"], "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]}, service="ecr")
    created = allowed.create_repository(repositoryName="teams", tags=[
        {"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}])["repository"]
    assert ecr.list_tags_for_resource(resourceArn=created["repositoryArn"])["tags"] == [
        {"Key": "team", "Value": "b"}]
    assert _error(lambda: allowed.create_repository(repositoryName="other", tags=[
        {"Key": "team", "Value": "a"}, {"Key": "cost", "Value": "b"}]))[0] == "AccessDeniedException"


def test_a_template_given_a_key_twice_keeps_it_once_and_its_state_loads_again(aws):
    ecr = aws.client("ecr")
    made = ecr.create_repository_creation_template(
        prefix="teams", appliedFor=["CREATE_ON_PUSH"], resourceTags=_tags(60, distinct=50))
    assert len(made["repositoryCreationTemplate"]["resourceTags"]) == 50
    assert {"Key": "k0", "Value": "v50"} in made["repositoryCreationTemplate"]["resourceTags"]
    ecr.update_repository_creation_template(prefix="teams", resourceTags=[{"Key": "a", "Value": "1"}] * 3)
    described = ecr.describe_repository_creation_templates(prefixes=["teams"])["repositoryCreationTemplates"]
    assert described[0]["resourceTags"] == [{"Key": "a", "Value": "1"}]
    ecr.create_repository_creation_template(prefix="more", appliedFor=["REPLICATION"],
                                            resourceTags=_tags(60, distinct=50))
    document = json.loads(json.dumps(snapshot.export_state(aws.store)))
    snapshot.import_state(Store(aws.settings), document)  # a state file holding it loads again


# ---------------------------------------------------------------------------------------------------- HTTPS
def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]


_serving = threaded_server.serving


def _read_all(receive) -> bytes:
    data = b""
    for _ in range(1000):  # bounded: the server answers, then closes
        chunk = receive(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_tls_record_cut_short_gets_the_head_deadline_not_the_idle_timeout(tmp_path):
    """A client that made its handshake and then sent the first bytes of a record is answered 408 once the head
    deadline passes, as a plain client that sent a byte is; before, its connection was held (busy, so never closed
    to make room) until the idle timeout, then closed without an answer."""
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    with _serving(_hello, Limits(head_timeout=1, idle_timeout=60), server_context(cert, key)) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as plain:
            plain.sendall(b"G")
            assert _read_all(plain.recv).startswith(b"HTTP/1.1 408 ")
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        with ssl.create_default_context(cafile=cert).wrap_socket(raw, server_hostname="localhost") as secure:
            socket.socket.sendall(secure, b"\x17\x03\x03")  # a record's header, cut short, under the TLS layer
            answer = _read_all(secure.recv)
            assert answer.startswith(b"HTTP/1.1 408 ")
            assert answer.endswith(b"request head not received in time")


# ------------------------------------------------------------------------------------ registry body deadline
class _Registry:
    """A mockrunner with a state file behind the server with a short body deadline, and what a registry client
    needs: its address, an ``Authorization`` header and a ``requests`` session."""

    def __init__(self, port: int, app, scheme: str, verify: str | bool) -> None:
        self.port, self.app, self.base = port, app, f"{scheme}://127.0.0.1:{port}"
        self.verify = verify
        ecr = boto3.client("ecr", endpoint_url=self.base, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test", verify=verify)
        ecr.create_repository(repositoryName="app")
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        self.authorization = "Basic " + token
        self.session = requests.Session()
        self.session.headers["Authorization"] = self.authorization

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, verify=self.verify, **kwargs)

    def raw(self, head: str, body: bytes, half_close: bool = False) -> bytes:
        """Send ``head`` and part of a body, then wait (or stop sending); the whole answer."""
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        if self.verify is not False and self.base.startswith("https"):
            connection = ssl.create_default_context(cafile=self.verify).wrap_socket(
                connection, server_hostname="localhost")
        with connection:
            connection.sendall(f"{head}Host: 127.0.0.1\r\nAuthorization: {self.authorization}\r\n\r\n".encode()
                               + body)
            if half_close:
                connection.shutdown(socket.SHUT_WR)
            return _read_all(connection.recv)


@pytest.fixture(params=["http", "https"])
def slow_registry(request, tmp_path) -> Iterator[_Registry]:
    app = create_app(Settings(log_requests=False, state_file=str(tmp_path / "state.json")))
    context = None
    verify: str | bool = False
    if request.param == "https":
        cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
        context, verify = server_context(cert, key), cert
    with _serving(app, Limits(body_timeout=1, body_min_rate=10 ** 9), context) as port:
        yield _Registry(port, app, request.param, verify)


def _status_and_error(answer: bytes) -> tuple[int, dict, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)["errors"][0], head


def test_a_layer_part_past_the_body_deadline_is_a_408_and_the_upload_resumes(slow_registry, caplog):
    registry = slow_registry
    started = registry.call("POST", "/v2/app/blobs/uploads/")
    location = started.headers["Location"]
    data = os.urandom(6 * 1024 * 1024)
    stalled = registry.raw(f"PATCH {location} HTTP/1.1\r\nContent-Length: {len(data)}\r\n"
                           f"Content-Range: 0-{len(data) - 1}\r\n", data[:1000])
    status, error, head = _status_and_error(stalled)
    assert (status, error) == (408, {"code": "UNKNOWN", "message": "request body not received in time"})
    assert b"Connection: close" in head
    chunked = registry.raw(f"PATCH {location} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n",
                           b"3e8\r\n" + b"x" * 1000 + b"\r\n")
    assert _status_and_error(chunked)[:2] == (408, error)
    if registry.base.startswith("http:"):  # a TLS peer's bare EOF leaves OpenSSL nothing to answer on
        cut = registry.raw(f"PATCH {location} HTTP/1.1\r\nContent-Length: {len(data)}\r\n", data[:1000],
                           half_close=True)
        status, error, _ = _status_and_error(cut)
        assert (status, error["code"]) == (400, "SIZE_INVALID")
        assert "without sending complete message body" in error["message"]
    manifest = registry.raw("PUT /v2/app/manifests/v1 HTTP/1.1\r\nContent-Length: 5000\r\n", b"{}")
    assert _status_and_error(manifest)[0] == 408
    # Nothing of the parts was kept: the upload resumes from 0, and completes.
    assert registry.call("GET", location).headers["Range"] == "0-0"
    assert registry.call("PATCH", location, data=data, headers={"Content-Range": f"0-{len(data) - 1}"}).headers[
        "Range"] == f"0-{len(data) - 1}"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert registry.call("PUT", location, params={"digest": digest}).status_code == 201
    assert registry.call("HEAD", f"/v2/app/blobs/{digest}").headers["Content-Length"] == str(len(data))
    assert not [record for record in caplog.records if record.levelname == "ERROR"]  # no traceback logged
