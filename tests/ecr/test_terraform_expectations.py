"""What terraform-provider-aws's ECR resources expect of ECR's answers (``internal/service/ecr/``), as call
sequences through boto3 in both modes.  Every expectation here held when checked (the fixes of this sweep were in
IAM); the tests keep the provider's sequences from regressing.  The provider file is named in each test."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "description": "expire", "selection": {
    "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:GetDownloadUrlForLayer"]}]})


def code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def test_a_repository_as_terraform_creates_updates_and_deletes_it(ecr):
    """``repository.go``: created with ``imageTagMutability`` MUTABLE and no scanning or encryption block, it reads
    back ``scanOnPush`` false and AES256; an empty ``imageScanningConfiguration`` is accepted (the provider sends one
    when the block is removed); after DeleteRepository every read is RepositoryNotFoundException, which the
    provider's delete waiter and Read take as gone, as they take a second DeleteRepository's."""
    created = ecr.create_repository(repositoryName="tf-repo", imageTagMutability="MUTABLE")["repository"]
    read = ecr.describe_repositories(repositoryNames=["tf-repo"])["repositories"][0]
    assert read["imageScanningConfiguration"] == {"scanOnPush": False}
    assert read["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert read["repositoryUri"] == f"{created['registryId']}.dkr.ecr.us-east-1.amazonaws.com/tf-repo"
    ecr.put_image_tag_mutability(repositoryName="tf-repo", registryId=created["registryId"],
                                 imageTagMutability="IMMUTABLE")
    ecr.put_image_scanning_configuration(repositoryName="tf-repo", registryId=created["registryId"],
                                         imageScanningConfiguration={})
    read = ecr.describe_repositories(repositoryNames=["tf-repo"])["repositories"][0]
    assert (read["imageTagMutability"], read["imageScanningConfiguration"]) == ("IMMUTABLE", {"scanOnPush": False})
    ecr.delete_repository(repositoryName="tf-repo", registryId=created["registryId"], force=False)
    assert code(ecr.describe_repositories, repositoryNames=["tf-repo"]) == "RepositoryNotFoundException"
    assert code(ecr.delete_repository, repositoryName="tf-repo") == "RepositoryNotFoundException"


def test_a_repositorys_policies_are_gone_with_the_not_found_codes_terraform_matches(ecr):
    """``lifecycle_policy.go`` and ``repository_policy.go`` take LifecyclePolicyNotFoundException /
    RepositoryPolicyNotFoundException, or RepositoryNotFoundException once the repository is gone, as deleted."""
    ecr.create_repository(repositoryName="tf-repo")
    put = ecr.put_lifecycle_policy(repositoryName="tf-repo", lifecyclePolicyText=LIFECYCLE)
    assert (put["repositoryName"], put["registryId"]) == ("tf-repo", ecr.describe_registry()["registryId"])
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="tf-repo")["lifecyclePolicyText"]) == json.loads(
        LIFECYCLE)
    ecr.set_repository_policy(repositoryName="tf-repo", policyText=POLICY)
    assert json.loads(ecr.get_repository_policy(repositoryName="tf-repo")["policyText"]) == json.loads(POLICY)
    ecr.delete_lifecycle_policy(repositoryName="tf-repo")
    ecr.delete_repository_policy(repositoryName="tf-repo")
    assert code(ecr.get_lifecycle_policy, repositoryName="tf-repo") == "LifecyclePolicyNotFoundException"
    assert code(ecr.delete_lifecycle_policy, repositoryName="tf-repo") == "LifecyclePolicyNotFoundException"
    assert code(ecr.get_repository_policy, repositoryName="tf-repo") == "RepositoryPolicyNotFoundException"
    assert code(ecr.delete_repository_policy, repositoryName="tf-repo") == "RepositoryPolicyNotFoundException"
    ecr.delete_repository(repositoryName="tf-repo")
    for call in (ecr.get_lifecycle_policy, ecr.get_repository_policy, ecr.delete_repository_policy):
        assert code(call, repositoryName="tf-repo") == "RepositoryNotFoundException"


def test_registry_settings_are_deleted_by_putting_their_defaults(ecr):
    """``registry_scanning_configuration.go`` deletes by putting BASIC with no rules, ``replication_configuration.go``
    by putting no rules, and both read the registry's answer back; ``registry_policy.go`` takes
    RegistryPolicyNotFoundException as gone."""
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"] == {"scanType": "BASIC", "rules": []}
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[{
        "scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}])
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[])
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"] == {"scanType": "BASIC", "rules": []}
    registry = ecr.describe_registry()["registryId"]
    ecr.put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [{"region": "us-west-2", "registryId": registry}]}]})
    assert ecr.describe_registry()["replicationConfiguration"]["rules"][0]["destinations"] == [
        {"region": "us-west-2", "registryId": registry}]
    ecr.put_replication_configuration(replicationConfiguration={"rules": []})
    assert ecr.describe_registry()["replicationConfiguration"] == {"rules": []}
    assert code(ecr.get_registry_policy) == "RegistryPolicyNotFoundException"
    assert code(ecr.delete_registry_policy) == "RegistryPolicyNotFoundException"


def test_the_registrys_rules_answer_the_not_found_codes_terraform_matches(aws, ecr):
    """``pull_through_cache_rule.go`` (PullThroughCacheRuleNotFoundException), ``repository_creation_template.go``
    (TemplateNotFoundException), ``signing_configuration.go`` (SigningConfigurationNotFoundException),
    ``pull_time_update_exclusion.go`` (ExclusionNotFoundException, and the ARN listed while registered), and
    ``account_setting.go``'s two settings, which read back their defaults."""
    registry = ecr.describe_registry()["registryId"]
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", registryId=registry)
    assert code(ecr.delete_pull_through_cache_rule, ecrRepositoryPrefix="ecr-public",
                registryId=registry) == "PullThroughCacheRuleNotFoundException"
    assert code(ecr.describe_pull_through_cache_rules,
                ecrRepositoryPrefixes=["ecr-public"]) == "PullThroughCacheRuleNotFoundException"
    ecr.create_repository_creation_template(prefix="tf", appliedFor=["PULL_THROUGH_CACHE"])
    ecr.delete_repository_creation_template(prefix="tf")
    assert code(ecr.delete_repository_creation_template, prefix="tf") == "TemplateNotFoundException"
    assert code(ecr.get_signing_configuration) == "SigningConfigurationNotFoundException"
    assert code(ecr.delete_signing_configuration) == "SigningConfigurationNotFoundException"
    principal = aws.client("iam").create_role(RoleName="puller", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    ecr.register_pull_time_update_exclusion(principalArn=principal)
    assert ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"] == [principal]
    ecr.deregister_pull_time_update_exclusion(principalArn=principal)
    assert code(ecr.deregister_pull_time_update_exclusion, principalArn=principal) == "ExclusionNotFoundException"
    assert ecr.get_account_setting(name="BASIC_SCAN_TYPE_VERSION")["value"] == "AWS_NATIVE"
    assert ecr.get_account_setting(name="REGISTRY_POLICY_SCOPE")["value"] == "V2"
