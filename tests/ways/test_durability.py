"""``--state-file`` on a full disk: a change that cannot be saved is answered with the service's own 500 error,
undone before anyone reads it, and leaves no temporary file behind.

The disk fills two ways: through the state file's writer seam (a writer that writes part of the file, then
fails with ``ENOSPC`` as ``write(2)`` does), in both harness modes; and for real, a small tmpfs filled to the
last byte under a server started with the shipped CLI.
"""
from __future__ import annotations

import errno
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.model import snapshot
from mockrunner.model.store import RegionState
from mockrunner.persistence import decode_file
from tests.harness import Harness
from tests.ways.state_server import client, start_server

NO_SPACE = os.strerror(errno.ENOSPC)


class FullDisk:
    """A writer for the state file's seam: ``os.write`` until ``room`` bytes are written, then ``ENOSPC``."""

    def __init__(self, room: int = 0, before_failing: threading.Event | None = None, hold: float = 0.0) -> None:
        self.room, self.before_failing, self.hold = room, before_failing, hold
        self.failures = 0

    def __call__(self, fd: int, data: memoryview) -> int:
        if self.room <= 0:
            self.failures += 1
            if self.before_failing is not None:
                self.before_failing.set()
                time.sleep(self.hold)
            raise OSError(errno.ENOSPC, NO_SPACE)
        written = os.write(fd, bytes(data[: self.room]))
        self.room -= written
        return written


def _state_file(harness: Harness):
    return harness.app.state_file


EMPTY_REGION = snapshot.encode(RegionState())


def _comparable(state: dict) -> dict:
    """The state without IAM's change counters (a cache key that every import moves on, by design) and without
    the empty regions a read creates on the way."""
    for account in state["accounts"].values():
        account["iam"].pop("version", None)
        account["regions"] = {name: region for name, region in account["regions"].items() if region != EMPTY_REGION}
    return state


def _assert_memory_matches_the_file(harness: Harness) -> None:
    """What the running server shows is exactly what a restart would load, and no temporary file is left."""
    state_file = _state_file(harness)
    on_disk = decode_file(open(state_file.path, "rb").read(), state_file.path)["state"]
    assert _comparable(snapshot.export_state(harness.store)["state"]) == _comparable(on_disk)
    kept = [name for name in os.listdir(os.path.dirname(state_file.path)) if name != "state.bin.blobs"]
    assert kept == ["state.bin"], "a temporary file was left behind"  # beside the blob directory (layers, the key)


def _ghost_users(harness: Harness) -> list[str]:
    return [u["UserName"] for u in harness.client("iam").list_users()["Users"] if u["UserName"] == "ghost"]


def _ghost_repositories(harness: Harness) -> list[str]:
    return [r["repositoryName"] for r in harness.client("ecr").describe_repositories()["repositories"]
            if r["repositoryName"] == "ghost"]


def _ghost_scaling(harness: Harness) -> list[str]:
    summaries = harness.client("apprunner").list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]
    return [s["AutoScalingConfigurationName"] for s in summaries if s["AutoScalingConfigurationName"] == "ghost"]


MUTATIONS = {
    "iam": ("ServiceFailure", lambda h: h.client("iam").create_user(UserName="ghost"), _ghost_users),
    "ecr": ("ServerException", lambda h: h.client("ecr").create_repository(repositoryName="ghost"),
            _ghost_repositories),
    "apprunner": ("InternalServiceErrorException", lambda h: h.client("apprunner").create_auto_scaling_configuration(
        AutoScalingConfigurationName="ghost", MaxSize=2), _ghost_scaling),
    "sts": ("InternalFailure", lambda h: h.client("sts").get_session_token(), lambda h: []),
}


@pytest.mark.parametrize("service", sorted(MUTATIONS))
@pytest.mark.parametrize("room", [0, 100], ids=["nothing-written", "half-written"])
def test_a_save_failing_with_enospc_answers_the_services_500_and_undoes_the_change(durable, service, room) -> None:
    code, mutate, ghosts = MUTATIONS[service]
    before = open(_state_file(durable).path, "rb").read()
    _state_file(durable).write = FullDisk(room)
    with pytest.raises(ClientError) as raised:
        mutate(durable)
    error = raised.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert NO_SPACE in error["Error"]["Message"] and "not applied" in error["Error"]["Message"]
    assert _state_file(durable).write.failures >= 1  # botocore retries a 500: each attempt is undone
    assert open(_state_file(durable).path, "rb").read() == before
    _assert_memory_matches_the_file(durable)
    assert ghosts(durable) == [], "a later read saw the change that was not saved"

    _state_file(durable).write = os.write  # space again: the same call succeeds (nothing of it was kept)
    mutate(durable)
    _assert_memory_matches_the_file(durable)
    restarted = create_app(durable.settings)
    assert _comparable(snapshot.export_state(restarted.store)["state"]) == \
        _comparable(snapshot.export_state(durable.store)["state"])


