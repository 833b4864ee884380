"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole,
GetServiceLinkedRoleDeletionStatus, and ``create_slr`` for services that create theirs on first use."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import (
    ROLE_ID_PREFIX,
    DeletionTask,
    IamState,
    Role,
    new_id,
)
from mockrunner.model.principal_arns import replace_principal
from mockrunner.model.service_linked_roles import service_linked_roles
from mockrunner.services.iam.authz import request_keys
from mockrunner.services.iam.entities import ROLE, ensure_room, entity_arn, iam_of
from mockrunner.services.iam.paging import url_encoded
from mockrunner.services.iam.service_linked_role_usage import role_usage
from mockrunner.services.iam.wire import SERVICE_LINKED, role_out
from mockrunner.services.registry import op


def _slr_target(ctx: RequestContext) -> Iterable[Check]:
    params = ctx.params
    account = ctx.account.id
    if "AWSServiceName" in params:
        service = params["AWSServiceName"]
        name = _slr_name(service, params.get("CustomSuffix"), check=False)
        arn = entity_arn(account, "role", f"/aws-service-role/{service}/", name)
        return (Check("iam:CreateServiceLinkedRole", arn, request_keys(ctx)),)
    if "RoleName" in params:
        role = iam_of(ctx).roles.get(params["RoleName"])
        arn = role.arn if role else entity_arn(account, "role", "/", params["RoleName"])
        return (Check(f"iam:{ctx.operation_name}", arn, resource_tag_keys(role, "role")),)
    task = iam_of(ctx).deletion_tasks.get(params.get("DeletionTaskId", ""))
    role_arn = "*"
    if task is not None:
        parts = task.task_id.split("/")
        role_arn = entity_arn(account, "role", f"/aws-service-role/{parts[2]}/", task.role_name)
    return (Check(f"iam:{ctx.operation_name}", role_arn),)


def slr_arn(account_id: str, service: str) -> str:
    """The ARN of ``service``'s service-linked role (no custom suffix) in the account."""
    return entity_arn(account_id, "role", service_linked_roles()[service].path, _slr_name(service, None))


def has_slr(account_id: str, iam: IamState, service: str) -> bool:
    """Whether the account has ``service``'s service-linked role (its name at its path: a role of that name elsewhere
    is not it)."""
    role = iam.roles.get(_slr_name(service, None))
    return role is not None and role.arn == slr_arn(account_id, service)


def first_use_checks(ctx: RequestContext, service: str) -> list[Check]:
    """The caller's ``iam:CreateServiceLinkedRole`` (with ``iam:AWSServiceName``) for an operation that creates
    ``service``'s service-linked role on first use, when the request's account lacks it: "You must configure
    permissions to allow an IAM entity ... to create ... a service-linked role" (IAM User Guide, "Service-linked role
    permission")."""
    account = ctx.account
    if account is None or has_slr(account.id, account.iam, service):
        return []
    return [Check("iam:CreateServiceLinkedRole", slr_arn(account.id, service), {"iam:AWSServiceName": service})]


def create_on_first_use(ctx: RequestContext, service: str, refusal: Callable[[str], ServiceError]) -> None:
    """Create ``service``'s service-linked role in the request's account as the service does on first use, unless
    the account has it; IAM's refusal (a role of the account already has the name) is answered as ``refusal`` words
    it (the calling service's own error code, with IAM's message)."""
    account = ctx.account
    if account is None or has_slr(account.id, account.iam, service):
        return
    try:
        create_slr(ctx.store.clock.now(), account.id, account.iam, service, by_service=True)
    except ServiceError as refused:
        raise refusal(refused.message) from None


MAX_ROLE_NAME = 64


def _slr_name(service: str, suffix: str | None, check: bool = True) -> str:
    """The role name IAM gives ``service``'s service-linked role (``<name>_<suffix>`` where suffixes are allowed);
    ``check``: refuse an unknown service, a suffix the service takes none of, and a name past 64 characters."""
    spec = service_linked_roles().get(service)
    if spec is None:
        if check:
            # Unverified wording: IAM refuses unknown service names with InvalidInput.
            raise ServiceError("InvalidInput", f"Service role name for {service} is not known to IAM; "
                               "the service does not support service-linked roles.", 400)
        return f"AWSServiceRoleFor{service.split('.', 1)[0]}"
    if suffix:
        if not spec.custom_suffix:
            if check:
                raise ServiceError("InvalidInput", f"Custom suffix is not allowed for {service}", 400)
            return spec.role_name
        name = f"{spec.role_name}_{suffix}"
        if check and len(name) > MAX_ROLE_NAME:
            # A role name is at most 64 characters, however it is made; CreateRole's wording (recorded from AWS in
            # serverless/serverless#4918), unverified for a suffix.
            raise ServiceError("ValidationError", f"1 validation error detected: Value '{name}' at 'roleName' "
                               f"failed to satisfy constraint: Member must have length less than or equal to "
                               f"{MAX_ROLE_NAME}", 400)
        return name
    return spec.role_name


def _trust(action: Any, principal: Any, *, stored: bool = False) -> str:
    """The trust policy of a service-linked role: as CreateServiceLinkedRole's answer writes it (``Action``,
    ``Effect``, ``Principal``) or, ``stored``, as GetRole shows it afterwards (``Effect``, ``Principal``,
    ``Action``: recorded from AWS, radkawar/stackd commit 9dc356f5, internal/services/iam/testdata/
    service_linked_roles_aws.json "create" and "get", 2026-09-11, and testdata/aws/iam/role_manager_cleanup.json
    "role", 2026-09-12)."""
    statement = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": action} if stored else {
        "Action": action, "Effect": "Allow", "Principal": {"Service": principal}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@op("iam", "CreateServiceLinkedRole", authz=_slr_target)
