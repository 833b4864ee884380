"""IAM's Access Troubleshooter (Preview): IAM denials name an authorization id, and the IAM Toolbox explains it.

Driven through boto3's ``iam-toolbox`` client in both modes (and raw HTTP where the wire matters): a denial's id,
given to GetRequestAuthorizationDetails, explains exactly that denial (effect, deciding policy and statement), the
way the policy simulator and the decision log do; GetRequestAuthorizationPolicy answers the document in force at
the denial; another account, another Region, an expired or unknown id find nothing; a malformed id is refused;
which denials carry an id follows the recordings (docs/behaviour.md, "IAM Access Troubleshooter (Preview)").
"""
from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from mockrunner.model.authorization_details import AuthorizationDetails, AuthorizationRecord
from mockrunner.testing.mock import mock_apprunner
from tests.dashboard.test_pages import page
from tests.harness import OTHER_ACCOUNT, Harness, authorization_id, without_authorization_id
from tests.iam.helpers import ACCOUNT, allow, doc, error_of, trust, user_with_key

JANE = f"arn:aws:iam::{ACCOUNT}:user/jane"
PROFILE = f"arn:aws:iam::{ACCOUNT}:instance-profile/my-instance-profile"
DENY_PROFILES = doc({"Sid": "NoProfiles", "Effect": "Deny", "Action": "iam:CreateInstanceProfile", "Resource": "*"},
                    allow("iam:*"))


def _jane(aws, with_key: bool = False) -> tuple:
    """User jane with the managed ``ExampleDenyPolicy`` (deny CreateInstanceProfile, allow iam:*) and an inline
    policy; returns the policy's ARN and jane's IAM client (and her key, ``with_key``)."""
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="ExampleDenyPolicy", PolicyDocument=DENY_PROFILES)["Policy"]["Arn"]
    key = user_with_key(aws, "jane", policies=(arn,), inline={"reads": doc(allow("iam:Get*"))})
    return (arn, aws.client_for(key, "iam"), key) if with_key else (arn, aws.client_for(key, "iam"))


def _denied_id(call, **kwargs) -> tuple[str, str]:
    """The AccessDenied ``call`` raises: its message before the sentence, and the id the sentence names."""
    code, message, status = error_of(call, **kwargs)
    assert (code, status) == ("AccessDenied", 403)
    return without_authorization_id(message), authorization_id(message)


def _details(client, authorization: str) -> dict:
    answer = client.get_request_authorization_details(authorizationId=authorization)
    answer.pop("ResponseMetadata")
    return answer


def test_an_explicit_deny_is_explained_by_its_id(aws):
    """The User Guide's own example, end to end: the denial's words, its id, and the details the id names."""
    arn, jane = _jane(aws)
    before, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    assert before == (f"User: {JANE} is not authorized to perform: iam:CreateInstanceProfile on resource: {PROFILE} "
                      "with an explicit deny in an identity-based policy")
    details = _details(aws.client("iam-toolbox"), found)
    assert "nextToken" not in details
    [evaluation] = details["evaluations"]
    assert (evaluation["action"], evaluation["resource"], evaluation["evaluatedEffect"]) == (
        "iam:CreateInstanceProfile", PROFILE, "EXPLICIT_DENY")
    [principal] = evaluation["checks"]
    assert (principal["checkType"], principal["evaluatedEffect"]) == ("PRINCIPAL", "EXPLICIT_DENY")
    assert principal["relevantPolicyTypes"] == ["IDENTITY_BASED_POLICY"]
    [matched] = principal["matchedPolicies"]
    assert matched["uri"] == arn
    assert {"sid": "NoProfiles", "evaluatedEffect": "DENY"} in matched["matchedStatements"]
    assert evaluation["context"]["aws:ResourceAccount"] == ACCOUNT
    context = details["requestContext"]
    assert (context["aws:PrincipalArn"], context["aws:username"], context["aws:PrincipalAccount"]) == (
        JANE, "jane", ACCOUNT)
    assert context["aws:RequestedRegion"] == "us-east-1" and "aws:CurrentTime" in context
    policies = {policy["uri"]: policy for policy in details["policies"]}
    assert policies[arn] == {"type": "IDENTITY_BASED_POLICY", "inline": False, "uri": arn,
                             "attachedTo": [{"arn": JANE}]}
    [inline] = [policy for uri, policy in policies.items() if uri != arn]
    assert inline["inline"] is True and not inline["uri"].startswith("arn:")
    assert inline["attachedTo"] == [{"arn": JANE}]
    # the decision log holds the same decision
    [entry] = [e for e in aws.store.decision_log if e["action"] == "iam:CreateInstanceProfile"]
    assert entry["decision"] == "explicitDeny"
    assert {m["policyId"] for m in entry["matchedStatements"] if m["effect"] == "Deny"} == {arn}


