"""Making file system changes durable (a leaf module: the state file and the blob store both use it)."""
from __future__ import annotations

import os

NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""Flags that open a file made anew, never what is already at its name: in a directory others may write (``/tmp``)
a link planted at a predictable name would have the write go into the file it names, or into a file its planter can
read.  Give the file a name with a random part as well."""


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
