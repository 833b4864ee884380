"""Shared fixtures: ``aws`` runs a test once per mode (in-process and real HTTP server)."""
from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

from tests.harness import MODES, OTHER_ACCOUNT, Harness


@pytest.fixture(params=MODES)
def aws(request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness = Harness(request.param)
    yield harness
    harness.close()


@pytest.fixture
def served() -> Iterator[Harness]:
    """One harness answering over real HTTP only: for clients run as other processes (curl, Perl, Ruby, Node)."""
    harness = Harness("server")
    yield harness
    harness.close()


@pytest.fixture
def make_harness() -> Iterator:
    """Build harnesses with custom settings: ``make_harness("server", Settings(...))``."""
    made: list[Harness] = []

    def make(mode: str = "inprocess", settings=None) -> Harness:
        harness = Harness(mode, settings)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def two_account_harness(make_harness, aws: Harness) -> Harness:
    """A harness in ``aws``'s mode holding the default account and :data:`OTHER_ACCOUNT`."""
    from mockrunner.config import AccountKeys, Settings

    settings = Settings(log_requests=False, operation_delay=0,
                        extra_accounts=(AccountKeys(OTHER_ACCOUNT, "other-key", "other-secret"),))
    return make_harness(aws.mode, settings)


@pytest.fixture(params=MODES)
def durable(request: pytest.FixtureRequest, tmp_path) -> Iterator[Harness]:
    """A harness (both modes) saving to a state file in ``tmp_path`` (``harness.app.state_file``)."""
    from mockrunner.config import Settings

    harness = Harness(request.param, Settings(log_requests=False, operation_delay=0,
                                              state_file=str(tmp_path / "state.bin")))
    yield harness
    harness.close()


# ------------------------------------------------------------------------ CI: the tests that drive real clients
REAL_CLIENT_TESTS = {
    "tests/dashboard/test_browser.py": "no browser test passed: the dashboard was not tested in a browser",
    "tests/dashboard/test_browser_pass.py": "no browser pass test passed: the dashboard's login, console, phone "
                                            "width and accessibility were not checked in a browser",
    "tests/dashboard/test_axe.py": "no axe-core test passed: the dashboard was not checked by an accessibility "
                                   "engine",
    "tests/registry/test_skopeo.py": "no skopeo test passed: the registry was not tested by a real client",
    "tests/registry/test_containerd.py": "no containerd test passed: the registry was not tested by containerd",
    "tests/registry/test_buildah.py": "no buildah/podman test passed: the registry was not tested by buildah",
    "tests/registry/test_docker.py": "no Docker engine test passed: the registry was not tested by docker",
    "tests/ways/test_js_sdk.py": "the JavaScript SDK test did not pass: no SDK but botocore was tested",
    "tests/ways/test_js_sdk_every_operation.py": "the JavaScript SDK did not call every operation",
    "tests/ways/test_go_sdk_every_operation.py": "the Go SDK did not call every operation",
    "tests/ways/test_go_sdk_v1_every_operation.py": "the Go SDK v1 did not call every operation",
    "tests/ways/test_aws_cli_v2.py": "no AWS CLI v2 test passed: only the pip CLI v1 was tested",
    "tests/ways/test_ruby_sdk.py": "no Ruby SDK test passed: the AWS SDK for Ruby was not tested",
    "tests/ways/test_js_sdk_v2_every_operation.py": "the JavaScript SDK v2 (aws-sdk) was not tested",
    "tests/ways/test_php_sdk.py": "no PHP SDK test passed: AsyncAws was not tested",
    "tests/ways/test_fog_aws.py": "no fog-aws test passed: fog's IAM and STS requests were not tested",
    "tests/ways/test_perl_signers.py": "no Perl signer test passed: Perl's SigV4 signers were not tested",
    "tests/ways/test_generic_signers.py": "no generic signer test passed: aws4, aws-requests-auth, boto 2 and Ruby's "
                                          "aws-sigv4 were not tested",
    "tests/ways/test_aws_nuke.py": "no aws-nuke test passed: IAM and ECR were not emptied by aws-nuke",
    "tests/ways/test_ansible.py": "no Ansible test passed: no declarative infrastructure client was tested",
    "tests/ways/test_cloudsplaining.py": "no Cloudsplaining test passed: no IAM auditor read the account's details",
    "tests/ways/test_cloud_custodian.py": "no Cloud Custodian test passed: no governance tool was tested",
    "tests/ways/test_boto3_crt.py": "no boto3[crt] test passed: the AWS Common Runtime's signer was not tested",
    "tests/ways/test_oldest_dependencies.py": "no oldest-dependencies test passed: the oldest versions setup.cfg "
                                              "accepts were not tested",
    "tests/engine/test_third_party_evaluator.py": "the policy engine was not compared with iam-simulate",
    "tests/protocol/test_aws_protocol_suites.py": "no AWS protocol suite case passed: the decoders were not held "
                                                  "to the requests every SDK is generated to send",
}
"""Test files that skip outside CI when their client (a system package, or npm packages) or data is missing, and
what a CI run lacking them would mean."""
_real_client_passes: dict[str, int] = dict.fromkeys(REAL_CLIENT_TESTS, 0)

RUN_FIRST = (
    "tests/ways/test_ansible.py", "tests/ways/test_aws_nuke.py", "tests/ways/test_aws_cli_v2.py",
    "tests/dashboard/test_axe.py", "tests/foundation/test_readme_examples.py",
    "tests/ways/test_every_paginator_and_waiter.py", "tests/robustness/test_fuzz.py",
    "tests/robustness/test_cold_start.py", "tests/suggest/test_fix_differential.py",
    "tests/robustness/test_thirty_fourth_pass_attacks.py", "tests/robustness/test_twenty_seventh_pass_attacks.py",
    "tests/foundation/test_serving.py", "tests/registry/test_docker.py",
    "tests/robustness/test_twenty_fifth_pass_attacks.py", "tests/ways/test_cartography_expectations.py",
    "tests/iam/test_stackd_authz_recordings.py", "tests/ways/test_oldest_dependencies.py",
    "tests/ways/test_ruby_sdk.py", "tests/robustness/test_bounded_text_caches.py", "tests/registry/test_buildah.py",
    "tests/dashboard/test_browser_pass.py", "tests/ways/test_cloud_custodian.py", "tests/ways/test_plugin.py",
    "tests/ways/test_cloudsplaining.py", "tests/ways/test_go_sdk_v1_every_operation.py",
    "tests/ways/test_js_sdk_v2_every_operation.py", "tests/ways/test_js_sdk_every_operation.py",
    "tests/ways/test_go_sdk_every_operation.py",
)
"""The test files that take longest (real clients, other processes, sweeps; measured), longest first: they run
before every other file, so under xdist the many short tests end the run and no worker is left alone with a long
one while the other waits.  The list only changes how long a run takes (``test_run_first_names_test_files``)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the tests of :data:`RUN_FIRST` first, in that order, each file's own order kept (a stable sort)."""
    rank = {path: index for index, path in enumerate(RUN_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


GC_THRESHOLDS = (10_000, 50, 100)
"""The collector's thresholds while tests run (Python's are 700, 10, 10): a test makes many short-lived objects (a
server, its store, clients), and with the defaults a worker spent about a tenth of its time collecting (measured over
tests/iam: 20 s of 221 s; 7 s with these thresholds and the collected modules frozen)."""


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection left alive (modules, botocore's models: alive until the end, so no collection need
    look at them again) and raise the collector's thresholds to :data:`GC_THRESHOLDS`."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the real-client tests that passed (under xdist the controller sees every worker's reports)."""
    if report.when == "call" and report.passed:
        path = report.nodeid.split("::", 1)[0]
        if path in _real_client_passes:
            _real_client_passes[path] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``CI`` set) a run fails unless every real-client test file had a test pass, whatever else passed."""
    if not os.environ.get("CI") or hasattr(session.config, "workerinput"):
        return
    missing = [message for path, message in REAL_CLIENT_TESTS.items() if not _real_client_passes[path]]
    if not missing:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for message in missing:
        if reporter is not None:
            reporter.write_line(f"CI: {message}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
