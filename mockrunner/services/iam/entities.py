"""IAM's entity kinds and quotas, and the lookups and checks its handlers share (not found, delete conflicts,
documents, tags)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.config import Quotas
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, strict_json, validate_policy
from mockrunner.model.iam import (
    Group,
    IamState,
    ManagedPolicy,
    Role,
    User,
)
from mockrunner.model.managed_policies import AwsManagedPolicy, aws_managed_policy, is_aws_managed

MAX_ACCESS_KEYS = 2
MAX_POLICY_VERSIONS = 5
MAX_TAGS = 50
MAX_MANAGED_POLICY_SIZE = 6144
ATTACHED_QUOTA = {"user": ("PoliciesPerUser", "iam_max_policies_per_user"), "group": ("PoliciesPerGroup", 10),
                  "role": ("PoliciesPerRole", "iam_max_policies_per_role")}
"""Managed policies attached to one entity: AWS's name for the quota, and its value or the
:class:`~mockrunner.config.Quotas` field holding it."""
INLINE_SIZE = {"user": 2048, "group": 5120, "role": 10240}
MAX_GROUPS_PER_USER = 10


@dataclass(frozen=True)
class AccountQuota:
    """One of IAM's quotas on what an account holds: the ``IamState`` collection it counts, AWS's name for it (in
    "Cannot exceed quota for <name>: <value>"), GetAccountSummary's key, and the :class:`~mockrunner.config.Quotas`
    field holding its value."""

    collection: str
    name: str
    summary_key: str
    setting: str


ACCOUNT_QUOTAS = {quota.collection: quota for quota in (
    AccountQuota("users", "UsersPerAccount", "UsersQuota", "iam_max_users"),
    AccountQuota("groups", "GroupsPerAccount", "GroupsQuota", "iam_max_groups"),
    AccountQuota("roles", "RolesPerAccount", "RolesQuota", "iam_max_roles"),
    AccountQuota("policies", "PoliciesPerAccount", "PoliciesQuota", "iam_max_policies"),
    AccountQuota("instance_profiles", "InstanceProfilesPerAccount", "InstanceProfilesQuota",
                 "iam_max_instance_profiles"),
    AccountQuota("server_certificates", "ServerCertificatesPerAccount", "ServerCertificatesQuota",
                 "iam_max_server_certificates"),
)}
"""IAM's account quotas by the collection they count (IAM User Guide, "IAM and AWS STS quotas"; wordings recorded
from AWS, see docs/behaviour.md)."""



@dataclass(frozen=True)
class Kind:
    """What users, groups and roles have in common, for the operations they share."""

    name: str  # user | group | role
    title: str  # User | Group | Role
    param: str  # UserName | GroupName | RoleName
    collection: str  # attribute of IamState

    def entities(self, iam: IamState) -> dict:
        return getattr(iam, self.collection)

    def missing(self, name: str) -> ServiceError:
        return ServiceError("NoSuchEntity", f"The {self.name} with name {name} cannot be found.", 404)

    def get(self, iam: IamState, name: str) -> Any:
        entity = self.entities(iam).get(name)
        if entity is None:
            raise self.missing(name)
        return entity

    def ensure_new(self, iam: IamState, name: str) -> None:
        """IAM names are unique case-insensitively, within each kind."""
        lowered = name.lower()
        if any(existing.lower() == lowered for existing in self.entities(iam)):
            raise ServiceError("EntityAlreadyExists", f"{self.title} with name {name} already exists.", 409)


USER = Kind("user", "User", "UserName", "users")
GROUP = Kind("group", "Group", "GroupName", "groups")
ROLE = Kind("role", "Role", "RoleName", "roles")
KINDS = {kind.name: kind for kind in (USER, GROUP, ROLE)}
"""Users, groups and roles by the resource type of their ARNs."""


def iam_of(ctx: RequestContext) -> IamState:
    return ctx.account.iam


def entity_arn(account_id: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"


def attached_quota(quotas: Quotas, kind: str) -> tuple[str, int]:
    """AWS's name and the configured value of the quota on managed policies attached to a ``kind``."""
    name, value = ATTACHED_QUOTA[kind]
    return name, getattr(quotas, value) if isinstance(value, str) else value


def ensure_room(ctx: RequestContext, collection: str) -> None:
    """``LimitExceeded`` (409) when the account already holds its configured quota of ``collection``."""
    quota = ACCOUNT_QUOTAS[collection]
    limit = getattr(ctx.store.settings.quotas, quota.setting)
    if len(getattr(iam_of(ctx), collection)) >= limit:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for {quota.name}: {limit}", 409)


