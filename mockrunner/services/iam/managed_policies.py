"""Managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, SetDefaultPolicyVersion, DeletePolicyVersion,
ListEntitiesForPolicy."""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import PolicyKind
from mockrunner.iam_engine.size import policy_size
from mockrunner.model.iam import (
    POLICY_ID_PREFIX,
    ManagedPolicy,
    PolicyVersion,
    new_id,
)
from mockrunner.model.managed_policies import AwsManagedPolicy, aws_managed_policies
from mockrunner.services.iam import paging
from mockrunner.services.iam.authz import anything, policy_target, tagged_on_create
from mockrunner.services.iam.entities import (
    GROUP,
    MAX_MANAGED_POLICY_SIZE,
    MAX_POLICY_VERSIONS,
    ROLE,
    USER,
    any_policy,
    customer_policy,
    ensure_room,
    entity_arn,
    iam_of,
    managed_policy,
    refuse_aws_managed,
    tags_in,
    validate_document,
)
from mockrunner.services.iam.wire import policy_out, policy_usage, policy_usages, read_time, version_out
from mockrunner.services.registry import op


@op("iam", "CreatePolicy", authz=tagged_on_create(policy_target, "iam:TagPolicy"))
def create_policy(ctx: RequestContext) -> dict:
    iam, params = iam_of(ctx), ctx.params
    name, path = params["PolicyName"], params.get("Path") or "/"
    arn = entity_arn(ctx.account.id, "policy", path, name)
    if any(policy.name.lower() == name.lower() for policy in iam.policies.values()):
        raise ServiceError("EntityAlreadyExists",
                           f"A policy called {name} already exists. Duplicate names are not allowed.", 409)
    document = _managed_document(params["PolicyDocument"])
    tags = tags_in(ctx)
    ensure_room(ctx, "policies")
    now = ctx.store.clock.now()
    policy = ManagedPolicy(name, new_id(POLICY_ID_PREFIX), path, arn, now, now, "v1",
                           [PolicyVersion("v1", document, now)], params.get("Description") or "", tags)
    iam.add(policy)
    return {"Policy": policy_out(iam, policy, tags=True)}


def _managed_document(document: str) -> str:
    validate_document(document, PolicyKind.IDENTITY, managed=True)
    if policy_size(document) > MAX_MANAGED_POLICY_SIZE:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for PolicySize: {MAX_MANAGED_POLICY_SIZE}", 409)
    return document


@op("iam", "GetPolicy", authz=policy_target)
def get_policy(ctx: RequestContext) -> dict:
    return {"Policy": policy_out(iam_of(ctx), any_policy(ctx), full=True)}


@op("iam", "ListPolicies", authz=anything)
def list_policies(ctx: RequestContext) -> dict:
    """AWS managed and/or customer managed policies; only the returned page is put in wire form.  The account's
    own policies come first (by name; their order among themselves is unverified), then the AWS managed ones
    oldest first: AdministratorAccess, PowerUserAccess, ReadOnlyAccess, AWSCloudFormationReadOnlyAccess, ...
    (recorded from AWS: LocalStack snapshots tests/aws/services/iam/test_iam_managed_policies.snapshot.json,
    test_list_policies_scope_aws, and test_iam_policies.snapshot.json, test_policy_lifecycle, where a new policy
    is on the first page of ``Scope=All``; the AWS CLI's list-policies example shows a customer managed policy
    before AdministratorAccess and PowerUserAccess)."""
    iam, params = iam_of(ctx), ctx.params
    scope = params.get("Scope") or "All"
    prefix = params.get("PathPrefix") or "/"
    usage = paging.listing(ctx, "usage", lambda: policy_usages(iam))
    only_attached = params.get("OnlyAttached")
    used_as = params.get("PolicyUsageFilter")

    def wanted(policy: ManagedPolicy | AwsManagedPolicy) -> bool:
        # PolicyUsageFilter narrows OnlyAttached alone; OnlyAttached counts a boundary as an attachment (recorded
        # from AWS, 2026-09-12: radkawar/stackd, testdata/aws/iam/policy_management.json, "list_policies": without
        # OnlyAttached every usage filter lists the unused and boundary-only policies too).
        attached, boundaries = usage.get(policy.arn, (0, 0))
        if only_attached:
            used = {"PermissionsPolicy": attached, "PermissionsBoundary": boundaries}.get(used_as,
                                                                                         attached + boundaries)
            if not used:
                return False
        return policy.path.startswith(prefix)

    def candidates() -> list[ManagedPolicy | AwsManagedPolicy]:
        found: list[ManagedPolicy | AwsManagedPolicy] = []
        if scope in ("All", "Local"):
            found += sorted((policy for policy in iam.policies.values() if wanted(policy)),
                            key=lambda policy: policy.name.lower())
        if scope in ("All", "AWS"):
            found += sorted((policy for policy in aws_managed_policies().values() if wanted(policy)),
                            key=lambda policy: (policy.create_date, policy.name))
        return found

    chosen = paging.listing(ctx, ("policies", scope, prefix, only_attached, used_as), candidates)
    return paging.page(chosen, ctx, "Policies",
                       lambda policy: policy_out(iam, policy, usage=usage.get(policy.arn, (0, 0))))


