"""Server-side validation of a request against the model, worded as AWS's front end (Coral) words it.

botocore's client validates only ``required``, types and ``min``; AWS also enforces ``max``, ``pattern`` and
``enum``.  Every violation in the request is collected, then raised once as::

    1 validation error detected: Value 'x y' at 'roleName' failed to satisfy constraint: Member must satisfy
    regular expression pattern: [\\w+=,.@-]+
    2 validation errors detected: <first>; <second>

Conventions taken from real AWS answers (quoted in GitHub issues):

* member paths are the member names with the first letter lower-cased, joined by dots
  (``advancedSecurityOptions.sAMLOptions.masterUserName``); elements of lists of structures are
  ``tags.6.member.value`` (1-based);
* values of ``sensitive`` members are not echoed: ``Value at 'password' failed to satisfy constraint: ...``; nor are
  those of the shapes :data:`UNECHOED` lists per service (recorded from AWS);
* a missing required member is ``Value null at 'roleName' failed to satisfy constraint: Member must not be null``;
* collections are rendered as Java prints them (``'[a, b]'``, ``'{k=v}'``);
* a list or map of *scalars* whose elements break their constraints is reported once, at the collection, listing
  every constraint of the element shape, and for a list's elements "Member must not be null" last: ``Member must
  satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or
  equal to 1, Member must not be null]`` (recorded from IAM in LocalStack's snapshot
  tests/aws/services/iam/test_iam_roles.snapshot.json; Lambda's answers in public code read the same),
  ``Map value must satisfy constraint: [...]``, ``Map keys must satisfy constraint: [...]``.

The error code is the one each service answers for a constraint violation: IAM and STS ``ValidationError``,
App Runner ``InvalidRequestException`` (its model declares no ValidationException), ECR
``InvalidParameterException`` (its modeled client-input error).  ECR words the failure its own way (see
:data:`SUMMARIES`): "Invalid parameter at 'registryIds' failed to satisfy constraint: '<constraint>'", the first
violation only, enum value sets in Java ``HashSet`` order.  Type mismatches cannot come off the wire (the
codecs reject them while parsing) and are reported with mockrunner's own wording ``Member must be of type: ...``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from botocore.model import OperationModel, Shape

from mockrunner.errors import ServiceError
from mockrunner.protocol.compiled import Memo
from mockrunner.protocol.patterns import compile_pattern

ERROR_CODES = {"apprunner": "InvalidRequestException", "ecr": "InvalidParameterException",
               "iam": "ValidationError", "sts": "ValidationError"}
_PROTOCOL_ERROR_CODES = {"json": "ValidationException", "query": "ValidationError"}

_NOT_NULL = "Member must not be null"
_PATTERN = "Member must satisfy regular expression pattern: "
_ENUM = "Member must satisfy enum value set: "

#: (structure shape, member) whose model constraints the service does not enforce up front: a value breaking them
#: reaches the handler, which answers in the service's own words.  App Runner answers CreateService/UpdateService
#: with ``AutoScalingConfigurationArn: ''`` by "The auto scaling configuration ARN you specified isn't valid. ARN:
#: ''" (awslabs/amazon-app-runner-deploy#36, the JS SDK v3 does not check ``min``), not with Coral's "Member must
#: have length greater than or equal to 1"; the other references to resources in those two requests share the shape
#: (``AppRunnerResourceArn``) and their handlers answer the same way.  IAM judges the ranges of the password policy
#: itself: its message names no values and lists minimumPasswordLength, passwordReusePrevention, maxPasswordAge in
#: that order (recorded from AWS: LocalStack snapshot tests/aws/services/iam/test_iam_account_password_policy).
#: Each structure name belongs to one served model only (tests/protocol/test_validation.py checks).
SERVICE_CHECKED = frozenset({
    ("CreateServiceRequest", "AutoScalingConfigurationArn"),
    ("UpdateServiceRequest", "AutoScalingConfigurationArn"),
    ("ServiceObservabilityConfiguration", "ObservabilityConfigurationArn"),
    ("EgressConfiguration", "VpcConnectorArn"),
    ("AuthenticationConfiguration", "ConnectionArn"),
    ("UpdateAccountPasswordPolicyRequest", "MinimumPasswordLength"),
    ("UpdateAccountPasswordPolicyRequest", "PasswordReusePrevention"),
    ("UpdateAccountPasswordPolicyRequest", "MaxPasswordAge"),
})

#: Per service, member shapes whose ``pattern`` the service words itself: "The specified value for <member> is
#: invalid. <sentence>", and whether that check comes before the member's other constraints (which stay Coral's,
#: value echoed) or after them.  IAM answers a user name breaking its pattern ("invalid/user", and "" before its
#: length) with "The specified value for userName is invalid. It must contain only alphanumeric characters and/or
#: the following: +=,.@_-" (versity/versitygw tests/integration/iam_create_user.go, iam_create_access_key.go,
#: iam_delete_access_key.go; AttachUserPolicy in app-sre/qontract-reconcile#2640 quotes AWS's answer) but a 65-character
#: one with "1 validation error detected: Value '<name>' at 'userName' failed to satisfy constraint: Member must
#: have length less than or equal to 64" (quoted from AWS in ministryofjustice/cloud-platform-environments#5737);
#: a path breaking ``pathType``'s pattern with "The specified value for path is invalid. It must begin and end with
#: / and contain only alphanumeric characters and/or / characters." after its length (CreateVirtualMFADevice:
#: LocalStack snapshot tests/aws/services/iam/test_iam_mfa.snapshot.json; CreateUser: versity/versitygw
#: iam_create_user.go); an access key id with "The specified value for accessKeyId is invalid. It must contain only
#: alphanumeric characters." (versity/versitygw iam_delete_access_key.go; its place after the length *unverified*);
#: a policy name like a user name (versity/versitygw iam_put_user_policy.go; AWS's answer to DeleteGroupPolicy and
#: CloudFormation's to an inline policy name with a space or "/" are quoted publicly in the same words); a policy
#: document outside the model's Latin-1 pattern with "The specified value for policyDocument is invalid. It must
#: contain only printable ASCII characters." (versity/versitygw iam_put_user_policy.go; place *unverified*).
#: Role names keep Coral's pattern message (public issues quote it).  IAM's listings answer a ``PathPrefix`` breaking
#: its pattern (``awsdiff``, ``/bad path/``, a policy path without its closing ``/``) before its length, and a
#: 513-character one that fits the pattern with "1 validation error detected: Value at 'pathPrefix' failed to satisfy
#: constraint: Member must have length less than or equal to 512", without the value (aws/aws-cli#5860 quotes AWS's
#: answer to ListPolicies ``--path-prefix /foo``; mulgadc/spinifex's gateway tests and versity/versitygw's
#: integration tests, written for AWS-compatible IAM services, expect the same for every listing below).
OWN_WORDS: dict[str, dict[str, tuple[str, bool]]] = {
    "iam": {
        "userNameType": ("It must contain only alphanumeric characters and/or the following: +=,.@_-", True),
        "existingUserNameType": ("It must contain only alphanumeric characters and/or the following: +=,.@_-", True),
        "pathType": ("It must begin and end with / and contain only alphanumeric characters and/or / characters.",
                     False),
        "accessKeyIdType": ("It must contain only alphanumeric characters.", False),
        "policyNameType": ("It must contain only alphanumeric characters and/or the following: +=,.@_-", True),
        "policyDocumentType": ("It must contain only printable ASCII characters.", False),
        # An empty Marker of GetServiceLastAccessedDetails(WithEntities) (recorded from AWS, 2026-09-11: radkawar/
        # stackd commit 9dc356f5, testdata/aws/iam/last_access.json, "raw_get_empty_marker"); every IAM listing's
        # marker has this shape, the others taken alike (unverified).
        "markerType": ("It must contain only printable ASCII characters.", True),
    } | {
        f"{structure}.PathPrefix": ("It must begin with the / character and contain only alphanumeric characters "
                                    "and/or / characters.", True)
        for structure in ("ListUsersRequest", "ListRolesRequest", "ListGroupsRequest", "ListInstanceProfilesRequest",
                          "ListServerCertificatesRequest", "ListPoliciesRequest", "ListEntitiesForPolicyRequest",
                          "ListAttachedUserPoliciesRequest", "ListAttachedRolePoliciesRequest",
                          "ListAttachedGroupPoliciesRequest")
    },
}
"""Keys are shape names, or ``<request structure>.<member>`` for one top-level member (which wins over its shape's
entry); a member keyed this way is not echoed in its other constraints' messages either."""
_UNECHOED_MEMBERS = frozenset(key for words in OWN_WORDS.values() for key in words if "." in key)

