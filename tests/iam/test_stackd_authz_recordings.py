"""Authorization, the policy simulator and STS as radkawar/stackd recorded them from real AWS (2026-09).

Evidence: the repository radkawar/stackd (commit 9dc356f5), files whose own fields say they were captured from real
AWS: ``testdata/aws/iam/{conditions,resource_authorization}.json``, ``testdata/aws/sts/*.json`` and
``internal/services/sts/testdata/saml_*_aws.json``. The condition-operator recordings
(``testdata/aws/iam/condition_*.json``) are engine cases in ``tests/engine/cases/recorded_stackd_conditions.json``.
Each test names its file and case; each failed before its fix unless its docstring says it held.
"""
from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlencode

import pytest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner.saml.xml import NAMESPACES
from tests.iam.federation import GITHUB, GITHUB_HOST, GITHUB_PROVIDER, github_provider, mint
from tests.iam.federation import assume as web_identity_assume
from tests.iam.helpers import ACCOUNT, allow, doc, error_of
from tests.iam.saml_federation import PROVIDER, saml_provider, saml_response
from tests.iam.saml_federation import assume as saml_assume
from tests.robustness.test_saml_attacks import _encoded, _resigned
from tests.robustness.wire import model, send

PATH = "/stackd-probes/resource-auth/"
SCOPED = [f"arn:aws:iam::{ACCOUNT}:{kind}{PATH}*" for kind in ("user", "group", "role", "instance-profile", "policy")]
"""The actor's reach in resource_authorization.json: everything IAM under the probe's path."""


def _scoped_actor(aws):
    """The recording's actor: a user allowed ``iam:*`` on the probe path only; its IAM client."""
    iam = aws.client("iam")
    iam.create_user(UserName="resource-auth-Actor", Path=PATH)
    iam.put_user_policy(UserName="resource-auth-Actor", PolicyName="scoped", PolicyDocument=doc(allow("iam:*", SCOPED)))
    key = iam.create_access_key(UserName="resource-auth-Actor")["AccessKey"]
    return aws.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])


