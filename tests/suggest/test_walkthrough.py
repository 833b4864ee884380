"""The README's walkthrough as a test: a deploy script run in soft mode, its suggested policy attached, the same
script passing under enforcement; and ``mockrunner policy suggest`` against a server and offline."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.engine.test_cli import run
from tests.suggest.helpers import admin, soft_settings, user_arn, user_keys

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "deploy_apprunner.py"


def _deploy(harness, keys: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "AWS_ENDPOINT_URL": harness.endpoint_url, "AWS_ACCESS_KEY_ID": keys["access_key"],
           "AWS_SECRET_ACCESS_KEY": keys["secret"], "AWS_DEFAULT_REGION": "us-east-1", "DEPLOY_TIMEOUT": "20"}
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    return subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def _tear_down(harness) -> None:
    """The root removes what the script made, so the second run creates everything again."""
    apprunner, iam, ecr = harness.client("apprunner"), harness.client("iam"), harness.client("ecr")
    for summary in apprunner.list_services()["ServiceSummaryList"]:
        apprunner.delete_service(ServiceArn=summary["ServiceArn"])
        apprunner.describe_service(ServiceArn=summary["ServiceArn"])  # operation_delay=0: completes the delete
    for attached in iam.list_attached_role_policies(RoleName="shop-web-ecr-access")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="shop-web-ecr-access", PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName="shop-web-ecr-access")
    ecr.delete_repository(repositoryName="shop-web", force=True)


def test_soft_mode_run_suggested_policy_then_the_same_script_passes_enforced(make_harness) -> None:
    harness = make_harness("server", soft_settings())
    keys = user_keys(harness, "deployer")
    first = _deploy(harness, keys)
    assert first.returncode == 0 and first.stdout.strip().endswith("RUNNING"), first.stderr

    status, answer = admin(harness, "get", "/policies/suggest", {"principal": user_arn("deployer")})
    assert status == 200 and answer["proof"]["allAllowed"] and answer["denied"] == answer["decisions"] > 0
    (policy,) = answer["policies"]

    assert admin(harness, "put", "/enforce", body={"mode": "on"}) == (200, {"mode": "on"})
    _tear_down(harness)
    refused = _deploy(harness, keys)
    assert refused.returncode == 1 and "AccessDenied" in refused.stderr  # enforcement is really on

    iam = harness.client("iam")
    arn = iam.create_policy(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))
    iam.attach_user_policy(UserName="deployer", PolicyArn=arn["Policy"]["Arn"])
    assert admin(harness, "delete", "/decisions")[0] == 200
    second = _deploy(harness, keys)
    assert second.returncode == 0 and second.stdout.strip().endswith("RUNNING"), second.stderr
    _, denied = admin(harness, "get", "/decisions", {"principal": user_arn("deployer"), "decision": "denied"})
    assert denied["decisions"] == []
    # The policy is least privilege: the role's policy may be attached, AdministratorAccess may not (its holder could
    # attach it to a role it may assume and so make itself an administrator).
    attach = [statement for statement in policy["document"]["Statement"]
              if "iam:AttachRolePolicy" in json.dumps(statement["Action"])]
    assert [statement.get("Condition") for statement in attach] == [{"StringEquals": {
        "iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"}}]
    deployer_iam = harness.client("iam", access_key=keys["access_key"], secret=keys["secret"])
    try:
        deployer_iam.attach_role_policy(RoleName="shop-web-ecr-access",
                                        PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    except deployer_iam.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "AccessDenied"
    else:
        raise AssertionError("the suggested policy let the deployer attach AdministratorAccess")


def test_cli_suggest_from_a_server_and_from_its_exports_agree(make_harness, tmp_path) -> None:
    harness = make_harness("server", soft_settings())
    ecr = harness.client("ecr", **user_keys(harness, "dev"))
    ecr.create_repository(repositoryName="web")
    online = run("policy", "suggest", "--url", harness.endpoint_url, "--principal", user_arn("dev"),
                 module="mockrunner.cli")
    assert online.returncode == 0, online.stderr
    (tmp_path / "state.json").write_text(json.dumps(admin(harness, "get", "/state")[1]))
    (tmp_path / "decisions.json").write_text(json.dumps(admin(harness, "get", "/decisions")[1]))
    offline = run("policy", "suggest", "--state", str(tmp_path / "state.json"), "--decisions",
                  str(tmp_path / "decisions.json"), "--principal", user_arn("dev"), module="mockrunner.cli")
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["policies"] == json.loads(online.stdout)["policies"]
    assert json.loads(online.stdout)["policies"][0]["document"]["Statement"][0]["Action"] == "ecr:CreateRepository"
    decision_id = admin(harness, "get", "/decisions", {"limit": "1"})[1]["decisions"][0]["id"]
    one = run("policy", "suggest", "--url", harness.endpoint_url, "--decision", str(decision_id),
              module="mockrunner.cli")
    assert one.returncode == 0 and json.loads(one.stdout)["where"] == "identity policy"


def test_cli_suggest_exit_status_and_errors(make_harness, tmp_path) -> None:
    harness = make_harness("server", soft_settings())
    iam = harness.client("iam")
    boundary = iam.create_policy(PolicyName="none", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    harness.client("ecr", **user_keys(harness, "dev", boundary=boundary["Policy"]["Arn"])).describe_repositories()
    uncovered = run("policy", "suggest", "--url", harness.endpoint_url, "--principal", user_arn("dev"),
                    module="mockrunner.cli")
    assert uncovered.returncode == 1 and json.loads(uncovered.stdout)["proof"]["uncovered"]
    bad = run("policy", "suggest", "--url", harness.endpoint_url, "--principal", "nobody", module="mockrunner.cli")
    assert bad.returncode == 2 and "InvalidSuggestRequest" in bad.stderr
    (tmp_path / "state.json").write_text("{}")
    missing = run("policy", "suggest", "--state", str(tmp_path / "state.json"), "--principal", user_arn("dev"),
                  module="mockrunner.cli")
    assert missing.returncode == 2 and "--decisions" in missing.stderr
