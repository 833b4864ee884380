"""ECR registry features through boto3, in both modes: scanning, replication, creation templates, pull through
cache rules, registry policy, account settings, signing, pull time exclusions, storage classes, referrers."""
from __future__ import annotations

import fnmatch
import json

import botocore.session
import pytest
import requests
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from mockrunner.services.ecr.core import matches_wildcard
from tests.ecr.pushing import blob_digest, put_image
from tests.ecr.test_ecr import ACCOUNT, OTHER, REGION, error, manifest


def admin_post(aws, path: str, body: dict) -> tuple[int, dict]:
    if aws.server is not None:
        answer = requests.post(f"{aws.endpoint_url}/_mockrunner{path}", json=body, timeout=10)
        return answer.status_code, answer.json()
    answer = aws.app.test_client().post(f"/_mockrunner{path}", json=body)
    return answer.status_code, answer.get_json()


def test_no_ecr_operation_is_unimplemented(ecr):
    from mockrunner.services.registry import OPERATIONS

    model = botocore.session.get_session().get_service_model("ecr")
    missing = {name for name in model.operation_names if ("ecr", name) not in OPERATIONS}
    assert missing == set()
    # And over the wire: an operation with no required input answers, not 501.
    assert ecr.describe_registry()["registryId"] == ACCOUNT


# ------------------------------------------------------------------------------------------------ scanning
def test_scan_lifecycle_with_seeded_findings(aws, ecr, make_harness):
    from mockrunner.config import Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=5))
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    digest = put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")["image"]["imageId"][
        "imageDigest"]
    with pytest.raises(ClientError) as exc:
        ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageTag": "v1"})
    assert error(exc) == ("ScanNotFoundException", f"Image scan does not exist for the image with "
                          f"'{{imageDigest:'null', imageTag:'v1'}}' in the repository with name 'app' in the registry "
                          f"with id '{ACCOUNT}'")
    finding = {"name": "CVE-2024-0001", "severity": "HIGH", "uri": "https://example.invalid/CVE-2024-0001",
               "attributes": [{"key": "package_name", "value": "openssl"}]}
    status, body = admin_post(harness, "/ecr/scan-findings", {"digest": digest, "findings": [finding]})
    assert status == 200, body
    assert admin_post(harness, "/ecr/scan-findings", {"digest": digest, "findings": [{"name": 1}]})[0] == 400
    started = ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    # PENDING when started (recorded from AWS, 2026-09-26: radkawar/stackd ECR capture, "start_scan_tiny_image").
    assert started["imageScanStatus"] == {"status": "PENDING"}
    running = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageTag": "v1"})
    assert running["imageScanStatus"]["status"] == "IN_PROGRESS" and "imageScanFindings" not in running
    harness.store.clock.advance(5)
    done = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageDigest": digest})
    assert done["imageScanStatus"] == {"status": "COMPLETE", "description": "The scan was completed successfully."}
    assert done["imageScanFindings"]["findings"] == [finding]
    assert done["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1}
    detail = ecr.describe_images(repositoryName="app")["imageDetails"][0]
    assert detail["imageScanFindingsSummary"]["findingSeverityCounts"] == {"HIGH": 1}
    with pytest.raises(ClientError) as exc:
        ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    assert error(exc) == ("LimitExceededException", "The scan quota per image has been exceeded. Wait and try "
                          "again.")


def test_timed_changes_complete_and_only_pending_images_are_tracked(aws, make_harness):
    """Scans and restores complete on the store clock while the clock's bookkeeping names only the images still
    waiting; a state saved without that bookkeeping (``timed`` absent) works it out again at the next call."""
    from mockrunner.config import Settings
    from mockrunner.model import snapshot

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=5))
    ecr = harness.client("ecr")
    ecr.create_repository(repositoryName="app")
    for tag in ("v1", "v2", "v3"):
        put_image(ecr, repositoryName="app", imageManifest=manifest(marker=tag), imageTag=tag)
    ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v2"}, targetStorageClass="ARCHIVE")
    ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v2"}, targetStorageClass="STANDARD")
    repo = harness.store.account(ACCOUNT).region(REGION).ecr.repositories["app"]
    ecr.list_images(repositoryName="app")
    assert len(repo.timed) == 2
    document = json.loads(json.dumps(snapshot.export_state(harness.store)))
    assert '"timed"' in json.dumps(document)
    _drop_key(document, "timed")
    snapshot.import_state(harness.store, document)
    repo = harness.store.account(ACCOUNT).region(REGION).ecr.repositories["app"]
    assert repo.timed is None
    harness.store.clock.advance(5)
    scanned = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageTag": "v1"})
    assert scanned["imageScanStatus"]["status"] == "COMPLETE"
    statuses = {d["imageTags"][0]: d["imageStatus"] for d in ecr.describe_images(repositoryName="app")["imageDetails"]}
    assert statuses == {"v1": "ACTIVE", "v2": "ACTIVE", "v3": "ACTIVE"}
    assert harness.store.account(ACCOUNT).region(REGION).ecr.repositories["app"].timed == []


