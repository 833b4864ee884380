"""The range of every value a state document may hold: what the API could ever have let exist.

A state document (``PUT /_mockrunner/state``, ``--state-file``) is decoded into model objects of the right types
(:mod:`mockrunner.model.snapshot`); this module says which of those values are in range, one table row per model
field (:data:`RANGES`), each row a bound taken from evidence:

* :class:`Member`: the botocore shape of the API member the field holds (length, pattern, enum, min/max, and the
  members of a structure), read from the served models (:func:`mockrunner.protocol.specs.service_model`) and
  checked with the same constraint checker the API applies to requests;
* :class:`Items` / :class:`Entries`: a list or map whose count is bounded by a quota the services enforce (the
  services' own constants, or the configured :class:`~mockrunner.config.Quotas` by name) and whose elements,
  keys and values fit shapes;
* :class:`Between`, :class:`OneOf`: numbers and statuses the code itself bounds (its own constants);
* :class:`Moment`: dates.  No date of the state lies before the Unix epoch (AWS answers dates as epoch seconds) or
  beyond what the store clock can reach (:data:`~mockrunner.model.clock.MAX_CLOCK_OFFSET` past the document's
  clock); moments that already happened (creation, upload, push dates) lie no later than the document's clock;
  an STS session expires at most :data:`SESSION_TOKEN_MAX` after it.  Every date field without a row is held to
  the first rule.

A value of ``None`` (an optional field not set), and a bound's ``unset`` value (``""`` or ``0`` where the model
means "not set"), are always in range.  Ranges are checked only while :func:`checking` is in effect (state import).
"""
from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from mockrunner.config import ENFORCEMENT_MODES, Quotas
from mockrunner.model import apprunner as ar
from mockrunner.model import ecr, iam
from mockrunner.model.collection_keys import KEYED_BY, misfiled
from mockrunner.model.identity_providers import IdentityProviders, SigningKey
from mockrunner.oidc.keys import SIGNING_ALGORITHMS, OidcError, check_jwks, issuer_url
from mockrunner.protocol import specs
from mockrunner.protocol.validation import first_violation
from mockrunner.services.apprunner.lifecycle import TASK_KINDS
from mockrunner.services.ecr.core import MAX_TAGS as ECR_MAX_TAGS
from mockrunner.services.ecr.images import MANIFEST_MEDIA_TYPES
from mockrunner.services.ecr.pull_through import MAX_RULES as MAX_PULL_THROUGH_RULES
from mockrunner.services.ecr.push import MAX_LAYER_SIZE, is_sha256
from mockrunner.services.ecr.registry_settings import MAX_PULL_TIME_EXCLUSIONS
from mockrunner.services.ecr.replication_backfill import MAX_RETAINED as MAX_BACKFILLS
from mockrunner.services.iam.entities import ATTACHED_QUOTA, MAX_POLICY_VERSIONS
from mockrunner.services.iam.entities import MAX_TAGS as IAM_MAX_TAGS
from mockrunner.services.iam.instance_profiles import MAX_ROLES_PER_PROFILE
from mockrunner.services.iam.mfa_devices import MAX_DRIFT
from mockrunner.services.iam.oidc_providers import MAX_CLIENT_IDS, MAX_THUMBPRINTS
from mockrunner.services.iam.oidc_providers import MAX_PROVIDERS as MAX_OIDC_PROVIDERS
from mockrunner.services.iam.saml_providers import MAX_PRIVATE_KEYS
from mockrunner.services.iam.saml_providers import MAX_PROVIDERS as MAX_SAML_PROVIDERS
from mockrunner.services.sts.core import SESSION_TOKEN_MAX
from mockrunner.services.sts.mfa import STS_STEPS_KEPT

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAST_SLACK = timedelta(seconds=1)
"""How far past the document's clock a moment that already happened may lie (the clock offset is stored as a
float of seconds, so it may come back a microsecond short)."""


@dataclass
class Limits:
    """What ranges depend on besides the table (the document's clock and the configured quotas), and the first
    value found out of range."""

    now: datetime
    quotas: Quotas
    ceiling: datetime
    """The latest date the store clock can reach from ``now``."""
    problem: str | None = None
    """``<path>: <why>`` of the first value out of range (``None``: none so far)."""


Check = Callable[[Any, Limits], "str | None"]
"""A compiled bound: ``check(value, limits)`` -> ``"<where>: <why>"`` when out of range (``where`` the path inside
the value, often empty: ``[2]``, ``.key``), else ``None``; paths are only built for a value out of range."""


@dataclass(frozen=True)
class Member:
    """The value of an API member of botocore shape ``shape`` in ``service``'s model."""

    service: str
    shape: str
    unset: Any = None


