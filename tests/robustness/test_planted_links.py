"""Links planted where mockrunner writes a file it then renames or links into place, in a directory others may write
(a state file or a TLS pair under ``/tmp``): the state file's temporary file was ``PATH.tmp-<pid>-<thread id>`` and
the TLS pair's ``<file>.partial``, opened with ``O_TRUNC`` through whatever was there, so a link planted at that name
had the save write the whole state (every secret key) into the file it named, and the private key of a self-signed
pair was written into the planted file (readable by its planter) and linked as the key.  Each is now made anew
(``O_EXCL``, ``O_NOFOLLOW``) under a name with a random part.
(docs/behaviour.md, "Two mockrunners saving one state file at once")
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.persistence import StateFileError
from mockrunner.tls import server_context
from tests.harness import MODES, Harness, saving_harness, user_names

PLANTED = b"the planter's file\n"


def test_a_link_at_the_old_temporary_name_is_not_written_through(tmp_path) -> None:
    path = tmp_path / "state.bin"
    harness = saving_harness("inprocess", str(path))  # in-process: the save runs on this thread
    victim = tmp_path / "victim"
    victim.write_bytes(PLANTED)
    try:
        planted = tmp_path / f"state.bin.tmp-{os.getpid()}-{threading.get_ident()}"
        planted.symlink_to(victim)
        harness.client("iam").create_user(UserName="saved")
        assert victim.read_bytes() == PLANTED
        assert stat.S_ISREG(os.lstat(path).st_mode)
    finally:
        harness.close()
    restarted = saving_harness("inprocess", str(path))
    try:
        assert user_names(restarted) == ["saved"]
    finally:
        restarted.close()


def test_a_link_at_the_old_partial_name_gets_no_private_key(tmp_path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    victim = tmp_path / "victim"
    victim.write_bytes(PLANTED)
    (tmp_path / "key.pem.partial").symlink_to(victim)
    (tmp_path / "cert.pem.partial").symlink_to(victim)
    server_context(str(cert), str(key))
    assert victim.read_bytes() == PLANTED
    for made in (cert, key):
        assert stat.S_ISREG(os.lstat(made).st_mode), made
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes()
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [
        "cert.pem", "cert.pem.partial", "key.pem", "key.pem.partial", "victim"]  # the planted links, left as found


def _with_a_planted_blob_directory(mode: str, tmp_path: Path) -> tuple[Harness, Path]:
    """A server saving to ``tmp_path/state.bin`` with the repository ``app``, and its blob directory made by someone
    else, writable by every user, before the first push."""
    harness = saving_harness(mode, str(tmp_path / "state.bin"))
    planted = tmp_path / "state.bin.blobs"
    planted.mkdir()
    planted.chmod(0o777)
    harness.client("ecr").create_repository(repositoryName="app")
    return harness, planted


@pytest.mark.parametrize("mode", MODES)
def test_a_blob_directory_every_user_may_write_is_not_used(mode: str, tmp_path) -> None:
    """Made by someone else before the first push (the store makes its directory with the first upload): a push is
    refused with a reason, and nothing is written into it."""
    harness, planted = _with_a_planted_blob_directory(mode, tmp_path)
    try:
        ecr = harness.client("ecr")
        with pytest.raises(ClientError) as refused:
            ecr.initiate_layer_upload(repositoryName="app")
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert "is writable by every user" in refused.value.response["Error"]["Message"]
        assert sorted(entry.name for entry in planted.iterdir()) == []
        assert ecr.describe_repositories()["repositories"][0]["repositoryName"] == "app"
    finally:
        harness.close()


def test_a_start_refuses_a_blob_directory_every_user_may_write(tmp_path) -> None:
    path = tmp_path / "state.bin"
    saving_harness("inprocess", str(path)).close()
    (tmp_path / "state.bin.blobs").mkdir(mode=0o700)
    (tmp_path / "state.bin.blobs").chmod(0o777)
    with pytest.raises(StateFileError) as refused:
        create_app(Settings(state_file=str(path), log_requests=False))
    assert str(refused.value) == (
        f"state file {path} cannot be used: blob directory {path}.blobs is writable by every user, who could plant "
        "files in it; remove that permission (chmod o-w)")
    served = subprocess.run([sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--state-file", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert served.returncode == 1
    assert served.stderr.strip().splitlines()[-1] == f"mockrunner: {refused.value}"
    (tmp_path / "state.bin.blobs").chmod(0o755)
    create_app(Settings(state_file=str(path), log_requests=False))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a directory away needs root")
def test_a_blob_directory_of_another_user_is_refused(tmp_path) -> None:
    path = tmp_path / "state.bin"
    saving_harness("inprocess", str(path)).close()
    (tmp_path / "state.bin.blobs").mkdir(mode=0o755)
    os.chown(tmp_path / "state.bin.blobs", 4242, 4242)
    with pytest.raises(StateFileError) as refused:
        create_app(Settings(state_file=str(path), log_requests=False))
    assert "belongs to another user (uid 4242)" in str(refused.value)


def test_a_registry_push_into_a_blob_directory_every_user_may_write_is_refused(tmp_path) -> None:
    harness, planted = _with_a_planted_blob_directory("server", tmp_path)
    try:
        ecr = harness.client("ecr")
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        answer = requests.post(f"{harness.endpoint_url}/v2/app/blobs/uploads/", timeout=30,
                               headers={"Authorization": f"Basic {token}",
                                        "Host": "123456789012.dkr.ecr.us-east-1.amazonaws.com"})
        assert answer.status_code == 500, answer.text
        assert "is writable by every user" in answer.text
        assert answer.json()["errors"][0]["code"]
        assert sorted(entry.name for entry in planted.iterdir()) == []
    finally:
        harness.close()
