"""IAM's Access Troubleshooter (Preview): an IAM denial's authorization id and the record it names.

Since 2026 IAM ends the AccessDenied message of most of its APIs with a sentence naming an authorization id
(IAM User Guide, "Troubleshoot access denied error messages with authorization ID (Preview)"); the IAM Toolbox's
``GetRequestAuthorizationDetails`` answers, for that id, the request context, one evaluation per action/resource
pair with its checks and the policies considered, and ``GetRequestAuthorizationPolicy`` each policy's document as
it was at the denial.  :func:`note` is registered on the authorizer's :data:`~mockrunner.auth.authorizer.DENIAL_NOTES`:
for a supported denial it records what the engine decided (the same evaluation the decision log holds, every
allowing statement named) under a fresh id and returns the error with the sentence added.  Which denials carry an
id, the URIs of policies without an ARN, and the checks' effects where the engine's layers say nothing are choices
marked in docs/behaviour.md, "IAM Access Troubleshooter (Preview)".
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockrunner import json_nesting
from mockrunner.auth import authorizer
from mockrunner.auth.caller import Caller
from mockrunner.errors import ServiceError
from mockrunner.iam_engine import AuthzRequest, Decision, MatchedStatement, PolicyRef
from mockrunner.iam_engine.context import iso_z, principal_keys
from mockrunner.iam_engine.evaluate import BOUNDARY, IDENTITY, RESOURCE, SESSION, layer_statements
from mockrunner.model.authorization_details import AuthorizationRecord, new_id
from mockrunner.suggest import documents

if TYPE_CHECKING:
    from mockrunner.auth.check import Check
    from mockrunner.context import RequestContext
    from mockrunner.model.store import Store

REGION = "us-east-1"
"""IAM's denials are made, and their details kept, in us-east-1 (every recorded link names it)."""
SENTENCE = (". Go to https://{region}.console.aws.amazon.com/iam/home?region={region}#/authorization-details/{id} "
            "for complete details, or call the GetRequestAuthorizationDetails API with the following authorization "
            "id: {id}")
WITHOUT_ID = frozenset({
    # recorded without the sentence: ListInstanceProfiles (2026-10, GetRole's denial of the same minute had one);
    # stackd's root_access.json (2026-09-11: ListOrganizationsFeatures, and the four Enable/Disable Organizations
    # Root* explicit denials, while GetAccountProperties' had one) and role_acquisition.json (2026-09-12:
    # GetRoleTemplateVersion, called or checked by AcquireRole, while GetRole's had one)
    "iam:ListInstanceProfiles", "iam:ListOrganizationsFeatures", "iam:EnableOrganizationsRootCredentialsManagement",
    "iam:DisableOrganizationsRootCredentialsManagement", "iam:EnableOrganizationsRootSessions",
    "iam:DisableOrganizationsRootSessions", "iam:GetRoleTemplateVersion",
    # the other listings by a path prefix, like ListInstanceProfiles (unverified)
    "iam:ListUsers", "iam:ListGroups", "iam:ListRoles", "iam:ListServerCertificates",
})
"""IAM actions whose denials carry no authorization id ("Some APIs within a supported service don't return an
authorization ID": the User Guide page above)."""
_NO_RECORD_KINDS = frozenset({"Anonymous", "Service"})
""""Requests made by a service on your behalf and anonymous requests" get no id (the User Guide page above)."""

# (check type, engine layer, policy type), in the order AWS lists checks: resource, principal, boundary, session.
_CHECKS = (("RESOURCE", RESOURCE, "RESOURCE_BASED_POLICY"), ("PRINCIPAL", IDENTITY, "IDENTITY_BASED_POLICY"),
           ("PERMISSIONS_BOUNDARY", BOUNDARY, "PERMISSIONS_BOUNDARY"), ("SESSION", SESSION, "SESSION_POLICY"))
_EFFECTS = {"allowed": "ALLOW", "explicitDeny": "EXPLICIT_DENY"}


def supported(ctx: "RequestContext", check: "Check") -> bool:
    """Whether IAM gives this denial an authorization id: an IAM operation's own ``iam:`` check, for a signed
    caller, other than :data:`WITHOUT_ID`."""
    caller = ctx.caller
    return (ctx.service == "iam" and check.action.startswith("iam:") and check.action not in WITHOUT_ID
            and caller is not None and caller.kind not in _NO_RECORD_KINDS)


def note(ctx: "RequestContext", checks: tuple["Check", ...], check: "Check", decision: Decision,
         error: ServiceError) -> ServiceError:
    """:data:`~mockrunner.auth.authorizer.DENIAL_NOTES` entry: record a supported denial and name its id."""
    if not supported(ctx, check):
        return error
    now, log = ctx.store.clock.now(), ctx.store.decision_log
    # the denied check's decision is the log's newest entry (appended in this hold of the store lock)
    decision_id = log[-1]["id"] if len(log) else None
    record = build(ctx.store, ctx.caller, checks, authorizer.request_context(ctx), now, decision_id)
    ctx.store.authorization_details.add(record, now)
    message = error.message + SENTENCE.format(region=record.region, id=record.authorization_id)
    return ServiceError(error.code, message, error.status, error.sender_fault, error.extra)


