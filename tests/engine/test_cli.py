"""The CLI evaluator and validator, run as a subprocess like a user would."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from mockrunner.iam_engine.cli import add_policy_parser

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def run(*args: str, stdin: str | None = None, module: str = "mockrunner.iam_engine.cli") -> subprocess.CompletedProcess:
    """``python -m <module> <args>`` from the repository root (the engine's own CLI unless told otherwise)."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


def test_evaluate_batch_from_stdin_keeps_order_and_isolates_errors() -> None:
    requests = [
        {
            "id": "a",
            "principal": "arn:aws:iam::123456789012:user/alice",
            "action": "apprunner:ListServices",
            "resource": "*",
            "identityPolicies": [ALLOW_ALL],
        },
        {
            "id": "b",
            "principal": "arn:aws:iam::123456789012:user/alice",
            "action": "apprunner:ListServices",
            "resource": "*",
            "identityPolicies": ['{"Statement": '],
        },
        {
            "id": 3,
            "principal": "arn:aws:iam::123456789012:user/alice",
            "action": "apprunner:ListServices",
            "resource": "*",
        },
    ]
    done = run("policy", "evaluate", "--input", "-", stdin=json.dumps(requests))
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [r["id"] for r in results] == ["a", "b", 3]
    assert [r["decision"] for r in results] == ["allowed", "error", "implicitDeny"]
    assert results[1]["message"] == "Syntax errors in policy."
    assert results[2]["message"].endswith("because no identity-based policy allows the apprunner:ListServices action")
    assert results[0]["matchedStatements"] == [
        {"policyId": "identityPolicies[0]", "policyKind": "identity", "index": 0, "sid": None, "effect": "Allow"}
    ]


def test_evaluate_now_fixes_the_clock(tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
            }
        ],
    }
    file = tmp_path / "req.json"
    file.write_text(
        json.dumps(
            [
                {
                    "id": 1,
                    "principal": "arn:aws:sts::123456789012:assumed-role/R/s",
                    "action": "s3:GetObject",
                    "resource": "*",
                    "identityPolicies": [policy],
                }
            ]
        )
    )
    early = json.loads(run("policy", "evaluate", "--input", str(file), "--now", "2023-06-01T00:00:00Z").stdout)
    late = json.loads(run("policy", "evaluate", "--input", str(file), "--now", "2024-06-01T00:00:00Z").stdout)
    assert early[0]["decision"] == "allowed"
    assert late[0]["decision"] == "implicitDeny"


def test_evaluate_rejects_non_array_input() -> None:
    done = run("policy", "evaluate", "--input", "-", stdin="{}")
    assert done.returncode == 2


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ALLOW_ALL))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*"}}))
    assert run("policy", "validate", str(good)).returncode == 0
    done = run("policy", "validate", str(bad))
    assert done.returncode == 1
    assert done.stdout.strip() == "MalformedPolicyDocument: Policy statement must contain resources."
    trust = tmp_path / "trust.json"
    trust.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "build.apprunner.amazonaws.com"},
                },
            }
        )
    )
    assert run("policy", "validate", "--kind", "trust", str(trust)).returncode == 0


def test_add_policy_parser_registers_on_a_foreign_parser() -> None:
    parser = argparse.ArgumentParser(prog="mockrunner")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve")
    add_policy_parser(sub)
    args = parser.parse_args(["policy", "validate", "x.json"])
    assert callable(args.func)


def test_main_cli_evaluate_exact_shape_derived_keys_and_isolated_error(tmp_path: Path) -> None:
    """Through ``python -m mockrunner`` (the main CLI registers the engine's parser): documented shape only."""
    allow_if = {
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "Own",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/${aws:username}/*",
            "Condition": {
                "StringEquals": {"aws:PrincipalAccount": "123456789012", "aws:PrincipalType": "User"},
                "DateLessThan": {"aws:EpochTime": "1717243201"},
            },
        },
    }
    requests = [
        {"id": 1, "principal": ALICE_ARN, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/alice/k",
         "identityPolicies": [json.dumps(allow_if)]},
        {"id": 2, "principal": ALICE_ARN, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/alice/k",
         "identityPolicies": [{"Statement": {"Effect": "Allow", "Action": "s3:*"}}]},
        {"id": 3, "principal": ALICE_ARN, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/bob/k",
         "identityPolicies": [allow_if]},
    ]  # fmt: skip
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests))
    done = run("policy", "evaluate", "--input", str(path), "--now", "2024-06-01T12:00:00Z", module="mockrunner")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [sorted(r) for r in results] == [["decision", "id", "matchedStatements", "message"]] * 3
    assert [r["decision"] for r in results] == ["allowed", "error", "implicitDeny"]
    assert results[0]["matchedStatements"][0]["sid"] == "Own"
    assert results[1]["message"] == "Policy statement must contain resources."
    # one second later the DateLessThan on the derived aws:EpochTime no longer holds
    later = run("policy", "evaluate", "--input", str(path), "--now", "2024-06-01T12:00:01Z", module="mockrunner")
    assert json.loads(later.stdout)[0]["decision"] == "implicitDeny"


ALICE_ARN = "arn:aws:iam::123456789012:user/alice"
