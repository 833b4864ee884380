"""An attacker's twentieth pass: the in-process ways in (``mock_apprunner`` blocks stopped out of order, boto3's
default session made inside a block), ``mockrunner serve``'s start-up with bad settings and seed files, the HTTP
server's framing (absolute-form targets, smuggling shapes, pipelining after an error) and ECR tokens at the
registry endpoint.  Real clients throughout: boto3 (plain clients under ``mock_apprunner``, the suite's
``server`` harness), ``requests`` and raw sockets on loopback, and ``python -m mockrunner serve`` in a subprocess.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
two ``mock_apprunner`` blocks on two threads, the first    **fixed (medium).** Each mock saved the environment it
entered stopping first                                     found and put it back when it stopped: the second had
                                                           saved the first's fake keys and put them back last, so
                                                           after both ended ``AWS_ACCESS_KEY_ID`` was ``test`` and
                                                           ``AWS_DEFAULT_REGION`` set for the rest of the process
                                                           (the user's own keys gone).  The environment is now taken
                                                           when the first active mock starts and restored when the
                                                           last one stops, in whatever order they stop.
the first ``boto3.client(...)`` of a process made inside   **fixed (low).** boto3's default session, created inside
a block, then ``boto3.client(...)`` after it               the block, kept the fake credentials it had resolved: after
                                                           the block every default-session client signed with
                                                           ``test``/``test`` instead of the user's keys.  A default
                                                           session made inside the mocks resolves its credentials
                                                           again when the last one stops.
``mockrunner serve --seed FILE`` with a file that is not   **fixed (low).** A traceback (``UnicodeDecodeError``); now
UTF-8                                                      one line naming the file and the byte, exit 1.
``--accounts 111111111111:test:x`` (a key id the default   **fixed (medium).** Accepted: the second account's key could
root already has), two accounts sharing a key id, a key    never authenticate (the first pair with the id answered),
id with a space or ``/``                                   and a key id SigV4's ``Credential=`` field cannot carry
                                                           made a server no client could sign for.  Both are refused
                                                           at start with one line (``Settings`` refuses them for
                                                           ``mock_apprunner`` and the fixtures too).
``GET http://127.0.0.1:PORT/_mockrunner/health HTTP/1.1``  **fixed (low).** The absolute-form target was taken as a
(absolute-form target)                                     path: ECR, IAM and the admin API answered it
                                                           ``UnknownOperationException``.  RFC 9112 section 3.2.2
                                                           requires an origin server to accept it; it is now served
                                                           as its origin form with the target's authority as the
                                                           ``Host`` (so the admin API's Host rules apply to it, and
                                                           an authority with userinfo is a 400).
=========================================================  ==========================================================

Probed and held (pinned below where marked):

* HTTP framing (raw sockets): ``Content-Length`` with ``Transfer-Encoding`` in either order is 400 and closed;
  ``Transfer-Encoding: chunked, identity`` and a repeated ``Transfer-Encoding`` are 501 and closed; a repeated
  equal ``Content-Length`` is read once, ``+2`` is 400; obs-fold, bare LF line ends, chunk extensions and trailers
  are read (a trailer never becomes a header the application sees); ``0x2`` as a chunk size is 400;
  ``Expect: 100-continue`` with a body over the limit is 413 before any ``100``; a pipelined request after a 404
  and after a registry 401 whose body was never read is answered on the same connection (pinned); ``OPTIONS *`` and
  ``CONNECT`` are AWS errors, not 500s.
* Start-up: ports out of range, regions outside the partition (empty, upper case, quoted), account ids with
  Unicode digits, NaN/infinite delays and quotas, an empty admin token, a bad ``MOCKRUNNER_ADMIN_REMOTE``, an
  unbindable host: each one line, exit 2 (1 for the bind); state files truncated, binary, ``null``, ``[]``,
  empty, a directory, in a missing directory: one line, exit 1, the file untouched (tests/ways/
  test_bad_state_files.py pins them).
* ``mock_apprunner``: the same mock entered from two threads, nested blocks, decorators on classes and
  coroutines, clients made before the first block: as tests/ways/test_mock_*.py pin.
* Registry tokens: a token of another Region at an ECR-named Host is refused; an expired one (admin clock) is
  ECR's 403; one whose key was deactivated or deleted is 401; its user's policy changed to a Deny is ``DENIED`` at
  once (the token carries no permissions); a role session's token stops working when its role is deleted (pinned);
  ``Bearer`` and ``Basic`` with another user name are ECR's 401 with its ``Basic`` challenge (pinned).
"""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
import requests

