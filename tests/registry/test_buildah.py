"""buildah and podman (containers/image, as Debian packages them) against the registry endpoint, the way users
push to ECR without a Docker engine: ``aws ecr get-login-password | buildah login --password-stdin -u AWS``, images
built from scratch (``buildah from scratch``, ``copy``, ``config``, ``commit``), pushed by tag, read back through
ECR's API and pulled into a fresh storage.

Every command runs with its own storage under the test's directory (``--root``, ``--runroot``, the ``vfs`` driver,
which needs no overlay mounts, and ``chroot`` isolation), an auth file there (``--authfile``), its big temporary
files there (``TMPDIR``), and plain HTTP to the loopback server (``--tls-verify=false``): nothing is pulled from
anywhere else.  ``--log-level debug`` makes containers/image log each registry request (``HEAD http://.../v2/...``)
and its blob decisions (``already exists``, ``Trying to mount``), which the layer-reuse tests read.

Outside CI these tests skip when buildah or podman is not installed, or buildah cannot work here; in CI (``CI``
set) they must run, and the suite fails if none did (``tests/conftest.py``).
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mockrunner.testing.oci import OCI_CONFIG, OCI_INDEX, OCI_MANIFEST
from tests.registry.images import login_password, user_password

BUILDAH, PODMAN = shutil.which("buildah"), shutil.which("podman")
if (BUILDAH is None or PODMAN is None) and not os.environ.get("CI"):
    pytest.skip("buildah or podman is not installed (CI installs them: .ci/run)", allow_module_level=True)

TIMEOUT = 90
"""Seconds any one buildah or podman command may take."""
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
ACCOUNT = "123456789012"
_REQUEST = re.compile(r'msg="(GET|HEAD|POST|PUT|PATCH|DELETE) http://[^/"]+(/v2/[^?"]*)')


def requests_of(log: str) -> list[str]:
    """The registry requests a ``--log-level debug`` run logged, in order, as ``METHOD /v2/...`` (query dropped)."""
    return [f"{match.group(1)} {match.group(2)}" for match in _REQUEST.finditer(log)]


@dataclass
class Storage:
    """One containers-storage: its root, and its runroot (podman refuses a runroot path over 50 characters)."""

    root: Path
    runroot: Path

    def flags(self) -> list[str]:
        return ["--root", str(self.root), "--runroot", str(self.runroot), "--storage-driver", "vfs"]


@dataclass
class Tools:
    """buildah and podman against one mockrunner server (``endpoint``), with storages and auth files under
    ``work`` and the storages' runroots under ``runs`` (a short path)."""

    endpoint: Any
    work: Path
    runs: Path
    storage: Storage = field(init=False)
    password: str = ""
    pushes: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.storage = self.new_storage("main")
        (self.work / "tmp").mkdir()

    @property
    def host(self) -> str:
        return self.endpoint.host

    @property
    def authfile(self) -> str:
        return str(self.work / "auth.json")

    def new_storage(self, name: str) -> Storage:
        return Storage(self.work / name, self.runs / name)

    def run(self, tool: str | None, *args: str, storage: Storage | None = None, stdin: str | None = None,
            debug: bool = False) -> subprocess.CompletedProcess:
        """``tool`` (buildah or podman) with the storage flags (the main storage by default); bounded in time."""
        if tool is None:
            pytest.fail("buildah and podman are required in CI")
        own = (storage or self.storage).flags()
        if tool == PODMAN:  # no systemd, journald or container runtime: none is needed to build, push or pull
            own += ["--events-backend", "none", "--cgroup-manager", "cgroupfs", "--tmpdir", str(self.work / "tmp")]
        if debug:
            own += ["--log-level", "debug"]
        env = {**os.environ, "TMPDIR": str(self.work / "tmp"), "BUILDAH_ISOLATION": "chroot"}
        return subprocess.run([tool, *own, *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT,
                              env=env)

    def buildah(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess:
        return self.run(BUILDAH, *args, **kwargs)

    def ok(self, result: subprocess.CompletedProcess) -> str:
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def login(self, password: str, authfile: str | None = None) -> subprocess.CompletedProcess:
        """``get-login-password | buildah login --password-stdin -u AWS HOST``."""
        return self.buildah("login", "--authfile", authfile or self.authfile, "--tls-verify=false", "-u", "AWS",
                            "--password-stdin", self.host, stdin=password)

    def build(self, name: str, text: str, *config: str, arch: str = "amd64") -> str:
        """An image from scratch holding ``/hello.txt`` (``text``), configured by ``buildah config`` flags, committed
        as ``localhost/<name>``; its image ID."""
        return self.build_on("scratch", name, text, *config, arch=arch)

    def build_on(self, base: str, name: str, text: str, *config: str, arch: str = "amd64") -> str:
        """:meth:`build` on top of the image ``base`` (a new layer holding ``/hello.txt``)."""
        source = self.work / f"{name.replace(':', '_')}.txt"
        source.write_text(text)
        container = self.ok(self.buildah("from", "--name", f"build-{name.replace(':', '-')}", base))
        self.ok(self.buildah("copy", container, str(source), "/hello.txt"))
        self.ok(self.buildah("config", "--arch", arch, "--os", "linux", *config, container))
        return self.ok(self.buildah("commit", "--quiet", "--rm", container, name))

    def push(self, tool: str | None, image: str, reference: str, *flags: str, authfile: str | None = None,
             debug: bool = False) -> subprocess.CompletedProcess:
        """``TOOL push [flags] IMAGE HOST/REFERENCE`` as the auth file's login."""
        return self.run(tool, "push", "--authfile", authfile or self.authfile, "--tls-verify=false", *flags, image,
                        f"docker://{self.host}/{reference}", debug=debug)

    def pushed_digest(self, tool: str | None, image: str, reference: str, *flags: str) -> str:
        """Push; the manifest digest the client wrote (``--digestfile``)."""
        digestfile = self.work / f"digest-{next(self.pushes)}"
        self.ok(self.push(tool, image, reference, "--digestfile", str(digestfile), *flags))
        return digestfile.read_text().strip()

    def pull(self, tool: str | None, reference: str, storage: Storage, *flags: str) -> subprocess.CompletedProcess:
        return self.run(tool, "pull", "--authfile", self.authfile, "--tls-verify=false", *flags,
                        f"{self.host}/{reference}", storage=storage)


@pytest.fixture
def tools(endpoint, tmp_path) -> Iterator[Tools]:
    """Tools logged in as the account root; skips (outside CI) when buildah cannot even start a container here."""
    runs = tempfile.mkdtemp(prefix="ctrs-")
    try:
        yield _logged_in(Tools(endpoint, tmp_path, Path(runs)))
    finally:
        shutil.rmtree(runs, ignore_errors=True)


def _logged_in(tools: Tools) -> Tools:
    """``tools`` logged in as the account root, once buildah has shown it can start a container here."""
    probe = tools.buildah("from", "--name", "probe", "scratch")
    if probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"buildah cannot work here: {probe.stderr}")
        pytest.skip(f"buildah cannot work here: {probe.stderr}")
    tools.ok(tools.buildah("rm", "probe"))
    tools.password = login_password(tools.endpoint.ecr)
    tools.ok(tools.login(tools.password))
    return tools


def detail_of(ecr: Any, repository: str, digest: str) -> dict:
    [detail] = ecr.describe_images(repositoryName=repository, imageIds=[{"imageDigest": digest}])["imageDetails"]
    return detail


def manifest_of(ecr: Any, repository: str, digest: str) -> tuple[str, dict]:
    """BatchGetImage's manifest of ``digest`` (as pushed: every media type accepted) and its media type."""
    [image] = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageDigest": digest}],
                                  acceptedMediaTypes=[OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])["images"]
    text = image["imageManifest"]
    assert "sha256:" + hashlib.sha256(text.encode()).hexdigest() == digest
    return image["imageManifestMediaType"], json.loads(text)


