"""State documents holding a value of the right type but out of the range the API allows (a role's 10^9-second
session duration, a 51st tag, an enum value that is not one, a date in year 1) are refused whole: through the
admin API over HTTP with a 400 naming the path of the bad value, the state and its state file left as they were;
as a state file at start-up, with ``serve`` stopping with one line naming the file and the path.

A property check on a rich world: out-of-range values put in random leaves are refused cleanly (a date in year 1
or 9999 always), and whatever is accepted leaves every read operation answering without a 500."""
from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from werkzeug.test import Client

from mockrunner.config import Settings
from mockrunner.persistence import encode_file
from tests.ecr.pushing import image_manifest, put_image
from tests.harness import Harness
from tests.robustness.world import ACCOUNT, PUBLIC_SOURCE, build_world, replaced
from tests.ways.test_bad_state_files import _serve

REGION = "us-east-1"
RULE = {"destinations": [{"region": "us-west-2", "registryId": ACCOUNT}]}


def _populate(harness: Harness) -> None:
    iam, ecr, apprunner = harness.client("iam"), harness.client("ecr"), harness.client("apprunner")
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "a"}])
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    assumable = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ACCOUNT}}]})
    role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument=assumable,
                           Tags=[{"Key": "team", "Value": "a"}])["Role"]["Arn"]
    policy = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="runner", PolicyArn=policy)
    iam.update_account_password_policy(MinimumPasswordLength=8)
    iam.create_open_id_connect_provider(Url="https://token.example.com", ClientIDList=["app"],
                                        ThumbprintList=["a" * 40])
    harness.client_for(key, "sts").assume_role(RoleArn=role, RoleSessionName="s1")
    ecr.create_repository(repositoryName="web", tags=[{"Key": "team", "Value": "a"}])
    put_image(ecr, repositoryName="web", imageManifest=image_manifest(), imageTag="v1")
    ecr.put_replication_configuration(replicationConfiguration={"rules": [RULE]})
    apprunner.create_auto_scaling_configuration(AutoScalingConfigurationName="scale", MaxSize=5)
    apprunner.create_connection(ConnectionName="github", ProviderType="GITHUB")
    arn = apprunner.create_service(ServiceName="web-svc", SourceConfiguration=PUBLIC_SOURCE,
                                   Tags=[{"Key": "team", "Value": "a"}])["Service"]["ServiceArn"]
    apprunner.describe_service(ServiceArn=arn)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    harness = Harness("inprocess")
    _populate(harness)
    try:
        return json.loads(json.dumps(_export(harness)))
    finally:
        harness.close()


def _export(harness: Harness) -> dict:
    from mockrunner.model import snapshot

    return snapshot.export_state(harness.store)


def _iam(doc: dict) -> dict:
    return doc["state"]["accounts"][ACCOUNT]["iam"]


def _ecr(doc: dict) -> dict:
    return doc["state"]["accounts"][ACCOUNT]["regions"][REGION]["ecr"]


def _apprunner(doc: dict) -> dict:
    return doc["state"]["accounts"][ACCOUNT]["regions"][REGION]["apprunner"]


def _first(mapping: dict) -> dict:
    return next(iter(mapping.values()))


def _tags(count: int) -> dict:
    return {f"k{index}": "v" for index in range(count)}


def _date(year: int) -> dict:
    return {"$datetime": datetime(year, 1, 2, tzinfo=UTC).isoformat()}


def _later(days: int) -> dict:
    return {"$datetime": (datetime.now(UTC) + timedelta(days=days)).isoformat()}


def _set(where: Callable[[dict], dict], name: str, value: Any) -> Callable[[dict], None]:
    return lambda doc: where(doc).__setitem__(name, copy.deepcopy(value))


ROLE = lambda doc: _iam(doc)["roles"]["runner"]  # noqa: E731
USER = lambda doc: _iam(doc)["users"]["alice"]  # noqa: E731
POLICY = lambda doc: _first(_iam(doc)["policies"])  # noqa: E731
REPOSITORY = lambda doc: _ecr(doc)["repositories"]["web"]  # noqa: E731
IMAGE = lambda doc: _first(REPOSITORY(doc)["images"])  # noqa: E731
SERVICE = lambda doc: _first(_apprunner(doc)["services"])  # noqa: E731
SCALING = lambda doc: next(c for c in _apprunner(doc)["auto_scaling_configurations"].values()  # noqa: E731
                           if c["name"] == "scale")

