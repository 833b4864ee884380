"""One page of a listing at 200 and at 10,000 entities: the page must not cost more as the account grows.

Listings: IAM ListUsers, ListRoles, ListGroups, ListPolicies (Scope=Local, and Scope=AWS over every AWS managed
policy while the account holds N customer policies), App Runner ListServices, ECR DescribeImages and ListImages;
each asks for one page of 100 (App Runner: 20, its maximum).

Rows, all in-process through boto3 in one run: mockrunner (before-send hook -> WSGI, enforcement on, root
caller); a do-nothing floor answering the very page mockrunner returned from a before-send hook (what botocore
alone costs for that page); moto's ``mock_aws`` for the IAM listings.  The IAM entities are put in the stores
directly (mockrunner's model, moto's backend) so that 10,000 of each take seconds; App Runner services and ECR
images are created through the API.

The machine is shared and noisy, so figures are this process's CPU time (client and server run in it; other
processes barely change it): each is the median over ``--repeats`` interleaved rounds (every row once per round,
``--calls`` calls each, per-call median) with the range [min-max]; the ratio 10,000/200 is taken within each
round.  A second table gives the server's share: CPU time inside mockrunner's WSGI app.  Goal: within 1.2x.
moto's rows are measured after mockrunner's, size after size (its backends are global).

Needs moto (``pip install -e '.[bench]'``) for the moto rows.
Usage: ``python scripts/bench_listing.py [--large 10000] [--calls 30] [--moto-calls 3] [--repeats 5]``.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.services.ecr import put_image_record  # noqa: E402
from mockrunner.testing.inprocess import BeforeSendHook, _Raw

try:  # imported before any botocore session exists, so that moto's before-send hook is in every session
    from moto import mock_aws
    from moto.iam.models import iam_backends
except ImportError:
    mock_aws = iam_backends = None

from bench_entities import ACCOUNT, POLICY, SOURCE, TRUST, add_iam_entities  # noqa: E402 - beside this script

BOTOCORE = botocore.session.get_session()
SMALL = 200

Call = Callable[[dict], object]
#: Listing name -> (service, call on a dict of clients).
LISTINGS: dict[str, tuple[str, Call]] = {
    "IAM ListUsers": ("iam", lambda c: c["iam"].list_users(MaxItems=100)),
    "IAM ListRoles": ("iam", lambda c: c["iam"].list_roles(MaxItems=100)),
    "IAM ListGroups": ("iam", lambda c: c["iam"].list_groups(MaxItems=100)),
    "IAM ListPolicies Local": ("iam", lambda c: c["iam"].list_policies(Scope="Local", MaxItems=100)),
    "IAM ListPolicies AWS": ("iam", lambda c: c["iam"].list_policies(Scope="AWS", MaxItems=100)),
    "AppRunner ListServices": ("apprunner", lambda c: c["apprunner"].list_services(MaxResults=20)),
    "ECR DescribeImages": ("ecr", lambda c: c["ecr"].describe_images(repositoryName="bench", maxResults=100)),
    "ECR ListImages": ("ecr", lambda c: c["ecr"].list_images(repositoryName="bench", maxResults=100)),
}
IAM_LISTINGS = [name for name, (service, _) in LISTINGS.items() if service == "iam"]


class TimedApp:
    """The WSGI app, keeping the CPU time spent inside it: the server's share of a call."""

    def __init__(self, app) -> None:
        self.app = app
        self.spent = 0.0

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        start = time.process_time()
        try:
            return list(self.app(environ, start_response))
        finally:
            self.spent += time.process_time() - start


def clients(app=None) -> dict:
    """boto3 clients answered in-process by ``app`` (timed: ``made["server"]``), or left to moto when ``None``."""
    made: dict = {"server": TimedApp(app) if app is not None else None}
    for service in ("iam", "apprunner", "ecr"):
        session = boto3.session.Session(botocore_session=BOTOCORE)
        made[service] = session.client(service, region_name="us-east-1", endpoint_url="http://127.0.0.1:9" if app
                                       else None, aws_access_key_id="test", aws_secret_access_key="test",
                                       config=Config(retries={"max_attempts": 1}))
        if app is not None:
            BeforeSendHook(lambda: made["server"]).attach(made[service])
        else:
            made[service]._endpoint.http_session.send = _refuse
    return made


