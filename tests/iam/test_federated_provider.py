"""``aws:FederatedProvider`` and the claims of GetWebIdentityToken, in both modes.

Rule (recorded from AWS, 2026-10, see docs/behaviour.md "aws:FederatedProvider and GetWebIdentityToken's claims"):
a role session from AssumeRoleWithWebIdentity carries ``aws:FederatedProvider`` = the OIDC provider's issuer without
``https://`` (not the provider's ARN) in its later requests; a session it assumes does not; its outbound tokens carry
the same value as ``federated_provider``.  Outbound tokens name a role session by its role's ARN (``sub`` and
``principal_id``), hold no ``nbf``, and hold ``original_session_exp``, ``source_identity``, ``principal_tags`` and
``request_tags`` only when there is something to say.
"""
from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.iam.federation import GITHUB_HOST, GITHUB_PROVIDER, assume, deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

AWS_CLAIMS = "https://sts.amazonaws.com/"
MAIN = {"repository": "acme/web", "ref": "refs/heads/main"}
TOKEN_REQUEST = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "RS256"}


def _claims(sts, **extra) -> dict:
    return jwt.decode(sts.get_web_identity_token(**TOKEN_REQUEST, **extra)["WebIdentityToken"],
                      options={"verify_signature": False})


def _provider_condition(operator: str, value) -> dict:
    return allow("ecr:DescribeRepositories", Condition={operator: {"aws:FederatedProvider": value}})


@pytest.fixture
def web_identity_session(aws) -> dict:
    """Credentials of a session of role ``web`` assumed with a GitHub token, allowed ECR reads only when
    ``aws:FederatedProvider`` is the provider's issuer host, and to assume role ``next``."""
    aws.client("iam").enable_outbound_web_identity_federation()
    github_provider(aws)
    deploy_role(aws, "web", "repo:acme/web:ref:refs/heads/main", policies={
        "by-issuer": doc(_provider_condition("StringEquals", GITHUB_HOST)),
        "tokens": doc(allow(["sts:GetWebIdentityToken", "sts:AssumeRole"]))})
    return assume(aws, f"arn:aws:iam::{ACCOUNT}:role/web", mint(aws, github=MAIN))["Credentials"]


def test_a_web_identity_session_carries_the_providers_issuer(aws, web_identity_session):
    ecr = aws.client_for(web_identity_session, "ecr")
    assert ecr.describe_repositories()["repositories"] == []
    iam = aws.client("iam")
    for operator, value in (("StringEquals", GITHUB_PROVIDER), ("StringEquals", f"https://{GITHUB_HOST}"),
                            ("Null", "true")):
        iam.put_role_policy(RoleName="web", PolicyName="by-issuer", PolicyDocument=doc(
            _provider_condition(operator, value)))
        with pytest.raises(ClientError) as excinfo:
            ecr.describe_repositories()
        assert aws_error(excinfo)[0] == "AccessDeniedException", (operator, value)
    claims = _claims(aws.client_for(web_identity_session, "sts"))
    assert claims[AWS_CLAIMS]["federated_provider"] == GITHUB_HOST
    assert claims["sub"] == claims[AWS_CLAIMS]["principal_id"] == f"arn:aws:iam::{ACCOUNT}:role/web"


def test_a_session_the_web_identity_session_assumes_does_not_carry_it(aws, web_identity_session):
    """The next role trusts only sessions federated through GitHub (the key is in the AssumeRole request); the
    chained session's own requests and tokens no longer name the provider."""
    iam = aws.client("iam")
    iam.create_role(RoleName="next", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:FederatedProvider": GITHUB_HOST}}}))
    iam.put_role_policy(RoleName="next", PolicyName="p", PolicyDocument=doc(_provider_condition("Null", "false")))
    iam.put_role_policy(RoleName="next", PolicyName="tokens", PolicyDocument=doc(allow("sts:GetWebIdentityToken")))
    chained = aws.client_for(web_identity_session, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/next", RoleSessionName="hop")["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(chained, "ecr").describe_repositories()
    assert aws_error(excinfo)[0] == "AccessDeniedException"
    assert "federated_provider" not in _claims(aws.client_for(chained, "sts"))[AWS_CLAIMS]
    user = user_with_key(aws, "plain")
    iam.put_user_policy(UserName="plain", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    with pytest.raises(ClientError) as excinfo:  # a user's request carries no aws:FederatedProvider
        aws.client("sts", user["AccessKeyId"], user["SecretAccessKey"]).assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/next", RoleSessionName="hop")
    assert aws_error(excinfo)[0] == "AccessDenied"


def test_outbound_token_claims_of_a_user_and_of_a_role_session(aws):
    iam = aws.client("iam")
    iam.enable_outbound_web_identity_federation()
    user = user_with_key(aws, "ci", tags={"team": "build"})
    iam.put_user_policy(UserName="ci", PolicyName="p", PolicyDocument=doc(allow(
        ["sts:GetWebIdentityToken", "sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"])))
    sts = aws.client("sts", user["AccessKeyId"], user["SecretAccessKey"])
    claims = _claims(sts)
    assert "nbf" not in claims and set(claims) == {"iss", "sub", "aud", "iat", "exp", "jti", AWS_CLAIMS}
    assert claims[AWS_CLAIMS] == {"aws_account": ACCOUNT, "source_region": "us-east-1",
                                  "principal_id": f"arn:aws:iam::{ACCOUNT}:user/ci",
                                  "principal_tags": {"team": "build"}}
    iam.create_role(RoleName="DataProcessingRole", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                    Tags=[{"Key": "environment", "Value": "production"}])
    iam.put_role_policy(RoleName="DataProcessingRole", PolicyName="p",  # request tags need TagGetWebIdentityToken
                        PolicyDocument=doc(allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"])))
    iam.update_assume_role_policy(RoleName="DataProcessingRole", PolicyDocument=doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}))
    session = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/DataProcessingRole", RoleSessionName="job-7",
                              SourceIdentity="alice", Tags=[{"Key": "team", "Value": "data"}])["Credentials"]
    claims = _claims(aws.client_for(session, "sts"), Tags=[{"Key": "job-id", "Value": "job-2024-001"}])
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/DataProcessingRole"
    assert claims["sub"] == role_arn
    assert claims[AWS_CLAIMS] == {
        "aws_account": ACCOUNT, "source_region": "us-east-1", "principal_id": role_arn,
        "original_session_exp": session["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"), "source_identity": "alice",
        "principal_tags": {"environment": "production", "team": "data"}, "request_tags": {"job-id": "job-2024-001"}}
