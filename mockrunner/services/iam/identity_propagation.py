"""Trusted identity propagation on IAM identity providers (OIDC and SAML): the ``ContextProvider`` and the IAM
Identity Center instance a provider is associated with.

A context provider names the token/assertion key the subject comes from (``SubjectSourceKey``), optionally the
subject type (a static ``SubjectTypeValue`` or a ``SubjectTypeSourceKey``, not both) and up to ten source-to-target
key mappings.  Every key holds ASCII letters, digits, single spaces and ``_ . : / = + - @ #``, and neither starts
nor ends with a space (the ContextProvider reference).  An Identity Center instance can be associated only with a
provider that has a context provider: given at creation together with one, or set on a provider that already has
one.  An update changes either the context provider or the association, never both, gives a value or its
``Remove...`` flag, never both, and a context provider cannot be removed while an instance is associated
(UpdateOpenIDConnectProvider reference).  Violations are ``InvalidInput`` (wording unverified).

mockrunner models no IAM Identity Center: any instance ARN of the documented shape is accepted, and the identity
store ARN reported with it is derived from the instance ARN (stable, of the real shape; unverified).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from mockrunner.errors import ServiceError

_KEY = re.compile(r"[A-Za-z0-9_.:/=+\-@#]+( [A-Za-z0-9_.:/=+\-@#]+)*")
_INSTANCE_ARN = re.compile(r"arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}")
"""InstanceMetadata's InstanceArn (IAM Identity Center API reference)."""


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def _key(value: str, member: str) -> str:
    if not _KEY.fullmatch(value):
        raise _invalid(f"Invalid {member} '{value}': a key can contain only ASCII letters, numbers, single spaces "
                       "and the characters _ . : / = + - @ #, and cannot start or end with a space.")
    return value


def context_provider_in(given: Mapping[str, Any]) -> dict[str, Any]:
    """A request's ``ContextProvider``, checked, in the wire form it is stored and reported in."""
    out: dict[str, Any] = {"SubjectSourceKey": _key(given["SubjectSourceKey"], "SubjectSourceKey")}
    type_value, type_key = given.get("SubjectTypeValue"), given.get("SubjectTypeSourceKey")
    if type_value is not None and type_key is not None:
        raise _invalid("SubjectTypeValue and SubjectTypeSourceKey are mutually exclusive: specify one or neither.")
    if type_value is not None:
        out["SubjectTypeValue"] = type_value
    if type_key is not None:
        out["SubjectTypeSourceKey"] = _key(type_key, "SubjectTypeSourceKey")
    definitions = []
    for definition in given.get("KeyDefinitionList") or []:
        entry = {"SourceKey": _key(definition["SourceKey"], "SourceKey")}
        if definition.get("TargetKey") is not None:
            entry["TargetKey"] = _key(definition["TargetKey"], "TargetKey")
        definitions.append(entry)
    out["KeyDefinitionList"] = definitions
    return out


def instance_arn_in(arn: str) -> str:
    if not _INSTANCE_ARN.fullmatch(arn):
        raise _invalid(f"Invalid IdentityCenterInstanceArn {arn}: it must be the ARN of an IAM Identity Center "
                       "instance (arn:aws:sso:::instance/ssoins-<16 characters>).")
    return arn


def identity_store_arn(account_id: str, instance_arn: str) -> str:
    store_id = hashlib.sha256(instance_arn.encode("utf-8")).hexdigest()[:10]
    return f"arn:aws:identitystore::{account_id}:identitystore/d-{store_id}"


def created(params: Mapping[str, Any]) -> dict[str, Any]:
    """The provider fields a Create request sets (an instance needs a context provider in the same request)."""
    given, instance = params.get("ContextProvider"), params.get("IdentityCenterInstanceArn")
    if instance is not None and given is None:
        raise _invalid("IdentityCenterInstanceArn requires a ContextProvider.")
    return {"context_provider": context_provider_in(given) if given is not None else None,
            "identity_center_instance_arn": instance_arn_in(instance) if instance is not None else None}


def updated(provider: Any, params: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    """The provider fields an update changes; ``required``: an update that changes nothing is refused."""
    given, remove_given = params.get("ContextProvider"), bool(params.get("RemoveContextProvider"))
    instance = params.get("IdentityCenterInstanceArn")
    remove_instance = bool(params.get("RemoveIdentityCenterInstance"))
    if given is not None and remove_given:
        raise _invalid("ContextProvider and RemoveContextProvider cannot be specified in the same request.")
    if instance is not None and remove_instance:
        raise _invalid("IdentityCenterInstanceArn and RemoveIdentityCenterInstance cannot be specified in the same "
                       "request.")
    provider_change = given is not None or remove_given
    instance_change = instance is not None or remove_instance
    if provider_change and instance_change:
        raise _invalid("A request can change either the context provider or the IAM Identity Center association, "
                       "not both.")
    if remove_given and provider.identity_center_instance_arn is not None:
        raise _invalid("Cannot remove the context provider while an IAM Identity Center instance is associated: "
                       "remove the association first.")
    if instance is not None and provider.context_provider is None:
        raise _invalid("IdentityCenterInstanceArn requires a ContextProvider.")
    if provider_change:
        return {"context_provider": context_provider_in(given) if given is not None else None}
    if instance_change:
        return {"identity_center_instance_arn": instance_arn_in(instance) if instance is not None else None}
    if required:
        raise _invalid("No updates are defined for the identity provider.")
    return {}


def propagation_out(account_id: str, provider: Any) -> dict[str, Any]:
    """``ContextProvider``, ``IdentityCenterInstanceArn`` and ``IdentityStoreArn``, each only when set."""
    out: dict[str, Any] = {}
    if provider.context_provider is not None:
        out["ContextProvider"] = provider.context_provider
    if provider.identity_center_instance_arn is not None:
        out["IdentityCenterInstanceArn"] = provider.identity_center_instance_arn
        out["IdentityStoreArn"] = identity_store_arn(account_id, provider.identity_center_instance_arn)
    return out


def propagation_keys(params: Mapping[str, Any], provider: Any, keys: dict[str, Any]) -> None:
    """The request's and the provider's identity propagation condition keys (IAM condition key reference:
    ``iam:EnableIdentityPropagation``, ``iam:EnableIdentityCenterAssociation``,
    ``iam:RequestIdentityCenterInstanceArn``, ``iam:ResourceIdentityCenterInstanceArn``; their values for each
    request are unverified: true when the request sets a context provider / an instance)."""
    if params.get("ContextProvider") is not None:
        keys["iam:EnableIdentityPropagation"] = True
    instance = params.get("IdentityCenterInstanceArn")
    if instance is not None:
        keys["iam:EnableIdentityCenterAssociation"] = True
        keys["iam:RequestIdentityCenterInstanceArn"] = instance
    if provider is not None and provider.identity_center_instance_arn is not None:
        keys["iam:ResourceIdentityCenterInstanceArn"] = provider.identity_center_instance_arn
