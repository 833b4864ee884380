"""DescribeService and ListServices latency with 10 and with 10,000 services in the account, and memory.

Both sizes are measured in the same run on the same in-process app (boto3 client -> before-send hook -> WSGI,
enforcement on, root caller), so the ratio is meaningful on a noisy machine: a page must not cost more as
the account grows.  Memory is what tracemalloc sees allocated by creating 10,000 services through the API
(the store's entities plus whatever the request path keeps, e.g. the bounded decision log).

Usage: ``python scripts/bench_apprunner.py [--services 10000] [--calls 300]``.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

import boto3
import botocore.session
from botocore.config import Config

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.testing.inprocess import BeforeSendHook

SOURCE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                              "ImageRepositoryType": "ECR_PUBLIC"}}


def client_for(app):
    session = boto3.session.Session(botocore_session=botocore.session.get_session())
    client = session.client("apprunner", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))
    BeforeSendHook(lambda: app).attach(client)
    return client


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Median of ``calls`` timings, in milliseconds."""
    for _ in range(min(20, calls)):
        fn()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def populate(client, start: int, stop: int) -> list[str]:
    return [client.create_service(ServiceName=f"svc-{index:05d}", SourceConfiguration=SOURCE)["Service"]["ServiceArn"]
            for index in range(start, stop)]


def last_page_token(client) -> str | None:
    token, previous = None, None
    while True:
        page = client.list_services(MaxResults=10, **({"NextToken": token} if token else {}))
        previous, token = token, page.get("NextToken")
        if token is None:
            return previous


def measure(client, arns: list[str], calls: int) -> dict[str, float]:
    middle = arns[len(arns) // 2]
    deep = last_page_token(client)
    figures = {
        "DescribeService": per_call(lambda: client.describe_service(ServiceArn=middle), calls),
        "ListServices (first page of 10)": per_call(lambda: client.list_services(MaxResults=10), calls),
    }
    if deep is not None:
        figures["ListServices (last page of 10)"] = per_call(
            lambda: client.list_services(MaxResults=10, NextToken=deep), calls)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    settings = Settings(operation_delay=0, log_requests=False)
    settings.quotas = replace(settings.quotas, apprunner_max_services=args.services + 10)
    app = create_app(settings)
    client = client_for(app)

    arns = populate(client, 0, 10)
    small = measure(client, arns, args.calls)

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    arns += populate(client, 10, args.services)
    client.list_services(MaxResults=1)  # completes the pending create operations
    elapsed = time.perf_counter() - started
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    large = measure(client, arns, args.calls)

    print(f"created {args.services - 10} services in {elapsed:.1f} s "
          f"({elapsed / (args.services - 10) * 1000:.2f} ms per CreateService)")
    print(f"memory for {args.services} services: {(after - before) / 2**20:.1f} MiB "
          f"({(after - before) / (args.services - 10) / 1024:.1f} KiB per service, tracemalloc)")
    print(f"{'call':34} {'10 services':>12} {f'{args.services} services':>16} {'ratio':>7}")
    for name, value in large.items():
        base = small.get(name)
        base_text = f"{base:9.3f} ms" if base is not None else "        -   "
        ratio = f"{value / base:6.2f}x" if base else "     -"
        print(f"{name:34} {base_text:>12} {value:13.3f} ms {ratio:>7}")


if __name__ == "__main__":
    main()
