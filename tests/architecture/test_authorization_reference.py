"""Every authorization check of IAM, STS, ECR and App Runner against the Service Authorization Reference (SAR).

The reference is ``authorization_reference.json`` (made by ``scripts/gen_authorization_reference.py`` from the SAR
dataset it names).  The calls: one per operation of the four botocore models, with the robustness generator's
inputs against the populated world (``tests/ways/sdk_sweep.py``, ``js_sdk_world.py``; the first of a few inputs
that succeeds, all of them recorded), plus :data:`SCENARIOS` that carry what the generated inputs rarely do (tags,
boundaries, roles to pass, session attributes, federation) and a registry push and pull.  Each call's checks are
read from the decision log, and each check must hold:

(a) its action is one the SAR lists for the service;
(b) its resource matches an ARN template of one of the action's resource types, and is ``*`` exactly when the
    action has none;
(c) every service-specific condition key in its context (``iam:``, ``sts:``, ``ecr:``, ``apprunner:``) and every
    tag key (``aws:RequestTag``, ``aws:TagKeys``, ``aws:ResourceTag``) is one the SAR lists for the action or its
    resource type;
(d) a key the SAR lists for the action is in the context when the request carries its value
    (:data:`KEY_MEMBERS`, tags, the tags of the resources in :data:`TAGGED`), and the checks AWS documents besides
    the action's own are made (:data:`EXTRA_CHECKS`);
(e) every operation makes at least one check (:data:`NO_CHECK` lists the ones AWS documents as needing none).

What AWS does otherwise than the dataset says, and what the dataset does not know yet, is in the exception tables
below, one reason per row (docs/behaviour.md, "Authorization checked against the Service Authorization Reference").
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from mockrunner.protocol import specs
from mockrunner.testing.oci import OCI_MANIFEST, build_image, digest_of
from tests.iam.federation import mint
from tests.iam.saml_federation import saml_response
from tests.robustness.generate import Generator
from tests.robustness.world import ACCOUNT, REGION, World, trust
from tests.ways import sdk_sweep
from tests.ways.js_sdk_world import build_full_world

REFERENCE = json.loads((Path(__file__).parent / "authorization_reference.json").read_text(encoding="utf-8"))
SERVICES = REFERENCE["services"]
PREFIXES = tuple(SERVICES)
TAG_KEY_FAMILIES = ("aws:RequestTag/", "aws:TagKeys", "aws:ResourceTag/")

# ----------------------------------------------------------------------------------------------- exception tables
NEWER_THAN_DATASET = {
    "ecr:StartReplicationBackfill": "ECR replication backfill (botocore 1.44); not in the dataset",
    "ecr:StopReplicationBackfill": "ECR replication backfill (botocore 1.44); not in the dataset",
    "ecr:ListReplicationBackfills": "ECR replication backfill (botocore 1.44); not in the dataset",
    "ecr:DescribeReplicationBackfillResults": "ECR replication backfill (botocore 1.44); not in the dataset",
    "iam:AcquireRole": "role templates (botocore 1.44); not in the dataset",
    "iam:GetRoleTemplateVersion": "role templates (botocore 1.44); not in the dataset",
    "iam:GetAccountProperties": "account properties (botocore 1.44); not in the dataset",
    "iam:PutAccountProperties": "account properties (botocore 1.44); not in the dataset",
    "iam:UpdateDelegationRequest": "delegation requests' update (botocore 1.44); the dataset has the others",
    "iam:UpdateOpenIDConnectProvider": "trusted identity propagation on OIDC providers (botocore 1.44)",
    "iam:GetRequestAuthorizationDetails": "IAM Toolbox's Access Troubleshooter (botocore 1.44.8), on `*`",
    "iam:GetRequestAuthorizationPolicy": "IAM Toolbox's Access Troubleshooter (botocore 1.44.8), on `*`",
    "sts:GetScopedCredentials": "scoped credentials (botocore 1.44.8); not in the dataset",
    "sts:SetWebIdentityTokenScope": "GetWebIdentityToken's Scope (botocore 1.44.8); not in the dataset",
}
"""Actions of operations in botocore's models (1.44) that the dataset predates: authorized as ``<prefix>:<Operation>``
with the resource and keys docs/behaviour.md gives for each."""

RESOURCE_FORMS = [
    (r"iam:List(Users|Roles|Groups|InstanceProfiles|ServerCertificates|Policies)",
     r"arn:aws:iam::\d{12}:(user|role|group|instance-profile|server-certificate|policy)/(.*/)?",
     "IAM names the path prefix of a listing as its resource (\"not authorized to perform: iam:ListUsers on "
     "resource: arn:aws:iam::<account>:user/\" in AWS's answers); the SAR's row has no resource type"),
    (r"iam:\w+", r"arn:aws:iam::\d{12}:root",
     "the account root acting on itself (no UserName): its own ARN, which no policy of the account constrains"),
    (r"apprunner:(Create(AutoScalingConfiguration|ObservabilityConfiguration|VpcConnector)|TagResource)",
     r"arn:aws:apprunner:[a-z0-9-]+:\d{12}:(autoscalingconfiguration|observabilityconfiguration|vpcconnector)"
     r"/[^/]+/\*",
     "a Create names its resource before it exists: name/* (the revision and id are App Runner's to assign); "
     "the form is unverified, as docs/behaviour.md's App Runner authorization section says"),
    (r"iam:(GetAccessKeyLastUsed|GetServiceLinkedRoleDeletionStatus)", r"\*",
     "an access key id or deletion task the account does not have names no resource; AWS answers AccessDenied "
     "for the key (LocalStack's recording) and the task is refused after the check"),
    (r"iam:CreateDelegationRequest", r"\*", "the delegation request's id is not known before it is created"),
    (r"iam:(GetHumanReadableSummary|SimulatePrincipalPolicy|GetContextKeysForPrincipalPolicy|"
     r"GenerateServiceLastAccessedDetails|ListPoliciesGrantingServiceAccess)", r"\*",
     "the request's ARN member holds no ARN: it names no resource, and the operation refuses it after the check"),
    (r"sts:(GetWebIdentityToken|TagGetWebIdentityToken|SetWebIdentityTokenScope)", r"arn:aws:sts::\d{12}:self",
     "recorded from AWS (radkawar/stackd testdata/aws/iam/outbound_identity.json): the denials name \"on resource: "
     "arn:aws:sts::<account>:self\" and a policy on that ARN allows; the SAR's row has no resource type"),
    (r"iam:PassRole", r"arn:aws:iam::\d{12}:role/.*",
     "PassRole names the role ARN the request gives, as given; the service refuses a malformed one afterwards"),
    (r"sts:(GetWebIdentityToken|TagGetWebIdentityToken|SetWebIdentityTokenScope)", r"arn:aws:sts::\d{12}:self",
     "recorded from AWS, 2026-09-11: the denials name arn:aws:sts::<account>:self and a policy on that resource "
     "allows the token (the parity sweep of last access and outbound identity in docs/behaviour.md); the SAR's "
     "row has no resource type"),
]
"""(action pattern, resource pattern, reason): resources AWS names otherwise than the action's ARN templates."""

