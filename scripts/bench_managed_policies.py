"""What the AWS managed policy data and IAM's action catalogue cost: import, a mock_apprunner block, later uses.

Each figure is the median (and range) over ``--repeat`` fresh interpreters, so the lazily read data is cold each
time: ``import mockrunner``; entering and leaving ``mock_apprunner``; the first read of the policy index; the first
``GetPolicy`` of an AWS managed policy in a mock; a ``ListPolicies(Scope=AWS)`` page of 100 (warm); the first read of
an older version (the history file); the first read of the action catalogue (``mockrunner/data/
action_catalogue.json.gz``, read by the policy simulator and the service last accessed reports).  Import and the mock
block must read neither at all: the script checks that and exits 1 if they do.
Usage: ``python scripts/bench_managed_policies.py [--repeat N] [--root CHECKOUT]`` (``--root``: measure another
checkout, e.g. ``git archive`` of an older commit, for a before/after comparison).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = r"""
import json, time
t0 = time.perf_counter()
import mockrunner
t1 = time.perf_counter()
from mockrunner import mock_apprunner
from mockrunner.model import managed_policies as mp
try:
    from mockrunner.model import action_catalogue as ac
except ImportError:  # a checkout older than the catalogue (--root)
    ac = None
with mock_apprunner():
    pass
t2 = time.perf_counter()
untouched = getattr(mp, "_index", None) is None and (ac is None or ac._services is None)
import boto3
with mock_apprunner():
    iam = boto3.client("iam", region_name="us-east-1")
    t3 = time.perf_counter()
    iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    t4 = time.perf_counter()
    iam.list_policies(Scope="AWS")
    t5 = time.perf_counter()
    iam.list_policies(Scope="AWS", MaxItems=100)
    t6 = time.perf_counter()
    try:
        iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess", VersionId="v1")
    except iam.exceptions.NoSuchEntityException:
        pass  # a mockrunner without the full dataset
    t7 = time.perf_counter()
mp._index = None
if hasattr(mp.aws_managed_policies, "cache_clear"):
    mp.aws_managed_policies.cache_clear()
t8 = time.perf_counter()
mp.aws_managed_policies()
t9 = time.perf_counter()
t10 = time.perf_counter()
if ac is not None:
    ac._services = None
    t10 = time.perf_counter()
    ac.services()
t11 = time.perf_counter()
print(json.dumps({"import mockrunner": t1 - t0, "mock_apprunner enter+leave (cold)": t2 - t1,
                  "index read (alone)": t9 - t8, "first GetPolicy (AWS managed)": t4 - t3,
                  "ListPolicies Scope=AWS page of 100 (warm)": t6 - t5,
                  "first older version (history read)": t7 - t6, "action catalogue read (alone)": t11 - t10,
                  "untouched": untouched}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--root", default=ROOT, help="a mockrunner checkout to measure (default: this one)")
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=args.root,
                             timeout=120, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'measure':45} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for key in runs[0]:
        if key == "untouched":
            continue
        values = [run[key] * 1000 for run in runs]
        print(f"{key:45} {statistics.median(values):10.2f} {min(values):8.2f} {max(values):8.2f}")
    untouched = all(run["untouched"] for run in runs)
    print(f"import and mock_apprunner read no policy data and no action catalogue: {'yes' if untouched else 'NO'}")
    return 0 if untouched else 1


if __name__ == "__main__":
    sys.exit(main())
