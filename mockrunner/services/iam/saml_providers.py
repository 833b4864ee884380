"""IAM SAML 2.0 identity providers: the entities ``AssumeRoleWithSAML`` trusts.

A provider is named (``arn:aws:iam::<account>:saml-provider/<name>``, names compared without case as IAM does) and
holds its IdP's metadata document, read by :mod:`mockrunner.saml.metadata` when it is created or updated (an
unreadable document is ``InvalidInput`` "Could not parse metadata").  It may hold up to two private keys (PEM;
IAM takes EC keys too, which decrypt nothing) that decrypt encrypted assertions; ``AssertionEncryptionMode=Required``
needs one and makes STS refuse unencrypted assertions.  Keys are never shown, only their ids and when they were
added.  Every operation is authorized as ``iam:<Operation>`` on the provider's ARN (``ListSAMLProviders``: ``*``),
with ``aws:ResourceTag`` of an existing provider and ``aws:RequestTag``/``aws:TagKeys`` of the request.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from mockrunner.auth.check import Check
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.model.iam import IamState, SamlPrivateKey, SamlProvider
from mockrunner.services.iam.authz import request_keys, resource_keys, tagged_on_create
from mockrunner.services.iam.entities import tags_in
from mockrunner.services.iam.identity_propagation import created, propagation_keys, propagation_out, updated
from mockrunner.services.iam.tags import tag_operations
from mockrunner.services.iam.wire import tagged, tags_out
from mockrunner.services.registry import op

MAX_PROVIDERS = 100
MAX_PRIVATE_KEYS = 2
DEFAULT_ENCRYPTION_MODE = "Allowed"
ARN_RESOURCE = "saml-provider/"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def provider_arn(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:{ARN_RESOURCE}{name}"


UUID_PREFIX = "SAMLSP"
PRIVATE_KEY_PREFIX = "SAMLPK"


def new_key_id(prefix: str) -> str:
    """An id of IAM's shape: ``prefix`` (provider UUIDs ``SAMLSP``, private key ids ``SAMLPK``) and 16 of
    ``[A-Z0-9]``, 22 characters in all.  Recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5,
    internal/services/iam/testdata/federation/saml-validation.json (``SAMLSP4JNM8VGQQQ72G2BM``,
    ``SAMLPK085EWO5D39XRO909``)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def find_provider(iam: IamState, arn: str) -> SamlProvider | None:
    """The provider ``arn`` names in ``iam``, or ``None``: its ARN exactly, but for the name, compared without case."""
    provider = iam.saml_providers.get(arn)
    if provider is not None:
        return provider
    prefix, _, name = arn.rpartition(ARN_RESOURCE)
    if not name:
        return None
    return next((candidate for candidate in iam.saml_providers.values()
                 if candidate.name.lower() == name.lower() and candidate.arn == prefix + ARN_RESOURCE + candidate.name),
                None)


def _provider(ctx: RequestContext) -> SamlProvider:
    arn = ctx.params["SAMLProviderArn"]
    provider = find_provider(ctx.account.iam, arn)
    if provider is None:
        raise ServiceError("NoSuchEntity", f"Manifest not found for arn {arn}", 404)
    return provider


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def _valid_until(document: str, now: datetime) -> datetime:
    """A hundred years from ``now``, whatever ``validUntil`` the metadata states (raises IAM's error for bad
    metadata).  Recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5, internal/services/iam/testdata/
    federation/saml.json: metadata valid until 2030, and an expired one (2020), both gave ``ValidUntil`` 2126."""
    from mockrunner.saml.metadata import MetadataError, NoIssuer, read

    try:
        read(document)
    except NoIssuer:
        # Recorded from AWS, 2026-09-11: saml-validation.json "empty-entity" (an EntityDescriptor, no IdP in it).
        raise _invalid("SAML Providers must reference at least one SAML assertion issuer.") from None
    except MetadataError:
        raise _invalid("Could not parse metadata") from None
    try:
        return now.replace(year=now.year + 100)
    except ValueError:  # 29 February
        return now.replace(year=now.year + 100, day=28)


