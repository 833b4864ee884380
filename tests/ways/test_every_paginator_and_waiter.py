"""Every paginator and waiter of botocore's IAM, ECR and App Runner models, through boto3 in both modes.

One row per paginated operation: every paginator of botocore's ``paginators-1.json`` for IAM (34) and ECR (9), and
every operation whose input has a paging token but no paginator entry (App Runner's nine listings, ECR's
ListImageReferrers and ListPullTimeUpdateExclusions, IAM's ListServiceSpecificCredentials, GetServiceLastAccessed*
and the listings mockrunner answers empty or refuses: ListDelegationRequests, ListPoliciesGrantingServiceAccess,
GetOrganizationsAccessReport). STS has no paginated operation. A row says how to make one entity of its listing;
the test makes more than a page of them and checks, with botocore's own paginator (built from the row's token
names where botocore has none):

* pages of a small asked size never exceed it; the paginator returns every entity exactly once, as one unpaged
  call lists them (and in name order where IAM documents it);
* ``IsTruncated``/``Marker`` (IAM) or ``nextToken``/``NextToken`` (ECR, App Runner) are present exactly when more
  remain and absent (``IsTruncated`` false) on the last page;
* ``build_full_result()`` with ``MaxItems`` answers a ``NextToken`` that ``StartingToken`` continues from without
  gap or duplicate;
* an entity added (and, where the row can, one deleted) between pages neither loops nor crashes the paginator;
* a forged token is AWS's error (IAM ``ValidationError``, ECR ``InvalidParameterException``, App Runner
  ``InvalidRequestException``), a token of another listing too where tokens are bound (ECR, App Runner);
* a page size out of the model's range is the service's validation error.

The AWS CLI v1 (the .venv's ``aws``) auto-paginates a few representative listings against a server the test
starts, and the six waiters reach their success state and their retry or failure one: the *Exists waiters retry on
NoSuchEntity, ImageScanComplete fails on a scan of an unsupported image (the admin API's ``"status": "FAILED"``
seed, added by this sweep); LifecyclePolicyPreviewComplete's FAILED is out of reach (when AWS fails a preview is not
public, docs/behaviour.md "Sweep: every paginator and waiter").

Findings (each test failed before its fix): ListDelegationRequests answered whatever marker it was sent
(``test_the_listings_that_give_no_marker_refuse_every_marker``); no ECR scan could fail, so ImageScanComplete's
failure acceptor was unreachable (``test_image_scan_complete_fails_on_a_scan_of_an_unsupported_image``).
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, DataNotFoundError, WaiterError
from botocore.paginate import Paginator
from cryptography.hazmat.primitives import serialization

from tests.ecr.pushing import image_manifest, put_image
from tests.harness import AWS_CLI_V1, Harness
from tests.iam.helpers import ACCOUNT, allow, doc, trust
from tests.iam.keys_and_codes import current_step, private_pem, rsa_key, self_signed_certificate, totp
from tests.iam.saml_federation import metadata

SIZE = 3
"""The page size asked; rows make ``count`` entities (7 by default), so a listing takes several pages."""
BOUND = 40
"""No walk takes more pages than this: a paginator that loops fails instead of hanging."""
NO_CHECKS = Config(retries={"total_max_attempts": 1}, parameter_validation=False)
_MODELS = botocore.session.get_session()
KEY = rsa_key()
ROLE_TRUST = trust(f"arn:aws:iam::{ACCOUNT}:root")
POLICY = doc(allow("s3:GetObject"))
TOKENS = {"iam": ("Marker", "Marker", "MaxItems"), "ecr": ("nextToken", "nextToken", "maxResults"),
          "apprunner": ("NextToken", "NextToken", "MaxResults")}
"""Service -> (input token, output token, limit key)."""
BAD_TOKEN_CODE = {"iam": "ValidationError", "ecr": "InvalidParameterException", "apprunner": "InvalidRequestException"}


# ------------------------------------------------------------------------------------------------ entity makers
def _user(iam, name="owner"):
    iam.create_user(UserName=name)
    return {"UserName": name}


def _group(iam, name="team"):
    iam.create_group(GroupName=name)
    return {"GroupName": name}


def _role(iam, name="worker"):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_TRUST)
    return {"RoleName": name}


def _policy_arn(iam, name):
    return iam.create_policy(PolicyName=name, PolicyDocument=POLICY)["Policy"]["Arn"]


def _certificate(name: str) -> str:
    return self_signed_certificate(KEY, name=f"{name}.example.com")[0]


def _ssh_key() -> str:
    return rsa_key(2048).public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                    serialization.PublicFormat.OpenSSH).decode()


def _profile(iam, name="profile"):
    iam.create_instance_profile(InstanceProfileName=name)
    return {"InstanceProfileName": name}


def _mfa_device(aws, iam, name="device"):
    return {"SerialNumber": iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
        "SerialNumber"]}


def _enable_mfa(aws, iam, ctx, i):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"d{_n(i)}")["VirtualMFADevice"]
    step = current_step(aws)
    iam.enable_mfa_device(UserName=ctx["UserName"], SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp(device["Base32StringSeed"], step - 1),
                          AuthenticationCode2=totp(device["Base32StringSeed"], step))


def _oidc(aws, iam):
    arn = iam.create_open_id_connect_provider(Url="https://oidc.example.com", ClientIDList=["sts.amazonaws.com"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    return {"OpenIDConnectProviderArn": arn}


def _saml(aws, iam):
    arn = iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=metadata(aws))["SAMLProviderArn"]
    return {"SAMLProviderArn": arn}


def _server_certificate(aws, iam, name="cert"):
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=_certificate(name),
                                  PrivateKey=private_pem(KEY))
    return {"ServerCertificateName": name}


def _n(i: int) -> str:
    """The ``i``-th entity's name suffix: entities are made out of name order (so name order is a real check)."""
    return "5B0d3A6c2e1F4g"[2 * (i % 7):2 * (i % 7) + 2] + str(i // 7)


REPORTED = ("s3:GetObject", "iam:GetUser", "ecr:DescribeImages", "sts:GetCallerIdentity", "apprunner:ListServices",
            "ec2:DescribeInstances", "lambda:ListFunctions")
"""Seven actions of seven services: a report on a policy allowing them lists seven services."""


def _services_report(aws, iam):
    """A report on a user whose policy grants seven services."""
    _user(iam)
    iam.put_user_policy(UserName="owner", PolicyName="seven", PolicyDocument=doc(allow(list(REPORTED))))
    job = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/owner")["JobId"]
    return {"JobId": job}


def _entities_report(aws, iam):
    """A report on a policy attached to seven users, asked for one of its services."""
    arn = _policy_arn(iam, "shared")
    for i in range(7):
        iam.create_user(UserName=f"u{_n(i)}")
        iam.attach_user_policy(UserName=f"u{_n(i)}", PolicyArn=arn)
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    return {"JobId": job, "ServiceNamespace": "s3"}


def _tagging(parent: Callable, tag: str) -> Callable:
    """A maker of one tag ``k<i>`` on the entity ``parent`` made (its name parameters are the listing's)."""
    def make(aws, iam, ctx, i):
        getattr(iam, tag)(**ctx, Tags=[{"Key": f"k{_n(i)}", "Value": "v"}])
    return make


def _untagging(tag: str) -> Callable:
    def remove(aws, iam, ctx, ident):
        getattr(iam, tag)(**ctx, TagKeys=[ident])
    return remove


def _repository(ecr, name="app"):
    ecr.create_repository(repositoryName=name)
    return {"repositoryName": name}


def _push(ecr, repository: str, marker: str, tag: str | None = None, **extra) -> dict:
    kwargs = {"imageTag": tag} if tag else {}
    return put_image(ecr, repositoryName=repository, imageManifest=image_manifest(marker), **kwargs, **extra)["image"]


def _referrer_manifest(subject: dict, marker: str) -> str:
    base = json.loads(image_manifest(marker))
    base["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    base["artifactType"] = "application/vnd.example.sbom"
    base["subject"] = {"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "digest": subject["digest"], "size": subject["size"]}
    return json.dumps(base)


def _subject(aws, ecr):
    _repository(ecr)
    manifest = image_manifest("subject")
    image = put_image(ecr, repositoryName="app", imageManifest=manifest, imageTag="v1")["image"]
    return {"repositoryName": "app", "subjectId": {"imageDigest": image["imageId"]["imageDigest"]},
            "_subject": {"digest": image["imageId"]["imageDigest"], "size": len(manifest.encode())}}


def _scan_findings(aws, ecr):
    _repository(ecr)
    digest = _push(ecr, "app", "scanned", "v1")["imageId"]["imageDigest"]
    findings = [{"name": f"CVE-2026-{i:04d}", "severity": "HIGH"} for i in range(7)]
    assert aws.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": findings})[0] == 200
    ecr.start_image_scan(repositoryName="app", imageId={"imageDigest": digest})
    return {"repositoryName": "app", "imageId": {"imageDigest": digest}}


def _preview(aws, ecr):
    _repository(ecr)
    for i in range(7):
        _push(ecr, "app", f"m{i}", f"t{i}")
    policy = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                          "countNumber": 1}, "action": {"type": "expire"}}]}
    ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=json.dumps(policy))
    return {"repositoryName": "app"}


