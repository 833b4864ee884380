"""A deterministic slice of the PMapper differential (docs/behaviour.md, "Sweep: PMapper"), without PMapper.

PMapper 1.1.5 (NCC Group's Principal Mapper) decides locally who can do what from GetAccountAuthorizationDetails.
Run against a seeded server, its answers were compared with SimulatePrincipalPolicy and with real calls made with
each principal's own credentials.  Where they disagreed, mockrunner followed AWS's documented evaluation logic and
PMapper took a shortcut; these tests pin mockrunner's side of each such question, through both the simulator and
real enforcement, so the two cannot drift apart.  No test failed before: the sweep found no defect here.

- A role's permissions boundary limits the role (PMapper reads boundaries of users only).
- A trust policy whose principal is ``{"AWS": "*"}`` grants a same-account caller without any identity policy, as
  ``"Principal": "*"`` does (PMapper treats the two forms differently), and its conditions still apply.
- ``iam:ResourceTag/<key>`` of the role is in ``sts:AssumeRole``'s context (PMapper supplies no resource keys).
- Resource ARNs match case-sensitively (PMapper matches them ignoring case).
- A session policy limits a trust grant that names the role's ARN rather than the session's (PMapper lets any
  same-account grant that names the principal skip the session policy).
- ``sts:GetCallerIdentity`` needs no permission, even under an explicit deny (PMapper evaluates it as any action).
"""
from __future__ import annotations

import json

from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key

ARN = f"arn:aws:iam::{ACCOUNT}"


def _decision(iam, source: str, action: str, resource: str = "*", context: dict | None = None) -> str:
    entries = [{"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": "string"}
               for key, value in (context or {}).items()]
    results = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=[action], ResourceArns=[resource],
                                            ContextEntries=entries)["EvaluationResults"]
    assert len(results) == 1
    return results[0]["EvalDecision"]


def _assume(aws, credentials: dict, role: str, **kwargs) -> dict:
    return aws.client_for(credentials, "sts").assume_role(RoleArn=f"{ARN}:role/{role}", RoleSessionName="sweep",
                                                          **kwargs)["Credentials"]


def test_a_role_permissions_boundary_limits_the_role_in_the_simulator_and_in_its_sessions(aws):
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="S3Only", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    iam.create_role(RoleName="boxed", AssumeRolePolicyDocument=trust(f"{ARN}:root"), PermissionsBoundary=boundary)
    iam.put_role_policy(RoleName="boxed", PolicyName="all", PolicyDocument=doc(allow("*")))
    role = f"{ARN}:role/boxed"
    assert _decision(iam, role, "iam:CreateAccessKey", f"{ARN}:user/anyone") == "implicitDeny"
    assert _decision(iam, role, "s3:GetObject", "arn:aws:s3:::bucket/key") == "allowed"
    admin = user_with_key(aws, "admin", inline={"a": doc(allow("*"))})
    session = _assume(aws, admin, "boxed")
    code, message, status = error_of(aws.client_for(session, "iam").list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no permissions boundary allows the iam:ListUsers action")
    assert error_of(aws.client_for(session, "sts").assume_role, RoleArn=role,
                    RoleSessionName="again")[0] == "AccessDenied"


def test_a_trust_policy_of_every_principal_admits_a_same_account_user_without_identity_policy(two_account_harness):
    aws = two_account_harness
    iam = aws.client("iam")
    iam.create_role(RoleName="wild-trust", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}))
    nobody = user_with_key(aws, "nobody")
    assert _assume(aws, nobody, "wild-trust")["AccessKeyId"]
    other_iam = aws.client("iam", access_key="other-key", secret="other-secret")
    other_iam.create_user(UserName="outsider")
    other_iam.put_user_policy(UserName="outsider", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    outsider = other_iam.create_access_key(UserName="outsider")["AccessKey"]
    code, message, _ = error_of(aws.client_for(outsider, "sts").assume_role, RoleArn=f"{ARN}:role/wild-trust",
                                RoleSessionName="sweep")
    assert code == "AccessDenied"
    assert message.startswith(f"User: arn:aws:iam::{OTHER_ACCOUNT}:user/outsider is not authorized")


def test_the_roles_iam_resource_tags_are_in_assume_roles_context(aws):
    iam = aws.client("iam")
    for name, tags in (("prod-tagged", [{"Key": "tier", "Value": "prod"}]), ("untagged", [])):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"{ARN}:root"), Tags=tags)
    walter = user_with_key(aws, "walter", inline={"p": doc(allow(
        "sts:AssumeRole", Condition={"StringEquals": {"iam:ResourceTag/tier": "prod"}}))})
    assert _assume(aws, walter, "prod-tagged")["AccessKeyId"]
    assert error_of(aws.client_for(walter, "sts").assume_role, RoleArn=f"{ARN}:role/untagged",
                    RoleSessionName="sweep")[0] == "AccessDenied"
    source, role = f"{ARN}:user/walter", f"{ARN}:role/prod-tagged"
    assert _decision(iam, source, "sts:AssumeRole", role, {"iam:ResourceTag/tier": "prod"}) == "allowed"
    assert _decision(iam, source, "sts:AssumeRole", role, {"iam:ResourceTag/tier": "dev"}) == "implicitDeny"


def test_resource_arns_match_case_sensitively(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=trust(f"{ARN}:root"))
    quinn = user_with_key(aws, "quinn", inline={"p": doc(allow("iam:GetRole", f"{ARN}:role/OPS"))})
    assert _decision(iam, f"{ARN}:user/quinn", "iam:GetRole", f"{ARN}:role/ops") == "implicitDeny"
    assert _decision(iam, f"{ARN}:user/quinn", "iam:GetRole", f"{ARN}:role/OPS") == "allowed"
    code, message, _ = error_of(aws.client_for(quinn, "iam").get_role, RoleName="ops")
    assert code == "AccessDenied" and "iam:GetRole on resource: role ops" in message


def test_a_session_policy_limits_a_trust_grant_naming_the_role_arn(aws):
    iam = aws.client("iam")
    alice = user_with_key(aws, "alice")
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust(f"{ARN}:user/alice"))
    iam.put_role_policy(RoleName="deployer", PolicyName="p", PolicyDocument=doc(allow("ecr:*")))
    iam.create_role(RoleName="chain", AssumeRolePolicyDocument=trust(f"{ARN}:role/deployer"))
    plain = _assume(aws, alice, "deployer")
    assert _assume(aws, plain, "chain")["AccessKeyId"]
    limited = _assume(aws, alice, "deployer",
                      Policy=json.dumps({"Version": "2012-10-17", "Statement": [allow("ecr:GetAuthorizationToken")]}))
    assert aws.client_for(limited, "ecr").get_authorization_token()["authorizationData"]
    assert error_of(aws.client_for(limited, "sts").assume_role, RoleArn=f"{ARN}:role/chain",
                    RoleSessionName="sweep")[0] == "AccessDenied"


def test_get_caller_identity_needs_no_permission_even_under_an_explicit_deny(aws):
    trent = user_with_key(aws, "trent", inline={"p": doc({"Effect": "Deny", "Action": "*", "Resource": "*"},
                                                          allow("*"))})
    assert aws.client_for(trent, "sts").get_caller_identity()["Arn"] == f"{ARN}:user/trent"
    assert error_of(aws.client_for(trent, "iam").list_users)[0] == "AccessDenied"
