"""An attacker's twelfth pass: ECR pull through cache rules and repository creation templates at scale, image scan
findings and their paging, state import, App Runner at its quotas, and identifiers of other accounts, Regions and
partitions.  Real clients throughout: boto3 in both modes (``aws``), ``requests`` against a real server
(``server``).

Findings (each has a test here that failed before its fix):

* Every ECR listing (DescribeImageScanFindings, DescribeRepositories, DescribeImages, ListImages, the pull through
  cache rules, templates, backfills, ...) answered a forged ``nextToken`` naming a negative offset or one past
  ``sys.maxsize`` with a 500 (``islice`` refused it after the token had parsed).  Tokens were also plain offsets
  good for any listing: one image's findings token paged another image's, another repository's or another
  operation's.  A token is now bound to its listing (operation, account, Region and every parameter but the paging
  ones), its offset ASCII digits up to 10^12; anything else is ECR's InvalidParameterException.
* The pull through cache operations ignored ``registryId``: naming another account's registry created, listed,
  updated, validated and deleted rules of the caller's own registry and answered with the caller's id.  They are
  now ``ecr:<Operation>`` on that registry's account, denied for another account as the replication backfill
  operations already were.
* A repository creation template took any ``customRoleArn`` (another partition's ``arn:aws-cn:iam::<own>:role/r``,
  a role that does not exist, an ARN with a Region) although ECR's reference says the role "must be in the same
  account as the registry"; the pull through cache rules already refused these.  Both share one check now.
* ``prod`` and ``prod/`` were two templates (and two rules) although ECR reads "there is always an assumed /
  applied to the end of the prefix": the second is now TemplateAlreadyExists / PullThroughCacheRuleAlreadyExists,
  and Describe/Update/Delete find the prefix in either spelling.  Choosing the template for a new repository
  scanned every template under the store lock on each create-on-push or replication; it now looks up the name's
  own ``/`` prefixes, longest first (two lookups per segment), with the same precedence.
* State import accepted an entity filed under a key other than its identifier (``users: {"bob": {"name":
  "alice"}}``, a rule under another prefix, a repository under another name) and a repository of another
  account or Region: the API then listed one name and acted on another, and DeleteUser, DeleteRepository and
  DeletePullThroughCacheRule answered 500 (a repository naming another account was deleted from that account).
  Import refuses both now, naming the path; the state is left as it was.
* An App Runner partial ARN of another partition (``arn:aws-cn:apprunner:<region>:<own account>:
  autoscalingconfiguration/name``) resolved to the caller's configuration; only ``arn:aws:`` ARNs name ours now.

Probed and held, or measured (in-process unless said; not pinned here beyond the tests below):

* DescribeImageScanFindings of 2,500 seeded findings: pages of 100 by default and 1,000 at ``maxResults`` 1,000,
  each page a slice (the first page costs the same at any count); the severity counts are one pass.  The admin
  seeding endpoint holds findings to the ImageScanFinding shape.
* Cross-account ``registryId`` on every other ECR operation taking one (23 operations: layers, images, scans,
  lifecycle, policies, referrers, backfills): AccessDeniedException without a repository or registry policy.
* App Runner ListOperations keeps every operation of a service (AWS documents no bound; the history is never
  trimmed): 2,000 pause/resume operations make 1.1 MB of state file (about 540 bytes each), and with
  ``--state-file`` each later mutation of any resource rewrites it (18 ms at 100 operations, 31 ms at 1,000,
  71 ms at 2,000); ListOperations itself stays 1-4 ms (a page from the newest end).  A caller allowed
  Pause/ResumeService can therefore make every save slower linearly in its own request count; reported, not
  bounded, as AWS states no limit.
* Auto scaling and observability revisions (5 per name, 10 names), services (30), custom domains (5 per service),
  VPC connectors and ingress connections (10) stop at the configured quotas with ServiceQuotaExceededException
  (tenth pass); a partial ARN of another account or Region names nothing.
"""
from __future__ import annotations

import base64
import copy
import json

import pytest
import requests

from mockrunner.services.ecr import scanning, templates
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import OTHER_ACCOUNT
from tests.iam.helpers import ACCOUNT, error_of

