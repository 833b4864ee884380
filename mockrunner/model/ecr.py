"""ECR state of one account in one region: repositories and the registry's own settings.

Repositories by name; each owns its images by digest and records the layers (blobs) that are in it.  An image
pushed with PutImage keeps its manifest; an image declared by a seed file may have none (``manifest is None``)
but exists for every other purpose, which is all App Runner's pull check needs.  Layer bytes live in the
store's blob store (:mod:`mockrunner.model.blobs`), never here.  Registry settings (policy, replication,
scanning, pull through cache rules, creation templates, signing, account settings, pull time exclusions,
replication backfills) live on :class:`EcrState`.
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
FOREIGN_LAYER_MEDIA_TYPES = frozenset({
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
})
"""Layers a client does not push by default (Windows base layers, fetched from their ``urls``): a manifest naming
one is stored without it (docs/behaviour.md, "Hostile input: fiftieth pass")."""


def repository_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:ecr:{region}:{account_id}:repository/{name}"


def repository_uri(region: str, account_id: str, name: str) -> str:
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com/{name}"


def manifest_digest(manifest: str) -> str:
    """ECR's image digest: sha256 of the manifest bytes exactly as pushed."""
    return "sha256:" + hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def digest_mismatch(manifest: str, digest: str) -> str | None:
    """The digest ``manifest`` has when ``digest`` is not it, else None: an image's digest is its manifest's
    (PutImage computes it; a client pulling the image compares the two and refuses it otherwise), the one rule a
    seed's image and a state file's are held to.  Raises ``UnicodeEncodeError`` for a manifest that is not Unicode
    text."""
    computed = manifest_digest(manifest)
    return None if computed == digest else computed


@dataclass
class ImageScan:
    """The latest basic scan of an image: IN_PROGRESS until ``completes_at`` on the store clock, then COMPLETE
    with the findings seeded for its digest at that moment (none by default), or FAILED when its digest was
    seeded as an image the scanner does not support (``EcrState.unsupported_scans``)."""

    started_at: datetime
    completes_at: datetime
    status: str = "IN_PROGRESS"
    findings: list[dict] = field(default_factory=list)

    def status_out(self) -> dict:
        description = SCAN_DESCRIPTIONS[self.status]
        return {"status": self.status, "description": description} if description else {"status": self.status}

    def severity_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            severity = finding.get("severity", "UNDEFINED")
            counts[severity] = counts.get(severity, 0) + 1
        return counts


SCAN_DESCRIPTIONS = {"IN_PROGRESS": None, "COMPLETE": "The scan was completed successfully.",
                     "FAILED": "UnsupportedImageError: The operating system and/or package manager are not "
                               "supported."}
"""A basic scan's status -> its description; FAILED's as ECR answers a scan of an image whose operating system
its basic scanning does not support (docs/behaviour.md, "Sweep: every paginator and waiter")."""


@dataclass
class LifecyclePreview:
    """A StartLifecyclePolicyPreview run: IN_PROGRESS until ``completes_at``; its results are what the policy
    selected among the images present when it started."""

    policy_text: str
    completes_at: datetime
    results: list[dict] = field(default_factory=list)


@dataclass
class ReplicationBackfill:
    """A StartReplicationBackfill run toward one destination registry and region.

    PREPARING until ``prepared_at`` on the store clock, when the images to replicate are chosen (``planned``);
    then IN_PROGRESS (STOPPING once stopped) until ``completes_at``, when the replications are made and it ends
    COMPLETE, FAILED or STOPPED at ``ended_at``.  Stopped while PREPARING it ends STOPPED at once, with nothing
    planned.
    """

    backfill_id: str
    destination: dict
    """ReplicationDestination: ``region`` and ``registryId``."""
    started_at: datetime
    prepared_at: datetime
    completes_at: datetime
    status: str = "PREPARING"
    planned: list[dict] | None = None
    """Images to replicate (``repositoryName``, ``imageDigest``, ``imageTags``); ``None`` until prepared."""
    results: list[dict] = field(default_factory=list)
    """ReplicationBackfillResult entries, one per image and tag, once it has ended."""
    failure_code: str | None = None
    ended_at: datetime | None = None


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
    status: str = "ACTIVE"
    """Storage class as ImageStatus: ACTIVE (standard), ARCHIVED, or ACTIVATING until ``activates_at``."""
    last_archived_at: datetime | None = None
    last_activated_at: datetime | None = None
    activates_at: datetime | None = None
    last_pulled_at: datetime | None = None
    scan: ImageScan | None = None
    replication: list[dict] = field(default_factory=list)
    """ImageReplicationStatus entries (``region``, ``registryId``, ``status``, ``failureCode``)."""
    signing: list[dict] = field(default_factory=list)
    """ImageSigningStatus entries, one per signing profile whose rule matched at push."""

    @property
    def pullable(self) -> bool:
        """Whether the image can be pulled: "Archived images cannot be pulled. Requests to pull the archived image
        will fail with a 404 error" (ECR User Guide, "Archiving an image"); nor while a restore still activates it."""
        return self.status == "ACTIVE"

    @property
    def subject_digest(self) -> str | None:
        """The digest of the image this artifact refers to (an OCI ``subject``), if any."""
        return _read(self).subject


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
    """The descriptors of ``manifest`` (a parsed image manifest or index), by digest.  A Docker V2 Schema 1
    manifest's layers are its ``fsLayers``, named by ``blobSum`` (a descriptor ``{"digest": <blobSum>}`` each)."""
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
        schema1_layers = manifest.get("fsLayers") if manifest.get("schemaVersion") == 1 else None
        for item in schema1_layers if isinstance(schema1_layers, list) else ():
            if isinstance(item, dict) and isinstance(item.get("blobSum"), str):
                blobs.setdefault(item["blobSum"], {"digest": item["blobSum"]})
    return References(blobs, manifests)