def validate_document(document: str, kind: PolicyKind, *, managed: bool = False) -> str:
    """IAM's MalformedPolicyDocument: text that is not JSON at all gets
    :func:`~mockrunner.iam_engine.strict_json.unparsable_policy_message`; JSON that is not a valid policy gets the
    engine's message ("Syntax errors in policy." and the rest)."""
    unparsable = strict_json.unparsable_policy_message(document, managed)
    if unparsable is not None:
        raise ServiceError("MalformedPolicyDocument", unparsable, 400)
    try:
        validate_policy(document, kind, require_current_version=managed)
    except MalformedPolicyError as error:
        raise ServiceError("MalformedPolicyDocument", error.message, 400) from None
    return document


def tag_key(key: str, folds_case: bool = False) -> str:
    """What identifies a tag key: the key case-folded for users and roles (``folds_case``), else the key itself."""
    return key.lower() if folds_case else key


def tags_in(ctx: RequestContext, existing: dict[str, str] | None = None, *,
            folds_case: bool = False) -> dict[str, str]:
    """``existing`` with the request's ``Tags`` applied.  Tag keys are compared as given: ``a`` and ``A`` are two
    keys and only a key given twice is refused, with "Duplicate tag keys found." (recorded from AWS for managed
    policies: LocalStack snapshot tests/aws/services/iam/test_iam_policies.snapshot.json, TestPolicyTags; for
    instance profiles and OIDC providers as mulgadc/spinifex handlers/iam/tags_test.go expects, unverified; SAML
    providers, server certificates and MFA devices, tagged since the same 2021 release as policies, are taken to
    keep case too).
    Users and roles (``folds_case``) compare keys case-insensitively: two keys of a request that differ only in
    case are refused ("... Please note that Tag keys are case insensitive."), and a key replaces an existing one
    that differs only in case, in its place (listings keep the order tags were first added).  A key beginning with
    ``aws:``, in any case, is refused ("Tag keys beginning with aws: are reserved for system use.", as the
    spinifex file expects for TagUser, unverified against AWS)."""
    tags = dict(existing or {})
    requested = ctx.params.get("Tags") or []
    if any(tag["Key"].lower().startswith("aws:") for tag in requested):
        raise ServiceError("InvalidInput", "Tag keys beginning with aws: are reserved for system use.", 400)
    if len({tag_key(tag["Key"], folds_case) for tag in requested}) < len(requested):
        raise ServiceError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."
                           if folds_case else "Duplicate tag keys found.", 400)
    for tag in requested:
        new_key, lowered = tag["Key"], tag_key(tag["Key"], folds_case)
        if any(tag_key(key, folds_case) == lowered for key in tags):
            tags = dict((new_key, tag["Value"]) if tag_key(key, folds_case) == lowered else (key, value)
                        for key, value in tags.items())
        else:
            tags[new_key] = tag["Value"]
    if len(tags) > MAX_TAGS:
        # Recorded from AWS for TagOpenIDConnectProvider (LocalStack snapshot
        # tests/aws/services/iam/test_iam_oidc.snapshot.json, test_open_id_connect_provider_tags_limit).
        raise ServiceError("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
    return tags


def managed_policy(iam: IamState, arn: str) -> ManagedPolicy | AwsManagedPolicy | None:
    return iam.policies.get(arn) or aws_managed_policy(arn)


def arn_shaped(text: str) -> bool:
    """Whether ``text`` has an ARN's shape (``arn:`` and six colon-separated parts), the first check IAM makes of
    a PolicyArn or an entity ARN before looking anything up."""
    return split_arn(text) is not None


def policy_arn(ctx: RequestContext) -> str:
    """The request's PolicyArn; one that is no ARN at all is refused (``ValidationError`` "ARN <value> is not
    valid.") before anything is looked up (recorded from AWS for AttachRolePolicy: LocalStack snapshot
    tests/aws/services/iam/test_iam_roles.snapshot.json, test_role_managed_policy_errors)."""
    arn = ctx.params["PolicyArn"]
    if not arn_shaped(arn):
        raise ServiceError("ValidationError", f"ARN {arn} is not valid.", 400)
    return arn


def attachable(iam: IamState, arn: str) -> ManagedPolicy:
    policy = managed_policy(iam, arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    return policy


_POLICY_ARN = re.compile(r"arn:[\w-]+:iam::(?:\d{12}|aws):policy/.+")


def boundary_policy(iam: IamState, arn: str) -> ManagedPolicy:
    """The managed policy a ``PermissionsBoundary`` names (CreateRole, Put<Kind>PermissionsBoundary): an ARN that
    is no policy ARN is ``InvalidInput`` "ARN <arn> is not valid.", a policy that does not exist ``NoSuchEntity``
    "Scope ARN: <arn> does not exist or is not attachable." (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_roles.snapshot.json, test_role_permissions_boundary_errors)."""
    if not _POLICY_ARN.fullmatch(arn):
        raise ServiceError("InvalidInput", f"ARN {arn} is not valid.", 400)
    policy = managed_policy(iam, arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Scope ARN: {arn} does not exist or is not attachable.", 404)
    return policy


def unmodifiable(role: Role) -> None:
    if role.service_linked:
        # Wording of IAM's answer for protected (service-linked) roles, as quoted in public issues.
        raise ServiceError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role.name}' - this role is only modifiable by AWS",
            400,
        )


def delete_conflict(must: str) -> ServiceError:
    return ServiceError("DeleteConflict", f"Cannot delete entity, must {must} first.", 409)


def refuse_if_policies(entity: User | Group | Role) -> None:
    """IAM deletes no user, group or role that still has policies (inline ones are reported before attached)."""
    if entity.inline_policies:
        raise delete_conflict("delete policies")
    if entity.attached_policies:
        raise delete_conflict("detach all policies")


def changeable(ctx: RequestContext, kind: Kind) -> Any:
    """The user, group or role the request names; a service-linked role is refused (only AWS changes those)."""
    entity = kind.get(iam_of(ctx), ctx.params[kind.param])
    if kind is ROLE:
        unmodifiable(entity)
    return entity


def non_user() -> ServiceError:
    """IAM's answer when a role session (any caller but a user or the root) omits UserName on a call about "the
    calling user" (raw ErrorResponse quoted in aws-sdk-go tests; terraform-provider-aws's access key importer)."""
    return ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400)


