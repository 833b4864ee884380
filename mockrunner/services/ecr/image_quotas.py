"""ECR's quotas on what a repository holds: images per repository and tags per image.

Both are in ECR's service quotas table ("Images per repository", 100,000, adjustable; tags per image, 1,000 since
aws/containers-roadmap#396).  A push past either is PutImage's LimitExceededException and, over the registry API,
403 ``DENIED`` (what ``docker push`` prints as ``denied: ...``), with ECR's own texts:

* "The repository with name 'r' in registry with id '123456789012' already has the maximum allowed number of
  images which is '10000'" (a push into a full repository, quoted when the quota was 10,000);
* "Adding tag 't' to an image in the repository with name 'r' in registry with id '123456789012' exceeds the
  maximum allowed number of tags per image which is '1000'" (namespacelabs/foundation#649).

Images copied in by replication are not counted against the destination's quota (what ECR does there is not on
record): a destination repository holds at most what its sources and its own pushes may.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mockrunner.errors import ServiceError

if TYPE_CHECKING:
    from mockrunner.model.ecr import Image, Repository

MAX_IMAGES_PER_REPOSITORY = 100_000
"""ECR's default "Images per repository" quota."""
MAX_TAGS_PER_IMAGE = 1000
"""Tags one image may carry."""


class QuotaExceeded(ServiceError):
    """LimitExceededException that the registry API answers 403 ``DENIED`` (``registry_answer``)."""

    registry_answer = (403, "DENIED")

    def __init__(self, message: str) -> None:
        super().__init__("LimitExceededException", message)


def refusal(repo: "Repository", image: "Image | None", tag: str | None) -> QuotaExceeded | None:
    """Why pushing ``image`` (``None``: a manifest the repository does not hold yet) with ``tag`` into ``repo``
    would pass a quota, or ``None``."""
    where = f"repository with name '{repo.name}' in registry with id '{repo.registry_id}'"
    if image is None and len(repo.images) >= MAX_IMAGES_PER_REPOSITORY:
        return QuotaExceeded(f"The {where} already has the maximum allowed number of images which is "
                             f"'{MAX_IMAGES_PER_REPOSITORY}'")
    tags = image.tags if image is not None else []
    if tag and tag not in tags and len(tags) >= MAX_TAGS_PER_IMAGE:
        return QuotaExceeded(f"Adding tag '{tag}' to an image in the {where} exceeds the maximum allowed number of "
                             f"tags per image which is '{MAX_TAGS_PER_IMAGE}'")
    return None
