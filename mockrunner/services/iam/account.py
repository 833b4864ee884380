"""Account-wide views: GetAccountAuthorizationDetails."""
from __future__ import annotations

from collections.abc import Callable, Iterable
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

DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
"""The lists of the answer, in the order pages walk through them."""


def by_name(entity: Any) -> str:
    """The order of each list: by name, case-insensitively, as AWS's documented example of the answer lists the
    customer managed policies (``create-update-delete-set-managed-policies`` before the older
    ``S3-read-only-specific-bucket``: the AWS CLI's get-account-authorization-details example) and as the account's
    listings are ordered (users, groups and roles alike: unverified beyond that example, whose users and groups are
    in both name and creation order)."""
    return entity.name.lower()


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
    usage = policy_usages(iam)

    def inline(policies: dict[str, str]) -> list[dict]:
        return [{"PolicyName": name, "PolicyDocument": paging.url_encoded(doc)} for name, doc in policies.items()]

    # read once per request: a lookup per user read every group (a page of 1,000 users of 20,000, each in 10 groups,
    # held the store lock 2.7 s)
    memberships = iam.group_names_by_member() if "User" in wanted else {}

    def user_detail(user: Any) -> dict:
        detail = {**user_out(user, full=True), "Tags": tags_out(user.tags),
                  "GroupList": memberships.get(user.name, []),
                  "AttachedManagedPolicies": attached_out(iam, user.attached_policies)}
        if user.inline_policies:
            detail["UserPolicyList"] = inline(user.inline_policies)
        return detail

    def group_detail(group: Any) -> dict:
        return {**group_out(group), "GroupPolicyList": inline(group.inline_policies),
                "AttachedManagedPolicies": attached_out(iam, group.attached_policies)}

    def role_detail(role: Any) -> dict:
        return {**role_out(role, FULL, last_used=role_last_used(iam, role)), "Tags": tags_out(role.tags),
                "InstanceProfileList": [profile_out(iam, profile) for profile in profiles_of_role(iam, role.name)],
                "RolePolicyList": inline(role.inline_policies),
                "AttachedManagedPolicies": attached_out(iam, role.attached_policies)}

    def policy_detail(policy: ManagedPolicy | AwsManagedPolicy) -> dict:
        out = policy_out(iam, policy, full=True, usage=usage.get(policy.arn, (0, 0)))
        for key in POLICY_OMITS:
            out.pop(key, None)
        # Newest first, as ListPolicyVersions lists them (recorded from AWS, 2026-09-11: radkawar/stackd commit
        # 9dc356f5, testdata/aws/iam/account_reporting.json "unattached_policy_details:page1": v4, v3, v2, v1).
        newest_first = sorted(policy.versions, key=lambda version: int(version.version_id[1:]), reverse=True)
        out["PolicyVersionList"] = [version_out(v, policy) for v in newest_first]
        return out

    # AWS lists the AWS managed policies in use in the account, not all of them.
    aws_in_use = (policy for arn in usage if (policy := aws_managed_policy(arn)) is not None)
    sources: list[tuple[str, str, Iterable[Any], Callable[[Any], dict]]] = [
        ("UserDetailList", "User", iam.users.values(), user_detail),
        ("GroupDetailList", "Group", iam.groups.values(), group_detail),
        ("RoleDetailList", "Role", iam.roles.values(), role_detail),
        ("Policies", "LocalManagedPolicy", iam.policies.values(), policy_detail),
        ("Policies", "AWSManagedPolicy", aws_in_use, policy_detail)]
    # IAM's MaxItems/Marker count the details of the four lists together, users first (how AWS splits a page
    # across the lists is not documented); only the page's details are rendered.
    renders = {kind: render for _, kind, _, render in sources}
    entries = paging.listing(ctx, ("authorization-details", frozenset(wanted)), lambda: [
        (key, kind, item) for key, kind, items, _ in sources if kind in wanted for item in sorted(items, key=by_name)])
    # A marker it cannot use: "Marker and Filter do not match" (recorded from AWS, 2026-09-11: radkawar/stackd,
    # testdata/aws/iam/account_reporting.json, "invalid_marker").
    page = paging.page(entries, ctx, "entries", lambda entry: (entry[0], renders[entry[1]](entry[2])),
                       bad_marker="Marker and Filter do not match", scope=tuple(sorted(wanted)))
    shown = page.pop("entries")
    return {**{key: [detail for kind, detail in shown if kind == key] for key in DETAIL_LISTS}, **page}
