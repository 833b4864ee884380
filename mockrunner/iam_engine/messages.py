"""IAM's own wording, in one place.

Messages are data: the validator raises :class:`MalformedPolicyError` with one of the texts below, and
the evaluator formats AWS's access-denied sentences from :data:`DENY_TEMPLATES`. Keeping the words here
means the wire layer (a later issue) can return them verbatim as ``MalformedPolicyDocument`` /
``AccessDenied`` messages.
"""

from __future__ import annotations

SYNTAX_ERROR = "Syntax errors in policy."
# CreatePolicy / CreatePolicyVersion insist on the current grammar version; inline policies do not.
VERSION_REQUIRED = "Policy document must be version 2012-10-17 or greater."
LEGACY_PARSING = "The policy failed legacy parsing"
PRINCIPAL_NOT_ALLOWED = "Policy document should not specify a principal."
MISSING_PRINCIPAL = "Missing required field Principal"
MISSING_RESOURCE = "Missing required field Resource"
MISSING_ACTIONS = "Policy statement must contain actions."
MISSING_RESOURCES = "Policy statement must contain resources."
PROHIBITED_FIELD = "Has prohibited field {field}"
SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
SID_NOT_ALNUM = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
ACTION_NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ACTION_TWO_COLONS = "Actions/Condition can contain only one colon."
ACTION_BAD_VENDOR = "Vendor {vendor} is not valid"
TRUST_ACTIONS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."
RESOURCE_NOT_ARN = 'Resource {resource} must be in ARN format or "*".'
RESOURCE_VENDOR = "Resource vendor must be fully qualified and cannot contain regexes."
INVALID_PRINCIPAL = "Invalid principal in policy: {principal}"
UNKNOWN_CONDITION = "Invalid Condition type : {operator}"


class MalformedPolicyError(ValueError):
    """A policy document IAM would refuse; ``message`` is the text IAM returns with MalformedPolicyDocument."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Layer -> (explicit deny sentence, implicit deny sentence). Wording from the IAM User Guide,
# "Troubleshoot access denied error messages" (the 2021+ format that names the policy type).
DENY_TEMPLATES: dict[str, tuple[str, str]] = {
    "identity": (
        "with an explicit deny in an identity-based policy",
        "because no identity-based policy allows the {action} action",
    ),
    "permissionsBoundary": (
        "with an explicit deny in a permissions boundary",
        "because no permissions boundary allows the {action} action",
    ),
    "session": (
        "with an explicit deny in a session policy",
        "because no session policy allows the {action} action",
    ),
    "resource": (
        "with an explicit deny in a resource-based policy",
        "because no resource-based policy allows the {action} action",
    ),
}


def denial_message(principal_arn: str, action: str, resource: str, layer: str, explicit: bool) -> str:
    """AWS's AccessDenied sentence for a request refused at ``layer``."""
    why = DENY_TEMPLATES[layer][0 if explicit else 1].format(action=action)
    return f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {why}"


def allowed_message(principal_arn: str, action: str, resource: str, layers: list[str]) -> str:
    """A short explanation for an allow; AWS says nothing, so this is ours."""
    return f"User: {principal_arn} is allowed to perform: {action} on resource: {resource} by {' + '.join(layers)}"
