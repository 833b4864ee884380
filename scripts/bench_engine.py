"""Decisions per second of the IAM engine, for the two shapes issue 3 sets targets for.

(a) one identity policy with 5 statements (target >= 50,000/s);
(b) 20 identity policies x 10 statements, 2 conditions each (target >= 5,000/s).
Policies are passed as JSON text, as the store holds them, so the parse cache is on the measured path.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from mockrunner.iam_engine import AuthzRequest, PolicyRef, evaluate, principal_from_arn

NOW = datetime(2024, 6, 1, tzinfo=UTC)
ALICE = principal_from_arn("arn:aws:iam::123456789012:user/alice", {"team": "red"})
SERVICE = "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef"
ACTIONS = ["apprunner:DescribeService", "apprunner:ListServices", "apprunner:UpdateService", "apprunner:DeleteService"]


def shape_a() -> list[PolicyRef]:
    statements = [
        {"Sid": "Read", "Effect": "Allow", "Action": ["apprunner:Describe*", "apprunner:List*"], "Resource": "*"},
        {
            "Sid": "Write",
            "Effect": "Allow",
            "Action": "apprunner:UpdateService",
            "Resource": "arn:aws:apprunner:*:123456789012:service/web/*",
        },
        {"Sid": "Ecr", "Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "apprunner:Delete*", "Resource": "*"},
    ]
    return [
        PolicyRef("arn:aws:iam::123456789012:policy/A", json.dumps({"Version": "2012-10-17", "Statement": statements}))
    ]


def shape_b() -> list[PolicyRef]:
    refs = []
    for p in range(20):
        statements = []
        for s in range(10):
            statements.append(
                {
                    "Sid": f"P{p}S{s}",
                    "Effect": "Deny" if s == 9 else "Allow",
                    "Action": ["apprunner:DeleteService" if s == 9 else ACTIONS[(p + s) % 3], f"svc{s}:Op*"],
                    "Resource": f"arn:aws:apprunner:*:123456789012:service/{'web' if s % 2 else 'api'}/*",
                    "Condition": {
                        "StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]},
                        "IpAddress" if s % 3 else "DateLessThan": (
                            {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}
                            if s % 3
                            else {"aws:CurrentTime": "2030-01-01T00:00:00Z"}
                        ),
                    },
                }
            )
        refs.append(
            PolicyRef(
                f"arn:aws:iam::123456789012:policy/B{p}", json.dumps({"Version": "2012-10-17", "Statement": statements})
            )
        )
    return refs


def measure(label: str, refs: list[PolicyRef], seconds: float = 2.0) -> float:
    requests = [
        AuthzRequest(ALICE, action, SERVICE, {"aws:SourceIp": "10.1.2.3"}, identity_policies=refs, now=NOW)
        for action in ACTIONS
    ]
    for request in requests:  # warm the parse and candidate caches
        evaluate(request)
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for request in requests:
            evaluate(request)
        count += len(requests)
    rate = count / (time.perf_counter() - start)
    outcomes = sorted({evaluate(r).decision for r in requests})
    print(f"{label}: {rate:,.0f} decisions/s  (outcomes seen: {', '.join(outcomes)})")
    return rate


def main() -> None:
    a = measure("(a) 1 policy x 5 statements", shape_a())
    b = measure("(b) 20 policies x 10 statements x 2 conditions", shape_b())
    verdict_a = "met" if a >= 50_000 else "MISSED"
    verdict_b = "met" if b >= 5_000 else "MISSED"
    print(f"targets: (a) >= 50,000/s {verdict_a}; (b) >= 5,000/s {verdict_b}")


if __name__ == "__main__":
    main()
