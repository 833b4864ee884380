"""Amazon ECR: importing this package registers every ECR operation it serves."""
from mockrunner.services.ecr import (  # noqa: F401 - each registers its operations
    auth_token,
    images,
    layers,
    lifecycle,
    pull_through,
    registry_settings,
    replication,
    replication_backfill,
    repositories,
    scanning,
    storage,
    templates,
)
from mockrunner.services.ecr.core import parse_image_identifier, put_image_record

lifecycle.install()

__all__ = ["parse_image_identifier", "put_image_record"]
