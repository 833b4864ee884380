"""An attacker's twenty-fourth pass: the App Runner API (its 37 operations, their authorization and lifecycle)
probed as an attacker and a demanding user of AWS tooling would.  Real clients throughout: boto3 in both modes
(``aws``, ``durable``), the admin API over ``requests`` (or the in-process WSGI client), and servers restarted
from their state file.

Findings (each has a test here that failed before its fix):

=========================================================  ==========================================================
probe                                                      outcome
=========================================================  ==========================================================
CreateService (private ECR image, ``operation_delay``      **fixed (medium).** Operations complete lazily, when an App
10), the store clock 20 s on, then the access role's       Runner request of the Region first looks; the pull was then
policy detached (or the role or the image deleted), then   judged against the state of that moment: the creation
DescribeService                                            showed CREATE_FAILED, ended (its EndedAt) 10 s before the
                                                           change that failed it.  Before any request's handler, of
                                                           any service and the registry endpoint, the operations
                                                           already due now complete; the pull is judged as of the due
                                                           time (``aws:CurrentTime`` / ``aws:EpochTime`` /
                                                           ``aws:TokenIssueTime``), so an access role allowed to pull
                                                           only until just after it no longer fails it when looked at
                                                           late (or recomputed after a restart).
DeleteAutoScalingConfiguration with a name-only ARN and   **fixed (high).** The request resolves to the latest
``DeleteAllRevisions``, under a Deny on revision 1's       revision and was authorized on it alone, then deleted every
tags (``aws:ResourceTag/env`` = ``prod``) or on its ARN    revision: a Deny on an older revision (its tags or its ARN)
                                                           was escaped by deleting them all.  Each revision the call
                                                           deletes is now a check of its own, with its own tags.
a ``NextToken`` minted with an offset of 2**63 (the        **fixed (medium).** The token's fingerprint is no secret
fingerprint is sha256 of the operation and filters)        (anyone can mint one) and its offset had no upper bound:
                                                           ``islice`` refused it, a 500 with a traceback from every
                                                           App Runner listing.  Offsets past 10**12 are
                                                           InvalidRequestException, as other forged tokens are.
TagResource (or a Create) with a million tags, as a        **fixed (medium).** The model sets no bound on ``TagList``:
caller with no permission at all                           every tag was checked and put in the authorization context
                                                           (a million ``aws:RequestTag`` keys) under the store lock,
                                                           3.5 s during which every other request waited, before the
                                                           denial.  A request is refused at its 51st distinct key
                                                           (no resource may have more), before authorization.
a server restarted with a shorter ``--operation-delay``    **fixed (low).** Tasks were kept in start order and the
(or a shorter ``apprunner_deleted_retention``) than the    scan stopped at the first not yet due: a CreateService due
server that saved the state                                at once stayed OPERATION_IN_PROGRESS behind an operation
                                                           started earlier and due an hour later, and a service
                                                           deleted with a retention of a minute stayed describable
                                                           behind one deleted earlier with an hour's.  Both are now
                                                           kept in due order.
the admin API's ``instance-role-credentials``,             **fixed (low).** They read the state without completing
``deployed-image``, ``failures`` and ``pending``, and the  the operations already due: credentials of the instance
dashboard's App Runner page, right after DeleteService     role were issued for a service DescribeService showed
(``operation_delay`` 0)                                    DELETED at the same moment.  They now see the service as
                                                           any API call does.
ListAutoScalingConfigurations in a fresh Region (a read,   **fixed (low).** The provided ``DefaultConfiguration``
not saved), then a restart from the state file             revisions were made by the first request to look, with
                                                           that moment as ``CreatedAt``; the read is not saved, so a
                                                           restarted server made them again with another one.  They
                                                           now carry one fixed ``CreatedAt`` (unverified value).
=========================================================  ==========================================================

Probed and held (pinned below where a test says so; the rest checked by hand):

* Pagination tokens: floats, booleans, NaN, lists, strings, a list as the fingerprint, blanks and non-ASCII tokens
  are InvalidRequestException; a token of one listing (or of another service's ListOperations, or of another
  ``ServiceArn``) is refused by the others.
* PassRole: another account's role (trusting ``tasks.`` / ``build.apprunner.amazonaws.com``) passed as instance or
  access role by the root user is denied ("no resource-based policy allows the iam:PassRole action"); a role ARN
  spelled with another path, partition or case names no role (``Error in assuming instance role``).
* Tag keys in another case (``ENV``, ``Env`` beside ``env``) do not escape a Deny on ``aws:ResourceTag/env`` or
  ``apprunner:ResourceTag/env`` (DescribeService, PauseService, DeleteService stay denied).
* Unknown members nested anywhere in CreateService (``ImageRepository.Junk``, ``HealthCheckConfiguration.Junk``,
  ...) are dropped by the decoder: nothing of them is kept in the state or answered.
* ECR image identifiers the model lets through but no repository reference fits (``:tag@sha256:...``, ``:a/b``,
  ``:tag:more``, ``@sha256:short``, a Region ``zz-zzzz-9``, a 900-character tag): CreateService answers, the
  deployment fails with a reason the admin API shows (``CREATE_FAILED``), never a 500.
* Eight threads of pause, resume, update (full and partial configuration ARNs), delete, StartDeployment, custom
  domains, configuration revisions (created and deleted by name) and tags on two services over a real server with
  a state file (320 requests): no 5xx, and a server restarted from the file describes both services as before.
* UntagResource with a million keys holds the store lock 0.4 s (linear; the model sets no bound on
  ``TagKeyList``); CreateVpcConnector with a million subnets is refused before anything is kept when its caller may
  not create the service-linked role.
* A service in one Region running an ECR image of another Region of the account: accepted, pulled, and not
  redeployed by a push, as aws/apprunner-roadmap#254 reports of AWS.
* A random walk of 250 steps, 8 seeds (after the fixes above): public and private services created, updated,
  paused, resumed, deleted, redeployed; custom domains; auto scaling revisions created, deleted one by one and all
  at once, made the default, tagged and untagged; the access role's policy detached and attached again; pushes to
  a tracked tag; clock jumps of 1 s to over an hour; ``/settle``; restarts from the state file with an
  ``operation_delay`` of 0, 5 or 60 s and a retention of 10 s or an hour.  No 5xx; a service is
  OPERATION_IN_PROGRESS exactly while one operation is IN_PROGRESS; every DescribeService, ListOperations and
  ListAutoScalingConfigurations answer is the same just before and just after each restart.
* An empty ``Tags`` list on a Create is no tag at all: a Deny on ``Null`` ``aws:TagKeys`` / ``aws:RequestTag/team``
  still refuses it.
"""
from __future__ import annotations

