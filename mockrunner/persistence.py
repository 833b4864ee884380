"""``--state-file``: every acknowledged mutation is on disk before the client hears about it, and a mutation
that cannot be saved is undone before anyone else sees it.

A mutation and its save happen in one hold of the store lock (:meth:`StateFile.committing`): the whole state
is written to a temporary file in the same directory, fsynced, renamed over the state file and the directory
fsynced, so at any instant the file is either the previous complete state or the new complete state and a
``kill -9`` loses nothing that was acknowledged.  When any step up to the rename fails (a full disk, an I/O error,
a state that cannot be encoded) the temporary file is removed, the store is put back to the state the file holds
(kept in memory from the last load or save) and :class:`StateNotSavedError` is raised for the caller to answer with
an error: no later read sees the change, and a restart shows the same state as the running server.  A fault in the
middle of a change (a bug, a failing blob directory: anything but the refusal the caller expects) puts the store
back the same way (:meth:`StateFile.undoing_faults`), so no half-done change is shown or saved later.

The file starts with a header line giving the body's length and SHA-256, so a file that is truncated,
half-written by something else or edited by hand is *detected* at start and reported
(:class:`CorruptStateError`), never silently replaced by an empty state.

The file is mockrunner's alone while it runs: a save first checks that the file is still the one this process last
loaded or wrote (the same inode, size, modification and status change times, or failing that the same bytes),
and refuses (:class:`StateNotSavedError`) when another process saved over it (a second mockrunner given the same
file) or it was edited by hand: writing the whole state over it would silently drop every change acknowledged by the
other writer.  A state path that is a symbolic link is written through the link (its target is replaced, the link is
kept), so the file the link names is the one that holds the state; a link swapped or removed while the server runs
refuses the save the same way.  Two processes saving at the same moment take turns, as SQLite's writers do: a save
holds an advisory lock (``flock``) on the state file from that check to the rename, taken again on the new file when
another process's rename got in first, so the second save sees the first's file and refuses; a first save, with no
file yet, links its file into place (which fails when another process made one meanwhile: refused the same way)
instead of renaming over whatever is there.  Before, both passed the check and the later rename dropped a change the
earlier save had acknowledged.  Once the rename is done the save is: a directory that cannot be synced then is
logged, not a failed save (the file holds the change).

The whole state is rewritten each time: simple, and fast enough for the state sizes of a local mock.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import TYPE_CHECKING, NamedTuple

from mockrunner import json_nesting
from mockrunner.durable import NEW_FILE, fsync_directory
from mockrunner.model import snapshot
from mockrunner.model.blobs import UnsafeDirectory

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the check before the rename still refuses a file written meanwhile
    fcntl = None

if TYPE_CHECKING:
    from mockrunner.model.store import Store

log = logging.getLogger("mockrunner.persistence")
MAGIC = "mockrunner-state"
_HEADER = re.compile(rb"^mockrunner-state v(\d+) length=(\d+) sha256=([0-9a-f]{64})\n")
_TEMPORARY_MODE = 0o666  # less the umask, as ``open(path, "w")`` would create it
TURN_WAIT = 10.0
"""Seconds a save waits for another process's save (a whole state's write and fsync) before it fails."""

Writer = Callable[[int, bytes], int]
"""Writes some of the bytes to a file descriptor and returns how many, like :func:`os.write`."""


class StateFileError(RuntimeError):
    """The state file cannot be used; the message is one line naming the file and the reason."""


class CorruptStateError(StateFileError):
    """The state file exists but cannot be trusted; mockrunner refuses to start rather than lose it."""


class StateNotSavedError(StateFileError):
    """A save failed: nothing was renamed over the state file and the store holds the file's state again."""


CHANGE_NOT_APPLIED: tuple[type[Exception], ...] = (StateNotSavedError, UnsafeDirectory)
"""Failures a change is undone for and answered as "The change was not applied: <the error>." (a 500 in the
service's shape, or the registry's ``UNKNOWN``): its save failed, or the blob directory it would write in is not
this process's own."""


class StaleStateFileError(OSError):
    """The state file is no longer the one this process loaded or wrote (a save refuses it: a failed save)."""