#: name -> (change to the exported document, the end of the path the refusal must name)
CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    "role session duration -1": (_set(ROLE, "max_session_duration", -1), "roles.runner.max_session_duration"),
    "role session duration 10^9": (_set(ROLE, "max_session_duration", 10 ** 9), "roles.runner.max_session_duration"),
    "role description of 1001": (_set(ROLE, "description", "x" * 1001), "roles.runner.description"),
    "role with 51 tags": (_set(ROLE, "tags", _tags(51)), "roles.runner.tags"),
    "role with 11 attached policies": (_set(ROLE, "attached_policies", [f"arn:aws:iam::{ACCOUNT}:policy/p{i}"
                                                                        for i in range(11)]),
                                       "roles.runner.attached_policies"),
    "role name empty": (_set(ROLE, "name", ""), "roles.runner.name"),
    "user path without slashes": (_set(USER, "path", "home"), "users.alice.path"),
    "user tag key empty": (_set(USER, "tags", {"": "v"}), "users.alice.tags['']"),
    "user created in year 1": (_set(USER, "create_date", _date(1)), "users.alice.create_date"),
    "user created next year": (_set(USER, "create_date", _later(400)), "users.alice.create_date"),
    "policy default version v0": (_set(POLICY, "default_version_id", "v0"), ".default_version_id"),
    "policy version id x": (lambda doc: POLICY(doc)["versions"][0].__setitem__("version_id", "x"),
                            ".versions[0].version_id"),
    "policy with 6 versions": (lambda doc: POLICY(doc).__setitem__("versions", POLICY(doc)["versions"] * 6),
                               ".versions"),
    "access key status Deleted": (lambda doc: _first(_iam(doc)["access_keys"]).__setitem__("status", "Deleted"),
                                  ".status"),
    "password length 200": (lambda doc: _iam(doc)["password_policy"].__setitem__("minimum_length", 200),
                            "password_policy.minimum_length"),
    "password age 5000 days": (lambda doc: _iam(doc)["password_policy"].__setitem__("max_age", 5000),
                               "password_policy.max_age"),
    "account alias A": (lambda doc: _iam(doc).__setitem__("account_aliases", ["A"]), "iam.account_aliases[0]"),
    "oidc provider with 6 thumbprints": (lambda doc: _first(_iam(doc)["oidc_providers"]).__setitem__(
        "thumbprints", ["a" * 40] * 6), ".thumbprints"),
    "session expiring in year 9999": (lambda doc: _first(_iam(doc)["sessions"]).__setitem__(
        "expiration", _date(9999)), ".expiration"),
    "session expiring in 3 days": (lambda doc: _first(_iam(doc)["sessions"]).__setitem__(
        "expiration", _later(3)), ".expiration"),
    "repository mutability SOMETIMES": (_set(REPOSITORY, "image_tag_mutability", "SOMETIMES"),
                                        "repositories.web.image_tag_mutability"),
    "repository with 51 tags": (_set(REPOSITORY, "tags", _tags(51)), "repositories.web.tags"),
    "image size -1": (_set(IMAGE, "size", -1), ".size"),
    "image status GONE": (_set(IMAGE, "status", "GONE"), ".status"),
    "image tag of 301": (_set(IMAGE, "tags", ["x" * 301]), ".tags[0]"),
    "layer size -5": (lambda doc: _first(REPOSITORY(doc)["layers"]).__setitem__("size", -5), ".size"),
    "scan type DEEP": (lambda doc: _ecr(doc).__setitem__("scan_type", "DEEP"), "ecr.scan_type"),
    "26 replication rules": (lambda doc: _ecr(doc).__setitem__("replication_rules", [RULE] * 26),
                             "ecr.replication_rules"),
    "auto scaling max size 10^6": (_set(SCALING, "max_size", 10 ** 6), ".max_size"),
    "auto scaling min size 0": (_set(SCALING, "min_size", 0), ".min_size"),
    "auto scaling concurrency 500": (_set(SCALING, "max_concurrency", 500), ".max_concurrency"),
    "service status EXPLODED": (_set(SERVICE, "status", "EXPLODED"), ".status"),
    "service cpu 3 vCPU": (lambda doc: SERVICE(doc)["instance_configuration"].__setitem__("Cpu", "3 vCPU"),
                           ".instance_configuration.cpu"),
    "service with 51 tags": (_set(SERVICE, "tags", _tags(51)), ".tags"),
    "service name x": (_set(SERVICE, "name", "x"), ".name"),
    "operation status MAYBE": (lambda doc: SERVICE(doc)["operations"][0].__setitem__("status", "MAYBE"),
                               ".operations[0].status"),
    "connection provider SVN": (lambda doc: _first(_apprunner(doc)["connections"]).__setitem__(
        "provider_type", "SVN"), ".provider_type"),
}


