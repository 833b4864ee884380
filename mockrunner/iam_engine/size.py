"""How long a policy document is for IAM's and STS's size quotas: its characters, whitespace not counted (IAM User
Guide, "IAM and AWS STS quotas": "IAM doesn't count white space when calculating the size of a policy").

Whitespace here is JSON's (RFC 8259 section 2: space, horizontal tab, line feed, carriage return), the only
whitespace a policy can hold besides two characters of its allowed range that are whitespace to Python's
``str.split`` but not to JSON nor to Java's ``Character.isWhitespace``: U+0085 (NEL) and U+00A0 (no-break space).
Counting those as whitespace let a document padded with them pass any size quota (a 2,048-character trust policy
quota took 5,000 no-break spaces).  Whether IAM counts whitespace inside string values is not public; it is not
counted anywhere here.
"""
from __future__ import annotations

JSON_WHITESPACE = " \t\n\r"
"""The characters JSON reads as whitespace between tokens (RFC 8259 section 2)."""
_UNCOUNTED = str.maketrans("", "", JSON_WHITESPACE)


def policy_size(document: str) -> int:
    """The characters of ``document`` that count against a policy size quota (all but JSON's whitespace)."""
    return len(document.translate(_UNCOUNTED))
