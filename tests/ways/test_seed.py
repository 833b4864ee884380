"""Seed files: everything they declare exists and works through the API; invalid seeds name the bad field."""
from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.store import Store
from mockrunner.seed import SeedError, apply_seed, apply_seed_file
from mockrunner.testing.mock import MockAppRunner

ALLOW_ECR_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecr:DescribeRepositories", "ecr:DescribeImages"], "Resource": "*"}]}
MANIFEST_TEXT = ('{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
                 '"config":{},"layers":[]}')
MANIFEST_DIGEST = "sha256:" + hashlib.sha256(MANIFEST_TEXT.encode()).hexdigest()
TRUST_APPRUNNER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
SEED = {
    "managed_policies": [{"name": "EcrRead", "document": ALLOW_ECR_READ, "description": "read ECR"}],
    "users": [
        {"name": "reader", "managed_policies": ["EcrRead"],
         "access_keys": [{"access_key_id": "AKIAREADER0000000000", "secret_access_key": "reader-secret"}]},
        {"name": "nobody", "tags": {"team": "none"},
         "access_keys": [{"access_key_id": "AKIANOBODY0000000000", "secret_access_key": "nobody-secret"}]},
    ],
    "roles": [{"name": "access", "trust_policy": TRUST_APPRUNNER,
               "managed_policies": ["arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"]}],
    "ecr": {"repositories": [{"name": "web", "images": [{"tags": ["latest"]}, {"tags": ["old"]}]},
                             {"name": "eu", "region": "eu-west-1"}]},
    "apprunner": {"auto_scaling_configurations": [{"AutoScalingConfigurationName": "small", "MaxSize": 2}],
                  "services": [{"ServiceName": "web-app", "SourceConfiguration": {
                      "ImageRepository": {"ImageIdentifier": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest",
                                          "ImageRepositoryType": "ECR"},
                      "AuthenticationConfiguration": {"AccessRoleArn": "arn:aws:iam::123456789012:role/access"},
                      "AutoDeploymentsEnabled": False}}]},
    "accounts": [{"id": "111122223333",
                  "root_credentials": {"access_key_id": "OTHERROOT", "secret_access_key": "other"},
                  "ecr": {"repositories": [{"name": "theirs"}]}}],
}


def _state(store: Store) -> dict:
    """The exported state without IAM's cache version counter (a rollback legitimately bumps it)."""
    state = snapshot.export_state(store)["state"]
    for account in state["accounts"].values():
        account["iam"].pop("version")
    return state


def _client(mock: MockAppRunner, service: str, key: str, secret: str, region: str = "us-east-1"):
    return boto3.client(service, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret)


def test_a_full_seed_works_through_the_api() -> None:
    with MockAppRunner(seed=[SEED]) as mock:
        reader = _client(mock, "ecr", "AKIAREADER0000000000", "reader-secret")
        assert [r["repositoryName"] for r in reader.describe_repositories()["repositories"]] == ["web"]
        tags = sorted(t for i in reader.describe_images(repositoryName="web")["imageDetails"] for t in i["imageTags"])
        assert tags == ["latest", "old"]
        with pytest.raises(ClientError) as denied:
            _client(mock, "ecr", "AKIANOBODY0000000000", "nobody-secret").describe_repositories()
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        eu = _client(mock, "ecr", "test", "test", "eu-west-1").describe_repositories()["repositories"]
        assert [r["repositoryName"] for r in eu] == ["eu"]
        other = _client(mock, "sts", "OTHERROOT", "other").get_caller_identity()
        assert other["Arn"] == "arn:aws:iam::111122223333:root"
        apprunner = boto3.client("apprunner")
        mock.settle()
        services = apprunner.list_services()["ServiceSummaryList"]
        assert [(s["ServiceName"], s["Status"]) for s in services] == [("web-app", "RUNNING")]
        configs = apprunner.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
        assert "small" in [c["AutoScalingConfigurationName"] for c in configs]


def _trusting(arn: str) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]}


def test_roles_may_trust_users_of_any_seeded_account_and_roles_listed_before_them() -> None:
    """IAM refuses a trust policy naming a user or role that does not exist, so a seed makes every account's users
    before any role."""
    back = {"name": "back", "trust_policy": _trusting("arn:aws:iam::123456789012:user/ours")}
    seed = {"roles": [{"name": "first", "trust_policy": _trusting("arn:aws:iam::111122223333:user/theirs")},
                      {"name": "second", "trust_policy": _trusting("arn:aws:iam::123456789012:role/first")}],
            "users": [{"name": "ours"}],
            "accounts": [{"id": "111122223333", "root_credentials": {"access_key_id": "OTHERROOT",
                                                                      "secret_access_key": "other"},
                          "users": [{"name": "theirs"}], "roles": [back]}]}
    with MockAppRunner(seed=seed):
        trusted = boto3.client("iam").get_role(RoleName="second")["Role"]["AssumeRolePolicyDocument"]
        assert trusted["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:role/first"}


