"""Small OCI images a test or a dev stack builds itself, to push with a real registry client.

:func:`build_image` makes a one-layer image in memory; :func:`oci_layout` writes it as an OCI image layout
directory (blobs, ``oci-layout``, ``index.json``) that ``skopeo copy oci:DIR:TAG docker://HOST/REPO:TAG`` reads;
:func:`docker_archive` as the tar archive ``docker save`` writes, which ``docker load`` reads.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass

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


def build_image(text: str, extra_bytes: int = 0, architecture: str = "amd64") -> Image:
    """A one-layer linux image for ``architecture`` whose only file holds ``text`` (plus ``extra_bytes`` of
    padding)."""
    content = text.encode() + b"\0" * extra_bytes
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    layer = buffer.getvalue()
    config = json.dumps({"architecture": architecture, "os": "linux", "config": {"Cmd": ["cat", "/hello.txt"]},
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


def docker_archive(path: str, image: Image, repo_tag: str) -> None:
    """Write ``image`` to ``path`` as a ``docker save`` archive (``manifest.json``, the config, the layer as a tar)
    tagged ``repo_tag``; loading it keeps the config's bytes, so the image ID is the config's digest."""
    manifest = [{"Config": "config.json", "RepoTags": [repo_tag], "Layers": ["layer/layer.tar"]}]
    with tarfile.open(path, "w") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("config.json", image.config),
                           ("layer/layer.tar", image.layer)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
