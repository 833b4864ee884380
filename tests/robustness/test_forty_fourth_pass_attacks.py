"""An attacker's forty-fourth pass, aimed at this session's other new code: the HTTP server's own refusals answered
in the addressed service's error shape
(docs/behaviour.md, "Answers the HTTP server gives itself, in the service's shape"),
the state file's single-writer check (pass 42), seeds applied all-or-nothing, the scan-findings admin route,
``mockrunner policy`` and its suggestion from files, and the dashboard's accessibility changes.

Findings (each test failed before its fix):

- **Medium (state file).** A directory that cannot be synced after the rename (``fsync`` of a directory fails with
  ``EIO``, or ``EINVAL`` where a file system cannot sync directories, as PostgreSQL allows for) made the save a
  failure *after* the new file was in place: the store was put back, so the server answered "The change was not
  applied" while the file held the change (a restart showed it), and the single-writer check then refused every
  later save for good ("changed by another process": the file was no longer the one last recorded).  The rename is
  now the point a save commits at: the file's identity is recorded from it, and a directory that cannot be synced
  afterwards is logged.
- **Medium (admin API, state file).** ``POST /_mockrunner/ecr/scan-findings`` took a finding whose ``uri`` or
  ``description`` was no string (``5``, an object, ``null``) or whose attribute had an empty key; once a scan of the
  image completed, the image held it and the state no longer imported: with ``--state-file`` the next save wrote a
  file that refused to load ("does not hold a valid state").  Each finding is now checked against ECR's
  ``ImageScanFinding`` shape, as the state's own ranges check it (400 ``InvalidFindings``).
- **Low (state file).** A symbolic link swapped to another file (or removed) while the server runs: saves went on
  replacing the file the link named at start, which nothing would load again; a restart through the link lost every
  change since.  A save now refuses when the path no longer leads to the file it writes.
- **Low (state file).** Another writer changing the file in place with the same size and putting its modification
  time back (``os.utime``, ``touch -r`` from a ``cp -p`` copy) was not noticed: the identity was device, inode,
  size and modification time.  It now holds the status change time too, which no one can set back (a rename changes
  it, so the identity of a save is taken after the rename, from the file still open).
- **Low (answer twice).** An application answer whose body did not match its declared ``Content-Length`` (h11
  refuses the data after the head went out) was followed by a whole ``500`` answer written into the body already
  under way: the client read ``abcHTTP/1.`` as the body of a ``200`` and the rest as garbage or as the answer to its
  next request.  The server now closes the connection when the head went out already (the client sees an answer cut
  short), as for an application that raises then.
- **Low (internal detail).** h11's messages name the offending bytes as a Python ``repr``
  (``illegal chunk header: bytearray(b'zz\\r\\n')``), which a shaped refusal carried to the client as its message
  (escaped, up to 64 KiB of it).  The message now stops before the repr.
- **Low (all-or-nothing).** A seed that failed after one of its accounts' root credentials was registered (a role
  whose trust policy is not JSON after ``accounts`` with ``root_credentials``; a nested mock's or a reset's second
  seed failing after the first named an account) put the state back *before* the settings, and the import then made
  an empty account for the root key still configured: ``POST /_mockrunner/seed`` answered 400 but the account stayed
  in the store, the export and the next save.  The settings are now put back first (``seed.apply_seed``,
  ``MockAppRunner._seed_all``), as ``StateFile.committing`` already did.
- **Low (in-process mock).** ``mock_apprunner(state_file=...)`` and ``mock_apprunner(seed_files=...)`` were taken and
  silently ignored (the in-process mock keeps its world in memory and takes seeds as ``seed=``): a test that
  believed its state persisted lost it without a word.  Both are refused with a ``ValueError`` naming what to use.

Probes that held:

- Shaped refusals: ``MockrunnerApp.refusal_answer`` given 6,000 random heads (15 ``Authorization`` values: scopes of
  every served service, ``s3``, ``iam-toolbox``, empty, 5,000 slashes, NUL, two credentials; 10 ``X-Amz-Target``, 10
  ``Content-Type``, 10 ``Host``, 11 paths, 10 queries up to 8,000 fields, 6 methods, lengths of ``abc`` or 11
  digits) and every cause and status: never raised, every XML and JSON body parsed, every header latin-1 without CR
  or LF.  Every echoed value escaped (a chunk header of ``<&]]>"'`` in IAM's XML, ``"}<script>`` in ECR's
  JSON); an invalid ``Host`` (latin-1, a quote) and an invalid absolute-form authority answered in the shape of the
  target's service with nothing of either echoed; the ``_UNSAFE`` header check; HEAD (a length, no body);
  HTTP/1.0; ``HTTP/2.0`` (400, shaped); ``Expect: 100-continue`` with a body too large (413 before any
  ``100 Continue``); a pipelined admin request followed by a 413 and a third request (two answers, the third
  dropped after ``Connection: close``); both lengths; ``Content-Length`` of 5,000 digits or ``-1`` (h11's plain
  400); ``Transfer-Encoding: gzip`` (plain 501); over TLS (``server_context``): a shaped 413, a shaped 400 and a
  HEAD 413.  The 503 budget refusal's message is fixed (no budget figure).
- The single-writer check: its own saves after an admin import, ``/reset``, a failed save (full disk) and its
  rollback, blobs saved beside; the same modification time set by ``os.utime`` after each of its saves; rapid saves of
  equal size; two harnesses one after the other on one file; a loop of links (one line at start); the dev stack's
  use (``serve --seed examples/seed.json --state-file``, a change, stopped, started again, another change: both
  kept).  A link into a directory the process cannot write was not probed (the tests run as root, which writes
  anywhere); its saves fail as any failed save does (``EACCES``: "The change was not applied").
- Seeds all-or-nothing: a nested mock whose seed nests 100,000 deep (``RecursionError``) or names a directory leaves
  the shared world as it was.
- ``mockrunner policy suggest --state --decisions``: each of 13 fields of the last entry set to each of 22 values
  (``None``, numbers, ``1e30``, lists, objects, 5,000 characters, NUL, dates out of range...), for ``--principal`` and
  ``--decision``: never a traceback.  ``policy validate`` / ``suggest`` given a directory: exit status 2, one line.
- The dashboard: the rows endpoint and the decisions page with hostile names refused before authorization (nothing
  to escape reached them); the strict CSP on both; rows are server-rendered with autoescape (no ``|safe`` in any
  template) and ``dashboard.js`` only removes the static ``no-decisions`` row.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import socket
import stat

import boto3
import pytest
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.persistence import MAGIC
from mockrunner.serving import Limits
from mockrunner.testing.mock import MockAppRunner
from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import manifest
from tests.harness import MODES, Harness, saving_harness, user_names
from tests.robustness import threaded_server

ECR_TARGET = "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.ListImages\r\n" \
             "Content-Type: application/x-amz-json-1.1\r\n"


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


def _refused(call, **kwargs) -> str:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    return refused.value.response["Error"]["Message"]


def serving(app: object, **limits: object):
    return threaded_server.serving(app, Limits(**limits))


def _read_all(port: int, payload: bytes) -> bytes:
    """What the server sends back to ``payload`` until it closes (at most 1,000 reads of 10 s each)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        data = b""
        for _ in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