def _drop_key(value, key: str) -> None:
    if isinstance(value, dict):
        value.pop(key, None)
        for item in value.values():
            _drop_key(item, key)
    elif isinstance(value, list):
        for item in value:
            _drop_key(item, key)


def test_scan_on_push_without_seeds_finds_nothing(aws, ecr):
    ecr.create_repository(repositoryName="app", imageScanningConfiguration={"scanOnPush": True})
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    done = ecr.describe_image_scan_findings(repositoryName="app", imageId={"imageTag": "v1"})
    assert done["imageScanStatus"]["status"] == "COMPLETE"
    assert done["imageScanFindings"]["findings"] == [] and done["imageScanFindings"]["findingSeverityCounts"] == {}


def test_repository_and_registry_scanning_configuration(ecr):
    ecr.create_repository(repositoryName="team/app")
    out = ecr.put_image_scanning_configuration(repositoryName="team/app",
                                               imageScanningConfiguration={"scanOnPush": True})
    assert out["imageScanningConfiguration"] == {"scanOnPush": True}
    got = ecr.batch_get_repository_scanning_configuration(repositoryNames=["team/app", "ghost"])
    assert got["scanningConfigurations"][0]["scanFrequency"] == "SCAN_ON_PUSH"
    assert got["failures"][0]["repositoryName"] == "ghost"
    assert got["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND"
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"] == {"scanType": "BASIC", "rules": []}
    rules = [{"scanFrequency": "MANUAL", "repositoryFilters": [{"filter": "team/*", "filterType": "WILDCARD"}]}]
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=rules)
    config = ecr.batch_get_repository_scanning_configuration(repositoryNames=["team/app"])["scanningConfigurations"][0]
    assert (config["scanFrequency"], config["scanOnPush"]) == ("MANUAL", False)
    assert config["appliedScanFilters"] == rules[0]["repositoryFilters"]
    with pytest.raises(ClientError) as exc:
        ecr.put_registry_scanning_configuration(scanType="BASIC", rules=[{**rules[0], "scanFrequency":
                                                                          "CONTINUOUS_SCAN"}])
    assert error(exc)[0] == "InvalidParameterException"
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"]["rules"] == rules


def test_scanning_filters_with_many_wildcards_are_decided_at_once(ecr):
    """``*`` is ECR's only wildcard; a filter of many of them against a long name is decided in linear time (a
    backtracking regex took seconds for five and hours for nine, holding every other request back)."""
    long_name, other = "a" * 200, "a" * 199 + "b"
    ecr.create_repository(repositoryName=long_name)
    ecr.create_repository(repositoryName=other)
    rules = [{"scanFrequency": "MANUAL",
              "repositoryFilters": [{"filter": "*a" * 9 + "*b", "filterType": "WILDCARD"}]}]
    ecr.put_registry_scanning_configuration(scanType="BASIC", rules=rules)
    configs = ecr.batch_get_repository_scanning_configuration(repositoryNames=[long_name, other])
    applied = {config["repositoryName"]: config["appliedScanFilters"] for config in configs["scanningConfigurations"]}
    assert applied == {long_name: [], other: rules[0]["repositoryFilters"]}


