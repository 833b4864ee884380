"""STS operations: who am I, role sessions, user sessions.

AssumeRole is authorized as one ``sts:AssumeRole`` check on the role ARN with the role's trust policy as the
resource policy; the engine combines trust and identity policies as AWS does (same account: a trust statement
naming the caller's ARN suffices; naming the account needs the caller's identity policy too; cross-account
needs both).  Session tags add an ``sts:TagSession`` check against the same trust policy.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from mockrunner.arns import split_arn
from mockrunner.auth import authorizer
from mockrunner.auth.check import Check
from mockrunner.auth.resource_tags import resource_tag_keys
from mockrunner.context import RequestContext
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import MalformedPolicyError, PolicyKind, Principal, validate_policy
from mockrunner.iam_engine.size import policy_size
from mockrunner.model.iam import (
    SESSION_KEY_PREFIX,
    IamState,
    Role,
    Session,
    new_role_session,
    new_secret,
    new_session_token,
    session_credentials,
)
from mockrunner.model.key_ids import account_of, new_key_id
from mockrunner.model.managed_policies import aws_managed_policy
from mockrunner.services.registry import no_checks, op
from mockrunner.services.sts import mfa, token_size
from mockrunner.services.sts.federated_keys import federated_principal_keys
from mockrunner.services.sts.policy_json import not_json_message

ROLE_CHAINING_LIMIT = 3600
#: Caller credential sources that are STS session credentials (``Caller.credential_source``).
TEMPORARY_CREDENTIALS = frozenset({"AssumeRole", "GetSessionToken", "GetFederationToken"})
FEDERATION_TOKEN = "GetFederationToken"
"""``Caller.credential_source`` of a federated user (GetFederationToken's credentials)."""
MIN_DURATION = 900
SESSION_TOKEN_DEFAULT = 12 * 3600
SESSION_TOKEN_MAX = 36 * 3600
SESSION_TOKEN_MAX_ROOT = 3600
MAX_SESSION_POLICY_CHARS = 2048


@op("sts", "GetCallerIdentity", authz=no_checks)
def get_caller_identity(ctx: RequestContext) -> dict:
    """Never denied, whatever the caller's policies say (STS API reference)."""
    caller = ctx.caller
    return {"UserId": caller.user_id, "Account": caller.account_id, "Arn": caller.arn}


def _role_from_arn(ctx: RequestContext, arn: str) -> tuple[str | None, Role | None]:
    """The account and role an ARN names (``None`` parts when the ARN names nothing that exists); only the role's own
    ARN names it (:meth:`Store.role_at`), so ``arn:aws-cn:iam::<acct>:role/admin`` cannot slip past a Deny on
    ``arn:aws:iam::*:role/admin`` and still assume it."""
    parsed = split_arn(arn)
    if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
        return None, None
    return parsed.account, ctx.store.role_at(arn)


def checked_role_arn(arn: str) -> str:
    """``arn`` if it has the shape of an ARN; STS refuses one without partition, service or resource (or with too
    few colons) as ``ValidationError`` "<arn> is invalid", before any authorization (recorded from AWS)."""
    parsed = split_arn(arn)
    if parsed is None or not parsed.partition or not parsed.service or not parsed.resource:
        raise ServiceError("ValidationError", f"{arn} is invalid", 400)
    return arn


def _assume_role_checks(ctx: RequestContext) -> list[Check]:
    params = ctx.params
    role_arn = checked_role_arn(params["RoleArn"])
    account_id, role = _role_from_arn(ctx, role_arn)
    keys: dict[str, Any] = {"sts:RoleSessionName": params["RoleSessionName"]}
    if params.get("ExternalId") is not None:
        keys["sts:ExternalId"] = params["ExternalId"]
    source_identity = chained_source_identity(ctx)
    if source_identity is not None:
        keys["sts:SourceIdentity"] = source_identity
    tags = params.get("Tags") or []
    for tag in tags:
        keys[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
    if tags:
        keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    if params.get("TransitiveTagKeys"):
        keys["sts:TransitiveTagKeys"] = list(params["TransitiveTagKeys"])
    contexts = params.get("ProvidedContexts") or []
    if contexts:
        keys["sts:RequestContextProviders"] = [context.get("ProviderArn", "") for context in contexts]
    if role is not None:
        keys.update(resource_tag_keys(role, "role"))
    if mfa.requested(ctx):
        # The trust policy sees the MFA the request brings (refused here when its code is not the device's).
        mfa.verified_step(ctx, ctx.store.clock.now())
        keys["aws:MultiFactorAuthPresent"] = True
        keys["aws:MultiFactorAuthAge"] = 0
    trust = role.assume_role_policy if role is not None else None
    common = {"resource_policy": trust or None, "resource_policy_id": f"{role_arn}#trust-policy",
              "resource_account": account_id}
    checks = [Check("sts:AssumeRole", role_arn, keys, **common)]
    if tags or ctx.caller.transitive_tag_keys:
        # Inherited transitive tags are tags the new session is given: setting them needs sts:TagSession as
        # passing tags does (AWS's refusal of a chained AssumeRole carrying EKS Pod Identity's transitive tags
        # names sts:TagSession: mattrobinsonsre/terrapod#1546, aws/eks-pod-identity-agent#80).
        checks.append(Check("sts:TagSession", role_arn, keys, **common))
    if source_identity is not None:
        checks.append(Check("sts:SetSourceIdentity", role_arn, keys, **common))
    if contexts:
        # Context the session is given, as tags are: the trust policy must allow sts:SetContext too (IAM User
        # Guide's trust policies for ProvidedContexts name "sts:AssumeRole" and "sts:SetContext"; the Service
        # Authorization Reference's sts:SetContext, keyed by sts:RequestContextProviders).
        checks.append(Check("sts:SetContext", role_arn, keys, **common))
    return checks


def chained_source_identity(ctx: RequestContext) -> str | None:
    """The source identity of the session AssumeRole would issue: the calling session's, once set (it "persists
    across chained role sessions" and "cannot be changed", IAM User Guide, "Monitor and control actions taken with
    assumed roles"), else the request's ``SourceIdentity``.  Setting either needs ``sts:SetSourceIdentity`` from
    the caller's policies and the role's trust policy, chaining too (the guide; the refusal names
    ``sts:SetSourceIdentity``, noqdev/iambic#357).  A request naming another value than the calling session's is
    refused as that check would be (STS's wording for it is not public)."""
    carried, requested = ctx.caller.source_identity, ctx.params.get("SourceIdentity")
    if carried is not None and requested is not None and requested != carried:
        raise ServiceError("AccessDenied", f"User: {ctx.caller.arn} is not authorized to perform: "
                           f"sts:SetSourceIdentity on resource: {ctx.params['RoleArn']}", 403)
    return carried if carried is not None else requested


STS_CALLS_OF_LIMITED_SESSIONS = {
    FEDERATION_TOKEN: frozenset({"GetCallerIdentity", "GetScopedCredentials", "GetDelegatedAccessToken"}),
    "GetSessionToken": frozenset({"AssumeRole", "GetCallerIdentity", "GetScopedCredentials", "GetWebIdentityToken",
                                  "GetDelegatedAccessToken"}),
}
"""The STS operations the credentials of GetFederationToken and of GetSessionToken may call, by the operation that
made them (STS API reference: GetFederationToken's "cannot call any STS operations except GetCallerIdentity,
GetScopedCredentials, or GetDelegatedAccessToken"; GetSessionToken's "cannot call any STS API except AssumeRole,
GetCallerIdentity, GetScopedCredentials, GetWebIdentityToken, or GetDelegatedAccessToken").  Role sessions are
not limited so (GetSessionToken and GetFederationToken refuse them on their own)."""


def refuse_limited_sessions(ctx: RequestContext) -> None:
    """Refuse a call :data:`STS_CALLS_OF_LIMITED_SESSIONS` does not allow the caller's credentials, before any
    policy is read, as STS refuses session credentials GetSessionToken ("Cannot call <Operation> with session
    credentials", the text boto3 and aws-cli users quote; STS's wording for the other operations is not public)."""
    allowed = STS_CALLS_OF_LIMITED_SESSIONS.get(ctx.caller.credential_source)
    if allowed is not None and ctx.operation_name not in allowed:
        raise ServiceError("AccessDenied", f"Cannot call {ctx.operation_name} with session credentials", 403)


def default_checks(ctx: RequestContext) -> list[Check]:
    """authz of STS operations checked as ``sts:<Operation>`` on ``*`` (:func:`refuse_limited_sessions` first)."""
    refuse_limited_sessions(ctx)
    return [Check(f"sts:{ctx.operation_name}")]


def _assume_role_authz(ctx: RequestContext) -> list[Check]:
    refuse_limited_sessions(ctx)
    if ctx.caller.is_root:
        # STS refuses root outright, before any policy (message as AWS returns it).
        raise ServiceError("AccessDenied", "Roles may not be assumed by root accounts.", 403)
    _check_transitive_keys(ctx)
    return _assume_role_checks(ctx)


def refuse_duplicate_tag_keys(tags: list[dict]) -> None:
    """Session tag keys are case-insensitive: two of a request's ``Tags`` whose keys differ only in case are
    refused (recorded from AWS for AssumeRole: LocalStack snapshot tests/aws/services/sts/test_sts.snapshot.json,
    test_assume_role_tag_validation; GetFederationToken takes the same ``Tags`` and is held to the same rule)."""
    if len({tag["Key"].lower() for tag in tags}) < len(tags):
        raise ServiceError("InvalidParameterValue",
                           "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)


def _check_transitive_keys(ctx: RequestContext) -> None:
    """STS's answers (recorded from AWS) for session tag keys that differ only in case, for transitive keys not
    among the request's tags, and for a chained call setting a tag key the calling session carries as transitive
    (tag keys compare case-insensitively)."""
    refuse_duplicate_tag_keys(ctx.params.get("Tags") or [])
    requested = {tag["Key"].lower() for tag in ctx.params.get("Tags") or []}
    if any(key.lower() not in requested for key in ctx.params.get("TransitiveTagKeys") or []):
        raise ServiceError("InvalidParameterValue", "The specified transitive tag key must be included in the "
                           "requested tags.", 400)
    if any(key.lower() in requested for key in ctx.caller.transitive_tag_keys):
        raise ServiceError("InvalidParameterValue", "One of the specified transitive tag keys can't be set because "
                           "it conflicts with a transitive tag key from the calling session.", 400)


@op("sts", "AssumeRole", authz=_assume_role_authz)
def assume_role(ctx: RequestContext) -> dict:
    params, caller, store = ctx.params, ctx.caller, ctx.store
    role_arn = params["RoleArn"]
    account_id, role = _role_from_arn(ctx, role_arn)
    if role is None or account_id is None:
        # A role that does not exist is reported exactly like a refused one.
        raise ServiceError("AccessDenied", f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on "
                           f"resource: {role_arn}", 403)
    chained = caller.kind == "AssumedRole"
    duration = params.get("DurationSeconds") or 3600
    # The one-hour cap binds every temporary caller, GetSessionToken's sessions too: STS answers them with the
    # role-chaining error (mmmorris1975/aws-runas#11; 99designs/aws-vault#800, ByteNess/aws-vault#290 route around it).
    if caller.credential_source in TEMPORARY_CREDENTIALS and duration > ROLE_CHAINING_LIMIT:
        raise ServiceError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                           "for roles assumed by role chaining.", 400)
    _check_duration(role, duration)
    policies, policy_arns = _session_policy_set(params, store.accounts[account_id].iam)
    tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []}
    transitive = list(params.get("TransitiveTagKeys") or [])
    if chained:
        # The calling session's transitive tags pass on, and stay transitive (IAM User Guide, "Chaining roles
        # with session tags"); its other tags do not.
        # A transitive key names its tag in any case ("Tag key-value pairs are not case sensitive, but case is
        # preserved", AssumeRole's API reference), as the checks of TransitiveTagKeys above read it.
        inherited = list(caller.transitive_tag_keys)
        passed_on = {key.lower() for key in inherited}
        tags = {**{key: value for key, value in caller.session_tags.items() if key.lower() in passed_on}, **tags}
        transitive = inherited + transitive
    now = store.clock.now()
    # The session carries MFA authenticated now, or that of the calling GetSessionToken session; role chaining
    # passes none on (not documented either way: mockrunner fails closed).
    carried_mfa = caller.mfa_authenticated_at if caller.credential_source == "GetSessionToken" else None
    check_packed_size(policies, policy_arns, tags)
    mfa_at = mfa.consume(ctx, now) if mfa.requested(ctx) else carried_mfa
    session = new_role_session(
        store.account(role.account_id).iam, now, role, params["RoleSessionName"], duration,
        policies=policies, policy_arns=policy_arns, tags=tags, chained=chained,
        source_identity=chained_source_identity(ctx), transitive_tag_keys=transitive, mfa_authenticated_at=mfa_at,
        minimum_token_size=token_size.minimum_size(params),
    )
    return {**_session_result(session, policies, policy_arns, params.get("Tags") or []),
            **token_size.requested_size_members(params, session.session_token)}


def _session_result(session: Session, policies: list[str], policy_arns: list[str], passed_tags: Any) -> dict:
    """What the AssumeRole family returns; ``PackedPolicySize`` only when session policies or tags were passed."""
    result: dict[str, Any] = {
        "Credentials": session_credentials(session),
        "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn},
    }
    if policies or policy_arns or passed_tags:
        result["PackedPolicySize"] = _packed_size(policies, policy_arns, session.tags)
    if session.source_identity:
        result["SourceIdentity"] = session.source_identity
    return result


def _check_duration(role: Role, duration: int) -> None:
    if duration > role.max_session_duration:
        raise ServiceError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
                           "for this role.", 400)


