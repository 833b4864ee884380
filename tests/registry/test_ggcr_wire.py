"""The registry endpoint as go-containerregistry (``crane``, ``ko``, kaniko, Tekton) drives it, request by request.

``crane`` cannot be installed here, so :class:`Crane` sends over real HTTP exactly what ggcr's ``pkg/v1/remote``
sends (its headers, their order, how it reads ``Location`` and ``Link``, bodies sized or chunked) and each test
asserts what ggcr needs back: the statuses ``transport.CheckError`` accepts at each step, the headers it reads,
the errors it parses.  What was read, and what held: (docs/behaviour.md, "Through go-containerregistry (crane)").
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import ssl
import threading
import time
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from mockrunner.testing.oci import OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, Image, build_image, digest_of
from tests.registry.go_wire import Answer
from tests.registry.images import EMPTY_CONFIG, artifact_of, user_password

ACCOUNT = "123456789012"
USER_AGENT = "crane/v0.20.2 go-containerregistry/v0.20.2"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
ALL_MANIFEST_TYPES = ",".join([
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX])
"""``allManifestMediaTypes`` joined as ggcr's fetcher joins them (``strings.Join(accept, ",")``)."""
ACCEPTS = {
    "ping": {200, 401}, "blob exists": {200, 404}, "initiate": {201, 202}, "stream": {204, 202, 201},
    "commit": {201}, "manifest put": {200, 201, 202}, "manifest": {200}, "referrers": {200, 404, 400, 406},
    "delete": {200, 202}, "list": {200}, "blob": {200},
}
"""The statuses ``transport.CheckError`` takes at each step of ggcr (write.go, pusher.go, fetcher.go, list.go,
catalog.go, referrers.go); anything else is a ``transport.Error``."""
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
"""``contentRangeRe`` of ggcr's resumable transport."""


