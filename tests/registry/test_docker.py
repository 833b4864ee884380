"""The Docker engine against the registry endpoint: ``docker login`` with ECR's token (``aws ecr
get-login-password | docker login --username AWS --password-stdin HOST``), ``docker push``, ``docker pull`` and
``docker manifest inspect``, as users push to ECR, through a private ``dockerd`` the test starts
(``tests/registry/docker_daemon.py``).

Images are built without running a container: ``docker load`` of a ``docker save`` archive the test writes (the
config's bytes are kept, so the image ID is the config's digest), or the classic builder's ``FROM scratch`` +
``COPY``.  The engine (20.10, Debian 12's ``docker.io``, graph-driver image store) pushes Docker V2 Schema 2
manifests with gzip layers; it does not HEAD a manifest before its PUT, HEADs each layer it has seen in the
repository (``Layer already exists``) and asks to mount a layer it pushed to another repository (``Mounted from``).
It talks plain HTTP to ``127.0.0.1`` (loopback registries are insecure-allowed) after trying HTTPS.

The CLI is Debian's ``/usr/bin/docker`` when there, else the first ``docker`` on ``PATH``.  Outside CI these tests
skip when dockerd or the CLI is missing or the daemon cannot start (it needs root); in CI (``CI`` set) they must
run, and the suite fails if none did (``tests/conftest.py``).
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mockrunner.testing.oci import OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, Image, build_image, digest_of, docker_archive
from tests.registry import docker_daemon
from tests.registry.images import login_password, user_password

DOCKERD = shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/sbin")
DOCKER = "/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK) else shutil.which("docker")
if (DOCKERD is None or DOCKER is None) and not os.environ.get("CI"):
    pytest.skip("the Docker engine is not installed (CI installs docker.io: .ci/run)", allow_module_level=True)

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
ACCOUNT = "123456789012"
_PUSHED = re.compile(r"^(?P<tag>\S+): digest: (?P<digest>sha256:[0-9a-f]{64}) size: (?P<size>\d+)$", re.MULTILINE)


def denial(user: str, action: str, repository: str) -> str:
    """IAM's message for an identity-based denial, as the registry's ``denied:`` error carries it."""
    return (f"denied: User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} on resource: "
            f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{repository} because no identity-based policy allows the "
            f"{action} action")


@dataclass
class DockerCli:
    """``docker`` against one private daemon, pushing to and pulling from one mockrunner server."""

    daemon: docker_daemon.Docker
    endpoint: Any
    work: str

    @property
    def host(self) -> str:
        return self.endpoint.host

    def ref(self, reference: str) -> str:
        """``127.0.0.1:PORT/<repository>:<tag>`` (or ``@<digest>``)."""
        return f"{self.host}/{reference}"

    def run(self, *args: str, input: str | None = None) -> Any:
        return self.daemon.docker(*args, input=input)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def login(self, password: str) -> Any:
        """``get-login-password | docker login --username AWS --password-stdin HOST``."""
        return self.run("login", "--username", "AWS", "--password-stdin", self.host, input=password)

    def stored_auths(self) -> dict:
        """The ``auths`` of the CLI's ``config.json`` (what ``docker login`` stored)."""
        path = os.path.join(self.daemon.config_dir, "config.json")
        if not os.path.exists(path):
            return {}
        with open(path) as handle:
            return json.load(handle).get("auths", {})

    def load(self, image: Image, reference: str) -> str:
        """``docker load`` of ``image`` as a ``docker save`` archive tagged ``HOST/reference``; its full reference."""
        full = self.ref(reference)
        archive = os.path.join(self.work, f"{image.digest[7:19]}.tar")
        docker_archive(archive, image, full)
        assert f"Loaded image: {full}" in self.ok("load", "--input", archive)
        return full

    def push(self, reference: str) -> Any:
        return self.run("push", reference)

    def pushed(self, reference: str) -> tuple[str, str, int]:
        """Push, which must succeed; the push's output, and the digest and size it reports."""
        result = self.push(reference)
        assert result.returncode == 0, result.stderr
        [match] = _PUSHED.finditer(result.stdout)
        assert match["tag"] == reference.rpartition(":")[2]
        return result.stdout, match["digest"], int(match["size"])

    def inspect(self, reference: str) -> dict:
        [image] = json.loads(self.ok("image", "inspect", reference))
        return image