def build(store: "Store", caller: Caller, checks: Sequence["Check"], base: Mapping[str, Any],
          now: datetime, decision_id: int | None = None) -> AuthorizationRecord:
    """The record of ``caller``'s request denied at the last of ``checks`` (each decided again, recording
    nothing, as the authorizer decided it), with the documents of every policy considered as they are now."""
    compiled = authorizer.compiled_principal(store, caller)
    policies = _Policies(store, caller)
    evaluations = []
    for check in checks:
        decision, compiled, context, resource_policy = authorizer.evaluated(store, caller, check, base, now)
        if resource_policy is not None:
            policies.add(resource_policy, "RESOURCE_BASED_POLICY", True, check.resource, check)
        evaluations.append(_evaluation(check, decision, compiled, context, resource_policy, base, now, policies))
    return AuthorizationRecord(
        authorization_id=new_id(), time=now, region=REGION, account_id=caller.account_id,
        request_context=_request_context(base, compiled.principal, now), evaluations=evaluations,
        policies=policies.listed(), documents=policies.documents, decision_id=decision_id)


def _request_context(base: Mapping[str, Any], principal: Any, now: datetime) -> dict[str, Any]:
    """The keys every evaluation shares: the request's, the principal's and the time (JSON values)."""
    keys = principal_keys(principal)
    keys.update(authorizer.recorded(base))
    keys["aws:CurrentTime"] = iso_z(now)
    keys["aws:EpochTime"] = int(now.timestamp())
    return {key: _json(value) for key, value in keys.items() if value is not None}


def _evaluation(check: "Check", decision: Decision, compiled: Any, context: Mapping[str, Any],
                resource_policy: PolicyRef | None, base: Mapping[str, Any], now: datetime,
                policies: "_Policies") -> dict[str, Any]:
    effect = _EFFECTS.get(decision.decision, "IMPLICIT_DENY")
    request = AuthzRequest(compiled.principal, check.action, check.resource, context, compiled.identity,
                           compiled.boundary, compiled.session, compiled.scope_downs, resource_policy,
                           check.resource_account, now, True)
    layers = {RESOURCE: (resource_policy,) if resource_policy is not None else None,
              IDENTITY: tuple(compiled.identity) if compiled.principal.type != "Account" else None,
              BOUNDARY: (compiled.boundary,) if compiled.boundary is not None else None,
              SESSION: (*(compiled.session or ()), *compiled.scope_downs)
              if compiled.session is not None or compiled.scope_downs else None}
    unreadable = {error.policy_kind for error in decision.errors}
    checks, matched_all = [], []
    for check_type, layer, policy_type in _CHECKS:
        refs = layers[layer]
        if refs is None:
            continue
        denies, allows = layer_statements(refs, layer, request)
        if denies:
            verdict = "EXPLICIT_DENY"
        elif layer in unreadable or (effect == "IMPLICIT_DENY" and decision.reason == layer):
            verdict = "IMPLICIT_DENY"
        elif allows:
            verdict = "ALLOW"
        elif effect == "ALLOW" or layer == RESOURCE:
            verdict = "NO_IMPACT"  # not needed: another path allowed, or the identity side decides alone
        else:
            verdict = "IMPLICIT_DENY"
        matched = _matched(policies, [*denies, *allows])
        matched_all += matched
        checks.append({"checkType": check_type, "evaluatedEffect": verdict, "relevantPolicyTypes": [policy_type],
                       "matchedPolicies": matched})
    return {"action": check.action, "resource": check.resource,
            "context": {key: _json(value) for key, value in context.items() if key not in base},
            "evaluatedEffect": effect, "matchedPolicies": _merged(matched_all), "checks": checks}


def _matched(policies: "_Policies", statements: Iterable[MatchedStatement]) -> list[dict[str, Any]]:
    """Matched statements grouped by policy URI, in the order they were found."""
    by_uri: dict[str, list[dict[str, str]]] = {}
    for statement in statements:
        sid = statement.sid if statement.sid else f"Statement{statement.index + 1}"
        by_uri.setdefault(policies.uri(statement.policy_id), []).append(
            {"sid": sid, "evaluatedEffect": "DENY" if statement.effect == "Deny" else "ALLOW"})
    return [{"uri": uri, "matchedStatements": found} for uri, found in by_uri.items()]