# ------------------------------------------------------------------------------ resource_authorization.json
def test_a_name_in_another_case_names_the_entity_and_is_authorized_on_its_arn(aws):
    """resource_authorization.json, "uppercase_name": GetUser ``RESOURCE-AUTH-USER``, GetGroup, GetRole and
    GetInstanceProfile in upper case answer the entity as it is named, at its own ARN, for an actor allowed only on
    the entity's path (so the check is on that ARN, not on one built from the name given)."""
    iam = aws.client("iam")
    iam.create_user(UserName="resource-auth-User", Path=PATH)
    iam.create_group(GroupName="resource-auth-Group", Path=PATH)
    iam.create_role(RoleName="resource-auth-Role", Path=PATH, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.create_instance_profile(InstanceProfileName="resource-auth-Profile", Path=PATH)
    actor = _scoped_actor(aws)
    assert actor.get_user(UserName="RESOURCE-AUTH-USER")["User"]["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:user{PATH}resource-auth-User"
    assert actor.get_group(GroupName="RESOURCE-AUTH-GROUP")["Group"]["GroupName"] == "resource-auth-Group"
    assert actor.get_role(RoleName="RESOURCE-AUTH-ROLE")["Role"]["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:role{PATH}resource-auth-Role"
    assert actor.get_instance_profile(InstanceProfileName="RESOURCE-AUTH-PROFILE")["InstanceProfile"][
        "InstanceProfileName"] == "resource-auth-Profile"
    # "moved_user": the check follows the entity; moved off the path, it is out of the actor's reach.
    iam.update_user(UserName="resource-auth-User", NewPath="/elsewhere/")
    assert error_of(actor.get_user, UserName="RESOURCE-AUTH-USER")[0] == "AccessDenied"
    assert iam.get_user(UserName="RESOURCE-AUTH-USER")["User"]["UserName"] == "resource-auth-User"


def test_a_name_in_another_case_is_still_a_new_name_to_create(aws):
    """Held: IAM names collide without case, and a Create* is refused in the words of the name it was given."""
    iam = aws.client("iam")
    iam.create_user(UserName="resource-auth-User")
    code, message, status = error_of(iam.create_user, UserName="RESOURCE-AUTH-USER")
    assert (code, status) == ("EntityAlreadyExists", 409) and "RESOURCE-AUTH-USER" in message


def test_a_simulated_principal_at_another_path_is_the_entity_of_that_name(aws):
    """resource_authorization.json, "wrong_path": GetContextKeysForPrincipalPolicy and SimulatePrincipalPolicy for
    ``user/elsewhere/resource-auth-User`` answer for the user at ``/stackd-probes/resource-auth/`` (a path-scoped
    actor is let through: the check is on the user's own ARN)."""
    iam = aws.client("iam")
    iam.create_user(UserName="resource-auth-User", Path=PATH)
    iam.put_user_policy(UserName="resource-auth-User", PolicyName="read", PolicyDocument=doc(allow(
        "s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "probe"}})))
    actor = _scoped_actor(aws)
    wrong = f"arn:aws:iam::{ACCOUNT}:user/elsewhere/resource-auth-User"
    assert actor.get_context_keys_for_principal_policy(PolicySourceArn=wrong)["ContextKeyNames"] == [
        "aws:PrincipalTag/team"]
    result = actor.simulate_principal_policy(PolicySourceArn=wrong, ActionNames=["s3:GetObject"])
    assert result["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    # A user of that name nowhere: still NoSuchEntity.
    assert error_of(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/x/nobody",
                    ActionNames=["s3:GetObject"])[0] == "NoSuchEntity"


# ------------------------------------------------------------------------------ conditions.json (the simulator)
def _compact(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


BUCKET = "arn:aws:s3:::stackd-policy-parity"


def test_custom_policy_statements_are_iam_policies_and_resource_entries_carry_what_there_is(aws):
    """conditions.json, "explicit_deny_precedence" and "for_all_values_present_mixed_set": a matched statement of
    ``PolicyInputList`` has the SourcePolicyType "IAM Policy" at AWS's positions; a ResourceSpecificResults entry has
    MatchedStatements only when one matched and no empty MissingContextValues or EvalDecisionDetails."""
    iam = aws.client("iam")
    denied = iam.simulate_custom_policy(
        PolicyInputList=[_compact(allow("s3:GetObject"), {"Effect": "Deny", "Action": "s3:GetObject",
                                                          "Resource": "*"})],
        ActionNames=["s3:GetObject"], ResourceArns=[f"{BUCKET}/object"])["EvaluationResults"][0]
    statement = {"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
                 "StartPosition": {"Line": 1, "Column": 95}, "EndPosition": {"Line": 1, "Column": 152}}
    assert denied["EvalDecision"] == "explicitDeny" and denied["MatchedStatements"] == [statement]
    assert denied["ResourceSpecificResults"] == [{"EvalResourceName": f"{BUCKET}/object",
                                                  "EvalResourceDecision": "explicitDeny",
                                                  "MatchedStatements": [statement]}]
    mixed = iam.simulate_custom_policy(
        PolicyInputList=[_compact(allow("s3:GetObject", Condition={
            "ForAllValues:StringEquals": {"aws:TagKeys": ["owner", "team"]}}))],
        ActionNames=["s3:GetObject"], ResourceArns=[f"{BUCKET}/object"],
        ContextEntries=[{"ContextKeyName": "aws:TagKeys", "ContextKeyType": "stringList",
                         "ContextKeyValues": ["owner", "unexpected"]}])["EvaluationResults"][0]
    assert mixed["EvalDecision"] == "implicitDeny" and mixed["MatchedStatements"] == []
    assert mixed["ResourceSpecificResults"] == [{"EvalResourceName": f"{BUCKET}/object",
                                                 "EvalResourceDecision": "implicitDeny"}]


@pytest.mark.parametrize("resources, decisions", [
    ([f"{BUCKET}/folder/a:b/object", f"{BUCKET}/folder/a/b/object", f"{BUCKET}/folder/a/object/child"],
     ["allowed", "allowed", "implicitDeny"]),
])
def test_resource_wildcards_span_colons_and_slashes_in_the_resource_part(aws, resources, decisions):
    """Held: conditions.json, "resource_wildcard_colon_and_slash" and "resource_trailing_wildcard_colon"."""
    iam = aws.client("iam")
    results = iam.simulate_custom_policy(PolicyInputList=[_compact(allow("s3:GetObject", f"{BUCKET}/folder/*/object"))],
                                         ActionNames=["s3:GetObject"], ResourceArns=resources)["EvaluationResults"]
    assert [entry["EvalResourceDecision"] for entry in results[0]["ResourceSpecificResults"]] == decisions
    trailing = iam.simulate_custom_policy(
        PolicyInputList=[_compact(allow("s3:GetObject", f"{BUCKET}*"))], ActionNames=["s3:GetObject"],
        ResourceArns=[f"{BUCKET}:suffix/object", f"{BUCKET}-other/object", "arn:aws:s3:::stackd-policy-unmatched/o"])
    assert [entry["EvalResourceDecision"] for entry in trailing["EvaluationResults"][0]["ResourceSpecificResults"]] \
        == ["allowed", "allowed", "implicitDeny"]


# ------------------------------------------------------------------------------ testdata/aws/sts/*.json
@pytest.mark.parametrize("value, code", [
    ("900", None), ("0900", None), ("+900", None), (" 900 ", "MalformedInput"), ("\t900\n", "MalformedInput"),
    ("900.0", "MalformedInput"), ("9e2", "MalformedInput"), ("2147483648", "MalformedInput"),
    ("0", "ValidationError")])
def test_query_integers_that_cannot_be_read_are_malformed_input(aws, value, code):
    """sts/query_inputs.json (GetSessionToken's DurationSeconds as signed Query text): what is no 32-bit decimal
    integer is ``MalformedInput`` (400), a readable one out of its range a ``ValidationError``."""
    iam = aws.client("iam")
    iam.create_user(UserName="probe")
    key = iam.create_access_key(UserName="probe")["AccessKey"]
    body = urlencode({"Action": "GetSessionToken", "Version": "2011-06-15", "DurationSeconds": value}).encode()
    reply = send(aws.app, model("sts").operation_model("GetSessionToken"), body,
                 Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    assert (reply.code, reply.status) == ((code, 400) if code else (None, 200))


def test_a_managed_session_policy_is_read_at_each_request(aws):
    """Held: sts/managed_session_policy.json: a session made with ``PolicyArns`` loses iam:ListUsers once the
    managed policy's default version becomes a Deny."""
    iam = aws.client("iam")
    iam.create_role(RoleName="probe", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="probe", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    arn = iam.create_policy(PolicyName="session", PolicyDocument=doc(allow("iam:ListUsers")))["Policy"]["Arn"]
    iam.create_user(UserName="caller")
    iam.put_user_policy(UserName="caller", PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    key = iam.create_access_key(UserName="caller")["AccessKey"]
    sts = aws.client("sts", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/probe", RoleSessionName="probe",
                            PolicyArns=[{"arn": arn}], DurationSeconds=900)["Credentials"]
    session = aws.client("iam", access_key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
    session.list_users()
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
    assert error_of(session.list_users)[0] == "AccessDenied"


# ------------------------------------------------------------------------------ saml_aws.json (AssumeRoleWithSAML)
def _federated(aws) -> str:
    """A SAML provider (``PROVIDER``) and a role it may assume with session tags and source identity."""
    saml_provider(aws)
    return aws.client("iam").create_role(RoleName="federated", MaxSessionDuration=43200,
                                         AssumeRolePolicyDocument=doc({
                                             "Effect": "Allow", "Principal": {"Federated": PROVIDER},
                                             "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession",
                                                        "sts:SetSourceIdentity"]}))["Role"]["Arn"]


def _lifetime(aws, answer: dict) -> float:
    return answer["Credentials"]["Expiration"].timestamp() - aws.store.clock.now().timestamp()


def test_an_assertion_must_be_signed_itself(aws):
    """saml_aws.json, "response_signed" (and "unsigned"): a signature on the response alone is refused with STS's
    text; "both_signed" is taken."""
    role = _federated(aws)
    code, message, status = error_of(saml_assume, aws=aws, role_arn=role,
                                     assertion=saml_response(aws, role, sign="response"))
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert re.fullmatch(r"Response \(with optional signature\) must contain an assertion with a mandatory signature "
                        r"\(Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: "
                        r"AuthSamlInvalidSamlResponseException; Request ID: [0-9a-f-]{36}; Proxy: null\)", message)
    assert saml_assume(aws, role, saml_response(aws, role, sign="both"))["Subject"] == "alice@example.com"


@pytest.mark.parametrize("body, audience", [
    ({"recipient": "https://unrelated.example.test/saml"}, "https://unrelated.example.test/saml"),
    ({"recipient": "not-a-url"}, "not-a-url"),
    ({"recipient": "https://us-east-1.signin.aws.amazon.com/saml/acs/SAMLTESTPROVIDER"},
     "https://us-east-1.signin.aws.amazon.com/saml/acs/SAMLTESTPROVIDER"),
    ({"audience": "https://unrelated.example.test/saml"}, "https://signin.aws.amazon.com/saml"),
])
def test_any_recipient_is_the_audience_and_the_audience_restriction_is_not_held(aws, body, audience):
    """saml_aws.json, "wrong_recipient", "arbitrary_recipient", "recipient_provider_id", "wrong_audience": taken; the
    answer's Audience is the confirmation's Recipient."""
    role = _federated(aws)
    assert saml_assume(aws, role, saml_response(aws, role, **body))["Audience"] == audience


def test_a_role_pair_naming_another_role_is_an_invalid_token(aws):
    """saml_aws.json, "wrong_role"."""
    role = _federated(aws)
    other = f"arn:aws:iam::{ACCOUNT}:role/other"
    assert error_of(saml_assume, aws=aws, role_arn=role, assertion=saml_response(
        aws, None, roles=[[other, PROVIDER]])) == (
        "InvalidIdentityToken", "SAML Assertion doesn't contain the requested Role and Metadata in the attributes", 400)


def test_session_duration_only_shortens_the_session(aws):
    """saml_aws.json, "session_duration_7200" (an hour: the attribute does not lengthen the default),
    "session_duration_900" and "api_duration_7200"; "source_and_tags"; "subject_email_format" and
    "subject_arbitrary_format" (the NameID Format as it is, persistent shortened)."""
    role = _federated(aws)
    assert 3590 <= _lifetime(aws, saml_assume(aws, role, saml_response(aws, role, sessionDuration=7200))) <= 3600
    assert 890 <= _lifetime(aws, saml_assume(aws, role, saml_response(aws, role, sessionDuration=900))) <= 900
    assert _lifetime(aws, saml_assume(aws, role, saml_response(aws, role), DurationSeconds=7200)) > 7190
    tagged = saml_assume(aws, role, saml_response(aws, role, sourceIdentity="source-123", tags={"team": "a"}))
    assert tagged["SourceIdentity"] == "source-123" and tagged["SubjectType"] == "persistent"
    email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert saml_assume(aws, role, saml_response(aws, role, subjectType=email))["SubjectType"] == email
    assert saml_assume(aws, role, saml_response(aws, role, subjectType="custom-format"))["SubjectType"] == \
        "custom-format"


def _no_format(assertion):
    del assertion.find("saml:Subject/saml:NameID", NAMESPACES).attrib["Format"]


def _no_authn_statement(assertion):
    assertion.remove(assertion.find("saml:AuthnStatement", NAMESPACES))


def _no_confirmation_expiry(assertion):
    del assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData",
                       NAMESPACES).attrib["NotOnOrAfter"]


def _no_conditions(assertion):
    assertion.remove(assertion.find("saml:Conditions", NAMESPACES))


def _two_confirmations(assertion):
    subject = assertion.find("saml:Subject", NAMESPACES)
    subject.append(copy.deepcopy(subject.find("saml:SubjectConfirmation", NAMESPACES)))


@pytest.mark.parametrize("change", [_no_format, _no_authn_statement, _no_confirmation_expiry, _no_conditions,
                                    _two_confirmations])
def test_an_assertion_missing_what_sts_reads_is_refused(aws, change):
    """saml_aws.json, "subject_missing_format", "no_authn_statement", "missing_subject_expiry", "no_conditions",
    "duplicate_subject_confirmation": each is "Invalid base64 SAMLResponse (...)" (a NameID without Format, taken
    as unspecified, and the others were taken before)."""
    role = _federated(aws)
    code, message, status = error_of(saml_assume, aws=aws, role_arn=role,
                                     assertion=_encoded(_resigned(aws, role, change)))
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert message.startswith("Invalid base64 SAMLResponse (Service: AWSOpenIdDiscoveryService; Status Code: 400; ")


def test_a_passed_not_on_or_after_is_an_expired_response(aws):
    """saml_aws.json, "expired_conditions" / "expired_subject": ExpiredTokenException "Response has expired"."""
    role = _federated(aws)
    assertion = saml_response(aws, role, expiresIn=60)
    aws.store.clock.advance(61)
    assert error_of(saml_assume, aws=aws, role_arn=role, assertion=assertion) == (
        "ExpiredTokenException", "Response has expired", 400)


# -------------------------------------------------------------------- saml_trust_aws.json, saml_userid_aws.json
@pytest.mark.parametrize("principal, action, message", [
    ("*", "sts:AssumeRoleWithSAML", 'AssumeRolepolicy contained an invalid principal: "STAR":"*".'),
    ("*", "sts:AssumeRole", 'AssumeRolepolicy contained an invalid principal: "STAR":"*".'),
    ({"Federated": "*"}, "sts:AssumeRoleWithSAML",
     "Federated principals must be valid domain names or SAML metadata ARNs"),
])
def test_a_trust_policy_may_not_trust_everyone_by_a_bare_star(aws, principal, action, message):
    """saml_trust_aws.json, "principal_star_create", "principal_star_assume_role_create",
    "principal_federated_star_create"."""
    assert error_of(aws.client("iam").create_role, RoleName="star", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": principal, "Action": action})) == ("MalformedPolicyDocument", message, 400)


def _trusting(aws, name: str, principal: dict, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRoleWithSAML"}
    if condition:
        statement["Condition"] = condition
    return aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=doc(statement))["Role"]["Arn"]


def _decided(aws, role: str) -> str:
    try:
        saml_assume(aws, role, saml_response(aws, role))
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "Success"


def test_every_aws_principal_is_not_a_saml_provider(aws):
    """saml_trust_aws.json, "principal_aws_star": ``{"AWS": "*"}`` does not let the provider's user in."""
    saml_provider(aws)
    assert _decided(aws, _trusting(aws, "aws-star", {"AWS": "*"})) == "AccessDenied"
    assert _decided(aws, _trusting(aws, "explicit", {"Federated": PROVIDER})) == "Success"


@pytest.mark.parametrize("condition, decision", [
    ({"Null": {"aws:PrincipalArn": "true"}}, "Success"),
    ({"Null": {"aws:PrincipalArn": "false"}}, "AccessDenied"),
    ({"StringEquals": {"aws:PrincipalArn": PROVIDER}}, "AccessDenied"),
    ({"StringEquals": {"aws:PrincipalType": "User"}}, "Success"),
    ({"StringEquals": {"aws:PrincipalType": "Federated"}}, "AccessDenied"),
    ({"StringEquals": {"aws:PrincipalType": "SAMLUser"}}, "AccessDenied"),
    ({"StringEquals": {"aws:userid": PROVIDER}}, "Success"),
    ({"StringLike": {"aws:userid": "*:*"}}, "Success"),
    ({"StringEquals": {"aws:userid": "alice@example.com"}}, "AccessDenied"),
    ({"Null": {"aws:userid": "false"}}, "Success"),
    ({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, "Success"),
])
def test_the_trust_policy_sees_a_saml_user_as_aws_does(aws, condition, decision):
    """saml_trust_aws.json and saml_userid_aws.json: for AssumeRoleWithSAML, aws:PrincipalType is ``User``,
    aws:userid the provider's ARN, aws:PrincipalAccount the provider's account, and aws:PrincipalArn absent."""
    saml_provider(aws)
    assert _decided(aws, _trusting(aws, "conditional", {"Federated": PROVIDER}, condition)) == decision


# ------------------------------------------------------------------------------ oidc/aws-trust.json, oidc/aws.json
def _web_identity_decision(aws, condition: dict | None = None, **extra) -> str:
    github_provider(aws, audiences=("client-a",))
    statement = {"Effect": "Allow", "Principal": {"Federated": GITHUB_PROVIDER},
                 "Action": "sts:AssumeRoleWithWebIdentity"}
    # IAM refuses a trust policy for GitHub's provider without a scoped :sub (oidc_trust_controls_github_aws.json)
    statement["Condition"] = {**(condition or {}), "StringLike": {f"{GITHUB_HOST}:sub": "subject-*"}}
    role = aws.client("iam").create_role(RoleName="probe", AssumeRolePolicyDocument=doc(statement))["Role"]["Arn"]
    token = mint(aws, issuer=GITHUB, claims={"aud": "client-a", "sub": "subject-probe"})
    try:
        answer = web_identity_assume(aws, role, token, **extra)
    except ClientError as error:
        return error.response["Error"]["Code"]
    assert answer["Provider"] == GITHUB_PROVIDER and answer["Audience"] == "client-a"
    assert answer["SubjectFromWebIdentityToken"] == "subject-probe"
    return "Success"


@pytest.mark.parametrize("condition, decision", [
    ({"StringEquals": {"aws:PrincipalType": "User"}}, "Success"),
    ({"StringEquals": {"aws:userid": GITHUB_PROVIDER}}, "Success"),
    ({"Null": {"aws:PrincipalArn": "true"}}, "Success"),
    ({"StringEquals": {"aws:PrincipalArn": GITHUB_PROVIDER}}, "AccessDenied"),
    ({"StringEquals": {"aws:PrincipalType": "WebIdentityUser"}}, "AccessDenied"),
])
def test_the_trust_policy_sees_a_web_identity_user_as_aws_does(aws, condition, decision):
    """oidc/aws-trust.json, "principal-type-user", "userid-provider", "principal-arn-absent", "principal-arn-provider"
    (the scenarios whose session name only the second statement lets in): as for SAML, aws:PrincipalType is ``User``,
    aws:userid the provider's ARN, no aws:PrincipalArn; and ``Provider`` is the provider's ARN ("baseline-2")."""
    assert _web_identity_decision(aws, condition) == decision


@pytest.mark.parametrize("provider_id, code", [
    ("accounts.google.com", "AccessDenied"), ("https://www.amazon.com", "AccessDenied"),
    ("custom.example.test", "AccessDenied"), ("graph.facebook.com", "IDPRejectedClaim")])
def test_a_provider_id_with_an_id_token_is_refused(aws, provider_id, code):
    """oidc/aws-trust.json, "provider-id-*": "Unrecognized OAuth provider. Do not include a provider parameter when
    submitting OpenIDConnect ID tokens"; Facebook rejects the token (it was ignored)."""
    assert _web_identity_decision(aws, ProviderId=provider_id) == code


# ---------------------------------------- iam/policy/testdata/oidc_trust_controls{,_edges,_github}_aws.json
_GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_HOST}"
_GITLAB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"
_COGNITO = "cognito-identity.amazonaws.com"
_GITHUB_REFUSAL = (f"Trust policy with trusted principal {_GITHUB_ARN} must evaluate, using StringEquals, StringLike "
                   f"or StringEqualsIgnoreCase, {GITHUB_HOST}:sub or {GITHUB_HOST}:job_workflow_ref which is not "
                   "scoped to all.")
_GITLAB_REFUSAL = ("Trust policy with trusted principal gitlab.com must evaluate, using StringEquals, StringLike or "
                   "StringEqualsIgnoreCase, gitlab.com:sub which is not scoped to all.")
_GOOGLE_REFUSAL = "Policy trusting accounts.google.com requires a StringEquals condition on an application id"


def _controlled(federated: str, condition: dict | None = None, **statement) -> dict:
    written = {"Effect": "Allow", "Principal": {"Federated": federated}, "Action": "sts:AssumeRoleWithWebIdentity",
               **statement}
    if condition is not None:
        written["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": written}


@pytest.mark.parametrize("document, message", [
    pytest.param(_controlled(_GITHUB_ARN), _GITHUB_REFUSAL, id="github-missing"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": "owned-value"}}), None,
                 id="github-StringEquals-owned-value"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": "*"}}), _GITHUB_REFUSAL,
                 id="github-StringEquals-star"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": "?"}}), None,
                 id="github-StringEquals-question"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": "*?"}}), _GITHUB_REFUSAL,
                 id="github-StringEquals-star-question"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": ""}}), _GITHUB_REFUSAL,
                 id="github-StringEquals-empty"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": ["*", "owned-value"]}}),
                 _GITHUB_REFUSAL, id="github-StringEquals-star-and-owned"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEquals": {f"{GITHUB_HOST}:sub": []}}), None,
                 id="github-StringEquals-empty-list"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringLike": {f"{GITHUB_HOST}:sub": "owned:*"}}), None,
                 id="github-StringLike-owned-star"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringNotEquals": {f"{GITHUB_HOST}:sub": "owned-value"}}),
                 _GITHUB_REFUSAL, id="github-StringNotEquals"),
    pytest.param(_controlled(_GITHUB_ARN, {"StringEqualsIfExists": {f"{GITHUB_HOST}:sub": "owned-value"}}),
                 _GITHUB_REFUSAL, id="github-StringEqualsIfExists"),
    pytest.param(_controlled(_GITHUB_ARN, {"ForAllValues:StringEquals": {f"{GITHUB_HOST}:sub": "owned-value"}}),
                 None, id="github-ForAllValues"),
    pytest.param(_controlled(_GITHUB_ARN, {"Null": {f"{GITHUB_HOST}:sub": "false"}}), _GITHUB_REFUSAL,
                 id="github-Null-false"),
    pytest.param(_controlled(_GITLAB_ARN, {"StringLike": {"gitlab.com:sub": "*"}}), _GITLAB_REFUSAL,
                 id="gitlab-StringLike-star"),
    pytest.param(_controlled(_GITLAB_ARN, {"StringEquals": {"GITLAB.COM:SUB": "owned"}}), None,
                 id="gitlab-key-in-upper-case"),
    pytest.param(_controlled(_GITLAB_ARN, {"StringEquals": {"gitlab.com:sub": "**"}}), None, id="gitlab-two-stars"),
    pytest.param(_controlled(_GITLAB_ARN, Effect="Deny"), None, id="gitlab-deny"),
    pytest.param(_controlled(_GITLAB_ARN, Action="sts:TagSession"), None, id="gitlab-tag-session-only"),
    pytest.param(_controlled(_COGNITO), "A condition block must be present for the Cognito provider",
                 id="cognito-missing"),
    pytest.param(_controlled(_COGNITO, {"StringEquals": {f"{_COGNITO}:aud": "*?"}}), None, id="cognito-star-question"),
    pytest.param(_controlled("accounts.google.com"), _GOOGLE_REFUSAL, id="google-missing"),
    pytest.param(_controlled("accounts.google.com", {"StringEquals": {"accounts.google.com:aud": "*"}}), None,
                 id="google-aud-star"),
    pytest.param(_controlled("accounts.google.com", {"StringLike": {"accounts.google.com:aud": "x"}}),
                 _GOOGLE_REFUSAL, id="google-StringLike"),
    pytest.param(_controlled("accounts.google.com", {"StringEquals": {"ACCOUNTS.GOOGLE.COM:AUD": "x"}}),
                 _GOOGLE_REFUSAL, id="google-key-in-upper-case"),
    pytest.param(_controlled("www.amazon.com", {"StringEquals": {"www.amazon.com:app_id": "x"}}), None,
                 id="amazon-app-id"),
])
def test_iam_requires_the_trust_conditions_aws_requires_of_some_providers(aws, document, message):
    """oidc_trust_controls_github_aws.json ("missing", "StringEquals:\\"*\\"", "StringEquals:\\"?\\"", ...),
    oidc_trust_controls_aws.json and oidc_trust_controls_edges_aws.json: CreateRole refuses, as
    MalformedPolicyDocument, a trust policy letting these providers' users in without a scoped condition."""
    iam = aws.client("iam")
    try:
        iam.create_role(RoleName="controlled", AssumeRolePolicyDocument=json.dumps(document))
    except ClientError as error:
        assert (error.response["Error"]["Code"], error.response["Error"]["Message"]) == (
            "MalformedPolicyDocument", message)
        return
    assert message is None