class Crane:
    """go-containerregistry's HTTP client over raw ``http.client``: the headers Go's transport and ggcr's
    ``basicTransport`` put on a request (``Authorization`` only towards the registry's own host, as
    ``basicTransport`` sets it), ``Content-Length: 0`` on a bodiless POST/PUT/PATCH, a chunked body for a
    ``stream.Layer``; a GET follows redirects as Go's ``http.Client`` does."""

    def __init__(self, endpoint, password: str | None = None) -> None:
        self.base = endpoint.harness.endpoint_url
        self.target = endpoint.host
        password = password if password is not None else endpoint.registry.session.auth[1]
        self.authorization = "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()

    def send(self, method: str, url: str, body: bytes | list[bytes] | None = None, headers: dict | None = None,
             anonymous: bool = False, follow: bool = True) -> Answer:
        url = urljoin(self.base + "/", url)
        parts = urlsplit(url)
        sent = {"User-Agent": USER_AGENT}
        if method != "HEAD" and "Range" not in (headers or {}):
            sent["Accept-Encoding"] = "gzip"  # Go's transport asks for gzip itself and decodes it
        if parts.netloc == self.target and not anonymous:
            sent["Authorization"] = self.authorization
        sent.update(headers or {})
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                               body=iter(body) if isinstance(body, list) else body, headers=sent,
                               encode_chunked=isinstance(body, list))
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read(), url)
        finally:
            connection.close()
        if follow and method == "GET" and answer.status in (301, 302, 303, 307, 308):
            return self.send("GET", urljoin(url, answer.header("Location")), headers=headers)
        return answer

    def location(self, answer: Answer) -> str:
        """``nextLocation``: ``Location`` resolved against the request's URL (a path or an absolute URL)."""
        assert answer.header("Location"), "missing Location header"
        return urljoin(answer.url, answer.header("Location"))

    # ------------------------------------------------------------------------------------------- write.go
    def blob_exists(self, repo: str, digest: str) -> bool:
        answer = self.send("HEAD", f"/v2/{repo}/blobs/{digest}")
        check(answer, "blob exists")
        return answer.status == 200

    def initiate(self, repo: str, mount: str = "", source: str = "", origin: str = "") -> tuple[str, bool]:
        query = urlencode({"mount": mount, "from": source, **({"origin": origin} if origin else {})}) \
            if mount and source else ""
        answer = self.send("POST", f"/v2/{repo}/blobs/uploads/" + (f"?{query}" if query else ""),
                           headers={"Content-Type": "application/json"})
        check(answer, "initiate")
        return ("", True) if answer.status == 201 else (self.location(answer), False)

    def stream(self, location: str, data: bytes | list[bytes]) -> str:
        answer = self.send("PATCH", location, data, headers={"Content-Type": "application/octet-stream"})
        check(answer, "stream")
        return self.location(answer)

    def commit(self, location: str, digest: str) -> Answer:
        parts = urlsplit(location)
        query = "&".join(filter(None, [parts.query, urlencode({"digest": digest})]))
        answer = self.send("PUT", parts._replace(query=query).geturl(),
                           headers={"Content-Type": "application/octet-stream"})
        check(answer, "commit")
        return answer

    def upload_one(self, repo: str, data: bytes, streamed: bool = False, source: str = "") -> str:
        """``uploadOne``: existence check, upload start (with a mount when ``source``), one PATCH, the commit."""
        digest = digest_of(data)
        if not streamed and self.blob_exists(repo, digest):
            return "existing"
        location, mounted = self.initiate(repo, "" if streamed else digest, source, self.target if source else "")
        if mounted:
            return "mounted"
        body = ([data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]) if streamed else data
        self.commit(self.stream(location, body), digest)
        return "pushed"

    def head_manifest(self, repo: str, reference: str) -> Answer:
        return self.send("HEAD", f"/v2/{repo}/manifests/{reference}", headers={"Accept": ALL_MANIFEST_TYPES})

    def put_manifest(self, repo: str, reference: str, manifest: bytes, media_type: str) -> Answer:
        answer = self.send("PUT", f"/v2/{repo}/manifests/{reference}", manifest, {"Content-Type": media_type})
        check(answer, "manifest put")
        if json.loads(manifest).get("subject"):  # commitSubjectReferrers
            subject = json.loads(manifest)["subject"]["digest"]
            referrers = self.send("GET", f"/v2/{repo}/referrers/{subject}", headers={"Accept": OCI_INDEX})
            check(referrers, "referrers")
            assert referrers.status == 200, "ggcr would write the sha256-<hex> fallback tag"
        return answer

    def push(self, repo: str, image: Image, tag: str, media_type: str = OCI_MANIFEST) -> list[str]:
        """``Pusher.Push`` of an image by tag: the manifest HEAD first (404 or 403: go on), the layer and the config,
        then the manifest PUT."""
        head = self.head_manifest(repo, tag)
        if head.status == 200 and head.header("Docker-Content-Digest") == image.digest:
            return ["existing manifest"]
        assert head.status in (200, 404, 403), head.status
        steps = [self.upload_one(repo, data) for data in (image.layer, image.config)]
        self.put_manifest(repo, tag, image.manifest, media_type)
        return steps

    # ------------------------------------------------------------------------------------------- fetcher.go
    def get_manifest(self, repo: str, reference: str, accept: str = ALL_MANIFEST_TYPES) -> Answer:
        answer = self.send("GET", f"/v2/{repo}/manifests/{reference}", headers={"Accept": accept})
        check(answer, "manifest")
        return answer

    def fetch_blob(self, repo: str, digest: str, size: int, headers: dict | None = None) -> Answer:
        answer = self.send("GET", f"/v2/{repo}/blobs/{digest}", headers=headers)
        assert "Content-Encoding" not in answer.headers  # Go would gunzip it, and the digest would not match
        return answer


def check(answer: Answer, step: str) -> None:
    """``transport.CheckError``: a status the step does not take is an error ggcr reports."""
    assert answer.status in ACCEPTS[step], (step, answer.status, answer.body[:300])


def transport_error(answer: Answer) -> tuple[int, list[str], str]:
    """``makeError``: the ``errors`` array's codes when the body is one, else the raw body."""
    try:
        codes = [error["code"] for error in json.loads(answer.body)["errors"]]
    except (ValueError, KeyError, TypeError):
        codes = []
    return answer.status, codes, answer.body.decode()


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """ping.go: the scheme and ``parseChallenge``'s key/value pairs (split on ``,``, values unquoted)."""
    scheme, _, rest = header.partition(" ")
    pairs = {}
    for token in rest.split(","):
        key, _, value = token.strip(" ").partition("=")
        pairs[key] = value.strip('"')
    return scheme.lower(), pairs


def docker_form(image: Image) -> bytes:
    """The image's manifest as Docker V2 Schema 2 (what ``crane push`` of a docker tarball sends)."""
    manifest = json.loads(image.manifest)
    manifest["mediaType"] = DOCKER_MANIFEST
    manifest["config"]["mediaType"] = "application/vnd.docker.container.image.v1+json"
    manifest["layers"][0]["mediaType"] = "application/vnd.docker.image.rootfs.diff.tar"
    return json.dumps(manifest).encode()


