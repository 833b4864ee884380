"""AWS Identity and Access Management: importing this package registers every IAM operation it serves."""
from mockrunner.services.iam import (  # noqa: F401 - imported so that their operations register
    access_keys,
    account,
    entity_policies,
    groups,
    managed_policies,
    oidc_providers,
    outbound_federation,
    roles,
    saml_providers,
    server_certificates,
    service_linked_roles,
    signing_certificates,
    simulator,
    ssh_keys,
    tags,
    users,
)
