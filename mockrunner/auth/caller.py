"""The authenticated identity behind a request."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


def principal_tags(entity_tags: Mapping[str, str], session_tags: Mapping[str, str]) -> dict[str, str]:
    """``aws:PrincipalTag`` of a session: the user's or role's tags with the session tags over them, a session tag
    replacing the entity's tag of the same key in any case.  "Tag key-value pairs are not case sensitive, but case
    is preserved ... Assume that the role has the Department=Marketing tag and you pass the department=engineering
    session tag. Department and department are not saved as separate tags, and the session tag passed in the
    request takes precedence over the role tag." (STS API reference, AssumeRole, Tags.)"""
    replaced = {key.lower() for key in session_tags}
    return {**{key: value for key, value in entity_tags.items() if key.lower() not in replaced}, **session_tags}


@dataclass(frozen=True)
class Caller:
    """What the credentials of a request resolve to.

    ``kind`` is the ``aws:PrincipalType`` value: ``Account`` (root), ``User`` or ``AssumedRole``.
    ``entity_name`` is the IAM user's or role's name (``None`` for root); ``session_name`` is set for role
    sessions.  Session policies and tags travel with STS credentials, so they live here and not in IAM.
    """

    account_id: str
    arn: str
    user_id: str
    kind: str
    access_key_id: str
    entity_name: str | None = None
    session_name: str | None = None
    role_arn: str | None = None
    session_policies: tuple = ()
    session_policy_arns: tuple[str, ...] = ()
    has_session_policy: bool = False
    scope_down_policies: tuple[str, ...] = ()
    """GetScopedCredentials' scope-down policies: each one must allow, on top of everything else."""
    session_tags: dict[str, str] = field(default_factory=dict)
    expiration: datetime | None = None
    source_identity: str | None = None
    transitive_tag_keys: tuple[str, ...] = ()
    """Session tag keys a role session passes on when it assumes another role."""
    credential_source: str = "permanent"
    """``root``, ``permanent`` (an IAM user's access key), ``AssumeRole`` or ``GetSessionToken``."""
    tags: dict[str, str] = field(default_factory=dict)
    """``aws:PrincipalTag`` values: the user's or role's tags, overridden by session tags (:func:`principal_tags`)."""
    mfa_authenticated_at: datetime | None = None
    """When the session's credentials were obtained with an MFA code (``None``: without MFA)."""
    token_issued_at: datetime | None = None
    """``aws:TokenIssueTime``: when the session was issued (``None``: long-term credentials)."""
    federated_provider: str | None = None
    """``aws:FederatedProvider``: the OIDC provider a web identity session federated through."""
    federated_subject: str | None = None
    """The user a web identity (``<provider URL>:sub``) or SAML (``saml:sub``) session's federation named."""
    saml_subject_type: str | None = None
    """A SAML session's ``saml:sub_type``."""
    saml_name_qualifier: str | None = None
    """A SAML session's ``saml:namequalifier``."""

    @property
    def is_root(self) -> bool:
        return self.kind == "Account"


def root_caller(account_id: str, access_key_id: str) -> Caller:
    return Caller(
        account_id=account_id,
        arn=f"arn:aws:iam::{account_id}:root",
        user_id=account_id,
        kind="Account",
        access_key_id=access_key_id,
        credential_source="root",
    )


def anonymous_caller() -> Caller:
    """Who sends an operation AWS serves without credentials (AssumeRoleWithWebIdentity): nobody yet."""
    return Caller(account_id="", arn="anonymous", user_id="anonymous", kind="Anonymous", access_key_id="",
                  credential_source="anonymous")
