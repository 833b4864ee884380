"""An attacker's probes on the newest surfaces, through boto3 in both modes: scoped credentials (GetScopedCredentials)
trying to win back permissions, sessions and stored policies outliving the user or role they name, delete
replication between registries, the account property map, and the compiled-condition answer tables (a remembered
answer must always be the one the general evaluation gives)."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.ecr.pushing import put_image
from tests.ecr.test_ecr import manifest
from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/agent"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/agent/run-1"
DENIED = {"AccessDenied", "AccessDeniedException"}


def _role_session(aws, policy: str = doc(allow("*"))) -> dict:
    """A session ``run-1`` of role ``agent`` (role policy ``policy``), assumed by user ``assumer``."""
    iam = aws.client("iam")
    iam.create_role(RoleName="agent", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="agent", PolicyName="p", PolicyDocument=policy)
    key = user_with_key(aws, "assumer", inline={"p": doc(allow("sts:AssumeRole"))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    return sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="run-1")["Credentials"]


def _scoped(aws, credentials: dict, *actions: str, **extra) -> dict:
    return aws.client_for(credentials, "sts").get_scoped_credentials(
        Policy=doc(allow(list(actions))), **extra)["Credentials"]


# ------------------------------------------------------------------------------------------------ scoped credentials
def test_a_scoped_session_cannot_widen_its_scope_again(aws):
    session = _role_session(aws)
    scoped = _scoped(aws, session, "sts:GetScopedCredentials", "apprunner:ListServices")
    # A broader policy is one more layer, never a replacement; DurationSeconds alone keeps every layer.
    wider = _scoped(aws, scoped, "*")
    only_shorter = aws.client_for(scoped, "sts").get_scoped_credentials(DurationSeconds=300)
    assert only_shorter["ScopedPoliciesCount"] == 1
    for credentials in (scoped, wider, only_shorter["Credentials"]):
        aws.client_for(credentials, "apprunner").list_services()
        assert error_of(aws.client_for(credentials, "iam").list_users)[0] in DENIED
    # A fourth layer is refused, and three layers still allow only their intersection.
    third = _scoped(aws, wider, "*")
    assert error_of(aws.client_for(third, "sts").get_scoped_credentials, Policy=doc(allow("*")))[0] in DENIED
    assert error_of(aws.client_for(third, "iam").list_users)[0] in DENIED


def test_a_scoped_session_cannot_escape_through_sts_or_a_policy_naming_its_arn(aws):
    session = _role_session(aws)
    iam = aws.client("iam")
    # A role that trusts the very session ARN, and a repository whose policy names it: grants naming the session
    # skip ordinary session policies, never a scope-down policy.
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust(SESSION_ARN))
    iam.put_role_policy(RoleName="admin", PolicyName="p", PolicyDocument=doc(allow("*")))
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="secret")
    ecr.set_repository_policy(repositoryName="secret", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": SESSION_ARN}, "Action": "ecr:*"}]}))
    aws.client_for(session, "ecr").list_images(repositoryName="secret")  # the unscoped session may
    scoped = _scoped(aws, session, "apprunner:ListServices")
    sts = aws.client_for(scoped, "sts")
    assert error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admin",
                    RoleSessionName="escape")[0] in DENIED
    assert error_of(aws.client_for(scoped, "ecr").list_images, repositoryName="secret")[0] in DENIED
    for call, kwargs in ((sts.get_session_token, {}), (sts.get_federation_token, {"Name": "fed"})):
        assert error_of(call, **kwargs)[0] in DENIED


def test_a_scoped_session_of_a_deleted_role_gains_nothing_from_a_namesake(aws):
    session = _role_session(aws, doc(allow(["sts:GetScopedCredentials", "apprunner:ListServices"])))
    scoped = _scoped(aws, session, "*")
    iam = aws.client("iam")
    iam.delete_role_policy(RoleName="agent", PolicyName="p")
    iam.delete_role(RoleName="agent")
    iam.create_role(RoleName="agent", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.put_role_policy(RoleName="agent", PolicyName="p", PolicyDocument=doc(allow("*")))
    for credentials in (session, scoped):
        assert error_of(aws.client_for(credentials, "apprunner").list_services)[0] in DENIED
        assert error_of(aws.client_for(credentials, "iam").list_users)[0] in DENIED


@pytest.mark.parametrize("tamper", ["flip last", "truncate", "append", "drop padding"])
def test_a_padded_session_token_authenticates_only_unmodified(aws, tamper):
    session = _role_session(aws)
    answer = aws.client_for(session, "sts").get_scoped_credentials(DurationSeconds=600, MinimumSessionTokenSize=4096)
    scoped = answer["Credentials"]
    token = scoped["SessionToken"]
    assert answer["SessionTokenSize"] == len(token) >= 4096
    changed = {"flip last": token[:-1] + ("A" if token[-1] != "A" else "B"), "truncate": token[:-1],
               "append": token + "A", "drop padding": token[:200]}[tamper]
    forged = aws.client("sts", scoped["AccessKeyId"], scoped["SecretAccessKey"], changed)
    assert error_of(forged.get_caller_identity)[0] in ("InvalidClientTokenId", "SignatureDoesNotMatch")
    assert aws.client_for(scoped, "sts").get_caller_identity()["Arn"] == SESSION_ARN


# ------------------------------------------------------------------------------------------------ users' sessions
def _user_sessions(aws) -> tuple[dict, dict, dict]:
    """User ``bob`` (may list App Runner services, and use STS): his GetSessionToken and GetFederationToken
    credentials (the federation policy allows everything) and scoped credentials of the former."""
    key = user_with_key(aws, "bob", inline={"p": doc(allow(["sts:*", "apprunner:ListServices"]))})
    sts = aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
    token = sts.get_session_token()["Credentials"]
    federated = sts.get_federation_token(Name="fed", Policy=doc(allow("*")))["Credentials"]
    scoped = _scoped(aws, token, "*")
    for credentials in (token, federated, scoped):
        aws.client_for(credentials, "apprunner").list_services()
    iam = aws.client("iam")
    iam.delete_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="bob", PolicyName="p")
    return token, federated, scoped


def _namesake_bob_is_admin(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="admin", PolicyDocument=doc(allow("*")))


def test_sessions_of_a_deleted_user_give_a_namesake_s_permissions_to_nobody(aws):
    sessions = _user_sessions(aws)
    aws.client("iam").delete_user(UserName="bob")
    _namesake_bob_is_admin(aws)
    for credentials in sessions:
        assert error_of(aws.client_for(credentials, "apprunner").list_services)[0] in DENIED | {
            "InvalidClientTokenId", "UnrecognizedClientException"}


def test_sessions_of_a_renamed_user_follow_the_user_not_the_old_name(aws):
    token, federated, scoped = _user_sessions(aws)
    iam = aws.client("iam")
    iam.put_user_policy(UserName="bob", PolicyName="p", PolicyDocument=doc(allow("apprunner:ListServices")))
    iam.update_user(UserName="bob", NewUserName="robert")
    _namesake_bob_is_admin(aws)
    for credentials in (token, federated, scoped):
        apprunner = aws.client_for(credentials, "apprunner")
        apprunner.list_services()  # robert's own permission
        assert error_of(aws.client_for(credentials, "ecr").describe_repositories)[0] in DENIED, "not the new bob's"


# ------------------------------------------------------------------------------------------------ stored policies
def test_a_trust_policy_naming_a_role_through_json_escapes_forgets_it_once_deleted(aws):
    iam = aws.client("iam")
    root_trust = trust(f"arn:aws:iam::{ACCOUNT}:root")
    zq_id = iam.create_role(RoleName="zq", AssumeRolePolicyDocument=root_trust)["Role"]["RoleId"]
    # "zq" spelt with JSON escapes: the same principal once parsed, absent from the text as written.
    escaped = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
               f'{{"AWS": "arn:aws:iam::{ACCOUNT}:role/\\u007a\\u0071"}}, "Action": "sts:AssumeRole"}}]}}')
    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=escaped)
    iam.delete_role(RoleName="zq")
    principal = iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"AWS": zq_id}
    iam.create_role(RoleName="zq", AssumeRolePolicyDocument=root_trust)
    iam.put_role_policy(RoleName="zq", PolicyName="p", PolicyDocument=doc(allow("sts:AssumeRole")))
    operator = user_with_key(aws, "operator", inline={"p": doc(allow("sts:AssumeRole"))})
    ci = aws.client_for(operator, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/zq",
                                                       RoleSessionName="chained")["Credentials"]
    assert error_of(aws.client_for(ci, "sts").assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deploy",
                    RoleSessionName="chained")[0] in DENIED


# ------------------------------------------------------------------------------------------------ ECR replication
def test_two_registries_replicating_deletions_to_each_other_do_not_loop(aws):
    east, west = aws.client("ecr"), aws.client("ecr", region="eu-west-1")
    for client, region in ((east, "eu-west-1"), (west, "us-east-1")):
        client.put_replication_configuration(replicationConfiguration={"rules": [
            {"destinations": [{"region": region, "registryId": ACCOUNT}], "deleteReplication": {"enabled": True}}]})
    east.create_repository(repositoryName="app")
    put_image(east, repositoryName="app", imageManifest=manifest(marker="a"), imageTag="v1")
    put_image(west, repositoryName="app", imageManifest=manifest(marker="b"), imageTag="v2")
    assert len(east.list_images(repositoryName="app")["imageIds"]) == 2
    east.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    west.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "v2"}])
    assert east.list_images(repositoryName="app")["imageIds"] == []
    assert west.list_images(repositoryName="app")["imageIds"] == []


def test_delete_replication_cannot_delete_in_a_registry_that_never_granted_it(two_account_harness):
    harness = two_account_harness
    attacker = harness.client("ecr", access_key="other-key", secret="other-secret")
    victim = harness.client("ecr")
    victim.create_repository(repositoryName="app")
    put_image(victim, repositoryName="app", imageManifest=manifest(marker="a"), imageTag="v1")
    # The attacker names the victim's registry as a destination and deletes the very same image in its own.
    attacker.put_replication_configuration(replicationConfiguration={"rules": [
        {"destinations": [{"region": "us-east-1", "registryId": ACCOUNT}], "deleteReplication": {"enabled": True}}]})
    attacker.create_repository(repositoryName="app")
    put_image(attacker, repositoryName="app", imageManifest=manifest(marker="a"), imageTag="v1")
    attacker.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    assert [image["imageTag"] for image in victim.list_images(repositoryName="app")["imageIds"]] == ["v1"]
    # Nor can it start a backfill on, or read the backfills of, the victim's registry.
    for call, kwargs in ((attacker.start_replication_backfill,
                          {"registryId": ACCOUNT, "destination": {"region": "eu-west-1", "registryId": OTHER_ACCOUNT}}),
                         (attacker.list_replication_backfills, {"registryId": ACCOUNT})):
        assert error_of(call, **kwargs)[0] in DENIED


# ------------------------------------------------------------------------------------------------ account properties
def test_the_account_property_map_is_bounded(aws):
    """IAM keeps role manager's one property whatever a put carries beside it (tests/iam/test_stackd_recordings.py):
    a put of many properties stores one, and one of other namespaces is refused."""
    iam = aws.client("iam")
    many = {"RoleManager/Enabled": "false", **{f"RoleManager/p{n}": "v" for n in range(500)}}
    iam.put_account_properties(Properties=many)
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}
    assert error_of(iam.put_account_properties, Properties={f"N{n}/p": "v" for n in range(50)})[0] == \
        "InvalidInput"
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}


# ------------------------------------------------------------------------------------------------ condition answers
_VALUES = ["1", 1, 1.0, True, "true", "TRUE", "True", 0, False, "", "10.0.0.1", "arn:aws:iam::1:role/a",
           "ARN:aws:iam::1:role/A", "2024-01-01T00:00:00Z", 1704067200, "MiXeD", "mixed", "\u212a", "k", 2**70,
           datetime(2024, 1, 1, tzinfo=UTC), "1e3", 1000, "nan", float("inf"), "AQID", b"\x01\x02\x03", ["1", "2"], []]
_CONDITIONS = [
    ("StringEquals", "1"), ("StringNotEquals", "true"), ("StringEqualsIgnoreCase", "mixed"),
    ("StringNotEqualsIgnoreCase", "k"), ("StringLike", "arn:*"), ("NumericEquals", "1"), ("NumericLessThan", "1000"),
    ("Bool", "true"), ("DateLessThan", "2024-06-01T00:00:00Z"), ("DateEquals", "1704067200"),
    ("IpAddress", "10.0.0.0/8"), ("NotIpAddress", "10.0.0.0/8"), ("ArnLike", "arn:aws:iam::1:role/*"),
    ("ArnNotEquals", "arn:aws:iam::1:role/a"), ("BinaryEquals", "AQID"), ("ForAnyValue:StringEquals", "1"),
    ("ForAllValues:StringNotEquals", "2"), ("StringEqualsIfExists", "1"), ("NumericNotEqualsIfExists", "1"),
    ("StringEquals", "${aws:username}"), ("ForAnyValue:StringLike", "a*"), ("StringNotLikeIfExists", "a?"),
]


@pytest.mark.parametrize("operator,policy_value", _CONDITIONS)
def test_a_remembered_condition_answer_is_the_uncached_answer(operator, policy_value):
    from mockrunner.iam_engine.conditions.block import compile_block

    (condition,) = compile_block({operator: {"k:Key": policy_value}}, True)
    for rounds in range(3):  # the first round fills the answer tables, the others read them
        for value in _VALUES * 2:
            ctx = {"k:key": value}
            assert condition.test(ctx) == condition._evaluate(ctx), (operator, value, rounds)
    for ctx in ({}, {"k:key": None}, {"k:key": []}, {"other": "1"}):  # missing: the answer decided at compile time
        assert condition.test(ctx) == condition._evaluate(ctx), (operator, ctx)
    # Many distinct values: the tables stay bounded and keep answering like the general evaluation.
    for number in range(200):
        for value in (str(number), number):
            assert condition.test({"k:key": value}) == condition._evaluate({"k:key": value})


# ------------------------------------------------------------------------------------------------ state import
_DESTINATION = '"destination": {"region": "eu-west-1", "registryId": "123456789012"}'
_RULE = '{"destinations": [{"region": "eu-west-1", "registryId": "123456789012"}]}'
HOSTILE_FIELDS = {
    "a backfill destination without members": (_DESTINATION, '"destination": {}'),
    "a backfill destination of other types": (_DESTINATION, '"destination": {"region": 5, "registryId": []}'),
    "a backfill status no backfill has": ('"status": "PREPARING"', '"status": "EXPLODED"'),
    "deleteReplication as a string": (_RULE, _RULE[:-1] + ', "deleteReplication": "yes"}'),
    "a replication rule without destinations": (_RULE, '{"x": 1}'),
    "a context provider of the wrong shape": ('"context_provider": null',
                                              '"context_provider": {"SubjectSourceKey": 5, "KeyDefinitionList": "x"}'),
    "100000 account properties": ('"account_properties": {}', '"account_properties": {'
                                  + ",".join(f'"a/{n}": "v"' for n in range(100000)) + "}"),
    "an account property that is no string": ('"account_properties": {}', '"account_properties": {"a/b": 5}'),
}


@pytest.fixture(scope="module")
def exported_world():
    import requests

    from tests.harness import Harness

    harness = Harness("server")
    ecr, iam = harness.client("ecr"), harness.client("iam")
    ecr.put_replication_configuration(replicationConfiguration={"rules": [json.loads(_RULE)]})
    ecr.start_replication_backfill(destination={"region": "eu-west-1", "registryId": ACCOUNT})
    iam.create_open_id_connect_provider(Url="https://issuer.example.com", ClientIDList=["app"],
                                        ThumbprintList=["a" * 40])
    yield harness, requests.get(harness.endpoint_url + "/_mockrunner/state", timeout=30).text
    harness.close()


@pytest.mark.parametrize("name", HOSTILE_FIELDS)
def test_a_state_holding_a_new_field_of_the_wrong_shape_is_refused(exported_world, name):
    import requests

    harness, before = exported_world
    old, new = HOSTILE_FIELDS[name]
    assert old in before
    response = requests.put(harness.endpoint_url + "/_mockrunner/state", data=before.replace(old, new, 1).encode(),
                            headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "InvalidState"
    # Nothing changed, and what reads those fields still answers.
    ecr = harness.client("ecr")
    assert ecr.describe_registry()["replicationConfiguration"]["rules"] == [json.loads(_RULE)]
    assert len(ecr.list_replication_backfills()["backfills"]) == 1
    harness.client("iam").get_open_id_connect_provider(
        OpenIDConnectProviderArn=f"arn:aws:iam::{ACCOUNT}:oidc-provider/issuer.example.com")


def test_starting_and_stopping_backfills_in_a_loop_keeps_the_registry_bounded(aws):
    from datetime import timedelta

    from mockrunner.model.ecr import ReplicationBackfill
    from mockrunner.services.ecr.replication_backfill import MAX_RETAINED

    ecr = aws.client("ecr")
    destination = {"region": "eu-west-1", "registryId": ACCOUNT}
    ecr.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [destination]}]})
    for _ in range(3):  # what a loop does, a few times over the wire (no delay here: each ends at once)
        started = ecr.start_replication_backfill(destination=destination)["replicationBackfillId"]
        assert ecr.list_replication_backfills()["backfills"][-1]["status"] in ("COMPLETE", "STOPPED")
    # The rest of a long loop's work as state: ended backfills up to the bound, the first ended the oldest.
    state = aws.store.account(ACCOUNT).region("us-east-1").ecr
    now = aws.store.clock.now()
    with aws.store.lock:
        for index in range(MAX_RETAINED - 3):
            moment = now - timedelta(seconds=MAX_RETAINED - index)
            state.replication_backfills[f"seeded-{index}"] = ReplicationBackfill(
                f"seeded-{index}", dict(destination), moment, moment, moment, status="STOPPED", ended_at=moment)
    newest = ecr.start_replication_backfill(destination=destination)["replicationBackfillId"]
    assert len(state.replication_backfills) == MAX_RETAINED
    assert "seeded-0" not in state.replication_backfills and newest in state.replication_backfills
    assert started in state.replication_backfills, "the most recently ended are kept"


def test_revoking_a_role_s_older_sessions_reaches_their_scoped_credentials(aws):
    session = _role_session(aws)
    cutoff = (aws.store.clock.now().timestamp() + 30)
    aws.store.clock.advance(60)
    # What the console's "Revoke active sessions" attaches: deny sessions issued before the cutoff.
    aws.client("iam").put_role_policy(RoleName="agent", PolicyName="revoke", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "apprunner:*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:TokenIssueTime": datetime.fromtimestamp(cutoff, UTC).strftime(
             "%Y-%m-%dT%H:%M:%SZ")}}}))
    assert error_of(aws.client_for(session, "apprunner").list_services)[0] in DENIED
    # Scoped credentials minted now are the same, revoked session: never more than it.
    scoped = _scoped(aws, session, "*")
    assert error_of(aws.client_for(scoped, "apprunner").list_services)[0] in DENIED
    # A session issued after the cutoff is not revoked.
    key = user_with_key(aws, "fresh", inline={"p": doc(allow("sts:AssumeRole"))})
    fresh = aws.client_for(key, "sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="run-2")["Credentials"]
    aws.client_for(fresh, "apprunner").list_services()
