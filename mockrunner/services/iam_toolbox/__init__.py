"""IAM Toolbox (Preview): the Access Troubleshooter's two read operations; importing this package registers them
(and, through :mod:`mockrunner.auth.troubleshooter`, the authorization id on IAM's denials)."""
from mockrunner.services.iam_toolbox import authorization_details  # noqa: F401 - imported so its operations register
