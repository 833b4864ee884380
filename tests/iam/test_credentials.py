"""Credentials beyond the basics: the root's own access keys, GetSessionToken's restrictions, role-session callers
without a UserName, purging expired STS sessions without changing what clients see."""
from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from mockrunner.model.iam import MAX_TOMBSTONES, PURGE_MIN, Role, new_role_session
from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
INVALID_TOKEN_IAM = "The security token included in the request is invalid"


# ------------------------------------------------------------------------------------------------ root keys
def test_root_creates_its_own_access_key_and_it_authenticates_as_root(aws):
    iam = aws.client("iam")
    created = iam.create_access_key()["AccessKey"]
    assert created["AccessKeyId"].startswith("AKIA") and created["Status"] == "Active"
    assert "UserName" not in created  # root keys have no user (aws/aws-sdk-ruby#677)
    identity = aws.client_for(created, "sts").get_caller_identity()
    assert (identity["Arn"], identity["UserId"], identity["Account"]) == (ROOT_ARN, ACCOUNT, ACCOUNT)
    # The key acts as root: identity policies do not apply, so it can do anything in the account.
    aws.client_for(created, "iam").create_user(UserName="made-by-root-key")
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [created["AccessKeyId"]] and "UserName" not in listed[0]
    iam.create_access_key()
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key()
    assert aws_error(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    # A user's keys are not the root's: the user's listing is separate.
    iam.create_access_key(UserName="made-by-root-key")
    assert len(iam.list_access_keys(UserName="made-by-root-key")["AccessKeyMetadata"]) == 1
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 2
    iam.update_access_key(AccessKeyId=created["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(created, "sts").get_caller_identity()
    assert aws_error(excinfo)[0] == "InvalidClientTokenId"
    iam.delete_access_key(AccessKeyId=created["AccessKeyId"])
    assert created["AccessKeyId"] not in [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(AccessKeyId=created["AccessKeyId"])
    assert aws_error(excinfo)[0] == "NoSuchEntity"


def test_a_user_cannot_reach_root_keys_and_role_sessions_must_name_the_user(aws):
    root_key = aws.client("iam").create_access_key()["AccessKey"]
    key = user_with_key(aws, "admin", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    admin = aws.client_for(key, "iam")
    # Without UserName a user manages its own keys, never the root's.
    assert [k["UserName"] for k in admin.list_access_keys()["AccessKeyMetadata"]] == ["admin"]
    with pytest.raises(ClientError) as excinfo:
        admin.delete_access_key(AccessKeyId=root_key["AccessKeyId"])
    assert aws_error(excinfo) == (
        "NoSuchEntity", f"The Access Key with id {root_key['AccessKeyId']} cannot be found", 404)
    root = aws.client("iam")
    root.create_role(RoleName="ops", AssumeRolePolicyDocument=trust(ROOT_ARN))
    root.attach_role_policy(RoleName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    root.put_user_policy(UserName="admin", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    creds = aws.client_for(key, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ops",
                                                   RoleSessionName="s1")["Credentials"]
    session = aws.client_for(creds, "iam")
    for call in (session.get_user, session.create_access_key, session.list_access_keys):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert aws_error(excinfo) == (
            "ValidationError", "Must specify userName when calling with non-User credentials", 400)


# ------------------------------------------------------------------------------------------------ GetSessionToken
def test_get_session_token_credentials_cannot_call_iam(aws):
    key = user_with_key(aws, "nomfa", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    creds = aws.client_for(key, "sts").get_session_token()["Credentials"]
    assert aws.client_for(key, "iam").list_users()["Users"]  # the user's own key can
    for call in ("list_users", "get_user", "create_user"):
        with pytest.raises(ClientError) as excinfo:
            kwargs = {"UserName": "x"} if call == "create_user" else {}
            getattr(aws.client_for(creds, "iam"), call)(**kwargs)
        # IAM's text, without the final period (raw ErrorResponse in aws/aws-cli#8918).
        assert aws_error(excinfo) == ("InvalidClientTokenId", INVALID_TOKEN_IAM, 403)
    assert "x" not in [u["UserName"] for u in aws.client("iam").list_users()["Users"]]
    # STS: only AssumeRole and GetCallerIdentity.
    sts = aws.client_for(creds, "sts")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/nomfa"
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token()
    assert aws_error(excinfo) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    aws.client("iam").create_role(RoleName="next", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/nomfa"))
    assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/next", RoleSessionName="from-gst")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/next/from-gst"
    # ... and the role session it yields is an ordinary one: IAM accepts it.
    aws.client("iam").attach_role_policy(RoleName="next", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert aws.client_for(assumed["Credentials"], "iam").list_roles()["Roles"]


def test_root_session_token_is_limited_to_an_hour_and_cannot_call_iam(aws):
    sts = aws.client("sts")
    # Longer is not refused: "the session for AWS account owners defaults to one hour" (STS API reference).
    longer = sts.get_session_token(DurationSeconds=3601)["Credentials"]
    assert (longer["Expiration"] - aws.store.clock.now()).total_seconds() == pytest.approx(3600, abs=2)
    creds = sts.get_session_token()["Credentials"]
    assert (creds["Expiration"] - aws.store.clock.now()).total_seconds() == pytest.approx(3600, abs=2)
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(creds, "iam").list_users()
    assert aws_error(excinfo) == ("InvalidClientTokenId", INVALID_TOKEN_IAM, 403)


def test_an_mfa_serial_that_names_no_device_is_refused(aws):
    key = user_with_key(aws, "mfa")
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(key, "sts").get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/mfa",
                                                     TokenCode="123456")
    assert aws_error(excinfo) == (
        "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
        "serial number is valid and associated with this user.", 403)


# ------------------------------------------------------------------------------------------------ purging
def test_purged_sessions_still_answer_expired_token(aws):
    """GetCallerIdentity with expired session credentials is ExpiredToken, as users' reports of AWS show
    (miquella/vaulted#107, prowler-cloud/prowler#789); purging the session does not change the answer."""
    key = user_with_key(aws, "purge")
    creds = aws.client_for(key, "sts").get_session_token(DurationSeconds=900)["Credentials"]
    iam_state = aws.store.account(ACCOUNT).iam
    aws.store.clock.advance(901)
    assert iam_state.purge_sessions(aws.store.clock.now()) == 1
    assert creds["AccessKeyId"] not in iam_state.sessions
    with pytest.raises(ClientError) as excinfo:
        aws.client_for(creds, "sts").get_caller_identity()
    assert aws_error(excinfo) == ("ExpiredToken", "The security token included in the request is expired", 403)
    # The tombstone remembers the token: another token with the same key id is simply invalid.
    with pytest.raises(ClientError) as excinfo:
        aws.client_for({**creds, "SessionToken": "forged"}, "sts").get_caller_identity()
    assert aws_error(excinfo)[0] == "InvalidClientTokenId"


def test_sessions_stay_bounded_as_they_expire(aws):
    """Thousands of short sessions over (mock) days: memory holds the live ones and bounded tombstones."""
    store = aws.store
    aws.client("iam").create_role(RoleName="busy", AssumeRolePolicyDocument=trust(ROOT_ARN))
    role: Role = store.account(ACCOUNT).iam.roles["busy"]
    iam_state = store.account(ACCOUNT).iam
    first = new_role_session(iam_state, store.clock.now(), role, "first", 900)
    for index in range(3 * PURGE_MIN):
        new_role_session(iam_state, store.clock.now(), role, f"s{index}", 900)
        store.clock.advance(60)
    # 900 s sessions issued every 60 s: at most 15 are live; the rest were purged in batches.
    assert len(iam_state.sessions) <= 2 * PURGE_MIN
    assert first.access_key_id not in iam_state.sessions
    assert first.access_key_id in iam_state.expired_sessions and len(iam_state.expired_sessions) <= MAX_TOMBSTONES
    live = new_role_session(iam_state, store.clock.now(), role, "live", 900)
    assert aws.client_for({"AccessKeyId": live.access_key_id, "SecretAccessKey": live.secret_access_key,
                           "SessionToken": live.session_token}, "sts").get_caller_identity()["Arn"].endswith("/live")
    with pytest.raises(ClientError) as excinfo:
        aws.client_for({"AccessKeyId": first.access_key_id, "SecretAccessKey": first.secret_access_key,
                        "SessionToken": first.session_token}, "sts").get_caller_identity()
    assert aws_error(excinfo)[0] == "ExpiredToken"


def test_new_role_session_is_what_assume_role_returns(aws):
    aws.client("iam").create_role(RoleName="shape", AssumeRolePolicyDocument=trust(ROOT_ARN), MaxSessionDuration=7200)
    role = aws.store.account(ACCOUNT).iam.roles["shape"]
    iam_state = aws.store.account(ACCOUNT).iam
    session = new_role_session(iam_state, aws.store.clock.now(), role, "direct", 1800, tags={"k": "v"})
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/shape/direct"
    assert session.user_id == f"{role.role_id}:direct" and session.access_key_id.startswith("ASIA")
    assert session.expiration - session.issued_at == timedelta(seconds=1800)
    assert aws.store.account(ACCOUNT).iam.sessions[session.access_key_id] is session
