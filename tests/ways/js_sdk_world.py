"""The robustness world (``tests/robustness/world.py``) with one of each IAM and ECR entity it lacks, so that the
generated inputs of the JavaScript SDK comparison reach successful answers (and their output shapes) for the
operations on those entities too: instance profiles, OIDC and SAML providers, certificates, SSH keys, MFA devices,
login profiles, service-specific credentials, account settings, reports, lifecycle/registry policies, pull-through
cache rules and creation templates."""
from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization

from mockrunner.model import snapshot
from tests.iam.federation import github_provider
from tests.iam.keys_and_codes import private_pem, rsa_key, self_signed_certificate
from tests.iam.saml_federation import metadata, saml_provider
from tests.robustness.world import ACCOUNT, OTHER_ACCOUNT, REGION, World, allow, build_world

LIFECYCLE_POLICY = json.dumps({"rules": [{"rulePriority": 1, "action": {"type": "expire"}, "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}}]})
ECR_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "pull", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
     "Action": "ecr:BatchGetImage"}]})
PASSWORD = "Js-sdk-Passw0rd!"


def build_full_world() -> World:
    """The robustness world plus the entities above; its vocabulary names them (and a fresh name for creates)."""
    world = build_world()
    harness, v = world.harness, world.vocabulary
    iam, ecr = harness.client("iam"), harness.client("ecr")
    iam.put_user_policy(UserName="alice", PolicyName="tag-session", PolicyDocument=allow("sts:TagSession"))
    iam.create_instance_profile(InstanceProfileName="profile")
    iam.add_role_to_instance_profile(InstanceProfileName="profile", RoleName="instance")
    key = rsa_key()
    certificate = self_signed_certificate(key)[0]
    iam.upload_server_certificate(ServerCertificateName="cert", CertificateBody=certificate,
                                  PrivateKey=private_pem(key))
    signing = iam.upload_signing_certificate(UserName="alice", CertificateBody=self_signed_certificate(rsa_key())[0])
    ssh_body = rsa_key().public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                   serialization.PublicFormat.OpenSSH).decode()
    ssh = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=ssh_body)["SSHPublicKey"]
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]["SerialNumber"]
    for user in ("alice", "bob"):
        iam.create_login_profile(UserName=user, Password=PASSWORD)
    credential = iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    iam.create_account_alias(AccountAlias="js-sdk")
    iam.generate_credential_report()
    job = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/alice")["JobId"]
    v.update(
        InstanceProfileName=["profile", "fresh"], OpenIDConnectProviderArn=[github_provider(harness)],
        SAMLProviderArn=[saml_provider(harness)], SAMLMetadataDocument=[metadata(harness)],
        ServerCertificateName=["cert"], CertificateId=[signing["Certificate"]["CertificateId"]],
        SSHPublicKeyId=[ssh["SSHPublicKeyId"]], SSHPublicKeyBody=[ssh_body], SerialNumber=[mfa],
        Password=[PASSWORD], NewPassword=[PASSWORD + "2"], OldPassword=[PASSWORD],
        ServiceSpecificCredentialId=[credential["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]],
        AccountAlias=["js-sdk"], JobId=[job], GroupName=["devs", "fresh"], RoleName=[*v["RoleName"], "fresh"],
        UserName=[*v["UserName"], "fresh"], PolicyName=[*v["PolicyName"], "fresh"],
        Arn=[f"arn:aws:iam::{ACCOUNT}:user/alice"])

    ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=LIFECYCLE_POLICY)
    ecr.put_registry_policy(policyText=ECR_POLICY)
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["REPLICATION"])
    v.update(lifecyclePolicyText=[LIFECYCLE_POLICY], policyText=[ECR_POLICY], ecrRepositoryPrefix=["quay"],
             upstreamRegistryUrl=["quay.io"], prefix=["team"], repositoryName=[*v["repositoryName"], "fresh"],
             resourceArn=[f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"])
    world.pristine = snapshot.export_state(world.store)
    return world
