"""Making file system changes durable (a leaf module: the state file and the blob store both use it)."""
from __future__ import annotations

import os


def fsync_directory(directory: str) -> None:
    """Make a rename or creation in ``directory`` durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
