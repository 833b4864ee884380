"""AWS managed policies: the same read-only documents in every account, loaded once from package data.

The documents are copies of the live policies (MAMIP snapshots, see each file's ``Source``); their ARNs use the
``aws`` account (``arn:aws:iam::aws:policy/<path><name>``).  MAMIP snapshots carry no ``PolicyId``; the real ids
come from ``aws iam get-policy`` metadata published by tenchi-security/camp (``policies/<name>/metadata.json``), see
each file's ``PolicyIdSource``.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources

from mockrunner.model.iam import ManagedPolicy, PolicyVersion


@cache
def aws_managed_policies() -> dict[str, ManagedPolicy]:
    """ARN -> policy, for every file in ``mockrunner/data/managed_policies``."""
    folder = resources.files("mockrunner") / "data" / "managed_policies"
    policies = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        created = datetime.fromisoformat(data["CreateDate"])
        updated = datetime.fromisoformat(data["UpdateDate"])
        version = PolicyVersion(data["DefaultVersionId"], json.dumps(data["Document"], indent=4), updated)
        policies[data["Arn"]] = ManagedPolicy(
            name=data["PolicyName"], policy_id=data["PolicyId"], path=data["Path"], arn=data["Arn"],
            create_date=created, update_date=updated, default_version_id=data["DefaultVersionId"],
            versions=[version], description=data.get("Description", ""),
        )
    return policies


def is_aws_managed(arn: str) -> bool:
    return arn.startswith("arn:aws:iam::aws:policy/")
