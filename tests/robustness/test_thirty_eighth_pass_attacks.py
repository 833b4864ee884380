"""An attacker's thirty-eighth pass, on the surfaces a network client reaches: the HTTP server's framing and its
bounded threads (``mockrunner/serving.py``), ``serve --tls-cert``, the registry under ``/v2/`` (uploads streamed while
other requests touch the same upload, monolithic uploads, pulls, tokens, other accounts' registries) and App Runner's
operations under concurrent calls.  Real clients: boto3 (``server`` harness: the threaded server in this process, so
what the server holds can be read), ``requests`` and raw sockets where framing matters; no timed assertion (a loop
waiting for the server is bounded in count and time).

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a registry ``PATCH`` of an upload whose body trickles      **fixed (high).** The PATCH's thread holds the upload's
(100,000 bytes announced, 10 sent), then                   lock while it reads the body (outside the store lock, as
CompleteLayerUpload, UploadLayerPart or a closing          it should); CompleteLayerUpload (JSON and registry) and
registry ``PUT`` of the same upload                        JSON UploadLayerPart took that lock *under the store
                                                           lock*, so every request of every account waited for the
                                                           trickling client: 19.5 s for a GetCallerIdentity here
                                                           (the body deadline), for ever for a client sending 500
                                                           bytes a second, for any principal allowed to push to one
                                                           repository.  Under the store lock an upload's lock is
                                                           only tried: CompleteLayerUpload is InvalidLayerException
                                                           "... is receiving a layer part ..." (registry 400
                                                           ``BLOB_UPLOAD_INVALID``), UploadLayerPart
                                                           InvalidLayerPartException (*unverified*: ECR's answers
                                                           are not public), the upload kept; taking back a part of
                                                           a change that could not be saved cancels the upload
                                                           instead of waiting.
a registry password written by the holder of an access     **fixed (high).** Tokens were HMAC-signed under the
key (payload: key, registry, Region, expiry; signed with   credentials' secret alone: a user denied
its secret), by a user denied ``GetAuthorizationToken``    ``ecr:GetAuthorizationToken`` used ``/v2/`` anyway (each
                                                           call still checked as its action), with a token valid
                                                           until 2286, and any Region name in one made the registry
                                                           create that Region's state (kept in the state file).
                                                           Tokens are signed under the server's key too.
``POST .../blobs/uploads/?digest=`` refused (a digest of   **fixed (medium).** Each refusal kept the upload it had
another algorithm, upper-case hex, ``md5:x``, empty) or    started, whose id its client never learns, counted
its body cut short                                         towards the repository's 1,000 uploads in progress for
                                                           168 hours: a thousand refused requests stopped every push
                                                           to the repository, every principal's, for a week.  A
                                                           refused monolithic upload is cancelled.
manifest GETs and BatchGetImage of one image by a reader   **fixed (low).** Each recorded ``lastRecordedPullTime``
(``ecr:BatchGetImage`` only), with a state file            and so saved the whole state, fsync included, under the
                                                           store lock: 8 ms a pull against 1 ms a tags listing with
                                                           a 585 KB state, growing with the state.  ECR refreshes
                                                           the time "at least once every 24 hours"; a pull is now
                                                           recorded when the recorded one is a minute old or more
                                                           (as last-used records are).
a 4.2 MB Docker V2 manifest (annotations, which the        **fixed (low).** The conversion (the manifest's JSON read
conversion keeps) pulled by tag with ``Accept`` naming     and written again) ran under the store lock: 150-235 ms a
OCI only, in a loop, by a reader                           pull against 18 ms as stored, every other request waiting.
                                                           The text is taken under the lock and converted after.
the dashboard's login over HTTPS (``serve --tls-cert``,    **fixed (low).** The cookie carrying the admin token had
which answers plain HTTP on the same port), then an        no ``Secure``: the browser sent the token in clear text to
``http://`` address of the same server                     any ``http://`` address of the server (with
                                                           ``--admin-remote``, past every network hop).  Set over
                                                           HTTPS it is ``Secure``.
a manifest whose ``subject.digest`` holds CR LF            **fixed (medium).** The registry answers a push of it with
(``sha256:x`` CR LF ``Set-Cookie: a=b``), NUL, ``é``       ``OCI-Subject: <that digest>``, which was any string: the
or no digest at all, pushed over ``/v2/`` or PutImage      answer could not be framed, a 500 after the image was
                                                           stored and saved (its client told it failed).  A subject's
                                                           digest must be one of the OCI grammar (PutImage's
                                                           "Invalid JSON syntax" refusal, registry 405
                                                           ``UNSUPPORTED``; *unverified*), and ``OCI-Subject`` names
                                                           only such a digest.
a state imported with an image's media type or digest      **fixed (low).** Both are answered in headers
holding CR LF ``X-Evil: 1``                                (``Content-Type``, ``Docker-Content-Digest``): every pull
                                                           of the image was a 500.  The import refuses a media type
                                                           PutImage does not store and a digest that is not sha256.
=========================================================  ==========================================================

Probed and held (checked by hand unless a test here says so):

* The wire (raw sockets against the server): two requests in one packet (an STS POST then an admin GET; a ``/v2/``
  GET with an unread 5-byte body then another) are both answered, in order; a HEAD answer has no body and the
  request after it is answered whole; chunked trailers naming ``Content-Length``, 20,000 trailer lines, 60 and
  70 KB chunk extensions: 400; ``Content-Length`` with ``Transfer-Encoding``: 400; ``chunked, chunked`` and
  ``xchunked``: 501; a negative or 23-digit ``Content-Length``: 400; 201 header fields or a 70 KB header: 431; a
  17 KB target: 414; HTTP/1.2, HTTP/2.0: 400; a CR alone, NUL or a space in a header name: 400; a folded ``Host``:
  400; ``OPTIONS *`` and ``CONNECT``: 400; an ``h2c`` upgrade is served as HTTP/1.1, a WebSocket one is a JSON 400;
  ``Expect: 100-continue`` gets ``100 Continue`` then the answer, other expectations 400; percent-encoded NUL or
  invalid UTF-8 in paths, raw latin-1 in a path, header or query: 4xx, never a traceback.  Absolute-form targets
  take the target's authority as ``Host`` (an ``evil.com`` one is refused by the admin API, user-info is 400).
* TLS (``serve --tls-cert``): a ClientHello sent a byte every 2 s is cut off after about 10 s (the handshake's
  deadline is the whole handshake's, not each read's).
* Registry tokens: a password whose payload names an access key as a list or object, or a session token as an
  object, list, number, boolean, null, 5,000 characters, a lone surrogate or empty: 401, never a 500.  A token
  used with a ``Host`` naming another account's registry (also with ``.cn``) is checked as that account's
  repositories (403 without a repository policy); ``_catalog``, ``tags/list`` and uploads alike.
* App Runner under eight threads of 150 random calls each (pause, resume, delete, update, start deployment, custom
  domains, auto scaling configuration revisions and deletions, descriptions, ListOperations) over three services
  with a 0.3 s operation delay: only 4xx answers (``InvalidStateException``, ``InvalidRequestException``,
  ``ResourceNotFoundException``, ``ServiceQuotaExceededException``), every service DELETED after ``settle`` and
  the state exported and imported again whole.
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

import pytest
from botocore.exceptions import ClientError

from mockrunner.model.blobs import BlobStore
from tests.harness import Harness
from tests.registry.images import Registry, login_password
from tests.robustness.test_twenty_ninth_pass_attacks import _lock_free


def _port(harness: Harness) -> int:
    return int(harness.endpoint_url.rsplit(":", 1)[1])


def _wait_until(condition, seconds: float = 10.0) -> bool:
    """Poll ``condition`` (bounded: at most ``seconds``, 200 looks)."""
    for _ in range(200):
        if condition():
            return True
        time.sleep(seconds / 200)
    return condition()


@pytest.fixture
def upload_in_flight(server: Harness) -> Iterator[tuple[Harness, str, socket.socket]]:
    """Repository ``app`` with an upload of one 10-byte part, and a registry PATCH of it whose body is still arriving
    (100,000 bytes announced, 10 sent): the upload's lock is held by the server thread reading that body."""
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    upload = ecr.initiate_layer_upload(repositoryName="app")["uploadId"]
    ecr.upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=0, partLastByte=9,
                          layerPartBlob=b"y" * 10)
    password = base64.b64encode(f"AWS:{login_password(ecr)}".encode()).decode()
    patch = socket.create_connection(("127.0.0.1", _port(server)), timeout=30)
    patch.sendall(f"PATCH /v2/app/blobs/uploads/{upload} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Basic {password}\r\nContent-Type: application/octet-stream\r\n"
                  "Content-Length: 100000\r\n\r\n".encode() + b"x" * 10)
    assert _wait_until(lambda: server.store.blobs.upload(upload).lock.locked())
    yield server, upload, patch
    patch.close()


