"""Manifest format negotiation on pulls by tag, as ECR does it ("Container image manifest format support in
Amazon ECR", ECR User Guide).

A pull by tag gets the stored manifest when the client's ``Accept`` takes its media type (or says nothing, or
``*/*``).  When it does not, ECR converts: a Docker Image Manifest V2 Schema 2 to an OCI image manifest, an OCI
image manifest to Docker V2 Schema 2 (the guide's conversion table), and the answer carries the converted
manifest's own digest.  A pull by digest is never converted.  Conversion to Docker V2 Schema 1 (signed, for
Docker 1.9 and older) and of manifest lists / indexes is not done: such a request gets the stored manifest.

Converting swaps the media types of the manifest, its config and its layers for their counterparts; an OCI
manifest converts to Docker only when every part has a Docker counterpart and it has no ``subject`` or
``artifactType`` (Docker's format cannot say them); its annotations are dropped.
"""
from __future__ import annotations

import json
from typing import Any

DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"

_DOCKER_TO_OCI = {
    DOCKER_CONFIG: OCI_CONFIG,
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
}
_OCI_TO_DOCKER = {oci: docker for docker, oci in _DOCKER_TO_OCI.items()}
_CONVERSIONS = {DOCKER_V2: (OCI_MANIFEST, _DOCKER_TO_OCI), OCI_MANIFEST: (DOCKER_V2, _OCI_TO_DOCKER)}


def accepted_types(accept: str | None) -> frozenset[str] | None:
    """The media types an ``Accept`` header names (parameters dropped); ``None`` when it takes anything."""
    if not accept or not accept.strip():
        return None
    types = frozenset(part.split(";", 1)[0].strip().lower() for part in accept.split(",") if part.strip())
    return None if not types or "*/*" in types else types


def for_client(media_type: str, manifest: str, accept: str | None) -> tuple[str, str] | None:
    """The (media type, manifest text) to answer a pull by tag with instead of the stored manifest, or ``None`` to
    answer the stored one (the client takes it, or no conversion gives a form it takes)."""
    wanted = accepted_types(accept)
    if wanted is None or media_type.lower() in wanted or media_type not in _CONVERSIONS:
        return None
    target, swap = _CONVERSIONS[media_type]
    if target not in wanted:
        return None
    converted = _convert(manifest, target, swap)
    return None if converted is None else (target, converted)


def _convert(manifest: str, target: str, swap: dict[str, str]) -> str | None:
    try:
        document = json.loads(manifest)
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
        return None
    layers = document.get("layers")
    if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
        return None
    to_docker = target == DOCKER_V2
    if to_docker and ("subject" in document or "artifactType" in document):
        return None
    config = _descriptor(document["config"], swap, to_docker)
    converted_layers = [_descriptor(layer, swap, to_docker) for layer in layers]
    if config is None or None in converted_layers:
        return None
    out: dict[str, Any] = {"schemaVersion": 2, "mediaType": target, "config": config, "layers": converted_layers}
    if not to_docker and isinstance(document.get("annotations"), dict):
        out["annotations"] = document["annotations"]
    return json.dumps(out, indent=3)


def _descriptor(descriptor: dict, swap: dict[str, str], to_docker: bool) -> dict | None:
    media_type = swap.get(descriptor.get("mediaType", ""))
    if media_type is None:
        return None
    out = {**descriptor, "mediaType": media_type}
    if to_docker:
        out.pop("annotations", None)
    return out