@pytest.fixture
def crane(endpoint) -> Crane:
    endpoint.ecr.create_repository(repositoryName="app")
    return Crane(endpoint)


# ------------------------------------------------------------------------------------------------ ping
def test_the_https_attempt_fails_at_once_and_the_ping_reads_a_basic_challenge(endpoint):
    """ping.go tries ``https://`` first, then ``http://`` for a localhost/insecure registry: the TLS handshake
    against the plain-HTTP port must fail at once (not wait out Go's 10 s handshake timeout); Go's TLS client reads
    a record starting ``HTTP/`` as "server gave HTTP response to HTTPS client".  The 401's challenge is ``Basic``
    (basicTransport: credentials on every request; no token exchange), and with them ``/v2/`` is 200."""
    host, port = endpoint.host.split(":")
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    outgoing = ssl.MemoryBIO()
    with pytest.raises(ssl.SSLWantReadError):
        context.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=host).do_handshake()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=15) as raw:
        raw.sendall(outgoing.read())  # the ClientHello
        assert raw.recv(5) == b"HTTP/"
    assert time.monotonic() - started < 5

    crane = Crane(endpoint)
    ping = crane.send("GET", "/v2/", anonymous=True)
    check(ping, "ping")
    assert ping.status == 401
    scheme, parameters = parse_challenge(ping.header("WWW-Authenticate"))
    assert (scheme, parameters) == ("basic", {"realm": f"http://{endpoint.host}/", "service": "ecr.amazonaws.com"})
    assert crane.send("GET", "/v2/").status == 200
    # What crane prints for a token ECR does not take: the raw text body (google/go-containerregistry#861).
    refused = Crane(endpoint, "not-a-token").send("GET", "/v2/app/tags/list?n=1000")
    assert transport_error(refused) == (401, [], "Not Authorized\n")


# ------------------------------------------------------------------------------------------------ push
def test_crane_push_then_the_same_push_again(endpoint, crane):
    image = build_image("pushed by crane")
    head = crane.head_manifest("app", "v1")
    assert head.status == 404 and head.body == b""  # a HEAD answer has no body; ggcr goes on
    assert crane.push("app", image, "v1") == ["pushed", "pushed"]
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in detail] == [(image.digest, ["v1"])]
    # Again: the manifest HEAD answers what headManifest needs, and nothing else is sent.
    head = crane.head_manifest("app", "v1")
    assert head.status == 200
    assert (head.header("Content-Type"), head.header("Docker-Content-Digest")) == (OCI_MANIFEST, image.digest)
    assert int(head.header("Content-Length")) == len(image.manifest)
    assert crane.push("app", image, "v1") == ["existing manifest"]
    # Another tag: its HEAD is 404, both blobs exist, only the manifest is PUT.
    assert crane.push("app", image, "v2") == ["existing", "existing"]


def test_each_upload_step_answers_what_ggcr_reads(crane):
    data = build_image("steps").layer
    started = crane.send("POST", "/v2/app/blobs/uploads/", headers={"Content-Type": "application/json"})
    assert started.status == 202
    assert started.header("Location").startswith("/v2/app/blobs/uploads/")  # a path: ggcr resolves it
    assert started.header("Docker-Upload-UUID") in started.header("Location")
    patched = crane.send("PATCH", crane.location(started), data, {"Content-Type": "application/octet-stream"})
    assert patched.status == 201  # ECR's answer to a chunk; ggcr takes 204, 202 or 201
    assert patched.header("Range") == f"0-{len(data) - 1}"
    committed = crane.commit(crane.location(patched), digest_of(data))
    assert committed.header("Docker-Content-Digest") == digest_of(data)
    # An absolute Location with a query (a registry may carry state in it) is used as given, the digest added.
    again = crane.send("POST", "/v2/app/blobs/uploads/", headers={"Content-Type": "application/json"})
    absolute = f"{crane.base}{again.header('Location')}?_state=opaque"
    assert crane.send("PATCH", absolute, b"x", {"Content-Type": "application/octet-stream"}).status == 201
    assert crane.commit(absolute, digest_of(b"x")).status == 201


def test_a_streamed_layer_goes_up_chunked_without_a_length(endpoint, crane):
    """A ``stream.Layer`` (``crane append`` from a pipe, ko): no digest known, so no HEAD and no mount; one PATCH
    with a chunked body and no ``Content-Length``; the digest is sent on the commit."""
    data = bytes(range(256)) * 4096 + b"tail"
    assert crane.upload_one("app", data, streamed=True) == "pushed"
    layer = endpoint.ecr.batch_check_layer_availability(repositoryName="app", layerDigests=[digest_of(data)])
    assert (layer["layers"][0]["layerAvailability"], layer["layers"][0]["layerSize"]) == ("AVAILABLE", len(data))


