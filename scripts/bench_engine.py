"""Decisions per second of the IAM engine, for the two shapes issue 3 sets targets for.

(a) one identity policy with 5 statements (target >= 50,000/s);
(b) 20 identity policies x 10 statements, 2 conditions each (target >= 5,000/s).
Policies are passed as JSON text, as the store holds them, so the parse cache is on the measured path.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from mockrunner.iam_engine import AuthzRequest, PolicyRef, evaluate, principal_from_arn

NOW = datetime(2024, 6, 1, tzinfo=UTC)
ALICE = principal_from_arn("arn:aws:iam::123456789012:user/alice", {"team": "red"})
BOB = principal_from_arn("arn:aws:sts::123456789012:assumed-role/AppRunnerECRAccessRole-1/s", {"team": "blue"})
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


SERVICES = {
    "apprunner": ["DescribeService", "ListServices", "UpdateService", "DeleteService", "CreateService", "PauseService"],
    "ecr": ["BatchGetImage", "GetDownloadUrlForLayer", "DescribeImages", "PutImage"],
    "iam": ["PassRole", "GetRole", "CreateServiceLinkedRole"],
    "logs": ["CreateLogGroup", "PutLogEvents", "DescribeLogStreams"],
    "s3": ["GetObject", "PutObject", "ListBucket"],
}
ACCOUNT = "123456789012"


def _resource_for(service: str, rng: random.Random) -> str:
    n = rng.randrange(10_000)
    return {
        "apprunner": f"arn:aws:apprunner:{rng.choice(['us-east-1', 'eu-west-1'])}:{ACCOUNT}:service/"
        f"{rng.choice(['web', 'api', 'worker'])}-{n % 50}/{n:032x}",
        "ecr": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{rng.choice(['app', 'base', 'tools'])}/{n % 40}",
        "iam": f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(['AppRunnerECRAccessRole', 'instance', 'admin'])}-{n % 7}",
        "logs": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/apprunner/svc-{n % 30}:log-stream:{n}",
        "s3": f"arn:aws:s3:::{rng.choice(['assets', 'logs', 'backups'])}-{n % 9}/key/{n}",
    }[service]


_CONDITIONS = [
    lambda p, s: {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"][(p + s) % 2]}},
    lambda p, s: {"StringLike": {"aws:RequestTag/env": ["prod*", "dev*", "*"][s % 3]}},
    lambda p, s: {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"][p % 3]}},
    lambda p, s: {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    lambda p, s: {"DateLessThan": {"aws:CurrentTime": f"20{25 + s % 6}-01-01T00:00:00Z"}},
    lambda p, s: {"Bool": {"aws:SecureTransport": "true"}},
    lambda p, s: {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": str(600 * (1 + s % 5))}},
    lambda p, s: {"ArnLike": {"aws:SourceArn": f"arn:aws:apprunner:*:{ACCOUNT}:service/*"}},
    lambda p, s: {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "cost"]}},
    lambda p, s: {"StringEqualsIfExists": {"aws:ResourceTag/owner": "${aws:username}"}},
    lambda p, s: {"Null": {"aws:RequestTag/env": "false"}},
]


def shape_b(seed: int = 7) -> list[PolicyRef]:
    """20 policies x 10 statements, each with two conditions drawn from a varied pool.

    Actions span five services (exact names, ``Describe*``-style prefixes and ``svc:*``), resources are ARN
    patterns with wildcards in different components (some with ``${aws:username}``), one statement in ten is
    a Deny and roughly one in six an ``Action``-less ``NotAction`` statement, so requests meet some
    matching statements, some near misses, and conditions that pass and fail.
    """
    rng = random.Random(seed)
    refs = []
    for p in range(20):
        statements = []
        for s in range(10):
            service = rng.choice(list(SERVICES))
            names = SERVICES[service]
            pick = rng.random()
            if pick < 0.5:
                actions = [f"{service}:{rng.choice(names)}", f"{service}:{rng.choice(names)}"]
            elif pick < 0.8:
                actions = [f"{service}:{rng.choice(names)[:4]}*"]
            else:
                actions = [f"{service}:*"]
            resource = rng.choice(
                [
                    "*",
                    {"iam": f"arn:aws:iam::{ACCOUNT}:role/*", "s3": "arn:aws:s3:::*"}.get(
                        service, f"arn:aws:{service}:*:{ACCOUNT}:*"
                    ),
                    f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/{rng.choice(['web', 'api'])}-*",
                    f"arn:aws:ecr:*:{ACCOUNT}:repository/app/*",
                    f"arn:aws:iam::{ACCOUNT}:role/AppRunner*",
                    "arn:aws:s3:::assets-?/key/*",
                    "arn:aws:s3:::backups-1/${aws:username}/*",
                ]
            )
            first, second = rng.sample(_CONDITIONS, 2)
            statement = {
                "Sid": f"P{p}S{s}",
                "Effect": "Deny" if s == 9 else "Allow",
                ("NotAction" if rng.random() < 0.15 and s != 9 else "Action"): actions,
                "Resource": resource,
                "Condition": {**first(p, s), **second(p, s)},
            }
            statements.append(statement)
        document = {"Version": "2012-10-17", "Statement": statements}
        refs.append(PolicyRef(f"arn:aws:iam::{ACCOUNT}:policy/B{p}", json.dumps(document)))
    return refs


def requests_b(refs: list[PolicyRef], count: int = 2_000, seed: int = 11) -> list[AuthzRequest]:
    """Distinct requests: every one has its own resource ARN and a varied context."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        service = rng.choice(list(SERVICES))
        context = {
            "aws:SourceIp": rng.choice(["10.1.2.3", "192.168.7.9", "203.0.113.5", "2001:db8::7", "172.16.0.1"]),
            "aws:SecureTransport": rng.choice([True, False]),
            "aws:MultiFactorAuthAge": rng.choice([60, 900, 4000]),
            "aws:SourceArn": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/web-{rng.randrange(5)}/x",
        }
        if rng.random() < 0.5:
            context["aws:RequestTag/env"] = rng.choice(["prod", "dev", "test"])
            context["aws:TagKeys"] = rng.sample(["env", "team", "cost", "other"], rng.randrange(1, 3))
        if rng.random() < 0.3:
            context["aws:ResourceTag/owner"] = rng.choice(["alice", "bob"])
        principal = ALICE if rng.random() < 0.7 else BOB
        action = f"{service}:{rng.choice(SERVICES[service])}"
        out.append(
            AuthzRequest(principal, action, _resource_for(service, rng), context, identity_policies=refs, now=NOW)
        )
    return out