KEY_FORMS = [
    (r"apprunner:\w+", r"apprunner:ResourceTag/.+",
     "App Runner developer guide, \"How App Runner works with IAM\", names apprunner:ResourceTag/<key> for tag-based "
     "access (its section on App Runner tags); the SAR lists only aws:ResourceTag, which is sent too"),
    (r"sts:(TagSession|SetSourceIdentity)", r"sts:(ExternalId|RoleSessionName|SourceIdentity|TransitiveTagKeys)",
     "one request context per request: the trust policy judges AssumeRole's companion checks with the same keys, "
     "so a statement allowing both actions under an sts:ExternalId condition keeps working (unverified)"),
    (r"sts:(TagSession|SetSourceIdentity)", r"aws:ResourceTag/.+|iam:ResourceTag/.+|aws:RequestTag/.+|aws:TagKeys",
     "the same request context: the role's tags and the session tags, which AssumeRole's row lists"),
    (r"iam:(CreateOpenIDConnectProvider|TagOpenIDConnectProvider|UpdateOpenIDConnectProvider|CreateSAMLProvider|"
     r"UpdateSAMLProvider|TagSAMLProvider)",
     r"iam:(EnableIdentityPropagation|EnableIdentityCenterAssociation|RequestIdentityCenterInstanceArn|"
     r"ResourceIdentityCenterInstanceArn)",
     "trusted identity propagation keys (botocore 1.44); the dataset predates them"),
    (r"sts:GetWebIdentityToken", r"sts:SubjectMode", "GetWebIdentityToken's SubjectMode (botocore 1.44.8)"),
    (r"sts:(AssumeRoleWithWebIdentity|TagSession|SetSourceIdentity)", r"sts:RoleAuthorizedByIdp",
     "whether the token's roles claim names the role: recorded from AWS (radkawar/stackd "
     "internal/services/sts/testdata/oidc/aws-roles.json), newer than the dataset; the same request context for the "
     "companion checks"),
    (r"sts:SetWebIdentityTokenScope", r"sts:IdentityTokenScope", "GetWebIdentityToken's Scope (botocore 1.44.8)"),
    (r"sts:TagGetWebIdentityToken", r"sts:(DurationSeconds|IdentityTokenAudience|SigningAlgorithm|SubjectMode|"
     r"IdentityTokenScope)",
     "one request context per request: GetWebIdentityToken's companion tag check is judged with its keys"),
]
"""(action pattern, key pattern, reason): condition keys AWS documents elsewhere, or newer than the dataset."""

MISSING_FORMS = [
    (r"iam\.AddRoleToInstanceProfile", r"iam:PassRole", r"iam:PassedToService",
     "IAM checks the PassRole of AddRoleToInstanceProfile itself and names no service the role is passed to (EC2 "
     "checks PassRole again when the profile is associated with an instance); unverified"),
]
"""(call pattern, action pattern, key pattern, reason): keys the SAR lists that a check leaves out."""