def _refuse(request: object) -> None:
    raise RuntimeError(f"benchmark request to {request.url} was not intercepted")


def populate_mockrunner(app, count: int, calls: dict) -> None:
    """``count`` users, roles, groups and customer policies and images in the model; services via the API."""
    add_iam_entities(app.store.account(ACCOUNT).iam, count, app.store.clock.now())
    for index in range(count):
        calls["apprunner"].create_service(ServiceName=f"svc-{index:05d}", SourceConfiguration=SOURCE)
    calls["ecr"].create_repository(repositoryName="bench")
    for index in range(count):  # declared as seed files declare images: listing cost does not depend on blobs
        put_image_record(app.store, ACCOUNT, "us-east-1", "bench", tags=[f"v{index}"],
                         digest="sha256:" + hashlib.sha256(str(index).encode()).hexdigest(), size=7)


def populate_moto(start: int, stop: int) -> None:
    backend = iam_backends[ACCOUNT]["global"]
    for index in range(start, stop):
        name = f"bench-{index:05d}"
        backend.create_user("us-east-1", name)
        backend.create_role(name, TRUST, "/", None, "", [], None)
        backend.create_group(name)
        backend.create_policy("", "/", POLICY, name, [])


def measure_moto(sizes: tuple[int, ...], repeats: int, calls: int) -> dict[str, dict[str, list[float]]]:
    """moto's rows, size after size in one ``mock_aws`` block (its backends are global: the larger account is the
    smaller one grown), so not interleaved with mockrunner's rounds."""
    figures: dict[str, dict[str, list[float]]] = {}
    with mock_aws():
        made = clients(app=None)
        done = 0
        for size in sizes:
            populate_moto(done, size)
            done = size
            for name in IAM_LISTINGS:
                LISTINGS[name][1](made)
            for _ in range(repeats):
                for name in IAM_LISTINGS:
                    figures.setdefault(f"moto {size}", {}).setdefault(name, []).append(
                        per_call_ms(LISTINGS[name][1], made, calls)[0])
    return figures


def floor_clients(bodies: dict[str, bytes]) -> dict:
    """Clients answered from a before-send hook with the page mockrunner returned (botocore's own cost)."""
    made = clients(app=None)
    for name, (service, _) in LISTINGS.items():
        operation = name.split()[1]
        body = bodies[name]

        def canned(request: object, _body: bytes = body, _type: str = _content_type(service),
                   **_: object) -> AWSResponse:
            return AWSResponse(request.url, 200, {"Content-Type": _type}, _Raw(_body))

        made[service].meta.events.register_first(f"before-send.{_event_service(service)}.{operation}", canned)
    return made


def _event_service(service: str) -> str:
    return {"iam": "iam", "apprunner": "apprunner", "ecr": "ecr"}[service]


def _content_type(service: str) -> str:
    return "text/xml" if service == "iam" else "application/x-amz-json-1.0"


def capture_bodies(calls: dict) -> dict[str, bytes]:
    """The raw response body of each listing, as mockrunner answered it."""
    bodies: dict[str, bytes] = {}
    for name, (service, call) in LISTINGS.items():
        seen: list[bytes] = []

        def keep(response_dict: dict, _seen: list[bytes] = seen, **_: object) -> None:
            _seen.append(response_dict["body"])

        calls[service].meta.events.register("before-parse", keep)
        call(calls)
        calls[service].meta.events.unregister("before-parse", keep)
        bodies[name] = seen[-1]
    return bodies


