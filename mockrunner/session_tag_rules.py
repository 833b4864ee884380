"""The rules a session tag meets however it arrives.

STS API reference, ``Tag``: a key of 1 to 128 characters and a value of 0 to 256, both of letters, separators,
digits and ``_.:/=+-@`` (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]``).  The ``Tags`` parameter of AssumeRole and
GetFederationToken meets them through the model's constraints; the tags a web identity token
(``https://aws.amazon.com/tags``) or a SAML assertion (``PrincipalTag:<key>``) carries meet them through
:func:`refusal`, so neither can give a session a tag the API would refuse (a control character, an empty or
500-character key).
"""
from __future__ import annotations

from mockrunner.protocol.patterns import compile_pattern

MAX_KEY = 128
MAX_VALUE = 256
_CHARACTERS = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]"
_KEY = compile_pattern(_CHARACTERS + "+")
_VALUE = compile_pattern(_CHARACTERS + "*")
ALLOWED = "letters, digits, spaces and _.:/=+-@"


def refusal(key: str, value: str) -> str | None:
    """Why ``key``/``value`` cannot be a session tag, or None when they can."""
    if not 1 <= len(key) <= MAX_KEY or _KEY is None or not _KEY.fullmatch(key):
        return f"The session tag key {key!r} must be 1 to {MAX_KEY} characters of {ALLOWED}."
    if len(value) > MAX_VALUE or _VALUE is None or not _VALUE.fullmatch(value):
        return f"The value of session tag {key} must be at most {MAX_VALUE} characters of {ALLOWED}."
    return None