def _still_streaming(harness: Harness, upload: str) -> bool:
    held = harness.store.blobs.upload(upload)
    return held is not None and held.lock.locked()


def test_completing_an_upload_whose_part_streams_does_not_wait_under_the_store_lock(upload_in_flight) -> None:
    """CompleteLayerUpload held the store lock while it waited for the upload's lock, which the PATCH's thread holds
    until its body ends: every request of every account waited (20 s here, the body deadline; for ever for a client
    sending 500 bytes a second).  It is refused at once now, the upload kept."""
    server, upload, _patch = upload_in_flight
    with pytest.raises(ClientError) as refused:
        server.client("ecr").complete_layer_upload(repositoryName="app", uploadId=upload,
                                                   layerDigests=["sha256:" + "0" * 64])
    assert refused.value.response["Error"]["Code"] == "InvalidLayerException"
    assert "is receiving a layer part" in refused.value.response["Error"]["Message"]
    assert _still_streaming(server, upload)  # answered while the part still arrives: nothing waited for it
    assert server.client("sts").get_caller_identity()["Account"]


def test_a_json_part_for_an_upload_whose_part_streams_does_not_wait_under_the_store_lock(upload_in_flight) -> None:
    server, upload, _patch = upload_in_flight
    with pytest.raises(ClientError) as refused:
        server.client("ecr").upload_layer_part(repositoryName="app", uploadId=upload, partFirstByte=10,
                                               partLastByte=19, layerPartBlob=b"z" * 10)
    error = refused.value.response
    assert error["Error"]["Code"] == "InvalidLayerPartException"
    assert error["lastValidByteReceived"] == 9
    assert _still_streaming(server, upload)


