"""JSON read strictly: the one reader of policy text (the engine's) and of the documents people hand to mockrunner
(admin request bodies, seed files, state imports).

:func:`loads` is ``json.loads`` that also refuses what the standard parser lets through: an object naming a key
twice (:class:`DuplicateKey`: which value wins differs between parsers, so the document is ambiguous —
``{"Effect": "Deny", "Effect": "Allow"}`` would read as an Allow; the IAM User Guide, "Troubleshooting IAM
policies", calls a repeated policy element incorrect), and (:class:`NotJson`) ``NaN`` and ``Infinity`` (not JSON;
a ``NumericLessThan`` against ``Infinity`` would hold for every number), nesting deeper than the parser goes and
integers longer than Python reads.  Both are ``ValueError``s saying why.
"""
from __future__ import annotations

import json
import re
from typing import Any

from mockrunner import json_nesting


class NotJson(ValueError):
    """The text is not one JSON document (a syntax error, a non-JSON constant, nesting too deep, a number too long)."""


class DuplicateKey(ValueError):
    """The text is JSON, but an object in it names a key twice."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise DuplicateKey(f"the key {twice[:100]!r} appears twice in one object")
    return document


def _not_json(name: str) -> Any:
    raise NotJson(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise NotJson(f"a number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


MAX_INTEGER_DIGITS = 4300
"""The most digits an integer may have: Python's own limit for reading one."""


_SURROGATE_SPELLING = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
"""How half a UTF-16 surrogate pair can be spelled in decoded text: a ``\\ud800`` escape, or the code point itself
(bytes decoded with ``surrogatepass``, as ``json.loads`` decodes them: CESU-8, or a lone code unit of UTF-16).  A
document without either cannot hold one."""


def is_unicode_text(value: Any) -> bool:
    """Whether every string in ``value`` (a JSON-ready document, or one string) is Unicode text: none holds half a
    UTF-16 surrogate pair, which a JSON ``\\ud800`` escape can spell but no page, answer or file can encode."""
    try:
        (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unicode_only(text: str, document: Any) -> None:
    if _SURROGATE_SPELLING.search(text) is not None and not is_unicode_text(document):
        raise NotJson("a string holds half a UTF-16 surrogate pair (not Unicode text)")


def loads(text: str | bytes, *, unicode_only: bool = False) -> Any:
    """The document ``text`` holds; :class:`NotJson` or :class:`DuplicateKey` for anything but one unambiguous
    JSON document.  ``unicode_only`` (documents people hand to mockrunner: admin bodies, seeds) also refuses a
    string holding half a surrogate pair: no page, answer or file could encode it as UTF-8 afterwards."""
    try:
        if isinstance(text, bytes):
            # as json.loads decodes bytes (UTF-8, UTF-16 or UTF-32, by the first bytes), decoded here so that the
            # surrogate check reads the text in every one of them: in a UTF-16 body a ``\ud800`` escape is no
            # byte pattern a UTF-8 reading would find (its bytes interleave NULs)
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        document = json_nesting.loads(text, object_pairs_hook=_unique, parse_constant=_not_json,
                                      parse_int=_integer)
    except (DuplicateKey, NotJson):
        raise
    except RecursionError:
        raise NotJson("the JSON is nested too deeply") from None
    except ValueError as error:
        raise NotJson(str(error)) from None
    if unicode_only:
        _unicode_only(text, document)
    return document


def unparsable_policy_message(text: str, managed: bool) -> str | None:
    """IAM's MalformedPolicyDocument message for policy ``text`` that is not JSON at all (``None`` for JSON, even JSON
    that is no policy): "This policy contains invalid Json", except in a managed policy (``managed``), where it is
    "Syntax errors in policy." (recorded from AWS for CreatePolicy: LocalStack snapshot
    tests/aws/services/iam/test_iam_policies.snapshot.json, invalid-0)."""
    try:
        loads(text)
    except DuplicateKey:
        return None  # JSON, but not a policy
    except ValueError:
        return "Syntax errors in policy." if managed else "This policy contains invalid Json"
    return None
