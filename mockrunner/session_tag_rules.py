"""The rules a session's tags, name and source identity meet however they arrive.

STS's model, shapes ``tagKeyType`` and ``tagValueType``: a key of 1 to 128 characters and a value of 0 to 256, both
of letters, separators, digits and ``_.:/=+-@``.  The ``Tags`` parameter of AssumeRole and GetFederationToken meets
them through the model's constraints; the tags a web identity token (``https://aws.amazon.com/tags``) or a SAML
assertion (``PrincipalTag:<key>``) carries meet the same shapes through :func:`refusal`, so neither can give a
session a tag the API would refuse (a control character, an empty or 500-character key).  A role session name or a
source identity from an assertion or a token meets :data:`SESSION_NAME`, as AssumeRole's parameters do.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from mockrunner.protocol import specs
from mockrunner.protocol.validation import first_violation

ALLOWED = "letters, digits, spaces and _.:/=+-@"
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
"""AssumeRole's ``RoleSessionName`` and ``SourceIdentity`` (STS's model: 2 to 64 of ``[\\w+=,.@-]``, so a source
identity never begins with ``aws:``), for the values a SAML assertion or a web identity token gives them."""


@cache
def _test(shape: str) -> Callable[[Any], str | None]:
    return first_violation(specs.service_model("sts").shape_for(shape))


def refusal(key: str, value: str) -> str | None:
    """Why ``key``/``value`` cannot be a session tag, or None when they can."""
    if _test("tagKeyType")(key) is not None:
        return f"The session tag key {key!r} must be 1 to 128 characters of {ALLOWED}."
    if _test("tagValueType")(value) is not None:
        return f"The value of session tag {key} must be at most 256 characters of {ALLOWED}."
    return None