def test_buildah_logs_in_with_the_ecr_password_and_not_with_a_wrong_one(tools, endpoint, tmp_path):
    """The token's password is accepted (and stored as ``AWS:<password>``); a wrong one is refused at login, and
    after ``buildah logout`` a push is unauthorized."""
    with open(tools.authfile) as handle:
        stored = json.load(handle)["auths"][tools.host]["auth"]
    assert base64.b64decode(stored).decode() == f"AWS:{tools.password}"
    wrong = tools.login("not-the-password", authfile=str(tmp_path / "wrong.json"))
    assert wrong.returncode != 0
    assert "invalid username/password" in wrong.stderr
    assert not (tmp_path / "wrong.json").exists() or tools.host not in (tmp_path / "wrong.json").read_text()

    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:v1", "hello")
    tools.ok(tools.buildah("logout", "--authfile", tools.authfile, tools.host))
    refused = tools.push(BUILDAH, "app:v1", "app:v1")
    assert refused.returncode != 0
    assert "unauthorized: authentication required" in refused.stderr
    assert endpoint.ecr.describe_images(repositoryName="app")["imageDetails"] == []


def test_buildah_push_by_tag_is_what_describe_images_and_batch_get_image_show(tools, endpoint):
    """buildah's default format is OCI: the digest it wrote is ECR's, the manifest ECR returns is the bytes with
    that digest and refers to buildah's config (the image ID), and the size is the compressed layer's."""
    endpoint.ecr.create_repository(repositoryName="team/app")
    image_id = tools.build("app:v1", "hello from buildah", "--env", "GREETING=hello", "--label", "team=web")
    digest = tools.pushed_digest(BUILDAH, "app:v1", "team/app:v1")
    detail = detail_of(endpoint.ecr, "team/app", digest)
    assert detail["imageTags"] == ["v1"]
    assert detail["imageManifestMediaType"] == OCI_MANIFEST and detail["artifactMediaType"] == OCI_CONFIG
    media_type, manifest = manifest_of(endpoint.ecr, "team/app", digest)
    assert media_type == manifest["mediaType"] == OCI_MANIFEST
    assert manifest["config"]["digest"] == f"sha256:{image_id}"
    [layer] = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    # The layers and the config (recorded from AWS, 2026-09-26: radkawar/stackd, ECR capture,
    # "describe_image").
    assert detail["imageSizeInBytes"] == layer["size"] + manifest["config"]["size"]
    available = endpoint.ecr.batch_check_layer_availability(
        repositoryName="team/app", layerDigests=[layer["digest"], manifest["config"]["digest"]])["layers"]
    assert [(entry["layerAvailability"], entry["layerSize"]) for entry in available] == \
           [("AVAILABLE", layer["size"]), ("AVAILABLE", manifest["config"]["size"])]


