"""Every AWS managed policy and every service-linked role, through boto3, plus the IAM fidelity fixes that go with
them (tag keys, CreatePolicy/CreateRole answers, non-ARN PolicyArn, non-JSON documents, S3 access-point ARNs)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from mockrunner.model import managed_policies
from tests.harness import first_uses_at_once
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, user_with_key

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _all(iam, **kwargs) -> list[dict]:
    return [p for page in iam.get_paginator("list_policies").paginate(**kwargs) for p in page["Policies"]]


# ------------------------------------------------------------------------------------------------ managed policies
def test_list_policies_scope_aws_pages_through_every_managed_policy(aws):
    iam = aws.client("iam")
    first = iam.list_policies(Scope="AWS", MaxItems=100)
    assert first["IsTruncated"] is True and len(first["Policies"]) == 100
    second = iam.list_policies(Scope="AWS", MaxItems=100, Marker=first["Marker"])
    assert not {p["Arn"] for p in first["Policies"]} & {p["Arn"] for p in second["Policies"]}
    policies = _all(iam, Scope="AWS")
    assert len(policies) > 1500
    names = [p["PolicyName"] for p in policies]
    assert len(set(names)) == len(names)
    # Oldest first (recorded from AWS: LocalStack snapshot test_iam_managed_policies.snapshot.json; this test
    # sorted them by name before).
    dates = [p["CreateDate"] for p in policies]
    assert dates == sorted(dates) and names[:4] == ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
                                                    "AWSCloudFormationReadOnlyAccess"]
    assert {"ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AdministratorAccess", "AWSLambdaBasicExecutionRole",
            "AmazonEKSClusterPolicy"} <= set(names)
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") and p["PolicyId"].startswith("ANPA")
               and len(p["PolicyId"]) == 21 and p["IsAttachable"] for p in policies)
    assert len({p["PolicyId"] for p in policies}) == len(policies)


def test_list_policies_filters(aws):
    iam = aws.client("iam")
    service_role = _all(iam, Scope="AWS", PathPrefix="/service-role/")
    assert service_role and all(p["Path"] == "/service-role/" for p in service_role)
    assert "AWSLambdaBasicExecutionRole" in {p["PolicyName"] for p in service_role}
    assert _all(iam, Scope="AWS", OnlyAttached=True) == []
    iam.create_user(UserName="u", PermissionsBoundary=READ_ONLY)
    iam.attach_user_policy(UserName="u", PolicyArn=S3_READ)
    # OnlyAttached counts a boundary; PolicyUsageFilter narrows it (tests/iam/test_stackd_recordings.py).
    attached = _all(iam, Scope="AWS", OnlyAttached=True)
    assert sorted(p["PolicyName"] for p in attached) == ["AmazonS3ReadOnlyAccess", "ReadOnlyAccess"]
    boundaries = _all(iam, Scope="AWS", OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary")
    assert [(p["PolicyName"], p["PermissionsBoundaryUsageCount"]) for p in boundaries] == [("ReadOnlyAccess", 1)]
    permissions = _all(iam, Scope="AWS", OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy")
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in permissions] == [("AmazonS3ReadOnlyAccess", 1)]
    local = iam.create_policy(PolicyName="mine", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]
    assert [p["Arn"] for p in _all(iam, Scope="Local")] == [local["Arn"]]
    assert local["Arn"] in {p["Arn"] for p in _all(iam)}


def test_get_policy_and_versions_of_an_aws_managed_policy(aws):
    iam = aws.client("iam")
    policy = iam.get_policy(PolicyArn=S3_READ)["Policy"]
    assert policy["PolicyName"] == "AmazonS3ReadOnlyAccess" and policy["Path"] == "/"
    assert policy["DefaultVersionId"].startswith("v") and policy["CreateDate"] <= policy["UpdateDate"]
    default = iam.get_policy_version(PolicyArn=S3_READ, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert default["IsDefaultVersion"] is True
    actions = json.dumps(default["Document"]["Statement"])
    assert "s3:Get*" in actions and "s3:List*" in actions
    versions = iam.list_policy_versions(PolicyArn=S3_READ)["Versions"]
    assert versions[0]["VersionId"] == policy["DefaultVersionId"] and versions[0]["IsDefaultVersion"]
    assert len(versions) > 1 and not any(v["IsDefaultVersion"] for v in versions[1:])
    older = iam.get_policy_version(PolicyArn=S3_READ, VersionId=versions[-1]["VersionId"])["PolicyVersion"]
    assert older["IsDefaultVersion"] is False and older["Document"]["Statement"]
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=S3_READ, VersionId="v999")
    assert aws_error(excinfo) == ("NoSuchEntity", f"Policy {S3_READ} version v999 does not exist or is not "
                                  "attachable.", 404)


def test_the_policies_served_before_keep_their_ids_and_descriptions(aws):
    iam = aws.client("iam")
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert (admin["PolicyId"], admin["Description"]) == (
        "ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources.")
    ecr = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")["Policy"]
    assert (ecr["PolicyId"], ecr["DefaultVersionId"]) == ("ANPAIFYZPA37OOHVIH7KQ", "v3")


def test_recorded_ids_and_descriptions_and_well_formed_ids_for_the_rest(aws):
    iam = aws.client("iam")
    expected = {  # ids as recorded from list-policies; descriptions as the AWS Managed Policy Reference gives them
        "arn:aws:iam::aws:policy/ReadOnlyAccess": (
            "ANPAILL3HVNFSB6DCOWYQ", "Provides read-only access to AWS services and resources."),
        S3_READ: ("ANPAIZTJ4DXE7G6AGAE6M", "Provides read only access to all buckets via the AWS Management Console."),
        "arn:aws:iam::aws:policy/aws-service-role/AppRunnerServiceRolePolicy": (
            "ANPAZKAPJZG4FKEGI2QN2", "Allows AWS AppRunner to manage related AWS resources on your behalf."),
    }
    for arn, (policy_id, description) in expected.items():
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert (policy["PolicyId"], policy["Description"]) == (policy_id, description)
    every = managed_policies.aws_managed_policies().values()
    ids = [policy.policy_id for policy in every]
    assert len(set(ids)) == len(ids) == len(every) >= 1594
    assert all(re.fullmatch(r"ANPA[A-Z2-7]{17}", policy_id) for policy_id in ids)
    assert sum(bool(policy.description) for policy in every) >= 1560


def test_every_recorded_policy_id_is_served():
    """The generated data carries each id of ``scripts/managed_policy_ids.json`` (ids recorded from real accounts)
    for the policy of that name, and none of them for another policy."""
    recorded = json.loads((Path(__file__).resolve().parents[2] / "scripts" / "managed_policy_ids.json").read_text())
    served = {policy.name: policy.policy_id for policy in managed_policies.aws_managed_policies().values()}
    assert len(recorded["ids"]) >= 923
    assert {name: served.get(name) for name in recorded["ids"]} == recorded["ids"]
    assert served["AmazonEBSCSIDriverPolicy"] == "ANPAZKAPJZG4IV6FHD2UE"
    assert served["AdministratorAccess-Amplify"] == "ANPAZKAPJZG4AML23RALR"  # recorded by moto 3.1.15
    others = {policy_id for name, policy_id in served.items() if name not in recorded["ids"]}
    assert not others & set(recorded["ids"].values())


def test_ids_recorded_by_real_accounts_in_2026_are_served(aws):
    """radkawar/stackd (commit 9dc356f5) recorded iam:GetPolicy from a real account on 2026-09-11: the five root-task
    policies in testdata/aws/iam/root_access.json ("public_policy_*"; derived ids before), AWSCloud9SSMInstanceProfile
    in testdata/aws/iam/account_reporting.json ("unused_aws_policy_baseline"); Cloud Custodian's placebo recordings
    (tests/data/placebo/test_iam_user_admin_policy, test_iam_policy_get_resource) AdministratorAccess and
    AWSHealthFullAccess.  Each with the name, ARN and CreateDate served."""
    iam = aws.client("iam")
    recorded = {
        "root-task/IAMAuditRootUserCredentials": ("ANPAZKAPJZG4BDSCREYVS", "2024-11-06T22:27:58+00:00"),
        "root-task/IAMCreateRootUserPassword": ("ANPAZKAPJZG4OEGTN7YT5", "2024-11-06T22:32:59+00:00"),
        "root-task/IAMDeleteRootUserCredentials": ("ANPAZKAPJZG4CX73XKORQ", "2024-11-06T22:47:58+00:00"),
        "root-task/S3UnlockBucketPolicy": ("ANPAZKAPJZG4OALTIPZOF", "2024-11-06T21:55:56+00:00"),
        "root-task/SQSUnlockQueuePolicy": ("ANPAZKAPJZG4HPZI4FDUV", "2024-11-06T21:51:02+00:00"),
        "AWSCloud9SSMInstanceProfile": ("ANPAZKAPJZG4IQOSNAKW6", "2020-05-14T11:40:49+00:00"),
        "AdministratorAccess": ("ANPAIWMBCKSKIEE64ZLYK", "2015-02-06T18:39:46+00:00"),
        "AWSHealthFullAccess": ("ANPAI3CUMPCPEUPCSXC4Y", "2016-12-06T12:30:31+00:00"),
    }
    for name, (policy_id, created) in recorded.items():
        arn = f"arn:aws:iam::aws:policy/{name}"
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert (policy["PolicyName"], policy["Arn"], policy["PolicyId"], policy["CreateDate"].isoformat()) == (
            name.rsplit("/", 1)[-1], arn, policy_id, created)
    listed = {p["PolicyName"]: p["PolicyId"] for p in _all(iam, Scope="AWS", PathPrefix="/root-task/")}
    assert listed == {name.rsplit("/", 1)[-1]: policy_id for name, (policy_id, _) in recorded.items()
                      if name.startswith("root-task/")}


def test_aws_managed_policies_attach_and_the_engine_enforces_them(aws):
    key = user_with_key(aws, "reader", policies=(READ_ONLY,))
    iam = aws.client_for(key, "iam")
    assert iam.list_roles()["Roles"] == []
    assert iam.get_policy(PolicyArn=S3_READ)["Policy"]["PolicyName"] == "AmazonS3ReadOnlyAccess"
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=doc(allow("sts:AssumeRole")))
    assert aws_error(excinfo)[0] == "AccessDenied"


def test_aws_managed_policies_stay_read_only(aws):
    """AWS refuses changes to its policies as outside the caller's account (the recorded answers are replayed in
    tests/iam/test_stackd_managed_recordings.py)."""
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=S3_READ, PolicyDocument=doc(allow("s3:*")))
    assert aws_error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=S3_READ)
    assert aws_error(excinfo)[0] == "AccessDenied"
    assert iam.get_policy(PolicyArn=S3_READ)["Policy"]["DefaultVersionId"] == "v3"


def test_the_index_is_read_once_under_concurrent_first_use(monkeypatch):
    monkeypatch.setattr(managed_policies, "_index", None)
    reads = []
    original = managed_policies._data

    def counting(name: str) -> bytes:
        reads.append(name)
        return original(name)

    monkeypatch.setattr(managed_policies, "_data", counting)
    seen = first_uses_at_once(managed_policies.aws_managed_policies)
    assert reads == ["policies.txt.gz"] and len(set(seen)) == 1 and len(seen) == 8


def test_other_arns_never_read_the_managed_policy_data(monkeypatch):
    monkeypatch.setattr(managed_policies, "_index", None)
    assert managed_policies.aws_managed_policy(f"arn:aws:iam::{ACCOUNT}:policy/mine") is None
    assert managed_policies._index is None


# ------------------------------------------------------------------------------------------------ service-linked roles
@pytest.mark.parametrize("service, name, policy", [
    ("connect.amazonaws.com", "AWSServiceRoleForAmazonConnect",
     "aws-service-role/AmazonConnectServiceLinkedRolePolicy"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "aws-service-role/AmazonECSServiceRolePolicy"),
    ("spot.amazonaws.com", "AWSServiceRoleForEC2Spot", "aws-service-role/AWSEC2SpotServiceRolePolicy"),
    ("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty",
     "aws-service-role/AmazonGuardDutyServiceRolePolicy"),
    # documented in the services' guides, named by no managed policy
    ("ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService",
     "aws-service-role/AWSApplicationAutoscalingECSServicePolicy"),
    ("rum.amazonaws.com", "AWSServiceRoleForCloudWatchRUM", "aws-service-role/AmazonCloudWatchRUMServiceRolePolicy"),
    ("lex.amazonaws.com", "AWSServiceRoleForLexBots", "aws-service-role/LexBotPolicy"),
    ("delivery.logs.amazonaws.com", "AWSServiceRoleForLogDelivery",
     "aws-service-role/AWSServiceRoleForLogDeliveryPolicy"),
    ("maintenance.elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalkMaintenance",
     "aws-service-role/AWSElasticBeanstalkMaintenance"),
    ("stacksets.cloudformation.amazonaws.com", "AWSServiceRoleForCloudFormationStackSetsOrgAdmin",
     "aws-service-role/CloudFormationStackSetsOrgAdminServiceRolePolicy"),
    ("dax.amazonaws.com", "AWSServiceRoleForDAX", "aws-service-role/DAXServiceRolePolicy"),
    # the remaining /aws-service-role/ policies' roles, from their guides
    ("controltower.amazonaws.com", "AWSServiceRoleForAWSControlTower",
     "aws-service-role/AWSControlTowerAccountServiceRolePolicy"),
    ("hyperpod.sagemaker.amazonaws.com", "AWSServiceRoleForSageMakerHyperPod",
     "aws-service-role/AmazonSageMakerHyperPodServiceRolePolicy"),
    ("cleanrooms.amazonaws.com", "AWSServiceRoleForAWSCleanRooms", "aws-service-role/AWSCleanRoomsServiceRolePolicy"),
    ("clientvpn-connections.amazonaws.com", "AWSServiceRoleForClientVPNConnections",
     "aws-service-role/ClientVPNServiceConnectionsRolePolicy"),
    # the second reading of the guides: new roles and corrected names
    ("ec2-nat-gateway.amazonaws.com", "AWSServiceRoleForNATGateway", "aws-service-role/AWSNATGatewayServiceRolePolicy"),
    ("workspaces-instances.amazonaws.com", "AWSServiceRoleForWorkSpacesInstances",
     "aws-service-role/AWSServiceRolePolicyForWorkspacesInstances"),
    ("sms-voice.amazonaws.com", "AWSServiceRoleForSMSVoice", "aws-service-role/SMSVoiceServiceRolePolicy"),
    ("iotfleetwise.amazonaws.com", "AWSServiceRoleForIoTFleetWise",
     "aws-service-role/AWSIoTFleetwiseServiceRolePolicy"),
    ("smsintegration.migrationhub.amazonaws.com", "AWSServiceRoleForMigrationHubSMSAccess",
     "aws-service-role/MigrationHubSMSAccessServiceRolePolicy"),
    ("ec2-instance-connect.amazonaws.com", "AWSServiceRoleForEc2InstanceConnect",
     "aws-service-role/Ec2InstanceConnectEndpoint"),
])
def test_service_linked_role_per_service(aws, service, name, policy):
    iam = aws.client("iam")
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    assert (role["RoleName"], role["Path"]) == (name, f"/aws-service-role/{service}/")
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/{name}"
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [service]}}]
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [f"arn:aws:iam::aws:policy/{policy}"]
    iam.get_policy(PolicyArn=attached[0]["PolicyArn"])
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName=service)
    assert aws_error(excinfo) == ("InvalidInput", f"Service role name {name} has been taken in this account, please "
                                  "try a different suffix.", 400)
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    prefix, uuid = task.rsplit("/", 1)
    assert prefix == f"task/aws-service-role/{service}/{name}" and len(uuid) == 36
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"


@pytest.mark.parametrize("path", ["/aws-service-role/", "/aws-service-role/ecs.amazonaws.com/"])
def test_create_role_refuses_the_service_linked_path(aws, path):
    """tilfin/aws-iam-policy-tool#9 quotes IAM's answer; a path merely containing the words is an ordinary path."""
    iam = aws.client("iam")
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"})
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="AWSServiceRoleForECS", Path=path, AssumeRolePolicyDocument=trust)
    assert aws_error(excinfo) == ("InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS "
                                  "Service linked Roles", 400)
    assert iam.list_roles()["Roles"] == []
    assert iam.create_role(RoleName="r", Path="/team/aws-service-role/", AssumeRolePolicyDocument=trust)["Role"]


