"""The state file: atomic writes, header/checksum, corrupt files refused loudly, seeds vs. reload."""
from __future__ import annotations

import json

import pytest

from mockrunner import mutations
from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.mutations import is_mutation
from mockrunner.persistence import CorruptStateError

SEED = {"ecr": {"repositories": [{"name": "web", "images": [{"tags": ["v1"]}]}]}}


def _app(tmp_path, **settings):
    return create_app(Settings(log_requests=False, state_file=str(tmp_path / "state.bin"), **settings))


def _repos(app):
    return app.store.accounts["123456789012"].region("us-east-1").ecr.repositories


def test_admin_mutations_persist_and_reload(tmp_path) -> None:
    app = _app(tmp_path)
    client = app.test_client()
    assert client.post("/_mockrunner/seed", json=SEED).status_code == 200
    assert "web" in _repos(_app(tmp_path))
    assert client.post("/_mockrunner/reset").status_code == 200
    assert _repos(_app(tmp_path)) == {}


def test_seed_files_are_applied_once_then_the_state_file_wins(tmp_path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    first = _app(tmp_path, seed_files=(str(seed),))
    assert set(_repos(first)) == {"web"}
    first.test_client().post("/_mockrunner/seed", json={"ecr": {"repositories": [{"name": "api"}]}})
    again = _app(tmp_path, seed_files=(str(seed),))  # would fail with RepositoryAlreadyExists if re-applied
    assert set(_repos(again)) == {"web", "api"}


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "truncated or half-written"),
    (lambda data: data.replace(b'"web"', b'"wex"'), "checksum mismatch"),
    (lambda data: b"{}" + data, "no valid mockrunner header"),
    (lambda data: b"", "no valid mockrunner header"),
])
def test_corrupt_state_file_is_refused(tmp_path, damage, message) -> None:
    app = _app(tmp_path)
    app.test_client().post("/_mockrunner/seed", json=SEED)
    path = tmp_path / "state.bin"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CorruptStateError, match=message):
        _app(tmp_path)
    assert path.exists(), "a corrupt file is never replaced or dropped"


def test_no_temporary_files_are_left_behind(tmp_path) -> None:
    app = _app(tmp_path)
    for name in ("a", "b", "c"):
        app.test_client().post("/_mockrunner/seed", json={"ecr": {"repositories": [{"name": name}]}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.bin"]


@pytest.mark.parametrize("service, operation, mutation", [
    ("apprunner", "CreateService", True), ("apprunner", "DescribeService", False),
    ("apprunner", "ListServices", False), ("iam", "GetRole", False), ("iam", "PutRolePolicy", True),
    ("sts", "AssumeRole", True), ("sts", "GetSessionToken", True), ("sts", "GetCallerIdentity", False),
    ("ecr", "BatchGetImage", False), ("ecr", "PutImage", True), (None, None, False),
])
def test_which_operations_count_as_mutations(service, operation, mutation) -> None:
    assert is_mutation(service, operation) is mutation


def test_the_mutation_memo_is_bounded_and_answers_past_its_bound() -> None:
    """``is_mutation`` keeps its answers per (service, operation), at most ``MEMO_LIMIT`` of them whatever names it
    is asked about; past the bound it still answers, each time, as when first asked (the table above, again)."""
    saved = dict(mutations._MEMO)
    try:
        mutations._MEMO.clear()
        for number in range(mutations.MEMO_LIMIT + 100):
            assert is_mutation("ecr", f"Put{number}") is True
            assert is_mutation("ecr", f"Describe{number}") is False
        assert len(mutations._MEMO) == mutations.MEMO_LIMIT
        for _ in range(2):  # once from the memo or past it, then again: the same answers
            assert is_mutation("sts", "GetSessionToken") is True
            assert is_mutation("ecr", "ValidatePullThroughCacheRule") is False
            assert is_mutation("ecr", "Put1") is True
            assert is_mutation("ecr", f"Put{mutations.MEMO_LIMIT + 99}") is True
            assert is_mutation("ecr", f"Describe{mutations.MEMO_LIMIT + 99}") is False
        assert len(mutations._MEMO) == mutations.MEMO_LIMIT
    finally:
        mutations._MEMO.clear()
        mutations._MEMO.update(saved)
