"""The policy simulator through boto3: AWS's documented answers, its errors, and agreement with enforcement."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, allow, aws_error, doc, trust, user_with_key

DYNAMO_AFTER_2018 = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
                     '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
CONSOLE_STYLE = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "GrantAccessToCodeCommitListRepo",
            "Effect": "Allow",
            "Action": "codecommit:ListRepositories",
            "Resource": "*"
        }
    ]
}"""


def _time(value: str) -> list[dict]:
    return [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [value], "ContextKeyType": "date"}]


def _user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def test_custom_policy_answers_like_the_documented_example(aws):
    """The API reference's example; AWS's answers also name the SourcePolicyType "IAM Policy", which the example
    leaves out (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/conditions.json)."""
    iam = aws.client("iam")
    result = iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["dynamodb:CreateBackup"],
                                        ContextEntries=_time("2019-04-25T11:00:00Z"))
    assert result["EvaluationResults"] == [{
        "EvalActionName": "dynamodb:CreateBackup", "EvalResourceName": "*", "EvalDecision": "allowed",
        "MatchedStatements": [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
                               "StartPosition": {"Line": 1, "Column": 38},
                               "EndPosition": {"Line": 1, "Column": 167}}],
        "MissingContextValues": []}]
    assert result["IsTruncated"] is False
    early = iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["dynamodb:CreateBackup"],
                                       ContextEntries=_time("2014-04-25T11:00:00Z"))["EvaluationResults"][0]
    assert early["EvalDecision"] == "implicitDeny" and early["MatchedStatements"] == []


def test_principal_policy_positions_and_sources(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="alejandro")
    iam.put_user_policy(UserName="alejandro", PolicyName="Grant-Access-To-CodeCommit-ListRepo",
                        PolicyDocument=CONSOLE_STYLE)
    iam.attach_user_policy(UserName="alejandro", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alejandro")
    iam.put_group_policy(GroupName="devs", PolicyName="deny-delete", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}))
    managed = iam.create_policy(PolicyName="team-logs", PolicyDocument=doc(allow("logs:PutLogEvents")))["Policy"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=managed["Arn"])
    results = iam.simulate_principal_policy(
        PolicySourceArn=_user_arn("alejandro"),
        ActionNames=["codecommit:ListRepositories", "s3:DeleteBucket", "logs:PutLogEvents", "ec2:RunInstances"],
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    listed = by_action["codecommit:ListRepositories"]
    assert listed["EvalDecision"] == "allowed"
    # Inline: <kind>_<entity>_<policy>, managed: the policy's name; all "IAM Policy" (recorded from AWS:
    # radkawar/stackd, testdata/aws/iam/simulation.json, "principal_user_sources").
    # (the policy simulated last comes first: recorded, simulation.json "custom_multiple_policies_allow")
    assert listed["MatchedStatements"][-1] == {
        "SourcePolicyId": "user_alejandro_Grant-Access-To-CodeCommit-ListRepo", "SourcePolicyType": "IAM Policy",
        "StartPosition": {"Line": 3, "Column": 19}, "EndPosition": {"Line": 9, "Column": 10}}
    assert {(m["SourcePolicyId"], m["SourcePolicyType"]) for m in listed["MatchedStatements"]} == {
        ("user_alejandro_Grant-Access-To-CodeCommit-ListRepo", "IAM Policy"), ("ReadOnlyAccess", "IAM Policy")}
    denied = by_action["s3:DeleteBucket"]
    assert denied["EvalDecision"] == "explicitDeny"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in denied["MatchedStatements"]] == [
        ("group_devs_deny-delete", "IAM Policy")]
    assert [m["SourcePolicyId"] for m in by_action["logs:PutLogEvents"]["MatchedStatements"]] == ["team-logs"]
    assert by_action["ec2:RunInstances"] == {
        "EvalActionName": "ec2:RunInstances", "EvalResourceName": "*", "EvalDecision": "implicitDeny",
        # ReadOnlyAccess tests s3express:SessionMode in a condition: a key the request did not supply.
        "MatchedStatements": [], "MissingContextValues": ["s3express:SessionMode"]}