def _private_key(pem: str, now: datetime) -> SamlPrivateKey:
    """A PEM private key IAM takes: RSA (PKCS#8 or PKCS#1, 1024 bits too) or EC, recorded from AWS, 2026-09-11
    (saml-validation.json).  An EC key decrypts no assertion (:mod:`mockrunner.saml.encryption` reads RSA keys only);
    STS then answers as for an assertion no key of the provider decrypts."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from mockrunner.key_material import UNREADABLE

    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), None)
    except UNREADABLE:
        raise _invalid("Invalid private key: Key format is not recognized.") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise _invalid("Invalid private key: only RSA and EC keys are accepted.")  # not recorded: mockrunner's words
    return SamlPrivateKey(new_key_id(PRIVATE_KEY_PREFIX), now, pem)


def _check_encryption(mode: str | None, keys: list[SamlPrivateKey], creating: bool) -> None:
    """Required needs a private key; IAM's words differ between Create and Update (recorded, saml.json)."""
    if mode == "Required" and not keys:
        if creating:
            raise ServiceError("ValidationError", "Unable to set assertion encryption mode to Required because no "
                               "private key is provided.", 400)
        raise _invalid("Failed to set assertion encryption mode to Required because no private key is present.")


# ------------------------------------------------------------------------------------------------ authorization
def _target(ctx: RequestContext) -> Iterable[Check]:
    """``iam:<Operation>`` on the provider's ARN (for Create: the ARN it will have)."""
    keys = request_keys(ctx)
    arn = ctx.params.get("SAMLProviderArn") or provider_arn(ctx.account.id, ctx.params.get("Name", ""))
    provider = find_provider(ctx.account.iam, arn)
    if provider is not None:
        resource_keys(provider, keys)
        arn = provider.arn
    propagation_keys(ctx.params, provider, keys)
    return (Check(f"iam:{ctx.operation_name}", arn, keys),)


def _anywhere(ctx: RequestContext) -> Iterable[Check]:
    return (Check(f"iam:{ctx.operation_name}", "*"),)


# ------------------------------------------------------------------------------------------------ operations
@op("iam", "CreateSAMLProvider", authz=tagged_on_create(_target, "iam:TagSAMLProvider"))
def create_provider(ctx: RequestContext) -> dict:
    iam, params, now = ctx.account.iam, ctx.params, ctx.store.clock.now()
    name = params["Name"]
    valid_until = _valid_until(params["SAMLMetadataDocument"], now)
    keys = [_private_key(params["AddPrivateKey"], now)] if params.get("AddPrivateKey") is not None else []
    mode = params.get("AssertionEncryptionMode")
    _check_encryption(mode, keys, creating=True)
    arn = provider_arn(ctx.account.id, name)
    if find_provider(iam, arn) is not None:
        raise ServiceError("EntityAlreadyExists", f"SAMLProvider {name} already exists.", 409)
    if len(iam.saml_providers) >= MAX_PROVIDERS:
        raise ServiceError("LimitExceeded", f"Cannot exceed quota for SAMLProvidersPerAccount: {MAX_PROVIDERS}",
                           409)
    tags = tags_in(ctx)
    propagation = created(params)
    iam.add(SamlProvider(name, arn, new_key_id(UUID_PREFIX), params["SAMLMetadataDocument"], now, valid_until,
                         tags, mode, keys, **propagation))
    result: dict = {"SAMLProviderArn": arn}
    return tagged(result, tags)