import base64
import hashlib
import json

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner.config import Quotas, Settings
from tests.apprunner.helpers import PUBLIC_SOURCE, running, service_role, user_client
from tests.harness import MODES, Harness
from tests.roles.helpers import ECR_ACCESS, World, allow, policy

_NO_CHECKS = Config(parameter_validation=False, retries={"total_max_attempts": 1})


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def _page(harness: Harness, path: str) -> tuple[int, str]:
    if harness.server is not None:
        response = requests.get(f"{harness.endpoint_url}/_mockrunner{path}", timeout=30)
        return response.status_code, response.text
    response = harness.app.test_client().get(f"/_mockrunner{path}")
    return response.status_code, response.get_data(as_text=True)


def _admin(harness: Harness, method: str, path: str) -> tuple[int, dict]:
    if harness.server is not None:
        response = requests.request(method, f"{harness.endpoint_url}/_mockrunner{path}", timeout=30)
        return response.status_code, response.json()
    response = harness.app.test_client().open(f"/_mockrunner{path}", method=method)
    return response.status_code, response.get_json()


# ------------------------------------------------------------------------------------------ DeleteAllRevisions
def _two_revisions(apprunner) -> tuple[str, str]:
    first = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="shared", Tags=[{"Key": "env", "Value": "prod"}])
    second = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="shared", Tags=[{"Key": "env", "Value": "dev"}])
    return (first["AutoScalingConfiguration"]["AutoScalingConfigurationArn"],
            second["AutoScalingConfiguration"]["AutoScalingConfigurationArn"])