def test_boundary_detail_and_boundary_input(aws):
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="only-s3", PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    iam.create_user(UserName="bounded", PermissionsBoundary=boundary)
    iam.attach_user_policy(UserName="bounded", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    results = iam.simulate_principal_policy(PolicySourceArn=_user_arn("bounded"),
                                            ActionNames=["s3:GetObject", "ec2:RunInstances"])["EvaluationResults"]
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]) for r in results] == [
        ("allowed", {"AllowedByPermissionsBoundary": True}), ("implicitDeny", {"AllowedByPermissionsBoundary": False})]
    # An allowing boundary is reported in PermissionsBoundaryDecisionDetail only (recorded: radkawar/stackd,
    # simulation.json, "principal_attached_boundary").
    assert [m["SourcePolicyId"] for m in results[0]["MatchedStatements"]] == ["AdministratorAccess"]
    # A boundary given in the request replaces the entity's.
    given = iam.simulate_principal_policy(PolicySourceArn=_user_arn("bounded"), ActionNames=["ec2:RunInstances"],
                                          PermissionsBoundaryPolicyInputList=[doc(allow("ec2:*"))])
    result = given["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert "PermissionsBoundaryPolicyInputList.1" not in [m["SourcePolicyId"] for m in result["MatchedStatements"]]


def test_missing_context_values_and_typed_context_entries(aws):
    iam = aws.client("iam")
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*",
                       Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"},
                                  "NumericLessThan": {"s3:max-keys": "10"},
                                  "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    base = {"PolicyInputList": [policy], "ActionNames": ["s3:GetObject"]}
    star = iam.simulate_custom_policy(**base)["EvaluationResults"][0]
    assert star["MissingContextValues"] == ["aws:username", "aws:MultiFactorAuthPresent", "s3:max-keys",
                                            "aws:SourceIp"]
    entries = [{"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
                "ContextKeyType": "boolean"},
               {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["5"], "ContextKeyType": "numeric"},
               {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"},
               {"ContextKeyName": "aws:username", "ContextKeyValues": ["bob"], "ContextKeyType": "string"}]
    named = iam.simulate_custom_policy(**base, ResourceArns=["arn:aws:s3:::b/bob/key"], ContextEntries=entries)
    result = named["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed" and result["MissingContextValues"] == []
    specific = result["ResourceSpecificResults"]
    # No missing key: the entry has no MissingContextValues at all (recorded from AWS, 2026-09-11: radkawar/stackd,
    # testdata/aws/iam/conditions.json).
    assert [(s["EvalResourceName"], s["EvalResourceDecision"], s.get("MissingContextValues")) for s in specific] == [
        ("arn:aws:s3:::b/bob/key", "allowed", None)]
    entries[1]["ContextKeyValues"] = ["50"]
    too_many = iam.simulate_custom_policy(**base, ResourceArns=["arn:aws:s3:::b/bob/key"], ContextEntries=entries)
    assert too_many["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    # Partial context on a named resource: the missing keys are reported per resource.
    partial = iam.simulate_custom_policy(**base, ResourceArns=["arn:aws:s3:::b/bob/key"], ContextEntries=entries[:1])
    assert partial["EvaluationResults"][0]["ResourceSpecificResults"][0]["MissingContextValues"] == [
        "aws:username", "s3:max-keys", "aws:SourceIp"]


def test_list_typed_context_entries(aws):
    iam = aws.client("iam")
    policy = doc(allow("iam:CreateUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}))
    entry = {"ContextKeyName": "aws:TagKeys", "ContextKeyType": "stringList"}

    def decide(values: list[str]) -> str:
        return iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["iam:CreateUser"],
                                          ContextEntries=[{**entry, "ContextKeyValues": values}],
                                          )["EvaluationResults"][0]["EvalDecision"]

    assert decide(["team", "env"]) == "allowed"
    assert decide(["team", "owner"]) == "implicitDeny"


def test_resource_policy_cross_account_details(aws):
    iam = aws.client("iam")
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": _user_arn("carol")}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared/*"}]})
    iam.create_user(UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="read", PolicyDocument=doc(allow("s3:GetObject")))
    common = {"PolicySourceArn": _user_arn("carol"), "ActionNames": ["s3:GetObject"],
              "ResourceArns": ["arn:aws:s3:::shared/key"], "ResourcePolicy": bucket_policy}
    foreign = iam.simulate_principal_policy(**common, ResourceOwner="arn:aws:iam::210987654321:root")
    result = foreign["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert ("ResourcePolicy", "Resource Policy") in {(m["SourcePolicyId"], m.get("SourcePolicyType"))
                                              for m in result["MatchedStatements"]}
    # Another caller: the bucket policy names carol only, so across accounts the resource side denies.
    iam.create_user(UserName="dave")
    other = iam.simulate_principal_policy(**common, ResourceOwner="arn:aws:iam::210987654321:root",
                                          CallerArn=_user_arn("dave"))["EvaluationResults"][0]
    assert other["EvalDecision"] == "implicitDeny"
    assert other["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}


def test_validation_errors(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_principal_policy(PolicySourceArn=_user_arn("nobody"), ActionNames=["s3:GetObject"])
    # Recorded from AWS (radkawar/stackd, testdata/aws/iam/simulation.json, "principal_user_missing").
    assert aws_error(excinfo) == ("NoSuchEntity", "Unable to retrieve specified IAM entity.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.get_context_keys_for_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/nobody")
    assert aws_error(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=["not json"], ActionNames=["s3:GetObject"])
    # Recorded from AWS (simulation.json, "invalid_policy_json").
    assert aws_error(excinfo) == ("InvalidInput", "Policy input list item 1 has invalid content", 400)
    bad_context = [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["not-an-ip"], "ContextKeyType": "ip"}]
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["s3:GetObject"],
                                   ContextEntries=bad_context)
    assert aws_error(excinfo)[0::2] == ("InvalidInput", 400)
    # An option IAM does not know is ignored; a known one does not fit s3:GetObject (recorded from AWS:
    # radkawar/stackd, testdata/aws/iam/simulation.json, "resource_handling_unknown", "resource_handling_other_action").
    assert iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["s3:GetObject"],
                                      ResourceHandlingOption="EC2-Nowhere")["EvaluationResults"]
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["s3:GetObject"],
                                   ResourceHandlingOption="EC2-VPC-EBS")
    assert aws_error(excinfo)[0] == "InvalidInput"
    resource_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})
    # A role is its own caller, and may be a CallerArn (recorded from AWS: radkawar/stackd, testdata/aws/iam/
    # simulation.json, "principal_resource_policy_role", "resource_policy_caller_role"); the root may not.
    assert iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/r", ActionNames=["s3:GetObject"],
                                         ResourcePolicy=resource_policy)["EvaluationResults"][0]["EvalDecision"] == \
        "allowed"
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["s3:GetObject"],
                                   CallerArn=f"arn:aws:iam::{ACCOUNT}:root")
    assert aws_error(excinfo) == (
        "InvalidInput", "Invalid caller - Caller must be an IAM user, role or group in this context.", 400)