def test_an_oci_and_a_docker_manifest_go_up_with_their_content_types(endpoint, crane):
    oci, docker = build_image("oci form"), build_image("docker form")
    crane.push("app", oci, "oci")
    for data in (docker.layer, docker.config):
        crane.upload_one("app", data)
    docker_manifest = docker_form(docker)
    put = crane.put_manifest("app", "docker", docker_manifest, DOCKER_MANIFEST)
    assert put.header("Docker-Content-Digest") == digest_of(docker_manifest)
    types = {d["imageTags"][0]: d["imageManifestMediaType"]
             for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert types == {"oci": OCI_MANIFEST, "docker": DOCKER_MANIFEST}
    # ggcr's Accept names both forms: each comes back as stored, with the digest ggcr computes from the body.
    for tag, manifest, media_type in (("oci", oci.manifest, OCI_MANIFEST),
                                      ("docker", docker_manifest, DOCKER_MANIFEST)):
        got = crane.get_manifest("app", tag)
        assert (got.body, got.header("Content-Type")) == (manifest, media_type)
        # ECR's GET names no digest (docs/behaviour.md, "Through regclient (regctl)"): ggcr hashes the body itself.
        assert got.header("Docker-Content-Digest") is None
        by_digest = crane.get_manifest("app", digest_of(manifest))
        assert digest_of(by_digest.body) == digest_of(manifest)  # ggcr refuses a body that does not hash to it
    # remote.Tag/Put of a Taggable without MediaType() sends Docker V2's Content-Type whatever the body: an OCI
    # manifest so labelled is PutImage's refusal, 405 UNSUPPORTED (ECR's answer, kept: a transport.Error for ggcr).
    refused = crane.send("PUT", "/v2/app/manifests/mislabelled", oci.manifest, {"Content-Type": DOCKER_MANIFEST})
    assert transport_error(refused)[:2] == (405, ["UNSUPPORTED"])


def test_an_index_and_its_images_go_up_children_first(endpoint, crane):
    """``WriteIndex``: each child image (by digest) before the index; the index PUT as ``Content-Type`` of its
    media type; a pull by tag with ggcr's Accept answers the index."""
    children = [build_image("child", architecture=arch) for arch in ("amd64", "arm64")]
    for child in children:
        assert crane.head_manifest("app", child.digest).status == 404
        for data in (child.layer, child.config):
            crane.upload_one("app", data)
        crane.put_manifest("app", child.digest, child.manifest, OCI_MANIFEST)
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": child.digest, "size": len(child.manifest),
         "platform": {"os": "linux", "architecture": arch}}
        for child, arch in zip(children, ("amd64", "arm64"), strict=True)]}).encode()
    crane.put_manifest("app", "multi", index, OCI_INDEX)
    got = crane.get_manifest("app", "multi")
    assert (got.header("Content-Type"), got.body) == (OCI_INDEX, index)
    detail = endpoint.ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "multi"}])["imageDetails"]
    assert detail[0]["imageManifestMediaType"] == OCI_INDEX