from mockrunner import mock_apprunner
from mockrunner.config import AccountKeys, Settings
from tests.registry.images import Registry, login_password

ROOT = str(Path(__file__).resolve().parents[2])
REAL_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAUSERSOWNKEY00000", "AWS_SECRET_ACCESS_KEY": "users-own-secret"}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture
def users_environment(monkeypatch) -> dict[str, str]:
    """The user's own keys in the environment, no region, no default session (monkeypatch puts all back)."""
    for name, value in REAL_KEYS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return dict(REAL_KEYS)


# ------------------------------------------------------------------------------------ mock_apprunner
def _environment() -> dict[str, str | None]:
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION")
    return {name: os.environ.get(name) for name in names}


def test_mocks_on_two_threads_stopped_out_of_order_leave_the_users_environment(users_environment):
    before = _environment()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def first() -> None:
        with mock_apprunner():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with mock_apprunner():
            second_in.set()
            first_out.wait(10)
            seen["arn"] = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Arn"]

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen == {"arn": "arn:aws:iam::123456789012:root"}  # the second block still answered after the first
    assert _environment() == before


def test_a_nested_block_gives_back_the_environment_the_outer_block_had(users_environment):
    """Stopped in order, an inner block puts back what code inside the outer one had set (moto's nesting)."""
    with mock_apprunner():
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = "AKIAINSIDEOUTER00000", "inside"
        os.environ["AWS_SESSION_TOKEN"] = "outer-token"
        inside_outer = _environment()
        with mock_apprunner():
            assert os.environ["AWS_ACCESS_KEY_ID"] == "test" and "AWS_SESSION_TOKEN" not in os.environ
        assert _environment() == inside_outer
    assert _environment()["AWS_ACCESS_KEY_ID"] == users_environment["AWS_ACCESS_KEY_ID"]


def test_a_default_session_made_inside_a_block_signs_with_the_users_keys_after_it(users_environment):
    with mock_apprunner():
        assert boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"] == "123456789012"
        assert boto3.DEFAULT_SESSION.get_credentials().access_key == "test"
    credentials = boto3.DEFAULT_SESSION.get_credentials()
    assert (credentials.access_key, credentials.secret_key) == (users_environment["AWS_ACCESS_KEY_ID"],
                                                                users_environment["AWS_SECRET_ACCESS_KEY"])


def test_a_default_session_made_before_a_block_gets_its_own_credentials_back(users_environment):
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == users_environment["AWS_ACCESS_KEY_ID"]
    with mock_apprunner():
        assert boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"] == "123456789012"
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == users_environment["AWS_ACCESS_KEY_ID"]


# ------------------------------------------------------------------------------------ start-up
@pytest.mark.parametrize("accounts", [
    (AccountKeys("111111111111", "test", "other"),),
    (AccountKeys("111111111111", "shared", "a"), AccountKeys("222222222222", "shared", "b")),
    (AccountKeys("111111111111", "with space", "a"),),
    (AccountKeys("111111111111", "a/b", "a"),),
    (AccountKeys("111111111111", "key", ""),),
])
def test_root_keys_no_client_can_sign_with_are_refused(accounts):
    with pytest.raises(ValueError, match="access key id|secret access key"):
        Settings(extra_accounts=accounts)
    with pytest.raises(ValueError):
        mock_apprunner(extra_accounts=accounts)


def _serve(*arguments: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
    return subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet", *arguments],
                          capture_output=True, text=True, timeout=60, env=environment, cwd=cwd)