def test_a_closing_registry_put_while_a_part_streams_is_refused_at_once(upload_in_flight) -> None:
    server, upload, _patch = upload_in_flight
    registry = Registry(server.endpoint_url, login_password(server.client("ecr")))
    answer = registry.call("PUT", f"/v2/app/blobs/uploads/{upload}", params={"digest": "sha256:" + "0" * 64})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "BLOB_UPLOAD_INVALID"
    assert _still_streaming(server, upload)


def test_taking_back_a_part_while_another_streams_cancels_the_upload_without_waiting() -> None:
    """A change undone (its save failed) takes its part back under the store lock: while another part of the upload
    arrives it cannot wait for it, so the upload goes (as after a cancel) rather than the lock being held."""
    store = BlobStore()
    upload = store.start_upload(("owner",), datetime.now(UTC))
    store.append(upload.id, [b"a" * 10])
    release = threading.Event()

    def trickle() -> Iterator[bytes]:
        yield b"b"
        release.wait(10)

    writer = threading.Thread(target=lambda: store.append(upload.id, trickle()))
    writer.start()
    try:
        assert _wait_until(lambda: upload.lock.locked())
        store.rewind(upload.id, 5)
        assert store.upload(upload.id) is None
    finally:
        release.set()
        writer.join(10)
    assert store.upload(upload.id) is None  # the writer's part ended into nothing, as after any cancel


