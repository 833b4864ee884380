"""How long the dashboard takes with 10 and with 10,000 decisions in the log (the log's bound).

For each size, a fresh server on loopback gets five IAM users with policies (real boto3 calls), then that many
decisions made by the authorizer itself (``authorizer.decide`` for a mix of users, actions, resources, allowed and
denied: exactly what requests record).  Then, over real HTTP from a warm ``requests`` session:

- ``decisions page``: ``/_mockrunner/ui/decisions`` (newest page, 50 rows) — the page users open;
- ``filtered page``: the same with principal, service and decision filters (a pass over the whole log);
- ``last page``: the oldest decisions;
- ``live poll``: ``/decisions/rows?after=<newest>`` (what the page's script asks every second);
- ``explanation``: one decision explained (each layer evaluated again, policy texts rendered);
- ``suggestion``: the suggested policy of one user (its share of the log replayed through the engine);

and, when Chromium and chromedriver are installed (``--no-browser`` skips it), the ``browser load`` of the
decisions page in headless Chromium: Navigation Timing's ``loadEventEnd - startTime``, HTML, CSS and script.

Each measurement repeats ``--repeat`` times (default 20; browser: 10); the median and min–max are printed, with
the 10,000/10 ratio of the medians.  Every loop is bounded in count.

A second table measures the state pages, which show their lists a page at a time, with 200 and with
``--entities`` (default 10,000) of each kind: IAM users, roles, groups and customer managed policies (put in the
model directly, as ``bench_listing.py`` does), ECR repositories and App Runner services (created through the API):
the IAM page (first page of each list), the IAM page at the last page of roles, the ECR page and the App Runner
page, beside a do-nothing floor (``/_mockrunner/health`` over the same connection).  moto has no dashboard, so it
has no row here.

Usage: ``python scripts/bench_dashboard.py [--repeat N] [--no-browser] [--entities N] [--no-state-pages]``
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import boto3
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_entities import ACCOUNT, SOURCE, add_iam_entities  # noqa: E402 - beside this script

from mockrunner.auth import authorizer  # noqa: E402
from mockrunner.auth.caller import Caller  # noqa: E402
from mockrunner.auth.check import Check  # noqa: E402
from mockrunner.config import Settings  # noqa: E402
from mockrunner.testing.server import ThreadedServer  # noqa: E402

SIZES = (10, 10_000)
USERS = ("deployer", "ci", "alice", "bob", "reader")
ACTIONS = ("ecr:CreateRepository", "ecr:PutImage", "ecr:DescribeRepositories", "apprunner:CreateService",
           "apprunner:DescribeService", "iam:PassRole", "iam:GetRole", "s3:GetObject")
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Repos", "Effect": "Allow", "Action": ["ecr:Describe*", "ecr:CreateRepository"], "Resource": "*"},
    {"Sid": "Services", "Effect": "Allow", "Action": "apprunner:Describe*",
     "Resource": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/*"},
    {"Sid": "NoImages", "Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}]}


def _server() -> ThreadedServer:
    running = ThreadedServer(Settings(log_requests=False, operation_delay=0, enforce="soft")).start()
    iam = boto3.client("iam", endpoint_url=running.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    for name in USERS:
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="work", PolicyDocument=json.dumps(POLICY))
    return running


def _fill(running: ThreadedServer, count: int) -> None:
    """``count`` decisions by the authorizer, as requests make them (the log keeps the newest 10,000)."""
    store = running.store
    store.decision_log.clear()
    callers = [Caller(account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", user_id=f"AIDA{index:016d}",
                      kind="User", access_key_id="", entity_name=name) for index, name in enumerate(USERS)]
    base = {"aws:SourceIp": "127.0.0.1", "aws:SecureTransport": False, "aws:RequestedRegion": "us-east-1"}
    for number in range(count):
        action = ACTIONS[number % len(ACTIONS)]
        service = action.split(":")[0]
        resource = {"ecr": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/app-{number % 40}",
                    "apprunner": f"arn:aws:apprunner:us-east-1:{ACCOUNT}:service/web-{number % 30}/{number:032x}",
                    "iam": f"arn:aws:iam::{ACCOUNT}:role/app-{number % 20}",
                    "s3": f"arn:aws:s3:::bucket/{number}"}[service]
        context = {"iam:PassedToService": "apprunner.amazonaws.com"} if action == "iam:PassRole" else {}
        authorizer.decide(store, callers[number % len(callers)], Check(action, resource, context=context),
                          base_context=base, request_id=f"req-{number}")


def _timed(fetch, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - started)
    return timings


def _http(session: requests.Session, url: str):
    def fetch() -> None:
        response = session.get(url, timeout=60)
        response.raise_for_status()
    return fetch


def _measure(running: ThreadedServer, repeat: int, browser) -> dict[str, list[float]]:
    ui = f"{running.endpoint_url}/_mockrunner/ui"
    entries = running.store.decision_log.raw()
    newest = entries[-1][8]  # the "id" field of a stored entry
    session = requests.Session()
    pages = {
        "decisions page": f"{ui}/decisions",
        "filtered page": f"{ui}/decisions?principal=deployer&service=ecr&decision=denied",
        "last page": f"{ui}/decisions?page=1000000",
        "live poll": f"{ui}/decisions/rows?after={newest}",
        "explanation": f"{ui}/decisions/{newest}",
        "suggestion": f"{ui}/suggest?principal=arn:aws:iam::{ACCOUNT}:user/deployer",
    }
    results = {}
    for name, url in pages.items():
        _http(session, url)()  # warm
        results[name] = _timed(_http(session, url), repeat)
    if browser is not None:
        def load() -> float:
            browser.get(f"{ui}/decisions")
            return browser.execute_script(
                "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;")
        load()
        results["browser load"] = [load() / 1000 for _ in range(max(1, repeat // 2))]
    return results


def _browser(profile: str):
    binary = shutil.which("chromium")
    driver = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else shutil.which("chromedriver")
    if binary is None or driver is None:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def _populate(running: ThreadedServer, count: int) -> None:
    """``count`` users, roles, groups and customer policies in the model; repositories and services via the API."""
    store = running.store
    with store.lock:
        add_iam_entities(store.account(ACCOUNT).iam, count, store.clock.now())
    made = {service: boto3.client(service, endpoint_url=running.endpoint_url, region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test")
            for service in ("ecr", "apprunner")}
    for index in range(count):
        made["ecr"].create_repository(repositoryName=f"bench-{index:05d}")
        made["apprunner"].create_service(ServiceName=f"svc-{index:05d}", SourceConfiguration=SOURCE)


def _measure_state_pages(count: int, repeat: int) -> dict[str, list[float]]:
    settings = Settings(log_requests=False, operation_delay=0)
    settings.quotas = replace(settings.quotas, apprunner_max_services=count + 10)
    running = ThreadedServer(settings).start()
    try:
        _populate(running, count)
        ui = f"{running.endpoint_url}/_mockrunner/ui"
        pages = {
            "floor (health)": f"{running.endpoint_url}/_mockrunner/health",
            "IAM page": f"{ui}/accounts",
            "IAM, last roles": f"{ui}/accounts?roles-{ACCOUNT}={-(-count // 100)}",
            "ECR page": f"{ui}/ecr",
            "App Runner page": f"{ui}/apprunner",
        }
        session = requests.Session()
        results: dict[str, list[float]] = {name: [] for name in pages}
        for url in pages.values():
            _http(session, url)()  # warm (caches built per state version)
        for _ in range(repeat):  # interleaved, so the machine's noise falls on every page alike
            for name, url in pages.items():
                results[name] += _timed(_http(session, url), 1)
        return results
    finally:
        running.stop()


def _print_table(sizes: tuple[str, str], small: dict[str, list[float]], large: dict[str, list[float]]) -> None:
    print(f"{'ms (median, min-max)':<18} {sizes[0]:>22} {sizes[1]:>22} {'ratio':>7}")
    for name in small:
        a, b = statistics.median(small[name]) * 1000, statistics.median(large[name]) * 1000
        print(f"{name:<18} {a:9.1f} ({min(small[name]) * 1000:5.1f}-{max(small[name]) * 1000:6.1f})"
              f" {b:9.1f} ({min(large[name]) * 1000:5.1f}-{max(large[name]) * 1000:6.1f}) {b / a:6.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--no-state-pages", action="store_true")
    args = parser.parse_args()
    profile = tempfile.mkdtemp(prefix="mockrunner-bench-")
    browser = None if args.no_browser else _browser(profile)
    measured: dict[int, dict[str, list[float]]] = {}
    try:
        running = _server()
        try:
            for size in SIZES:
                _fill(running, size)
                assert len(running.store.decision_log) == size
                measured[size] = _measure(running, args.repeat, browser)
        finally:
            running.stop()
    finally:
        if browser is not None:
            browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
    _print_table(("10 decisions", "10,000 decisions"), measured[SIZES[0]], measured[SIZES[1]])
    if not args.no_state_pages:
        small, large = (_measure_state_pages(count, args.repeat) for count in (200, args.entities))
        print()
        _print_table(("200 of each", f"{args.entities:,} of each"), small, large)
    return 0


if __name__ == "__main__":
    sys.exit(main())