class _Identity(NamedTuple):
    """Which file a path names, and as which write: device, inode, size, modification time and status change time
    (which no one can set back as ``os.utime`` sets the modification time: a writer in place that kept the size and
    put the modification time back went unnoticed)."""

    device: int
    inode: int
    size: int
    modified: int
    changed: int

    @classmethod
    def of(cls, status: os.stat_result) -> "_Identity":
        return cls(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def encode_file(body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{MAGIC} v{snapshot.VERSION} length={len(body)} sha256={digest}\n".encode("ascii") + body


def decode_file(data: bytes, path: str) -> dict:
    """Check header, length and checksum; return the JSON document or raise :class:`CorruptStateError`."""
    match = _HEADER.match(data)
    if match is None:
        raise CorruptStateError(f"state file {path} has no valid mockrunner header: it is not a state file "
                                "or its beginning is damaged")
    length, digest = int(match.group(2)), match.group(3).decode("ascii")
    body = data[match.end():]
    if len(body) != length:
        raise CorruptStateError(f"state file {path} is truncated or half-written: header announces {length} "
                                f"bytes, file holds {len(body)}")
    if hashlib.sha256(body).hexdigest() != digest:
        raise CorruptStateError(f"state file {path} is corrupt: checksum mismatch")
    try:
        return json_nesting.loads(body)
    except ValueError as error:
        raise CorruptStateError(f"state file {path} holds invalid JSON: {error}") from None
    except RecursionError:
        raise CorruptStateError(f"state file {path} holds JSON nested too deeply to be a state") from None


class StateFile:
    """The state file of one store.

    ``write`` is the seam through which every byte of a save reaches the disk (:func:`os.write` unless
    another writer is given, e.g. one failing with ``ENOSPC`` to exercise a full disk).
    """

    def __init__(self, store: "Store", path: str, write: Writer = os.write) -> None:
        self.store = store
        self.path = os.path.abspath(path)
        self.target = os.path.realpath(self.path)
        """The file saves replace: the path itself, or the file its symbolic link names (replacing the link by a
        regular file left the file it named behind with the state of the first load, for ever)."""
        self.write = write
        self._write_lock = threading.Lock()
        self._durable: bytes | None = None
        """The JSON body the file holds (from the last load or save): what a failed save restores."""
        self._written: _Identity | None = None
        """What the file was when this process last loaded or wrote it (None: there was no file)."""

    def load(self) -> bool:
        """Load the file into the store if it exists (``True``); raise :class:`StateFileError` if it is bad, is
        not a regular file (a FIFO, a device) or its directory does not exist (a save could never succeed there)."""
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            raise StateFileError(f"state file {self.path} cannot be used: directory {directory} does not exist")
        try:
            kind = os.stat(self.path).st_mode
        except FileNotFoundError:
            return False
        except OSError as error:
            raise CorruptStateError(f"state file {self.path} cannot be read: {error.strerror or error}") from None
        if not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
            # a FIFO blocked the start for ever (open waits for a writer), /dev/zero was read until memory ran out,
            # and a save would have renamed a file over the device
            raise StateFileError(f"state file {self.path} cannot be used: it is not a regular file")
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
                read = _Identity.of(os.fstat(handle.fileno()))
        except FileNotFoundError:
            return False
        except OSError as error:
            raise CorruptStateError(f"state file {self.path} cannot be read: {error.strerror or error}") from None
        document = decode_file(data, self.path)
        self._remove_stale_temporaries()
        try:
            snapshot.import_state(self.store, document)
        except snapshot.SnapshotError as error:
            raise CorruptStateError(f"state file {self.path} does not hold a valid state: {error}") from None
        except RecursionError:
            raise CorruptStateError(f"state file {self.path} holds JSON nested too deeply to be a state") from None
        self._durable = data[_HEADER.match(data).end():]
        self._written = read
        return True

    def _remove_stale_temporaries(self) -> None:
        """A ``kill -9`` between writing a temporary file and renaming it leaves one behind: the state file
        itself is intact (that is the point of the rename), so the leftover is only litter.  A temporary file of a
        process that still runs (its name holds the process id) is another mockrunner's save in progress and is
        left alone: removing it failed that save."""
        directory, name = os.path.split(self.target)
        for entry in os.listdir(directory):
            if entry.startswith(f"{name}.tmp-") and not _process_runs(entry[len(name) + 5:].partition("-")[0]):
                try:
                    os.remove(os.path.join(directory, entry))
                except OSError:
                    continue

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Hold the store lock across a mutation (the ``with`` body) and its save.

        If the body raises, nothing is saved (the body changed nothing: mutations validate first).  If the
        save fails, the store and the settings the body may have changed (a seed's extra accounts) are put
        back and :class:`StateNotSavedError` propagates.
        """
        with self.store.lock:
            settings_before = dict(vars(self.store.settings))
            yield
            try:
                self.save()
            except StateNotSavedError:
                vars(self.store.settings).update(settings_before)
                self._restore()  # again: the settings decide which accounts exist (configured ones, empty)
                raise

    @contextmanager
    def undoing_faults(self, refusals: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Around a change made in one hold of the store lock: when the body raises anything but one of
        ``refusals`` (which a change raises before changing anything), the store is put back to the state the
        file holds before the exception propagates."""
        try:
            yield
        except refusals:
            raise
        except BaseException:
            with self.store.lock:
                self._restore()
            raise

    def save(self) -> None:
        """Write the current state atomically and durably (temp file + fsync + rename + directory fsync).

        First the file must still be the one this process last loaded or wrote (:meth:`_check_unchanged`).  On a
        failure up to the rename (that check included) the temporary file is gone, the store holds the file's
        state again and :class:`StateNotSavedError` says why; a directory fsync failing after it is only logged.
        """
        with self.store.lock:
            try:
                body = json.dumps(snapshot.export_state(self.store), separators=(",", ":")).encode("utf-8")
                with self._write_lock, _turn_to_save(self.target) as absent:
                    self._check_unchanged()
                    self._written = self._replace_file(encode_file(body), first=absent)
            except (OSError, ValueError, RecursionError) as error:
                self._restore()
                reason = getattr(error, "strerror", None) or str(error)
                raise StateNotSavedError(f"state file {self.path} could not be written: {reason}") from None
            self._durable = body
            self.store.blobs.purge()  # blobs the saved state no longer holds

    def _check_unchanged(self) -> None:
        """Raise :class:`StaleStateFileError` when the file is there but is no longer what this process last loaded
        or wrote (a file removed meanwhile is written again: nothing anyone was told is lost), or when the path no
        longer leads to the file saves replace (its symbolic link swapped or removed: saving on would write a file
        nothing loads again)."""
        if os.path.realpath(self.path) != self.target:
            raise StaleStateFileError(
                f"it no longer leads to {self.target}, the file this mockrunner saves into (its symbolic link was "
                "changed or removed); restart mockrunner to use the file it names now")
        try:
            now = _Identity.of(os.stat(self.target))
        except FileNotFoundError:
            return
        if now == self._written or self._holds_what_was_written(now.size):
            return
        raise StaleStateFileError(
            "it was changed by another process since this mockrunner loaded or saved it (a second mockrunner "
            "using the same file, or an edit), and saving over it would lose that process's changes; restart "
            "mockrunner to load it")

    def _holds_what_was_written(self, size: int) -> bool:
        """Whether the file, of ``size`` bytes, holds exactly what this process last loaded or wrote (copied back,
        say); a file of another size is not read."""
        if self._durable is None:
            return False
        expected = encode_file(self._durable)
        if size != len(expected):
            return False
        try:
            with open(self.target, "rb") as handle:
                return handle.read(size + 1) == expected
        except OSError:
            return False

    def _replace_file(self, data: bytes, first: bool) -> "_Identity":
        """Replace the file by ``data`` durably (``first``: make it, there being none when the save's turn began);
        what the file is then.

        The rename is the point the save commits at: once it is done the file holds the new state, so nothing after
        it may fail the save (a failure then put the store back while the file held the change, and every later
        save was refused as the file was not the one recorded).  A directory that cannot be synced afterwards
        (``EIO``; ``EINVAL`` where a file system cannot sync directories) is logged."""
        temporary = f"{self.target}.tmp-{os.getpid()}-{secrets.token_hex(8)}"
        fd = os.open(temporary, NEW_FILE, _TEMPORARY_MODE)
        try:
            self._write_all(fd, data)
            os.fsync(fd)
            if not (first and _linked(temporary, self.target)):
                os.replace(temporary, self.target)
        except BaseException:
            os.close(fd)
            _remove_quietly(temporary)
            raise
        written = _Identity.of(os.fstat(fd))  # after the rename or link, which change the status change time
        with suppress(OSError):
            os.close(fd)
        try:
            fsync_directory(os.path.dirname(self.target))
        except OSError as error:
            log.warning("state file %s was replaced but its directory could not be synced: %s", self.path,
                        error.strerror or error)
        return written

    def _write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self.write(fd, view)
            if written <= 0:
                raise OSError(f"writing {self.path} made no progress")
            view = view[written:]

    def _restore(self) -> None:
        """Put the store back to the state the file holds (nothing to restore before the first save)."""
        if self._durable is not None:
            snapshot.restore_state(self.store, json.loads(self._durable))
        self.store.blobs.spare()  # the state holds the blobs the undone change deleted again


def undoing_faults(state_file: StateFile | None,
                   refusals: tuple[type[BaseException], ...]) -> AbstractContextManager[None]:
    """:meth:`StateFile.undoing_faults` of ``state_file``; nothing without one (the store has no earlier state
    kept to go back to: one shared ``nullcontext``, which keeps nothing of a use)."""
    return state_file.undoing_faults(refusals) if state_file is not None else _NOTHING_TO_UNDO


_NOTHING_TO_UNDO = nullcontext()


@contextmanager
def _turn_to_save(path: str) -> Iterator[bool]:
    """The turn of one save of ``path`` among the processes saving it (yields whether there was no file): an exclusive
    advisory lock on the file the path names, taken again on the file another process's rename put there meanwhile
    (the lock is on a file, and a save replaces the file).  Waits :data:`TURN_WAIT` seconds at most (``OSError`` past
    it: a failed save).  No lock is held when there is no file (the first save links its file into place instead,
    :func:`_linked`), when the path names something else than a regular file or cannot be opened (the check before
    the rename refuses it) or where the file system keeps no locks."""
    if fcntl is None:  # and a file held open there could not be renamed over
        yield not os.path.lexists(path)
        return
    deadline = time.monotonic() + TURN_WAIT
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a FIFO does not block
        except FileNotFoundError:
            yield True
            return
        except OSError:
            yield False
            return
        try:
            held = stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd, path, deadline)
            if held and not _names(path, fd):
                if time.monotonic() >= deadline:
                    raise OSError(errno.EAGAIN, f"other processes kept replacing {path} for over {TURN_WAIT:g} "
                                                "seconds")
                continue  # another process's save replaced the file meanwhile: its lock is the one to take
            yield False
            return
        finally:
            os.close(fd)  # which releases the lock


def _names(path: str, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named = os.stat(path)
    except OSError:
        return False
    opened = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _lock(fd: int, path: str, deadline: float) -> bool:
    """Take ``fd``'s exclusive lock, napping until ``deadline`` while another process holds it (``True``); ``False``
    where the file system keeps no such locks; ``OSError`` past the deadline."""
    nap = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OSError(errno.EAGAIN, f"another process kept {path} locked for its own save for over "
                                            f"{TURN_WAIT:g} seconds") from None
            time.sleep(nap)
            nap = min(nap * 2, 0.05)
        except OSError as error:
            if error.errno in _LOCKS_NOT_KEPT:
                return False
            raise


_LOCKS_NOT_KEPT = frozenset({errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS})


def _linked(temporary: str, path: str) -> bool:
    """Make ``path`` the file ``temporary`` is, only if there is no ``path`` (a hard link, then the temporary name
    removed): ``True`` once done; ``False`` where the file system has no hard links (the caller renames instead);
    :class:`StaleStateFileError` when another process made the file meanwhile."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise StaleStateFileError(
            "another process made it since this save began (a second mockrunner using the same file), and saving "
            "over it would lose that process's changes; restart mockrunner to load it") from None
    except OSError as error:
        if error.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK):
            return False
        raise
    _remove_quietly(temporary)
    return True


def _process_runs(pid: str) -> bool:
    """Whether the process ``pid`` (digits, from a temporary file's name) runs, as far as this process can tell (one
    of another user's does; another process id namespace's, in another container, may share its number with one here:
    its file is then kept, which loses nothing)."""
    if not pid.isdigit() or not 0 < int(pid) < 2**31:
        return False
    if os.name == "nt":
        return True  # signal 0 would end the process there: its temporary file is kept
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError among them: another user's process
        return True
    return True


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass

