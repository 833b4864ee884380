"""Every docstring of the project's Python files is Unicode text that UTF-8 can encode.

``setup.cfg`` accepts Python 3.11 and later; Python 3.13 strips docstrings' indentation when it compiles them, and a
docstring holding half a UTF-16 surrogate pair (a ``\\ud800`` escape in a non-raw string) fails to compile there
with ``UnicodeEncodeError``: mockrunner could not be imported on 3.13 because of one.  CI runs 3.11, which compiles
them, so this test reads every docstring instead."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("mockrunner", "tests", "scripts", "examples")
_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstrings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, _DOCUMENTED):
            docstring = ast.get_docstring(node, clean=False)
            if docstring is not None:
                yield getattr(node, "name", "<module>"), docstring


def test_every_docstring_encodes_as_utf_8() -> None:
    files = [path for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 300
    unencodable = []
    for path in files:
        for name, docstring in _docstrings(path):
            try:
                docstring.encode("utf-8")
            except UnicodeEncodeError:
                unencodable.append(f"{path.relative_to(ROOT)}: {name}")
    assert unencodable == []
