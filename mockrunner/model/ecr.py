"""ECR state of one account in one region (the slice App Runner pulls from).

Repositories by name; each owns its images by digest.  An image pushed with PutImage keeps its manifest; an
image declared by a seed file may have none (``manifest is None``) but exists for every other purpose, which is
all App Runner's pull check needs.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


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
