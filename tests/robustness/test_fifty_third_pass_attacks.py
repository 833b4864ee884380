"""The fifty-third pass: what the fifty-second pass's closing review left open, each with a test that failed before
its fix.

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
the decision page of an ECR request (TagResource) on       **fixed (medium).** ECR checked it under no resource
another Region's repository ARN, refused, where that       policy (this endpoint does not hold that repository), but
Region's registry policy allows the caller                 the page replayed it under the other Region's policies and
                                                           said "Decision now: allowed".  A replay re-reads ECR's
                                                           policies only for a request sent to the repository's own
                                                           Region (or one the log says met them).
a ``2008-10-17`` repository policy whose condition holds   **fixed (medium).** Joined with the registry policy, the
``${aws:username}``, before and after an unrelated         repository policy's statements were rewritten under
registry policy is put                                     ``2012-10-17``, so its ``${aws:username}`` became a
                                                           variable: a request it refused alone was allowed once any
                                                           registry policy existed.  Each document's statements now
                                                           keep their meaning (``${`` written ``${$}{`` when moved).
the fix for an explicit deny in an inline policy with no   **fixed (low).** The replay without the deny rewrote the
``Version``, beside an Allow on ``repository/${aws:        policy's other statements under ``2012-10-17``: the Allow
username}``                                                matched, and the fix said nothing more was needed
                                                           (``alsoNeeded`` empty, complete), while the request stayed
                                                           refused with the deny removed.
a state document whose federated session holds a subject   **fixed (low).** Imported: STS's shapes for these members
of 100,001 characters                                      set no bound.  A value longer than the SAML assertion it
                                                           came from may be is now ``InvalidState``.
an App Runner update switching a service's auto scaling    **fixed (low).** The configuration the update would go
configuration, while it runs: the previous configuration   back to if it failed was refused deletion as in use but
described, listed, deleted                                 answered ``HasAssociatedService: false``; it now says
                                                           true until the update ends (the delete's own rule).
=========================================================  ==========================================================
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.services.apprunner.autoscaling import IN_USE
from tests.apprunner.helpers import create, error_of, message
from tests.harness import MODES
from tests.robustness.test_thirty_ninth_pass_attacks import _page
from tests.suggest.helpers import ACCOUNT, admin, user_arn, user_keys


def test_a_request_on_another_regions_repository_replays_under_no_resource_policy(aws) -> None:
    keys = user_keys(aws, "dev")
    eu = aws.client("ecr", region="eu-west-1")
    repository = eu.create_repository(repositoryName="web")["repository"]["repositoryArn"]
    eu.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "LetDevTag", "Effect": "Allow", "Principal": {"AWS": user_arn("dev")},
        "Action": "ecr:TagResource", "Resource": "*"}]}))
    with pytest.raises(ClientError) as refused:
        aws.client("ecr", **keys).tag_resource(resourceArn=repository, tags=[{"Key": "a", "Value": "b"}])
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    entry = [e for e in aws.store.decision_log if e["action"] == "ecr:TagResource"][-1]
    assert (entry["decision"], entry["resourcePolicy"]) == ("implicitDeny", None)
    status, text = _page(aws, f"/decisions/{entry['id']}")
    assert status == 200
    now = text.split("Decision now", 1)[1].split("(the same request", 1)[0].strip()
    assert now.startswith("implicitDeny") or now.startswith("denied"), now
    assert not now.startswith("allowed"), now
    # sent to the repository's own Region, the request meets the registry policy, which alone allows it
    aws.client("ecr", region="eu-west-1", **keys).tag_resource(resourceArn=repository,
                                                                tags=[{"Key": "a", "Value": "b"}])
    entry = [e for e in aws.store.decision_log if e["action"] == "ecr:TagResource"][-1]
    assert (entry["decision"], entry["resourcePolicy"]) == (
        "allowed", f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/web registry policy")
    status, text = _page(aws, f"/decisions/{entry['id']}")
    assert text.split("Decision now", 1)[1].strip().startswith("allowed"), text


def _describe(client) -> str:
    try:
        client.describe_repositories(repositoryNames=["web"])
        return "allowed"
    except ClientError as error:
        return error.response["Error"]["Code"]


def test_a_2008_repository_policy_reads_the_same_beside_a_registry_policy(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="dev", Tags=[{"Key": "team", "Value": "dev"}])
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = aws.client("ecr", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    root = aws.client("ecr")
    root.create_repository(repositoryName="web")
    literal = {"Sid": "OnlyLiteral", "Effect": "Allow", "Principal": {"AWS": user_arn("dev")},
               "Action": "ecr:DescribeRepositories",
               "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}}
    root.set_repository_policy(repositoryName="web", policyText=json.dumps(
        {"Version": "2008-10-17", "Statement": [literal]}))
    assert _describe(dev) == "AccessDeniedException"  # "${aws:username}" is literal text under 2008-10-17
    root.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Other", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "ecr:CreateRepository", "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"}]}))
    assert _describe(dev) == "AccessDeniedException"
    # a registry policy of 2012-10-17 keeps its own variables
    root.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        **literal, "Sid": "Substituted", "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/*"}]}))
    assert _describe(dev) == "allowed"


def test_the_fix_for_a_deny_keeps_the_other_statements_version(aws) -> None:
    keys = user_keys(aws, "dev", inline={"Statement": [  # no Version: "${aws:username}" is literal text
        {"Effect": "Allow", "Action": "ecr:DescribeRepositories",
         "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/${{aws:username}}"},
        {"Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": "*"}]})
    aws.client("ecr").create_repository(repositoryName="dev")
    with pytest.raises(ClientError):
        aws.client("ecr", **keys).describe_repositories(repositoryNames=["dev"])
    entry = [e for e in aws.store.decision_log if e["action"] == "ecr:DescribeRepositories"][-1]
    assert entry["decision"] == "explicitDeny"
    status, fix = admin(aws, "GET", f"/policies/suggest?decision={entry['id']}")
    assert status == 200, fix
    assert fix["alsoNeededComplete"] is True, fix
    assert [needed["where"] for needed in fix["alsoNeeded"]] == ["identity policy"], fix
    assert fix["alsoNeeded"][0]["statement"]["Resource"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/dev"


def test_state_import_bounds_a_federated_sessions_subject(aws) -> None:
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}))
    keys = user_keys(aws, "u", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    key = aws.client("sts", **keys).assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                                        RoleSessionName="ss")["Credentials"]["AccessKeyId"]
    status, state = aws.admin("GET", "/state")
    assert status == 200
    for field in ("federated_subject", "saml_subject_type", "saml_name_qualifier"):
        for value, accepted in (("x" * 100_000, True), ("x" * 100_001, False)):
            document = json.loads(json.dumps(state))
            document["state"]["accounts"][ACCOUNT]["iam"]["sessions"][key][field] = value
            status, answer = aws.admin("PUT", "/state", document)
            assert (status == 200) is accepted, (field, len(value), answer)
            if not accepted:
                assert answer["error"] == "InvalidState" and f".{field}: longer than" in answer["message"]


@pytest.mark.parametrize("mode", MODES)
def test_an_auto_scaling_configuration_a_running_update_leaves_is_still_associated(mode, make_harness) -> None:
    harness = make_harness(mode, Settings(log_requests=False, operation_delay=30))
    apprunner = harness.client("apprunner")

    def configuration(name: str) -> str:
        return apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName=name)[
            "AutoScalingConfiguration"]["AutoScalingConfigurationArn"]

    def associated(arn: str) -> bool:
        described = apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arn)
        listed = {summary["AutoScalingConfigurationArn"]: summary["HasAssociatedService"] for summary in
                  apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]}
        assert described["AutoScalingConfiguration"]["HasAssociatedService"] is listed[arn]
        return listed[arn]

    old, new = configuration("previous"), configuration("next")
    service = create(apprunner, "web-app", AutoScalingConfigurationArn=old)["Service"]["ServiceArn"]
    harness.admin("POST", "/clock/advance", {"seconds": 31})
    assert apprunner.describe_service(ServiceArn=service)["Service"]["Status"] == "RUNNING"
    apprunner.update_service(ServiceArn=service, AutoScalingConfigurationArn=new)
    assert apprunner.describe_service(ServiceArn=service)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    # the update would bring the service back onto ``old`` if it failed: in use, and said to be
    assert associated(old) is True and associated(new) is True
    assert message(error_of(apprunner.delete_auto_scaling_configuration, AutoScalingConfigurationArn=old)) == IN_USE
    harness.admin("POST", "/clock/advance", {"seconds": 31})
    assert apprunner.describe_service(ServiceArn=service)["Service"]["Status"] == "RUNNING"
    assert associated(old) is False and associated(new) is True
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=old)