@pytest.fixture
def docker(endpoint, tmp_path) -> Iterator[DockerCli]:
    """A private daemon (in a short temporary directory: the API socket path has ~100 bytes) and its CLI logged
    in as the account root."""
    if DOCKERD is None or DOCKER is None:
        pytest.fail("dockerd and the docker CLI are required in CI")
    try:
        daemon = docker_daemon.start(tempfile.mkdtemp(prefix="dk-"), DOCKERD, DOCKER)
    except docker_daemon.DockerUnavailable as unavailable:  # its directory is gone with it
        if os.environ.get("CI"):
            pytest.fail(str(unavailable))
        pytest.skip(str(unavailable))
    try:
        cli = DockerCli(daemon, endpoint, str(tmp_path))
        logged_in = cli.login(login_password(endpoint.ecr))
        assert logged_in.returncode == 0, logged_in.stderr
        yield cli
    finally:
        daemon.stop()


def manifest_of(ecr: Any, repository: str, digest: str) -> tuple[str, dict]:
    """BatchGetImage's manifest of ``digest`` and its media type; the text hashes to the digest."""
    [image] = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageDigest": digest}])["images"]
    assert digest_of(image["imageManifest"].encode()) == digest
    return image["imageManifestMediaType"], json.loads(image["imageManifest"])


def test_docker_login_takes_the_ecr_password_refuses_a_wrong_one_and_logs_out(docker, endpoint):
    """The fixture logged in with ``get-login-password``: stored as ``AWS:<password>``.  A wrong password is the
    401 of ``GET /v2/`` and changes nothing stored; after ``docker logout`` a pull has no credentials to send."""
    password = login_password(endpoint.ecr)
    assert base64.b64decode(docker.stored_auths()[docker.host]["auth"]).decode().startswith("AWS:")
    wrong = docker.login("not-the-password")
    assert wrong.returncode != 0
    assert f"login attempt to http://{docker.host}/v2/ failed with status: 401 Unauthorized" in wrong.stderr
    assert docker.login(password).returncode == 0
    assert base64.b64decode(docker.stored_auths()[docker.host]["auth"]).decode() == f"AWS:{password}"

    endpoint.ecr.create_repository(repositoryName="app")
    docker.pushed(docker.load(build_image("logged in"), "app:v1"))
    assert f"Removing login credentials for {docker.host}" in docker.ok("logout", docker.host)
    assert docker.host not in docker.stored_auths()
    refused = docker.run("pull", docker.ref("app:v2"))
    assert refused.returncode != 0
    assert f'Head "http://{docker.host}/v2/app/manifests/v2": no basic auth credentials' in refused.stderr


