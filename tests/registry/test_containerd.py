"""containerd's registry client against the registry endpoint: ``ctr`` (the client of a private containerd daemon
the test starts) imports images the test builds, pushes them, pulls them back into fresh namespaces and compares.

containerd's resolver, fetcher and pusher are what Docker with the containerd image store, BuildKit, nerdctl and
the kubelet's CRI pulls use: it HEADs manifests before a GET and before a PUT, HEADs blobs before uploading them,
follows the 307 of a blob GET to its download URL and tries cross-repository mounts (``?mount=&from=``) for blobs
it pulled from another repository of the registry.  containerd 1.6 does not print the body of a refused upload or
manifest PUT (only its status); a refused blob GET's message it prints.

Outside CI these tests skip when containerd or ctr is not installed (or the daemon cannot start); in CI (``CI``
set) they must run, and the suite fails if none did (``tests/conftest.py``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mockrunner.testing.oci import OCI_INDEX, OCI_MANIFEST, Image, build_image, digest_of, docker_archive, oci_layout
from tests.registry import containerd_daemon
from tests.registry.images import user_password

CTR, CONTAINERD = shutil.which("ctr"), shutil.which("containerd")
if (CTR is None or CONTAINERD is None) and not os.environ.get("CI"):
    pytest.skip("containerd is not installed (CI installs it: .ci/run)", allow_module_level=True)

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
UNPACKS = os.geteuid() == 0
"""Unpacking mounts (the native snapshotter bind-mounts), which only root may do: as another user images are
imported with ``--no-unpack`` and pulled with ``ctr content fetch``, ``ctr images pull`` without the unpack
(the same resolver and fetcher, and the same image record)."""
IMPORT_FLAGS = () if UNPACKS else ("--no-unpack",)
PULL = ("images", "pull") if UNPACKS else ("content", "fetch")


@dataclass
class Ctr:
    """``ctr`` against one daemon, pushing to and pulling from one mockrunner server as ``AWS:<password>``."""

    daemon: containerd_daemon.Containerd
    endpoint: Any
    work: str

    @property
    def password(self) -> str:
        return self.endpoint.registry.session.auth[1]

    def ref(self, reference: str) -> str:
        """``127.0.0.1:PORT/<repository>:<tag>`` (or ``@<digest>``): the registry host is the server's."""
        return f"{self.endpoint.host}/{reference}"

    def run(self, *args: str, namespace: str = containerd_daemon.NAMESPACE) -> subprocess.CompletedProcess:
        return self.daemon.ctr(*args, namespace=namespace)

    def import_archive(self, layout: str, repository: str, *flags: str) -> None:
        """``ctr images import --base-name HOST/REPOSITORY`` of an OCI layout (as the tar archive ctr reads)."""
        archive = layout + ".tar"
        with tarfile.open(archive, "w") as tar:
            for name in os.listdir(layout):
                tar.add(os.path.join(layout, name), name)
        imported = self.run("images", "import", *IMPORT_FLAGS, *flags, "--base-name", self.ref(repository), archive)
        assert imported.returncode == 0, imported.stderr

    def import_image(self, image: Image, reference: str) -> str:
        """Import a one-platform image as ``reference`` (``repository:tag``); its full reference."""
        repository, _, tag = reference.rpartition(":")
        layout = os.path.join(self.work, f"{repository.replace('/', '_')}-{tag}-{image.digest[7:19]}")
        oci_layout(layout, image, tag)
        self.import_archive(layout, repository)
        return self.ref(reference)

    def push(self, reference: str, *flags: str, password: str | None = None,
             namespace: str = containerd_daemon.NAMESPACE) -> subprocess.CompletedProcess:
        return self.run("images", "push", "--plain-http", "--user", f"AWS:{password or self.password}", *flags,
                        reference, namespace=namespace)

    def pull(self, reference: str, namespace: str, *flags: str,
             password: str | None = None) -> subprocess.CompletedProcess:
        return self.run(*PULL, "--plain-http", "--user", f"AWS:{password or self.password}", *flags, reference,
                        namespace=namespace)

    def content(self, digest: str, namespace: str) -> bytes:
        """A blob of a namespace's content store (``ctr content get``)."""
        got = self.daemon.ctr("content", "get", digest, namespace=namespace, text=False)
        assert got.returncode == 0, got.stderr
        return got.stdout

    def image_digest(self, reference: str, namespace: str) -> str:
        """The digest of the image ``reference`` names in a namespace (``ctr images ls``)."""
        listed = self.run("images", "ls", f"name=={reference}", namespace=namespace)
        assert listed.returncode == 0, listed.stderr
        rows = [line.split() for line in listed.stdout.splitlines()[1:]]
        assert len(rows) == 1, listed.stdout
        return rows[0][2]


