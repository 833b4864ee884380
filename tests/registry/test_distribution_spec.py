"""The registry endpoint against the OCI Distribution Specification v1.1 workflows (pull, push, content discovery,
content management) as the conformance suite and real clients (oras, crane, containerd) drive them, over real
HTTP with raw requests; where ECR's answer differs from a plain registry, ECR's."""
from __future__ import annotations

import json

from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, build_image, digest_of
from tests.registry.images import error_code

ACCOUNT = "123456789012"
EMPTY = b"{}"
EMPTY_TYPE = "application/vnd.oci.empty.v1+json"


def _artifact(subject, artifact_type: str, payload: bytes, annotations: dict | None = None) -> bytes:
    """An OCI 1.1 artifact manifest (empty config, ``artifactType``) whose ``subject`` is ``subject``."""
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
                "config": {"mediaType": EMPTY_TYPE, "digest": digest_of(EMPTY), "size": len(EMPTY)},
                "layers": [{"mediaType": "text/plain", "digest": digest_of(payload), "size": len(payload)}],
                "subject": {"mediaType": OCI_MANIFEST, "digest": subject.digest, "size": len(subject.manifest)}}
    if annotations:
        manifest["annotations"] = annotations
    return json.dumps(manifest).encode()


def _push_artifact(registry, repository: str, subject, artifact_type: str, payload: bytes, **kwargs):
    for data in (EMPTY, payload):
        assert registry.push_blob(repository, data).status_code == 201
    manifest = _artifact(subject, artifact_type, payload, **kwargs)
    response = registry.put_manifest(repository, digest_of(manifest), manifest)
    assert response.status_code == 201, response.text
    return manifest, response


# ------------------------------------------------------------------------------------------------ referrers
def test_a_manifest_with_a_subject_is_answered_with_oci_subject(endpoint):
    """distribution-spec v1.1 "Pushing Manifests with Subject": a registry with the referrers API MUST answer
    ``OCI-Subject: <subject digest>`` (oras-go decides on it whether to use the referrers API)."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("subject")
    plain = endpoint.registry.push("app", image, "v1")
    assert "OCI-Subject" not in plain.headers
    _manifest, pushed = _push_artifact(endpoint.registry, "app", image, "application/vnd.example.sbom", b"sbom")
    assert pushed.headers["OCI-Subject"] == image.digest
    # The subject need not exist (the spec: a registry MUST accept a manifest whose subject is missing).
    ghost = build_image("not pushed")
    _manifest, orphan = _push_artifact(endpoint.registry, "app", ghost, "application/vnd.example.sig", b"sig")
    assert orphan.headers["OCI-Subject"] == ghost.digest


def test_referrers_list_every_manifest_naming_the_subject(endpoint):
    endpoint.ecr.create_repository(repositoryName="team/app")
    image = build_image("subject")
    assert endpoint.registry.push("team/app", image, "v1").status_code == 201
    sbom, _ = _push_artifact(endpoint.registry, "team/app", image, "application/vnd.example.sbom", b"sbom",
                             annotations={"org.opencontainers.image.created": "2024-01-01T00:00:00Z"})
    sig, _ = _push_artifact(endpoint.registry, "team/app", image, "application/vnd.example.sig", b"sig")
    response = endpoint.registry.call("GET", f"/v2/team/app/referrers/{image.digest}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == OCI_INDEX
    assert "OCI-Filters-Applied" not in response.headers
    index = response.json()
    assert index["schemaVersion"] == 2 and index["mediaType"] == OCI_INDEX
    assert sorted(index["manifests"], key=lambda d: d["artifactType"]) == [
        {"mediaType": OCI_MANIFEST, "digest": digest_of(sbom), "size": len(sbom),
         "artifactType": "application/vnd.example.sbom",
         "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}},
        {"mediaType": OCI_MANIFEST, "digest": digest_of(sig), "size": len(sig),
         "artifactType": "application/vnd.example.sig"}]
    filtered = endpoint.registry.call("GET", f"/v2/team/app/referrers/{image.digest}",
                                      params={"artifactType": "application/vnd.example.sig"})
    assert filtered.headers["OCI-Filters-Applied"] == "artifactType"
    assert [d["digest"] for d in filtered.json()["manifests"]] == [digest_of(sig)]
    # The API sees the same artifact type (the manifest's artifactType, not its empty config's media type).
    referrers = endpoint.ecr.list_image_referrers(repositoryName="team/app", subjectId={"imageDigest": image.digest},
                                                  filter={"artifactTypes": ["application/vnd.example.sbom"]})
    assert [r["digest"] for r in referrers["referrers"]] == [digest_of(sbom)]


def test_referrers_of_a_digest_nothing_refers_to_is_an_empty_index(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    unknown = "sha256:" + "a" * 64
    response = endpoint.registry.call("GET", f"/v2/app/referrers/{unknown}")
    assert response.status_code == 200 and response.headers["Content-Type"] == OCI_INDEX
    assert response.json() == {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    assert error_code(endpoint.registry.call("GET", "/v2/app/referrers/sha256:nothex"))[:2] == (
        400, "DIGEST_INVALID")
    assert error_code(endpoint.registry.call("GET", f"/v2/ghost/referrers/{unknown}"))[:2] == (404, "NAME_UNKNOWN")


def test_referrers_need_batch_get_image(endpoint):
    iam = endpoint.harness.client("iam")
    endpoint.ecr.create_repository(repositoryName="app")
    iam.create_user(UserName="lister")
    iam.put_user_policy(UserName="lister", PolicyName="list", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:ListImages"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="lister")["AccessKey"]
    lister = endpoint.registry_as(endpoint.harness.client_for(key, "ecr"))
    status, code, message = error_code(lister.call("GET", "/v2/app/referrers/sha256:" + "a" * 64))
    assert (status, code) == (403, "DENIED") and "ecr:BatchGetImage" in message


# ------------------------------------------------------------------------------------------------ content management
def test_delete_a_manifest_by_digest(endpoint):
    """ECR User Guide, "Deleting signatures and other artifacts": ``oras manifest delete <repo>@<digest>``."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("doomed")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    assert endpoint.registry.call("PUT", "/v2/app/manifests/v2", data=image.manifest,
                                  headers={"Content-Type": OCI_MANIFEST}).status_code == 201
    deleted = endpoint.registry.call("DELETE", f"/v2/app/manifests/{image.digest}")
    assert deleted.status_code == 202
    for reference in (image.digest, "v1", "v2"):
        assert error_code(endpoint.registry.call("GET", f"/v2/app/manifests/{reference}"))[:2] == (
            404, "MANIFEST_UNKNOWN")
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    again = endpoint.registry.call("DELETE", f"/v2/app/manifests/{image.digest}")
    assert error_code(again)[:2] == (404, "MANIFEST_UNKNOWN")


