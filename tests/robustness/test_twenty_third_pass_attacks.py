"""An attacker's twenty-third pass: ECR *authorization* — repository and registry policies deciding cross-account
calls, tag-based access control on repositories, and the ``/v2/`` registry endpoint agreeing with the API.  Real
clients throughout: boto3 in both modes (``aws``, ``two_account_harness``), ``requests`` against a real server for
the registry endpoint.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a repository tagged ``env=prod`` under a Deny on           **fixed (high).** ECR keeps tag keys case-sensitively, so
``aws:ResourceTag/env`` = ``prod`` (and TagResource /       ``ENV`` is a second tag that ``aws:TagKeys`` ``["env"]``
UntagResource denied for ``aws:TagKeys`` ``["env"]``):     does not stop; the engine lower-cases condition keys and
the caller adds ``ENV=dev``                                 the last spelling won, so ``aws:ResourceTag/env`` read
                                                           ``dev`` and the Deny was escaped (API and ``/v2/``).  The
                                                           same made an Allow on ``team=x`` hold for a repository
                                                           tagged ``team=y`` plus ``TEAM=x`` (registry policy, other
                                                           account).  IAM documents that the key "matches a resource
                                                           tag key named either TagKey1 or tagkey1, but not both";
                                                           a key carried in two spellings with different values is
                                                           now unknown to the engine: it never allows, still denies.
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Another account's caller with an identity Allow of ``ecr:*`` and no repository or registry policy: denied (API and
  ``/v2/`` with a token for that registry: 403).  A repository policy's Allow on ``ecr:ResourceTag/<key>`` holds only
  when the repository carries the tag; ``aws:PrincipalOrgID`` (no organization: absent) never matches a
  ``StringEquals`` and satisfies ``StringNotEquals``; ``aws:PrincipalAccount`` matches the caller's account;
  ``aws:SourceIp`` ``10.0.0.0/8`` denies a loopback caller.  An Allow naming another user of the account denies the
  caller; a Deny in the repository policy beats the owner's identity Allow (root included).
* A registry policy (scope V2) with an ``aws:ResourceTag`` condition grants another account only the tagged
  repositories, through the API and ``/v2/`` alike; under scope V1 it grants nothing to API calls, cross-account
  CreateRepository included; under V2 its ``ecr:CreateRepository`` lets the other account create one in the
  registry.  GetAuthorizationToken with another account's ``registryIds`` answers that registry's endpoint; the
  token grants nothing by itself (each ``/v2/`` call is checked as the API's operation).
* UntagResource and TagResource are checked against the repository's current tags (a Deny on ``ResourceTag/env``
  = ``prod`` refuses the untagging that would escape it); CreateRepository with tags is also ``ecr:TagResource``
  with ``aws:RequestTag``/``aws:TagKeys``.  Create on push is refused for another account's registry (no factory
  runs), so a template's tags and repository policy are applied only to the owner's own pushes.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.apprunner.helpers import running
from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, doc, ecr_user_of_the_other_account, user_with_key
from tests.registry.images import Registry, login_password


def _denied(call) -> bool:
    try:
        call()
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDeniedException"
        return True
    return False


def test_a_tag_key_in_another_case_does_not_escape_a_resource_tag_deny(aws):
    ecr = aws.client("ecr")
    arn = ecr.create_repository(repositoryName="app", tags=[{"Key": "env", "Value": "prod"}])["repository"][
        "repositoryArn"]
    key = user_with_key(aws, "alice", inline={"p": doc(
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecr:DescribeImages", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}},
        {"Effect": "Deny", "Action": ["ecr:TagResource", "ecr:UntagResource"], "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}})})
    alice = aws.client_for(key, "ecr")
    assert _denied(lambda: alice.describe_images(repositoryName="app"))
    assert _denied(lambda: alice.untag_resource(resourceArn=arn, tagKeys=["env"]))
    alice.tag_resource(resourceArn=arn, tags=[{"Key": "ENV", "Value": "dev"}])  # a second tag: ECR keys are cased
    assert sorted((tag["Key"], tag["Value"]) for tag in ecr.list_tags_for_resource(resourceArn=arn)["tags"]) == [
        ("ENV", "dev"), ("env", "prod")]
    assert _denied(lambda: alice.describe_images(repositoryName="app"))


def test_an_allow_on_a_tag_does_not_hold_for_a_repository_carrying_it_in_two_cases(two_account_harness):
    aws = two_account_harness
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="shared", tags=[{"Key": "team", "Value": "x"}])
    ecr.create_repository(repositoryName="mixed", tags=[{"Key": "team", "Value": "y"}, {"Key": "TEAM", "Value": "x"}])
    ecr.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": ["ecr:ListImages", "ecr:DescribeImages"], "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "x"}}}]}))
    dave = aws.client_for(ecr_user_of_the_other_account(aws, "dave"), "ecr")
    assert dave.list_images(repositoryName="shared", registryId=ACCOUNT)["imageIds"] == []
    assert _denied(lambda: dave.list_images(repositoryName="mixed", registryId=ACCOUNT))
    if aws.mode == "server":  # the registry endpoint decides as the API does
        registry = Registry(aws.endpoint_url, login_password(dave, registryIds=[ACCOUNT]))
        assert registry.call("GET", "/v2/shared/tags/list").status_code == 200
        assert registry.call("GET", "/v2/mixed/tags/list").status_code == 403


@pytest.mark.parametrize("condition, allowed", [
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}, False),
    ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}, True),
    ({"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}}, True),
    ({"StringEquals": {"ecr:ResourceTag/team": "y"}}, False),
    ({"StringEquals": {"ecr:ResourceTag/team": "x"}}, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
])
def test_repository_policy_conditions_decide_another_accounts_call(two_account_harness, condition, allowed):
    aws = two_account_harness
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="shared", tags=[{"Key": "team", "Value": "x"}])
    dave = aws.client_for(ecr_user_of_the_other_account(aws, "dave"), "ecr")
    assert _denied(lambda: dave.describe_images(repositoryName="shared", registryId=ACCOUNT))  # no policy yet
    ecr.set_repository_policy(repositoryName="shared", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ecr:DescribeImages", "Condition": condition}]}))
    assert _denied(lambda: dave.describe_images(repositoryName="shared", registryId=ACCOUNT)) is not allowed


def test_a_repository_policy_deny_beats_the_owners_identity_allow(aws):
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="locked")
    ecr.set_repository_policy(repositoryName="locked", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:DescribeImages"}]}))
    alice = aws.client_for(user_with_key(aws, "alice", inline={"p": doc(
        {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})}), "ecr")
    assert _denied(lambda: alice.describe_images(repositoryName="locked"))
    assert _denied(lambda: ecr.describe_images(repositoryName="locked"))


def test_an_app_runner_tag_key_in_another_case_does_not_escape_a_resource_tag_deny(aws):
    """App Runner keeps tag keys case-sensitively as ECR does: a caller who may not touch ``env`` adds ``ENV=dev``
    to a service tagged ``env=prod``; ``aws:ResourceTag/env`` is then carried in two spellings with different
    values, which the engine never reads as either, so the Deny on ``prod`` still holds for every call on it."""
    apprunner = aws.client("apprunner")
    service = running(apprunner, "guarded", Tags=[{"Key": "env", "Value": "prod"}])
    key = user_with_key(aws, "alice", inline={"p": doc(
        {"Effect": "Allow", "Action": "apprunner:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["apprunner:DescribeService", "apprunner:PauseService"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}},
        {"Effect": "Deny", "Action": ["apprunner:TagResource", "apprunner:UntagResource"], "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}})})
    alice = aws.client_for(key, "apprunner")
    assert _denied(lambda: alice.describe_service(ServiceArn=service))
    assert _denied(lambda: alice.untag_resource(ResourceArn=service, TagKeys=["env"]))
    alice.tag_resource(ResourceArn=service, Tags=[{"Key": "ENV", "Value": "dev"}])  # a second tag, not a rename
    tags = apprunner.list_tags_for_resource(ResourceArn=service)["Tags"]
    assert sorted((tag["Key"], tag["Value"]) for tag in tags) == [("ENV", "dev"), ("env", "prod")]
    assert _denied(lambda: alice.describe_service(ServiceArn=service))
    assert _denied(lambda: alice.pause_service(ServiceArn=service))
    assert apprunner.describe_service(ServiceArn=service)["Service"]["Status"] == "RUNNING"
    decisions = [entry["decision"] for entry in aws.store.decision_log
                 if entry["action"] == "apprunner:DescribeService" and entry["principal"].endswith(":user/alice")]
    assert decisions == ["explicitDeny", "explicitDeny"]


def test_an_app_runner_allow_on_a_tag_does_not_hold_for_a_service_carrying_it_in_two_cases(aws):
    """An Allow on ``aws:ResourceTag/env`` = ``dev`` holds for a service tagged ``env=dev`` only, never for one
    tagged ``env=prod`` and ``ENV=dev`` (the key's value there is unknown: it never allows)."""
    apprunner = aws.client("apprunner")
    plain = running(apprunner, "plain", Tags=[{"Key": "env", "Value": "dev"}])
    mixed = running(apprunner, "mixed", Tags=[{"Key": "env", "Value": "prod"}, {"Key": "ENV", "Value": "dev"}])
    key = user_with_key(aws, "bob", inline={"p": doc(
        {"Effect": "Allow", "Action": "apprunner:DescribeService", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}}})})
    bob = aws.client_for(key, "apprunner")
    assert bob.describe_service(ServiceArn=plain)["Service"]["ServiceName"] == "plain"
    assert _denied(lambda: bob.describe_service(ServiceArn=mixed))