def _uploads_of_app(harness: Harness) -> int:
    from mockrunner.services.ecr import core, push
    repo = core.find_repository(harness.store, harness.store.settings.default_account, "us-east-1", "app")
    return harness.store.blobs.count_uploads(push.upload_owner(repo))


@pytest.mark.parametrize("digest", ["sha512:" + "a" * 128, "sha256:" + "A" * 64, "md5:x", "", "sha256:" + "0" * 64])
def test_a_refused_monolithic_upload_leaves_no_upload_behind(server: Harness, digest: str) -> None:
    """Each refused ``POST .../blobs/uploads/?digest=`` kept the upload it started, an id its client never learns,
    counted towards the repository's 1,000 uploads in progress for a week: a thousand refusals stopped every push to
    the repository (of every principal) for 168 hours."""
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(ecr))
    refused = registry.call("POST", "/v2/app/blobs/uploads/", params={"digest": digest}, data=b"hello")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] in ("DIGEST_INVALID", "BLOB_UPLOAD_INVALID")
    assert _uploads_of_app(server) == 0


def test_a_monolithic_upload_cut_short_leaves_no_upload_behind(server: Harness) -> None:
    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    password = base64.b64encode(f"AWS:{login_password(ecr)}".encode()).decode()
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=30) as cut:
        cut.sendall(f"POST /v2/app/blobs/uploads/?digest=sha256:{'0' * 64} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Basic {password}\r\nContent-Length: 100\r\n\r\n".encode() + b"x" * 10)
        assert _wait_until(lambda: _uploads_of_app(server) == 1)
    assert _wait_until(lambda: _uploads_of_app(server) == 0)
    assert _uploads_of_app(server) == 0


def test_pulls_within_a_minute_of_the_recorded_one_do_not_save_the_state(tmp_path) -> None:
    """Every manifest GET (and BatchGetImage) recorded ``lastRecordedPullTime`` and so saved the whole state, under
    the store lock, before answering: a reader allowed only ``ecr:BatchGetImage`` made each of its requests a full
    save (8 ms a pull against 1 ms a tags listing with a 585 KB state; a save grows with the state).  ECR refreshes
    the time "at least once every 24 hours"; a pull is now recorded when the recorded one is a minute old or more."""
    from mockrunner.config import Settings
    from mockrunner.testing.oci import build_image

    state = tmp_path / "state.bin"
    harness = Harness("server", Settings(log_requests=False, operation_delay=0, state_file=str(state)))
    try:
        ecr = harness.client("ecr")
        ecr.create_repository(repositoryName="app")
        registry = Registry(harness.endpoint_url, login_password(ecr))
        assert registry.push("app", build_image("pulled"), "v1").status_code == 201
        assert registry.call("GET", "/v2/app/manifests/v1").status_code == 200
        first = ecr.describe_images(repositoryName="app")["imageDetails"][0]["lastRecordedPullTime"]
        saved = state.read_bytes()
        for _ in range(5):
            assert registry.call("GET", "/v2/app/manifests/v1").status_code == 200
            ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
        assert state.read_bytes() == saved  # nothing to save: the recorded pull stands
        assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["lastRecordedPullTime"] == first
        assert harness.admin("POST", "/clock/advance", {"seconds": 60})[0] == 200
        ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
        later = ecr.describe_images(repositoryName="app")["imageDetails"][0]["lastRecordedPullTime"]
        assert later > first
    finally:
        harness.round_trip = False
        harness.close()


