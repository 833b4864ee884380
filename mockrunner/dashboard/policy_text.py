"""A policy document as the dashboard shows it: one block per statement, pretty-printed, some highlighted."""
from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any


def statement_blocks(document: str | dict | None, highlighted: Collection[int] = ()) -> dict[str, Any]:
    """``{"blocks": [{"index", "sid", "effect", "text", "hit"}], "version", "error"}`` for a policy document.

    ``highlighted`` holds statement indexes (as the engine numbers them: position in the Statement list, a
    single statement object being 0).  A document that is not JSON is shown as its text, unhighlighted.
    """
    if document is None:
        return {"blocks": [], "version": None, "error": "the policy no longer exists"}
    try:
        parsed = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return {"blocks": [{"index": 0, "sid": None, "effect": None, "text": str(document), "hit": False}],
                "version": None, "error": "not JSON"}
    statements = parsed.get("Statement") if isinstance(parsed, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return {"blocks": [{"index": 0, "sid": None, "effect": None, "text": json.dumps(parsed, indent=2),
                            "hit": False}], "version": None, "error": "no Statement list"}
    blocks = [{"index": index, "sid": s.get("Sid") if isinstance(s, dict) else None,
               "effect": s.get("Effect") if isinstance(s, dict) else None,
               "text": json.dumps(s, indent=2), "hit": index in highlighted} for index, s in enumerate(statements)]
    return {"blocks": blocks, "version": parsed.get("Version"), "error": None}
