"""The pytest plugin used exactly as a user would: a test project with its own conftest, run by pytest.

When mockrunner is installed (``pip install -e .``) its ``pytest11`` entry point loads the plugin; in a bare
checkout the same module is loaded with ``-p``, which is what the entry point does.
"""
from __future__ import annotations

import importlib.metadata
import os
import textwrap

import pytest

pytest_plugins = ["pytester"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _plugin_args() -> list[str]:
    installed = any(entry.value == "mockrunner.testing.plugin"
                    for entry in importlib.metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", "mockrunner.testing.plugin"]


CONFTEST = '''
import boto3
import pytest

SEED = {"ecr": {"repositories": [{"name": "shared", "images": [{"tags": ["v1"]}]}]}}


@pytest.fixture
def ecr(mockrunner):
    """A project fixture built on mockrunner's."""
    return boto3.client("ecr")
'''

TESTS = '''
import json
import os
import subprocess
import sys

import boto3
import pytest

from mockrunner.config import Quotas


def test_plain_clients_reach_the_in_process_mock(mockrunner, ecr):
    ecr.create_repository(repositoryName="one")
    account = mockrunner.store.accounts["123456789012"]
    assert list(account.region("us-east-1").ecr.repositories) == ["one"]
    assert boto3.client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


def test_each_test_is_isolated(mockrunner, ecr):
    assert ecr.describe_repositories()["repositories"] == []


def test_no_socket_is_used(mockrunner, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_root_session_helper_and_clock(mockrunner):
    session = mockrunner.session()
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":root")
    before = mockrunner.store.clock.now()
    mockrunner.advance(3600)
    assert (mockrunner.store.clock.now() - before).total_seconds() >= 3600


@pytest.mark.mockrunner(seed={"ecr": {"repositories": [{"name": "marked"}]}})
def test_marker_seeds(mockrunner, ecr):
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["marked"]


@pytest.mark.mockrunner(quotas=Quotas(iam_max_users=1))
def test_marker_quotas(mockrunner):
    iam = boto3.client("iam")
    iam.create_user(UserName="one")
    with pytest.raises(iam.exceptions.LimitExceededException, match="UsersPerAccount: 1"):
        iam.create_user(UserName="two")


def test_server_fixture_for_subprocesses(mockrunner_server):
    assert os.environ["AWS_ENDPOINT_URL"] == mockrunner_server.endpoint_url
    script = "import boto3, json; print(json.dumps(boto3.client('sts').get_caller_identity()['Arn']))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert json.loads(out.stdout) == "arn:aws:iam::123456789012:root", out.stderr
    boto3.client("ecr").create_repository(repositoryName="over-http")
    assert "over-http" in mockrunner_server.store.accounts["123456789012"].region("us-east-1").ecr.repositories


def test_server_is_fresh(mockrunner_server):
    assert boto3.client("ecr").describe_repositories()["repositories"] == []
'''


def _import_everything_first() -> None:
    """pytester's in-process run drops modules first imported during it; import ours beforehand so operation
    modules are never imported (and registered) twice in this process."""
    import mockrunner.app  # noqa: F401
    import mockrunner.testing.mock  # noqa: F401
    from mockrunner.services import load_all

    load_all()


_import_everything_first()  # at collection, before any pytester snapshot of sys.modules is taken


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_project=TESTS)
    return pytester


def test_project_using_the_fixtures_passes(project: pytest.Pytester) -> None:
    result = project.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_project_under_xdist(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*_plugin_args(), "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_a_failing_user_test_reports_the_aws_error(project: pytest.Pytester) -> None:
    project.makepyfile(test_fails='''
        import boto3
        def test_denied(mockrunner):
            boto3.client("ecr").describe_repositories(repositoryNames=["missing"])
    ''')
    result = project.runpytest(*_plugin_args(), "-p", "no:cacheprovider", "test_fails.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*RepositoryNotFoundException*"])


def test_users_and_roles_sessions(project: pytest.Pytester) -> None:
    project.makepyfile(test_sessions=textwrap.dedent('''
        import pytest
        from botocore.exceptions import ClientError

        ALLOW_ECR = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:CreateRepository", "Resource": "*"}]}

        def test_user_session(mockrunner):
            session = mockrunner.session(user="alice", policies=[ALLOW_ECR])
            assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/alice")
            session.client("ecr").create_repository(repositoryName="by-alice")
            with pytest.raises(ClientError) as denied:
                session.client("ecr").describe_repositories()
            assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
            assert mockrunner.decisions(principal="*:user/alice", decision="denied")

        def test_role_session(mockrunner):
            session = mockrunner.session(role="deployer", policies=[ALLOW_ECR])
            assert ":assumed-role/deployer/" in session.client("sts").get_caller_identity()["Arn"]
            session.client("ecr").create_repository(repositoryName="by-role")
    '''))
    result = project.runpytest(*_plugin_args(), "-p", "no:cacheprovider", "test_sessions.py")
    result.assert_outcomes(passed=2)


def test_settle_decisions_and_moto_in_a_user_project(project: pytest.Pytester) -> None:
    pytest.importorskip("moto")
    project.makepyfile(test_more=textwrap.dedent('''
        import boto3
        import pytest
        from moto import mock_aws

        from mockrunner import mock_apprunner

        SOURCE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/nginx/nginx:latest",
                                      "ImageRepositoryType": "ECR_PUBLIC"}, "AutoDeploymentsEnabled": False}

        @pytest.mark.mockrunner(operation_delay=3600)
        def test_settle_and_advance(mockrunner):
            apprunner = boto3.client("apprunner")
            arn = apprunner.create_service(ServiceName="web-app", SourceConfiguration=SOURCE)["Service"]["ServiceArn"]
            assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
            assert mockrunner.settle() == 1
            assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
            apprunner.pause_service(ServiceArn=arn)
            mockrunner.advance(3601)
            assert apprunner.describe_service(ServiceArn=arn)["Service"]["Status"] == "PAUSED"
            assert mockrunner.decisions(action="apprunner:CreateService", decision="allowed")

        @pytest.fixture
        def moto_outside():
            with mock_aws():
                yield

        def test_moto_fixture_then_ours(moto_outside, mockrunner):
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="moto-bucket")
            boto3.client("iam").create_user(UserName="u")
            assert mockrunner.store.accounts["123456789012"].iam.users

        @mock_aws
        def test_ours_then_moto_decorator(mockrunner):
            boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="moto-bucket")
            assert boto3.client("sts").get_caller_identity()["Arn"].endswith(":root")

        @mock_apprunner
        class TestDecoratedClass:
            def test_in_class(self, mockrunner):
                boto3.client("ecr").create_repository(repositoryName="in-class")
                assert list(mockrunner.store.accounts["123456789012"].region("us-east-1").ecr.repositories)
    '''))
    result = project.runpytest(*_plugin_args(), "-p", "no:cacheprovider", "test_more.py")
    result.assert_outcomes(passed=4)
