"""An attacker's forty-eighth pass.

Findings (each test failed before its fix):

- **Medium (a seed acknowledged, then lost).** Root credentials given by ``POST /_mockrunner/seed`` were settings of
  the running server, not state: with a state file the seeded account came back at a restart, its root key did not
  (the account was unusable as root), an export carried no way in, and a reset kept the key while forgetting
  everything it had made.  They are state now (``Store.seeded_root_keys``): saved, exported and imported with the
  accounts they made, forgotten by a reset; seeds given at start stay configuration.
- **Low (IAM fidelity).** IAM markers were positions (``"2"``): a marker of one listing was read by any other, as
  a place in it.  AWS refuses it (trek10inc/awsets#21: a ListUsers marker given to ListAccessKeys is "Invalid
  Marker"); markers are now opaque and bound to their operation (and GetAccountAuthorizationDetails' to its filter).
- **Low-medium (fail-open).** Password policy classes were Python's Unicode ones: ``ÀÀÀÀßßß²`` had an uppercase
  letter, a lowercase letter and a number; AWS's are A-Z, a-z, 0-9.
- **Medium (App Runner fidelity).** CreateService and UpdateService took ``RuntimeEnvironmentSecrets`` without an
  instance role; AWS refuses: "Instance Role have to be provided if passing in RuntimeEnvironmentSecrets."
- **Medium (ECR fidelity).** A creation template in ``*_WITH_EXCLUSION`` could never be updated back to ``MUTABLE``
  or ``IMMUTABLE``: its stored filters were kept and then refused (and no empty list can be sent).
- **Low-medium (ECR fidelity).** Signatures, Helm charts and other non-image artifacts were basic-scanned and
  reported clean; StartImageScan of an index used a made-up wording (AWS: "An artifact with media type '...'
  cannot be scanned. ...").
- **Low (ECR validation).** A pull through cache rule for ``ROOT`` took an upstream repository prefix, which the
  ECR User Guide allows only under a non-ROOT prefix.
- **Low (fail-open against what IAM refuses).** A Resource ``arn:aws:s3`` or ``arn:aws:s3:`` was accepted, and a
  Deny written with it denied nothing; IAM refuses it (``can not contain region information``, as moto's
  AWS-derived validator does).
- **Low.** ``policy evaluate`` read a numeric ``resourceAccount`` as another account (a wrong decision instead of
  an error) and answered a ``principalTags`` string with Python's own text; the simulator left out a statement's
  positions when the ``Statement`` key was written with a JSON escape.
- **Low-medium (a half-applied mutation after a crash).** ``kill -9`` while a registry ``PATCH`` (or UploadLayerPart)
  was arriving left its received bytes in the upload after the restart: bytes nobody acknowledged, reported in
  ``Range``, a retry of the chunk refused 416 and the upload unfinishable.  A restart keeps only the recorded parts.
- **Medium-high (fail-open).** ``ListServiceSpecificCredentials(AllUsers=True)`` was authorized on the caller's own
  ARN: a user allowed to list only their own credentials listed everyone's.  It is authorized on ``user/*`` now
  (recorded: "self:all-users" AccessDenied, "account-users:all-users" Success).
- **Low (IAM fidelity).** An upper-case service name was refused (IAM lower-cases it); a new credential could take
  another user's alias; ``iam:CreateAccessKey`` denials named the bare user ARN (AWS: ``user <name>``).
- **Found in this session's own changes.** A start seed naming a root key the state held from an admin seed was
  silently not registered (its new secret ignored, the key lost at a reset); GetAccountAuthorizationDetails' marker
  depended on the process's string hashing (refused after a restart); an upload record's bad part was noticed only
  where it sat.
- **Low (admin API and dashboard).** The decision filter read ``[``, ``]`` and ``?`` as pattern syntax; a ``Host``
  with an empty DNS label and a token holding a line break made dashboard pages 500; decision ids restarted at 1
  with the process, so a live page saw no new decision after a restart.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from tests.harness import MODES, saving_harness

SEEDED_ROOT = {"access_key_id": "AKIASEEDEDROOT000001", "secret_access_key": "seeded-secret"}
SEEDED_ACCOUNT = "111122223333"


def _caller(harness) -> str:
    client = harness.client("sts", access_key=SEEDED_ROOT["access_key_id"], secret=SEEDED_ROOT["secret_access_key"])
    return client.get_caller_identity()["Arn"]


@pytest.mark.parametrize("mode", MODES)
def test_a_root_key_seeded_into_a_running_server_survives_its_restart(tmp_path, mode) -> None:
    path = str(tmp_path / "state.json")
    first = saving_harness(mode, path)
    try:
        status, answer = first.admin("POST", "/seed", {"accounts": [{
            "id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT, "users": [{"name": "alice"}]}]})
        assert status == 200, answer
        assert _caller(first) == f"arn:aws:iam::{SEEDED_ACCOUNT}:root"
    finally:
        first.close()
    again = saving_harness(mode, path)
    try:
        assert _caller(again) == f"arn:aws:iam::{SEEDED_ACCOUNT}:root"
        iam = again.client("iam", access_key=SEEDED_ROOT["access_key_id"], secret=SEEDED_ROOT["secret_access_key"])
        assert [user["UserName"] for user in iam.list_users()["Users"]] == ["alice"]
        status, _ = again.admin("POST", "/reset")
        assert status == 200
        with pytest.raises(ClientError) as refused:  # a reset forgets the seed: its account and its root key
            _caller(again)
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
        assert SEEDED_ACCOUNT not in again.store.accounts
    finally:
        again.close()
    restarted = saving_harness(mode, path)
    try:
        with pytest.raises(ClientError) as refused:  # ... and so does the state file the reset saved
            _caller(restarted)
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    finally:
        restarted.close()


def test_a_seeded_root_key_moves_with_an_export() -> None:
    source = Store(Settings(log_requests=False))
    from mockrunner.seed import apply_seed

    apply_seed(source, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]},
               root_keys_in_state=True)
    document = json.loads(json.dumps(snapshot.export_state(source)))
    target = Store(Settings(log_requests=False))
    snapshot.import_state(target, document)
    assert target.root_key(SEEDED_ROOT["access_key_id"]).account_id == SEEDED_ACCOUNT
    assert target.settings.extra_accounts == ()  # state, not configuration


def test_seeds_given_at_start_stay_configuration() -> None:
    from mockrunner.seed import apply_seed

    store = Store(Settings(log_requests=False))
    apply_seed(store, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]})
    store.reset()  # a reset keeps configuration: the account exists again, empty, and its root key still signs
    assert store.root_key(SEEDED_ROOT["access_key_id"]).account_id == SEEDED_ACCOUNT
    assert SEEDED_ACCOUNT in store.accounts
    assert snapshot.export_state(store)["state"]["seeded_root_keys"] == {}


@pytest.mark.parametrize(("seeded", "problem"), [
    ({"AKIAOTHER00000000001": {"$type": "mockrunner.config:AccountKeys", "account_id": SEEDED_ACCOUNT,
                               "access_key_id": "AKIASEEDEDROOT000001", "secret_access_key": "s"}},
     "expected the root key"),
    ({"AKIASEEDEDROOT000001": {"$type": "mockrunner.config:AccountKeys", "account_id": "444455556666",
                               "access_key_id": "AKIASEEDEDROOT000001", "secret_access_key": "s"}},
     "account '444455556666' is not in"),
    ({"test": {"$type": "mockrunner.config:AccountKeys", "account_id": SEEDED_ACCOUNT,
               "access_key_id": "test", "secret_access_key": "other"}},
     "given to more than one root key"),
    ({"bad key": {"$type": "mockrunner.config:AccountKeys", "account_id": SEEDED_ACCOUNT,
                  "access_key_id": "bad key", "secret_access_key": "s"}},
     "cannot be signed with"),
    ({"AKIASEEDEDROOT000001": {"$type": "mockrunner.config:AccountKeys", "account_id": SEEDED_ACCOUNT,
                               "access_key_id": "AKIASEEDEDROOT000001", "secret_access_key": ""}},
     "is empty"),
    ([], "expected an object"),
])
def test_an_import_refuses_seeded_root_keys_it_cannot_use(seeded, problem) -> None:
    from mockrunner.seed import apply_seed

    source = Store(Settings(log_requests=False))
    apply_seed(source, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]},
               root_keys_in_state=True)
    document = json.loads(json.dumps(snapshot.export_state(source)))
    document["state"]["seeded_root_keys"] = seeded
    target = Store(Settings(log_requests=False))
    with pytest.raises(snapshot.SnapshotError, match=problem):
        snapshot.import_state(target, document)
    assert target.seeded_root_keys == {} and SEEDED_ACCOUNT not in target.accounts


def test_a_seeded_root_key_naming_a_user_key_is_refused() -> None:
    from mockrunner.seed import SeedError, apply_seed

    store = Store(Settings(log_requests=False))
    apply_seed(store, {"users": [{"name": "alice", "access_keys": [
        {"access_key_id": "AKIAALICE00000000001", "secret_access_key": "a"}]}]})
    with pytest.raises(SeedError, match="AKIAALICE00000000001"):
        apply_seed(store, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": {
            "access_key_id": "AKIAALICE00000000001", "secret_access_key": "x"}}]}, root_keys_in_state=True)
    assert store.seeded_root_keys == {} and SEEDED_ACCOUNT not in store.accounts


def _error(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call(**params)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


def test_an_iam_marker_resumes_only_the_listing_that_gave_it(aws) -> None:
    iam = aws.client("iam")
    for name in ("u1", "u2", "u3"):
        iam.create_user(UserName=name)
    iam.create_access_key(UserName="u1")
    iam.create_access_key(UserName="u1")
    first = iam.list_users(MaxItems=1)
    assert first["IsTruncated"] and not first["Marker"].isdecimal()
    rest = iam.list_users(MaxItems=5, Marker=first["Marker"])  # another page size resumes it (recorded)
    assert [user["UserName"] for user in rest["Users"]] == ["u2", "u3"]
    assert _error(iam.list_access_keys, UserName="u1", Marker=first["Marker"]) == ("ValidationError",
                                                                                    "Invalid Marker.")
    assert _error(iam.list_groups, Marker=first["Marker"]) == ("ValidationError", "Invalid Marker.")
    assert _error(iam.list_users, Marker="1") == ("ValidationError", "Invalid Marker.")  # a bare position
    keys = iam.list_access_keys(UserName="u1", MaxItems=1)
    assert len(iam.list_access_keys(UserName="u1", Marker=keys["Marker"])["AccessKeyMetadata"]) == 1
    details = iam.get_account_authorization_details(Filter=["User"], MaxItems=1)
    assert details["IsTruncated"]
    assert len(iam.get_account_authorization_details(Filter=["User"], Marker=details["Marker"])[
        "UserDetailList"]) == 2
    assert _error(iam.get_account_authorization_details, Filter=["Role"], Marker=details["Marker"]) == (
        "ValidationError", "Marker and Filter do not match")


LATIN_1_PASSWORD = "\u00c0\u00c0\u00c0\u00c0\u00df\u00df\u00df\u00b2"  # À, ß, ²: no A-Z, a-z or 0-9


def test_password_classes_are_the_iso_basic_latin_ones(aws) -> None:
    """UpdateAccountPasswordPolicy: "at least one uppercase character from the ISO basic Latin alphabet (A to Z)",
    "(a to z)", "at least one numeric character (0 to 9)"; the default policy counts the same classes."""
    iam = aws.client("iam")
    iam.create_user(UserName="latin")
    assert _error(iam.create_login_profile, UserName="latin", Password=LATIN_1_PASSWORD)[0] == \
        "PasswordPolicyViolation"  # AWS's default policy: three of four classes, none here
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireUppercaseCharacters=True,
                                       RequireLowercaseCharacters=True, RequireNumbers=True)
    assert _error(iam.create_login_profile, UserName="latin", Password=LATIN_1_PASSWORD)[0] == \
        "PasswordPolicyViolation"
    assert _error(iam.create_login_profile, UserName="latin", Password="AAAA\u00df\u00df1\u00b2")[0] == \
        "PasswordPolicyViolation"  # no a-z
    iam.create_login_profile(UserName="latin", Password="A\u00c0a\u00df1\u00b2xx")
    assert iam.get_login_profile(UserName="latin")["LoginProfile"]["UserName"] == "latin"


SECRETS_NEED_A_ROLE = ("InvalidRequestException",
                       "Instance Role have to be provided if passing in RuntimeEnvironmentSecrets.")


def test_runtime_secrets_need_an_instance_role(aws) -> None:
    from tests.apprunner.helpers import PUBLIC_IMAGE, running, service_role

    apprunner = aws.client("apprunner")
    image = {"ImageIdentifier": PUBLIC_IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}
    secret = {"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}
    with_secret = {"ImageRepository": {**image, "ImageConfiguration": {"RuntimeEnvironmentSecrets": secret}}}
    assert _error(apprunner.create_service, ServiceName="no-role", SourceConfiguration=with_secret) == \
        SECRETS_NEED_A_ROLE
    assert apprunner.list_services()["ServiceSummaryList"] == []  # nothing made
    arn = running(apprunner, "plain", SourceConfiguration={"ImageRepository": image})
    assert _error(apprunner.update_service, ServiceArn=arn, SourceConfiguration=with_secret) == SECRETS_NEED_A_ROLE
    assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"  # nothing started
    role = service_role(aws, "instance", "tasks.apprunner.amazonaws.com")
    updated = apprunner.update_service(ServiceArn=arn, SourceConfiguration=with_secret,
                                       InstanceConfiguration={"InstanceRoleArn": role})["Service"]
    assert updated["InstanceConfiguration"]["InstanceRoleArn"] == role
    created = apprunner.create_service(ServiceName="with-role", SourceConfiguration=with_secret,
                                       InstanceConfiguration={"InstanceRoleArn": role})["Service"]
    assert created["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]["RuntimeEnvironmentSecrets"] == \
        secret
    assert _error(apprunner.create_service, ServiceName="empty-role", SourceConfiguration=with_secret,
                  InstanceConfiguration={"Cpu": "1 vCPU"}) == SECRETS_NEED_A_ROLE


def test_a_template_with_exclusions_can_go_back_to_plain_mutability(aws) -> None:
    ecr = aws.client("ecr")
    ecr.create_repository_creation_template(
        prefix="team", appliedFor=["CREATE_ON_PUSH"], imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev*"}])
    for mutability in ("MUTABLE", "IMMUTABLE"):
        template = ecr.update_repository_creation_template(prefix="team", imageTagMutability=mutability)[
            "repositoryCreationTemplate"]
        assert template["imageTagMutability"] == mutability
        assert not template.get("imageTagMutabilityExclusionFilters")
    described = ecr.describe_repository_creation_templates(prefixes=["team"])["repositoryCreationTemplates"][0]
    assert described["imageTagMutability"] == "IMMUTABLE"
    assert not described.get("imageTagMutabilityExclusionFilters")
    again = ecr.update_repository_creation_template(  # back to exclusions, with filters given
        prefix="team", imageTagMutability="MUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "rc*"}])["repositoryCreationTemplate"]
    assert again["imageTagMutabilityExclusionFilters"] == [{"filterType": "WILDCARD", "filter": "rc*"}]
    kept = ecr.update_repository_creation_template(prefix="team", description="d")["repositoryCreationTemplate"]
    assert kept["imageTagMutabilityExclusionFilters"] == [{"filterType": "WILDCARD", "filter": "rc*"}]


def _artifact(artifact_type: str | None, config_type: str, marker: str) -> str:
    from tests.ecr.pushing import blob_digest

    config, layer = b"{}", f"artifact {marker}".encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": config_type, "size": len(config), "digest": blob_digest(config)},
                "layers": [{"mediaType": "application/octet-stream", "size": len(layer),
                            "digest": blob_digest(layer)}]}
    if artifact_type:
        manifest["artifactType"] = artifact_type
    return json.dumps(manifest)


def test_only_container_images_are_basic_scanned(aws) -> None:
    from tests.ecr.pushing import image_manifest, put_image

    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="scanned", imageScanningConfiguration={"scanOnPush": True})
    put_image(ecr, "scanned", image_manifest("scan"), imageTag="image")
    put_image(ecr, "scanned", _artifact("application/vnd.cncf.notary.signature", "application/vnd.oci.empty.v1+json",
                                        "sig"), imageTag="signature")
    put_image(ecr, "scanned", _artifact(None, "application/vnd.cncf.helm.config.v1+json", "chart"), imageTag="chart")
    aws.store.clock.advance(aws.store.settings.operation_delay + 1)
    assert ecr.describe_image_scan_findings(repositoryName="scanned", imageId={"imageTag": "image"})[
        "imageScanStatus"]["status"] == "COMPLETE"
    for tag, media_type in (("signature", "application/vnd.cncf.notary.signature"),
                            ("chart", "application/vnd.cncf.helm.config.v1+json")):
        assert _error(ecr.describe_image_scan_findings, repositoryName="scanned", imageId={"imageTag": tag})[0] == \
            "ScanNotFoundException"  # no scan on push: no report, as prowler-cloud/prowler#4507 found
        assert _error(ecr.start_image_scan, repositoryName="scanned", imageId={"imageTag": tag}) == (
            "UnsupportedImageTypeException",
            f"An artifact with media type '{media_type}' cannot be scanned. For more information, see the Amazon "
            "ECR documentation.")
    digest = ecr.describe_images(repositoryName="scanned", imageIds=[{"imageTag": "image"}])["imageDetails"][0][
        "imageDigest"]
    size = len(image_manifest("scan"))
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": digest, "size": size}]})
    ecr.put_image(repositoryName="scanned", imageManifest=index, imageTag="index")
    assert _error(ecr.start_image_scan, repositoryName="scanned", imageId={"imageTag": "index"}) == (
        "UnsupportedImageTypeException",
        "An artifact with media type 'application/vnd.oci.image.index.v1+json' cannot be scanned. For more "
        "information, see the Amazon ECR documentation.")  # recorded: alexjurkiewicz/ecr-scan-image#43


def test_a_root_pull_through_rule_takes_no_upstream_prefix(aws) -> None:
    ecr = aws.client("ecr")
    upstream = "123456789012.dkr.ecr.us-west-2.amazonaws.com"
    code, message = _error(ecr.create_pull_through_cache_rule, ecrRepositoryPrefix="ROOT", upstreamRegistry="ecr",
                           upstreamRegistryUrl=upstream, upstreamRepositoryPrefix="team-a")
    assert code == "InvalidParameterException" and "upstreamRepositoryPrefix" in message
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
    made = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="team-a", upstreamRegistry="ecr",
                                              upstreamRegistryUrl=upstream, upstreamRepositoryPrefix="team-a")
    assert made["upstreamRepositoryPrefix"] == "team-a"
    root = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ROOT", upstreamRegistry="ecr",
                                              upstreamRegistryUrl=upstream, upstreamRepositoryPrefix="ROOT")
    assert root["ecrRepositoryPrefix"] == "ROOT"


@pytest.mark.parametrize("resource", ["arn:aws:s3", "arn:aws:s3:"])
def test_an_s3_resource_that_ends_before_its_region_is_refused(aws, resource) -> None:
    iam = aws.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": resource}]})
    assert _error(iam.create_policy, PolicyName="short", PolicyDocument=document) == (
        "MalformedPolicyDocument", f"Resource {resource} can not contain region information.")
    for fine in ("arn:aws:s3:::bucket/key", "arn:aws:s3:us-west-2:123456789012:accesspoint/ap"):
        iam.create_policy(PolicyName=f"fine{len(fine)}", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": fine}]}))


def test_policy_evaluate_refuses_request_fields_of_the_wrong_type() -> None:
    from datetime import UTC, datetime

    from mockrunner.iam_engine.cli import evaluate_batch

    allow_all = [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
    base = {"principal": "arn:aws:iam::123456789012:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
            "identityPolicies": allow_all}
    results = evaluate_batch([
        {**base, "id": "number", "resourceAccount": 123456789012},
        {**base, "id": "string", "resourceAccount": "123456789012"},
        {**base, "id": "tags", "principalTags": "team"},
        {**base, "id": "tag-values", "principalTags": {"team": 1}},
    ], datetime.now(UTC))
    by_id = {result["id"]: result for result in results}
    assert by_id["string"]["decision"] == "allowed"
    assert by_id["number"]["decision"] == "error" and "resourceAccount" in by_id["number"]["message"]
    assert by_id["tags"]["decision"] == "error" and "principalTags" in by_id["tags"]["message"]
    assert by_id["tag-values"]["decision"] == "error" and "principalTags" in by_id["tag-values"]["message"]


def test_simulator_positions_read_an_escaped_statement_key(aws) -> None:
    iam = aws.client("iam")
    body = '[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]'
    plain = '{"Version":"2012-10-17","Statement":' + body + "}"
    escaped = '{"Version":"2012-10-17","St\\u0061tement":' + body + "}"
    positions = []
    for text in (plain, escaped):
        [matched] = iam.simulate_custom_policy(PolicyInputList=[text], ActionNames=["s3:GetObject"])[
            "EvaluationResults"][0]["MatchedStatements"]
        positions.append((matched["StartPosition"], matched["EndPosition"]))
    assert positions[0] == ({"Line": 1, "Column": 38}, {"Line": 1, "Column": 95})
    assert positions[1] == ({"Line": 1, "Column": 43}, {"Line": 1, "Column": 100})  # five characters more


def test_a_chunk_arriving_at_a_crash_is_not_in_the_upload_after_the_restart(tmp_path) -> None:
    import hashlib
    import os
    import signal
    import socket
    import time

    from tests.registry.images import Registry, login_password
    from tests.ways.state_server import client, start_server

    state_file = str(tmp_path / "state.json")
    process, endpoint = start_server(state_file)
    data = os.urandom(6 * 1024 * 1024)
    first, second = data[:5 * 1024 * 1024], data[5 * 1024 * 1024:]
    try:
        ecr = client(endpoint, "ecr")
        ecr.create_repository(repositoryName="app")
        password = login_password(ecr)
        registry = Registry(endpoint, password)
        location = registry.call("POST", "/v2/app/blobs/uploads/").headers["Location"]
        sent = registry.call("PATCH", location, data=first, headers={"Content-Range": f"0-{len(first) - 1}"})
        assert sent.status_code in (201, 202), sent.text
        stored = os.path.join(state_file + ".blobs", "uploads", location.rsplit("/", 1)[1])
        port = int(endpoint.rsplit(":", 1)[1])
        head = (f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: {_basic(password)}\r\n"
                f"Content-Range: {len(first)}-{len(data) - 1}\r\nContent-Length: {len(second)}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as half:
            half.sendall(head.encode() + second[:len(second) // 2])
            deadline = time.monotonic() + 10
            while os.path.getsize(stored) <= len(first) and time.monotonic() < deadline:  # bounded
                time.sleep(0.02)
            assert os.path.getsize(stored) > len(first), "the server never wrote the arriving chunk"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    restarted, endpoint = start_server(state_file)
    try:
        registry = Registry(endpoint, login_password(client(endpoint, "ecr")))
        assert registry.call("GET", location).headers["Range"] == f"0-{len(first) - 1}"  # what was acknowledged
        again = registry.call("PATCH", location, data=second, headers={
            "Content-Range": f"{len(first)}-{len(data) - 1}"})  # the chunk retried where it began
        assert again.status_code in (201, 202), again.text
        closed = registry.call("PUT", location, params={"digest": "sha256:" + hashlib.sha256(data).hexdigest()})
        assert closed.status_code == 201, closed.text
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)


def _basic(password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()


def _user_client(aws, name: str, policy: dict):
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return aws.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def _allow(action: str, resource: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def test_listing_every_users_service_credentials_needs_every_user(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="victim")
    iam.create_service_specific_credential(UserName="victim", ServiceName="codecommit.amazonaws.com")
    own = _user_client(aws, "me", _allow("iam:ListServiceSpecificCredentials",
                                         "arn:aws:iam::123456789012:user/me"))
    assert own.list_service_specific_credentials()["ServiceSpecificCredentials"] == []  # self-implicit: allowed
    assert _error(own.list_service_specific_credentials, AllUsers=True)[0] == "AccessDenied"
    everyone = _user_client(aws, "auditor", _allow("iam:ListServiceSpecificCredentials",
                                                   "arn:aws:iam::123456789012:user/*"))
    listed = everyone.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert [item["UserName"] for item in listed] == ["victim"]


def test_service_names_are_lower_cased(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="git")
    made = iam.create_service_specific_credential(UserName="git", ServiceName="CODECOMMIT.Amazonaws.com")[
        "ServiceSpecificCredential"]
    assert made["ServiceName"] == "codecommit.amazonaws.com"
    listed = iam.list_service_specific_credentials(UserName="git", ServiceName="CodeCommit.amazonaws.com")
    assert [item["ServiceSpecificCredentialId"] for item in listed["ServiceSpecificCredentials"]] == [
        made["ServiceSpecificCredentialId"]]
    conditioned = _user_client(aws, "cond", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:CreateServiceSpecificCredential", "Resource": "*",
        "Condition": {"StringEquals": {"iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}}}]})
    conditioned.create_service_specific_credential(UserName="cond", ServiceName="CODECOMMIT.AMAZONAWS.COM")


def test_a_new_credential_does_not_take_another_users_alias(aws) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="x")
    iam.create_service_specific_credential(UserName="x", ServiceName="bedrock.amazonaws.com")
    iam.update_user(UserName="x", NewUserName="y")  # its credential keeps the alias x-at-<account>
    iam.create_user(UserName="x")
    made = iam.create_service_specific_credential(UserName="x", ServiceName="bedrock.amazonaws.com")
    assert made["ServiceSpecificCredential"]["ServiceCredentialAlias"] == "x+1-at-123456789012"


def test_create_access_key_denials_name_the_user(aws) -> None:
    aws.client("iam").create_user(UserName="target")
    caller = _user_client(aws, "caller", _allow("iam:GetUser", "*"))
    code, message = _error(caller.create_access_key, UserName="target")
    assert code == "AccessDenied"
    assert "iam:CreateAccessKey on resource: user target because no identity-based policy allows" in message
    code, message = _error(caller.create_user, UserName="newcomer")  # a user that does not exist yet: its ARN
    assert "iam:CreateUser on resource: arn:aws:iam::123456789012:user/newcomer" in message


def test_a_start_seed_giving_a_state_seeded_root_key_is_configuration_again(tmp_path) -> None:
    from mockrunner.app import create_app
    from mockrunner.seed import SeedError

    def app(**settings):
        return create_app(Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.json"),
                                   **settings))

    first = app()
    seeded = first.test_client().post("/_mockrunner/seed", json={"accounts": [
        {"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]})
    assert seeded.status_code == 200, seeded.get_data(as_text=True)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": {
        **SEEDED_ROOT, "secret_access_key": "another"}}]}))
    with pytest.raises(SeedError, match="already has another secret"):  # as --accounts refuses it
        app(seed_files=(str(seed),))
    seed.write_text(json.dumps({"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]}))
    again = app(seed_files=(str(seed),))
    assert again.store.settings.root_key(SEEDED_ROOT["access_key_id"]) is not None  # configuration again
    again.store.reset()
    assert again.store.root_key(SEEDED_ROOT["access_key_id"]).account_id == SEEDED_ACCOUNT  # kept by a reset


def test_an_admin_seed_giving_a_root_key_another_secret_is_refused() -> None:
    from mockrunner.seed import SeedError, apply_seed

    store = Store(Settings(log_requests=False))
    apply_seed(store, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": SEEDED_ROOT}]},
               root_keys_in_state=True)
    with pytest.raises(SeedError, match="already has another secret"):
        apply_seed(store, {"accounts": [{"id": SEEDED_ACCOUNT, "root_credentials": {
            **SEEDED_ROOT, "secret_access_key": "other"}}]}, root_keys_in_state=True)
    assert store.root_key(SEEDED_ROOT["access_key_id"]).secret_access_key == SEEDED_ROOT["secret_access_key"]


def test_an_authorization_details_marker_outlives_a_restart(tmp_path, monkeypatch) -> None:
    """A marker's fingerprint may not depend on the process's string hashing (a frozenset's order did)."""
    from tests.ways.state_server import client, start_server

    state_file = str(tmp_path / "state.json")
    kinds = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
    markers = []
    for seed in ("1", "2", "6"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        process, endpoint = start_server(state_file)
        try:
            iam = client(endpoint, "iam")
            if not markers:
                for name in ("a", "b"):
                    iam.create_user(UserName=name)
            else:
                rest = iam.get_account_authorization_details(Filter=kinds, MaxItems=1, Marker=markers[0])
                assert [user["UserName"] for user in rest["UserDetailList"]] == ["b"]
            markers.append(iam.get_account_authorization_details(Filter=kinds, MaxItems=1)["Marker"])
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert len(set(markers)) == 1


def test_an_authorization_details_marker_resumes_whatever_the_filter_order(aws) -> None:
    iam = aws.client("iam")
    for name in ("a", "b"):
        iam.create_user(UserName=name)
    first = iam.get_account_authorization_details(Filter=["User", "Role"], MaxItems=1)
    rest = iam.get_account_authorization_details(Filter=["Role", "User"], MaxItems=1, Marker=first["Marker"])
    assert [user["UserName"] for user in rest["UserDetailList"]] == ["b"]


@pytest.mark.parametrize("parts", [[10, "x"], [10, 100, "x"], [10, 0], [True]])
def test_an_upload_record_with_a_bad_part_drops_the_upload(tmp_path, parts) -> None:
    import os
    from datetime import UTC, datetime

    from mockrunner.model.blobs import BlobStore

    blobs = BlobStore(str(tmp_path))
    upload = blobs.start_upload(("a", "r"), datetime.now(UTC))
    blobs.append(upload.id, [b"a" * 15])
    record = os.path.join(str(tmp_path), "uploads", upload.id + ".json")
    with open(record) as handle:
        document = json.loads(handle.read())
    document["parts"] = parts
    with open(record, "w") as handle:
        handle.write(json.dumps(document))
    assert BlobStore(str(tmp_path)).upload(upload.id) is None


def test_the_decision_filter_reads_brackets_and_question_marks_as_themselves(aws) -> None:
    iam = aws.client("iam")
    arns = {}
    for name, path in (("bob", "/t[a]?/"), ("mallory", "/tax/")):
        arns[name] = iam.create_user(UserName=name, Path=path)["User"]["Arn"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        denied = aws.client("iam", access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        assert _error(denied.list_roles)[0] == "AccessDenied"
    status, exact = aws.admin("GET", "/decisions?" + urlencode({"principal": arns["bob"]}))
    assert status == 200 and [entry["principal"] for entry in exact["decisions"]] == [arns["bob"]]
    status, under = aws.admin("GET", "/decisions?" + urlencode({"principal": arns["bob"].replace("/bob", "/*")}))
    assert [entry["principal"] for entry in under["decisions"]] == [arns["bob"]]  # not mallory under /tax/


@pytest.mark.parametrize("host", ["a..b", ".localhost", "localhost..", "127.0.0.1.."])
def test_a_dashboard_page_refuses_a_host_with_an_empty_label_in_words(server, host) -> None:
    import http.client

    port = int(server.endpoint_url.rsplit(":", 1)[1])

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        body = answer.read().decode()
        connection.close()
        return answer.status, body

    status, body = get("/_mockrunner/health")  # the admin API refuses this Host
    assert status in (400, 403) and json.loads(body)["error"]
    for path in ("/_mockrunner/ui/", "/_mockrunner/ui/login", "/_mockrunner/ui/static/dashboard.js"):
        status, body = get(path)
        assert status in (400, 403) and body.startswith(f"{status} "), (path, status, body[:200])  # in words


@pytest.mark.parametrize("token", ["wrong\n", "x\r\ny", "\x00"])
def test_a_token_no_header_can_hold_is_a_wrong_token(token) -> None:
    from tests.harness import Harness

    harness = Harness("inprocess", Settings(log_requests=False, operation_delay=0, admin_token="right-token"))
    try:
        client = harness.app.test_client()
        login = client.post("/_mockrunner/ui/login", data={"token": token})
        assert login.status_code == 401 and "text/html" in login.content_type
        client.set_cookie("mockrunner_admin_token", token, path="/_mockrunner/")
        page = client.get("/_mockrunner/ui/decisions")
        assert page.status_code == 401  # the login form again
        assert client.post("/_mockrunner/ui/login", data={"token": "right-token"}).status_code == 302
    finally:
        harness.close()


def test_decision_ids_go_on_after_a_restart(tmp_path) -> None:
    import requests

    from tests.ways.state_server import client, start_server

    ids = []
    for _ in range(2):
        process, endpoint = start_server(str(tmp_path / "state.json"))
        try:
            client(endpoint, "iam").list_users()
            ids.append(requests.get(f"{endpoint}/_mockrunner/decisions", timeout=10).json()["decisions"][-1]["id"])
            rows = requests.get(f"{endpoint}/_mockrunner/ui/decisions/rows", params={"after": ids[0] - 1},
                                timeout=10).json()
            assert rows["last"] == ids[-1]  # a page polling since before the restart sees the new decision
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert ids[1] > ids[0]
