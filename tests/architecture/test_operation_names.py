"""A newcomer finds every served operation by grepping its AWS name: each is spelled out, quoted, in the source."""
from __future__ import annotations

import re
from pathlib import Path

import mockrunner
from mockrunner.services import load_all, registry

PACKAGE_ROOT = Path(mockrunner.__file__).parent


def test_every_registered_operation_is_named_literally_in_the_source():
    load_all()
    source = "\n".join(path.read_text() for path in PACKAGE_ROOT.rglob("*.py"))
    names = {name for _, name in registry.OPERATIONS}
    assert len(names) >= 200
    unnamed = sorted(name for name in names if not re.search(rf"[\"']{name}[\"']", source))
    assert unnamed == []
