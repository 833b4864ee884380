"""The conditions IAM requires of a trust policy that lets some identity providers' users in.

Recorded from AWS, 2026-09-11 (radkawar/stackd, iam/policy/testdata/oidc_trust_controls_aws.json,
oidc_trust_controls_edges_aws.json and oidc_trust_controls_github_aws.json; CreateRole with each document): an
``Allow`` statement whose ``Federated`` principal is one of these providers and whose ``Action`` names
``sts:AssumeRoleWithWebIdentity`` must hold a condition on the provider's key, with an operator of the provider's
list (``ForAnyValue:``/``ForAllValues:`` taken too, ``...IfExists`` never), and, for the scoped providers, no value
that is "scoped to all". ``Deny`` statements and statements for ``sts:TagSession`` alone are not held to it.

* GitHub (``oidc-provider/token.actions.githubusercontent.com``): ``:sub`` or ``:job_workflow_ref``; a value of
  wildcards only (``*``, ``**``, ``*?``) or an empty one is scoped to all (``?`` is not); the message names the
  provider's ARN.
* GitLab (``gitlab.com``), HCP Terraform (``app.terraform.io``): ``:sub``; ``Cognito``
  (``cognito-identity.amazonaws.com``): ``:aud``, and a statement without any ``Condition`` is "A condition block
  must be present for the Cognito provider"; for these three only ``*`` is scoped to all.
* Google (``accounts.google.com``: ``aud``, ``oaud`` or ``sub``) and Login with Amazon (``www.amazon.com``:
  ``app_id`` or ``sub``): a ``StringEquals``-family condition on one of those keys, spelled in lower case, any value.

Keys of the scoped providers compare without case. A statement holding a key with a good value and, under another
operator, one scoped to all is refused here (AWS's answer to that is not in the recording: *unverified*), and so is
an ``sts:*`` or ``*`` action (AWS answered "AssumeRole policy may only specify STS AssumeRole actions." for ``sts:*``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_STRING_MATCHES = ("stringequals", "stringlike", "stringequalsignorecase")
_EQUALS = ("stringequals", "stringequalsignorecase")


def _only_wildcards(value: str) -> bool:
    return value == "" or ("*" in value and set(value) <= {"*", "?"})


def _star(value: str) -> bool:
    return value == "*"


@dataclass(frozen=True)
class Control:
    """What one provider's trust statements must say."""

    keys: tuple[str, ...]
    operators: tuple[str, ...]
    scoped_to_all: Callable[[str], bool] | None
    message: str
    keys_ignore_case: bool = True
    condition_block: str | None = None
    """The refusal of a statement with no ``Condition`` at all (Cognito's), if it has its own."""
    by_arn: bool = True
    """Named by an IAM OIDC provider's ARN (``...:oidc-provider/<host>``); else by the bare host, as IAM's built-in
    web identity providers (Cognito, Google, Login with Amazon) are."""


def _scoped(name: str, keys: str) -> str:
    return (f"Trust policy with trusted principal {name} must evaluate, using StringEquals, StringLike or "
            f"StringEqualsIgnoreCase, {keys} which is not scoped to all.")


_GITHUB = "token.actions.githubusercontent.com"
_APP_ID = "Policy trusting {} requires a StringEquals condition on an application id"
CONTROLS: dict[str, Control] = {
    _GITHUB: Control((f"{_GITHUB}:sub", f"{_GITHUB}:job_workflow_ref"), _STRING_MATCHES, _only_wildcards,
                     _scoped("{principal}", f"{_GITHUB}:sub or {_GITHUB}:job_workflow_ref")),
    "gitlab.com": Control(("gitlab.com:sub",), _STRING_MATCHES, _star, _scoped("gitlab.com", "gitlab.com:sub")),
    "app.terraform.io": Control(("app.terraform.io:sub",), _STRING_MATCHES, _star,
                                _scoped("app.terraform.io", "app.terraform.io:sub")),
    "cognito-identity.amazonaws.com": Control(
        ("cognito-identity.amazonaws.com:aud",), _STRING_MATCHES, _star,
        _scoped("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud"),
        condition_block="A condition block must be present for the Cognito provider", by_arn=False),
    "accounts.google.com": Control(("accounts.google.com:aud", "accounts.google.com:oaud", "accounts.google.com:sub"),
                                   _EQUALS, None, _APP_ID.format("accounts.google.com"), keys_ignore_case=False,
                                   by_arn=False),
    "www.amazon.com": Control(("www.amazon.com:app_id", "www.amazon.com:sub"), _EQUALS, None,
                              _APP_ID.format("www.amazon.com"), keys_ignore_case=False, by_arn=False),
}


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _control(principal: str) -> Control | None:
    """The control for a ``Federated`` value: an IAM OIDC provider's ARN, or a built-in provider's host."""
    head, marker, host = principal.partition(":oidc-provider/")
    by_arn = bool(marker) and head.startswith("arn:")
    control = CONTROLS.get(host if by_arn else principal)
    return control if control is not None and control.by_arn == by_arn else None


def _web_identity(actions: Any) -> bool:
    return any(isinstance(action, str) and action.lower() in ("*", "sts:*", "sts:assumerolewithwebidentity")
               for action in _listed(actions))


def _operator(name: str) -> str:
    lowered = name.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if lowered.startswith(prefix):
            return lowered[len(prefix):]
    return lowered


def _verdict(control: Control, condition: Any) -> bool:
    """Whether ``condition`` holds a required key under an allowed operator, with no value scoped to all."""
    found = False
    for operator, block in (condition.items() if isinstance(condition, dict) else ()):
        if _operator(operator) not in control.operators or not isinstance(block, dict):
            continue
        for key, values in block.items():
            named = key.lower() if control.keys_ignore_case else key
            if named not in control.keys:
                continue
            if control.scoped_to_all is not None and any(
                    isinstance(value, str) and control.scoped_to_all(value) for value in _listed(values)):
                return False
            found = True
    return found


def refusal(document: Any) -> str | None:
    """IAM's ``MalformedPolicyDocument`` message for a trust ``document`` (parsed, already valid) that trusts one
    of :data:`CONTROLS`' providers without the condition it requires, or None."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in _listed(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        federated = principal.get("Federated") if isinstance(principal, dict) else None
        if federated is None or not _web_identity(statement.get("Action")):
            continue
        for name in _names(federated):
            control = _control(name)
            if control is None:
                continue
            condition = statement.get("Condition")
            if condition is None and control.condition_block is not None:
                return control.condition_block
            if not _verdict(control, condition):
                return control.message.format(principal=name)
    return None


def _names(federated: Any) -> Iterable[str]:
    return [name for name in _listed(federated) if isinstance(name, str)]