#: Per service, the shapes whose values the service does not echo although the model does not mark them
#: ``sensitive``.  IAM: tags, tag keys and policy version ids ("Value at 'tags' failed to satisfy constraint: Member
#: must have length less than or equal to 50", "Value at 'tags.1.member.key' ...", "Value at 'tagKeys' ...",
#: "Value at 'versionId' ..."; recorded from AWS in 2026: LocalStack snapshots tests/aws/services/iam/
#: test_iam_roles.snapshot.json test_role_tag_errors, test_iam_policies.snapshot.json test_policy_version_errors,
#: test_iam_managed_policies.snapshot.json).  Other IAM members still echo their values (roleName: public issues).
#: So do an OIDC provider's URL, thumbprints and client ids ("Value at 'url' ...", "Value at 'thumbprintList' ...";
#: LocalStack snapshot test_iam_oidc.snapshot.json, test_create_open_id_connect_provider_validation_errors), nor
#: the one client id of Add/RemoveClientID...OpenIDConnectProvider ("Value at 'clientID' failed to satisfy
#: constraint: Member must have length less than or equal to 255", missing: "Value at 'clientID' ... Member must
#: not be null": versity/versitygw tests/integration/iam_add_client_id_to_oidc_provider.go,
#: iam_remove_client_id_from_oidc_provider.go).
#: IAM does not echo a service-specific credential id or a status either ("Value at 'serviceSpecificCredentialId'
#: failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", "Value at 'status' ...";
#: LocalStack snapshot tests/aws/services/iam/test_iam.snapshot.json, test_user_match_id_mismatch and
#: test_invalid_update_parameters, recorded 2025-03-06).  Nor an ARN ("Value at 'policyArn' failed to satisfy
#: constraint: Member must have length greater than or equal to 20", "... less than or equal to 2048", as the
#: tests of an AWS-compatible IAM expect for ListEntitiesForPolicy: mulgadc/spinifex
#: gateway/iam/pathprefix_test.go; ``arnType`` is every IAM ARN
#: member's shape, the others unverified).  A missing member of these shapes is not "Value null at" either but
#: "Value at 'tags.1.member.value' failed to satisfy constraint: Member must not be null" (expected for TagUser
#: by mulgadc/spinifex handlers/iam/tags_test.go).  Nor an access key id ("Value at 'accessKeyId' failed to
#: satisfy constraint: Member must have length greater than or equal to 16": versity/versitygw
#: tests/integration/iam_delete_access_key.go).  Nor a path ("Value at 'path' failed to satisfy constraint: Member
#: must have length less than or equal to 512": LocalStack snapshot tests/aws/services/iam/test_iam_mfa.snapshot.json,
#: test_virtual_mfa_device_errors, recorded 2026; ``pathType`` is every Path and NewPath member's shape).
#: Recorded from AWS, 2026-09-11/12 (radkawar/stackd): GetSSHPublicKey's encoding ("Value at 'encoding' failed to
#: satisfy constraint: Member must satisfy enum value set: [SSH, PEM]": internal/services/iam/testdata/
#: certificates_aws.json, "ssh:get-ssh"), MaxItems ("Value at 'maxItems' ... less than or equal to 1000"),
#: GetAccountAuthorizationDetails' filter ("Value at 'filter' ...": testdata/aws/iam/account_reporting.json,
#: "too_large_maxitems", "unknown_filter") and PutAccountProperties' empty properties ("Value at 'properties' ...
#: Member must not be null": testdata/aws/iam/account_properties.json, "empty").  The service last accessed
#: operations' granularity, job id and service namespaces ("Value at 'granularity' ...", "Value at 'jobId' ...",
#: "Value at 'serviceNamespace' ...", "Value at 'serviceNamespaces' ...": testdata/aws/iam/last_access.json,
#: "generate_granularity_INVALID", "raw_get_short_job", "entities_namespace_s3:GetObject",
#: "grants_namespaces_too_many").
STACKD_UNECHOED = ("encodingType", "maxItemsType", "entityListType", "accountPropertiesMapType",
                   "AccessAdvisorUsageGranularityType", "jobIDType", "serviceNamespaceType",
                   "serviceNamespaceListType", "globalEndpointTokenVersion", "ContextKeyTypeEnum")
