"""A stored policy the engine cannot read never allows, in every layer, through real clients in both modes.

The API and state import refuse such documents, so these tests plant them in the store directly, as a state
from elsewhere (or a test poking the store) could; the decision, the AccessDenied message and the decision log
(the admin API's ``GET /_mockrunner/decisions``) must name the policy and why.
"""
from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from tests.harness import without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

BROKEN = '{"Version": "2012-10-17", "Statement": '
ALLOW_ALL = doc(allow("*"))
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"


def _iam_state(aws):
    return aws.store.accounts[ACCOUNT].iam


def _plant(aws, change) -> None:
    """Change the stored IAM state behind the API's back (then invalidate caches, as an import does); such a state
    is one an import refuses, so the harness does not load it again."""
    aws.round_trip = False
    iam = _iam_state(aws)
    with aws.store.lock:
        change(iam)
        iam.invalidate_caches()


def _decisions(aws, action: str) -> list[dict]:
    """The admin API's decision log for ``action`` (over HTTP in server mode)."""
    params = {"action": action}
    if aws.server is not None:
        return requests.get(f"{aws.endpoint_url}/_mockrunner/decisions", params=params, timeout=10).json()["decisions"]
    return aws.app.test_client().get("/_mockrunner/decisions", query_string=params).json["decisions"]


def _denied(excinfo, policy_id: str, layer: str, sentence: bool = False) -> None:
    """``sentence``: the denial ends with IAM's Access Troubleshooter sentence (asserted), the reason before it."""
    code, message, status = aws_error(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    message = without_authorization_id(message) if sentence else message
    assert message.endswith(f"because the {layer} {policy_id} cannot be read (Syntax errors in policy)"), message


def test_allow_all_with_an_unreadable_boundary_cannot_delete_users(aws) -> None:
    iam = aws.client("iam")
    iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(allow("iam:*")))
    key = user_with_key(aws, "alice", inline={"all": ALLOW_ALL})
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=BOUNDARY_ARN)
    iam.create_user(UserName="bob")
    alice = aws.client_for(key, "iam")
    alice.get_user(UserName="bob")  # readable boundary: allowed

    _plant(aws, lambda state: setattr(state.policies[BOUNDARY_ARN].versions[0], "document", BROKEN))
    with pytest.raises(ClientError) as excinfo:
        alice.delete_user(UserName="bob")
    _denied(excinfo, BOUNDARY_ARN, "permissions boundary", sentence=True)
    assert "bob" in _iam_state(aws).users
    entry = _decisions(aws, "iam:DeleteUser")[-1]
    assert entry["decision"] == "implicitDeny" and entry["principal"] == USER_ARN
    assert entry["errors"] == [{"policyId": BOUNDARY_ARN, "policyKind": "permissionsBoundary",
                                "reason": "Syntax errors in policy."}]


def test_a_boundary_whose_policy_is_gone_is_unreadable_too(aws) -> None:
    iam = aws.client("iam")
    iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(allow("iam:*")))
    key = user_with_key(aws, "alice", inline={"all": ALLOW_ALL})
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=BOUNDARY_ARN)
    _plant(aws, lambda state: state.policies.pop(BOUNDARY_ARN))
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "iam").list_users()
    assert aws_error(excinfo)[1].endswith(
        f"because the permissions boundary {BOUNDARY_ARN} cannot be read (the policy does not exist)")


def test_an_unreadable_inline_policy_is_not_skipped(aws) -> None:
    key = user_with_key(aws, "alice", inline={"all": ALLOW_ALL, "broken": doc(allow("iam:ListUsers"))})
    alice = aws.client_for(key, "iam")
    alice.list_users()
    _plant(aws, lambda state: state.users["alice"].inline_policies.__setitem__("broken", BROKEN))
    with pytest.raises(ClientError) as excinfo:
        alice.list_users()
    _denied(excinfo, f"{USER_ARN}#inline/broken", "identity-based policy")
    assert _decisions(aws, "iam:ListUsers")[-1]["errors"][0]["policyId"] == f"{USER_ARN}#inline/broken"


def test_an_unreadable_session_policy_denies_what_it_would_have_limited(aws) -> None:
    iam = aws.client("iam")
    key = user_with_key(aws, "alice", inline={"assume": doc(allow("sts:AssumeRole"))})
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(USER_ARN))
    iam.put_role_policy(RoleName="worker", PolicyName="all", PolicyDocument=ALLOW_ALL)
    credentials = aws.client_for(key, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker", RoleSessionName="work",
        Policy=doc(allow("iam:ListUsers")))["Credentials"]
    session = _iam_state(aws).sessions[credentials["AccessKeyId"]]
    worker = aws.client_for(credentials, "iam")
    worker.list_users()
    _plant(aws, lambda state: session.session_policies.__setitem__(0, BROKEN))
    with pytest.raises(ClientError) as excinfo:
        worker.list_users()
    _denied(excinfo, f"{session.arn}#session-policy/0", "session policy")


def test_an_unreadable_trust_policy_refuses_assume_role_cleanly(aws) -> None:
    iam = aws.client("iam")
    key = user_with_key(aws, "alice", inline={"assume": doc(allow("sts:AssumeRole"))})
    role_arn = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(USER_ARN))["Role"]["Arn"]
    _plant(aws, lambda state: setattr(state.roles["worker"], "assume_role_policy", BROKEN))
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "sts").assume_role(RoleArn=role_arn, RoleSessionName="work")
    assert aws_error(excinfo)[0::2] == ("AccessDenied", 403)
    assert _decisions(aws, "sts:AssumeRole")[-1]["errors"] == [
        {"policyId": f"{role_arn}#trust-policy", "policyKind": "resource", "reason": "Syntax errors in policy."}]


def test_an_unreadable_repository_policy_denies_even_what_identity_allows(aws) -> None:
    key = user_with_key(aws, "alice", inline={"ecr": doc(allow("ecr:*"))})
    ecr = aws.client_for(key, "ecr")
    arn = ecr.create_repository(repositoryName="app")["repository"]["repositoryArn"]
    ecr.set_repository_policy(repositoryName="app", policyText=doc(
        {"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "ecr:*"}))
    ecr.get_repository_policy(repositoryName="app")
    repository = aws.store.accounts[ACCOUNT].region("us-east-1").ecr.repositories["app"]
    aws.round_trip = False  # planted behind the API's back: a state an import refuses
    with aws.store.lock:
        repository.policy_text = BROKEN
    with pytest.raises(ClientError) as excinfo:
        ecr.get_repository_policy(repositoryName="app")
    assert aws_error(excinfo)[0] == "AccessDeniedException"
    assert aws_error(excinfo)[1].endswith(
        f"because the resource-based policy {arn} repository policy cannot be read (Syntax errors in policy)")