def test_kanikos_push_permission_check_starts_an_upload_and_cancels_it(endpoint, crane):
    """check.go ``CheckPushPermission`` (kaniko, before it builds): a bare upload start, then a ``DELETE`` of its
    ``Location`` whose answer it ignores.  Allowed: 202, and the cancelled upload is gone; a principal without
    ``ecr:InitiateLayerUpload`` or a missing repository is refused at the POST, which kaniko reports."""
    location, mounted = crane.initiate("app")
    assert not mounted
    assert crane.send("DELETE", location).status == 204
    assert transport_error(crane.send("GET", location))[:2] == (404, ["BLOB_UPLOAD_UNKNOWN"])
    reader = Crane(endpoint, user_password(endpoint.harness, "reader", [
        "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]))
    status, codes, raw = transport_error(reader.send("POST", "/v2/app/blobs/uploads/",
                                                     headers={"Content-Type": "application/json"}))
    assert (status, codes) == (403, ["DENIED"]) and "ecr:InitiateLayerUpload" in raw
    assert transport_error(crane.send("POST", "/v2/ghost/blobs/uploads/"))[:2] == (404, ["NAME_UNKNOWN"])


# ------------------------------------------------------------------------------------------------ mounts
def test_crane_copy_between_repositories_mounts_only_with_blob_mounting(endpoint, crane):
    """``crane copy`` within one registry sends ``?mount=<digest>&from=<repo>&origin=<registry>``: without ECR's
    ``BLOB_MOUNTING`` setting the answer is a new upload (202) and ggcr uploads the bytes; with it, 201 and the
    blob is in the target."""
    endpoint.ecr.create_repository(repositoryName="copy")
    image = build_image("to copy")
    crane.push("app", image, "v1")
    assert crane.upload_one("copy", image.layer, source="app") == "pushed"
    endpoint.ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
    endpoint.ecr.create_repository(repositoryName="mounted")
    assert crane.upload_one("mounted", image.layer, source="app") == "mounted"
    assert crane.upload_one("mounted", image.config, source="app") == "mounted"
    assert crane.blob_exists("mounted", digest_of(image.layer))
    crane.put_manifest("mounted", "v1", image.manifest, OCI_MANIFEST)
    assert endpoint.ecr.list_images(repositoryName="mounted")["imageIds"] == [
        {"imageDigest": image.digest, "imageTag": "v1"}]
    # A source the caller cannot read is no mount either (202), never an error ggcr would have to retry past.
    assert crane.upload_one("mounted", build_image("unseen").layer, source="ghost") == "pushed"


# ------------------------------------------------------------------------------------------------ pull
def test_crane_pull_follows_the_blob_redirect_and_gets_the_exact_bytes(endpoint, crane):
    image = build_image("to pull", extra_bytes=300_000)
    crane.push("app", image, "v1")
    manifest = json.loads(crane.get_manifest("app", "v1").body)
    for descriptor in (manifest["config"], *manifest["layers"]):
        blob = crane.fetch_blob("app", descriptor["digest"], descriptor["size"])
        check(blob, "blob")
        assert urlsplit(blob.url).netloc == endpoint.host  # checkRedirectSSRF: the same host is always allowed
        assert int(blob.header("Content-Length")) == descriptor["size"]  # else "Content-Length ... does not match"
        assert digest_of(blob.body) == descriptor["digest"]
    # At ECR the redirect leads to S3, another host, where basicTransport sends no credentials: none are needed.
    redirect = crane.send("GET", f"/v2/app/blobs/{digest_of(image.layer)}", follow=False)
    assert redirect.status == 307
    assert crane.send("GET", redirect.header("Location"), anonymous=True).body == image.layer
    assert crane.send("GET", f"/v2/app/blobs/{digest_of(image.layer)}", anonymous=True).status == 401
    head = crane.send("HEAD", f"/v2/app/blobs/{digest_of(image.layer)}")
    assert (head.status, int(head.header("Content-Length"))) == (200, len(image.layer))
    assert head.header("Docker-Content-Digest") == digest_of(image.layer)


def test_a_resumable_download_ranges_every_blob_get(crane):
    """transport/resumable.go: every GET carries ``Range: bytes=0-``; a 206 whose ``Content-Range`` matches
    ``contentRangeRe`` is read as the whole blob, a dropped read resumes with ``bytes=<done>-``, and a 416 with
    ``bytes */<size>`` once all is read is the end."""
    image = build_image("resumed", extra_bytes=100_000)
    crane.push("app", image, "v1")
    digest, size = digest_of(image.layer), len(image.layer)
    first = crane.fetch_blob("app", digest, size, {"Range": "bytes=0-"})
    assert first.status == 206
    assert CONTENT_RANGE.match(first.header("Content-Range")).groups() == ("0", str(size - 1), str(size))
    resumed = crane.fetch_blob("app", digest, size, {"Range": "bytes=4096-"})
    assert resumed.status == 206 and resumed.header("Content-Range") == f"bytes 4096-{size - 1}/{size}"
    assert first.body[:4096] + resumed.body == image.layer
    # The Range goes on every GET: manifests and tag lists ignore it (200, read as they are).
    manifest = crane.send("GET", "/v2/app/manifests/v1", headers={"Accept": ALL_MANIFEST_TYPES, "Range": "bytes=0-"})
    assert (manifest.status, manifest.body) == (200, image.manifest)
    assert crane.send("GET", "/v2/app/tags/list?n=1000", headers={"Range": "bytes=0-"}).status == 200
    done = crane.fetch_blob("app", digest, size, {"Range": f"bytes={size}-"})
    assert (done.status, done.header("Content-Range")) == (416, f"bytes */{size}")
    # A 0-byte blob never gets there: ECR completes no upload without parts (EmptyUploadException), so a
    # resumable GET of an empty blob (416, then the plain GET) does not arise against ECR.
    location, _ = crane.initiate("app")
    refused = crane.send("PUT", f"{crane.stream(location, b'')}?digest={digest_of(b'')}")
    assert transport_error(refused)[:2] == (400, ["BLOB_UPLOAD_INVALID"])


def test_crane_digest_heads_and_crane_manifest_gets_by_tag_and_digest(crane):
    image = build_image("digest me")
    crane.push("app", image, "v1")
    head = crane.head_manifest("app", "v1")
    assert head.header("Docker-Content-Digest") == image.digest
    got = crane.get_manifest("app", image.digest)
    assert got.body == image.manifest and got.header("Content-Type") == OCI_MANIFEST
    # crane config / crane blob: the config blob by the manifest's digest.
    config = crane.fetch_blob("app", json.loads(got.body)["config"]["digest"], len(image.config))
    assert config.body == image.config


# ------------------------------------------------------------------------------------------------ listing
def test_crane_ls_asks_1000_a_page_and_follows_link(endpoint, crane):
    image = build_image("tagged")
    crane.push("app", image, "t00")
    tags = [f"t{i:02d}" for i in range(12)]
    for tag in tags[1:]:
        crane.put_manifest("app", tag, image.manifest, OCI_MANIFEST)
    page = crane.send("GET", "/v2/app/tags/list?n=1000")  # remote.List: defaultPageSize
    check(page, "list")
    assert json.loads(page.body) == {"name": "app", "tags": tags} and page.header("Link") is None
    listed, url, pages = [], "/v2/app/tags/list?n=5", 0  # WithPageSize(5)
    while url and pages < 10:
        answer = crane.send("GET", url)
        check(answer, "list")
        listed += json.loads(answer.body)["tags"]
        link = answer.header("Link")
        url = None
        if link:
            assert link.startswith("<") and ">" in link
            url = urljoin(answer.url, link[1:link.index(">")])
            assert urlsplit(url)[:2] == ("http", endpoint.host)  # validatePaginationURL: same scheme and host
        pages += 1
    assert (listed, pages) == (tags, 3)


def test_n_over_1000_on_tags_list_is_ecrs_maxresults_refusal(crane):
    """ggcr before its page size (and renovate, registry-cli) asked ``tags/list?n=10000``; ECR answers 400
    ``UNSUPPORTED`` with ListImages' ``maxResults`` constraint (google/go-containerregistry#681,
    renovatebot/renovate#3800, andrey-pohilko/registry-cli#79); ggcr's default of 1000 exists for it."""
    answer = crane.send("GET", "/v2/app/tags/list?n=10000")
    assert transport_error(answer)[:2] == (400, ["UNSUPPORTED"])
    assert json.loads(answer.body)["errors"][0]["message"] == (
        "Invalid parameter at 'maxResults' failed to satisfy constraint: "
        "'Member must have value less than or equal to 1000'")
    assert crane.send("GET", "/v2/app/tags/list?n=1000").status == 200


def test_crane_catalog_pages_and_the_older_last_and_n_query(endpoint, crane):
    for name in ("bb", "cc", "dd", "ee"):
        endpoint.ecr.create_repository(repositoryName=name)
    first = crane.send("GET", "/v2/_catalog?n=1000")
    check(first, "list")
    assert json.loads(first.body) == {"repositories": ["app", "bb", "cc", "dd", "ee"]}
    # CatalogPage (crane catalog before the Catalogger) sends last= (empty at first) then n.
    page = crane.send("GET", "/v2/_catalog?last=&n=2")
    assert json.loads(page.body)["repositories"] == ["app", "bb"]
    after = crane.send("GET", urljoin(page.url, page.header("Link")[1:page.header("Link").index(">")]))
    assert json.loads(after.body)["repositories"] == ["cc", "dd"]
    assert transport_error(crane.send("GET", "/v2/_catalog?n=10000"))[:2] == (400, ["UNSUPPORTED"])


# ------------------------------------------------------------------------------------------------ referrers
def test_a_manifest_with_a_subject_finds_the_referrers_api_and_writes_no_fallback_tag(endpoint, crane):
    """After a PUT of a manifest with a ``subject`` ggcr GETs ``/referrers/<subject>`` (Accept: the OCI index): a
    200 means the registry keeps the list, so no ``sha256-<hex>`` fallback tag is written; ``remote.Referrers``
    reads the 200 only when its ``Content-Type`` is exactly the OCI index type."""
    image = build_image("subject")
    crane.push("app", image, "v1")
    crane.upload_one("app", EMPTY_CONFIG)
    crane.upload_one("app", b"signature")
    artifact = artifact_of(image, "application/vnd.example.sig", b"signature", "text/plain")
    put = crane.put_manifest("app", digest_of(artifact), artifact, OCI_MANIFEST)
    assert put.header("OCI-Subject") == image.digest
    details = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    tags = {tag for detail in details for tag in detail.get("imageTags", [])}
    assert tags == {"v1"}
    listed = crane.send("GET", f"/v2/app/referrers/{image.digest}", headers={"Accept": OCI_INDEX})
    assert listed.header("Content-Type") == OCI_INDEX
    assert [(d["digest"], d["artifactType"]) for d in json.loads(listed.body)["manifests"]] == [
        (digest_of(artifact), "application/vnd.example.sig")]


def test_a_pusher_without_batch_get_image_gets_403_on_the_referrers_check_after_its_put(endpoint, crane):
    """The referrers API needs ``ecr:BatchGetImage`` (ECR's documentation), so a push-only principal's artifact
    with a ``subject`` is stored (201) but ggcr's check after it is 403 ``DENIED``, which it reports as the push's
    error (CheckError takes 200, 404 and 400 there): ECR's behaviour, kept."""
    image = build_image("subject")
    crane.push("app", image, "v1")
    pusher = Crane(endpoint, user_password(endpoint.harness, "pusher", [
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]))
    pusher.upload_one("app", b"{}")
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.sbom",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest_of(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest_of(b"{}"), "size": 2}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": image.digest, "size": len(image.manifest)}}).encode()
    put = pusher.send("PUT", f"/v2/app/manifests/{digest_of(manifest)}", manifest, {"Content-Type": OCI_MANIFEST})
    assert put.status == 201
    check_after = pusher.send("GET", f"/v2/app/referrers/{image.digest}", headers={"Accept": OCI_INDEX})
    status, codes, raw = transport_error(check_after)
    assert (status, codes) == (403, ["DENIED"]) and "ecr:BatchGetImage" in raw
    assert status not in ACCEPTS["referrers"]
    assert digest_of(manifest) in {d["imageDigest"] for d in
                                   endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}