# -- fixed: a directory that cannot be synced after the rename ------------------------------------------------------

@pytest.fixture
def directory_sync_fails(monkeypatch) -> None:
    """``os.fsync`` of a directory fails with EIO (files still sync): the rename is in place when it does."""
    real = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_directory_that_cannot_be_synced_does_not_undo_a_change_the_file_holds(mode, tmp_path,
                                                                                  directory_sync_fails) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        # was 500 "The change was not applied" while the file held it, then every later save refused as stale
        harness.client("iam").create_user(UserName="first")
        harness.client("iam").create_user(UserName="second")
        assert user_names(harness) == ["first", "second"]
    finally:
        harness.close()
    restarted = saving_harness("inprocess", path)
    try:
        assert user_names(restarted) == ["first", "second"]  # the file and the server agree
    finally:
        restarted.close()


# -- fixed: scan findings the state cannot hold ---------------------------------------------------------------------

@pytest.mark.parametrize("finding", [
    {"name": "n", "severity": "HIGH", "uri": 5},
    {"name": "n", "severity": "HIGH", "description": {"a": 1}},
    {"name": "n", "severity": "HIGH", "uri": None},
    {"name": "n", "severity": "HIGH", "attributes": [{"key": "", "value": "v"}]},
], ids=["uri-number", "description-object", "uri-null", "attribute-key-empty"])
def test_a_scan_finding_the_state_could_not_load_again_is_refused(mode, tmp_path, finding) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        ecr = harness.client("ecr")
        ecr.create_repository(repositoryName="app")
        digest = put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")["image"][
            "imageId"]["imageDigest"]
        status, answer = harness.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": [finding]})
        assert (status, answer["error"]) == (400, "InvalidFindings"), answer  # was 200
        ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
        harness.store.clock.advance(5)
        ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageDigest": digest})
        ecr.tag_resource(resourceArn=ecr.describe_repositories()["repositories"][0]["repositoryArn"],
                         tags=[{"Key": "saved", "Value": "again"}])
    finally:
        harness.close()
    restarted = saving_harness("inprocess", path)  # was CorruptStateError: "does not hold a valid state"
    try:
        assert restarted.client("ecr").describe_images(repositoryName="app")["imageDetails"]
    finally:
        restarted.close()