def test_service_descriptions_and_custom_suffixes(aws):
    """A role CreateServiceLinkedRole makes has the request's description and no other: none without one, whatever
    text the service gives the roles it makes for itself (recorded from AWS for Auto Scaling, 2026-09:
    radkawar/stackd, internal/services/iam/testdata/service_linked_roles_aws.json; terraform-provider-aws's
    TestAccIAMServiceLinkedRole_basic expects "" for Elastic Beanstalk's).  The answer never carries it
    (service_linked_description_aws.json): GetRole does."""
    iam = aws.client("iam")
    for service in ("ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "guardduty.amazonaws.com",
                    "spot.amazonaws.com", "apprunner.amazonaws.com", "dms.amazonaws.com"):
        role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
        assert "Description" not in role
        assert "Description" not in iam.get_role(RoleName=role["RoleName"])["Role"], service
    mine = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", Description="mine")["Role"]
    assert "Description" not in mine
    assert iam.get_role(RoleName=mine["RoleName"])["Role"]["Description"] == "mine"
    suffixed = iam.create_service_linked_role(AWSServiceName="connect.amazonaws.com", CustomSuffix="one")["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAmazonConnect_one"
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com", CustomSuffix="x")
    assert aws_error(excinfo) == ("InvalidInput", "Custom suffix is not allowed for rds.amazonaws.com", 400)
    outpost = iam.create_service_linked_role(AWSServiceName="outposts.amazonaws.com", CustomSuffix="op-0123")["Role"]
    assert outpost["RoleName"] == "AWSServiceRoleForOutposts_op-0123"


def test_the_service_linked_role_table_is_consistent():
    from mockrunner.model.service_linked_roles import service_linked_roles

    table = service_linked_roles()
    assert len(table) >= 331
    raw = json.loads((Path(__file__).resolve().parents[2] / "mockrunner" / "data" / "service_linked_roles.json")
                     .read_text())
    assert sum(bool(entry.get("Inferred")) for entry in raw.values()) == 6  # as docs/behaviour.md lists them
    assert "redshift-data.amazonaws.com" not in table  # a grant names it; no role trusts it
    policies = managed_policies.aws_managed_policies()
    for service, spec in table.items():
        assert spec.role_name.startswith("AWSServiceRoleFor") and service.endswith(".amazonaws.com")
        assert len(spec.role_name) <= 64, service
        assert spec.policy_arn in policies, service


# ------------------------------------------------------------------------------------------------ fidelity
DUPLICATE = ("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
CASES = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]


def test_tag_keys_are_case_insensitive(aws):
    """Users and roles; managed policies keep ``a`` and ``A`` apart (recorded from AWS: LocalStack snapshot
    test_iam_policies.snapshot.json, see test_recorded_roles.py; this test had policies case-insensitive too)."""
    iam = aws.client("iam")
    calls = {
        "CreateUser": lambda: iam.create_user(UserName="u1", Tags=CASES),
        "CreateRole": lambda: iam.create_role(RoleName="r1", AssumeRolePolicyDocument=_trust(), Tags=CASES),
    }
    for name, call in calls.items():
        with pytest.raises(ClientError) as excinfo:
            call()
        assert aws_error(excinfo) == DUPLICATE, name
    assert iam.list_users()["Users"] == [] and iam.list_roles()["Roles"] == []
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=_trust())
    for call in (lambda: iam.tag_user(UserName="u", Tags=CASES), lambda: iam.tag_role(RoleName="r", Tags=CASES)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert aws_error(excinfo) == DUPLICATE
    iam.tag_role(RoleName="r", Tags=[{"Key": "env", "Value": "dev"}])
    iam.tag_role(RoleName="r", Tags=[{"Key": "ENV", "Value": "prod"}])
    assert iam.list_role_tags(RoleName="r")["Tags"] == [{"Key": "ENV", "Value": "prod"}]
    iam.untag_role(RoleName="r", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="r")["Tags"] == []
    # A replaced tag keeps its place.
    iam.tag_user(UserName="u", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_user(UserName="u", Tags=[{"Key": "A", "Value": "3"}])
    assert iam.list_user_tags(UserName="u")["Tags"] == [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]


def test_create_policy_returns_its_tags_and_get_policy_too(aws):
    iam = aws.client("iam")
    tags = [{"Key": "team", "Value": "x"}]
    created = iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("s3:*")), Tags=tags)["Policy"]
    assert created["Tags"] == tags
    assert iam.get_policy(PolicyArn=created["Arn"])["Policy"]["Tags"] == tags
    untagged = iam.create_policy(PolicyName="q", PolicyDocument=doc(allow("s3:*")), Description="d")["Policy"]
    # Recorded from AWS: CreatePolicy answers Tags only when given and never Description; GetPolicy always has
    # Tags, an empty list when there are none.
    assert "Tags" not in untagged and "Description" not in untagged
    got = iam.get_policy(PolicyArn=untagged["Arn"])["Policy"]
    assert got["Tags"] == [] and got["Description"] == "d"


