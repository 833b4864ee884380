"""App Runner's role checks, called by the App Runner handlers at the points AWS makes them.

- ``extra_checks``: authorization checks beyond ``apprunner:<Op>``: ``iam:PassRole`` for the roles a request
  names, ``iam:CreateServiceLinkedRole`` when the account lacks the service-linked role the call would create.
- ``verify_roles``: the synchronous trust checks (App Runner assuming the access / instance role).
- ``ensure_service_linked_role``: create the service-linked role on first use.
- ``deployment_failure``: when an operation runs, why the image cannot be pulled (``None``: it can).
- ``instance_role_credentials``: the temporary credentials code running in a service gets for its instance role
  (the admin API serves them, so a test can check what the application will be allowed to do).

Every decision here goes through the same authorizer and policy engine as a request: the trust policy judged
with App Runner's service principal as the caller, the access role's own policies (and a cross-account
repository's policy) judged with a session of the role as the caller.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockrunner.arns import account_of
from mockrunner.auth import authorizer
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.errors import ServiceError
from mockrunner.model.ecr_applied_policies import applied_policies
from mockrunner.model.iam import new_role_session, session_credentials
from mockrunner.services.apprunner.errors import invalid
from mockrunner.services.ecr import core as ecr
from mockrunner.services.iam.service_linked_roles import create_on_first_use, first_use_checks

if TYPE_CHECKING:
    from datetime import datetime

    from mockrunner.context import RequestContext
    from mockrunner.model.apprunner import Service
    from mockrunner.model.iam import Role
    from mockrunner.model.store import Account, Store

APPRUNNER = "apprunner.amazonaws.com"
"""The principal roles are passed to (the value AWSAppRunnerFullAccess's PassRole condition expects)."""
BUILD_PRINCIPAL = "build.apprunner.amazonaws.com"
"""Who assumes the access role to pull images (App Runner Developer Guide, "Service-linked roles / IAM roles")."""
TASKS_PRINCIPAL = "tasks.apprunner.amazonaws.com"
"""Who assumes the instance role for the running code."""

SLR_FOR_OPERATION = {
    "CreateService": "apprunner.amazonaws.com",
    "CreateVpcConnector": "networking.apprunner.amazonaws.com",
}
"""Which service-linked role an operation creates on first use
(docs/behaviour.md, "App Runner: service-linked roles")."""

PULL_FAILED = ("[AppRunner] Failed to pull your application image. Be sure you configure your service with a "
               "valid access role to your ECR repository.")
"""The event-log text of a failed pull (aws-containers/hello-app-runner#3); a precise detail follows it."""
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
"""What a docker pull calls on the repository, after ``ecr:GetAuthorizationToken`` on ``*``."""
WATCH_ACTIONS = ("ecr:DescribeImages",)
"""What App Runner calls on the repository, as the access role, to see a push it deploys automatically: without it
a push starts no deployment (the App Runner team in aws/aws-cdk#29285: the CDK-made access role was "lacking
necessary permission to trigger auto deployment"; aws/aws-cdk#29426 names ``ecr:DescribeImages``, which
AWSAppRunnerServicePolicyForECRAccess grants)."""

INSTANCE_SESSION_DURATION = 3600
PULL_SESSION = "AppRunnerECRPull"
"""Session name of the access role while pulling (real App Runner's is not documented; unverified)."""


# ------------------------------------------------------------------------------------------------ lookups
def _roles_named(params: dict) -> list[tuple[str, str]]:
    """``(kind, role ARN)`` for each role a CreateService / UpdateService request names."""
    source = params.get("SourceConfiguration") or {}
    access = (source.get("AuthenticationConfiguration") or {}).get("AccessRoleArn")
    instance = (params.get("InstanceConfiguration") or {}).get("InstanceRoleArn")
    return [(kind, arn) for kind, arn in (("access", access), ("instance", instance)) if arn]


# ------------------------------------------------------------------------------------------------ authorization
def extra_checks(ctx: "RequestContext", operation: str) -> list[Check]:
    """``iam:PassRole`` per role named, then ``iam:CreateServiceLinkedRole`` if this call would create the SLR.

    PassRole is authorized on the role ARN whether or not the role exists (IAM does not look); a missing role is
    App Runner's refusal, in :func:`verify_roles`.  ``iam:AssociatedResourceArn`` is sent only when the service
    ARN is known (UpdateService): whether App Runner sends it at all is unverified.
    """
    checks: list[Check] = []
    if operation in ("CreateService", "UpdateService"):
        context: dict[str, Any] = {"iam:PassedToService": APPRUNNER}
        if ctx.params.get("ServiceArn"):
            context["iam:AssociatedResourceArn"] = ctx.params["ServiceArn"]
        for _kind, arn in _roles_named(ctx.params):
            role = ctx.store.role_at(arn)
            keys = {**context, **resource_tag_keys(role, "role")}
            checks.append(Check("iam:PassRole", arn, context=keys, resource_account=account_of(arn)))
    service_name = SLR_FOR_OPERATION.get(operation)
    if service_name is not None:
        checks += first_use_checks(ctx, service_name)
    return checks


# ------------------------------------------------------------------------------------------------ trust
def _assume_failure(kind: str, arn: str) -> ServiceError:
    # pulumi/pulumi#12417 (access role) and terraform-provider-aws service.go (instance role) quote these texts.
    return ServiceError("InvalidRequestException", f"Error in assuming {kind} role {arn}")


def verify_roles(ctx: "RequestContext", source_configuration: dict | None, instance_configuration: dict | None) -> None:
    """App Runner assumes the roles it is given, synchronously: a role that does not exist, or whose trust policy
    does not admit the App Runner principal, fails the call with ``InvalidRequestException``.

    The access role is checked for private ECR images only (it is what pulls them); for an ECR Public image the
    developer guide says an access role is not used, so one that is given is not assumed (unverified).  A role
    that does not exist gets the same message: App Runner only learns that assuming it failed (unverified, the
    plausible AWS behaviour since App Runner calls sts:AssumeRole and does not read IAM).
    """
    source = source_configuration or {}
    image = source.get("ImageRepository") or {}
    access = (source.get("AuthenticationConfiguration") or {}).get("AccessRoleArn")
    instance = (instance_configuration or {}).get("InstanceRoleArn")
    if access and image.get("ImageRepositoryType") == "ECR" and not _trusts(ctx.store, access, BUILD_PRINCIPAL):
        raise _assume_failure("access", access)
    if instance and not _trusts(ctx.store, instance, TASKS_PRINCIPAL):
        raise _assume_failure("instance", instance)


def _trusts(store: "Store", role_arn: str, service_principal: str) -> bool:
    """Whether App Runner may assume the role; ``soft`` mode decides and logs but lets it through, ``off``
    does not ask (the role need not even exist), like every other authorization check."""
    mode = store.settings.enforce
    if mode == "off":
        return True
    role = store.role_at(role_arn)
    return (role is not None and _trust_allows(store, role, service_principal)) or mode == "soft"


def _trust_allows(store: "Store", role: "Role", service_principal: str, at: "datetime | None" = None) -> bool:
    """The role's trust policy, judged with the App Runner service principal as the caller of sts:AssumeRole (as
    of ``at``; now by default)."""
    check = Check("sts:AssumeRole", role.arn, resource_tag_keys(role, "role"),
                  resource_policy=role.assume_role_policy,
                  resource_policy_id=f"{role.arn}#trust-policy", resource_account=account_of(role.arn))
    return authorizer.decide(store, authorizer.service_principal(service_principal), check, at=at).allowed


# ------------------------------------------------------------------------------------------------ SLR
def ensure_service_linked_role(ctx: "RequestContext", aws_service_name: str) -> None:
    """Create the service-linked role (IAM's own CreateServiceLinkedRole code) unless the account has it.  IAM's
    refusal (a role of the account already has the name) is answered in App Runner's words: its
    ``InvalidRequestException`` with IAM's message (App Runner's own text is *unverified*)."""
    create_on_first_use(ctx, aws_service_name, invalid)


# ------------------------------------------------------------------------------------------------ pull
def deployment_failure(store: "Store", account: "Account", region: str, service: "Service", at: "datetime",
                       mode: str) -> str | None:
    """Why the service's image cannot be pulled at ``at`` (when the deployment was due) under the enforcement
    ``mode`` then, or ``None``.

    The access role, as a role session, needs ``ecr:GetAuthorizationToken`` on ``*`` and the pull actions on
    the repository (a repository in another account must also allow it in its repository policy); then the
    repository and the tag or digest must exist.  Code repositories and ECR Public images need none of this.
    """
    image = (service.source_configuration or {}).get("ImageRepository") or {}
    if image.get("ImageRepositoryType") != "ECR":
        return None
    identifier = image.get("ImageIdentifier", "")
    ref = ecr.parse_image_identifier(identifier)
    if ref is None:
        return f"{PULL_FAILED} The image identifier {identifier} is not a private ECR image URI."
    access = ((service.source_configuration.get("AuthenticationConfiguration") or {}).get("AccessRoleArn"))
    if not access:
        return f"{PULL_FAILED} No access role is configured for the private ECR image {identifier}."
    repo = ecr.find_repository(store, ref.registry_id, ref.region, ref.repository)
    denied = _access_role_denied(store, access, ref, repo, at, mode, PULL_ACTIONS, token=True)
    if denied is not None:
        return f"{PULL_FAILED} {denied}"
    if repo is None:
        return f"{PULL_FAILED} {ecr.repository_not_found(ref.repository, ref.registry_id).message}"
    if not _names_a_digest(ref):
        # "repo@latest": the model's pattern takes it, but no image has such a digest (ECR's BatchGetImage answer).
        return f"{PULL_FAILED} {ecr.INVALID_DIGEST}"
    if ecr.find_pullable_image(store, ref.registry_id, ref.region, ref.repository, ref.reference) is None:
        image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.reference}
        return f"{PULL_FAILED} {ecr.image_not_found(image_id, ref.repository, ref.registry_id).message}"
    return None


