"""STS's words for a session policy (``Policy``) that is not JSON at all.

STS reads session policies with a Java JSON parser and answers ``MalformedPolicyDocument`` with the parser's own
message, unlike IAM ("This policy contains invalid Json" / "Syntax errors in policy."). Recorded from AWS:
amazon.aws pull request #2778 (2025-12) quotes AssumeRole with ``Policy="invalid policy"``::

    Unexpected character ('i' (code 105)): expected a valid value (number, String, array, object, 'true', 'false'
    or 'null')
     at [Source: java.io.StringReader@52b5743d; line: 1, column: 2]

(Hadoop's tests saw the same change in 2025-12.) Before that, STS answered "The policy is not in the valid JSON
format." (the amazon.aws ``sts_assume_role`` integration target asserted it against AWS for years).

:func:`not_json_message` gives the parser's message where a document's first character cannot begin a JSON value
(the recorded case; the column is the parser's, one past the character, 1-based) and the older sentence for any
other text that is not JSON (*unverified*: how the parser words an error later in a document was not recorded).
The ``StringReader@`` number is an object address in AWS's answer; here it is derived from the document.
"""
from __future__ import annotations

import zlib

from mockrunner import json_nesting
from mockrunner.iam_engine.size import JSON_WHITESPACE

#: Characters that may begin a JSON value, or close a container (the parser words those differently).
_VALUE_STARTS = frozenset('{["-0123456789tfn]}')
OLD_MESSAGE = "The policy is not in the valid JSON format."


def not_json_message(document: str) -> str | None:
    """STS's ``MalformedPolicyDocument`` message for ``document`` when it is not JSON, else ``None``."""
    try:
        json_nesting.loads(document)
    except RecursionError:
        return None  # nested deeper than the decoder goes: the policy engine's own answer
    except ValueError:
        pass
    else:
        return None
    stripped = document.lstrip(JSON_WHITESPACE)
    if not stripped or stripped[0] in _VALUE_STARTS:
        return OLD_MESSAGE
    offset = len(document) - len(stripped)
    line = document.count("\n", 0, offset) + 1
    column = offset - (document.rfind("\n", 0, offset) + 1) + 2
    reader = f"{zlib.crc32(document.encode('utf-8', 'surrogatepass')):08x}"
    return (f"Unexpected character ({_describe(stripped[0])}): expected a valid value (number, String, array, object, "
            f"'true', 'false' or 'null')\n at [Source: java.io.StringReader@{reader}; line: {line}, column: {column}]")


def _describe(char: str) -> str:
    """The parser's description of a character: control characters by code (in parentheses of their own), others
    quoted with their code (and its hexadecimal past 255)."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{char}' (code {code} / 0x{code:x})"
    return f"'{char}' (code {code})"
