"""AWS's protocol test suites (the Smithy protocol tests every AWS SDK is generated against), as botocore's source
distribution ships them under ``tests/unit/protocols/``.

The suites are another project's data, so they are not in this repository: :func:`suites_dir` downloads the sdist
of the botocore version pinned in ``constraints.txt`` with pip, once per machine, and keeps only the suite files
in a cache directory.  Outside CI a test skips when that is not possible; in CI (``CI`` set) it fails instead, and
the suite fails if a real-client test did not pass (``tests/conftest.py``)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"
SUITES = "tests/unit/protocols"
"""Where the suites are inside the sdist (below ``botocore-VERSION/``)."""


class Unavailable(Exception):
    """The suites could not be obtained (no network, no pip, an sdist without them)."""


def unavailable(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{reason} (the AWS protocol suite tests need them)")


def pinned_botocore() -> str:
    """The botocore version ``constraints.txt`` pins."""
    match = re.search(r"^botocore==(\S+)$", CONSTRAINTS.read_text(), re.MULTILINE)
    if match is None:
        raise Unavailable("constraints.txt pins no botocore version")
    return match.group(1)


def _extract(archive: Path, target: Path, version: str) -> None:
    prefix = f"botocore-{version}/{SUITES}/"
    with tarfile.open(archive) as tar:
        members = [member for member in tar.getmembers()
                   if member.isfile() and member.name.startswith(prefix) and member.name.endswith(".json")]
        if not members:
            raise Unavailable(f"botocore-{version}'s sdist holds no {SUITES}")
        for member in members:
            destination = target / member.name[len(prefix):]
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            destination.write_bytes(source.read())


_failure: list[Unavailable] = []
"""Why the suites could not be obtained, once this process has tried (collection asks more than once)."""


def suites_dir() -> Path:
    """A directory holding ``input/``, ``output/`` and ``legacy/`` suites of the pinned botocore (downloaded and
    extracted on first use; a partial download never becomes the cache); :class:`Unavailable` when it cannot be."""
    if _failure:
        raise _failure[0]
    try:
        return _obtain(pinned_botocore())
    except Unavailable as error:
        _failure.append(error)
        raise


def _obtain(version: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mockrunner-tests"
    target = cache / f"botocore-{version}-protocol-suites"
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        try:
            downloaded = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
                 "--disable-pip-version-check", "--retries", "2", "--timeout", "30", f"botocore=={version}",
                 "-d", work],
                capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise Unavailable(f"pip did not download botocore {version}'s sdist within 10 minutes") from None
        archive = Path(work) / f"botocore-{version}.tar.gz"
        if downloaded.returncode != 0 or not archive.exists():
            raise Unavailable(f"pip could not download botocore {version}'s sdist: "
                              f"{downloaded.stderr.strip()[-300:] or 'no archive'}")
        staging = Path(work) / "suites"
        _extract(archive, staging, version)
        (staging / ".complete").write_text("ok")
        try:
            staging.rename(target)
        except OSError:
            if not (target / ".complete").exists():  # another worker finished first unless this is a real error
                raise
    return target


def load(relative: str) -> list[dict]:
    """The suites of one file (``input/query.json``), from :func:`suites_dir`."""
    return json.loads((suites_dir() / relative).read_text(encoding="utf-8"))
