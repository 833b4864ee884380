"""A real OCI-artifact client against the registry endpoint: the ORAS Python SDK (``oras``, a test dependency)
pushes and pulls files as OCI artifacts (what Helm charts, SBOMs and signatures are in ECR), attaches artifacts
to an image with an OCI 1.1 ``subject``, lists tags through its paginator, and reports ECR's refusals.

The client logs in as ECR's users do (user ``AWS``, the password ``GetAuthorizationToken`` gives) with its
``basic`` auth backend, over plain HTTP (``insecure=True``); its login writes a Docker config in the test's
directory, which its push and pull read back.  Its default ``token`` backend cannot log in to ECR (it asks the
``Basic`` realm for a bearer token), and its ``ecr`` backend only knows ECR's https hosts.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from urllib.parse import quote

import oras.client
import oras.oci
import pytest
import requests

from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, build_image
from tests.registry.images import login_password, user_password

ACCOUNT = "123456789012"
SBOM_CONFIG = "application/vnd.example.sbom.config.v1+json"
SIGNATURE_CONFIG = "application/vnd.example.signature.config.v1+json"
MIB = 1024 * 1024


def client(endpoint, tmp_path: Path, password: str | None = None) -> oras.client.OrasClient:
    """An oras client logged in to the endpoint as ``AWS`` (the account root's token unless ``password``)."""
    registry = oras.client.OrasClient(hostname=endpoint.host, insecure=True, auth_backend="basic")
    config = tmp_path / "docker-config.json"
    answer = registry.login("AWS", password or endpoint.registry.session.auth[1], hostname=endpoint.host,
                            config_path=str(config))
    assert answer == {"Status": "Login Succeeded"}
    registry.docker_config = str(config)  # where push and pull read the credentials back
    return registry


def write(directory: Path, files: dict[str, bytes]) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return [str(directory / name) for name in files]


def push(registry, target: str, paths: list[str], **kwargs):
    return registry.push(target, files=paths, disable_path_validation=True, config_path=registry.docker_config,
                         **kwargs)


def pull(registry, target: str, outdir: Path) -> dict[str, bytes]:
    pulled = registry.pull(target, outdir=str(outdir), config_path=registry.docker_config)
    return {os.path.basename(path): Path(path).read_bytes() for path in pulled}


def digest_of_file(path: str) -> str:
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------ push and pull
def test_oras_pushes_an_artifact_ecr_describes_and_pulls_back(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="charts/web")
    registry = client(endpoint, tmp_path)
    files = {"chart.tgz": os.urandom(4096), "values.yaml": b"replicas: 3\n"}
    paths = write(tmp_path / "src", files)
    config = tmp_path / "src" / "config.json"
    config.write_bytes(b'{"name": "web", "version": "1.2.3"}')
    target = f"{endpoint.host}/charts/web:1.2.3"
    pushed = push(registry, target, paths, manifest_config=f"{config}:{SBOM_CONFIG}",
                  manifest_annotations={"org.opencontainers.image.version": "1.2.3"})
    assert pushed.status_code == 201
    digest = pushed.headers["Docker-Content-Digest"]
    assert "OCI-Subject" not in pushed.headers

    detail = endpoint.ecr.describe_images(repositoryName="charts/web")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in detail] == [(digest, ["1.2.3"])]
    assert detail[0]["imageManifestMediaType"] == OCI_MANIFEST
    assert detail[0]["artifactMediaType"] == SBOM_CONFIG
    # The files and the config (recorded from AWS, 2026-09-26: radkawar/stackd ECR capture, "describe_image").
    assert detail[0]["imageSizeInBytes"] == sum(len(data) for data in files.values()) + len(config.read_bytes())
    assert "subjectManifestDigest" not in detail[0]

    stored = endpoint.ecr.batch_get_image(repositoryName="charts/web", imageIds=[{"imageTag": "1.2.3"}])["images"][0]
    manifest = json.loads(stored["imageManifest"])
    assert stored["imageId"]["imageDigest"] == digest and stored["imageManifestMediaType"] == OCI_MANIFEST
    assert manifest["config"] == {"mediaType": SBOM_CONFIG, "size": config.stat().st_size,
                                  "digest": digest_of_file(str(config))}
    assert manifest["annotations"] == {"org.opencontainers.image.version": "1.2.3"}
    assert [layer["annotations"]["org.opencontainers.image.title"] for layer in manifest["layers"]] == list(files)

    assert pull(registry, target, tmp_path / "pulled") == files
    assert "lastRecordedPullTime" in endpoint.ecr.describe_images(repositoryName="charts/web")["imageDetails"][0]
    assert registry.get_manifest(f"{endpoint.host}/charts/web@{digest}") == manifest