def test_seed_file_from_disk_and_summary(tmp_path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(SEED))
    store = Store(Settings(log_requests=False, operation_delay=0))
    created = apply_seed_file(store, str(path))
    assert created["users"] == 2 and created["access_keys"] == 2 and created["images"] == 2
    assert created["accounts"] == 1 and created["apprunner_services"] == 1


BAD_POLICY_USERS = [{"name": f"u{i}"} for i in range(2)] + [
    {"name": "u2", "policies": [{"name": "p", "document": "{\"Version\": \"2012-10-17\", \"Statement\": ["}]}]


def test_a_seeded_images_digest_is_its_manifests_when_both_are_given() -> None:
    """The digest a client computes from the manifest it pulls is the one it was told (a mismatch is refused
    below), so a pull by digest answers the bytes given."""
    seed = {"ecr": {"repositories": [{"name": "web", "images": [
        {"tags": ["v1"], "manifest": MANIFEST_TEXT, "digest": MANIFEST_DIGEST}]}]}}
    with MockAppRunner(seed=[seed]):
        ecr = boto3.client("ecr", region_name="us-east-1")
        image = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageDigest": MANIFEST_DIGEST}])["images"][0]
    assert image["imageManifest"] == MANIFEST_TEXT
    assert image["imageId"]["imageDigest"] == MANIFEST_DIGEST


@pytest.mark.parametrize("seed, message", [
    ({"users": BAD_POLICY_USERS}, "users[2].policies[0].document: This policy contains invalid Json"),
    ({"users": [{"name": "x", "polices": []}]}, "users[0].polices: unknown field"),
    ({"users": [{"policies": []}]}, "users[0].name: required field is missing"),
    ({"roles": [{"name": "r", "trust_policy": 5}]}, "roles[0].trust_policy: expected an object or a string, got an "
                                                    "integer"),
    ({"roles": [{"name": "r", "trust_policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "build.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Resource": "*"}]}}]}, "roles[0].trust_policy: "),
    ({"roles": [{"name": "r", "trust_policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/nobody"},
         "Action": "sts:AssumeRole"}]}}]}, 'roles[0].trust_policy: Invalid principal in policy: "AWS"'),
    ({"users": [{"name": "a", "managed_policies": ["arn:aws:iam::aws:policy/NoSuchPolicy"]}]},
     "users[0].managed_policies[0]: "),
    ({"users": [{"name": "a", "access_keys": [{"access_key_id": "test"}]}]}, "users[0].access_keys[0].access_key_id"),
    ({"ecr": {"repositories": [{"name": "web", "images": [{"tags": [7]}]}]}}, "ecr.repositories[0].images[0].tags"),
    ({"ecr": {"repositories": [{"name": "web", "images": [{"digest": "sha256:aa"}]}]}},
     "ecr.repositories[0].images[0].digest: expected sha256:"),
    ({"ecr": {"repositories": [{"name": "web", "images": [{"manifest": MANIFEST_TEXT,
                                                            "digest": "sha256:" + "0" * 64}]}]}},
     f"ecr.repositories[0].images[0].digest: sha256:{'0' * 64} is not the digest of the image's manifest as stored "
     f"({MANIFEST_DIGEST}; "),
    ({"ecr": {"repositories": [{"name": "web", "images": [{"manifest": json.loads(MANIFEST_TEXT),
                                                            "digest": MANIFEST_DIGEST}]}]}},
     f"ecr.repositories[0].images[0].digest: {MANIFEST_DIGEST} is not the digest of the image's manifest as stored "
     f"(sha256:{hashlib.sha256(json.dumps(json.loads(MANIFEST_TEXT)).encode()).hexdigest()}; a manifest given as a "
     "JSON object is stored with a space after each ',' and ':')"),
    # the second image names the first's digest: the check is of what the seed gives, not of the image it finds
    ({"ecr": {"repositories": [{"name": "web", "images": [
        {"manifest": MANIFEST_TEXT, "digest": MANIFEST_DIGEST},
        {"manifest": MANIFEST_TEXT + " ", "digest": MANIFEST_DIGEST}]}]}},
     f"ecr.repositories[0].images[1].digest: {MANIFEST_DIGEST} is not the digest of the image's manifest as stored "
     f"(sha256:{hashlib.sha256((MANIFEST_TEXT + ' ').encode()).hexdigest()}; "),
    ({"ecr": {"repositories": [{"name": "web", "images": [{"media_type": "application/json"}]}]}},
     "ecr.repositories[0].images[0].media_type: expected one of"),
    ({"accounts": [{"id": "12"}]}, "accounts[0].id: an account id is 12 digits"),
    ({"accounts": [{"id": "999999999999"}]}, "accounts[0].id: account 999999999999 is not configured"),
    ({"apprunner": {"services": [{"ServiceName": "x"}]}}, "apprunner.services[0]: "),
    ({"version": 2}, "version: "),
    ([], "$: expected an object"),
])
def test_invalid_seeds_fail_with_the_path_and_change_nothing(seed, message) -> None:
    store = Store(Settings(log_requests=False, operation_delay=0))
    before = _state(store)
    with pytest.raises(SeedError) as raised:
        apply_seed(store, seed)
    assert str(raised.value).startswith(message), str(raised.value)
    assert _state(store) == before
    assert store.settings.extra_accounts == ()


