"""The rest of STS through boto3 in both modes: GetFederationToken, DecodeAuthorizationMessage, AssumeRoot,
GetWebIdentityToken (with IAM's outbound federation switch), GetDelegatedAccessToken; none answers 501."""
from __future__ import annotations

import botocore.session
import jwt
import pytest
from botocore.exceptions import ClientError

from mockrunner.services import load_all
from mockrunner.services.registry import lookup
from tests.iam.federation import admin
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

LIST_SERVICES = doc(allow("apprunner:ListServices"))


def _refused(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return aws_error(excinfo)


def _user(aws, name: str = "alice", *statements) -> tuple:
    key = user_with_key(aws, name, inline={"p": doc(*statements)} if statements else None)
    return key, (key["AccessKeyId"], key["SecretAccessKey"])


# Minimal valid parameters for each STS operation (the shapes' required members).
_PARAMS = {
    "AssumeRole": {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/none", "RoleSessionName": "ss"},
    "AssumeRoleWithSAML": {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/none",
                           "PrincipalArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/none", "SAMLAssertion": "x" * 8},
    "AssumeRoleWithWebIdentity": {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/none", "RoleSessionName": "ss",
                                  "WebIdentityToken": "x" * 8},
    "AssumeRoot": {"TargetPrincipal": "111122223333",
                   "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}},
    "DecodeAuthorizationMessage": {"EncodedMessage": "abc"},
    "GetAccessKeyInfo": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"},
    "GetDelegatedAccessToken": {"TradeInToken": "x" * 8},
    "GetFederationToken": {"Name": "bob"},
    "GetWebIdentityToken": {"Audience": ["https://api.example.com"], "SigningAlgorithm": "RS256"},
}


def test_every_sts_operation_of_the_model_is_served(aws):
    load_all()
    model = botocore.session.get_session().get_service_model("sts")
    assert all(lookup("sts", name) is not None for name in model.operation_names)
    key, creds = _user(aws, "caller", allow("sts:*"))
    sts = aws.client("sts", *creds)
    for name in model.operation_names:
        method = getattr(sts, botocore.xform_name(name))
        try:
            method(**_PARAMS.get(name, {}))
        except ClientError as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] != 501, name
            assert error.response["Error"]["Code"] != "NotImplemented", name


def test_get_federation_token_intersects_the_users_policies_with_the_session_policy(aws):
    _, creds = _user(aws, "proxy", allow(["sts:GetFederationToken", "apprunner:ListServices", "ecr:Describe*"]))
    sts = aws.client("sts", *creds)
    answer = sts.get_federation_token(Name="bob", Policy=doc(allow(["apprunner:ListServices", "iam:ListUsers"])))
    assert answer["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:bob",
                                       "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/bob"}
    assert "PackedPolicySize" in answer
    lifetime = answer["Credentials"]["Expiration"].timestamp() - aws.store.clock.now().timestamp()
    assert 12 * 3600 - 10 <= lifetime <= 12 * 3600
    bob = answer["Credentials"]
    assert aws.client_for(bob, "sts").get_caller_identity()["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/bob"
    aws.client_for(bob, "apprunner").list_services()
    # The user may describe ECR repositories, the session policy does not: the intersection refuses it.
    code, message, _ = _refused(lambda: aws.client_for(bob, "ecr").describe_repositories())
    assert code == "AccessDeniedException" and "federated-user/bob" in message
    # Without a session policy the federated user has no permissions at all.
    bare = sts.get_federation_token(Name="carol")["Credentials"]
    assert sts.get_federation_token(Name="dave")["PackedPolicySize"] == 0
    assert _refused(lambda: aws.client_for(bare, "apprunner").list_services())[0] == "AccessDeniedException"
    # Its credentials call no STS operation but GetCallerIdentity, and no IAM operation.
    assert _refused(lambda: aws.client_for(bob, "sts").get_federation_token(Name="xy"))[0] == "AccessDenied"
    assert _refused(lambda: aws.client_for(bob, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/any", RoleSessionName="ss"))[0] == "AccessDenied"
    assert _refused(lambda: aws.client_for(bob, "iam").list_users())[2] == 403


def test_get_federation_token_rules(aws):
    _, creds = _user(aws, "proxy", allow("sts:GetFederationToken", f"arn:aws:sts::{ACCOUNT}:federated-user/ok-*"),
                     allow(["sts:AssumeRole", "apprunner:ListServices"]))
    sts = aws.client("sts", *creds)
    answer = sts.get_federation_token(Name="ok-36h", DurationSeconds=129600, Policy=LIST_SERVICES)
    assert answer["Credentials"]["Expiration"].timestamp() - aws.store.clock.now().timestamp() > 129000
    assert _refused(lambda: sts.get_federation_token(Name="ok-long", DurationSeconds=129601))[0] == "ValidationError"
    code, message, status = _refused(lambda: sts.get_federation_token(Name="other"))
    assert (code, status) == ("AccessDenied", 403) and "sts:GetFederationToken" in message
    # Root may call it, for an hour at most.
    root = aws.client("sts").get_federation_token(Name="ok-root", DurationSeconds=7200, Policy=LIST_SERVICES)
    assert root["Credentials"]["Expiration"].timestamp() - aws.store.clock.now().timestamp() <= 3600
    aws.client_for(root["Credentials"], "apprunner").list_services()
    # Role sessions may not.
    aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    aws.client("iam").put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=doc(allow("sts:*")))
    role = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss")["Credentials"]
    assert _refused(lambda: aws.client_for(role, "sts").get_federation_token(Name="ok-x")) == (
        "AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


def test_decode_authorization_message_is_checked_then_refuses_what_it_cannot_decode(aws):
    _, nobody = _user(aws, "nobody", allow("s3:ListBuckets"))
    code, message, _ = _refused(lambda: aws.client("sts", *nobody).decode_authorization_message(EncodedMessage="x"))
    assert code == "AccessDenied" and "sts:DecodeAuthorizationMessage" in message
    _, creds = _user(aws, "auditor", allow("sts:DecodeAuthorizationMessage"))
    assert _refused(lambda: aws.client("sts", *creds).decode_authorization_message(EncodedMessage="abc"))[:1] == (
        "InvalidAuthorizationMessageException",)


def test_assume_root_needs_centralized_root_access(aws):
    task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    _, creds = _user(aws, "admin", allow("sts:AssumeRoot"))
    sts = aws.client("sts", *creds)
    code, message, status = _refused(lambda: sts.assume_root(TargetPrincipal="111122223333", TaskPolicyArn=task))
    assert (code, status) == ("AccessDenied", 403) and "centralized root access" in message
    assert _refused(lambda: sts.assume_root(TargetPrincipal="111122223333", TaskPolicyArn={
        "arn": "arn:aws:iam::aws:policy/AdministratorAccess"}))[0] == "ValidationError"
    assert _refused(lambda: aws.client("sts").assume_root(TargetPrincipal="111122223333",
                                                          TaskPolicyArn=task))[0] == "AccessDenied"
    _, other = _user(aws, "other", allow("sts:GetCallerIdentity"))
    code, message, _ = _refused(lambda: aws.client("sts", *other).assume_root(TargetPrincipal="111122223333",
                                                                               TaskPolicyArn=task))
    assert code == "AccessDenied" and "sts:AssumeRoot" in message


def test_get_web_identity_token_after_enabling_outbound_federation(aws):
    iam = aws.client("iam")
    _, creds = _user(aws, "ci", allow(["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"]))
    sts = aws.client("sts", *creds)
    request = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "RS256"}
    assert _refused(lambda: sts.get_web_identity_token(**request))[::2] == (
        "OutboundWebIdentityFederationDisabledException", 403)
    assert _refused(lambda: iam.get_outbound_web_identity_federation_info())[::2] == ("FeatureDisabled", 404)
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert issuer.startswith("https://") and issuer.endswith(".tokens.sts.global.api.aws")
    assert _refused(lambda: iam.enable_outbound_web_identity_federation())[::2] == ("FeatureEnabled", 409)
    answer = sts.get_web_identity_token(**request, DurationSeconds=600, Tags=[{"Key": "team", "Value": "ci"}])
    token = answer["WebIdentityToken"]
    status, jwks = admin(aws, "GET", f"/oidc/jwks?issuer={issuer}")
    assert status == 200
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"]))
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://api.example.com", issuer=issuer,
                        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False})
    assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:user/ci" and claims["exp"] - claims["iat"] == 600
    assert claims["https://sts.amazonaws.com/"]["request_tags"] == {"team": "ci"}
    es = sts.get_web_identity_token(Audience=["a", "b"], SigningAlgorithm="ES384")["WebIdentityToken"]
    assert jwt.get_unverified_header(es)["alg"] == "ES384"
    assert jwt.decode(es, options={"verify_signature": False})["aud"] == ["a", "b"]
    # A token may not outlive the session asking for it.
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=doc(allow("sts:GetWebIdentityToken")))
    _, assumer = _user(aws, "assumer", allow("sts:AssumeRole"))
    role = aws.client("sts", *assumer).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss",
                                                   DurationSeconds=900)["Credentials"]
    aws.store.clock.advance(700)
    assert _refused(lambda: aws.client_for(role, "sts").get_web_identity_token(**request, DurationSeconds=600))[::2] \
        == ("SessionDurationEscalationException", 403)
    iam.disable_outbound_web_identity_federation()
    # Disabled, the feature is described as never enabled (tests/iam/test_stackd_recordings.py).
    assert _refused(lambda: iam.get_outbound_web_identity_federation_info())[::2] == ("FeatureDisabled", 404)
    assert iam.enable_outbound_web_identity_federation()["IssuerIdentifier"] == issuer  # the issuer is kept
    iam.disable_outbound_web_identity_federation()
    assert _refused(lambda: sts.get_web_identity_token(**request))[0] == \
        "OutboundWebIdentityFederationDisabledException"


def test_get_delegated_access_token_refuses_tokens_it_never_issued(aws):
    _, creds = _user(aws, "delegate", allow("sts:GetDelegatedAccessToken"))
    assert _refused(lambda: aws.client("sts", *creds).get_delegated_access_token(TradeInToken="x" * 16))[0] == \
        "ExpiredTradeInTokenException"
