"""Uploads through the registry endpoint are bounded as ECR's API bounds them: they expire 168 hours after they
start (the admin clock moves them), a repository has at most 1,000 in progress, and a layer is at most
52,000 MiB, refused before its bytes are read when the request announces its length."""
from __future__ import annotations

import base64
import socket
from urllib.parse import urlsplit

import requests

from mockrunner.services.ecr import push as ecr_push
from tests.registry.images import error_code

WEEK = 168 * 3600


def advance_clock(endpoint, seconds: int) -> None:
    """Move the store clock through the admin API, then log in again (a registry token lasts 12 hours)."""
    answer = requests.post(f"{endpoint.harness.endpoint_url}/_mockrunner/clock/advance", json={"seconds": seconds},
                           timeout=10)
    assert answer.status_code == 200, answer.text
    endpoint.registry = endpoint.registry_as(endpoint.ecr)


def start(endpoint, repository: str = "app") -> str:
    started = endpoint.registry.call("POST", f"/v2/{repository}/blobs/uploads/")
    assert started.status_code == 202, started.text
    return started.headers["Location"]


def test_an_upload_expires_168_hours_after_it_started(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    location = start(endpoint)
    assert endpoint.registry.call("PATCH", location, data=b"half").status_code == 201
    idle = start(endpoint)
    assert endpoint.registry.call("PATCH", idle, data=b"idle").status_code == 201
    advance_clock(endpoint, WEEK - 1)
    assert endpoint.registry.call("PATCH", location, data=b" and").headers["Range"] == "0-7"
    advance_clock(endpoint, 1)
    for method, kwargs in (("PATCH", {"data": b" half"}), ("GET", {}),
                           ("PUT", {"params": {"digest": "sha256:" + "0" * 64}}), ("DELETE", {})):
        answer = endpoint.registry.call(method, location, **kwargs)
        assert error_code(answer)[:2] == (404, "BLOB_UPLOAD_UNKNOWN"), (method, answer.text)
    assert endpoint.harness.store.blobs.pending_bytes() == 0  # the idle upload's bytes went too
    assert error_code(endpoint.registry.call("GET", idle))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")
    assert endpoint.registry.push_blob("app", b"fresh").status_code == 201


def test_a_repository_has_at_most_1000_uploads_in_progress(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    store = endpoint.harness.store
    repo = store.account("123456789012").region("us-east-1").ecr.repositories["app"]
    with store.lock:  # 1,000 straight into the store: as many requests would only make the test slow
        for _ in range(ecr_push.MAX_UPLOADS):
            ecr_push.start_upload(store, repo)
    for params in ({}, {"digest": "sha256:" + "0" * 64}):  # a monolithic upload is an upload too
        refused = endpoint.registry.call("POST", "/v2/app/blobs/uploads/", params=params, data=b"x")
        assert error_code(refused) == (429, "TOOMANYREQUESTS", "The repository with name 'app' in the registry "
                                       "with id '123456789012' already has the maximum of 1000 layer uploads "
                                       "in progress")
    advance_clock(endpoint, WEEK)
    assert endpoint.registry.push_blob("app", b"after a week").status_code == 201


def test_a_layer_over_52000_mib_is_refused_before_its_bytes_are_read(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    location = start(endpoint)
    assert endpoint.registry.call("PATCH", location, data=b"0123").status_code == 201
    address = urlsplit(endpoint.harness.endpoint_url)
    credentials = base64.b64encode(b"AWS:" + endpoint.registry.session.auth[1].encode()).decode()
    length = ecr_push.MAX_LAYER_SIZE - 3  # four bytes are there already
    head = (f"PATCH {location} HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Basic {credentials}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n")
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head.encode() + b"only a few bytes follow")
        connection.shutdown(socket.SHUT_WR)  # the server drains a refused body for a while: say there is no more
        answer = b""
        while data := connection.recv(65536):
            answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"429", answer
    assert b'"code": "TOOMANYREQUESTS"' in rest and b"maximum layer size of 52000 MiB" in rest
    assert endpoint.registry.call("GET", location).headers["Range"] == "0-3"  # nothing was added
