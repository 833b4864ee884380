"""An attacker's twenty-first pass: the policy engine's newest rules (NotPrincipal with Deny spares only a caller it
names entirely, NotPrincipal with Allow grants nothing, no policy variables in numeric/date/binary/IP operators, a
multivalued key without a set operator matches nothing, a variable naming a multivalued key never resolves) through
the policy simulator, resource-based and trust policies, and the decision explanations.  Real clients throughout:
boto3 in both modes, ``requests`` against a real server for the dashboard.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
GetContextKeysForCustomPolicy / ...PrincipalPolicy and     **fixed (low).** ``${aws:username}`` in a
the simulator's MissingContextValues for a policy with     ``NumericLessThan`` (``DateGreaterThan``, ``IpAddress``,
``${...}`` in a numeric, date, binary or IP address        ``BinaryEquals``) value was listed as a key the caller must
condition value                                            supply, and reported missing, although those operators
                                                           keep the text literal: no value of it changes the answer.
                                                           Only the keys that can affect evaluation are listed.
CreateRole / UpdateAssumeRolePolicy with a trust policy    **fixed (medium).** Accepted and evaluated.  The User
holding ``NotPrincipal`` (with Deny or with Allow)         Guide: "You cannot use the NotPrincipal element in an IAM
                                                           identity-based policy nor in an IAM role trust policy".
                                                           Refused: MalformedPolicyDocument "Has prohibited field
                                                           NotPrincipal" (the wording IAM uses for ``Resource`` in a
                                                           trust policy; AWS's text for this case is not public).
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Simulator ``ContextEntries``: a ``...List`` type is multivalued even with one value, so a condition without a set
  operator does not match it (a Deny so written denies nothing, an Allow allows nothing; no MatchedStatements for
  it); the scalar type of the same key matches; ``ForAnyValue:`` matches the list (pinned).  ``ipList`` and
  ``numericList`` behave alike.  A variable naming a ``stringList`` entry never resolves; naming a ``string`` entry
  does.  The simulator and real enforcement agree for a principal whose policies hit each new rule (pinned:
  ``tests/iam/test_policy_simulator.py``, principal ``set-less``).
* ECR repository policies with ``NotPrincipal``: a user named without its account is denied; user plus account
  spares it; role plus account does not spare a session, role plus session plus account does; a role ARN without
  its path spares nobody; ``NotPrincipal`` with Allow grants nothing to another account's caller it does not
  exclude; another account's user named with its account is spared.  The simulator (``ResourcePolicy`` with a
  cross-account resource) gives every caller the decision enforcement gives (pinned).
* Decision explanations (admin log, ``/_mockrunner/ui/decisions/<id>``, ``/_mockrunner/policies/suggest``) for
  decisions made by each new rule: 200 with the recorded decision, "Decision now" equal to it, the deny statement
  named for explicit denies (pinned).
* A role ARN written without the role's path (or with another) was accepted in a resource or trust policy but named
  no session of the role when evaluated.  Refused since as an invalid principal (serverless/serverless#13652;
  pinned in ``tests/iam/test_principal_ids.py``).
"""
from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, doc, ecr_user_of_the_other_account, error_of, user_with_key


def _deny(**extra) -> dict:
    return {"Effect": "Deny", "Action": "*", "Resource": "*", **extra}