_REQUEST_LINE = re.compile(r'(GET|HEAD|POST|PUT|PATCH|DELETE) (/v2/[^ ?"]*)(?:\?[^ "]*)? HTTP/')


def requests_of(dump: str) -> list[str]:
    """The registry requests in ``--http-dump`` output, in order, as ``METHOD /v2/...`` (``?query`` dropped)."""
    return [f"{match.group(1)} {match.group(2)}" for match in _REQUEST_LINE.finditer(dump)]


@pytest.fixture
def containerd() -> Iterator[containerd_daemon.Containerd]:
    """A private containerd daemon (its files in a short temporary directory: a socket path has ~100 bytes)."""
    if CTR is None or CONTAINERD is None:
        pytest.fail("containerd and ctr are required in CI")
    base = tempfile.mkdtemp(prefix="ctrd-")
    try:
        daemon = containerd_daemon.start(base, CONTAINERD, CTR)
    except containerd_daemon.ContainerdUnavailable as unavailable:  # its directory is gone with it
        if os.environ.get("CI"):
            pytest.fail(str(unavailable))
        pytest.skip(str(unavailable))
    yield daemon
    daemon.stop()


@pytest.fixture
def ctr(containerd, endpoint, tmp_path) -> Ctr:
    return Ctr(containerd, endpoint, str(tmp_path))


