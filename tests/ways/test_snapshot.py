"""Whole-state export/import: every kind of model value survives, bad documents change nothing."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mockrunner.config import Settings
from mockrunner.model import snapshot
from mockrunner.model.ecr import Image, Repository
from mockrunner.model.store import Store

DIGEST = "sha256:" + "a" * 64


def _store_with_repository() -> Store:
    store = Store(Settings(log_requests=False))
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    repo = Repository("app", "123456789012", "eu-west-1", when, tags={"$odd": "key", "team": "a"})
    repo.images[DIGEST] = Image(DIGEST, None, "application/vnd.oci.image.manifest.v1+json", when, 12, ["latest"])
    store.accounts["123456789012"].region("eu-west-1").ecr.repositories["app"] = repo
    return store


def test_round_trip_through_json_keeps_types_and_values() -> None:
    store = _store_with_repository()
    store.clock.advance(3600)
    document = json.loads(json.dumps(snapshot.export_state(store)))
    copy = Store(Settings(log_requests=False))
    snapshot.import_state(copy, document)
    repo = copy.accounts["123456789012"].region("eu-west-1").ecr.repositories["app"]
    original = store.accounts["123456789012"].region("eu-west-1").ecr.repositories["app"]
    assert repo == original
    assert repo.created_at.tzinfo is not None and repo.images[DIGEST].tags == ["latest"]
    assert repo.tags == {"$odd": "key", "team": "a"}
    assert abs((copy.clock.now() - store.clock.now()).total_seconds()) < 5


def test_values_of_every_supported_kind_round_trip() -> None:
    value = {"b": b"\x00\xff", "t": (1, "x"), "n": None, 3: "int key", "f": 1.5, "nested": [{"$x": 1}]}
    assert snapshot.decode(json.loads(json.dumps(snapshot.encode(value)))) == value


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(format="other"), "$.format"),
    (lambda d: d.update(version=99), "$.version"),
    (lambda d: d["state"].update(accounts=[]), "$.state.accounts"),
    (lambda d: d["state"]["accounts"]["123456789012"].update({"$type": "os:system"}), "only mockrunner classes"),
    (lambda d: d["state"]["accounts"]["123456789012"].update(bogus=1), "no field 'bogus'"),
    (lambda d: d["state"]["accounts"]["123456789012"].pop("id"), "required field"),
    (lambda d: d["state"]["accounts"]["123456789012"].update(id="999999999999"), "does not match its key"),
    (lambda d: d.update(clock_offset_seconds=-1), "clock_offset_seconds"),
])
def test_invalid_documents_are_rejected_and_change_nothing(mutate, message) -> None:
    store = _store_with_repository()
    document = snapshot.export_state(store)
    mutate(document)
    target = Store(Settings(log_requests=False))
    target.accounts["123456789012"].region("us-west-2")
    before = snapshot.export_state(target)["state"]
    with pytest.raises(snapshot.SnapshotError, match=message.replace("$", r"\$")):
        snapshot.import_state(target, document)
    assert snapshot.export_state(target)["state"] == before


def _repo(document: dict) -> dict:
    return document["state"]["accounts"]["123456789012"]["regions"]["eu-west-1"]["ecr"]["repositories"]["app"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: _repo(d).update(name=5), r"repositories\.app\.name: expected str, got int 5"),
    (lambda d: _repo(d).update(scan_on_push="yes"), r"\.scan_on_push: expected bool, got str"),
    (lambda d: _repo(d).update(timed=[1]), r"\.timed\[0\]: expected str, got int 1"),
    (lambda d: _repo(d).update(timed=DIGEST), r"\.timed: expected list\[str\], got str"),
    (lambda d: _repo(d).update(created_at="2024-05-06"), r"\.created_at: expected datetime, got str"),
    (lambda d: _repo(d)["images"][DIGEST].update(size=True), r"\.size: expected int, got bool"),
    (lambda d: _repo(d)["images"][DIGEST].update(tags="latest"), r"\.tags: expected list\[str\], got str"),
    (lambda d: _repo(d)["images"][DIGEST]["tags"].__setitem__(0, 1), r"\.tags\[0\]: expected str, got int"),
    (lambda d: _repo(d)["images"].update({"sha256:bb": {"$type": "mockrunner.model.ecr:Layer", "digest": "x",
                                                          "size": 1,
                                                          "added_at": {"$datetime": "2024-01-01T00:00:00+00:00"}}}),
     r"images\.sha256:bb: expected Image, got Layer"),
])
def test_values_of_the_wrong_kind_are_rejected_with_their_path(mutate, message) -> None:
    """Each field is checked against its declared type, elements included, so that no later call can meet a
    value of another kind (a number where a list of digests goes) and fail with an internal error."""
    document = json.loads(json.dumps(snapshot.export_state(_store_with_repository())))
    mutate(document)
    target = Store(Settings(log_requests=False))
    before = snapshot.export_state(target)["state"]
    with pytest.raises(snapshot.SnapshotError, match=message):
        snapshot.import_state(target, document)
    assert snapshot.export_state(target)["state"] == before


def test_unexportable_values_are_reported_with_their_path() -> None:
    store = Store(Settings(log_requests=False))
    store.accounts["123456789012"].region("us-east-1").ecr.repositories["x"] = object()
    with pytest.raises(snapshot.SnapshotError, match=r"accounts\.123456789012\.regions\.us-east-1\.ecr"):
        snapshot.export_state(store)
