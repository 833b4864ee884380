"""The conditions IAM requires of a trust policy that lets some identity providers' users in.

Recorded from AWS, 2026-09-11 (radkawar/stackd, iam/policy/testdata/oidc_trust_controls_aws.json,
oidc_trust_controls_edges_aws.json, oidc_trust_controls_github_aws.json and oidc_trust_controls_details_aws.json;
CreateRole with each document): an ``Allow`` statement whose ``Federated`` principal is one of these providers and
whose actions take in ``sts:AssumeRoleWithWebIdentity`` must hold a condition on one of the provider's keys, with an
operator of the provider's list (``ForAnyValue:``/``ForAllValues:`` taken too, ``...IfExists`` never), and, for the
scoped providers, with no value in that operator's block that is "scoped to all"; one such block is enough (a good
``StringEquals`` beside a ``StringLike`` of ``*`` is accepted). ``Deny`` statements and statements for
``sts:TagSession`` alone are not held to it.

* GitHub: every IAM OIDC provider whose host begins with ``token.actions.githubusercontent.com`` (``.../private``,
  ``...com.example.test`` and ``...comother`` alike): ``<host>:sub`` or ``<host>:job_workflow_ref``; a value that
  begins with ``*`` (``*``, ``**``, ``*?``, ``*owned``) or is blank (``""``, ``" "``) is scoped to all (``?``,
  ``?*``, ``owned*`` are not); the message names the provider's ARN.
* GitLab (``gitlab.com``), HCP Terraform (``app.terraform.io``), GitHub's other issuer
  ``vstoken.actions.githubusercontent.com`` (exact hosts: ``gitlab.com/private`` is not held to it): ``:sub``;
  Cognito (``cognito-identity.amazonaws.com``): ``:aud``, and a statement without any ``Condition`` is "A
  condition block must be present for the Cognito provider"; for these only ``*`` is scoped to all.
* Google (``accounts.google.com``: ``aud``, ``oaud`` or ``sub``), Login with Amazon (``www.amazon.com``: ``app_id``
  or ``sub``) and Facebook (``graph.facebook.com``: ``app_id`` or ``sub``): a ``StringEquals``-family condition on
  one of those keys, spelled in lower case, any value.

Keys of the scoped providers compare without case. Not recorded, so mockrunner's choices (fail closed,
*unverified*): a ``NotAction`` statement is held to the rule unless its list takes out
``sts:AssumeRoleWithWebIdentity``; the GitHub prefix compares with case. (``sts:*`` and ``*`` never get here: the
policy grammar refuses any trust action but the STS assume family named exactly.)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mockrunner.iam_engine.matching import compile_actions

_STRING_MATCHES = ("stringequals", "stringlike", "stringequalsignorecase")
_EQUALS = ("stringequals", "stringequalsignorecase")
_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def _all_or_blank(value: str) -> bool:
    return value.startswith("*") or not value.strip()


def _star(value: str) -> bool:
    return value == "*"


@dataclass(frozen=True)
class Control:
    """What one provider's trust statements must say."""

    claims: tuple[str, ...]
    """The claims whose keys (``<host>:<claim>``) may carry the condition."""
    operators: tuple[str, ...]
    scoped_to_all: Callable[[str], bool] | None
    message: str
    """The refusal; ``{principal}`` is the ``Federated`` value, ``{host}`` the provider's host."""
    keys_ignore_case: bool = True
    condition_block: str | None = None
    """The refusal of a statement with no ``Condition`` at all (Cognito's), if it has its own."""
    by_arn: bool = True
    """Named by an IAM OIDC provider's ARN (``...:oidc-provider/<host>``); else by the bare host, as IAM's built-in
    web identity providers (Cognito, Google, Login with Amazon, Facebook) are."""


def _scoped(name: str, keys: str) -> str:
    return (f"Trust policy with trusted principal {name} must evaluate, using StringEquals, StringLike or "
            f"StringEqualsIgnoreCase, {keys} which is not scoped to all.")


def _sub_only(host: str, **options: Any) -> Control:
    return Control(("sub",), _STRING_MATCHES, _star, _scoped(host, f"{host}:sub"), **options)


