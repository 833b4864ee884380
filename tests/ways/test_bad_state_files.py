"""A state file ``serve`` cannot use stops it with exit code 1 and one line on stderr naming the file, never a
traceback; the file is left as it was for the user to inspect."""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys

import pytest

from mockrunner.persistence import encode_file
from tests.ways.state_server import ROOT

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _as_an_ordinary_user() -> None:
    """In the child before exec: root without the capabilities that ignore file permissions (as root, a
    ``chmod 000`` file would still be readable)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _serve(state_file: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "mockrunner", "serve", "--port", "0", "--state-file", state_file],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT, preexec_fn=_as_an_ordinary_user,
    )


def _valid_document(extra_state: str = "") -> bytes:
    return ('{"format":"mockrunner-state","version":1,"clock_offset_seconds":0,"state":{"accounts":{}'
            + extra_state + "}}").encode()


def _locked(path) -> None:
    path.write_bytes(encode_file(_valid_document()))
    path.chmod(0)


def _unwritable_directory(path) -> None:
    path.parent.chmod(0o555)


CASES = {
    "json nested 100000 deep": (lambda p: p.write_bytes(encode_file(b"[" * 100_000 + b"]" * 100_000)),
                                "nested too deeply"),
    "state nested 600 deep": (lambda p: p.write_bytes(encode_file(_valid_document(
        ',"identity_providers":' + "[" * 600 + "]" * 600))), "nested too deeply"),
    "invalid json": (lambda p: p.write_bytes(encode_file(b'{"format": nope')), "holds invalid JSON"),
    "json list": (lambda p: p.write_bytes(encode_file(b"[1, 2]")), "a state document must be a JSON object"),
    "wrong format": (lambda p: p.write_bytes(encode_file(json.dumps({"format": "other"}).encode())), "$.format"),
    "no header": (lambda p: p.write_bytes(b'{"format": "mockrunner-state"}'), "no valid mockrunner header"),
    "unreadable": (_locked, "cannot be read: Permission denied"),
    "a directory": (lambda p: p.mkdir(), "cannot be read: Is a directory"),
    "directory not writable": (_unwritable_directory, "could not be written: Permission denied"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_state_file_stops_serve_with_one_line(tmp_path, case) -> None:
    make, reason = CASES[case]
    folder = tmp_path / "state"
    folder.mkdir()
    path = folder / "state.bin"
    make(path)
    before = path.read_bytes() if path.is_file() and os.access(path, os.R_OK) else None
    try:
        result = _serve(str(path))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mockrunner: ") and str(path) in lines[0] and reason in lines[0]
    assert "listening" not in result.stdout
    assert sorted(os.listdir(folder)) == (["state.bin"] if os.path.lexists(path) else [])
    if before is not None:
        assert path.read_bytes() == before


def test_a_state_file_in_a_missing_directory_stops_serve_with_one_line(tmp_path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "state.bin"
    result = _serve(str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"mockrunner: state file {path} cannot be used: directory {path.parent} does not exist"]
    assert not (tmp_path / "no").exists()
