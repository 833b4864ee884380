"""Account properties: GetAccountProperties, PutAccountProperties (account-wide IAM settings: role manager).

IAM knows one namespace, ``RoleManager``, and one property of it, ``Enabled`` (``"true"``/``"false"``, ``"false"``
until set), which every read shows.  A put is checked in this order, each answer recorded from AWS, 2026-09-12
(radkawar/stackd, testdata/aws/iam/account_properties.json): an empty map is ``ValidationError`` "Value at
'properties' ... Member must not be null" (the validation layer); a key without ``/`` is "Property key must be in
format Namespace/PropertyName: <key>" ("missing_separator"); keys of two namespaces are "All properties must belong
to the same namespace" ("mixed_namespaces"); another namespace is "Unsupported namespace: <namespace>"
("unknown_namespace"); a RoleManager put without ``RoleManager/Enabled`` (``RoleManager/Other``, and
``RoleManager/Enabled/x``, whose property is ``Enabled/x``) is "RoleManager namespace requires Enabled property"
("unknown_property", "extra_separator"); any value but ``true`` or ``false`` exactly ("FALSE", " false", "0") is
"Enabled must be 'true' or 'false'"; all ``InvalidInput``.  Other properties of the namespace beside ``Enabled``
are accepted and not kept ("unknown_property_same_namespace", then reads show ``Enabled`` alone).
Turning role manager on needs its service-linked role: when the account has none, the caller must also be allowed
``iam:CreateServiceLinkedRole`` on ``role/aws-service-role/role-manager.iam.amazonaws.com/
AWSServiceRoleForIAMRoleManager`` ("enable_dependency_denied" is that denial) and the put creates the role; turning
it off needs nothing more ("user_disable_without_dependency") and leaves the role (account_properties_toggle.json,
"retained_role").  That the put creates the role is inferred (the recorded account had it after an enable;
*unverified*).  Both operations are authorized as ``iam:<Operation>`` on ``*`` (testdata/aws/iam/root_access.json
"properties_no_grants" names ``on resource: *``).
"""
from __future__ import annotations

from collections.abc import Iterable

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.services.iam.authz import anything
from mockrunner.services.iam.entities import entity_arn, iam_of
from mockrunner.services.iam.service_linked_roles import create_slr
from mockrunner.services.registry import op

ROLE_MANAGER = "role-manager.iam.amazonaws.com"
ROLE_MANAGER_ROLE = "AWSServiceRoleForIAMRoleManager"
ENABLED = "RoleManager/Enabled"
DEFAULTS = {ENABLED: "false"}
"""Every property IAM knows, with the value a read shows before any put."""


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def _checked(properties: dict[str, str]) -> str:
    """The value of ``RoleManager/Enabled`` in a well-formed put, or IAM's refusal of it."""
    for key in properties:
        if "/" not in key:
            raise _invalid(f"Property key must be in format Namespace/PropertyName: {key}")
    namespaces = {key.split("/", 1)[0] for key in properties}
    if len(namespaces) > 1:
        raise _invalid("All properties must belong to the same namespace")
    namespace = namespaces.pop()
    if namespace != "RoleManager":
        raise _invalid(f"Unsupported namespace: {namespace}")
    if ENABLED not in properties:
        raise _invalid("RoleManager namespace requires Enabled property")
    if properties[ENABLED] not in ("true", "false"):
        raise _invalid("Enabled must be 'true' or 'false'")
    return properties[ENABLED]


def _turns_on_without_role(ctx: RequestContext) -> bool:
    properties = ctx.params.get("Properties") or {}
    return properties.get(ENABLED) == "true" and ROLE_MANAGER_ROLE not in iam_of(ctx).roles


def _put_target(ctx: RequestContext) -> Iterable[Check]:
    checks = list(anything(ctx))
    if _turns_on_without_role(ctx):
        arn = entity_arn(ctx.account.id, "role", f"/aws-service-role/{ROLE_MANAGER}/", ROLE_MANAGER_ROLE)
        checks.append(Check("iam:CreateServiceLinkedRole", arn))
    return checks


@op("iam", "GetAccountProperties", authz=anything)
def get_account_properties(ctx: RequestContext) -> dict:
    return {"Properties": {**DEFAULTS, **iam_of(ctx).account_properties}}


@op("iam", "PutAccountProperties", authz=_put_target)
def put_account_properties(ctx: RequestContext) -> dict:
    iam = iam_of(ctx)
    enabled = _checked(ctx.params["Properties"])
    if _turns_on_without_role(ctx):
        create_slr(ctx.store.clock.now(), ctx.account.id, iam, ROLE_MANAGER, by_service=True)
    iam.configure(account_properties={ENABLED: enabled})
    return {}
