"""AWS Security Token Service: importing this package registers every STS operation it serves."""
from mockrunner.services.sts import (  # noqa: F401 - imported so that their operations register
    core,
    federation,
    outbound_tokens,
    privileged,
    saml,
    scoped,
)
