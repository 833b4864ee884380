"""Content-addressed blob storage for image layers and configs, and the uploads that become blobs.

Blobs are kept out of the JSON state: in memory by default, or in a directory (``<state file>.blobs``) when the
state is persisted.  A blob is named by its ``sha256:<hex>`` digest, written once and never changed; an upload
is an append-only byte sequence hashed as it grows, so finishing it costs nothing but the final comparison.

Data moves in chunks: :meth:`BlobStore.append` takes an iterable of ``bytes`` and :meth:`BlobStore.read`
yields chunks, so a request handler never holds a whole layer.  Every method is thread-safe: one lock guards
the tables, one lock per upload serializes its appends, and finished blobs are immutable.  Counting an owner's
uploads and finding the uploads due to expire cost the same however many uploads are in progress (a count per
owner, a heap by start time), so starting uploads in many repositories does not slow every later start.

On disk (created with the first upload): ``sha256/<hex>`` for blobs, ``uploads/<id>`` (data) and
``uploads/<id>.json`` (owner, start time and part sizes) for uploads in progress, so an upload survives a
restart too.
Uploads are dropped by :meth:`BlobStore.expire` (the caller decides when, on its clock) and :meth:`cancel`.
A blob appears under its name only after its bytes are fsynced (write, fsync, rename, fsync the directory), so
what a client was told is stored is on disk; so does an upload's part before its record counts it (a part
acknowledged, then lost to a crash of the machine, left an upload shorter than its client was told).

On disk (where the state is saved, and a change that cannot be saved is undone), what a change does to blobs
and uploads waits for its save: a deleted blob's file goes with :meth:`purge`, once the state that dropped it is
durable; an upload that a change finished or a reset dropped stays on disk, out of the table, until
:meth:`purge` removes it or :meth:`spare` (the change undone) makes it an upload again, so the same call can be
made again once the disk has room.  A finished upload's bytes are hard-linked as the blob (no copy); an upload
given back this way is separated from the blob before anything is appended to it or cut from it.

The directory is this process's own: one that another user made (or can write: every user) is refused
(:class:`UnsafeDirectory`) when the store opens it and whenever a write makes it, since whoever can write there can
plant links at the names the store writes next (its signing key's among them) or blobs of their own.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import heapq
import itertools
import json
import os
import secrets
import shutil
import stat
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mockrunner.durable import fsync_directory

CHUNK = 1 << 20
"""Bytes per chunk when reading blobs back."""


class UploadMissing(KeyError):
    """No upload with that id (never started, finished or cancelled)."""


class UploadBusy(RuntimeError):
    """A part of the upload is arriving right now (another request streams it, holding the upload's lock): a caller
    holding the store lock must not wait for a client's bytes, which may take as long as the client likes."""


class OffsetMismatch(ValueError):
    """An append that does not start where the upload ends; ``size`` is where it ends."""

    def __init__(self, size: int) -> None:
        super().__init__(f"upload holds {size} bytes")
        self.size = size


class TooLarge(ValueError):
    """An append that would make the upload bigger than the size it may have."""


class DigestMismatch(ValueError):
    """The bytes uploaded do not hash to the digest the client announced; ``actual`` is what they hash to."""

    def __init__(self, actual: str) -> None:
        super().__init__(actual)
        self.actual = actual


@dataclass
class Upload:
    """An upload in progress. ``owner`` says whose it is (the caller checks it), ``started`` when it began (on the
    caller's clock); ``parts`` the size of each append."""

    id: str
    owner: tuple
    started: datetime
    size: int = 0
    parts: list[int] = field(default_factory=list)
    hasher: object = field(default_factory=hashlib.sha256)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _hex(digest: str) -> str:
    algorithm, _, hex_part = digest.partition(":")
    if algorithm != "sha256" or not _is_hex(hex_part):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    return hex_part


def _is_hex(name: str) -> bool:
    """``name`` is 64 lower-case hex digits: a blob's file name (any other file in the directory is no blob)."""
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class UnsafeDirectory(OSError):
    """The blob directory belongs to another user, or every user may write it: the store does not use it.  Its
    ``str`` is the reason alone (``strerror``), as the answers that quote it want it."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def check_own_directory(path: str) -> None:
    """Raise :class:`UnsafeDirectory` unless the directory ``path`` names (through links) belongs to this process's
    user (or to root, who may do anything anyway) and is not writable by every user."""
    status = os.stat(path)
    owner = os.geteuid() if hasattr(os, "geteuid") else None
    if owner is not None and status.st_uid not in (owner, 0):
        raise UnsafeDirectory(errno.EPERM, f"blob directory {path} belongs to another user (uid {status.st_uid}), "
                                           "who could plant files in it; remove it or give it to this user")
    if status.st_mode & stat.S_IWOTH:
        raise UnsafeDirectory(errno.EPERM, f"blob directory {path} is writable by every user, who could plant "
                                           "files in it; remove that permission (chmod o-w)")


class BlobStore:
    """Blobs by digest plus uploads by id; in memory, or under ``directory`` when one is given (refused with
    :class:`UnsafeDirectory` when it is there and not this process's own: :func:`check_own_directory`)."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = os.path.abspath(directory) if directory else None
        if self.directory is not None and os.path.isdir(self.directory):
            check_own_directory(self.directory)
        self._signing_key: bytes | None = None
        self._lock = threading.Lock()
        self._memory: dict[str, bytearray] = {}
        self._uploads: dict[str, Upload] = {}
        self._buffers: dict[str, bytearray] = {}
        self._counts: dict[tuple, int] = {}
        """Uploads in progress per owner."""
        self._by_start: list[tuple[datetime, int, str]] = []
        """A heap of ``(started, sequence, id)``; entries of uploads that ended are dropped when met."""
        self._sequence = itertools.count()
        self._doomed: set[str] = set()
        """Blobs deleted on disk whose files wait for the state that dropped them to be saved."""
        self._ended: dict[str, Upload] = {}
        """Uploads finished or dropped (on disk) by a change whose save is pending: purge removes their files,
        spare tracks them again."""
        if self.directory is not None and os.path.isdir(os.path.join(self.directory, "uploads")):
            self._reload_uploads()
        if self.directory is not None and os.path.isdir(os.path.join(self.directory, "sha256")):
            for name in os.listdir(os.path.join(self.directory, "sha256")):
                if ".link-" in name:  # linked when the process stopped, not yet renamed: the upload holds the bytes
                    _remove(self._blob_path(name))

    @property
    def signing_key(self) -> bytes:
        """Signs download URLs of blobs: random per process in memory; on disk, kept in ``signing-key`` (made
        with the first URL), so a URL issued before a restart works until it expires, as its blob does."""
        with self._lock:
            if self._signing_key is None:
                self._signing_key = secrets.token_bytes(32) if self.directory is None else self._stored_key()
            return self._signing_key

    def _stored_key(self) -> bytes:
        """The key in ``signing-key``; a new one (kept there) when it is missing or not 32 bytes.  A key file that
        cannot be read or written (a directory, no permission) gives this process a key of its own: what it signs
        (download URLs, registry tokens) is refused after a restart (401), as with a lost key, never a 500."""
        path = os.path.join(self.directory, "signing-key")
        try:
            with open(path, "rb") as handle:
                key = handle.read()
            if len(key) == 32:
                return key
        except FileNotFoundError:
            pass
        except OSError:
            return secrets.token_bytes(32)
        key = secrets.token_bytes(32)
        try:
            self._make_directories()
            _replace_durably(path, key, mode=0o600)
        except OSError:
            with contextlib.suppress(OSError):
                os.remove(path + ".new")
        return key

    # ------------------------------------------------------------------------------------------- blobs
    def size(self, digest: str) -> int | None:
        """The blob's length, or ``None`` if there is no such blob."""
        try:
            hex_part = _hex(digest)
        except ValueError:
            return None
        if self.directory is None:
            with self._lock:
                data = self._memory.get(hex_part)
            return None if data is None else len(data)
        path = self._blob_path(hex_part)
        try:
            return os.path.getsize(path) if os.path.isfile(path) else None
        except OSError:
            return None

    def exists(self, digest: str) -> bool:
        return self.size(digest) is not None

    def read(self, digest: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``[start, end)`` of a blob, in chunks; ``KeyError`` if there is no such blob."""
        hex_part = _hex(digest)
        if self.directory is None:
            with self._lock:
                data = self._memory.get(hex_part)
            if data is None:
                raise KeyError(digest)
            return self._memory_chunks(memoryview(data), start, len(data) if end is None else end)
        try:
            handle = open(self._blob_path(hex_part), "rb")  # noqa: SIM115 - closed by the generator
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):  # gone, or replaced by what is no file
            raise KeyError(digest) from None
        return self._file_chunks(handle, start, end)

    @staticmethod
    def _memory_chunks(view: memoryview, start: int, end: int) -> Iterator[bytes]:
        for offset in range(start, end, CHUNK):
            yield bytes(view[offset:min(offset + CHUNK, end)])

    @staticmethod
    def _file_chunks(handle, start: int, end: int | None) -> Iterator[bytes]:
        with handle:
            handle.seek(start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                data = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not data:
                    return
                if remaining is not None:
                    remaining -= len(data)
                yield data

    def digests(self) -> list[str]:
        if self.directory is None:
            with self._lock:
                return [f"sha256:{hex_part}" for hex_part in self._memory]
        folder = os.path.join(self.directory, "sha256")
        return [f"sha256:{name}" for name in (os.listdir(folder) if os.path.isdir(folder) else ())
                if _is_hex(name) and os.path.isfile(os.path.join(folder, name))]  # a directory is no blob

    def delete(self, digest: str) -> None:
        """Forget a blob.  In memory at once; on disk (where a state file is kept, and a change that cannot be
        saved is undone) its file goes only with :meth:`purge`, once the state that dropped it is saved, and
        stays if that state is undone (:meth:`spare`): bytes are never gone while a durable state still names
        them."""
        hex_part = _hex(digest)
        with self._lock:
            if self.directory is None:
                self._memory.pop(hex_part, None)
            else:
                self._doomed.add(hex_part)

    def purge(self) -> None:
        """Delete the files of the blobs :meth:`delete` was called for, and of the uploads a change finished or
        dropped (call once the state is durable)."""
        with self._lock:
            doomed, self._doomed = self._doomed, set()
            ended, self._ended = self._ended, {}
        for hex_part in doomed:
            _remove(self._blob_path(hex_part))
        for upload_id in ended:
            self._remove_upload_files(upload_id)

    def spare(self) -> None:
        """Keep the blobs :meth:`delete` was called for, and make the uploads a change finished or dropped uploads
        again (the change was undone)."""
        with self._lock:
            self._doomed.clear()
            ended, self._ended = self._ended, {}
            for upload in ended.values():
                if upload.id not in self._uploads:
                    self._track(upload)

    def clear(self) -> None:
        """Forget every blob and upload (on disk, until :meth:`purge`: :meth:`spare` keeps them)."""
        for digest in self.digests():
            self.delete(digest)
        with self._lock:
            uploads = list(self._uploads.values())
            for upload in uploads:
                self._untrack(upload.id)
                if self.directory is not None:
                    self._ended[upload.id] = upload

    # ------------------------------------------------------------------------------------------- uploads
    def start_upload(self, owner: tuple, started: datetime) -> Upload:
        upload = Upload(str(uuid.uuid4()), tuple(owner), started)
        if self.directory is not None:
            self._make_directories("sha256", "uploads")  # created on first use: no push, no directory
            self._save_record(upload, [])  # the record first: data without a record would never be found
            with open(self._upload_path(upload.id), "wb"):
                pass
        with self._lock:
            self._track(upload)
            if self.directory is None:
                self._buffers[upload.id] = bytearray()
        return upload

    def _make_directories(self, *folders: str) -> None:
        """Make the store's directory (and the missing ones above it), check that it is its own (another user could
        have made it first: :class:`UnsafeDirectory`), then make ``folders`` in it."""
        os.makedirs(self.directory, exist_ok=True)
        check_own_directory(self.directory)
        for folder in folders:
            os.makedirs(os.path.join(self.directory, folder), exist_ok=True)

    def _track(self, upload: Upload) -> None:
        """Record an upload in progress (``self._lock`` held)."""
        self._uploads[upload.id] = upload
        self._counts[upload.owner] = self._counts.get(upload.owner, 0) + 1
        heapq.heappush(self._by_start, (upload.started, next(self._sequence), upload.id))
        if len(self._by_start) > 2 * len(self._uploads) + 64:
            self._by_start = [(each.started, next(self._sequence), each.id) for each in self._uploads.values()]
            heapq.heapify(self._by_start)

    def _untrack(self, upload_id: str) -> None:
        """Forget an upload that ended (``self._lock`` held); nothing if it was already forgotten."""
        upload = self._uploads.pop(upload_id, None)
        self._buffers.pop(upload_id, None)
        if upload is None:
            return
        left = self._counts[upload.owner] - 1
        if left:
            self._counts[upload.owner] = left
        else:
            del self._counts[upload.owner]

    def upload(self, upload_id: str) -> Upload | None:
        with self._lock:
            return self._uploads.get(upload_id)

    def count_uploads(self, owner: tuple) -> int:
        """How many uploads in progress ``owner`` has."""
        with self._lock:
            return self._counts.get(tuple(owner), 0)

    def pending_bytes(self) -> int:
        """The bytes uploads in progress hold (in memory, or in their files on disk)."""
        with self._lock:
            if self.directory is None:
                return sum(len(buffer) for buffer in self._buffers.values())
            ids = list(self._uploads)
        return sum(_file_size(self._upload_path(upload_id)) for upload_id in ids)

    def expire(self, started_by: datetime) -> int:
        """Drop the uploads started at or before ``started_by``, their bytes with them; return how many.

        An upload a request is appending to right now is left for a later call, so bytes are never pulled from
        under a writer.
        """
        old: list[tuple[tuple[datetime, int, str], Upload]] = []
        with self._lock:
            while self._by_start and self._by_start[0][0] <= started_by:
                entry = heapq.heappop(self._by_start)
                upload = self._uploads.get(entry[2])
                if upload is not None and upload.started == entry[0]:
                    old.append((entry, upload))
        dropped = 0
        for entry, upload in old:
            if upload.lock.acquire(blocking=False):
                try:
                    self.cancel(upload.id)
                    dropped += 1
                finally:
                    upload.lock.release()
            else:
                with self._lock:
                    heapq.heappush(self._by_start, entry)
        return dropped

    def append(self, upload_id: str, chunks: Iterable[bytes], offset: int | None = None,
               max_size: int | None = None, wait: bool = True) -> int:
        """Append ``chunks`` as one part; return the upload's new size.

        ``offset``, when given, must be the upload's current size (:class:`OffsetMismatch` otherwise); with
        ``max_size`` the upload may not grow past it (:class:`TooLarge`, raised as soon as the bytes read say
        so).  All or nothing: if reading ``chunks`` fails midway, or (on disk) the record of the new part cannot be
        written, the upload is left exactly as it was.  An upload cancelled while its part streams (:meth:`cancel`
        does not wait) loses the files the part wrote back when the part ends.  ``wait=False`` (a caller holding the
        store lock): :class:`UploadBusy` rather than waiting while another part arrives.
        """
        with self._locked(upload_id, wait) as upload:
            if offset is not None and offset != upload.size:
                raise OffsetMismatch(upload.size)
            self._own_data(upload)
            before, hasher = upload.size, upload.hasher.copy()
            if max_size is not None:
                chunks = _at_most(chunks, max_size - upload.size)
            try:
                added = self._write(upload, chunks)
                if added and self.directory is not None:
                    self._save_record(upload, [*upload.parts, added])
            except BaseException:
                self._truncate(upload, before)
                upload.hasher = hasher
                raise
            upload.size += added
            if added:
                upload.parts.append(added)
            if self.directory is not None and self.upload(upload.id) is not upload:
                # Cancelled while the part streamed (cancel does not wait for it): its files, which this part may
                # have written back, go too.
                self._remove_upload_files(upload.id)
            return upload.size

    def _save_record(self, upload: Upload, parts: list[int]) -> None:
        """Write the upload's ``.json`` record (owner, start, part sizes: the 5 MB rule and the part quota read
        the parts after a restart too), replacing the old one whole."""
        record = {"owner": list(upload.owner), "started": upload.started.isoformat(), "parts": parts}
        _replace_durably(self._upload_path(upload.id) + ".json", json.dumps(record).encode())

    def _write(self, upload: Upload, chunks: Iterable[bytes]) -> int:
        added = 0
        if self.directory is None:
            buffer = self._buffers[upload.id]
            for chunk in chunks:
                buffer += chunk
                upload.hasher.update(chunk)
                added += len(chunk)
            return added
        with open(self._upload_path(upload.id), "ab") as handle:
            for chunk in chunks:
                handle.write(chunk)
                upload.hasher.update(chunk)
                added += len(chunk)
            if added:
                handle.flush()
                os.fsync(handle.fileno())  # on disk before the record counts the part and the client hears of it
        return added

    def rewind(self, upload_id: str, size: int) -> None:
        """Cut the upload back to its first ``size`` bytes and the parts that held them (a request whose change was
        not applied takes back the part it appended); nothing if it holds no more, or is gone.

        Called with the store lock held, so it never waits: while another part arrives (which began where this
        request's part ended) the upload is cancelled instead, as gone is also as it was before (the writer's
        part ends into nothing, as after any cancel).  Its hash of the bytes kept is made again under the lock:
        it follows only a save that failed, and must be of the bytes the upload keeps then."""
        try:
            with self._locked(upload_id, wait=False) as upload:
                if size >= upload.size:
                    return
                self._own_data(upload)
                parts, total = [], 0
                for part in upload.parts:
                    if total + part > size:
                        break
                    parts.append(part)
                    total += part
                if total < size:
                    parts.append(size - total)
                if self.directory is not None:
                    self._save_record(upload, parts)
                self._truncate(upload, size)
                upload.hasher = self._hash_of(upload.id, size)
                upload.size, upload.parts = size, parts
        except UploadMissing:
            return
        except UploadBusy:
            self.cancel(upload_id)

    def _hash_of(self, upload_id: str, size: int):
        hasher = hashlib.sha256()
        if self.directory is None:
            hasher.update(memoryview(self._buffers[upload_id])[:size])
            return hasher
        with open(self._upload_path(upload_id), "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                hasher.update(chunk)
        return hasher

    def _own_data(self, upload: Upload) -> None:
        """Give an upload that :meth:`spare` gave back (its data file a hard link of the blob it had become) a
        file of its own, before it is written or cut: a blob never changes."""
        if self.directory is None:
            return
        path = self._upload_path(upload.id)
        if os.stat(path).st_nlink > 1:
            copy = path + ".own"
            shutil.copyfile(path, copy)
            os.replace(copy, path)

    def _truncate(self, upload: Upload, size: int) -> None:
        if self.directory is None:
            del self._buffers[upload.id][size:]
        else:
            os.truncate(self._upload_path(upload.id), size)

    def finish(self, upload_id: str, expected: str | None = None) -> tuple[str, int]:
        """Turn the upload into a blob and return ``(digest, size)``.

        With ``expected``, the bytes must hash to it (:class:`DigestMismatch` otherwise, and the upload is
        discarded, as a registry discards an upload that failed verification).  Called with the store lock held,
        so it never waits for a part that is arriving: :class:`UploadBusy` (the upload stays as it is).
        """
        with self._locked(upload_id, wait=False) as upload:
            digest = "sha256:" + upload.hasher.hexdigest()
            if expected is not None and expected != digest:
                self.cancel(upload_id)
                raise DigestMismatch(digest)
            hex_part = _hex(digest)
            if self.directory is None:
                with self._lock:
                    data = self._buffers.pop(upload_id)
                    self._memory.setdefault(hex_part, data)
                    self._untrack(upload_id)
                return digest, upload.size
            with self._lock:
                self._doomed.discard(hex_part)  # pushed again: these bytes are held anew
            source = self._upload_path(upload_id)
            with open(source, "rb+") as handle:
                os.fsync(handle.fileno())
            blob = self._blob_path(hex_part)
            kept = _link(source, blob + f".link-{upload_id}")  # the upload's files stay until purge or spare
            os.replace(kept or source, blob)
            if kept is not None:
                _remove(kept)  # rename(2) leaves both names when they are links of one file (a given-back upload)
            fsync_directory(os.path.dirname(blob))
            if kept is None:  # no hard links here: the upload is gone with its bytes, as it always went
                _remove(source + ".json")
            with self._lock:
                self._untrack(upload_id)
                if kept is not None:
                    self._ended[upload_id] = upload
            return digest, upload.size

    def cancel(self, upload_id: str) -> None:
        with self._lock:
            self._untrack(upload_id)
        if self.directory is not None:
            self._remove_upload_files(upload_id)

    def _remove_upload_files(self, upload_id: str) -> None:
        _remove(self._upload_path(upload_id))
        _remove(self._upload_path(upload_id) + ".json")

    @contextmanager
    def _locked(self, upload_id: str, wait: bool = True) -> Iterator[Upload]:
        """The upload, its lock held; :class:`UploadMissing` if it is gone, also when it went (cancelled, expired,
        finished) while this waited for the lock; without ``wait``, :class:`UploadBusy` if another holds the lock."""
        upload = self.upload(upload_id)
        if upload is None:
            raise UploadMissing(upload_id)
        if not upload.lock.acquire(blocking=wait):
            raise UploadBusy(upload_id)
        try:
            if self.upload(upload_id) is not upload:
                raise UploadMissing(upload_id)
            yield upload
        finally:
            upload.lock.release()

    # ------------------------------------------------------------------------------------------- disk
    def _blob_path(self, hex_part: str) -> str:
        return os.path.join(self.directory, "sha256", hex_part)

    def _upload_path(self, upload_id: str) -> str:
        if not _is_uuid(upload_id):
            raise UploadMissing(upload_id)
        return os.path.join(self.directory, "uploads", upload_id)

    def _reload_uploads(self) -> None:
        """Uploads in progress when the process stopped: their bytes are re-hashed (once, at start); an upload's
        data with no record (left by a process that stopped as the upload started) is removed."""
        folder = os.path.join(self.directory, "uploads")
        names = set(os.listdir(folder))
        for name in names:
            if _is_uuid(name) and name + ".json" not in names:
                _remove(os.path.join(folder, name))
            if name.endswith(".json.new") and _is_uuid(name[:-9]):
                _remove(os.path.join(folder, name))  # a record replaced when the process stopped: the old one holds
            if name.endswith(".own") and _is_uuid(name[:-4]):
                _remove(os.path.join(folder, name))  # a copy being made when the process stopped: the data holds
            if not name.endswith(".json") or not _is_uuid(name[:-5]):
                continue
            upload_id = name[:-5]
            data = os.path.join(folder, upload_id)
            try:
                owner, started, recorded = _upload_record(os.path.join(folder, name))
                upload = Upload(upload_id, owner, started)
                upload.parts = _parts_of(recorded, os.path.getsize(data))
                kept = sum(upload.parts)
                if os.path.getsize(data) > kept:
                    os.truncate(data, kept)  # a part that was arriving: never acknowledged, so never kept
                with open(data, "rb") as handle:
                    for chunk in iter(lambda: handle.read(CHUNK), b""):  # noqa: B023 - consumed here
                        upload.hasher.update(chunk)
                        upload.size += len(chunk)
            except (OSError, ValueError, TypeError, KeyError):
                _remove(data)
                _remove(os.path.join(folder, name))
                continue
            self._track(upload)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _at_most(chunks: Iterable[bytes], room: int) -> Iterator[bytes]:
    taken = 0
    for chunk in chunks:
        taken += len(chunk)
        if taken > room:
            raise TooLarge(room)
        yield chunk


def _upload_record(path: str) -> tuple[tuple, datetime, object]:
    """An upload's owner, start time and recorded part sizes from its ``.json`` file (a bare owner list, with no
    start time, dates from the file's modification)."""
    with open(path, "rb") as handle:
        record = json.loads(handle.read())
    if isinstance(record, list):
        return _owner(record), datetime.fromtimestamp(os.path.getmtime(path), UTC), None
    started = datetime.fromisoformat(record["started"])
    if started.tzinfo is None:
        raise ValueError("a start time without a time zone")
    return _owner(record["owner"]), started, record.get("parts")


def _owner(recorded: object) -> tuple[str, ...]:
    """An upload record's owner: a list of strings (a repository's place and creation time), else ``ValueError``."""
    if not isinstance(recorded, list) or not all(isinstance(part, str) for part in recorded):
        raise ValueError("an upload's owner is a list of strings")
    return tuple(recorded)


def _parts_of(recorded: object, size: int) -> list[int]:
    """The part sizes of an upload whose data file holds ``size`` bytes, from its record: the recorded parts the
    bytes hold (a part is recorded only once its bytes are on disk, and the client hears of it only after that, so
    bytes past the recorded parts are a part that was arriving when the process stopped, which the caller cuts
    away); one part of all the bytes for a record of an older format, which lists no parts."""
    if not isinstance(recorded, list):
        return [size] if size else []
    if not all(type(part) is int and part > 0 for part in recorded):
        raise ValueError("an upload record's part sizes are positive integers")
    parts, total = [], 0
    for part in recorded:
        if total + part > size:
            break
        parts.append(part)
        total += part
    return parts


def _link(source: str, path: str) -> str | None:
    """``path`` made a hard link of ``source``; ``None`` where the file system has none."""
    _remove(path)  # left by a process that stopped between linking and renaming
    try:
        os.link(source, path)
    except OSError:
        return None
    return path


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        return


def _replace_durably(path: str, data: bytes, mode: int = 0o666) -> None:
    """Make ``data`` the whole content of ``path`` durably: written to ``<path>.new`` (created with ``mode``),
    fsynced, renamed over ``path``, the directory fsynced; a crash leaves the old content or the new."""
    temporary = path + ".new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_directory(os.path.dirname(path))
