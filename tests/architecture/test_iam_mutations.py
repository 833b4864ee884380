"""The IAM state keeps its own invariant: every change goes through its methods, which advance its version.

The authorizer caches compiled policy sets and resolved callers per ``IamState.version``; a change made behind
the state's back would leave a stale authorization in place.  These tests pin both halves: the methods advance
the version, and no service module writes into the state's collections directly.
"""
from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import mockrunner
from mockrunner.model.iam import HOMES, Group, IamState, User

SERVICES_ROOT = Path(mockrunner.__file__).parent / "services"
COLLECTIONS = {collection for collection, _ in HOMES.values()}
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _user(name: str) -> User:
    return User(name, "AIDAEXAMPLE", "/", f"arn:aws:iam::123456789012:user/{name}", NOW)


def test_every_mutation_method_advances_the_version():
    iam = IamState()
    seen = [iam.version]
    user = iam.add(_user("a"))
    seen.append(iam.version)
    iam.update(user, tags={"k": "v"})
    seen.append(iam.version)
    iam.rename(user, name="b", arn="arn:aws:iam::123456789012:user/b")
    seen.append(iam.version)
    assert set(iam.users) == {"b"}
    iam.remove(user)
    seen.append(iam.version)
    assert seen == sorted(set(seen)), "each change gets a new, larger version"


def test_update_refuses_unknown_fields_and_unstored_types():
    iam = IamState()
    user = iam.add(_user("a"))
    with pytest.raises(TypeError):
        iam.update(user, nickname="x")
    with pytest.raises(KeyError):
        iam.add(object())
    group = iam.add(Group("g", "AGPAEXAMPLE", "/", "arn:aws:iam::123456789012:group/g", NOW))
    assert iam.groups == {"g": group}


def _direct_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute) \
                    and target.value.attr in COLLECTIONS:
                found.append(f"{path.name}:{node.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {
                "pop", "append", "remove", "clear", "update", "setdefault"} \
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in COLLECTIONS:
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_service_writes_into_the_iam_state_collections():
    writes = [write for path in sorted(SERVICES_ROOT.rglob("*.py")) for write in _direct_writes(path)]
    assert writes == []