def test_a_concurrent_read_never_sees_a_change_whose_save_is_failing(durable) -> None:
    writing = threading.Event()
    _state_file(durable).write = FullDisk(before_failing=writing, hold=0.3)
    outcome: dict[str, object] = {}

    def create() -> None:
        try:
            durable.client("iam").create_user(UserName="ghost")
        except ClientError as error:
            outcome["code"] = error.response["Error"]["Code"]

    creator = threading.Thread(target=create)
    creator.start()
    assert writing.wait(timeout=30), "the save never started"
    seen = _ghost_users(durable)  # issued while the failing save is in progress
    creator.join(timeout=30)
    assert outcome == {"code": "ServiceFailure"}
    assert seen == [], "a read issued during the save saw a change that was then lost"
    _assert_memory_matches_the_file(durable)


READS = {
    "ValidatePullThroughCacheRule": lambda h: h.client("ecr").validate_pull_through_cache_rule(
        ecrRepositoryPrefix="quay")["isValid"],
    "DescribePullThroughCacheRules": lambda h: len(
        h.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]),
    "GetCallerIdentity": lambda h: h.client("sts").get_caller_identity()["Account"],
}


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_is_answered_on_a_full_disk_and_saves_nothing(durable, name) -> None:
    """A read saves nothing, so a full disk does not fail it; ValidatePullThroughCacheRule is a read whose name
    does not say so (it reports whether the upstream is reachable and keeps nothing)."""
    durable.client("ecr").create_pull_through_cache_rule(ecrRepositoryPrefix="quay", upstreamRegistryUrl="quay.io")
    before = open(_state_file(durable).path, "rb").read()
    _state_file(durable).write = FullDisk(0)
    READS[name](durable)
    assert _state_file(durable).write.failures == 0, f"{name} tried to save the state"
    assert open(_state_file(durable).path, "rb").read() == before



def _elapsed(before: str, after: str) -> float:
    return (datetime.fromisoformat(after) - datetime.fromisoformat(before)).total_seconds()


ADMIN_MUTATIONS = {
    "clock-advance": ("POST", "/clock/advance", {"seconds": 86400}),
    "reset": ("POST", "/reset", None),
    "settle": ("POST", "/settle", None),
    "put-state": ("PUT", "/state", {"format": "mockrunner-state", "version": 1, "state": {"accounts": {}}}),
    "seed": ("POST", "/seed", {"ecr": {"repositories": [{"name": "ghost"}]},
                               "accounts": [{"id": "111122223333", "root_credentials": {
                                   "access_key_id": "GHOSTROOT", "secret_access_key": "ghost"}}]}),
}


@pytest.mark.parametrize("name", sorted(ADMIN_MUTATIONS))
def test_an_admin_mutation_that_cannot_be_saved_is_refused_and_undone(durable, name) -> None:
    method, path, body = ADMIN_MUTATIONS[name]
    durable.client("iam").create_user(UserName="kept")
    clock_before = durable.admin("GET", "/clock")[1]["now"]
    exported = durable.admin("GET", "/state")[1]["state"]
    _state_file(durable).write = FullDisk(50)
    status, answer = durable.admin(method, path, body)
    assert (status, answer["error"]) == (500, "StateNotSaved")
    assert NO_SPACE in answer["message"]
    assert _comparable(durable.admin("GET", "/state")[1]["state"]) == _comparable(exported)
    assert _elapsed(clock_before, durable.admin("GET", "/clock")[1]["now"]) < 3600, "the clock advance was kept"
    assert [u["UserName"] for u in durable.client("iam").list_users()["Users"]] == ["kept"]
    assert durable.store.settings.extra_accounts == (), "the seed's root credentials were kept"
    _assert_memory_matches_the_file(durable)


# --- a real full filesystem -------------------------------------------------------------------------------


