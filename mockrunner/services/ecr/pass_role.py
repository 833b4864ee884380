"""``iam:PassRole`` for the ECR operations that hand ECR a role to assume (``customRoleArn``).

A pull through cache rule's role is assumed by ECR's pull through cache principal to pull from the upstream
registry; a repository creation template's role by ``ecr.amazonaws.com`` to create repositories.  Handing ECR a
role is passing it: the caller needs ``iam:PassRole`` on the role, with ``iam:PassedToService`` the principal
that assumes it (the Service Authorization Reference's operation table maps CreatePullThroughCacheRule to
``ecr:CreatePullThroughCacheRule`` and ``iam:PassRole`` with ``iam:PassedToService``; CloudFormation's
AWS::ECR::RepositoryCreationTemplate handlers need ``iam:PassRole`` to create and update).  The value of
``iam:PassedToService`` is the principal each role's documented trust policy names (unverified for the key).
As App Runner's, the check names the role's ARN whether or not the role exists; the operation refuses a role
that does not exist afterwards.
"""
from __future__ import annotations

from collections.abc import Callable

from mockrunner.arns import account_of
from mockrunner.auth.check import Check
from mockrunner.context import RequestContext

PULL_THROUGH_CACHE = "pullthroughcache.ecr.amazonaws.com"
REPOSITORY_CREATION = "ecr.amazonaws.com"


def passing_custom_role(service_principal: str) -> Callable[[RequestContext], list[Check]]:
    """authz: ``ecr:<Operation>`` on ``*``, then ``iam:PassRole`` on the request's ``customRoleArn`` if it names
    one."""

    def authz(ctx: RequestContext) -> list[Check]:
        checks = [Check(f"ecr:{ctx.operation_name}")]
        role_arn = ctx.params.get("customRoleArn")
        if role_arn:
            checks.append(Check("iam:PassRole", role_arn, {"iam:PassedToService": service_principal},
                                resource_account=account_of(role_arn)))
        return checks

    return authz
