"""How another SDK's outcomes of STS calls compare with botocore's (the Ruby and PHP SDK tests): the same HTTP
status, a request id, the same error code, message and the SDK's error class for it, or the same output, where fresh
credentials only need to be of the same kind and expire at about the same time."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.harness import Harness
from tests.iam.federation import deploy_role, github_provider, mint
from tests.iam.helpers import ACCOUNT
from tests.ways.sdk_principals import allow, deployer, user
from tests.ways.sdk_sweep import botocore_call, differences, envelope_problems

MAIN = "repo:acme/web:ref:refs/heads/main"
"""The subject of a GitHub Actions token for acme/web's main branch, which the ``gha`` role trusts."""

CREDENTIALS_KEYS = {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
EXPIRATION_SLACK_MS = 60_000
"""How far apart two fresh sessions' expirations may be: the calls run one after the other."""


def new_credentials_problems(expected: Any, actual: Any, sdk: str) -> list[str]:
    """Fresh credentials differ from call to call: both have every member, keys of the same kind (ASIA...) and
    expirations within :data:`EXPIRATION_SLACK_MS`."""
    if set(expected) != CREDENTIALS_KEYS or set(actual) != CREDENTIALS_KEYS:
        return [f"Credentials: botocore {sorted(expected)}, {sdk} {sorted(actual)}"]
    problems = [] if expected["AccessKeyId"][:4] == actual["AccessKeyId"][:4] else ["AccessKeyId of another kind"]
    if abs(expected["Expiration"]["$date"] - actual["Expiration"]["$date"]) > EXPIRATION_SLACK_MS:
        problems.append(f"Expiration: botocore {expected['Expiration']}, {sdk} {actual['Expiration']}")
    return problems


def sts_mismatch(botocore: dict, twin: dict, outcome: dict, sdk: str, error_class: str) -> list[str]:
    """Where the ``sdk``'s outcome differs from botocore's (``twin``: a second botocore call, whose differences from
    the first are the values every call makes anew; ``error_class``: the SDK's class for botocore's error)."""
    final, problems = envelope_problems(botocore, outcome, sdk, "request id")
    if final:
        return problems
    if not botocore["ok"]:
        expected = (botocore["code"], botocore["message"], error_class)
        found = (outcome["code"], outcome["message"], outcome["errorClass"])
        return problems + ([f"error: botocore {expected}, {sdk} {found}"] if found != expected else [])
    output, other, got = (dict(answer["output"]) for answer in (botocore, twin, outcome))
    if "Credentials" in output or "Credentials" in got:
        problems += new_credentials_problems(output.pop("Credentials", {}), got.pop("Credentials", {}), sdk)
        other.pop("Credentials", None)
    return problems + differences(output, other, got, sdk)


def compare(harness: Any, ask: Callable[[dict], dict], calls: dict[str, dict],
            mismatch: Callable[[dict, dict, dict], list[str]]) -> dict[str, dict]:
    """Each STS call with botocore (twice) and with ``ask`` (the other SDK); asserts ``mismatch`` finds nothing;
    the other SDK's outcomes by step."""
    outcomes, problems = {}, []
    for step, call in calls.items():
        call = {"service": "sts", "caller": None, **call}
        botocore, twin = botocore_call(harness, call), botocore_call(harness, call)
        assert "invalid" not in botocore, botocore
        outcomes[step] = ask(call)
        problems += [f"{step}: {problem}" for problem in mismatch(botocore, twin, outcomes[step])]
    assert not problems, "\n".join(problems)
    return outcomes


@dataclass
class StsScenario:
    """What the SDK tests' STS calls need: alice (a user allowed ``sts:AssumeRole`` and ``sts:TagSession``, and
    more), the deployer role alice may assume, the ``gha`` role a GitHub Actions token of acme/web's main branch may
    assume, a token of that branch and one of another, and an AssumeRole input with tags, transitive tags, a
    managed and an inline session policy."""

    alice: dict
    role: str
    gha: str
    token: str
    feature: str
    assume: dict


def sts_scenario(harness: Harness, session_name: str, *more_actions: str) -> StsScenario:
    alice = user(harness, "alice", allow("sts:AssumeRole", "sts:TagSession", *more_actions))
    role = deployer(harness, f"arn:aws:iam::{ACCOUNT}:user/alice")
    github_provider(harness)
    gha = deploy_role(harness, "gha", MAIN)
    token = mint(harness, github={"repository": "acme/web", "ref": "refs/heads/main"})
    feature = mint(harness, github={"repository": "acme/web", "ref": "refs/heads/feature"})
    assume = {"RoleArn": role, "RoleSessionName": session_name, "DurationSeconds": 900,
              "Tags": [{"Key": "team", "Value": "web"}], "TransitiveTagKeys": ["team"],
              "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"}],
              "Policy": allow("ecr:Describe*")}
    return StsScenario(alice, role, gha, token, feature, assume)