def create_service_linked_role(ctx: RequestContext) -> dict:
    """The new role, its trust policy written as CreateServiceLinkedRole's answer writes it: one-element lists
    (``"Action": ["sts:AssumeRole"]``, ``"Service": ["<service>"]``: real outputs for ECS 2024, OpenSearch 2021 and
    the EC2 Auto Scaling guide's example).  The stored policy, as GetRole and ListRoles show it afterwards, has
    plain strings (recorded from AWS: LocalStack snapshot tests/aws/services/iam/test_iam.snapshot.json,
    test_service_role_lifecycle and test_service_role_lifecycle_custom_suffix, 2025-03-13)."""
    service = ctx.params["AWSServiceName"]
    _slr_name(service, ctx.params.get("CustomSuffix"))  # the service's rules come before the quota
    ensure_room(ctx, "roles")
    role = create_slr(ctx.store.clock.now(), ctx.account.id, iam_of(ctx), service, ctx.params.get("CustomSuffix"),
                      ctx.params.get("Description"))
    out = {**role_out(role, SERVICE_LINKED), "CreateDate": role.create_date}
    out["AssumeRolePolicyDocument"] = url_encoded(_trust(["sts:AssumeRole"], [service]))
    return {"Role": out}


def create_slr(now: Any, account_id: str, iam: IamState, service: str, suffix: str | None = None,
               description: str | None = None, by_service: bool = False) -> Role:
    """Create the service-linked role of ``service``: the name, path, trust and attached policy of the service's
    table entry.  Its description is the request's; a role CreateServiceLinkedRole makes without one has none
    (recorded from AWS for Auto Scaling, 2026-09: radkawar/stackd, internal/services/iam/testdata/
    service_linked_roles_aws.json; terraform-provider-aws's ``TestAccIAMServiceLinkedRole_basic`` expects
    ``description`` "" for Elastic Beanstalk's).  A role the service creates for itself on first use
    (``by_service``) gets the description the service gives it, where one is on record.  The trust policy is stored
    with plain strings
    (``"Action": "sts:AssumeRole"``, ``"Service": "<service>"``) however the role came to be: as GetRole shows roles
    made by CreateServiceLinkedRole (recorded from AWS, see :func:`create_service_linked_role`) and roles services
    made on first use (as App Runner does; real accounts' exports)."""
    name = _slr_name(service, suffix)
    spec = service_linked_roles()[service]
    if any(taken.lower() == name.lower() for taken in iam.roles):  # IAM names ignore case
        raise ServiceError(
            "InvalidInput",
            f"Service role name {name} has been taken in this account, please try a different suffix.", 400,
        )
    path = spec.path
    trust = _trust("sts:AssumeRole", service, stored=True)
    role = Role(name, new_id(ROLE_ID_PREFIX), path, entity_arn(account_id, "role", path, name), now, trust,
                description or (spec.description if by_service else ""), 3600, attached_policies=[spec.policy_arn],
                service_linked=True)
    iam.add(role)
    return role


@op("iam", "DeleteServiceLinkedRole", authz=_slr_target)
def delete_service_linked_role(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    role = ROLE.get(iam, ctx.params["RoleName"])
    if not role.service_linked:
        # Recorded from AWS, 2026-09 (radkawar/stackd, internal/services/iam/testdata/
        # service_linked_membership_aws.json, "delete-ordinary-as-service-linked").
        raise ServiceError("NoSuchEntity", f"{role.name} exists but is not a service role.", 404)
    service = role.path.split("/")[2]
    pending = next((t for t in iam.deletion_tasks.values()
                    if t.role_name == role.name and t.status in ("NOT_STARTED", "IN_PROGRESS")), None)
    if pending is not None:
        return {"DeletionTaskId": pending.task_id}
    task = DeletionTask(f"task/aws-service-role/{service}/{role.name}/{uuid.uuid4()}", role.name, "SUCCEEDED")
    owner, usage = role_usage(ctx.account, role.name)
    if usage:
        # AWS deletes asynchronously and reports FAILED with the resources in use; mockrunner decides at once.
        task.status = "FAILED"
        task.reason = f"Service-linked role {role.name} is in use by {owner} resources."
        task.usage = usage
    else:
        iam.remove(role)
        replace_principal(ctx.store, role.arn, role.role_id)
    iam.add(task)
    return {"DeletionTaskId": task.task_id}


@op("iam", "GetServiceLinkedRoleDeletionStatus", authz=_slr_target)
def get_service_linked_role_deletion_status(ctx: RequestContext) -> dict:
    """IAM's answers for a task id it cannot read ("Invalid task id") and for one it has no task for ("Cannot find
    deletion status for given id."): recorded from AWS, 2026-09 (radkawar/stackd,
    internal/services/iam/testdata/service_linked_roles_aws.json, "malformed-task" and "unknown-task")."""
    task_id = ctx.params["DeletionTaskId"]
    if not task_id.startswith("task/aws-service-role/") or task_id.count("/") != 4:
        raise ServiceError("InvalidInput", "Invalid task id", 400)
    task = iam_of(ctx).deletion_tasks.get(task_id)
    if task is None:
        raise ServiceError("NoSuchEntity", "Cannot find deletion status for given id.", 404)
    result: dict[str, Any] = {"Status": task.status}
    if task.status == "FAILED":
        result["Reason"] = {"Reason": task.reason, "RoleUsageList": task.usage}
    return result