def _replication(aws, ecr, regions=("eu-west-1",)):
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{
        "destinations": [{"region": region, "registryId": ACCOUNT} for region in regions],
        "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}]})


def _backfill_results(aws, ecr):
    _repository(ecr, "prod/app")
    for i in range(7):
        _push(ecr, "prod/app", f"b{i}", f"t{i}")
    _replication(aws, ecr)
    backfill = ecr.start_replication_backfill(destination={"region": "eu-west-1", "registryId": ACCOUNT})
    aws.store.clock.advance(60)
    return {"replicationBackfillId": backfill["replicationBackfillId"]}


BACKFILL_REGIONS = ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "us-west-1", "us-west-2",
                    "us-east-2")


def _backfills(aws, ecr):
    _repository(ecr, "prod/app")
    _push(ecr, "prod/app", "b", "v1")
    _replication(aws, ecr, BACKFILL_REGIONS)
    return {}


PUBLIC_SOURCE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                                     "ImageRepositoryType": "ECR_PUBLIC"}}


def _service(runner, name, **extra) -> str:
    arn = runner.create_service(ServiceName=name, SourceConfiguration=PUBLIC_SOURCE, **extra)["Service"]["ServiceArn"]
    assert runner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    return arn


def _service_with_operations(aws, runner):
    return {"ServiceArn": _service(runner, "website")}


def _update(aws, runner, ctx, i):
    runner.update_service(ServiceArn=ctx["ServiceArn"], InstanceConfiguration={"Cpu": "1 vCPU", "Memory": "2 GB"}
                          if i % 2 else {"Cpu": "0.25 vCPU", "Memory": "0.5 GB"})
    runner.describe_service(ServiceArn=ctx["ServiceArn"])  # completes the operation (operation_delay=0)


