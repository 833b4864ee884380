"""AWS Identity and Access Management: importing this package registers every IAM operation it serves."""
from mockrunner.services.iam import (  # noqa: F401 - imported so that their operations register
    access_keys,
    account,
    entity_policies,
    groups,
    instance_profiles,
    managed_policies,
    oidc_providers,
    outbound_federation,
    passwords,
    roles,
    saml_providers,
    service_linked_roles,
    simulator,
    tags,
    users,
)