@dataclass(frozen=True)
class Items:
    """A list of at most ``most`` elements (a number, the name of a :class:`Quotas` field, or a :class:`Member`
    whose shape's ``max`` it is), each within ``each``."""

    most: int | str | Member | None = None
    each: Any = None


@dataclass(frozen=True)
class Entries:
    """A map of at most ``most`` entries (a number or a quota name), keys within ``key``, values within ``value``."""

    most: int | str | None = None
    key: Any = None
    value: Any = None


@dataclass(frozen=True)
class Between:
    low: int
    high: int | str
    unset: Any = None


@dataclass(frozen=True)
class OneOf:
    values: frozenset


@dataclass(frozen=True)
class Rule:
    """What the models cannot say of a field: ``check(value, limits)`` as every compiled bound answers it."""

    check: Check


@dataclass(frozen=True)
class Moment:
    """A date from the epoch on; ``past``: no later than the document's clock; ``within``: at most that many
    seconds after it; else no later than the clock can reach."""

    past: bool = False
    within: int | None = None


def _iam(shape: str, unset: Any = None) -> Member:
    return Member("iam", shape, unset)


def _ecr(shape: str, unset: Any = None) -> Member:
    return Member("ecr", shape, unset)


def _apprunner(shape: str) -> Member:
    return Member("apprunner", shape)


PAST = Moment(past=True)
_PLANNED_IMAGE = {"repositoryName": str, "imageDigest": str, "imageTags": list}
"""A backfill's planned image: no wire shape of its own."""


@cache
def _result_list_check() -> Check:
    return _compile(_ecr("ReplicationBackfillResultList"))


def _backfill_results(value: Any, limits: Limits) -> str | None:
    """ReplicationBackfillResult entries, a FAILED one with its ``failureCode`` (what reads it counts on that)."""
    problem = _result_list_check()(value, limits)
    if problem is None:
        failed = next((index for index, result in enumerate(value)
                       if result["status"] == "FAILED" and "failureCode" not in result), None)
        problem = None if failed is None else f"[{failed}]: a FAILED result without a failureCode"
    return problem


def _planned_images(value: Any, limits: Limits) -> str | None:
    for index, item in enumerate(value or ()):
        if (not isinstance(item, dict) or set(item) != set(_PLANNED_IMAGE)
                or any(not isinstance(item[key], kind) for key, kind in _PLANNED_IMAGE.items())
                or any(not isinstance(tag, str) for tag in item["imageTags"])):
            return f"[{index}]: not a planned image (repositoryName, imageDigest, imageTags)"
    return None


def _registered_jwks(value: Any, limits: Limits) -> str | None:
    """Each issuer's JWKS as ``PUT /_mockrunner/oidc/jwks`` takes it: every web identity token of that issuer reads
    it, so a key list of strings or numbers would fail every such call."""
    for issuer, document in (value or {}).items():
        try:
            issuer_url(issuer)
            check_jwks(document)
        except OidcError as error:
            return f".{issuer}: {error}"
    return None


def _saml_keys(value: Any, limits: Limits) -> str | None:
    """Each SAML IdP's key and certificate as ``PUT /_mockrunner/saml/keys`` takes them (a pair, RSA): the IdP
    signs every response it mints with them."""
    from mockrunner.saml.idp import SamlIdpError, check_key, entity_id

    for issuer, key in (value or {}).items():
        try:
            entity_id(issuer)
            check_key(key.private_pem, key.certificate_pem)
        except SamlIdpError as error:
            return f".{issuer}: {error}"
    return None


def _use(value: Any, limits: Limits) -> str | None:
    """A recorded use of a service, ``(when, Region)`` (``IamState.record_use``): GetAccessKeyLastUsed, the
    service last accessed reports and every later request of the same caller compute with both."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], datetime)
            and isinstance(value[1], str)):
        return ": not a use (a date and a Region)"
    problem = _past_check()(value[0], limits)
    return None if problem is None else f"[0]{problem}"


def _reported_services(value: Any, limits: Limits) -> str | None:
    """A service last accessed report's used services, each ``{"namespace": str, "entities": {ARN: use}}`` (the
    report's reads sort by the namespace and read each use)."""
    for index, service in enumerate(value or ()):
        if not isinstance(service, dict) or not isinstance(service.get("entities"), dict):
            return f"[{index}]: not a reported service (namespace, entities)"
        namespace = service.get("namespace")
        problem = ": none" if namespace is None else _namespace_check()(namespace, limits)
        if problem is not None:
            return f"[{index}].namespace{problem}"
        for arn, use in service["entities"].items():
            problem = ": not an entity ARN" if not isinstance(arn, str) else _use(use, limits)
            if problem is not None:
                return f"[{index}].entities.{str(arn)[:100]}{problem}"
    return None


