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
a least-privilege suggestion for a script that creates     **fixed (medium).** Suggested without a condition, the
roles with a boundary and puts their policies, tags a      statements let their holder create a role without the
session with transitive keys, adds a role to an instance   boundary (or give one any inline policy), pass any tag on
profile                                                    to chained sessions, pass the role on to anything.  They
                                                           pin ``iam:PermissionsBoundary``,
                                                           ``sts:TransitiveTagKeys`` and ``iam:AssociatedResourceArn``
                                                           (which AddRoleToInstanceProfile's PassRole now carries,
                                                           as the IAM User Guide says) as recorded.
an unsigned STS call (AssumeRoleWithWebIdentity) through   **fixed (low).** Its ``aws:RequestedRegion`` was the
``mock_apprunner`` from a client of another Region, under  default Region, not the Region of the endpoint it was
a trust policy conditioned on ``aws:RequestedRegion``      sent to (an unsigned request has no credential scope):
                                                           now the Region an AWS host name names
                                                           (``sts.eu-west-1.amazonaws.com``), else the default.
a suggestion over IAM's size limit (one statement too      **fixed (low).** Returned without a word; its ``notes``
large alone) or with more policies than a user or role     now say so.
may have attached
=========================================================  ==========================================================
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.apprunner.helpers import private_source, pullable_image
from tests.iam import saml_federation as saml
from tests.iam.federation import GITHUB_HOST, assume, deploy_role, github_provider, mint
from tests.iam.helpers import allow, doc, user_with_key
from tests.robustness.test_thirty_ninth_pass_attacks import _page
from tests.suggest.helpers import ACCOUNT, admin, user_arn, user_keys

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
    role = pullable_image(aws)
    ecr = aws.client("ecr")
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


def _suggested(aws, name: str = "dev") -> dict:
    status, answer = aws.admin("GET", f"/policies/suggest?principal={user_arn(name)}")
    assert status == 200, answer
    assert answer["proof"]["allAllowed"], answer["proof"]
    return answer


def _by_action(answer: dict) -> dict[str, dict]:
    return {action: statement for policy in answer["policies"] for statement in policy["document"]["Statement"]
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}


def test_the_suggestion_pins_the_boundary_of_the_roles_it_creates_and_changes(aws) -> None:
    _soft(aws)
    boundary = aws.client("iam").create_policy(PolicyName="fence", PolicyDocument=doc(allow("ecr:*")))["Policy"]["Arn"]
    iam = aws.client("iam", **user_keys(aws, "dev"))
    iam.create_role(RoleName="worker", PermissionsBoundary=boundary, AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="worker", PolicyName="p", PolicyDocument=doc(allow("ecr:*")))
    iam.delete_role_policy(RoleName="worker", PolicyName="p")
    statements = _by_action(_suggested(aws))
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"):
        assert statements[action]["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}, action


def test_the_suggestion_pins_the_transitive_tag_keys_of_a_tagged_session(aws) -> None:
    _soft(aws)
    aws.client("iam").create_role(RoleName="target", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}))
    sts = aws.client("sts", **user_keys(aws, "dev"))
    sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/target", RoleSessionName="session",
                    Tags=[{"Key": "team", "Value": "web"}, {"Key": "stage", "Value": "dev"}],
                    TransitiveTagKeys=["team"])
    condition = _by_action(_suggested(aws))["sts:TagSession"]["Condition"]
    assert condition["ForAllValues:StringEquals"] == {"aws:TagKeys": ["stage", "team"],
                                                      "sts:TransitiveTagKeys": ["team"]}, condition
    assert condition["StringEquals"] == {"aws:RequestTag/stage": "dev", "aws:RequestTag/team": "web"}


def test_add_role_to_instance_profile_passes_the_role_to_the_accounts_instances(aws) -> None:
    iam = aws.client("iam")
    iam.create_role(RoleName="ec2-app", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.create_instance_profile(InstanceProfileName="app")
    instances = f"arn:aws:ec2:*:{ACCOUNT}:instance/*"
    key = user_with_key(aws, "ops", inline={"p": doc(
        allow("iam:AddRoleToInstanceProfile"),
        allow("iam:PassRole", Condition={"ArnLike": {"iam:AssociatedResourceArn": instances}}))})
    aws.client_for(key, "iam").add_role_to_instance_profile(InstanceProfileName="app", RoleName="ec2-app")
    assert iam.get_instance_profile(InstanceProfileName="app")["InstanceProfile"]["Roles"][0]["RoleName"] == "ec2-app"
    _soft(aws)
    iam.create_instance_profile(InstanceProfileName="other")
    aws.client("iam", **user_keys(aws, "dev")).add_role_to_instance_profile(InstanceProfileName="other",
                                                                            RoleName="ec2-app")
    # not pinned: an App Runner service's ARN, the key's value on UpdateService, changes when it is created again
    assert "Condition" not in _by_action(_suggested(aws))["iam:PassRole"]


def _decision_entries(aws) -> tuple[dict, list[dict]]:
    """The state export and the decision log export of a soft-mode server where ``dev`` described one repository."""
    _soft(aws)
    ecr = aws.client("ecr", **user_keys(aws, "dev"))
    ecr.create_repository(repositoryName="seed")
    status, state = aws.admin("GET", "/state")
    assert status == 200
    status, log = admin(aws, "get", "/decisions")
    assert status == 200
    return state, log["decisions"]


def _cli_suggest(tmp_path, state: dict, entries: list[dict]) -> dict:
    (tmp_path / "state.json").write_text(json.dumps(state))
    (tmp_path / "decisions.json").write_text(json.dumps({"decisions": entries}))
    done = subprocess.run([sys.executable, "-m", "mockrunner", "policy", "suggest", "--state",
                           str(tmp_path / "state.json"), "--decisions", str(tmp_path / "decisions.json"),
                           "--principal", user_arn("dev"), "--exact"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_suggestion_over_the_managed_policy_quota_says_so(aws, tmp_path) -> None:
    state, entries = _decision_entries(aws)
    [created] = [entry for entry in entries if entry["action"] == "ecr:CreateRepository"]
    region_repo = created["resource"].rsplit("/", 1)[0]
    many = [{**created, "id": created["id"] + number, "resource": f"{region_repo}/r{number:04d}-{'x' * 40}"}
            for number in range(1, 1301)]
    answer = _cli_suggest(tmp_path, state, many)
    assert len(answer["policies"]) > 10
    assert any(note.startswith(f"{len(answer['policies'])} policies: a user may have at most 10 managed policies")
               for note in answer["notes"]), answer["notes"]
    assert not any("over IAM's" in note for note in answer["notes"])


def test_a_suggestion_with_a_statement_over_the_size_limit_says_so(aws, tmp_path) -> None:
    state, entries = _decision_entries(aws)
    [created] = [entry for entry in entries if entry["action"] == "ecr:CreateRepository"]
    tags = {f"aws:RequestTag/k{number:02d}": "v" * 250 for number in range(40)}
    tagging = {**created, "id": created["id"] + 1, "action": "sts:TagSession",
               "resource": f"arn:aws:iam::{ACCOUNT}:role/target", "context": {**created["context"], **tags}}
    answer = _cli_suggest(tmp_path, state, [created, tagging])
    [large] = [policy for policy in answer["policies"] if policy["size"] > 6144]
    assert any(note.startswith(f"{large['name']} is {large['size']:,} characters, over IAM's 6,144")
               for note in answer["notes"]), answer["notes"]


def test_an_unsigned_sts_call_in_process_is_in_the_region_of_its_endpoint() -> None:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    from mockrunner import mock_apprunner

    with mock_apprunner() as mock:
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_open_id_connect_provider(Url=f"https://{GITHUB_HOST}", ClientIDList=["sts.amazonaws.com"])
        iam.create_role(RoleName="eu-only", AssumeRolePolicyDocument=doc({
            "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1",
                                           f"{GITHUB_HOST}:sub": "repo:acme/web:ref:refs/heads/main"}}}))
        token = mock.oidc_token(github={"repository": "acme/web", "ref": "refs/heads/main"})
        for region, allowed in (("eu-west-1", True), ("us-west-2", False)):
            sts = boto3.client("sts", region_name=region, config=Config(signature_version=UNSIGNED))
            call = lambda sts=sts: sts.assume_role_with_web_identity(  # noqa: E731
                RoleArn=f"arn:aws:iam::{ACCOUNT}:role/eu-only", RoleSessionName="ci", WebIdentityToken=token)
            if allowed:
                assert call()["AssumedRoleUser"]["Arn"].endswith("/eu-only/ci")
            else:
                with pytest.raises(ClientError) as refused:
                    call()
                assert refused.value.response["Error"]["Code"] == "AccessDenied"
        [granted, _refused] = [entry for entry in mock.decision_log
                               if entry["action"] == "sts:AssumeRoleWithWebIdentity"]
        assert granted["context"]["aws:RequestedRegion"] == "eu-west-1"
