"""``iam:PassRole`` for the ECR operations that hand ECR a role to assume (``customRoleArn``).

A pull through cache rule's role is assumed by ECR's pull through cache principal to pull from the upstream
registry; a repository creation template's role by ``ecr.amazonaws.com`` to create repositories.  Handing ECR a
role is passing it: the caller needs ``iam:PassRole`` on the role, with ``iam:PassedToService`` the principal
that assumes it (the Service Authorization Reference's operation table maps CreatePullThroughCacheRule to
``ecr:CreatePullThroughCacheRule`` and ``iam:PassRole`` with ``iam:PassedToService``; CloudFormation's
AWS::ECR::RepositoryCreationTemplate handlers need ``iam:PassRole`` to create and update).  The value of
``iam:PassedToService`` is the principal each role's documented trust policy names (unverified for the key).
As App Runner's, the check names the role's ARN whether or not the role exists; the operation refuses a role
that does not exist afterwards (:func:`check_custom_role`).  The operation's own action is checked in the registry
the request names (:func:`on_registry`).

ECR creates a service-linked role on first use for replication (PutReplicationConfiguration: "The first time the
PutReplicationConfiguration API is called, a service-linked IAM role is created in your account", ECR API
reference), for pull through cache (CreatePullThroughCacheRule: ECR User Guide, "Using service-linked roles for
pull through cache") and for repository creation templates (CreateRepositoryCreationTemplate: "When you create a
repository creation template rule ... Amazon ECR creates the service-linked role for you", ECR User Guide, "Amazon
ECR service-linked role for repository creation templates"):
:func:`creating_service_linked_role` adds the caller's ``iam:CreateServiceLinkedRole`` while the account lacks the
role, and :func:`ensure_service_linked_role` creates it.
"""
from __future__ import annotations

from collections.abc import Callable

from mockrunner.arns import account_of, split_arn
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.iam.service_linked_roles import create_on_first_use, first_use_checks

PULL_THROUGH_CACHE = "pullthroughcache.ecr.amazonaws.com"
REPOSITORY_CREATION = "ecr.amazonaws.com"
REPLICATION = "replication.ecr.amazonaws.com"


def creating_service_linked_role(authz: Callable[[RequestContext], list[Check]], service: str
                                 ) -> Callable[[RequestContext], list[Check]]:
    """authz: ``authz``'s checks, then the caller's ``iam:CreateServiceLinkedRole`` for ``service``'s role while the
    account lacks it (the call creates it)."""

    def checks(ctx: RequestContext) -> list[Check]:
        return [*authz(ctx), *first_use_checks(ctx, service)]

    return checks


def ensure_service_linked_role(ctx: RequestContext, service: str) -> None:
    """Create ``service``'s service-linked role unless the account has it (a role of that name elsewhere is ECR's
    ``InvalidParameterException`` with IAM's message; ECR's own text is *unverified*)."""
    create_on_first_use(ctx, service, lambda message: ServiceError("InvalidParameterException", message))


def passing_custom_role(service_principal: str) -> Callable[[RequestContext], list[Check]]:
    """authz: :func:`on_registry`, then ``iam:PassRole`` on the request's ``customRoleArn`` when it is an ARN, with
    ``iam:PassedToService`` and the role's tags."""

    def authz(ctx: RequestContext) -> list[Check]:
        checks = on_registry(ctx)
        role_arn = ctx.params.get("customRoleArn")
        if role_arn and split_arn(role_arn) is not None:
            role = ctx.store.role_at(role_arn)
            keys = {"iam:PassedToService": service_principal,
                    **resource_tag_keys(role, "role")}
            checks.append(Check("iam:PassRole", role_arn, keys, resource_account=account_of(role_arn)))
        return checks

    return authz


def on_registry(ctx: RequestContext) -> list[Check]:
    """``ecr:<Operation>`` on ``*`` in the registry the request names (``registryId``, else the caller's): a
    registry-level setting of another account is denied (no resource policy is read for these actions), never
    carried out on the caller's own registry."""
    return [Check(f"ecr:{ctx.operation_name}", "*",
                  resource_account=ctx.params.get("registryId") or ctx.caller.account_id)]


def check_custom_role(ctx: RequestContext, arn: str | None) -> None:
    """A ``customRoleArn`` must be an existing role of the caller's account, in its partition: ECR's API reference
    says the role "must be in the same account as the registry that you are configuring"."""
    if arn is None:
        return
    if not arn.startswith(f"arn:aws:iam::{ctx.caller.account_id}:role/") or ctx.store.role_at(arn) is None:
        # Unverified wording; documented: the role must be in the registry's account.
        raise ServiceError("InvalidParameterException", f"Invalid parameter at 'customRoleArn' failed to satisfy "
                           f"constraint: 'The role {arn} does not exist in the registry's account'")