def _requester_id(value: Any, limits: Limits) -> str | None:
    """A caller's ``aws:userid``: a unique id, with ``:<session name>`` for a role session, or an account id."""
    if value is None or (isinstance(value, str) and _CALLER_ID.fullmatch(value)):
        return None
    return ": not the unique id of a caller"


_CALLER_ID = re.compile(r"(?:\w{12,128}(?::[\w+=,.@-]{2,64})?)?")


def _federated_text(value: Any, limits: Limits) -> str | None:
    """A federated session's subject, subject type or name qualifier: taken from the web identity token or SAML
    assertion it was given, so no longer than the larger of them may be (``SAMLAssertionType``'s max); STS's
    shapes of these members set no bound of their own."""
    most = _shape_max("sts", "SAMLAssertionType")
    return f": longer than the SAML assertion it came from may be ({most})" if value and len(value) > most else None


FEDERATED_TEXT = Rule(_federated_text)


def _image_digest(value: Any, limits: Limits) -> str | None:
    """An image's digest: what PutImage computes, ``sha256:`` and 64 lower-case hex digits.  The registry answers it
    in ``Docker-Content-Digest`` and ``Location``, where a CR or LF made every pull of the image a 500."""
    if isinstance(value, str) and is_sha256(value):
        return None
    return ": expected sha256: and 64 lower-case hexadecimal digits"


def _image_media_type(value: Any, limits: Limits) -> str | None:
    """A media type PutImage stores, no other: the registry answers it as a manifest's Content-Type, where a CR or LF
    made the answer unsendable (a 500)."""
    if value in MANIFEST_MEDIA_TYPES:
        return None
    return f": expected one of {', '.join(sorted(MANIFEST_MEDIA_TYPES))}"


@cache
def _past_check() -> Check:
    return _compile(PAST)


@cache
def _namespace_check() -> Check:
    return _compile(NAMESPACE)


NAMESPACE = _iam("serviceNamespaceType")

USES = Entries(None, value=Entries(None, value=Rule(_use)))
"""``IamState.last_used``: who (an entity ARN or access key id) -> service namespace -> use."""


IAM_TAGS = Entries(IAM_MAX_TAGS, _iam("tagKeyType"), _iam("tagValueType"))
INLINE_POLICIES = Entries(None, _iam("policyNameType"), _iam("policyDocumentType"))
STATUS = _iam("statusType")
APPRUNNER_TAGS = Entries("apprunner_max_tags", _apprunner("TagKey"), _apprunner("TagValue"))
REVISIONED = {"arn": _apprunner("AppRunnerResourceArn"), "revision": Between(1, 2 ** 31 - 1), "created_at": PAST,
              "deleted_at": PAST, "tags": APPRUNNER_TAGS}


def _attached(kind: str) -> Items:
    return Items(ATTACHED_QUOTA[kind][1], _iam("arnType"))  # a number or the name of a Quotas field


