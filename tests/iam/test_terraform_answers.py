"""IAM answers terraform-provider-aws depends on (repository hashicorp/terraform-provider-aws,
internal/service/iam/): its acceptance tests run against AWS, and its code retries on or matches AWS's exact
error codes and texts, so a different answer makes Terraform fail, hang or retry for minutes.
"""
from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key
from tests.iam.keys_and_codes import rsa_key, self_signed_certificate


def _invalid_principal(arn: str) -> tuple[str, str, int]:
    return "MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"', 400


def test_a_trust_policy_naming_a_missing_user_or_role_is_refused(aws):
    """role.go retries CreateRole and UpdateAssumeRolePolicy while the answer is MalformedPolicyDocument
    "Invalid principal in policy" (a principal created just before is still propagating): IAM resolves each user
    or role ARN when it stores a trust policy.  Wording as AWS answers CreateRole (opstrace/opstrace#88,
    aws/aws-cdk#26482) and UpdateAssumeRolePolicy (aws-actions/configure-aws-credentials#332)."""
    iam = aws.client("iam")
    missing_role, missing_user = f"arn:aws:iam::{ACCOUNT}:role/ci", f"arn:aws:iam::{ACCOUNT}:user/team/ann"
    assert error_of(iam.create_role, RoleName="deploy", AssumeRolePolicyDocument=trust(missing_role)) == (
        _invalid_principal(missing_role))
    assert error_of(iam.create_role, RoleName="deploy",
                  AssumeRolePolicyDocument=trust([f"arn:aws:iam::{ACCOUNT}:root", missing_user])) == (
        _invalid_principal(missing_user))
    # A role cannot trust itself by ARN before it exists.
    own = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    assert error_of(iam.create_role, RoleName="deploy", AssumeRolePolicyDocument=trust(own)) == _invalid_principal(own)
    assert iam.list_roles()["Roles"] == []
    iam.create_user(UserName="ann", Path="/team/")
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust(missing_user))
    assert error_of(iam.update_assume_role_policy, RoleName="deploy", PolicyDocument=trust(missing_role)) == (
        _invalid_principal(missing_role))
    stored = iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"]
    assert stored["Statement"][0]["Principal"] == {"AWS": missing_user}, "a refused update changes nothing"
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(own))
    # Accounts this mockrunner does not hold cannot be checked.
    iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust("arn:aws:iam::999999999999:role/x"))



def _trust_of_size(size: int) -> str:
    """A trust policy of exactly ``size`` characters once whitespace is removed, padded with spaces too."""
    base = json.loads(trust(f"arn:aws:iam::{ACCOUNT}:root"))
    base["Statement"][0]["Sid"] = ""
    pad = size - len("".join(json.dumps(base).split()))
    base["Statement"][0]["Sid"] = "S" * pad
    return json.dumps(base, indent=4)


def test_a_trust_policy_over_2048_characters_is_refused_by_the_acl_size_quota(aws):
    """CreateRole and UpdateAssumeRolePolicy answer LimitExceeded "Cannot exceed quota for ACLSizePerRole: 2048"
    (HTTP 409) for a trust policy longer than the role trust policy quota, counted without whitespace as every IAM
    policy size is (IAM User Guide, "IAM and AWS STS quotas"); Terraform users quote the text for both operations
    (e.g. cloudposse's aws-teams module's Known Problems), GetAccountSummary reports the quota."""
    iam = aws.client("iam")
    at_quota, over = _trust_of_size(2048), _trust_of_size(2049)
    assert len(at_quota) > 2048, "whitespace is not counted"
    quota = ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
    assert error_of(iam.create_role, RoleName="big", AssumeRolePolicyDocument=over) == quota
    assert iam.list_roles()["Roles"] == []
    iam.create_role(RoleName="big", AssumeRolePolicyDocument=at_quota)
    assert error_of(iam.update_assume_role_policy, RoleName="big", PolicyDocument=over) == quota
    stored = iam.get_role(RoleName="big")["Role"]["AssumeRolePolicyDocument"]
    assert len(stored["Statement"][0]["Sid"]) == len(json.loads(at_quota)["Statement"][0]["Sid"])
    assert iam.get_account_summary()["SummaryMap"]["AssumeRolePolicySizeQuota"] == 2048