# ------------------------------------------------------------------------------------------------ replication
def test_replication_copies_pushes_to_another_region(aws, ecr):
    with pytest.raises(ClientError) as exc:
        ecr.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [
            {"region": REGION, "registryId": ACCOUNT}]}]})
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'replicationConfiguration' failed to "
                          "satisfy constraint: 'Replication destination cannot be the same as the source registry'")
    config = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": ACCOUNT}],
                         "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}]}
    ecr.put_replication_configuration(replicationConfiguration=config)
    assert ecr.describe_registry()["replicationConfiguration"] == config
    ecr.create_repository(repositoryName="prod/app")
    ecr.create_repository(repositoryName="dev/app")
    put_image(ecr, repositoryName="prod/app", imageManifest=manifest(), imageTag="v1")
    put_image(ecr, repositoryName="dev/app", imageManifest=manifest(), imageTag="v1")
    status = ecr.describe_image_replication_status(repositoryName="prod/app", imageId={"imageTag": "v1"})
    assert status["replicationStatuses"] == [{"region": "eu-west-1", "registryId": ACCOUNT, "status": "COMPLETE"}]
    west = aws.client("ecr", region="eu-west-1")
    assert [r["repositoryName"] for r in west.describe_repositories()["repositories"]] == ["prod/app"]
    assert west.list_images(repositoryName="prod/app")["imageIds"][0]["imageTag"] == "v1"
    # The copy is complete: its config and layer are layers of the destination repository.
    document = json.loads(manifest())
    blobs = [descriptor["digest"] for descriptor in (document["config"], *document["layers"])]
    available = west.batch_check_layer_availability(repositoryName="prod/app", layerDigests=blobs)
    assert ([layer["layerAvailability"] for layer in available["layers"]], available["failures"]) == (
        ["AVAILABLE", "AVAILABLE"], [])