def test_the_explanation_agrees_with_the_policy_simulator(aws):
    """An explicit and an implicit denial: the record's effect and deciding statements are the simulator's."""
    arn, jane = _jane(aws)
    iam, toolbox = aws.client("iam"), aws.client("iam-toolbox")
    _, explicit = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    reader = aws.client_for(user_with_key(aws, "reader", inline={"reads": doc(allow("iam:GetUser"))}), "iam")
    _, implicit = _denied_id(reader.get_account_authorization_details)
    cases = ((explicit, JANE, "iam:CreateInstanceProfile", PROFILE),
             (implicit, f"arn:aws:iam::{ACCOUNT}:user/reader", "iam:GetAccountAuthorizationDetails", "*"))
    for found, user, action, resource in cases:
        [evaluation] = _details(toolbox, found)["evaluations"]
        [simulated] = iam.simulate_principal_policy(PolicySourceArn=user, ActionNames=[action],
                                                    ResourceArns=[resource])["EvaluationResults"]
        assert evaluation["evaluatedEffect"] == {"explicitDeny": "EXPLICIT_DENY", "implicitDeny": "IMPLICIT_DENY",
                                                 "allowed": "ALLOW"}[simulated["EvalDecision"]]
        denying = {policy["uri"].rsplit("/", 1)[-1] for check in evaluation["checks"]
                   for policy in check["matchedPolicies"]
                   if any(s["evaluatedEffect"] == "DENY" for s in policy["matchedStatements"])}
        simulator_denying = {m["SourcePolicyId"] for m in simulated["MatchedStatements"]
                             if simulated["EvalDecision"] == "explicitDeny"}
        assert denying == simulator_denying
    assert denying == set() and simulator_denying == set()  # the implicit case, last
    assert arn.endswith("/ExampleDenyPolicy")


def test_an_implicit_deny_names_no_policy_and_the_check_that_wanted_an_allow(aws):
    key = user_with_key(aws, "reader", inline={"reads": doc(allow("iam:GetUser"))})
    reader = aws.client_for(key, "iam")
    aws.client("iam").create_role(RoleName="fe-lab-ssm-role", AssumeRolePolicyDocument=trust(ACCOUNT))
    before, found = _denied_id(reader.get_role, RoleName="fe-lab-ssm-role")
    assert before.endswith("on resource: role fe-lab-ssm-role because no identity-based policy allows the "
                           "iam:GetRole action")
    [evaluation] = _details(aws.client("iam-toolbox"), found)["evaluations"]
    assert (evaluation["resource"], evaluation["evaluatedEffect"]) == (
        f"arn:aws:iam::{ACCOUNT}:role/fe-lab-ssm-role", "IMPLICIT_DENY")
    assert evaluation["checks"] == [{"checkType": "PRINCIPAL", "evaluatedEffect": "IMPLICIT_DENY",
                                     "relevantPolicyTypes": ["IDENTITY_BASED_POLICY"], "matchedPolicies": []}]
    assert evaluation["matchedPolicies"] == []


def test_a_boundary_and_a_session_are_checks_of_their_own(aws):
    """A role session with a boundary and a session policy: PRINCIPAL allows, the boundary allows, the session
    policy wants an allow: IMPLICIT_DENY there, and each policy is listed with what it is attached to."""
    iam = aws.client("iam")
    boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(allow("iam:*")))["Policy"]["Arn"]
    key = user_with_key(aws, "alice", inline={"assume": doc(allow("sts:AssumeRole"))})
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/alice"),
                           PermissionsBoundary=boundary)["Role"]["Arn"]
    iam.put_role_policy(RoleName="worker", PolicyName="all", PolicyDocument=doc(allow("iam:*")))
    credentials = aws.client_for(key, "sts").assume_role(RoleArn=role, RoleSessionName="work",
                                                         Policy=doc(allow("iam:GetUser")))["Credentials"]
    worker = aws.client_for(credentials, "iam")
    before, found = _denied_id(worker.get_role, RoleName="worker")
    assert before.endswith("because no session policy allows the iam:GetRole action")
    details = _details(aws.client("iam-toolbox"), found)
    [evaluation] = details["evaluations"]
    assert [(c["checkType"], c["evaluatedEffect"]) for c in evaluation["checks"]] == [
        ("PRINCIPAL", "ALLOW"), ("PERMISSIONS_BOUNDARY", "ALLOW"), ("SESSION", "IMPLICIT_DENY")]
    by_type = {policy["type"]: policy for policy in details["policies"]}
    assert by_type["PERMISSIONS_BOUNDARY"]["uri"] == boundary
    assert by_type["PERMISSIONS_BOUNDARY"]["attachedTo"] == [{"arn": role}]
    assert by_type["IDENTITY_BASED_POLICY"]["attachedTo"] == [{"arn": role}]
    session = by_type["SESSION_POLICY"]
    assert session["inline"] is True
    assert session["attachedTo"] == [{"arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/work"}]
    toolbox = aws.client("iam-toolbox")
    assert toolbox.get_request_authorization_policy(authorizationId=found, policyUri=session["uri"])[
        "policyDocument"] == json.loads(doc(allow("iam:GetUser")))


