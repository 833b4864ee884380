"""``AssumeRoleWithSAML``: a role session for someone a SAML provider of the account vouches for.

An unsigned call.  The SAML response is checked against the provider ``PrincipalArn`` names
(:mod:`mockrunner.saml.response`); its ``https://aws.amazon.com/SAML/Attributes/Role`` attribute must pair
``RoleArn`` with ``PrincipalArn`` (``role,provider`` in either order); then the role's trust policy decides for the
provider (``Principal: {"Federated": <provider ARN>}``) with the ``saml:`` keys (:mod:`mockrunner.saml.condition_keys`).
Every refusal by policy and a role that does not exist are the same ``AccessDenied`` "Not authorized to perform
sts:AssumeRoleWithSAML"; a missing ``Role`` pair is ``InvalidIdentityToken`` (recorded from AWS).
Decisions are logged with the assertion's attributes and the
keys derived from them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from mockrunner import session_tag_rules
from mockrunner.arns import split_arn
from mockrunner.auth import authorizer
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import Principal
from mockrunner.model.iam import new_role_session
from mockrunner.numerals import is_decimal
from mockrunner.services.registry import no_checks, op
from mockrunner.services.sts import token_size
from mockrunner.services.sts.core import (
    MIN_DURATION,
    _check_duration,
    _role_from_arn,
    _session_policy_set,
    _session_result,
    check_packed_size,
    checked_role_arn,
)
from mockrunner.services.sts.federated_keys import federated_principal_keys

SAML_DENIED = "Not authorized to perform sts:AssumeRoleWithSAML"
ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
MAX_SESSION_DURATION = 43200
NO_ROLE_PAIR = "SAML Assertion doesn't contain the requested Role and Metadata in the attributes"
"""Recorded from AWS, 2026-09-11 (radkawar/stackd, internal/services/sts/testdata/saml_aws.json, "wrong_role")."""


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidIdentityToken", message, 400)


def _single(attributes: dict[str, list[str]], name: str) -> str | None:
    values = attributes.get(ATTRIBUTES + name)
    if values is None:
        return None
    if len(values) != 1:
        raise _invalid(f"{name} in AuthnResponse must have exactly one value")
    return values[0]


def _session_name(attributes: dict[str, list[str]]) -> str:
    name = _single(attributes, "RoleSessionName")
    if name is None:
        raise _invalid("RoleSessionName is required in AuthnResponse")
    if not session_tag_rules.SESSION_NAME.fullmatch(name):
        raise _invalid("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    return name


def _session_duration(attributes: dict[str, list[str]]) -> int | None:
    text = _single(attributes, "SessionDuration")
    if text is None:
        return None
    if not is_decimal(text) or not MIN_DURATION <= int(text) <= MAX_SESSION_DURATION:
        raise _invalid(f"SessionDuration in AuthnResponse must be a number of seconds from {MIN_DURATION} to "
                       f"{MAX_SESSION_DURATION}")
    return int(text)


def _source_identity(attributes: dict[str, list[str]]) -> str | None:
    source = _single(attributes, "SourceIdentity")
    if source is not None and not session_tag_rules.SESSION_NAME.fullmatch(source):
        raise _invalid('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"')
    return source


def _session_tags(attributes: dict[str, list[str]]) -> tuple[dict[str, str], list[str]]:
    """``PrincipalTag:<key>`` attributes (one value each, held to the ``Tag`` rules of
    :mod:`mockrunner.session_tag_rules`) and ``TransitiveTagKeys`` (IAM User Guide, "Passing session tags using
    AssumeRoleWithSAML")."""
    tags: dict[str, str] = {}
    for name, values in attributes.items():
        if name.startswith(ATTRIBUTES + "PrincipalTag:"):
            key = name[len(ATTRIBUTES + "PrincipalTag:"):]
            if len(values) != 1:
                raise _invalid(f"PrincipalTag:{key} in AuthnResponse must have exactly one value")
            if any(key.lower() == other.lower() for other in tags):
                raise _invalid(f"The tag {key} is set more than once in AuthnResponse")
            refusal = session_tag_rules.refusal(key, values[0])
            if refusal is not None:
                raise _invalid(refusal)
            tags[key] = values[0]
    transitive = list(attributes.get(ATTRIBUTES + "TransitiveTagKeys", []))
    lowered = {key.lower() for key in tags}
    if any(key.lower() not in lowered for key in transitive):
        raise _invalid("The specified transitive tag key must be included in the requested tags.")
    return tags, transitive


def _names_pair(value: str, role_arn: str, provider_arn: str) -> bool:
    parts = [part.strip() for part in value.split(",")]
    return len(parts) == 2 and sorted(parts) == sorted([role_arn, provider_arn])


def _duration(ctx: RequestContext, role: Any, requested_default: int | None, session_end: datetime | None) -> int:
    """``DurationSeconds`` (checked against the role) or an hour, shortened by the ``SessionDuration`` attribute and
    the assertion's ``SessionNotOnOrAfter``, even below 15 minutes. Recorded from AWS, 2026-09-11 (radkawar/stackd,
    internal/services/sts/testdata/saml_aws.json): SessionDuration 7200 without DurationSeconds is an hour
    ("session_duration_7200"), SessionDuration 900 is 900 s, DurationSeconds 7200 is 7200 s, a SessionNotOnOrAfter
    600 s ahead leaves 598 s ("session_expires_600") and a passed one is "Response has expired"."""
    requested = ctx.params.get("DurationSeconds")
    if requested is not None:
        _check_duration(role, requested)
    duration = requested if requested is not None else min(3600, role.max_session_duration)
    if requested_default is not None:
        duration = min(duration, requested_default)
    if session_end is not None:
        left = int((session_end - ctx.store.clock.now()).total_seconds())
        if left <= 0:
            raise ServiceError("ExpiredTokenException", "Response has expired", 400)
        duration = min(duration, left)
    return duration


@op("sts", "AssumeRoleWithSAML", authz=no_checks)
def assume_role_with_saml(ctx: RequestContext) -> dict:
    from mockrunner.saml import condition_keys, metadata, response
    from mockrunner.services.iam.saml_providers import find_provider

    params, store = ctx.params, ctx.store
    role_arn = checked_role_arn(params["RoleArn"])
    provider_arn = checked_role_arn(params["PrincipalArn"])
    account_id, role = _role_from_arn(ctx, role_arn)
    provider_account = store.account(split_arn(provider_arn).account)
    provider = find_provider(provider_account.iam, provider_arn) if provider_account is not None else None
    if provider is None:
        raise _invalid("Specified provider doesn't exist")
    try:
        idp = metadata.read(provider.metadata_document)
    except metadata.MetadataError:
        raise _invalid("The SAML provider's metadata cannot be read") from None  # fail closed (imported state)
    assertion = response.verify(params["SAMLAssertion"], provider, idp, store.clock.now())
    attributes = assertion.attributes
    if not any(_names_pair(value, role_arn, provider_arn) for value in attributes.get(ATTRIBUTES + "Role", [])):
        raise _invalid(NO_ROLE_PAIR)
    session_name = _session_name(attributes)
    session_duration = _session_duration(attributes)
    source_identity = _source_identity(attributes)
    tags, transitive = _session_tags(attributes)
    provider_account_id = split_arn(provider.arn).account
    keys: dict[str, Any] = {
        **condition_keys.condition_keys(issuer=assertion.issuer, subject=assertion.subject,
                                        subject_type=assertion.subject_type, recipient=assertion.recipient,
                                        account_id=provider_account_id, provider_name=provider.name,
                                        attributes=attributes),
        "sts:RoleSessionName": session_name,
        **federated_principal_keys(provider.arn),
    }
    for key, value in tags.items():
        keys[f"aws:RequestTag/{key}"] = value
    if tags:
        keys["aws:TagKeys"] = list(tags)
    if transitive:
        keys["sts:TransitiveTagKeys"] = transitive
    if source_identity is not None:
        keys["sts:SourceIdentity"] = source_identity
    if role is not None:
        keys.update(resource_tag_keys(role, "role"))
    common = {"resource_policy": role.assume_role_policy if role is not None else None,
              "resource_policy_id": f"{role_arn}#trust-policy", "resource_account": account_id}
    checks = [Check("sts:AssumeRoleWithSAML", role_arn, keys, **common)]
    if tags:
        checks.append(Check("sts:TagSession", role_arn, keys, **common))
    if source_identity is not None:
        checks.append(Check("sts:SetSourceIdentity", role_arn, keys, **common))
    principal = Principal(arn=provider.arn, account=provider_account_id, type="Federated")
    details = {"samlAttributes": attributes, "conditionKeys": keys, "provider": provider.arn}
    if authorizer.authorize_principal(ctx, principal, checks, details) is not None or role is None:
        raise ServiceError("AccessDenied", SAML_DENIED, 403)
    duration = _duration(ctx, role, session_duration, assertion.session_not_on_or_after)
    policies, policy_arns = _session_policy_set(params, store.account(role.account_id).iam)
    check_packed_size(policies, policy_arns, tags)
    session = new_role_session(store.account(role.account_id).iam, store.clock.now(), role, session_name, duration,
                               policies=policies, policy_arns=policy_arns, tags=tags, transitive_tag_keys=transitive,
                               source_identity=source_identity, federated_subject=assertion.subject,
                               saml_subject_type=assertion.subject_type,
                               saml_name_qualifier=keys["saml:namequalifier"],
                               minimum_token_size=token_size.minimum_size(ctx.params))
    return {**_session_result(session, policies, policy_arns, tags),
            **token_size.requested_size_members(ctx.params, session.session_token),
            "Subject": assertion.subject, "SubjectType": assertion.subject_type, "Issuer": assertion.issuer,
            "Audience": assertion.recipient, "NameQualifier": keys["saml:namequalifier"]}