"""With SetSecurityTokenServicePreferences' token version ("Value at 'globalEndpointTokenVersion' ... [v2Token,
v1Token]": testdata/aws/iam/sts_preferences.json, "invalid_v3Token", "invalid_empty") and the simulator's context
key type ("Value at 'contextEntries.1.member.contextKeyType' ...": testdata/aws/iam/simulation.json,
"context_bad_type")."""

UNECHOED: dict[str, frozenset[str]] = {
    "iam": frozenset({"tagListType", "tagKeyType", "tagValueType", "tagKeyListType", "policyVersionIdType",
                      "OpenIDConnectProviderUrlType", "thumbprintListType", "clientIDListType", "clientIDType",
                      "serviceSpecificCredentialId", "statusType", "arnType", "accessKeyIdType",
                      "pathType", *STACKD_UNECHOED}),
}

#: Per service, the enum shapes whose value set Coral does not list: IAM answers UpdateServiceSpecificCredential
#: with ``Status="Invalid"`` by "Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"
#: (neither the value nor the set; LocalStack snapshot tests/aws/services/iam/test_iam.snapshot.json,
#: test_invalid_update_parameters, recorded 2025-03-06).  ``statusType`` is the one status shape of UpdateAccessKey,
#: UpdateSigningCertificate and UpdateSSHPublicKey too.
UNLISTED_ENUMS: dict[str, frozenset[str]] = {
    "iam": frozenset({"statusType"}),
}

STS_AUDIENCE_LIST = "webIdentityTokenAudienceListType"
"""GetWebIdentityToken's ``Audience``: ``[""]`` is "Value '[]' at 'audience' failed to satisfy constraint: Member must
satisfy constraint: [Member must have length less than or equal to 1000, Member must have length greater than or
equal to 1]" (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/outbound_identity.json,
"original_audience_empty")."""

