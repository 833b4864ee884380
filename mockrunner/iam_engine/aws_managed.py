"""AWS managed policies as the resources of a request (``arn:aws:iam::aws:policy/<path><name>``).

They are readable from every account, so a request on one is judged by the caller's own account's rules, with no
resource policy (:func:`judging_account`).  Their ``aws:ResourceAccount`` is neither the ARN's ``aws`` nor the
caller's account but :data:`RESOURCE_ACCOUNT`: AWS allowed GetPolicy of ``AdministratorAccess`` under
``Null: aws:ResourceAccount false`` and under ``StringEquals: aws:ResourceAccount 639982225848`` (also for
job-function, service-role, aws-service-role and root-task policies), denied it under ``Null ... true`` and
under ``StringEquals`` ``aws`` or the caller's account (recorded from AWS, 2026-09-11: radkawar/stackd,
internal/iam/managed/testdata/resource_account.json, resource_account_families.json,
resource_account_value.json).  :mod:`mockrunner.iam_engine.resource_account` puts it in the request context, with
every other resource's account.

AWS's role templates (``arn:aws:iam::aws:role-template/<service>/<name>:<major>``) carry the same account: a
session policy allowing GetRoleTemplateVersion and AcquireRole under ``StringEquals aws:ResourceAccount
639982225848``, ``Null ... false`` or ``StringLike ????????????`` reached the template, under ``aws`` or the caller's
account it was denied, for five templates (recorded from AWS, 2026-09-12: radkawar/stackd commit 9dc356f5,
testdata/aws/iam/template_account.json) (:func:`is_aws_owned`).
"""

from __future__ import annotations

ARN_PREFIX = "arn:aws:iam::aws:policy/"
RESOURCE_ACCOUNT = "639982225848"
AWS_OWNED_PREFIXES = (ARN_PREFIX, "arn:aws:iam::aws:role-template/")
"""IAM resources AWS owns whose ``aws:ResourceAccount`` is :data:`RESOURCE_ACCOUNT`."""


def is_aws_managed_policy(resource: str) -> bool:
    """Whether ``resource`` is the ARN of an AWS managed policy (of the partition served)."""
    return resource.startswith(ARN_PREFIX)


def is_aws_owned(resource: str) -> bool:
    """Whether ``resource`` is an IAM resource AWS owns (an AWS managed policy or role template)."""
    return resource.startswith(AWS_OWNED_PREFIXES)


def judging_account(resource: str, caller_account: str | None) -> str | None:
    """The caller's account for an AWS managed policy (judged as the caller's own), else ``None``."""
    return caller_account if is_aws_managed_policy(resource) else None
