"""The policy simulator's PolicyExclusionList (SimulatePrincipalPolicy) and SCP hierarchies
(SimulateCustomPolicy's OrderedOrganizationPolicyInputList), through boto3 in both modes."""
from __future__ import annotations

from tests.iam.helpers import ACCOUNT, allow, doc, error_of

ALL = doc(allow("*"))
USER = f"arn:aws:iam::{ACCOUNT}:user/dev"


def _decision(iam, action: str, **params) -> str:
    return iam.simulate_principal_policy(PolicySourceArn=USER, ActionNames=[action], **params)[
        "EvaluationResults"][0]["EvalDecision"]


def test_excluded_policies_leave_the_simulation(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="s3", PolicyDocument=doc(allow("s3:GetObject")))
    arn = iam.create_policy(PolicyName="sqs-access", PolicyDocument=doc(allow("sqs:SendMessage")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="dev", PolicyArn=arn)
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=doc(allow("sqs:*")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="dev", PermissionsBoundary=boundary)
    assert _decision(iam, "s3:GetObject") == "implicitDeny"  # outside the boundary
    assert _decision(iam, "s3:GetObject", PolicyExclusionList=[{"PolicyType": "permission-boundary"}]) == "allowed"
    assert _decision(iam, "sqs:SendMessage") == "allowed"
    for identifier in ({"PolicyType": "user-managed"}, {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/sq?-*"}):
        assert _decision(iam, "sqs:SendMessage", PolicyExclusionList=[identifier]) == "implicitDeny", identifier
    inline = {"InlinePolicyIdentifier": {"PolicyName": "s3", "AttachmentType": "user", "AttachmentName": "dev"}}
    no_boundary = {"PolicyType": "permission-boundary"}
    assert _decision(iam, "s3:GetObject", PolicyExclusionList=[no_boundary, inline]) == "implicitDeny"
    assert _decision(iam, "s3:GetObject", PolicyExclusionList=[no_boundary, {"PolicyType": "inline"}]) == \
        "implicitDeny"
    # Valid identifiers that match nothing are ignored.
    unmatched = [no_boundary, {"PolicyType": "aws-managed"}, {"PolicyType": "scp"}, {"PolicyType": "rcp"},
                 {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/other"},
                 {"InlinePolicyIdentifier": {"PolicyName": "s3", "AttachmentType": "group", "AttachmentName": "dev"}}]
    assert _decision(iam, "s3:GetObject", PolicyExclusionList=unmatched) == "allowed"
    for bad in (f"arn:aws:iam::{ACCOUNT}:policy/*a*", "arn:aws:iam::*:policy/sqs-access", "not-an-arn-but-long-enough",
                f"arn:aws:s3:::{ACCOUNT}/policy/x"):
        code, _, status = error_of(iam.simulate_principal_policy, PolicySourceArn=USER, ActionNames=["s3:GetObject"],
                                   PolicyExclusionList=[{"PolicyArn": bad}])
        assert (code, status) == ("InvalidInput", 400), bad


def _custom(iam, action: str, levels=None) -> dict:
    params = {"OrderedOrganizationPolicyInputList": levels} if levels is not None else {}
    return iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=[action],
                                      **params)["EvaluationResults"][0]


def test_every_scp_level_must_allow_and_any_deny_wins(aws):
    iam = aws.client("iam")
    only_reads = doc(allow("s3:GetObject"))
    levels = [{"ServiceControlPolicyInputList": [ALL]}, {"ServiceControlPolicyInputList": [only_reads]},
              {"ServiceControlPolicyInputList": [ALL]}]
    read = _custom(iam, "s3:GetObject", levels)
    assert read["EvalDecision"] == "allowed"
    assert read["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert [s["SourcePolicyId"] for s in read["MatchedStatements"]] == ["PolicyInputList.1"]
    write = _custom(iam, "s3:PutObject", levels)
    assert write["EvalDecision"] == "implicitDeny" and write["MatchedStatements"] == []
    assert write["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    denied = [{"ServiceControlPolicyInputList": [ALL, doc({"Effect": "Deny", "Action": "s3:DeleteObject",
                                                            "Resource": "*"})]}]
    assert _custom(iam, "s3:DeleteObject", denied)["EvalDecision"] == "explicitDeny"
    assert _custom(iam, "s3:GetObject", denied)["EvalDecision"] == "allowed"
    # A level without SCPs is refused (recorded: radkawar/stackd, simulation.json, "organizations_empty_level").
    assert error_of(iam.simulate_custom_policy, PolicyInputList=[ALL], ActionNames=["s3:GetObject"],
                    OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": []}])[:2] == (
        "InvalidInput", "Organization policy at index 1 must contain at least one service control policy")
    assert "OrganizationsDecisionDetail" not in _custom(iam, "s3:GetObject")
    assert error_of(iam.simulate_custom_policy, PolicyInputList=[ALL], ActionNames=["s3:GetObject"],
                    OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": ["{"]}])[0] == \
        "MalformedPolicyDocument"
    code, message, _ = error_of(iam.simulate_custom_policy, PolicyInputList=[ALL], ActionNames=["s3:GetObject"],
                                OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": [ALL]}] * 8)
    assert code == "ValidationError" and "orderedOrganizationPolicyInputList" in message