def test_create_role_answers_without_max_session_duration_or_last_use(aws):
    iam = aws.client("iam")
    created = iam.create_role(RoleName="r", AssumeRolePolicyDocument=_trust(), MaxSessionDuration=7200)["Role"]
    assert "MaxSessionDuration" not in created and "RoleLastUsed" not in created
    got = iam.get_role(RoleName="r")["Role"]
    assert got["MaxSessionDuration"] == 7200 and got["RoleLastUsed"] == {}


def test_attach_with_a_policy_arn_that_is_no_arn(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=_trust())
    for call in (lambda: iam.attach_user_policy(UserName="u", PolicyArn="AmazonS3ReadOnlyAccess"),
                 lambda: iam.attach_group_policy(GroupName="g", PolicyArn="AmazonS3ReadOnlyAccess"),
                 lambda: iam.attach_role_policy(RoleName="r", PolicyArn="AmazonS3ReadOnlyAccess")):
        with pytest.raises(ClientError) as excinfo:
            call()
        # Recorded from AWS: LocalStack snapshot test_iam_roles.snapshot.json, test_role_managed_policy_errors
        # (this test expected "Invalid ARN:  Could not be parsed!" before).
        assert aws_error(excinfo) == ("ValidationError", "ARN AmazonS3ReadOnlyAccess is not valid.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="u", PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicy")
    assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_policy_lookups_with_a_policy_arn_that_is_no_arn(aws):
    """GetPolicy and the other policy operations cannot parse a policy's path and name as an ARN: "Invalid ARN:
    Could not be parsed!" with IAM's two spaces (as CloudFormation's IAM handler reports GetPolicy's answer), unlike
    Attach*Policy above.  A boundary that is no policy ARN, or a missing policy, is refused for users as for roles."""
    iam = aws.client("iam")
    unparsed = ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    for call in (lambda: iam.get_policy(PolicyArn="service-role/AWSLambdaBasicExecutionRole-ab268e75"),
                 lambda: iam.list_policy_versions(PolicyArn="service-role/AWSLambdaBasicExecutionRole-ab268e75"),
                 lambda: iam.delete_policy(PolicyArn="AmazonS3ReadOnlyAccess"),
                 lambda: iam.list_policy_tags(PolicyArn="AmazonS3ReadOnlyAccess")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert aws_error(excinfo) == unparsed
    not_a_policy = f"arn:aws:iam::{ACCOUNT}:not_a_policy/invalid"
    missing = f"arn:aws:iam::{ACCOUNT}:policy/nonexistent-policy"
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="u", PermissionsBoundary=not_a_policy)
    assert aws_error(excinfo) == ("InvalidInput", f"ARN {not_a_policy} is not valid.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="u", PermissionsBoundary=missing)
    assert aws_error(excinfo) == ("NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)
    assert iam.list_users()["Users"] == []


def test_documents_that_are_not_json_at_all(aws):
    iam = aws.client("iam")
    invalid = ("MalformedPolicyDocument", "This policy contains invalid Json", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="not json")
    assert aws_error(excinfo) == invalid
    iam.create_user(UserName="u")
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument='{"Statement": [}')
    assert aws_error(excinfo) == invalid
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="p", PolicyDocument="{")
    # A managed policy is a syntax error (recorded from AWS: LocalStack snapshot test_iam_policies.snapshot.json,
    # invalid-0; this test expected "invalid Json" before).
    assert aws_error(excinfo) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="p", PolicyDocument='{"Statement": "nope"}')
    assert aws_error(excinfo) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)


def test_s3_access_point_arns_are_valid_resources(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    access_point = "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"
    iam.put_user_policy(UserName="u", PolicyName="p",
                        PolicyDocument=doc(allow("s3:GetObject", [access_point, f"{access_point}/object/*"])))
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="q",
                            PolicyDocument=doc(allow("s3:GetObject", "arn:aws:s3:us-west-2::bucket")))
    assert aws_error(excinfo) == ("MalformedPolicyDocument", "Resource arn:aws:s3:us-west-2::bucket can not contain "
                                  "region information.", 400)


def _trust() -> str:
    return doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