def test_the_policy_answered_is_the_one_in_force_at_the_denial(aws):
    arn, jane = _jane(aws)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    iam, toolbox = aws.client("iam"), aws.client("iam-toolbox")
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("iam:*")), SetAsDefault=True)
    iam.put_user_policy(UserName="jane", PolicyName="reads", PolicyDocument=doc(allow("iam:List*")))
    assert toolbox.get_request_authorization_policy(authorizationId=found, policyUri=arn)["policyDocument"] == (
        json.loads(DENY_PROFILES))
    [inline] = [p["uri"] for p in _details(toolbox, found)["policies"] if p["inline"]]
    assert toolbox.get_request_authorization_policy(authorizationId=found, policyUri=inline)["policyDocument"] == (
        json.loads(doc(allow("iam:Get*"))))
    # the user and its policies gone: the record is historical
    for key in iam.list_access_keys(UserName="jane")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="jane", AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName="jane", PolicyName="reads")
    iam.detach_user_policy(UserName="jane", PolicyArn=arn)
    iam.delete_user(UserName="jane")
    assert _details(toolbox, found)["evaluations"][0]["evaluatedEffect"] == "EXPLICIT_DENY"
    assert error_of(toolbox.get_request_authorization_policy, authorizationId=found,
                    policyUri="arn:aws:iam::aws:policy/AdministratorAccess")[::2] == ("ResourceNotFoundException", 404)


def test_a_policy_holding_a_number_no_double_holds_is_answered_as_its_text(aws):
    """``1e999`` as a JSON value would be written ``Infinity``, which strict JSON parsers refuse (thirty-fourth
    attacker pass): such a document is answered as the text it was written in, and the answer is strict JSON."""
    huge = doc({"Effect": "Deny", "Action": "iam:CreateInstanceProfile", "Resource": "*"},
               {"Effect": "Allow", "Action": "iam:*", "Resource": "*",
                "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 7}}}).replace(": 7}", ": 1e999}")
    key = user_with_key(aws, "jane", inline={"huge": huge})
    _, found = _denied_id(aws.client_for(key, "iam").create_instance_profile, InstanceProfileName="p")
    toolbox = aws.client("iam-toolbox")
    [inline] = [p["uri"] for p in _details(toolbox, found)["policies"] if p["inline"]]
    assert toolbox.get_request_authorization_policy(authorizationId=found, policyUri=inline)["policyDocument"] == huge
    # the other documents stay JSON values
    plain = doc({"Effect": "Deny", "Action": "iam:CreateInstanceProfile", "Resource": "*"})
    aws.client("iam").put_user_policy(UserName="jane", PolicyName="huge", PolicyDocument=plain)
    _, found = _denied_id(aws.client_for(key, "iam").create_instance_profile, InstanceProfileName="p")
    [inline] = [p["uri"] for p in _details(toolbox, found)["policies"] if p["inline"]]
    assert toolbox.get_request_authorization_policy(authorizationId=found, policyUri=inline)["policyDocument"] == (
        json.loads(plain))


def test_only_the_account_of_the_denial_may_read_it_in_its_region_for_a_day(two_account_harness):
    aws = two_account_harness
    _, jane = _jane(aws)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    other = aws.client("iam-toolbox", access_key="other-key", secret="other-secret")
    assert error_of(other.get_request_authorization_details, authorizationId=found)[::2] == (
        "ResourceNotFoundException", 404)
    assert error_of(aws.client("iam-toolbox", region="us-west-2").get_request_authorization_details,
                    authorizationId=found)[::2] == ("ResourceNotFoundException", 404)
    toolbox = aws.client("iam-toolbox")
    assert _details(toolbox, found)["evaluations"]
    aws.store.clock.advance(timedelta(hours=24).total_seconds() - 1)
    assert _details(toolbox, found)["evaluations"]
    aws.store.clock.advance(1)
    assert error_of(toolbox.get_request_authorization_details, authorizationId=found)[::2] == (
        "ResourceNotFoundException", 404)
    assert OTHER_ACCOUNT != ACCOUNT


