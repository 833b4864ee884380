"""Every condition key issue 4 lists, through boto3 in both modes: a user allowed ``iam:ListUsers`` only under one
condition on that key; the condition either holds (allowed) or names another value (denied).  The request keys
(region, source IP, transport) are the ones the real request carries: the clients talk plain HTTP from 127.0.0.1 to
us-east-1."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.harness import without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, user_with_key

USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/ctx"
# (condition that holds, condition on the same key that does not)
CASES = {
    "aws:PrincipalArn": ({"ArnEquals": {"aws:PrincipalArn": USER_ARN}},
                         {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/other"}}),
    "aws:PrincipalAccount": ({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
                             {"StringEquals": {"aws:PrincipalAccount": "210987654321"}}),
    "aws:PrincipalTag": ({"StringEquals": {"aws:PrincipalTag/team": "blue"}},
                         {"StringEquals": {"aws:PrincipalTag/team": "red"}}),
    "aws:PrincipalType": ({"StringEquals": {"aws:PrincipalType": "User"}},
                          {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}),
    "aws:username": ({"StringEquals": {"aws:username": "ctx"}}, {"StringEquals": {"aws:username": "other"}}),
    "aws:userid": ({"StringLike": {"aws:userid": "AIDA*"}}, {"StringLike": {"aws:userid": "AROA*"}}),
    "aws:RequestedRegion": ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
                            {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
    "aws:SourceIp": ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    "aws:SecureTransport": ({"Bool": {"aws:SecureTransport": "false"}}, {"Bool": {"aws:SecureTransport": "true"}}),
    "aws:CurrentTime": ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
                        {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
    "aws:EpochTime": ({"NumericGreaterThan": {"aws:EpochTime": "1577836800"}},
                      {"NumericLessThan": {"aws:EpochTime": "1577836800"}}),
    "aws:MultiFactorAuthPresent": ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                                   {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
}


@pytest.mark.parametrize("holds", [True, False], ids=["holds", "fails"])
@pytest.mark.parametrize("key", list(CASES))
def test_global_condition_keys(aws, key, holds):
    condition = CASES[key][0 if holds else 1]
    user = user_with_key(aws, "ctx", tags={"team": "blue"},
                         inline={"only-if": doc(allow("iam:ListUsers", "*", Condition=condition))})
    client = aws.client_for(user, "iam")
    if holds:
        assert "ctx" in [u["UserName"] for u in client.list_users()["Users"]]
        return
    with pytest.raises(ClientError) as excinfo:
        client.list_users()
    assert excinfo.value.response["Error"]["Message"] == (
        f"User: {USER_ARN} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ "
        "because no identity-based policy allows the iam:ListUsers action")
    entry = [e for e in aws.store.decision_log if e["action"] == "iam:ListUsers"][-1]
    assert entry["decision"] == "implicitDeny" and entry["principal"] == USER_ARN


def test_iam_request_keys(aws):
    """iam:PolicyARN, iam:PermissionsBoundary, aws:RequestTag/*, aws:TagKeys from the request's parameters."""
    created = aws.client("iam").create_policy(PolicyName="boundary", PolicyDocument=doc(allow("s3:*")))
    boundary = created["Policy"]["Arn"]
    read_only = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    policy = doc(
        allow("iam:AttachUserPolicy", "*", Condition={"ArnEquals": {"iam:PolicyARN": read_only}}),
        allow("iam:CreateUser", "*", Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}}),
        allow("iam:TagUser", "*", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]},
                                             "StringEquals": {"aws:RequestTag/project": "apollo"}}),
    )
    client = aws.client_for(user_with_key(aws, "admin-ish", inline={"keys": policy}), "iam")
    client.create_user(UserName="bounded", PermissionsBoundary=boundary)
    with pytest.raises(ClientError):
        client.create_user(UserName="unbounded")
    client.attach_user_policy(UserName="bounded", PolicyArn=read_only)
    with pytest.raises(ClientError) as excinfo:
        client.attach_user_policy(UserName="bounded", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert "iam:AttachUserPolicy on resource: user bounded because no identity-based policy allows" in (
        excinfo.value.response["Error"]["Message"])
    client.tag_user(UserName="bounded", Tags=[{"Key": "project", "Value": "apollo"}])
    for tags in ([{"Key": "project", "Value": "gemini"}], [{"Key": "project", "Value": "apollo"},
                                                          {"Key": "owner", "Value": "me"}]):
        with pytest.raises(ClientError):
            client.tag_user(UserName="bounded", Tags=tags)
    root = aws.client("iam")
    assert root.list_user_tags(UserName="bounded")["Tags"] == [{"Key": "project", "Value": "apollo"}]
    assert [p["PolicyArn"] for p in root.list_attached_user_policies(UserName="bounded")["AttachedPolicies"]] == [
        read_only]
    assert "unbounded" not in [u["UserName"] for u in root.list_users()["Users"]]


def test_denial_names_groups_and_policies_as_iam_does(aws):
    """"group <name>" and "policy <arn>" (Terraform / Greengrass logs quote these), ARN for Create*."""
    root = aws.client("iam")
    root.create_group(GroupName="deploy-group")
    arn = root.create_policy(PolicyName="s3-access", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    client = aws.client_for(user_with_key(aws, "nobody"), "iam")
    expected = {
        (client.get_group, (("GroupName", "deploy-group"),)): "iam:GetGroup on resource: group deploy-group",
        (client.get_policy, (("PolicyArn", arn),)): f"iam:GetPolicy on resource: policy {arn}",
        (client.create_group, (("GroupName", "g2"),)): f"iam:CreateGroup on resource: arn:aws:iam::{ACCOUNT}:group/g2",
    }
    for (call, kwargs), fragment in expected.items():
        with pytest.raises(ClientError) as excinfo:
            call(**dict(kwargs))
        message = without_authorization_id(excinfo.value.response["Error"]["Message"])
        assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: {fragment} "
                           f"because no identity-based policy allows the {fragment.split()[0]} action")


def test_decision_log_entry_renders_every_field(aws):
    """Entries are stored as flat tuples and rendered on read: list-valued keys, times and statements included."""
    policy = doc(allow("iam:CreateUser", "*", Sid="Tagged", Condition={"ForAllValues:StringEquals": {
        "aws:TagKeys": ["team", "env"]}}), allow("iam:TagUser"))
    user = user_with_key(aws, "ctx", inline={"create": policy})
    aws.client_for(user, "iam").create_user(UserName="made", Tags=[{"Key": "team", "Value": "x"},
                                                                   {"Key": "env", "Value": "y"}])
    entry = [e for e in aws.store.decision_log if e["action"] == "iam:CreateUser"][-1]
    assert entry["decision"] == "allowed" and entry["principal"] == USER_ARN
    assert entry["resource"] == f"arn:aws:iam::{ACCOUNT}:user/made" and entry["enforce"] == "on"
    assert entry["context"]["aws:TagKeys"] == ["team", "env"]
    assert entry["context"]["aws:RequestTag/team"] == "x" and entry["context"]["aws:SourceIp"] == "127.0.0.1"
    assert entry["matchedStatements"] == [{"policyId": f"{USER_ARN}#inline/create", "policyKind": "identity",
                                           "index": 0, "sid": "Tagged", "effect": "Allow"}]
    assert entry["time"].startswith(str(aws.store.clock.now().year)) and "T" in entry["time"]
    assert entry["message"].startswith(f"User: {USER_ARN} is allowed to perform: iam:CreateUser")


def test_decision_log_entries_are_not_tracked_by_the_garbage_collector(aws):
    """Thousands of retained entries must not make every full collection rescan them (the in-process cost)."""
    import gc

    user = user_with_key(aws, "ctx", inline={"list": doc(allow("iam:ListUsers"))})
    aws.client_for(user, "iam").list_users()
    # Two passes: a full collection appends generation 1 after generation 0, so a shared statements tuple that
    # already survived into generation 1 is examined after the new entry holding it; the entry goes the next pass.
    gc.collect()
    gc.collect()
    raw = aws.store.decision_log._entries[-1]
    assert isinstance(raw, tuple) and not gc.is_tracked(raw)


def test_decision_log_never_confuses_equal_values_of_different_types():
    """Recurring contexts are shared between entries, but 1, 1.0 and True must each come back as recorded."""
    from datetime import UTC, datetime

    from mockrunner.model.decision_log import DecisionLog, record

    log = DecisionLog(10)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for value in (True, 1, 1.0, ["a", "b"], ("a", "b")):
        log.append(record(now, "id", "p", "iam:GetUser", "*", "allowed", "m", "on", {"k": value}, ()))
    rendered = [entry["context"]["k"] for entry in log]
    assert rendered == [True, 1, 1.0, ["a", "b"], ["a", "b"]]
    assert [type(value) for value in rendered[:3]] == [bool, int, float]


def test_decision_log_renders_every_context_as_recorded():
    """Contexts of text, flags and None (kept shared between entries) and contexts with numbers, lists or dates
    (kept as they are) come back key for key, in order, whatever was recorded before or after them."""
    from datetime import UTC, datetime

    from mockrunner.model.decision_log import DecisionLog, record

    log = DecisionLog(10)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    contexts = [
        {"aws:SourceIp": "127.0.0.1", "aws:SecureTransport": False, "aws:ResourceTag/team": "platform"},
        {"aws:SecureTransport": False, "aws:SourceIp": "127.0.0.1", "aws:ResourceTag/team": "platform"},
        {"aws:SourceIp": "127.0.0.1", "aws:SecureTransport": True, "k": None},
        {"aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthAge": 0, "aws:TokenIssueTime": now, "s": "x"},
        {},
        {"aws:SourceIp": "127.0.0.1", "aws:SecureTransport": False, "aws:ResourceTag/team": "platform"},
    ]
    for context in contexts:
        log.append(record(now, "id", "p", "iam:GetUser", "*", "allowed", "m", "on", context, ()))
    rendered = [entry["context"] for entry in log]
    expected = [dict(context) for context in contexts]
    expected[3] = {"aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthAge": 0, "aws:TokenIssueTime": now.isoformat(),
                   "s": "x"}
    assert rendered == expected
    assert [list(context) for context in rendered] == [list(context) for context in expected]
