"""A fresh server answered by many clients at once, each calling an operation for the first time: no 5xx.

Every lazily built cache (botocore models, the codecs' and the validator's compiled shapes, parsed policies,
the AWS managed policies) is built by whichever request needs it first; when several requests need the same one
at the same moment they must all get a correct answer.  Each round starts a new server process (nothing is warm),
then sends one signed request per (operation, copy), all built beforehand, at the same instant on connections
opened beforehand; every answer must be an AWS answer below 500.  Bounded: a few rounds, each with a deadline.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from tests.robustness.world import PUBLIC_SOURCE, allow, trust

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROUNDS = 2
COPIES = 4
"""Threads per operation: the same shapes compiled by several threads at once."""
DEADLINE = 60.0
SWITCH_INTERVAL = 5e-5
SERVE = ("import sys; from mockrunner.cli import main; "
         f"sys.setswitchinterval({SWITCH_INTERVAL}); sys.exit(main(sys.argv[1:]))")
"""``mockrunner serve`` with the interpreter switching threads every 50 us instead of every 5 ms, so that a thread is
interrupted in the middle of building a cache far more often (measured: every round of the old code failed)."""
CALLERS = [("test", "test"), ("AKIAALICE00000000000", "alice-secret")]
"""The account's root, and alice, whose calls are authorized by her policies (compiled on first use)."""
SEED = {"users": [{
    "name": "alice",
    "access_keys": [{"access_key_id": CALLERS[1][0], "secret_access_key": CALLERS[1][1]}],
    "policies": [
        {"name": "everything-over-http", "document": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"},
                          "StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}},
        {"name": "not-this", "document": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": ["iam:DeleteUser", "ecr:DeleteRepository"], "Resource": "*"}]}},
    ],
}]}
MANAGED = "arn:aws:iam::aws:policy/AWSAppRunnerFullAccess"
ROLE = "arn:aws:iam::123456789012:role/missing"


def _calls() -> list[tuple[str, str, Callable[[], dict[str, Any]]]]:
    """(service, operation, fresh arguments): reads, creates and refused requests over all four services."""
    def name() -> str:
        return f"n{uuid.uuid4().hex[:12]}"

    return [
        ("sts", "get_caller_identity", dict),
        ("iam", "list_users", dict),
        ("iam", "list_roles", dict),
        ("iam", "list_policies", lambda: {"Scope": "AWS", "MaxItems": 5}),
        ("iam", "get_policy", lambda: {"PolicyArn": MANAGED}),
        ("iam", "get_policy_version", lambda: {"PolicyArn": MANAGED, "VersionId": "v1"}),
        ("iam", "get_account_authorization_details", dict),
        ("iam", "create_user", lambda: {"UserName": name(), "Tags": [{"Key": "k", "Value": "v"}]}),
        ("iam", "create_role", lambda: {"RoleName": name(), "AssumeRolePolicyDocument": trust("ec2.amazonaws.com")}),
        ("iam", "create_policy", lambda: {"PolicyName": name(), "PolicyDocument": allow("s3:GetObject")}),
        ("iam", "create_group", lambda: {"GroupName": name()}),
        ("iam", "get_role", lambda: {"RoleName": "missing"}),
        ("sts", "get_session_token", dict),
        ("sts", "assume_role", lambda: {"RoleArn": ROLE, "RoleSessionName": "session"}),
        ("apprunner", "list_services", dict),
        ("apprunner", "list_connections", dict),
        ("apprunner", "list_auto_scaling_configurations", dict),
        ("apprunner", "list_vpc_connectors", dict),
        ("apprunner", "create_auto_scaling_configuration", lambda: {"AutoScalingConfigurationName": name()}),
        ("apprunner", "create_service", lambda: {"ServiceName": name(), "SourceConfiguration": PUBLIC_SOURCE}),
        ("apprunner", "describe_service", lambda: {
            "ServiceArn": "arn:aws:apprunner:us-east-1:123456789012:service/missing/0123456789abcdef"}),
        ("ecr", "describe_repositories", dict),
        ("ecr", "create_repository", lambda: {"repositoryName": name(), "tags": [{"Key": "k", "Value": "v"}]}),
        ("ecr", "get_authorization_token", dict),
        ("ecr", "list_images", lambda: {"repositoryName": "missing"}),
    ]


def _start_server(seed: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--port", "0", "--quiet", "--operation-delay", "0", "--seed", seed],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    match = re.search(r"http://127\.0\.0\.1:(\d+)", process.stdout.readline())
    if match is None:
        process.kill()
        raise AssertionError(f"server did not start: {process.stderr.read()}")
    return process, f"http://127.0.0.1:{match.group(1)}"


class _Captured(Exception):
    """Raised from ``before-send`` to stop botocore once the signed request is built."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__(request.url)
        self.request = request


def _capture(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Captured(request)


def _signed_requests(endpoint: str) -> list[tuple[str, str, AWSPreparedRequest]]:
    """(caller's key, operation, the request botocore signs for it): ``COPIES`` per operation, callers alternating.

    Built before the server is asked anything, so that all of them can be sent at the same instant: a client
    process building requests one after another would otherwise space them out by its own work."""
    config = Config(retries={"total_max_attempts": 1})
    session = boto3.session.Session()
    requests = []
    for copy in range(COPIES):
        key, secret = CALLERS[copy % len(CALLERS)]
        for service, operation, arguments in _calls():
            client = session.client(service, endpoint_url=endpoint, region_name="us-east-1", config=config,
                                    aws_access_key_id=key, aws_secret_access_key=secret)
            client.meta.events.register_first("before-send", _capture)
            with pytest.raises(_Captured) as captured:
                getattr(client, operation)(**arguments())
            requests.append((key, operation, captured.value.request))
    return requests


def _open_connection(host: str, port: int) -> http.client.HTTPConnection:
    """A keep-alive connection the server has accepted and served once (an unsigned ``GET /``, refused before
    any service is involved), so that the burst does not wait on the server's accept loop."""
    connection = http.client.HTTPConnection(host, port, timeout=DEADLINE)
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    assert response.status == 400 and not response.will_close
    return connection


def _round(endpoint: str) -> list[tuple[str, str, int | str]]:
    """Send every request of :func:`_signed_requests` at once, each on its own connection opened beforehand.

    Returns (caller's key, operation, HTTP status or the exception that was not an HTTP answer) per request.
    """
    address = urlsplit(endpoint)
    jobs = []
    for key, operation, request in _signed_requests(endpoint):
        jobs.append((_open_connection(address.hostname, address.port), key, operation, request))
    barrier = threading.Barrier(len(jobs))
    answers: list[tuple[str, str, int | str]] = []

    def send(connection: http.client.HTTPConnection, key: str, operation: str, request: AWSPreparedRequest) -> None:
        url = urlsplit(request.url)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        try:
            barrier.wait(timeout=DEADLINE)
            connection.request(request.method, url.path + (f"?{url.query}" if url.query else ""), body=body,
                               headers=dict(request.headers))
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            status = repr(error)
        finally:
            connection.close()
        answers.append((key, operation, status))

    threads = [threading.Thread(target=send, args=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish within the deadline"
    assert len(answers) == len(jobs)
    return answers


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_first_calls_of_many_operations_at_once_on_a_fresh_server_get_no_5xx(round_: int, tmp_path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    process, endpoint = _start_server(str(seed))
    try:
        answers = _round(endpoint)
    finally:
        process.terminate()
        stderr = process.communicate(timeout=DEADLINE)[1]
    failures = [answer for answer in answers if not isinstance(answer[2], int) or answer[2] >= 500]
    assert failures == [], stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    by_alice = {(operation, status) for key, operation, status in answers if key == CALLERS[1][0]}
    assert {("list_users", 200), ("get_policy", 200), ("create_service", 200)} <= by_alice  # her policy allowed
