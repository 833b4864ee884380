"""Images a test builds itself, and the registry calls a client makes, for the registry endpoint's tests.

:func:`oci_layout` writes an OCI image layout directory (a tar layer, a config, a manifest, ``index.json``) that
``skopeo copy oci:DIR ...`` reads; :class:`Registry` speaks the Docker Registry V2 API over real HTTP with
``requests``, authenticated with a token from ``GetAuthorizationToken``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from typing import Any

import requests

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Image:
    layer: bytes
    config: bytes
    manifest: bytes

    @property
    def digest(self) -> str:
        return digest_of(self.manifest)


def build_image(text: str, extra_bytes: int = 0) -> Image:
    """A one-layer image whose only file holds ``text`` (plus ``extra_bytes`` of padding)."""
    content = text.encode() + b"\0" * extra_bytes
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    layer = buffer.getvalue()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["cat", "/hello.txt"]},
                         "rootfs": {"type": "layers", "diff_ids": [digest_of(layer)]}}).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": digest_of(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest_of(layer), "size": len(layer)}],
    }).encode()
    return Image(layer, config, manifest)


def oci_layout(directory: str, image: Image, tag: str) -> str:
    """Write ``image`` as an OCI layout in ``directory`` under ``tag``; the ``oci:`` reference skopeo reads."""
    os.makedirs(os.path.join(directory, "blobs", "sha256"), exist_ok=True)
    for data in (image.layer, image.config, image.manifest):
        with open(os.path.join(directory, "blobs", "sha256", digest_of(data)[7:]), "wb") as handle:
            handle.write(data)
    with open(os.path.join(directory, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)
    with open(os.path.join(directory, "index.json"), "w") as handle:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": image.digest, "size": len(image.manifest),
            "annotations": {"org.opencontainers.image.ref.name": tag}}]}, handle)
    return f"oci:{directory}:{tag}"


def login_password(ecr: Any, **kwargs: Any) -> str:
    """What ``aws ecr get-login-password`` prints."""
    token = ecr.get_authorization_token(**kwargs)["authorizationData"][0]["authorizationToken"]
    user, _, password = base64.b64decode(token).decode().partition(":")
    assert user == "AWS"
    return password


class Registry:
    """Raw registry calls against ``base`` (``http://127.0.0.1:PORT``) as ``AWS:<password>``."""

    def __init__(self, base: str, password: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if password is not None:
            self.session.auth = ("AWS", password)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        return self.session.request(method, url, allow_redirects=False, timeout=30, **kwargs)

    def push_blob(self, repository: str, data: bytes) -> requests.Response:
        """Monolithic upload: POST then PUT with the digest."""
        started = self.call("POST", f"/v2/{repository}/blobs/uploads/")
        assert started.status_code == 202, started.text
        return self.call("PUT", started.headers["Location"], params={"digest": digest_of(data)}, data=data)

    def push(self, repository: str, image: Image, reference: str) -> requests.Response:
        for data in (image.layer, image.config):
            assert self.push_blob(repository, data).status_code == 201
        return self.put_manifest(repository, reference, image.manifest)

    def put_manifest(self, repository: str, reference: str, manifest: bytes,
                     media_type: str = OCI_MANIFEST) -> requests.Response:
        return self.call("PUT", f"/v2/{repository}/manifests/{reference}", data=manifest,
                         headers={"Content-Type": media_type})


def error_code(response: requests.Response) -> tuple[int, str, str]:
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error["message"]
