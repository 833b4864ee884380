"""What terraform-provider-aws's IAM resources expect of IAM's answers (``internal/service/iam/``; its acceptance
tests run against AWS), checked through boto3 in both modes: the provider's call sequences (create, read, update,
read, delete, read after delete) and the answers it matches.  Where the provider's source was not enough, real
AWS recordings decide (radkawar/stackd, ``internal/services/iam/testdata/*_aws.json``, recorded 2026-09 with the
AWS CLI against AWS).

Probes that held (no test of their own here, most already covered elsewhere): NotFound on every read after delete
(roles, users, groups, policies, instance profiles, login profiles, SSH keys, signing certificates, service-specific
credentials, OIDC and SAML providers, MFA devices, the password policy), DeleteConflict for roles with instance
profiles or policies, for users with login profiles and for attached policies, LimitExceeded for a sixth policy
version and a second role in a profile, idempotent client-id changes on OIDC providers, URL-encoded documents on
the wire (``url.QueryUnescape`` in the provider), GetSSHPublicKey in PEM, ListEntitiesForPolicy, GetAccessKeyLastUsed
naming the user (the provider's importer), the service-linked role's name with a custom suffix, its protected-role
refusals and its deletion task.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_the_global_endpoint_token_version_reads_back_from_the_account_summary(aws):
    """``security_token_service_preferences.go`` reads its setting back as ``v%dToken`` of GetAccountSummary's
    ``GlobalEndpointTokenVersion``; its acceptance test expects ``v2Token`` after setting it."""
    iam = aws.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1


def test_a_service_linked_role_made_without_a_description_has_none(aws):
    """``service_linked_role_test.go``, ``TestAccIAMServiceLinkedRole_basic``: Elastic Beanstalk's role made
    without ``description`` reads back ``description`` ""; recorded from AWS for Auto Scaling with a custom
    suffix (stackd ``service_linked_roles_aws.json``: neither the answer nor GetRole has a Description)."""
    iam = aws.client("iam")
    beanstalk = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com")["Role"]
    suffixed = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                              CustomSuffix="stackdprobe")["Role"]
    for role in (beanstalk, suffixed):
        assert "Description" not in role
        read = iam.get_role(RoleName=role["RoleName"])["Role"]
        assert "Description" not in read and read["MaxSessionDuration"] == 3600 and read["RoleLastUsed"] == {}


def test_create_service_linked_role_answers_without_the_description_it_was_given(aws):
    """Recorded from AWS (stackd ``service_linked_description_aws.json``): the answer leaves the description out,
    GetRole shows it; ``service_linked_role.go`` reads it from GetRole."""
    iam = aws.client("iam")
    created = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="stackdprobe",
                                             Description="owned description probe")["Role"]
    assert set(created) == {"Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument"}
    assert iam.get_role(RoleName=created["RoleName"])["Role"]["Description"] == "owned description probe"


def test_a_service_linked_roles_session_duration_is_refused_in_its_own_words(aws):
    """Recorded from AWS (stackd ``service_linked_roles_aws.json``, "update-duration"); the description is
    updatable, as ``service_linked_role.go``'s Update does with UpdateRole."""
    iam = aws.client("iam")
    name = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix="stackdprobe")["Role"]["RoleName"]
    assert error_of(iam.update_role, RoleName=name, MaxSessionDuration=7200) == (
        "UnmodifiableEntity", f"{name} is an AWS service linked role, max session duration cannot be changed.", 400)
    iam.update_role(RoleName=name, Description="Updated using UpdateRole")
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "Updated using UpdateRole"
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 3600


def test_deletion_status_of_a_task_iam_cannot_read_or_does_not_have(aws):
    """Recorded from AWS (stackd ``service_linked_roles_aws.json``, "malformed-task" and "unknown-task");
    ``service_linked_role.go``'s delete waiter polls GetServiceLinkedRoleDeletionStatus until ``SUCCEEDED``."""
    iam = aws.client("iam")
    name = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix="stackdprobe")["Role"]["RoleName"]
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert error_of(iam.get_role, RoleName=name)[0] == "NoSuchEntity"
    unknown = f"task/aws-service-role/autoscaling.amazonaws.com/{name}/00000000-0000-0000-0000-000000000000"
    assert error_of(iam.get_service_linked_role_deletion_status, DeletionTaskId=unknown) == (
        "NoSuchEntity", "Cannot find deletion status for given id.", 404)
    assert error_of(iam.get_service_linked_role_deletion_status, DeletionTaskId="not-a-task") == (
        "InvalidInput", "Invalid task id", 400)