def image_digest(store: "Store", service: "Service") -> str | None:
    """The digest the service's private ECR image identifier names now (``None``: not a private ECR image, not
    there, or archived)."""
    image = (service.source_configuration or {}).get("ImageRepository") or {}
    ref = ecr.parse_image_identifier(image.get("ImageIdentifier", "")) if image.get("ImageRepositoryType") == "ECR" \
        else None
    found = ecr.find_pullable_image(store, ref.registry_id, ref.region, ref.repository, ref.reference) \
        if ref and _names_a_digest(ref) else None
    return found.digest if found is not None else None


def _names_a_digest(ref: "ecr.ImageRef") -> bool:
    """Whether the identifier's ``@`` part, if any, is a digest (``algorithm:hex``), not a tag in its place."""
    return ref.digest is None or ecr.DIGEST.match(ref.digest) is not None


def push_seen(store: "Store", service: "Service", repo: Any) -> bool:
    """Whether App Runner sees a push to ``repo`` for ``service`` (automatic deployment): its access role may call
    :data:`WATCH_ACTIONS` on the repository, under the enforcement mode now (``soft``: decided and logged, seen)."""
    source = service.source_configuration or {}
    access = (source.get("AuthenticationConfiguration") or {}).get("AccessRoleArn")
    ref = ecr.parse_image_identifier((source.get("ImageRepository") or {}).get("ImageIdentifier", ""))
    if not access or ref is None:
        return False
    mode = store.settings.enforce
    return _access_role_denied(store, access, ref, repo, store.clock.now(), mode, WATCH_ACTIONS) is None