def test_delete_by_tag_removes_the_tag_as_batch_delete_image_does(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("tagged twice")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    assert endpoint.registry.put_manifest("app", "v2", image.manifest).status_code == 201
    assert endpoint.registry.call("DELETE", "/v2/app/manifests/v1").status_code == 202
    assert endpoint.registry.call("GET", "/v2/app/tags/list").json()["tags"] == ["v2"]
    assert endpoint.registry.call("HEAD", f"/v2/app/manifests/{image.digest}").status_code == 200
    assert endpoint.registry.call("DELETE", "/v2/app/manifests/v2").status_code == 202  # the last tag: the image
    assert endpoint.registry.call("HEAD", f"/v2/app/manifests/{image.digest}").status_code == 404
    assert error_code(endpoint.registry.call("DELETE", "/v2/app/manifests/v9"))[:2] == (404, "MANIFEST_UNKNOWN")


def test_an_image_an_index_names_is_deleted_only_after_the_index(endpoint):
    """ECR User Guide, "Deleting signatures and other artifacts": ``oras manifest delete`` of a manifest an index
    names fails with "unsupported: Requested image referenced by manifest list: [<index digest>]"."""
    endpoint.ecr.create_repository(repositoryName="app")
    child = build_image("platform image")
    assert endpoint.registry.push("app", child, child.digest).status_code == 201
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": child.digest, "size": len(child.manifest),
         "platform": {"architecture": "amd64", "os": "linux"}}]}).encode()
    assert endpoint.registry.put_manifest("app", "v1", index, OCI_INDEX).status_code == 201
    refused = endpoint.registry.call("DELETE", f"/v2/app/manifests/{child.digest}")
    assert error_code(refused) == (405, "UNSUPPORTED",
                                   f"Requested image referenced by manifest list: [{digest_of(index)}]")
    assert endpoint.registry.call("HEAD", f"/v2/app/manifests/{child.digest}").status_code == 200
    assert endpoint.registry.call("DELETE", f"/v2/app/manifests/{digest_of(index)}").status_code == 202
    assert endpoint.registry.call("DELETE", f"/v2/app/manifests/{child.digest}").status_code == 202
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []


def test_delete_needs_batch_delete_image_and_blobs_cannot_be_deleted(endpoint):
    iam = endpoint.harness.client("iam")
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("kept")
    assert endpoint.registry.push("app", image, "v1").status_code == 201
    iam.create_user(UserName="pusher")
    iam.put_user_policy(UserName="pusher", PolicyName="push", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "ecr:BatchDeleteImage",
                                                "Resource": "*"}]}))
    key = iam.create_access_key(UserName="pusher")["AccessKey"]
    pusher = endpoint.registry_as(endpoint.harness.client_for(key, "ecr"))
    status, code, message = error_code(pusher.call("DELETE", f"/v2/app/manifests/{image.digest}"))
    assert (status, code) == (403, "DENIED") and "ecr:BatchDeleteImage" in message
    assert endpoint.registry.call("HEAD", f"/v2/app/manifests/{image.digest}").status_code == 200
    # ECR has no blob deletion over the registry API: the spec's 405 UNSUPPORTED.
    blob = endpoint.registry.call("DELETE", f"/v2/app/blobs/{digest_of(image.layer)}")
    assert error_code(blob)[:2] == (405, "UNSUPPORTED")


# ------------------------------------------------------------------------------------------------ pull
def test_suffix_and_open_ranges_and_unsatisfiable_ranges(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    data = bytes(range(200))
    assert endpoint.registry.push_blob("app", data).status_code == 201
    path = f"/v2/app/blobs/{digest_of(data)}"
    tail = endpoint.registry.call("GET", path, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert tail.headers["Content-Range"] == "bytes 190-199/200"
    rest = endpoint.registry.call("GET", path, headers={"Range": "bytes=150-"})
    assert rest.status_code == 206 and rest.content == data[150:]
    beyond = endpoint.registry.call("GET", path, headers={"Range": "bytes=500-600"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == "bytes */200"
    assert "<Code>InvalidRange</Code>" in beyond.text  # the blob is there; the range is not (S3's answer)
    backwards = endpoint.registry.call("GET", path, headers={"Range": "bytes=5-2"})  # invalid: ignored (RFC 9110)
    assert (backwards.status_code, backwards.content) == (200, data)


def test_a_manifest_named_by_a_digest_of_another_algorithm_is_unknown(endpoint):
    """ECR names images by sha256 only; a well-formed sha512 digest names no image (BatchGetImage: ImageNotFound)."""
    endpoint.ecr.create_repository(repositoryName="app")
    sha512 = "sha512:" + "b" * 128
    assert error_code(endpoint.registry.call("GET", f"/v2/app/manifests/{sha512}"))[:2] == (404, "MANIFEST_UNKNOWN")
    assert endpoint.registry.call("HEAD", f"/v2/app/manifests/{sha512}").status_code == 404
    # Pushing content under it is refused: ECR computes sha256.
    started = endpoint.registry.call("POST", "/v2/app/blobs/uploads/")
    refused = endpoint.registry.call("PUT", started.headers["Location"], params={"digest": sha512}, data=b"x")
    assert error_code(refused)[:2] == (400, "DIGEST_INVALID")


# ------------------------------------------------------------------------------------------------ push
def test_an_empty_blob_is_refused_with_ecrs_message(endpoint):
    """radius-project/radius#7887 quotes ECR's answer to a zero-byte blob upload."""
    endpoint.ecr.create_repository(repositoryName="app")
    started = endpoint.registry.call("POST", "/v2/app/blobs/uploads/")
    upload_id = started.headers["Docker-Upload-UUID"]
    refused = endpoint.registry.call("PUT", started.headers["Location"], params={"digest": digest_of(b"")})
    assert error_code(refused) == (
        400, "BLOB_UPLOAD_INVALID", f"The upload with id '{upload_id}' in the repository with name 'app' in "
        f"registry with id '{ACCOUNT}' cannot be completed because it does not have any parts.")


def test_chunked_upload_as_the_conformance_suite_sends_it(endpoint):
    """PATCH chunk A (ECR: at least 5 MB, answered 201); the same chunk again is 416 with the upload's Range; status
    of the upload; the last chunk with the closing PUT (its Content-Range checked too); a cancelled upload is gone."""
    endpoint.ecr.create_repository(repositoryName="app")
    first = 5 * 1024 * 1024
    data = bytes(range(256)) * (first // 256 + 8)
    registry = endpoint.registry
    location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    chunk = registry.call("PATCH", location, data=data[:first], headers={
        "Content-Type": "application/octet-stream", "Content-Range": f"0-{first - 1}"})
    assert chunk.status_code == 201 and chunk.headers["Location"] == location
    retried = registry.call("PATCH", location, data=data[:first], headers={"Content-Range": f"0-{first - 1}"})
    assert retried.status_code == 416 and retried.headers["Range"] == f"0-{first - 1}"
    assert error_code(retried)[:2] == (416, "BLOB_UPLOAD_INVALID")
    wrong_put = registry.call("PUT", location, params={"digest": digest_of(data)}, data=data[first:],
                              headers={"Content-Range": f"{first + 1}-{len(data)}"})
    assert wrong_put.status_code == 416 and wrong_put.headers["Range"] == f"0-{first - 1}"
    done = registry.call("PUT", location, params={"digest": digest_of(data)}, data=data[first:],
                         headers={"Content-Range": f"{first}-{len(data) - 1}"})
    assert done.status_code == 201, done.text
    assert registry.call("GET", f"/v2/app/blobs/{digest_of(data)}").content == data
    cancelled = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
    assert registry.call("DELETE", cancelled).status_code == 204
    assert error_code(registry.call("GET", cancelled))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")
    assert error_code(registry.call("PATCH", cancelled, data=b"x"))[:2] == (404, "BLOB_UPLOAD_UNKNOWN")


def test_an_upload_started_without_the_trailing_slash(endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    started = endpoint.registry.call("POST", "/v2/app/blobs/uploads")
    assert started.status_code == 202 and started.headers["Location"].startswith("/v2/app/blobs/uploads/")
    monolithic = endpoint.registry.call("POST", "/v2/app/blobs/uploads", params={"digest": digest_of(b"abc")},
                                        data=b"abc")
    assert monolithic.status_code == 201


def test_a_manifest_without_layers_and_an_artifact_index_with_a_subject(endpoint):
    """The conformance suite pushes a manifest with no layers, and an index that carries artifactType/subject."""
    endpoint.ecr.create_repository(repositoryName="app")
    assert endpoint.registry.push_blob("app", EMPTY).status_code == 201
    bare = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.x",
                       "config": {"mediaType": EMPTY_TYPE, "digest": digest_of(EMPTY), "size": 2},
                       "layers": []}).encode()
    assert endpoint.registry.put_manifest("app", "bare", bare).status_code == 201
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "artifactType": "application/vnd.example.idx",
                        "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest_of(bare), "size": len(bare)}],
                        "subject": {"mediaType": OCI_MANIFEST, "digest": digest_of(bare), "size": len(bare)}}
                       ).encode()
    pushed = endpoint.registry.put_manifest("app", digest_of(index), index, OCI_INDEX)
    assert pushed.status_code == 201 and pushed.headers["OCI-Subject"] == digest_of(bare)
    listed = endpoint.registry.call("GET", f"/v2/app/referrers/{digest_of(bare)}").json()["manifests"]
    assert listed == [{"mediaType": OCI_INDEX, "digest": digest_of(index), "size": len(index),
                       "artifactType": "application/vnd.example.idx"}]


def test_a_manifest_ecr_cannot_parse_is_its_405_unsupported(endpoint):
    """ECR answers PutImage's InvalidParameterException over the registry API with 405 UNSUPPORTED and its message
    (opcr-io/policy#149 quotes the body; oras#690, kaniko#2815, apko#450, podman#1719 the same text);
    containers/image falls back to another manifest format on exactly this answer (containers/image#584)."""
    endpoint.ecr.create_repository(repositoryName="app")
    invalid_json = (405, "UNSUPPORTED", "Invalid parameter at 'ImageManifest' failed to satisfy constraint: "
                    "'Invalid JSON syntax'")
    assert error_code(endpoint.registry.put_manifest("app", "v1", b"{not json")) == invalid_json
    assert error_code(endpoint.registry.put_manifest("app", "v1", b"\xff\xfe{}")) == invalid_json
    image = build_image("mismatch")
    for data in (image.layer, image.config):
        assert endpoint.registry.push_blob("app", data).status_code == 201
    mismatched = endpoint.registry.put_manifest("app", "v1", image.manifest, OCI_INDEX)
    assert error_code(mismatched)[:2] == (405, "UNSUPPORTED")
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
