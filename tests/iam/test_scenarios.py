"""Authorization scenarios from issue 4's Proof section, through real boto3 clients in both modes."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import AccountKeys, Settings
from tests.harness import without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, trust, user_with_key

READ_ONLY = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"
OTHER = AccountKeys("210987654321", "other-root", "other-secret")


def _denied(excinfo: pytest.ExceptionInfo) -> str:
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return error["Message"]


def test_user_with_only_apprunner_read_only(aws):
    key = user_with_key(aws, "reader", policies=(READ_ONLY,))
    iam = aws.client_for(key, "iam")
    with pytest.raises(ClientError) as excinfo:
        iam.get_user()
    assert without_authorization_id(_denied(excinfo)) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: iam:GetUser on resource: "
        "user reader because no identity-based policy allows the iam:GetUser action"
    )
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="mallory")
    assert without_authorization_id(_denied(excinfo)) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/mallory because no identity-based policy allows the iam:CreateUser action"
    )
    assert "mallory" not in [u["UserName"] for u in aws.client("iam").list_users()["Users"]]
    identity = aws.client_for(key, "sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/reader" and identity["UserId"].startswith("AIDA")
    denied = [e for e in aws.store.decision_log if e["action"] == "iam:CreateUser" and e["decision"] != "allowed"]
    assert denied and denied[-1]["principal"] == f"arn:aws:iam::{ACCOUNT}:user/reader"


def test_tag_conditioned_policy(aws):
    same_team = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    policy = doc(allow("iam:GetRole", "*", Condition=same_team))
    key = user_with_key(aws, "tagged", inline={"by-tag": policy}, tags={"team": "blue"})
    root = aws.client("iam")
    root.create_role(RoleName="blue-role", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                     Tags=[{"Key": "team", "Value": "blue"}])
    root.create_role(RoleName="red-role", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                     Tags=[{"Key": "team", "Value": "red"}])
    iam = aws.client_for(key, "iam")
    assert iam.get_role(RoleName="blue-role")["Role"]["RoleName"] == "blue-role"
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="red-role")
    assert "iam:GetRole on resource: role red-role because no identity-based policy" in _denied(excinfo)
    # A request tag condition: creating users is allowed only with the tag project=apollo.
    root.put_user_policy(UserName="tagged", PolicyName="create", PolicyDocument=doc(allow(
        ["iam:CreateUser", "iam:TagUser"], "*", Condition={"StringEquals": {"aws:RequestTag/project": "apollo"}})))
    iam.create_user(UserName="ok", Tags=[{"Key": "project", "Value": "apollo"}])
    with pytest.raises(ClientError):
        iam.create_user(UserName="nope", Tags=[{"Key": "project", "Value": "gemini"}])


def test_role_assumed_with_a_session_policy(aws):
    key = user_with_key(aws, "assumer")
    root = aws.client("iam")
    root.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/assumer"))
    root.attach_role_policy(RoleName="worker", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    sts = aws.client_for(key, "sts")
    response = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker", RoleSessionName="narrow",
                               Policy=doc(allow("iam:ListRoles")))
    creds = response["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"] and creds["Expiration"]
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/narrow"
    session = aws.client_for(creds, "iam")
    assert "worker" in [r["RoleName"] for r in session.list_roles()["Roles"]]
    with pytest.raises(ClientError) as excinfo:
        session.list_users()
    assert _denied(excinfo).endswith("because no session policy allows the iam:ListUsers action")
    # Without a session policy the role's own permissions apply in full.
    wide = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker", RoleSessionName="wide")["Credentials"]
    assert aws.client_for(wide, "iam").list_users()["Users"]


def test_assume_role_rules(aws):
    key = user_with_key(aws, "caller")
    root = aws.client("iam")
    root.create_role(RoleName="by-account", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                     MaxSessionDuration=7200)
    sts = aws.client_for(key, "sts")
    arn = f"arn:aws:iam::{ACCOUNT}:role/by-account"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    assert _denied(excinfo) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/caller is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )
    root.put_user_policy(UserName="caller", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole", arn)))
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=7200)["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=7201)
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"
    root.update_assume_role_policy(RoleName="by-account", PolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    chained = aws.client_for(creds, "sts")
    root.put_role_policy(RoleName="by-account", PolicyName="chain", PolicyDocument=doc(allow("sts:AssumeRole")))
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=arn, RoleSessionName="again", DurationSeconds=3601)
    assert "1 hour session limit" in excinfo.value.response["Error"]["Message"]
    assert chained.assume_role(RoleArn=arn, RoleSessionName="again")["Credentials"]["AccessKeyId"]
    with pytest.raises(ClientError) as excinfo:
        aws.client("sts").assume_role(RoleArn=arn, RoleSessionName="root")
    assert _denied(excinfo) == "Roles may not be assumed by root accounts."


def test_an_identity_policy_cannot_stand_in_for_the_trust_policy(aws):
    """IAM User Guide, "Policy evaluation logic": a role's trust policy must allow, even in the same account."""
    key = user_with_key(aws, "admin", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    root = aws.client("iam")
    ec2_only = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    arn = root.create_role(RoleName="instance", AssumeRolePolicyDocument=ec2_only)["Role"]["Arn"]
    sts = aws.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    assert _denied(excinfo) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/admin is not authorized to perform: sts:AssumeRole on resource: {arn}")
    root.update_assume_role_policy(RoleName="instance", PolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    assert sts.assume_role(RoleArn=arn, RoleSessionName="s1")["Credentials"]["AccessKeyId"]


def test_external_id_and_session_tags(aws):
    key = user_with_key(aws, "partner")
    root = aws.client("iam")
    policy = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/partner"},
                  "Action": ["sts:AssumeRole", "sts:TagSession"],
                  "Condition": {"StringEquals": {"sts:ExternalId": "s3cret"}}})
    root.create_role(RoleName="ext", AssumeRolePolicyDocument=policy)
    root.put_role_policy(RoleName="ext", PolicyName="tagged", PolicyDocument=doc(allow(
        "iam:ListUsers", "*", Condition={"StringEquals": {"aws:PrincipalTag/dept": "ops"}})))
    sts = aws.client_for(key, "sts")
    arn = f"arn:aws:iam::{ACCOUNT}:role/ext"
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    ops = sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="s3cret",
                          Tags=[{"Key": "dept", "Value": "ops"}])["Credentials"]
    assert aws.client_for(ops, "iam").list_users()["Users"]
    dev = sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="s3cret",
                          Tags=[{"Key": "dept", "Value": "dev"}])["Credentials"]
    with pytest.raises(ClientError):
        aws.client_for(dev, "iam").list_users()