def _access_role_denied(store: "Store", access: str, ref: "ecr.ImageRef", repo: Any, at: "datetime", mode: str,
                        actions: tuple[str, ...], token: bool = False) -> str | None:
    """The first refusal ``actions`` on the repository (after ``ecr:GetAuthorizationToken`` on ``*`` when
    ``token``) by a session of the access role meet (``None``: allowed, or not ``mode`` enforced)."""
    if mode == "off":
        return None
    role = store.role_at(access)
    if role is None or not _trust_allows(store, role, BUILD_PRINCIPAL, at):
        return None if mode == "soft" else f"Error in assuming access role {access}."
    session = authorizer.caller_for_role_session(store, account_of(role.arn), role.name, PULL_SESSION)
    context = _pull_context(ref, at)
    checks = [Check("ecr:GetAuthorizationToken", "*")] if token else []
    # the policies ECR's own checks of the pull meet: the repository's, joined by the registry policy (scope V2)
    applied = applied_policies(store, ref.region, ref.registry_id, ref.repository)
    checks += [
        Check(action, ref.repository_arn, context=_repository_context(repo),
              resource_policy=applied.evaluable() if applied is not None else None,
              resource_policy_id=applied.policy_id if applied is not None else None, resource_account=ref.registry_id)
        for action in actions
    ]
    for check in checks:
        decision = authorizer.decide(store, session, check, base_context=context, at=at)
        if not decision.allowed and mode == "on":
            return authorizer.decision_message(check, decision)
    return None