#: Services whose messages print a structure in a list as its class does, ``Tag(key=0, value=test)``, where Coral
#: prints a map (``{Key=0, Value=test}``): STS's 51 tags of GetWebIdentityToken were "Value '[Tag(key=0,
#: value=test), ...]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
#: (recorded from AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/outbound_identity.json,
#: "original_tags_fifty_one"; STS's other structures are taken to print alike, *unverified*).
CLASS_STYLE_STRUCTURES = frozenset({"sts"})

#: List shapes whose element constraints Coral lists without the closing "Member must not be null": IAM's
#: ``clientIDList`` "Member must satisfy constraint: [Member must have length less than or equal to 255, Member must
#: have length greater than or equal to 1]" and ``thumbprintList`` (recorded from AWS in 2026: LocalStack snapshot
#: test_iam_oidc.snapshot.json, test_create_open_id_connect_provider_validation_errors), while IAM's ``tagKeys``
#: carries it (test_iam_roles.snapshot.json).
ELEMENTS_WITHOUT_NOT_NULL = frozenset({"clientIDListType", "thumbprintListType", "entityListType",
                                       STS_AUDIENCE_LIST})

#: Enum shapes whose value set Coral lists in an order of its own: GetAccountAuthorizationDetails' filter
#: "[Member must satisfy enum value set: [LocalManagedPolicy, User, AWSManagedPolicy, Role, Group]]" (recorded from
#: AWS, 2026-09-11: radkawar/stackd, testdata/aws/iam/account_reporting.json, "unknown_filter"; no
#: "Member must not be null" after it).
ENUM_ORDER = {"EntityType": ("LocalManagedPolicy", "User", "AWSManagedPolicy", "Role", "Group"),
              "globalEndpointTokenVersion": ("v2Token", "v1Token"),
              "ContextKeyTypeEnum": ("binary", "ipList", "booleanList", "ip", "boolean", "numericList", "dateList",
                                     "numeric", "date", "stringList", "string", "binaryList"),
              "PolicyIdentifierPolicyType": ("scp", "permission-boundary", "aws-managed", "inline", "user-managed",
                                             "rcp"),
              "AttachmentType": ("user", "role", "group")}
"""The token version's set is recorded as "[v2Token, v1Token]" (radkawar/stackd, testdata/aws/iam/
sts_preferences.json, 2026-09-11); the simulator's context key type, exclusion policy type and inline policy
attachment type as listed here (testdata/aws/iam/simulation.json, 2026-09-11: "context_bad_type",
"principal_exclude_type_bogus", "principal_exclude_inline_bad_type")."""

Check = Callable[[Any, str, list], None]
#: (test(value) -> ok, message) pairs of one scalar shape, in the order Coral lists them.
Rules = list[tuple[Callable[[Any], bool], str]]


# ----------------------------------------------------------------------------------------------- rendering
def _java_number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def render(value: Any) -> str:
    """``value`` as Java's ``toString`` would print it inside Coral's message."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{render(k)}={render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes | bytearray):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    return str(value)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render_as_classes(value: Any, shape: Shape) -> str:
    """A list of structures as a service of :data:`CLASS_STYLE_STRUCTURES` prints it; anything else as
    :func:`render` does."""
    if not (shape.type_name == "list" and shape.member.type_name == "structure" and isinstance(value, list | tuple)
            and all(isinstance(item, Mapping) for item in value)):
        return render(value)
    name = shape.member.name
    return "[" + ", ".join(
        f"{name}(" + ", ".join(f"{_lower_first(str(k))}={render(v)}" for k, v in item.items()) + ")"
        for item in value) + "]"


def _hidden(shape: Shape) -> bool:
    """Coral does not echo sensitive values; a collection of sensitive values is not echoed either."""
    children = {"list": ("member",), "map": ("key", "value")}.get(shape.type_name, ())
    return bool(shape.metadata.get("sensitive")) or any(getattr(shape, c).metadata.get("sensitive") for c in children)


class _Failure(NamedTuple):
    """One violation of a value, worded once the service is known (whether it echoes the value).  ``echo`` is what
    stands for the value when it is not the value itself (``null`` for a missing member, nothing for a union)."""

    shape: Shape
    value: Any
    path: str
    constraint: str
    echo: str | None = None

    def text(self, service: str) -> str:
        hidden = _hidden(self.shape) or self.shape.name in UNECHOED.get(service, ())
        if self.echo is not None:
            shown = f" {self.echo} " if self.echo and not hidden else " "
        else:
            text = (_render_as_classes(self.value, self.shape) if service in CLASS_STYLE_STRUCTURES
                    else render(self.value))
            shown = " " if hidden else f" '{text}' "
        constraint = self.constraint
        if self.shape.name in UNLISTED_ENUMS.get(service, ()) and constraint.startswith(_ENUM):
            constraint = _ENUM.rstrip(": ")
        return f"Value{shown}at '{self.path}' failed to satisfy constraint: {constraint}"


# ---------------------------------------------------------------------------------------------- rules
DOCUMENTED_MAXIMA = {"policyDescriptorListType": 10}
"""Lengths AWS documents that its model leaves out, by shape name (each in one served model): STS's ``PolicyArns``,
"You can provide up to 10 managed policy ARNs" (STS API reference: AssumeRole, AssumeRoleWithSAML,
AssumeRoleWithWebIdentity, GetFederationToken).  Refused in Coral's words for a model maximum, *unverified*."""