def test_a_second_tag_reuses_the_layers_and_the_image_pulls_back_with_its_config(tools, endpoint):
    """A second tag: containers/image HEADs each blob, finds it and uploads nothing; the same tag again stores
    nothing new.  podman and buildah then pull it into fresh storages with its entrypoint, environment, labels
    and files."""
    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:v1", "hello again", "--env", "GREETING=hello", "--entrypoint", '["/hello"]',
                "--label", "team=web", "--workingdir", "/srv")
    digest = tools.pushed_digest(BUILDAH, "app:v1", "app:v1")
    _, manifest = manifest_of(endpoint.ecr, "app", digest)
    second = tools.push(BUILDAH, "app:v1", "app:v2", debug=True)
    assert second.returncode == 0, second.stderr
    requests = requests_of(second.stderr)
    for blob in (manifest["layers"][0]["digest"], manifest["config"]["digest"]):
        assert f"HEAD /v2/app/blobs/{blob}" in requests
    assert not [request for request in requests if request.startswith(("POST", "PATCH", "PUT /v2/app/blobs"))]
    assert requests[-1] == "PUT /v2/app/manifests/v2"
    again = tools.push(BUILDAH, "app:v1", "app:v2")
    assert again.returncode == 0, again.stderr
    [detail] = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert detail["imageDigest"] == digest and sorted(detail["imageTags"]) == ["v1", "v2"]

    fresh = tools.new_storage("podman-pull")
    tools.ok(tools.pull(PODMAN, "app:v2", fresh))
    pulled = json.loads(tools.ok(tools.run(PODMAN, "image", "inspect", f"{tools.host}/app:v2", storage=fresh)))[0]
    assert pulled["Digest"] == digest
    assert pulled["Config"]["Entrypoint"] == ["/hello"] and pulled["Config"]["WorkingDir"] == "/srv"
    assert "GREETING=hello" in pulled["Config"]["Env"] and pulled["Labels"]["team"] == "web"
    assert "lastRecordedPullTime" in detail_of(endpoint.ecr, "app", digest)

    other = tools.new_storage("buildah-pull")
    tools.ok(tools.pull(BUILDAH, f"app@{digest}", other))
    container = tools.ok(tools.run(BUILDAH, "from", f"{tools.host}/app@{digest}", storage=other))
    mounted = tools.ok(tools.run(BUILDAH, "mount", container, storage=other))  # vfs: a directory, no mount
    assert (Path(mounted) / "hello.txt").read_text() == "hello again"