def test_file_errors_name_the_file(tmp_path) -> None:
    store = Store(Settings(log_requests=False))
    broken = tmp_path / "broken.json"
    broken.write_text("{\"users\": [")
    with pytest.raises(SeedError, match=r"broken\.json: not valid JSON"):
        apply_seed_file(store, str(broken))
    with pytest.raises(SeedError, match="cannot read seed file"):
        apply_seed_file(store, str(tmp_path / "missing.json"))
    yaml_file = tmp_path / "seed.yaml"
    yaml_file.write_text("users: []")
    with pytest.raises(SeedError, match="YAML seed files are not supported"):
        apply_seed_file(store, str(yaml_file))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"users": [{"nam": "x"}]}))
    with pytest.raises(SeedError, match=r"bad\.json: users\[0\]\.nam: unknown field"):
        apply_seed_file(store, str(bad))


def test_serve_refuses_an_invalid_seed(tmp_path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"users": BAD_POLICY_USERS}))
    result = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--seed", str(bad)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "users[2].policies[0].document: This policy contains invalid Json" in result.stderr


EVERY_FIELD = {
    "description": "every field a seed may have",
    "version": 1,
    "managed_policies": [{"name": "Boundary", "path": "/limits/", "description": "a boundary",
                          "tags": {"team": "platform"}, "document": ALLOW_ECR_READ}],
    "users": [{"name": "dev", "path": "/people/", "tags": {"team": "web"}, "permissions_boundary": "Boundary",
               "policies": [{"name": "inline", "document": json.dumps(ALLOW_ECR_READ)}],
               "managed_policies": ["arn:aws:iam::123456789012:policy/limits/Boundary"],
               "access_keys": [{"access_key_id": "AKIADEVACTIVE0000000", "secret_access_key": "dev-secret"},
                               {"access_key_id": "AKIADEVINACTIVE00000", "status": "Inactive"}]}],
    "roles": [{"name": "svc", "trust_policy": TRUST_APPRUNNER, "path": "/svc/", "description": "service role",
               "max_session_duration": 7200, "tags": {"tier": "1"}, "policies": [
                   {"name": "inline", "document": ALLOW_ECR_READ}], "permissions_boundary": "Boundary"}],
    "ecr": {"repositories": [{"name": "api", "image_tag_mutability": "IMMUTABLE", "tags": {"app": "api"},
                              "policy": {"Version": "2012-10-17", "Statement": [{
                                  "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                  "Action": "ecr:BatchGetImage"}]},
                              "images": [{"tags": ["v1"]},  # no manifest: one is made up
                                         {"tags": ["v2"], "manifest": {"schemaVersion": 2, "layers": []},
                                          "media_type": "application/vnd.oci.image.manifest.v1+json",
                                          "size": 1234}]}]},
    "apprunner": {"observability_configurations": [{"ObservabilityConfigurationName": "traces"}],
                  "vpc_connectors": [{"VpcConnectorName": "vpc-one", "Subnets": ["subnet-0123456789abcdef0"]}],
                  "connections": [{"ConnectionName": "github-main", "ProviderType": "GITHUB"}]},
}


def test_every_field_of_the_seed_format() -> None:
    with MockAppRunner(seed=EVERY_FIELD):
        iam = boto3.client("iam")
        user = iam.get_user(UserName="dev")["User"]
        assert user["Path"] == "/people/" and user["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(
            "policy/limits/Boundary")
        keys = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="dev")["AccessKeyMetadata"]}
        assert keys == {"AKIADEVACTIVE0000000": "Active", "AKIADEVINACTIVE00000": "Inactive"}
        role = iam.get_role(RoleName="svc")["Role"]
        assert role["MaxSessionDuration"] == 7200 and role["Description"] == "service role"
        ecr = boto3.client("ecr")
        repository = ecr.describe_repositories()["repositories"][0]
        assert repository["imageTagMutability"] == "IMMUTABLE"
        images = {i["imageTags"][0]: i for i in ecr.describe_images(repositoryName="api")["imageDetails"]}
        assert set(images) == {"v1", "v2"} and images["v2"]["imageSizeInBytes"] == 1234
        manifests = ecr.batch_get_image(repositoryName="api", imageIds=[{"imageTag": "v1"}])["images"]
        assert json.loads(manifests[0]["imageManifest"])  # a made-up but well-formed manifest
        assert "Principal" in ecr.get_repository_policy(repositoryName="api")["policyText"]
        apprunner = boto3.client("apprunner")
        assert apprunner.list_connections()["ConnectionSummaryList"][0]["Status"] == "PENDING_HANDSHAKE"
        assert [c["VpcConnectorName"] for c in apprunner.list_vpc_connectors()["VpcConnectors"]] == ["vpc-one"]
        assert apprunner.list_observability_configurations()["ObservabilityConfigurationSummaryList"]
