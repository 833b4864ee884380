"""An attacker's eighth pass: the request context (condition keys and their values) the server builds for each call.
Real clients throughout: boto3 in both modes (``aws``) and against a real server (``server``).

Findings (each has a test here that failed before its fix):

* GetFederationToken sessions had no ``aws:MultiFactorAuthPresent``: the key is "present only in requests that are
  signed using temporary security credentials" (false without MFA), so a Deny on ``Bool`` false matched nothing
  for a federated user.  Every session now carries it; long-term keys still do not.
* ``aws:RequestedRegion`` of an IAM request was the Region the client signed for (``eu-west-1``): IAM's requests
  are made to us-east-1, so a Deny outside a Region list that does not exempt ``iam:*`` was sidestepped by
  configuring the client for an allowed Region.  It is us-east-1 now.
* ECR's ``customRoleArn`` (CreatePullThroughCacheRule, UpdatePullThroughCacheRule, Create/Update
  RepositoryCreationTemplate) handed ECR any role of the account without ``iam:PassRole``.  Passing it now needs
  ``iam:PassRole`` with ``iam:PassedToService`` the principal that assumes the role.
* GenerateOrganizationsAccessReport did not carry ``iam:OrganizationsPolicyId``: a Deny on it matched nothing.
* App Runner's pull with the access role was decided without any global key: an access role allowed ECR only in
  its Region (``aws:RequestedRegion``) failed every deployment, and a Deny on ``aws:MultiFactorAuthPresent`` false
  or on ``aws:SecureTransport`` never matched.  The pull now carries the session's keys (Region of the image,
  HTTPS, temporary credentials without MFA, ``aws:ViaAWSService`` false).

Probes that held (not pinned here: each answer is one an existing test already asserts, or the engine's):

* ``iam:PermissionsBoundary`` forces a boundary: CreateRole/CreateUser without it or with another, and
  PutRolePermissionsBoundary to another policy, are refused; Attach/Put/Detach/Delete on a role carry its boundary.
* ``iam:PolicyARN`` on Attach*/Detach*, ``iam:AWSServiceName`` on CreateServiceLinkedRole, ``iam:PassedToService``
  and ``iam:AssociatedResourceArn`` on App Runner's PassRole checks, ``sts:ExternalId``/``sts:RoleSessionName``/
  ``sts:TransitiveTagKeys`` on AssumeRole.
* ``aws:RequestTag``/``aws:TagKeys``/``aws:ResourceTag``/``ecr:ResourceTag`` on ECR CreateRepository, TagResource,
  UntagResource; App Runner create-with-tags also checks ``apprunner:TagResource``.
* ``aws:PrincipalTag`` follows the user's and the role's tags while a session is live; session tags override them.
* ``aws:PrincipalArn`` of a role session is the role's ARN; ``aws:userid`` is ``<role id>:<session>``;
  ``aws:username`` only for IAM users; ``aws:PrincipalType``/``aws:PrincipalAccount`` for every principal.
* ``aws:TokenIssueTime`` only for sessions; ``aws:MultiFactorAuthAge`` only with MFA; ``aws:SecureTransport`` false
  over HTTP; ``aws:SourceIp`` from the socket (``X-Forwarded-For``, ``X-Real-IP``, ``Forwarded`` ignored);
  ``aws:SourceVpc`` never present.
* Policy variables: ``${aws:username}`` and ``${aws:PrincipalTag/x}`` in Resource and Condition; a missing key
  (``${aws:username}`` of a role session) does not match, a default does; ``${*}${?}${$}`` are literal.
"""
from __future__ import annotations

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key
from tests.roles.helpers import World, create_request

DENIED = {"AccessDenied", "AccessDeniedException"}
UPSTREAM = "210987654321.dkr.ecr.us-east-1.amazonaws.com"


def _deny(action: str, condition: dict, **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": "*", "Condition": condition, **extra}


# ------------------------------------------------------------------------------------------------ global keys
def test_a_federated_user_without_mfa_is_refused_by_a_deny_on_mfa_present_false(aws):
    no_mfa = _deny("ecr:*", {"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    key = user_with_key(aws, "u", inline={"p": doc(allow(["ecr:*", "sts:GetFederationToken"]), no_mfa)})
    # Long-term keys carry no aws:MultiFactorAuthPresent: a plain Bool does not match them.
    assert aws.client("ecr", key["AccessKeyId"], key["SecretAccessKey"]).describe_repositories()["repositories"] == []
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    session = sts.get_federation_token(Name="fed", Policy=doc(allow("ecr:*")))["Credentials"]
    code, message, _ = error_of(aws.client_for(session, "ecr").describe_repositories)
    assert code == "AccessDeniedException" and "explicit deny" in message


def test_an_iam_request_is_in_us_east_1_whatever_region_the_client_signs_for(aws):
    outside_ireland = _deny("*", {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}})
    key = user_with_key(aws, "u", inline={"p": doc(allow("*"), outside_ireland)})
    iam = aws.client("iam", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1")
    code, message, _ = error_of(iam.list_users)
    assert code == "AccessDenied" and "explicit deny" in message
    ecr = aws.client("ecr", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1")
    assert ecr.describe_repositories()["repositories"] == []


# ------------------------------------------------------------------------------------------------ iam:PassRole
def _ecr_caller(aws, *extra: dict):
    iam = aws.client("iam")
    for name, service in (("puller", "pullthroughcache.ecr.amazonaws.com"), ("creator", "ecr.amazonaws.com")):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}))
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow("*")))
    # ECR's first pull through cache rule creates its service-linked role, with the caller's permission.
    slr = allow("iam:CreateServiceLinkedRole", Condition={"StringEquals": {
        "iam:AWSServiceName": "pullthroughcache.ecr.amazonaws.com"}})
    key = user_with_key(aws, "u", inline={"p": doc(allow("ecr:*"), slr, *extra)})
    return aws.client("ecr", key["AccessKeyId"], key["SecretAccessKey"])