def _length_rules(shape: Shape, measure: Callable[[Any], int]) -> Rules:
    rules: Rules = []
    low, high = shape.metadata.get("min"), shape.metadata.get("max", DOCUMENTED_MAXIMA.get(shape.name))
    if high is not None:
        rules.append((lambda v: measure(v) <= high, f"Member must have length less than or equal to {high}"))
    if low is not None:
        rules.append((lambda v: measure(v) >= low, f"Member must have length greater than or equal to {low}"))
    return rules


PATTERN_BEFORE_LENGTH = frozenset({"arnType"})
"""String shapes whose pattern violation Coral lists before their length violations (most list length first, as
STS's and ECR's tag keys and IAM's password do): STS's ``arnType`` answers ``roleArn=''`` "Value '' ... regular
expression pattern: ...; Value '' ... length greater than or equal to 20" (recorded from AWS STS:
docs/behaviour.md, "Query protocol: which parameters are read"); IAM's shape of that name is taken to list alike
(*unverified*)."""


def _string_rules(shape: Shape) -> Rules:
    # lengths in Unicode code points, as Smithy's ``length`` trait measures strings, not UTF-16 units
    # (docs/behaviour.md, "Query protocol: which parameters are read")
    rules = _length_rules(shape, len)
    pattern = shape.metadata.get("pattern")
    compiled = compile_pattern(pattern) if pattern else None
    if compiled is not None:
        rule = (lambda v: compiled.fullmatch(v) is not None, f"{_PATTERN}{pattern}")
        rules.insert(0 if shape.name in PATTERN_BEFORE_LENGTH else len(rules), rule)
    enum = shape.metadata.get("enum")
    if enum:
        allowed = frozenset(enum)
        listed = ENUM_ORDER.get(shape.name, enum)
        rules.append((lambda v: v in allowed, f"{_ENUM}[{', '.join(listed)}]"))
    return rules


def _number_rules(shape: Shape) -> Rules:
    rules: Rules = []
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if high is not None:
        rules.append((lambda v: v <= high, f"Member must have value less than or equal to {_java_number(high)}"))
    if low is not None:
        rules.append((lambda v: v >= low, f"Member must have value greater than or equal to {_java_number(low)}"))
    return rules