@pytest.mark.parametrize(("arguments", "env", "reason"), [
    (("--seed", "seed.json"), {}, "seed.json: not UTF-8 text (byte 12)"),
    (("--accounts", "111111111111:test:x"), {}, "access key id 'test' is given to more than one root key"),
    ((), {"MOCKRUNNER_ROOT_ACCESS_KEY_ID": "my key"}, "access key id 'my key' of account 123456789012 cannot"),
])
def test_serve_refuses_bad_settings_and_seed_files_with_one_line(tmp_path, arguments, env, reason):
    seed = tmp_path / "seed.json"
    seed.write_bytes(b'{"users": ["\xff\xfe"]}')
    result = _serve(*arguments, env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "listening" not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mockrunner: ") and reason in lines[0], result.stderr
    assert seed.read_bytes() == b'{"users": ["\xff\xfe"]}'


# ------------------------------------------------------------------------------------ HTTP framing
def _raw(server, data: bytes) -> bytes:
    """Send ``data`` on one loopback connection, half-close, and read until the server closes (5 s at most)."""
    with socket.create_connection((server.server.host, server.server.port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = bytearray()
        while chunk := sock.recv(65536):
            received += chunk
    return bytes(received)


def test_an_absolute_form_target_is_served_as_its_origin_form(server):
    port = server.server.port
    answer = _raw(server, f"GET http://127.0.0.1:{port}/_mockrunner/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Connection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    registry = _raw(server, f"GET HTTP://127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .encode())
    assert registry.startswith(b"HTTP/1.1 400 ") and b"UnknownOperationException" in registry  # "/" as boto3's


def test_the_authority_of_an_absolute_form_target_is_the_host_the_admin_api_checks(server):
    port = server.server.port
    foreign = _raw(server, f"GET http://attacker.example/_mockrunner/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           f"Connection: close\r\n\r\n".encode())
    by_host = _raw(server, b"GET /_mockrunner/health HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
    assert foreign.split(b"\r\n", 1)[0] == by_host.split(b"\r\n", 1)[0] != b"HTTP/1.1 200 OK"
    userinfo = _raw(server, b"GET http://a@127.0.0.1/_mockrunner/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert userinfo.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in userinfo


def test_a_pipelined_request_after_an_unread_registry_body_is_answered(server):
    answer = _raw(server, b"GET /v2/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n"
                          b"GET /_mockrunner/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert answer.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 200 OK" in answer


# ------------------------------------------------------------------------------------ registry tokens
def test_a_role_sessions_registry_token_stops_working_when_the_role_is_deleted(server):
    iam = server.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
    role = iam.create_role(RoleName="puller", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName="puller", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    iam.create_user(UserName="assumer")
    iam.put_user_policy(UserName="assumer", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    key = iam.create_access_key(UserName="assumer")["AccessKey"]
    sts = server.client_for(key, "sts")
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="puller")["Credentials"]
    server.client("ecr").create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(server.client_for(credentials, "ecr")))
    assert registry.call("GET", "/v2/app/tags/list").status_code == 200
    iam.delete_role_policy(RoleName="puller", PolicyName="all")
    iam.delete_role(RoleName="puller")
    gone = registry.call("GET", "/v2/app/tags/list")  # the session's role has no policy left: ECR's DENIED
    assert (gone.status_code, gone.json()["errors"][0]["code"]) == (403, "DENIED"), gone.text
    assert "assumed-role/puller/puller is not authorized to perform: ecr:ListImages" in gone.text


@pytest.mark.parametrize("authorization", ["Bearer {password}", "Basic {other_user}"])
def test_a_registry_token_in_another_shape_gets_ecrs_basic_challenge(server, authorization):
    password = login_password(server.client("ecr"))
    other_user = base64.b64encode(f"admin:{password}".encode()).decode()
    response = requests.get(server.endpoint_url + "/v2/", timeout=30, headers={
        "Authorization": authorization.format(password=password, other_user=other_user)})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
