"""AWS managed policies IAM will not attach to a kind of entity although their ``IsAttachable`` is true.

Recorded from AWS, 2026-09-11 (radkawar/stackd, internal/iam/managed/testdata/attachment_domains.json): a user can
neither have a ``/aws-service-role/`` nor a ``/root-task/`` policy attached (AttachUserPolicy) nor as its permissions
boundary (PutUserPermissionsBoundary): ``PolicyNotAttachable`` "Cannot attach AWS reserved policy to an IAM user.",
while ``/service-role/`` policies are accepted both ways.  CreateUser's ``PermissionsBoundary`` is refused the same
way (*unverified*: the same rule).  A role attaching a ``/aws-service-role/`` policy is "Cannot attach a Service Role
Policy to a Customer Role." (AWS's answer quoted in aws/aws-cdk#6131); a group is answered the same (*unverified*).
A role's or group's ``/root-task/`` policies and a role's boundaries are not refused (no evidence either way).
"""
from __future__ import annotations

from typing import Any

from mockrunner.errors import ServiceError
from mockrunner.model.managed_policies import is_aws_managed
from mockrunner.services.iam.entities import GROUP, ROLE, USER, Kind

_SERVICE_ROLE_POLICY = (("/aws-service-role/",), "Cannot attach a Service Role Policy to a Customer Role.")
_USER = (("/aws-service-role/", "/root-task/"), "Cannot attach AWS reserved policy to an IAM user.")
ATTACHMENTS = {USER.name: _USER, GROUP.name: _SERVICE_ROLE_POLICY, ROLE.name: _SERVICE_ROLE_POLICY}
"""Per kind: the paths of the AWS managed policies it cannot attach, and IAM's ``PolicyNotAttachable`` words."""
BOUNDARIES = {USER.name: _USER}
"""The same for permissions boundaries."""


def refuse_reserved(kind: Kind, arn: str, policy: Any, *, boundary: bool = False) -> None:
    """``PolicyNotAttachable`` when ``policy`` (named by ``arn``) is an AWS managed policy on a path reserved from
    ``kind``'s attachments (``boundary``: from its permissions boundaries)."""
    paths, message = (BOUNDARIES if boundary else ATTACHMENTS).get(kind.name, ((), ""))
    if paths and is_aws_managed(arn) and policy.path.startswith(paths):
        raise ServiceError("PolicyNotAttachable", message, 400)
