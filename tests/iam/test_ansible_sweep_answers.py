"""Answers the Ansible sweep (amazon.aws 10.1.2, community.aws 10.0.0) compared with AWS's recorded ones.

A session policy that is not JSON: STS answers ``MalformedPolicyDocument`` in its JSON parser's words (recorded
from AWS in amazon.aws pull request #2778: ``Policy="invalid policy"`` gave "Unexpected character ('i' (code 105)):
expected a valid value (number, String, array, object, 'true', 'false' or 'null')\\n at [Source:
java.io.StringReader@52b5743d; line: 1, column: 2]"); mockrunner answered IAM's "Syntax errors in policy.".
"""
from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.iam.helpers import ACCOUNT, aws_error, doc, trust, user_with_key

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
EXPECTED_VALUE = ("expected a valid value (number, String, array, object, 'true', 'false' or 'null')\n at [Source: "
                  "java.io.StringReader@")
OLD_MESSAGE = "The policy is not in the valid JSON format."


def _sts_and_role(aws) -> tuple[object, str]:
    aws.client("iam").create_role(RoleName="target", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    sts = aws.client_for(user_with_key(aws, "admin", policies=(ADMIN,)), "sts")
    return sts, f"arn:aws:iam::{ACCOUNT}:role/target"


def _refusal(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return aws_error(excinfo)


def _parser_message(message: str) -> tuple[str, str, int, int]:
    match = re.fullmatch(r"Unexpected character \((.*)\): (.*)([0-9a-f]{8}); line: (\d+), column: (\d+)\]", message,
                         re.S)
    assert match, message
    assert match.group(2) == EXPECTED_VALUE
    return match.group(1), match.group(3), int(match.group(4)), int(match.group(5))


def test_assume_role_with_a_session_policy_that_is_not_json_answers_the_parsers_words(aws):
    sts, role = _sts_and_role(aws)
    code, message, status = _refusal(sts.assume_role, RoleArn=role, RoleSessionName="sweep", Policy="invalid policy")
    assert (code, status) == ("MalformedPolicyDocument", 400)
    char, _, line, column = _parser_message(message)
    assert (char, line, column) == ("'i' (code 105)", 1, 2)


def test_the_position_counts_lines_and_leading_whitespace(aws):
    sts, role = _sts_and_role(aws)
    code, message, _ = _refusal(sts.assume_role, RoleArn=role, RoleSessionName="sweep", Policy="\n  <Policy/>")
    assert code == "MalformedPolicyDocument"
    assert _parser_message(message)[0::2] == ("'<' (code 60)", 2)
    assert _parser_message(message)[3] == 4


def test_every_session_policy_of_sts_is_read_the_same_way(aws):
    sts, _ = _sts_and_role(aws)
    code, message, status = _refusal(sts.get_federation_token, Name="fed", Policy="invalid policy")
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert _parser_message(message)[0] == "'i' (code 105)"


def test_broken_json_that_starts_like_json_keeps_sts_older_sentence(aws):
    sts, role = _sts_and_role(aws)
    answer = _refusal(sts.assume_role, RoleArn=role, RoleSessionName="sweep", Policy='{"Version": "2012-10-17", ')
    assert answer == ("MalformedPolicyDocument", OLD_MESSAGE, 400)


def test_json_that_is_no_policy_is_still_a_syntax_error(aws):
    sts, role = _sts_and_role(aws)
    answer = _refusal(sts.assume_role, RoleArn=role, RoleSessionName="sweep", Policy='{"Version": "2012-10-17"}')
    assert answer == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)


def test_a_valid_session_policy_still_narrows_the_session(aws):
    sts, role = _sts_and_role(aws)
    aws.client("iam").attach_role_policy(RoleName="target", PolicyArn=ADMIN)
    answer = sts.assume_role(RoleArn=role, RoleSessionName="sweep", Policy=doc({"Effect": "Allow",
                                                                            "Action": "iam:GetUser",
                                                                            "Resource": "*"}))
    assert answer["PackedPolicySize"] >= 0
    session = aws.client_for(answer["Credentials"], "iam")
    assert _refusal(session.get_role, RoleName="target")[0] == "AccessDenied"