def _session_policy_set(params: dict, iam: Any) -> tuple[list[str], list[str]]:
    """The request's session policy documents and policy ARNs (each ARN must name an existing managed policy; an
    entry without one is refused in Coral's words for a missing member, *unverified*: the model does not mark
    ``arn`` required)."""
    policies = _session_policies(params)
    policy_arns = []
    for index, entry in enumerate(params.get("PolicyArns") or [], start=1):
        if not entry.get("arn"):
            raise ServiceError("ValidationError", f"1 validation error detected: Value null at 'policyArns.{index}."
                               "member.arn' failed to satisfy constraint: Member must not be null", 400)
        policy_arns.append(entry["arn"])
    for arn in policy_arns:
        if arn not in iam.policies and aws_managed_policy(arn) is None:
            raise ServiceError("ValidationError", f"The policy {arn} does not exist or is not attachable.", 400)
    return policies, policy_arns


def _session_policies(params: dict) -> list[str]:
    document = params.get("Policy")
    if document is None:
        return []
    if policy_size(document) > MAX_SESSION_POLICY_CHARS:  # the plaintext's own limit, 2,048 characters
        raise _policy_too_large(-(-policy_size(document) * 100 // MAX_SESSION_POLICY_CHARS))
    message = not_json_message(document)
    if message is not None:
        raise ServiceError("MalformedPolicyDocument", message, 400)
    try:
        validate_policy(document, PolicyKind.IDENTITY)
    except MalformedPolicyError as error:
        raise ServiceError("MalformedPolicyDocument", error.message, 400) from None
    return [document]


_PACKED_BUDGET = MAX_SESSION_POLICY_CHARS * 2
"""Characters of session policies, policy ARNs (64 each) and session tags one session holds: 100% of STS's packed
size (its compression is not public; this is mockrunner's measure)
(docs/behaviour.md, "Hostile input: forty-sixth pass")."""


def _tags_used(tags: dict[str, str]) -> int:
    return sum(len(key) + len(value) for key, value in tags.items())


def _packed_used(policies: list[str], arns: list[str], tags: dict[str, str]) -> int:
    return sum(policy_size(p) for p in policies) + 64 * len(arns) + _tags_used(tags)


def _packed_size(policies: list[str], arns: list[str], tags: dict[str, str]) -> int:
    """A percentage of the packed-policy quota, roughly as STS reports it (its compression is not public)."""
    used = _packed_used(policies, arns, tags)
    return min(100, used * 100 // _PACKED_BUDGET) if used else 0


def check_packed_size(policies: list[str], arns: list[str], tags: dict[str, str]) -> None:
    """``PackedPolicyTooLarge`` when the session's tags, or its tags and policies together, pass 100% of the packed
    size, in STS's two wordings ("Packed size of session tags consumes n% of allotted space."; "Packed policy
    consumes n% of allotted space, please use smaller policy.": AWS knowledge center, "iam-role-aws-sts-error")."""
    tags_share = -(-_tags_used(tags) * 100 // _PACKED_BUDGET)
    if tags_share > 100:
        raise ServiceError("PackedPolicyTooLarge", f"Packed size of session tags consumes {tags_share}% of allotted "
                           "space.", 400)
    share = -(-_packed_used(policies, arns, tags) * 100 // _PACKED_BUDGET)
    if share > 100:
        raise _policy_too_large(share)


def _policy_too_large(share: int) -> ServiceError:
    return ServiceError("PackedPolicyTooLarge", f"Packed policy consumes {share}% of allotted space, please use "
                        "smaller policy.", 400)


def session_credentials_refused(ctx: RequestContext) -> list[Check]:
    """authz of the STS calls temporary credentials may not make.

    STS API reference, GetSessionToken: its credentials "cannot call any AWS STS API except AssumeRole or
    GetCallerIdentity"; role sessions cannot call GetSessionToken either.  STS answers ``AccessDenied`` "Cannot call
    <Operation> with session credentials" (the text boto3/aws-cli users quote for GetSessionToken and
    GetFederationToken), before any policy is read.
    """
    if ctx.caller.credential_source in TEMPORARY_CREDENTIALS:
        raise ServiceError("AccessDenied", f"Cannot call {ctx.operation_name} with session credentials", 403)
    return []


@op("sts", "GetSessionToken", authz=session_credentials_refused)
def get_session_token(ctx: RequestContext) -> dict:
    """No permission is needed (STS API reference); session credentials cannot call it.

    With ``SerialNumber``/``TokenCode`` (see :mod:`mockrunner.services.sts.mfa`) the session carries the MFA
    context and may call IAM; without, IAM refuses it (see ``auth/authenticate.py``).  Default 12 hours, at most
    36; the root user's session lasts an hour at most, whatever is asked.
    """
    caller, store = ctx.caller, ctx.store
    duration = ctx.params.get("DurationSeconds") or SESSION_TOKEN_DEFAULT
    if duration > SESSION_TOKEN_MAX:
        raise ServiceError("ValidationError", f"1 validation error detected: Value '{duration}' at "
                           f"'durationSeconds' failed to satisfy constraint: Member must have value less than "
                           f"or equal to {SESSION_TOKEN_MAX}", 400)
    if caller.is_root:
        # "If the duration is longer than one hour, the session for AWS account owners defaults to one hour"
        # (STS API reference, GetSessionToken): not refused, as GetFederationToken's rule for root.
        duration = min(duration, SESSION_TOKEN_MAX_ROOT)
    now = store.clock.now()
    mfa_at = mfa.consume(ctx, now) if mfa.requested(ctx) else None
    iam = store.accounts[caller.account_id].iam
    session = Session(
        access_key_id=new_key_id(SESSION_KEY_PREFIX, caller.account_id, iam.sessions), secret_access_key=new_secret(),
        session_token=new_session_token(token_size.minimum_size(ctx.params)),
        expiration=now + timedelta(seconds=duration), kind=caller.kind,
        arn=caller.arn, user_id=caller.user_id, entity_name=caller.entity_name, issued_at=now,
        mfa_authenticated_at=mfa_at,
    )
    iam.add_session(session, now)
    return {"Credentials": session_credentials(session),
            **token_size.requested_size_members(ctx.params, session.session_token)}


# ------------------------------------------------------------------------------------------- web identity
WEB_IDENTITY_DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def _refuse_provider_id(provider_id: str | None) -> None:
    """``ProviderId`` names an OAuth 2.0 provider (Facebook's, Google's, Amazon's) whose access tokens STS checks with
    that provider; mockrunner verifies OpenID Connect ID tokens only. Recorded from AWS, 2026-09-11 (radkawar/stackd,
    internal/services/sts/testdata/oidc/aws-trust.json, "provider-id-*", with a valid OIDC ID token): Facebook rejects
    it, Login With Amazon answers that the token is none of its (aws-initial.json), and any other ProviderId is an
    unrecognized OAuth provider."""
    if provider_id is None:
        return
    if provider_id == "graph.facebook.com":
        raise ServiceError("IDPRejectedClaim", 'graph.facebook.com rejected OAuth token with response "Bad signature" '
                           "and code 190", 403)
    if provider_id == "www.amazon.com":
        # Recorded from AWS, 2026-09-11 (radkawar/stackd 9dc356f5, oidc/aws-initial.json "provider-id-with-oidc").
        raise ServiceError("InvalidIdentityToken", "Provided Token is not a Login With Amazon token", 400)
    raise ServiceError("AccessDenied", "Unrecognized OAuth provider. Do not include a provider parameter when "
                       "submitting OpenIDConnect ID tokens", 403)


@op("sts", "AssumeRoleWithWebIdentity", authz=no_checks)
def assume_role_with_web_identity(ctx: RequestContext) -> dict:
    """An unsigned call: the token is verified (``mockrunner.oidc.verify``) against the providers of the role's
    account, then the role's trust policy decides for the provider (``Principal: {"Federated": <provider ARN>}``)
    with the token's condition keys.  Every refusal by policy, and a role that does not exist, is the same
    ``AccessDenied`` "Not authorized to perform sts:AssumeRoleWithWebIdentity" (STS names neither role nor
    reason).  Decisions are logged with the token's claims and the keys derived from them."""
    from mockrunner.oidc import verify as web_identity

    params, store = ctx.params, ctx.store
    role_arn = checked_role_arn(params["RoleArn"])
    _refuse_provider_id(params.get("ProviderId"))
    account_id, role = _role_from_arn(ctx, role_arn)
    account = store.account(account_id or "")
    verified = web_identity.verify(store, account.iam if account is not None else IamState(),
                                   params["WebIdentityToken"])
    tags, transitive = web_identity.session_tags(verified.claims)
    source_identity = web_identity.source_identity(verified.claims)
    keys: dict[str, Any] = {**web_identity.condition_keys(verified), "sts:RoleSessionName": params["RoleSessionName"],
                            **federated_principal_keys(verified.provider.arn),
                            "sts:RoleAuthorizedByIdp": web_identity.role_authorized_by_idp(verified.claims, role_arn)}
    for key, value in tags.items():
        keys[f"aws:RequestTag/{key}"] = value
    if tags:
        keys["aws:TagKeys"] = list(tags)
        keys["sts:TransitiveTagKeys"] = transitive
    if source_identity is not None:
        keys["sts:SourceIdentity"] = source_identity
    if role is not None:
        keys.update(resource_tag_keys(role, "role"))
    trust = role.assume_role_policy if role is not None else None
    common = {"resource_policy": trust, "resource_policy_id": f"{role_arn}#trust-policy",
              "resource_account": account_id}
    checks = [Check("sts:AssumeRoleWithWebIdentity", role_arn, keys, **common)]
    if tags:
        checks.append(Check("sts:TagSession", role_arn, keys, **common))
    if source_identity is not None:
        checks.append(Check("sts:SetSourceIdentity", role_arn, keys, **common))
    provider = Principal(arn=verified.provider.arn, account=account_id, type="Federated")
    details = {"tokenClaims": verified.claims, "conditionKeys": keys, "provider": verified.provider.arn}
    if authorizer.authorize_principal(ctx, provider, checks, details) is not None or role is None:
        raise ServiceError("AccessDenied", WEB_IDENTITY_DENIED, 403)
    duration = params.get("DurationSeconds") or 3600
    _check_duration(role, duration)
    policies, policy_arns = _session_policy_set(params, account.iam)
    check_packed_size(policies, policy_arns, tags)
    session = new_role_session(store.account(role.account_id).iam, store.clock.now(), role,
                               params["RoleSessionName"], duration, policies=policies,
                               policy_arns=policy_arns, tags=tags, transitive_tag_keys=transitive,
                               source_identity=source_identity, federated_provider=verified.provider.url,
                               federated_subject=verified.claims["sub"],
                               minimum_token_size=token_size.minimum_size(params))
    return {**_session_result(session, policies, policy_arns, tags),
            **token_size.requested_size_members(params, session.session_token),
            # The IAM OIDC provider's ARN, not the token's iss as the API reference says: recorded from AWS, 2026-09-11
            # (radkawar/stackd, internal/services/sts/testdata/oidc/aws.json, "baseline-2" and every success).
            "SubjectFromWebIdentityToken": verified.subject, "Provider": verified.provider.arn,
            "Audience": verified.audience}


# ------------------------------------------------------------------------------------------- access key info


@op("sts", "GetAccessKeyInfo", authz=default_checks)
def get_access_key_info(ctx: RequestContext) -> dict:
    """The account owning any access key id: a key of this server (root, IAM user, STS session, even an expired
    one) by lookup; any other ``AKIA``/``ASIA`` id by decoding it as AWS encodes accounts in key ids (bits 7-46 of
    the base32-decoded id after its prefix, as public analyses of the format describe it), so a key of an account
    outside the model answers too.  Authorized as ``sts:GetAccessKeyInfo`` on ``*``."""
    key_id = ctx.params["AccessKeyId"]
    account = _key_owner(ctx, key_id) or account_of(key_id)
    if account is None:
        # AWS's answer for an id that is not a key id is not public; a validation error names the parameter.
        raise ServiceError("InvalidParameterValue", f"The access key ID {key_id} is not valid.", 400)
    return {"Account": account}


def _key_owner(ctx: RequestContext, key_id: str) -> str | None:
    root = ctx.store.root_key(key_id)
    if root is not None:
        return root.account_id
    for account in ctx.store.accounts.values():
        iam = account.iam
        if key_id in iam.access_keys or key_id in iam.sessions or key_id in iam.expired_sessions:
            return account.id
    return None
