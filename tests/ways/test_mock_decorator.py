"""``mock_apprunner`` as decorator, class decorator and context manager, with threads, nesting and moto."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import unittest

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from mockrunner import mock_apprunner
from mockrunner.testing.mock import MockAppRunner

ROOT_ARN = "arn:aws:iam::123456789012:root"
ROOT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = {"ecr": {"repositories": [{"name": "seeded", "images": [{"tags": ["v1"]}]}]}}


def _arn() -> str:
    return boto3.client("sts").get_caller_identity()["Arn"]


def _repositories() -> list[str]:
    return [r["repositoryName"] for r in boto3.client("ecr").describe_repositories()["repositories"]]


def test_context_manager_answers_plain_clients_and_restores_credentials(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with mock_apprunner() as mock:
        assert isinstance(mock, MockAppRunner)
        assert _arn() == ROOT_ARN
        assert os.environ["AWS_ACCESS_KEY_ID"] == "test" and "AWS_SESSION_TOKEN" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALLOOKINGKEY00"
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"


@mock_apprunner
def test_function_decorator() -> None:
    boto3.client("ecr").create_repository(repositoryName="decorated")
    assert _repositories() == ["decorated"]


@mock_apprunner(seed=SEED)
def test_function_decorator_with_seed_starts_from_the_seed_every_time() -> None:
    assert _repositories() == ["seeded"]
    boto3.client("ecr").create_repository(repositoryName="more")


def test_each_entry_starts_empty() -> None:
    mock = MockAppRunner()
    with mock:
        boto3.client("ecr").create_repository(repositoryName="first")
    with mock:
        assert _repositories() == []


def test_threads_inside_the_mock_reach_it() -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(_arn())
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    with mock_apprunner():
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [] and results == [ROOT_ARN] * 4


def test_nested_mocks_share_the_outer_state_like_moto() -> None:
    with mock_apprunner() as outer:
        boto3.client("ecr").create_repository(repositoryName="outer")
        with mock_apprunner(seed=SEED) as inner:  # no reset; the inner seed is added
            assert inner.store is outer.store
            assert sorted(_repositories()) == ["outer", "seeded"]
            boto3.client("ecr").create_repository(repositoryName="inner")
        assert sorted(_repositories()) == ["inner", "outer", "seeded"]
        assert os.environ["AWS_ACCESS_KEY_ID"] == "test"


def test_a_nested_mock_refuses_settings_of_its_own() -> None:
    with mock_apprunner():
        with pytest.raises(ValueError, match="nested mock_apprunner shares"):
            mock_apprunner(enforce="soft").start()
        assert _arn() == ROOT_ARN  # the outer mock is untouched
    from mockrunner.testing import mock as module

    assert module._ACTIVE == []


@mock_apprunner
def test_decorator_inside_the_fixture_sees_the_fixture_state(mockrunner) -> None:
    assert mockrunner.store is not None and _repositories() == []
    boto3.client("ecr").create_repository(repositoryName="shared")
    assert list(mockrunner.store.accounts["123456789012"].region("us-east-1").ecr.repositories) == ["shared"]


def test_clients_created_before_entering_are_answered_with_their_own_keys(monkeypatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    known = boto3.client("sts", aws_access_key_id="test", aws_secret_access_key="test",
                         endpoint_url="http://127.0.0.1:9")
    unknown = boto3.client("sts", aws_access_key_id="AKIAREALKEY000000000", aws_secret_access_key="real",
                           endpoint_url="http://127.0.0.1:9")
    with mock_apprunner():
        assert known.get_caller_identity()["Arn"] == ROOT_ARN
        with pytest.raises(ClientError) as raised:  # not the network: refused by mockrunner as AWS would
            unknown.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"


_CLEAN_SHELL = """
import boto3, botocore.session, sys
early = botocore.session.Session().create_client(
    "ecr", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
    endpoint_url="http://127.0.0.1:9")
from mockrunner import mock_apprunner
with mock_apprunner():
    print(boto3.client("apprunner").list_services()["ServiceSummaryList"])
    print(boto3.Session().client("sts").get_caller_identity()["Arn"])
    print(boto3.client("iam").list_users()["Users"])
    print(early.describe_repositories()["repositories"])  # its session predates the import: guard answers