def test_docker_pushes_an_image_and_pulls_it_back_after_rmi(docker, endpoint):
    """ECR's record of the push agrees with what docker reports: the digest, the manifest's size, the Docker V2
    manifest naming the image's config (its ID) and the gzip layer docker made of the image's layer."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("hello from docker")
    reference = docker.load(image, "app:v1")
    image_id = docker.inspect(reference)["Id"]
    assert image_id == digest_of(image.config)
    output, digest, size = docker.pushed(reference)
    assert re.search(r"^[0-9a-f]{12}: Pushed$", output, re.MULTILINE), output
    [detail] = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert (detail["imageDigest"], detail["imageTags"], detail["imageManifestMediaType"],
            detail["artifactMediaType"]) == (digest, ["v1"], DOCKER_MANIFEST, DOCKER_CONFIG)
    assert docker.inspect(reference)["RepoDigests"] == [docker.ref(f"app@{digest}")]
    media_type, manifest = manifest_of(endpoint.ecr, "app", digest)
    assert media_type == DOCKER_MANIFEST
    assert len(endpoint.ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])["images"][0]
               ["imageManifest"].encode()) == size
    assert manifest["config"] == {"mediaType": DOCKER_CONFIG, "size": len(image.config), "digest": image_id}
    [layer] = manifest["layers"]
    assert layer["mediaType"] == DOCKER_LAYER
    # The layers and the config (recorded from AWS, 2026-09-26: radkawar/stackd, ECR capture,
    # "describe_image").
    assert detail["imageSizeInBytes"] == layer["size"] + len(image.config)
    url = endpoint.ecr.get_download_url_for_layer(repositoryName="app", layerDigest=layer["digest"])["downloadUrl"]
    assert gzip.decompress(requests.get(url, timeout=30).content) == image.layer

    removed = docker.ok("rmi", reference)
    assert f"Deleted: {image_id}" in removed
    assert docker.run("image", "inspect", reference).returncode != 0
    pulled = docker.ok("pull", reference)
    assert f"{layer['digest'][7:19]}: Pull complete" in pulled and f"Digest: {digest}" in pulled
    again = docker.inspect(reference)
    assert (again["Id"], again["RootFS"]["Layers"]) == (image_id, [digest_of(image.layer)])
    assert "lastRecordedPullTime" in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"][0]


def test_docker_pushes_an_image_it_built_from_scratch_and_manifest_inspect_shows_it(docker, endpoint, tmp_path):
    """The classic builder's ``FROM scratch`` + ``COPY`` image pushed; ``docker manifest inspect --insecure`` reads
    back the manifest ECR stored."""
    endpoint.ecr.create_repository(repositoryName="built")
    (tmp_path / "context").mkdir()
    (tmp_path / "context" / "hello.txt").write_text("built by docker\n")
    (tmp_path / "context" / "Dockerfile").write_text(
        'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n')
    reference = docker.ref("built:v1")
    docker.ok("build", "--tag", reference, str(tmp_path / "context"))
    _, digest, _ = docker.pushed(reference)
    _, manifest = manifest_of(endpoint.ecr, "built", digest)
    assert manifest["config"]["digest"] == docker.inspect(reference)["Id"]
    assert json.loads(docker.ok("manifest", "inspect", "--insecure", reference)) == manifest
    missing = docker.run("manifest", "inspect", "--insecure", docker.ref("built:nope"))
    assert missing.returncode != 0 and f"no such manifest: {docker.ref('built:nope')}" in missing.stderr


def test_docker_pushes_a_second_tag_without_uploading_a_layer(docker, endpoint):
    """Docker HEADs the layer it pushed to the repository before (its log: ``Checking for presence of layer``),
    finds it (``Layer already exists``) and uploads nothing; the new tag names the same image."""
    endpoint.ecr.create_repository(repositoryName="app")
    reference = docker.load(build_image("two tags"), "app:v1")
    _, first, _ = docker.pushed(reference)
    docker.ok("tag", reference, docker.ref("app:v2"))
    output, second, _ = docker.pushed(docker.ref("app:v2"))
    assert second == first
    assert re.search(r"^[0-9a-f]{12}: Layer already exists$", output, re.MULTILINE), output
    assert "Pushed" not in output
    log = docker.daemon.log()
    assert log.count("msg=\"uploaded layer ") == 1  # the first push's
    assert re.search(rf"Checking for presence of layer sha256:[0-9a-f]{{64}} \(sha256:[0-9a-f]{{64}}\) in "
                     rf"{re.escape(docker.ref('app'))}\"", log), log[-3000:]
    detail = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert [(d["imageDigest"], sorted(d["imageTags"])) for d in detail] == [(first, ["v1", "v2"])]


def test_docker_mounts_a_layer_from_another_repository_when_blob_mounting_is_enabled(docker, endpoint):
    """Docker asks ``copy`` to mount the layer it pushed to ``app``: with ``BLOB_MOUNTING`` disabled ECR answers
    with a new upload, which docker uses (``Pushed``); enabled, the layer is mounted (``Mounted from app``)."""
    for name in ("app", "copy", "mounted"):
        endpoint.ecr.create_repository(repositoryName=name)
    reference = docker.load(build_image("mounted"), "app:v1")
    _, digest, _ = docker.pushed(reference)
    docker.ok("tag", reference, docker.ref("copy:v1"))
    uploaded, _, _ = docker.pushed(docker.ref("copy:v1"))
    assert re.search(r"^[0-9a-f]{12}: Pushed$", uploaded, re.MULTILINE), uploaded
    endpoint.ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
    docker.ok("tag", reference, docker.ref("mounted:v1"))
    mounted, _, _ = docker.pushed(docker.ref("mounted:v1"))
    assert re.search(r"^[0-9a-f]{12}: Mounted from (app|copy)$", mounted, re.MULTILINE), mounted
    for repository in ("copy", "mounted"):
        detail = endpoint.ecr.describe_images(repositoryName=repository)["imageDetails"]
        assert [(d["imageDigest"], d["imageTags"]) for d in detail] == [(digest, ["v1"])]


def test_docker_push_to_an_immutable_tag_is_refused_with_ecrs_message(docker, endpoint):
    endpoint.ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    _, first, _ = docker.pushed(docker.load(build_image("one"), "app:v1"))
    assert docker.pushed(docker.ref("app:v1"))[1] == first  # the same image again is no overwrite
    refused = docker.push(docker.load(build_image("two"), "app:v1"))
    assert refused.returncode != 0
    assert "tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten " \
           "because the tag is immutable." in refused.stderr
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == [{"imageDigest": first, "imageTag": "v1"}]


def test_docker_push_to_a_repository_that_does_not_exist(docker, endpoint):
    """``name unknown`` at the first upload; with a ``CREATE_ON_PUSH`` creation template the push creates it."""
    refused = docker.push(docker.load(build_image("nowhere"), "nowhere:v1"))
    assert refused.returncode != 0
    assert f"name unknown: The repository with name 'nowhere' does not exist in the registry with id '{ACCOUNT}'" \
           in refused.stderr
    assert endpoint.ecr.describe_repositories()["repositories"] == []
    endpoint.ecr.create_repository_creation_template(prefix="ROOT", appliedFor=["CREATE_ON_PUSH"],
                                                     imageTagMutability="IMMUTABLE")
    _, digest, _ = docker.pushed(docker.ref("nowhere:v1"))
    [repository] = endpoint.ecr.describe_repositories()["repositories"]
    assert (repository["repositoryName"], repository["imageTagMutability"]) == ("nowhere", "IMMUTABLE")
    assert endpoint.ecr.list_images(repositoryName="nowhere")["imageIds"] == [{"imageDigest": digest,
                                                                               "imageTag": "v1"}]


PUSH_ACTIONS = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
"""The actions ECR's User Guide lists for pushing an image: docker needs no ``ecr:BatchGetImage`` (it does not HEAD
the manifest before its PUT)."""


def test_docker_push_needs_the_upload_actions_and_put_image(docker, endpoint):
    """Without ``ecr:InitiateLayerUpload`` the first upload is denied; without ``ecr:PutImage`` the layer is
    pushed and the manifest denied; with the User Guide's push actions alone the push succeeds."""
    endpoint.ecr.create_repository(repositoryName="app")
    reference = docker.load(build_image("denied"), "app:v1")
    cases = [("checker", PUSH_ACTIONS[:2], "ecr:InitiateLayerUpload", False),
             ("uploader", PUSH_ACTIONS[:-1], "ecr:PutImage", True)]
    for user, actions, action, layer_pushed in cases:
        assert docker.login(user_password(endpoint.harness, user, actions)).returncode == 0
        denied = docker.push(reference)
        assert denied.returncode != 0
        assert denial(user, action, "app") in denied.stderr
        assert bool(re.search(r"^[0-9a-f]{12}: Pushed$", denied.stdout, re.MULTILINE)) is layer_pushed
        assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []
    assert docker.login(user_password(endpoint.harness, "pusher", PUSH_ACTIONS)).returncode == 0
    _, digest, _ = docker.pushed(reference)
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == [{"imageDigest": digest, "imageTag": "v1"}]


