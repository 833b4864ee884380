"""``--state-file``: pushed blobs live beside the state file, survive a restart (uploads in progress too) and are
collected when no image refers to them any more."""
from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta

import boto3
import requests

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.model import blobs
from mockrunner.model.blobs import BlobStore
from mockrunner.testing.oci import build_image, digest_of
from mockrunner.testing.server import ThreadedServer
from tests.registry.images import Registry, login_password

HALF = b"h" * (5 * 1024 * 1024)
"""A first chunk ECR takes: chunks but the last are at least 5 MB (dotnet/sdk-container-builds#279)."""


def start(path) -> tuple[ThreadedServer, object, Registry]:
    server = ThreadedServer(app=create_app(Settings(log_requests=False, state_file=str(path)))).start()
    ecr = boto3.client("ecr", region_name="us-east-1", endpoint_url=server.endpoint_url,
                       aws_access_key_id="test", aws_secret_access_key="test")
    return server, ecr, Registry(server.endpoint_url, login_password(ecr))


def start_with_an_upload(path, data: bytes) -> tuple[ThreadedServer, object, Registry, str]:
    """:func:`start`, a repository ``app`` and an upload into it holding ``data`` (one chunk): also its id."""
    server, ecr, registry = start(path)
    ecr.create_repository(repositoryName="app")
    upload = registry.call("POST", "/v2/app/blobs/uploads/").headers["Docker-Upload-UUID"]
    assert registry.call("PATCH", f"/v2/app/blobs/uploads/{upload}", data=data).status_code == 201
    return server, ecr, registry, upload


def test_blobs_survive_a_restart_and_are_collected_when_unreferenced(tmp_path):
    state = tmp_path / "state.bin"
    server, ecr, registry = start(state)
    ecr.create_repository(repositoryName="app")
    image = build_image("durable")
    assert registry.push("app", image, "v1").status_code == 201
    pending = registry.call("POST", "/v2/app/blobs/uploads/")
    assert registry.call("PATCH", pending.headers["Location"], data=HALF).status_code == 201
    password = registry.session.auth[1]
    server.stop()
    blobs = tmp_path / "state.bin.blobs" / "sha256"
    assert sorted(os.listdir(blobs)) == sorted(digest_of(d)[7:] for d in (image.layer, image.config))

    server, ecr, _ = start(state)
    registry = Registry(server.endpoint_url, password)  # the token outlives the process, as its credentials do
    assert registry.call("GET", "/v2/app/manifests/v1").content == image.manifest
    assert registry.call("GET", f"/v2/app/blobs/{digest_of(image.layer)}").content == image.layer
    resumed = registry.call("PATCH", pending.headers["Location"], data=b" and half")
    assert resumed.headers["Range"] == f"0-{len(HALF + b' and half') - 1}"
    done = registry.call("PUT", pending.headers["Location"], params={"digest": digest_of(HALF + b" and half")})
    assert done.status_code == 201
    ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    assert len(os.listdir(blobs)) == 3  # unreferenced blobs are kept for a grace period
    advanced = requests.post(f"{server.endpoint_url}/_mockrunner/clock/advance", json={"seconds": 24 * 3600 + 1},
                             timeout=10)
    assert advanced.status_code == 200, advanced.text
    ecr.delete_repository(repositoryName="app", force=True)
    assert os.listdir(blobs) == []
    server.stop()


def test_recorded_pull_times_are_saved_before_the_answer(tmp_path):
    """A pull that records ``lastRecordedPullTime`` (registry manifest GET, BatchGetImage) is saved like a
    mutation: it survives a restart straight away."""
    state = tmp_path / "state.bin"
    server, ecr, registry = start(state)
    ecr.create_repository(repositoryName="app")
    ecr.create_repository(repositoryName="api")
    for repo in ("app", "api"):
        assert registry.push(repo, build_image(repo), "v1").status_code == 201
    assert registry.call("GET", "/v2/app/manifests/v1").status_code == 200
    ecr.batch_get_image(repositoryName="api", imageIds=[{"imageTag": "v1"}])
    pulled = {repo: ecr.describe_images(repositoryName=repo)["imageDetails"][0]["lastRecordedPullTime"]
              for repo in ("app", "api")}
    server.stop()

    server, ecr, _ = start(state)
    for repo, when in pulled.items():
        assert ecr.describe_images(repositoryName=repo)["imageDetails"][0]["lastRecordedPullTime"] == when
    server.stop()