def test_policy_versions_can_be_pruned_and_deleted_as_terraform_does(aws):
    """policy.go (resourcePolicyUpdate, policyPruneVersions, resourcePolicyDelete): with 5 versions the provider
    deletes the non-default version with the oldest CreateDate before CreatePolicyVersion (SetAsDefault false,
    then SetDefaultPolicyVersion); on destroy it deletes every non-default version, then the policy, and treats
    NoSuchEntity from GetPolicy as gone."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="tf", PolicyDocument=doc(allow("ec2:Describe*")), Description="",
                            Path="/")["Policy"]["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("ec2:*")), SetAsDefault=False)
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc(allow("ec2:*"))) == (
        "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must "
        "delete an existing version.", 409)
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["CreateDate"] for v in versions] == sorted((v["CreateDate"] for v in versions), reverse=True)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:*")), SetAsDefault=False)
    assert created["PolicyVersion"]["VersionId"] == "v6", "version ids are never reused"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the "
        "policy's versions. The default version is deleted with the policy.", 409)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    assert error_of(iam.get_policy, PolicyArn=arn) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_terraform_generated_passwords_are_accepted_and_changed_by_their_user(aws):
    """user_login_profile.go (GeneratePassword) draws from the symbols ``!@#$%^&*()_+-=[]{}|'``, the set IAM's
    RequireSymbols counts; user_login_profile_test.go then changes the password as the user, allowed by an inline
    policy on ``user/${aws:username}``."""
    iam = aws.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True, RequireNumbers=True,
                                       RequireUppercaseCharacters=True, RequireLowercaseCharacters=True)
    key = user_with_key(aws, "tf-user", inline={"AllowChangeOwnPassword": doc(
        allow("iam:GetAccountPasswordPolicy"),
        allow("iam:ChangePassword", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"))})
    for index, symbol in enumerate("!@#$%^&*()_+-=[]{}|'"):
        password = f"abcdefghijKLMNOPQ{index:02d}{symbol}"
        iam.create_login_profile(UserName="tf-user", Password=password, PasswordResetRequired=False)
        iam.delete_login_profile(UserName="tf-user")
    iam.create_login_profile(UserName="tf-user", Password="abcdefghijKLMNOPQ12'", PasswordResetRequired=False)
    user = aws.client_for(key, "iam")
    user.change_password(OldPassword="abcdefghijKLMNOPQ12'", NewPassword="zyxwvutsrqPONMLK98|(")
    refused = error_of(user.change_password, OldPassword="abcdefghijKLMNOPQ12'", NewPassword="zyxwvutsrqPONMLK97|(")
    assert refused[0] == "AccessDenied"


def test_a_renamed_server_certificate_keeps_its_id(aws):
    """server_certificate_test.go renames a certificate and changes its path in place (UpdateServerCertificate)
    and checks the ServerCertificateId did not change; TestAccIAMServerCertificate_file uploads a body with
    Windows line endings and a PKCS#1 (``RSA PRIVATE KEY``) key."""
    iam = aws.client("iam")
    key = rsa_key(1024)
    body, _ = self_signed_certificate(key)
    pkcs1 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()).decode()
    uploaded = iam.upload_server_certificate(ServerCertificateName="tf-cert", PrivateKey=pkcs1,
                                             CertificateBody=body.replace("\n", "\r\n"))["ServerCertificateMetadata"]
    iam.update_server_certificate(ServerCertificateName="tf-cert", NewServerCertificateName="tf-cert-2",
                                  NewPath="/test/updated/")
    moved = iam.get_server_certificate(ServerCertificateName="tf-cert-2")["ServerCertificate"][
        "ServerCertificateMetadata"]
    assert moved["ServerCertificateId"] == uploaded["ServerCertificateId"]
    assert moved["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/test/updated/tf-cert-2"
    assert moved["UploadDate"] == uploaded["UploadDate"] and moved["Expiration"] == uploaded["Expiration"]
