"""An attacker's forty-seventh pass.

Findings (each test failed before its fix):

- **Medium (takeover at a restart).** ``serve --state-file S --seed F``: a seed file's ``root_credentials`` are
  registered again at every restart (they are configuration, not state), but were not checked against the loaded
  state's keys.  A seed naming a user's access key id as a root key took that key over (requests signed with it
  acted as the account's root), and the state no longer exported into a server with these settings.  The server now
  refuses to start, naming the key.
"""
from __future__ import annotations

import json

import pytest

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.seed import SeedError

USER_KEY = "AKIAUSERKEY000000001"


def _state_app(tmp_path, **settings):
    return create_app(Settings(log_requests=False, operation_delay=0, state_file=str(tmp_path / "state.bin"),
                               **settings))


def test_a_seed_root_key_naming_a_user_key_of_the_state_stops_the_restart(tmp_path) -> None:
    first = _state_app(tmp_path)
    seeded = first.test_client().post("/_mockrunner/seed", json={"accounts": [{"id": "123456789012", "users": [
        {"name": "alice", "access_keys": [{"access_key_id": USER_KEY, "secret_access_key": "alice-secret"}]}]}]})
    assert seeded.status_code == 200, seeded.get_data(as_text=True)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": USER_KEY, "secret_access_key": "attacker"}}]}))
    with pytest.raises(SeedError, match=f"{USER_KEY}.*is also the access key id of a root key of the settings"):
        _state_app(tmp_path, seed_files=(str(seed),))
    seed.write_text(json.dumps({"accounts": [{"id": "111122223333", "root_credentials": {
        "access_key_id": "AKIAOTHERROOT0000001", "secret_access_key": "s"}}]}))
    again = _state_app(tmp_path, seed_files=(str(seed),))  # a root key of its own is fine
    assert "111122223333" in {keys.account_id for keys in again.store.settings.root_accounts}
    users = again.store.accounts["123456789012"].iam.users
    assert "alice" in users