def test_cross_account_replication_needs_the_destination_registry_policy(make_harness, aws):
    from mockrunner.config import AccountKeys, Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=0,
                                              extra_accounts=(AccountKeys(OTHER, "other-key", "other-secret"),)))
    source, dest = harness.client("ecr"), harness.client("ecr", access_key="other-key", secret="other-secret")
    source.put_replication_configuration(replicationConfiguration={"rules": [{"destinations": [
        {"region": REGION, "registryId": OTHER}]}]})
    source.create_repository(repositoryName="app")
    put_image(source, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    refused = source.describe_image_replication_status(repositoryName="app", imageId={"imageTag": "v1"})
    assert refused["replicationStatuses"][0]["status"] == "FAILED"
    assert dest.describe_repositories()["repositories"] == []
    dest.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{OTHER}:repository/*"}]}))
    put_image(source, repositoryName="app", imageManifest=manifest(marker="2"), imageTag="v2")
    ok = source.describe_image_replication_status(repositoryName="app", imageId={"imageTag": "v2"})
    assert ok["replicationStatuses"] == [{"region": REGION, "registryId": OTHER, "status": "COMPLETE"}]
    assert dest.list_images(repositoryName="app")["imageIds"][0]["imageTag"] == "v2"


# ------------------------------------------------------------------------------------------------ policies
def test_registry_policy_crud_and_v1_scope(ecr):
    with pytest.raises(ClientError) as exc:
        ecr.get_registry_policy()
    assert error(exc) == ("RegistryPolicyNotFoundException",
                          f"Registry policy does not exist in the registry with id '{ACCOUNT}'")
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER},
                                                               "Action": "ecr:BatchGetImage"}]})
    put = ecr.put_registry_policy(policyText=text)
    assert (put["registryId"], put["policyText"]) == (ACCOUNT, text)
    assert ecr.get_registry_policy()["policyText"] == text
    scope = ecr.get_account_setting(name="REGISTRY_POLICY_SCOPE")
    assert (scope["name"], scope["value"]) == ("REGISTRY_POLICY_SCOPE", "V2")
    ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V1")
    with pytest.raises(ClientError) as exc:
        ecr.put_registry_policy(policyText=text)
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy "
                          "constraint: 'Invalid registry policy provided'")
    assert ecr.delete_registry_policy()["policyText"] == text
    for actions in (["ecr:ReplicateImage", "ecr:CreateRepository"], "ecr:BatchImportUpstreamImage", "ecr:*"):
        v1_text = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": actions,
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"}]})
        assert ecr.put_registry_policy(policyText=v1_text)["policyText"] == v1_text
    with pytest.raises(ClientError) as exc:
        ecr.put_registry_policy(policyText=v1_text.replace("ecr:*", "ecr:Replicate*"))
    assert error(exc)[0] == "InvalidParameterException"
    ecr.delete_registry_policy()
    with pytest.raises(ClientError) as exc:
        ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V3")
    assert error(exc)[0] == "InvalidParameterException"
    assert ecr.get_account_setting(name="BASIC_SCAN_TYPE_VERSION")["value"] == "AWS_NATIVE"


def test_registry_policy_v2_grants_another_account_every_repository(two_accounts_harness):
    owner, other = two_accounts_harness
    owner.create_repository(repositoryName="shared")
    with pytest.raises(ClientError):
        other.list_images(registryId=ACCOUNT, repositoryName="shared")
    owner.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "ecr:ListImages",
        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"}]}))
    assert other.list_images(registryId=ACCOUNT, repositoryName="shared")["imageIds"] == []
    owner.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V1")
    with pytest.raises(ClientError) as exc:
        other.list_images(registryId=ACCOUNT, repositoryName="shared")
    assert error(exc)[0] == "AccessDeniedException"


def test_a_state_saved_after_switching_to_v1_loads_again(aws, make_harness):
    """A registry policy PutRegistryPolicy accepted under V2 stays when the scope goes back to V1; the saved state
    must load again (a state file that the API itself made and ``serve`` then refused would lock the user out)."""
    from mockrunner.config import Settings
    from mockrunner.model import snapshot

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=0))
    ecr = harness.client("ecr")
    text = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "ecr:ListImages",
        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"}]})
    ecr.put_registry_policy(policyText=text)
    ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="V1")
    snapshot.import_state(harness.store, json.loads(json.dumps(snapshot.export_state(harness.store))))
    assert json.loads(ecr.get_registry_policy()["policyText"]) == json.loads(text)


@pytest.fixture
def two_accounts_harness(make_harness, aws):
    from mockrunner.config import AccountKeys, Settings

    harness = make_harness(aws.mode, Settings(log_requests=False, operation_delay=0,
                                              extra_accounts=(AccountKeys(OTHER, "other-key", "other-secret"),)))
    return harness.client("ecr"), harness.client("ecr", access_key="other-key", secret="other-secret")


def test_repository_policy_accepts_shared_sids_and_checks_principals(aws, ecr):
    ecr.create_repository(repositoryName="app")
    statement = {"Sid": "pull access", "Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "ecr:BatchGetImage"}
    text = json.dumps({"Version": "2008-10-17", "Statement": [statement, {**statement, "Action": "ecr:ListImages"}]})
    stored = ecr.set_repository_policy(repositoryName="app", policyText=text)["policyText"]
    assert json.loads(stored) == json.loads(text)
    missing = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ghost"}, "Action": "ecr:*"}]})
    with pytest.raises(ClientError) as exc:
        ecr.set_repository_policy(repositoryName="app", policyText=missing)
    assert error(exc) == ("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy "
                          "constraint: 'Principal not found'")
    with pytest.raises(ClientError) as exc:  # the registry policy's principals are checked the same way
        ecr.put_registry_policy(policyText=missing)
    assert error(exc)[1].endswith("'Principal not found'")
    assert ecr.get_repository_policy(repositoryName="app")["policyText"] == stored


@pytest.mark.parametrize("resource", [{"Resource": "*"}, {"NotResource": "arn:aws:ecr:*:*:repository/x"},
                                      {"Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app"}])
def test_a_repository_policy_names_no_resource(ecr, resource):
    """The repository is the resource: ECR refuses a statement naming one (aws-cdk#3583, #24314,
    awsdocs/amazon-ecr-user-guide#20), in SetRepositoryPolicy and in a creation template's policy alike."""
    ecr.create_repository(repositoryName="app")
    statement = {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "ecr:BatchGetImage"}
    text = json.dumps({"Version": "2012-10-17", "Statement": [{**statement, **resource}]})
    refused = ("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: "
               "'Invalid repository policy provided'")
    with pytest.raises(ClientError) as exc:
        ecr.set_repository_policy(repositoryName="app", policyText=text)
    assert error(exc) == refused
    with pytest.raises(ClientError) as exc:
        ecr.create_repository_creation_template(prefix="team", appliedFor=["CREATE_ON_PUSH"], repositoryPolicy=text)
    assert error(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError):
        ecr.get_repository_policy(repositoryName="app")


def test_shared_sid_policy_grants_cross_account_access(two_accounts_harness):
    owner, other = two_accounts_harness
    owner.create_repository(repositoryName="shared")
    statement = {"Sid": "same", "Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "ecr:DescribeImages"}
    owner.set_repository_policy(repositoryName="shared", policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [statement, {**statement, "Action": "ecr:ListImages"}]}))
    assert other.list_images(registryId=ACCOUNT, repositoryName="shared")["imageIds"] == []


# ------------------------------------------------------------------------------------------------ templates
def test_creation_template_crud_and_create_on_push(ecr):
    lifecycle = json.dumps({"rules": [{"rulePriority": 1, "action": {"type": "expire"}, "selection": {
        "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}}]})
    created = ecr.create_repository_creation_template(
        prefix="team", appliedFor=["CREATE_ON_PUSH"], imageTagMutability="IMMUTABLE", lifecyclePolicy=lifecycle,
        resourceTags=[{"Key": "owner", "Value": "team"}], description="team repos")["repositoryCreationTemplate"]
    assert created["prefix"] == "team" and created["appliedFor"] == ["CREATE_ON_PUSH"]
    with pytest.raises(ClientError) as exc:
        ecr.create_repository_creation_template(prefix="team", appliedFor=["REPLICATION"])
    assert error(exc)[0] == "TemplateAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        ecr.put_image(repositoryName="other/app", imageManifest=manifest(), imageTag="v1")
    assert error(exc)[0] == "RepositoryNotFoundException"
    put_image(ecr, repositoryName="team/app", imageManifest=manifest(), imageTag="v1")
    repo = ecr.describe_repositories(repositoryNames=["team/app"])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"] == [{"Key": "owner",
                                                                                      "Value": "team"}]
    compact = json.dumps(json.loads(lifecycle), separators=(",", ":"))
    assert ecr.get_lifecycle_policy(repositoryName="team/app")["lifecyclePolicyText"] == compact
    updated = ecr.update_repository_creation_template(prefix="team", description="changed")
    assert updated["repositoryCreationTemplate"]["description"] == "changed"
    listed = ecr.describe_repository_creation_templates()["repositoryCreationTemplates"]
    assert [t["prefix"] for t in listed] == ["team"]
    ecr.delete_repository_creation_template(prefix="team")
    with pytest.raises(ClientError) as exc:
        ecr.delete_repository_creation_template(prefix="team")
    assert error(exc)[0] == "TemplateNotFoundException"


# ------------------------------------------------------------------------------------------------ pull through
def test_pull_through_cache_rules(aws, ecr):
    out = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    assert (out["upstreamRegistry"], out["registryId"]) == ("quay", ACCOUNT)
    with pytest.raises(ClientError) as exc:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    assert error(exc)[0] == "PullThroughCacheRuleAlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="hub", upstreamRegistryUrl="registry-1.docker.io",
                                           credentialArn="arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                                                         "ecr-pullthroughcache/hub-AbCdEf")
    assert error(exc)[0] == "SecretNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="odd", upstreamRegistryUrl="example.invalid")
    assert error(exc) == ("UnsupportedUpstreamRegistryException", "The specified upstream registry isn't supported.")
    validated = ecr.validate_pull_through_cache_rule(ecrRepositoryPrefix="quay")
    assert validated["isValid"] is False and "cannot be reached" in validated["failure"]
    rules = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert [r["ecrRepositoryPrefix"] for r in rules] == ["quay"]
    assert ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="quay")["upstreamRegistryUrl"] == "quay.io"
    with pytest.raises(ClientError) as exc:
        ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["quay"])
    assert error(exc)[0] == "PullThroughCacheRuleNotFoundException"


# ------------------------------------------------------------------------------------------------ the rest
def test_signing_configuration_and_status(ecr):
    with pytest.raises(ClientError) as exc:
        ecr.get_signing_configuration()
    assert error(exc)[0] == "SigningConfigurationNotFoundException"
    profile = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/releases"
    ecr.put_signing_configuration(signingConfiguration={"rules": [{"signingProfileArn": profile}]})
    assert ecr.get_signing_configuration()["signingConfiguration"]["rules"][0]["signingProfileArn"] == profile
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    statuses = ecr.describe_image_signing_status(repositoryName="app", imageId={"imageTag": "v1"})["signingStatuses"]
    assert statuses[0]["signingProfileArn"] == profile and statuses[0]["status"] == "FAILED"
    ecr.delete_signing_configuration()
    with pytest.raises(ClientError):
        ecr.delete_signing_configuration()


def test_pull_time_exclusions_stop_recording_pulls(aws, ecr):
    iam = aws.client("iam")
    iam.create_user(UserName="ci")
    keys = iam.create_access_key(UserName="ci")["AccessKey"]
    iam.put_user_policy(UserName="ci", PolicyName="pull", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
    ci = aws.client("ecr", access_key=keys["AccessKeyId"], secret=keys["SecretAccessKey"])
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    arn = f"arn:aws:iam::{ACCOUNT}:user/ci"
    ecr.register_pull_time_update_exclusion(principalArn=arn)
    with pytest.raises(ClientError) as exc:
        ecr.register_pull_time_update_exclusion(principalArn=arn)
    assert error(exc)[0] == "ExclusionAlreadyExistsException"
    assert ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"] == [arn]
    ci.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    assert "lastRecordedPullTime" not in ecr.describe_images(repositoryName="app")["imageDetails"][0]
    ecr.deregister_pull_time_update_exclusion(principalArn=arn)
    ci.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "v1"}])
    assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["lastRecordedPullTime"]
    with pytest.raises(ClientError) as exc:
        ecr.deregister_pull_time_update_exclusion(principalArn=arn)
    assert error(exc)[0] == "ExclusionNotFoundException"


def test_storage_class_archive_and_restore(aws, ecr):
    ecr.create_repository(repositoryName="app")
    put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")
    out = ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v1"},
                                         targetStorageClass="ARCHIVE")
    assert out["imageStatus"] == "ARCHIVED"
    assert ecr.list_images(repositoryName="app")["imageIds"] == []
    with pytest.raises(ClientError) as exc:
        ecr.start_image_scan(repositoryName="app", imageId={"imageTag": "v1"})
    assert error(exc) == ("ImageArchivedException", "The specified image is archived and cannot be scanned.")
    with pytest.raises(ClientError) as exc:
        ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v1"},
                                       targetStorageClass="ARCHIVE")
    assert error(exc)[0] == "ImageStorageClassUpdateNotSupportedException"
    restored = ecr.update_image_storage_class(repositoryName="app", imageId={"imageTag": "v1"},
                                              targetStorageClass="STANDARD")
    assert restored["imageStatus"] == "ACTIVATING"
    detail = ecr.describe_images(repositoryName="app")["imageDetails"][0]  # operation_delay 0: restored
    assert detail["imageStatus"] == "ACTIVE" and detail["lastActivatedAt"]


def test_image_referrers_and_tag_mutability(ecr):
    ecr.create_repository(repositoryName="app")
    subject = put_image(ecr, repositoryName="app", imageManifest=manifest(), imageTag="v1")["image"]["imageId"]
    signature = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sig",
        "config": {"mediaType": "application/vnd.example.sig", "size": 2, "digest": blob_digest(b"{}")},
        "layers": [], "subject": {"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                  "digest": subject["imageDigest"], "size": 10},
        "annotations": {"org.example": "yes"}})
    sig = put_image(ecr, repositoryName="app", imageManifest=signature)["image"]["imageId"]["imageDigest"]
    referrers = ecr.list_image_referrers(repositoryName="app", subjectId={"imageDigest": subject["imageDigest"]})
    assert [(r["digest"], r["annotations"]) for r in referrers["referrers"]] == [(sig, {"org.example": "yes"})]
    out = ecr.put_image_tag_mutability(repositoryName="app", imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
                                       imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD",
                                                                            "filter": "latest"}])
    assert out["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    with pytest.raises(ClientError) as exc:
        put_image(ecr, repositoryName="app", imageManifest=manifest(marker="9"), imageTag="v1")
    assert error(exc)[0] == "ImageTagAlreadyExistsException"
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="9"), imageTag="latest")
    put_image(ecr, repositoryName="app", imageManifest=manifest(marker="8"), imageTag="latest")


def test_registry_state_survives_export_and_import(aws, ecr):
    from mockrunner.model import snapshot

    ecr.create_repository(repositoryName="app")
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": [{
        "rulePriority": 1, "action": {"type": "expire"},
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3}}]}))
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    ecr.create_repository_creation_template(prefix="ROOT", appliedFor=["REPLICATION"])
    ecr.put_registry_policy(policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "ecr:ReplicateImage"}]}))
    document = json.loads(json.dumps(snapshot.export_state(aws.store)))
    aws.store.reset()
    snapshot.import_state(aws.store, document)
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"][0]["ecrRepositoryPrefix"] == "quay"
    assert ecr.get_lifecycle_policy(repositoryName="app")["lifecyclePolicyText"]
    assert ecr.describe_repository_creation_templates()["repositoryCreationTemplates"][0]["prefix"] == "ROOT"
    bad = json.loads(json.dumps(document))
    ecr_state = bad["state"]["accounts"][ACCOUNT]["regions"][REGION]["ecr"]
    ecr_state["repositories"]["app"]["lifecycle_policy"] = '{"rules": []}'
    with pytest.raises(snapshot.SnapshotError) as exc:
        snapshot.import_state(aws.store, bad)
    assert "repositories.app.lifecycle_policy" in str(exc.value)


@settings(max_examples=400, deadline=None)
@given(pattern=st.text(alphabet="ab*", max_size=8), text=st.text(alphabet="ab", max_size=10))
def test_wildcard_filters_match_as_a_glob_of_stars_does(pattern, text):
    """The linear matcher answers what the glob answers (``*`` any run, everything else literal)."""
    assert matches_wildcard(pattern, text) == fnmatch.fnmatchcase(text, pattern)