def _blob_length(value: bytes | str) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else len(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: scalar type -> (type test, type name for the message, rules builder)
_SCALARS: dict[str, tuple[Callable[[Any], bool], str, Callable[[Shape], Rules]]] = {
    "string": (lambda v: isinstance(v, str), "string", _string_rules),
    "integer": (_is_int, "integer", _number_rules),
    "long": (_is_int, "long", _number_rules),
    "float": (_is_number, "float", _number_rules),
    "double": (_is_number, "double", _number_rules),
    "boolean": (lambda v: isinstance(v, bool), "boolean", lambda shape: []),
    "timestamp": (lambda v: isinstance(v, datetime) or _is_number(v), "timestamp", lambda shape: []),
    "blob": (lambda v: isinstance(v, bytes | bytearray | str), "blob",
             lambda shape: _length_rules(shape, _blob_length)),
}


def _type_error(type_name: str) -> str:
    return f"Member must be of type: {type_name}"


# -------------------------------------------------------------------------------------------- checks
def _scalar_rules(shape: Shape) -> tuple[Callable[[Any], bool], str, Rules]:
    is_type, type_name, build = _SCALARS[shape.type_name]
    return is_type, type_name, build(shape)


def _check_scalar(shape: Shape, echo: str | None = None, pattern: str | None = None) -> Check:
    """``shape``'s scalar checks; ``pattern``, when given, in place of the shape's own (:data:`PATTERN_OVERRIDES`)."""
    is_type, type_name, rules = _scalar_rules(shape)
    if pattern is not None:
        compiled = compile_pattern(pattern)
        rules = [rule for rule in rules if not rule[1].startswith(_PATTERN)]
        rules.append((lambda v: compiled.fullmatch(v) is not None, f"{_PATTERN}{pattern}"))

    def check(value: Any, path: str, errors: list) -> None:
        if not is_type(value):
            errors.append(_Failure(shape, value, path, _type_error(type_name)))
            return
        for ok, message in rules:
            if not ok(value):
                errors.append(_Failure(shape, value, path, message, echo))

    return check


def _elements_fail(shape: Shape, *, listed: bool = False) -> tuple[Callable[[Any], bool], str] | None:
    """For a scalar element shape with constraints: (value breaks something?, "[all constraints]"); a list's
    elements (``listed``) also carry "Member must not be null"."""
    if shape.type_name not in _SCALARS:
        return None
    is_type, type_name, rules = _scalar_rules(shape)
    if not rules:
        return None
    listing = "[" + ", ".join([message for _ok, message in rules] + ([_NOT_NULL] if listed else [])) + "]"
    return (lambda v: not is_type(v) or not all(ok(v) for ok, _m in rules)), listing


def null_elements(shape: Shape, path: str, missing: list[int]) -> ServiceError:
    """Coral's refusal of list ``shape`` at ``path`` holding null elements (a query list whose indices leave a gap,
    ``missing`` the 1-based indexes left out): the element constraints without the value or "Member must not be
    null" ("1 validation error detected: Value at 'policyInputList' failed to satisfy constraint: Member must
    satisfy constraint: [Member must have length less than or equal to 131072, Member must have length greater than
    or equal to 1, Member must satisfy regular expression pattern: ...]", recorded from AWS, 2026-09-12:
    radkawar/stackd, testdata/aws/iam/query_collections.json, "11" and "1_8_15").  Elements that are structures are
    empty ones instead, each required member null, the last member first and ten errors at most ("10 validation
    errors detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; Value at
    'tags.1.member.key' ...": testdata/aws/iam/tag_inputs.json, "index_2", "index_11", "gap_two_entries"; the order
    of other structures' members *unverified*); "Member must not be null" for other elements (*unverified*)."""
    element = shape.member
    if element.type_name == "structure" and element.required_members:
        failures = [f"Value at '{path}.{index}.member.{_lower_first(name)}' failed to satisfy "
                    f"constraint: {_NOT_NULL}" for index in missing
                    for name in reversed([name for name in element.members if name in element.required_members])]
        failures = failures[:10]
        counted = f"{len(failures)} validation error{'s' if len(failures) > 1 else ''} detected"
        return ServiceError("ValidationError", f"{counted}: {'; '.join(failures)}", 400)
    scalar = _elements_fail(shape.member)
    constraint = f"Member must satisfy constraint: {scalar[1]}" if scalar else _NOT_NULL
    return ServiceError("ValidationError", f"1 validation error detected: Value at '{path}' failed to satisfy "
                        f"constraint: {constraint}", 400)


def _check_type(shape: Shape) -> Check:
    """Only the type of a scalar whose constraints the service checks itself (:data:`SERVICE_CHECKED`)."""
    is_type, type_name, _rules = _scalar_rules(shape)

    def check(value: Any, path: str, errors: list) -> None:
        if not is_type(value):
            errors.append(_Failure(shape, value, path, _type_error(type_name)))

    return check


PATTERN_OVERRIDES = {("InlinePolicyIdentifierType", "PolicyName"): r".*[\w+=,.@-]+.*",
                     ("InlinePolicyIdentifierType", "AttachmentName"): r".*[\w+=,.@-]+.*"}
r"""Members the service checks against a pattern of its own rather than their shape's: SimulatePrincipalPolicy's
inline policy exclusion takes names with wildcards ("Value '*' at 'policyExclusionList.1.member.
inlinePolicyIdentifier.policyName' failed to satisfy constraint: Member must satisfy regular expression pattern:
.*[\w+=,.@-]+.*", and ``stackd-sim-fixture000*`` is an attachment name; recorded from AWS, 2026-09-11:
radkawar/stackd, testdata/aws/iam/simulation.json, "principal_exclude_inline_wildcard", "_owner_wildcard",
"principal_extra_exclude_inline_owner_prefix")."""


def _member_checker(shape: Shape, name: str, member: Shape) -> Check:
    if (shape.name, name) in PATTERN_OVERRIDES:
        return _check_scalar(member, pattern=PATTERN_OVERRIDES[shape.name, name])
    if (shape.name, name) in SERVICE_CHECKED and member.type_name in _SCALARS:
        return _check_type(member)
    if f"{shape.name}.{name}" in _UNECHOED_MEMBERS and member.type_name == "string":
        return _check_scalar(member, echo="")
    return _checker(member)


def _check_structure(shape: Shape) -> Check:
    required = set(shape.required_members)
    table = [(name, _lower_first(name), name in required, _member_checker(shape, name, member))
             for name, member in shape.members.items()]
    union = bool(getattr(shape, "is_tagged_union", False))

    def check(value: Any, path: str, errors: list) -> None:
        if not isinstance(value, Mapping):
            errors.append(_Failure(shape, value, path, _type_error("structure")))
            return
        if union and sum(value.get(name) is not None for name, *_ in table) != 1:
            # Wording unverified: Smithy unions must carry exactly one member, as botocore's client enforces.
            errors.append(_Failure(shape, value, path, "Member must have exactly one member set", echo=""))
        for name, wire, is_required, fn in table:
            item = value.get(name)
            member_path = f"{path}.{wire}" if path else wire
            if item is None:
                if is_required:
                    errors.append(_Failure(shape.members[name], None, member_path, _NOT_NULL, echo="null"))
                continue
            fn(item, member_path, errors)

    return check


def _check_list(shape: Shape) -> Check:
    rules = _length_rules(shape, len)
    scalar = _elements_fail(shape.member, listed=shape.name not in ELEMENTS_WITHOUT_NOT_NULL)
    element = _checker(shape.member)

    def check(value: Any, path: str, errors: list) -> None:
        if not isinstance(value, list | tuple):
            errors.append(_Failure(shape, value, path, _type_error("list")))
            return
        for ok, message in rules:
            if not ok(value):
                errors.append(_Failure(shape, value, path, message))
        if scalar is not None:
            fails, listing = scalar
            if any(fails(item) for item in value):
                errors.append(_Failure(shape, value, path, f"Member must satisfy constraint: {listing}"))
        else:
            for index, item in enumerate(value, 1):
                element(item, f"{path}.{index}.member", errors)

    return check


def _check_map(shape: Shape) -> Check:
    rules = _length_rules(shape, len)
    keys = _elements_fail(shape.key)
    scalar_values = _elements_fail(shape.value)
    element = _checker(shape.value)

    def check(value: Any, path: str, errors: list) -> None:
        if not isinstance(value, Mapping):
            errors.append(_Failure(shape, value, path, _type_error("map")))
            return
        for ok, message in rules:
            if not ok(value):
                errors.append(_Failure(shape, value, path, message))
        if keys is not None and any(keys[0](key) for key in value):
            errors.append(_Failure(shape, value, path, f"Map keys must satisfy constraint: {keys[1]}"))
        if scalar_values is not None:
            if any(scalar_values[0](item) for item in value.values()):
                errors.append(_Failure(shape, value, path, f"Map value must satisfy constraint: {scalar_values[1]}"))
        else:
            for key, item in value.items():
                element(item, f"{path}.{key}.member", errors)

    return check


def _compile(shape: Shape) -> Check:
    if shape.type_name == "structure":
        return _check_structure(shape)
    if shape.type_name == "list":
        return _check_list(shape)
    if shape.type_name == "map":
        return _check_map(shape)
    if shape.type_name in _SCALARS:
        return _check_scalar(shape)
    return lambda value, path, errors: None


_checker = Memo(_compile)


def first_violation(shape: Shape) -> Callable[[Any], str | None]:
    """A test of one value against ``shape`` (every model constraint, members and elements included): the first
    constraint the value breaks, as ``<member path>: <constraint>`` (the path empty for the value itself), or
    ``None`` when it fits."""
    check = _checker(shape)
    fits = _fits(shape)

    def test(value: Any) -> str | None:
        if fits is not None and fits(value):
            return None  # the common case, decided without building failures
        errors: list[_Failure] = []
        check(value, "", errors)
        return f"{errors[0].path}: {errors[0].constraint}" if errors else None

    return test


def _fits(shape: Shape) -> Callable[[Any], bool] | None:
    """A quick yes for a string or integer value that meets every constraint of ``shape`` (``None`` for other
    shapes); a no is worded by the full checker."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if shape.type_name in ("integer", "long"):
        return lambda v: _is_int(v) and (low is None or v >= low) and (high is None or v <= high)
    low = low or 0
    if shape.type_name != "string":
        return None
    pattern = shape.metadata.get("pattern")
    compiled = compile_pattern(pattern) if pattern else None
    allowed = frozenset(shape.metadata.get("enum") or ()) or None

    def fits(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        length = len(v)
        return (low <= length and (high is None or length <= high) and (allowed is None or v in allowed)
                and (compiled is None or compiled.fullmatch(v) is not None))

    return fits


def _failures(operation: OperationModel, params: Mapping[str, Any]) -> list[_Failure]:
    shape = operation.input_shape
    errors: list[_Failure] = []
    if shape is not None:
        _checker(shape)(params, "", errors)
    return errors


def _in_coral_order(failures: list[_Failure]) -> list[_Failure]:
    """``failures`` in the order Coral lists them: by top-level member in ``java.util.HashSet`` order of the member
    names (a member's own failures keep their order).  IAM answers CreateOpenIDConnectProvider with ``clientIDList``,
    ``thumbprintList``, ``url`` (recorded from AWS in 2026: LocalStack snapshot test_iam_oidc.snapshot.json,
    test_create_open_id_connect_provider_validation_errors), not in the model's Url, ClientIDList, ThumbprintList;
    SWF's ``execution`` before ``domain`` and Cognito's ``groupName`` before ``username`` (as moto's tests and public
    code quote them) follow the same order."""
    tops = [failure.path.split(".", 1)[0] for failure in failures]
    rank = {name: index for index, name in enumerate(java_hash_order(list(dict.fromkeys(tops))))}
    return [failure for _top, failure in sorted(zip(tops, failures, strict=True), key=lambda pair: rank[pair[0]])]


def errors_for(operation: OperationModel, params: Mapping[str, Any]) -> list[str]:
    """Every violation in ``params``, in Coral's wording and order (empty when valid)."""
    service = operation.service_model.service_name
    return [error.text(service) for error in _in_coral_order(_failures(operation, params))]


# ---------------------------------------------------------------------------------------------- ECR's words

#: ECR shapes whose constraints ECR words without "Member" and with the pattern quoted: "Invalid parameter at
#: 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+...)''"
#: (jenkins-x/jx#1344, boto3#3191) and "... 'must have length greater than or equal to 2'" (aws-dotnet-deploy#549).
ECR_OWN_WORDS = frozenset({"RepositoryName"})


def java_hash_order(values: list[str]) -> list[str]:
    """``values`` in the order a ``java.util.HashSet`` of them iterates (bucket of ``String.hashCode`` spread as
    HashMap spreads it, ties in insertion order), the order Coral lists an enum's value set in: ECR answers
    ``[IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]`` for the model's ``[MUTABLE,
    IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]`` (as moto's tests quote it)."""
    capacity = 16
    while len(values) > capacity * 0.75:
        capacity *= 2

    def bucket(text: str) -> int:
        code = 0
        for unit in text.encode("utf-16-be").hex(" ", 2).split():
            code = (31 * code + int(unit, 16)) & 0xFFFFFFFF
        return (code ^ (code >> 16)) & (capacity - 1)

    return [value for _b, _i, value in sorted((bucket(v), i, v) for i, v in enumerate(values))]


def _ecr_constraint(failure: _Failure) -> str:
    shape, constraint = failure.shape, failure.constraint
    enum = shape.metadata.get("enum") if shape.type_name == "string" else None
    if enum and constraint.startswith(_ENUM):
        return f"{_ENUM}[{', '.join(java_hash_order(list(enum)))}]"
    if shape.name in ECR_OWN_WORDS:
        if constraint.startswith(_PATTERN):
            return f"must satisfy regular expression '{constraint[len(_PATTERN):]}'"
        return constraint.removeprefix("Member ")
    # A list's element constraints are listed without Coral's trailing "Member must not be null": "Member must
    # satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]" (amazon-ecr-login#27, #225).
    return constraint.replace(f", {_NOT_NULL}]", "]")


def _ecr_summary(failures: list[_Failure], service: str) -> str:
    """ECR's front end names the first violation only, without the value: "Invalid parameter at 'registryIds'
    failed to satisfy constraint: '...'" (amazon-ecr-login#27, harbor#17642, aws-lambda-ecr-cleaner#3)."""
    first = failures[0]
    return f"Invalid parameter at '{first.path}' failed to satisfy constraint: '{_ecr_constraint(first)}'"


def _coral_summary(failures: list[_Failure], service: str) -> str:
    count = len(failures)
    texts = [failure.text(service) for failure in _in_coral_order(failures)]
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(texts)


#: How a service words its validation failures (Coral's "N validation errors detected: ..." unless listed).
SUMMARIES: dict[str, Callable[[list[_Failure], str], str]] = {"ecr": _ecr_summary}


def error_code(operation: OperationModel) -> str:
    service = operation.service_model
    return ERROR_CODES.get(service.service_name) or _PROTOCOL_ERROR_CODES.get(service.protocol, "ValidationException")


def _raise_in_own_words(failures: list[_Failure], service: str, structure: str, code: str) -> None:
    """Raise the service's own message for a broken pattern of :data:`OWN_WORDS` when it comes first, or when it is
    the only kind of failure; else drop those failures from ``failures`` and return."""
    words = OWN_WORDS.get(service, {})
    if not words:
        return

    def sentence(failure: _Failure) -> tuple[str, bool] | None:
        # Only the shape's own pattern has the service's own words (not one of PATTERN_OVERRIDES).
        if failure.constraint != f"{_PATTERN}{failure.shape.metadata.get('pattern')}":
            return None
        member = failure.path[:1].upper() + failure.path[1:]
        return words.get(f"{structure}.{member}") or words.get(failure.shape.name)

    own: list[tuple[_Failure, tuple[str, bool]]] = []
    rest: list[_Failure] = []
    for failure in failures:
        found = sentence(failure)
        if found is None:
            rest.append(failure)
        else:
            own.append((failure, found))
    if not own:
        return
    failures[:] = rest
    first = [pair for pair in own if pair[1][1]] or ([] if rest else own)
    if first:
        failure, (text, _first) = first[0]
        raise ServiceError(code, f"The specified value for {failure.path} is invalid. {text}", 400)


def validate(operation: OperationModel, params: Mapping[str, Any]) -> None:
    """Raise the service's validation error if ``params`` break any constraint of the operation's input shape."""
    failures = _failures(operation, params)
    if not failures:
        return
    service = operation.service_model.service_name
    _raise_in_own_words(failures, service, operation.input_shape.name, error_code(operation))
    summary = SUMMARIES.get(service, _coral_summary)(failures, service)
    raise ServiceError(error_code(operation), summary, 400)