@op("iam", "GetSAMLProvider", authz=_target)
def get_provider(ctx: RequestContext) -> dict:
    """Always with ``AssertionEncryptionMode`` (``Allowed`` unless set), ``PrivateKeyList`` and ``Tags`` (empty
    lists when there are none), as AWS answers (recorded from AWS: LocalStack snapshot
    tests/aws/services/iam/test_iam_saml_providers.snapshot.json, test_get_saml_provider)."""
    provider = _provider(ctx)
    return {"SAMLProviderUUID": provider.uuid, "SAMLMetadataDocument": provider.metadata_document,
            "CreateDate": provider.create_date, "ValidUntil": provider.valid_until,
            "AssertionEncryptionMode": provider.assertion_encryption_mode or DEFAULT_ENCRYPTION_MODE,
            "PrivateKeyList": [{"KeyId": key.key_id, "Timestamp": key.timestamp} for key in provider.private_keys],
            "Tags": tags_out(provider.tags), **propagation_out(ctx.account.id, provider)}


@op("iam", "ListSAMLProviders", authz=_anywhere)
def list_providers(ctx: RequestContext) -> dict:
    providers = sorted(ctx.account.iam.saml_providers.values(), key=lambda provider: provider.arn)
    return {"SAMLProviderList": [{"Arn": provider.arn, "ValidUntil": provider.valid_until,
                                  "CreateDate": provider.create_date,
                                  "IsTrustedIdentityPropagationEnabled": provider.identity_center_instance_arn
                                  is not None} for provider in providers]}


@op("iam", "UpdateSAMLProvider", authz=_target)
def update_provider(ctx: RequestContext) -> dict:
    """All-or-nothing: every part of the request is checked before the provider changes."""
    params, now = ctx.params, ctx.store.clock.now()
    provider = _provider(ctx)
    document, mode = params.get("SAMLMetadataDocument"), params.get("AssertionEncryptionMode")
    add, remove = params.get("AddPrivateKey"), params.get("RemovePrivateKey")
    propagation = updated(provider, params, required=False)
    if document is None and mode is None and add is None and remove is None and not propagation:
        raise ServiceError("ValidationError", "Unable to update identity provider. No updates are defined for "
                           "metadata or encryption assertion.", 400)
    if add is not None and remove is not None:
        raise ServiceError("ValidationError", "Unable to add and remove private keys in the same request. Set a "
                           "value for only one of the two parameters.", 400)
    # New metadata: a hundred years from the update (recorded from AWS, 2026-09-11: radkawar/stackd commit 9dc356f5,
    # internal/services/iam/testdata/federation/saml-validation.json, "encryption-only"); other updates keep it.
    valid_until = _valid_until(document, now) if document is not None else provider.valid_until
    keys = list(provider.private_keys)
    if add is not None:
        if len(keys) >= MAX_PRIVATE_KEYS:
            raise ServiceError("LimitExceeded", f"Private key limit of {MAX_PRIVATE_KEYS} is reached.", 409)
        keys.append(_private_key(add, now))
    if remove is not None:
        if not any(key.key_id == remove for key in keys):
            raise _invalid("Failed to remove private key: the Key ID does not match a private key of this provider.")
        keys = [key for key in keys if key.key_id != remove]
        if not keys and (mode or provider.assertion_encryption_mode) == "Required":
            raise _invalid("Failed to remove private key.")
    new_mode = mode if mode is not None else provider.assertion_encryption_mode
    _check_encryption(new_mode, keys, creating=False)
    changes = {"metadata_document": document, "valid_until": valid_until} if document is not None else {}
    ctx.account.iam.update(provider, assertion_encryption_mode=new_mode, private_keys=keys, **changes, **propagation)
    return {"SAMLProviderArn": provider.arn}


@op("iam", "DeleteSAMLProvider", authz=_target)
def delete_provider(ctx: RequestContext) -> dict:
    provider = _provider(ctx)
    iam = ctx.account.iam
    iam.remove(provider)
    return {}


tag_operations(("TagSAMLProvider", "UntagSAMLProvider", "ListSAMLProviderTags"), _provider, _target,
               empty_untag_refused=True)