def test_pagination(aws):
    iam = aws.client("iam")
    actions = [f"s3:Action{index}" for index in range(5)]
    first = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    seen = [r["EvalActionName"] for r in first["EvaluationResults"]]
    marker = first["Marker"]
    while marker:
        page = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions, MaxItems=2,
                                          Marker=marker)
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
        marker = page.get("Marker")
    assert seen == actions
    paginator = iam.get_paginator("simulate_custom_policy")
    pages = list(paginator.paginate(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions,
                                    PaginationConfig={"PageSize": 3}))
    assert [len(p["EvaluationResults"]) for p in pages] == [3, 2]


def test_context_keys(aws):
    iam = aws.client("iam")
    policy = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":'
              '"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":'
              '{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}')
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"] == [
        "aws:username", "aws:CurrentTime"]
    iam.create_user(UserName="erin")
    iam.put_user_policy(UserName="erin", PolicyName="p", PolicyDocument=policy)
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="erin")
    iam.put_group_policy(GroupName="g", PolicyName="q", PolicyDocument=doc(allow(
        "s3:ListBucket", Condition={"StringLike": {"s3:prefix": "home/*"}, "StringEquals": {"AWS:username": "x"}})))
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=_user_arn("erin"))["ContextKeyNames"]
    # Each policy's keys, joined: the group's AWS:username is listed too (tests/iam/test_stackd_recordings.py).
    assert keys == ["aws:username", "aws:CurrentTime", "s3:prefix", "AWS:username"]