def test_a_two_layer_image_with_a_large_layer_streams_up_and_back(tools, endpoint, tmp_path):
    """A base image with an 8 MiB incompressible file and a layer on top: containers/image compresses each layer
    while it streams it up (POST, PATCH, PUT); ECR's size is the sum of the compressed layers, and a pull into a
    fresh storage gives back every byte."""
    endpoint.ecr.create_repository(repositoryName="app")
    payload = os.urandom(8 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(payload)
    base = tools.ok(tools.buildah("from", "--name", "base", "scratch"))
    tools.ok(tools.buildah("copy", base, str(tmp_path / "big.bin"), "/big.bin"))
    tools.ok(tools.buildah("commit", "--quiet", "--rm", base, "app:base"))
    tools.build_on("app:base", "app:top", "on top")
    digest = tools.pushed_digest(BUILDAH, "app:top", "app:v1")
    _, manifest = manifest_of(endpoint.ecr, "app", digest)
    sizes = [layer["size"] for layer in manifest["layers"]]
    assert len(sizes) == 2 and sizes[0] > len(payload)
    assert detail_of(endpoint.ecr, "app", digest)["imageSizeInBytes"] == sum(sizes) + manifest["config"]["size"]
    fresh = tools.new_storage("pulled")
    tools.ok(tools.pull(BUILDAH, "app:v1", fresh))
    container = tools.ok(tools.run(BUILDAH, "from", f"{tools.host}/app:v1", storage=fresh))
    root = Path(tools.ok(tools.run(BUILDAH, "mount", container, storage=fresh)))
    assert (root / "big.bin").read_bytes() == payload and (root / "hello.txt").read_text() == "on top"


def test_a_push_to_a_repository_that_does_not_exist_is_name_unknown(tools, endpoint):
    tools.build("app:v1", "nowhere")
    refused = tools.push(BUILDAH, "app:v1", "missing:v1")
    assert refused.returncode != 0
    assert f"name unknown: The repository with name 'missing' does not exist in the registry with id " \
           f"'{ACCOUNT}'" in refused.stderr
    assert endpoint.ecr.describe_repositories()["repositories"] == []
    fresh = tools.new_storage("pulled")
    missing = tools.pull(PODMAN, "missing:v1", fresh)
    assert missing.returncode != 0 and "name unknown: The repository with name 'missing'" in missing.stderr
    endpoint.ecr.create_repository(repositoryName="app")
    no_tag = tools.pull(PODMAN, "app:v1", fresh)
    assert no_tag.returncode != 0 and "manifest unknown: Requested image not found" in no_tag.stderr


def test_a_push_to_a_missing_repository_under_a_create_on_push_template_creates_it(tools, endpoint):
    endpoint.ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"],
                                                     imageTagMutability="IMMUTABLE")
    tools.build("app:v1", "created on push")
    digest = tools.pushed_digest(BUILDAH, "app:v1", "team/new:v1")
    [repository] = endpoint.ecr.describe_repositories()["repositories"]
    assert repository["repositoryName"] == "team/new" and repository["imageTagMutability"] == "IMMUTABLE"
    assert detail_of(endpoint.ecr, "team/new", digest)["imageTags"] == ["v1"]


@pytest.mark.parametrize(("missing", "message"), [
    ("ecr:InitiateLayerUpload", "writing blob: initiating layer upload to /v2/app/blobs/uploads/"),
    ("ecr:PutImage", "writing manifest: uploading manifest v1"),
])
def test_a_push_without_permission_is_denied_and_stores_nothing(tools, endpoint, missing, message):
    endpoint.ecr.create_repository(repositoryName="app")
    actions = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
               "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
    password = user_password(endpoint.harness, "pusher", [action for action in actions if action != missing])
    authfile = str(tools.work / "pusher.json")
    tools.ok(tools.login(password, authfile=authfile))
    tools.build("app:v1", "denied")
    refused = tools.push(BUILDAH, "app:v1", "app:v1", authfile=authfile)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert f"denied: User: arn:aws:iam::{ACCOUNT}:user/pusher is not authorized to perform: {missing} on " \
           f"resource: arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app" in refused.stderr
    assert endpoint.ecr.describe_images(repositoryName="app")["imageDetails"] == []
    assert endpoint.ecr.list_images(repositoryName="app")["imageIds"] == []


def test_an_immutable_tag_refuses_a_different_image_and_takes_the_same_one(tools, endpoint):
    endpoint.ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    tools.build("app:one", "one")
    tools.build("app:two", "two")
    first = tools.pushed_digest(BUILDAH, "app:one", "app:v1")
    refused = tools.push(BUILDAH, "app:two", "app:v1")
    assert refused.returncode != 0
    assert "tag invalid: The image tag 'v1' already exists in the 'app' repository and cannot be overwritten " \
           "because the tag is immutable." in refused.stderr
    assert tools.push(BUILDAH, "app:one", "app:v1").returncode == 0
    images = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert [(image["imageDigest"], image["imageTags"]) for image in images] == [(first, ["v1"])]


