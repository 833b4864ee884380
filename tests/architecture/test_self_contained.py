"""The repository stands alone: no text refers to files outside it, and every citation of the behaviour
reference names a heading that exists.

Files checked: every text file git tracks (or would: untracked files not ignored) under ``mockrunner/``,
``tests/``, ``scripts/``, ``docs/``, ``examples/`` and ``README.md`` (``git ls-files``; a walk of those directories
where git is unavailable).  A citation is
``docs/behaviour.md, "<heading>"``; the heading must be a Markdown heading (any level) of ``docs/behaviour.md``.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("mockrunner", "tests", "scripts", "docs", "examples", "README.md")
BEHAVIOUR = ROOT / "docs" / "behaviour.md"
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()
"""Holds sample citations and sample references of its own, so it is the one file not searched."""

DOCUMENT_PATH = re.compile(r"(?<![\w.-])((?:\.{1,2}/|/)?(?:[\w.-]+/)+[\w-]+\.md)\b")
"""A Markdown document named with a directory (``docs/behaviour.md``); bare names such as ``manage-pause.md``
are the pages of AWS's public guides that evidence cites, not files."""
NUMBERED_SECTION = re.compile(r"§\s*\d")
"""A numbered-section citation: the behaviour reference is cited by heading, so such a number points elsewhere."""

CITATION = re.compile(r"docs/behaviour\.md,\s+\"([^\"\n]+)\"")
CITATION_START = re.compile(r"docs/behaviour\.md,")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SKIPPED_DIRS = {"__pycache__", ".venv", "node_modules", ".git"}


def _tracked_files() -> list[str]:
    try:
        command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *CHECKED]
        listed = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=30).stdout.decode()
        return sorted(name for name in listed.split("\0") if name)
    except (OSError, subprocess.SubprocessError):
        found = []
        for top in CHECKED:
            path = ROOT / top
            candidates = [path] if path.is_file() else path.rglob("*")
            found.extend(item.relative_to(ROOT).as_posix() for item in candidates
                         if item.is_file() and not _SKIPPED_DIRS & set(item.relative_to(ROOT).parts))
        return sorted(found)


def _text(name: str) -> str | None:
    """The file's text; ``None`` for binary files (NUL bytes or not UTF-8) and files gone from the work tree."""
    try:
        data = (ROOT / name).read_bytes()
    except FileNotFoundError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts() -> dict[str, str]:
    texts = {name: _text(name) for name in _tracked_files()}
    return {name: text for name, text in texts.items() if text is not None}


def _outside_references(text: str, where: str = "README.md") -> list[str]:
    """What ``text`` (in the file ``where``) refers to that is not in the repository: a document path that resolves
    to no file of the repository, and numbered-section citations."""
    found = []
    for match in DOCUMENT_PATH.finditer(text):
        path = match.group(1)
        inside = [(ROOT / path.lstrip("/")).resolve(), (ROOT / where).parent.joinpath(path).resolve()]
        if path.startswith("/") or not any(candidate.is_relative_to(ROOT) and candidate.is_file()
                                           for candidate in inside):
            found.append(path)
    found.extend(match.group(0) for match in NUMBERED_SECTION.finditer(text))
    return found


def _lines_with(text: str, needle: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), 1) if needle in line]


def test_the_checked_files_are_found():
    names = set(_tracked_files())
    assert "README.md" in names and "docs/behaviour.md" in names and THIS_FILE in names
    assert any(name.startswith("mockrunner/") and name.endswith(".py") for name in names)


def test_no_text_refers_to_files_outside_the_repository():
    offenders = [f"{name}:{line}: {needle}"
                 for name, text in _texts().items() if name != THIS_FILE
                 for needle in _outside_references(text, name) for line in _lines_with(text, needle)]
    assert offenders == [], "refer to docs/behaviour.md instead:\n" + "\n".join(offenders)



def test_every_cited_behaviour_heading_exists():
    headings = set(HEADING.findall(BEHAVIOUR.read_text(encoding="utf-8")))
    cited = {(name, heading) for name, text in _texts().items() if name != THIS_FILE
             for heading in CITATION.findall(text)}
    missing = sorted(f"{name}: {heading!r}" for name, heading in cited if heading not in headings)
    assert cited, "no citations of docs/behaviour.md found: the pattern no longer matches how code cites it"
    assert missing == [], "cited headings missing from docs/behaviour.md:\n" + "\n".join(missing)


def test_every_citation_names_its_heading_in_quotes():
    """A citation the pattern cannot read (heading split over lines, unquoted) would escape the check above."""
    unreadable = [f"{name}:{text.count(chr(10), 0, start.start()) + 1}"
                  for name, text in _texts().items() if name != THIS_FILE
                  for start in CITATION_START.finditer(text) if not CITATION.match(text, start.start())]
    assert unreadable == [], 'write citations as (docs/behaviour.md, "<heading>") on one line:\n' + \
        "\n".join(unreadable)


@pytest.mark.parametrize("text, expected", [
    ("see (the design, section §3.2)", ["§3"]),
    ("the reference is `notes/app-behaviour.md` of the project", ["notes/app-behaviour.md"]),
    ("read `/home/someone/notes/design.md` first", ["/home/someone/notes/design.md"]),
    ("read `../notes/design.md` first", ["../notes/design.md"]),
    ('(docs/behaviour.md, "App Runner: tags"), docs/architecture.md, [guide](../docs/ways-in.md)', []),
    ("App Runner Developer Guide, manage-pause.md", []),
])
def test_outside_references_are_recognised(text, expected):
    assert _outside_references(text, "docs/behaviour.md") == expected


def test_citations_are_recognised():
    text = 'x (docs/behaviour.md, "App Runner: tags") and # docs/behaviour.md,\n#: "not across lines"'
    assert CITATION.findall(text) == ["App Runner: tags"]
