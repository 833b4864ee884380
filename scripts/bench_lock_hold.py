"""How long a small request waits while another client's large signed request is being served.

Every request is served in one hold of the store lock; what a request costs there, every other client waits for.
This measures it from outside: a ``mockrunner serve`` process on loopback, one client thread sending a large signed
request (a 32 MB SigV4-signed body, or a 32 MB SigV2-signed form: STS GetCallerIdentity with a ``Padding``
parameter), and, while it is in flight, this thread sending plain SigV4 GetCallerIdentity calls one after the other
(the probes).  A run's figure is the longest a probe took while the large request was in flight; the floor is a
probe's time with nothing else in flight (median of the same number of probes).  Reported: median [min-max] over
``--runs`` runs, in ms, and each large request's own time.

The server is another process, so the probes wait for the server, not for this process's interpreter; the machine's
cores are shared, so a large request's work outside the lock (hashing 32 MB, decoding the form) still competes
with the probes for CPU: a probe's figure is the lock's hold plus that.  No moto ratio: moto verifies no signature
(its server takes any credentials), so it does no such work, under a lock or not, and a ratio would compare
nothing.

A second table measures the lock itself, in this process: the same large requests (and an empty-body
GetCallerIdentity, the do-nothing floor) through the app in-process, the store's lock wrapped in one that records
how long each outermost hold lasts (a benchmark's instrument, as ``time.perf_counter`` is; the server's code is
not changed).  Its figure is the longest single hold of the store lock while serving the request: what every other
request would wait at most, the work outside the lock (decoding the form, hashing the body) not counted.  Run it
against another checkout (``cd <checkout> && PYTHONPATH=. python <this script>``) to compare.

Usage: ``python scripts/bench_lock_hold.py [--runs 5] [--size-mb 32] [--timeout 60]``.  Loopback only; every loop
is bounded in count (``--probes``) and by ``--timeout`` seconds per run.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


class TimedLock:
    """A re-entrant lock that records the length (ms) of each outermost hold in ``holds``."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = threading.local()
        self._since = 0.0
        self.holds: list[float] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(blocking, timeout)
        if got:
            depth = getattr(self._depth, "n", 0)
            if depth == 0:
                self._since = time.perf_counter()
            self._depth.n = depth + 1
        return got

    def release(self) -> None:
        self._depth.n -= 1
        if self._depth.n == 0:
            self.holds.append((time.perf_counter() - self._since) * 1000)
        self._lock.release()

    def _is_owned(self) -> bool:
        return self._lock._is_owned()  # noqa: SLF001 - as RLock's users ask it

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.release()


def longest_holds(size: int, runs: int) -> dict[str, list[float]]:
    """Per request kind, the longest hold of the store lock while serving it in-process, once per run."""
    from mockrunner.app import create_app
    from mockrunner.config import Settings
    from mockrunner.testing.inprocess import call_app

    app = create_app(Settings(log_requests=False))
    lock = app.store.lock = TimedLock()
    endpoint = "http://localhost"
    floor = AWSRequest(method="POST", url=endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15", data=b"")
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(floor)
    made = {"floor: empty-body GetCallerIdentity": (floor.prepare().body or b"", dict(floor.headers), floor.url),
            f"SigV4, {size // 1_000_000} MB signed body": (*sigv4_body(endpoint, size), endpoint + "/"),
            f"SigV2, {size // 1_000_000} MB signed form": (*sigv2_form(endpoint, size), endpoint + "/")}
    found: dict[str, list[float]] = {name: [] for name in made}
    for _ in range(runs):  # interleaved: each kind once per round
        for name, (body, headers, url) in made.items():
            lock.holds.clear()
            response = call_app(app, AWSRequest(method="POST", url=url, data=body, headers=headers).prepare())
            if response.status_code != 200:
                raise SystemExit(f"{name} was refused: {response.status_code} {response.content[:300]!r}")
            found[name].append(max(lock.holds))
    return found


def start_server() -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    return process, line.strip().rsplit(" ", 1)[-1]


def sigv4_body(endpoint: str, size: int) -> tuple[bytes, dict[str, str]]:
    """A SigV4-signed GetCallerIdentity form of about ``size`` bytes: its body and headers."""
    body = urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15", "Padding": "p" * size}).encode()
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=dict(FORM))
    SigV4Auth(Credentials("test", "test"), "sts", "us-east-1").add_auth(request)
    prepared = request.prepare()
    return prepared.body, dict(prepared.headers)