def test_update_role_description_answers_without_tags_or_boundary(aws):
    """Recorded from AWS (stackd ``role_wire_aws.json``, "update-description"): for a tagged role with a boundary
    the answer carries the new description and neither; GetRole carries all of them."""
    iam = aws.client("iam")
    iam.create_role(RoleName="stackdprobe", Path="/stackdprobe/", AssumeRolePolicyDocument=TRUST,
                    Tags=[{"Key": "team", "Value": "probe"}], Description="created-description",
                    PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess")
    updated = iam.update_role_description(RoleName="stackdprobe", Description="updated-description")["Role"]
    assert set(updated) == {"Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument",
                            "Description"}
    read = iam.get_role(RoleName="stackdprobe")["Role"]
    assert read["Description"] == "updated-description" and read["Tags"] == [{"Key": "team", "Value": "probe"}]
    assert read["PermissionsBoundary"]["PermissionsBoundaryArn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_virtual_mfa_devices_are_listed_without_their_tags(aws):
    """``virtual_mfa_device.go`` reads a device from ListVirtualMFADevices and its tags from ListMFADeviceTags:
    "The call above returns empty tags."; the AWS CLI reference's example lists serial numbers alone."""
    iam = aws.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="tf-mfa",
                                           Tags=[{"Key": "k", "Value": "v"}])["VirtualMFADevice"]["SerialNumber"]
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == [{"SerialNumber": serial}]
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_a_role_is_deleted_as_terraform_deletes_it(aws):
    """``role.go``'s ``deleteRole``: DeleteRole is refused while the role is in a profile or has policies
    (DeleteConflict, which the provider retries), so it removes the role from its instance profiles
    (ListInstanceProfilesForRole), detaches its managed policies and deletes its inline ones first; afterwards
    every read answers NoSuchEntity, which the provider takes as gone."""
    iam = aws.client("iam")
    iam.create_role(RoleName="tf-role", AssumeRolePolicyDocument=TRUST, Path="/", MaxSessionDuration=3600)
    iam.create_instance_profile(InstanceProfileName="tf-profile", Path="/")
    iam.add_role_to_instance_profile(InstanceProfileName="tf-profile", RoleName="tf-role")
    iam.attach_role_policy(RoleName="tf-role", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_role_policy(RoleName="tf-role", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert error_of(iam.delete_role, RoleName="tf-role")[0] == "DeleteConflict"
    for profile in iam.list_instance_profiles_for_role(RoleName="tf-role")["InstanceProfiles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName="tf-role")
    for attached in iam.list_attached_role_policies(RoleName="tf-role")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="tf-role", PolicyArn=attached["PolicyArn"])
    for name in iam.list_role_policies(RoleName="tf-role")["PolicyNames"]:
        iam.delete_role_policy(RoleName="tf-role", PolicyName=name)
    iam.delete_role(RoleName="tf-role")
    for call, kwargs in ((iam.get_role, {"RoleName": "tf-role"}),
                         (iam.delete_role, {"RoleName": "tf-role"}),
                         (iam.list_instance_profiles_for_role, {"RoleName": "tf-role"}),
                         (iam.list_attached_role_policies, {"RoleName": "tf-role"})):
        assert error_of(call, **kwargs) == ("NoSuchEntity", "The role with name tf-role cannot be found.", 404)
    assert iam.get_instance_profile(InstanceProfileName="tf-profile")["InstanceProfile"]["Roles"] == []


def test_service_specific_credentials_as_terraform_manages_them(aws):
    """``service_specific_credential.go``: create, read back through ListServiceSpecificCredentials (user and
    service), update the status, delete; ``service_user_name`` is read.  Recorded from AWS (stackd
    ``service_credentials_aws.json``): the second credential of a service is ``<user>+1-at-<account>``, the
    third is over ``ContextSpecificCredentialsPerUserPerContext``, a password has 60 characters, ``Expired`` cannot
    be set, another user's id is a ValidationError, and AllUsers with a UserName is refused."""
    iam = aws.client("iam")
    iam.create_user(UserName="owned")
    iam.create_user(UserName="owned-other")
    account = iam.get_user(UserName="owned")["User"]["Arn"].split(":")[4]
    first, second = (iam.create_service_specific_credential(UserName="owned", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"] for _ in range(2))
    assert (first["ServiceUserName"], second["ServiceUserName"]) == (f"owned-at-{account}", f"owned+1-at-{account}")
    assert len(first["ServicePassword"]) == 60 and first["ServiceSpecificCredentialId"].startswith("ACCA")
    assert error_of(iam.create_service_specific_credential, UserName="owned",
                    ServiceName="codecommit.amazonaws.com") == (
        "LimitExceeded", "Cannot exceed quota for ContextSpecificCredentialsPerUserPerContext: 2", 409)
    credential_id = first["ServiceSpecificCredentialId"]
    assert error_of(iam.update_service_specific_credential, UserName="owned-other",
                    ServiceSpecificCredentialId=credential_id, Status="Inactive") == (
        "ValidationError", f"User owned-other does not have a service specific credential with id {credential_id}",
        400)
    assert error_of(iam.update_service_specific_credential, UserName="owned",
                    ServiceSpecificCredentialId=credential_id, Status="Expired") == (
        "InvalidInput", "Operation does not support status Expired", 400)
    iam.update_service_specific_credential(UserName="owned", ServiceSpecificCredentialId=credential_id,
                                           Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName="owned", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredentials"]
    assert {item["ServiceSpecificCredentialId"]: item["Status"] for item in listed} == {
        credential_id: "Inactive", second["ServiceSpecificCredentialId"]: "Active"}
    assert error_of(iam.list_service_specific_credentials, UserName="owned", AllUsers=True) == (
        "InvalidInput", "Cannot list credentials for all users if a username is given", 400)
    iam.delete_service_specific_credential(UserName="owned", ServiceSpecificCredentialId=credential_id)
    assert error_of(iam.delete_service_specific_credential, UserName="owned",
                    ServiceSpecificCredentialId=credential_id)[0] == "NoSuchEntity"
    assert [item["ServiceSpecificCredentialId"] for item in iam.list_service_specific_credentials(
        UserName="owned")["ServiceSpecificCredentials"]] == [second["ServiceSpecificCredentialId"]]


@pytest.mark.parametrize("service", ["bedrock.amazonaws.com", "logs.amazonaws.com", "cloudwatch.amazonaws.com",
                                     "aws-external-anthropic.amazonaws.com"])
def test_api_keys_are_named_like_the_users_credentials(aws, service):
    """Recorded from AWS (stackd ``service_credentials_aws.json``): the API-key services answer an alias
    ``<user>-at-<account>`` (``+1`` for the second) and a secret, ``ABSK``-prefixed for Bedrock alone (the others have
    prefixes of their own: tests/iam/test_stackd_recordings.py)."""
    iam = aws.client("iam")
    iam.create_user(UserName="owned")
    account = iam.get_user(UserName="owned")["User"]["Arn"].split(":")[4]
    first = iam.create_service_specific_credential(UserName="owned", ServiceName=service, CredentialAgeDays=1)[
        "ServiceSpecificCredential"]
    second = iam.create_service_specific_credential(UserName="owned", ServiceName=service)[
        "ServiceSpecificCredential"]
    assert (first["ServiceCredentialAlias"], second["ServiceCredentialAlias"]) == (
        f"owned-at-{account}", f"owned+1-at-{account}")
    assert first["ServiceCredentialSecret"].startswith("ABSK") == (service == "bedrock.amazonaws.com")
    assert "ExpirationDate" in first and "ExpirationDate" not in second and "ServiceUserName" not in first


def test_a_service_linked_role_goes_in_no_instance_profile(aws):
    """``instance_profile.go`` adds ``role`` with AddRoleToInstanceProfile and removes it on delete; for a
    service-linked role IAM refuses both, and DeleteServiceLinkedRole of an ordinary role is NoSuchEntity
    (recorded from AWS: stackd ``service_linked_membership_aws.json``)."""
    iam = aws.client("iam")
    name = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                          CustomSuffix="stackdprobe")["Role"]["RoleName"]
    iam.create_instance_profile(InstanceProfileName="tf-profile")
    protected = ("UnmodifiableEntity",
                 f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS",
                 400)
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName="tf-profile", RoleName=name) == protected
    assert error_of(iam.remove_role_from_instance_profile, InstanceProfileName="tf-profile",
                    RoleName=name) == protected
    assert iam.get_instance_profile(InstanceProfileName="tf-profile")["InstanceProfile"]["Roles"] == []
    iam.create_role(RoleName="stackdprobeordinary", AssumeRolePolicyDocument=TRUST)
    assert error_of(iam.delete_service_linked_role, RoleName="stackdprobeordinary") == (
        "NoSuchEntity", "stackdprobeordinary exists but is not a service role.", 404)
    assert iam.get_role(RoleName="stackdprobeordinary")["Role"]["RoleName"] == "stackdprobeordinary"