_TRUST_ECR = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _scanned(aws, repository: str, marker: str, findings: int) -> str:
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName=repository)
    put_image(ecr, repositoryName=repository, imageManifest=image_manifest(marker), imageTag="t")
    digest = ecr.describe_images(repositoryName=repository)["imageDetails"][0]["imageDigest"]
    scanning.seed_findings(aws.store, ACCOUNT, "us-east-1", digest,
                           [{"name": f"CVE-{marker}-{i}", "severity": "HIGH"} for i in range(findings)])
    ecr.start_image_scan(repositoryName=repository, imageId={"imageTag": "t"})
    return digest


def _findings(ecr, repository: str, **params):
    return ecr.describe_image_scan_findings(repositoryName=repository, imageId={"imageTag": "t"}, **params)


def test_a_forged_ecr_token_is_refused_as_ecr_refuses_it(aws):
    _scanned(aws, "scanned", "a", 150)
    ecr = aws.client("ecr")
    for offset in ("-5", str(2 ** 64), "\u0665", " 5", "1_0"):
        token = _token(f"mockrunner-offset:{offset}")
        for call, params in ((_findings, {"ecr": ecr, "repository": "scanned"}), (ecr.describe_repositories, {})):
            code, message, status = error_of(call, nextToken=token, **params)
            assert (code, status) == ("InvalidParameterException", 400), (offset, message)
            assert "nextToken" in message


def test_an_ecr_token_with_an_offset_too_long_to_read_is_refused(aws):
    """A real token whose offset is rewritten to 5,000 digits (past what ``int`` reads from text) is refused as
    any forged token is, not a 500; one rewritten to offset 140 without the names of the items it resumes at
    (``listing_cursors``: the names win over the offset) pages from there."""
    _scanned(aws, "scanned", "a", 150)
    ecr = aws.client("ecr")
    issued = base64.urlsafe_b64decode(_findings(ecr, "scanned")["nextToken"]).decode()
    prefix, _, rest = issued.partition(":")
    _, _, listing = rest.partition(":")
    for offset in ("9" * 5000, "1" + "0" * 12 + "1"):
        code, message, status = error_of(_findings, ecr=ecr, repository="scanned",
                                         nextToken=_token(f"{prefix}:{offset}:{listing}"))
        assert (code, status) == ("InvalidParameterException", 400), message
    fingerprint = listing.split(":")[0]
    page = _findings(ecr, "scanned", nextToken=_token(f"{prefix}:140:{fingerprint}"))
    assert len(page["imageScanFindings"]["findings"]) == 10


def test_an_ecr_token_pages_only_the_listing_that_issued_it(aws):
    _scanned(aws, "first", "a", 250)
    _scanned(aws, "second", "b", 250)
    ecr = aws.client("ecr")
    page = _findings(ecr, "first")
    names, token = [f["name"] for f in page["imageScanFindings"]["findings"]], page["nextToken"]
    assert len(names) == 100
    for repository in ("second",):
        code, _, status = error_of(_findings, ecr=ecr, repository=repository, nextToken=token)
        assert (code, status) == ("InvalidParameterException", 400)
    code, _, _ = error_of(ecr.describe_images, repositoryName="first", nextToken=token)
    assert code == "InvalidParameterException"
    while token:
        page = _findings(ecr, "first", nextToken=token, maxResults=60)
        names += [f["name"] for f in page["imageScanFindings"]["findings"]]
        token = page.get("nextToken")
    assert sorted(names) == sorted(f"CVE-a-{i}" for i in range(250))
    everything = _findings(ecr, "first", maxResults=1000)
    assert len(everything["imageScanFindings"]["findings"]) == 250 and "nextToken" not in everything
    assert everything["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 250}


def test_pull_through_cache_rules_never_act_on_the_callers_registry_for_another(two_account_harness):
    aws = two_account_harness
    ecr = aws.client("ecr")
    calls = ((ecr.create_pull_through_cache_rule, {"ecrRepositoryPrefix": "mirror",
                                                   "upstreamRegistryUrl": "public.ecr.aws"}),
             (ecr.describe_pull_through_cache_rules, {}),
             (ecr.update_pull_through_cache_rule, {"ecrRepositoryPrefix": "mirror"}),
             (ecr.validate_pull_through_cache_rule, {"ecrRepositoryPrefix": "mirror"}),
             (ecr.delete_pull_through_cache_rule, {"ecrRepositoryPrefix": "mirror"}))
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="mirror", upstreamRegistryUrl="public.ecr.aws")
    for call, params in calls:
        code, message, _ = error_of(call, registryId=OTHER_ACCOUNT, **params)
        assert code == "AccessDeniedException", (call, message)
    (rule,) = ecr.describe_pull_through_cache_rules(registryId=ACCOUNT)["pullThroughCacheRules"]
    assert rule["ecrRepositoryPrefix"] == "mirror"
    other = aws.client("ecr", "other-key", "other-secret")
    assert other.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []


def test_a_template_role_must_be_a_role_of_the_registrys_account(aws):
    aws.client("iam").create_role(RoleName="creator", AssumeRolePolicyDocument=_TRUST_ECR)
    ecr = aws.client("ecr")
    for arn in (f"arn:aws-cn:iam::{ACCOUNT}:role/creator", f"arn:aws:iam:us-east-1:{ACCOUNT}:role/creator",
                f"arn:aws:iam::{ACCOUNT}:role/absent", "creator"):
        code, message, _ = error_of(ecr.create_repository_creation_template, prefix="team",
                                    appliedFor=["CREATE_ON_PUSH"], customRoleArn=arn)
        assert code == "InvalidParameterException" and "customRoleArn" in message, arn
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == []
    real = f"arn:aws:iam::{ACCOUNT}:role/creator"
    ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"], customRoleArn=real)
    code, _, _ = error_of(ecr.update_repository_creation_template, prefix="team",
                          customRoleArn=f"arn:aws-cn:iam::{ACCOUNT}:role/creator")
    assert code == "InvalidParameterException"
    (template,) = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert template["customRoleArn"] == real


def test_a_prefix_with_and_without_its_slash_is_one_prefix(aws):
    ecr = aws.client("ecr")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"])
    code, _, _ = error_of(ecr.create_repository_creation_template, prefix="team/", appliedFor=["REPLICATION"])
    assert code == "TemplateAlreadyExistsException"
    (found,) = ecr.describe_repository_creation_templates(prefixes=["team/"])["repositoryCreationTemplates"]
    assert found["prefix"] == "team"
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="mirror/", upstreamRegistryUrl="public.ecr.aws")
    code, _, _ = error_of(ecr.create_pull_through_cache_rule, ecrRepositoryPrefix="mirror",
                          upstreamRegistryUrl="public.ecr.aws")
    assert code == "PullThroughCacheRuleAlreadyExistsException"
    assert ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="mirror")["ecrRepositoryPrefix"] == "mirror/"
    assert ecr.delete_repository_creation_template(prefix="team/")["repositoryCreationTemplate"]["prefix"] == "team"
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"] == []


class _LookupsOnly(dict):
    """Templates that may be looked up by key but not scanned; counts the lookups."""

    lookups = 0

    def get(self, key, default=None):
        type(self).lookups += 1
        return super().get(key, default)

    def values(self):
        raise AssertionError("the templates were scanned")

    items = __iter__ = values


def test_the_template_for_a_name_is_found_by_its_prefixes_not_by_scanning(aws):
    ecr = aws.client("ecr")
    for index in range(200):
        ecr.create_repository_creation_template(prefix=f"noise{index}/deep", appliedFor=["CREATE_ON_PUSH"])
    ecr.create_repository_creation_template(prefix="a", appliedFor=["CREATE_ON_PUSH"], description="a")
    ecr.create_repository_creation_template(prefix="a/b/", appliedFor=["CREATE_ON_PUSH"], description="a/b")
    ecr.create_repository_creation_template(prefix="a/b/c", appliedFor=["REPLICATION"], description="a/b/c")
    state = aws.store.accounts[ACCOUNT].region("us-east-1").ecr
    held = state.creation_templates
    _LookupsOnly.lookups = 0
    state.creation_templates = _LookupsOnly(held)
    try:
        chosen = {name: templates.template_for(state, name, "CREATE_ON_PUSH")
                  for name in ("a/b/c/d", "a/b/x", "a/x", "ab/x", "a")}
    finally:
        state.creation_templates = held
    assert {name: t.description if t else None for name, t in chosen.items()} == {
        "a/b/c/d": "a/b", "a/b/x": "a/b", "a/x": "a", "ab/x": None, "a": None}
    assert _LookupsOnly.lookups <= 2 * 9 + 5  # two per segment of each name, one for ROOT per name
    put_image(ecr, repositoryName="a/b/c/new", imageManifest=image_manifest("t"), imageTag="t")
    assert ecr.describe_repositories(repositoryNames=["a/b/c/new"])["repositories"][0]["repositoryName"]


