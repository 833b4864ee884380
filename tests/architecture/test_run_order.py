"""The suite's run order (``tests/conftest.py``): the longest test files first, each file's tests kept in order."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from tests.conftest import RUN_FIRST, pytest_collection_modifyitems

ROOT = Path(__file__).resolve().parents[2]


def test_run_first_names_test_files():
    assert len(set(RUN_FIRST)) == len(RUN_FIRST)
    missing = [path for path in RUN_FIRST if not (ROOT / path).is_file() or not Path(path).name.startswith("test_")]
    assert not missing, f"RUN_FIRST names no test file: {missing}"


def test_the_longest_files_run_first_in_their_order_and_the_rest_keep_theirs():
    first, second = RUN_FIRST[0], RUN_FIRST[1]
    order = ["tests/a/test_x.py::one", f"{second}::b1", "tests/a/test_x.py::two", f"{first}::a1",
             f"{second}::b2[server]", "tests/b/test_y.py::three", f"{first}::a2"]
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in order]
    pytest_collection_modifyitems(None, items)
    assert [item.nodeid for item in items] == [
        f"{first}::a1", f"{first}::a2", f"{second}::b1", f"{second}::b2[server]",
        "tests/a/test_x.py::one", "tests/a/test_x.py::two", "tests/b/test_y.py::three"]