def test_ctr_pushes_and_pulls_an_image_back_into_a_fresh_namespace(ctr, endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("hello from containerd")
    reference = ctr.import_image(image, "app:v1")
    pushed = ctr.push(reference)
    assert pushed.returncode == 0, pushed.stderr
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"], d["imageManifestMediaType"]) for d in detail] == \
           [(image.digest, ["v1"], OCI_MANIFEST)]
    # The layers and the config (recorded from AWS, 2026-09-26: radkawar/stackd, ECR capture,
    # "describe_image").
    assert detail[0]["imageSizeInBytes"] == len(image.layer) + len(image.config)
    pulled = ctr.pull(reference, "fresh", "--http-dump")
    assert pulled.returncode == 0, pulled.stderr
    assert ctr.image_digest(reference, "fresh") == image.digest
    for data in (image.manifest, image.config, image.layer):
        assert ctr.content(digest_of(data), "fresh") == data
    requests = requests_of(pulled.stderr)
    assert requests[0] == "HEAD /v2/app/manifests/v1"  # containerd resolves a tag with a HEAD
    assert f"GET /v2/app/manifests/{image.digest}" in requests
    # Each blob GET is a 307 to a download URL containerd then GETs: two GETs of the same path per blob.
    assert requests.count(f"GET /v2/app/blobs/{digest_of(image.layer)}") >= 2
    assert "307 Temporary Redirect" in pulled.stderr
    assert "lastRecordedPullTime" in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"][0]


def test_ctr_pulls_by_digest(ctr, endpoint):
    endpoint.ecr.create_repository(repositoryName="team/app")
    image = build_image("by digest")
    assert ctr.push(ctr.import_image(image, "team/app:v1")).returncode == 0
    by_digest = ctr.ref(f"team/app@{image.digest}")
    pulled = ctr.pull(by_digest, "fresh")
    assert pulled.returncode == 0, pulled.stderr
    assert ctr.content(digest_of(image.layer), "fresh") == image.layer
    missing = ctr.pull(ctr.ref(f"team/app@sha256:{'0' * 64}"), "other")
    assert missing.returncode != 0 and "not found" in missing.stderr


def test_ctr_pushes_a_second_tag_without_uploading_a_blob(ctr, endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("two tags")
    assert ctr.push(ctr.import_image(image, "app:v1")).returncode == 0
    tagged = ctr.run("images", "tag", ctr.ref("app:v1"), ctr.ref("app:v2"))
    assert tagged.returncode == 0, tagged.stderr
    pushed = ctr.push(ctr.ref("app:v2"), "--http-dump")
    assert pushed.returncode == 0, pushed.stderr
    requests = requests_of(pushed.stderr)
    assert f"HEAD /v2/app/blobs/{digest_of(image.layer)}" in requests
    assert not [request for request in requests if request.startswith(("POST", "PATCH", "PUT /v2/app/blobs"))]
    assert requests[-2:] == ["HEAD /v2/app/manifests/v2", "PUT /v2/app/manifests/v2"]
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert [(d["imageDigest"], sorted(d["imageTags"])) for d in detail] == [(image.digest, ["v1", "v2"])]
    again = ctr.push(ctr.ref("app:v2"), "--http-dump")  # the tag names the digest already: no PUT at all
    assert again.returncode == 0, again.stderr
    assert not [request for request in requests_of(again.stderr) if request.startswith(("PUT", "POST"))]


def _multi_platform_layout(directory: str, images: dict[str, Image], tag: str) -> bytes:
    """An OCI layout whose ``tag`` is an image index of ``images`` (by architecture); the index."""
    for architecture, image in images.items():
        oci_layout(directory, image, architecture)
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": image.digest, "size": len(image.manifest),
         "platform": {"architecture": architecture, "os": "linux"}} for architecture, image in images.items()]})
    data = index.encode()
    with open(os.path.join(directory, "blobs", "sha256", digest_of(data)[7:]), "wb") as handle:
        handle.write(data)
    with open(os.path.join(directory, "index.json"), "w") as handle:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": OCI_INDEX, "digest": digest_of(data),
                                                      "size": len(data),
                                                      "annotations": {"org.opencontainers.image.ref.name": tag}}]},
                  handle)
    return data


