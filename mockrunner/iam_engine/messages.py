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
# A resource policy without Principal: S3's PutBucketPolicy wording (IAM has no generic resource-policy API;
# humanmade/S3-Uploads#191 quotes it). Role trust policies get IAM's own sentence below.
MISSING_PRINCIPAL = "Missing required field Principal"
# CreateRole / UpdateAssumeRolePolicy without Principal (quoted in terraform-aws-modules/terraform-aws-iam#47
# and cloudposse/terraform-aws-cloudwatch-logs#7).
TRUST_MISSING_PRINCIPAL = (
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
    "The passed in policy has a statement with no principals!"
)
MISSING_ACTIONS = "Policy statement must contain actions."
# IAM says this both for a statement without Resource/NotResource and for an empty list (hashicorp/terraform#9002
# omits the key; moto's tests/test_iam/test_iam_policies.py records both forms). "Missing required field
# Resource" is not an IAM message; the old name is kept as an alias for callers.
MISSING_RESOURCES = "Policy statement must contain resources."
PROHIBITED_FIELD = "Has prohibited field {field}"
SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."
SID_NOT_ALNUM = (
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
)
ACTION_NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
ACTION_TWO_COLONS = "Actions/Condition can contain only one colon."
ACTION_BAD_VENDOR = "Vendor {vendor} is not valid"
TRUST_CONDITION_TYPE = "Invalid Condition type : {operator}"
TRUST_CONDITION_TWO_COLONS = "Condition can contain only one colon."
TRUST_ACTIONS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."
TRUST_STAR_PRINCIPAL = 'AssumeRolepolicy contained an invalid principal: "STAR":"*".'
FEDERATED_PRINCIPAL = "Federated principals must be valid domain names or SAML metadata ARNs"
"""Both recorded from AWS, 2026-09-11 (radkawar/stackd, internal/services/sts/testdata/saml_trust_aws.json,
"principal_star_create", "principal_star_assume_role_create", "principal_federated_star_create")."""
RESOURCE_NOT_ARN = 'Resource {resource} must be in ARN format or "*".'
RESOURCE_VENDOR = "Resource vendor must be fully qualified and cannot contain regexes."
RESOURCE_PARTITION = 'Partition "{partition}" is not valid for resource "{resource}".'
IAM_RESOURCE_REGION = "IAM resource {resource} cannot contain region information."
S3_RESOURCE_REGION = "Resource {resource} can not contain region information."
# Recorded from AWS in 2026 (LocalStack snapshot tests/aws/services/iam/test_iam_policies.snapshot.json, invalid-35):
# the list now names "root" too.
IAM_RESOURCE_PATH = (
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, '
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, "
    "access-report/."
)
INVALID_PRINCIPAL = "Invalid principal in policy: {principal}"
# An unknown condition operator is the plain SYNTAX_ERROR (moto's test_iam_policies.py records {"x": {"a": "1"}} ->
# "Syntax errors in policy."; an unknown operator with an empty key map is accepted): it has no message of its own.


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


# mockrunner's own sentence (AWS cannot hold an unreadable policy, so it has none): AWS's AccessDenied form, with
# the reason naming the policy the engine could not read.
UNREADABLE_REASON = "because the {layer} {policy_id} cannot be read ({reason})"


def unreadable_message(principal_arn: str, action: str, resource: str, layer: str, policy_id: str,
                       reason: str) -> str:
    """The AccessDenied sentence for a request refused because ``policy_id`` (of ``layer``) cannot be read."""
    why = UNREADABLE_REASON.format(layer=layer, policy_id=policy_id, reason=reason.rstrip("."))
    return f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {why}"


def allowed_message(principal_arn: str, action: str, resource: str, layers: list[str]) -> str:
    """A short explanation for an allow; AWS says nothing, so this is ours."""
    return f"User: {principal_arn} is allowed to perform: {action} on resource: {resource} by {' + '.join(layers)}"