def test_malformed_and_unknown_ids(aws):
    toolbox = aws.client("iam-toolbox")
    code, message, status = error_of(toolbox.get_request_authorization_details, authorizationId="EXAMPLE1a2b3c")
    assert (code, status) == ("ValidationException", 400)
    assert "authorizationId" in message and "[0123456789abcdefghijklmnopqrstuvwxyz]+" in message
    assert error_of(toolbox.get_request_authorization_details, authorizationId="x" * 257)[::2] == (
        "ValidationException", 400)
    assert error_of(toolbox.get_request_authorization_details, authorizationId="d3xbfwcsdoam45n7ms6nv5pl0")[::2] == (
        "ResourceNotFoundException", 404)
    assert error_of(toolbox.get_request_authorization_policy, authorizationId="d3xbfwcsdoam45n7ms6nv5pl0",
                    policyUri="x")[::2] == ("ResourceNotFoundException", 404)
    _, jane = _jane(aws)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    assert error_of(toolbox.get_request_authorization_details, authorizationId=found, nextToken="bm9wZQ")[::2] == (
        "ValidationException", 400)


def test_reading_needs_its_own_permission(aws):
    _, jane, key = _jane(aws, with_key=True)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    nobody = aws.client_for(user_with_key(aws, "nobody"), "iam-toolbox")
    code, message, status = error_of(nobody.get_request_authorization_details, authorizationId=found)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
                       "iam:GetRequestAuthorizationDetails on resource: * because no identity-based policy allows "
                       "the iam:GetRequestAuthorizationDetails action")
    details_only = aws.client_for(user_with_key(aws, "auditor", inline={"p": doc(allow(
        "iam:GetRequestAuthorizationDetails"))}), "iam-toolbox")
    assert _details(details_only, found)["evaluations"][0]["evaluatedEffect"] == "EXPLICIT_DENY"
    assert error_of(details_only.get_request_authorization_policy, authorizationId=found,
                    policyUri="x")[::2] == ("AccessDeniedException", 403)
    # jane herself may read it: her policy allows iam:*
    assert _details(aws.client_for(key, "iam-toolbox"), found)["evaluations"]