def _changed(exported: dict, case: str) -> dict:
    document = copy.deepcopy(exported)
    CASES[case][0](document)
    assert document != exported
    return document


@pytest.fixture
def server(tmp_path, exported):
    path = tmp_path / "state.bin"
    harness = Harness("server", Settings(log_requests=False, operation_delay=0, state_file=str(path)))
    response = requests.put(harness.endpoint_url + "/_mockrunner/state", json=exported, timeout=30)
    assert response.status_code == 200, response.text
    yield harness, path
    harness.close()


@pytest.mark.parametrize("case", CASES)
def test_an_out_of_range_value_is_refused_and_changes_nothing(server, exported, case):
    harness, path = server
    before, on_disk = requests.get(harness.endpoint_url + "/_mockrunner/state", timeout=30).json(), path.read_bytes()
    response = requests.put(harness.endpoint_url + "/_mockrunner/state", json=_changed(exported, case), timeout=30)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["error"] == "InvalidState"
    where = body["message"].split(": ", 1)[0]
    assert where.startswith("$.state.accounts.") and where.endswith(CASES[case][1]), body["message"]
    assert requests.get(harness.endpoint_url + "/_mockrunner/state", timeout=30).json()["state"] == before["state"]
    assert path.read_bytes() == on_disk
    assert harness.client("iam").get_role(RoleName="runner")["Role"]["MaxSessionDuration"] == 3600


@pytest.mark.parametrize("case", ["role session duration 10^9", "user created in year 1", "policy version id x",
                                  "26 replication rules", "image size -1", "auto scaling max size 10^6"])