"""


def clean_shell_lines(script: str, home) -> list[str]:
    """The lines ``script`` prints, run by a new interpreter with no AWS credentials, configuration or endpoint in
    its environment (``home``: a scratch directory for its home and working directory)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PYTHONPATH": ROOT_DIR,
           "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            timeout=120, cwd=str(home))
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")


def test_plain_clients_in_a_clean_shell_without_credentials_or_endpoint(tmp_path) -> None:
    assert clean_shell_lines(_CLEAN_SHELL, tmp_path)[:4] == ["[]", ROOT_ARN, "[]", "[]"]


def test_a_mocked_service_is_never_sent_over_http(monkeypatch) -> None:
    """Even with our before-send handler gone from a client, the Endpoint guard answers instead of HTTP."""
    from botocore.httpsession import URLLib3Session

    from mockrunner.testing.mock import _dispatch

    sent: list[str] = []
    monkeypatch.setattr(URLLib3Session, "send", lambda session, request: sent.append(request.url))
    calls = {"apprunner": lambda c: c.list_services()["ServiceSummaryList"], "iam": lambda c: c.list_roles()["Roles"],
             "sts": lambda c: c.get_caller_identity()["Account"],
             "ecr": lambda c: c.describe_repositories()["repositories"]}
    with mock_apprunner():
        answers = {}
        for service, call in calls.items():
            client = boto3.client(service, endpoint_url="http://127.0.0.1:9")
            client.meta.events.unregister("before-send", _dispatch)
            answers[service] = call(client)
    assert sent == []
    assert answers == {"apprunner": [], "iam": [], "sts": "123456789012", "ecr": []}


def test_other_services_are_not_intercepted() -> None:
    with mock_apprunner():
        client = boto3.client("s3", endpoint_url="http://127.0.0.1:9",
                              config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(EndpointConnectionError):  # went for the (discard) endpoint: not answered by us
            client.list_buckets()


@pytest.mark.parametrize("order", ["moto outside", "moto inside"])
def test_alongside_moto_in_either_order(order) -> None:
    moto = pytest.importorskip("moto")
    outer, inner = (moto.mock_aws(), mock_apprunner()) if order == "moto outside" else (
        mock_apprunner(), moto.mock_aws())
    with outer, inner:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="moto-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["moto-bucket"]
        assert _arn() == ROOT_ARN  # moto would answer arn:aws:sts::123456789012:user/moto
        iam = boto3.client("iam")
        iam.create_user(UserName="ours")
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["ours"]
        boto3.client("ecr").create_repository(repositoryName="ours")
        assert _repositories() == ["ours"]


def test_unknown_keys_are_still_refused_under_the_mock() -> None:
    with mock_apprunner():
        sts = boto3.client("sts", aws_access_key_id="AKIANOBODY0000000000", aws_secret_access_key="x")
        with pytest.raises(ClientError) as raised:
            sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"


@mock_apprunner
class TestPytestStyleClass:
    def setup_method(self, method) -> None:
        boto3.client("ecr").create_repository(repositoryName="from-setup")

    def test_sees_what_setup_made(self) -> None:
        assert _repositories() == ["from-setup"]

    def test_each_test_starts_fresh(self) -> None:
        boto3.client("ecr").create_repository(repositoryName="extra")
        assert sorted(_repositories()) == ["extra", "from-setup"]


@mock_apprunner
class TestUnittestStyle(unittest.TestCase):
    def setUp(self) -> None:
        boto3.client("ecr").create_repository(repositoryName="unit")

    def test_setup_state_is_visible(self) -> None:
        self.assertEqual(_repositories(), ["unit"])

    def test_caller_is_root(self) -> None:
        self.assertEqual(_arn(), ROOT_ARN)


@mock_apprunner
class TestClassWithoutSetup:
    def test_mocked(self) -> None:
        assert _arn() == ROOT_ARN


def test_class_decorator_leaves_nothing_active() -> None:
    from mockrunner.testing import mock as module

    assert module._ACTIVE == []
    assert os.environ.get("AWS_ACCESS_KEY_ID") != "test" or "AWS_ACCESS_KEY_ID" in os.environ


def test_stop_without_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="stopped more often"):
        MockAppRunner().stop()
