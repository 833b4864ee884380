"""AWS Identity and Access Management: importing this package registers every IAM operation it serves."""
from mockrunner.services.iam import core, oidc_providers, simulator  # noqa: F401 - imported so that their operations register
