"""The in-process mock runs each request exactly once, however mocks are entered, nested, repeated or combined.

botocore calls every ``before-send`` handler a client's emitter carries; a handler registered twice would run
each request twice (two access keys from one ``create_access_key``).  Runs are counted at the gateway: every
request that reaches the pipeline leaves one decision per authorization check in the store's decision log, under
its own request id, so a request executed twice shows up as two request ids for one call.  The user-visible
symptom is checked too.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import unittest
from collections import Counter

import boto3
import pytest

from mockrunner import mock_apprunner
from mockrunner.testing.mock import MockAppRunner
from tests.ways.test_plugin import _plugin_args

pytest_plugins = ["pytester"]
ROOT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKLOAD = Counter({"iam:CreateUser": 1, "iam:CreateAccessKey": 1, "iam:ListAccessKeys": 1})
"""What :func:`_create_user_with_a_key` sends: one request per action."""


def _create_user_with_a_key(name: str) -> int:
    """CreateUser, CreateAccessKey, ListAccessKeys through a plain client; the number of keys listed."""
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    return len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"])


def _runs(mock: MockAppRunner, user: str | None = None) -> Counter:
    """Requests the gateway executed, per action (distinct request ids; only those on ``user`` if given)."""
    seen = {(entry["action"], entry["requestId"]) for entry in mock.decision_log
            if user is None or entry["resource"].endswith(f":user/{user}")}
    return Counter(action for action, _ in seen)


@pytest.fixture
def fresh_default_session() -> None:
    """boto3's default session created after mockrunner's import, as in any test suite (it then already carries
    the handler from botocore's built-in list); a block entered before it makes the next block not the first."""
    boto3.setup_default_session()
    with mock_apprunner():
        boto3.client("sts").get_caller_identity()


def test_sequential_blocks_each_run_every_request_once(fresh_default_session) -> None:
    for block in range(4):
        with mock_apprunner() as mock:
            assert _create_user_with_a_key(f"user-{block}") == 1, f"block {block}"
            assert _runs(mock) == WORKLOAD, f"block {block}"


def test_the_same_mock_entered_again_runs_every_request_once(fresh_default_session) -> None:
    mock = MockAppRunner()
    for block in range(3):
        with mock:
            assert _create_user_with_a_key("again") == 1, f"block {block}"
            assert _runs(mock) == WORKLOAD, f"block {block}"


def test_nested_blocks_run_every_request_once(fresh_default_session) -> None:
    with mock_apprunner() as outer:
        assert _create_user_with_a_key("outer") == 1
        with mock_apprunner():
            assert _create_user_with_a_key("inner") == 1
            with mock_apprunner():
                assert _create_user_with_a_key("innermost") == 1
        assert _create_user_with_a_key("after") == 1
        for user in ("outer", "inner", "innermost", "after"):
            assert _runs(outer, user) == WORKLOAD, user


def test_decorated_functions_called_repeatedly_run_every_request_once(fresh_default_session) -> None:
    mock = MockAppRunner()
    outcomes: list[tuple[int, Counter]] = []

    @mock
    def plain() -> None:
        outcomes.append((_create_user_with_a_key("plain"), _runs(mock)))

    @mock_apprunner
    def bare() -> int:
        return _create_user_with_a_key("bare")

    for _ in range(3):
        plain()
        assert bare() == 1
    assert outcomes == [(1, WORKLOAD)] * 3


def test_decorated_unittest_class_runs_every_request_once(fresh_default_session) -> None:
    mock = MockAppRunner()
    seen: list[tuple[int, Counter]] = []

    @mock
    class Keys(unittest.TestCase):
        def setUp(self) -> None:
            self.keys = _create_user_with_a_key("from-setup")

        def test_one(self) -> None:
            seen.append((self.keys, _runs(mock)))

        def test_two(self) -> None:
            seen.append((self.keys, _runs(mock)))

    result = unittest.TextTestRunner(stream=open(os.devnull, "w"), verbosity=0).run(  # noqa: SIM115
        unittest.defaultTestLoader.loadTestsFromTestCase(Keys))
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [(1, WORKLOAD)] * 2


_PROJECT_CONFTEST = '''
import boto3
import pytest


@pytest.fixture
def runs(mockrunner):
    """Requests the gateway executed, per action."""
    def count():
        seen = {(e["action"], e["requestId"]) for e in mockrunner.decision_log}
        return sorted((action, sum(1 for a, _ in seen if a == action)) for action in {a for a, _ in seen})
    return count


def create_user_with_a_key(name):
    iam = boto3.client("iam")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    return len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"])
'''

_PROJECT_TESTS = '''
import unittest

import pytest

from conftest import create_user_with_a_key
from mockrunner import mock_apprunner

ONCE = [("iam:CreateAccessKey", 1), ("iam:CreateUser", 1), ("iam:ListAccessKeys", 1)]


@pytest.mark.parametrize("index", range(6))
def test_fixture(mockrunner, runs, index):
    assert create_user_with_a_key(f"user-{index}") == 1
    assert runs() == ONCE


@pytest.mark.parametrize("index", range(3))
@mock_apprunner
def test_decorated(index):
    assert create_user_with_a_key("decorated") == 1


@mock_apprunner
class TestPytestClass:
    def setup_method(self):
        self.keys = create_user_with_a_key("setup")

    def test_one(self):
        assert self.keys == 1

    def test_two(self):
        assert create_user_with_a_key("two") == 1


@mock_apprunner
class TestUnittestClass(unittest.TestCase):
    def setUp(self):
        self.keys = create_user_with_a_key("setup")

    def test_one(self):
        self.assertEqual(self.keys, 1)

    def test_two(self):
        self.assertEqual(create_user_with_a_key("two"), 1)


def test_decorator_inside_the_fixture(mockrunner, runs):
    @mock_apprunner
    def inner():
        return create_user_with_a_key("inner")

    assert inner() == 1 and inner.__name__ == "inner"
    assert runs() == ONCE
'''


def test_a_user_suite_in_a_fresh_process_runs_every_request_once(pytester: pytest.Pytester,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture across many tests, decorated functions and classes, in one new pytest process (the suite
    every user has: from its second mocked test on, each request used to run twice)."""
    monkeypatch.setenv("PYTHONPATH", ROOT_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest(_PROJECT_CONFTEST)
    pytester.makepyfile(test_once=_PROJECT_TESTS)
    result = pytester.runpytest_subprocess(*_plugin_args(), "-p", "no:cacheprovider", "-p", "no:randomly",
                                           "-p", "no:xdist")
    result.assert_outcomes(passed=14)


_DEFAULT_SESSION_FIRST = """
import boto3
boto3.client("sts", region_name="us-east-1")  # the default session exists before mockrunner is imported
from mockrunner import mock_apprunner
for block in range(3):
    with mock_apprunner() as mock:
        iam = boto3.client("iam")
        iam.create_user(UserName="u")
        iam.create_access_key(UserName="u")
        keys = len(iam.list_access_keys(UserName="u")["AccessKeyMetadata"])
        print(keys, len({e["requestId"] for e in mock.decision_log}))
"""


def test_a_default_session_older_than_the_import_runs_every_request_once(tmp_path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": ROOT_DIR,
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(_DEFAULT_SESSION_FIRST)], capture_output=True,
                            text=True, env=env, timeout=60, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "3"] * 3


def test_importing_mockrunner_leaves_botocore_alone_until_a_mock_is_entered() -> None:
    """The pytest plugin loads in every pytest run of a project that installs mockrunner: it must not hook botocore."""
    import subprocess
    import sys

    probe = (
        "import botocore.endpoint, botocore.handlers\n"
        "original = botocore.endpoint.Endpoint._send\n"
        "before = len(botocore.handlers.BUILTIN_HANDLERS)\n"
        "import mockrunner, mockrunner.testing.plugin\n"
        "from mockrunner import mock_apprunner\n"
        "print(botocore.endpoint.Endpoint._send is original, len(botocore.handlers.BUILTIN_HANDLERS) == before)\n"
        "with mock_apprunner():\n"
        "    pass\n"
        "print(botocore.endpoint.Endpoint._send is original, len(botocore.handlers.BUILTIN_HANDLERS) - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split("\n")[:2] == ["True True", "False 1"]
