"""AWS managed policies: the same read-only documents in every account, loaded once from package data.

The documents are copies of the live policies (MAMIP snapshots, see each file's ``Source``); their ARNs use the
``aws`` account (``arn:aws:iam::aws:policy/<path><name>``).  MAMIP snapshots carry no ``PolicyId``; the real ids
come from ``aws iam get-policy`` metadata published by tenchi-security/camp (``policies/<name>/metadata.json``), see
each file's ``PolicyIdSource``.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime
from importlib import resources

from mockrunner.model.iam import ManagedPolicy, PolicyVersion

_LOCK = threading.Lock()
_LOADED: dict[str, ManagedPolicy] | None = None


def aws_managed_policies() -> dict[str, ManagedPolicy]:
    """ARN -> policy, for every file in ``mockrunner/data/managed_policies``; loaded once per process.

    Every caller, in every thread, gets the same dict of the same policy objects (double-checked lock: threads
    asking while the first load runs wait for it instead of loading their own copies).
    """
    global _LOADED
    policies = _LOADED
    if policies is None:
        with _LOCK:
            if _LOADED is None:
                _LOADED = _load()
            policies = _LOADED
    return policies


def _load() -> dict[str, ManagedPolicy]:
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
