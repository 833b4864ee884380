"""The store and state file an admin API or dashboard request is answered for.

One Flask app serves the admin API and the dashboard of every :class:`~mockrunner.app.MockrunnerApp` in a process:
building one compiles some ninety URL rules, about 25 ms, which every test and mock block that called the admin API
paid again.  Each request carries its own app's store and state file in its WSGI environ (:func:`carry`), and the
views read them from there.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

if TYPE_CHECKING:
    from mockrunner.model.store import Store
    from mockrunner.persistence import StateFile

STORE = "mockrunner.store"
STATE_FILE = "mockrunner.state_file"


def carry(environ: dict[str, Any], store: "Store", state_file: "StateFile | None") -> None:
    """Put the store and state file a request is answered for in its environ."""
    environ[STORE] = store
    environ[STATE_FILE] = state_file


def store() -> "Store":
    """The store the current admin request is answered for."""
    return request.environ[STORE]


def state_file() -> "StateFile | None":
    """The state file of the current admin request's store (None when it is not persisted)."""
    return request.environ[STATE_FILE]
