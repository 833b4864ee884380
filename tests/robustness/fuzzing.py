"""Run the generated cases of a set of operations against a populated world and collect every problem.

For each operation the pristine world is restored first, then every case is signed and sent in-process, as the
root user or as the IAM user ``alice`` (alternately, so both the root bypass and the policy engine see the
hostile input).  A reply must be a proper AWS answer (:func:`wire.problems_with`), and a request that failed
must leave the state exactly as it found it; after a success the world is restored again, so every case starts
from the populated state.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from botocore.credentials import Credentials

from mockrunner.model import snapshot
from mockrunner.model.store import RegionState
from mockrunner.services import registry
from tests.robustness import generate, wire
from tests.robustness.world import World


@dataclass
class Report:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


_EMPTY_REGION = snapshot.encode(RegionState())


def _state(world: World) -> dict:
    """The exported state, without regions that hold nothing but what AWS provides.

    ``Account.region(name)`` materializes a ``RegionState`` the first time a region is looked at, even by a
    request that then fails, and App Runner seeds it with the AWS-provided ``DefaultConfiguration``s; no API
    answer differs between such a region and an absent one, so that is not a state change.
    """
    state = snapshot.export_state(world.store)["state"]
    for account in state["accounts"].values():
        regions = account.get("regions", {})
        for name in [name for name, region in regions.items() if _untouched(region)]:
            del regions[name]
    return state


def _untouched(region: dict) -> bool:
    apprunner = dict(region["apprunner"], seeded=False)
    for kind in ("auto_scaling_configurations", "observability_configurations"):
        apprunner[kind] = {arn: item for arn, item in apprunner[kind].items()
                           if item.get("name") != "DefaultConfiguration"}
    return dict(region, apprunner=apprunner) == _EMPTY_REGION


def _differences(before: dict, after: dict, path: str = "$", limit: int = 3) -> list[str]:
    """Where two exported states differ (the first few paths), for a readable failure message."""
    if type(before) is not type(after):
        return [f"{path}: {str(before)[:80]} -> {str(after)[:80]}"]
    if isinstance(before, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in before or key not in after:
                found.append(f"{path}.{key}: {'added' if key in after else 'removed'}")
            elif before[key] != after[key]:
                found += _differences(before[key], after[key], f"{path}.{key}", limit)
            if len(found) >= limit:
                break
        return found[:limit]
    if isinstance(before, list):
        if len(before) != len(after):
            return [f"{path}: {len(before)} items -> {len(after)}"]
        for index, (a, b) in enumerate(zip(before, after, strict=True)):
            if a != b:
                return _differences(a, b, f"{path}[{index}]", limit)
        return []
    return [f"{path}: {str(before)[:80]} -> {str(after)[:80]}"]


def fuzz_operations(world: World, service: str, names: list[str], per_operation: int) -> Report:
    report = Report()
    service_model = wire.model(service)
    keys = alice_keys(world)
    alice = Credentials(*keys) if keys else wire.ROOT
    for name in names:
        operation = service_model.operation_model(name)
        implemented = registry.lookup(service, name) is not None
        count = per_operation if implemented else max(4, per_operation // 5)
        world.restore()
        baseline = _state(world)  # restoring bumps the IAM cache version, so take the baseline afterwards
        for index, (description, body) in enumerate(generate.cases(operation, world.vocabulary, count)):
            credentials = alice if index % 3 == 2 else wire.ROOT  # a third of the cases go through the engine
            reply = wire.send(world.harness.app, operation, body, credentials)
            report.requests += 1
            report.statuses[reply.status] += 1
            where = f"{service}.{name} [{description}] as {'root' if credentials is wire.ROOT else 'alice'}"
            report.problems += [f"{where}: {problem}" for problem in
                                wire.problems_with(reply, implemented, service_model.protocol)]
            if reply.status >= 300:
                after = _state(world)
                if after != baseline:
                    diff = "; ".join(_differences(baseline, after))
                    report.problems.append(f"{where}: failed with {reply.code} but changed the state: {diff}")
                    world.restore()
                    baseline = _state(world)
            else:
                world.restore()
                baseline = _state(world)
    return report


def alice_keys(world: World) -> tuple[str, str] | None:
    for account in world.store.accounts.values():
        for key_id, key in account.iam.access_keys.items():
            if getattr(key, "user_name", None) == "alice":
                return key_id, key.secret_access_key
    return None