def _merged(matched: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_uri: dict[str, list] = {}
    for entry in matched:
        kept = by_uri.setdefault(entry["uri"], [])
        kept += [statement for statement in entry["matchedStatements"] if statement not in kept]
    return [{"uri": uri, "matchedStatements": found} for uri, found in by_uri.items()]


def uri_of(policy_id: str) -> str:
    """A managed policy's ARN; for a policy without one (inline, session, boundary-less documents, resource and
    trust policies) an opaque identifier (the form is mockrunner's: AWS's is not public)."""
    if policy_id.startswith("arn:") and "#" not in policy_id and ":policy/" in policy_id:
        return policy_id
    return "inline-" + hashlib.sha256(policy_id.encode("utf-8")).hexdigest()[:32]


class _Policies:
    """The policies considered for a caller's request: listed once per URI with what they are attached to."""

    def __init__(self, store: "Store", caller: Caller) -> None:
        self.store, self.caller = store, caller
        self.entries: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, Any] = {}
        self._uris: dict[str, str] = {}
        compiled = authorizer.compiled_principal(store, caller)
        owners = _owners(store, caller)
        for ref in compiled.identity:
            self.add(ref, "IDENTITY_BASED_POLICY", not _managed(ref.policy_id), owners.get(ref.policy_id, ()))
        if compiled.boundary is not None:
            self.add(compiled.boundary, "PERMISSIONS_BOUNDARY", False, owners.get("#boundary", ()))
        for ref in (*(compiled.session or ()), *compiled.scope_downs):
            self.add(ref, "SESSION_POLICY", not _managed(ref.policy_id), (caller.arn,))

    def uri(self, policy_id: str) -> str:
        return self._uris.get(policy_id) or uri_of(policy_id)

    def add(self, ref: PolicyRef, policy_type: str, inline: bool, attached_to: Iterable[str] | str,
            check: "Check | None" = None) -> None:
        uri = self.uri(ref.policy_id)
        self._uris[ref.policy_id] = uri
        targets = (attached_to,) if isinstance(attached_to, str) else tuple(attached_to)
        entry = self.entries.get(uri)
        if entry is None:
            entry = self.entries[uri] = {"type": policy_type, "inline": inline, "uri": uri, "attachedTo": []}
            self.documents[uri] = _document(self.store, self.caller, ref, check)
        for arn in targets:
            if {"arn": arn} not in entry["attachedTo"]:
                entry["attachedTo"].append({"arn": arn})

    def listed(self) -> list[dict[str, Any]]:
        return list(self.entries.values())


def _managed(policy_id: str) -> bool:
    return uri_of(policy_id) == policy_id


def _owners(store: "Store", caller: Caller) -> dict[str, list[str]]:
    """Policy id -> ARNs of the user, groups or role it is attached to (``#boundary``: the permissions boundary's
    holder), from the IAM state the authorizer compiled."""
    owners: dict[str, list[str]] = {}
    account = store.account(caller.account_id)
    if account is None or caller.is_root:
        return owners
    iam = account.iam
    if caller.kind in ("User", "FederatedUser"):
        entity = iam.users.get(caller.entity_name or "")
        holders = [entity, *iam.groups_of(entity.name)] if entity is not None else []
    else:
        entity = iam.session_role(caller.entity_name, caller.user_id)
        holders = [entity] if entity is not None else []
    for holder in holders:
        for name in holder.inline_policies:
            owners.setdefault(f"{holder.arn}{documents.INLINE_MARK}{name}", []).append(holder.arn)
        for arn in holder.attached_policies:
            owners.setdefault(arn, []).append(holder.arn)
    if entity is not None and getattr(entity, "permissions_boundary", None):
        owners["#boundary"] = [entity.arn]
    if caller.kind == "FederatedUser" and caller.entity_name is None:
        owners[f"{caller.arn}#root-permissions"] = [caller.arn]
    return owners


def _document(store: "Store", caller: Caller, ref: PolicyRef, check: "Check | None") -> Any:
    """The policy's document now (the moment of the denial) as the store holds it: its text (the very string the
    store keeps, so a record costs a reference, not a copy: two thousand records of a principal with a hundred
    6 KB policies held gigabytes as parsed JSON), a resource policy's object, or ``None`` for a policy whose text
    is not known.  :func:`document_value` reads it when it is asked for."""
    policy_id = ref.policy_id
    if check is not None and isinstance(check.resource_policy, (str, dict)):
        return check.resource_policy
    if "#session-policy/" in policy_id or "#scope-down-policy/" in policy_id:
        source = caller.session_policies if "#session-policy/" in policy_id else caller.scope_down_policies
        index = policy_id.rsplit("/", 1)[1]
        return source[int(index)] if index.isdigit() and int(index) < len(source) else None
    if policy_id.endswith("#root-permissions"):
        return authorizer._ROOT_PERMISSIONS
    found = documents.resolve(store, policy_id)
    return found.text if found is not None else None


def document_value(document: Any) -> Any:
    """A recorded document as GetRequestAuthorizationPolicy answers it: text that is JSON as its JSON value, other
    text as text, an object as itself.  Text holding a number no double holds (``1e999``) is answered as text: its
    value would be written ``Infinity``, which is not JSON (strict parsers refuse the whole answer)."""
    if isinstance(document, str):
        try:
            return json_nesting.loads_finite(document)
        except (ValueError, RecursionError):
            return document
    return document


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


authorizer.DENIAL_NOTES.append(note)