def test_the_referrers_tag_schema_index_a_client_writes_is_kept_and_read_back(crane):
    """Clients that keep the fallback list themselves (older ggcr, cosign) PUT an OCI index under the tag
    ``sha256-<hex>`` (71 characters: within ECR's tag rules) and GET it with ``Accept`` the OCI index alone."""
    image = build_image("subject")
    crane.push("app", image, "v1")
    referrer = build_image("referrer")
    crane.push("app", referrer, "r1")
    tag = image.digest.replace(":", "-", 1)
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": referrer.digest, "size": len(referrer.manifest),
         "artifactType": OCI_CONFIG}]}).encode()
    crane.put_manifest("app", tag, index, OCI_INDEX)
    got = crane.get_manifest("app", tag, OCI_INDEX)
    assert (got.body, got.header("Content-Type")) == (index, OCI_INDEX)


# ------------------------------------------------------------------------------------------------ delete
def test_crane_delete_by_tag_and_by_digest(endpoint, crane):
    image = build_image("doomed")
    crane.push("app", image, "v1")
    crane.put_manifest("app", "v2", image.manifest, OCI_MANIFEST)
    by_tag = crane.send("DELETE", "/v2/app/manifests/v1")
    check(by_tag, "delete")
    assert [i.get("imageTag") for i in endpoint.ecr.list_images(repositoryName="app")["imageIds"]] == ["v2"]
    by_digest = crane.send("DELETE", f"/v2/app/manifests/{image.digest}")
    check(by_digest, "delete")
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    assert transport_error(crane.send("DELETE", f"/v2/app/manifests/{image.digest}"))[:2] == (
        404, ["MANIFEST_UNKNOWN"])


