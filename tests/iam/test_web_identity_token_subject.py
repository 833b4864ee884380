"""GetWebIdentityToken's ``SubjectMode`` and ``Scope`` through boto3 in both modes: the default and explicit
``AWSIdentity`` subject, the ``sts:SubjectMode`` condition key, the rules for ``Scope`` and its extra action
``sts:SetWebIdentityTokenScope``, and ``OriginIdentity`` refused for sessions without a trusted identity propagation
context (every session here)."""
from __future__ import annotations

import jwt

from tests.iam.helpers import ACCOUNT, allow, doc, error_of, user_with_key

AUDIENCE = ["https://api.example.com"]


def _sts(aws, *statements):
    aws.client("iam").enable_outbound_web_identity_federation()
    key = user_with_key(aws, "ci", inline={"p": doc(*statements)})
    return aws.client("sts", key["AccessKeyId"], key["SecretAccessKey"])


def test_subject_mode_aws_identity_puts_the_callers_arn_in_sub_and_is_a_condition_key(aws):
    sts = _sts(aws, allow("sts:GetWebIdentityToken"),
               {"Effect": "Deny", "Action": "sts:GetWebIdentityToken", "Resource": "*",
                "Condition": {"StringEquals": {"sts:SubjectMode": "OriginIdentity"}}})
    for extra in ({}, {"SubjectMode": "AWSIdentity"}):
        token = sts.get_web_identity_token(Audience=AUDIENCE, SigningAlgorithm="RS256", **extra)["WebIdentityToken"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:user/ci"
        assert "scope" not in claims and "subject_mode" not in claims
    # The Deny on sts:SubjectMode = OriginIdentity applies to that mode only.
    code, message, _ = error_of(sts.get_web_identity_token, Audience=AUDIENCE, SigningAlgorithm="RS256",
                                SubjectMode="OriginIdentity")
    assert code == "AccessDenied" and "explicit deny in an identity-based policy" in message
    assert error_of(sts.get_web_identity_token, Audience=AUDIENCE, SigningAlgorithm="RS256",
                    SubjectMode="Someone")[::2] == ("ValidationError", 400)


def test_origin_identity_needs_a_trusted_identity_propagation_context(aws):
    sts = _sts(aws, allow(["sts:GetWebIdentityToken", "sts:SetWebIdentityTokenScope"]))
    code, message, status = error_of(sts.get_web_identity_token, Audience=AUDIENCE, SigningAlgorithm="RS256",
                                     SubjectMode="OriginIdentity")
    assert (code, status) == ("ValidationError", 400) and "aws:OriginIdentity/Subject" in message
    assert error_of(sts.get_web_identity_token, Audience=AUDIENCE, SigningAlgorithm="RS256",
                    SubjectMode="OriginIdentity", Scope="read write")[0] == "ValidationError"


def test_scope_rules_and_its_own_permission(aws):
    sts = _sts(aws, allow("sts:GetWebIdentityToken"))
    request = {"Audience": AUDIENCE, "SigningAlgorithm": "RS256"}
    # Only with OriginIdentity and exactly one audience; no repeated values; the model's pattern.
    for bad in ({"Scope": "read"}, {"Scope": "read", "SubjectMode": "AWSIdentity"},
                {"Scope": "read", "SubjectMode": "OriginIdentity", "Audience": ["a", "b"]},
                {"Scope": "read read", "SubjectMode": "OriginIdentity"},
                {"Scope": " read", "SubjectMode": "OriginIdentity"},
                {"Scope": 'a"b', "SubjectMode": "OriginIdentity"}):
        assert error_of(sts.get_web_identity_token, **{**request, **bad})[::2] == ("ValidationError", 400), bad
    # A valid Scope needs sts:SetWebIdentityTokenScope too.
    code, message, _ = error_of(sts.get_web_identity_token, **request, SubjectMode="OriginIdentity", Scope="read")
    assert code == "AccessDenied" and "sts:SetWebIdentityTokenScope" in message


def test_identity_token_scope_is_a_multivalued_condition_key_of_set_web_identity_token_scope(aws):
    sts = _sts(aws, allow("sts:GetWebIdentityToken"),
               allow("sts:SetWebIdentityTokenScope",
                     Condition={"ForAllValues:StringEquals": {"sts:IdentityTokenScope": ["read", "list"]}}))
    request = {"Audience": AUDIENCE, "SigningAlgorithm": "RS256", "SubjectMode": "OriginIdentity"}
    code, message, _ = error_of(sts.get_web_identity_token, **request, Scope="read write")
    assert code == "AccessDenied" and "sts:SetWebIdentityTokenScope" in message
    # Within the allowed values the request passes authorization and meets the missing context.
    assert error_of(sts.get_web_identity_token, **request, Scope="list read")[0] == "ValidationError"
