"""The registry endpoint against the OCI Distribution Specification's conformance suite, over real HTTP.

The four workflows of ``opencontainers/distribution-spec`` ``conformance/`` (``01_pull_test.go``,
``02_push_test.go``, ``03_discovery_test.go``, ``04_management_test.go``, with the data ``setup.go`` builds: configs
in tab-indented JSON, a config descriptor carrying ``data`` and an unknown member, artifacts whose type is their
config's media type or their ``artifactType``, an index with a subject, a nested index, a subject never pushed) and
the newer runner's blob range checks (``run.go``), sent as the suite sends them with ``requests``, authenticated as
ECR's registry is (``AWS`` and GetAuthorizationToken's password).  Where ECR answers otherwise and says or shows so,
ECR's answer is asserted (docs/behaviour.md, "ECR registry"): a chunk ``PATCH`` is 201, chunks but the last are at
least 5 MB, blob mounts need the ``BLOB_MOUNTING`` setting, blobs cannot be deleted (405, which the suite takes).
The last tests are the differences this check found and
fixed (docs/behaviour.md, "Registry against the OCI distribution conformance suite"); each failed before its fix.
"""
from __future__ import annotations

import base64
import json
import os
import re

from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, digest_of

SPEC_CODES = {"BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
              "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED",
              "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS"}
"""The codes a 4XX JSON error body MUST carry one of (distribution-spec, "Error Codes")."""
EMPTY = b"{}"
EMPTY_DESCRIPTOR = {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest_of(EMPTY), "size": 2}
KEY = "org.opencontainers.conformance.test"
TYPE_A, TYPE_B = "application/vnd.nhl.peanut.butter.bagel", "application/vnd.nba.strawberry.jam.croissant"
OCTETS = {"Content-Type": "application/octet-stream"}
MIN_PART = 5 * 1024 * 1024


def _config(author: str) -> bytes:
    return json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
                       "author": author}, indent="\t").encode()


LAYER = b"\x1f\x8b\x08\x00" + bytes(range(256)) * 2


def _manifest(config: bytes, **extra) -> bytes:
    """As setup.go builds it: the config descriptor with ``data`` and an unspecified member, tab-indented."""
    return json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest_of(config),
                   "size": len(config), "data": base64.b64encode(config).decode(),
                   "newUnspecifiedField": base64.b64encode(b"hello world").decode()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest_of(LAYER),
                    "size": len(LAYER)}], **extra}, indent="\t").encode()


def _put_blob(registry, name: str, data: bytes):
    started = registry.call("POST", f"/v2/{name}/blobs/uploads/")
    assert started.status_code == 202 and started.headers["Location"], started.text
    return registry.call("PUT", started.headers["Location"], params={"digest": digest_of(data)}, data=data,
                         headers=OCTETS)


def _descriptor(data: bytes, media_type: str = OCI_MANIFEST) -> dict:
    return {"mediaType": media_type, "digest": digest_of(data), "size": len(data)}


def _spec_error(response) -> str:
    """The code of a 4XX JSON error, asserted to be one the spec lists."""
    code = response.json()["errors"][0]["code"]
    assert code in SPEC_CODES, (response.status_code, code)
    return code


