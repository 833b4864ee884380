"""A real registry client against the registry endpoint: skopeo pushes an OCI image the test builds, pulls it
back and inspects it.  Outside CI these tests skip when skopeo is not installed; in CI (``CI`` set) they must
run, and the suite fails if none did (``tests/conftest.py``)."""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from mockrunner.testing.oci import build_image, oci_layout

SKOPEO = shutil.which("skopeo")
if SKOPEO is None and not os.environ.get("CI"):
    pytest.skip("skopeo is not installed (CI installs it: .ci/run)", allow_module_level=True)


def skopeo(*args: str) -> subprocess.CompletedProcess:
    if SKOPEO is None:
        pytest.fail("skopeo is required in CI")
    return subprocess.run([SKOPEO, "--insecure-policy", *args], capture_output=True, text=True, timeout=120)


def push(endpoint, directory, image, tag: str, password: str | None = None, repository: str = "app"):
    source = oci_layout(str(directory), image, tag)
    credentials = f"AWS:{password or endpoint.registry.session.auth[1]}"
    return skopeo("copy", "--dest-creds", credentials, "--dest-tls-verify=false", source,
                  f"docker://{endpoint.host}/{repository}:{tag}")


def inspect(endpoint, reference: str) -> dict:
    result = skopeo("inspect", "--creds", f"AWS:{endpoint.registry.session.auth[1]}", "--tls-verify=false",
                    f"docker://{endpoint.host}/{reference}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def layer_files(layout: str, manifest_digest: str) -> dict[str, bytes]:
    """The files of the single layer of the image ``manifest_digest`` in an OCI layout."""
    def read(digest: str) -> bytes:
        with open(os.path.join(layout, "blobs", "sha256", digest.removeprefix("sha256:")), "rb") as handle:
            return handle.read()

    manifest = json.loads(read(manifest_digest))
    data = read(manifest["layers"][0]["digest"])
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {member.name: archive.extractfile(member).read() for member in archive.getmembers()}


def test_skopeo_pushes_pulls_and_inspects(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    pushed = push(endpoint, tmp_path / "src", build_image("hello from skopeo"), "v1")
    assert pushed.returncode == 0, pushed.stderr
    info = inspect(endpoint, "app:v1")
    assert info["RepoTags"] == ["v1"]
    assert info["Architecture"] == "amd64" and len(info["Layers"]) == 1
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"][0]
    assert detail["imageDigest"] == info["Digest"]
    assert detail["imageTags"] == ["v1"]
    assert detail["imageSizeInBytes"] > 0
    pulled = tmp_path / "pulled"
    result = skopeo("copy", "--src-creds", f"AWS:{endpoint.registry.session.auth[1]}", "--src-tls-verify=false",
                    f"docker://{endpoint.host}/app:v1", f"oci:{pulled}:v1")
    assert result.returncode == 0, result.stderr
    with open(pulled / "index.json") as handle:
        digest = json.load(handle)["manifests"][0]["digest"]
    assert digest == info["Digest"]
    assert layer_files(str(pulled), digest) == {"hello.txt": b"hello from skopeo"}
    assert "lastRecordedPullTime" in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"][0]


def test_skopeo_second_push_moves_the_tag(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    assert push(endpoint, tmp_path / "one", build_image("one"), "latest").returncode == 0
    first = inspect(endpoint, "app:latest")["Digest"]
    assert push(endpoint, tmp_path / "two", build_image("two"), "latest").returncode == 0
    second = inspect(endpoint, "app:latest")["Digest"]
    assert second != first
    listed = endpoint.ecr.list_images(repositoryName="app")["imageIds"]
    assert {"imageDigest": second, "imageTag": "latest"} in listed and {"imageDigest": first} in listed


def test_skopeo_push_to_an_immutable_tag_is_refused(endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    assert push(endpoint, tmp_path / "one", build_image("one"), "v1").returncode == 0
    refused = push(endpoint, tmp_path / "two", build_image("two"), "v1")
    assert refused.returncode != 0
    assert "tag invalid: The image tag 'v1' already exists in the 'app' repository" in refused.stderr


def test_skopeo_push_without_permission_is_denied(endpoint, tmp_path):
    from tests.registry.images import user_password

    endpoint.ecr.create_repository(repositoryName="app")
    password = user_password(endpoint.harness, "reader",
                             ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability"])
    refused = push(endpoint, tmp_path / "src", build_image("nope"), "v1", password=password)
    assert refused.returncode != 0
    assert "denied: User: arn:aws:iam::123456789012:user/reader is not authorized to perform: " \
           "ecr:InitiateLayerUpload" in refused.stderr
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []


def test_skopeo_push_deploys_and_a_second_push_redeploys(endpoint, tmp_path):
    from tests.roles.helpers import World, create_request

    world = World(endpoint.harness)
    endpoint.ecr.create_repository(repositoryName="app")
    assert push(endpoint, tmp_path / "one", build_image("one"), "latest").returncode == 0
    first = inspect(endpoint, "app:latest")["Digest"]
    identifier = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    arn = world.apprunner.create_service(**create_request("web-app", identifier, world.access_role(),
                                                          auto_deploy=True))["Service"]["ServiceArn"]
    assert world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    assert world.deployed_image(arn)["image_digest"] == first
    assert push(endpoint, tmp_path / "two", build_image("two"), "latest").returncode == 0
    second = inspect(endpoint, "app:latest")["Digest"]
    operations = world.apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert [(o["Type"], o["Status"]) for o in operations] == [("START_DEPLOYMENT", "SUCCEEDED"),
                                                              ("CREATE_SERVICE", "SUCCEEDED")]
    assert world.deployed_image(arn)["image_digest"] == second != first


def test_skopeo_deletes_an_image_and_lists_tags(endpoint, tmp_path):
    """``skopeo delete`` resolves the tag and sends ``DELETE /v2/<name>/manifests/<digest>`` (ECR answers 202)."""
    endpoint.ecr.create_repository(repositoryName="team/app")
    for tag in ("v1", "v2"):
        assert push(endpoint, tmp_path / tag, build_image(tag), tag, repository="team/app").returncode == 0
    creds = f"AWS:{endpoint.registry.session.auth[1]}"
    listed = skopeo("list-tags", "--creds", creds, "--tls-verify=false", f"docker://{endpoint.host}/team/app")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["Tags"] == ["v1", "v2"]
    deleted = skopeo("delete", "--creds", creds, "--tls-verify=false", f"docker://{endpoint.host}/team/app:v1")
    assert deleted.returncode == 0, deleted.stderr
    assert [image["imageTag"] for image in endpoint.ecr.list_images(repositoryName="team/app")["imageIds"]] == ["v2"]


def test_skopeo_pushes_over_https_verifying_the_served_certificate(tmp_path):
    """``serve --tls-cert/--tls-key``: skopeo verifies the self-signed certificate it is given as its CA (and
    refuses the registry without it), pushes over HTTPS and inspects the image."""
    import boto3

    from tests.tls_serving import ROOT, serve_tls, stop

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    process, port, _ = serve_tls(cert, key)
    try:
        ecr = boto3.client("ecr", endpoint_url=f"https://localhost:{port}", verify=str(cert), **ROOT)
        ecr.create_repository(repositoryName="app")
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        creds = base64.b64decode(token).decode()
        certs = tmp_path / "trusted"
        certs.mkdir()
        shutil.copy(cert, certs / "ca.crt")
        source = oci_layout(str(tmp_path / "src"), build_image("over TLS"), "v1")
        target = f"docker://localhost:{port}/app:v1"
        refused = skopeo("copy", "--dest-creds", creds, source, target)
        assert refused.returncode != 0 and "certificate" in refused.stderr
        pushed = skopeo("copy", "--dest-creds", creds, "--dest-cert-dir", str(certs), source, target)
        assert pushed.returncode == 0, pushed.stderr
        shown = skopeo("inspect", "--creds", creds, "--cert-dir", str(certs), target)
        assert shown.returncode == 0, shown.stderr
        image = ecr.describe_images(repositoryName="app")["imageDetails"][0]
        assert json.loads(shown.stdout)["Digest"] == image["imageDigest"] and image["imageTags"] == ["v1"]
    finally:
        stop(process)
