"""The account itself: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases, GetAccountSummary; and
UpdateGroup (rename / move a group).

An account has at most one alias; aliases are unique across every account of the store (AWS: globally), so a
CreateAccountAlias names an alias no account has, and replaces the account's alias if it has one.
``GetAccountSummary`` counts what the account holds and reports IAM's default quotas, under AWS's SummaryMap keys.
"""
from __future__ import annotations

from mockrunner.config import Quotas
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import anything, renamed_target
from mockrunner.services.iam.entities import (
    ACCOUNT_QUOTAS,
    GROUP,
    INLINE_SIZE,
    MAX_ACCESS_KEYS,
    MAX_GROUPS_PER_USER,
    MAX_MANAGED_POLICY_SIZE,
    MAX_POLICY_VERSIONS,
    attached_quota,
    entity_arn,
    iam_of,
)
from mockrunner.services.registry import op

FIXED_QUOTAS = {
    "AccessKeysPerUserQuota": MAX_ACCESS_KEYS, "SigningCertificatesPerUserQuota": 2,
    "GroupsPerUserQuota": MAX_GROUPS_PER_USER,
    "UserPolicySizeQuota": INLINE_SIZE["user"], "GroupPolicySizeQuota": INLINE_SIZE["group"],
    "RolePolicySizeQuota": INLINE_SIZE["role"], "PolicySizeQuota": MAX_MANAGED_POLICY_SIZE,
    "VersionsPerPolicyQuota": MAX_POLICY_VERSIONS, "PolicyVersionsInUseQuota": 10000,
}
"""IAM's quotas that GetAccountSummary reports besides the configured account quotas (``ACCOUNT_QUOTAS``): IAM's
defaults (IAM User Guide, "IAM and AWS STS quotas")."""


# ------------------------------------------------------------------------------------------------ aliases
@op("iam", "CreateAccountAlias", authz=anything)
def create_account_alias(ctx: RequestContext) -> dict:
    alias = ctx.params["AccountAlias"]
    if any(alias in account.iam.account_aliases for account in ctx.store.accounts.values()):
        raise ServiceError("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)
    iam_of(ctx).configure(account_aliases=[alias])
    return {}


@op("iam", "DeleteAccountAlias", authz=anything)
def delete_account_alias(ctx: RequestContext) -> dict:
    iam, alias = iam_of(ctx), ctx.params["AccountAlias"]
    if alias not in iam.account_aliases:
        raise ServiceError("NoSuchEntity", f"The account alias {alias} cannot be found.", 404)
    iam.configure(account_aliases=[name for name in iam.account_aliases if name != alias])
    return {}


@op("iam", "ListAccountAliases", authz=anything)
def list_account_aliases(ctx: RequestContext) -> dict:
    return paging.page(list(iam_of(ctx).account_aliases), ctx, "AccountAliases")


# ------------------------------------------------------------------------------------------------ summary
def token_version(iam: IamState) -> int:
    """The global STS endpoint's token version as GetAccountSummary reports it: 2 once
    SetSecurityTokenServicePreferences chose ``v2Token``, else 1 (v1 tokens, the default).  Terraform's
    ``aws_iam_security_token_service_preferences`` reads its setting back from here (``v%dToken``)."""
    return 2 if iam.sts_global_token_version == "v2Token" else 1


def policies_in_use(iam: IamState) -> set[str]:
    """The managed policies, customer and AWS, attached to a user, group or role or set as a user's or role's
    permissions boundary.

    GetAccountSummary's ``PolicyVersionsInUse`` counts one version, the default, of each (recorded from AWS,
    2026-09-11: radkawar/stackd commit 9dc356f5, testdata/aws/iam/account_reporting.json: a customer policy and an
    AWS managed policy of one version each, used only as boundaries, "customer_boundary_only" and
    "aws_boundary_only", added one each; creating or versioning unattached policies, "unattached_policies",
    "unattached_versions", added none.  One version per policy, not all of them, is read from the recorded account's
    total, 170, next to the 68 AWS managed policies it had in use, some with 188, 95 or 59 versions: *unverified*
    for a customer policy of several versions)."""
    entities = (*iam.users.values(), *iam.groups.values(), *iam.roles.values())
    attached = {arn for entity in entities for arn in entity.attached_policies}
    bounded = {boundary for entity in (*iam.users.values(), *iam.roles.values())
               if (boundary := entity.permissions_boundary)}
    return attached | bounded


def summary(iam: IamState, quotas: Quotas) -> dict[str, int]:
    """GetAccountSummary's SummaryMap: what ``iam`` holds, and its quotas (the account quotas as configured)."""
    assigned = sum(1 for device in iam.mfa_devices.values() if device.user_name is not None)
    counts = {
        "Users": len(iam.users), "Groups": len(iam.groups), "Roles": len(iam.roles), "Policies": len(iam.policies),
        "InstanceProfiles": len(iam.instance_profiles),
        "ServerCertificates": len(iam.server_certificates),
        "MFADevices": len(iam.mfa_devices), "MFADevicesInUse": assigned, "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": int(any(key.root for key in iam.access_keys.values())),
        # the root user's own (UploadSigningCertificate without UserName as root: owner ""), as its access keys
        "AccountSigningCertificatesPresent": int(any(not held.user_name for held in iam.signing_certificates.values())),
        "AccountPasswordPresent": 0,
        "Providers": len(iam.oidc_providers) + len(iam.saml_providers),
        "PolicyVersionsInUse": len(policies_in_use(iam)),
        "GlobalEndpointTokenVersion": token_version(iam),
    }
    configured = {quota.summary_key: getattr(quotas, quota.setting) for quota in ACCOUNT_QUOTAS.values()}
    configured.update((f"AttachedPoliciesPer{kind.title()}Quota", attached_quota(quotas, kind)[1])
                      for kind in ("user", "group", "role"))
    configured["AssumeRolePolicySizeQuota"] = quotas.iam_max_trust_policy_size
    return {**counts, **configured, **FIXED_QUOTAS}


@op("iam", "GetAccountSummary", authz=anything)
def get_account_summary(ctx: RequestContext) -> dict:
    return {"SummaryMap": summary(iam_of(ctx), ctx.store.settings.quotas)}


# ------------------------------------------------------------------------------------------------ UpdateGroup
@op("iam", "UpdateGroup", authz=renamed_target(GROUP, "NewGroupName"))
def update_group(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    group = GROUP.get(iam, params["GroupName"])
    new_name = params.get("NewGroupName") or group.name
    if new_name != group.name:  # a new spelling of its own name too, as UpdateUser (see docs/behaviour.md)
        GROUP.ensure_new(iam, new_name)
    path = params.get("NewPath") or group.path
    iam.rename(group, name=new_name, path=path, arn=entity_arn(ctx.account.id, "group", path, new_name))
    return {}
