"""An attacker's seventeenth pass: the policy engine and the policy text it is fed ("a policy the engine cannot
read never allows", "would AWS allow this").  boto3 in both modes (``aws``) against CreatePolicy, PutUserPolicy,
CreateRole, AssumeRole's session policy, SetRepositoryPolicy and the simulator; the engine directly where the point
is the engine.

Findings (each has a test here that failed before its fix):

* A policy object naming a key twice was read by ``json.loads``, the last value winning: a statement written
  ``{"Effect": "Deny", ..., "Effect": "Allow"}`` was stored and granted; two ``Statement`` keys kept only the
  second.  Which value a reader takes is not something two parsers agree on, and the IAM User Guide
  ("Troubleshooting IAM policies") calls a repeated ``Statement``/``Effect``/``Action``/``Resource`` element
  incorrect.  Every policy API now refuses it: "Syntax errors in policy." (IAM, STS, the simulator, state import),
  "Invalid repository policy provided" (ECR).
* ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON) were accepted; ``NumericLessThan: Infinity`` held for every
  number.  Inline policies now answer "This policy contains invalid Json", managed ones "Syntax errors in policy.".
* Action patterns matched with Unicode case folding: ``iam:ListUſers`` (long s), ``iam:L\\u0131st*`` (dotless i)
  and a Kelvin sign for ``k`` granted ``iam:ListUsers`` etc.  Only ASCII letters fold now (every action is ASCII).
* ``StringEqualsIgnoreCase`` used ``str.casefold``: ``straße`` equalled ``STRASSE``, ``\\ufb01`` equalled ``fi``
  (a Deny ``StringNotEqualsIgnoreCase`` thereby did not deny).  It compares character by character now, as Java's
  ``equalsIgnoreCase`` does (unverified which comparison AWS uses; no per-character one changes lengths).
* Numeric operators read a value through ``float``: ``1_000``, ``Infinity`` and digits of other scripts (a tag
  value ``\\u0661`` is 1; tag values may hold any script's digits) compared as numbers.  Date operators read week
  dates, compact and space-separated forms and other scripts' digits through ``fromisoformat`` and ``\\d``.  Only
  ASCII decimals and the W3C ISO 8601 profile compare now; anything else cannot be compared and fails closed.
* Account ids, unique ids, Sids, action vendors, trust actions and partitions were checked with ``$`` (which also
  matches before a final newline) and ``\\d`` (any script's digits): a principal ``"123456789012\\n"`` or twelve
  fullwidth digits was stored, a ``Deny`` naming it silently denied nobody.  Now "Invalid principal in policy".

Probed and held (each checked against the engine and, where it applies, the API):

* ``effect``/``statement`` in other case and ``Statement`` neither object nor list: "Syntax errors in policy.";
  ``"Effect": "allow"``: "The policy failed legacy parsing"; ``Statement`` as one object equals a one-element list.
* ``Version`` 2008-10-17 or absent: ``${aws:username}`` stays literal text (no match); CreatePolicy requires
  2012-10-17.  Unterminated ``${aws:username`` and nested ``${aws:PrincipalTag/${aws:username}}`` are literal text
  around what resolves, so they match no real name; ``${aws:username}`` for a role session has no value: no match.
* ``Principal`` ``"*"`` and ``{"AWS": "*"}`` both name everyone; ``CanonicalUser`` is valid and names no caller;
  a wildcard inside a principal ARN is refused; ``NotPrincipal`` with Allow grants everyone else, with Deny denies
  everyone else (including the account's users, whose account it does not name as an ARN).
* ``NotAction`` with ``NotResource``, resource wildcards across ``:`` in the first five ARN components (they stop
  at ``:``), condition keys differing by case (one key, ANDed), values of the wrong JSON type (nested lists,
  objects, ``null``: "Syntax errors in policy."; numbers and booleans are their text), malformed CIDRs (unknown:
  never allow, still deny), dates IAM's legacy parser refuses ("The policy failed legacy parsing").
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.iam_engine import AuthzRequest, PolicyRef, evaluate, principal_from_arn
from tests.robustness.world import ACCOUNT

USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
# A statement that says Deny, then Allow: which one a JSON reader keeps is the reader's choice.
_DENY_THEN_ALLOW = ('{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", '
                    '"Effect": "Allow"}}')
_TWO_STATEMENTS = ('{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}, '
                   '"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}')


def _error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def _user(aws, name: str, policy: dict | str, tags: dict | None = None, service: str = "iam"):
    """A client of a new user ``name`` whose one inline policy is ``policy``."""
    iam = aws.client("iam")
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    iam.put_user_policy(UserName=name, PolicyName="p",
                        PolicyDocument=policy if isinstance(policy, str) else json.dumps(policy))
    return aws.client_for(iam.create_access_key(UserName=name)["AccessKey"], service)


def _allow(action: str = "iam:ListUsers", condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _can_list_users(client) -> bool:
    try:
        client.list_users()
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


# ------------------------------------------------------------------------------------------------ JSON text
@pytest.mark.parametrize("document", [_DENY_THEN_ALLOW, _TWO_STATEMENTS], ids=["effect-twice", "statement-twice"])
def test_a_policy_naming_a_key_twice_is_refused_by_every_policy_api(aws, document):
    iam, ecr = aws.client("iam"), aws.client("ecr")
    sts = _user(aws, "operator", _allow("sts:AssumeRole"), service="sts")
    iam.create_user(UserName="u")
    syntax = {"Code": "MalformedPolicyDocument", "Message": "Syntax errors in policy."}
    for call, kwargs in [
        (iam.put_user_policy, {"UserName": "u", "PolicyName": "p", "PolicyDocument": document}),
        (iam.create_policy, {"PolicyName": "p", "PolicyDocument": document}),
    ]:
        assert _error(call, **kwargs) | syntax == _error(call, **kwargs)
    role_arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]
    assert _error(sts.assume_role, RoleArn=role_arn, RoleSessionName="ss", Policy=document)["Message"] == \
        "Syntax errors in policy."
    trust = json.dumps(_TRUST)[:-3] + ', "Effect": "Deny"}]}'
    assert _error(iam.update_assume_role_policy, RoleName="r", PolicyDocument=trust)["Message"] == \
        "Syntax errors in policy."
    # The simulator's own words (recorded: radkawar/stackd, testdata/aws/iam/simulation.json, "invalid_policy_json").
    assert _error(iam.simulate_custom_policy, PolicyInputList=[document], ActionNames=["iam:ListUsers"])[
        "Message"] == "Policy input list item 1 has invalid content"
    ecr.create_repository(repositoryName="app")
    repository_policy = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", '
                         '"Action": "ecr:*", "Effect": "Allow"}]}')
    assert "Invalid repository policy provided" in _error(
        ecr.set_repository_policy, repositoryName="app", policyText=repository_policy)["Message"]
    assert iam.list_user_policies(UserName="u")["PolicyNames"] == []


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_in_a_policy_are_refused(aws, constant):
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    document = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", '
                f'"Condition": {{"NumericLessThan": {{"s3:max-keys": {constant}}}}}}}}}')
    assert _error(iam.put_user_policy, UserName="u", PolicyName="p", PolicyDocument=document) == {
        "Code": "MalformedPolicyDocument", "Message": "This policy contains invalid Json", "Type": "Sender"}
    assert _error(iam.create_policy, PolicyName="p", PolicyDocument=document)["Message"] == \
        "Syntax errors in policy."


# ------------------------------------------------------------------------------------------------ case folding
@pytest.mark.parametrize("action", ["iam:ListUſers", "iam:L\u0131stUsers"])
def test_an_action_differing_from_a_real_one_by_unicode_case_folding_grants_nothing(aws, action):
    assert not _can_list_users(_user(aws, "u", _allow(action)))


def test_an_action_in_another_ascii_case_still_matches(aws):
    assert _can_list_users(_user(aws, "u", _allow("IAM:listUSERS")))


@pytest.mark.parametrize("policy_value, tag_value, holds", [
    ("STRASSE", "straße", False),        # casefold made these equal
    ("fi", "\ufb01", False),             # the "fi" ligature
    ("STRAẞE", "straße", True),          # capital and small sharp s: one character each
    ("KELVIN", "\u212aelvin", True),     # the Kelvin sign's lower case is k
])
def test_string_equals_ignore_case_compares_character_by_character(aws, policy_value, tag_value, holds):
    client = _user(aws, "u", _allow(condition={"StringEqualsIgnoreCase": {"aws:PrincipalTag/city": policy_value}}),
                   tags={"city": tag_value})
    assert _can_list_users(client) is holds


def test_a_not_equals_ignore_case_deny_is_not_lifted_by_a_length_changing_fold(aws):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/city": "STRASSE"}}}]}
    assert not _can_list_users(_user(aws, "u", policy, tags={"city": "straße"}))


# ------------------------------------------------------------------------------------------------ numbers, dates
@pytest.mark.parametrize("tag_value, holds", [
    ("1", True), ("1.5e0", True), ("\u0661", False), ("\uff11", False), ("0_1", False), ("-Infinity", False)])
def test_numeric_operators_read_ascii_decimals_only(aws, tag_value, holds):
    client = _user(aws, "u", _allow(condition={"NumericLessThan": {"aws:PrincipalTag/level": "5"}}),
                   tags={"level": tag_value})
    assert _can_list_users(client) is holds


@pytest.mark.parametrize("tag_value, holds", [
    ("2024-01-01T10:00:00Z", True), ("2024-01-01", True), ("1700000000", True),
    ("2024-01-01 10:00", False), ("20240101T100000", False), ("2024-W01-1", False),
    ("\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660", False)])
def test_date_operators_read_the_w3c_profile_and_ascii_epoch_seconds_only(aws, tag_value, holds):
    client = _user(aws, "u", _allow(condition={"DateLessThan": {"aws:PrincipalTag/since": "2030-01-01T00:00:00Z"}}),
                   tags={"since": tag_value})
    assert _can_list_users(client) is holds


def test_a_number_or_date_the_engine_cannot_read_still_denies():
    """The negated operators under a Deny: an unreadable context value is unknown, and unknown denies."""
    for operator, value in (("NumericNotEquals", "\u0661"), ("DateNotEquals", "2024-01-01 10:00")):
        document = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {operator: {"k": "1"
             if operator.startswith("Numeric") else "2024-01-01T10:00:00Z"}}}]}
        decision = evaluate(AuthzRequest(principal=principal_from_arn(USER_ARN), action="svc:Act", resource="*",
                                         context={"k": value}, identity_policies=[PolicyRef("p", document)]))
        assert decision.decision == "explicitDeny", operator


# ------------------------------------------------------------------------------------------------ anchors
@pytest.mark.parametrize("principal", [f"{ACCOUNT}\n", "\uff11" * 12])
def test_a_principal_with_a_trailing_newline_or_other_digits_is_refused(aws, principal):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}
    error = _error(aws.client("iam").create_role, RoleName="r", AssumeRolePolicyDocument=json.dumps(trust))
    assert error["Code"] == "MalformedPolicyDocument"
    assert error["Message"].startswith("Invalid principal in policy")


@pytest.mark.parametrize("statement, message", [
    ({"Sid": "a\n"}, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
                     "expression [0-9A-Za-z]*"),
    ({"Action": "iam\n:ListUsers"}, "Vendor iam\n is not valid"),
])
def test_sids_and_vendors_ending_in_a_newline_are_refused(aws, statement, message):
    iam = aws.client("iam")
    iam.create_user(UserName="u")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers",
                                                         "Resource": "*", **statement}]}
    assert _error(iam.put_user_policy, UserName="u", PolicyName="p", PolicyDocument=json.dumps(document))[
        "Message"] == message