def test_simulation_is_authorized_on_the_principal(aws):
    key = user_with_key(aws, "auditor", inline={"sim": doc(allow(
        "iam:SimulatePrincipalPolicy", f"arn:aws:iam::{ACCOUNT}:user/audited/*"))})
    iam = aws.client("iam")
    iam.create_user(UserName="target", Path="/audited/")
    iam.create_user(UserName="other")
    auditor = aws.client_for(key, "iam")
    allowed = auditor.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/audited/target",
                                                ActionNames=["s3:GetObject"])
    assert allowed["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    with pytest.raises(ClientError) as excinfo:
        auditor.simulate_principal_policy(PolicySourceArn=_user_arn("other"), ActionNames=["s3:GetObject"])
    code, message, status = aws_error(excinfo)
    assert (code, status) == ("AccessDenied", 403) and "iam:SimulatePrincipalPolicy on resource: user other" in message
    with pytest.raises(ClientError) as excinfo:
        auditor.simulate_custom_policy(PolicyInputList=[DYNAMO_AFTER_2018], ActionNames=["s3:GetObject"])
    assert "iam:SimulateCustomPolicy on resource: *" in aws_error(excinfo)[1]


# ------------------------------------------------------------------------------------------------ agreement
_CONTEXT_TYPES = {bool: "boolean", int: "numeric", float: "numeric", str: "string"}


def _entries(context: dict[str, Any]) -> list[dict]:
    """A logged request context as ContextEntries of the matching types."""
    entries = []
    for key, value in context.items():
        if isinstance(value, list):
            kind, values = "stringList", [str(v) for v in value]
        elif isinstance(value, bool):
            kind, values = "boolean", ["true" if value else "false"]
        elif isinstance(value, datetime):
            kind, values = "date", [value.isoformat()]
        else:
            kind, values = _CONTEXT_TYPES.get(type(value), "string"), [str(value)]
        entries.append({"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": kind})
    return entries


def without_resource_account(context: dict[str, Any]) -> dict[str, Any]:
    """A logged context less ``aws:ResourceAccount``, which the simulator fills in as enforcement does."""
    return {key: value for key, value in context.items() if key.lower() != "aws:resourceaccount"}


def _calls(account: str) -> list:
    """Real calls (client -> None), each authorized by exactly one check."""
    tag = [{"Key": "team", "Value": "red"}]
    return [
        lambda c: c.get_user(UserName="subject"),
        lambda c: c.list_users(),
        lambda c: c.get_role(RoleName="secret-role"),
        lambda c: c.list_roles(PathPrefix="/"),
        lambda c: c.create_user(UserName="made-red", Tags=tag),
        lambda c: c.create_user(UserName="made-blue", Tags=[{"Key": "team", "Value": "blue"}]),
        lambda c: c.list_policies(Scope="Local"),
        lambda c: c.get_policy(PolicyArn=f"arn:aws:iam::{account}:policy/shared-read"),
        lambda c: c.list_groups(),
        lambda c: c.get_policy(PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
    ]


def _principals(aws) -> list[tuple[str, Any, dict]]:
    """(PolicySourceArn, IAM client acting as that principal, extra simulation arguments)."""
    iam = aws.client("iam")
    iam.create_user(UserName="subject", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_role(RoleName="secret-role", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    shared = iam.create_policy(PolicyName="shared-read", PolicyDocument=doc(allow(
        ["iam:GetPolicy", "iam:ListPolicies", "iam:ListGroups"])))["Policy"]["Arn"]
    boundary = iam.create_policy(PolicyName="gets-only", PolicyDocument=doc(allow("iam:Get*")))["Policy"]["Arn"]
    principals = []
    # Inline policy with conditions on the request's tags, region and the caller's own tag.
    key = user_with_key(aws, "inline-user", tags={"team": "red"}, inline={"p": doc(
        allow(["iam:CreateUser", "iam:TagUser"], Condition={"StringEquals": {"aws:RequestTag/team":
                                                                             "${aws:PrincipalTag/team}"}}),
        allow(["iam:GetUser", "iam:ListUsers"], Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        {"Effect": "Deny", "Action": "iam:GetRole", "Resource": "arn:aws:iam::*:role/secret-*"},
        allow("iam:Get*"))})
    principals.append((_user_arn("inline-user"), aws.client_for(key, "iam"), {}))
    # Managed and group policies, and a deny on the caller's source address.
    key = user_with_key(aws, "grouped", policies=(shared,))
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="grouped")
    iam.attach_group_policy(GroupName="readers", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.put_group_policy(GroupName="readers", PolicyName="no-local", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}))
    principals.append((_user_arn("grouped"), aws.client_for(key, "iam"), {}))
    # A permissions boundary narrowing AdministratorAccess.
    key = user_with_key(aws, "bounded", policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
    principals.append((_user_arn("bounded"), aws.client_for(key, "iam"), {}))
    # Conditions AWS reads against intuition: a multivalued key without a set operator matches nothing (a Deny so
    # written denies nothing); a variable naming a multivalued key never resolves; numeric and date operators keep
    # ${...} literal (never allows, still denies).
    key = user_with_key(aws, "set-less", inline={"p": doc(
        allow(["iam:CreateUser", "iam:TagUser", "iam:GetUser", "iam:ListRoles"]),
        {"Effect": "Deny", "Action": "iam:TagUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:TagKeys": "team"}}},
        {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                       "StringNotLike": {"aws:RequestTag/team": "${aws:TagKeys}"}}},
        allow("iam:ListUsers", Condition={"NumericLessThan": {"aws:EpochTime": "${aws:username}"}}),
        {"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "${aws:username}"}}},
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:RequestedRegion": "us-east-1"}}})})
    principals.append((_user_arn("set-less"), aws.client_for(key, "iam"), {}))
    # aws:ResourceAccount: the account's own resources and ``*``, an AWS managed policy's 639982225848 (which the
    # simulator must fill in itself: the test leaves the key out of ContextEntries).
    key = user_with_key(aws, "resource-accounts", inline={"p": doc(
        allow(["iam:Get*", "iam:List*"], Condition={"StringEquals": {"aws:ResourceAccount": [ACCOUNT,
                                                                                              "639982225848"]}}),
        {"Effect": "Deny", "Action": "iam:GetRole", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceAccount": ACCOUNT}}},
        {"Effect": "Deny", "Action": "iam:GetPolicy", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}},
        allow(["iam:CreateUser", "iam:TagUser"], Condition={"StringEquals": {"aws:ResourceAccount": "000000000000"}}))})
    principals.append((_user_arn("resource-accounts"), aws.client_for(key, "iam"), {}))
    # Role sessions: the role's policies, and a session policy (which intersects like a boundary).
    assumer = user_with_key(aws, "assumer", inline={"assume": doc(allow("sts:AssumeRole"))})
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(_user_arn("assumer")))
    iam.attach_role_policy(RoleName="worker", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.put_role_policy(RoleName="worker", PolicyName="no-secrets", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/secret-*"}))
    sts = aws.client_for(assumer, "sts")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/worker"
    wide = sts.assume_role(RoleArn=role_arn, RoleSessionName="wide")["Credentials"]
    principals.append((role_arn, aws.client_for(wide, "iam"), {}))
    session_policy = doc(allow(["iam:ListUsers", "iam:GetUser", "iam:CreateUser"]))
    narrow = sts.assume_role(RoleArn=role_arn, RoleSessionName="narrow", Policy=session_policy)["Credentials"]
    principals.append((role_arn, aws.client_for(narrow, "iam"),
                       {"PermissionsBoundaryPolicyInputList": [session_policy]}))
    return principals


def test_simulator_agrees_with_enforcement(aws):
    root = aws.client("iam")
    outcomes = set()
    for source_arn, client, extra in _principals(aws):
        for call in _calls(ACCOUNT):
            before = len(aws.store.decision_log)
            try:
                call(client)
                allowed = True
            except ClientError as error:
                allowed = error.response["Error"]["Code"] != "AccessDenied"
            # One check per call, two for a create with tags (the tagging action too); every one must allow.
            checks = list(aws.store.decision_log)[before:]
            assert 1 <= len(checks) <= 2
            assert all(check["decision"] == "allowed" for check in checks) is allowed
            for check in checks:
                simulated = root.simulate_principal_policy(
                    PolicySourceArn=source_arn, ActionNames=[check["action"]], ResourceArns=[check["resource"]],
                    ContextEntries=_entries(without_resource_account(check["context"])),
                    **extra)["EvaluationResults"][0]
                assert simulated["EvalDecision"] == check["decision"], (source_arn, check)
                outcomes.add(check["decision"])
    # The range covers every kind of answer.
    assert outcomes == {"allowed", "explicitDeny", "implicitDeny"}
