"""``aws:ResourceAccount``: the account that owns the resource of a request, as IAM puts it in the request context.

The IAM User Guide ("AWS global condition context keys", ``aws:ResourceAccount``): the key "is included in the
request context for most service actions" (the exceptions are EBS, some EC2 copy/create actions, EventBridge and
two WorkSpaces actions: none of them served here) and "is equal to the AWS account ID for the account with the
resources evaluated in the request".  The contract of :func:`resource_account`, first rule that gives a value:

1. an AWS managed policy (``arn:aws:iam::aws:policy/...``) or role template (``arn:aws:iam::aws:role-template/...``):
   :data:`aws_managed.RESOURCE_ACCOUNT`, recorded from AWS (see :mod:`mockrunner.iam_engine.aws_managed`);
2. ``owner``, the account the service knows owns the resource (a check's ``resource_account``): the role's account
   for ``sts:AssumeRole``, the registry's for ECR (the ``/v2/`` registry's implied actions too), whatever account
   the caller is in;
3. the account field of the resource ARN;
4. ``caller_account``: a request whose resource is ``*`` (``iam:GetAccountSummary``, ``ecr:GetAuthorizationToken``) acts
   on the caller's own account (*unverified*: AWS does not say what the key holds for them);
5. none: the key is absent (an AWS service principal acting on ``*``).

This is the account :func:`~mockrunner.iam_engine.evaluate.evaluate` judges same- or cross-account by, so a
condition on the key and the decision's account logic never disagree (AWS managed policies aside, which are judged
as the caller's own).  ``aws:ResourceOrgID`` and ``aws:ResourceOrgPaths`` are never set: they are "included in the
request context only if the account that owns the resource is a member of an organization", and mockrunner's
accounts are in none (as ``aws:PrincipalOrgID`` is never set).

:func:`add_resource_account` puts the key in a request context unless the context already has it (a check that
carries its own value, the simulator's ``ContextEntries``): one dict entry, no other allocation.
"""

from __future__ import annotations

from typing import Any

from .aws_managed import RESOURCE_ACCOUNT, is_aws_owned
from .evaluate import cached_account_of

KEY = "aws:ResourceAccount"


def resource_account(resource: str, owner: str | None, caller_account: str | None) -> str | None:
    """``aws:ResourceAccount`` of a request on ``resource`` (rules 1-5 of the module docstring)."""
    if is_aws_owned(resource):
        return RESOURCE_ACCOUNT
    return owner or cached_account_of(resource) or caller_account


def add_resource_account(context: dict[str, Any], resource: str, owner: str | None,
                         caller_account: str | None) -> None:
    """Set :data:`KEY` in ``context`` (spelled as :data:`KEY`) unless it is there or no account is known."""
    if KEY not in context:
        value = resource_account(resource, owner, caller_account)
        if value:
            context[KEY] = value
