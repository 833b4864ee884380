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
    tags_out,
    user_out,
    version_out,
)
from mockrunner.services.registry import op

POLICY_OMITS = ("Tags", "Description")
"""Members of a managed policy's wire form that ``Policies`` goes without: AWS's entry for AmazonS3FullAccess has no
Description although the policy has one (recorded from AWS: LocalStack snapshot
test_iam_account_authorization_details.py, test_get_account_authorization_details_filter_aws_managed_policy);
customer managed policies are shown alike (mockrunner's reading: the same entry shape)."""

@op("iam", "GetAccountAuthorizationDetails", authz=anything)
def get_account_authorization_details(ctx: RequestContext) -> dict:
    """The shape AWS answers (recorded from AWS: LocalStack snapshot test_iam_account_authorization_details.py):
    users and roles always carry ``Tags`` (``[]`` without tags), a user's ``UserPolicyList`` is left out while it
    has no inline policy (``GroupPolicyList`` and ``RolePolicyList`` are shown empty), and the roles inside a
    role's instance profiles are shown as every instance profile answer shows them (no Description, no
    MaxSessionDuration); every policy comes with every version
    (an AWS managed one with the versions the dataset has, newest first) and without :data:`POLICY_OMITS`."""
    iam = iam_of(ctx)
    wanted = set(ctx.params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])

    def inline(policies: dict[str, str]) -> list[dict]:
        return [{"PolicyName": name, "PolicyDocument": paging.url_encoded(doc)} for name, doc in policies.items()]

    result: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
                              "IsTruncated": False}
    if "User" in wanted:
        for user in iam.users.values():
            detail = {**user_out(user, full=True), "Tags": tags_out(user.tags),
                      "GroupList": [g.name for g in iam.groups_of(user.name)],
                      "AttachedManagedPolicies": attached_out(iam, user.attached_policies)}
            if user.inline_policies:
                detail["UserPolicyList"] = inline(user.inline_policies)
            result["UserDetailList"].append(detail)
    if "Group" in wanted:
        for group in iam.groups.values():
            result["GroupDetailList"].append({
                **group_out(group), "GroupPolicyList": inline(group.inline_policies),
                "AttachedManagedPolicies": attached_out(iam, group.attached_policies)})
    if "Role" in wanted:
        for role in iam.roles.values():
            result["RoleDetailList"].append({
                **role_out(role, FULL, last_used=role_last_used(iam, role)), "Tags": tags_out(role.tags),
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
        for key in POLICY_OMITS:
            out.pop(key, None)
        out["PolicyVersionList"] = [version_out(v, policy) for v in policy.versions]
        result["Policies"].append(out)
    return _paged(result, ctx)


DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
"""The lists of the answer, in the order pages walk through them."""


def _paged(result: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
    """``result``'s page: IAM's ``MaxItems``/``Marker`` count the details of all four lists together, users first
    (AWS pages this operation like its other listings; how a page is split across the lists is not documented)."""
    entries = [(key, detail) for key in DETAIL_LISTS for detail in result[key]]
    page = paging.page(entries, ctx, "entries")
    shown = page.pop("entries")
    return {**{key: [detail for kind, detail in shown if kind == key] for key in DETAIL_LISTS}, **page}