def test_held_a_finding_in_shape_is_still_seeded(mode) -> None:
    harness = Harness(mode)
    try:
        finding = {"name": "CVE-1", "severity": "LOW", "description": "d", "uri": "https://example.invalid/1",
                   "attributes": [{"key": "package_name", "value": "openssl"}]}
        status, answer = harness.admin("POST", "/ecr/scan-findings", {"digest": "sha256:" + "a" * 64,
                                                                     "findings": [finding]})
        assert (status, answer["findings"]) == (200, 1)
    finally:
        harness.close()


# -- fixed: a symbolic link swapped or removed ----------------------------------------------------------------------

@pytest.mark.parametrize("change", ["swapped", "removed"])
def test_a_state_link_changed_while_the_server_runs_refuses_the_save(mode, tmp_path, change) -> None:
    first, other, link = tmp_path / "first.bin", tmp_path / "other.bin", tmp_path / "state.bin"
    link.symlink_to(first)
    harness = saving_harness(mode, str(link))
    try:
        harness.client("iam").create_user(UserName="before")
        link.unlink()
        if change == "swapped":
            link.symlink_to(other)
        message = _refused(harness.client("iam").create_user, UserName="after")  # was saved into first.bin
        assert message.startswith(f"The change was not applied: state file {link}") and "no longer" in message, \
            message
        assert user_names(harness) == ["before"]
    finally:
        harness.close()
    assert b'"after"' not in first.read_bytes()


def test_held_a_link_left_alone_is_still_written_through(mode, tmp_path) -> None:
    target, link = tmp_path / "target.bin", tmp_path / "state.bin"
    link.symlink_to(target)
    harness = saving_harness(mode, str(link))
    try:
        harness.client("iam").create_user(UserName="one")
        harness.client("iam").create_user(UserName="two")
    finally:
        harness.close()
    assert link.is_symlink() and b'"two"' in target.read_bytes()


# -- fixed: the same size and modification time, put back -----------------------------------------------------------

def _same_size_edit(path: str, old: bytes, new: bytes) -> bytes:
    """The state file's bytes with ``old`` replaced by ``new`` (the same length), its header made right."""
    data = open(path, "rb").read()
    body = data[data.index(b"\n") + 1:].replace(old, new)
    header = f"{MAGIC} v{data.split(b' ')[1][1:].decode()} length={len(body)} " \
             f"sha256={hashlib.sha256(body).hexdigest()}\n"
    edited = header.encode("ascii") + body
    assert len(edited) == len(data) and edited != data
    return edited