# ------------------------------------------------------------------------------------------------ the workflows
def test_pull(endpoint):
    """01_pull_test.go: blobs and manifests by digest and by tag, the unknown ones 404, a PUT by a malformed
    digest a 400 whose code is one of the spec's.  ECR answers a manifest GET without ``Docker-Content-Digest``
    (the suite checks it only when present); its HEAD names it."""
    registry = endpoint.registry
    endpoint.ecr.create_repository(repositoryName="conformance/pull")
    name, config = "conformance/pull", _config("pull")
    manifest = _manifest(config)
    for data in (config, LAYER):
        assert _put_blob(registry, name, data).status_code == 201
    assert registry.put_manifest(name, "tagtest0", manifest).status_code == 201
    tag = registry.call("GET", f"/v2/{name}/tags/list").json()["tags"][0]
    missing = digest_of(b"hello world")
    for method in ("HEAD", "GET"):
        assert registry.call(method, f"/v2/{name}/blobs/{missing}").status_code == 404
        assert registry.call(method, f"/v2/{name}/manifests/no-such-tag").status_code == 404
        assert registry.call(method, f"/v2/{name}/manifests/{missing}").status_code == 404
    assert _spec_error(registry.call("GET", f"/v2/{name}/blobs/{missing}")) == "BLOB_UNKNOWN"
    assert _spec_error(registry.call("GET", f"/v2/{name}/manifests/{missing}")) == "MANIFEST_UNKNOWN"
    head = registry.call("HEAD", f"/v2/{name}/blobs/{digest_of(config)}")
    assert (head.status_code, head.headers["Docker-Content-Digest"], head.content) == (200, digest_of(config), b"")
    assert head.headers["Content-Length"] == str(len(config))
    blob = registry.call("GET", f"/v2/{name}/blobs/{digest_of(config)}")
    assert (blob.status_code, blob.content, blob.headers["Docker-Content-Digest"]) == (200, config, digest_of(config))
    accept = {"Accept": OCI_MANIFEST}
    for reference in (digest_of(manifest), tag):
        headed = registry.call("HEAD", f"/v2/{name}/manifests/{reference}", headers=accept)
        assert headed.status_code == 200 and headed.headers["Docker-Content-Digest"] == digest_of(manifest)
        assert headed.headers["Content-Length"] == str(len(manifest)) and headed.content == b""
        got = registry.call("GET", f"/v2/{name}/manifests/{reference}", headers=accept)
        assert (got.status_code, got.content, got.headers["Content-Type"]) == (200, manifest, OCI_MANIFEST)
    wrong = registry.call("PUT", f"/v2/{name}/manifests/sha256:totallywrong", data=b"blablabla",
                          headers={"Content-Type": OCI_MANIFEST})
    assert wrong.status_code == 400 and _spec_error(wrong) == "DIGEST_INVALID"
    # Teardown: the manifest goes (202), the blobs cannot (405, which the suite takes).
    assert registry.call("DELETE", f"/v2/{name}/manifests/{digest_of(manifest)}").status_code == 202
    deleted_blob = registry.call("DELETE", f"/v2/{name}/blobs/{digest_of(config)}")
    assert deleted_blob.status_code == 405 and _spec_error(deleted_blob) == "UNSUPPORTED"


