"""IAM API behaviour through boto3: CRUD, IAM's errors and messages, limits, service-linked roles."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust
from tests.iam.keys_and_codes import private_pem, rsa_key, self_signed_certificate

READ_ONLY = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"


def test_user_lifecycle_and_conflicts(aws):
    iam = aws.client("iam")
    user = iam.create_user(UserName="alice", Path="/team/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/team/alice"
    assert user["UserId"].startswith("AIDA")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="alice")
    assert aws_error(excinfo) == ("EntityAlreadyExists", "User with name alice already exists.", 409)
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(allow("s3:GetObject")))
    assert iam.get_user_policy(UserName="alice", PolicyName="p")["PolicyDocument"]["Statement"][0]["Action"] == (
        "s3:GetObject")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="alice")
    assert aws_error(excinfo) == ("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_user_policy(UserName="alice", PolicyName="p")
    iam.delete_user(UserName="alice")
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="alice")
    assert aws_error(excinfo) == ("NoSuchEntity", "The user with name alice cannot be found.", 404)


def test_invalid_name_and_malformed_policy(aws):
    iam = aws.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="bad name")
    assert aws_error(excinfo)[0] == "ValidationError"
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="bob", PolicyName="p", PolicyDocument='{"Statement": [}')
    assert aws_error(excinfo)[0] == "MalformedPolicyDocument"
    assert iam.list_user_policies(UserName="bob")["PolicyNames"] == []


def test_policy_versions_and_the_five_version_limit(aws):
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="pv", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/pv"
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:PutObject")), SetAsDefault=True)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:PutObject")))
    code, message, status = aws_error(excinfo)
    assert (code, status) == ("LimitExceeded", 409) and message.startswith("A managed policy can have up to 5")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v5"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    assert aws_error(excinfo)[:2] == ("DeleteConflict", "Cannot delete the default version of a policy.")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    versions = [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]]
    assert versions == ["v4", "v3", "v2", "v1"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["IsDefaultVersion"] and version["Document"]["Statement"][0]["Action"] == "s3:PutObject"


def test_attach_detach_and_delete_conflict(aws):
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="att", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=READ_ONLY)
    names = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]]
    assert names == ["att", "AWSAppRunnerReadOnlyAccess"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert aws_error(excinfo)[:2] == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="r", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/nope")
    assert aws_error(excinfo)[0] == "NoSuchEntity"
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    assert aws_error(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)
    iam.delete_policy(PolicyArn=arn)


def test_access_keys_two_per_user_and_status(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="k")
    first = iam.create_access_key(UserName="k")["AccessKey"]
    iam.create_access_key(UserName="k")
    assert first["AccessKeyId"].startswith("AKIA") and len(first["SecretAccessKey"]) == 40
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="k")
    assert aws_error(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    iam.update_access_key(UserName="k", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="k")["AccessKeyMetadata"]}
    assert statuses[first["AccessKeyId"]] == "Inactive"
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(first, "sts").get_caller_identity()
    assert aws_error(excinfo)[0] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="k")
    assert aws_error(excinfo)[1] == "Cannot delete entity, must delete access keys first."


def test_groups_give_their_policies_to_members(aws):
    iam = aws.client("iam")
    key = iam.create_user(UserName="g1") and iam.create_access_key(UserName="g1")["AccessKey"]
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    with pytest.raises(ClientError):
        aws.client_for(key, "iam").list_users()
    iam.add_user_to_group(GroupName="readers", UserName="g1")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="g1")["Groups"]] == ["readers"]
    assert "g1" in [u["UserName"] for u in aws.client_for(key, "iam").list_users()["Users"]]
    assert [u["UserName"] for u in iam.get_group(GroupName="readers")["Users"]] == ["g1"]


def test_tags_and_account_authorization_details(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                    Tags=[{"Key": "env", "Value": "dev"}])
    iam.tag_role(RoleName="tagged", Tags=[{"Key": "team", "Value": "x"}])
    iam.untag_role(RoleName="tagged", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "team", "Value": "x"}]
    iam.put_role_policy(RoleName="tagged", PolicyName="inline", PolicyDocument=doc(allow("s3:*")))
    iam.attach_role_policy(RoleName="tagged", PolicyArn=READ_ONLY)
    details = iam.get_account_authorization_details()
    role = next(r for r in details["RoleDetailList"] if r["RoleName"] == "tagged")
    assert role["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "s3:*"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    assert [p["Arn"] for p in details["Policies"]] == [READ_ONLY]


def test_account_authorization_details_are_paged_by_max_items_across_the_lists(aws):
    iam = aws.client("iam")
    for name in ("u1", "u2"):
        iam.create_user(UserName=name)
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName="r1", PolicyArn=READ_ONLY)
    first = iam.get_account_authorization_details(MaxItems=3)
    assert [u["UserName"] for u in first["UserDetailList"]] == ["u1", "u2"]
    assert [g["GroupName"] for g in first["GroupDetailList"]] == ["g1"]
    assert (first["RoleDetailList"], first["Policies"], first["IsTruncated"]) == ([], [], True)
    rest = iam.get_account_authorization_details(MaxItems=3, Marker=first["Marker"])
    assert ([r["RoleName"] for r in rest["RoleDetailList"]], [p["Arn"] for p in rest["Policies"]]) == (
        ["r1"], [READ_ONLY])
    assert rest["UserDetailList"] == [] and rest["IsTruncated"] is False and "Marker" not in rest
    pages = iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 1})
    assert sum(len(page["UserDetailList"]) + len(page["RoleDetailList"]) for page in pages) == 3


def test_aws_managed_policies_have_real_documents(aws):
    iam = aws.client("iam")
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    document = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId=admin["DefaultVersionId"])
    assert document["PolicyVersion"]["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    ecr = "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"
    assert iam.get_policy(PolicyArn=ecr)["Policy"]["Path"] == "/service-role/"
    assert admin["PolicyId"] == "ANPAIWMBCKSKIEE64ZLYK"  # the real id (tenchi-security/camp metadata)
    assert iam.get_policy(PolicyArn=ecr)["Policy"]["PolicyId"] == "ANPAZKAPJZG4LYM3IT6IY"
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS")
    listed = {p["PolicyName"] for page in pages for p in page["Policies"]}
    assert {"PowerUserAccess", "IAMFullAccess", "AWSAppRunnerFullAccess", "AppRunnerServiceRolePolicy",
            "AmazonEC2ContainerRegistryReadOnly"} <= listed


def test_service_linked_roles(aws):
    iam = aws.client("iam")
    role = iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAppRunner"
    assert role["Path"] == "/aws-service-role/apprunner.amazonaws.com/"
    # As CreateServiceLinkedRole writes it: one-element lists (real outputs for ECS and OpenSearch, the EC2 Auto
    # Scaling guide's example); a role App Runner creates on first use has plain strings (tests/roles).
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["apprunner.amazonaws.com"]}}]
    attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert attached[0]["PolicyArn"] == "arn:aws:iam::aws:policy/aws-service-role/AppRunnerServiceRolePolicy"
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")
    assert aws_error(excinfo) == ("InvalidInput", "Service role name AWSServiceRoleForAppRunner has been taken in this "
                               "account, please try a different suffix.", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="x", PolicyDocument=doc(allow("s3:*")))
    assert aws_error(excinfo)[0] == "UnmodifiableEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=role["RoleName"])
    assert aws_error(excinfo)[0] == "UnmodifiableEntity"
    networking = iam.create_service_linked_role(AWSServiceName="networking.apprunner.amazonaws.com")["Role"]
    assert networking["RoleName"] == "AWSServiceRoleForAppRunnerNetworking"
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/apprunner.amazonaws.com/AWSServiceRoleForAppRunner/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName=role["RoleName"])
    assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_service_linked_role_in_use_is_not_deleted(aws):
    from dataclasses import dataclass

    @dataclass
    class _InUse:
        arn: str
        status: str

    iam = aws.client("iam")
    iam.create_service_linked_role(AWSServiceName="apprunner.amazonaws.com")
    region = aws.store.account(ACCOUNT).region("us-east-1")
    services = getattr(region.apprunner, "services", None)
    if not isinstance(services, dict):
        pytest.skip("App Runner state has no services dict yet")
    services["x"] = _InUse("arn:aws:apprunner:us-east-1:123456789012:service/x/1", "RUNNING")
    aws.round_trip = False  # a stand-in object, not state an import could hold
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAppRunner")["DeletionTaskId"]
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "FAILED"
    assert status["Reason"]["RoleUsageList"][0]["Region"] == "us-east-1"
    assert iam.get_role(RoleName="AWSServiceRoleForAppRunner")["Role"]["RoleName"] == "AWSServiceRoleForAppRunner"


def test_unique_ids_have_21_characters_and_key_ids_20(aws):
    """Unique ids are a four-letter prefix and 17 characters (IAM User Guide, "IAM identifiers":
    AIDAJQABLZS4A3QDU576Q, AROAJ3UQRY75GDAKWTAA2; AWS CLI examples ACCAEXAMPLE123EXAMPLE); access keys, session keys
    and SSH public key ids are a prefix and 16 (AKIAIOSFODNN7EXAMPLE, APKAEIBAERJR2EXAMPLE).  An assumed role's id
    is the role's id, a colon and the session name."""
    iam = aws.client("iam")
    key = rsa_key()
    body, _ = self_signed_certificate(key)
    ssh_body = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()
    user = iam.create_user(UserName="alice")["User"]
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    unique_ids = {
        "user": user["UserId"], "role": role["Role"]["RoleId"],
        "group": iam.create_group(GroupName="g")["Group"]["GroupId"],
        "policy": iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["PolicyId"],
        "profile": iam.create_instance_profile(InstanceProfileName="ip")["InstanceProfile"]["InstanceProfileId"],
        "server certificate": iam.upload_server_certificate(
            ServerCertificateName="web", CertificateBody=body, PrivateKey=private_pem(key),
        )["ServerCertificateMetadata"]["ServerCertificateId"],
        "service credential": iam.create_service_specific_credential(
            UserName="alice", ServiceName="codecommit.amazonaws.com",
        )["ServiceSpecificCredential"]["ServiceSpecificCredentialId"],
    }
    assert {kind: len(value) for kind, value in unique_ids.items()} == dict.fromkeys(unique_ids, 21)
    access_key = iam.create_access_key(UserName="alice")["AccessKey"]
    ssh_key = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=ssh_body)["SSHPublicKey"]
    assert [len(access_key["AccessKeyId"]), len(ssh_key["SSHPublicKeyId"])] == [20, 20]
    sts = aws.client_for(access_key, "sts")
    assumed = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="ci")
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == role["Role"]["RoleId"] + ":ci"
    assert len(assumed["Credentials"]["AccessKeyId"]) == 20