def _app_id(host: str, claims: tuple[str, ...]) -> Control:
    return Control(claims, _EQUALS, None, f"Policy trusting {host} requires a StringEquals condition on an "
                                          "application id", keys_ignore_case=False, by_arn=False)


_GITHUB = "token.actions.githubusercontent.com"
GITHUB = Control(("sub", "job_workflow_ref"), _STRING_MATCHES, _all_or_blank,
                 _scoped("{principal}", "{host}:sub or {host}:job_workflow_ref"))
"""Held by every IAM OIDC provider whose host begins with :data:`_GITHUB`."""
CONTROLS: dict[str, Control] = {
    _GITHUB: GITHUB,
    "vstoken.actions.githubusercontent.com": _sub_only("vstoken.actions.githubusercontent.com"),
    "gitlab.com": _sub_only("gitlab.com"),
    "app.terraform.io": _sub_only("app.terraform.io"),
    "cognito-identity.amazonaws.com": Control(
        ("aud",), _STRING_MATCHES, _star,
        _scoped("cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com:aud"),
        condition_block="A condition block must be present for the Cognito provider", by_arn=False),
    "accounts.google.com": _app_id("accounts.google.com", ("aud", "oaud", "sub")),
    "www.amazon.com": _app_id("www.amazon.com", ("app_id", "sub")),
    "graph.facebook.com": _app_id("graph.facebook.com", ("app_id", "sub")),
}


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _control(principal: str) -> tuple[Control, str] | None:
    """The control for a ``Federated`` value (an IAM OIDC provider's ARN, or a built-in provider's host) and the
    provider's host, or None."""
    head, marker, host = principal.partition(":oidc-provider/")
    if marker and head.startswith("arn:"):
        control = CONTROLS.get(host, GITHUB if host.startswith(_GITHUB) else None)
        return (control, host) if control is not None and control.by_arn else None
    control = CONTROLS.get(principal)
    return (control, principal) if control is not None and not control.by_arn else None


def _web_identity(statement: dict) -> bool:
    """Whether the statement's ``Action`` takes in ``sts:AssumeRoleWithWebIdentity``, or its ``NotAction`` does
    not take it out (action names compare without case, wildcards as the engine reads them)."""
    negated = "Action" not in statement
    actions = [a for a in _listed(statement.get("NotAction" if negated else "Action")) if isinstance(a, str)]
    named = bool(actions) and compile_actions(actions).match(_WEB_IDENTITY) is not None
    return named is not negated


def _operator(name: str) -> str:
    lowered = name.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if lowered.startswith(prefix):
            return lowered[len(prefix):]
    return lowered


def _verdict(control: Control, host: str, condition: Any) -> bool:
    """Whether ``condition`` holds an operator block of the control's operators naming one of its keys, with no
    value of those keys in that block scoped to all."""
    keys = {f"{host}:{claim}" for claim in control.claims}
    if control.keys_ignore_case:
        keys = {key.lower() for key in keys}
    for operator, block in (condition.items() if isinstance(condition, dict) else ()):
        if _operator(operator) not in control.operators or not isinstance(block, dict):
            continue
        values = [values for key, values in block.items()
                  if (key.lower() if control.keys_ignore_case else key) in keys]
        if values and not (control.scoped_to_all is not None and any(
                isinstance(value, str) and control.scoped_to_all(value)
                for listed in values for value in _listed(listed))):
            return True
    return False


def refusal(document: Any) -> str | None:
    """IAM's ``MalformedPolicyDocument`` message for a trust ``document`` (parsed, already valid) that trusts one
    of :data:`CONTROLS`' providers without the condition it requires, or None."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in _listed(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        federated = principal.get("Federated") if isinstance(principal, dict) else None
        if federated is None or not _web_identity(statement):
            continue
        for name in _names(federated):
            found = _control(name)
            if found is None:
                continue
            control, host = found
            condition = statement.get("Condition")
            if condition is None and control.condition_block is not None:
                return control.condition_block
            if not _verdict(control, host, condition):
                return control.message.format(principal=name, host=host)
    return None


def _names(federated: Any) -> Iterable[str]:
    return [name for name in _listed(federated) if isinstance(name, str)]