NO_CHECK = {
    ("sts", "GetCallerIdentity"): "\"No permissions are required to perform this operation\" (STS API reference, "
                                  "GetCallerIdentity)",
    ("sts", "GetSessionToken"): "\"No permissions are required for a user to get a session token\" (IAM User "
                                "Guide, \"Permissions for GetSessionToken\")",
}
"""Operations AWS documents as authorizing nothing."""

KEY_MEMBERS = {
    "iam:PolicyARN": ("PolicyArn",),
    "iam:PermissionsBoundary": ("PermissionsBoundary",),
    "iam:AWSServiceName": ("AWSServiceName",),
    "iam:OrganizationsPolicyId": ("OrganizationsPolicyId",),
    "iam:ServiceSpecificCredentialServiceName": ("ServiceName",),
    "iam:ServiceSpecificCredentialAgeDays": ("CredentialAgeDays",),
    "iam:PassedToService": None,
    "sts:RoleSessionName": ("RoleSessionName",),
    "sts:ExternalId": ("ExternalId",),
    "sts:SourceIdentity": ("SourceIdentity",),
    "sts:TransitiveTagKeys": ("TransitiveTagKeys",),
    "sts:TaskPolicyArn": ("TaskPolicyArn", "arn"),
    "ecr:AccountSetting": ("name",),
    "apprunner:ServiceArn": ("ServiceArn",),
    "apprunner:VpcId": ("IngressVpcConfiguration", "VpcId"),
    "apprunner:VpcEndpointId": ("IngressVpcConfiguration", "VpcEndpointId"),
    "apprunner:AutoScalingConfigurationArn": ("AutoScalingConfigurationArn",),
    "apprunner:ConnectionArn": ("SourceConfiguration", "AuthenticationConfiguration", "ConnectionArn"),
    "apprunner:ObservabilityConfigurationArn": ("ObservabilityConfiguration", "ObservabilityConfigurationArn"),
    "apprunner:VpcConnectorArn": ("NetworkConfiguration", "EgressConfiguration", "VpcConnectorArn"),
}
"""Condition key -> the request member carrying its value (``None``: always present on the action's checks)."""

TAGGED = {
    f"arn:aws:iam::{ACCOUNT}:user/alice": "team",
    f"arn:aws:iam::{ACCOUNT}:user/bob": "team",
    f"arn:aws:iam::{ACCOUNT}:role/access": "team",
    f"arn:aws:iam::{ACCOUNT}:policy/read-ecr": "team",
    f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web": "team",
    f"arn:aws:iam::{ACCOUNT}:role/sar-web": "team",
}
"""Tagged resources of the world (ARN -> a tag key): a check on one carries each ResourceTag key its row lists."""


def _role_arns(params: dict) -> list[str]:
    found = []
    for path in (("SourceConfiguration", "AuthenticationConfiguration", "AccessRoleArn"),
                 ("InstanceConfiguration", "InstanceRoleArn"), ("customRoleArn",)):
        value = member(params, path)
        if value:
            found.append(value)
    return found


EXTRA_CHECKS: list[tuple[str, Callable[[str, dict], list[str]], str]] = [
    ("iam:PassRole on each role an App Runner service is given",
     lambda operation, params: ["iam:PassRole"] * len(_role_arns(params))
     if operation in ("CreateService", "UpdateService") else [],
     "App Runner developer guide (service roles are passed); AWSAppRunnerFullAccess's iam:PassRole statement"),
    ("iam:PassRole on ECR's creation template role",
     lambda operation, params: ["iam:PassRole"] if operation.endswith("RepositoryCreationTemplate")
     and operation.startswith(("Create", "Update")) and str(params.get("customRoleArn")).startswith("arn:") else [],
     "the SAR's dependent actions of ecr:Create/UpdateRepositoryCreationTemplate"),
    ("iam:PassRole on the role added to an instance profile",
     lambda operation, params: ["iam:PassRole"] if operation == "AddRoleToInstanceProfile" else [],
     "the SAR's dependent action of iam:AddRoleToInstanceProfile"),
    ("the tagging action on a tagged create",
     lambda operation, params: [TAG_ON_CREATE[operation]] if operation in TAG_ON_CREATE and tags_of(params) else [],
     "the SAR's dependent action ecr:TagResource of ecr:CreateRepository; IAM's answers (\"not authorized to "
     "perform: iam:TagRole\" on CreateRole with tags); App Runner's Create rows list aws:RequestTag"),
    ("sts:TagGetWebIdentityToken on a web identity token's request tags",
     lambda operation, params: ["sts:TagGetWebIdentityToken"]
     if operation == "GetWebIdentityToken" and params.get("Tags") else [],
     "recorded from AWS, 2026-09-11: \"not authorized to perform: sts:TagGetWebIdentityToken\" for a request with "
     "Tags (the parity sweep of last access and outbound identity in docs/behaviour.md)"),
    ("sts:TagSession on session tags and sts:SetSourceIdentity on a source identity",
     lambda operation, params: (["sts:TagSession"] if params.get("Tags") else [])
     + (["sts:SetSourceIdentity"] if params.get("SourceIdentity") else [])
     if operation == "AssumeRole" else [],
     "IAM User Guide, \"Passing session tags in AWS STS\" and \"Monitor and control actions taken with assumed "
     "roles\": both need the permission in the role's trust policy"),
]
"""(what, operation, params -> extra actions expected among the call's checks, evidence)."""

