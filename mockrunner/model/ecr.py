"""ECR state of one account in one region.

Repositories by name; each owns its images by digest and records the layers (blobs) that are in it.  An image
pushed with PutImage keeps its manifest; an image declared by a seed file may have none (``manifest is None``)
but exists for every other purpose, which is all App Runner's pull check needs.  Layer bytes live in the
store's blob store (:mod:`mockrunner.model.blobs`), never here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

INDEX_MEDIA_TYPES = frozenset({
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
})


def repository_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:ecr:{region}:{account_id}:repository/{name}"


def repository_uri(region: str, account_id: str, name: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com/{name}"


def manifest_digest(manifest: str) -> str:
    """ECR's image digest: sha256 of the manifest bytes exactly as pushed."""
    return "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()


@dataclass
class Image:
    """One image manifest in a repository, identified by its digest; it may carry several tags."""

    digest: str
    manifest: str | None
    media_type: str
    pushed_at: datetime
    size: int
    tags: list[str] = field(default_factory=list)
    artifact_media_type: str | None = None
    last_recorded_pull_time: datetime | None = None


@dataclass
class Layer:
    """A blob that is in a repository: uploaded to it, mounted into it, or referenced by one of its images."""

    digest: str
    size: int
    added_at: datetime
    media_type: str | None = None


@dataclass(frozen=True)
class References:
    """What a manifest points at: blobs (config and layers, by digest) and, for an index, child manifests."""

    blobs: dict[str, dict]
    manifests: dict[str, dict]


def manifest_references(manifest: dict | None) -> References:
    """The descriptors of ``manifest`` (a parsed image manifest or index), by digest."""
    blobs: dict[str, dict] = {}
    manifests: dict[str, dict] = {}
    if isinstance(manifest, dict):
        config = manifest.get("config")
        if isinstance(config, dict) and isinstance(config.get("digest"), str):
            blobs[config["digest"]] = config
        for key, target in (("layers", blobs), ("blobs", blobs), ("manifests", manifests)):
            items = manifest.get(key)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("digest"), str):
                    target.setdefault(item["digest"], item)
    return References(blobs, manifests)


def image_references(image: "Image") -> References:
    """The descriptors of a stored image's manifest (none for a seeded image without one)."""
    if not image.manifest:
        return References({}, {})
    try:
        return manifest_references(json.loads(image.manifest))
    except ValueError:
        return References({}, {})


@dataclass
class Repository:
    name: str
    registry_id: str
    region: str
    created_at: datetime
    image_tag_mutability: str = "MUTABLE"
    mutability_exclusion_filters: list[dict] = field(default_factory=list)
    scan_on_push: bool = False
    encryption_type: str = "AES256"
    kms_key: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    policy_text: str | None = None
    images: dict[str, Image] = field(default_factory=dict)
    """Images by digest, in push order."""
    layers: dict[str, Layer] = field(default_factory=dict)
    """Blobs in this repository by digest (uploaded, mounted or referenced by an image)."""

    @property
    def arn(self) -> str:
        return repository_arn(self.region, self.registry_id, self.name)

    @property
    def uri(self) -> str:
        return repository_uri(self.region, self.registry_id, self.name)

    def image_by_tag(self, tag: str) -> Image | None:
        return next((image for image in self.images.values() if tag in image.tags), None)

    def find(self, tag: str | None = None, digest: str | None = None) -> Image | None:
        """The image named by a tag, a digest, or both (both must then name the same image)."""
        image = self.images.get(digest) if digest else self.image_by_tag(tag or "")
        if image is None or (tag and tag not in image.tags):
            return None
        return image

    def tag(self, image: Image, tag: str) -> None:
        """Point ``tag`` at ``image``, taking it off whichever image held it (the old one stays, untagged)."""
        holder = self.image_by_tag(tag)
        if holder is not None and holder is not image:
            holder.tags.remove(tag)
        if tag not in image.tags:
            image.tags.append(tag)


@dataclass
class EcrState:
    repositories: dict[str, Repository] = field(default_factory=dict)
    """Repositories by name."""
    account_settings: dict[str, str] = field(default_factory=dict)
    """ECR account settings by name (``BLOB_MOUNTING``: ``ENABLED`` / ``DISABLED``, the default)."""