def _status(apprunner, arn: str) -> str:
    return apprunner.describe_auto_scaling_configuration(AutoScalingConfigurationArn=arn)[
        "AutoScalingConfiguration"]["Status"]


@pytest.mark.parametrize("deny", [
    {"Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}},
    {"Resource": "arn:aws:apprunner:*:*:autoscalingconfiguration/shared/1/*"},
], ids=["by-tag", "by-arn"])
def test_delete_all_revisions_is_checked_on_every_revision_it_deletes(aws, deny):
    apprunner = aws.client("apprunner")
    first, second = _two_revisions(apprunner)
    name_only = first.rsplit("/", 2)[0]
    mallory = user_client(aws, "mallory", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "apprunner:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "apprunner:DeleteAutoScalingConfiguration", **deny}]})
    assert _error(lambda: mallory.delete_auto_scaling_configuration(AutoScalingConfigurationArn=first))[0] == (
        "AccessDeniedException")
    code, text = _error(lambda: mallory.delete_auto_scaling_configuration(
        AutoScalingConfigurationArn=name_only, DeleteAllRevisions=True))
    assert code == "AccessDeniedException" and first in text
    assert (_status(apprunner, first), _status(apprunner, second)) == ("active", "active")
    # The latest alone is still the caller's to delete, and a caller allowed both deletes both.
    mallory.delete_auto_scaling_configuration(AutoScalingConfigurationArn=name_only)
    assert (_status(apprunner, first), _status(apprunner, second)) == ("active", "inactive")
    apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="shared")
    apprunner.delete_auto_scaling_configuration(AutoScalingConfigurationArn=name_only, DeleteAllRevisions=True)
    assert _status(apprunner, first) == "inactive"


# ------------------------------------------------------------------------------------------------- NextToken
def _minted(operation: str, filters: dict, offset: int) -> str:
    """A token as the module docstring of the paging code describes it: anyone can make one."""
    fingerprint = hashlib.sha256(json.dumps([operation, filters], sort_keys=True).encode()).hexdigest()[:16]
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "f": fingerprint}).encode()).decode()


@pytest.mark.parametrize("offset", [2 ** 63, 10 ** 30, 10 ** 12 + 1])
def test_a_minted_token_past_any_offset_is_refused_not_a_500(aws, offset):
    apprunner = aws.client("apprunner")
    arn = running(apprunner, "paged")
    calls = [
        lambda: apprunner.list_services(NextToken=_minted("ListServices", {}, offset)),
        lambda: apprunner.list_operations(ServiceArn=arn, NextToken=_minted(
            "ListOperations", {"ServiceArn": arn}, offset)),
        lambda: apprunner.list_auto_scaling_configurations(NextToken=_minted(
            "ListAutoScalingConfigurations", {"Name": None, "LatestOnly": True}, offset)),
    ]
    for call in calls:
        assert _error(call) == ("InvalidRequestException", "The NextToken you provided isn't valid.")
    # The same minted form with an offset in range pages (past the end: an empty page).
    assert apprunner.list_services(NextToken=_minted("ListServices", {}, 10 ** 12))["ServiceSummaryList"] == []


# ----------------------------------------------------------------------------------------------------- tags
def _tags(count: int, distinct: int | None = None) -> list[dict[str, str]]:
    return [{"Key": f"k{index % (distinct or count)}", "Value": "v"} for index in range(count)]