def test_push_blobs(endpoint):
    """02_push_test.go's blob uploads: streamed, single POST, POST then PUT, chunked (out of order and retried
    chunks 416, the upload's status 204 with ``Location`` and ``Range``) and cross-repository mounts.  ECR: a chunk
    is answered 201 and chunks but the last are at least 5 MB (so the chunks here are); a mount without the
    ``BLOB_MOUNTING`` setting is a new upload (202), which the suite takes."""
    registry, name = endpoint.registry, "conformance/push"
    for repository in (name, "conformance/crossmount"):
        endpoint.ecr.create_repository(repositoryName=repository)
    streamed_blob = os.urandom(42)
    location = registry.call("POST", f"/v2/{name}/blobs/uploads/").headers["Location"]
    streamed = registry.call("PATCH", location, data=iter([streamed_blob]), headers=OCTETS)
    assert streamed.status_code == 201 and streamed.headers["Location"]
    closed = registry.call("PUT", streamed.headers["Location"], params={"digest": digest_of(streamed_blob)})
    assert closed.status_code == 201 and closed.headers["Location"] == f"/v2/{name}/blobs/{digest_of(streamed_blob)}"
    config = _config("push")
    assert registry.call("GET", f"/v2/{name}/blobs/{digest_of(config)}").status_code == 404
    single = registry.call("POST", f"/v2/{name}/blobs/uploads/", params={"digest": digest_of(config)}, data=config,
                           headers=OCTETS)
    assert single.status_code == 201 and single.headers["Location"]
    assert registry.call("GET", single.headers["Location"]).content == config
    assert _put_blob(registry, name, LAYER).status_code == 201
    assert registry.call("GET", f"/v2/{name}/blobs/{digest_of(LAYER)}").status_code == 200
    # Chunked: the first chunk at ECR's minimum, the second shorter.
    blob = os.urandom(MIN_PART + 1000)
    first, second = blob[:MIN_PART], blob[MIN_PART:]
    first_range, second_range = f"0-{MIN_PART - 1}", f"{MIN_PART}-{len(blob) - 1}"
    started = registry.call("POST", f"/v2/{name}/blobs/uploads/", headers={"Content-Length": "0"})
    assert "OCI-Chunk-Min-Length" not in started.headers  # ECR is not known to send it
    out_of_order = registry.call("PATCH", started.headers["Location"], data=second,
                                 headers={**OCTETS, "Content-Range": second_range})
    assert out_of_order.status_code == 416 and _spec_error(out_of_order) == "BLOB_UPLOAD_INVALID"
    location = registry.call("POST", f"/v2/{name}/blobs/uploads/", headers={"Content-Length": "0"}).headers[
        "Location"]
    chunk = registry.call("PATCH", location, data=first, headers={**OCTETS, "Content-Range": first_range})
    assert (chunk.status_code, chunk.headers["Range"]) == (201, first_range)
    assert registry.call("PATCH", location, data=first,
                         headers={**OCTETS, "Content-Range": first_range}).status_code == 416
    status = registry.call("GET", location)
    assert (status.status_code, status.headers["Range"], status.headers["Location"]) == (204, first_range, location)
    chunk = registry.call("PATCH", status.headers["Location"], data=second,
                          headers={**OCTETS, "Content-Range": second_range})
    assert (chunk.status_code, chunk.headers["Range"]) == (201, f"0-{len(blob) - 1}")
    done = registry.call("PUT", chunk.headers["Location"], params={"digest": digest_of(blob)},
                         headers={**OCTETS, "Content-Length": "0"})
    assert done.status_code == 201 and done.headers["Location"]
    # Cross-repository mounts: without ``from``, and from another repository (202: a new upload there).
    anonymous = registry.call("POST", "/v2/conformance/crossmount/blobs/uploads/", params={"mount": digest_of(b"x")})
    assert anonymous.status_code == 202 and anonymous.headers["Location"]
    mounted = registry.call("POST", "/v2/conformance/crossmount/blobs/uploads/",
                            params={"mount": digest_of(streamed_blob), "from": name})
    assert mounted.status_code == 202
    assert mounted.headers["Location"].startswith("/v2/conformance/crossmount/blobs/uploads/")


