"""Least-privilege suggestions from recorded traffic: the policies, their proof, and the fix for one denial."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.suggest import build
from mockrunner.suggest.resources import generalize, reusable
from tests.suggest.helpers import ACCOUNT, admin, user_arn, user_keys

REPO = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/"


def _suggest(harness, **params) -> dict:
    status, body = admin(harness, "get", "/policies/suggest", params)
    assert status == 200, body
    return body


def _statements(answer: dict) -> list[dict]:
    return [s for policy in answer["policies"] for s in policy["document"]["Statement"]]


def test_policy_groups_actions_per_service_with_exact_resources_and_is_proven(soft) -> None:
    ecr = soft.client("ecr", **user_keys(soft, "dev"))
    ecr.create_repository(repositoryName="web")
    ecr.describe_repositories(repositoryNames=["web"])
    ecr.get_authorization_token()
    answer = _suggest(soft, principal=user_arn("dev"))
    assert answer["attachTo"] == user_arn("dev") and answer["decisions"] == 3 and answer["denied"] == 3
    statements = _statements(answer)
    assert {"Sid": "Ecr1", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"} in statements
    assert {"Sid": "Ecr2", "Effect": "Allow", "Action": ["ecr:CreateRepository", "ecr:DescribeRepositories"],
            "Resource": REPO + "web"} in statements
    assert answer["proof"] | {"assumptions": []} == {"replayed": 3, "allowed": 3, "allAllowed": True,
                                                     "uncovered": [], "assumptions": []}
    assert answer["wildcards"] == []


def test_shared_name_prefix_becomes_a_wildcard_and_says_so_unless_exact(soft) -> None:
    ecr = soft.client("ecr", **user_keys(soft, "dev"))
    for name in ("shop-web", "shop-api", "shop-worker"):
        ecr.create_repository(repositoryName=name)
    answer = _suggest(soft, principal=user_arn("dev"))
    (statement,) = _statements(answer)
    assert statement["Resource"] == REPO + "shop-*"
    assert answer["wildcards"][0]["pattern"] == REPO + "shop-*"
    assert answer["wildcards"][0]["covers"] == ["shop-api", "shop-web", "shop-worker"]
    exact = _suggest(soft, principal=user_arn("dev"), exact="1")
    assert _statements(exact)[0]["Resource"] == [REPO + "shop-api", REPO + "shop-web", REPO + "shop-worker"]
    assert exact["wildcards"] == [] and exact["proof"]["allAllowed"]


def test_since_keeps_only_later_requests(soft) -> None:
    ecr = soft.client("ecr", **user_keys(soft, "dev"))
    ecr.create_repository(repositoryName="old")
    status, log = admin(soft, "get", "/decisions", {"limit": "1"})
    since = log["decisions"][0]["time"]
    soft.store.clock.advance(5)
    ecr.create_repository(repositoryName="new")
    answer = _suggest(soft, principal=user_arn("dev"), since=since.replace("+00:00", "Z"))
    assert answer["decisions"] == 2  # the one at `since` counts
    later = soft.store.clock.now().isoformat()
    assert _suggest(soft, principal=user_arn("dev"), since=later)["decisions"] == 0


def test_boundary_and_explicit_deny_are_listed_as_not_covered(soft) -> None:
    iam = soft.client("iam")
    boundary = iam.create_policy(PolicyName="ecr-only", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
    deny = {"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny",
                                                    "Action": "ecr:DeleteRepository", "Resource": "*"}]}
    keys = user_keys(soft, "dev", boundary=boundary["Policy"]["Arn"], inline=deny)
    soft.client("ecr", **keys).create_repository(repositoryName="web")
    soft.client("ecr", **keys).delete_repository(repositoryName="web")
    soft.client("iam", **keys).list_roles()
    proof = _suggest(soft, principal=user_arn("dev"))["proof"]
    assert (proof["replayed"], proof["allowed"], proof["allAllowed"]) == (3, 1, False)
    why = {item["action"]: item["why"] for item in proof["uncovered"]}
    assert why["ecr:DeleteRepository"].startswith(f"explicitly denied by {user_arn('dev')}#inline/inline "
                                                  "statement NoDelete")
    assert why["iam:ListRoles"].startswith(f"the permissions boundary {boundary['Policy']['Arn']} does not allow")


def test_role_sessions_count_for_the_role_and_the_policy_goes_to_the_role(soft) -> None:
    iam = soft.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="ci", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    sts = soft.client("sts", **user_keys(soft, "dev"))
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="build-1")["Credentials"]
    soft.client_for(credentials, "ecr").create_repository(repositoryName="web")
    answer = _suggest(soft, principal=role)
    assert (answer["attachTo"], answer["kind"], answer["decisions"]) == (role, "role", 1)
    assert _statements(answer)[0]["Action"] == "ecr:CreateRepository"
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/build-1"
    assert _suggest(soft, principal=session)["decisions"] == 1
    assert _suggest(soft, principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/other")["decisions"] == 0


def test_pass_role_and_service_linked_role_carry_their_conditions(soft) -> None:
    from tests.apprunner.helpers import private_source, service_role

    role = service_role(soft, "access")
    apprunner = soft.client("apprunner", **user_keys(soft, "dev"))
    apprunner.create_service(ServiceName="web-app", SourceConfiguration=private_source(role))
    statements = {s["Action"] if isinstance(s["Action"], str) else s["Action"][0]: s for s in
                  _statements(_suggest(soft, principal=user_arn("dev")))}
    assert statements["iam:PassRole"]["Resource"] == role
    assert statements["iam:PassRole"]["Condition"] == {"StringEquals": {"iam:PassedToService":
                                                                         "apprunner.amazonaws.com"}}
    assert statements["iam:CreateServiceLinkedRole"]["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "apprunner.amazonaws.com"}}
    assert statements["apprunner:CreateService"]["Resource"] == \
        f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/web-app/*"


def test_one_denied_decision_gets_its_statement_and_its_place(soft) -> None:
    from tests.apprunner.helpers import private_source, service_role

    ecr = soft.client("ecr", **user_keys(soft, "dev"))
    ecr.create_repository(repositoryName="web")
    _, log = admin(soft, "get", "/decisions", {"limit": "1"})
    answer = _suggest(soft, decision=str(log["decisions"][0]["id"]))
    assert answer["where"] == "identity policy" and answer["attachTo"] == user_arn("dev")
    assert answer["statement"] == {"Effect": "Allow", "Action": "ecr:CreateRepository", "Resource": REPO + "web"}
    # A role App Runner may not assume: the decision is the service principal's, the fix goes in the trust policy.
    role = service_role(soft, "wrong-trust", service="tasks.apprunner.amazonaws.com")
    soft.client("apprunner").create_service(ServiceName="web-app", SourceConfiguration=private_source(role))
    _, log = admin(soft, "get", "/decisions", {"principal": "build.apprunner.amazonaws.com", "decision": "denied"})
    trust = _suggest(soft, decision=str(log["decisions"][-1]["id"]))
    assert (trust["where"], trust["attachTo"]) == ("trust policy", role)
    assert trust["statement"] == {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"},
                                  "Action": "sts:AssumeRole"}


def test_a_federated_users_denial_points_at_the_user_that_made_it(soft) -> None:
    """A federated user has no policies of its own: its identity layer is the policies of the IAM user that called
    GetFederationToken, which the federated user's ARN does not name; its session layer is the session policy given
    to GetFederationToken (not AssumeRole).  The fix says so and names no ARN to attach to."""
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
    narrow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}
    # dev has no policies (its federated user is refused by the identity layer), ops may use ECR (the session
    # policy it passes refuses)
    makers = {"wide": soft.client("sts", **user_keys(soft, "dev")),
              "narrow": soft.client("sts", **user_keys(soft, "ops", inline=wide))}
    for name, policy in (("wide", wide), ("narrow", narrow)):
        credentials = makers[name].get_federation_token(Name=name, Policy=json.dumps(policy))["Credentials"]
        soft.client_for(credentials, "ecr").create_repository(repositoryName=f"repo-{name}")
    federated = f"arn:aws:sts::{ACCOUNT}:federated-user/"
    answers = {}
    for name in ("wide", "narrow"):
        _, log = admin(soft, "get", "/decisions", {"principal": federated + name, "action": "ecr:CreateRepository"})
        answers[name] = _suggest(soft, decision=str(log["decisions"][-1]["id"]))
    wide_fix, narrow_fix = answers["wide"], answers["narrow"]
    assert wide_fix["where"] == "identity policy" and wide_fix["attachTo"] is None
    assert wide_fix["placement"] == ("an identity-based policy (inline or attached) of the IAM user whose credentials "
                                     f"called GetFederationToken for {federated}wide")
    assert narrow_fix["where"] == "session policy" and narrow_fix["attachTo"] is None
    assert narrow_fix["placement"] == "the session policy given to GetFederationToken for this session"
    assert narrow_fix["statement"] == {"Effect": "Allow", "Action": "ecr:CreateRepository",
                                       "Resource": REPO + "repo-narrow"}
    # The session policy (not recorded, so not replayed) always limits a federated user: the identity layer's fix
    # alone is not known to be enough.
    assert wide_fix["alsoNeededComplete"] is False


def test_explicit_deny_decision_names_the_deny_instead_of_a_statement(soft) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Sid": "No", "Effect": "Deny", "Action": "ecr:*",
                                                    "Resource": "*"}]}
    soft.client("ecr", **user_keys(soft, "dev", inline=deny)).create_repository(repositoryName="web")
    _, log = admin(soft, "get", "/decisions", {"limit": "1"})
    answer = _suggest(soft, decision=str(log["decisions"][0]["id"]))
    assert answer["decision"] == "explicitDeny" and "statement" not in answer
    assert answer["denyStatements"][0]["sid"] == "No"


@pytest.mark.parametrize("params, message", [
    ({}, "principal=ARN"),
    ({"principal": "arn:aws:s3:::bucket"}, "IAM user, role or role session ARN"),
    ({"principal": user_arn("x"), "since": "yesterday"}, "ISO 8601"),
    ({"decision": "abc"}, "decision id"),
    ({"decision": "999999999"}, "no decision 999999999"),
])
def test_bad_suggest_requests_get_a_json_400(soft, params, message) -> None:
    status, body = admin(soft, "get", "/policies/suggest", params)
    assert status == 400 and body["error"] == "InvalidSuggestRequest" and message in body["message"]


def test_enforcement_mode_can_be_read_and_switched(soft) -> None:
    assert admin(soft, "get", "/enforce") == (200, {"mode": "soft"})
    assert admin(soft, "put", "/enforce", body={"mode": "maybe"})[0] == 400
    ecr = soft.client("ecr", **user_keys(soft, "dev"))
    ecr.describe_repositories()
    assert admin(soft, "put", "/enforce", body={"mode": "on"}) == (200, {"mode": "on"})
    with pytest.raises(ClientError) as denied:
        ecr.describe_repositories()
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_reusable_names_app_runner_resources_by_name() -> None:
    base = f"arn:aws:apprunner:us-east-1:{ACCOUNT}:"
    assert reusable(base + "service/web/0123456789abcdef0123456789abcdef") == base + "service/web/*"
    assert reusable(base + "autoscalingconfiguration/fast/2/0123") == base + "autoscalingconfiguration/fast/*"
    assert reusable(REPO + "web") == REPO + "web"
    assert generalize([REPO + "ab", REPO + "abc"]) == ((REPO + "ab", REPO + "abc"), [])  # prefix too short
    assert generalize([REPO + "web", "*"]) == (("*",), [])


def test_pack_keeps_every_policy_within_the_managed_policy_limit() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    resources = [f"{REPO}{letters[i % 26]}{i:04d}-{'x' * 40}" for i in range(300)]
    statements = [{"Sid": "Ecr1", "Effect": "Allow", "Action": "ecr:DescribeRepositories",
                   "Resource": list(generalize(resources)[0])},
                  {"Sid": "Iam2", "Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}]
    documents = build.pack(statements)
    assert len(documents) >= 4
    assert all(build.size(document) <= build.MANAGED_POLICY_LIMIT for document in documents)
    packed = [r for d in documents for s in d["Statement"] if s["Action"] == "ecr:DescribeRepositories"
              for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    assert sorted(packed) == sorted(resources)
    assert documents[-1]["Statement"][-1]["Sid"] == "Iam2"
