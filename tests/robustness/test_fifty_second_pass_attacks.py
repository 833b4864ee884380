"""The fifty-second pass: what the fifty-first left open, each with a test that failed before its fix.

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
a registry policy (scope V2) denying a user, then the      **fixed (medium).** The proof read only repository
user's least-privilege suggestion, and the decision page   policies (``<repository ARN> repository policy``): a
of a request it denied                                     request ECR denies under the registry policy was counted
                                                           covered, and the page of a decision the registry policy
                                                           decided said "Decision now: allowed".  The proof and the
                                                           page now read the resource policies ECR applies, built
                                                           by the one function ECR's checks use.
App Runner's pull of a private image by its access role,   **fixed (medium).** The pull's checks read the repository
under a registry policy (scope V2) denying that role, and  policy alone, as its raw text: a pull ECR denies under the
under a repository policy whose statements share a Sid     registry policy went through (the service RUNNING), and
                                                           one ECR allows under a policy with a shared Sid (ECR
                                                           accepts them) was refused (CREATE_FAILED).  The pull now
                                                           meets the policies ECR's own checks meet.
a web identity or SAML role session's own requests, under  **fixed (medium).** They carried none of the keys the
a permissions policy naming ``<provider>:sub`` or          IAM User Guide writes into such policies ("Identifying
``saml:sub``/``saml:sub_type``/``saml:namequalifier``      users with web identity federation": ``server.example.com
                                                           :sub``; "Uniquely identifying users in SAML-based
                                                           federation": the three SAML keys): a per-user Allow never
                                                           matched.  The session keeps them; a session it assumes
                                                           does not carry them.
=========================================================  ==========================================================
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.apprunner.helpers import private_source, service_role
from tests.ecr.pushing import image_manifest, put_image
from tests.iam import saml_federation as saml
from tests.iam.federation import GITHUB_HOST, assume, deploy_role, github_provider, mint
from tests.iam.helpers import allow, doc
from tests.robustness.test_thirty_ninth_pass_attacks import _page
from tests.suggest.helpers import ACCOUNT, user_arn, user_keys

DENY_DESCRIBE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "NoDescribe", "Effect": "Deny", "Principal": {"AWS": user_arn("dev")},
    "Action": "ecr:DescribeRepositories", "Resource": "*"}]})
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "All", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "ecr:*"}]})


def _soft(aws) -> None:
    assert aws.admin("PUT", "/enforce", {"mode": "soft"})[0] == 200


def test_the_proof_reads_the_registry_policy_set_since(aws) -> None:
    _soft(aws)
    ecr = aws.client("ecr", **user_keys(aws, "dev"))
    ecr.create_repository(repositoryName="web")
    ecr.describe_repositories(repositoryNames=["web"])
    aws.client("ecr").put_registry_policy(policyText=DENY_DESCRIBE)
    status, answer = aws.admin("GET", f"/policies/suggest?principal={user_arn('dev')}")
    assert status == 200, answer
    [uncovered] = answer["proof"]["uncovered"]
    assert uncovered["action"] == "ecr:DescribeRepositories", uncovered
    assert "explicitly denied" in uncovered["why"] and "registry policy" in uncovered["why"], uncovered
    assert answer["proof"]["allAllowed"] is False


def test_the_proof_reads_both_policies_of_a_repository_under_the_registry_policy(aws) -> None:
    _soft(aws)
    ecr = aws.client("ecr", **user_keys(aws, "dev"))
    ecr.create_repository(repositoryName="web")
    root = aws.client("ecr")
    root.set_repository_policy(repositoryName="web", policyText=ALLOW_ALL)
    root.put_registry_policy(policyText=DENY_DESCRIBE)
    ecr.describe_repositories(repositoryNames=["web"])
    logged = [entry for entry in aws.store.decision_log if entry["action"] == "ecr:DescribeRepositories"]
    assert logged[-1]["decision"] == "explicitDeny"
    status, answer = aws.admin("GET", f"/policies/suggest?principal={user_arn('dev')}")
    assert status == 200, answer
    assert [u["action"] for u in answer["proof"]["uncovered"]] == ["ecr:DescribeRepositories"], answer["proof"]
    assert "repository policy and registry policy statement NoDescribe" in answer["proof"]["uncovered"][0]["why"]


def test_the_decision_page_evaluates_the_registry_policy_that_decided(aws) -> None:
    _soft(aws)
    ecr = aws.client("ecr", **user_keys(aws, "dev"))
    ecr.create_repository(repositoryName="web")
    aws.client("ecr").put_registry_policy(policyText=DENY_DESCRIBE)
    ecr.describe_repositories(repositoryNames=["web"])
    [entry] = [entry for entry in aws.store.decision_log if entry["action"] == "ecr:DescribeRepositories"]
    assert entry["decision"] == "explicitDeny" and entry["resourcePolicy"].endswith("registry policy"), entry
    status, text = _page(aws, f"/decisions/{entry['id']}")
    assert status == 200
    now = text.split("Decision now", 1)[1].split("(the same request", 1)[0].strip()
    assert now.startswith("explicitDeny"), now
    assert "NoDescribe" in text.split("Resource-based / trust policy", 1)[1]


def _pulling_service(aws, repository_policy: str | None = None, registry_policy: str | None = None) -> str:
    """The status a service reaches whose access role (allowed by AWS's managed ECR access policy) pulls an image
    that exists, under the policies given."""
    role = service_role(aws, "access")
    aws.client("iam").attach_role_policy(
        RoleName="access", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess")
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=image_manifest("a", 10), imageTag="v1")
    if repository_policy is not None:
        ecr.set_repository_policy(repositoryName="app", policyText=repository_policy)
    if registry_policy is not None:
        ecr.put_registry_policy(policyText=registry_policy)
    apprunner = aws.client("apprunner")
    arn = apprunner.create_service(ServiceName="pulling", SourceConfiguration={
        **private_source(role, "app:v1"), "AutoDeploymentsEnabled": False})["Service"]["ServiceArn"]
    return apprunner.describe_service(ServiceArn=arn)["Service"]["Status"]


def test_app_runner_pulls_under_the_registry_policy(aws) -> None:
    deny_pull = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "NoPull", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/access"},
        "Action": "ecr:BatchGetImage", "Resource": "*"}]})
    assert _pulling_service(aws, registry_policy=deny_pull) == "CREATE_FAILED"
    [refused] = [entry for entry in aws.store.decision_log if entry["action"] == "ecr:BatchGetImage"]
    assert refused["decision"] == "explicitDeny" and refused["resourcePolicy"].endswith("/app registry policy")


def test_app_runner_pulls_under_a_repository_policy_whose_statements_share_a_sid(aws) -> None:
    shared = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Same", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "ecr:BatchGetImage"},
        {"Sid": "Same", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "ecr:GetDownloadUrlForLayer"}]})
    assert _pulling_service(aws, repository_policy=shared) == "RUNNING"


def _denied(call) -> None:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"


def _chained(aws, credentials: dict, name: str, policy: str) -> dict:
    """A session of role ``name`` (trusting the account, allowed by ``policy``) assumed with ``credentials``."""
    iam = aws.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy)
    return aws.client_for(credentials, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}", RoleSessionName="hop")["Credentials"]


def test_a_web_identity_sessions_requests_carry_the_providers_sub(aws) -> None:
    subject = "repo:acme/web:ref:refs/heads/main"
    per_user = doc(allow("ecr:DescribeRepositories", Condition={"StringEquals": {f"{GITHUB_HOST}:sub": subject}}),
                   allow("sts:AssumeRole"))
    github_provider(aws)
    deploy_role(aws, "web", subject, policies={"per-user": per_user})
    credentials = assume(aws, f"arn:aws:iam::{ACCOUNT}:role/web",
                         mint(aws, github={"repository": "acme/web", "ref": "refs/heads/main"}))["Credentials"]
    assert aws.client_for(credentials, "ecr").describe_repositories()["repositories"] == []
    aws.client("iam").put_role_policy(RoleName="web", PolicyName="per-user", PolicyDocument=doc(
        allow("ecr:DescribeRepositories", Condition={"StringEquals": {f"{GITHUB_HOST}:sub": "repo:acme/other"}}),
        allow("sts:AssumeRole")))
    _denied(aws.client_for(credentials, "ecr").describe_repositories)
    chained = _chained(aws, credentials, "next", per_user)
    _denied(aws.client_for(chained, "ecr").describe_repositories)


def test_a_saml_sessions_requests_carry_its_subject_and_name_qualifier(aws) -> None:
    saml.saml_provider(aws)
    role = saml.saml_role(aws)
    answer = saml.assume(aws, role, saml.saml_response(aws, role))
    keys = {"saml:sub": answer["Subject"], "saml:sub_type": answer["SubjectType"],
            "saml:namequalifier": answer["NameQualifier"]}
    assert answer["Subject"] == "alice@example.com"
    per_user = doc(allow("ecr:DescribeRepositories", Condition={"StringEquals": keys}), allow("sts:AssumeRole"))
    iam = aws.client("iam")
    iam.put_role_policy(RoleName="federated", PolicyName="per-user", PolicyDocument=per_user)
    credentials = answer["Credentials"]
    assert aws.client_for(credentials, "ecr").describe_repositories()["repositories"] == []
    for key in keys:
        iam.put_role_policy(RoleName="federated", PolicyName="per-user", PolicyDocument=doc(
            allow("ecr:DescribeRepositories", Condition={"StringEquals": {**keys, key: "someone-else"}}),
            allow("sts:AssumeRole")))
        _denied(aws.client_for(credentials, "ecr").describe_repositories)
    chained = _chained(aws, credentials, "next", per_user)
    _denied(aws.client_for(chained, "ecr").describe_repositories)