@op("iam", "DeletePolicy", authz=policy_target)
def delete_policy(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    policy = customer_policy(ctx, "delete policies")
    attached, boundaries = policy_usage(iam, policy.arn)
    if attached or boundaries:
        raise ServiceError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    if len(policy.versions) > 1:
        raise ServiceError(
            "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.", 409,
        )
    iam.remove(policy)
    return {}


@op("iam", "CreatePolicyVersion", authz=policy_target)
def create_policy_version(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    policy = customer_policy(ctx, "create versions for policies")
    document = _managed_document(ctx.params["PolicyDocument"])
    if len(policy.versions) >= MAX_POLICY_VERSIONS:
        raise ServiceError(
            "LimitExceeded",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
            "existing version.", 409,
        )
    now = ctx.store.clock.now()
    version = PolicyVersion(f"v{policy.next_version}", document, now)
    default = version.version_id if ctx.params.get("SetAsDefault") else policy.default_version_id
    iam.update(policy, versions=[*policy.versions, version], next_version=policy.next_version + 1,
               default_version_id=default, update_date=now)
    return {"PolicyVersion": version_out(version, policy, with_document=False)}


def _no_version(ctx: RequestContext) -> ServiceError:
    return ServiceError("NoSuchEntity", f"Policy {ctx.params['PolicyArn']} version {ctx.params['VersionId']} does not "
                        "exist or is not attachable.", 404)


def _version(ctx: RequestContext, policy: ManagedPolicy | None) -> PolicyVersion:
    """The requested version; a missing policy is answered as a missing version of it (recorded from AWS for
    GetPolicyVersion and SetDefaultPolicyVersion: LocalStack snapshot
    tests/aws/services/iam/test_iam_policies.snapshot.json, test_policy_version_errors)."""
    version = policy.version(ctx.params["VersionId"]) if policy is not None else None
    if version is None:
        raise _no_version(ctx)
    return version


@op("iam", "GetPolicyVersion", authz=policy_target)
def get_policy_version(ctx: RequestContext) -> dict:
    policy = managed_policy(iam_of(ctx), ctx.params["PolicyArn"])
    return {"PolicyVersion": version_out(_version(ctx, policy), policy)}


@op("iam", "ListPolicyVersions", authz=policy_target)
def list_policy_versions(ctx: RequestContext) -> dict:
    policy = any_policy(ctx)
    if isinstance(policy, AwsManagedPolicy):
        # Ids and dates only: no document of an older version is read.
        dated = policy.version_ids()
    else:
        dated = [(v.version_id, read_time(v.create_date)) for v in policy.versions]
    dated.sort(key=lambda item: int(item[0][1:]), reverse=True)
    return paging.page([{"VersionId": vid, "IsDefaultVersion": vid == policy.default_version_id, "CreateDate": created}
                  for vid, created in dated], ctx, "Versions")


@op("iam", "SetDefaultPolicyVersion", authz=policy_target)
def set_default_policy_version(ctx: RequestContext) -> dict:
    refuse_aws_managed(ctx.params["PolicyArn"], "update policies")
    policy = iam_of(ctx).policies.get(ctx.params["PolicyArn"])
    version = _version(ctx, policy)
    # UpdateDate stays: "When a policy has more than one version, this field contains the date and time when the
    # most recent policy version was created" (the API Reference, Policy)
    iam_of(ctx).update(policy, default_version_id=version.version_id)
    return {}


@op("iam", "DeletePolicyVersion", authz=policy_target)
def delete_policy_version(ctx: RequestContext) -> dict:
    policy = customer_policy(ctx, "delete policy versions for policies")
    version = _version(ctx, policy)
    if version.version_id == policy.default_version_id:
        raise ServiceError("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam_of(ctx).update(policy, versions=[item for item in policy.versions if item is not version])
    return {}


@op("iam", "ListEntitiesForPolicy", authz=policy_target)
def list_entities_for_policy(ctx: RequestContext) -> dict:
    """The groups, users and roles using the policy (as a permissions policy, a boundary or both, per
    ``PolicyUsageFilter``) under ``PathPrefix``, by name, paginated as one list as IAM does.  ``EntityFilter``
    keeps one kind; ``LocalManagedPolicy`` and ``AWSManagedPolicy`` keep none (no entity is a policy).  An unknown
    policy is "does not exist or is not attachable" (both recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_policies.snapshot.json, TestListEntitiesForPolicy)."""
    iam = iam_of(ctx)
    arn = ctx.params["PolicyArn"]
    if managed_policy(iam, arn) is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    pick = ctx.params.get("EntityFilter")
    usage = ctx.params.get("PolicyUsageFilter")
    prefix = ctx.params.get("PathPrefix") or "/"
    found: list[tuple[str, dict]] = []
    for kind, key, id_attr in ((GROUP, "PolicyGroups", "group_id"), (USER, "PolicyUsers", "user_id"),
                               (ROLE, "PolicyRoles", "role_id")):
        if pick and pick != kind.title:
            continue
        for entity in sorted(kind.entities(iam).values(), key=lambda item: item.name.lower()):
            attached = usage != "PermissionsBoundary" and arn in entity.attached_policies
            bounded = usage != "PermissionsPolicy" and getattr(entity, "permissions_boundary", None) == arn
            if (attached or bounded) and entity.path.startswith(prefix):
                found.append((key, {kind.param: entity.name, kind.title + "Id": getattr(entity, id_attr)}))
    result = paging.page(found, ctx, "Entities")
    for key in ("PolicyGroups", "PolicyUsers", "PolicyRoles"):
        result[key] = [item for item_key, item in result["Entities"] if item_key == key]
    del result["Entities"]
    return result
