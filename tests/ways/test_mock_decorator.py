"""``mock_apprunner`` as decorator, class decorator and context manager, with threads, nesting and moto."""
from __future__ import annotations

import os
import threading
import unittest

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from mockrunner import mock_apprunner
from mockrunner.testing.mock import MockAppRunner

ROOT_ARN = "arn:aws:iam::123456789012:root"
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


def test_nested_mocks_answer_from_the_innermost_and_restore_the_outer() -> None:
    with mock_apprunner():
        boto3.client("ecr").create_repository(repositoryName="outer")
        with mock_apprunner(seed=SEED):
            assert _repositories() == ["seeded"]
        assert _repositories() == ["outer"]
        with mock_apprunner(root_access_key_id="inner", root_secret_access_key="inner"):
            assert os.environ["AWS_ACCESS_KEY_ID"] == "inner"
            assert _arn() == ROOT_ARN
        assert os.environ["AWS_ACCESS_KEY_ID"] == "test"


def test_other_services_are_not_intercepted() -> None:
    with mock_apprunner():
        client = boto3.client("s3", endpoint_url="http://127.0.0.1:9",
                              config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(EndpointConnectionError):  # went for the (discard) endpoint: not answered by us
            client.list_buckets()


def test_alongside_moto_for_another_service() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_apprunner():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="moto-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["moto-bucket"]
        assert _arn() == ROOT_ARN  # moto would answer arn:aws:sts::123456789012:user/moto
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