# ------------------------------------------------------------------------------------------------ context keys
LITERAL_VARIABLES = doc(
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {
        "NumericLessThan": {"s3:max-keys": "${aws:username}"},
        "DateGreaterThan": {"aws:CurrentTime": "${my:date}"},
        "IpAddress": {"aws:SourceIp": "${aws:PrincipalTag/net}"},
        "BinaryEquals": {"my:blob": "${my:bytes}"},
        "StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}})


def test_context_keys_leave_out_variables_that_numeric_date_binary_and_ip_operators_keep_literal(aws):
    """The simulator's MissingContextValues leaves them out; GetContextKeysFor*Policy lists them, as AWS does
    (tests/iam/test_stackd_recordings.py, "variable_condition_numeric")."""
    iam = aws.client("iam")
    expected = ["s3:max-keys", "aws:CurrentTime", "aws:SourceIp", "my:blob", "s3:prefix", "aws:PrincipalTag/team",
                "aws:username", "my:date", "aws:PrincipalTag/net", "my:bytes"]
    custom = iam.get_context_keys_for_custom_policy(PolicyInputList=[LITERAL_VARIABLES])["ContextKeyNames"]
    assert sorted(custom) == sorted(expected)
    iam.create_user(UserName="keys")
    iam.put_user_policy(UserName="keys", PolicyName="p", PolicyDocument=LITERAL_VARIABLES)
    principal = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/keys")["ContextKeyNames"]
    assert sorted(principal) == sorted(expected)
    result = iam.simulate_custom_policy(PolicyInputList=[LITERAL_VARIABLES], ActionNames=["s3:ListBucket"],
                                        ContextEntries=[{"ContextKeyName": "s3:max-keys", "ContextKeyType": "numeric",
                                                         "ContextKeyValues": ["5"]}])["EvaluationResults"][0]
    missing = set(result["MissingContextValues"])
    assert not missing & {"aws:username", "my:date", "aws:PrincipalTag/net", "my:bytes"}
    assert "aws:PrincipalTag/team" in missing and result["EvalDecision"] == "implicitDeny"


# ------------------------------------------------------------------------------------------------ trust policies
NOT_PRINCIPAL_TRUSTS = [
    [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"},
     {"Effect": "Deny", "NotPrincipal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT]},
      "Action": "sts:AssumeRole"}],
    [{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "sts:AssumeRole"}],
]


@pytest.mark.parametrize("statements", NOT_PRINCIPAL_TRUSTS)
def test_a_role_trust_policy_cannot_hold_not_principal(aws, statements):
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert error_of(iam.create_role, RoleName="guarded", AssumeRolePolicyDocument=text)[:2] == (
        "MalformedPolicyDocument", "Has prohibited field NotPrincipal")
    assert error_of(iam.get_role, RoleName="guarded")[0] == "NoSuchEntity"
    plain = doc({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="guarded", AssumeRolePolicyDocument=plain)
    assert error_of(iam.update_assume_role_policy, RoleName="guarded", PolicyDocument=text)[:2] == (
        "MalformedPolicyDocument", "Has prohibited field NotPrincipal")
    assert iam.get_role(RoleName="guarded")["Role"]["AssumeRolePolicyDocument"] == json.loads(plain)


# ------------------------------------------------------------------------------------------------ simulator entries
def _entry(key: str, kind: str, values: list[str]) -> dict:
    return {"ContextKeyName": key, "ContextKeyType": kind, "ContextKeyValues": values}


@pytest.mark.parametrize(("policy", "entry", "decision", "matched"), [
    # A Deny without a set operator denies a single value only.
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
         _deny(Condition={"StringEquals": {"aws:TagKeys": "a"}})), _entry("aws:TagKeys", "string", ["a"]),
     "explicitDeny", 1),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
         _deny(Condition={"StringEquals": {"aws:TagKeys": "a"}})), _entry("aws:TagKeys", "stringList", ["a"]),
     "allowed", 1),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
         _deny(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}})),
     _entry("aws:TagKeys", "stringList", ["a"]), "explicitDeny", 1),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}),
     _entry("s3:max-keys", "numeric", ["5"]), "allowed", 1),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}}),
     _entry("s3:max-keys", "numericList", ["5"]), "implicitDeny", 0),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}),
     _entry("aws:SourceIp", "ipList", ["10.1.1.1"]), "implicitDeny", 0),
    # A variable naming a multivalued key never resolves, even when the list holds the one value that would match.
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"StringEquals": {"aws:TagKeys": "${aws:TagKeys}"}}}),
     _entry("aws:TagKeys", "stringList", ["a"]), "implicitDeny", 0),
])
def test_simulator_reads_list_typed_entries_as_multivalued(aws, policy, entry, decision, matched):
    result = aws.client("iam").simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:ListBucket"],
                                                      ContextEntries=[entry])["EvaluationResults"][0]
    assert result["EvalDecision"] == decision
    assert len(result["MatchedStatements"]) == matched and result["MissingContextValues"] == []