def test_a_state_file_with_an_out_of_range_value_stops_serve_with_one_line(tmp_path, exported, case):
    path = tmp_path / "state.bin"
    path.write_bytes(encode_file(json.dumps(_changed(exported, case)).encode()))
    before = path.read_bytes()
    result = _serve(str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(path) in lines[0] and "does not hold a valid state" in lines[0]
    assert CASES[case][1] + ":" in lines[0], lines[0]
    assert path.read_bytes() == before


# ------------------------------------------------------------------------------------------------ property
READS: list[tuple[str, str, Callable[[dict], dict]]] = [
    ("iam", "list_users", lambda v: {}), ("iam", "list_roles", lambda v: {}), ("iam", "list_groups", lambda v: {}),
    ("iam", "list_policies", lambda v: {"Scope": "Local"}), ("iam", "get_account_authorization_details", lambda v: {}),
    ("iam", "get_user", lambda v: {"UserName": "alice"}), ("iam", "get_role", lambda v: {"RoleName": "assumable"}),
    ("iam", "list_access_keys", lambda v: {"UserName": "alice"}),
    ("iam", "get_policy_version", lambda v: {"PolicyArn": v["PolicyArn"][0], "VersionId": "v1"}),
    ("iam", "list_role_tags", lambda v: {"RoleName": "access"}), ("iam", "get_account_summary", lambda v: {}),
    ("iam", "list_attached_role_policies", lambda v: {"RoleName": "access"}),
    ("sts", "get_caller_identity", lambda v: {}),
    ("ecr", "describe_repositories", lambda v: {}), ("ecr", "describe_images", lambda v: {"repositoryName": "web"}),
    ("ecr", "list_images", lambda v: {"repositoryName": "web"}), ("ecr", "describe_registry", lambda v: {}),
    ("ecr", "get_repository_policy", lambda v: {"repositoryName": "web"}),
    ("ecr", "list_tags_for_resource", lambda v: {"resourceArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"}),
    ("apprunner", "list_services", lambda v: {}),
    ("apprunner", "describe_service", lambda v: {"ServiceArn": v["ServiceArn"][0]}),
    ("apprunner", "list_operations", lambda v: {"ServiceArn": v["ServiceArn"][0]}),
    ("apprunner", "describe_custom_domains", lambda v: {"ServiceArn": v["ServiceArn"][0]}),
    ("apprunner", "list_auto_scaling_configurations", lambda v: {}),
    ("apprunner", "describe_auto_scaling_configuration",
     lambda v: {"AutoScalingConfigurationArn": v["AutoScalingConfigurationArn"][0]}),
    ("apprunner", "list_connections", lambda v: {}), ("apprunner", "list_vpc_connectors", lambda v: {}),
    ("apprunner", "list_vpc_ingress_connections", lambda v: {}),
    ("apprunner", "list_observability_configurations", lambda v: {}),
    ("apprunner", "list_tags_for_resource", lambda v: {"ResourceArn": v["ServiceArn"][0]}),
]
SAMPLE, SEED, BUDGET_SECONDS = 80, 20260, 90.0


def _leaves(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every replaceable value of a document: numbers, strings, dates, lists (not tags of the format)."""
    found: list[tuple[tuple, Any]] = []
    if isinstance(node, dict):
        if "$datetime" in node:
            return [(path, node)]
        for key, value in node.items():
            if not key.startswith("$"):
                found += _leaves(value, (*path, key))
    elif isinstance(node, list):
        found.append((path, node))
        for index, value in enumerate(node):
            found += _leaves(value, (*path, index))
    elif isinstance(node, (int, str)) and not isinstance(node, bool):
        found.append((path, node))
    return found


def _out_of_range(value: Any) -> list[Any]:
    """Values of ``value``'s type that AWS's bounds would mostly refuse."""
    if isinstance(value, dict):
        return [_date(1), _date(9999)]
    if isinstance(value, list):
        return [value * 500] if value else []
    if isinstance(value, int):
        return [-1, 10 ** 9]
    return ["", "x" * 300_000]


def test_out_of_range_leaves_are_refused_or_harmless_to_every_read():
    world = build_world()
    admin = Client(world.harness.app)
    clients = {service: world.harness.client(service) for service in ("iam", "sts", "ecr", "apprunner")}
    leaves = [leaf for leaf in _leaves(world.pristine["state"]) if leaf[0][:1] == ("accounts",)]
    chosen = random.Random(SEED).sample(leaves, min(SAMPLE, len(leaves)))
    deadline, refused, accepted = time.monotonic() + BUDGET_SECONDS, 0, 0
    try:
        for path, value in chosen:
            for bad in _out_of_range(value):
                if time.monotonic() > deadline:
                    break
                document = {**world.pristine, "state": replaced(world.pristine["state"], path, bad)}
                response = admin.put("/_mockrunner/state", json=document, environ_base={"REMOTE_ADDR": "127.0.0.1"})
                if response.status_code == 400:
                    assert response.json["error"] == "InvalidState", response.json
                    refused += 1
                    continue
                assert not isinstance(bad, dict), f"a date in year 1 or 9999 was accepted at {path}"
                assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
                accepted += 1
                for service, operation, params in READS:
                    try:
                        getattr(clients[service], operation)(**params(world.vocabulary))
                    except ClientError as error:
                        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                        assert status < 500, (path, bad if not isinstance(bad, str) else bad[:20], operation, error)
                world.restore()
    finally:
        world.restore()
        world.harness.close()
    assert refused > 0 and refused + accepted > 0