def test_which_denials_carry_an_id(aws):
    """GetRole, GetAccountProperties and an unreadable boundary's denial carry one; ListInstanceProfiles,
    ListOrganizationsFeatures and GetRoleTemplateVersion (recorded without), STS's, ECR's and App Runner's do not."""
    key = user_with_key(aws, "bare")
    iam = aws.client_for(key, "iam")
    for call, kwargs in ((iam.get_user, {}), (iam.get_account_properties, {})):
        _denied_id(call, **kwargs)
    for call, kwargs in ((iam.list_instance_profiles, {}), (iam.list_organizations_features, {}),
                         (iam.get_role_template_version,
                          {"TemplateArn": "arn:aws:iam::aws:role-template/iam.amazonaws.com/PowerUserRoleTemplate:1"}),
                         (aws.client_for(key, "sts").assume_role,
                          {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/none", "RoleSessionName": "ss"}),
                         (aws.client_for(key, "ecr").describe_repositories, {}),
                         (aws.client_for(key, "apprunner").list_services, {})):
        code, message, _status = error_of(call, **kwargs)
        assert code in ("AccessDenied", "AccessDeniedException"), (code, message)
        assert "authorization id" not in message and "Go to" not in message, message
    assert len(aws.store.authorization_details) == 2


def test_the_wire_of_a_rest_service_signed_as_iam(make_harness):
    """The toolbox signs as ``iam`` like IAM: the path tells them apart; odd requests get JSON errors, never 500
    (raw HTTP: a server only)."""
    aws = make_harness("server")
    _, jane = _jane(aws)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    credentials = Credentials("test", "test")

    def send(method: str, path: str, body: bytes = b"") -> requests.Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        request = AWSRequest(method=method, url=aws.endpoint_url + path, data=body, headers=headers)
        SigV4Auth(credentials, "iam", "us-east-1").add_auth(request)
        return requests.request(method, request.url, headers=dict(request.headers), data=body, timeout=30)

    ok = send("GET", f"/authorization-details/{found}")
    assert ok.status_code == 200 and ok.headers["Content-Type"] == "application/json"
    assert ok.json()["evaluations"][0]["evaluatedEffect"] == "EXPLICIT_DENY"
    for method, path, status, code in (("POST", f"/authorization-details/{found}", 405, "UnknownOperationException"),
                                       ("GET", f"/authorization-details/{found}/x/y", 404,
                                        "UnknownOperationException"),
                                       ("GET", "/authorization-details/", 400, "ValidationException"),
                                       ("GET", f"/authorization-details/{found}/policy", 400, "ValidationException"),
                                       ("GET", "/authorization-details/UPPER", 400, "ValidationException")):
        answer = send(method, path)
        assert (answer.status_code, answer.headers.get("x-amzn-ErrorType")) == (status, code), (path, answer.text)
        assert "message" in answer.json()
    unsigned = requests.get(f"{aws.endpoint_url}/authorization-details/{found}", timeout=30)
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # IAM's query protocol at ``/``, signed the same way, is still IAM
    listed = send("POST", "/", b"Action=ListUsers&Version=2010-05-08")
    assert listed.status_code == 200 and b"<ListUsersResponse" in listed.content


def test_mock_apprunner_in_process():
    """``mock_apprunner`` answers the ``iam-toolbox`` client like the other services."""
    with mock_apprunner():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        session = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                region_name="us-east-1")
        with pytest.raises(ClientError) as denied:
            session.client("iam").get_user()
        found = authorization_id(denied.value.response["Error"]["Message"])
        details = boto3.client("iam-toolbox", region_name="us-east-1").get_request_authorization_details(
            authorizationId=found)
        assert details["evaluations"][0]["action"] == "iam:GetUser"


def test_records_are_bounded_and_kept_a_day():
    """The store's record keeper: at most ``limit``, the oldest dropped first; none older than 24 hours."""
    from datetime import UTC, datetime

    kept = AuthorizationDetails(limit=3)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    records = [AuthorizationRecord(f"id{n}", start + timedelta(minutes=n), "us-east-1", ACCOUNT, {}, [], [])
               for n in range(4)]
    for record in records:
        kept.add(record, record.time)
    assert len(kept) == 3 and kept.get("id0", start) is None
    assert kept.get("id3", start + timedelta(hours=24, minutes=2)) is records[3]
    assert kept.get("id3", start + timedelta(hours=24, minutes=3)) is None
    kept.add(AuthorizationRecord("late", start + timedelta(days=2), "us-east-1", ACCOUNT, {}, [], []),
             start + timedelta(days=2))
    assert len(kept) == 1


def test_records_do_not_survive_the_state_file(durable):
    """A log, not state: a restart from the state file forgets the records (docs: the choice and why)."""
    _, jane = _jane(durable)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    assert _details(durable.client("iam-toolbox"), found)["evaluations"]
    with open(durable.app.state_file.path, "rb") as handle:
        assert found.encode() not in handle.read()
    restarted = Harness(durable.mode, durable.settings)
    try:
        assert error_of(restarted.client("iam-toolbox").get_request_authorization_details,
                        authorizationId=found)[::2] == ("ResourceNotFoundException", 404)
        assert restarted.client("iam").get_user(UserName="jane")["User"]["Arn"] == JANE  # the state did survive
    finally:
        restarted.close()


def test_the_dashboard_explanation_names_the_id(aws):
    """The decision page of the denied check shows the authorization id its message ended with; an allowed
    decision's page and a denial without an id show none."""
    _, jane = _jane(aws)
    _, found = _denied_id(jane.create_instance_profile, InstanceProfileName="my-instance-profile")
    entries = list(aws.store.decision_log)
    [denied] = [e["id"] for e in entries if e["action"] == "iam:CreateInstanceProfile"]
    status, text = page(aws, f"/decisions/{denied}")
    assert status == 200 and f"<code>{found}</code>" in text and 'id="authorization-id"' in text
    allowed = next(e["id"] for e in entries if e["decision"] == "allowed")
    status, text = page(aws, f"/decisions/{allowed}")
    assert status == 200 and 'id="authorization-id"' not in text
    with pytest.raises(ClientError):
        aws.client_for(user_with_key(aws, "bare"), "iam").list_instance_profiles()
    listed = [e["id"] for e in aws.store.decision_log if e["action"] == "iam:ListInstanceProfiles"][-1]
    assert 'id="authorization-id"' not in page(aws, f"/decisions/{listed}")[1]
