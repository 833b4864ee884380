"""A populated mockrunner for the robustness tests: every kind of entity, App Runner services in every state.

Fuzzed requests must reach real code paths (an existing user, a RUNNING service, a repository with images),
not stop at "not found", so the names and ARNs built here also feed the fuzzer's vocabulary
(:data:`VOCABULARY`): a member called ``UserName`` gets ``alice``, a ``ServiceArn`` a real service ARN.
"""
from __future__ import annotations

import copy
import hashlib
import json
import pickle
from dataclasses import dataclass, field
from typing import Any

from mockrunner.config import Settings
from mockrunner.model import snapshot
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import Harness

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"
PUBLIC_IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
PUBLIC_SOURCE = {"ImageRepository": {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}}


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]})


def allow(action: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


def manifest(marker: str = "a") -> str:
    return image_manifest(marker)


@dataclass
class World:
    """The harness, the pristine state document and the real identifiers in it (member name -> values)."""

    harness: Harness
    pristine: dict
    vocabulary: dict[str, list[Any]] = field(default_factory=dict)
    _decoded: tuple[dict, bytes, float] | None = field(default=None, repr=False, compare=False)

    @property
    def store(self):
        return self.harness.store

    def restore(self) -> None:
        """Put the pristine state back.  The document is decoded and checked by :func:`snapshot.read_state` once
        (per ``pristine`` document); each restore then puts a pickled copy of those decoded objects in place
        through :func:`snapshot.replace_state`, the import's own last step, without decoding the document again."""
        if self._decoded is None or self._decoded[0] is not self.pristine:
            replacement = snapshot.read_state(self.store, self.pristine)
            self._decoded = (self.pristine, pickle.dumps(replacement.decoded), replacement.offset)
        _, decoded, offset = self._decoded
        snapshot.replace_state(self.store, snapshot.Replacement(pickle.loads(decoded), offset))


def replaced(document: Any, path: tuple, value: Any) -> Any:
    """A deep copy of the JSON ``document`` with the leaf at ``path`` (keys and list indexes) set to ``value``."""
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def build_world(populate: bool = True) -> World:
    """Create every entity through the API (root credentials), then freeze time-dependent progress.

    Services are built with ``operation_delay=0`` (each completes on the next read); then the delay becomes an
    hour so the service created last stays ``OPERATION_IN_PROGRESS`` for the whole test.
    """
    settings = Settings(log_requests=False, operation_delay=0)
    harness = Harness("inprocess", settings)
    if not populate:
        return World(harness=harness, pristine=snapshot.export_state(harness.store))
    iam = harness.client("iam")
    ecr, apprunner = harness.client("ecr"), harness.client("apprunner")
    v: dict[str, list[Any]] = {}

    # ------------------------------------------------------------------------------------------------ IAM
    iam.create_group(GroupName="devs")
    policy = iam.create_policy(PolicyName="read-ecr", PolicyDocument=allow("ecr:Describe*"),
                               Tags=[{"Key": "team", "Value": "a"}])["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=allow("ecr:*"), SetAsDefault=False)
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=allow("*"))["Policy"]["Arn"]
    for name in ("alice", "bob"):
        iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": name}])
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=allow("apprunner:*"))
        iam.attach_user_policy(UserName=name, PolicyArn=policy)
        iam.add_user_to_group(GroupName="devs", UserName=name)
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=boundary)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_group_policy(GroupName="devs", PolicyName="group-inline", PolicyDocument=allow("iam:Get*"))
    iam.attach_group_policy(GroupName="devs", PolicyArn=policy)
    access_role = iam.create_role(RoleName="access", AssumeRolePolicyDocument=trust("build.apprunner.amazonaws.com"),
                                  Tags=[{"Key": "team", "Value": "a"}])["Role"]["Arn"]
    instance_role = iam.create_role(RoleName="instance", Path="/app/",
                                    AssumeRolePolicyDocument=trust("tasks.apprunner.amazonaws.com"))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="access", PolicyArn="arn:aws:iam::aws:policy/service-role/"
                                                        "AWSAppRunnerServicePolicyForECRAccess")
    iam.put_role_policy(RoleName="instance", PolicyName="inline", PolicyDocument=allow("s3:GetObject"))
    assumable = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Principal": {"AWS": ACCOUNT}}]})
    assumable_role = iam.create_role(RoleName="assumable", AssumeRolePolicyDocument=assumable)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="assumable", PolicyArn=policy)
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=allow("sts:AssumeRole"))
    alice_sts = harness.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    session = alice_sts.assume_role(RoleArn=assumable_role, RoleSessionName="fuzz")["Credentials"]
    v.update(UserName=["alice", "bob"], GroupName=["devs"], RoleName=["access", "instance", "assumable"],
             PolicyArn=[policy, boundary], PermissionsBoundary=[boundary], PolicyName=["inline", "read-ecr"],
             AccessKeyId=[key["AccessKeyId"], session["AccessKeyId"]], RoleArn=[assumable_role, access_role],
             RoleSessionName=["fuzz"], VersionId=["v1", "v2"], PolicySourceArn=[f"arn:aws:iam::{ACCOUNT}:user/alice"],
             Status=["Active", "Inactive"], TagKeys=[["team"]], ServiceName=["apprunner.amazonaws.com"])

    # ------------------------------------------------------------------------------------------------ ECR
    ecr.create_repository(repositoryName="web", tags=[{"Key": "team", "Value": "a"}])
    ecr.create_repository(repositoryName="team/api")
    ecr.set_repository_policy(repositoryName="web", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "pull", "Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}))
    text = manifest()
    put_image(ecr, repositoryName="web", imageManifest=text, imageTag="v1")
    put_image(ecr, repositoryName="web", imageManifest=manifest("c"), imageTag="v2")
    digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    v.update(repositoryName=["web", "team/api"], imageTag=["v1", "v2"], imageDigest=[digest],
             imageIds=[[{"imageTag": "v1"}], [{"imageDigest": digest}]], imageManifest=[text],
             registryId=[ACCOUNT])

    # ----------------------------------------------------------------------------------------------- App Runner
    asc = apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale", MaxSize=5)
    asc_arn = asc["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    obs = apprunner.create_observability_configuration(ObservabilityConfigurationName="trace")
    obs_arn = obs["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    connection = apprunner.create_connection(ConnectionName="github", ProviderType="GITHUB")
    vpc = apprunner.create_vpc_connector(VpcConnectorName="egress", Subnets=["subnet-1"], SecurityGroups=["sg-1"])
    vpc_arn = vpc["VpcConnector"]["VpcConnectorArn"]

    def service(name: str, **extra: Any) -> str:
        arn = apprunner.create_service(ServiceName=name, SourceConfiguration=PUBLIC_SOURCE,
                                       Tags=[{"Key": "team", "Value": "a"}], **extra)["Service"]["ServiceArn"]
        apprunner.describe_service(ServiceArn=arn)  # completes the creation (operation_delay=0)
        return arn

    running = service("running", AutoScalingConfigurationArn=asc_arn,
                      InstanceConfiguration={"InstanceRoleArn": instance_role})
    paused = service("paused")
    apprunner.pause_service(ServiceArn=paused)
    apprunner.describe_service(ServiceArn=paused)
    deleted = service("deleted")
    apprunner.delete_service(ServiceArn=deleted)
    apprunner.describe_service(ServiceArn=deleted)
    private = {"ImageRepository": {"ImageIdentifier": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/missing:v1",
                                   "ImageRepositoryType": "ECR"},
               "AuthenticationConfiguration": {"AccessRoleArn": access_role}}
    failed = apprunner.create_service(ServiceName="failed", SourceConfiguration=private)["Service"]["ServiceArn"]
    apprunner.describe_service(ServiceArn=failed)
    ingress = apprunner.create_vpc_ingress_connection(
        ServiceArn=running, VpcIngressConnectionName="ingress",
        IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})
    ingress_arn = ingress["VpcIngressConnection"]["VpcIngressConnectionArn"]
    apprunner.associate_custom_domain(ServiceArn=running, DomainName="www.example.com")
    harness.settings.operation_delay = 3600.0
    busy = apprunner.create_service(ServiceName="busy", SourceConfiguration=PUBLIC_SOURCE)["Service"]["ServiceArn"]
    operation = apprunner.list_operations(ServiceArn=running)["OperationSummaryList"][0]["Id"]
    statuses = {apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]
                for arn in (running, paused, deleted, failed, busy)}
    assert statuses == {"RUNNING", "PAUSED", "DELETED", "CREATE_FAILED", "OPERATION_IN_PROGRESS"}, statuses
    v.update(ServiceArn=[running, paused, busy, failed, deleted], ServiceName=["running", "new-svc"],
             AutoScalingConfigurationArn=[asc_arn], ObservabilityConfigurationArn=[obs_arn],
             ConnectionArn=[connection["Connection"]["ConnectionArn"]], VpcConnectorArn=[vpc_arn],
             VpcIngressConnectionArn=[ingress_arn], DomainName=["www.example.com"], OperationId=[operation],
             ResourceArn=[running, asc_arn, policy], AccessRoleArn=[access_role], InstanceRoleArn=[instance_role],
             ImageIdentifier=[PUBLIC_IMAGE, f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:v1"],
             AutoScalingConfigurationName=["scale"], ObservabilityConfigurationName=["trace"],
             ConnectionName=["github"], VpcConnectorName=["egress"], VpcIngressConnectionName=["ingress"])
    return World(harness=harness, pristine=snapshot.export_state(harness.store), vocabulary=v)