@pytest.mark.parametrize(("format_", "manifest_type", "config_type"), [
    ("oci", OCI_MANIFEST, OCI_CONFIG),
    ("v2s2", DOCKER_MANIFEST, DOCKER_CONFIG),
])
def test_podman_pushes_each_format_with_its_media_type(tools, endpoint, format_, manifest_type, config_type):
    """``podman push --format``: ECR records the manifest's media type and artifact type, serves it back as
    pushed, and podman pulls it with its configuration."""
    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:v1", f"as {format_}", "--env", "FORMAT=" + format_)
    digest = tools.pushed_digest(PODMAN, "app:v1", "app:v1", "--format", format_)
    detail = detail_of(endpoint.ecr, "app", digest)
    assert (detail["imageManifestMediaType"], detail["artifactMediaType"]) == (manifest_type, config_type)
    media_type, manifest = manifest_of(endpoint.ecr, "app", digest)
    assert media_type == manifest["mediaType"] == manifest_type
    assert manifest["config"]["mediaType"] == config_type
    fresh = tools.new_storage("pulled")
    tools.ok(tools.pull(PODMAN, "app:v1", fresh))
    pulled = json.loads(tools.ok(tools.run(PODMAN, "image", "inspect", f"{tools.host}/app:v1", storage=fresh)))[0]
    assert pulled["Digest"] == digest and f"FORMAT={format_}" in pulled["Config"]["Env"]


def test_a_schema_1_push_keeps_ecrs_digest_of_the_signed_bytes(tools, endpoint):
    """``--format v2s1`` (a signed Docker V2 Schema 1 manifest): ECR stores it as pushed and names it by the
    sha256 of those bytes, signatures included, while containers/image names schema 1 manifests by their payload
    without the signatures.  So the digest buildah reports is not ECR's, and a pull by ECR's digest fails the
    client's verification, as the ECS agent reports of ECR (aws/amazon-ecs-agent#4249); the tag pulls."""
    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:v1", "schema 1", "--env", "OLD=yes")
    client_digest = tools.pushed_digest(BUILDAH, "app:v1", "app:v1", "--format", "v2s1")
    [detail] = endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]
    assert detail["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v1+prettyjws"
    [image] = endpoint.ecr.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])["images"]
    manifest = image["imageManifest"]
    assert detail["imageDigest"] == "sha256:" + hashlib.sha256(manifest.encode()).hexdigest() != client_digest
    assert json.loads(manifest)["schemaVersion"] == 1 and json.loads(manifest)["signatures"]
    fresh = tools.new_storage("pulled")
    by_digest = tools.pull(PODMAN, f"app@{detail['imageDigest']}", fresh)
    assert by_digest.returncode != 0
    assert f"Manifest does not match provided manifest digest {detail['imageDigest']}" in by_digest.stderr
    tools.ok(tools.pull(PODMAN, "app:v1", fresh))
    pulled = json.loads(tools.ok(tools.run(PODMAN, "image", "inspect", f"{tools.host}/app:v1", storage=fresh)))[0]
    assert pulled["Digest"] == client_digest and "OLD=yes" in pulled["Config"]["Env"]


def test_podman_pushes_zstd_layers(tools, endpoint):
    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:v1", "zstd " * 100)
    digest = tools.pushed_digest(PODMAN, "app:v1", "app:v1", "--compression-format", "zstd")
    _, manifest = manifest_of(endpoint.ecr, "app", digest)
    [layer] = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+zstd"
    assert detail_of(endpoint.ecr, "app", digest)["imageSizeInBytes"] == layer["size"] + manifest["config"]["size"]
    fresh = tools.new_storage("pulled")
    tools.ok(tools.pull(PODMAN, "app:v1", fresh))
    container = tools.ok(tools.run(BUILDAH, "from", f"{tools.host}/app:v1", storage=fresh))
    mounted = tools.ok(tools.run(BUILDAH, "mount", container, storage=fresh))
    assert (Path(mounted) / "hello.txt").read_text() == "zstd " * 100


