"""The two commands and the image install under ``constraints.txt``: the botocore it pins fixes the service models
the codecs and the "every operation has a handler" test are checked against, so an unconstrained install (a newer
botocore) serves operations mockrunner does not implement."""
from __future__ import annotations

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pip_installs(relative: str) -> list[str]:
    with open(os.path.join(ROOT, relative), encoding="utf-8") as handle:
        text = handle.read().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if re.search(r"\bpip install\b", line)
            and not line.lstrip().startswith("#") and "--upgrade pip" not in line]


@pytest.mark.parametrize("relative", ["scripts/serve", "scripts/test", "Dockerfile"])
def test_every_install_of_mockrunner_is_constrained(relative: str) -> None:
    installs = _pip_installs(relative)
    assert installs, f"{relative} installs nothing"
    for line in installs:
        assert "-c constraints.txt" in line, f"{relative}: {line}"
