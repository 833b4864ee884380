"""Account-wide views: GetAccountAuthorizationDetails."""
from __future__ import annotations

from typing import Any

from mockrunner.context import RequestContext
from mockrunner.model.iam import (
    ManagedPolicy,
)
from mockrunner.model.managed_policies import AwsManagedPolicy, aws_managed_policy
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import anything
from mockrunner.services.iam.entities import iam_of
from mockrunner.services.iam.instance_profiles import profile_out, profiles_of_role
from mockrunner.services.iam.usage import role_last_used
from mockrunner.services.iam.wire import (
    FULL,
    attached_out,
    group_out,
    policy_out,
    policy_usages,
    role_out,
    user_out,
    version_out,
)
from mockrunner.services.registry import op


@op("iam", "GetAccountAuthorizationDetails", authz=anything)
def get_account_authorization_details(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    wanted = set(ctx.params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])

    def inline(policies: dict[str, str]) -> list[dict]:
        return [{"PolicyName": name, "PolicyDocument": paging.url_encoded(doc)} for name, doc in policies.items()]

    result: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
                              "IsTruncated": False}
    if "User" in wanted:
        for user in iam.users.values():
            result["UserDetailList"].append({
                **user_out(user, full=True), "UserPolicyList": inline(user.inline_policies),
                "GroupList": [g.name for g in iam.groups_of(user.name)],
                "AttachedManagedPolicies": attached_out(iam, user.attached_policies)})
    if "Group" in wanted:
        for group in iam.groups.values():
            result["GroupDetailList"].append({
                **group_out(group), "GroupPolicyList": inline(group.inline_policies),
                "AttachedManagedPolicies": attached_out(iam, group.attached_policies)})
    if "Role" in wanted:
        for role in iam.roles.values():
            result["RoleDetailList"].append({
                **role_out(role, FULL, last_used=role_last_used(iam, role)),
                "InstanceProfileList": [profile_out(iam, profile) for profile in profiles_of_role(iam, role.name)],
                "RolePolicyList": inline(role.inline_policies),
                "AttachedManagedPolicies": attached_out(iam, role.attached_policies)})
    policies: list[ManagedPolicy | AwsManagedPolicy] = []
    usage = policy_usages(iam)
    if "LocalManagedPolicy" in wanted:
        policies += list(iam.policies.values())
    if "AWSManagedPolicy" in wanted:
        # AWS lists the AWS managed policies in use in the account, not all of them.
        in_use = [policy for arn in usage if (policy := aws_managed_policy(arn)) is not None]
        policies += sorted(in_use, key=lambda policy: policy.name.lower())
    for policy in policies:
        out = policy_out(iam, policy, full=True, usage=usage.get(policy.arn, (0, 0)))
        out.pop("Tags", None)
        # An AWS managed policy is shown with its default version (mockrunner's choice: its history can be long).
        versions = [policy.version(policy.default_version_id)] if isinstance(policy, AwsManagedPolicy) \
            else policy.versions
        out["PolicyVersionList"] = [version_out(v, policy) for v in versions]
        result["Policies"].append(out)
    return result
