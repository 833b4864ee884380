"""IAM names are not distinguished by case: a user, group, role or instance profile named in another case is the
entity as it is named.

Recorded from AWS, 2026-09-12 (radkawar/stackd, testdata/aws/iam/resource_authorization.json, "uppercase_name"):
GetUser ``RESOURCE-AUTH-USER``, GetGroup, GetRole and GetInstanceProfile in upper case answer the entity named
``resource-auth-User`` (...) with its own ARN, and are authorized on that ARN. So, before an operation is authorized,
a name parameter that names no entity exactly but one in another case is replaced by that entity's name. The name a
Create* gives the entity it creates is kept as given (IAM refuses it as a duplicate, in the words of the request); a
Create* of something an existing entity holds (CreateAccessKey's, CreateLoginProfile's user) names it as any other
operation does.
"""
from __future__ import annotations

from mockrunner.context import RequestContext
from mockrunner.services.registry import PARAMETER_HOOKS

NAMED = {"UserName": "users", "GroupName": "groups", "RoleName": "roles", "InstanceProfileName": "instance_profiles"}
"""Name parameters and the ``IamState`` collection whose entities they name."""
CREATED = {"CreateUser": "UserName", "CreateGroup": "GroupName", "CreateRole": "RoleName",
           "CreateInstanceProfile": "InstanceProfileName"}
"""The operations that create an entity of :data:`NAMED`, and the parameter naming it."""


def canonical_names(ctx: RequestContext) -> None:
    """Replace each name parameter of :data:`NAMED` by the stored spelling of the entity it names in another case
    (but the name of the entity a Create* creates)."""
    iam = ctx.account.iam
    created = CREATED.get(ctx.operation_name)
    for param, collection in NAMED.items():
        name = ctx.params.get(param)
        if param == created or not isinstance(name, str):
            continue
        entities = getattr(iam, collection)
        if name in entities:
            continue
        folded = name.lower()
        match = next((stored for stored in entities if stored.lower() == folded), None)
        if match is not None:
            ctx.params[param] = match


PARAMETER_HOOKS.setdefault("iam", []).append(canonical_names)