def measure(label: str, requests: list[AuthzRequest], seconds: float = 2.0) -> float:
    for request in requests:  # warm the parse cache (policies arrive as JSON text, parsed once)
        evaluate(request)
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for request in requests:
            evaluate(request)
        count += len(requests)
    rate = count / (time.perf_counter() - start)
    outcomes = Counter(evaluate(r).decision for r in requests)
    seen = ", ".join(f"{k} {v * 100 // len(requests)}%" for k, v in sorted(outcomes.items()))
    print(f"{label}: {rate:,.0f} decisions/s  ({len(requests)} distinct requests; {seen})")
    return rate


def requests_a(refs: list[PolicyRef]) -> list[AuthzRequest]:
    return [
        AuthzRequest(ALICE, action, SERVICE, {"aws:SourceIp": "10.1.2.3"}, identity_policies=refs, now=NOW)
        for action in ACTIONS
    ]


def main() -> None:
    a = measure("(a) 1 policy x 5 statements", requests_a(shape_a()))
    b = measure("(b) 20 policies x 10 statements x 2 conditions", requests_b(shape_b()))
    verdict_a = "met" if a >= 50_000 else "MISSED"
    verdict_b = "met" if b >= 5_000 else "MISSED"
    print(f"targets: (a) >= 50,000/s {verdict_a}; (b) >= 5,000/s {verdict_b}")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # no options; --help describes it
    main()