def sigv2_form(endpoint: str, size: int) -> tuple[bytes, dict[str, str]]:
    """A SigV2-signed GetCallerIdentity form of about ``size`` bytes: its body and headers."""
    fields = {"Action": "GetCallerIdentity", "Version": "2011-06-15", "AWSAccessKeyId": "test",
              "SignatureVersion": "2", "SignatureMethod": "HmacSHA256",
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "Padding": "p" * size}
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(fields.items()))
    text = f"POST\n{endpoint.removeprefix('http://')}\n/\n{query}"
    fields["Signature"] = base64.b64encode(hmac.new(b"test", text.encode(), hashlib.sha256).digest()).decode()
    return urlencode(fields).encode(), dict(FORM)


def one_run(endpoint: str, large: tuple[bytes, dict[str, str]], probe: Callable[[], object], probes: int,
            timeout: float) -> tuple[float, float]:
    """The longest probe (ms) while ``large`` is in flight, and the large request's own time (ms)."""
    body, headers = large
    took: list[float] = []

    def send() -> None:
        start = time.perf_counter()
        response = requests.post(endpoint + "/", data=body, headers=headers, timeout=timeout)
        took.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the large request was refused: {response.status_code} {response.text[:300]}")

    thread = threading.Thread(target=send, daemon=True)
    deadline = time.perf_counter() + timeout
    thread.start()
    longest = 0.0
    for _ in range(probes):
        if not thread.is_alive() or time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        probe()
        longest = max(longest, (time.perf_counter() - start) * 1000)
    thread.join(max(0.0, deadline - time.perf_counter()))
    if not took:
        raise SystemExit("the large request did not end in time")
    return longest, took[0]


def spread(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5)")
    parser.add_argument("--size-mb", type=int, default=32, help="size of the large request (default 32)")
    parser.add_argument("--probes", type=int, default=2000, help="most probes per run (default 2000)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per run (default 60)")
    args = parser.parse_args()
    process, endpoint = start_server()
    try:
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="test",
                           aws_secret_access_key="test")
        probe = sts.get_caller_identity
        for _ in range(20):  # warm the server and the connection pool
            probe()
        size = args.size_mb * 1_000_000
        large = {f"SigV4, {args.size_mb} MB signed body": sigv4_body(endpoint, size),
                 f"SigV2, {args.size_mb} MB signed form": sigv2_form(endpoint, size)}
        floor = []
        for _ in range(args.runs * 20):
            start = time.perf_counter()
            probe()
            floor.append((time.perf_counter() - start) * 1000)
        rows: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in large}
        for _ in range(args.runs):  # interleaved: each row once per round
            for name, request in large.items():
                longest, took = one_run(endpoint, request, probe, args.probes, args.timeout)
                rows[name][0].append(longest)
                rows[name][1].append(took)
    finally:
        process.terminate()
        process.wait(10)
    holds = longest_holds(size, args.runs)
    print(f"longest hold of the store lock while serving the request, in-process; median [min-max] of {args.runs} "
          "runs, ms")
    for name, values in holds.items():
        print(f"{name:44s} {spread(values, 2):>24s}")
    print()
    print(f"GetCallerIdentity probes against a 'mockrunner serve' on loopback; median [min-max] of {args.runs} runs, "
          "ms")
    print(f"{'':34s} {'longest probe':>24s} {'large request':>24s}")
    print(f"{'floor: nothing else in flight':34s} {spread(floor):>24s} {'':>24s}")
    for name, (longest, took) in rows.items():
        print(f"{name:34s} {spread(longest):>24s} {spread(took):>24s}")
    for name, (longest, _) in rows.items():
        print(f"{name}: longest probe / floor median = {statistics.median(longest) / statistics.median(floor):.1f}x")


if __name__ == "__main__":
    main()
