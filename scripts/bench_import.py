"""What importing and exporting a large state costs: ``import_state`` of a document with N users, roles, groups and
customer policies (each tagged, the roles with an inline policy) and N ECR images, and ``export_state`` of it (what
every mutation with a state file does before writing).

The entities are put in the model directly (as ``bench_listing.py`` does) and exported once; each round imports
that document into a fresh store.  Figures are this process's CPU time per import, the median over ``--repeats``
rounds with the range [min-max]; a second row is ``json.loads`` of the same text (the floor every import pays
before it starts), and ``import_state`` with the range check of :mod:`mockrunner.state_ranges` switched off (its
share); ``export_state`` of the imported store beside ``json.dumps`` of its document (what a save does next, the
floor for export).
Usage: ``python scripts/bench_import.py [--count 10000] [--repeats 5]``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time

from mockrunner.config import Settings
from mockrunner.model import iam as model
from mockrunner.model import snapshot
from mockrunner.model.ecr import Image, Repository
from mockrunner.model.store import Store

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                             "Resource": "arn:aws:s3:::bucket/*"}]})


def populated(count: int) -> Store:
    store = Store(Settings(log_requests=False))
    account = store.account(ACCOUNT)
    iam, now = account.iam, store.clock.now()
    tags = {"team": "a", "env": "prod"}
    for index in range(count):
        name = f"bench-{index:05d}"
        arn = f"arn:aws:iam::{ACCOUNT}:%s/{name}"
        iam.add(model.User(name, model.new_id(model.USER_ID_PREFIX), "/", arn % "user", now, tags=tags))
        iam.add(model.Role(name, model.new_id(model.ROLE_ID_PREFIX), "/", arn % "role", now, TRUST, tags=tags,
                           inline_policies={"inline": POLICY}))
        iam.add(model.Group(name, model.new_id(model.GROUP_ID_PREFIX), "/", arn % "group", now))
        iam.add(model.ManagedPolicy(name, model.new_id(model.POLICY_ID_PREFIX), "/", arn % "policy", now, now, "v1",
                                    [model.PolicyVersion("v1", POLICY, now)], tags=tags))
    repository = Repository("bench", ACCOUNT, "us-east-1", now)
    for index in range(count):
        digest = "sha256:" + hashlib.sha256(str(index).encode()).hexdigest()
        repository.images[digest] = Image(digest, None, "application/vnd.docker.distribution.manifest.v2+json", now,
                                          7, tags=[f"v{index}"])
    account.region("us-east-1").ecr.repositories["bench"] = repository
    return store


def cpu_seconds(work) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    text = json.dumps(snapshot.export_state(populated(args.count)))
    rows: dict[str, list[float]] = {"json.loads": [], "import_state": [], "without ranges": [], "export_state": [],
                                    "json.dumps": []}
    checked = snapshot.check_ranges
    for _ in range(args.repeats):
        rows["json.loads"].append(cpu_seconds(lambda: json.loads(text)))
        for row, check in (("import_state", checked), ("without ranges", lambda instance, path: None)):
            snapshot.check_ranges = check
            document, store = json.loads(text), Store(Settings(log_requests=False))
            rows[row].append(cpu_seconds(lambda store=store, document=document:
                                         snapshot.import_state(store, document)))
        rows["export_state"].append(cpu_seconds(lambda store=store: snapshot.export_state(store)))
        exported = snapshot.export_state(store)
        rows["json.dumps"].append(cpu_seconds(lambda exported=exported: json.dumps(exported, separators=(",", ":"))))
    snapshot.check_ranges = checked
    print(f"{args.count} each of users, roles, groups, policies, images; {len(text) / 1e6:.1f} MB of JSON")
    for name, figures in rows.items():
        print(f"{name:14} {statistics.median(figures):7.3f} s  [{min(figures):.3f}-{max(figures):.3f}]")


if __name__ == "__main__":
    main()