def test_ctr_pushes_and_pulls_a_multi_platform_index(ctr, endpoint, tmp_path):
    endpoint.ecr.create_repository(repositoryName="app")
    images = {"amd64": build_image("amd"), "arm64": build_image("arm", architecture="arm64")}
    index = _multi_platform_layout(str(tmp_path / "multi"), images, "multi")
    ctr.import_archive(str(tmp_path / "multi"), "app", "--all-platforms")
    pushed = ctr.push(ctr.ref("app:multi"))
    assert pushed.returncode == 0, pushed.stderr
    details = {d["imageDigest"]: d for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert set(details) == {digest_of(index), images["amd64"].digest, images["arm64"].digest}
    assert details[digest_of(index)]["imageTags"] == ["multi"]
    assert details[digest_of(index)]["imageManifestMediaType"] == OCI_INDEX
    assert "imageTags" not in details[images["arm64"].digest]
    pulled = ctr.pull(ctr.ref("app:multi"), "fresh", "--all-platforms")
    assert pulled.returncode == 0, pulled.stderr
    assert ctr.image_digest(ctr.ref("app:multi"), "fresh") == digest_of(index)
    for image in images.values():
        assert ctr.content(digest_of(image.layer), "fresh") == image.layer
    arm_only = ctr.pull(ctr.ref("app:multi"), "arm", "--platform", "linux/arm64")
    assert arm_only.returncode == 0, arm_only.stderr
    assert ctr.content(digest_of(images["arm64"].layer), "arm") == images["arm64"].layer
    assert ctr.run("content", "get", digest_of(images["amd64"].layer), namespace="arm").returncode != 0


def test_ctr_pushes_a_docker_archive_as_a_docker_manifest(ctr, endpoint, tmp_path):
    """``ctr images import`` of a ``docker save`` archive makes a Docker schema 2 image (gzip layers with
    ``--compress-blobs``), as the Docker engine with the containerd image store pushes them."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("docker format")
    archive = tmp_path / "docker.tar"
    docker_archive(str(archive), image, ctr.ref("app:docker"))
    imported = ctr.run("images", "import", *IMPORT_FLAGS, "--compress-blobs", str(archive))
    assert imported.returncode == 0, imported.stderr
    pushed = ctr.push(ctr.ref("app:docker"))
    assert pushed.returncode == 0, pushed.stderr
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"][0]
    assert detail["imageManifestMediaType"] == DOCKER_MANIFEST and detail["imageTags"] == ["docker"]
    assert detail["artifactMediaType"] == "application/vnd.docker.container.image.v1+json"
    document = json.loads(ctr.content(detail["imageDigest"], containerd_daemon.NAMESPACE))
    layers = document["layers"]
    assert [layer["mediaType"] for layer in layers] == ["application/vnd.docker.image.rootfs.diff.tar.gzip"]
    # The compressed sizes, as ECR counts them: the layer and the config.
    assert detail["imageSizeInBytes"] == layers[0]["size"] + document["config"]["size"]
    pulled = ctr.pull(ctr.ref("app:docker"), "fresh")
    assert pulled.returncode == 0, pulled.stderr
    assert ctr.image_digest(ctr.ref("app:docker"), "fresh") == detail["imageDigest"]


def test_ctr_mounts_blobs_from_another_repository_when_blob_mounting_is_enabled(ctr, endpoint):
    """A blob containerd pulled from ``app`` it offers to mount into ``copy``: ECR mounts it only with the
    account's BLOB_MOUNTING setting enabled, and otherwise answers with a new upload, which containerd uses."""
    image = build_image("mounted")
    for name in ("app", "copy", "mounted"):
        endpoint.ecr.create_repository(repositoryName=name)
    assert ctr.push(ctr.import_image(image, "app:v1")).returncode == 0
    assert ctr.pull(ctr.ref("app:v1"), "fresh").returncode == 0
    layer = digest_of(image.layer)

    def push_copy(repository: str) -> list[str]:
        assert ctr.run("images", "tag", ctr.ref("app:v1"), ctr.ref(f"{repository}:v1"), namespace="fresh") \
            .returncode == 0
        pushed = ctr.push(ctr.ref(f"{repository}:v1"), "--http-dump", namespace="fresh")
        assert pushed.returncode == 0, pushed.stderr
        assert f"POST /v2/{repository}/blobs/uploads/?mount={layer}&from=app" in pushed.stderr.replace("%3A", ":")
        return requests_of(pushed.stderr)

    uploaded = push_copy("copy")
    assert [request for request in uploaded if request.startswith("PUT /v2/copy/blobs/uploads/")]
    endpoint.ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
    mounted = push_copy("mounted")
    assert not [request for request in mounted if request.startswith("PUT /v2/mounted/blobs")]
    for repository in ("copy", "mounted"):
        detail = endpoint.ecr.describe_images(repositoryName=repository)["imageDetails"]
        assert [(d["imageDigest"], d["imageTags"]) for d in detail] == [(image.digest, ["v1"])]
    assert ctr.pull(ctr.ref("mounted:v1"), "again").returncode == 0
    assert ctr.content(layer, "again") == image.layer


def test_ctr_push_to_an_immutable_tag_is_refused(ctr, endpoint):
    """containerd 1.6 prints only the status of the refused manifest PUT (ECR's TAG_INVALID 400)."""
    endpoint.ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    first = build_image("one")
    assert ctr.push(ctr.import_image(first, "app:v1")).returncode == 0
    assert ctr.push(ctr.ref("app:v1")).returncode == 0  # the same image again: HEAD finds it, nothing to do
    second = build_image("two")
    refused = ctr.push(ctr.import_image(second, "app:v1"))
    assert refused.returncode != 0
    assert f'failed commit on ref "manifest-v1@{second.digest}": unexpected status: 400 Bad Request' \
           in refused.stderr
    listed = endpoint.ecr.list_images(repositoryName="app")["imageIds"]
    assert listed == [{"imageDigest": first.digest, "imageTag": "v1"}]


def test_ctr_push_to_a_repository_that_does_not_exist_is_refused(ctr, endpoint):
    refused = ctr.push(ctr.import_image(build_image("nowhere"), "nowhere:v1"))
    assert refused.returncode != 0 and "unexpected status: 404 Not Found" in refused.stderr
    assert endpoint.ecr.describe_repositories()["repositories"] == []


def test_ctr_pull_without_batch_get_image_is_denied(ctr, endpoint):
    """The tag's HEAD is a 403 (a HEAD has no body, so containerd prints the status only)."""
    endpoint.ecr.create_repository(repositoryName="app")
    assert ctr.push(ctr.import_image(build_image("secret"), "app:v1")).returncode == 0
    password = user_password(endpoint.harness, "reader", ["ecr:GetAuthorizationToken"])
    denied = ctr.pull(ctr.ref("app:v1"), "fresh", password=password)
    assert denied.returncode != 0
    assert f"pulling from host {endpoint.host} failed with status code [manifests v1]: 403 Forbidden" \
           in denied.stderr


PUSH_ONLY = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
             "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
"""The actions ECR's User Guide lists for pushing an image."""


def test_ctr_push_needs_batch_get_image_for_its_manifest_head(ctr, endpoint):
    """containerd HEADs the tag before it PUTs the manifest: with the push actions alone that HEAD is a 403 and
    the push fails after the blob uploads (as crane's against ECR: bazel-contrib/rules_oci#648); with
    ``ecr:BatchGetImage`` as well it succeeds."""
    endpoint.ecr.create_repository(repositoryName="app")
    reference = ctr.import_image(build_image("push only"), "app:v1")
    password = user_password(endpoint.harness, "pusher", PUSH_ONLY)
    refused = ctr.push(reference, "--http-dump", password=password)
    assert refused.returncode != 0 and "ctr: unexpected status: 403 Forbidden" in refused.stderr
    requests = requests_of(refused.stderr)
    assert requests[-1] == "HEAD /v2/app/manifests/v1" and "PUT /v2/app/manifests/v1" not in requests
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    endpoint.harness.client("iam").put_user_policy(UserName="pusher", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}))
    pushed = ctr.push(reference, password=password)
    assert pushed.returncode == 0, pushed.stderr
    assert [image["imageTag"] for image in endpoint.ecr.list_images(repositoryName="app")["imageIds"]] == ["v1"]


def test_ctr_pull_without_get_download_url_for_layer_prints_iams_message(ctr, endpoint):
    """The manifest is readable, a blob's GET is a 403 DENIED whose message containerd prints."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("layers are secret")
    assert ctr.push(ctr.import_image(image, "app:v1")).returncode == 0
    password = user_password(endpoint.harness, "reader", ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"])
    denied = ctr.pull(ctr.ref("app:v1"), "fresh", password=password)
    assert denied.returncode != 0
    assert "403 Forbidden - Server message: denied: User: arn:aws:iam::123456789012:user/reader is not " \
           "authorized to perform: ecr:GetDownloadUrlForLayer on resource: " \
           "arn:aws:ecr:us-east-1:123456789012:repository/app because no identity-based policy allows the " \
           "ecr:GetDownloadUrlForLayer action" in denied.stderr


def test_ctr_with_a_wrong_password_is_unauthorized(ctr, endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    reference = ctr.import_image(build_image("locked"), "app:v1")
    for result in (ctr.pull(reference, "fresh", password="wrong"), ctr.push(reference, password="wrong")):
        assert result.returncode != 0
        assert "401 Unauthorized" in result.stderr
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