RANGES: dict[type, dict[str, Any]] = {
    # ------------------------------------------------------------------------------------------------- IAM
    iam.PolicyVersion: {"version_id": _iam("policyVersionIdType"), "document": _iam("policyDocumentType"),
                        "create_date": PAST},
    iam.ManagedPolicy: {"name": _iam("policyNameType"), "policy_id": _iam("idType"), "path": _iam("policyPathType"),
                        "arn": _iam("arnType"), "create_date": PAST, "update_date": PAST,
                        "default_version_id": _iam("policyVersionIdType"), "versions": Items(MAX_POLICY_VERSIONS),
                        "description": _iam("policyDescriptionType"), "tags": IAM_TAGS,
                        "next_version": Between(2, 2 ** 31 - 1)},
    iam.User: {"name": _iam("userNameType"), "user_id": _iam("idType"), "path": _iam("pathType"),
               "arn": _iam("arnType"), "create_date": PAST, "tags": IAM_TAGS, "inline_policies": INLINE_POLICIES,
               "attached_policies": _attached("user"), "permissions_boundary": _iam("arnType")},
    iam.Group: {"name": _iam("groupNameType"), "group_id": _iam("idType"), "path": _iam("pathType"),
                "arn": _iam("arnType"), "create_date": PAST, "users": Items(None, _iam("userNameType")),
                "inline_policies": INLINE_POLICIES, "attached_policies": _attached("group")},
    iam.Role: {"name": _iam("roleNameType"), "role_id": _iam("idType"), "path": _iam("pathType"),
               "arn": _iam("arnType"), "create_date": PAST, "assume_role_policy": _iam("policyDocumentType"),
               "description": _iam("roleDescriptionType"), "max_session_duration": _iam("roleMaxSessionDurationType"),
               "tags": IAM_TAGS, "inline_policies": INLINE_POLICIES, "attached_policies": _attached("role"),
               "permissions_boundary": _iam("arnType"),
               "max_signin_session_duration": _iam("maxSigninSessionDurationType")},
    iam.AccessKey: {"access_key_id": _iam("accessKeyIdType"), "user_name": _iam("userNameType", unset=""),
                    "status": STATUS, "create_date": PAST},
    iam.Session: {"access_key_id": Member("sts", "accessKeyIdType"), "expiration": Moment(within=SESSION_TOKEN_MAX),
                  "arn": Member("sts", "arnType"), "session_name": Member("sts", "roleSessionNameType"),
                  "role_arn": Member("sts", "arnType"),
                  "session_policies": Items(None, Member("sts", "sessionPolicyDocumentType")),
                  "session_policy_arns": Items(None, Member("sts", "arnType")),
                  "tags": Entries(IAM_MAX_TAGS, Member("sts", "tagKeyType"), Member("sts", "tagValueType")),
                  "source_identity": Member("sts", "sourceIdentityType"), "issued_at": PAST,
                  "transitive_tag_keys": Member("sts", "tagKeyListType"), "mfa_authenticated_at": PAST,
                  "scope_down_policies": Items(iam.MAX_SCOPE_DOWN_POLICIES),
                  "federated_provider": _iam("OpenIDConnectProviderUrlType"),
                  "federated_subject": FEDERATED_TEXT, "saml_subject_type": FEDERATED_TEXT,
                  "saml_name_qualifier": FEDERATED_TEXT},
    iam.OidcProvider: {"url": _iam("OpenIDConnectProviderUrlType"), "arn": _iam("arnType"), "create_date": PAST,
                       "client_ids": Items(MAX_CLIENT_IDS, _iam("clientIDType")),
                       "thumbprints": Items(MAX_THUMBPRINTS, _iam("thumbprintType")), "tags": IAM_TAGS,
                       "identity_center_instance_arn": _iam("identityCenterInstanceArnType"),
                       "context_provider": _iam("ContextProvider")},
    iam.SamlPrivateKey: {"key_id": _iam("privateKeyIdType"), "timestamp": PAST, "private_pem": _iam("privateKeyType")},
    iam.SamlProvider: {"name": _iam("SAMLProviderNameType"), "arn": _iam("arnType"),
                       "metadata_document": _iam("SAMLMetadataDocumentType"), "create_date": PAST, "tags": IAM_TAGS,
                       "valid_until": Moment(), "assertion_encryption_mode": _iam("assertionEncryptionModeType"),
                       "private_keys": Items(MAX_PRIVATE_KEYS),
                       "identity_center_instance_arn": _iam("identityCenterInstanceArnType"),
                       "context_provider": _iam("ContextProvider")},
    iam.SshPublicKey: {"key_id": _iam("publicKeyIdType"), "user_name": _iam("userNameType"),
                       "body": _iam("publicKeyMaterialType"),
                       "status": STATUS, "upload_date": PAST},
    iam.SigningCertificate: {"certificate_id": _iam("certificateIdType"), "user_name": _iam("userNameType", unset=""),
                             "body": _iam("certificateBodyType"), "status": STATUS, "upload_date": PAST},
    iam.ServerCertificate: {"name": _iam("serverCertificateNameType"), "certificate_id": _iam("idType"),
                            "path": _iam("pathType"), "arn": _iam("arnType"), "body": _iam("certificateBodyType"),
                            "private_key": _iam("privateKeyType"), "chain": _iam("certificateChainType"),
                            "upload_date": PAST, "tags": IAM_TAGS},
    iam.ServiceSpecificCredential: {"credential_id": _iam("serviceSpecificCredentialId"),
                                    "user_name": _iam("userNameType"), "service_user_name": _iam("serviceUserName"),
                                    "status": STATUS, "create_date": PAST,
                                    "alias": _iam("serviceCredentialAlias", unset="")},
    iam.LastAccessedJob: {"job_id": _iam("jobIDType"), "arn": _iam("arnType"),
                          "granularity": _iam("AccessAdvisorUsageGranularityType"), "created": PAST,
                          "services": Rule(_reported_services), "unused": Items(each=NAMESPACE),
                          "requester": _iam("arnType", unset=""), "entities": Items(each=_iam("arnType")),
                          "entity_ids": Items(each=_iam("idType")), "requester_id": Rule(_requester_id)},
    iam.DeletionTask: {"task_id": _iam("DeletionTaskIdType"), "role_name": _iam("roleNameType"),
                       "status": _iam("DeletionTaskStatusType"), "reason": _iam("ReasonType")},
    iam.InstanceProfile: {"name": _iam("instanceProfileNameType"), "instance_profile_id": _iam("idType"),
                          "path": _iam("pathType"), "arn": _iam("arnType"), "create_date": PAST,
                          "roles": Items(MAX_ROLES_PER_PROFILE, _iam("roleNameType")), "tags": IAM_TAGS},
    iam.LoginProfile: {"user_name": _iam("userNameType"), "create_date": PAST, "password_changed": PAST,
                       "previous_digests": Items(_iam("passwordReusePreventionType")),
                       "max_signin_session_duration": _iam("maxSigninSessionDurationType")},
    iam.PasswordPolicy: {"minimum_length": _iam("minimumPasswordLengthType"),
                         "max_age": _iam("maxPasswordAgeType", unset=0),
                         "reuse_prevention": _iam("passwordReusePreventionType", unset=0)},
    iam.MfaDevice: {"serial_number": Member("iam", "serialNumberType"), "name": _iam("virtualMFADeviceName"),
                    "path": _iam("pathType"), "create_date": PAST, "user_name": _iam("userNameType"),
                    "enable_date": PAST, "tags": IAM_TAGS, "drift": Between(-MAX_DRIFT, MAX_DRIFT),
                    "last_step": Between(-1, 2 ** 40), "sts_steps": Items(STS_STEPS_KEPT, Between(0, 2 ** 40))},
    iam.IamState: {"oidc_providers": Entries(MAX_OIDC_PROVIDERS), "saml_providers": Entries(MAX_SAML_PROVIDERS),
                   "instance_profiles": Entries("iam_max_instance_profiles"),
                   "server_certificates": Entries("iam_max_server_certificates"),
                   "account_aliases": Items(1, _iam("accountAliasType")), "credential_report_time": PAST,
                   "sts_global_token_version": _iam("globalEndpointTokenVersion"), "last_used": USES,
                   "next_purge": Between(iam.PURGE_MIN, 2 ** 62),
                   "account_properties": Entries(iam.MAX_ACCOUNT_PROPERTIES, _iam("accountPropertyKeyType"),
                                                 _iam("accountPropertyValueType"))},
    SigningKey: {"algorithm": OneOf(frozenset(SIGNING_ALGORITHMS))},
    IdentityProviders: {"registered_jwks": Rule(_registered_jwks), "saml_keys": Rule(_saml_keys)},
    # ------------------------------------------------------------------------------------------------- ECR
    ecr.ImageScan: {"started_at": PAST, "status": OneOf(frozenset(ecr.SCAN_DESCRIPTIONS)),
                    "findings": _ecr("ImageScanFindingList")},
    ecr.LifecyclePreview: {"policy_text": _ecr("LifecyclePolicyText"),
                           "results": _ecr("LifecyclePolicyPreviewResultList")},
    ecr.ReplicationBackfill: {"started_at": PAST, "ended_at": PAST,
                              "failure_code": Member("ecr", "ReplicationBackfillError"),
                              "destination": _ecr("ReplicationDestination"),
                              "status": _ecr("ReplicationBackfillStatus"), "results": Rule(_backfill_results),
                              "planned": Rule(_planned_images)},
    ecr.Image: {"digest": Rule(_image_digest), "manifest": _ecr("ImageManifest"), "media_type": Rule(_image_media_type),
                "pushed_at": PAST, "size": Between(0, 2 ** 63 - 1), "tags": Items(None, _ecr("ImageTag")),
                "status": _ecr("ImageStatus"), "last_archived_at": PAST, "last_activated_at": PAST,
                "last_pulled_at": PAST, "replication": _ecr("ImageReplicationStatusList"),
                "signing": _ecr("ImageSigningStatusList")},
    ecr.Layer: {"digest": _ecr("LayerDigest"), "size": Between(0, MAX_LAYER_SIZE), "added_at": PAST},
    ecr.Repository: {"name": _ecr("RepositoryName"), "registry_id": _ecr("RegistryId"), "region": _ecr("Region"),
                     "created_at": PAST, "image_tag_mutability": _ecr("ImageTagMutability"),
                     "mutability_exclusion_filters": _ecr("ImageTagMutabilityExclusionFilters", unset=[]),
                     "encryption_type": _ecr("EncryptionType"), "kms_key": _ecr("KmsKey"),
                     "tags": Entries(ECR_MAX_TAGS, _ecr("TagKey"), _ecr("TagValue")),
                     "policy_text": _ecr("RepositoryPolicyText"), "lifecycle_policy": _ecr("LifecyclePolicyText"),
                     "lifecycle_evaluated_at": PAST},
    ecr.PullThroughCacheRule: {"prefix": _ecr("PullThroughCacheRuleRepositoryPrefix"),
                               "upstream_registry": _ecr("UpstreamRegistry"), "created_at": PAST,
                               "updated_at": PAST, "credential_arn": _ecr("CredentialArn"),
                               "custom_role_arn": _ecr("CustomRoleArn"), "upstream_prefix": _ecr("Prefix")},
    ecr.CreationTemplate: {"prefix": _ecr("Prefix"), "applied_for": _ecr("RCTAppliedForList"), "created_at": PAST,
                           "updated_at": PAST, "description": _ecr("RepositoryTemplateDescription"),
                           "encryption": _ecr("EncryptionConfigurationForRepositoryCreationTemplate"),
                           "resource_tags": Items(ECR_MAX_TAGS, _ecr("Tag")),
                           "image_tag_mutability": _ecr("ImageTagMutability"),
                           "mutability_exclusion_filters": _ecr("ImageTagMutabilityExclusionFilters", unset=[]),
                           "repository_policy": _ecr("RepositoryPolicyText"),
                           "lifecycle_policy": _ecr("LifecyclePolicyTextForRepositoryCreationTemplate"),
                           "custom_role_arn": _ecr("CustomRoleArn")},
    ecr.EcrState: {"registry_policy": _ecr("RegistryPolicyText"),
                   "replication_rules": _ecr("ReplicationRuleList"),
                   "scan_type": _ecr("ScanType"), "scanning_rules": _ecr("RegistryScanningRuleList"),
                   "pull_through_rules": Entries(MAX_PULL_THROUGH_RULES), "signing_rules": _ecr("SigningRuleList"),
                   "account_settings": Entries(None, _ecr("AccountSettingName"), _ecr("AccountSettingValue")),
                   "pull_time_exclusions": Entries(MAX_PULL_TIME_EXCLUSIONS, _ecr("PrincipalArn"), PAST),
                   "replication_backfills": Entries(MAX_BACKFILLS)},
    # ---------------------------------------------------------------------------------------------- App Runner
    ar.OperationRecord: {"type": _apprunner("OperationType"), "status": _apprunner("OperationStatus"),
                         "target_arn": _apprunner("AppRunnerResourceArn"), "started_at": PAST, "updated_at": PAST,
                         "ended_at": PAST, "prior_status": _apprunner("ServiceStatus")},
    ar.CustomDomain: {"domain_name": _apprunner("DomainName"), "status": _apprunner("CustomDomainAssociationStatus"),
                      "created_at": PAST, "validation_records": _apprunner("CertificateValidationRecordList")},
    ar.Service: {"name": _apprunner("ServiceName"), "arn": _apprunner("AppRunnerResourceArn"), "created_at": PAST,
                 "updated_at": PAST, "status": _apprunner("ServiceStatus"),
                 "source_configuration": _apprunner("SourceConfiguration"),
                 "instance_configuration": _apprunner("InstanceConfiguration"),
                 "health_check_configuration": _apprunner("HealthCheckConfiguration"),
                 "network_configuration": _apprunner("NetworkConfiguration"),
                 "auto_scaling_configuration_arn": _apprunner("AppRunnerResourceArn"),
                 "observability_configuration": _apprunner("ServiceObservabilityConfiguration"),
                 "encryption_configuration": _apprunner("EncryptionConfiguration"), "deleted_at": PAST,
                 "tags": APPRUNNER_TAGS, "custom_domains": Entries("apprunner_max_custom_domains")},
    ar.AutoScalingConfiguration: {**REVISIONED, "name": _apprunner("AutoScalingConfigurationName"),
                                  "status": _apprunner("AutoScalingConfigurationStatus"),
                                  "max_concurrency": _apprunner("ASConfigMaxConcurrency"),
                                  "min_size": _apprunner("ASConfigMinSize"),
                                  "max_size": Between(1, "apprunner_max_size_limit")},
    ar.ObservabilityConfiguration: {**REVISIONED, "name": _apprunner("ObservabilityConfigurationName"),
                                    "status": _apprunner("ObservabilityConfigurationStatus"),
                                    "trace_configuration": _apprunner("TraceConfiguration")},
    ar.Connection: {"arn": _apprunner("AppRunnerResourceArn"), "name": _apprunner("ConnectionName"),
                    "provider_type": _apprunner("ProviderType"), "status": _apprunner("ConnectionStatus"),
                    "created_at": PAST, "tags": APPRUNNER_TAGS},
    ar.VpcConnector: {"arn": _apprunner("AppRunnerResourceArn"), "name": _apprunner("VpcConnectorName"),
                      "subnets": _apprunner("StringList"), "security_groups": _apprunner("StringList"),
                      "created_at": PAST, "revision": Between(1, 2 ** 31 - 1),
                      "status": _apprunner("VpcConnectorStatus"), "deleted_at": PAST, "tags": APPRUNNER_TAGS},
    ar.VpcIngressConnection: {"arn": _apprunner("AppRunnerResourceArn"), "name": _apprunner("VpcIngressConnectionName"),
                              "service_arn": _apprunner("AppRunnerResourceArn"),
                              "account_id": _apprunner("CustomerAccountId"), "created_at": PAST,
                              "status": _apprunner("VpcIngressConnectionStatus"), "deleted_at": PAST,
                              "tags": APPRUNNER_TAGS},
    ar.PendingTask: {"kind": OneOf(TASK_KINDS), "target_arn": _apprunner("AppRunnerResourceArn"),
                     "enforce": OneOf(("", *ENFORCEMENT_MODES))},
}
"""Model class -> field -> its bound.  A date field without a row is held to :class:`Moment` ``()``."""


