"""Cost of enforcement: per-call time with enforcement ``on`` vs ``off``, same process, same run.

Each principal is an IAM user with 10 attached customer managed policies of 10 statements each, written like real
ones: a mix of services (s3, ec2, logs, ecr, apprunner, iam, sts, kms, dynamodb), exact actions and wildcards
(``iam:Get*``, ``ec2:Describe*``), resource ARNs with wildcards and policy variables (``user/${aws:username}``),
and conditions.  In both workloads six Allow statements in six different policies match the benchmarked call
(``iam:GetUser`` on the user itself) by action and resource, and a Deny whose condition does not hold is
evaluated on every call:

- ``first allow decides``: every candidate Allow's conditions hold (region, source IP, secure transport,
  principal tag, current time, ...); the server stops at a layer's first allow, so it evaluates that one and the
  Deny (the engine's full-explanation mode, ``AuthzRequest(all_allows=True)``, would evaluate all seven);
- ``fifth allow decides``: the first four candidates carry a condition that fails (region, source IP, principal
  tag, epoch time), so the engine evaluates and rejects them before the fifth decides: six statements and eleven
  conditions on every call.

Three measurements per workload, ``off`` vs ``on`` in this same process, five alternating runs each, best of each:

- ``boto3 in-process``: ``iam.get_user`` through a real boto3 client (what a test suite pays per call; the target
  of issue 4 is ``on`` ≤ 10% more than ``off`` here);
- ``server side``: the gateway alone (``gateway.handle``) on a request signed once: SigV4 verification plus
  authorization plus the handler, without boto3's client-side cost;
- ``authorizer``: ``authorizer.authorize`` alone for the request's check (the part the engine speeds up).

``off`` skips authentication and authorization entirely (any credentials act as root), so the server-side ratio
includes SigV4 verification too.

Usage: ``python scripts/bench_enforcement.py [calls]``
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockrunner import gateway  # noqa: E402
from mockrunner.auth import authenticate, authorizer  # noqa: E402
from mockrunner.config import Settings  # noqa: E402
from mockrunner.context import RequestContext  # noqa: E402
from mockrunner.protocol import codecs  # noqa: E402
from mockrunner.services import registry  # noqa: E402
from tests.harness import Harness  # noqa: E402

ACCOUNT = "123456789012"
SERVICES = [
    ("s3", ["GetObject", "PutObject", "ListBucket", "GetBucketLocation"], "arn:aws:s3:::bucket-{i}-{n}/*"),
    ("ec2", ["Describe*", "StartInstances", "StopInstances"], "arn:aws:ec2:us-east-1:" + ACCOUNT + ":instance/*"),
    ("logs", ["CreateLogStream", "PutLogEvents", "DescribeLogGroups"],
     "arn:aws:logs:us-east-1:" + ACCOUNT + ":log-group:/app/{i}/{n}:*"),
    ("ecr", ["BatchGetImage", "GetDownloadUrlForLayer"], "arn:aws:ecr:us-east-1:" + ACCOUNT + ":repository/r{i}{n}"),
    ("apprunner", ["Describe*", "List*", "UpdateService"], "arn:aws:apprunner:us-east-1:" + ACCOUNT + ":service/*"),
    ("kms", ["Decrypt", "GenerateDataKey"], "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/{i}{n}"),
    ("dynamodb", ["GetItem", "Query", "PutItem"], "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/t{i}{n}"),
    ("iam", ["ListRoles", "GetRole", "PassRole"], "arn:aws:iam::" + ACCOUNT + ":role/app-{i}-*"),
]
DENY = (7, 4, {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}})
# Per workload: the Allow statements matching iam:GetUser on the user by action and resource, in evaluation order,
# as (policy, position, statement); ``{user}`` is the user's name.
WORKLOADS = {
    "first allow decides": [
        (0, 3, {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}),
        (2, 7, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}",
                "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]},
                              "Bool": {"aws:SecureTransport": "false"}}}),
        (4, 1, {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys"],
                "Resource": "arn:aws:iam::" + ACCOUNT + ":user/*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"},
                              "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}}),
        (5, 9, {"Effect": "Allow", "Action": "iam:*User*", "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                              "NumericGreaterThan": {"aws:EpochTime": "1577836800"}}}),
        (7, 8, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::" + ACCOUNT + ":user/{user}",
                "Condition": {"StringEqualsIfExists": {"aws:PrincipalTag/env": "bench"}}}),
        (9, 0, {"Effect": "Allow", "Action": ["iam:Get*"], "Resource": "arn:aws:iam::*:user/*",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                              "Null": {"aws:PrincipalTag/team": "false"}}}),
    ],
    "fifth allow decides": [
        (0, 3, {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}),
        (2, 7, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}",
                "Condition": {"Bool": {"aws:SecureTransport": "false"},
                              "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}}),
        (4, 1, {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListAccessKeys"],
                "Resource": "arn:aws:iam::" + ACCOUNT + ":user/*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"},
                              "StringEquals": {"aws:PrincipalTag/team": "data"}}}),
        (5, 9, {"Effect": "Allow", "Action": "iam:*User*", "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                              "NumericLessThan": {"aws:EpochTime": "1577836800"}}}),
        (7, 8, {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::" + ACCOUNT + ":user/{user}",
                "Condition": {"StringEqualsIfExists": {"aws:PrincipalTag/env": "bench"},
                              "IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}}),
        (9, 0, {"Effect": "Allow", "Action": ["iam:Get*"], "Resource": "arn:aws:iam::*:user/*",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                              "Null": {"aws:PrincipalTag/team": "false"}}}),
    ],
}
# The statement that decides each workload (checked in the decision log before timing).
DECIDING = {"first allow decides": "P0M3", "fifth allow decides": "P7M8"}


def _policy(index: int, matching: list, user: str) -> str:
    statements = []
    for n in range(10):
        service, actions, resource = SERVICES[(index + n) % len(SERVICES)]
        statement = {"Sid": f"P{index}S{n}", "Effect": "Allow",
                     "Action": [f"{service}:{action}" for action in actions[: 1 + (n % len(actions))]],
                     "Resource": resource.format(i=index, n=n)}
        if n % 3 == 0:
            statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
        statements.append(statement)
    for policy, position, statement in [*matching, DENY]:
        if policy == index:
            text = json.dumps(statement).replace("{user}", user)
            statements[position] = {"Sid": f"P{index}M{position}", **json.loads(text)}
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _setup(harness: Harness, user: str, matching: list) -> dict:
    """As root (enforcement on): a tagged user, its 10 policies, and an access key."""
    iam = harness.client("iam")
    iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "platform"}])
    for index in range(10):
        policy = _policy(index, matching, user)
        arn = iam.create_policy(PolicyName=f"{user}-p{index}", PolicyDocument=policy)["Policy"]["Arn"]
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    return iam.create_access_key(UserName=user)["AccessKey"]


def _time(fn, calls: int) -> float:
    for _ in range(min(200, calls)):
        fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def _signed(key: dict, user: str) -> tuple[dict, bytes]:
    body = f"Action=GetUser&UserName={user}&Version=2010-05-08"
    request = AWSRequest(method="POST", url="http://127.0.0.1:9/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "iam", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:9"
    return headers, body.encode()


def _server_call(harness: Harness, headers: dict, body: bytes):
    def call() -> None:
        response = gateway.handle(RequestContext(
            store=harness.store, method="POST", path="/", query_string="", headers=dict(headers), body=body,
            remote_addr="127.0.0.1"))
        assert response.status == 200, response.body

    return call


def _authorizer_call(harness: Harness, headers: dict, body: bytes):
    """``authorize`` alone, on a context prepared once the way the gateway prepares it."""
    ctx = RequestContext(store=harness.store, method="POST", path="/", query_string="",
                                 headers=dict(headers), body=body, remote_addr="127.0.0.1")
    gateway.route(ctx)
    authenticate.authenticate(ctx)
    ctx.params = codecs.codec_for(ctx.service_model).parse_request(ctx.operation, ctx.body, ctx.query)
    operation = registry.lookup(ctx.service, ctx.operation.name)
    checks = list(operation.checks(ctx))

    def call() -> None:
        ctx.decisions = []
        authorizer.authorize(ctx, checks)

    return call


def _measure(harness: Harness, key: dict, user: str, deciding: str, calls: int) -> dict[str, list[float]]:
    store = harness.store
    client = harness.client_for(key, "iam")
    headers, body = _signed(key, user)
    server_call = _server_call(harness, headers, body)
    authz_call = _authorizer_call(harness, headers, body)
    store.settings.enforce = "on"
    server_call()
    decision = store.decision_log[-1]
    assert decision["decision"] == "allowed", decision
    assert [m["sid"] for m in decision["matchedStatements"]] == [deciding], decision
    results: dict[str, list[tuple[float, float, float]]] = {}
    for mode in ("off", "on") * 5:
        store.settings.enforce = mode
        boto = _time(lambda: client.get_user(UserName=user), calls // 3)
        server = _time(server_call, calls)
        authz = _time(authz_call, calls)
        results.setdefault(mode, []).append((boto, server, authz))
    return {mode: [min(run[i] for run in runs) for i in range(3)] for mode, runs in results.items()}


def main(calls: int = 3000) -> None:
    harness = Harness("inprocess", Settings(log_requests=False, operation_delay=0))
    keys = {f"bench{number}": _setup(harness, f"bench{number}", matching)
            for number, matching in enumerate(WORKLOADS.values())}
    print("principal: IAM user, 10 attached policies x 10 statements (8 services, wildcards, variables, conditions)")
    print("call: iam:GetUser on itself; 6 candidate Allows in 6 policies and 1 conditional Deny that does not apply")
    for number, workload in enumerate(WORKLOADS):
        best = _measure(harness, keys[f"bench{number}"], f"bench{number}", DECIDING[workload], calls)
        print(f"-- {workload}")
        for label, index in (("boto3 in-process", 0), ("server side (gateway)", 1)):
            off, on = best["off"][index], best["on"][index]
            print(f"{label:24s} off {off * 1e6:8.1f} us/call   on {on * 1e6:8.1f} us/call   "
                  f"+{(on - off) * 1e6:6.1f} us   ratio {on / off:5.3f} ({(on / off - 1) * 100:+.1f}%)")
        print(f"{'authorizer alone':24s} on {best['on'][2] * 1e6:8.1f} us/call (off: skipped)")
    harness.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls", nargs="?", type=int, default=3000, help="calls per timed run (default 3000)")
    main(parser.parse_args().calls)
