"""The oldest versions of its dependencies ``setup.cfg`` accepts (boto3 and botocore 1.34, flask and werkzeug 3.0,
...), on both sides: a project pinning an older boto3 installs mockrunner into its environment, so the in-process
mock runs on that botocore (its event system, its model classes and its parsers under mockrunner's codecs) and the
server on those flask, werkzeug, h11, PyJWT, signxml, lxml, segno and cryptography; its clients, knowing fewer
operations, talk to it.  The scenario of ``tests/ways/scenario_driver.py`` (with OIDC and SAML federation, a virtual
MFA device's QR code and a server certificate) runs in a virtual environment holding exactly those versions, made
once under the machine's cache: in-process under ``mock_apprunner`` and against a server of that environment,
presigned URLs included.

The served operations do not depend on the installed botocore: the server reads its own copies of the models
(``mockrunner/data/service_models``).  Before that, mockrunner could not answer on botocore 1.34 (it has no IAM
Toolbox model) although ``setup.cfg`` accepted it; and ``setup.cfg`` accepted signxml 4.0, whose verifier takes no
``verification_time`` (signxml 5.1 added it; every AssumeRoleWithSAML was a 500), with cryptography 41 and lxml 5.1,
which signxml 5.1 does not install with (it needs cryptography 45 (45.0.0 is withdrawn) and lxml 5.2.1).  Outside
CI a test skips when the environment cannot be made; in CI it fails, and the suite fails if none passed
(``tests/conftest.py``)."""
from __future__ import annotations

import configparser
import hashlib
import re
import sys

import pytest

from tests.ways.cached_installs import installed_once, pinned
from tests.ways.scenario_runs import ROOT, check_presigned, check_scenario, run_scenario

RUNTIME = ("boto3", "botocore", "flask", "werkzeug", "h11", "requests", "pyjwt", "cryptography", "signxml", "lxml",
           "segno")
"""mockrunner's runtime dependencies (``setup.cfg``), each installed at the lowest version it accepts."""


def oldest(package: str) -> str:
    """The lower bound ``setup.cfg`` gives ``package`` (``>=1.34`` is 1.34.0)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    match = re.search(rf"^{package}>=([0-9.]+)", config["options"]["install_requires"].strip(), re.MULTILINE)
    assert match is not None, f"setup.cfg gives {package} no lower bound"
    version = match.group(1)
    return version if version.count(".") >= 2 else f"{version}.0"


@pytest.fixture(scope="module")
def oldest_python() -> str:
    """The Python of a virtual environment with the oldest versions of its dependencies mockrunner accepts."""
    versions = [f"{name}=={oldest(name)}" for name in RUNTIME]
    digest = hashlib.sha256(" ".join(versions).encode()).hexdigest()[:12]
    home = installed_once(f"oldest-dependencies-{digest}", lambda home: [
        [sys.executable, "-m", "venv", str(home)],
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--retries", "2", "--timeout", "30", *versions]])
    return str(home / "bin" / "python")


def test_the_oldest_dependencies_accepted_under_mock_apprunner(oldest_python):
    out = run_scenario(oldest_python, [], "inprocess")
    assert out["botocore"] == oldest("botocore")
    assert out["signer"] == "botocore.auth.SigV4Auth"
    check_scenario(out)


def test_the_oldest_dependencies_accepted_against_a_server_of_theirs(oldest_python):
    out = run_scenario(oldest_python, [], "served")  # the server too runs on the oldest flask, werkzeug, h11...
    assert out["botocore"] == oldest("botocore")
    check_scenario(out)
    check_presigned(out)


def test_the_server_reads_its_own_models_of_the_pinned_botocore():
    """The copies are the pinned botocore's, whichever botocore runs the tests (``scripts/gen_service_models.py``)."""
    import json

    import botocore

    from mockrunner.protocol.specs import SERVICES, service_model

    source = json.loads((ROOT / "mockrunner" / "data" / "service_models" / "SOURCE.json").read_text())
    assert source["botocore"] == pinned("botocore")
    assert sorted(source["apiVersions"]) == sorted(SERVICES)
    for name in SERVICES:
        assert service_model(name).api_version == source["apiVersions"][name]
    if botocore.__version__ == pinned("botocore"):  # the test environment's own: the copies equal its models
        import botocore.session

        session = botocore.session.get_session()
        for name in SERVICES:
            assert service_model(name).operation_names == session.get_service_model(name).operation_names