TAG_ON_CREATE = {
    "CreateUser": "iam:TagUser", "CreateRole": "iam:TagRole", "CreatePolicy": "iam:TagPolicy",
    "CreateInstanceProfile": "iam:TagInstanceProfile", "CreateOpenIDConnectProvider": "iam:TagOpenIDConnectProvider",
    "CreateSAMLProvider": "iam:TagSAMLProvider", "CreateVirtualMFADevice": "iam:TagMFADevice",
    "UploadServerCertificate": "iam:TagServerCertificate", "CreateRepository": "ecr:TagResource",
    "CreateService": "apprunner:TagResource", "CreateConnection": "apprunner:TagResource",
    "CreateAutoScalingConfiguration": "apprunner:TagResource", "CreateVpcConnector": "apprunner:TagResource",
    "CreateObservabilityConfiguration": "apprunner:TagResource", "CreateVpcIngressConnection": "apprunner:TagResource",
}


# --------------------------------------------------------------------------------------------------- matching
def member(params: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if not isinstance(params, dict):
            return None
        params = params.get(name)
    return params


def tags_of(params: dict) -> dict[str, str]:
    tags = params.get("Tags") if params.get("Tags") is not None else params.get("tags")
    if isinstance(tags, dict):
        return dict(tags)
    return {tag.get("Key", tag.get("key")): tag.get("Value", tag.get("value")) for tag in tags or ()}


_SEGMENTS = {"Partition": r"aws(?:-[a-z]+)*", "Region": r"[a-z]{2}(?:-[a-z]+)+-\d", "Account": r"(?:\d{12}|aws)"}
_SLASHED = ("WithPath", "RepositoryName", "OidcProviderName", "EntityPath")


@cache
def template_pattern(template: str) -> re.Pattern:
    """An ARN template of the SAR as a regex: ``${Partition}``, ``${Region}``, ``${Account}`` (an account id, or
    ``aws`` for AWS managed policies) as such; a name ending in ``WithPath`` and ``${RepositoryName}`` may hold
    slashes; any other ``${Name}`` is one non-empty segment without ``/`` or ``:``."""
    parts = re.split(r"\$\{(\w+)\}", template)
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(part)
        elif part in _SEGMENTS:
            pattern += _SEGMENTS[part]
        else:
            pattern += r"\S+" if part.endswith(_SLASHED) else r"[^/:\s]+"
    return re.compile(pattern + r"\Z")


@cache
def key_pattern(key: str) -> re.Pattern:
    """A condition key of the SAR (``aws:RequestTag/${TagKey}``) as a case-insensitive regex."""
    return re.compile(re.sub(r"\\\$\\\{\w+\\\}", ".+", re.escape(key)) + r"\Z", re.IGNORECASE)


def entry(action: str) -> dict | None:
    prefix, _, name = action.partition(":")
    return SERVICES.get(prefix, {}).get("actions", {}).get(name)


def resource_types(action: str) -> list[str]:
    return [kind for kind in entry(action)["resource_types"] if kind]


def listed_keys(action: str) -> list[str]:
    """The keys of the action's rows and of its resource types."""
    prefix = action.partition(":")[0]
    keys = []
    for kind, row in entry(action)["resource_types"].items():
        keys += row.get("condition_keys", [])
        if kind:
            keys += SERVICES[prefix]["resources"][kind].get("condition_keys", [])
    return keys


def resource_problem(action: str, resource: str) -> str | None:
    kinds = resource_types(action)
    prefix = action.partition(":")[0]
    if any(re.fullmatch(forms, action) and re.fullmatch(pattern, resource)
           for forms, pattern, _ in RESOURCE_FORMS):
        return None
    if not kinds:
        return None if resource == "*" else f"{resource} where the SAR has no resource type (must be *)"
    templates = [SERVICES[prefix]["resources"][kind]["arn"] for kind in kinds]
    if any(template_pattern(template).match(resource) for template in templates):
        return None
    return f"{resource} matches none of {templates}"


def key_problem(action: str, key: str) -> str | None:
    if not (key.partition(":")[0] in PREFIXES or key.startswith(TAG_KEY_FAMILIES)):
        return None
    if any(key_pattern(listed).match(key) for listed in listed_keys(action)):
        return None
    if any(re.fullmatch(forms, action) and re.fullmatch(pattern, key) for forms, pattern, _ in KEY_FORMS):
        return None
    return f"{key} is not a key of {action}"


def missing_keys(action: str, resource: str, params: dict, context: dict) -> list[str]:
    """Keys the SAR lists for ``action`` whose value the request (or the tagged resource) carries, absent from the
    check's ``context``."""
    listed = listed_keys(action)
    wanted: list[str] = []

    def lists(key: str) -> bool:
        return any(key_pattern(item).match(key) for item in listed)

    for key, path in KEY_MEMBERS.items():
        if lists(key) and (path is None or member(params, path) not in (None, "", [], {})):
            wanted.append(key)
    tags = tags_of(params)
    if tags and lists("aws:RequestTag/x") and not action.split(":")[1].startswith("Untag"):
        wanted += [f"aws:RequestTag/{key}" for key in tags]
    if (tags or params.get("TagKeys") or params.get("tagKeys")) and lists("aws:TagKeys"):
        wanted.append("aws:TagKeys")
    tag = TAGGED.get(resource)
    if tag is not None:
        wanted += [family + tag for family in ("aws:ResourceTag/", "iam:ResourceTag/", "ecr:ResourceTag/")
                   if lists(family + tag)]
    present = {key.lower() for key in context}
    return [key for key in wanted if key.lower() not in present]


# --------------------------------------------------------------------------------------------------- the calls
@dataclass
class Observed:
    """One call and the checks it made."""

    service: str
    operation: str
    params: dict
    ok: bool
    checks: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


class Recorder:
    """Calls against the world, each after a restore unless ``fresh=False``, recording its checks."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.observed: list[Observed] = []

    def call(self, service: str, operation: str, params: dict, caller: Any = None, fresh: bool = True) -> dict:
        if fresh:
            self.world.restore()
        self.world.store.decision_log.clear()
        outcome = sdk_sweep.botocore_call(self.world.harness, {"service": service, "operation": operation,
                                                               "caller": caller, "input": params})
        self.observed.append(Observed(service, operation, params, outcome["ok"], list(self.world.store.decision_log)))
        return outcome


def _generated(recorder: Recorder) -> None:
    world = recorder.world
    for service in specs.SERVICES:
        model = specs.service_model(service)
        for name in model.operation_names:
            shape = model.operation_model(name).input_shape
            caller = sdk_sweep.alice(world) if (service, name) in sdk_sweep.AS_ALICE else None
            for seed in range(sdk_sweep.SEEDS if shape is not None else 1):
                generator = Generator(random.Random(f"js-sdk.{service}.{name}.{seed}"), world.vocabulary)
                params = generator.structure(shape, 0) if shape is not None else {}
                params = {key: value for key, value in params.items() if key not in sdk_sweep.PAGE_TOKENS}
                if recorder.call(service, name, params, caller)["ok"]:
                    break


TAGS = [{"Key": "team", "Value": "a"}]
UUID = "12345678-1234-1234-1234-123456789012"


def _session(recorder: Recorder) -> dict:
    """Credentials of a session of the role ``assumable`` (as alice)."""
    outcome = recorder.call("sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/assumable",
                                                  "RoleSessionName": "sar"}, sdk_sweep.alice(recorder.world))
    credentials = outcome["output"]["Credentials"]
    return {"accessKeyId": credentials["AccessKeyId"], "secretAccessKey": credentials["SecretAccessKey"],
            "sessionToken": credentials["SessionToken"]}


def _scenarios(recorder: Recorder) -> None:
    """Calls carrying what the generated inputs rarely do."""
    call = recorder.call
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    policy = f"arn:aws:iam::{ACCOUNT}:policy/read-ecr"
    alice = sdk_sweep.alice(recorder.world)
    # IAM: tags, boundaries, policy ARNs, roles to pass.
    call("iam", "CreateUser", {"UserName": "sar", "Tags": TAGS, "PermissionsBoundary": boundary})
    call("iam", "CreateRole", {"RoleName": "sar", "AssumeRolePolicyDocument": trust("ec2.amazonaws.com"),
                               "Tags": TAGS, "PermissionsBoundary": boundary})
    call("iam", "CreatePolicy", {"PolicyName": "sar", "PolicyDocument": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
        "Tags": TAGS})
    call("iam", "CreateInstanceProfile", {"InstanceProfileName": "sar", "Tags": TAGS})
    call("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "sar", "RoleName": "instance"}, fresh=False)
    call("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "sar", "Tags": TAGS})
    for operation, entity in (("AttachUserPolicy", {"UserName": "bob"}), ("AttachRolePolicy", {"RoleName": "access"}),
                              ("AttachGroupPolicy", {"GroupName": "devs"})):
        call("iam", operation, {**entity, "PolicyArn": boundary})
    for operation, entity in (("DetachUserPolicy", {"UserName": "bob"}), ("DetachRolePolicy", {"RoleName": "access"}),
                              ("DetachGroupPolicy", {"GroupName": "devs"})):
        call("iam", operation, {**entity, "PolicyArn": policy if "Role" not in operation else
                                "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"})
    call("iam", "PutRolePermissionsBoundary", {"RoleName": "access", "PermissionsBoundary": boundary})
    call("iam", "PutRolePolicy", {"RoleName": "access", "PolicyName": "p", "PolicyDocument": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})},
        fresh=False)
    for operation in ("DeleteUser", "GetUser", "PutUserPolicy", "DeleteUserPolicy"):
        call("iam", operation, {"UserName": "bob", **({"PolicyName": "inline"} if "Policy" in operation else {}),
                                **({"PolicyDocument": json.dumps({"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})}
                                   if operation == "PutUserPolicy" else {})})
    call("iam", "GetPolicy", {"PolicyArn": policy})
    call("iam", "CreateServiceLinkedRole", {"AWSServiceName": "apprunner.amazonaws.com"})
    call("iam", "CreateServiceSpecificCredential", {"UserName": "alice", "ServiceName": "codecommit.amazonaws.com"})
    call("iam", "GenerateServiceLastAccessedDetails", {"Arn": f"arn:aws:iam::{ACCOUNT}:user/alice"})
    call("iam", "ListPoliciesGrantingServiceAccess", {"Arn": f"arn:aws:iam::{ACCOUNT}:role/access",
                                                      "ServiceNamespaces": ["ecr"]})
    call("iam", "ListAccessKeys", {}, alice)
    call("iam", "GetHumanReadableSummary", {"EntityArn": f"arn:aws:iam::{ACCOUNT}:delegation-request/sar-12345678"})
    serial = recorder.world.vocabulary["SerialNumber"][0]
    for operation in ("EnableMFADevice", "ResyncMFADevice"):
        call("iam", operation, {"UserName": "alice", "SerialNumber": serial, "AuthenticationCode1": "123456",
                                "AuthenticationCode2": "654321"})
    call("iam", "GenerateOrganizationsAccessReport", {"EntityPath": "o-a1b2c3d4e5/r-ab12"})
    # STS: session attributes, federation.
    call("sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/assumable", "RoleSessionName": "sar",
                               "ExternalId": "ext", "SourceIdentity": "alice", "Tags": TAGS,
                               "TransitiveTagKeys": ["team"]}, alice)
    call("sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/access", "RoleSessionName": "sar"}, alice)
    call("sts", "GetFederationToken", {"Name": "sar", "Tags": TAGS}, alice)
    call("sts", "AssumeRoot", {"TargetPrincipal": "210987654321", "TaskPolicyArn": {
        "arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}}, alice)
    session = _session(recorder)
    call("sts", "GetScopedCredentials", {"DurationSeconds": 900}, session, fresh=False)
    _federation(recorder)
    # ECR: tags, the creation template's role, account settings, layer uploads.
    call("ecr", "CreateRepository", {"repositoryName": "sar", "tags": TAGS})
    call("ecr", "CreateRepositoryCreationTemplate", {"prefix": "sar", "appliedFor": ["CREATE_ON_PUSH"],
                                                     "customRoleArn": f"arn:aws:iam::{ACCOUNT}:role/access"})
    call("ecr", "TagResource", {"resourceArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web", "tags": TAGS})
    call("ecr", "GetAccountSetting", {"name": "BASIC_SCAN_TYPE_VERSION"})
    call("ecr", "PutAccountSetting", {"name": "BASIC_SCAN_TYPE_VERSION", "value": "AWS_NATIVE"})
    upload = call("ecr", "InitiateLayerUpload", {"repositoryName": "web"})["output"]["uploadId"]
    layer = b"sar layer"
    call("ecr", "UploadLayerPart", {"repositoryName": "web", "uploadId": upload, "partFirstByte": 0,
                                    "partLastByte": len(layer) - 1, "layerPartBlob": layer}, fresh=False)
    call("ecr", "CompleteLayerUpload", {"repositoryName": "web", "uploadId": upload,
                                        "layerDigests": [digest_of(layer)]}, fresh=False)
    call("ecr", "DescribeReplicationBackfillResults", {"replicationBackfillId": UUID})
    call("ecr", "StopReplicationBackfill", {"replicationBackfillId": UUID})
    call("ecr", "PutSigningConfiguration", {"signingConfiguration": {"rules": [{
        "signingProfileArn": f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/sar"}]}})
    # App Runner: tags, roles to pass, references.
    private = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:v1",
                                   "ImageRepositoryType": "ECR"},
               "AuthenticationConfiguration": {"AccessRoleArn": f"arn:aws:iam::{ACCOUNT}:role/access"}}
    world = recorder.world
    running = world.vocabulary["ServiceArn"][0]
    call("apprunner", "CreateService", {
        "ServiceName": "sar-svc", "SourceConfiguration": private, "Tags": TAGS,
        "InstanceConfiguration": {"InstanceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/app/instance"},
        "AutoScalingConfigurationArn": world.vocabulary["AutoScalingConfigurationArn"][0],
        "NetworkConfiguration": {"EgressConfiguration": {"EgressType": "VPC",
                                                         "VpcConnectorArn": world.vocabulary["VpcConnectorArn"][0]}}})
    instance = {"InstanceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/app/instance"}
    call("apprunner", "UpdateService", {"ServiceArn": running, "InstanceConfiguration": instance})
    call("apprunner", "CreateVpcIngressConnection", {
        "ServiceArn": running, "VpcIngressConnectionName": "sar-vic", "Tags": TAGS,
        "IngressVpcConfiguration": {"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"}})
    for operation, params in (("CreateConnection", {"ConnectionName": "sar-conn", "ProviderType": "GITHUB"}),
                              ("CreateAutoScalingConfiguration", {"AutoScalingConfigurationName": "sar-asc"}),
                              ("CreateObservabilityConfiguration", {"ObservabilityConfigurationName": "sar-obs"}),
                              ("CreateVpcConnector", {"VpcConnectorName": "sar-vpcc", "Subnets": ["subnet-1"]})):
        call("apprunner", operation, {**params, "Tags": TAGS})
    call("apprunner", "TagResource", {"ResourceArn": running, "Tags": TAGS})
    call("apprunner", "UntagResource", {"ResourceArn": running, "TagKeys": ["team"]})


def _federation(recorder: Recorder) -> None:
    """AssumeRoleWithWebIdentity and AssumeRoleWithSAML against roles trusting the world's providers."""
    world, iam = recorder.world, recorder.world.harness.client("iam")
    world.restore()
    oidc = world.vocabulary["OpenIDConnectProviderArn"][0]
    saml = world.vocabulary["SAMLProviderArn"][0]

    def trusting(provider: str, action: str) -> str:
        statement = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": action}
        if provider.endswith("/token.actions.githubusercontent.com"):  # IAM requires a scoped :sub for GitHub
            statement["Condition"] = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    web = iam.create_role(RoleName="sar-web", AssumeRolePolicyDocument=trusting(oidc, "sts:AssumeRoleWithWebIdentity"),
                          Tags=TAGS)["Role"]["Arn"]
    federated = iam.create_role(RoleName="sar-saml", AssumeRolePolicyDocument=trusting(
        saml, "sts:AssumeRoleWithSAML"))["Role"]["Arn"]
    token = mint(world.harness, github={"repository": "acme/web", "ref": "refs/heads/main"})
    assertion = saml_response(world.harness, federated, saml)
    recorder.call("sts", "AssumeRoleWithWebIdentity", {"RoleArn": web, "RoleSessionName": "sar",
                                                       "WebIdentityToken": token}, False, fresh=False)
    recorder.call("sts", "AssumeRoleWithSAML", {"RoleArn": federated, "PrincipalArn": saml,
                                                "SAMLAssertion": assertion}, False, fresh=False)


def _registry(recorder: Recorder) -> None:
    """A push and a pull through the registry API (in-process), as the ECR checks they make."""
    world = recorder.world
    world.restore()
    token = world.harness.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    client = Client(world.harness.app)
    headers = {"Authorization": "Basic " + token}
    image = build_image("sar")
    requests: list[tuple[str, str, bytes | None, dict]] = []
    for blob in (image.layer, image.config):
        requests.append(("POST", "/v2/web/blobs/uploads/", None, {"then_put": blob}))
    requests += [("PUT", "/v2/web/manifests/sar", image.manifest, {"Content-Type": OCI_MANIFEST}),
                 ("GET", "/v2/web/manifests/sar", None, {"Accept": OCI_MANIFEST}),
                 ("HEAD", f"/v2/web/blobs/{digest_of(image.layer)}", None, {}),
                 ("GET", "/v2/web/tags/list", None, {}), ("GET", "/v2/_catalog", None, {})]
    for method, path, data, extra in requests:
        world.store.decision_log.clear()
        blob = extra.pop("then_put", None)
        response = client.open(path, method=method, data=data, headers={**headers, **extra})
        if blob is not None:
            location = response.headers["Location"]
            response = client.open(location, method="PUT", data=blob, query_string={"digest": digest_of(blob)},
                                   headers=headers)
        recorder.observed.append(Observed("registry", f"{method} {path}", {}, response.status_code < 300,
                                          list(world.store.decision_log)))


@pytest.fixture(scope="module")
def observed() -> list[Observed]:
    recorder = Recorder(build_full_world())
    _generated(recorder)
    _scenarios(recorder)
    _registry(recorder)
    return recorder.observed


def _checks(observed: list[Observed]) -> Iterator[tuple[Observed, dict]]:
    for call in observed:
        for check in call.checks:
            yield call, check


# --------------------------------------------------------------------------------------------------- the tests
def test_every_check_names_an_action_of_the_reference(observed):
    unknown = {f"{call.name}: {check['action']}" for call, check in _checks(observed)
               if entry(check["action"]) is None and check["action"] not in NEWER_THAN_DATASET}
    assert sorted(unknown) == []


def test_every_resource_matches_the_actions_resource_types(observed):
    problems = {f"{call.name}: {check['action']}: {problem}" for call, check in _checks(observed)
                if entry(check["action"]) is not None
                and (problem := resource_problem(check["action"], check["resource"])) is not None}
    assert sorted(problems) == []


def test_every_service_condition_key_is_one_the_reference_lists(observed):
    problems = {f"{call.name}: {problem}" for call, check in _checks(observed) if entry(check["action"]) is not None
                for key in check["context"] if (problem := key_problem(check["action"], key)) is not None}
    assert sorted(problems) == []


def _by_service(check: dict) -> bool:
    """A check a service makes as itself (App Runner assuming a role to pull): the request's members are not its."""
    return str(check["principal"]).endswith(".amazonaws.com")


def _excused(call: Observed, action: str, key: str) -> bool:
    return any(re.fullmatch(calls, call.name) and re.fullmatch(actions, action) and re.fullmatch(keys, key)
               for calls, actions, keys, _ in MISSING_FORMS)


def test_keys_the_request_carries_are_in_the_context(observed):
    problems = {f"{call.name}: {check['action']} lacks {key}" for call, check in _checks(observed)
                if entry(check["action"]) is not None
                for key in missing_keys(check["action"], check["resource"], {} if _by_service(check) else call.params,
                                        check["context"])
                if not _excused(call, check["action"], key)}
    assert sorted(problems) == []


def test_the_checks_aws_documents_besides_the_actions_own_are_made(observed):
    problems = []
    for call in filter(lambda call: call.ok, observed):
        actions = [check["action"] for check in call.checks]
        for what, expected, _evidence in EXTRA_CHECKS:
            for action in expected(call.operation, call.params):
                if actions.count(action) < expected(call.operation, call.params).count(action):
                    problems.append(f"{call.name}: {what}: no {action} among {actions}")
    assert problems == []
    passed = [check for call, check in _checks(observed) if check["action"] == "iam:PassRole" and call.service != "iam"]
    assert len(passed) >= 3 and all(check["context"].get("iam:PassedToService") for check in passed)


def test_every_operation_makes_a_check(observed):
    checked = {(call.service, call.operation) for call in observed if call.checks}
    silent = [f"{service}.{name}" for service in specs.SERVICES
              for name in specs.service_model(service).operation_names
              if (service, name) not in checked and (service, name) not in NO_CHECK]
    assert silent == []
    assert not any(call.checks for call in observed if (call.service, call.operation) in NO_CHECK)


def test_registry_requests_are_checked_as_ecr_actions(observed):
    actions = {check["action"] for call in observed if call.service == "registry" for check in call.checks}
    assert {"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
            "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"} <= actions


def test_the_exception_tables_give_a_reason_for_every_row():
    rows = [*NEWER_THAN_DATASET.values(), *NO_CHECK.values(), *(row[2] for row in RESOURCE_FORMS),
            *(row[3] for row in MISSING_FORMS),
            *(row[2] for row in KEY_FORMS), *(row[2] for row in EXTRA_CHECKS)]
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in rows)
    assert not [action for action in NEWER_THAN_DATASET if entry(action) is not None], "now in the dataset"


