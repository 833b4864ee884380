"""STS GetScopedCredentials through boto3 in both modes: same identity, permissions cut down by every scope-down
policy of the chain, lifetime only shortened, who may call it; and ``MinimumSessionTokenSize`` on every
credential operation."""
from __future__ import annotations

import pytest

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/agent"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/agent/run-1"
ROLE_POLICY = doc(allow(["sts:GetScopedCredentials", "apprunner:ListServices", "ecr:DescribeRepositories",
                         "iam:ListUsers", "iam:ListRoles"]))


def _role_session(aws, duration: int = 3600, **extra) -> dict:
    """Credentials of a session of role ``agent`` (which may list App Runner services, ECR repositories, IAM
    users and roles, and call GetScopedCredentials), tagged ``team=red`` with source identity ``alice``."""
    iam = aws.client("iam")
    iam.create_role(RoleName="agent", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}))
    iam.put_role_policy(RoleName="agent", PolicyName="p", PolicyDocument=ROLE_POLICY)
    key = user_with_key(aws, "assumer", inline={"p": doc(allow(["sts:AssumeRole", "sts:TagSession",
                                                                "sts:SetSourceIdentity"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    return sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="run-1", DurationSeconds=duration,
                           Tags=[{"Key": "team", "Value": "red"}], SourceIdentity="alice", **extra)["Credentials"]


def _denied(call, **kwargs) -> str:
    code, message, status = error_of(call, **kwargs)
    assert (code, status) in (("AccessDenied", 403), ("AccessDeniedException", 400), ("AccessDeniedException", 403))
    return message


def test_scoped_credentials_keep_the_identity_and_only_do_what_the_scope_allows(aws):
    session = _role_session(aws)
    sts = aws.client_for(session, "sts")
    before = sts.get_caller_identity()
    answer = sts.get_scoped_credentials(Policy=doc(allow(["apprunner:ListServices", "sts:GetScopedCredentials",
                                                          "iam:ListUsers"])),
                                        ScopedSessionDescription="agent step 1")
    assert answer["SessionInfo"] == {"ScopedSessionId": before["UserId"], "Arn": SESSION_ARN}
    assert answer["ScopedPoliciesCount"] == 1 and answer["SourceIdentity"] == "alice"
    scoped = answer["Credentials"]
    assert scoped["AccessKeyId"].startswith("ASIA") and scoped["AccessKeyId"] != session["AccessKeyId"]
    assert scoped["Expiration"] == session["Expiration"]  # without DurationSeconds: the calling session's expiry
    identity = aws.client_for(scoped, "sts").get_caller_identity()
    assert (identity["Arn"], identity["UserId"], identity["Account"]) == (SESSION_ARN, before["UserId"], ACCOUNT)
    caller = aws.store.accounts[ACCOUNT].iam.sessions[scoped["AccessKeyId"]]
    assert (caller.tags, caller.source_identity, caller.session_name) == ({"team": "red"}, "alice", "run-1")
    # Allowed by the role and by the scope: served.
    aws.client_for(scoped, "apprunner").list_services()
    aws.client_for(scoped, "iam").list_users()
    # Allowed by the role, not by the scope: the session policy layer refuses it.
    message = _denied(aws.client_for(scoped, "ecr").describe_repositories)
    assert message.startswith(f"User: {SESSION_ARN} is not authorized to perform: ecr:DescribeRepositories")
    assert message.endswith("because no session policy allows the ecr:DescribeRepositories action")
    # Allowed by the scope, not by the role: still refused (an intersection, never a grant).
    assert _denied(aws.client_for(scoped, "iam").list_groups).endswith(
        "because no identity-based policy allows the iam:ListGroups action")
    # The calling session keeps its own permissions.
    aws.client_for(session, "ecr").describe_repositories()


def test_a_chain_of_scoped_credentials_intersects_every_scope_down_policy(aws):
    session = _role_session(aws)
    first = aws.client_for(session, "sts").get_scoped_credentials(Policy=doc(allow(
        ["sts:GetScopedCredentials", "apprunner:ListServices", "iam:ListUsers"])))["Credentials"]
    # The second policy allows ECR and IAM roles, which the first scope-down does not: they stay refused.
    answer = aws.client_for(first, "sts").get_scoped_credentials(Policy=doc(allow(
        ["sts:GetScopedCredentials", "apprunner:ListServices", "ecr:DescribeRepositories", "iam:ListRoles"])))
    assert answer["ScopedPoliciesCount"] == 2
    second = answer["Credentials"]
    assert aws.client_for(second, "sts").get_caller_identity()["Arn"] == SESSION_ARN
    aws.client_for(second, "apprunner").list_services()
    for call in (aws.client_for(second, "ecr").describe_repositories, aws.client_for(second, "iam").list_roles,
                 aws.client_for(second, "iam").list_users):
        assert "because no session policy allows" in _denied(call)
    # A call with DurationSeconds only adds no layer; a scope without sts:GetScopedCredentials ends the chain.
    third = aws.client_for(second, "sts").get_scoped_credentials(DurationSeconds=60)
    assert third["ScopedPoliciesCount"] == 2
    narrow = aws.client_for(third["Credentials"], "sts").get_scoped_credentials(
        Policy=doc(allow("apprunner:ListServices")))
    assert narrow["ScopedPoliciesCount"] == 3
    assert "sts:GetScopedCredentials" in _denied(aws.client_for(narrow["Credentials"], "sts").get_scoped_credentials,
                                                 DurationSeconds=30)
    # At most three scope-down policies: a fourth Policy is denied; DurationSeconds alone still works.
    full = aws.client_for(third["Credentials"], "sts").get_scoped_credentials(
        Policy=doc(allow(["apprunner:ListServices", "sts:GetScopedCredentials"])))["Credentials"]
    assert "3 scope down policies" in _denied(aws.client_for(full, "sts").get_scoped_credentials,
                                              Policy=doc(allow("apprunner:ListServices")))
    assert aws.client_for(full, "sts").get_scoped_credentials(DurationSeconds=10)["ScopedPoliciesCount"] == 3


def test_scoped_credentials_only_shorten_the_session(aws):
    session = _role_session(aws, duration=900)
    sts = aws.client_for(session, "sts")
    now = aws.store.clock.now().timestamp()
    short = sts.get_scoped_credentials(DurationSeconds=120)["Credentials"]
    assert 110 <= short["Expiration"].timestamp() - now <= 121
    code, message, status = error_of(sts.get_scoped_credentials, DurationSeconds=901)
    assert (code, status) == ("InsufficientSessionLifetime", 400) and "remaining lifetime" in message
    aws.store.clock.advance(600)
    # Only the remaining 300 seconds are left; the scoped credentials expired before the session.
    assert error_of(sts.get_scoped_credentials, DurationSeconds=400)[0] == "InsufficientSessionLifetime"
    assert 0 < sts.get_scoped_credentials(DurationSeconds=290)["Credentials"]["Expiration"].timestamp() - \
        aws.store.clock.now().timestamp() <= 291
    assert error_of(aws.client_for(short, "sts").get_caller_identity)[0] == "ExpiredToken"
    aws.client_for(session, "sts").get_caller_identity()
    # The model's bounds: 1 second to 36 hours.
    assert error_of(sts.get_scoped_credentials, DurationSeconds=129601)[0] == "ValidationError"


def test_who_may_call_get_scoped_credentials_and_what_it_checks(aws):
    key = user_with_key(aws, "bob", inline={"p": doc(allow(["sts:*", "apprunner:ListServices"]))})
    user_sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    # Long-term credentials (an IAM user's, the root's) are refused; GetSessionToken's are fine.
    for sts in (user_sts, aws.client("sts")):
        code, _, status = error_of(sts.get_scoped_credentials, DurationSeconds=60)
        assert (code, status) == ("InvalidSubjectCredentials", 400)
    user_session = user_sts.get_session_token()["Credentials"]
    answer = aws.client_for(user_session, "sts").get_scoped_credentials(
        Policy=doc(allow("apprunner:ListServices")))
    assert answer["SessionInfo"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    aws.client_for(answer["Credentials"], "apprunner").list_services()
    # Policy or DurationSeconds must be given; the policy must be valid and fit.
    sts = aws.client_for(user_session, "sts")
    assert error_of(sts.get_scoped_credentials)[::2] == ("ValidationError", 400)
    assert error_of(sts.get_scoped_credentials, Policy='{"Statement": []')[0] == "MalformedPolicyDocument"
    big = doc(*[allow(f"apprunner:Describe{index}") for index in range(40)])
    assert error_of(sts.get_scoped_credentials, Policy=big)[0] in ("PackedPolicyTooLarge", "ValidationError")
    # The call needs sts:GetScopedCredentials.
    iam = aws.client("iam")
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="plain", PolicyName="p", PolicyDocument=doc(allow("apprunner:ListServices")))
    plain = user_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/plain", RoleSessionName="ss")["Credentials"]
    assert "because no identity-based policy allows the sts:GetScopedCredentials action" in _denied(
        aws.client_for(plain, "sts").get_scoped_credentials, DurationSeconds=60)


def test_scoped_sessions_survive_a_snapshot_round_trip_with_their_scope(aws):
    from mockrunner.model import snapshot
    from mockrunner.model.store import Store

    session = _role_session(aws)
    scoped = aws.client_for(session, "sts").get_scoped_credentials(
        Policy=doc(allow("apprunner:ListServices")))["Credentials"]
    restored = Store(aws.settings)
    snapshot.import_state(restored, snapshot.export_state(aws.store))
    loaded = restored.accounts[ACCOUNT].iam.sessions[scoped["AccessKeyId"]]
    assert loaded.scope_down_policies == [doc(allow("apprunner:ListServices"))]
    assert loaded.arn == SESSION_ARN


@pytest.mark.parametrize("size", [0, 1000, 4096])
def test_minimum_session_token_size_pads_tokens_that_still_authenticate(aws, size):
    key = user_with_key(aws, "carol", inline={"p": doc(allow(["sts:*", "apprunner:ListServices"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=doc(allow(["sts:GetScopedCredentials",
                                                                                "apprunner:ListServices"])))
    answers = {
        "AssumeRole": sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="ss",
                                      MinimumSessionTokenSize=size),
        "GetSessionToken": sts.get_session_token(MinimumSessionTokenSize=size),
        "GetFederationToken": sts.get_federation_token(Name="fed", MinimumSessionTokenSize=size,
                                                       Policy=doc(allow("apprunner:ListServices"))),
    }
    role = answers["AssumeRole"]["Credentials"]
    answers["GetScopedCredentials"] = aws.client_for(role, "sts").get_scoped_credentials(
        DurationSeconds=60, MinimumSessionTokenSize=size)
    for name, answer in answers.items():
        token = answer["Credentials"]["SessionToken"]
        assert len(token) >= size, name
        assert answer["SessionTokenSize"] == len(token.encode()), name
        assert answer["SessionTokenUtilization"] == min(100, len(token) * 100 // 4096), name
        aws.client_for(answer["Credentials"], "apprunner").list_services()
    if size == 0:
        plain = sts.get_session_token()["Credentials"]["SessionToken"]
        assert abs(len(plain) - len(answers["GetSessionToken"]["Credentials"]["SessionToken"])) < 8
    else:
        assert len(answers["GetSessionToken"]["Credentials"]["SessionToken"]) == size


def test_minimum_session_token_size_beyond_4096_is_refused(aws):
    key = user_with_key(aws, "dave", inline={"p": doc(allow("sts:*"))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    code, message, status = error_of(sts.get_session_token, MinimumSessionTokenSize=4097)
    assert (code, status) == ("ValidationError", 400)
    assert "minimumSessionTokenSize" in message and "less than or equal to 4096" in message


def test_web_identity_sessions_get_padded_tokens_and_scope_down(aws):
    from tests.iam.federation import assume, deploy_role, github_provider, mint

    github_provider(aws)
    role_arn = deploy_role(aws, "deploy", "repo:acme/app:ref:refs/heads/main", policies={"p": doc(allow(
        ["sts:GetScopedCredentials", "apprunner:ListServices", "ecr:DescribeRepositories"]))})
    token = mint(aws, github={"repository": "acme/app", "ref": "refs/heads/main"})
    answer = assume(aws, role_arn, token, MinimumSessionTokenSize=2048)
    assert len(answer["Credentials"]["SessionToken"]) >= 2048 and answer["SessionTokenSize"] >= 2048
    web = answer["Credentials"]
    scoped = aws.client_for(web, "sts").get_scoped_credentials(Policy=doc(allow("apprunner:ListServices")))
    assert scoped["SessionInfo"]["Arn"] == answer["AssumedRoleUser"]["Arn"]
    aws.client_for(scoped["Credentials"], "apprunner").list_services()
    assert "no session policy allows" in _denied(aws.client_for(scoped["Credentials"], "ecr").describe_repositories)


def test_a_scoped_denial_is_logged_and_explained(aws):
    import requests

    from tests.iam.federation import admin

    session = _role_session(aws)
    scoped = aws.client_for(session, "sts").get_scoped_credentials(
        Policy=doc(allow("apprunner:ListServices")))["Credentials"]
    _denied(aws.client_for(scoped, "ecr").describe_repositories)
    status, log = admin(aws, "GET", "/decisions?action=ecr:DescribeRepositories&decision=implicitDeny")
    assert status == 200
    entry = log["decisions"][-1]
    assert entry["principal"] == SESSION_ARN and entry["decidedBy"] == "session"
    path = f"/_mockrunner/ui/decisions/{entry['id']}"
    if aws.server is not None:
        page = requests.get(aws.endpoint_url + path, timeout=10)
        status, html = page.status_code, page.text
    else:
        page = aws.app.test_client().get(path)
        status, html = page.status_code, page.get_data(as_text=True)
    assert status == 200 and "because no session policy allows the ecr:DescribeRepositories action" in html
