"""Two mockrunners saving into one state file at the same moment: they take turns (an advisory lock on the state file
from the check that the file is still theirs to the rename; a first save links its file into place), so the second
sees the first's file and refuses its own change.  Without the turns both passed the check and the later rename
dropped a change the earlier save had acknowledged.
(docs/behaviour.md, "Two mockrunners saving one state file at once")

One server's save is held in the middle of its write (the state file's writer seam) until the other has answered, or
for a second at most: with turns the other waits for the first's rename and is refused; without them it was
acknowledged, then lost.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mockrunner import persistence
from mockrunner.model.store import Store
from mockrunner.persistence import StateFile, StateNotSavedError
from tests.harness import MODES, Harness, saving_harness, user_names

HELD_AT_MOST = 1.0
ONE_TRY = Config(retries={"total_max_attempts": 1})
"""A save refused is answered 500, which botocore would otherwise try again."""


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@contextmanager
def _two_servers(mode: str, path: str) -> Iterator[tuple[Harness, Harness]]:
    """Two servers started on one state file (as two processes would be)."""
    first = saving_harness(mode, path)
    second = saving_harness(mode, path)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def _create_user(harness: Harness, name: str, outcomes: dict[str, str]) -> None:
    try:
        harness.client("iam", config=ONE_TRY).create_user(UserName=name)
        outcomes[name] = "acknowledged"
    except ClientError as error:
        outcomes[name] = error.response["Error"]["Message"]


def _save_held_while(writing: Harness, meanwhile: Callable[[dict[str, str]], None]) -> dict[str, str]:
    """``writing`` creates the user ``held``, its save held in the middle of its write until ``meanwhile(outcomes)``
    has returned (or for :data:`HELD_AT_MOST`): what each creation was answered, by user name."""
    writing_started, meanwhile_done = threading.Event(), threading.Event()

    def held_write(fd: int, data: memoryview) -> int:
        writing_started.set()
        meanwhile_done.wait(HELD_AT_MOST)
        return os.write(fd, data)

    writing.app.state_file.write = held_write
    outcomes: dict[str, str] = {}
    saving = threading.Thread(target=_create_user, args=(writing, "held", outcomes))
    saving.start()
    try:
        assert writing_started.wait(30)
        meanwhile(outcomes)
    finally:
        meanwhile_done.set()
        saving.join(30)
    return outcomes


def _save_while_another_writes(writing: Harness, other: Harness) -> dict[str, str]:
    """``other`` creates the user ``meanwhile`` while ``writing``'s save of the user ``held`` is held."""
    return _save_held_while(writing, lambda outcomes: _create_user(other, "meanwhile", outcomes))


def _saved_users(path: str) -> list[str]:
    restarted = saving_harness("inprocess", path)
    try:
        return user_names(restarted)
    finally:
        restarted.close()


def test_a_save_meeting_another_process_save_is_refused_not_lost(mode: str, tmp_path) -> None:
    path = str(tmp_path / "state.bin")
    earlier = saving_harness("inprocess", path)
    earlier.client("iam").create_user(UserName="earlier")
    earlier.close()
    with _two_servers(mode, path) as (first, second):
        outcomes = _save_while_another_writes(first, second)
    assert outcomes["held"] == "acknowledged"
    assert outcomes["meanwhile"].startswith(f"The change was not applied: state file {path}"), outcomes
    assert "changed by another process" in outcomes["meanwhile"]
    assert _saved_users(path) == ["earlier", "held"]


def test_two_first_saves_at_once_cannot_both_be_acknowledged(tmp_path) -> None:
    """Two processes starting on a path with no file yet each save their first state (seeded, say) at start, and
    there is no file to lock: a first save links its file into place, so the later of the two finds one there and
    is refused (the second process does not start) instead of replacing the file the first has just reported saved."""
    path = str(tmp_path / "state.bin")
    writing_started, other_saved = threading.Event(), threading.Event()

    def held_write(fd: int, data: memoryview) -> int:
        writing_started.set()
        other_saved.wait(HELD_AT_MOST)
        return os.write(fd, data)

    held, other = Store(), Store()
    outcomes: dict[str, str] = {}

    def save(state_file: StateFile, name: str) -> None:
        try:
            state_file.save()
            outcomes[name] = "saved"
        except StateNotSavedError as error:
            outcomes[name] = str(error)

    saving = threading.Thread(target=save, args=(StateFile(held, path, write=held_write), "held"))
    saving.start()
    try:
        assert writing_started.wait(30)
        save(StateFile(other, path), "other")
    finally:
        other_saved.set()
        saving.join(30)
    assert outcomes["other"] == "saved"
    assert outcomes["held"].startswith(f"state file {path} could not be written: another process made it since "
                                       "this save began"), outcomes
    assert sorted(os.listdir(tmp_path)) == ["state.bin"]  # the held save's temporary file is gone


def test_a_save_waits_a_bounded_time_for_its_turn(tmp_path, monkeypatch) -> None:
    """A process keeping the state file locked past the wait fails the save with a reason, the change undone; once
    it lets go, saves go on."""
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(persistence, "TURN_WAIT", 0.2)
    path = str(tmp_path / "state.bin")
    harness = saving_harness("inprocess", path)
    outcomes: dict[str, str] = {}
    _create_user(harness, "before", outcomes)
    holder = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        _create_user(harness, "kept-out", outcomes)
        assert outcomes["kept-out"].startswith(f"The change was not applied: state file {path}"), outcomes
        assert "locked for its own save for over 0.2 seconds" in outcomes["kept-out"], outcomes
        assert user_names(harness) == ["before"]
        fcntl.flock(holder, fcntl.LOCK_UN)
        _create_user(harness, "let-in", outcomes)
        assert outcomes["let-in"] == "acknowledged"
    finally:
        os.close(holder)
        harness.close()


def test_a_server_starting_on_the_file_leaves_another_servers_save_in_progress_alone(mode: str, tmp_path) -> None:
    """A start removes the temporary files a ``kill -9`` left, but not one of a process that runs: the second
    server's start removed the first's half-written temporary file, and the first's save failed (500) at its
    rename."""
    path = str(tmp_path / "state.bin")
    first = saving_harness(mode, path)
    try:
        outcomes = _save_held_while(first, lambda _: saving_harness(mode, path).close())
    finally:
        first.close()
    assert outcomes["held"] == "acknowledged"
    assert _saved_users(path) == ["held"]


def test_a_start_removes_the_temporary_files_of_processes_that_ended(tmp_path) -> None:
    path = tmp_path / "state.bin"
    saving_harness("inprocess", str(path)).close()
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True, timeout=60)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (ended.stdout.strip(), str(running.pid), "0", "99999999999", "x"):
            (tmp_path / f"state.bin.tmp-{pid}-1").write_bytes(b"half")
        saving_harness("inprocess", str(path)).close()
        assert sorted(os.listdir(tmp_path)) == ["state.bin", f"state.bin.tmp-{running.pid}-1"]
    finally:
        running.kill()
        running.wait(30)
