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
import threading

from mockrunner.tls import server_context
from tests.harness import saving_harness, user_names

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