def _account(document: dict, account: str = ACCOUNT) -> dict:
    return document["state"]["accounts"][account]


def _ecr_state(account: dict) -> dict:
    return account["regions"]["us-east-1"]["ecr"]


@pytest.mark.parametrize("case", ["user", "rule", "template", "repository", "repository of another account"])
def test_state_import_refuses_an_entity_filed_away_from_its_identifier(server, case):
    ecr, iam = server.client("ecr"), server.client("iam")
    iam.create_user(UserName="alice")
    ecr.create_repository(repositoryName="apps")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="mirror", upstreamRegistryUrl="public.ecr.aws")
    ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"])
    url = server.endpoint_url + "/_mockrunner/state"
    exported = requests.get(url, timeout=30).json()
    document = copy.deepcopy(exported)
    account = _account(document)
    places = {"user": (account["iam"], "users", "alice", "bob"),
              "rule": (_ecr_state(account), "pull_through_rules", "mirror", "other"),
              "template": (_ecr_state(account), "creation_templates", "team", "crew"),
              "repository": (_ecr_state(account), "repositories", "apps", "web")}
    if case == "repository of another account":
        _ecr_state(account)["repositories"]["apps"]["registry_id"] = OTHER_ACCOUNT
    else:
        owner, collection, key, new_key = places[case]
        owner[collection] = {new_key: owner[collection][key]}
    response = requests.put(url, json=document, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "InvalidState"
    assert response.json()["message"].startswith(f"$.state.accounts.{ACCOUNT}."), response.json()
    assert requests.get(url, timeout=30).json()["state"] == exported["state"]
    iam.delete_user(UserName="alice")
    ecr.delete_repository(repositoryName="apps")
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="mirror")
    ecr.delete_repository_creation_template(prefix="team")


@pytest.mark.parametrize("collection", ["pull_through_rules", "creation_templates"])
def test_state_import_refuses_a_prefix_spelled_twice(server, collection):
    """``mirror`` and ``mirror/`` are one prefix: the API refuses the second, and so does state import."""
    ecr = server.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="mirror", upstreamRegistryUrl="public.ecr.aws")
    ecr.create_repository_creation_template(prefix="mirror", appliedFor=["CREATE_ON_PUSH"])
    url = server.endpoint_url + "/_mockrunner/state"
    exported = requests.get(url, timeout=30).json()
    document = copy.deepcopy(exported)
    entries = _ecr_state(_account(document))[collection]
    entries["mirror/"] = {**copy.deepcopy(entries["mirror"]), "prefix": "mirror/"}
    response = requests.put(url, json=document, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "InvalidState" and "the same prefix as 'mirror'" in response.json()["message"]
    assert requests.get(url, timeout=30).json()["state"] == exported["state"]
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="mirror")
    ecr.delete_repository_creation_template(prefix="mirror")


def test_an_apprunner_arn_of_another_partition_names_nothing_of_ours(aws):
    apprunner = aws.client("apprunner")
    arn = apprunner.create_auto_scaling_configuration(
        AutoScalingConfigurationName="scaler")["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    assert apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=arn.rsplit("/", 2)[0])["AutoScalingConfiguration"]["AutoScalingConfigurationArn"] \
        == arn
    partial = arn.rsplit("/", 2)[0]
    for spelling in (partial.replace("arn:aws:", "arn:aws-cn:"), partial.replace("arn:aws:", "arn:aws-us-gov:"),
                     arn.rsplit("/", 1)[0].replace("arn:aws:", "arn:aws-cn:")):
        for call in (apprunner.describe_auto_scaling_configuration, apprunner.delete_auto_scaling_configuration):
            code, _, status = error_of(call, AutoScalingConfigurationArn=spelling)
            assert (code, status) == ("ResourceNotFoundException", 400), spelling
    assert apprunner.describe_auto_scaling_configuration(
        AutoScalingConfigurationArn=arn)["AutoScalingConfiguration"]["Status"] == "active"