# ------------------------------------------------------------------------------------------------ resource policies
def test_not_principal_in_a_repository_policy_agrees_with_the_simulator(two_account_harness):
    aws = two_account_harness
    ecr_allow = {"p": doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})}
    callers = {f"arn:aws:iam::{ACCOUNT}:user/{name}": user_with_key(aws, name, inline=ecr_allow)
               for name in ("alice", "bob")}
    callers.update({f"arn:aws:iam::{OTHER_ACCOUNT}:user/{name}": ecr_user_of_the_other_account(aws, name)
                    for name in ("dave", "frank")})
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "OnlyThese", "Effect": "Deny", "Action": "ecr:*", "NotPrincipal": {"AWS": [
            f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:user/dave",
            f"arn:aws:iam::{OTHER_ACCOUNT}:user/frank", f"arn:aws:iam::{OTHER_ACCOUNT}:root"]}},
        {"Sid": "EveryoneButBob", "Effect": "Allow", "Action": "ecr:*",
         "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}},
        {"Sid": "Dave", "Effect": "Allow", "Action": "ecr:DescribeImages",
         "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:user/dave"}}]})
    ecr = aws.client("ecr")
    repository = ecr.create_repository(repositoryName="guarded")["repository"]["repositoryArn"]
    ecr.set_repository_policy(repositoryName="guarded", policyText=policy)
    expected = {"alice": "allowed", "bob": "explicitDeny", "dave": "allowed", "frank": "implicitDeny"}
    for arn, key in callers.items():
        before = len(aws.store.decision_log)
        try:
            aws.client_for(key, "ecr").describe_images(repositoryName="guarded", registryId=ACCOUNT)
            answered = "allowed"
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDeniedException"
            answered = "denied"
        assert answered == ("allowed" if expected[arn.rsplit("/", 1)[1]] == "allowed" else "denied"), arn
        enforced = [entry for entry in list(aws.store.decision_log)[before:] if entry["principal"] == arn]
        assert [entry["decision"] for entry in enforced] == [expected[arn.rsplit("/", 1)[1]]], arn
        own = ACCOUNT if f"::{ACCOUNT}:" in arn else OTHER_ACCOUNT
        iam = aws.client("iam") if own == ACCOUNT else aws.client("iam", access_key="other-key",
                                                                  secret="other-secret")
        simulated = iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["ecr:DescribeImages"], ResourceArns=[repository],
            ResourcePolicy=policy)["EvaluationResults"][0]
        assert simulated["EvalDecision"] == enforced[0]["decision"], arn


# ------------------------------------------------------------------------------------------------ explanations
def test_decisions_made_by_the_new_rules_are_explained(make_harness):
    aws = make_harness("server")
    key = user_with_key(aws, "alice", inline={"p": doc(
        {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:TagUser", "iam:ListRoles", "ecr:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"NumericLessThan": {"aws:EpochTime": "${aws:username}"}}},
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "${aws:username}"}}},
        {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:TagKeys": "team"}}})})
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="guarded")
    ecr.set_repository_policy(repositoryName="guarded", policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ecr:*", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}}]}))
    iam, alice_ecr = aws.client_for(key, "iam"), aws.client_for(key, "ecr")
    iam.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "red"}])  # (d): the Deny denies nothing
    for call in (iam.list_users, iam.list_roles, lambda: alice_ecr.describe_images(repositoryName="guarded")):
        with pytest.raises(ClientError):
            call()
    base = f"{aws.endpoint_url}/_mockrunner"
    log = [entry for entry in requests.get(f"{base}/decisions", timeout=30).json()["decisions"]
           if entry["principal"].endswith(":user/alice")]
    assert [(entry["action"], entry["decision"]) for entry in log] == [
        ("iam:CreateUser", "allowed"), ("iam:TagUser", "allowed"), ("iam:ListUsers", "implicitDeny"),
        ("iam:ListRoles", "explicitDeny"), ("ecr:DescribeImages", "explicitDeny")]
    for entry in log:
        page = requests.get(f"{base}/ui/decisions/{entry['id']}", timeout=30)
        assert page.status_code == 200
        assert (f'Decision now</dt><dd><span class="badge decision-{entry["decision"]}">' in page.text), entry
        suggestion = requests.get(f"{base}/policies/suggest", params={"decision": entry["id"]}, timeout=30)
        assert suggestion.status_code == 200
        fix = suggestion.json()
        assert fix["decision"] == entry["decision"]
        if entry["decision"] == "explicitDeny":
            assert [m["policyId"] for m in fix["denyStatements"]] == [m["policyId"] for m in entry["matchedStatements"]]