def test_a_registry_pull_by_an_excluded_principal_is_not_recorded(tmp_path):
    server, ecr, registry = start(tmp_path / "state.bin")
    ecr.create_repository(repositoryName="app")
    assert registry.push("app", build_image("x"), "v1").status_code == 201
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=server.endpoint_url,
                       aws_access_key_id="test", aws_secret_access_key="test")
    ci = iam.create_user(UserName="ci")["User"]["Arn"]
    iam.put_user_policy(UserName="ci", PolicyName="pull", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    ci_ecr = boto3.client("ecr", region_name="us-east-1", endpoint_url=server.endpoint_url,
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    ci_registry = Registry(server.endpoint_url, login_password(ci_ecr))
    ecr.register_pull_time_update_exclusion(principalArn=ci)
    assert ci_registry.call("GET", "/v2/app/manifests/v1").status_code == 200
    assert "lastRecordedPullTime" not in ecr.describe_images(repositoryName="app")["imageDetails"][0]
    ecr.deregister_pull_time_update_exclusion(principalArn=ci)
    assert ci_registry.call("GET", "/v2/app/manifests/v1").status_code == 200
    assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["lastRecordedPullTime"]
    server.stop()


def test_expired_uploads_leave_the_disk_lazily_and_at_start(tmp_path):
    """With ``--state-file`` an upload's bytes are a file: it goes when the upload expires (found when another
    upload starts), and an upload that expired while the server was down goes at start."""
    state = tmp_path / "state.bin"
    uploads = tmp_path / "state.bin.blobs" / "uploads"
    server, ecr, registry, old = start_with_an_upload(state, b"left behind")
    assert sorted(os.listdir(uploads)) == [old, f"{old}.json"]
    advanced = requests.post(f"{server.endpoint_url}/_mockrunner/clock/advance", json={"seconds": 168 * 3600},
                             timeout=10)
    assert advanced.status_code == 200, advanced.text
    registry = Registry(server.endpoint_url, login_password(ecr))  # a token lasts 12 hours
    new = registry.call("POST", "/v2/app/blobs/uploads/").headers["Docker-Upload-UUID"]
    assert sorted(os.listdir(uploads)) == [new, f"{new}.json"]
    assert registry.call("PATCH", f"/v2/app/blobs/uploads/{new}", data=b"pending").status_code == 201
    password = registry.session.auth[1]
    server.stop()

    record_path = uploads / f"{new}.json"
    record = json.loads(record_path.read_text())
    record["started"] = (datetime.now(UTC) - timedelta(hours=169)).isoformat()  # down for a week, say
    record_path.write_text(json.dumps(record))
    server, ecr, _ = start(state)
    assert os.listdir(uploads) == []
    registry = Registry(server.endpoint_url, password)
    assert registry.call("GET", f"/v2/app/blobs/uploads/{new}").status_code == 404
    server.stop()


def test_an_upload_cancelled_while_a_part_streams_leaves_no_file_behind(tmp_path):
    """A registry ``DELETE`` of an upload while a ``PATCH`` of it is still reading its body: the cancel does not
    wait for the part (it runs under the store lock, which a slow body must not hold up), and the part, finding its
    upload gone, removes the files it wrote back (its record lingered until a restart)."""
    store = BlobStore(str(tmp_path / "blobs"))
    upload = store.start_upload(("123456789012", "us-east-1", "app"), datetime.now(UTC))
    streaming, release = threading.Event(), threading.Event()

    def body():
        yield b"x" * 1024
        streaming.set()
        release.wait(10)
        yield b"y" * 1024

    def append():
        try:
            store.append(upload.id, body())
        except blobs.UploadMissing:
            pass

    appender = threading.Thread(target=append)
    appender.start()
    assert streaming.wait(10)
    store.cancel(upload.id)  # returns at once: the part is still streaming
    release.set()
    appender.join(10)
    assert not appender.is_alive()
    assert store.upload(upload.id) is None
    assert os.listdir(tmp_path / "blobs" / "uploads") == []


def test_an_upload_started_as_the_process_stopped_leaves_no_file_behind(tmp_path):
    """An upload's record is written before its data file: a process stopped between the two leaves a record
    without data, which the next start drops.  A data file with no record (as earlier versions could leave) is
    removed at start too; the uploads in progress beside it are kept."""
    state = tmp_path / "state.bin"
    uploads = tmp_path / "state.bin.blobs" / "uploads"
    server, ecr, registry, kept = start_with_an_upload(state, b"pending")
    password = registry.session.auth[1]
    server.stop()

    orphan, recordless = "0b7b6a2e-3f0c-4d55-9a43-0d6c1f1b8a01", "5f0e2c1d-9b8a-4c3d-8e7f-6a5b4c3d2e1f"
    (uploads / orphan).write_bytes(b"bytes of an upload whose record was never written")
    (uploads / f"{recordless}.json").write_text((uploads / f"{kept}.json").read_text())
    server, ecr, _ = start(state)
    assert sorted(os.listdir(uploads)) == [kept, f"{kept}.json"]
    registry = Registry(server.endpoint_url, password)
    assert registry.call("GET", f"/v2/app/blobs/uploads/{kept}").status_code == 204
    assert registry.call("GET", f"/v2/app/blobs/uploads/{orphan}").status_code == 404
    assert registry.call("GET", f"/v2/app/blobs/uploads/{recordless}").status_code == 404
    server.stop()
