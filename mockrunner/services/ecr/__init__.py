"""Amazon ECR: importing this package registers every ECR operation it serves."""
from mockrunner.services.ecr import core  # noqa: F401 - imported so that its operations register
from mockrunner.services.ecr.core import parse_image_identifier, put_image_record

__all__ = ["parse_image_identifier", "put_image_record"]