def test_more_tags_than_a_resource_may_have_are_refused_before_authorization(aws):
    apprunner = aws.client("apprunner", config=_NO_CHECKS)
    arn = running(apprunner, "tagged")
    nobody = user_client(aws, "nobody", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    refusal = ("InvalidRequestException", "A resource can have at most 50 tags.")
    assert _error(lambda: nobody.tag_resource(ResourceArn=arn, Tags=_tags(51))) == refusal
    assert _error(lambda: nobody.tag_resource(ResourceArn=arn, Tags=_tags(100_000))) == refusal
    assert _error(lambda: nobody.create_auto_scaling_configuration(
        AutoScalingConfigurationName="many", Tags=_tags(100_000))) == refusal
    assert _error(lambda: nobody.tag_resource(ResourceArn=arn, Tags=_tags(50)))[0] == "AccessDeniedException"
    # Entries naming the same keys again are still fine: 60 entries, 50 keys.
    apprunner.tag_resource(ResourceArn=arn, Tags=_tags(60, distinct=50))
    assert len(apprunner.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50
    assert _error(lambda: apprunner.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])) == (
        refusal)


# -------------------------------------------------------------------------------------------- the admin API
def test_admin_reads_see_the_operations_that_are_due_completed(aws):
    """operation_delay 0: DeleteService is due at once, so DescribeService at that moment shows DELETED; the admin
    API's answers about the service agree with it, and the instance role of a deleted service yields nothing."""
    apprunner = aws.client("apprunner")
    role = service_role(aws, "instance", "tasks.apprunner.amazonaws.com")
    arn = running(apprunner, "short-lived", InstanceConfiguration={"InstanceRoleArn": role})
    assert _admin(aws, "GET", f"/apprunner/instance-role-credentials?service_arn={arn}")[0] == 200
    apprunner.delete_service(ServiceArn=arn)
    status, page = _page(aws, "/ui/apprunner")
    assert status == 200 and "DELETED" in page and "OPERATION_IN_PROGRESS" not in page
    assert _admin(aws, "GET", "/pending") == (200, {"pending": []})
    status, found = _admin(aws, "GET", f"/apprunner/instance-role-credentials?service_arn={arn}")
    assert (status, found["error"]) == (404, "ResourceNotFoundException")
    status, image = _admin(aws, "GET", f"/apprunner/deployed-image?service_arn={arn}")
    assert (status, image["status"]) == (200, "DELETED")
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "DELETED"


# ------------------------------------------------------------------------------------------------ restarts
@pytest.mark.parametrize("mode", MODES)
def test_an_operation_due_now_is_not_held_behind_one_started_earlier_with_a_longer_delay(mode, tmp_path):
    state_file = str(tmp_path / "state.bin")
    slow = Harness(mode, Settings(log_requests=False, operation_delay=3600, state_file=state_file))
    try:
        first = slow.client("apprunner").create_service(ServiceName="slow-one", SourceConfiguration=PUBLIC_SOURCE)
    finally:
        slow.round_trip = False
        slow.close()
    fast = Harness(mode, Settings(log_requests=False, operation_delay=0, state_file=state_file))
    try:
        apprunner = fast.client("apprunner")
        second = apprunner.create_service(ServiceName="fast-one", SourceConfiguration=PUBLIC_SOURCE)
        assert apprunner.describe_service(ServiceArn=second["Service"]["ServiceArn"])["Service"]["Status"] == (
            "RUNNING")
        assert apprunner.describe_service(ServiceArn=first["Service"]["ServiceArn"])["Service"]["Status"] == (
            "OPERATION_IN_PROGRESS")
        fast.store.clock.advance(3600)
        assert apprunner.describe_service(ServiceArn=first["Service"]["ServiceArn"])["Service"]["Status"] == (
            "RUNNING")
    finally:
        fast.round_trip = False
        fast.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_deleted_service_is_forgotten_after_its_own_retention_after_a_restart(mode, tmp_path):
    state_file = str(tmp_path / "state.bin")
    first = Harness(mode, Settings(log_requests=False, operation_delay=0, state_file=state_file))
    try:
        apprunner = first.client("apprunner")
        old = running(apprunner, "old-one")
        apprunner.delete_service(ServiceArn=old)
        apprunner.create_connection(ConnectionName="saved", ProviderType="GITHUB")  # saves the completed delete
    finally:
        first.round_trip = False
        first.close()
    settings = Settings(log_requests=False, operation_delay=0, state_file=state_file,
                        quotas=Quotas(apprunner_deleted_retention=60))
    second = Harness(mode, settings)
    try:
        apprunner = second.client("apprunner")
        new = running(apprunner, "new-one")
        apprunner.delete_service(ServiceArn=new)
        assert apprunner.describe_service(ServiceArn=new)["Service"]["Status"] == "DELETED"
        second.store.clock.advance(120)
        assert _error(lambda: apprunner.describe_service(ServiceArn=new))[0] == "ResourceNotFoundException"
        assert apprunner.describe_service(ServiceArn=old)["Service"]["Status"] == "DELETED"  # its hour runs on
    finally:
        second.round_trip = False
        second.close()


