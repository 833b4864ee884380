"""``aws:ResourceAccount`` on every request mockrunner authorizes, through boto3 in both modes (the registry's
``/v2/`` pull over HTTP only); see (docs/behaviour.md, "aws:ResourceAccount on every request").

The data-perimeter Deny of the IAM User Guide (``StringNotEquals aws:ResourceAccount ${aws:PrincipalAccount}`` on
``*``) lets a principal's calls on its own account's IAM, STS, ECR and App Runner resources through, and those on
``*`` (GetAccountSummary, GetAuthorizationToken, ListServices), and App Runner's pull with an access role under it; it
denies a pull from another account's repository whose policy allows it (ECR API and registry), an AssumeRole of
another account's role that trusts the caller, and a read of an AWS managed policy (whose account is 639982225848).
``StringEquals aws:ResourceAccount <account>`` allows what the account owns and nothing else. The simulator fills the
key as enforcement does, unless ``ContextEntries`` give it. Before, the key was absent except on AWS managed policies:
the Deny denied everything and the Allow allowed nothing.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.apprunner.helpers import PUBLIC_SOURCE, private_source, service_role
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key
from tests.registry.images import Registry, login_password

MANAGED_ACCOUNT = "639982225848"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
PERIMETER = {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}}
OTHER = {"access_key": "other-key", "secret": "other-secret"}
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]


def _denied(call, *args, **kwargs) -> str:
    """The error code ``call`` answers (it must fail)."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


def _other_user(aws, name: str, *statements: dict) -> dict:
    """A user of :data:`OTHER_ACCOUNT` with ``statements`` as its one inline policy: its access key."""
    iam = aws.client("iam", **OTHER)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    return iam.create_access_key(UserName=name)["AccessKey"]


