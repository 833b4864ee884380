"""ECR answers Terraform's AWS provider relies on, where its acceptance tests (run against AWS) or its validation
showed mockrunner answering differently; the provider file is named in each test."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.ecr.test_ecr import ACCOUNT, error

OTHER_ACCOUNT = "210987654321"


def test_an_ecr_upstream_in_the_callers_own_registry_needs_no_custom_role(ecr):
    """``internal/service/ecr/pull_through_cache_rule_test.go``, ``privateRepositorySelfAccount``: a rule whose
    upstream is the caller's own registry in another region is created without ``custom_role_arn`` and reads
    back ``upstream_repository_prefix`` ``ROOT``; the role is only for a cross-account upstream."""
    upstream = f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
    out = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="tf-test-self", upstreamRegistryUrl=upstream,
                                             upstreamRepositoryPrefix="ROOT")
    assert (out["upstreamRegistry"], out["registryId"]) == ("ecr", ACCOUNT)
    assert "customRoleArn" not in out
    rule = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["tf-test-self"])["pullThroughCacheRules"][0]
    assert (rule["upstreamRegistryUrl"], rule["upstreamRepositoryPrefix"]) == (upstream, "ROOT")
    with pytest.raises(ClientError) as exc:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="tf-test-other",
                                           upstreamRegistryUrl=f"{OTHER_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com")
    assert error(exc)[0] == "InvalidParameterException" and "customRoleArn" in error(exc)[1]


@pytest.mark.parametrize("call", ["create_repository", "put_image_tag_mutability", "template"])
def test_a_tag_mutability_exclusion_filter_has_at_most_two_wildcards(ecr, call):
    """``internal/service/ecr/repository_test.go``, ``TestAccECRRepository_immutabilityWithExclusion_validation``:
    ``a*b*c*d`` is refused ("Image tag mutability exclusion filter can contain a maximum of 2 wildcards");
    two wildcards are taken."""
    def apply(name: str, pattern: str) -> None:
        arguments = {"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                     "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": pattern}]}
        if call == "create_repository":
            ecr.create_repository(repositoryName=name, **arguments)
        elif call == "put_image_tag_mutability":
            ecr.create_repository(repositoryName=name)
            ecr.put_image_tag_mutability(repositoryName=name, **arguments)
        else:
            ecr.create_repository_creation_template(prefix=name, appliedFor=["CREATE_ON_PUSH"], **arguments)

    with pytest.raises(ClientError) as exc:
        apply("three", "a*b*c*d")
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'imageTagMutabilityExclusionFilters' "
                          "failed to satisfy constraint: 'Image tag mutability exclusion filter can contain a "
                          "maximum of 2 wildcards'")
    repositories = ecr.describe_repositories()["repositories"]
    assert [r["imageTagMutability"] for r in repositories] == (["MUTABLE"] if call == "put_image_tag_mutability"
                                                               else [])
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == []
    apply("two", "a*b*c")


def test_a_custom_role_is_named_by_its_own_arn(aws, ecr):
    """A cross-account upstream needs ``customRoleArn``, a role of the registry's account named by its ARN exactly:
    the role's path included (a wrong or missing path names no role, as everywhere in IAM)."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pullthroughcache.ecr.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    aws.client("iam").create_role(RoleName="ptc", Path="/ecr/", AssumeRolePolicyDocument=json.dumps(trust))
    upstream = f"{OTHER_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com"
    for arn in (f"arn:aws:iam::{ACCOUNT}:role/ptc", f"arn:aws:iam::{ACCOUNT}:role/other/ptc"):
        with pytest.raises(ClientError) as exc:
            ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="xacct", upstreamRegistryUrl=upstream,
                                               customRoleArn=arn)
        assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'customRoleArn' failed to satisfy "
                              f"constraint: 'The role {arn} does not exist in the registry's account'")
    arn = f"arn:aws:iam::{ACCOUNT}:role/ecr/ptc"
    out = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="xacct", upstreamRegistryUrl=upstream,
                                             customRoleArn=arn)
    assert out["customRoleArn"] == arn


def test_an_empty_custom_role_arn_removes_a_templates_role(aws, ecr):
    """``internal/service/ecr/repository_creation_template.go``, update: a ``custom_role_arn`` taken out of the
    configuration is sent as ``customRoleArn: ""``; the template then has no role (the check that a role exists
    is for a role that is named)."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    aws.client("iam").create_role(RoleName="creator", AssumeRolePolicyDocument=json.dumps(trust))
    arn = f"arn:aws:iam::{ACCOUNT}:role/creator"
    ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"], customRoleArn=arn)
    out = ecr.update_repository_creation_template(prefix="team", customRoleArn="")
    assert not out["repositoryCreationTemplate"].get("customRoleArn")
    (template,) = ecr.describe_repository_creation_templates(prefixes=["team"])["repositoryCreationTemplates"]
    assert not template.get("customRoleArn")