# ------------------------------------------------------------------------------------------------ errors
def test_the_errors_ggcr_parses_carry_the_codes_it_checks(endpoint, crane):
    missing = "sha256:" + "0" * 64
    cases = [
        (crane.send("GET", "/v2/app/manifests/nope", headers={"Accept": ALL_MANIFEST_TYPES}), 404, "MANIFEST_UNKNOWN"),
        (crane.send("GET", f"/v2/app/blobs/{missing}"), 404, "BLOB_UNKNOWN"),
        (crane.send("GET", "/v2/ghost/tags/list?n=1000"), 404, "NAME_UNKNOWN"),
        (crane.send("POST", "/v2/ghost/blobs/uploads/", headers={"Content-Type": "application/json"}),
         404, "NAME_UNKNOWN"),
        (crane.send("PUT", f"/v2/app/blobs/uploads/{'1' * 8}-0000-0000-0000-{'0' * 12}?digest={missing}"),
         404, "BLOB_UPLOAD_UNKNOWN"),
    ]
    for answer, status, code in cases:
        assert transport_error(answer)[:2] == (status, [code]), answer.body
    # A push to a repository that does not exist: the HEADs are 404 (ggcr goes on), the upload start is the error.
    ghost = Crane(endpoint)
    assert ghost.head_manifest("ghost", "v1").status == 404
    assert not ghost.blob_exists("ghost", missing)
    status, codes, raw = transport_error(ghost.send("POST", "/v2/ghost/blobs/uploads/"))
    assert (status, codes) == (404, ["NAME_UNKNOWN"])
    assert f"The repository with name 'ghost' does not exist in the registry with id '{ACCOUNT}'" in raw