def test_docker_pull_needs_batch_get_image_and_get_download_url_for_layer(docker, endpoint):
    """Without ``ecr:BatchGetImage`` the manifest is denied (docker adds its own ``pull access denied`` words);
    with it but without ``ecr:GetDownloadUrlForLayer`` the config blob is."""
    endpoint.ecr.create_repository(repositoryName="app")
    reference = docker.load(build_image("secret"), "app:v1")
    docker.pushed(reference)
    docker.ok("rmi", reference)
    assert docker.login(user_password(endpoint.harness, "nobody", ["ecr:GetAuthorizationToken"])).returncode == 0
    denied = docker.run("pull", reference)
    assert denied.returncode != 0
    assert f"pull access denied for {docker.ref('app')}, repository does not exist or may require 'docker login': " \
           + denial("nobody", "ecr:BatchGetImage", "app") in denied.stderr
    reader = user_password(endpoint.harness, "reader", ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"])
    assert docker.login(reader).returncode == 0
    denied = docker.run("pull", reference)
    assert denied.returncode != 0
    assert "error pulling image configuration: download failed after attempts=1: " \
           + denial("reader", "ecr:GetDownloadUrlForLayer", "app") in denied.stderr
    assert docker.run("image", "inspect", reference).returncode != 0


def test_docker_pulls_by_digest_and_reports_a_missing_tag_as_ecr_does(docker, endpoint):
    """A missing tag is ``manifest unknown: Requested image not found``, ECR's words as docker prints them."""
    endpoint.ecr.create_repository(repositoryName="app")
    image = build_image("by digest")
    reference = docker.load(image, "app:v1")
    _, digest, _ = docker.pushed(reference)
    docker.ok("rmi", reference)
    pulled = docker.ok("pull", docker.ref(f"app@{digest}"))
    assert f"Digest: {digest}" in pulled
    assert docker.inspect(docker.ref(f"app@{digest}"))["Id"] == digest_of(image.config)
    missing = docker.run("pull", docker.ref("app:nope"))
    assert missing.returncode != 0
    assert f"manifest for {docker.ref('app:nope')} not found: manifest unknown: Requested image not found" \
           in missing.stderr


def _client_major(docker: DockerCli) -> int:
    return int(docker.ok("version", "--format", "{{.Client.Version}}").split(".")[0])


def gzip_oci_image(text: str) -> Image:
    """An OCI image whose one layer is gzip-compressed (``tar+gzip``), as most builders push them."""
    plain = build_image(text)
    layer = gzip.compress(plain.layer, mtime=0)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": digest_of(plain.config), "size": len(plain.config)},
        "layers": [{"mediaType": OCI_GZIP_LAYER, "digest": digest_of(layer), "size": len(layer)}]}).encode()
    return Image(layer, plain.config, manifest)