def test_an_edit_in_place_with_its_modification_time_put_back_is_noticed(mode, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        harness.client("iam").create_user(UserName="alpha-user")
        edited = _same_size_edit(path, b'"alpha-user"', b'"omega-user"')
        before = os.stat(path)
        for _ in range(10000):  # until the edit's status change time is another than the save's (a clock tick)
            with open(path, "r+b") as handle:  # in place: the same inode and size
                handle.write(edited)
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            if os.stat(path).st_ctime_ns != before.st_ctime_ns:
                break
        now = os.stat(path)
        assert (now.st_ino, now.st_size, now.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
        message = _refused(harness.client("iam").create_user, UserName="mine")  # was saved over the edit
        assert "changed by another process" in message
    finally:
        harness.close()
    assert open(path, "rb").read() == edited


def test_held_its_own_saves_with_the_same_modification_time_set_back(mode, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        stamp = os.stat(path).st_mtime_ns
        for number in range(5):  # a coarse clock: every save within one tick, the sizes equal
            harness.client("iam").create_user(UserName=f"user-{number}")
            os.utime(path, ns=(stamp, stamp))
        status, _ = harness.admin("POST", "/reset")
        assert status == 200
        os.utime(path, ns=(stamp, stamp))
        harness.client("iam").create_user(UserName="after-reset")
        status, exported = harness.admin("GET", "/state")
        assert harness.admin("PUT", "/state", exported)[0] == 200
        harness.client("iam").create_user(UserName="after-import")
    finally:
        harness.close()
    restarted = saving_harness("inprocess", path)
    try:
        assert user_names(restarted) == ["after-import", "after-reset"]
    finally:
        restarted.close()


# -- fixed: an answer written twice -----------------------------------------------------------------------------------

def _misframed(environ: dict, start_response) -> list[bytes]:
    """Declares 10 bytes and gives 3 (``/short``) or declares 5 and gives 8."""
    if environ["PATH_INFO"] == "/short":
        start_response("200 OK", [("Content-Length", "10")])
        return [b"abc"]
    start_response("200 OK", [("Content-Length", "5")])
    return [b"abc", b"defgh"]


@pytest.mark.parametrize("path", ["/short", "/long"])
def test_an_answer_whose_body_misses_its_length_is_not_followed_by_a_second_answer(path) -> None:
    with serving(_misframed) as port:
        data = _read_all(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert data.count(b"HTTP/1.1") == 1, data  # was a 500 head written into the 200's body


def test_held_a_header_that_cannot_be_framed_is_still_a_500() -> None:
    def app(environ, start_response):
        start_response("200 OK", [("X-Bad", "a\rb")])
        return [b""]

    with serving(app) as port:
        data = _read_all(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ") and data.count(b"HTTP/1.1") == 1


# -- fixed: a Python repr in a refusal's message ----------------------------------------------------------------------

def test_a_malformed_chunk_is_refused_without_a_python_repr_of_its_bytes() -> None:
    with serving(create_app(Settings(log_requests=False))) as port:
        data = _read_all(port, ("POST / HTTP/1.1\r\nHost: x\r\n" + ECR_TARGET +
                                "Transfer-Encoding: chunked\r\n\r\nzz<&]]>\r\n").encode())
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"x-amzn-ErrorType: MalformedHttpRequestException" in head
    assert json.loads(body) == {"__type": "MalformedHttpRequestException", "message": "illegal chunk header"}


def test_a_malformed_request_line_is_refused_without_a_python_repr_of_its_bytes() -> None:
    with serving(create_app(Settings(log_requests=False))) as port:
        data = _read_all(port, b"GET /\x00<x> HTTP/1.1 junk\r\nHost: x\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and body == b"illegal request line"


# -- fixed: settings the in-process mock never used -----------------------------------------------------------------

@pytest.mark.parametrize("setting", [{"state_file": "state.bin"}, {"seed_files": ("seed.json",)}])
def test_the_in_process_mock_refuses_settings_it_would_ignore(setting) -> None:
    with pytest.raises(ValueError, match="mock_apprunner"):
        MockAppRunner(**setting)  # was taken, and the state never saved (or the seeds never applied)
    with pytest.raises(ValueError, match="mock_apprunner"):
        MockAppRunner(settings=Settings(log_requests=False, **setting))


def test_held_the_mock_still_takes_seed_documents() -> None:
    with MockAppRunner(seed={"users": [{"name": "seeded"}]}):
        assert [user["UserName"] for user in boto3.client("iam").list_users()["Users"]] == ["seeded"]


# -- held: the single-writer check and its own saves ------------------------------------------------------------------

def _full_disk(fd: int, data: memoryview) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_held_a_failed_save_and_its_rollback_leave_the_file_the_servers(mode, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    harness = saving_harness(mode, path)
    try:
        harness.client("iam").create_user(UserName="kept")
        harness.app.state_file.write = _full_disk
        assert os.strerror(errno.ENOSPC) in _refused(harness.client("iam").create_user, UserName="undone")
        harness.app.state_file.write = os.write
        harness.client("iam").create_user(UserName="after")  # not refused as "changed by another process"
    finally:
        harness.close()
    second = saving_harness("inprocess", path)  # a second harness on the file, after the first
    try:
        assert user_names(second) == ["after", "kept"]
        second.client("iam").create_user(UserName="by-the-second")
    finally:
        second.close()
    assert b'"by-the-second"' in open(path, "rb").read()


def test_held_a_loop_of_links_is_one_line_at_start(tmp_path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(Exception) as refused:
        create_app(Settings(log_requests=False, state_file=str(tmp_path / "a")))
    assert "cannot be read" in str(refused.value) and "\n" not in str(refused.value)


# -- held: hostile seeds, all or nothing ------------------------------------------------------------------------------

def _deep(depth: int) -> dict:
    document: dict = {}
    for _ in range(depth):
        document = {"users": [document]}
    return document


ANOTHER_ACCOUNT = {"id": "111122223333",
                   "root_credentials": {"access_key_id": "AKIAOTHERROOT0000000", "secret_access_key": "s"}}


@pytest.mark.parametrize("bad", ["deep", "directory", "number", "same-document"])
def test_a_failed_seed_leaves_no_account_its_root_key_made(tmp_path, bad) -> None:
    good = {"users": [{"name": "from-the-good-seed"}], "accounts": [ANOTHER_ACCOUNT]}
    hostile = {"deep": _deep(100_000), "directory": str(tmp_path), "number": 5,
               "same-document": {"accounts": [ANOTHER_ACCOUNT], "users": [{"name": "refused", "bogus": 1}]}}[bad]
    seeds = [hostile] if bad == "same-document" else [good, hostile]
    with MockAppRunner(seed={"users": [{"name": "outer"}]}) as outer:
        iam = boto3.client("iam")
        with pytest.raises(Exception):  # noqa: B017 - a SeedError, RecursionError or TypeError: any refusal
            with MockAppRunner(seed=seeds):
                pytest.fail("the nested block ran")
        assert [user["UserName"] for user in iam.list_users()["Users"]] == ["outer"]
        assert "111122223333" not in outer.store.accounts  # was an empty account, made by its root key
        assert all(keys.access_key_id != "AKIAOTHERROOT0000000" for keys in outer.settings.root_accounts)


def test_a_refused_admin_seed_leaves_no_account_its_root_key_made(mode) -> None:
    harness = Harness(mode)
    try:
        status, answer = harness.admin("POST", "/seed", {"accounts": [ANOTHER_ACCOUNT],
                                                        "roles": [{"name": "r", "trust_policy": "x"}]})
        assert (status, answer["error"]) == (400, "InvalidSeed")
        status, exported = harness.admin("GET", "/state")
        assert "111122223333" not in json.dumps(exported)  # was an empty account left by the refused seed
        assert "111122223333" not in harness.store.accounts
    finally:
        harness.close()
