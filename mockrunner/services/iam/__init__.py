"""AWS Identity and Access Management: importing this package registers every IAM operation it serves."""
from mockrunner.services.iam import (  # noqa: F401 - imported so that their operations register
    core,
    oidc_providers,
    outbound_federation,
    saml_providers,
)
