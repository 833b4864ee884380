"""What a user pays per test: mockrunner's decorator and server fixture side by side with moto's.

Measured in one run, same machine, same boto3:
- enter + leave the decorator (``mock_apprunner`` vs moto's ``mock_aws``);
- a small test: enter, create an STS client, two GetCallerIdentity calls, leave;
- a threaded server's start + stop (``ThreadedServer`` vs moto's ``ThreadedMotoServer``).

Targets (issue 7): enter+leave <= 1 ms, small test <= 20 ms, server start+stop <= 50 ms.
Usage: ``python scripts/bench_ways.py [--repeat N]`` (moto is a benchmark-only dependency: ``pip install
.[bench]``).  Exits 1 if a target is missed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import boto3  # noqa: E402

TARGETS_MS = {"enter+leave": 1.0, "small test": 20.0, "server start+stop": 50.0}


def measure(function: Callable[[], None], repeat: int) -> float:
    """Median milliseconds per call after one warm-up call."""
    function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def small_test(mock_factory: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with mock_factory():
            client = boto3.client("sts", region_name="us-east-1")
            client.get_caller_identity()
            client.get_caller_identity()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from mockrunner import mock_apprunner
    from mockrunner.testing.server import ThreadedServer

    def enter_leave() -> None:
        with mock_apprunner():
            pass

    def server() -> None:
        ThreadedServer().start().stop()

    ours = {
        "enter+leave": measure(enter_leave, args.repeat * 10),
        "small test": measure(small_test(mock_apprunner), args.repeat),
        "server start+stop": measure(server, args.repeat),
    }
    theirs: dict[str, float | None] = dict.fromkeys(ours)
    try:
        from moto import mock_aws
    except ImportError as error:
        print(f"moto cannot be imported ({error}): showing mockrunner only (pip install -c constraints.txt "
              f"-e '.[bench]')")
    else:
        def moto_enter_leave() -> None:
            with mock_aws():
                pass

        ports = iter(range(25000, 26000))

        def moto_server() -> None:
            instance = ThreadedMotoServer(ip_address="127.0.0.1", port=next(ports), verbose=False)
            instance.start()
            instance.stop()

        theirs["enter+leave"] = measure(moto_enter_leave, args.repeat)
        theirs["small test"] = measure(small_test(mock_aws), max(5, args.repeat // 3))
        try:  # moto's server dependencies are the bench extra's; mock_aws needs moto alone
            from moto.server import ThreadedMotoServer
        except ImportError as error:
            print(f"moto's server cannot be imported ({error}): no moto server row (pip install -c "
                  f"constraints.txt -e '.[bench]')")
        else:
            theirs["server start+stop"] = measure(moto_server, max(3, args.repeat // 10))
    print(f"{'measure':<20}{'mockrunner ms':>15}{'moto ms':>12}{'moto/ours':>11}{'target ms':>11}  ok")
    missed = 0
    for name, value in ours.items():
        other = theirs[name]
        ratio = f"{other / value:10.1f}x" if other else f"{'-':>11}"
        ok = value <= TARGETS_MS[name]
        missed += not ok
        moto_text = f"{other:12.2f}" if other else f"{'-':>12}"
        print(f"{name:<20}{value:15.3f}{moto_text}{ratio}{TARGETS_MS[name]:11.1f}  {'yes' if ok else 'NO'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
