"""One logged decision explained: the request, each policy layer's verdict, the policies with the statements that
determined it highlighted, AWS's message, and what would have allowed it.

The recorded decision (its matched statements, deciding layer and message) is what happened.  The layers are
evaluated again against the policies as the store holds them now (their verdicts say "now"), so a policy changed
since shows its new effect next to the old decision.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mockrunner.auth import authorizer
from mockrunner.dashboard.policy_text import statement_blocks
from mockrunner.iam_engine import AuthzRequest, MalformedPolicyError, PolicyRef, evaluate
from mockrunner.iam_engine.evaluate import BOUNDARY, IDENTITY, RESOURCE, SESSION, layer_statements
from mockrunner.suggest import complete, documents, principals
from mockrunner.suggest.recorded import Recorded, SuggestError, identity_of

if TYPE_CHECKING:
    from mockrunner.model.store import Store

LAYER_TITLES = {IDENTITY: "Identity-based policies", BOUNDARY: "Permissions boundary",
                SESSION: "Session policies", RESOURCE: "Resource-based / trust policy"}


def explain(store: "Store", record: Recorded) -> dict[str, Any]:
    """Everything the explanation page shows for ``record``."""
    is_service = not record.principal.startswith("arn:")
    compiled = (authorizer.CompiledPrincipal(authorizer.service_principal(record.principal), (), None, None)
                if is_service else principals.compiled(store, record.principal))
    resource_ref = documents.reference(store, documents.met_policy_id(store, record))
    request = AuthzRequest(principal=compiled.principal, action=record.action, resource=record.resource,
                           context=record.context, identity_policies=compiled.identity,
                           permissions_boundary=compiled.boundary, session_policies=None,
                           resource_policy=resource_ref, now=record.time, all_allows=True)
    determining = {(m.get("policyId"), m.get("index")) for m in record.matched}
    layers = []
    for layer, refs, present in (
            (IDENTITY, tuple(compiled.identity), not is_service),
            (BOUNDARY, (compiled.boundary,) if compiled.boundary else (), compiled.boundary is not None),
            (SESSION, (), False),
            (RESOURCE, (resource_ref,) if resource_ref else (), resource_ref is not None)):
        if present or any(m.get("policyKind") == layer for m in record.matched) or record.decided_by == layer:
            layers.append(_layer(store, layer, refs, request, determining, record))
    try:
        now = evaluate(request).decision
    except MalformedPolicyError as error:
        now = f"error: {error.message}"
    if authorizer.long_header(record.context):  # replayed with a cut header: a condition on it may decide otherwise
        now = f"unknown ({now} with the recorded, cut, aws:UserAgent or aws:referer)"
    with store.lock:  # the records expire as they are read
        authorization = store.authorization_details.for_decision(record.id, store.clock.now())
    return {"record": record, "layers": layers, "decisionNow": now, "fix": complete.complete(store, record),
            "suggestFor": _suggestable(record.principal), "authorization": authorization}


def _layer(store: "Store", layer: str, refs: Sequence[PolicyRef], request: AuthzRequest, determining: set,
           record: Recorded) -> dict[str, Any]:
    try:
        denies, allows = layer_statements(refs, layer, request)
        verdict = "Deny" if denies else "Allow" if allows else "No statement applies"
    except MalformedPolicyError as error:
        denies, allows, verdict = [], [], f"Unreadable: {error.message}"
    applying = {(m.policy_id, m.index) for m in (*denies, *allows)}
    policies = []
    for ref in refs:
        hits = {index for policy_id, index in determining | applying if policy_id == ref.policy_id}
        policy = statement_blocks(_text(store, ref), hits)
        for block in policy["blocks"]:
            block["determining"] = (ref.policy_id, block["index"]) in determining
        policies.append({"id": ref.policy_id, **policy})
    if layer == SESSION and not refs:
        verdict = "Not recorded (session policies travel with the credentials)"
    elif authorizer.long_header(record.context):
        verdict = f"Unknown ({verdict} with the recorded, cut, aws:UserAgent or aws:referer)"
    return {"layer": layer, "title": LAYER_TITLES[layer], "verdict": verdict, "decided": record.decided_by == layer,
            "policies": policies}


def _text(store: "Store", ref: PolicyRef) -> str | dict | None:
    """The policy's text: the compiled sets keep parsed documents only, so it is read from the store by id."""
    if isinstance(ref.document, (str, dict)):
        return ref.document
    found = documents.resolve(store, ref.policy_id)
    return found.text if found is not None else None


def _suggestable(principal: str) -> str | None:
    try:
        return identity_of(principal).arn
    except SuggestError:
        return None
