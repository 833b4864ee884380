"""AWS Security Token Service: importing this package registers every STS operation it serves."""
from mockrunner.services.sts import core, saml  # noqa: F401 - imported so that their operations register