OCI_GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MANIFEST_INSPECT_FORMAT = {True: DOCKER_MANIFEST, False: OCI_MANIFEST}
"""What ``docker manifest inspect`` of an OCI image by tag shows, by whether the CLI predates 23.0: its ``Accept``
names no OCI image manifest, so ECR converts it to Docker V2 Schema 2; from 23.0 it takes OCI (docker/cli#3990)."""


def test_docker_manifest_inspect_of_an_oci_image_gets_ecrs_docker_conversion(docker, endpoint):
    """ECR converts an OCI image manifest to Docker V2 Schema 2 for a client whose ``Accept`` takes only Docker's
    (ECR User Guide, "Container image manifest format support in Amazon ECR"): the CLI's ``docker manifest inspect``
    before 23.0 is one; the engine's pull takes OCI and gets the manifest as pushed."""
    endpoint.ecr.create_repository(repositoryName="oci")
    image = gzip_oci_image("converted")
    assert endpoint.registry.push("oci", image, "v1").status_code == 201
    inspected = json.loads(docker.ok("manifest", "inspect", "--insecure", docker.ref("oci:v1")))
    expected = MANIFEST_INSPECT_FORMAT[_client_major(docker) < 23]
    assert inspected["mediaType"] == expected
    assert [inspected["config"]["digest"], inspected["layers"][0]["digest"]] == \
           [digest_of(image.config), digest_of(image.layer)]
    assert f"Digest: {image.digest}" in docker.ok("pull", docker.ref("oci:v1"))
    assert docker.inspect(docker.ref("oci:v1"))["Id"] == digest_of(image.config)


def test_docker_pulls_oci_images_and_one_platform_of_an_index_another_client_pushed(docker, endpoint):
    """An OCI image manifest and an OCI index pushed over the raw API: docker pulls the image and the platform of
    the index it asks for.  ``docker manifest inspect`` of the index reads it, then its OCI image manifests: the
    CLI before 23.0 knows no OCI image manifest and fails as it does against ECR (moby/buildkit#3491, fixed by
    docker/cli#3990)."""
    endpoint.ecr.create_repository(repositoryName="oci")
    images = {"amd64": build_image("amd"), "arm64": build_image("arm", architecture="arm64")}
    for image in images.values():
        assert endpoint.registry.push("oci", image, image.digest).status_code == 201
    assert endpoint.registry.push("oci", images["amd64"], "single").status_code == 201
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": image.digest, "size": len(image.manifest),
         "platform": {"architecture": architecture, "os": "linux"}} for architecture, image in images.items()]})
    assert endpoint.registry.put_manifest("oci", "multi", index.encode(), OCI_INDEX).status_code == 201

    assert f"Digest: {images['amd64'].digest}" in docker.ok("pull", docker.ref("oci:single"))
    assert docker.inspect(docker.ref("oci:single"))["Id"] == digest_of(images["amd64"].config)
    pulled = docker.ok("pull", "--platform", "linux/arm64", docker.ref("oci:multi"))
    assert f"Digest: {digest_of(index.encode())}" in pulled
    arm = docker.inspect(docker.ref("oci:multi"))
    assert (arm["Id"], arm["Architecture"]) == (digest_of(images["arm64"].config), "arm64")

    inspected = docker.run("manifest", "inspect", "--insecure", docker.ref("oci:multi"))
    if _client_major(docker) < 23:
        assert inspected.returncode != 0
        assert f"unsupported manifest media type and no default available: {OCI_MANIFEST}" in inspected.stderr
    else:
        assert inspected.returncode == 0, inspected.stderr
        assert [m["digest"] for m in json.loads(inspected.stdout)["manifests"]] == \
               [image.digest for image in images.values()]