def test_a_manifest_pulled_in_the_other_format_is_converted_outside_the_store_lock(server: Harness,
                                                                                   monkeypatch) -> None:
    """A pull by tag whose ``Accept`` does not take the stored format answers a conversion (Docker V2 <-> OCI): the
    manifest's JSON read and written again, under the store lock.  A 4.2 MB Docker manifest (annotations, which the
    conversion keeps) took 150-235 ms a pull against 18 ms as stored, so a reader pulling it in a loop held every
    other request up.  The text is taken under the lock and converted once it is let go."""
    from mockrunner.model import manifest_formats
    from mockrunner.model.manifest_formats import DOCKER_V2, OCI_MANIFEST
    from mockrunner.testing.oci import digest_of

    registry, image = _blobs_pushed(server, "converted")
    docker = {"schemaVersion": 2, "mediaType": DOCKER_V2,
              "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(image.config),
                         "digest": digest_of(image.config)},
              "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(image.layer),
                          "digest": digest_of(image.layer)}]}
    assert registry.put_manifest("app", "v1", json.dumps(docker).encode(), media_type=DOCKER_V2).status_code == 201
    held: list[bool] = []
    original = manifest_formats.for_client

    def observed(*args):
        held.append(not _lock_free(server.store.lock))
        return original(*args)

    monkeypatch.setattr(manifest_formats, "for_client", observed)
    pulled = registry.call("GET", "/v2/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert pulled.status_code == 200
    assert pulled.headers["Content-Type"] == OCI_MANIFEST
    # ECR's GET names no Docker-Content-Digest (only a HEAD does); the ETag carries the converted digest.
    assert pulled.headers["ETag"] == '"sha256:' + hashlib.sha256(pulled.content).hexdigest() + '"'
    assert held == [False]


def test_the_dashboard_cookie_set_over_https_is_never_sent_over_plain_http() -> None:
    """``serve --tls-cert`` answers HTTPS and plain HTTP on one port; the login form's cookie carrying the admin
    token had no ``Secure``, so a browser that logged in over HTTPS sent the token in clear text the first time its
    user opened an ``http://`` address of the same server (with ``--admin-remote``, to anyone on the network path).
    Set over HTTPS it is ``Secure`` now; set over plain HTTP (loopback) it stays as it was."""
    from mockrunner.app import create_app
    from mockrunner.config import Settings

    app = create_app(Settings(log_requests=False, operation_delay=0, admin_token="s3cret-token"))
    secure = app.test_client().post("/_mockrunner/ui/login", data={"token": "s3cret-token"},
                                    base_url="https://localhost")
    assert secure.status_code == 302
    assert "; Secure" in secure.headers["Set-Cookie"] and "HttpOnly" in secure.headers["Set-Cookie"]
    plain = app.test_client().post("/_mockrunner/ui/login", data={"token": "s3cret-token"})
    assert plain.status_code == 302 and "Secure" not in plain.headers["Set-Cookie"]


@pytest.mark.parametrize("subject", ["sha256:x\r\nSet-Cookie: a=b", "sha256:" + "a" * 64 + "\n", "sha256:\x00",
                                     "sha256:\u00e9", "not a digest"])
def test_a_manifest_whose_subject_is_no_digest_is_refused_before_it_is_stored(server: Harness, subject: str) -> None:
    """The registry answers a push of a manifest with a ``subject`` with ``OCI-Subject: <its digest>``, which was any
    string: a CR, LF or NUL in it made the answer unsendable, a 500 (``the application's response is not valid
    HTTP``) after the image was stored and saved.  A subject's digest must be one of the OCI grammar, through the
    registry and PutImage alike (*unverified*: ECR's answer is not public; refused as a manifest ECR will not
    take)."""
    registry, image = _blobs_pushed(server, "referrer")
    ecr = server.client("ecr")
    manifest = {**json.loads(image.manifest), "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                          "digest": subject, "size": 10}}
    pushed = registry.put_manifest("app", "v1", json.dumps(manifest).encode())
    assert pushed.status_code == 405 and pushed.json()["errors"][0]["code"] == "UNSUPPORTED"
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName="app", imageManifest=json.dumps(manifest), imageTag="v2")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert ecr.list_images(repositoryName="app")["imageIds"] == []


@pytest.mark.parametrize("field", ["media_type", "digest"])
def test_a_state_whose_image_is_no_header_value_is_refused(server: Harness, field: str) -> None:
    """The registry answers a manifest with its stored media type as ``Content-Type`` and its digest in
    ``Docker-Content-Digest``; a state imported with ``...\\r\\nX-Evil: 1`` in either made every pull of the image a 500
    (the answer could not be framed).  An image's media type must be one PutImage stores and its digest a sha256
    digest, as PutImage computes it (the import is refused whole)."""
    from mockrunner.testing.oci import build_image

    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(ecr))
    assert registry.push("app", build_image("imported"), "v1").status_code == 201
    digest = ecr.describe_images(repositoryName="app")["imageDetails"][0]["imageDigest"]
    _, state = server.admin("GET", "/state")
    text = json.dumps(state)
    if field == "media_type":
        stored = '"media_type": "application/vnd.oci.image.manifest.v1+json"'
        assert text.count(stored) == 1
        text = text.replace(stored, stored[:-1] + '\\r\\nX-Evil: 1"')
    else:
        text = text.replace(digest, digest + "\\r\\nX-Evil: 1")
    status, answer = server.admin("PUT", "/state", json.loads(text))
    assert status == 400 and answer["error"] == "InvalidState" and f".{field}:" in answer["message"]
    pulled = registry.call("GET", "/v2/app/manifests/v1")
    assert pulled.status_code == 200 and pulled.headers["ETag"] == f'"{digest}"'
    head = registry.call("HEAD", "/v2/app/manifests/v1")
    assert head.status_code == 200 and head.headers["Docker-Content-Digest"] == digest