def test_permissions_boundary_removes_a_permission(aws):
    key = user_with_key(aws, "bounded", policies=("arn:aws:iam::aws:policy/IAMFullAccess",))
    iam = aws.client_for(key, "iam")
    assert iam.list_roles()["Roles"] == []
    boundary = aws.client("iam").create_policy(
        PolicyName="only-users", PolicyDocument=doc(allow(["iam:ListUsers", "iam:GetUser"])))["Policy"]["Arn"]
    aws.client("iam").put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
    assert aws.client("iam").get_user(UserName="bounded")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        boundary)
    assert iam.list_users()["Users"]
    with pytest.raises(ClientError) as excinfo:
        iam.list_roles()
    assert _denied(excinfo).endswith("because no permissions boundary allows the iam:ListRoles action")


def test_explicit_deny_wins(aws):
    key = user_with_key(aws, "denied", policies=("arn:aws:iam::aws:policy/AdministratorAccess",),
                        inline={"no-users": doc({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"})})
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "iam").list_users()
    assert _denied(excinfo).endswith("with an explicit deny in an identity-based policy")


@pytest.mark.parametrize("mode", ["inprocess", "server"])
def test_cross_account_assume_role(make_harness, mode):
    harness = make_harness(mode, Settings(log_requests=False, operation_delay=0, extra_accounts=(OTHER,)))
    key = user_with_key(harness, "traveller")
    other = harness.client("iam", access_key=OTHER.access_key_id, secret=OTHER.secret_access_key)
    other.create_role(RoleName="landing", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    other.attach_role_policy(RoleName="landing", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    arn = f"arn:aws:iam::{OTHER.account_id}:role/landing"
    sts = harness.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="x1")
    assert "sts:AssumeRole on resource: " + arn in _denied(excinfo)
    harness.client("iam").put_user_policy(UserName="traveller", PolicyName="go",
                                          PolicyDocument=doc(allow("sts:AssumeRole", arn)))
    creds = sts.assume_role(RoleArn=arn, RoleSessionName="x1")["Credentials"]
    identity = harness.client_for(creds, "sts").get_caller_identity()
    assert identity["Account"] == OTHER.account_id
    assert identity["Arn"] == f"arn:aws:sts::{OTHER.account_id}:assumed-role/landing/x1"
    assert [r["RoleName"] for r in harness.client_for(creds, "iam").list_roles()["Roles"]] == ["landing"]
    # Accounts are isolated: the default account does not see the other account's role.
    assert harness.client("iam").list_roles()["Roles"] == []


@pytest.mark.parametrize("enforce", ["soft", "off"])
def test_enforcement_modes(make_harness, enforce):
    harness = make_harness("inprocess", Settings(log_requests=False, operation_delay=0, enforce=enforce))
    if enforce == "soft":
        key = user_with_key(harness, "weak", policies=(READ_ONLY,))
        client = harness.client_for(key, "iam")
        client.create_user(UserName="allowed-anyway")
        entry = harness.store.decision_log[-1]
        assert (entry["action"], entry["decision"], entry["enforce"]) == ("iam:CreateUser", "implicitDeny", "soft")
    else:
        client = harness.client("iam", access_key="anything", secret="wrong")
        client.create_user(UserName="as-root")
        identity = harness.client("sts", access_key="x", secret="y").get_caller_identity()
        assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    created = "allowed-anyway" if enforce == "soft" else "as-root"
    assert harness.client("iam").get_user(UserName=created)["User"]["UserName"] == created


def test_get_session_token_for_users(aws):
    key = user_with_key(aws, "sessions", policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess", READ_ONLY))
    creds = aws.client_for(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert aws.client_for(creds, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/sessions"
    # Other services accept the session with the user's permissions.
    assert aws.client_for(creds, "apprunner").list_services()["ServiceSummaryList"] == []
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(creds, "sts").get_session_token()
    assert excinfo.value.response["Error"] == {
        "Type": "Sender", "Code": "AccessDenied", "Message": "Cannot call GetSessionToken with session credentials"}


@pytest.mark.parametrize(("params", "message"), [
    ({"RoleSessionName": "bad name!"},
     "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must "
     "satisfy regular expression pattern: [\\w+=,.@-]*"),
    ({"RoleSessionName": "s" * 65},
     f"1 validation error detected: Value '{'s' * 65}' at 'roleSessionName' failed to satisfy constraint: Member "
     "must have length less than or equal to 64"),
    ({"RoleSessionName": "ok", "DurationSeconds": 899},
     "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have "
     "value greater than or equal to 900"),
    ({"RoleSessionName": "s"},
     "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have "
     "length greater than or equal to 2"),
    ({"RoleSessionName": "ok", "DurationSeconds": 43201},
     "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must "
     "have value less than or equal to 43200"),
], ids=["session-name-pattern", "session-name-length", "duration-below-900", "session-name-too-short",
        "duration-above-model-max"])
def test_assume_role_parameter_constraints_through_boto3(aws, params, message):
    """Checked by STS itself (botocore checks neither patterns nor maximum lengths; its minimum checks are off here)."""
    from botocore.config import Config

    root = aws.client("iam")
    root.create_role(RoleName="target", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    key = user_with_key(aws, "caller", inline={"assume": doc(allow("sts:AssumeRole"))})
    sts = aws.client_for(key, "sts", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/target", **params)
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("ValidationError", message)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert not aws.store.accounts[ACCOUNT].iam.sessions


MAX_SESSION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
CHAINING = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."


def _validation_error(aws, call, **params) -> str:
    """The message of a ValidationError (400) that created no session."""
    before = len(aws.store.accounts[ACCOUNT].iam.sessions)
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(aws.store.accounts[ACCOUNT].iam.sessions) == before
    return excinfo.value.response["Error"]["Message"]


def _assumable(aws, name: str, **role) -> str:
    aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"),
                                  **role)
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def test_assume_role_duration_up_to_the_roles_max_session_duration(aws):
    """IAM's exact wording (STS API reference, AssumeRole DurationSeconds; aws-vault and Prowler users quote it)."""
    default, long = _assumable(aws, "default-max"), _assumable(aws, "long-max", MaxSessionDuration=7200)
    key = user_with_key(aws, "caller", inline={"assume": doc(allow("sts:AssumeRole"))})
    sts = aws.client_for(key, "sts")
    assert _validation_error(aws, sts.assume_role, RoleArn=default, RoleSessionName="s1", DurationSeconds=3601) \
        == MAX_SESSION
    assert _validation_error(aws, sts.assume_role, RoleArn=long, RoleSessionName="s1", DurationSeconds=7201) \
        == MAX_SESSION
    issued = aws.store.clock.now()
    credentials = sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=7200)["Credentials"]
    assert abs((credentials["Expiration"] - issued).total_seconds() - 7200) < 5
    aws.client("iam").update_role(RoleName="long-max", MaxSessionDuration=3600)
    assert _validation_error(aws, sts.assume_role, RoleArn=long, RoleSessionName="s1", DurationSeconds=7200) \
        == MAX_SESSION


@pytest.mark.parametrize("via", ["AssumeRole", "GetSessionToken"])
def test_temporary_credentials_assume_roles_for_one_hour_at_most(aws, via):
    """Role chaining caps the session at one hour whatever the role allows, and STS treats AssumeRole called with
    GetSessionToken credentials the same way (mmmorris1975/aws-runas#11 quotes the error for session-token
    credentials; 99designs/aws-vault#800 and ByteNess/aws-vault#290 work around it)."""
    first, target = _assumable(aws, "first", MaxSessionDuration=43200), _assumable(aws, "target",
                                                                                    MaxSessionDuration=43200)
    key = user_with_key(aws, "caller", inline={"assume": doc(allow("sts:AssumeRole"))})
    aws.client("iam").put_role_policy(RoleName="first", PolicyName="chain", PolicyDocument=doc(allow("sts:AssumeRole")))
    sts = aws.client_for(key, "sts")
    # Long-term keys may ask for the role's full maximum.
    assert sts.assume_role(RoleArn=target, RoleSessionName="direct", DurationSeconds=43200)["Credentials"]
    if via == "AssumeRole":
        temporary = sts.assume_role(RoleArn=first, RoleSessionName="hop", DurationSeconds=43200)["Credentials"]
    else:
        temporary = sts.get_session_token(DurationSeconds=43200)["Credentials"]
    chained = aws.client_for(temporary, "sts")
    assert _validation_error(aws, chained.assume_role, RoleArn=target, RoleSessionName="s1",
                             DurationSeconds=3601) == CHAINING
    issued = aws.store.clock.now()
    credentials = chained.assume_role(RoleArn=target, RoleSessionName="s1", DurationSeconds=3600)["Credentials"]
    assert abs((credentials["Expiration"] - issued).total_seconds() - 3600) < 5
    assert chained.assume_role(RoleArn=target, RoleSessionName="default")["Credentials"]