def _image_digest_of_manifest(image: ecr.Image) -> str | None:
    """An image's digest is its manifest's SHA-256 (PutImage computes it; a client pulling the image compares the
    two and refuses it otherwise), as a seed is held to; an image without a manifest (a seed's) is not held to it
    (docs/behaviour.md, "Reads that save nothing; seeded images' digests")."""
    if not isinstance(image.manifest, str) or not isinstance(image.digest, str):
        return None
    try:
        computed = ecr.digest_mismatch(image.manifest, image.digest)
    except UnicodeEncodeError:
        return ".manifest: not Unicode text"
    if computed is None:
        return None
    return f".digest: {image.digest} is not the digest of the image's manifest ({computed})"


WHOLE: dict[type, Callable[[Any], str | None]] = {ecr.Image: _image_digest_of_manifest}
"""Model class -> a rule over several of its fields, checked once each field is in range: the problem, or None."""

_LIMITS: ContextVar[Limits | None] = ContextVar("state_ranges_limits", default=None)


@contextmanager
def checking(now: datetime, quotas: Quotas, reach: float) -> Iterator[Limits]:
    """Check the ranges of the model objects decoded in the block (:func:`check_ranges`) against a document whose
    clock reads ``now`` and can advance ``reach`` seconds more, under ``quotas``; the :class:`Limits` yielded holds
    the first problem found once the block ends."""
    limits = Limits(now, quotas, now + timedelta(seconds=reach))
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