def test_oras_artifact_with_an_empty_config_has_oras_unknown_config_type(endpoint, tmp_path):
    """Without ``manifest_config`` oras pushes the empty config ``{}`` typed ``application/vnd.unknown.config.v1+json``:
    ECR's artifact media type is that type."""
    endpoint.ecr.create_repository(repositoryName="files")
    registry = client(endpoint, tmp_path)
    paths = write(tmp_path / "src", {"notes.txt": b"plain notes"})
    pushed = push(registry, f"{endpoint.host}/files:notes", paths)
    assert pushed.status_code == 201
    detail = endpoint.ecr.describe_images(repositoryName="files")["imageDetails"][0]
    assert detail["artifactMediaType"] == "application/vnd.unknown.config.v1+json"
    assert pull(registry, f"{endpoint.host}/files:notes", tmp_path / "out") == {"notes.txt": b"plain notes"}


# ------------------------------------------------------------------------------------------------ referrers
def subject_of(endpoint, repository: str, tag: str) -> oras.oci.Subject:
    image = build_image(f"subject {tag}")
    assert endpoint.registry.push(repository, image, tag).status_code == 201
    return oras.oci.Subject(mediaType=OCI_MANIFEST, digest=image.digest, size=len(image.manifest))


def referrers(registry, endpoint, repository: str, digest: str, artifact_type: str | None = None) -> dict:
    """The OCI 1.1 referrers API, called through oras's own authenticated request."""
    url = f"http://{endpoint.host}/v2/{repository}/referrers/{digest}"
    response = registry.do_request(url + (f"?artifactType={quote(artifact_type)}" if artifact_type else ""), "GET")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == OCI_INDEX
    return response.json()


def push_referrer(registry, endpoint, tmp_path: Path, subject, name: str, config_type: str, tag: str):
    paths = write(tmp_path / name, {f"{name}.json": json.dumps({"for": subject.digest, "kind": name}).encode()})
    pushed = push(registry, f"{endpoint.host}/app:{tag}", paths, manifest_config=f"/nonexistent:{config_type}",
                  subject=subject, manifest_annotations={"org.example.kind": name})
    assert pushed.status_code == 201
    assert pushed.headers["OCI-Subject"] == subject.digest
    return pushed.headers["Docker-Content-Digest"]