def self_user(ctx: RequestContext) -> str | None:
    name = ctx.params.get("UserName")
    if name:
        return name
    caller = ctx.caller
    return caller.entity_name if caller is not None and caller.kind == "User" else None


def own_user_name(ctx: RequestContext) -> str:
    """The name of the user a call about "the calling user" means: ``UserName``, else the calling IAM user;
    any other caller without ``UserName`` is refused (:func:`non_user`), and the user must exist."""
    name = self_user(ctx)
    if name is None:
        raise non_user()
    return USER.get(iam_of(ctx), name).name


def parse_arn(arn: str) -> str:
    """``arn`` when IAM can parse it as an ARN; else ``ValidationError`` "Invalid ARN:  Could not be parsed!" (two
    spaces), IAM's answer for ARN parameters given something else (GetPolicy with a policy's path and name, as
    CloudFormation's IAM handlers report it; OIDC provider ARNs).  Attach/Detach*Policy answer otherwise
    (:func:`policy_arn`)."""
    parsed = split_arn(arn)
    if parsed is None or not parsed.partition or not parsed.service:
        raise ServiceError("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    return arn


def policy_arn_of(ctx: RequestContext) -> str:
    """The request's PolicyArn once IAM can parse it (:func:`parse_arn`) and it is of the partition served: an
    ``arn:aws-cn:...`` is ``ValidationError`` "Invalid ARN partition" (recorded from AWS for GetPolicy of
    ``arn:aws-cn:iam::aws:policy/AdministratorAccess``, 2026-09-11: radkawar/stackd,
    internal/iam/managed/testdata/immutability.json; the other policy operations *unverified*)."""
    arn = parse_arn(ctx.params["PolicyArn"])
    if split_arn(arn).partition != "aws":
        raise ServiceError("ValidationError", "Invalid ARN partition", 400)
    return arn


def any_policy(ctx: RequestContext) -> ManagedPolicy | AwsManagedPolicy:
    """The customer or AWS managed policy the request's PolicyArn names; else ``NoSuchEntity``."""
    arn = policy_arn_of(ctx)
    policy = managed_policy(iam_of(ctx), arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
    return policy


def refuse_aws_managed(arn: str, refusal: str) -> None:
    """``AccessDenied`` "Cannot <refusal> outside your own account." when ``arn`` is of the ``aws`` account's
    policies (see :func:`customer_policy`)."""
    if is_aws_managed(arn):
        raise ServiceError("AccessDenied", f"Cannot {refusal} outside your own account.", 403)


def customer_policy(ctx: RequestContext, refusal: str | None = None) -> ManagedPolicy:
    """The account's own managed policy the request's PolicyArn names.  With ``refusal``, an ARN of the ``aws``
    account (an AWS managed policy, existing or not) is first ``AccessDenied`` "Cannot <refusal> outside your own
    account." (recorded from AWS for DeletePolicy, CreatePolicyVersion, SetDefaultPolicyVersion and
    DeletePolicyVersion of ``AdministratorAccess``, and DeletePolicy of a policy ``aws`` does not have, 2026-09-11:
    radkawar/stackd, internal/iam/managed/testdata/immutability.json)."""
    arn = policy_arn_of(ctx)
    if refusal is not None:
        refuse_aws_managed(arn, refusal)
    policy = iam_of(ctx).policies.get(arn)
    if policy is None:
        raise ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
    return policy
