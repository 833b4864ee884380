"""No regular expression in mockrunner ends with ``$``: Python's ``$`` also matches before a trailing newline, so a
pattern meant to hold a whole value took ``"v1\\n"`` as a registry tag and an App Runner ARN with a newline after it
as the ARN (docs/behaviour.md, "Hostile input: forty-fifth pass (fresh eyes on the oldest surfaces)").  AWS matches
patterns against the whole value: ``\\Z`` (or ``fullmatch``) says so."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_RE_FUNCTIONS = frozenset({"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer"})


def _patterns(path: Path):
    """The literal text of every pattern given to a ``re`` function in ``path``, with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" \
                and node.func.attr in _RE_FUNCTIONS and node.args:
            pattern = node.args[0]
            if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
                yield node.lineno, pattern.value


def test_no_pattern_is_anchored_with_a_dollar_sign() -> None:
    files = sorted((ROOT / "mockrunner").rglob("*.py"))
    assert len(files) > 150
    anchored = [f"{path.relative_to(ROOT)}:{line}: ...{pattern[-40:]}" for path in files
                for line, pattern in _patterns(path)
                if (pattern.endswith("$") and not pattern.endswith("\\$")) or "$)" in pattern or "$|" in pattern]
    assert anchored == []
    # The check reads patterns at all: the tag pattern of the registry is one of them.
    assert any(pattern.startswith("^[A-Za-z0-9_][A-Za-z0-9._-]")
               for pattern in (text for _, text in _patterns(ROOT / "mockrunner" / "registry" / "handlers.py")))