def _pull_context(ref: "ecr.ImageRef", at: "datetime") -> dict[str, Any]:
    """The global keys of the access role session's ECR requests: a role session just issued, calling ECR in the
    image's Region over HTTPS (ECR's API has no plain-HTTP endpoint) with temporary credentials and no MFA.  It is
    the service role's own request, not one App Runner forwards: ``aws:ViaAWSService`` is false and
    ``aws:CalledVia`` absent (IAM User Guide, global condition keys).  App Runner's source address is not public:
    ``aws:SourceIp`` is absent."""
    return {"aws:RequestedRegion": ref.region, "aws:SecureTransport": True, "aws:ViaAWSService": False,
            "aws:PrincipalIsAWSService": False, "aws:MultiFactorAuthPresent": False,
            "aws:TokenIssueTime": at}


def _repository_context(repo: Any) -> dict[str, str]:
    if repo is None:
        return {}
    tags = {f"aws:ResourceTag/{key}": value for key, value in repo.tags.items()}
    tags.update({f"ecr:ResourceTag/{key}": value for key, value in repo.tags.items()})
    return tags


# ------------------------------------------------------------------------------------------------ instance role
def instance_role_credentials(store: "Store", service_arn: str, service: "Service | None") -> dict:
    """Temporary credentials of a session of the service's instance role, as the code in the service gets them.

    ``service`` is what ``service_arn`` names, looked up by the caller with its due operations completed.  Raises
    ``ServiceError`` (ResourceNotFoundException / InvalidStateException / InvalidRequestException) when the service
    does not exist (or is DELETED), runs no code, or has no instance role App Runner may assume (``soft``: the trust
    is decided and logged, and let through; ``off``: not asked, as for every other check).  The session name is the
    service id (real sessions' names are not documented; unverified).
    """
    if service is None or service.status == "DELETED":
        raise ServiceError("ResourceNotFoundException", f"Service {service_arn} not found", 404)
    if not runs_code(service):
        raise ServiceError("InvalidStateException", f"Service {service_arn} runs no code ({service.status}): no "
                           "instance has credentials", 400)
    arn = (service.instance_configuration or {}).get("InstanceRoleArn")
    if not arn:
        raise ServiceError("InvalidRequestException", f"Service {service_arn} has no instance role", 400)
    role = store.role_at(arn)
    if role is None or not _trusts(store, arn, TASKS_PRINCIPAL):
        raise _assume_failure("instance", arn)
    return issue_role_session(store, role, service.id, INSTANCE_SESSION_DURATION)


def runs_code(service: "Service") -> bool:
    """Whether instances of the service run: it is RUNNING, or an operation is changing a service that was
    (CREATE_FAILED and PAUSED services, and one still being created, have none)."""
    if service.status == "RUNNING":
        return True
    current = service.operations[-1] if service.operations else None
    return service.status == "OPERATION_IN_PROGRESS" and current is not None and current.prior_status == "RUNNING"


def issue_role_session(store: "Store", role: "Role", session_name: str, duration: int) -> dict:
    """Record an STS role session for ``role`` (the model's ``new_role_session``, as AssumeRole) and return its
    ``Credentials``."""
    iam = store.account(role.account_id).iam
    return session_credentials(new_role_session(iam, store.clock.now(), role, session_name, duration))