def image_references(image: "Image") -> References:
    """The descriptors of a stored image's manifest (none for a seeded image without one).  Read-only: the answer
    is shared by every later call for the same manifest."""
    return _read(image).references


@dataclass(frozen=True)
class _Read:
    """What the store asks of a stored manifest, read from its text once."""

    text: str | None
    references: References
    subject: str | None


def _read(image: "Image") -> _Read:
    """The image's manifest as :class:`_Read`, kept on the image as machinery, not state (an instance attribute
    outside the dataclass fields, so snapshots never hold it) and read again only when ``manifest`` is another
    string.  Garbage collection, blob mounts, referrers, replication plans and deletion checks ask this of every
    image of a repository, or of the store, on each call: parsing every manifest (up to 4 MiB each) each time was
    seconds under the store lock for a few dozen large manifests."""
    cached: _Read | None = image.__dict__.get("_read")
    if cached is not None and cached.text is image.manifest:
        return cached
    try:
        manifest = json.loads(image.manifest) if image.manifest else None
    except ValueError:
        manifest = None
    subject = manifest.get("subject") if isinstance(manifest, dict) else None
    digest = subject.get("digest") if isinstance(subject, dict) else None
    read = _Read(image.manifest, manifest_references(manifest),
                 digest if isinstance(digest, str) else None)
    image.__dict__["_read"] = read
    return read


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
    lifecycle_policy: str | None = None
    lifecycle_evaluated_at: datetime | None = None
    lifecycle_due_at: datetime | None = None
    """When the lifecycle policy is next applied (store clock); ``None`` without a policy."""
    lifecycle_preview: LifecyclePreview | None = None
    layers: dict[str, Layer] = field(default_factory=dict)
    """Blobs in this repository by digest (uploaded, mounted or referenced by an image)."""
    timed: list[str] | None = None
    """Digests of the images with a change due on the store clock (ACTIVATING, a scan IN_PROGRESS), so that
    advancing the clock looks at those alone, whatever the repository's size; ``None`` (a new repository, or a
    state saved without it): worked out from every image at the next advance."""

    def expect_change(self, image: Image) -> None:
        """Note that ``image`` now has a change due on the store clock."""
        if self.timed is not None and image.digest not in self.timed:
            self.timed.append(image.digest)

    @property
    def arn(self) -> str:
        return repository_arn(self.region, self.registry_id, self.name)

    @property
    def uri(self) -> str:
        return repository_uri(self.region, self.registry_id, self.name)

    def image_by_tag(self, tag: str) -> Image | None:
        """The image carrying ``tag``, if any.

        Answered from an index of tag -> digest that is machinery, not state (an instance attribute outside the
        dataclass fields, so snapshots never hold it), built from every image at the first lookup.  An answer from
        the index is checked against the image itself; when the index has no entry or a stale one, the images are
        searched as without it and the index is corrected, so it is never believed wrongly and nothing that moves
        a tag needs to know about it.  A tag that is found costs the same at any repository size.
        """
        index: dict[str, str] | None = self.__dict__.get("_tag_index")
        if index is None:
            index = {}
            for image in self.images.values():
                for each in image.tags:
                    index.setdefault(each, image.digest)
            self.__dict__["_tag_index"] = index
        image = self.images.get(index.get(tag, ""))
        if image is not None and tag in image.tags:
            return image
        image = next((image for image in self.images.values() if tag in image.tags), None)
        if image is not None:
            index[tag] = image.digest
        else:
            index.pop(tag, None)
        return image

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
class PullThroughCacheRule:
    prefix: str
    upstream_url: str
    upstream_registry: str
    created_at: datetime
    updated_at: datetime | None = None
    credential_arn: str | None = None
    custom_role_arn: str | None = None
    upstream_prefix: str | None = None


@dataclass
class CreationTemplate:
    """A repository creation template: settings for repositories ECR creates on the caller's behalf."""

    prefix: str
    applied_for: list[str]
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    encryption: dict | None = None
    resource_tags: list[dict] = field(default_factory=list)
    image_tag_mutability: str = "MUTABLE"
    mutability_exclusion_filters: list[dict] = field(default_factory=list)
    repository_policy: str | None = None
    lifecycle_policy: str | None = None
    custom_role_arn: str | None = None


@dataclass
class EcrState:
    repositories: dict[str, Repository] = field(default_factory=dict)
    """Repositories by name."""
    registry_policy: str | None = None
    replication_rules: list[dict] = field(default_factory=list)
    scan_type: str = "BASIC"
    scanning_rules: list[dict] = field(default_factory=list)
    pull_through_rules: dict[str, PullThroughCacheRule] = field(default_factory=dict)
    creation_templates: dict[str, CreationTemplate] = field(default_factory=dict)
    signing_rules: list[dict] | None = None
    """``None`` until PutSigningConfiguration (GetSigningConfiguration then answers not found)."""
    account_settings: dict[str, str] = field(default_factory=dict)
    """ECR account settings by name (``BLOB_MOUNTING``: ``ENABLED`` / ``DISABLED``, the default, ...)."""
    pull_time_exclusions: dict[str, datetime] = field(default_factory=dict)
    """Principal ARN -> when it was registered."""
    seeded_findings: dict[str, list[dict]] = field(default_factory=dict)
    """Scan findings by image digest, as a test seeded them through the admin API."""
    unsupported_scans: list[str] = field(default_factory=list)
    """Image digests whose basic scans fail as of an unsupported image (seeded through the admin API)."""
    replication_backfills: dict[str, ReplicationBackfill] = field(default_factory=dict)
    """Replication backfills by id, in start order (ended ones until their retention ends)."""
