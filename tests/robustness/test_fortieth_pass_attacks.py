"""An attacker's fortieth pass: the five trust promises, re-probed against the current code with new techniques
(SigV4 binds the request; an unreadable policy never allows; nothing acknowledged unless durable;
``mock_apprunner`` runs each request once, in its block only; the HTTP front end cannot be exhausted or confused).
Real clients: boto3 in both modes, raw sockets where the wire matters, moto beside ``mock_apprunner``.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
``mock_aws()`` (moto) and ``mock_apprunner()`` active      **fixed (medium).** botocore calls every ``before-send``
together, then IAM ``SimulateCustomPolicy``, ECR           handler and keeps the first answer: moto's (registered
``DescribePullThroughCacheRules``, IAM ``CreateUser``      after ours) ran every request again in moto's backends, so
                                                           an operation moto does not implement failed with moto's
                                                           ``NotImplementedError`` after mockrunner had answered, and
                                                           every mutation was made twice (moto held the user too).
                                                           For our services, a ``before-send`` now stops at the
                                                           first handler that answers (``mock._answered_once``).
``@mock_apprunner`` on a generator function (a pytest      **fixed (medium).** The wrapper returned the generator
``yield`` fixture) and on an async generator function      at once, leaving the block: the body ran with no mock
                                                           active, its requests sent to the real endpoint with
                                                           whatever credentials the process had.  The body now runs
                                                           inside the mock from its first step to its end.
512 connections each sending a 64 MiB body (read whole     **fixed (medium).** Nothing bounded the bodies held at
before the application, so before any authentication)      once: 32 GiB for a client without credentials, with the
                                                           body's deadline (a second per 500 bytes) to fill them.
                                                           ``Limits.max_buffered_bodies`` (512 MiB) bounds them,
                                                           counted as bytes arrive (a head alone holds nothing); a
                                                           body past it is 503 (retryable), known from its
                                                           ``Content-Length`` (before ``100 Continue``) or its
                                                           bytes; streamed ``/v2/`` bodies are not counted.
a mock started again after it stopped while a mock         **fixed (low).** The nested mock pointed at it and it
nested in it (another thread's block) was still active     now pointed at the nested one: each world was the other's,
                                                           a RecursionError on the first read of its settings, the
                                                           mock left active yet in no list (its ``stop`` a
                                                           ``ValueError``).  A mock joins the world's owner, never a
                                                           chain, and is back in its own world; a start that fails
                                                           leaves the environment as it was.
an ECR UploadLayerPart or a registry ``PATCH``, then       **fixed (low, read in the code).** The part's bytes were
which files were fsynced before the answer                 written without ``fsync`` and its record (part sizes)
                                                           replaced durably: a crash of the machine could leave the
                                                           record and lose the bytes, an upload shorter than its
                                                           client was told (the next part's offset refused).  The
                                                           part is fsynced before its record and the answer.
``--state-file`` naming a FIFO (or a device)               **fixed (low).** The start blocked for ever opening the
                                                           FIFO for reading (``/dev/zero`` would be read until
                                                           memory ran out).  A state path that exists and is no
                                                           regular file is refused without being opened.
IAM Toolbox GetRequestAuthorizationDetails with an id    **fixed (low).** botocore signs the path as sent with
holding a space, ``%2F``, ``/``, ``ä`` or ``+``            each segment encoded again (AWS's canonical URI); the
                                                           server encoded the decoded path once:
                                                           InvalidSignatureException, and ``%2F`` split the label
                                                           (UnknownOperationException).  The path as sent is kept,
                                                           signed and routed on (each label decoded on its own):
                                                           ValidationException naming the value.
a header field named with an underscore:                   **fixed (low).** A WSGI environ names headers with
``Content_Length: abc`` / ``999999999999``,                underscores for hyphens: ``Content_Length`` became the
``Content_Type``, ``X_Amz_Date`` beside the real ones      ``CONTENT_LENGTH`` h11 did not frame the body by (``abc``:
                                                           an uncaught ``ValueError``, a traceback and the connection
                                                           dropped unanswered; a large one a 413 for a small body),
                                                           ``Content_Type`` replaced the signed ``Content-Type``
                                                           (SignatureDoesNotMatch).  Such fields are left out, as
                                                           gunicorn 22, nginx and Apache do, over HTTP and
                                                           in-process alike.
=========================================================  ==========================================================

Probed and held:

* SigV4 over raw sockets: ``X-Amz-Content-Sha256`` ``UNSIGNED-PAYLOAD`` or ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``
  (403 SignatureDoesNotMatch: the body received is hashed); a second ``X-Amz-Date`` (IncompleteSignature), a second
  ``Authorization`` or ``Content-Type`` (SignatureDoesNotMatch: joined with ``,``, both signed and read as one
  value); chunked bodies with trailers naming ``X-Amz-Target`` and ``x-amz-content-sha256`` (trailers never reach
  the application; the de-chunked body is what is hashed and read); ``Content-Encoding: gzip`` added unsigned (the
  body is never decoded: the bytes hashed are the bytes read); bytes past ``Content-Length`` (the next pipelined
  request, never part of the body); dot segments, ``//`` and ``%2e%2e`` in the path (normalized for the
  signature as AWS does for every service but S3; the path routes nothing on these services, and
  ``/authorization-details/..`` signed for STS stays STS); ``Action`` in the query and in the body (both are
  signed; the query's names the operation, a parameter in both is the body's).  Presigned URLs: a body added to
  a presigned GET or POST, or a body sent where botocore moved it to the query (403: the presigned payload is the
  empty body's hash); a presigned ECR request whose ``X-Amz-Target`` is changed (400 InvalidSignatureException).
  The registry: ``..``, ``%2e%2e``, ``%2F``, ``//``, ``./`` and NUL in a ``/v2/`` repository name to reach a
  repository the caller's policy does not name (400 ``NAME_INVALID``, never the other repository's manifest,
  tags or blob); a token under ``Host`` spellings in upper case, with a trailing dot, a port or ``ecr-fips`` is
  the same registry, another Region's host is refused (``DENIED``).
* Policy variables that make a typed condition unreadable at evaluation (``DateGreaterThan``, ``NumericLessThan``,
  ``IpAddress``, ``Bool``, ``ArnLike`` values from a tag that is no such value) make a Deny apply; a boundary
  naming no policy (missing, an AWS managed name that is none, another account's), a default version that is not
  there or no versions deny; the simulator refuses context values of the wrong type (InvalidInput) and an
  unreadable boolean makes a Deny apply.
* Unreadable policies, imported as state into a user's inline policy, a role's trust and inline policies, a
  managed policy's version (the permissions boundary), a role session's session policy, an ECR repository
  policy and the registry policy: unknown operators, NaN, a 5,000-digit number, lookalike keys (Cyrillic ``о``
  in ``Condition``, ``і`` in ``Action``, ``а`` in an operator), duplicate keys (``Effect`` Deny then Allow, two
  ``Condition`` and ``Statement``), lowercase and padded effects, a ``Principal`` in an identity policy, a
  ``null`` or list ``Condition``, objects and nested lists as condition values, 3,000 levels of nesting, an
  unknown ``Version``, a lone surrogate, ``ForAnyValue:ForAllValues:``, a bad date, unknown keys, a BOM,
  trailing text and two documents: every one refused by the import (400 InvalidState, nothing applied).  A Deny
  whose number is ``1e400``, whose address is ``300.1.1.1/99``, whose ``Bool`` is ``flase`` or ``Null`` is
  ``yes`` loads and denies.
* Durability, with the state file replaced by a directory between requests (the process runs as root, so
  permissions do not stop its writes): IAM CreateUser and CreateAccessKey, STS AssumeRole, GetSessionToken and
  GetFederationToken, ECR CreateRepository, a registry blob push, App Runner CreateService,
  CreateAutoScalingConfiguration and PauseService, the admin API's reset, clock advance, seed, settle and scan
  findings: 500 saying the change was not applied, the file's bytes unchanged; reads are answered.  An App Runner
  operation that completes on the clock during a read is not saved by it; the file keeps the operation with its
  due time, which a restart completes again.
* ``mock_apprunner`` blocks entered one after the other (same object): an access key of the first block is
  InvalidClientTokenId in the second, the clock's advance and the decision log do not carry over; the
  environment is restored after an exception in the block.
* The front end (raw sockets): ``Transfer-Encoding`` ``chunked, identity``, ``identity``, ``gzip, chunked`` and
  ``chunked;q=1`` (501); ``Chunked``, padded and obs-folded ``chunked`` (served, case-insensitive as RFC 9112
  says); chunk sizes of 44 digits, ``0x``, ``+`` or with bare LF, a quoted extension holding CR LF, data without
  its CRLF (400, or the body's deadline for a size h11 waits on); HTTP/1.0 with ``keep-alive`` (answered, then
  closed); ``Expect: 100-continue`` twice or as ``100-Continue`` (one ``100 Continue``) and with a body over the
  limit (413 before ``100``); ``Host`` ``a b``, ``x@y``, ``1:2:3`` (400), empty or ``[::1]`` (the signature's
  host differs: 403).
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from mockrunner.testing.inprocess import call_app
from mockrunner.testing.mock import MockAppRunner, mock_apprunner
from tests.harness import UNREACHABLE, Harness
from tests.robustness.wire import signed_request

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
ROOT_ARN = "arn:aws:iam::123456789012:root"


# -- header names with underscores ------------------------------------------------------------------------------

def _signed_head(port: int) -> tuple[list[bytes], bytes]:
    """The head lines (``Connection: close`` last) of a signed STS GetCallerIdentity to ``port``, and its body."""
    prepared = signed_request("sts", STS_BODY, {"Content-Type": FORM}, endpoint=f"http://127.0.0.1:{port}/")
    lines = [b"POST / HTTP/1.1", b"Host: 127.0.0.1:%d" % port]
    lines += [f"{name}: {value}".encode() for name, value in prepared.headers.items()]
    return lines, STS_BODY


def _exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` and read until the server closes (bounded: 5 s, 64 reads)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        deadline = time.monotonic() + 5
        for _ in range(64):
            if time.monotonic() > deadline:
                break
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received


@pytest.mark.parametrize("extra", [b"Content_Length: abc", b"Content_Length: 999999999999",
                                   b"Content_Type: application/json", b"X_Amz_Date: 20200101T000000Z"])
def test_a_header_named_with_an_underscore_is_not_the_header_named_with_hyphens(server: Harness, extra: bytes) -> None:
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    lines, body = _signed_head(port)
    head = b"\r\n".join([*lines, extra, b"Connection: close", b"", b""])
    answer = _exchange(port, head + body)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert b"<Arn>arn:aws:iam::123456789012:root</Arn>" in answer


def test_a_header_named_with_an_underscore_is_left_out_in_process_too() -> None:
    harness = Harness("inprocess")
    try:
        prepared = signed_request("sts", STS_BODY, {"Content-Type": FORM})
        prepared.headers["Content_Type"] = "application/json"  # added after signing, as a proxy might
        answer = call_app(harness.app, prepared)
        assert answer.status_code == 200, answer.content[:300]
    finally:
        harness.close()


# -- mock_apprunner beside moto ---------------------------------------------------------------------------------

@pytest.mark.parametrize("order", ["moto outside", "moto inside"])
def test_moto_beside_the_mock_never_runs_a_request_mockrunner_answered(order: str) -> None:
    moto = pytest.importorskip("moto")
    from moto.iam.models import iam_backends

    outer, inner = (moto.mock_aws(), mock_apprunner()) if order == "moto outside" else (
        mock_apprunner(), moto.mock_aws())
    policy = json.dumps({"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    with outer, inner:
        iam = boto3.client("iam")
        iam.create_user(UserName="ours-only")
        assert [user["UserName"] for user in iam.list_users()["Users"]] == ["ours-only"]
        assert list(iam_backends["123456789012"]["global"].users) == []  # moto made it too
        # operations moto does not implement: its NotImplementedError failed the call after mockrunner answered
        results = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"])
        assert results["EvaluationResults"][0]["EvalDecision"] == "allowed"
        assert boto3.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
        s3 = boto3.client("s3", region_name="us-east-1")  # moto still answers what it mocks
        s3.create_bucket(Bucket="moto-bucket")
        assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["moto-bucket"]


# -- mock_apprunner on generators -------------------------------------------------------------------------------

def _caller_arn() -> str:
    """The caller of a client aimed at a loopback discard address: only an active mock answers it."""
    sts = boto3.client("sts", endpoint_url=UNREACHABLE, region_name="us-east-1", aws_access_key_id="test",
                       aws_secret_access_key="test")
    return sts.get_caller_identity()["Arn"]


def test_a_decorated_generator_runs_its_body_inside_the_mock() -> None:
    mock = MockAppRunner()

    @mock
    def steps():
        yield mock.active
        yield _caller_arn()

    assert list(steps()) == [True, ROOT_ARN]
    assert not mock.active
    with pytest.raises(EndpointConnectionError):  # and nothing is left active after it
        _caller_arn()


def test_a_decorated_generator_gets_what_is_sent_and_thrown_in() -> None:
    @mock_apprunner
    def echo():
        received = yield "ready"
        try:
            yield received
        except KeyError:
            yield "caught"

    steps = echo()
    assert next(steps) == "ready"
    assert steps.send("sent") == "sent"
    assert steps.throw(KeyError("x")) == "caught"
    steps.close()


def test_a_decorated_async_generator_runs_its_body_inside_the_mock() -> None:
    mock = MockAppRunner()

    @mock
    async def steps():
        yield mock.active
        received = yield _caller_arn()
        yield received

    async def drive() -> list:
        body = steps()
        seen = [await body.__anext__(), await body.__anext__(), await body.asend("sent")]
        await body.aclose()
        return seen

    assert asyncio.run(drive()) == [True, ROOT_ARN, "sent"]
    assert not mock.active


@pytest.fixture
@mock_apprunner
def user_made_by_a_fixture():
    """A pytest ``yield`` fixture under ``@mock_apprunner``: what it makes is there for the test."""
    iam = boto3.client("iam", endpoint_url=UNREACHABLE, aws_access_key_id="test", aws_secret_access_key="test")
    iam.create_user(UserName="from-fixture")
    yield iam


def test_a_yield_fixture_under_the_decorator_keeps_its_mock_for_the_test(user_made_by_a_fixture) -> None:
    names = [user["UserName"] for user in user_made_by_a_fixture.list_users()["Users"]]
    assert names == ["from-fixture"]


def test_an_error_in_a_decorated_generator_stops_the_mock() -> None:
    mock = MockAppRunner()

    @mock
    def failing():
        yield _caller_arn()
        raise ClientError({"Error": {"Code": "Boom", "Message": "boom"}}, "Test")

    steps = failing()
    assert next(steps) == ROOT_ARN
    with pytest.raises(ClientError):
        next(steps)
    assert not mock.active


# -- held: unreadable policies in an imported state -------------------------------------------------------------

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
UNREADABLE = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",'
              '"Principal":{"AWS":"*"},"Cоndition":{"StringEquals":{"aws:username":"nobody"}}}]}')
"""Allows everything to anyone unless its lookalike ``Cоndition`` (a Cyrillic ``о``) were read as a condition."""


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _world_with_every_kind_of_policy(harness: Harness) -> dict:
    """A user allowed everything within a boundary, a role with a session, a repository and registry policy; the
    user's access key."""
    iam, ecr = harness.client("iam"), harness.client("ecr")
    iam.create_user(UserName="u")
    iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument=_document(ALLOW_ALL))
    iam.create_policy(PolicyName="boundary", PolicyDocument=_document(ALLOW_ALL))
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary="arn:aws:iam::123456789012:policy/boundary")
    trust = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=_document(trust))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=_document(ALLOW_ALL))
    ecr.create_repository(repositoryName="repo")
    ecr.set_repository_policy(repositoryName="repo", policyText=_document(
        {"Sid": "u", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/u"}, "Action": "ecr:*"}))
    ecr.put_registry_policy(policyText=_document(
        {"Sid": "r", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": ["ecr:ReplicateImage"], "Resource": "*"}))
    key = iam.create_access_key(UserName="u")["AccessKey"]
    harness.client_for(key, "sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="ss",
                                               Policy=_document(ALLOW_ALL))
    return key


def _policy_places(document: object, path: tuple = ()) -> list[tuple]:
    """The paths in an exported state of every text holding a policy document."""
    if isinstance(document, dict):
        return [found for name, value in document.items() for found in _policy_places(value, (*path, name))]
    if isinstance(document, list):
        return [found for index, value in enumerate(document) for found in _policy_places(value, (*path, index))]
    return [path] if isinstance(document, str) and '"Statement"' in document else []


def test_an_unreadable_policy_anywhere_in_an_imported_state_is_refused_and_nothing_changes() -> None:
    harness = Harness("inprocess")
    try:
        _world_with_every_kind_of_policy(harness)
        _, exported = harness.admin("GET", "/state")
        places = _policy_places(exported)
        assert len(places) == 7, places  # user, role trust and inline, managed version, session, repository, registry
        for place in places:
            document = json.loads(json.dumps(exported))
            holder = document
            for step in place[:-1]:
                holder = holder[step]
            holder[place[-1]] = UNREADABLE
            status, answer = harness.admin("PUT", "/state", document)
            assert (status, answer["error"]) == (400, "InvalidState"), (place, answer)
            assert harness.admin("GET", "/state")[1] == exported
    finally:
        harness.close()


@pytest.mark.parametrize("boundary", ["arn:aws:iam::123456789012:policy/missing", "arn:aws:iam::aws:policy/NopeNope",
                                      "arn:aws:iam::210987654321:policy/boundary"])
def test_a_boundary_naming_no_policy_denies_what_the_identity_policy_allows(boundary: str) -> None:
    """Such a state is refused at import (fiftieth pass); a store holding one otherwise still denies."""
    harness = Harness("inprocess")
    harness.round_trip = False  # the state names a policy that does not exist, as no API call could make it
    try:
        key = _world_with_every_kind_of_policy(harness)
        _, document = harness.admin("GET", "/state")
        document["state"]["accounts"]["123456789012"]["iam"]["users"]["u"]["permissions_boundary"] = boundary
        status, answer = harness.admin("PUT", "/state", document)
        assert (status, answer["error"]) == (400, "InvalidState") and boundary in answer["message"]
        iam = harness.store.account("123456789012").iam
        iam.update(iam.users["u"], permissions_boundary=boundary)
        with pytest.raises(ClientError) as denied:
            harness.client_for(key, "iam").list_users()
        assert denied.value.response["Error"]["Code"] == "AccessDenied"
        assert f"{boundary} cannot be read" in denied.value.response["Error"]["Message"]
    finally:
        harness.close()


# -- held: a state file that cannot be replaced -----------------------------------------------------------------

def test_a_state_file_replaced_by_a_directory_refuses_every_change_and_a_restart_loads_what_was_acknowledged(
        tmp_path) -> None:
    from mockrunner.config import Settings
    from mockrunner.model import snapshot

    path = str(tmp_path / "state.json")
    settings = Settings(log_requests=False, operation_delay=0, state_file=path)
    harness = Harness("server", settings)
    harness.round_trip = False
    try:
        key = _world_with_every_kind_of_policy(harness)
        before = json.dumps(snapshot.export_state(harness.store), sort_keys=True)
        with open(path, "rb") as handle:
            on_disk = handle.read()
        (tmp_path / "state.json").rename(tmp_path / "aside.json")
        (tmp_path / "state.json").mkdir()  # os.replace onto it fails: IsADirectoryError
        source = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/x/y:latest",
                                      "ImageRepositoryType": "ECR_PUBLIC"}, "AutoDeploymentsEnabled": False}
        changes = [
            lambda: harness.client("iam").create_user(UserName="v"),
            lambda: harness.client_for(key, "sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                                                               RoleSessionName="again"),
            lambda: harness.client_for(key, "sts").get_session_token(),
            lambda: harness.client("ecr").create_repository(repositoryName="repo2"),
            lambda: harness.client("apprunner").create_service(ServiceName="svc1", SourceConfiguration=source),
        ]
        for change in changes:
            with pytest.raises(ClientError) as refused:
                change()
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
            assert refused.value.response["Error"]["Message"].startswith("The change was not applied: state file")
        for method, admin_path, body in [("POST", "/clock/advance", {"seconds": 5}), ("POST", "/reset", None),
                                         ("POST", "/seed", {"users": [{"name": "z"}]})]:
            status, answer = harness.admin(method, admin_path, body)
            assert (status, answer["error"]) == (500, "StateNotSaved")
        assert harness.client("iam").list_users()["Users"][0]["UserName"] == "u"  # reads are answered
        (tmp_path / "state.json").rmdir()
        (tmp_path / "aside.json").rename(tmp_path / "state.json")
        with open(path, "rb") as handle:
            assert handle.read() == on_disk
        after = json.loads(json.dumps(snapshot.export_state(harness.store), sort_keys=True))
        reloaded = Harness("inprocess", settings)
        try:
            again = json.loads(json.dumps(snapshot.export_state(reloaded.store), sort_keys=True))
        finally:
            reloaded.round_trip = False
            reloaded.close()
        expected = json.loads(before)
        for document in (after, again, expected):
            _drop_counters(document)
        assert after == expected and again == expected
    finally:
        harness.close()


def _drop_counters(document: object) -> None:
    """An exported state without what a restore or a load rightly changes: IAM's version counter (raised so that
    caches keyed by it are never reused) and a repository's ``timed`` list (``None`` is "work it out again")."""
    if isinstance(document, dict):
        for name in ("version", "timed"):
            document.pop(name, None)
        for value in document.values():
            _drop_counters(value)
    elif isinstance(document, list):
        for value in document:
            _drop_counters(value)


# -- mock_apprunner re-entered while a mock nested in it is active --------------------------------------------

def test_a_mock_started_again_while_one_nested_in_it_is_active_is_back_in_its_own_world() -> None:
    outer, nested = MockAppRunner(), MockAppRunner()
    try:
        with outer:
            boto3.client("iam", endpoint_url=UNREACHABLE).create_user(UserName="made-in-the-outer-block")
            nested.start()  # another thread's block, say, that outlives this one
        outer.start()  # was a RecursionError: each mock's world was the other's
        assert outer.store is nested.store
        iam = boto3.client("iam", endpoint_url=UNREACHABLE)
        assert [user["UserName"] for user in iam.list_users()["Users"]] == ["made-in-the-outer-block"]
        outer.stop()
        nested.stop()
        assert not outer.active and not nested.active
        with pytest.raises(EndpointConnectionError):
            _caller_arn()
    finally:
        for mock in (nested, outer):
            while mock.active:
                mock.stop()


# -- an upload's part is on disk before it is acknowledged ------------------------------------------------------

@pytest.fixture
def fsynced(monkeypatch) -> list[str]:
    """The paths of the files ``os.fsync`` was called on (the real ``fsync`` still runs)."""
    import os

    seen: list[str] = []
    real = os.fsync

    def recording(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    return seen


@pytest.mark.parametrize("mode", ["inprocess", "server"])
def test_an_upload_part_is_on_disk_before_it_is_acknowledged(tmp_path, fsynced, mode: str) -> None:
    from mockrunner.config import Settings
    from tests.registry.images import Registry, login_password

    harness = Harness(mode, Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.json")))
    try:
        ecr = harness.client("ecr")
        ecr.create_repository(repositoryName="repo")
        upload = ecr.initiate_layer_upload(repositoryName="repo")["uploadId"]
        fsynced.clear()
        answer = ecr.upload_layer_part(repositoryName="repo", uploadId=upload, partFirstByte=0, partLastByte=9,
                                       layerPartBlob=b"0123456789")
        assert answer["lastByteReceived"] == 9
        assert str(tmp_path / "state.json.blobs" / "uploads" / upload) in fsynced
        if mode == "server":  # the registry's streamed PATCH too
            registry = Registry(harness.endpoint_url, login_password(ecr))
            started = registry.call("POST", "/v2/repo/blobs/uploads/")
            fsynced.clear()
            patched = registry.call("PATCH", started.headers["Location"], data=b"abcdef")
            assert patched.status_code == 201 and patched.headers["Range"] == "0-5"  # ECR answers a chunk 201
            upload = started.headers["Docker-Upload-UUID"]
            assert str(tmp_path / "state.json.blobs" / "uploads" / upload) in fsynced
    finally:
        harness.close()


# -- request bodies held in memory at once ----------------------------------------------------------------------

def _length_app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"%d" % len(body)]


def _answer(sock: socket.socket) -> bytes:
    """One whole answer (head and a ``Content-Length`` body) or what came before the server closed (bounded)."""
    received = b""
    deadline = time.monotonic() + 5
    for _ in range(64):
        head, separator, rest = received.partition(b"\r\n\r\n")
        if separator and len(rest) >= int((head.split(b"Content-Length: ", 1)[1:] or [b"0"])[0].split(b"\r\n")[0]):
            return received
        if time.monotonic() > deadline:
            break
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _until(condition) -> bool:
    """Poll ``condition`` (bounded: 200 looks, 2 s)."""
    for _ in range(200):
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_bodies_held_at_once_across_connections_are_bounded() -> None:
    from mockrunner.serving import Limits, make_server

    server = make_server("127.0.0.1", 0, _length_app, Limits(max_body=100_000, max_buffered_bodies=150_000))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    port = server.server_port
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n"
    chunked = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as announced, \
                socket.create_connection(("127.0.0.1", port), timeout=5) as held:
            announced.sendall(head % 100_000)  # a head alone holds nothing: its body may never come
            held.sendall(head % 100_000 + b"x" * 90_000)  # 100,000 bytes announced, most of them sent
            assert _until(lambda: server.bodies.held == 90_000)
            with socket.create_connection(("127.0.0.1", port), timeout=5) as other:
                other.sendall(head % 70_000)  # 160,000 would be held: refused before its body is asked for
                assert _answer(other).startswith(b"HTTP/1.1 503 ")
            with socket.create_connection(("127.0.0.1", port), timeout=5) as streaming:
                streaming.sendall(chunked + b"c350\r\n" + b"z" * 50_000 + b"\r\n")  # fits: 140,000 held
                streaming.sendall(b"4e20\r\n" + b"z" * 20_000 + b"\r\n0\r\n\r\n")  # 160,000 would not
                assert _answer(streaming).startswith(b"HTTP/1.1 503 ")
            held.sendall(b"x" * 10_000)
            answer = _answer(held)
            assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\n100000")
        # given back once answered, and by connections refused or gone
        assert _until(lambda: server.bodies.held == 0)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as later:
            later.sendall(head % 100_000 + b"w" * 100_000)
            assert _answer(later).endswith(b"\r\n\r\n100000")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- a state path that is no regular file -----------------------------------------------------------------------

def test_a_state_path_that_is_a_fifo_is_refused_at_start_instead_of_waiting_for_ever(tmp_path) -> None:
    import os

    from mockrunner.app import create_app
    from mockrunner.config import Settings
    from mockrunner.persistence import StateFileError

    fifo = str(tmp_path / "state.json")
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def start() -> None:
        try:
            create_app(Settings(log_requests=False, state_file=fifo))
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - what the start raised is the outcome
            outcome.append(error)

    starting = threading.Thread(target=start, daemon=True)
    starting.start()
    starting.join(10)
    if starting.is_alive():  # blocked opening the FIFO for reading: a writer lets it go on, then it fails anyway
        with open(fifo, "wb"):
            pass
        starting.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], StateFileError), outcome
    assert str(outcome[0]) == f"state file {fifo} cannot be used: it is not a regular file"


# -- a rest path's encoded label ----------------------------------------------------------------------------------

@pytest.mark.parametrize("identifier", ["a b", "a%2Fb", "a/b", "ä", "a+b"])
def test_an_encoded_label_is_signed_and_routed_as_the_client_encoded_it(aws, identifier: str) -> None:
    with pytest.raises(ClientError) as refused:
        aws.client("iam-toolbox").get_request_authorization_details(authorizationId=identifier)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert f"Value '{identifier}' at 'authorizationId'" in refused.value.response["Error"]["Message"]
