"""The package builds and installs cleanly: an sdist and a wheel, with every data file and no warning.

One build of each (some seconds): setuptools' own backend makes the sdist; ``pip wheel`` builds the wheel from
the source tree, as ``pip install .`` does (the path on which setuptools warned about the data directory), and
``pip install --target`` installs it where a fresh interpreter loads the AWS managed policies from that copy.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "mockrunner", "data")
WARNING = re.compile(r"\b\w+Warning\b.*")
"""Python warning categories (BuildBackendWarning, SetuptoolsDeprecationWarning, ...) in build output."""


def _run(command: list[str], cwd: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_sdist_and_wheel_build_without_warnings_and_carry_the_data(tmp_path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), source)
    shutil.copytree(os.path.join(ROOT, "mockrunner"), source / "mockrunner",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    data_files = sorted(os.path.relpath(os.path.join(folder, name), DATA) for folder, _, names in os.walk(DATA)
                        for name in names if "__pycache__" not in folder)
    assert data_files

    sdist_output = _run([sys.executable, "-W", "always", "-c",
                         "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))",
                         str(tmp_path / "dist")], cwd=str(source))
    assert WARNING.findall(sdist_output) == []
    (sdist,) = (tmp_path / "dist").glob("mockrunner-*.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = sorted(name.split("/mockrunner/data/", 1)[1] for name in archive.getnames()
                          if "/mockrunner/data/" in name and archive.getmember(name).isfile())
    assert in_sdist == data_files

    wheel_output = _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "wheels"),
                         str(source)], cwd=str(tmp_path))
    assert WARNING.findall(wheel_output) == []
    (wheel,) = (tmp_path / "wheels").glob("mockrunner-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert sorted(name.removeprefix("mockrunner/data/") for name in names
                  if name.startswith("mockrunner/data/") and not name.endswith("/")) == data_files
    assert not [name for name in names if "__pycache__" in name or name.startswith(("tests/", "scripts/"))]
    dashboard = os.path.join(ROOT, "mockrunner", "dashboard")
    for folder in ("templates", "static"):  # the dashboard's pages and script ship in the wheel
        shipped = sorted(os.path.basename(name) for name in names if name.startswith(f"mockrunner/dashboard/{folder}/"))
        assert shipped == sorted(os.listdir(os.path.join(dashboard, folder)))

    target = tmp_path / "site"
    install_output = _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target",
                           str(target), str(wheel)], cwd=str(tmp_path))
    assert WARNING.findall(install_output) == []
    probe = ("import mockrunner; from mockrunner.model.managed_policies import aws_managed_policies; "
             "from mockrunner.protocol.specs import service_model; "
             "print(mockrunner.__file__); print(len(aws_managed_policies())); "
             "print(len(service_model('iam').operation_names))")
    env = {**os.environ, "PYTHONPATH": str(target)}
    location, count, operations = _run([sys.executable, "-c", probe], cwd=str(tmp_path), env=env).split()
    assert location.startswith(str(target)) and int(count) > 1000 and int(operations) > 170
