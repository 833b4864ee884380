"""Cost of enforcement: per-call time with enforcement ``on`` vs ``off``, same process, same run.

The principal is an IAM user with 10 attached customer managed policies of 10 statements each (none of which
matches the benchmarked action but the last, so every statement is looked at).  Two measurements:

- ``boto3``: ``iam.get_user`` through a real boto3 client, in-process (what a test suite pays per call);
- ``server side``: the gateway alone (``gateway.handle``) on a request signed once, i.e. SigV4 verification
  plus authorization plus the handler, without boto3's client-side cost.

Usage: ``python scripts/bench_enforcement.py [calls]``
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockrunner import gateway  # noqa: E402
from mockrunner.config import Settings  # noqa: E402
from tests.harness import Harness  # noqa: E402


def _policy(index: int) -> str:
    statements = [{"Sid": f"S{index}x{n}", "Effect": "Allow", "Action": [f"s3:Get{index}Object{n}", "ec2:Describe*"],
                   "Resource": f"arn:aws:s3:::bucket-{index}-{n}/*"} for n in range(9)]
    last = index == 9
    statements.append({"Effect": "Allow", "Action": "iam:GetUser" if last else f"iam:List{index}Things",
                       "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _setup(harness: Harness) -> dict:
    """As root (enforcement on): the bench user, its 10 policies, and an access key."""
    iam = harness.client("iam")
    iam.create_user(UserName="bench")
    for index in range(10):
        arn = iam.create_policy(PolicyName=f"p{index}", PolicyDocument=_policy(index))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="bench", PolicyArn=arn)
    return iam.create_access_key(UserName="bench")["AccessKey"]


def _time(fn, calls: int) -> float:
    for _ in range(min(200, calls)):
        fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def _signed_context(harness: Harness, key: dict):
    body = "Action=GetUser&Version=2010-05-08"
    request = AWSRequest(method="POST", url="http://127.0.0.1:9/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "iam", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "127.0.0.1:9"

    def call() -> None:
        response = gateway.handle(gateway.RequestContext(
            store=harness.store, method="POST", path="/", query_string="", headers=dict(headers),
            body=body.encode()))
        assert response.status == 200, response.body

    return call


def main(calls: int = 3000) -> None:
    harness = Harness("inprocess", Settings(log_requests=False, operation_delay=0))
    key = _setup(harness)
    client = harness.client_for(key, "iam")
    server_call = _signed_context(harness, key)
    results = {}
    for mode in ("off", "on", "off", "on"):
        harness.store.settings.enforce = mode
        boto = _time(lambda: client.get_user(UserName="bench"), calls // 3)
        server = _time(server_call, calls)
        results.setdefault(mode, []).append((boto, server))
    best = {mode: (min(r[0] for r in runs), min(r[1] for r in runs)) for mode, runs in results.items()}
    print("principal: IAM user with 10 attached policies x 10 statements; action iam:GetUser")
    for label, index in (("boto3 in-process", 0), ("server side (gateway)", 1)):
        off, on = best["off"][index], best["on"][index]
        print(f"{label:24s} off {off * 1e6:8.1f} us/call   on {on * 1e6:8.1f} us/call   "
              f"ratio {on / off:5.3f} ({(on / off - 1) * 100:+.1f}%)")
    harness.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