def _autoscaling(aws, runner):
    arn = runner.create_auto_scaling_configuration(AutoScalingConfigurationName="shared")[
        "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    return {"AutoScalingConfigurationArn": arn}


# ------------------------------------------------------------------------------------------------ the table
@dataclass(frozen=True)
class Row:
    """One paginated operation: ``parent(aws, client)`` makes what its entities belong to and answers the
    request's parameters; ``make(aws, client, params, i)`` makes entity ``i``; ``ids(page)`` names a page's
    entities; ``remove(aws, client, params, id)`` deletes one (optional); ``count`` entities are made, pages of
    ``size``; ``by_name``: IAM lists by name (as documented or recorded, or mockrunner's standing choice);
    ``full``: ``count`` is the quota (no entity can
    be added); ``bad_token``: the error code of a forged token where it is not the service's usual one."""
    service: str
    operation: str
    ids: Callable[[dict], list[str]]
    make: Callable | None = None
    parent: Callable = lambda aws, client: {}
    remove: Callable | None = None
    count: int = 7
    size: int = SIZE
    by_name: bool = False
    paginator: dict = field(default_factory=dict)
    full: bool = False
    bad_token: str | None = None

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"


def key(result: str, member: str | None = None) -> Callable[[dict], list[str]]:
    return lambda page: [item[member] if member else item for item in page.get(result, [])]


def _iam_rows() -> list[Row]:
    rows = [
        Row("iam", "GetAccountAuthorizationDetails", key("UserDetailList", "UserName"),
            lambda aws, iam, ctx, i: iam.create_user(UserName=f"u{_n(i)}"), lambda aws, iam: {"Filter": ["User"]},
            lambda aws, iam, ctx, name: iam.delete_user(UserName=name), by_name=True),
        Row("iam", "GetGroup", key("Users", "UserName"),
            lambda aws, iam, ctx, i: (iam.create_user(UserName=f"u{_n(i)}"),
                                      iam.add_user_to_group(UserName=f"u{_n(i)}", **ctx)),
            lambda aws, iam: _group(iam), lambda aws, iam, ctx, name: iam.remove_user_from_group(UserName=name, **ctx)),
        Row("iam", "ListAccessKeys", key("AccessKeyMetadata", "AccessKeyId"),
            lambda aws, iam, ctx, i: iam.create_access_key(**ctx), lambda aws, iam: _user(iam),
            lambda aws, iam, ctx, key_id: iam.delete_access_key(AccessKeyId=key_id, **ctx), count=2, size=1,
            full=True),
        Row("iam", "ListAccountAliases", key("AccountAliases"),
            lambda aws, iam, ctx, i: iam.create_account_alias(AccountAlias=f"alias-{i}"), count=1, size=1),
        # botocore counts MaxItems on the first result key (PolicyGroups): groups, so build_full_result stops.
        Row("iam", "ListEntitiesForPolicy", key("PolicyGroups", "GroupName"),
            lambda aws, iam, ctx, i: (iam.create_group(GroupName=f"g{_n(i)}"),
                                      iam.attach_group_policy(GroupName=f"g{_n(i)}", **ctx)),
            lambda aws, iam: {"PolicyArn": _policy_arn(iam, "shared")},
            lambda aws, iam, ctx, name: iam.detach_group_policy(GroupName=name, **ctx), by_name=True),
        Row("iam", "ListGroups", key("Groups", "GroupName"), lambda aws, iam, ctx, i: iam.create_group(
            GroupName=f"g{_n(i)}"), remove=lambda aws, iam, ctx, name: iam.delete_group(GroupName=name), by_name=True),
        Row("iam", "ListGroupsForUser", key("Groups", "GroupName"),
            lambda aws, iam, ctx, i: (iam.create_group(GroupName=f"g{_n(i)}"),
                                      iam.add_user_to_group(GroupName=f"g{_n(i)}", **ctx)),
            lambda aws, iam: _user(iam), lambda aws, iam, ctx, name: iam.remove_user_from_group(GroupName=name, **ctx)),
        Row("iam", "ListInstanceProfiles", key("InstanceProfiles", "InstanceProfileName"),
            lambda aws, iam, ctx, i: _profile(iam, f"p{_n(i)}"),
            remove=lambda aws, iam, ctx, name: iam.delete_instance_profile(InstanceProfileName=name), by_name=True),
        Row("iam", "ListInstanceProfilesForRole", key("InstanceProfiles", "InstanceProfileName"),
            lambda aws, iam, ctx, i: iam.add_role_to_instance_profile(**_profile(iam, f"p{_n(i)}"), **ctx),
            lambda aws, iam: _role(iam),
            lambda aws, iam, ctx, name: iam.remove_role_from_instance_profile(InstanceProfileName=name, **ctx)),
        Row("iam", "ListMFADevices", key("MFADevices", "SerialNumber"), _enable_mfa, lambda aws, iam: _user(iam),
            count=5, size=2),
        Row("iam", "ListPolicies", key("Policies", "PolicyName"),
            lambda aws, iam, ctx, i: _policy_arn(iam, f"p{_n(i)}"), lambda aws, iam: {"Scope": "Local"},
            lambda aws, iam, ctx, name: iam.delete_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{name}")),
        Row("iam", "ListPolicyVersions", key("Versions", "VersionId"),
            lambda aws, iam, ctx, i: iam.create_policy_version(PolicyDocument=POLICY, **ctx),
            lambda aws, iam: {"PolicyArn": _policy_arn(iam, "versioned")},
            lambda aws, iam, ctx, version: version != "v1" and iam.delete_policy_version(VersionId=version, **ctx),
            count=4, size=2, full=True),
        Row("iam", "ListRoles", key("Roles", "RoleName"), lambda aws, iam, ctx, i: _role(iam, f"r{_n(i)}"),
            remove=lambda aws, iam, ctx, name: iam.delete_role(RoleName=name), by_name=True),
        Row("iam", "ListServerCertificates", key("ServerCertificateMetadataList", "ServerCertificateName"),
            lambda aws, iam, ctx, i: _server_certificate(aws, iam, f"c{_n(i)}"),
            remove=lambda aws, iam, ctx, name: iam.delete_server_certificate(ServerCertificateName=name)),
        Row("iam", "ListSigningCertificates", key("Certificates", "CertificateId"),
            lambda aws, iam, ctx, i: iam.upload_signing_certificate(CertificateBody=_certificate(f"s{_n(i)}"), **ctx),
            lambda aws, iam: _user(iam),
            lambda aws, iam, ctx, cert: iam.delete_signing_certificate(CertificateId=cert, **ctx), count=2, size=1,
            full=True),
        Row("iam", "ListSSHPublicKeys", key("SSHPublicKeys", "SSHPublicKeyId"),
            lambda aws, iam, ctx, i: iam.upload_ssh_public_key(SSHPublicKeyBody=_ssh_key(), **ctx),
            lambda aws, iam: _user(iam),
            lambda aws, iam, ctx, key_id: iam.delete_ssh_public_key(SSHPublicKeyId=key_id, **ctx), count=5, size=2,
            full=True),
        Row("iam", "ListUsers", key("Users", "UserName"),
            lambda aws, iam, ctx, i: iam.create_user(UserName=f"u{_n(i)}"),
            remove=lambda aws, iam, ctx, name: iam.delete_user(UserName=name), by_name=True),
        Row("iam", "ListVirtualMFADevices", key("VirtualMFADevices", "SerialNumber"),
            lambda aws, iam, ctx, i: _mfa_device(aws, iam, f"d{_n(i)}"),
            remove=lambda aws, iam, ctx, serial: iam.delete_virtual_mfa_device(SerialNumber=serial)),
        Row("iam", "SimulateCustomPolicy", key("EvaluationResults", "EvalActionName"),
            parent=lambda aws, iam: {"PolicyInputList": [POLICY],
                                     "ActionNames": [f"s3:{a}" for a in ("GetObject", "PutObject", "ListBucket",
                                                                         "DeleteObject", "GetBucketPolicy",
                                                                         "PutBucketPolicy", "CreateBucket")]},
            bad_token="InvalidInput"),
        Row("iam", "SimulatePrincipalPolicy", key("EvaluationResults", "EvalActionName"),
            parent=lambda aws, iam: {"PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:user/{_user(iam)['UserName']}",
                                     "ActionNames": [f"iam:{a}" for a in ("GetUser", "ListUsers", "CreateUser",
                                                                          "DeleteUser", "GetRole", "ListRoles",
                                                                          "CreateRole")]},
            bad_token="InvalidInput"),
        Row("iam", "ListServiceSpecificCredentials", key("ServiceSpecificCredentials", "ServiceSpecificCredentialId"),
            lambda aws, iam, ctx, i: iam.create_service_specific_credential(
                ServiceName=("codecommit.amazonaws.com", "cassandra.amazonaws.com")[i % 2], **ctx),
            lambda aws, iam: _user(iam),
            lambda aws, iam, ctx, cred: iam.delete_service_specific_credential(ServiceSpecificCredentialId=cred, **ctx),
            count=4, size=1, full=True, paginator={"result_key": "ServiceSpecificCredentials"}),
    ]
    rows += [
        Row("iam", "GetServiceLastAccessedDetails", key("ServicesLastAccessed", "ServiceNamespace"),
            parent=_services_report, paginator={"result_key": "ServicesLastAccessed"}, by_name=True),
        Row("iam", "GetServiceLastAccessedDetailsWithEntities",
            lambda page: [e["EntityInfo"]["Name"] for e in page.get("EntityDetailsList", [])],
            parent=_entities_report, paginator={"result_key": "EntityDetailsList"}),
    ]
    for entity, parent, put, delete in (
            ("Group", _group, "put_group_policy", "delete_group_policy"),
            ("Role", _role, "put_role_policy", "delete_role_policy"),
            ("User", _user, "put_user_policy", "delete_user_policy")):
        rows.append(Row("iam", f"List{entity}Policies", key("PolicyNames"),
                        lambda aws, iam, ctx, i, put=put: getattr(iam, put)(
                            PolicyName=f"p{_n(i)}", PolicyDocument=POLICY, **ctx),
                        lambda aws, iam, parent=parent: parent(iam),
                        lambda aws, iam, ctx, name, delete=delete: getattr(iam, delete)(PolicyName=name, **ctx),
                        by_name=True))
        attach, detach = f"attach_{entity.lower()}_policy", f"detach_{entity.lower()}_policy"
        rows.append(Row("iam", f"ListAttached{entity}Policies", key("AttachedPolicies", "PolicyName"),
                        lambda aws, iam, ctx, i, attach=attach: getattr(iam, attach)(
                            PolicyArn=_policy_arn(iam, f"p{_n(i)}"), **ctx),
                        lambda aws, iam, parent=parent: parent(iam),
                        lambda aws, iam, ctx, name, detach=detach: getattr(iam, detach)(
                            PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{name}", **ctx)))
    for entity, parent in (("User", lambda aws, iam: _user(iam)), ("Role", lambda aws, iam: _role(iam)),
                           ("InstanceProfile", lambda aws, iam: _profile(iam)),
                           ("MFADevice", lambda aws, iam: _mfa_device(aws, iam)),
                           ("OpenIDConnectProvider", _oidc), ("SAMLProvider", _saml),
                           ("ServerCertificate", _server_certificate),
                           ("Policy", lambda aws, iam: {"PolicyArn": _policy_arn(iam, "tagged")})):
        snake = {"MFADevice": "mfa_device", "OpenIDConnectProvider": "open_id_connect_provider",
                 "SAMLProvider": "saml_provider", "InstanceProfile": "instance_profile",
                 "ServerCertificate": "server_certificate"}.get(entity, entity.lower())
        rows.append(Row("iam", f"List{entity}Tags", key("Tags", "Key"), _tagging(parent, f"tag_{snake}"), parent,
                        _untagging(f"untag_{snake}")))
    return rows


def _ecr_rows() -> list[Row]:
    return [
        Row("ecr", "DescribeRepositories", key("repositories", "repositoryName"),
            lambda aws, ecr, ctx, i: _repository(ecr, f"r{i}"),
            remove=lambda aws, ecr, ctx, name: ecr.delete_repository(repositoryName=name)),
        Row("ecr", "ListImages", lambda page: [i["imageTag"] for i in page.get("imageIds", [])],
            lambda aws, ecr, ctx, i: _push(ecr, "app", f"m{i}", f"t{i}"), lambda aws, ecr: _repository(ecr),
            lambda aws, ecr, ctx, tag: ecr.batch_delete_image(imageIds=[{"imageTag": tag}], **ctx)),
        Row("ecr", "DescribeImages", key("imageDetails", "imageDigest"),
            lambda aws, ecr, ctx, i: _push(ecr, "app", f"m{i}", f"t{i}"), lambda aws, ecr: _repository(ecr),
            lambda aws, ecr, ctx, digest: ecr.batch_delete_image(imageIds=[{"imageDigest": digest}], **ctx)),
        Row("ecr", "DescribeImageScanFindings",
            lambda page: [f["name"] for f in page.get("imageScanFindings", {}).get("findings", [])],
            parent=_scan_findings),
        Row("ecr", "GetLifecyclePolicyPreview", key("previewResults", "imageDigest"), parent=_preview, count=6),
        Row("ecr", "DescribePullThroughCacheRules", key("pullThroughCacheRules", "ecrRepositoryPrefix"),
            lambda aws, ecr, ctx, i: ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=f"cache{i}",
                                                                         upstreamRegistryUrl="public.ecr.aws"),
            remove=lambda aws, ecr, ctx, prefix: ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix=prefix)),
        Row("ecr", "DescribeRepositoryCreationTemplates", key("repositoryCreationTemplates", "prefix"),
            lambda aws, ecr, ctx, i: ecr.create_repository_creation_template(prefix=f"team{i}",
                                                                              appliedFor=["REPLICATION"]),
            remove=lambda aws, ecr, ctx, prefix: ecr.delete_repository_creation_template(prefix=prefix)),
        Row("ecr", "DescribeReplicationBackfillResults",
            lambda page: [r["imageId"]["imageTag"] for r in page.get("results", [])], parent=_backfill_results),
        Row("ecr", "ListReplicationBackfills", key("backfills", "replicationBackfillId"),
            lambda aws, ecr, ctx, i: ecr.start_replication_backfill(
                destination={"region": BACKFILL_REGIONS[i], "registryId": ACCOUNT}), _backfills, count=6),
        Row("ecr", "ListImageReferrers", key("referrers", "digest"),
            lambda aws, ecr, ctx, i: put_image(ecr, repositoryName="app", imageManifest=_referrer_manifest(
                ctx["_subject"], f"ref{i}")), _subject,
            paginator={"result_key": "referrers"}),
        Row("ecr", "ListPullTimeUpdateExclusions", key("pullTimeUpdateExclusions"),
            lambda aws, ecr, ctx, i: ecr.register_pull_time_update_exclusion(
                principalArn=f"arn:aws:iam::{ACCOUNT}:role/r{i}"),
            remove=lambda aws, ecr, ctx, arn: ecr.deregister_pull_time_update_exclusion(principalArn=arn),
            paginator={"result_key": "pullTimeUpdateExclusions"}),
    ]


def _apprunner_rows() -> list[Row]:
    return [
        Row("apprunner", "ListServices", key("ServiceSummaryList", "ServiceName"),
            lambda aws, runner, ctx, i: _service(runner, f"service{i}"),
            paginator={"result_key": "ServiceSummaryList"}),
        Row("apprunner", "ListOperations", key("OperationSummaryList", "Id"), _update, _service_with_operations,
            count=6, paginator={"result_key": "OperationSummaryList"}),
        Row("apprunner", "DescribeCustomDomains", key("CustomDomains", "DomainName"),
            lambda aws, runner, ctx, i: runner.associate_custom_domain(DomainName=f"d{i}.example.com", **ctx),
            _service_with_operations,
            lambda aws, runner, ctx, name: runner.disassociate_custom_domain(DomainName=name, **ctx),
            count=5, size=2, full=True, paginator={"result_key": "CustomDomains"}),
        Row("apprunner", "ListAutoScalingConfigurations",
            key("AutoScalingConfigurationSummaryList", "AutoScalingConfigurationName"),
            lambda aws, runner, ctx, i: runner.create_auto_scaling_configuration(
                AutoScalingConfigurationName=f"scale{i}"),
            paginator={"result_key": "AutoScalingConfigurationSummaryList"}),
        Row("apprunner", "ListConnections", key("ConnectionSummaryList", "ConnectionName"),
            lambda aws, runner, ctx, i: runner.create_connection(ConnectionName=f"conn{i}", ProviderType="GITHUB"),
            paginator={"result_key": "ConnectionSummaryList"}),
        Row("apprunner", "ListObservabilityConfigurations",
            key("ObservabilityConfigurationSummaryList", "ObservabilityConfigurationName"),
            lambda aws, runner, ctx, i: runner.create_observability_configuration(
                ObservabilityConfigurationName=f"trace{i}"),
            paginator={"result_key": "ObservabilityConfigurationSummaryList"}),
        Row("apprunner", "ListServicesForAutoScalingConfiguration", key("ServiceArnList"),
            lambda aws, runner, ctx, i: _service(runner, f"service{i}", AutoScalingConfigurationArn=ctx[
                "AutoScalingConfigurationArn"]), _autoscaling, paginator={"result_key": "ServiceArnList"}),
        Row("apprunner", "ListVpcConnectors", key("VpcConnectors", "VpcConnectorName"),
            lambda aws, runner, ctx, i: runner.create_vpc_connector(VpcConnectorName=f"conn{i}",
                                                                    Subnets=[f"subnet-{i}"]),
            paginator={"result_key": "VpcConnectors"}),
        Row("apprunner", "ListVpcIngressConnections", key("VpcIngressConnectionSummaryList", "VpcIngressConnectionArn"),
            lambda aws, runner, ctx, i: runner.create_vpc_ingress_connection(
                ServiceArn=_service(runner, f"service{i}"), VpcIngressConnectionName=f"ingress{i}",
                IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": f"vpce-{i}"}),
            paginator={"result_key": "VpcIngressConnectionSummaryList"}),
    ]


ROWS = _iam_rows() + _ecr_rows() + _apprunner_rows()


def test_the_table_covers_every_paginator_and_every_paged_operation():
    """Every paginator of botocore's models and every operation with a paging token has a row (or is named in
    :data:`ELSEWHERE`); STS has none."""
    named = {row.name for row in ROWS} | set(ELSEWHERE)
    for service in ("iam", "ecr", "apprunner", "sts"):
        model = _MODELS.get_service_model(service)
        paginators = set(_paginators(service))
        tokens = {op for op in model.operation_names if model.operation_model(op).input_shape is not None
                  and {"Marker", "NextToken", "nextToken"} & set(model.operation_model(op).input_shape.members)}
        assert {f"{service}.{op}" for op in paginators | tokens} <= named, service
        if service == "sts":
            assert not paginators | tokens


# ------------------------------------------------------------------------------------------------ the walk
def _paginators(service: str) -> dict[str, dict]:
    """botocore's paginator entries of ``service`` by operation (none for App Runner and STS)."""
    try:
        return _MODELS.get_paginator_model(service)._paginator_config
    except DataNotFoundError:
        return {}


def _paginator(row: Row, client) -> Paginator:
    """botocore's paginator of the row's operation, or one built from the service's token names."""
    model = client.meta.service_model.operation_model(row.operation)
    config = _paginators(row.service).get(row.operation)
    if config is None:
        in_token, out_token, limit = TOKENS[row.service]
        config = {"input_token": in_token, "output_token": out_token, "limit_key": limit, **row.paginator}
        if row.service == "iam":
            config["more_results"] = "IsTruncated"
    return Paginator(getattr(client, _snake(row.operation)), config, model)


def _snake(operation: str) -> str:
    return botocore.xform_name(operation)


def _world(aws: Harness, row: Row) -> tuple[Any, dict]:
    client = aws.client(row.service)
    params = row.parent(aws, client)
    for i in range(row.count):
        row.make(aws, client, params, i) if row.make else None
    return client, params


def _request(params: dict) -> dict:
    return {k: v for k, v in params.items() if not k.startswith("_")}


def _unpaged(client, row: Row, params: dict) -> list[str]:
    limit = TOKENS[row.service][2]
    top = client.meta.service_model.operation_model(row.operation).input_shape.members[limit].metadata["max"]
    answer = getattr(client, _snake(row.operation))(**_request(params), **{limit: top})
    return row.ids(answer)


def _more(row: Row, page: dict) -> bool:
    """Whether ``page`` says more remain, checking its token and flag agree."""
    out_token = TOKENS[row.service][1]
    if row.service == "iam":
        assert bool(page.get("IsTruncated")) == bool(page.get("Marker")), (row.name, page.get("IsTruncated"))
        return bool(page.get("IsTruncated"))
    return bool(page.get(out_token))


def _walk(paginator: Paginator, row: Row, params: dict, **config) -> list[dict]:
    pages = []
    for page in paginator.paginate(**_request(params), PaginationConfig={"PageSize": row.size, **config}):
        pages.append(page)
        assert len(pages) <= BOUND, f"{row.name}: more than {BOUND} pages"
    return pages


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_listing_pages_whole_bounded_and_resumable(aws, row):
    client, params = _world(aws, row)
    expected = _unpaged(client, row, params)
    assert len(expected) >= row.count, (row.name, expected)
    assert len(set(expected)) == len(expected)
    paginator = _paginator(row, client)
    pages = _walk(paginator, row, params)
    # Pages never exceed the asked size; the token (and IsTruncated) is there exactly when more remain.
    assert all(len(row.ids(page)) <= row.size for page in pages), [len(row.ids(page)) for page in pages]
    assert [_more(row, page) for page in pages] == [True] * (len(pages) - 1) + [False]
    walked = [ident for page in pages for ident in row.ids(page)]
    assert walked == expected
    if row.count > row.size:
        assert len(pages) > 1
    if row.by_name:
        assert walked == sorted(walked, key=str.lower)
    # build_full_result with MaxItems stops with a NextToken; StartingToken resumes without gap or duplicate (with
    # another page size: only the token and the paging parameters may change between pages).
    first = paginator.paginate(**_request(params), PaginationConfig={"PageSize": row.size, "MaxItems": row.size + 1}
                               ).build_full_result()
    head = row.ids(first)
    if len(expected) > row.size + 1:
        assert "NextToken" in first, first
        rest = paginator.paginate(**_request(params), PaginationConfig={
            "PageSize": row.size + 1, "StartingToken": first["NextToken"]}).build_full_result()
        assert head + row.ids(rest) == expected
    else:
        assert head == expected and "NextToken" not in first


@pytest.mark.parametrize("row", [row for row in ROWS if row.make and row.count > row.size],
                         ids=lambda row: row.name)
def test_an_entity_added_or_deleted_between_pages_neither_loops_nor_crashes(aws, row):
    client, params = _world(aws, row)
    paginator = _paginator(row, client)
    for change in ("add",) * (not row.full) + ("delete",) * bool(row.remove):
        before = _unpaged(client, row, params)
        pages = iter(paginator.paginate(**_request(params), PaginationConfig={"PageSize": row.size}))
        first = next(pages)
        if change == "add":
            row.make(aws, client, params, row.count + 1)
        else:
            row.remove(aws, client, params, row.ids(first)[0])
        seen = list(row.ids(first))
        for count, page in enumerate(pages):
            assert count < BOUND, f"{row.name}: the paginator loops after an entity was {change}ed"
            seen += row.ids(page)
        now = _unpaged(client, row, params)
        assert set(seen) <= set(before) | set(now), (change, seen)  # nothing listed that never existed
        if change == "add":  # an addition may repeat an entity (offsets), never hide one that was there
            assert set(before) <= set(seen), (seen, before)
        else:  # a deletion may hide one (offsets), never repeat one
            assert len(seen) == len(set(seen)), seen


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_a_forged_token_and_an_out_of_range_page_size_are_the_services_errors(aws, row):
    client = aws.client(row.service, config=NO_CHECKS)
    params = row.parent(aws, aws.client(row.service))
    call = getattr(client, _snake(row.operation))
    in_token, _, limit = TOKENS[row.service]
    forged = base64.urlsafe_b64encode(b'{"o": "x"}').decode() if row.service != "iam" else "not-a-marker"
    with pytest.raises(ClientError) as info:
        call(**_request(params), **{in_token: forged})
    assert info.value.response["Error"]["Code"] == (row.bad_token or BAD_TOKEN_CODE[row.service]), \
        info.value.response["Error"]
    top = client.meta.service_model.operation_model(row.operation).input_shape.members[limit].metadata["max"]
    for size in (0, top + 1):
        with pytest.raises(ClientError) as info:
            call(**_request(params), **{limit: size})
        code = info.value.response["Error"]["Code"]
        assert code == {"iam": "ValidationError", "ecr": "InvalidParameterException",
                        "apprunner": "InvalidRequestException"}[row.service], (size, info.value.response["Error"])
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


BOUND_TOKENS = [row for row in ROWS if row.service != "iam"]


def _ecr_donors(aws) -> dict[str, str]:
    """Tokens of two ECR listings: ListImages of ``donor/app`` and DescribeRepositories."""
    ecr = aws.client("ecr")
    _repository(ecr, "donor/app")
    _repository(ecr, "donor/other")
    for i in range(2):
        _push(ecr, "donor/app", f"x{i}", f"x{i}")
    return {"ListImages": ecr.list_images(repositoryName="donor/app", maxResults=1)["nextToken"],
            "DescribeRepositories": ecr.describe_repositories(maxResults=1)["nextToken"]}


def _apprunner_donors(aws) -> dict[str, str]:
    """Tokens of two App Runner listings: ListVpcConnectors and ListConnections."""
    runner = aws.client("apprunner")
    for i in range(2):
        runner.create_vpc_connector(VpcConnectorName=f"donor{i}", Subnets=["subnet-x"])
        runner.create_connection(ConnectionName=f"donor{i}", ProviderType="GITHUB")
    return {"ListVpcConnectors": runner.list_vpc_connectors(MaxResults=1)["NextToken"],
            "ListConnections": runner.list_connections(MaxResults=1)["NextToken"]}


@pytest.mark.parametrize("row", BOUND_TOKENS, ids=lambda row: row.name)
def test_a_token_of_another_listing_is_refused(aws, row):
    client, params = _world(aws, row)
    donors = (_ecr_donors if row.service == "ecr" else _apprunner_donors)(aws)
    token = next(token for operation, token in donors.items() if operation != row.operation)
    with pytest.raises(ClientError) as info:
        getattr(client, _snake(row.operation))(**_request(params), **{TOKENS[row.service][0]: token})
    assert info.value.response["Error"]["Code"] == BAD_TOKEN_CODE[row.service], info.value.response["Error"]


ELSEWHERE = {
    "iam.ListDelegationRequests": "no delegation request can exist (CreateDelegationRequest is refused): "
                                  "test_the_listings_that_give_no_marker_refuse_every_marker",
    "iam.ListPoliciesGrantingServiceAccess": "no MaxItems, one page: "
                                             "test_the_listings_that_give_no_marker_refuse_every_marker",
    "iam.GetOrganizationsAccessReport": "no organization, so no report job: "
                                        "test_the_listings_that_give_no_marker_refuse_every_marker",
}


def test_the_listings_that_give_no_marker_refuse_every_marker(aws):
    """A listing that never gives a marker refuses any as IAM refuses one it never gave ("Invalid Marker.");
    ListDelegationRequests ignored it before (it answered its empty list whatever the marker)."""
    iam = aws.client("iam")
    _user(iam)
    iam.put_user_policy(UserName="owner", PolicyName="s3", PolicyDocument=POLICY)
    assert iam.list_delegation_requests(MaxItems=1)["isTruncated"] is False
    calls = [lambda **m: iam.list_delegation_requests(**m),
             lambda **m: iam.list_policies_granting_service_access(Arn=f"arn:aws:iam::{ACCOUNT}:user/owner",
                                                                   ServiceNamespaces=["s3"], **m)]
    for call in calls:
        with pytest.raises(ClientError) as info:
            call(Marker="not-a-marker")
        assert info.value.response["Error"]["Code"] == "ValidationError"
        assert info.value.response["Error"]["Message"] == "Invalid Marker."
    with pytest.raises(ClientError) as info:  # no organization: no job, whatever the marker
        iam.get_organizations_access_report(JobId="a" * 36, Marker="not-a-marker", MaxItems=2)
    assert info.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_report_marker_of_another_job_is_refused(aws):
    """GetServiceLastAccessedDetails' markers are bound to their job (recorded from AWS, docs/behaviour.md)."""
    iam = aws.client("iam")
    first = _services_report(aws, iam)["JobId"]
    iam.create_user(UserName="second")
    iam.put_user_policy(UserName="second", PolicyName="seven", PolicyDocument=doc(allow(list(REPORTED))))
    second = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/second")["JobId"]
    marker = iam.get_service_last_accessed_details(JobId=first, MaxItems=2)["Marker"]
    with pytest.raises(ClientError) as info:
        iam.get_service_last_accessed_details(JobId=second, Marker=marker)
    assert info.value.response["Error"]["Code"] == "InvalidInput"


def test_list_operations_pages_newest_first(aws):
    """App Runner documents ListOperations "sorted in reverse chronological order": the service's creation is last,
    across pages as in one."""
    runner = aws.client("apprunner")
    params = _service_with_operations(aws, runner)
    for i in range(4):
        aws.store.clock.advance(60)
        _update(aws, runner, params, i)
    row = next(row for row in ROWS if row.operation == "ListOperations")
    pages = _walk(_paginator(row, runner), row, params)
    walked = [summary for page in pages for summary in page["OperationSummaryList"]]
    assert [summary["Type"] for summary in walked] == ["UPDATE_SERVICE"] * 4 + ["CREATE_SERVICE"]
    started = [summary["StartedAt"] for summary in walked]
    assert started == sorted(started, reverse=True) and started[0] > started[-1]


# ------------------------------------------------------------------------------------------------ waiters
FAST = {"Delay": 0, "MaxAttempts": 3}


def _after_first(client, operation: str, action: Callable[[], Any]) -> list[int]:
    """Run ``action`` once, right after the first ``operation`` call ``client`` makes; answers the call count."""
    calls: list[int] = []

    def hook(**_: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            action()
    client.meta.events.register(f"after-call.*.{operation}", hook)
    return calls


IAM_WAITERS = {
    "user_exists": ("GetUser", lambda iam: iam.create_user(UserName="late"), {"UserName": "late"}),
    "role_exists": ("GetRole", lambda iam: _role(iam, "late"), {"RoleName": "late"}),
    "instance_profile_exists": ("GetInstanceProfile", lambda iam: _profile(iam, "late"),
                                {"InstanceProfileName": "late"}),
    "policy_exists": ("GetPolicy", lambda iam: _policy_arn(iam, "late"),
                      {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/late"}),
}


@pytest.mark.parametrize("waiter", sorted(IAM_WAITERS))
def test_each_iam_waiter_retries_on_no_such_entity_then_succeeds_or_gives_up(aws, waiter):
    operation, make, params = IAM_WAITERS[waiter]
    iam = aws.client("iam")
    with pytest.raises(WaiterError) as info:  # never made: the retry acceptor until the attempts run out
        iam.get_waiter(waiter).wait(**params, WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    assert "Max attempts exceeded" in str(info.value)
    assert info.value.last_response["Error"]["Code"] == "NoSuchEntity"
    waiting = aws.client("iam")
    calls = _after_first(waiting, operation, lambda: make(iam))
    waiting.get_waiter(waiter).wait(**params, WaiterConfig=FAST)  # made after the first attempt: success
    assert len(calls) == 2
    waiting.get_waiter(waiter).wait(**params, WaiterConfig=FAST)  # already there: success at once
    assert len(calls) == 3


def test_image_scan_complete_waits_for_the_scan_on_the_store_clock(make_harness, aws):
    from mockrunner.config import Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=30))
    ecr = harness.client("ecr")
    _repository(ecr)
    digest = _push(ecr, "app", "scanned", "v1")["imageId"]["imageDigest"]
    ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    params = {"repositoryName": "app", "imageId": {"imageDigest": digest}}
    with pytest.raises(WaiterError) as info:  # IN_PROGRESS matches no acceptor: the waiter polls, then gives up
        ecr.get_waiter("image_scan_complete").wait(**params, WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    assert info.value.last_response["imageScanStatus"]["status"] == "IN_PROGRESS"
    calls = _after_first(ecr, "DescribeImageScanFindings", lambda: harness.admin(
        "POST", "/clock/advance", {"seconds": 31}))
    ecr.get_waiter("image_scan_complete").wait(**params, WaiterConfig=FAST)
    assert len(calls) == 2
    assert ecr.describe_image_scan_findings(**params)["imageScanStatus"]["status"] == "COMPLETE"


def test_image_scan_complete_fails_on_a_scan_of_an_unsupported_image(make_harness, aws):
    """The waiter's failure acceptor: a basic scan of an image whose operating system ECR does not support ends
    FAILED "UnsupportedImageError: ..." without findings (a test seeds the digest so through the admin API; before
    this sweep no scan could fail, so the acceptor was unreachable)."""
    from mockrunner.config import Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=30))
    ecr = harness.client("ecr")
    _repository(ecr)
    digest = _push(ecr, "app", "scratch", "v1")["imageId"]["imageDigest"]
    assert harness.admin("POST", "/ecr/scan-findings", {"digest": digest, "findings": [], "status": "FAILED"}) == (
        200, {"digest": digest, "findings": 0})
    ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    calls = _after_first(ecr, "DescribeImageScanFindings", lambda: harness.admin(
        "POST", "/clock/advance", {"seconds": 31}))
    params = {"repositoryName": "app", "imageId": {"imageDigest": digest}}
    with pytest.raises(WaiterError) as info:
        ecr.get_waiter("image_scan_complete").wait(**params, WaiterConfig=FAST)
    assert "Waiter encountered a terminal failure state" in str(info.value) and len(calls) == 2
    answer = ecr.describe_image_scan_findings(**params)
    assert answer["imageScanStatus"] == {"status": "FAILED", "description": "UnsupportedImageError: The operating "
                                         "system and/or package manager are not supported."}
    assert "imageScanFindings" not in answer
    detail = ecr.describe_images(repositoryName="app")["imageDetails"][0]
    assert detail["imageScanStatus"]["status"] == "FAILED" and "imageScanFindingsSummary" not in detail
    # Findings with a FAILED status, or another status, are refused.
    for body in ({"digest": digest, "findings": [{"name": "CVE-1", "severity": "LOW"}], "status": "FAILED"},
                 {"digest": digest, "findings": [], "status": "UNSUPPORTED_IMAGE"}):
        assert harness.admin("POST", "/ecr/scan-findings", body)[0] == 400


def test_lifecycle_policy_preview_complete_waits_for_the_preview_on_the_store_clock(make_harness, aws):
    from mockrunner.config import Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=30))
    ecr = harness.client("ecr")
    _preview(harness, ecr)
    with pytest.raises(WaiterError) as info:
        ecr.get_waiter("lifecycle_policy_preview_complete").wait(
            repositoryName="app", WaiterConfig={"Delay": 0, "MaxAttempts": 2})
    assert info.value.last_response["status"] == "IN_PROGRESS"
    calls = _after_first(ecr, "GetLifecyclePolicyPreview", lambda: harness.admin(
        "POST", "/clock/advance", {"seconds": 31}))
    ecr.get_waiter("lifecycle_policy_preview_complete").wait(repositoryName="app", WaiterConfig=FAST)
    assert len(calls) == 2
    assert len(ecr.get_lifecycle_policy_preview(repositoryName="app")["previewResults"]) == 6


def test_the_ecr_waiters_stop_on_an_error_no_acceptor_names(aws):
    """An error no acceptor matches ends a waiter at once (botocore's "Unexpected error"), never loops."""
    ecr = aws.client("ecr")
    _repository(ecr)
    _push(ecr, "app", "unscanned", "v1")
    with pytest.raises(WaiterError) as info:
        ecr.get_waiter("image_scan_complete").wait(repositoryName="app", imageId={"imageTag": "v1"},
                                                   WaiterConfig=FAST)
    assert info.value.last_response["Error"]["Code"] == "ScanNotFoundException"
    with pytest.raises(WaiterError) as info:
        ecr.get_waiter("lifecycle_policy_preview_complete").wait(repositoryName="app", WaiterConfig=FAST)
    assert info.value.last_response["Error"]["Code"] == "LifecyclePolicyPreviewNotFoundException"


# ------------------------------------------------------------------------------------------------ the AWS CLI v1
@pytest.fixture
def cli(make_harness, tmp_path):
    """The .venv's ``aws`` (v1) against a server this test starts: ``cli(*args)`` answers the process."""
    harness = make_harness("server")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""}
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)

    def run(*args: str) -> Any:
        done = subprocess.run([AWS_CLI_V1, "--endpoint-url", harness.endpoint_url, "--output", "json", *args],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None
    run.harness = harness
    return run


def test_the_aws_cli_pages_with_page_size_max_items_and_starting_token(cli):
    iam, ecr, runner = (cli.harness.client(service) for service in ("iam", "ecr", "apprunner"))
    names = sorted(f"u{_n(i)}" for i in range(7))
    for name in names[::-1]:
        iam.create_user(UserName=name)
    _repository(ecr)
    for i in range(5):
        _push(ecr, "app", f"m{i}", f"t{i}")
        _repository(ecr, f"r{i}")
    for i in range(3):
        runner.create_connection(ConnectionName=f"conn{i}", ProviderType="GITHUB")
    # Auto-pagination walks every page; --max-items stops with a NextToken --starting-token resumes from.
    assert [u["UserName"] for u in cli("iam", "list-users", "--page-size", "2")["Users"]] == names
    head = cli("iam", "list-users", "--page-size", "2", "--max-items", "3")
    assert [u["UserName"] for u in head["Users"]] == names[:3] and head["NextToken"]
    rest = cli("iam", "list-users", "--page-size", "2", "--starting-token", head["NextToken"])
    assert [u["UserName"] for u in rest["Users"]] == names[3:] and "NextToken" not in rest
    one = cli("iam", "list-users", "--no-paginate", "--max-items", "2")
    assert [u["UserName"] for u in one["Users"]] == names[:2] and one["IsTruncated"] is True and one["Marker"]
    tags = sorted(i["imageTag"] for i in cli("ecr", "list-images", "--repository-name", "app",
                                              "--page-size", "2")["imageIds"])
    assert tags == [f"t{i}" for i in range(5)]
    head = cli("ecr", "describe-repositories", "--page-size", "2", "--max-items", "3")
    rest = cli("ecr", "describe-repositories", "--page-size", "2", "--starting-token", head["NextToken"])
    walked = [r["repositoryName"] for r in head["repositories"] + rest["repositories"]]
    assert sorted(walked) == sorted(["app", *(f"r{i}" for i in range(5))]) and len(set(walked)) == 6
    # App Runner has no paginator: the CLI sends the token itself, as a user does.
    first = cli("apprunner", "list-connections", "--max-results", "2")
    second = cli("apprunner", "list-connections", "--max-results", "2", "--next-token", first["NextToken"])
    assert [c["ConnectionName"] for c in first["ConnectionSummaryList"] + second["ConnectionSummaryList"]] == [
        "conn0", "conn1", "conn2"]
    assert "NextToken" not in second
    cli("iam", "wait", "user-exists", "--user-name", names[0])