def out_of_range(instance: Any, path: str, now: datetime, quotas: Quotas) -> str | None:
    """The first problem :func:`check_ranges` notes in ``instance`` alone (not its nested objects) as of ``now``: what
    a state file holding it would be refused for (a seed checks what it made with this)."""
    with checking(now, quotas, 0) as limits:
        check_ranges(instance, path)
    return limits.problem


def check_ranges(instance: Any, path: str) -> None:
    """Note the first field of the decoded model object ``instance`` (at JSON path ``path``) that is out of its
    range, or else its first keyed collection filing an entity under another key
    (:func:`~mockrunner.model.collection_keys.misfiled`), unless one was noted before or no :func:`checking` is in
    effect."""
    limits = _LIMITS.get()
    if limits is None or limits.problem is not None:
        return
    for name, check in _checks(type(instance)):
        problem = check(getattr(instance, name), limits)
        if problem is not None:
            limits.problem = f"{path}.{name}{problem}"
            return
    whole = WHOLE.get(type(instance))
    problem = whole(instance) if whole is not None else None
    if problem is not None:
        limits.problem = f"{path}{problem}"
        return
    for name in _keyed_collections(type(instance)):
        value = getattr(instance, name)
        problem = misfiled(value) if isinstance(value, dict) else None
        if problem is not None:
            limits.problem = f"{path}.{name}{problem}"
            return