def _can_mount() -> bool:
    return os.geteuid() == 0 or bool(os.environ.get("CI"))


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (root, or CI with passwordless sudo; elsewhere this variant is skipped)."""
    if not _can_mount():
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run([*sudo, "umount", "-l", str(mount)], check=False)


def _fill(directory) -> str:
    """Write a filler file until the filesystem is full; returns its path."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        for _ in range(10_000):  # bounded: 1 MiB in 4 KiB steps needs 256
            try:
                os.write(fd, b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
        else:
            raise AssertionError("the tmpfs never filled up")
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def test_a_real_full_disk_under_the_shipped_server(small_disk) -> None:
    state_file = str(small_disk / "state.bin")
    process, endpoint = start_server(state_file)
    try:
        iam = client(endpoint, "iam")
        iam.create_user(UserName="before")
        filler = _fill(small_disk)
        with pytest.raises(ClientError) as raised:
            iam.create_user(UserName="ghost", Path="/" + "p" * 400 + "/")
        error = raised.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ServiceFailure", 500)
        assert NO_SPACE in error["Error"]["Message"]
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["before"]
        clock = requests.get(f"{endpoint}/_mockrunner/clock", timeout=10).json()["now"]
        advanced = requests.post(f"{endpoint}/_mockrunner/clock/advance", json={"seconds": 86400 * 400}, timeout=10)
        assert advanced.status_code == 500 and advanced.json()["error"] == "StateNotSaved"
        assert _elapsed(clock, requests.get(f"{endpoint}/_mockrunner/clock", timeout=10).json()["now"]) < 3600
        assert sorted(os.listdir(small_disk)) == ["filler", "state.bin"], "a half-written temporary file remains"
        os.remove(filler)
        iam.create_user(UserName="after")
    finally:
        process.terminate()
        process.wait(timeout=10)
    restarted, endpoint = start_server(state_file)
    try:
        names = [u["UserName"] for u in client(endpoint, "iam").list_users()["Users"]]
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    assert names == ["after", "before"]


@contextmanager
def _broken_blob_store(harness: Harness) -> Iterator[None]:
    """A file where the blob directory should be while the ``with`` body runs: every write of a blob or an upload
    fails (``ENOTDIR``); the directory is back afterwards."""
    directory = _state_file(harness).path + ".blobs"
    moved = os.path.isdir(directory)
    if moved:
        os.rename(directory, directory + ".moved")
    with open(directory, "w") as handle:
        handle.write("not a directory")
    try:
        yield
    finally:
        os.remove(directory)
        if moved:
            os.rename(directory + ".moved", directory)


def test_a_fault_in_the_middle_of_a_change_undoes_what_the_change_had_done(durable) -> None:
    """InitiateLayerUpload under a CREATE_ON_PUSH template creates the repository, then starts the upload in the
    blob store; when the blob store fails, the 500 must leave no repository behind (not even in memory, where
    the next save would have made it durable without anyone having been told)."""
    ecr = durable.client("ecr")
    ecr.create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    with _broken_blob_store(durable), pytest.raises(ClientError) as raised:
        ecr.initiate_layer_upload(repositoryName="auto/app")
    assert (raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ServerException", 500)
    _assert_memory_matches_the_file(durable)
    ecr.create_repository(repositoryName="later")  # the next save must not carry a half-done change
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["later"]


def test_a_fault_in_the_middle_of_a_registry_push_undoes_what_it_had_done(durable) -> None:
    """The same through the registry API: POST /v2/<name>/blobs/uploads/ creates the repository on push."""
    durable.client("ecr").create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    token = durable.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    headers = {"Authorization": f"Basic {token}"}
    with _broken_blob_store(durable):
        if durable.server is not None:
            status = requests.post(f"{durable.endpoint_url}/v2/auto/app/blobs/uploads/", headers=headers, timeout=30)
            status = status.status_code
        else:
            status = durable.app.test_client().post("/v2/auto/app/blobs/uploads/", headers=headers).status_code
    assert status == 500
    _assert_memory_matches_the_file(durable)
    assert durable.client("ecr").describe_repositories()["repositories"] == []


def test_a_registry_push_that_cannot_be_saved_gets_a_registry_error_naming_the_cause(durable, caplog) -> None:
    """A save that fails under the registry API is an expected refusal, not a bug: the client reads a registry
    JSON error saying the change was not applied and why, and the log has one line, no traceback."""
    durable.client("ecr").create_repository_creation_template(prefix="auto", appliedFor=["CREATE_ON_PUSH"])
    token = durable.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    headers = {"Authorization": f"Basic {token}"}
    _state_file(durable).write = FullDisk()
    with caplog.at_level("INFO", logger="mockrunner.registry"):
        if durable.server is not None:
            answer = requests.post(f"{durable.endpoint_url}/v2/auto/app/blobs/uploads/", headers=headers, timeout=30)
            status, body = answer.status_code, answer.json()
        else:
            answer = durable.app.test_client().post("/v2/auto/app/blobs/uploads/", headers=headers)
            status, body = answer.status_code, answer.get_json()
    _state_file(durable).write = os.write
    assert status == 500
    [error] = body["errors"]
    assert error["code"] == "UNKNOWN"
    assert error["message"].startswith("The change was not applied: state file ")
    assert NO_SPACE in error["message"]
    records = [record for record in caplog.records if record.name == "mockrunner.registry"]
    assert [record.exc_info for record in records] == [None], "one log line, without a traceback"
    assert durable.client("ecr").describe_repositories()["repositories"] == []
    with open(_state_file(durable).path, "rb") as handle:
        on_disk = decode_file(handle.read(), _state_file(durable).path)["state"]
    assert _comparable(snapshot.export_state(durable.store)["state"]) == _comparable(on_disk)