def _forged_password(key: dict, region: str = "us-east-1", expires: int = 9_999_999_999) -> str:
    """A registry password as mockrunner's tokens were written: a payload naming the credentials, the registry, the
    Region and the expiry, signed with HMAC-SHA256 under the credentials' secret alone, which their holder knows."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    body = b64(json.dumps({"k": key["AccessKeyId"], "t": None, "a": "123456789012", "r": region, "e": expires,
                           "n": "00"}).encode())
    signature = b64(hmac.new(key["SecretAccessKey"].encode(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


@pytest.mark.parametrize("region", ["us-east-1", "zz-evil-1", "x" * 3000])
def test_a_registry_token_the_caller_wrote_itself_is_refused(server: Harness, region: str) -> None:
    """A token was signed with the credentials' secret alone, so their holder could write one: a user denied
    ``ecr:GetAuthorizationToken`` (ECR's docker login needs it) listed and pulled through ``/v2/`` anyway, with a
    token valid until 2286, and a token naming any Region made the registry create that Region's state (kept in the
    state file) for each name.  Tokens are signed under the server's key too now: only the server mints them."""
    iam = server.client("iam")
    iam.create_user(UserName="no-login")
    iam.put_user_policy(UserName="no-login", PolicyName="ecr", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="no-login")["AccessKey"]
    ecr = server.client_for(key, "ecr")
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ClientError) as refused:
        ecr.get_authorization_token()
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    forged = Registry(server.endpoint_url, _forged_password(key, region))
    for method, path in (("GET", "/v2/_catalog"), ("GET", "/v2/app/tags/list"), ("POST", "/v2/other/blobs/uploads/")):
        assert forged.call(method, path).status_code == 401
    assert sorted(server.store.account("123456789012").regions) == ["us-east-1"]
    assert Registry(server.endpoint_url, login_password(server.client("ecr"))).call(
        "GET", "/v2/app/tags/list").status_code == 200  # a token the server issued still works


def _blobs_pushed(server: Harness, name: str):
    """Repository ``app`` holding the layer and config of :func:`build_image` ``(name)``, pushed through the
    registry: the registry client and the image."""
    from mockrunner.testing.oci import build_image

    ecr = server.client("ecr")
    ecr.create_repository(repositoryName="app")
    registry = Registry(server.endpoint_url, login_password(ecr))
    image = build_image(name)
    for data in (image.layer, image.config):
        assert registry.push_blob("app", data).status_code == 201
    return registry, image