# ---------------------------------------------------------------------------------------- the matchers themselves
@pytest.mark.parametrize(("action", "resource", "ok"), [
    ("ecr:DescribeImages", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/api", True),
    ("ecr:DescribeImages", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/", False),
    ("ecr:DescribeImages", "*", False),
    ("ecr:GetAuthorizationToken", "*", True),
    ("ecr:GetAuthorizationToken", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web", False),
    ("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/app/instance", True),
    ("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:user/alice", False),
    ("iam:GetPolicy", "arn:aws:iam::aws:policy/AdministratorAccess", True),
    ("apprunner:DescribeService", f"arn:aws:apprunner:{REGION}:{ACCOUNT}:service/web/0123", True),
    ("apprunner:DescribeService", f"arn:aws:apprunner:{REGION}:{ACCOUNT}:service/web", False),
    ("apprunner:DescribeAutoScalingConfiguration", f"arn:aws:apprunner:{REGION}:{ACCOUNT}:"
                                                   "autoscalingconfiguration/scale/1/0123", True),
    ("apprunner:DescribeAutoScalingConfiguration", f"arn:aws:apprunner:{REGION}:{ACCOUNT}:"
                                                   "autoscalingconfiguration/scale/*", False),
    ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/x", True),
    ("sts:AssumeRole", f"arn:aws:sts::{ACCOUNT}:role/x", False),
])
def test_resources_are_judged_by_the_templates(action, resource, ok):
    assert (resource_problem(action, resource) is None) is ok


@pytest.mark.parametrize(("action", "key", "ok"), [
    ("iam:AttachUserPolicy", "iam:PolicyARN", True),
    ("iam:DeleteUser", "iam:PermissionsBoundary", False),
    ("iam:GetPolicy", "iam:ResourceTag/team", False),
    ("iam:GetPolicy", "aws:ResourceTag/team", True),
    ("iam:GetUser", "iam:ResourceTag/team", True),
    ("ecr:DescribeImages", "ecr:ResourceTag/team", True),
    ("ecr:GetAuthorizationToken", "aws:ResourceTag/team", False),
    ("apprunner:ListServices", "aws:RequestTag/team", False),
    ("sts:AssumeRole", "sts:ExternalId", True),
    ("sts:GetFederationToken", "sts:ExternalId", False),
    ("apprunner:DescribeService", "aws:SourceIp", True),
])
def test_condition_keys_are_judged_by_the_rows(action, key, ok):
    assert (key_problem(action, key) is None) is ok


def test_missing_keys_are_found():
    assert missing_keys("iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/carol",
                        {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, {}) == ["iam:PolicyARN"]
    assert missing_keys("ecr:DescribeImages", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web", {},
                        {"aws:ResourceTag/team": "a"}) == ["ecr:ResourceTag/team"]
    assert missing_keys("apprunner:CreateConnection", "x", {"Tags": TAGS}, {"aws:TagKeys": ["team"]}) == [
        "aws:RequestTag/team"]
    assert missing_keys("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/x", {}, {}) == ["iam:PassedToService"]