def per_call_ms(call: Call, made: dict, calls: int) -> tuple[float, float]:
    """Median CPU ms of ``calls`` calls of ``call(made)``: the whole call, and the server's share (0 when the
    server is not ours).  CPU time of this process, which other processes on a busy machine barely change."""
    samples, served = [], []
    server = made["server"]
    for _ in range(calls):
        inside = server.spent if server else 0.0
        start = time.process_time()
        call(made)
        samples.append(time.process_time() - start)
        served.append(server.spent - inside if server else 0.0)
    return statistics.median(samples) * 1000, statistics.median(served) * 1000


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=10_000, help="entities of each kind in the large account")
    parser.add_argument("--calls", type=int, default=30, help="calls per row and round (per-call median)")
    parser.add_argument("--moto-calls", type=int, default=3, help="calls per moto row and round (moto's "
                        "ListUsers takes seconds at 10,000)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sizes = (SMALL, args.large)
    rows: dict[str, dict] = {}
    for size in sizes:
        settings = Settings(log_requests=False, enforce="on", operation_delay=0)
        settings.quotas = replace(settings.quotas, apprunner_max_services=size + 10)
        app = create_app(settings)
        made = clients(app)
        started = time.perf_counter()
        populate_mockrunner(app, size, made)
        print(f"mockrunner: {size} of each kind in {time.perf_counter() - started:.1f} s")
        rows[f"mockrunner {size}"] = made
        if size == SMALL:
            rows["floor"] = floor_clients(capture_bodies(made))
    figures: dict[str, dict[str, list[float]]] = {}
    served: dict[str, dict[str, list[float]]] = {}
    for made in rows.values():
        for _, call in LISTINGS.values():  # warm: caches, lazy data, first-call imports
            call(made)
    for _ in range(args.repeats):
        for row, made in rows.items():
            for name, (_, call) in LISTINGS.items():
                whole, inside = per_call_ms(call, made, args.calls)
                figures.setdefault(row, {}).setdefault(name, []).append(whole)
                served.setdefault(row, {}).setdefault(name, []).append(inside)
    moto_rows = measure_moto(sizes, args.repeats, args.moto_calls) if mock_aws is not None else {}
    if mock_aws is None:
        print("moto not installed: skipping moto rows (pip install -e '.[bench]')")
    figures.update(moto_rows)

    large, small = f"mockrunner {args.large}", f"mockrunner {SMALL}"
    print(f"\nCPU ms per call through boto3, median [min-max] of {args.repeats} rounds of {args.calls} calls; one "
          "page of 100 (App Runner: 20)")
    header = f"{'':24s} {small:>20s} {large:>20s} {'large/small':>20s} {'floor':>20s}"
    print(header + "".join(f" {row:>20s}" for row in moto_rows))
    for name in LISTINGS:
        line = (f"{name:24s} {spread(figures[small][name]):>20s} {spread(figures[large][name]):>20s} "
                f"{ratio(figures, small, large, name):>19s}x {spread(figures['floor'][name]):>20s}")
        for row in moto_rows:
            line += f" {spread(figures[row][name]) if name in figures[row] else '-':>20s}"
        print(line)
    print("\nthe server's share (CPU ms inside mockrunner's WSGI app per call):")
    print(f"{'':24s} {small:>20s} {large:>20s} {'large/small':>20s}")
    for name in LISTINGS:
        print(f"{name:24s} {spread(served[small][name]):>20s} {spread(served[large][name]):>20s} "
              f"{ratio(served, small, large, name):>19s}x")
    if moto_rows:
        print("\nmoto / mockrunner, whole call (medians):")
        for name in IAM_LISTINGS:
            print(f"{name:24s} " + "  ".join(
                f"{size}: {median(figures, f'moto {size}', name) / median(figures, f'mockrunner {size}', name):.2f}x"
                for size in sizes))


def median(figures: dict, row: str, name: str) -> float:
    return statistics.median(figures[row][name])


def ratio(figures: dict, small: str, large: str, name: str) -> str:
    """The large/small ratio, taken within each round."""
    return spread([b / a for a, b in zip(figures[small][name], figures[large][name], strict=True)])

if __name__ == "__main__":
    main()
