"""The admin API under ``/_mockrunner/``: JSON in, JSON out, for tests and the dev stack."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from mockrunner import __version__

admin = Blueprint("mockrunner_admin", __name__)


def _store():
    return current_app.config["MOCKRUNNER_STORE"]


@admin.get("/health")
def health():
    store = _store()
    return jsonify(status="ok", version=__version__, enforce=store.settings.enforce,
                   accounts=sorted(store.accounts))


@admin.post("/reset")
def reset():
    _store().reset()
    return jsonify(status="reset")