def test_oras_attaches_artifacts_to_an_image_and_both_apis_list_them(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    registry = client(endpoint, tmp_path)
    subject = subject_of(endpoint, "app", "v1")
    sbom = push_referrer(registry, endpoint, tmp_path, subject, "sbom", SBOM_CONFIG, "sbom-v1")
    signature = push_referrer(registry, endpoint, tmp_path, subject, "signature", SIGNATURE_CONFIG, "sig-v1")

    index = referrers(registry, endpoint, "app", subject.digest)
    assert index["mediaType"] == OCI_INDEX
    assert {(d["digest"], d["artifactType"], d["annotations"]["org.example.kind"]) for d in index["manifests"]} == {
        (sbom, SBOM_CONFIG, "sbom"), (signature, SIGNATURE_CONFIG, "signature")}
    only = referrers(registry, endpoint, "app", subject.digest, SIGNATURE_CONFIG)
    assert [d["digest"] for d in only["manifests"]] == [signature]

    listed = endpoint.ecr.list_image_referrers(repositoryName="app", subjectId={"imageDigest": subject.digest})
    assert {(r["digest"], r["artifactType"], r["artifactStatus"]) for r in listed["referrers"]} == {
        (sbom, SBOM_CONFIG, "ACTIVE"), (signature, SIGNATURE_CONFIG, "ACTIVE")}
    details = {d["imageDigest"]: d for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert details[sbom]["subjectManifestDigest"] == subject.digest
    assert "subjectManifestDigest" not in details[subject.digest]
    # The artifact pulls back like any other.
    assert json.loads(pull(registry, f"{endpoint.host}/app:sbom-v1", tmp_path / "out")["sbom.json"]) == {
        "for": subject.digest, "kind": "sbom"}


def test_deleting_the_subject_with_oras_leaves_its_referrers(endpoint, tmp_path):
    """A manual deletion does not cascade (ECR documents the cascade for lifecycle expiry only): the artifact stays,
    and both referrer listings still name it under the deleted subject's digest."""
    endpoint.ecr.create_repository(repositoryName="app")
    registry = client(endpoint, tmp_path)
    subject = subject_of(endpoint, "app", "v1")
    sbom = push_referrer(registry, endpoint, tmp_path, subject, "sbom", SBOM_CONFIG, "sbom-v1")
    assert registry.delete_tag(f"{endpoint.host}/app", "v1") is True
    left = [d["imageDigest"] for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]]
    assert left == [sbom]
    assert [d["digest"] for d in referrers(registry, endpoint, "app", subject.digest)["manifests"]] == [sbom]
    listed = endpoint.ecr.list_image_referrers(repositoryName="app", subjectId={"imageDigest": subject.digest})
    assert [r["digest"] for r in listed["referrers"]] == [sbom]


def test_a_lifecycle_expiry_of_the_subject_deletes_its_referrers(endpoint, tmp_path):
    """ECR: lifecycle policies delete the referring artifacts "when a subject image is deleted as a result of a
    lifecycle policy rule expire action"; the artifact of another image stays."""
    endpoint.ecr.create_repository(repositoryName="app")
    registry = client(endpoint, tmp_path)
    old, kept = subject_of(endpoint, "app", "v1"), subject_of(endpoint, "app", "keep")
    push_referrer(registry, endpoint, tmp_path, old, "sbom", SBOM_CONFIG, "sbom-v1")
    kept_sbom = push_referrer(registry, endpoint, tmp_path, kept, "other", SBOM_CONFIG, "sbom-keep")
    endpoint.ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "action": {"type": "expire"},
        "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "sinceImagePushed",
                      "countUnit": "days", "countNumber": 1}}]}))
    endpoint.harness.store.clock.advance(3 * 24 * 3600)
    left = {tag for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"] for tag in d["imageTags"]}
    assert left == {"keep", "sbom-keep"}
    registry = client(endpoint, tmp_path / "later", password=login_password(endpoint.ecr))  # tokens live 12 hours
    assert referrers(registry, endpoint, "app", old.digest)["manifests"] == []
    assert [d["digest"] for d in referrers(registry, endpoint, "app", kept.digest)["manifests"]] == [kept_sbom]


# ------------------------------------------------------------------------------------------------ refusals
def test_oras_with_wrong_credentials_gets_401(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    assert client(endpoint, tmp_path).push(f"{endpoint.host}/app:v1", files=write(
        tmp_path / "src", {"a.txt": b"a"}), disable_path_validation=True).status_code == 201
    wrong = client(endpoint, tmp_path / "wrong", password="not-a-token")
    response = wrong.do_request(f"http://{endpoint.host}/v2/app/tags/list", "GET")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == f'Basic realm="http://{endpoint.host}/",service="ecr.amazonaws.com"'
    assert response.text == "Not Authorized\n"
    with pytest.raises(ValueError, match="Unauthorized"):
        wrong.pull(f"{endpoint.host}/app:v1", outdir=str(tmp_path / "out"), config_path=wrong.docker_config)
    with pytest.raises(ValueError, match="Unauthorized"):
        wrong.get_tags(f"{endpoint.host}/app")
    # Refused the upload, oras reads the answer's body as JSON for its message: ECR's 401 body is text.
    with pytest.raises(requests.exceptions.JSONDecodeError):
        push(wrong, f"{endpoint.host}/app:v2", write(tmp_path / "two", {"b.txt": b"b"}))
    assert [d["imageTags"] for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]] == [["v1"]]


def test_oras_push_without_put_image_uploads_blobs_but_stores_no_image(endpoint, tmp_path, caplog):
    endpoint.ecr.create_repository(repositoryName="app")
    password = user_password(endpoint.harness, "uploader", [
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"])
    registry = client(endpoint, tmp_path, password=password)
    with caplog.at_level(logging.ERROR, logger="oras"), pytest.raises(ValueError, match="Forbidden"):
        push(registry, f"{endpoint.host}/app:v1", write(tmp_path / "src", {"a.txt": b"a"}))
    assert f"User: arn:aws:iam::{ACCOUNT}:user/uploader is not authorized to perform: ecr:PutImage on resource: " \
           f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app" in caplog.text
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    assert endpoint.ecr.describe_images(repositoryName="app")["imageDetails"] == []


def test_oras_push_to_a_missing_repository_shows_ecr_name_unknown(endpoint, tmp_path):
    registry = client(endpoint, tmp_path)
    with pytest.raises(ValueError) as raised:
        push(registry, f"{endpoint.host}/ghost:v1", write(tmp_path / "src", {"a.txt": b"a"}))
    assert "NAME_UNKNOWN" in str(raised.value)
    assert f"The repository with name 'ghost' does not exist in the registry with id '{ACCOUNT}'" in str(raised.value)
    assert endpoint.ecr.describe_repositories()["repositories"] == []


# ------------------------------------------------------------------------------------------------ size, tags
@pytest.mark.parametrize("chunked", [False, True], ids=["monolithic", "chunked"])
def test_oras_pushes_and_pulls_a_large_file(endpoint, tmp_path, chunked):
    endpoint.ecr.create_repository(repositoryName="big")
    registry = client(endpoint, tmp_path)
    data = os.urandom(6 * MIB + 123)
    paths = write(tmp_path / "src", {"model.bin": data})
    pushed = push(registry, f"{endpoint.host}/big:v1", paths, do_chunked=chunked, chunk_size=5 * MIB)
    assert pushed.status_code == 201
    layer = endpoint.ecr.batch_check_layer_availability(repositoryName="big", layerDigests=[digest_of_file(paths[0])])
    assert layer["layers"][0]["layerAvailability"] == "AVAILABLE"
    assert layer["layers"][0]["layerSize"] == len(data)
    assert pull(registry, f"{endpoint.host}/big:v1", tmp_path / "out") == {"model.bin": data}


def test_oras_lists_many_tags_page_by_page(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    registry = client(endpoint, tmp_path)
    paths = write(tmp_path / "src", {"a.txt": b"same content under every tag"})
    tags = [f"t{i:02d}" for i in range(23)]
    for tag in tags:
        assert push(registry, f"{endpoint.host}/app:{tag}", paths, quiet=True).status_code in (200, 201)
    assert registry.get_tags(f"{endpoint.host}/app") == tags
    assert registry.get_tags(f"{endpoint.host}/app", N=5) == tags[:5]
    pages: list[list[str]] = []

    def collect(response) -> bool:
        pages.append(response.json()["tags"])
        return True

    registry._do_paginated_request(f"http://{endpoint.host}/v2/app/tags/list?n=10", callable=collect)
    assert pages == [tags[:10], tags[10:20], tags[20:]]