def test_a_pusher_without_batch_get_image_is_403_on_the_manifest_head_and_ggcr_goes_on(endpoint, crane):
    """manifestExists treats a 403 on its HEAD as "not there" (an optimization); ECR answers it 403 ``DENIED`` for a
    principal without ``ecr:BatchGetImage``, and the push itself needs only the upload actions and PutImage."""
    password = user_password(endpoint.harness, "pusher", [
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"])
    pusher = Crane(endpoint, password)
    image = build_image("pushed blind")
    assert pusher.head_manifest("app", "v1").status == 403
    assert pusher.push("app", image, "v1") == ["pushed", "pushed"]
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == [{"imageDigest": image.digest,
                                                                            "imageTag": "v1"}]


def test_a_commit_whose_digest_is_not_the_bytes_is_an_error_ggcr_retries(crane):
    """``BLOB_UPLOAD_INVALID`` is one of ggcr's temporary codes: it retries the whole upload (HEAD, POST, PATCH,
    PUT), which succeeds with the right digest."""
    data = b"layer bytes"
    location, _ = crane.initiate("app")
    location = crane.stream(location, data)
    answer = crane.send("PUT", f"{location}?digest=sha256:{'0' * 64}")
    assert transport_error(answer)[:2] == (400, ["BLOB_UPLOAD_INVALID"])
    assert crane.upload_one("app", data) == "pushed"


# ------------------------------------------------------------------------------------------------ concurrency
def test_four_jobs_upload_at_once_and_two_cranes_push_the_same_layer(endpoint, crane):
    """ggcr uploads up to ``jobs`` (4) blobs of one repository at once; two cranes pushing the same base layer
    both see their commit succeed (201)."""
    layers = [build_image(f"layer {i}", extra_bytes=50_000).layer for i in range(4)]
    shared = build_image("shared base", extra_bytes=80_000).layer
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(key: str, data: bytes) -> None:
        try:
            results[key] = Crane(endpoint).upload_one("app", data)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f"job{i}", data)) for i, data in enumerate(layers)]
    threads += [threading.Thread(target=run, args=(f"same{i}", shared)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    assert set(results.values()) <= {"pushed", "existing"} and len(results) == 6
    digests = [digest_of(data) for data in (*layers, shared)]
    available = endpoint.ecr.batch_check_layer_availability(repositoryName="app", layerDigests=digests)["layers"]
    assert {layer["layerDigest"] for layer in available if layer["layerAvailability"] == "AVAILABLE"} == set(digests)


def test_the_ecr_host_header_names_the_registry_and_locations_stay_paths(endpoint, crane):
    """Against ``<account>.dkr.ecr.<region>.amazonaws.com`` ggcr resolves every ``Location`` against that host:
    upload locations are paths, so the upload continues where it began."""
    host = {"Host": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"}
    started = crane.send("POST", "/v2/app/blobs/uploads/", headers={**host, "Content-Type": "application/json"})
    assert started.status == 202 and started.header("Location").startswith("/v2/app/blobs/uploads/")
    patched = crane.send("PATCH", crane.location(started), b"via host", {**host,
                                                                         "Content-Type": "application/octet-stream"})
    assert patched.header("Location").startswith("/v2/")
    committed = crane.send("PUT", f"{crane.location(patched)}?digest={digest_of(b'via host')}", headers=host)
    assert committed.status == 201 and committed.header("Location") == f"/v2/app/blobs/{digest_of(b'via host')}"