def test_push_manifests(endpoint):
    """02_push_test.go's manifests: one under four tags, one without layers, artifacts typed by their config and by
    ``artifactType``, an index, an index of that index, and a manifest whose subject was never pushed (answered
    ``OCI-Subject``)."""
    registry, name = endpoint.registry, "conformance/push"
    endpoint.ecr.create_repository(repositoryName=name)
    configs = [_config(f"push {n}") for n in range(2)]
    blob_a = b"NHL Peanut Butter on my NHL bagel"
    for data in (*configs, LAYER, EMPTY, blob_a):
        assert _put_blob(registry, name, data).status_code == 201
    manifest = _manifest(configs[1])
    assert registry.call("GET", f"/v2/{name}/manifests/{digest_of(manifest)}").status_code == 404
    for n in range(4):
        put = registry.put_manifest(name, f"test{n}", manifest)
        assert put.status_code == 201 and put.headers["Location"]
        assert put.headers["Docker-Content-Digest"] == digest_of(manifest)
    no_layers = json.loads(manifest) | {"layers": []}
    assert registry.put_manifest(name, "emptylayer", json.dumps(no_layers, indent="\t").encode()).status_code == 201
    assert registry.call("GET", f"/v2/{name}/manifests/{digest_of(manifest)}").content == manifest
    by_config = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": _descriptor(blob_a, TYPE_A),
                            "layers": [EMPTY_DESCRIPTOR]}, indent="\t").encode()
    by_type = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": TYPE_A,
                          "config": EMPTY_DESCRIPTOR, "layers": [_descriptor(blob_a, TYPE_A)]}, indent="\t").encode()
    for artifact in (by_config, by_type):
        assert registry.put_manifest(name, digest_of(artifact), artifact).status_code == 201
    tagged = _manifest(configs[0])
    assert registry.put_manifest(name, "tagtest0", tagged).status_code == 201
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "artifactType": "application/vnd.food.stand",
                        "manifests": [_descriptor(tagged)], "annotations": {KEY: "test index"}}, indent="\t").encode()
    nested = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "artifactType": "application/vnd.food.stand",
                         "manifests": [_descriptor(index, OCI_INDEX)], "annotations": {KEY: "test index"}},
                        indent="\t").encode()
    for document in (index, nested):
        assert registry.put_manifest(name, digest_of(document), document, OCI_INDEX).status_code == 201
    never = _manifest(_config("never pushed"))
    dangling = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": TYPE_B,
                           "config": EMPTY_DESCRIPTOR, "layers": [_descriptor(blob_a, TYPE_B)],
                           "subject": _descriptor(never)}, indent="\t").encode()
    put = registry.put_manifest(name, digest_of(dangling), dangling)
    assert put.status_code == 201 and put.headers["OCI-Subject"] == digest_of(never)