def _hints(cls: type) -> dict[str, Any]:
    """``cls``'s resolved type hints, or none when they cannot be resolved."""
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):
        return {}


def _fields(cls: type) -> tuple:
    return fields(cls) if hasattr(cls, "__dataclass_fields__") else ()


@cache
def _keyed_collections(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that may hold a keyed collection: declared as a dict of an entity class
    :data:`~mockrunner.model.collection_keys.KEYED_BY` knows, or of a type that cannot be read (kept, to be safe)."""
    hints = _hints(cls)
    names = []
    for item in _fields(cls):
        hint = hints.get(item.name)
        if hint is None or (typing.get_origin(hint) is dict and typing.get_args(hint)[1:2] != ()
                            and (typing.get_args(hint)[1] in KEYED_BY or typing.get_args(hint)[1] is Any)):
            names.append(item.name)
    return tuple(names)


@cache
def _checks(cls: type) -> tuple[tuple[str, Check], ...]:
    table, hints = RANGES.get(cls, {}), _hints(cls)
    found = []
    for item in _fields(cls):
        bound = table.get(item.name) or _date_bound(hints.get(item.name))
        if bound is not None:
            found.append((item.name, _compile(bound)))
    return tuple(found)


def _date_bound(hint: Any) -> Any:
    """:class:`Moment` for a field declared as a date (optional, or a map's values), else ``None``."""
    if hint is datetime or (typing.get_origin(hint) in (typing.Union, types.UnionType)
                            and datetime in typing.get_args(hint)):
        return Moment()
    if typing.get_origin(hint) is dict and typing.get_args(hint)[1:] == (datetime,):
        return Entries(value=Moment())
    return None


def _compile(bound: Any) -> Check:
    return _COMPILERS[type(bound)](bound)


def _member(bound: Member) -> Check:
    test = first_violation(specs.service_model(bound.service).shape_for(bound.shape))
    unset = bound.unset

    def check(value: Any, limits: Limits) -> str | None:
        if value is None or (unset is not None and value == unset):
            return None
        problem = test(value)
        if problem is None:
            return None
        where, _, why = problem.partition(": ")
        return f"{'.' + where if where else ''}: out of range for {bound.shape}: {why}"[:400]

    return check


def _most(most: int | str | Member | None, limits: Limits) -> int | None:
    if isinstance(most, Member):
        return _shape_max(most.service, most.shape)
    return getattr(limits.quotas, most) if isinstance(most, str) else most


@cache
def _shape_max(service: str, shape: str) -> int:
    return specs.service_model(service).shape_for(shape).metadata["max"]


def _too_many(value: Any, bound: Items | Entries, limits: Limits) -> str | None:
    most = _most(bound.most, limits)
    if most is not None and len(value) > most:
        return f": {len(value)} {'items' if isinstance(bound, Items) else 'entries'}, more than the {most} allowed"
    return None


def _items(bound: Items) -> Check:
    each = _compile(bound.each) if bound.each is not None else None

    def check(value: Any, limits: Limits) -> str | None:
        if value is None:
            return None
        problem = _too_many(value, bound, limits)
        if problem is not None or each is None:
            return problem
        for index, item in enumerate(value):
            problem = each(item, limits)
            if problem is not None:
                return f"[{index}]{problem}"
        return None

    return check


def _entries(bound: Entries) -> Check:
    key = _compile(bound.key) if bound.key is not None else None
    item = _compile(bound.value) if bound.value is not None else None

    def check(value: Any, limits: Limits) -> str | None:
        problem = _too_many(value, bound, limits) if value is not None else None
        if problem is not None or value is None:
            return problem
        for name, each in value.items() if key is not None or item is not None else ():
            problem = key(name, limits) if key is not None else None
            if problem is not None:
                return f"[{str(name)[:100]!r}]{problem}"
            problem = item(each, limits) if item is not None else None
            if problem is not None:
                return f".{str(name)[:100]}{problem}"
        return None

    return check


def _between(bound: Between) -> Check:
    def check(value: Any, limits: Limits) -> str | None:
        if value is None or value == bound.unset:
            return None
        high = _most(bound.high, limits)
        if not bound.low <= value <= high:
            return f": {str(value)[:40]} is out of range (from {bound.low} to {high})"
        return None

    return check


def _one_of(bound: OneOf) -> Check:
    def check(value: Any, limits: Limits) -> str | None:
        if value is None or value in bound.values:
            return None
        return f": {str(value)[:100]!r} is not one of {', '.join(sorted(bound.values))}"

    return check


def _moment(bound: Moment) -> Check:
    def check(value: Any, limits: Limits) -> str | None:
        if value is None:
            return None
        if value < EPOCH:
            return f": {value.isoformat()} is before {EPOCH.isoformat()}"
        if bound.past:
            latest, what = limits.now + PAST_SLACK, "the document's clock (it has not happened yet)"
        elif bound.within is not None:
            latest, what = limits.now + timedelta(seconds=bound.within), f"{bound.within} s after the document's clock"
        else:
            latest, what = limits.ceiling, "any date the clock can reach"
        if value > latest:
            return f": {value.isoformat()} is later than {what}"
        return None

    return check


_COMPILERS: dict[type, Callable[[Any], Check]] = {
    Member: _member, Items: _items, Entries: _entries, Between: _between, OneOf: _one_of, Moment: _moment,
    Rule: lambda bound: bound.check,
}