@pytest.mark.parametrize(("format_", "list_type", "manifest_type"), [
    ("oci", OCI_INDEX, OCI_MANIFEST),
    ("v2s2", DOCKER_LIST, DOCKER_MANIFEST),
])
def test_a_two_platform_manifest_list_pushes_with_all_its_images(tools, endpoint, format_, list_type,
                                                                 manifest_type):
    """``buildah manifest push --all``: both platforms' images land untagged, the list under the tag, its size the
    larger image's; podman pulls each platform from the tag."""
    endpoint.ecr.create_repository(repositoryName="app")
    tools.build("app:amd64", "small", arch="amd64")
    tools.build("app:arm64", os.urandom(4096).hex(), arch="arm64")  # random: a larger compressed layer
    tools.ok(tools.buildah("manifest", "create", "multi"))
    for arch in ("amd64", "arm64"):
        tools.ok(tools.buildah("manifest", "add", "multi", f"containers-storage:localhost/app:{arch}"))
    digestfile = tools.work / "list-digest"
    tools.ok(tools.run(BUILDAH, "manifest", "push", "--all", "--format", format_, "--authfile", tools.authfile,
                       "--tls-verify=false", "--digestfile", str(digestfile), "multi",
                       f"docker://{tools.host}/app:multi"))
    digest = digestfile.read_text().strip()
    media_type, index = manifest_of(endpoint.ecr, "app", digest)
    assert media_type == list_type
    children = {entry["platform"]["architecture"]: entry for entry in index["manifests"]}
    assert sorted(children) == ["amd64", "arm64"]
    assert {entry["mediaType"] for entry in children.values()} == {manifest_type}
    details = {d["imageDigest"]: d for d in endpoint.ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert sorted(details) == sorted([digest, *(entry["digest"] for entry in children.values())])
    assert details[digest]["imageTags"] == ["multi"] and details[digest]["imageManifestMediaType"] == list_type
    sizes = {arch: details[entry["digest"]]["imageSizeInBytes"] for arch, entry in children.items()}
    assert sizes["arm64"] > sizes["amd64"]
    assert details[digest]["imageSizeInBytes"] == sizes["arm64"]  # "the max size of all manifests in the list"
    assert all("imageTags" not in details[entry["digest"]] for entry in children.values())
    for arch in ("amd64", "arm64"):
        fresh = tools.new_storage(f"pulled-{arch}")
        tools.ok(tools.pull(PODMAN, "app:multi", fresh, "--arch", arch))
        pulled = json.loads(tools.ok(tools.run(PODMAN, "image", "inspect", f"{tools.host}/app:multi",
                                               storage=fresh)))[0]
        assert pulled["Architecture"] == arch


def test_buildah_mounts_a_layer_from_another_repository_only_with_blob_mounting(tools, endpoint):
    """containers/image remembers which repository holds a blob and asks the next repository to mount it
    (``POST ...?mount=&from=``): with ``BLOB_MOUNTING`` disabled (the default) ECR starts an upload instead, which
    the client cancels before uploading; enabled, the layer is mounted (201) and not uploaded."""
    for name in ("app", "copy", "mounted"):
        endpoint.ecr.create_repository(repositoryName=name)
    tools.build("app:v1", "shared layer")
    digest = tools.pushed_digest(BUILDAH, "app:v1", "app:v1")
    _, manifest = manifest_of(endpoint.ecr, "app", digest)
    layer = manifest["layers"][0]["digest"]

    copied = tools.push(BUILDAH, "app:v1", "copy:v1", debug=True)
    assert copied.returncode == 0, copied.stderr
    assert "started an upload instead" in copied.stderr
    assert "PATCH /v2/copy/blobs/uploads/" in " ".join(requests_of(copied.stderr))

    endpoint.ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")
    mounted = tools.push(BUILDAH, "app:v1", "mounted:v1", debug=True)
    assert mounted.returncode == 0, mounted.stderr
    requests = requests_of(mounted.stderr)
    assert "POST /v2/mounted/blobs/uploads/" in requests and "started an upload instead" not in mounted.stderr
    assert "... mount OK" in mounted.stderr
    # The layer is mounted, not uploaded; the config blob containers/image always uploads when a HEAD misses it.
    assert f"?digest=sha256%3A{layer[7:]}" not in mounted.stderr
    assert f"?digest=sha256%3A{manifest['config']['digest'][7:]}" in mounted.stderr
    available = endpoint.ecr.batch_check_layer_availability(repositoryName="mounted", layerDigests=[layer])
    assert available["layers"][0]["layerAvailability"] == "AVAILABLE"
    assert detail_of(endpoint.ecr, "mounted", digest)["imageTags"] == ["v1"]