def test_content_discovery(endpoint):
    """03_discovery_test.go: tags in order, limited by ``n`` and started after ``last``; referrers of a digest
    nothing names (an empty index), of a subject pushed after two of its five referrers (each with its
    annotation; filtered to the two of one type, saying so), and of a subject never pushed."""
    registry, name = endpoint.registry, "conformance/discovery"
    endpoint.ecr.create_repository(repositoryName=name)
    config, blob_a, blob_b = _config("discovery"), b"NHL Peanut Butter on my NHL bagel", b"NBA Jam on my croissant"
    for data in (config, LAYER, EMPTY, blob_a):
        assert _put_blob(registry, name, data).status_code == 201
    subject, never = _manifest(config), _manifest(_config("never pushed"))
    for n in range(4):
        assert registry.put_manifest(name, f"test{n}", subject).status_code == 201
    tags = registry.call("GET", f"/v2/{name}/tags/list").json()["tags"]
    assert tags == sorted(tags) == ["test0", "test1", "test2", "test3"]
    half = registry.call("GET", f"/v2/{name}/tags/list", params={"n": 2})
    assert half.json()["tags"] == ["test0", "test1"] and 'rel="next"' in half.headers["Link"]
    rest = registry.call("GET", f"/v2/{name}/tags/list", params={"n": 2, "last": "test1"})
    assert rest.json()["tags"] == ["test2", "test3"]

    def artifact(content: bytes, artifact_type: str, by_config: bool, of: bytes, note: str | None) -> bytes:
        document = {"schemaVersion": 2, "mediaType": OCI_MANIFEST}
        if by_config:
            document |= {"config": _descriptor(content, artifact_type), "layers": [EMPTY_DESCRIPTOR]}
        else:
            document |= {"artifactType": artifact_type, "config": EMPTY_DESCRIPTOR,
                         "layers": [_descriptor(content, artifact_type)]}
        document["subject"] = _descriptor(of)
        if note:
            document["annotations"] = {KEY: note}
        return json.dumps(document, indent="\t").encode()

    config_a = artifact(blob_a, TYPE_A, True, subject, "test config a")
    layer_a = artifact(blob_a, TYPE_A, False, subject, "test layer a")
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "artifactType": "application/vnd.food.stand",
                        "manifests": [_descriptor(config_a), _descriptor(layer_a)], "subject": _descriptor(subject),
                        "annotations": {KEY: "test index"}}, indent="\t").encode()
    config_b = artifact(blob_b, TYPE_B, True, subject, "test config b")
    layer_b = artifact(blob_b, TYPE_B, False, subject, "test layer b")
    orphan = artifact(blob_b, TYPE_B, False, never, None)
    notes = {}
    for document in (config_a, layer_a, index):  # before the subject exists
        pushed = registry.put_manifest(name, digest_of(document), document,
                                       OCI_INDEX if document is index else OCI_MANIFEST)
        assert pushed.status_code == 201 and pushed.headers["OCI-Subject"] == digest_of(subject)
        notes[digest_of(document)] = json.loads(document)["annotations"][KEY]
    assert _put_blob(registry, name, blob_b).status_code == 201
    for document in (config_b, layer_b, orphan):
        pushed = registry.put_manifest(name, digest_of(document), document)
        assert pushed.status_code == 201 and pushed.headers["OCI-Subject"] == json.loads(document)["subject"]["digest"]
        if document is not orphan:
            notes[digest_of(document)] = json.loads(document)["annotations"][KEY]
    nothing = registry.call("GET", f"/v2/{name}/referrers/{digest_of(b'hello world')}")
    assert (nothing.status_code, nothing.headers["Content-Type"]) == (200, OCI_INDEX)
    assert nothing.json() == {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    listed = registry.call("GET", f"/v2/{name}/referrers/{digest_of(subject)}")
    assert listed.headers["Content-Type"] == OCI_INDEX
    descriptors = listed.json()["manifests"]
    assert {d["digest"]: d["annotations"] for d in descriptors} == {digest: {KEY: n} for digest, n in notes.items()}
    types = {d["digest"]: d["artifactType"] for d in descriptors}
    assert types[digest_of(config_a)] == types[digest_of(layer_a)] == TYPE_A  # config media type, artifactType
    assert types[digest_of(index)] == "application/vnd.food.stand"
    filtered = registry.call("GET", f"/v2/{name}/referrers/{digest_of(subject)}", params={"artifactType": TYPE_A})
    assert filtered.headers["OCI-Filters-Applied"] == "artifactType"
    assert {d["digest"] for d in filtered.json()["manifests"]} == {digest_of(config_a), digest_of(layer_a)}
    of_never = registry.call("GET", f"/v2/{name}/referrers/{digest_of(never)}").json()["manifests"]
    assert [d["digest"] for d in of_never] == [digest_of(orphan)]


def test_content_management(endpoint):
    """04_management_test.go: a tag deleted (202), then the manifest by digest (202, or 404 once the image went
    with its last tag), a GET of it 404 and the tag list shorter; blob deletion is disabled (405)."""
    registry, name = endpoint.registry, "conformance/management"
    endpoint.ecr.create_repository(repositoryName=name)
    config = _config("management")
    for data in (config, LAYER):
        assert _put_blob(registry, name, data).status_code == 201
    manifest = _manifest(config)
    assert registry.put_manifest(name, "tagtest0", manifest).status_code == 201
    before = len(registry.call("GET", f"/v2/{name}/tags/list").json()["tags"])
    assert registry.call("DELETE", f"/v2/{name}/manifests/tagtest0").status_code == 202
    assert registry.call("DELETE", f"/v2/{name}/manifests/{digest_of(manifest)}").status_code in (202, 404)
    assert registry.call("GET", f"/v2/{name}/manifests/{digest_of(manifest)}").status_code == 404
    assert len(registry.call("GET", f"/v2/{name}/tags/list").json()["tags"]) < before
    for data in (config, LAYER):
        refused = registry.call("DELETE", f"/v2/{name}/blobs/{digest_of(data)}")
        assert refused.status_code == 405 and _spec_error(refused) == "UNSUPPORTED"


def test_blob_ranges(endpoint):
    """run.go's "range requests": a 2048-byte blob read in parts, each 206 with its ``Content-Range``; a range
    past the end 416.  (``bytes=500-0``, whose last byte precedes its first, is answered with the whole blob:
    RFC 9110 lets a server ignore an invalid range, and S3, which serves ECR's blobs, does; run.go wants 416.)"""
    registry, name = endpoint.registry, "conformance/ranges"
    endpoint.ecr.create_repository(repositoryName=name)
    blob = os.urandom(2048)
    assert _put_blob(registry, name, blob).status_code == 201
    path = f"/v2/{name}/blobs/{digest_of(blob)}"
    for header, start, end in (("bytes=500-1499", 500, 1500), ("bytes=500-", 500, 2048), ("bytes=-500", 1548, 2048),
                               ("bytes=2000-5000", 2000, 2048)):
        part = registry.call("GET", path, headers={"Range": header})
        assert (part.status_code, part.content) == (206, blob[start:end]), header
        assert part.headers["Content-Length"] == str(end - start)
        assert part.headers["Content-Range"] == f"bytes {start}-{end - 1}/2048"
    assert registry.call("GET", path, headers={"Range": "bytes=5000-10000"}).status_code == 416
    assert registry.call("GET", path, headers={"Range": "bytes=500-0"}).content == blob


# ------------------------------------------------------------------------------------------------ found and fixed
def test_a_blob_head_ignores_a_range(endpoint):
    """RFC 9110 section 14.2: a server MUST ignore ``Range`` on any method but GET; the spec's HEAD of a blob is
    200 with the blob's own ``Content-Length``.  The registry answered a ranged HEAD 206 (or 416) instead."""
    registry, name = endpoint.registry, "conformance/ranges"
    endpoint.ecr.create_repository(repositoryName=name)
    blob = os.urandom(2048)
    assert _put_blob(registry, name, blob).status_code == 201
    for header in ("bytes=0-9", "bytes=5000-"):
        head = registry.call("HEAD", f"/v2/{name}/blobs/{digest_of(blob)}", headers={"Range": header})
        assert (head.status_code, head.headers["Content-Length"], head.content) == (200, "2048", b""), header
        assert "Content-Range" not in head.headers
        assert head.headers["Docker-Content-Digest"] == digest_of(blob)


def test_an_unsatisfiable_range_is_s3s_invalid_range(endpoint):
    """A blob GET is a 307 to a download URL, which stands for the S3 URL ECR sends clients to; a range outside
    the blob there was a JSON error coded ``RANGE_INVALID``, which a registry's 4XX JSON body may not carry (its
    code MUST be one the spec lists).  S3 answers 416 with its XML error ``InvalidRange``, a format the spec
    allows for a 4XX."""
    registry, name = endpoint.registry, "conformance/ranges"
    endpoint.ecr.create_repository(repositoryName=name)
    blob = os.urandom(200)
    assert _put_blob(registry, name, blob).status_code == 201
    beyond = registry.call("GET", f"/v2/{name}/blobs/{digest_of(blob)}", headers={"Range": "bytes=500-600"})
    assert beyond.history[0].status_code == 307
    assert (beyond.status_code, beyond.headers["Content-Range"]) == (416, "bytes */200")
    assert beyond.headers["Content-Type"] == "application/xml"
    body = beyond.text
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRange</Code>'
                           "<Message>The requested range is not satisfiable</Message>"
                           "<RangeRequested>bytes=500-600</RangeRequested><ActualObjectSize>200</ActualObjectSize>"
                           "<RequestId>"), body
    assert re.search(r"<RequestId>[0-9A-Z]{16}</RequestId><HostId>[A-Za-z0-9+/=]+</HostId></Error>\Z", body), body