def test_a_pull_through_cache_rule_cannot_take_a_role_the_caller_may_not_pass(aws):
    ecr = _ecr_caller(aws)
    puller = f"arn:aws:iam::{ACCOUNT}:role/puller"
    code, message, _ = error_of(ecr.create_pull_through_cache_rule, ecrRepositoryPrefix="up",
                                     upstreamRegistryUrl=UPSTREAM, upstreamRegistry="ecr", customRoleArn=puller)
    assert code == "AccessDeniedException"
    assert f"iam:PassRole on resource: {puller}" in message
    assert aws.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


def test_a_pull_through_cache_role_passes_to_the_pull_through_cache_principal(aws):
    only_to_ptc = allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*", Condition={
        "StringEquals": {"iam:PassedToService": "pullthroughcache.ecr.amazonaws.com"}})
    ecr = _ecr_caller(aws, only_to_ptc)
    puller, creator = f"arn:aws:iam::{ACCOUNT}:role/puller", f"arn:aws:iam::{ACCOUNT}:role/creator"
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="up", upstreamRegistryUrl=UPSTREAM,
                                       upstreamRegistry="ecr", customRoleArn=puller)
    assert ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="up", customRoleArn=puller)["customRoleArn"] == puller
    # The same permission does not pass a role to ECR's repository creation.
    code, message, _ = error_of(ecr.create_repository_creation_template, prefix="team", appliedFor=["REPLICATION"],
                                customRoleArn=creator)
    assert code == "AccessDeniedException" and f"iam:PassRole on resource: {creator}" in message
    assert aws.client("ecr").describe_repository_creation_templates()["repositoryCreationTemplates"] == []


def test_a_repository_creation_template_cannot_be_given_a_role_later_without_pass_role(aws):
    ecr = _ecr_caller(aws)
    # The caller may not create ECR's template service-linked role, which the first template creates: it exists.
    aws.client("iam").create_service_linked_role(AWSServiceName="ecr.amazonaws.com")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["REPLICATION"])
    creator = f"arn:aws:iam::{ACCOUNT}:role/creator"
    code, message, _ = error_of(ecr.update_repository_creation_template, prefix="team", customRoleArn=creator)
    assert code == "AccessDeniedException" and f"iam:PassRole on resource: {creator}" in message
    (template,) = aws.client("ecr").describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert "customRoleArn" not in template or not template["customRoleArn"]


# ------------------------------------------------------------------------------------------------ IAM keys
def test_a_deny_on_the_organizations_policy_id_refuses_the_access_report(aws):
    policy_id = "p-examplepolicy"
    deny = _deny("iam:GenerateOrganizationsAccessReport", {"StringEquals": {"iam:OrganizationsPolicyId": policy_id}})
    key = user_with_key(aws, "u", inline={"p": doc(allow("iam:*"), deny)})
    iam = aws.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    entity = f"o-a1b2c3d4e5/r-f6g7h8i9j0example/{ACCOUNT}"
    code, message, _ = error_of(iam.generate_organizations_access_report, EntityPath=entity,
                                OrganizationsPolicyId=policy_id)
    assert code == "AccessDenied" and "explicit deny" in message
    assert error_of(iam.generate_organizations_access_report, EntityPath=entity)[0] == \
        "OrganizationNotFoundException"


# ------------------------------------------------------------------------------------------------ App Runner's pull
def _deployed(aws, access_policy: str) -> tuple[World, str]:
    world = World(aws)
    image = world.image()
    role = world.access_role("RegionalAccess", managed=(), inline=access_policy)
    arn = world.apprunner.create_service(**create_request("web-app", image, role))["Service"]["ServiceArn"]
    return world, world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]


def test_an_access_role_allowed_ecr_in_its_region_pulls_the_image(aws):
    in_region = allow("ecr:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                                          "Bool": {"aws:SecureTransport": "true"}})
    assert _deployed(aws, doc(in_region))[1] == "RUNNING"


def test_a_deny_on_temporary_credentials_without_mfa_reaches_the_access_role_pull(aws):
    no_mfa = _deny("ecr:BatchGetImage", {"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    world, status = _deployed(aws, doc(allow("ecr:*"), no_mfa))
    assert status == "CREATE_FAILED"
    assert "ecr:BatchGetImage" in " ".join(failure["reason"] for failure in world.failures(
        world.apprunner.list_services()["ServiceSummaryList"][0]["ServiceArn"]))