def test_the_provided_configurations_answer_the_same_created_at_after_a_restart(durable):
    """The first look at a Region is a read (not saved), a day into the store clock (not saved either, as the
    clock is moved directly); the restarted server is back at the saved clock and seeds the Region again."""
    durable.client("iam").create_user(UserName="saved")  # the state file exists, with the clock at offset 0
    durable.store.clock.advance(86400)
    before = durable.client("apprunner", region="us-west-2").list_auto_scaling_configurations()[
        "AutoScalingConfigurationSummaryList"]
    restarted = Harness(durable.mode, durable.settings)
    try:
        after = restarted.client("apprunner", region="us-west-2").list_auto_scaling_configurations()[
            "AutoScalingConfigurationSummaryList"]
        assert [item["AutoScalingConfigurationName"] for item in after] == ["DefaultConfiguration"]
        assert after == before
    finally:
        restarted.round_trip = False
        restarted.close()


# ------------------------------------------------------------------- operations judged when they were due
def _deploying(world: World, role: str) -> str:
    """A service of a private image its access role may pull, created with operation_delay 10: due in 10 s."""
    source = {"ImageRepository": {"ImageIdentifier": world.image(), "ImageRepositoryType": "ECR"},
              "AuthenticationConfiguration": {"AccessRoleArn": role}}
    return world.apprunner.create_service(ServiceName="due-later", SourceConfiguration=source)["Service"][
        "ServiceArn"]


_AFTER_DUE = {
    "access role policy detached": lambda world: world.iam.detach_role_policy(
        RoleName="AppRunnerECRAccessRole", PolicyArn=ECR_ACCESS),
    "access role deleted": lambda world: (
        world.iam.detach_role_policy(RoleName="AppRunnerECRAccessRole", PolicyArn=ECR_ACCESS),
        world.iam.delete_role(RoleName="AppRunnerECRAccessRole")),
    "image deleted": lambda world: world.ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageTag": "v1"}]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", sorted(_AFTER_DUE))
def test_a_change_made_after_an_operation_was_due_does_not_reach_back_into_it(mode, change):
    """The creation was due 10 s before the change, and nothing of App Runner was asked in between: it ended
    then (its EndedAt says so), with the pull it could make then."""
    harness = Harness(mode, Settings(log_requests=False, operation_delay=10))
    try:
        world = World(harness)
        arn = _deploying(world, world.access_role())
        harness.store.clock.advance(20)
        _AFTER_DUE[change](world)
        shown = world.apprunner.describe_service(ServiceArn=arn)["Service"]
        operation = world.apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"][0]
        assert (shown["Status"], operation["Status"]) == ("RUNNING", "SUCCEEDED")
        assert world.failures(arn) == []
    finally:
        harness.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_deployment_is_authorized_at_the_time_it_was_due(mode):
    """The access role may pull only until 30 s after the creation; the creation is due at 10 s but first looked
    at a minute later: the pull is judged at 10 s (``aws:CurrentTime``), as it would have been made then."""
    harness = Harness(mode, Settings(log_requests=False, operation_delay=10))
    try:
        world = World(harness)
        until = (harness.store.clock.now().replace(microsecond=0)).timestamp() + 30
        window = policy(allow(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                               "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Condition={
                                   "NumericLessThan": {"aws:EpochTime": int(until)}}))
        arn = _deploying(world, world.access_role(managed=(), inline=window))
        harness.store.clock.advance(60)
        assert world.apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    finally:
        harness.close()
