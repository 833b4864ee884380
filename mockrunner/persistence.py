"""``--state-file``: every acknowledged mutation is on disk before the client hears about it.

After each successful mutating call (and each admin mutation) the whole state is written to a temporary file
in the same directory, fsynced, renamed over the state file and the directory fsynced: at any instant the
file is either the previous complete state or the new complete state, so a ``kill -9`` loses nothing that was
acknowledged.  The file starts with a header line giving the body's length and SHA-256, so a file that is
truncated, half-written by something else or edited by hand is *detected* at start and reported, never
silently replaced by an empty state.

The whole state is rewritten each time: simple, and fast enough for the state sizes of a local mock.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from typing import TYPE_CHECKING

from mockrunner.durable import fsync_directory
from mockrunner.model import snapshot

if TYPE_CHECKING:
    from mockrunner.model.store import Store

MAGIC = "mockrunner-state"
_HEADER = re.compile(rb"^mockrunner-state v(\d+) length=(\d+) sha256=([0-9a-f]{64})\n")
_READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "BatchCheck", "Simulate")
_MUTATING_READS = frozenset({("sts", "GetSessionToken"), ("sts", "GetFederationToken")})
"""Operations named like reads that create something a later call can use (credentials)."""


class CorruptStateError(RuntimeError):
    """The state file exists but cannot be trusted; mockrunner refuses to start rather than lose it."""


def is_mutation(service: str | None, operation: str | None) -> bool:
    """Whether a successful call of ``service.operation`` may have changed the state."""
    if not service or not operation:
        return False
    if (service, operation) in _MUTATING_READS:
        return True
    return not operation.startswith(_READ_PREFIXES)


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
        return json.loads(body)
    except ValueError as error:
        raise CorruptStateError(f"state file {path} holds invalid JSON: {error}") from None


class StateFile:
    """The state file of one store."""

    def __init__(self, store: "Store", path: str) -> None:
        self.store = store
        self.path = os.path.abspath(path)
        self._write_lock = threading.Lock()

    def load(self) -> bool:
        """Load the file into the store if it exists (``True``); raise :class:`CorruptStateError` if bad."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return False
        except OSError as error:
            raise CorruptStateError(f"state file {self.path} cannot be read: {error}") from None
        document = decode_file(data, self.path)
        self._remove_stale_temporaries()
        try:
            snapshot.import_state(self.store, document)
        except snapshot.SnapshotError as error:
            raise CorruptStateError(f"state file {self.path} does not hold a valid state: {error}") from None
        return True

    def _remove_stale_temporaries(self) -> None:
        """A ``kill -9`` between writing a temporary file and renaming it leaves one behind: the state file
        itself is intact (that is the point of the rename), so the leftover is only litter."""
        directory, name = os.path.split(self.path)
        for entry in os.listdir(directory):
            if entry.startswith(f"{name}.tmp-"):
                try:
                    os.remove(os.path.join(directory, entry))
                except OSError:
                    continue

    def save(self) -> None:
        """Write the current state atomically and durably (temp file + fsync + rename + directory fsync)."""
        with self.store.lock:
            body = json.dumps(snapshot.export_state(self.store), separators=(",", ":")).encode("utf-8")
            directory = os.path.dirname(self.path)
            temporary = f"{self.path}.tmp-{os.getpid()}-{threading.get_ident()}"
            with self._write_lock:
                with open(temporary, "wb") as handle:
                    handle.write(encode_file(body))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
                fsync_directory(directory)