def test_the_perimeter_lets_same_account_calls_through(aws):
    key = user_with_key(aws, "inside", inline={"p": doc(allow("*"), PERIMETER)})
    iam, sts = aws.client_for(key, "iam"), aws.client_for(key, "sts")
    ecr, apprunner = aws.client_for(key, "ecr"), aws.client_for(key, "apprunner")
    # IAM: on the caller's own user, on a new role, on ``*``.
    assert iam.get_user(UserName="inside")["User"]["UserName"] == "inside"
    role = iam.create_role(RoleName="own", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/inside"))
    assert any(listed["RoleName"] == "own" for listed in iam.list_roles()["Roles"])
    assert iam.get_account_summary()["SummaryMap"]["Users"] == 1
    # STS: the account's own role.
    session = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="ss")["AssumedRoleUser"]
    assert session["Arn"].endswith(":assumed-role/own/ss")
    # ECR: ``*`` (the login token) and the account's own repository.
    assert ecr.get_authorization_token()["authorizationData"]
    ecr.create_repository(repositoryName="mine")
    assert ecr.describe_repositories(repositoryNames=["mine"])["repositories"][0]["registryId"] == ACCOUNT
    # App Runner: ``*`` and the account's own service.
    arn = apprunner.create_service(ServiceName="web-app", SourceConfiguration=PUBLIC_SOURCE)["Service"]["ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["ServiceName"] == "web-app"
    assert [summary["ServiceArn"] for summary in apprunner.list_services()["ServiceSummaryList"]] == [arn]
    # An AWS managed policy is owned by 639982225848, not the caller's account: the perimeter denies reading it.
    assert _denied(iam.get_policy, PolicyArn=ADMIN) == "AccessDenied"
    logged = [entry for entry in aws.store.decision_log if entry["principal"].endswith(":user/inside")]
    assert {entry["context"].get("aws:ResourceAccount") for entry in logged} == {ACCOUNT, MANAGED_ACCOUNT}


def test_an_access_role_under_the_perimeter_pulls_its_own_accounts_image(aws):
    """App Runner's pull as a session of the access role: ecr:GetAuthorizationToken on ``*`` and the pull actions on
    the repository are judged with the repository's account (before: the Deny applied and the service failed)."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    put_image(ecr, "app", image_manifest("access-role"), imageTag="v1")
    role = service_role(aws, "access")
    aws.client("iam").put_role_policy(RoleName="access", PolicyName="pull", PolicyDocument=doc(
        allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
               "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"]), PERIMETER))
    apprunner = aws.client("apprunner")
    arn = apprunner.create_service(ServiceName="private-app", SourceConfiguration=private_source(
        role, "app:v1"))["Service"]["ServiceArn"]
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"


def _shared_repository(aws) -> str:
    """A repository of the default account with one image, whose policy lets :data:`OTHER_ACCOUNT` pull."""
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="shared")
    put_image(ecr, "shared", image_manifest("perimeter"), imageTag="v1")
    ecr.set_repository_policy(repositoryName="shared", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": PULL,
                                               "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}}]}))
    return ecr.describe_repositories(repositoryNames=["shared"])["repositories"][0]["repositoryArn"]


def test_the_perimeter_denies_a_cross_account_pull(two_account_harness):
    aws = two_account_harness
    _shared_repository(aws)
    fenced = aws.client_for(_other_user(aws, "fenced", allow("ecr:*"), PERIMETER), "ecr")
    open_ = aws.client_for(_other_user(aws, "open", allow("ecr:*")), "ecr")
    # The perimeter's own account still works (before: denied, the key was absent).
    fenced.create_repository(repositoryName="own")
    assert fenced.describe_repositories()["repositories"][0]["registryId"] == OTHER_ACCOUNT
    image = {"repositoryName": "shared", "registryId": ACCOUNT, "imageIds": [{"imageTag": "v1"}]}
    assert open_.batch_get_image(**image)["images"][0]["imageId"]["imageTag"] == "v1"
    assert _denied(fenced.batch_get_image, **image) == "AccessDeniedException"
    assert _denied(fenced.describe_images, repositoryName="shared", registryId=ACCOUNT) == "AccessDeniedException"
    if aws.mode != "server":
        return
    # The registry's implied ecr:BatchGetImage is judged on the repository's account too.
    host = {"Host": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"}
    for client, status in ((open_, 200), (fenced, 403)):
        registry = Registry(aws.endpoint_url, login_password(client))
        answer = registry.call("GET", "/v2/shared/manifests/v1", headers={
            **host, "Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        assert answer.status_code == status, answer.text
    own = Registry(aws.endpoint_url, login_password(fenced)).call(
        "GET", "/v2/own/tags/list", headers={"Host": f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"})
    assert own.status_code == 200, own.text


def test_the_perimeter_denies_a_cross_account_assume_role(two_account_harness):
    aws = two_account_harness
    foreign = aws.client("iam").create_role(
        RoleName="foreign", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{OTHER_ACCOUNT}:root"))["Role"]["Arn"]
    fenced_key = _other_user(aws, "fenced", allow("sts:AssumeRole"), PERIMETER)
    open_key = _other_user(aws, "open", allow("sts:AssumeRole"))
    home = aws.client("iam", **OTHER).create_role(
        RoleName="home", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{OTHER_ACCOUNT}:user/fenced"))["Role"]["Arn"]
    fenced, open_ = aws.client_for(fenced_key, "sts"), aws.client_for(open_key, "sts")
    assert open_.assume_role(RoleArn=foreign, RoleSessionName="ss")["AssumedRoleUser"]["Arn"].startswith(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/foreign/")
    assert _denied(fenced.assume_role, RoleArn=foreign, RoleSessionName="ss") == "AccessDenied"
    assert fenced.assume_role(RoleArn=home, RoleSessionName="ss")["AssumedRoleUser"]["Arn"].startswith(
        f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/home/")


def test_string_equals_resource_account_allows_what_the_account_owns(aws):
    owned = {"StringEquals": {"aws:ResourceAccount": ACCOUNT}}
    managed = {"StringEquals": {"aws:ResourceAccount": MANAGED_ACCOUNT}}
    key = user_with_key(aws, "owner", inline={"p": doc(
        allow(["iam:GetUser", "iam:ListRoles", "ecr:DescribeRepositories", "ecr:GetAuthorizationToken",
               "apprunner:ListServices"], Condition=owned),
        allow("iam:GetPolicy", Condition=managed),
        allow("iam:GetRole", Condition={"StringEquals": {"aws:ResourceAccount": OTHER_ACCOUNT}}))})
    aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam, ecr = aws.client_for(key, "iam"), aws.client_for(key, "ecr")
    assert iam.get_user(UserName="owner")["User"]["UserName"] == "owner"
    assert iam.list_roles()["Roles"]
    assert ecr.describe_repositories()["repositories"] == []
    assert ecr.get_authorization_token()["authorizationData"]
    assert aws.client_for(key, "apprunner").list_services()["ServiceSummaryList"] == []
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["PolicyName"] == "AdministratorAccess"
    assert _denied(iam.get_role, RoleName="r") == "AccessDenied"
    assert _denied(iam.get_policy, PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/none") == "AccessDenied"


def _simulated(iam, source: str, action: str, resource: str, **extra) -> dict:
    return iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=[action], ResourceArns=[resource],
                                         **extra)["EvaluationResults"][0]


def test_the_simulator_fills_the_key_as_enforcement_does(two_account_harness):
    aws = two_account_harness
    repository = _shared_repository(aws)
    fenced = _other_user(aws, "fenced", allow("ecr:*"), allow("iam:GetUser"), PERIMETER)
    source = f"arn:aws:iam::{OTHER_ACCOUNT}:user/fenced"
    iam = aws.client("iam", **OTHER)
    pulled = {"repositoryName": "shared", "registryId": ACCOUNT, "imageIds": [{"imageTag": "v1"}]}
    enforced = {}
    for name, call in (("own", lambda c: c.get_user(UserName="fenced")),
                       ("cross", lambda c: c.batch_get_image(**pulled))):
        before = len(aws.store.decision_log)
        try:
            call(aws.client_for(fenced, "iam" if name == "own" else "ecr"))
        except ClientError:
            pass
        (enforced[name],) = list(aws.store.decision_log)[before:]
    assert (enforced["own"]["decision"], enforced["cross"]["decision"]) == ("allowed", "explicitDeny")
    own = _simulated(iam, source, "iam:GetUser", source)
    cross = _simulated(iam, source, "ecr:BatchGetImage", repository,
                       ResourcePolicy=aws.client("ecr").get_repository_policy(repositoryName="shared")["policyText"],
                       CallerArn=source)
    assert (own["EvalDecision"], cross["EvalDecision"]) == ("allowed", "explicitDeny")
    assert own.get("MissingContextValues", []) == [] and "MissingContextValues" not in own["ResourceSpecificResults"][0]
    # A value given in ContextEntries wins over the one the simulator would fill in.
    given = [{"ContextKeyName": "aws:resourceaccount", "ContextKeyValues": [ACCOUNT], "ContextKeyType": "string"}]
    assert _simulated(iam, source, "iam:GetUser", source, ContextEntries=given)["EvalDecision"] == "explicitDeny"
    # An AWS managed policy's account, as a real GetPolicy carries it; ``*`` is the simulated principal's account.
    custom = aws.client("iam").simulate_custom_policy(
        PolicyInputList=[doc(allow("iam:GetPolicy", Condition={"StringEquals": {
            "aws:ResourceAccount": MANAGED_ACCOUNT}}), allow("iam:ListRoles", Condition={"StringEquals": {
                "aws:ResourceAccount": ACCOUNT}}))],
        ActionNames=["iam:GetPolicy", "iam:ListRoles"], ResourceArns=[ADMIN, "*"])["EvaluationResults"]
    # One result per action, each resource in its ResourceSpecificResults (recorded from AWS: radkawar/stackd,
    # testdata/aws/iam/simulation.json, "custom_two_resources_mixed").
    assert [(result["EvalActionName"], [(entry["EvalResourceName"], entry["EvalResourceDecision"])
                                        for entry in result["ResourceSpecificResults"]]) for result in custom] == [
        ("iam:GetPolicy", [(ADMIN, "allowed"), ("*", "implicitDeny")]),
        ("iam:ListRoles", [(ADMIN, "implicitDeny"), ("*", "allowed")])]
